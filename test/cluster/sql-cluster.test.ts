/**
 * Real `quiver serve --etcd … --s3 …` processes against a real etcd and an S3 endpoint
 * (s3rver): any node answers SQL (standbys pass connections to the write leader), the
 * leader's kill -9 loses no acknowledged write and a standby takes over within the lease
 * TTL plus recovery, and a leader frozen past its lease (cut off, as if partitioned) cannot
 * commit when it wakes up: fencing.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { selfSignedCertificate } from '../../src/wire/testing/self-signed-certificate.ts';
import { startEtcd, type TestEtcd } from '../helpers/etcd.ts';
import { scrape, total } from '../helpers/prometheus.ts';
import { type ClusterSetup, type QuiverNode, startQuiverNode } from '../helpers/quiver-node.ts';
import { cancelRequest } from '../helpers/raw-wire.ts';
import { startS3rver, type TestS3Server } from '../helpers/s3rver.ts';

// Short, so failover tests are quick; long enough that a busy CI machine does not starve keepalives.
const TTL_SECONDS = 4;

let etcd: TestEtcd;
let s3: TestS3Server;
let nodes: QuiverNode[] = [];

beforeAll(async () => {
  [etcd, s3] = await Promise.all([startEtcd(), startS3rver()]);
}, 60_000);

afterEach(async () => {
  for (const node of nodes) {
    node.process.kill('SIGCONT');
    await node.kill('SIGKILL');
  }
  nodes = [];
});

afterAll(async () => {
  await etcd?.close();
  await s3?.close();
});

const setups = new Map<QuiverNode, ClusterSetup>();

/** The cluster a node was started in, to start another node in it. */
const setupOf = (node: QuiverNode): ClusterSetup => setups.get(node)!;

/** Starts the nodes one after another, so the first one started leads. */
/** How many records each WAL stream a node's replica had from its leader delivered, from its log. */
function streamedRecords(log: string): number[] {
  return [...log.matchAll(/"records":(\d+),"msg":"the WAL stream from the leader ended"/g)].map((m) =>
    Number(m[1]),
  );
}

/** The operations port a node started with `--http-port 0` logged. */
function httpPortOf(node: QuiverNode): number {
  const port = /"httpPort":(\d+)/.exec(node.log())?.[1];
  if (!port) throw new Error(`node ${node.id} logged no HTTP port`);
  return Number(port);
}

async function startCluster(count: number, extraArgs: readonly string[] = []): Promise<QuiverNode[]> {
  const setup: ClusterSetup = {
    etcd: etcd.endpoints,
    s3,
    cluster: `c${randomUUID().slice(0, 8)}`,
    leaseTtlSeconds: TTL_SECONDS,
    extraArgs: ['--drain', '10', ...extraArgs],
  };
  for (let i = 1; i <= count; i++) {
    const node = await startQuiverNode(setup, `n${i}`);
    setups.set(node, setup);
    nodes.push(node);
    if (i === 1) await node.leading();
  }
  return nodes;
}

/**
 * A connection to `node`; `options` (e.g. `-c quiver.consistency=eventual`) can ask for its
 * replica, `ssl` for TLS.
 */
function clientConfig(node: QuiverNode, options?: string, ssl?: pg.ClientConfig['ssl']): pg.ClientConfig {
  return { host: '127.0.0.1', port: node.port, user: 'quiver', database: 'quiver', options, ssl };
}

async function connect(node: QuiverNode, options?: string, ssl?: pg.ClientConfig['ssl']): Promise<pg.Client> {
  const client = new pg.Client(clientConfig(node, options, ssl));
  client.on('error', () => {});
  await client.connect();
  return client;
}

/**
 * A connection that a standby serves from its read replica. (Until the replica's copy
 * follows the WAL — after startup or DDL — such connections go to the leader.)
 */
async function replicaConnection(open: () => Promise<pg.Client>): Promise<pg.Client> {
  for (let tries = 0; ; tries++) {
    const client = await open();
    if ((await client.query('SELECT pg_is_in_recovery() AS r')).rows[0].r) return client;
    await client.end();
    expect(tries, 'a replica connection within 20 s').toBeLessThan(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Total number of decimal digits of 0 … n-1. */
function sumOfDigits(n: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += String(i).length;
  return total;
}

const vectorOf = (id: number) =>
  `[${Math.sin(id).toFixed(4)},${Math.cos(id * 0.7).toFixed(4)},${(id % 17) / 17}]`;

function exactNearest(ids: Iterable<number>, query: number[], k: number): number[] {
  const distance = (id: number) => {
    const v = JSON.parse(vectorOf(id)) as number[];
    return Math.hypot(...v.map((x, i) => x - query[i]));
  };
  return [...ids]
    .map((id) => [id, distance(id)] as const)
    .sort((a, b) => a[1] - b[1] || a[0] - b[0])
    .slice(0, k)
    .map(([id]) => id);
}

/**
 * Runs `step` through `node` again and again until stopped, reconnecting after a failure;
 * records when steps succeeded and when they failed. `step` gets the attempt's number.
 */
function repeatThrough(
  node: QuiverNode,
  step: (client: pg.Client, attempt: number) => Promise<void>,
  onFailure: (attempt: number) => void = () => {},
  options?: string,
) {
  const okAt: number[] = [];
  const failedAt: number[] = [];
  let stop = false;
  const done = (async () => {
    let client: pg.Client | null = null;
    for (let attempt = 0; !stop; attempt++) {
      try {
        client ??= await connect(node, options);
        await step(client, attempt);
        okAt.push(performance.now());
      } catch {
        failedAt.push(performance.now());
        onFailure(attempt);
        client?.end().catch(() => {});
        client = null;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    await client?.end().catch(() => {});
  })();
  return {
    okAt,
    failedAt,
    stop: async () => {
      stop = true;
      await done;
    },
  };
}

/**
 * Inserts rows one at a time through `node` until stopped; records which ids were
 * acknowledged and which were in doubt (sent, no answer). Every fifth attempt inserts in
 * a transaction it rolls back instead: those ids must never be visible.
 */
function writer(node: QuiverNode, firstId: number) {
  const acked = new Set<number>();
  const inDoubt = new Set<number>();
  const rolledBack = new Set<number>();
  const load = repeatThrough(
    node,
    async (client, attempt) => {
      const id = firstId + attempt;
      if (attempt % 5 === 4) {
        rolledBack.add(id);
        await client.query('BEGIN');
        await client.query(`INSERT INTO items VALUES (${id}, '${vectorOf(id)}')`);
        await client.query('ROLLBACK');
        return;
      }
      await client.query(`INSERT INTO items VALUES (${id}, '${vectorOf(id)}')`);
      acked.add(id);
    },
    (attempt) => {
      if (attempt % 5 !== 4) inDoubt.add(firstId + attempt);
    },
  );
  return { ...load, acked, inDoubt, rolledBack };
}

/**
 * Runs kNN queries through `node` until stopped. Every answer must have 10 rows in
 * distance order (rows come and go under the writer, so exactness is checked once the
 * load stops).
 */
function reader(node: QuiverNode, options?: string) {
  const wrong: string[] = [];
  const load = repeatThrough(
    node,
    async (client) => {
      const { rows } = await client.query(
        "SELECT id, emb <-> '[0.1,0.2,0.3]' AS d FROM items ORDER BY emb <-> '[0.1,0.2,0.3]' LIMIT 10",
      );
      if (rows.length !== 10 || rows.some((r, i) => i > 0 && rows[i - 1].d > r.d))
        wrong.push(JSON.stringify(rows));
    },
    () => {},
    options,
  );
  return { ...load, wrong };
}

/** Creates the test table through `node`, with an HNSW index and rows 0…count-1. */
async function createItems(node: QuiverNode, count: number): Promise<void> {
  const setup = await connect(node);
  await setup.query('CREATE EXTENSION vector');
  await setup.query('CREATE TABLE items (id int PRIMARY KEY, emb vector(3))');
  await setup.query('CREATE INDEX items_emb ON items USING hnsw (emb vector_l2_ops)');
  const rows = Array.from({ length: count }, (_, i) => `(${i}, '${vectorOf(i)}')`).join(',');
  await setup.query(`INSERT INTO items VALUES ${rows}`);
  await setup.end();
}

const READ_ONLY = '-c default_transaction_read_only=on';
const EVENTUAL = '-c quiver.consistency=eventual';

/**
 * Waits until `node`'s replica serves read-only connections and has applied every commit
 * acknowledged so far (after DDL it recovers a new copy; a copy that follows may not have
 * reached the DDL yet, and an eventual read there sees the table as it was before).
 */
async function replicaReady(node: QuiverNode): Promise<void> {
  await waitUntil(
    async () => {
      const probe = await connect(node, READ_ONLY);
      try {
        if ((await probe.query('SHOW in_hot_standby')).rows[0].in_hot_standby !== 'on') return false;
        // A strong read (the default) waits until the copy has applied the commit point.
        await probe.query('SELECT 1');
        return true;
      } finally {
        await probe.end();
      }
    },
    15_000,
    `the replica of ${node.id}`,
  );
}

async function waitUntil(condition: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * How long after `killedAt` a load was served again: from the kill to its first success
 * after its first failure (0 if nothing failed).
 */
async function resumed(load: { okAt: number[]; failedAt: number[] }, killedAt: number): Promise<number> {
  for (;;) {
    const firstFailure = load.failedAt.find((t) => t >= killedAt);
    if (firstFailure === undefined && load.okAt.some((t) => t > killedAt + 1000)) return 0;
    const firstSuccess = firstFailure === undefined ? undefined : load.okAt.find((t) => t > firstFailure);
    if (firstSuccess !== undefined) return firstSuccess - killedAt;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a cluster of quiver processes', () => {
  test('standbys answer SQL through the leader; kill -9 of the leader loses no acknowledged write', {
    timeout: 120_000,
  }, async () => {
    const [leader, second, third] = await startCluster(3);
    await createItems(third, 300);
    const setup = await connect(third);
    const members = await setup.query('SELECT node_id, sql_address, leads_writes FROM quiver_nodes');
    expect(members.rows).toEqual(
      [leader, second, third].map((n) => ({
        node_id: n.id,
        sql_address: `127.0.0.1:${n.port}`,
        leads_writes: n === leader,
      })),
    );
    // Set after startup the connection stays on the leader, which reads the latest commit at every level.
    await setup.query("SET quiver.consistency = 'eventual'");
    expect((await setup.query('SHOW quiver.consistency')).rows).toEqual([
      { 'quiver.consistency': 'eventual' },
    ]);
    await expect(setup.query("SET quiver.consistency = 'sloppy'")).rejects.toMatchObject({ code: '22023' });
    const shard = await setup.query('SELECT tables, shard, leader, epoch FROM quiver_shards');
    expect(shard.rows).toEqual([{ tables: '*', shard: 0, leader: 'n1', epoch: '1' }]);
    await setup.end();

    const load = writer(second, 1000);
    const reads = reader(third);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const killedAt = performance.now();
    await leader.kill('SIGKILL');
    // A standby wins once the dead leader's lease expires, then replays the WAL.
    await Promise.race([second.leading(30_000), third.leading(30_000)]);
    const [writesMs, readsMs] = await Promise.all([resumed(load, killedAt), resumed(reads, killedAt)]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await Promise.all([load.stop(), reads.stop()]);

    // Served again within the lease TTL plus recovery (generous bounds; the figures are logged).
    console.log(
      `after kill -9 of the leader (lease TTL ${TTL_SECONDS} s): kNN reads answered again after ` +
        `${readsMs.toFixed(0)} ms, writes after ${writesMs.toFixed(0)} ms; ${load.acked.size} inserts ` +
        `acknowledged, ${load.inDoubt.size} failed or in doubt; ${reads.okAt.length} kNN queries answered`,
    );
    expect(readsMs).toBeLessThan(TTL_SECONDS * 1000 + 15_000);
    expect(writesMs).toBeLessThan(TTL_SECONDS * 1000 + 15_000);
    expect(reads.wrong).toEqual([]);
    // The new leader continued from its read replica's copy: nothing recovered from S3.
    const promoted = second.log().includes('"leading the writes"') ? second : third;
    expect(promoted.log()).toMatch(/"fromReplica":true,"msg":"leading the writes"/);
    // Both replicas applied the old leader's commits from its stream (TailWal) until it died;
    // the other one streams from the new leader.
    for (const standby of [second, third])
      expect(streamedRecords(standby.log())[0], standby.id).toBeGreaterThan(0);
    const follower = promoted === second ? third : second;
    await waitUntil(
      async () => follower.log().split('"replica streams the WAL from the leader"').length > 2,
      10_000,
      'the stream from the new leader',
    );

    const check = await connect(second);
    const { rows: present } = await check.query('SELECT id FROM items ORDER BY id');
    const ids = new Set(present.map((r) => r.id as number));
    for (let i = 0; i < 300; i++) expect(ids.has(i), `row ${i}`).toBe(true);
    for (const id of load.acked) expect(ids.has(id), `acknowledged row ${id}`).toBe(true);
    for (const id of ids) {
      if (id >= 1000)
        expect(load.acked.has(id) || load.inDoubt.has(id), `row ${id} was never committed`).toBe(true);
    }
    expect(load.rolledBack.size).toBeGreaterThan(0);
    for (const id of load.rolledBack) expect(ids.has(id), `rolled-back row ${id}`).toBe(false);
    // The new leader's index answers as exact search over what is stored.
    await check.query('SET hnsw.ef_search = 400');
    const query = [0.3, -0.2, 0.5];
    const { rows: nearest } = await check.query(
      `SELECT id FROM items ORDER BY emb <-> '[${query.join(',')}]' LIMIT 10`,
    );
    expect(nearest.map((r) => r.id)).toEqual(exactNearest(ids, query, 10));
    // The killed node left the membership with its lease; one of the others leads now.
    const after = await check.query('SELECT node_id, leads_writes FROM quiver_nodes');
    expect(after.rows.map((r) => r.node_id)).toEqual(['n2', 'n3']);
    expect(after.rows.filter((r) => r.leads_writes)).toHaveLength(1);
    const shardAfter = await check.query('SELECT leader, epoch FROM quiver_shards');
    expect(shardAfter.rows).toEqual([{ leader: after.rows.find((r) => r.leads_writes).node_id, epoch: '2' }]);
    await check.end();
  });

  test('a COPY spills to segments, sealed rows beyond the memory budget are read back from the local cache, and a standby takes it all over', {
    timeout: 120_000,
  }, async () => {
    const [leader, standby] = await startCluster(2, ['--memory-budget', '0.25']);
    const sql = postgres({
      host: '127.0.0.1',
      port: leader.port,
      user: 'quiver',
      database: 'quiver',
      max: 1,
      onnotice: () => {},
      connection: { 'quiver.copy_spill_rows': '2000' },
    });
    try {
      await sql`CREATE EXTENSION vector`;
      await sql`CREATE TABLE big (id int PRIMARY KEY, note text, emb vector(3))`;
      const copy = async (from: number, count: number) => {
        const lines = Array.from({ length: count / 250 }, (_, chunk) =>
          Array.from({ length: 250 }, (_, i) => {
            const id = from + chunk * 250 + i;
            return `${id}\tnote ${id} ${'x'.repeat(id % 40)}\t${vectorOf(id)}\n`;
          }).join(''),
        );
        await pipeline(Readable.from(lines), await sql`COPY big FROM STDIN`.writable());
      };
      await copy(0, 20_000);
      // The COPY wrote its rows to segments in S3 before it committed.
      const [spilled] =
        await sql`SELECT count(*)::int AS n FROM quiver_segments WHERE segment LIKE '%spill-%'`;
      expect(spilled.n).toBeGreaterThanOrEqual(9);
      await sql`CREATE INDEX ON big USING hnsw (emb vector_l2_ops)`;
      await sql`CHECKPOINT`;
      // More segments, which the replica loads as the WAL names them.
      await copy(20_000, 10_000);
      // 256 KiB of segments stay in memory; the others are read back from the node's disk.
      const [parts] =
        await sql`SELECT count(*)::int AS n, count(*) FILTER (WHERE NOT loaded)::int AS evicted FROM quiver_segments WHERE relname = 'big'`;
      expect(parts.evicted).toBeGreaterThan(0);
      const summary = sql`SELECT count(*)::int AS n, sum(id)::int8 AS ids, sum(length(note))::int8 AS notes FROM big`;
      const expected = [
        { n: 30_000, ids: '449985000', notes: String(30_000 * 6 + sumOfDigits(30_000) + 750 * 780) },
      ];
      expect(await summary).toEqual(expected);
      const knn = sql`SELECT id FROM big ORDER BY emb <-> '[0.1,0.2,0.3]' LIMIT 10`;
      await sql`SET hnsw.ef_search = 400`;
      const nearest = await knn;
      await sql`SET enable_indexscan = off`;
      expect(await sql`SELECT id FROM big ORDER BY emb <-> '[0.1,0.2,0.3]' LIMIT 10`).toEqual(nearest);

      // The standby's read replica reads its sealed rows from its own disk the same way.
      const replicaRead = await replicaConnection(() =>
        connect(standby, '-c default_transaction_read_only=on'),
      );
      expect(
        (
          await replicaRead.query(
            'SELECT count(*)::int AS n, sum(id)::int8 AS ids, sum(length(note))::int8 AS notes FROM big',
          )
        ).rows,
      ).toEqual(expected);
      const replicaParts = await replicaRead.query(
        "SELECT count(*) FILTER (WHERE NOT loaded)::int AS evicted, count(*)::int AS n FROM quiver_segments WHERE relname = 'big'",
      );
      expect(replicaParts.rows[0].evicted).toBeGreaterThan(0);
      await replicaRead.end();

      // VACUUM rewrites the table as one segment and deletes the others from S3: the replica
      // keeps reading its own local copies of them.
      await sql`VACUUM big`;
      const afterVacuum = await connect(standby, READ_ONLY);
      expect(
        (
          await afterVacuum.query(
            'SELECT count(*)::int AS n, sum(id)::int8 AS ids, sum(length(note))::int8 AS notes FROM big',
          )
        ).rows,
      ).toEqual(expected);
      await afterVacuum.end();

      // Rows the replica applied from the WAL are read from the segment of the leader's next
      // checkpoint (downloaded into its cache); when their table is dropped, the standby
      // drops its cached segment.
      const cached = async (extension: string) =>
        (await readdir(standby.cacheDir, { recursive: true }))
          .filter((path) => path.endsWith(extension))
          .map((path) => path.split(sep).join('/'));
      const before = new Set(await cached('.seg'));
      await sql`CREATE TABLE gone AS SELECT g AS id FROM generate_series(1, 5000) g`;
      await sql`CHECKPOINT`;
      await waitUntil(
        async () => (await cached('.seg')).some((path) => !before.has(path)),
        10_000,
        "the replica reading the checkpoint's segment",
      );
      const goneSegments = (await cached('.seg')).filter((path) => !before.has(path));
      const replicaGone = await connect(standby, READ_ONLY);
      expect((await replicaGone.query('SELECT count(*)::int AS n FROM gone')).rows).toEqual([{ n: 5000 }]);
      const goneParts = await replicaGone.query(
        "SELECT count(*)::int AS n FROM quiver_segments WHERE relname = 'gone'",
      );
      expect(goneParts.rows).toEqual([{ n: 1 }]);
      await replicaGone.end();
      await sql`DROP TABLE gone`;
      await waitUntil(
        async () => (await cached('.seg')).every((path) => !goneSegments.includes(path)),
        10_000,
        "the standby to drop the dropped table's cached segment",
      );

      await leader.kill('SIGKILL');
      await standby.leading(30_000);
      const after = await connect(standby);
      expect(
        (
          await after.query(
            'SELECT count(*)::int AS n, sum(id)::int8 AS ids, sum(length(note))::int8 AS notes FROM big',
          )
        ).rows,
      ).toEqual(expected);
      await after.query('SET hnsw.ef_search = 400');
      expect(
        (await after.query("SELECT id FROM big ORDER BY emb <-> '[0.1,0.2,0.3]' LIMIT 10")).rows,
      ).toEqual([...nearest]);
      await after.end();
    } finally {
      await sql.end();
    }
  });

  test("TLS: a standby ends a client's TLS itself, so TLS connections read on its replica; the others reach the leader over TLS", {
    timeout: 120_000,
  }, async () => {
    const files = selfSignedCertificate();
    try {
      const [leader, standby] = await startCluster(2, ['--tls-cert', files.cert, '--tls-key', files.key]);
      const overTls = (node: QuiverNode, options?: string) =>
        connect(node, options, { rejectUnauthorized: false });
      const encrypted = (client: pg.Client) =>
        (client as unknown as { connection: { stream: { encrypted?: boolean } } }).connection.stream
          .encrypted === true;

      const direct = await overTls(leader);
      await direct.query('CREATE TABLE t (id int PRIMARY KEY)');
      await direct.query('INSERT INTO t VALUES (1), (2), (3)');
      // Passed on to the leader: the standby ended the client's TLS and opened its own to the leader.
      const viaStandby = await overTls(standby);
      expect(encrypted(viaStandby)).toBe(true);
      expect((await viaStandby.query('SELECT pg_is_in_recovery() AS r')).rows).toEqual([{ r: false }]);
      await viaStandby.query('INSERT INTO t VALUES (4)');
      // Asking for a replica over TLS: served by the standby's replica (a strong read).
      const replicaOverTls = await replicaConnection(() =>
        overTls(standby, '-c default_transaction_read_only=on'),
      );
      expect(encrypted(replicaOverTls)).toBe(true);
      expect((await replicaOverTls.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 4 }]);
      expect(
        await replicaOverTls.query('INSERT INTO t VALUES (5)').catch((e: { code: string }) => e.code),
      ).toBe('25006');
      // libpq (psql, sslmode=require; it may ask for GSSAPI encryption first) reads on the replica too.
      const psql = execFileSync(
        'psql',
        [
          '-X',
          '-Atc',
          'SELECT pg_is_in_recovery(), count(*) FROM t',
          `host=127.0.0.1 port=${standby.port} user=quiver dbname=quiver sslmode=require options='-c default_transaction_read_only=on'`,
        ],
        { encoding: 'utf8' },
      );
      expect(psql.trim()).toBe('t|4');
      // Without TLS both still work.
      const plainReplica = await replicaConnection(() =>
        connect(standby, '-c default_transaction_read_only=on'),
      );
      expect(encrypted(plainReplica)).toBe(false);
      expect((await plainReplica.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 4 }]);
      const plain = await connect(standby);
      await plain.query('INSERT INTO t VALUES (6)');
      for (const client of [direct, viaStandby, replicaOverTls, plainReplica, plain]) await client.end();
    } finally {
      files.remove();
    }
  });

  test('a leader frozen past its lease cannot commit when it wakes up (fencing)', {
    timeout: 120_000,
  }, async () => {
    const [leader, standby] = await startCluster(2);
    const direct = await connect(leader);
    await direct.query('CREATE EXTENSION vector');
    await direct.query('CREATE TABLE items (id int PRIMARY KEY, emb vector(3))');
    await direct.query(`INSERT INTO items VALUES (1, '${vectorOf(1)}')`);

    // Frozen: no lease renewals, no timers: to etcd it is a node cut off.
    leader.process.kill('SIGSTOP');
    await standby.leading(30_000);
    const viaNew = await connect(standby);
    await viaNew.query(`INSERT INTO items VALUES (2, '${vectorOf(2)}')`);

    leader.process.kill('SIGCONT');
    // Its client's next write reaches the old leader before or while it notices: either the
    // fenced WAL commit refuses it (40001) or the node has stopped; never acknowledged.
    const late = await direct.query(`INSERT INTO items VALUES (3, '${vectorOf(3)}')`).then(
      () => 'acknowledged',
      (error: Error & { code?: string }) => error.code ?? error.message,
    );
    console.log(`the deposed leader's late INSERT: ${late}`);
    expect(late).not.toBe('acknowledged');
    // The deposed leader stops by itself so its supervisor restarts it as a standby.
    expect(await leader.exited).toBe(3);
    expect(leader.log()).toContain('stopping so that a standby takes over');

    const { rows } = await viaNew.query('SELECT id FROM items ORDER BY id');
    expect(rows.map((r) => r.id)).toEqual([1, 2]);
    await viaNew.end();
    await direct.end().catch(() => {});
  });

  test("a statement that holds the leader's event loop past its lease TTL costs no failover", {
    timeout: 120_000,
  }, async () => {
    const [leader, standby] = await startCluster(2);
    const direct = await connect(leader);
    // Synchronous CPU work on the leader's event loop for several seconds (8 s here).
    const { rows } = await direct.query(
      'SELECT count(*)::int AS n FROM generate_series(1, 25000000) a WHERE a % 7 = 3',
    );
    expect(rows[0].n).toBe(3571429);
    const blocked = () =>
      leader
        .log()
        .split('\n')
        .filter((line) => line.includes('"the event loop was blocked"'))
        .map((line) => (JSON.parse(line) as { blockedMs: number }).blockedMs);
    // Logged at the first turn of the loop after the stall, just after the answer went out.
    await waitUntil(async () => blocked().length > 0, 5000, 'the blocked-loop warning');
    // The stall really was longer than the lease: renewals came from the keeper thread.
    expect(Math.max(...blocked())).toBeGreaterThan(TTL_SECONDS * 1000);
    // Past the time a lost lease would have taken to show: still the leader, still writable.
    await new Promise((resolve) => setTimeout(resolve, TTL_SECONDS * 1000));
    expect(leader.log()).not.toContain('was lost');
    expect(standby.log()).not.toContain('"leading the writes"');
    await direct.query('CREATE TABLE after_stall (a int)');
    await direct.query('INSERT INTO after_stall VALUES (1)');
    const viaStandby = await connect(standby);
    expect((await viaStandby.query('SELECT a FROM after_stall')).rows).toEqual([{ a: 1 }]);
    await viaStandby.end();
    await direct.end();
  });

  test('scale out from 2 to 3 nodes and back to 2 under load: no client sees an error', {
    timeout: 120_000,
  }, async () => {
    const [leader, second] = await startCluster(2);
    const setup = await connect(leader);
    await setup.query('CREATE TABLE t (id int PRIMARY KEY)');
    await setup.end();
    // Like an application behind a Service: a connection per statement, spread over the
    // nodes the Service lists; a node leaving is first taken out of the list (readiness,
    // endpoints), then sent SIGTERM.
    const rotation: QuiverNode[] = [leader, second];
    const acked: number[] = [];
    const errors: string[] = [];
    let stop = false;
    const load = (async () => {
      for (let id = 0; !stop; id++) {
        const node = rotation[id % rotation.length];
        try {
          const client = await connect(node);
          await client.query(`INSERT INTO t VALUES (${id})`);
          acked.push(id);
          await client.end();
        } catch (error) {
          errors.push(`${node.id}: ${(error as Error).message}`);
        }
      }
    })();
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    await pause(1000);
    const third = await startQuiverNode(setupOf(leader), 'n3');
    nodes.push(third);
    rotation.push(third);
    await pause(1500);
    // A client of the leaving node is in the middle of a transaction when SIGTERM comes:
    // the drain lets it finish.
    const lingering = await connect(second);
    await lingering.query('BEGIN');
    await lingering.query('INSERT INTO t VALUES (1000000)');
    rotation.splice(rotation.indexOf(second), 1);
    second.process.kill('SIGTERM');
    await pause(300);
    await lingering.query('COMMIT');
    await lingering.end();
    expect(await second.exited).toBe(0);
    acked.push(1000000);
    await pause(1000);
    stop = true;
    await load;

    expect(errors).toEqual([]);
    const check = await connect(third);
    const { rows } = await check.query('SELECT id FROM t ORDER BY id');
    expect(rows.map((r) => r.id)).toEqual(acked.sort((a, b) => a - b));
    expect(acked.length).toBeGreaterThan(20);
    await check.end();
  });

  test('SIGTERM hands the writes over at once, without waiting for the lease', {
    timeout: 120_000,
  }, async () => {
    const [leader, standby] = await startCluster(2, ['--http-port', '0']);
    const client = await connect(standby);
    await client.query('CREATE TABLE t (id int PRIMARY KEY, note text)');
    await client.query("INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 500) g");
    await client.end();
    // The leader's group commit in its metrics; a standby commits nothing.
    const wal = (await scrape(httpPortOf(leader))).samples;
    expect(total(wal, 'quiver_wal_records_total')).toBeGreaterThanOrEqual(2);
    expect(total(wal, 'quiver_wal_batches_total')).toBeGreaterThanOrEqual(1);
    expect(total(wal, 'quiver_wal_commits_total')).toBeGreaterThanOrEqual(1);
    expect(total(wal, 'quiver_wal_commits_total')).toBeLessThanOrEqual(
      total(wal, 'quiver_wal_batches_total'),
    );
    expect(total(wal, 'quiver_wal_put_seconds_total')).toBeGreaterThan(0);
    expect(total(wal, 'quiver_wal_commit_seconds_total')).toBeGreaterThan(0);
    expect(total((await scrape(httpPortOf(standby))).samples, 'quiver_wal_records_total')).toBe(0);
    const stoppedAt = performance.now();
    await leader.kill('SIGTERM');
    expect(await leader.exited).toBe(0);
    await standby.leading(30_000);
    const takeoverMs = performance.now() - stoppedAt;
    console.log(`standby led ${takeoverMs.toFixed(0)} ms after SIGTERM (lease TTL ${TTL_SECONDS} s)`);
    const after = await connect(standby);
    const { rows } = await after.query('SELECT count(*)::int AS n, max(note) AS last FROM t');
    expect(rows[0]).toEqual({ n: 500, last: 'row 99' });
    await after.end();
  });

  test('a standby serves read-only connections from its replica: strong reads see every acknowledged write, writes are refused, DDL and cancel work', {
    timeout: 120_000,
  }, async () => {
    const [first, second, third] = await startCluster(3);
    await createItems(first, 200);
    await replicaReady(second);
    const leader = await connect(first);
    const strong = await connect(second, READ_ONLY);
    expect((await strong.query('SHOW in_hot_standby')).rows).toEqual([{ in_hot_standby: 'on' }]);
    expect((await strong.query('SELECT pg_is_in_recovery() AS r')).rows).toEqual([{ r: true }]);
    expect((await strong.query('SHOW transaction_read_only')).rows).toEqual([
      { transaction_read_only: 'on' },
    ]);
    // The same connection without the option goes to the leader.
    const plain = await connect(second);
    expect((await plain.query('SELECT pg_is_in_recovery() AS r')).rows).toEqual([{ r: false }]);
    await plain.end();

    // Strong (the default): every commit acknowledged by the leader is seen at once.
    const count = async (c: pg.Client) => (await c.query('SELECT count(*)::int AS n FROM items')).rows[0].n;
    for (let i = 0; i < 40; i++) {
      await leader.query(`INSERT INTO items VALUES (${1000 + i}, '${vectorOf(1000 + i)}')`);
      if (i % 10 === 0) await leader.query(`DELETE FROM items WHERE id = ${i}`);
      expect(await count(strong)).toBe(await count(leader));
    }
    // The leader confirmed those commit positions under its lease (no etcd read per query).
    expect(second.log()).toContain('"msg":"strong reads wait for the commit position the leader confirms"');
    const ids = new Set((await leader.query('SELECT id FROM items')).rows.map((r: { id: number }) => r.id));
    // Eventual reads catch up; the replica's own HNSW index answers as exact search.
    const eventual = await connect(third, EVENTUAL);
    await waitUntil(async () => (await count(eventual)) === ids.size, 10_000, 'the eventual replica');
    await eventual.query('SET hnsw.ef_search = 400');
    const query = [0.3, -0.2, 0.5];
    const knn = `SELECT id FROM items ORDER BY emb <-> '[${query.join(',')}]' LIMIT 10`;
    expect((await eventual.query(`EXPLAIN ${knn}`)).rows.map((r) => r['QUERY PLAN']).join('\n')).toContain(
      'Index Scan using items_emb',
    );
    expect((await eventual.query(knn)).rows.map((r) => r.id)).toEqual(exactNearest(ids, query, 10));

    // Writes are refused before they run (PostgreSQL's hot standby message), and the session goes on.
    await expect(strong.query(`INSERT INTO items VALUES (1, '${vectorOf(1)}')`)).rejects.toMatchObject({
      code: '25006',
      message: 'cannot execute INSERT in a read-only transaction',
    });
    await expect(strong.query('CREATE TABLE other (a int)')).rejects.toMatchObject({ code: '25006' });
    expect(await count(strong)).toBe(ids.size);

    // A cancel request for a replica session reaches it through the standby's own routing.
    const sleeping = strong.query('SELECT pg_sleep(30)');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const key = strong as unknown as { processID: number; secretKey: number };
    createConnection({ host: '127.0.0.1', port: second.port }).end(
      cancelRequest(key.processID, key.secretKey),
    );
    await expect(sleeping).rejects.toMatchObject({ code: '57014' });
    expect(await count(strong)).toBe(ids.size);

    // DDL: the replica applies it to its copy in place; its sessions go on and move to the
    // new catalog at their next statement, as a PostgreSQL standby's sessions see DDL replayed.
    const countItems = { name: 'count-items', text: 'SELECT count(*)::int AS n FROM items' };
    expect((await strong.query(countItems)).rows[0].n).toBe(ids.size);
    const everyColumn = { name: 'every-column', text: 'SELECT * FROM items WHERE id = $1', values: [1000] };
    expect((await strong.query(everyColumn)).rows).toHaveLength(1);
    const readCommitted = await connect(second, READ_ONLY);
    await readCommitted.query('BEGIN');
    expect(await count(readCommitted)).toBe(ids.size);
    const repeatableRead = await connect(second, READ_ONLY);
    await repeatableRead.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    expect(await count(repeatableRead)).toBe(ids.size);
    const errors: Error[] = [];
    for (const c of [strong, readCommitted, repeatableRead]) c.on('error', (e) => errors.push(e));
    await leader.query('ALTER TABLE items ADD COLUMN note text');
    await leader.query(`INSERT INTO items VALUES (5000, '${vectorOf(5000)}', 'after the DDL')`);
    await waitUntil(
      async () => {
        const fresh = await connect(second, READ_ONLY);
        try {
          const { rows } = await fresh.query('SELECT note FROM items WHERE id = 5000');
          return rows[0]?.note === 'after the DDL';
        } finally {
          await fresh.end();
        }
      },
      15_000,
      'the new column on the replica',
    );
    // An idle session reads the new copy, a statement it prepared before the DDL too.
    expect((await strong.query('SELECT note FROM items WHERE id = 5000')).rows).toEqual([
      { note: 'after the DDL' },
    ]);
    expect((await strong.query(countItems)).rows[0].n).toBe(ids.size + 1);
    // …unless its result columns changed: the client holds the old row description.
    await expect(strong.query(everyColumn)).rejects.toMatchObject({
      code: '0A000',
      message: 'cached plan must not change result type',
    });
    // The DDL was applied to the copy in place (same transactions): an open read committed
    // transaction goes on and sees the new commits; a repeatable read one keeps its snapshot.
    expect(await count(readCommitted)).toBe(ids.size + 1);
    await readCommitted.query('COMMIT');
    expect(await count(repeatableRead)).toBe(ids.size);
    await repeatableRead.query('COMMIT');
    expect(await count(repeatableRead)).toBe(ids.size + 1);

    // A TRUNCATE is applied in place too: the open transaction sees the table emptied.
    await leader.query('CREATE TABLE emptied (a int)');
    await leader.query('INSERT INTO emptied VALUES (1), (2)');
    await readCommitted.query('BEGIN');
    expect((await readCommitted.query('SELECT count(*)::int AS n FROM emptied')).rows).toEqual([{ n: 2 }]);
    await leader.query('TRUNCATE emptied');
    await leader.query('INSERT INTO emptied VALUES (3)');
    expect((await readCommitted.query('SELECT a FROM emptied')).rows).toEqual([{ a: 3 }]);
    await readCommitted.query('COMMIT');
    expect(errors).toEqual([]);

    // A session of a database that was dropped ends, as on a PostgreSQL standby.
    await leader.query('CREATE DATABASE scratch');
    let scratch: pg.Client | null = null;
    await waitUntil(
      async () => {
        const client = new pg.Client({ ...clientConfig(second, READ_ONLY), database: 'scratch' });
        client.on('error', () => {});
        scratch = await client.connect().then(
          () => client,
          () => null,
        );
        // Until the replica has applied the DDL, the database is unknown there (3D000).
        const onReplica = scratch && (await scratch.query('SELECT pg_is_in_recovery() AS r')).rows[0].r;
        if (!onReplica) await scratch?.end();
        return onReplica === true;
      },
      15_000,
      'a replica session of the new database',
    );
    const dropped = scratch! as pg.Client;
    expect((await dropped.query('SELECT current_database() AS db')).rows).toEqual([{ db: 'scratch' }]);
    await leader.query('DROP DATABASE scratch');
    await expect(dropped.query('SELECT 1')).rejects.toMatchObject({
      code: '40001',
      message: 'terminating connection due to conflict with recovery',
      detail: 'User was connected to a database that must be dropped.',
    });
    for (const c of [leader, strong, eventual, readCommitted, repeatableRead])
      await c.end().catch(() => undefined);
  });

  test('a sharded vector index is spread over the nodes: kNN on any node searches the shards it lacks on their holders and equals exact search, also after a holder is killed and while a new node takes its share', {
    timeout: 120_000,
  }, async () => {
    const [leader, second, third] = await startCluster(3);
    const client = await connect(leader);
    await client.query('CREATE EXTENSION vector');
    await client.query('CREATE TABLE items (id int PRIMARY KEY, emb vector(3))');
    const count = 3000;
    const rows = Array.from({ length: count }, (_, i) => `(${i}, '${vectorOf(i)}')`).join(',');
    await client.query(`INSERT INTO items VALUES ${rows}`);
    const notices: string[] = [];
    client.on('notice', (n) => notices.push(n.message ?? ''));
    await client.query('CREATE INDEX items_emb ON items USING hnsw (emb vector_l2_ops) WITH (shards = 3)');
    const ids = new Set(Array.from({ length: count }, (_, i) => i));
    const shardsOf = async (c: pg.Client) =>
      (
        await c.query(
          'SELECT shard, held_here, holders, searches_served::int AS served FROM quiver_index_shards ORDER BY shard',
        )
      ).rows as { shard: number; held_here: boolean; holders: string[]; served: number }[];
    // Like pgvector's, CREATE INDEX returns once the index can be searched: every shard built
    // by a node it was placed on.
    expect(notices).toEqual([]);
    expect((await shardsOf(client)).map((s) => s.holders.length > 0)).toEqual([true, true, true]);
    // Inside a transaction block the index exists only at COMMIT: it says its shards come later.
    await client.query('CREATE TABLE later_items (id int, emb vector(3))');
    await client.query('BEGIN');
    await client.query(
      'CREATE INDEX later_emb ON later_items USING hnsw (emb vector_l2_ops) WITH (shards = 2)',
    );
    await client.query('COMMIT');
    expect(notices).toEqual([
      'the 2 shards of index "later_emb" are built in the background by the cluster nodes they are placed on',
    ]);
    // Over the extended protocol the statement's implicit transaction commits at Sync: it waits there.
    await client.query({
      text: 'CREATE INDEX later_emb2 ON later_items USING hnsw (emb vector_l2_ops) WITH (shards = 2)',
      queryMode: 'extended',
    } as pg.QueryConfig);
    const laterShards = await client.query(
      "SELECT holders FROM quiver_index_shards WHERE indexname = 'later_emb2' ORDER BY shard",
    );
    expect(laterShards.rows.map((r) => r.holders.length > 0)).toEqual([true, true]);
    expect(notices).toHaveLength(1);
    await client.query('DROP TABLE later_items');

    // Each shard on two nodes (R = 2), so each of the three nodes holds two of the three.
    const views = [
      client,
      await replicaConnection(() => connect(second, READ_ONLY)),
      await replicaConnection(() => connect(third, READ_ONLY)),
    ];
    for (const view of views) {
      await waitUntil(
        async () => {
          const shards = await shardsOf(view);
          return (
            shards.length === 3 &&
            shards.every((s) => s.holders.length === 2) &&
            shards.filter((s) => s.held_here).length === 2
          );
        },
        30_000,
        'the shards placed and built',
      );
    }
    // No node built the whole index: each built (or loaded, once the other holder of the
    // shard had written its file) just the two shards it was given.
    const logged = (node: QuiverNode, what: string) =>
      node
        .log()
        .split('\n')
        .filter((l) => l.includes(what) && l.includes('"index":"items_emb"'));
    const taken = (node: QuiverNode) =>
      logged(node, 'built an index shard').length + logged(node, 'loaded an index shard').length;
    for (const node of [leader, second, third]) {
      expect(taken(node)).toBe(2);
      expect(logged(node, 'released an index shard')).toEqual([]);
    }
    // Every shard has a file (written by one of its holders or both): the kill below expects
    // the shards it loses to be loaded, and counting writes alone could miss a shard.
    await waitUntil(
      async () => {
        const filed = new Set<string>();
        for (const node of [leader, second, third]) {
          for (const line of logged(node, 'wrote an index shard file'))
            filed.add(/"shard":(\d+)/.exec(line)?.[1] ?? '');
        }
        return filed.size === 3;
      },
      30_000,
      'every shard file written',
    );
    const placed = await shardsOf(client);
    const heldBy = new Map<string, number>();
    for (const s of placed) for (const node of s.holders) heldBy.set(node, (heldBy.get(node) ?? 0) + 1);
    expect([...heldBy.values()]).toEqual([2, 2, 2]);

    const queries = [
      [0.1, 0.2, 0.3],
      [-0.9, 0.5, 0.9],
      [0.7, -0.7, 0.1],
    ];
    const knn = async (c: pg.Client, q: number[]) =>
      (await c.query(`SELECT id FROM items ORDER BY emb <-> '[${q}]' LIMIT 10`)).rows.map((r) => r.id);
    const checkEverywhere = async () => {
      for (const view of views) {
        await view.query('SET hnsw.ef_search = 200');
        for (const q of queries) expect(await knn(view, q)).toEqual(exactNearest(ids, q, 10));
        // A WHERE filter with a parameter: the holders apply it and return their nearest passing rows.
        const even = (
          await view.query(
            `SELECT id FROM items WHERE id % $1 = 0 ORDER BY emb <-> '[0.1,0.2,0.3]' LIMIT 10`,
            [2],
          )
        ).rows;
        expect(even.map((r) => r.id)).toEqual(
          exactNearest(
            [...ids].filter((id) => id % 2 === 0),
            [0.1, 0.2, 0.3],
            10,
          ),
        );
      }
    };
    await checkEverywhere();
    // The shards each node lacks were searched on the others.
    const served = async () => {
      let total = 0;
      for (const view of views) for (const s of await shardsOf(view)) total += s.served;
      return total;
    };
    expect(await served()).toBeGreaterThanOrEqual(views.length * queries.length);
    // EXPLAIN ANALYZE names the node that searched the shard the leader lacks.
    const lacking = placed.find((s) => !s.holders.includes('n1'))!;
    const plan = (
      await client.query(
        "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF) SELECT id FROM items ORDER BY emb <-> '[0.1,0.2,0.3]' LIMIT 10",
      )
    ).rows.map((r) => r['QUERY PLAN'] as string);
    const held = placed.filter((s) => s.holders.includes('n1')).map((s) => s.shard);
    expect(plan).toContain(`        Shards Searched: shards ${held.join(', ')} on this node (rows=10)`);
    expect(plan.filter((l) => l.includes(`Shards Searched: shard ${lacking.shard} on node`))).toHaveLength(1);
    expect(lacking.holders.some((n) => plan.some((l) => l.includes(`on node ${n} (rows=10)`)))).toBe(true);
    // A filtered one is answered from what the holders returned (no exact search after).
    const filteredPlan = (
      await client.query(
        "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF) SELECT id FROM items WHERE id % 5 = 1 ORDER BY emb <-> '[0.1,0.2,0.3]' LIMIT 10",
      )
    ).rows.map((r) => r['QUERY PLAN'] as string);
    expect(filteredPlan.filter((l) => l.includes(`Shards Searched: shard ${lacking.shard} on node`))).toEqual(
      [expect.stringMatching(/\(rows=10\)$/)],
    );
    expect(filteredPlan.join('\n')).not.toContain('Searched Exactly');
    // An error the filter raises comes back with its SQLSTATE, and the session goes on. Asked
    // from the node lacking shard s about row X of shard s, whose filter divides by zero: the
    // holder of s raises it in its scan, unless the asking node's selectivity sample read row X
    // first (both end the query the same way).
    const away = placed[1];
    const asker = ['n1', 'n2', 'n3'].find((n) => !away.holders.includes(n))!;
    const askerConnection = views[Number(asker.slice(1)) - 1];
    const x = 300 + away.shard;
    await expect(
      askerConnection.query(
        `SELECT id FROM items WHERE 1 / (id - ${x}) <> 0 ORDER BY emb <-> '${vectorOf(x)}' LIMIT 10`,
      ),
    ).rejects.toMatchObject({ code: '22012', message: 'division by zero' });
    expect((await askerConnection.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    const planned = (
      await client.query("EXPLAIN SELECT id FROM items ORDER BY emb <-> '[0.1,0.2,0.3]' LIMIT 10")
    ).rows;
    expect(planned.map((r) => r['QUERY PLAN'])).toContain(
      `        Shards: ${held.join(', ')} on this node; ${lacking.shard} on ${[...lacking.holders].sort().join(' or ')}`,
    );

    // Rows written after the index: the holders have them before they answer.
    const later = Array.from({ length: 10 }, (_, i) => count + i * 7);
    await client.query(
      `INSERT INTO items VALUES ${later.map((id) => `(${id}, '${vectorOf(id)}')`).join(',')}`,
    );
    for (const id of later) ids.add(id);
    await checkEverywhere();
    // A transaction's own rows, which no other node has yet.
    await client.query('BEGIN');
    await client.query("INSERT INTO items VALUES (9999, '[-0.9,0.5,0.9]')");
    expect((await knn(client, [-0.9, 0.5, 0.9]))[0]).toBe(9999);
    await client.query('ROLLBACK');

    // A holder dies: its shards are searched on their other holder, then placed again —
    // loaded from their files, with the rows written since added.
    const loadedBefore =
      logged(leader, 'loaded an index shard').length + logged(second, 'loaded an index shard').length;
    await third.kill('SIGKILL');
    views.pop();
    await checkEverywhere();
    for (const view of views) {
      await waitUntil(
        async () => (await shardsOf(view)).every((s) => s.held_here && s.holders.length === 2),
        30_000,
        'the lost shards held again',
      );
    }
    // (Polled: a node's log reaches the test a little after the node reported the shard held.)
    await waitUntil(
      async () =>
        logged(leader, 'loaded an index shard').length + logged(second, 'loaded an index shard').length ===
        loadedBefore + 2,
      10_000,
      'the lost shards loaded from their files',
    );
    await checkEverywhere();

    // Scale out: a new node takes its share (built before the old holders let go) while
    // kNN queries keep running, every answer exact.
    const wrong: string[] = [];
    let answered = 0;
    let stop = false;
    const reading = (async () => {
      const q = queries[0];
      const expected = exactNearest(ids, q, 10);
      while (!stop) {
        try {
          const got = await knn(client, q);
          if (JSON.stringify(got) !== JSON.stringify(expected)) wrong.push(JSON.stringify(got));
          answered++;
        } catch (error) {
          wrong.push((error as Error).message);
        }
      }
    })();
    const fourth = await startQuiverNode(setupOf(leader), 'n4');
    nodes.push(fourth);
    const fourthView = await replicaConnection(() => connect(fourth, READ_ONLY));
    await waitUntil(
      async () => {
        const shards = await shardsOf(client);
        const perNode = new Map<string, number>();
        for (const s of shards) for (const n of s.holders) perNode.set(n, (perNode.get(n) ?? 0) + 1);
        return shards.every((s) => s.holders.length === 2) && perNode.get('n4') === 2;
      },
      30_000,
      'n4 to hold its share',
    );
    stop = true;
    await reading;
    expect(wrong).toEqual([]);
    expect(answered).toBeGreaterThan(10);
    await fourthView.query('SET hnsw.ef_search = 200');
    expect((await shardsOf(fourthView)).filter((s) => s.held_here)).toHaveLength(2);
    // The new node built nothing: it loaded both of its shards from their files.
    await waitUntil(
      async () => logged(fourth, 'loaded an index shard').length === 2,
      10_000,
      'n4 loading both of its shards',
    );
    expect(logged(fourth, 'built an index shard')).toEqual([]);
    expect(await knn(fourthView, queries[1])).toEqual(exactNearest(ids, queries[1], 10));
    await fourthView.end();
    for (const view of views) await view.end();
  });

  test('reads on replicas go on while the leader is killed; the promoted replica keeps its sessions, the other follows the new leader', {
    timeout: 120_000,
  }, async () => {
    const [first, second, third] = await startCluster(3);
    await createItems(first, 300);
    await Promise.all([replicaReady(second), replicaReady(third)]);
    // Idle replica sessions on both standbys, one of them with read-only transactions.
    const idle = await Promise.all(
      [second, third].map(async (node) => ({
        node,
        eventual: await connect(node, EVENTUAL),
        readOnly: await connect(node, READ_ONLY),
      })),
    );
    const replicaReads = [second, third].map((node) => reader(node, EVENTUAL));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const killedAt = performance.now();
    await first.kill('SIGKILL');
    const promoted = await Promise.race([
      second.leading(30_000).then(() => second),
      third.leading(30_000).then(() => third),
    ]);
    const led = performance.now();
    const other = promoted === second ? third : second;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await Promise.all(replicaReads.map((r) => r.stop()));
    const [promotedReads, otherReads] = promoted === second ? replicaReads : replicaReads.reverse();

    // The standby that stayed a standby answered kNN from its replica the whole time.
    const during = otherReads.okAt.filter((t) => t > killedAt && t < led);
    const gaps = [killedAt, ...during, led].map((t, i, all) => (i === 0 ? 0 : t - all[i - 1]));
    const longestGap = Math.max(...gaps);
    console.log(
      `replica reads through kill -9 of the leader: the new leader took ${(led - killedAt).toFixed(0)} ms; ` +
        `the other standby answered ${during.length} kNN queries meanwhile (longest gap ${longestGap.toFixed(0)} ms, ` +
        `${otherReads.failedAt.length} failures); the promoted node's replica sessions went on ` +
        `(${promotedReads.okAt.length} kNN queries, ${promotedReads.failedAt.length} failures)`,
    );
    expect(otherReads.failedAt).toEqual([]);
    expect(otherReads.wrong).toEqual([]);
    expect(during.length).toBeGreaterThan(10);
    expect(longestGap).toBeLessThan(1000);

    // The promoted node's replica sessions were not ended: its copy became the leader's
    // database, and they go on as the leader's sessions, as on a promoted PostgreSQL standby.
    expect(promotedReads.failedAt).toEqual([]);
    expect(promotedReads.wrong).toEqual([]);
    expect(promotedReads.okAt.filter((t) => t > led).length).toBeGreaterThan(10);
    const kept = idle.find((s) => s.node === promoted)!;
    const reported: string[] = [];
    kept.eventual.connection.on('parameterStatus', (m: { parameterName: string; parameterValue: string }) =>
      reported.push(`${m.parameterName}=${m.parameterValue}`),
    );
    expect((await kept.eventual.query('SELECT pg_is_in_recovery() AS r')).rows).toEqual([{ r: false }]);
    expect(reported).toContain('in_hot_standby=off');
    expect((await kept.eventual.query('SHOW in_hot_standby')).rows).toEqual([{ in_hot_standby: 'off' }]);
    await kept.eventual.query(`INSERT INTO items VALUES (9001, '${vectorOf(9001)}')`);
    // default_transaction_read_only still holds, as it does in PostgreSQL after promotion.
    await expect(
      kept.readOnly.query(`INSERT INTO items VALUES (9002, '${vectorOf(9002)}')`),
    ).rejects.toMatchObject({
      code: '25006',
    });
    expect((await kept.readOnly.query('SELECT count(*)::int AS n FROM items')).rows[0].n).toBe(301);
    const stillReplica = idle.find((s) => s.node === other)!;
    expect((await stillReplica.eventual.query('SELECT pg_is_in_recovery() AS r')).rows).toEqual([
      { r: true },
    ]);
    for (const s of idle) await Promise.all([s.eventual.end(), s.readOnly.end()]);

    // The replica follows the new leader's WAL: a strong read there sees a new write at once.
    const writer = await connect(promoted);
    await writer.query(`INSERT INTO items VALUES (9000, '${vectorOf(9000)}')`);
    const strong = await connect(other, READ_ONLY);
    expect((await strong.query('SELECT id FROM items WHERE id = 9000')).rows).toEqual([{ id: 9000 }]);
    expect((await strong.query('SELECT count(*)::int AS n FROM items')).rows[0].n).toBe(302);
    await writer.end();
    await strong.end();
  });
});
