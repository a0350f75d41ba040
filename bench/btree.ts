/**
 * btree index workloads, side by side: key lookups, ranges, keyset pages and per-tenant
 * feeds over the same rows in Quiver (with its btree indexes, and with
 * `enable_indexscan = off` — every query a scan, as before they were used) and in
 * PostgreSQL, through node-postgres prepared statements. Prints mean ms per statement and
 * the ratios, plus JSON lines.
 *
 *   npx tsx bench/btree.ts [--rows 100000] [--tenants 100] [--queries 1000] [--warmup 2000]
 *                          [--postgres host:port] [--quiver host:port]
 *
 * Without --quiver a `quiver serve` process is started on a temporary data directory.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startQuiver } from './lib/quiver-server.ts';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    tenants: { type: 'string', default: '100' },
    queries: { type: 'string', default: '1000' },
    warmup: { type: 'string', default: '2000' },
    postgres: { type: 'string' },
    quiver: { type: 'string' },
    user: { type: 'string', default: 'quiver' },
    database: { type: 'string', default: 'quiver' },
  },
});
const ROWS = Number(args.rows);
const TENANTS = Number(args.tenants);
const QUERIES = Number(args.queries);
// Quiver's statement path is JIT-compiled JavaScript: a couple of thousand executions of
// each statement first, so the mean is its steady state (measured: `WHERE id = $1` 0.18 ms
// a statement after 200 executions, 0.07 ms after 2,000). The scans need no more than a few:
// their time is the scan.
const WARMUP = Number(args.warmup);
const SCAN_WARMUP = Math.min(WARMUP, 20);
const SCAN_QUERIES = Math.min(QUERIES, 100);

/** A workload: its statement, and the parameters of its i-th execution. */
interface Workload {
  readonly label: string;
  readonly text: string;
  readonly params: (i: number) => unknown[];
}

const minute = (n: number) => new Date(Date.UTC(2024, 0, 1) + n * 60_000).toISOString();
// Deterministic spread of ids and tenants over the executions.
const spread = (i: number, n: number) => (i * 7919 + 13) % n;

const WORKLOADS: Workload[] = [
  {
    label: 'WHERE id = $1',
    text: 'SELECT id, body FROM bench_btree WHERE id = $1',
    params: (i) => [1 + spread(i, ROWS)],
  },
  {
    label: 'keyset page: WHERE id > $1 ORDER BY id LIMIT 20',
    text: 'SELECT id, body FROM bench_btree WHERE id > $1 ORDER BY id LIMIT 20',
    params: (i) => [spread(i, ROWS - 20)],
  },
  {
    label: 'ORDER BY at DESC LIMIT 10',
    text: 'SELECT id FROM bench_btree ORDER BY at DESC LIMIT 10',
    params: () => [],
  },
  {
    label: 'count(*) WHERE at BETWEEN (1% of rows)',
    text: 'SELECT count(*) FROM bench_btree WHERE at BETWEEN $1 AND $2',
    params: (i) => {
      const from = spread(i, ROWS - ROWS / 100);
      return [minute(from), minute(from + ROWS / 100 - 1)];
    },
  },
  {
    label: 'feed: WHERE tenant = $1 ORDER BY at DESC LIMIT 20',
    text: 'SELECT id, body FROM bench_btree WHERE tenant = $1 ORDER BY at DESC LIMIT 20',
    params: (i) => [spread(i, TENANTS)],
  },
  {
    label: 'count(*) WHERE tenant = $1 AND at >= $2',
    text: 'SELECT count(*) FROM bench_btree WHERE tenant = $1 AND at >= $2',
    params: (i) => [spread(i, TENANTS), minute(ROWS / 2)],
  },
  {
    label: 'UPDATE … WHERE id = $1',
    text: 'UPDATE bench_btree SET body = body WHERE id = $1',
    params: (i) => [1 + spread(i, ROWS)],
  },
];

interface Result {
  readonly target: string;
  readonly workload: string;
  readonly msPerQuery: number;
}

async function load(client: pg.Client, postgres: boolean): Promise<void> {
  await client.query('DROP TABLE IF EXISTS bench_btree');
  await client.query('CREATE TABLE bench_btree (id int PRIMARY KEY, tenant int, at timestamptz, body text)');
  await client.query(
    `INSERT INTO bench_btree SELECT g, g % ${TENANTS}, '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 minute', repeat('x', 50) FROM generate_series(1, ${ROWS}) g`,
  );
  await client.query('CREATE INDEX bench_btree_at ON bench_btree (at)');
  await client.query('CREATE INDEX bench_btree_tenant_at ON bench_btree (tenant, at)');
  // PostgreSQL plans by statistics; Quiver needs none.
  if (postgres) await client.query('VACUUM ANALYZE bench_btree');
}

async function measure(
  target: string,
  hostPort: string,
  settings: string[],
  warmup: number,
  queries: number,
): Promise<Result[]> {
  const [host, port] = hostPort.split(':');
  const client = new pg.Client({ host, port: Number(port), user: args.user, database: args.database });
  await client.connect();
  try {
    await load(client, target === 'postgres');
    for (const s of settings) await client.query(s);
    const results: Result[] = [];
    for (const w of WORKLOADS) {
      const name = `bench-${WORKLOADS.indexOf(w)}`;
      for (let i = 0; i < warmup; i++) await client.query({ name, text: w.text, values: w.params(i) });
      const started = performance.now();
      for (let i = 0; i < queries; i++)
        await client.query({ name, text: w.text, values: w.params(warmup + i) });
      results.push({ target, workload: w.label, msPerQuery: (performance.now() - started) / queries });
    }
    await client.query('DROP TABLE bench_btree');
    return results;
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  let quiver = args.quiver;
  let close = async () => {};
  if (!quiver) {
    const server = await startQuiver();
    quiver = server.hostPort;
    close = server.close;
  }
  const results: Result[] = [];
  try {
    const scans = ['SET enable_indexscan = off'];
    results.push(...(await measure('quiver, scans', quiver, scans, SCAN_WARMUP, SCAN_QUERIES)));
    results.push(...(await measure('quiver', quiver, [], WARMUP, QUERIES)));
    if (args.postgres) results.push(...(await measure('postgres', args.postgres, [], WARMUP, QUERIES)));
  } finally {
    await close();
  }
  for (const r of results) console.log(JSON.stringify(r));
  const ms = (target: string, workload: string) =>
    results.find((r) => r.target === target && r.workload === workload)?.msPerQuery;
  console.log(
    `\n${ROWS} rows, ${TENANTS} tenants, ${QUERIES} executions each after ${WARMUP} (scans: ${SCAN_QUERIES} after ${SCAN_WARMUP}); mean ms per statement\n`,
  );
  console.log('| statement | Quiver, scans | Quiver | PostgreSQL | Quiver / PostgreSQL |');
  console.log('|---|---|---|---|---|');
  for (const w of WORKLOADS) {
    const scans = ms('quiver, scans', w.label)!;
    const q = ms('quiver', w.label)!;
    const p = ms('postgres', w.label);
    const cell = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(2));
    console.log(
      `| ${w.label} | ${cell(scans)} | ${cell(q)} | ${cell(p)} | ${p === undefined ? '–' : (q / p).toFixed(2)} |`,
    );
  }
}

await main();
