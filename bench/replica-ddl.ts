/**
 * What DDL on the write leader costs the sessions on a standby's read replica: the replica
 * makes the next copy of the database in place after each DDL commit (copy-after-ddl.ts:
 * tables and indexes the DDL did not touch are kept), and its sessions move to it.
 * Two `quiver serve` processes, etcd and s3rver on loopback.
 *
 *   npx tsx bench/replica-ddl.ts [--rows 100000]
 *
 * Loads `--rows` rows of clustered-100k-128 with COPY and an HNSW index through the leader,
 * CHECKPOINT, then runs each DDL of the list on the leader while, on the standby's replica,
 * one session keeps running kNN queries at `quiver.consistency = eventual` (they read the
 * old copy until the new one is in place) and another, strong, asks right after the DDL
 * returned for something only the DDL made true (it waits until its copy has the DDL).
 * Per DDL: how long that strong read took, what the replica's log says making the new copy
 * took (and how many indexes it kept, loaded from their file or had to build; a copy
 * recovered from storage instead is marked "recovered"), when a new vector index it loads in
 * the background was in place, the eventual reader's queries, errors and longest gap.
 */
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { startEtcd } from '../test/helpers/etcd.ts';
import { startQuiverNode } from '../test/helpers/quiver-node.ts';
import { startS3rver } from '../test/helpers/s3rver.ts';
import { connectNode, loadCheckpointedItems } from './lib/cluster-items.ts';
import { findDataset, generateDataset } from './lib/dataset.ts';
import { vectorParameter } from './lib/sql-target.ts';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' } } });
const rows = Number(values.rows);
const dataset = generateDataset(findDataset('clustered-100k-128', rows), 1, 20);

/** The replica's log messages about a new copy: recovered from storage, or made in place. */
const RECOVERED = 'replica copy recovered';
const IN_PLACE = 'replica applied DDL in place';
const INDEXES_READY = 'replica indexes ready';

/** Each DDL, and a strong read that succeeds only once the replica's copy has it. */
const STEPS: readonly { ddl: string; check: string }[] = [
  { ddl: 'CREATE TABLE notes (id int PRIMARY KEY, body text)', check: 'SELECT count(*) FROM notes' },
  {
    ddl: 'CREATE INDEX items_cosine ON items USING hnsw (embedding vector_cosine_ops)',
    check: "SELECT 1 FROM pg_indexes WHERE indexname = 'items_cosine'",
  },
  { ddl: 'ALTER TABLE items ADD COLUMN note text', check: 'SELECT note FROM items LIMIT 1' },
  { ddl: 'DROP TABLE notes', check: "SELECT 1 WHERE to_regclass('notes') IS NULL" },
];

const etcd = await startEtcd();
const s3 = await startS3rver();
const setup = { etcd: etcd.endpoints, s3, cluster: 'replica-ddl', leaseTtlSeconds: 5, extraArgs: [] };
const leader = await startQuiverNode(setup, 'n1');
const nodes = [leader];
try {
  await leader.leading(60_000);
  const standby = await startQuiverNode(setup, 'n2');
  nodes.push(standby);
  const admin = await loadCheckpointedItems(leader.port, dataset);
  const strong = await replicaSession(standby.port, '-c default_transaction_read_only=on');
  const eventual = await replicaSession(standby.port, '-c quiver.consistency=eventual');
  const queries = dataset.queries.map((q) => vectorParameter(q));

  console.log(
    `\n${rows} rows × 128 + HNSW, 2 nodes on this machine; the standby's replica sessions during DDL`,
  );
  console.log(
    '| DDL on the leader | strong read after it | new copy made in | indexes kept / loaded / built | new index ready after | eventual kNN reads meanwhile | errors | longest gap |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const step of STEPS) {
    const copiesBefore = copyLines(standby.log()).length;
    const reads = startReading(eventual, queries);
    let strongMs = 0;
    let readyMs: number | null = null;
    let meanwhile: Awaited<ReturnType<typeof reads.stop>>;
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await admin.query(step.ddl);
      const asked = performance.now();
      const { rows: answer } = await strong.query(step.check);
      strongMs = performance.now() - asked;
      if (answer.length !== 1) throw new Error(`${step.check} did not see ${step.ddl}`);
      // A new vector index is loaded in the background (exact searches until then).
      const copy = copyLines(standby.log())[copiesBefore];
      if (copy && copy.indexesLoaded > 0) {
        while (!readyLsns(standby.log()).has(copy.lsn)) {
          if (performance.now() - asked > 120_000) throw new Error('the new index was not ready in 120 s');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        readyMs = performance.now() - asked;
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      meanwhile = await reads.stop();
    }
    const { count, errors, longestGapMs } = meanwhile;
    const copy = copyLines(standby.log())[copiesBefore];
    console.log(
      `| \`${step.ddl}\` | ${strongMs.toFixed(0)} ms | ${copy ? `${copy.ms} ms${copy.msg === RECOVERED ? ' (recovered)' : ''}` : '?'} | ${copy ? `${copy.indexesShared ?? 0} / ${copy.indexesLoaded} / ${copy.indexesRebuilt}` : '?'} | ${readyMs === null ? '—' : `${readyMs.toFixed(0)} ms`} | ${count} | ${errors} | ${longestGapMs.toFixed(0)} ms |`,
    );
  }
  for (const c of [admin, strong, eventual]) await c.end();
} finally {
  for (const line of nodes[1]?.log().split('\n') ?? [])
    if (
      line.includes('DEBUGLOAD') ||
      line.includes('replica') ||
      line.includes('WARN') ||
      line.includes('"level":"warn"')
    )
      console.log('STANDBY', line.slice(0, 400));
  for (const node of nodes) await node.kill('SIGKILL');
  await etcd.close();
  await s3.close();
}

/** A session on the standby's replica once it has every row and its index (connections go to the leader until it has a copy). */
async function replicaSession(port: number, options: string): Promise<pg.Client> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const client = await connectNode(port, options);
    const { rows: r } = await client.query(
      'SELECT pg_is_in_recovery() AS replica, count(*)::int AS n FROM items',
    );
    // Every row, and the HNSW index in place (it is loaded in the background).
    const plan = await client.query("EXPLAIN SELECT id FROM items ORDER BY embedding <-> '[0]' LIMIT 1");
    const indexed = plan.rows.some((row) => String(row['QUERY PLAN']).includes('Index Scan'));
    if (r[0].replica && r[0].n === rows && indexed) return client;
    await client.end();
    if (Date.now() > deadline) throw new Error('the replica did not catch up');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** kNN queries one after another until stopped: how many answered, failed, and the longest wait. */
function startReading(client: pg.Client, queries: readonly string[]) {
  let running = true;
  let count = 0;
  let errors = 0;
  let longestGapMs = 0;
  const loop = (async () => {
    let last = performance.now();
    while (running) {
      try {
        await client.query('SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 10', [
          queries[count % queries.length],
        ]);
        count++;
      } catch {
        errors++;
      }
      const now = performance.now();
      longestGapMs = Math.max(longestGapMs, now - last);
      last = now;
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { count, errors, longestGapMs };
    },
  };
}

/** The replica's log lines about its copies (recovered from storage, or made in place), oldest first. */
function copyLines(log: string): {
  msg: string;
  lsn: number;
  ms: number;
  indexesShared?: number;
  indexesLoaded: number;
  indexesRebuilt: number;
}[] {
  return log
    .split('\n')
    .filter((line) => line.includes(`"msg":"${RECOVERED}"`) || line.includes(`"msg":"${IN_PLACE}"`))
    .map((line) => JSON.parse(line));
}

/** LSNs of the DDL commits whose new vector indexes the replica has put in place ("replica indexes ready"). */
function readyLsns(log: string): Set<number> {
  return new Set(
    log
      .split('\n')
      .filter((line) => line.includes(`"msg":"${INDEXES_READY}"`))
      .map((line) => (JSON.parse(line) as { lsn: number }).lsn),
  );
}
