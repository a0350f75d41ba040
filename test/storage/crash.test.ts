/**
 * Crash safety: a child `quiver serve` process under concurrent INSERT / UPDATE / DELETE /
 * COPY load, with explicit transactions committed and rolled back, is killed with SIGKILL
 * at a random moment; after a restart on the same data directory
 *   - every acknowledged commit is present,
 *   - the operation in flight at the kill is either wholly there or wholly absent,
 *   - nothing rolled back or never acknowledged is visible,
 *   - every stored vector is intact and the HNSW index answers as exact search does.
 * Each trial continues on the data the previous one recovered. QUIVER_CRASH_TRIALS sets the
 * number of trials (20 by default; more for a soak run).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, describe, expect, test } from 'vitest';
import { freePort } from '../helpers/free-port.ts';

const TRIALS = Number(process.env.QUIVER_CRASH_TRIALS ?? 20);
const CLIENTS = 4;
const MAIN = new URL('../../src/server/main.ts', import.meta.url).pathname;

/** k → v for one client's rows; `undefined` in a change means the row is deleted. */
type Rows = Map<number, number>;
type Changes = Map<number, number | undefined>;

interface ClientModel {
  readonly id: number;
  rows: Rows;
  nextKey: number;
  /** The changes of the operation that was in flight when the server died. */
  inDoubt: Changes | null;
}

function embedding(k: number, v: number): number[] {
  return [Math.sin(k), Math.cos(k * 1.3), Math.sin(v * 0.7), Math.cos(k + v)].map(
    (x) => Math.round(x * 1e4) / 1e4,
  );
}

const vectorText = (k: number, v: number) => `[${embedding(k, v).join(',')}]`;

interface Child {
  readonly process: ChildProcess;
  readonly port: number;
  readonly output: string[];
}

async function startChild(dataDir: string): Promise<Child> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    // Checkpoints every few hundred KiB of WAL: kills also land during checkpoints (segment
    // writes, manifests, WAL cuts), and recovery reads sealed segments and index files.
    [
      '--import',
      'tsx',
      MAIN,
      'serve',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      '--checkpoint-mb',
      '0.25',
      '--http-port',
      'off',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output.join('')}`)), 60_000);
    // The server's log (JSON lines on stderr) announces the port.
    child.stderr!.on('data', (d: Buffer) => {
      output.push(d.toString());
      if (d.toString().includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${output.join('')}`));
    });
  });
  return { process: child, port, output };
}

async function kill(child: Child, signal: NodeJS.Signals): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  const exited = new Promise((r) => child.process.once('exit', r));
  child.process.kill(signal);
  await exited;
}

const connectionFor = (port: number) => ({ host: '127.0.0.1', port, user: 'quiver', database: 'quiver' });

/** One client's load: random operations until the server goes away. */
async function runClient(model: ClientModel, port: number, died: Promise<never>): Promise<void> {
  const client = new pg.Client(connectionFor(port));
  client.on('error', () => {});
  const sql = postgres({
    ...connectionFor(port),
    max: 1,
    onnotice: () => {},
    connect_timeout: 5,
    // Its startup type query would be an unhandled rejection when the kill lands during it.
    fetch_types: false,
    // COPY moves its rows to segments every 8 rows, so kills also land between those writes.
    connection: { 'quiver.copy_spill_rows': '8' },
  });
  const newKey = () => model.id * 1_000_000 + model.nextKey++;
  const existing = () => {
    const keys = [...model.rows.keys()];
    return keys.length ? keys[Math.floor(Math.random() * keys.length)] : null;
  };
  const values = (k: number, v: number) => `(${k}, ${model.id}, ${v}, '${vectorText(k, v)}')`;
  try {
    await client.connect();
    for (;;) {
      const changes: Changes = new Map();
      const dice = Math.random();
      const k = existing();
      let run: () => Promise<unknown>;
      if (dice < 0.3 || k === null) {
        const nk = newKey();
        changes.set(nk, 1);
        run = () => client.query(`INSERT INTO kv VALUES ${values(nk, 1)}`);
      } else if (dice < 0.45) {
        const v = model.rows.get(k)! + 1;
        changes.set(k, v);
        run = () => client.query(`UPDATE kv SET v = ${v}, emb = '${vectorText(k, v)}' WHERE k = ${k}`);
      } else if (dice < 0.55) {
        changes.set(k, undefined);
        run = () => client.query(`DELETE FROM kv WHERE k = ${k}`);
      } else if (dice < 0.75) {
        const [a, b] = [newKey(), newKey()];
        const v = model.rows.get(k)! + 1;
        changes.set(a, 1).set(b, 1).set(k, v);
        run = async () => {
          await client.query('BEGIN');
          await client.query(`INSERT INTO kv VALUES ${values(a, 1)}, ${values(b, 1)}`);
          await client.query(`UPDATE kv SET v = ${v}, emb = '${vectorText(k, v)}' WHERE k = ${k}`);
          await client.query('COMMIT');
        };
      } else if (dice < 0.85) {
        // Rolled back: changes nothing, whenever the crash comes.
        const nk = newKey();
        run = async () => {
          await client.query('BEGIN');
          await client.query(`INSERT INTO kv VALUES ${values(nk, 1)}`);
          await client.query(`DELETE FROM kv WHERE k = ${k}`);
          await client.query('ROLLBACK');
        };
      } else {
        const lines: string[] = [];
        for (let i = 0; i < 40; i++) {
          const nk = newKey();
          changes.set(nk, 1);
          lines.push(`${nk}\t${model.id}\t1\t${vectorText(nk, 1)}\n`);
        }
        run = async () => {
          const writable = await sql`COPY kv (k, client, v, emb) FROM STDIN`.writable();
          await pipeline(Readable.from(lines), writable);
        };
      }
      try {
        // A client library may never notice the server vanished mid-COPY: stop at its death.
        await Promise.race([run(), died]);
      } catch (err) {
        model.inDoubt = changes;
        throw err;
      }
      for (const [key, v] of changes) {
        if (v === undefined) model.rows.delete(key);
        else model.rows.set(key, v);
      }
    }
  } catch {
    // The server was killed: this client stops.
  } finally {
    // Not awaited: ending a client whose server was killed can wait forever.
    client.end().catch(() => {});
    sql.end({ timeout: 0 }).catch(() => {});
  }
}

function applied(rows: Rows, changes: Changes): Rows {
  const out = new Map(rows);
  for (const [k, v] of changes) {
    if (v === undefined) out.delete(k);
    else out.set(k, v);
  }
  return out;
}

const sorted = (rows: Rows) => [...rows].sort((a, b) => a[0] - b[0]);

async function verify(models: ClientModel[], port: number, trial: number): Promise<number> {
  const client = new pg.Client(connectionFor(port));
  await client.connect();
  try {
    const { rows } = await client.query('SELECT k, client, v, emb::text AS emb FROM kv');
    const actual = models.map(() => new Map<number, number>());
    for (const r of rows) {
      expect(r.emb, `trial ${trial}: vector of row ${r.k}`).toBe(vectorText(r.k, r.v));
      actual[r.client].set(r.k, r.v);
    }
    for (const m of models) {
      const got = sorted(actual[m.id]);
      const acked = sorted(m.rows);
      if (m.inDoubt && JSON.stringify(got) !== JSON.stringify(acked)) {
        expect(got, `trial ${trial}, client ${m.id}: in-flight operation half applied`).toEqual(
          sorted(applied(m.rows, m.inDoubt)),
        );
      } else {
        expect(got, `trial ${trial}, client ${m.id}: acknowledged rows`).toEqual(acked);
      }
      m.rows = actual[m.id];
      m.inDoubt = null;
    }
    // The recovered HNSW index returns what exact search over the recovered rows returns.
    await client.query('SET hnsw.ef_search = 1000');
    for (const q of [embedding(3, 4), embedding(17, 2), embedding(101, 9)]) {
      const qt = `[${q.join(',')}]`;
      const plan = await client.query(`EXPLAIN SELECT k FROM kv ORDER BY emb <-> '${qt}' LIMIT 10`);
      expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('kv_emb_idx');
      const viaIndex = await client.query(
        `SELECT emb <-> '${qt}' AS d FROM kv ORDER BY emb <-> '${qt}' LIMIT 10`,
      );
      const exact = rows
        .map((r) => Math.hypot(...embedding(r.k, r.v).map((x, i) => x - q[i])))
        .sort((a, b) => a - b)
        .slice(0, 10);
      expect(
        viaIndex.rows.map((r) => r.d.toFixed(3)),
        `trial ${trial}: kNN`,
      ).toEqual(exact.map((d) => d.toFixed(3)));
    }
    return rows.length;
  } finally {
    await client.end();
  }
}

let dataDir = '';
let child: Child | null = null;

afterAll(async () => {
  if (child) await kill(child, 'SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('crash safety', () => {
  test(`${TRIALS} SIGKILLs under concurrent load lose no acknowledged commit`, {
    timeout: 60_000 + TRIALS * 20_000,
  }, async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'quiver-crash-'));
    child = await startChild(dataDir);
    {
      const setup = new pg.Client(connectionFor(child.port));
      await setup.connect();
      await setup.query('CREATE EXTENSION vector');
      await setup.query(
        'CREATE TABLE kv (k int PRIMARY KEY, client int NOT NULL, v int NOT NULL, emb vector(4))',
      );
      await setup.query('CREATE INDEX kv_emb_idx ON kv USING hnsw (emb vector_l2_ops)');
      await setup.end();
    }
    const models: ClientModel[] = Array.from({ length: CLIENTS }, (_, id) => ({
      id,
      rows: new Map(),
      nextKey: 0,
      inDoubt: null,
    }));
    let total = 0;
    for (let trial = 1; trial <= TRIALS; trial++) {
      const current = child;
      const died = new Promise<never>((_, reject) =>
        current.process.once('exit', () => reject(new Error('server killed'))),
      );
      died.catch(() => {});
      const load = models.map((m) => runClient(m, current.port, died));
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 800));
      await kill(child, 'SIGKILL');
      await Promise.all(load);
      child = await startChild(dataDir);
      total = await verify(models, child.port, trial);
    }
    expect(total).toBeGreaterThan(0);
    // Checkpoints ran under the load (not only at clean shutdowns, of which there were none).
    const files = await readdir(join(dataDir, 'objects'), { recursive: true });
    expect(files.filter((f) => f.endsWith('.seg')).length).toBeGreaterThan(0);
    await kill(child, 'SIGTERM');
    child = null;
  });
});
