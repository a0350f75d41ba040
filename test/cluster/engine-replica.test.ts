/**
 * A read replica against a real write leader engine in the same process: the leader runs
 * Persistence on the object WAL (as a cluster leader does), the replica recovers from the
 * same etcd and object store and follows. Checked: strong reads see every acknowledged
 * commit at once, kNN answers equal the leader's, writes are refused with 25006 and the
 * session stays usable, DDL (applied in place) / TRUNCATE / checkpoints give a new copy that
 * is still complete.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { Catalog } from '../../src/catalog/catalog.ts';
import { EngineReplica, readOnlyStorage } from '../../src/cluster/engine-replica.ts';
import { FencedMetaStore } from '../../src/cluster/fenced-meta-store.ts';
import type { ShardRef } from '../../src/cluster/keys.ts';
import { ObjectWal } from '../../src/cluster/object-wal.ts';
import { tryAcquireShard } from '../../src/cluster/shard-leadership.ts';
import { DATABASE_WAL, type LeaderWalSource } from '../../src/cluster/wal-tail.ts';
import type { OpsLog } from '../../src/engine/ops-log.ts';
import { Persistence } from '../../src/engine/persistence.ts';
import type { Recovered } from '../../src/engine/recovery.ts';
import type { EngineServices } from '../../src/engine/session.ts';
import { SessionRegistry } from '../../src/engine/session-registry.ts';
import { localSession } from '../../src/engine/testing/local-session.ts';
import { DiskCachedObjectStore } from '../../src/storage/object-store/disk-cached-object-store.ts';
import type { ObjectStore } from '../../src/storage/object-store/object-store.ts';
import { SeededRandom } from '../../src/storage/vector/seeded-random.ts';
import '../../src/types/index.ts';
import { type ClusterFixture, describeCluster, waitFor } from './fixtures.ts';

const SHARD: ShardRef = { table: 'db', shard: 0 };
const QUIET: OpsLog = { info: () => {}, warn: () => {}, error: () => {} };

/** What the replica reported, shown when a wait times out. */
const replicaLog: string[] = [];
const RECORDING: OpsLog = {
  info: (fields, message) => replicaLog.push(`${message} ${JSON.stringify(fields)}`),
  warn: (fields, message) =>
    replicaLog.push(`WARN ${message} ${String((fields as { err?: unknown }).err ?? '')}`),
  error: (fields, message) => replicaLog.push(`ERROR ${message} ${JSON.stringify(fields)}`),
};

/**
 * A write leader engine on the object WAL, as a cluster node runs it: leadership of the
 * shard on a new lease, then Persistence — recovered from storage, or given what `takeOver`
 * returns for the opened WAL (a replica's copy).
 */
async function lead(
  { keys, store, objects }: ClusterFixture,
  nodeId: string,
  takeOver?: (wal: ObjectWal) => Promise<Recovered | null>,
) {
  const lease = await store.grantLease(10);
  const won = await tryAcquireShard(store, keys, SHARD, { nodeId, lease });
  if (!won) throw new Error(`${nodeId} could not lead`);
  const wal = await ObjectWal.open({ store, objects, keys, ref: SHARD, leadership: won });
  const recovered = takeOver ? await takeOver(wal) : null;
  const persistence = await Persistence.open(
    {
      meta: new FencedMetaStore(store, keys.engine, won),
      wal,
      objects,
      superuser: 'quiver',
      serverVersion: '16.4',
      log: QUIET,
    },
    recovered ?? undefined,
  );
  const session = await localSession({
    catalog: persistence.catalog,
    serverVersion: '16.4',
    storage: persistence,
  });
  return { lease, persistence, session, wal };
}

/** A replica of the fixture's leader; `engineObjects` may watch what it reads. */
function startReplica(
  { keys, store, objects }: ClusterFixture,
  options: {
    engineObjects?: ObjectStore;
    walObjects?: ObjectStore;
    ownFiles?: boolean;
    onCopy?: (catalog: Catalog) => void;
    leader?: LeaderWalSource;
  } = {},
): EngineReplica {
  return EngineReplica.start({
    meta: store,
    keys,
    ref: SHARD,
    walObjects: options.walObjects ?? objects,
    engineObjects: options.engineObjects ?? objects,
    ownFiles: options.ownFiles,
    leader: options.leader,
    superuser: 'quiver',
    serverVersion: '16.4',
    log: RECORDING,
    onCopy: options.onCopy ?? (() => {}),
  });
}

type Leader = Awaited<ReturnType<typeof lead>>;

/**
 * The leader's WAL as a replica reads it over TailWal and CommitPosition, in process:
 * `wal()` is the leader's (null: no leader to ask); `cut()` ends the streams open now.
 */
function inProcessLeader(wal: () => ObjectWal | null) {
  let cuts = new AbortController();
  const source: LeaderWalSource = {
    async *tail(fromLsn, signal) {
      const current = wal();
      if (!current) throw new Error('no leader');
      const ctx = { signal: AbortSignal.any([signal, cuts.signal]), deadline: undefined, peer: 'test' };
      const request = { ...DATABASE_WAL, fromPosition: BigInt(fromLsn) };
      for await (const batch of current.tail.serve(request, ctx))
        yield batch.records.map((r) => ({ lsn: Number(r.position), payload: r.data }));
    },
    async committed() {
      const next = wal()?.confirmedNextLsn();
      if (next === null || next === undefined) throw new Error('the leader cannot confirm');
      return next;
    },
  };
  return {
    source,
    cut: () => {
      cuts.abort();
      cuts = new AbortController();
    },
  };
}

/** What a session on the replica's `catalog` runs with (registered in `sessions` to move with its copies). */
function replicaServices(
  catalog: Catalog,
  replica: EngineReplica,
  sessions?: SessionRegistry,
): EngineServices {
  return { catalog, serverVersion: '16.4', storage: readOnlyStorage(catalog), replica, sessions };
}

/** `objects` whose reads can be held back: after `stall()` every read waits for `release()`. */
function stallableReads(objects: ObjectStore) {
  let stalled: Promise<void> | null = null;
  let wake = () => {};
  const store = new Proxy(objects, {
    get(target, name) {
      if (name === 'get')
        return async (key: string) => {
          if (stalled) await stalled;
          return target.get(key);
        };
      const value = Reflect.get(target, name, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return {
    store,
    stall: () => {
      stalled = new Promise<void>((resolve) => {
        wake = resolve;
      });
    },
    release: () => {
      wake();
      stalled = null;
    },
  };
}

describeCluster(
  'a read replica of the write leader engine',
  (fx) => {
    it('follows the leader: strong reads see every acknowledged commit, writes are refused, the copy after DDL, checkpoints and TRUNCATE is complete', async () => {
      const { lease, persistence: leader, session: primary } = await lead(fx(), 'a');
      await primary.run('CREATE EXTENSION vector');
      await primary.run('CREATE TABLE items (id int PRIMARY KEY, v vector(2))');
      await primary.run(
        "INSERT INTO items SELECT g, ('[' || g || ',' || (g * 7) % 13 || ']')::vector FROM generate_series(1, 300) g",
      );
      await primary.run('CREATE INDEX ON items USING hnsw (v vector_l2_ops)');

      const copies: Catalog[] = [];
      const replica = startReplica(fx(), { onCopy: (catalog) => copies.push(catalog) });
      const reader = async (consistency = 'strong') => {
        await waitFor(() => replica.catalog !== null, 10_000, 'a following copy');
        const catalog = replica.catalog!;
        return localSession(replicaServices(catalog, replica), {
          options: `-c quiver.consistency=${consistency}`,
        });
      };
      const count = async (session: Awaited<ReturnType<typeof reader>>) =>
        Number((await session.run('SELECT count(*) FROM items')).rows[0][0]);
      try {
        let r = await reader();
        expect(await count(r)).toBe(300);
        expect((await r.run('SHOW in_hot_standby')).rows).toEqual([['on']]);
        expect((await r.run('SELECT pg_is_in_recovery()')).rows).toEqual([['t']]);

        // Strong: each commit acknowledged on the leader is visible on the replica at once.
        for (let i = 0; i < 20; i++) {
          await primary.run(`INSERT INTO items VALUES (${1000 + i}, '[${i},${i}]')`);
          if (i % 5 === 0) await primary.run(`DELETE FROM items WHERE id = ${1 + i}`);
          const expected = Number((await primary.run('SELECT count(*) FROM items')).rows[0][0]);
          expect(await count(r)).toBe(expected);
        }
        // A strong read caught up: the metrics see no lag.
        expect(replica.stats()).toMatchObject({ following: true, lagRecords: 0, copies: 1 });
        // EXPLAIN ANALYZE on a replica says how long the statement waited for the replica.
        const analyzed = (await r.run('EXPLAIN ANALYZE SELECT count(*) FROM items')).rows.flat();
        expect(
          analyzed.filter((line) => /^Replica Wait Time: \d+\.\d{3} ms$/.test(String(line))),
        ).toHaveLength(1);
        expect(analyzed.at(-2)).toMatch(/^Planning Time: /);
        const onLeader = (await primary.run('EXPLAIN ANALYZE SELECT count(*) FROM items')).rows.flat();
        expect(onLeader.some((line) => String(line).startsWith('Replica Wait Time'))).toBe(false);

        // Bounded with no staleness allowed reads as strong does.
        const bounded = await reader('bounded');
        await bounded.run('SET quiver.bounded_staleness = 0');
        for (let i = 0; i < 5; i++) {
          await primary.run(`INSERT INTO items VALUES (${2000 + i}, '[${i},0]')`);
          expect(await count(bounded)).toBe(
            Number((await primary.run('SELECT count(*) FROM items')).rows[0][0]),
          );
        }

        // kNN through the replica's index equals exact search on the leader.
        const knn = "SELECT id FROM items ORDER BY v <-> '[3.3,2.1]' LIMIT 7";
        const exact = async () => {
          await primary.run('SET enable_indexscan = off');
          const rows = (await primary.run(knn)).rows;
          await primary.run('RESET enable_indexscan');
          return rows;
        };
        await r.run('SET hnsw.ef_search = 200');
        expect((await r.run(`EXPLAIN ${knn}`)).rows.join('\n')).toContain('Index Scan');
        expect((await r.run(knn)).rows).toEqual(await exact());
        const point = 'SELECT v FROM items WHERE id = 1019';
        expect((await r.run(point)).rows).toEqual([['[19,19]']]);

        // Writes are refused before they run, and the session goes on.
        for (const [sql, command] of [
          ["INSERT INTO items VALUES (1, '[1,1]')", 'INSERT'],
          ['UPDATE items SET v = v', 'UPDATE'],
          ['DELETE FROM items', 'DELETE'],
          ['CREATE TABLE other (a int)', 'CREATE TABLE'],
          ['DROP TABLE items', 'DROP TABLE'],
          ['TRUNCATE items', 'TRUNCATE TABLE'],
          ['CREATE INDEX ON items (id)', 'CREATE INDEX'],
          ["EXPLAIN ANALYZE INSERT INTO items VALUES (2, '[1,1]')", 'INSERT'],
          ['SELECT id FROM items FOR UPDATE', 'SELECT FOR UPDATE'],
        ]) {
          const error = await r.error(sql);
          expect(error).toMatchObject({
            code: '25006',
            message: `cannot execute ${command} in a read-only transaction`,
          });
        }
        // As on a hot standby, no transaction can be made read-write.
        expect(await r.error('BEGIN READ WRITE')).toMatchObject({
          code: '25001',
          message: 'cannot set transaction read-write mode during recovery',
        });
        await r.run('ROLLBACK');
        expect(await count(r)).toBe(Number((await primary.run('SELECT count(*) FROM items')).rows[0][0]));

        // DDL: the next copy (made in place) has the new column and every row.
        const before = copies.length;
        await primary.run('ALTER TABLE items ADD COLUMN tag text');
        await primary.run("INSERT INTO items VALUES (5000, '[9,9]', 'after ddl')");
        await waitFor(
          () => copies.length > before && replica.catalog !== null,
          10_000,
          'a copy after the DDL',
        );
        r = await reader();
        expect((await r.run('SELECT tag FROM items WHERE id = 5000')).rows).toEqual([['after ddl']]);
        expect(replica.stats().copies).toBeGreaterThanOrEqual(2);
        expect(await count(r)).toBe(Number((await primary.run('SELECT count(*) FROM items')).rows[0][0]));

        // A new copy rebuilds a big vector index off the event loop (no index file before a checkpoint).
        await primary.run('CREATE TABLE big (id int PRIMARY KEY, v vector(4))');
        await primary.run(
          "INSERT INTO big SELECT g, ('[' || g % 97 || ',' || g % 89 || ',' || g % 83 || ',' || g % 79 || ']')::vector FROM generate_series(1, 12000) g",
        );
        await primary.run('CREATE INDEX ON big USING hnsw (v vector_l2_ops)');
        const bigKnn =
          "SELECT id, v <-> '[3.3,7.7,1.9,5.1]' FROM big ORDER BY v <-> '[3.3,7.7,1.9,5.1]' LIMIT 10";
        // Rows at equal distances may come in either order (or either be the tenth), and the
        // index ranks by float32 distances: the answer is exact when its distances are the
        // exact ten, to float32's precision.
        const distances = (rows: (string | null)[][]) =>
          rows.map((row) => Number(row[1])).sort((a, b) => a - b);
        await primary.run('SET enable_indexscan = off');
        const bigExact = distances((await primary.run(bigKnn)).rows);
        await primary.run('RESET enable_indexscan');
        // The index's file is loaded in the background: exact searches until it is ready.
        await waitFor(
          async () => {
            if (replica.catalog === null) return false;
            const s = await reader();
            return (await s.run(`EXPLAIN ${bigKnn}`)).rows.join('\n').includes('Index Scan');
          },
          20_000,
          'the big index on the replica',
        );
        r = await reader();
        await r.run('SET hnsw.ef_search = 400');
        const found = distances((await r.run(bigKnn)).rows);
        bigExact.forEach((d, i) => expect(found[i]).toBeCloseTo(d, 5));

        // A checkpoint cuts the WAL; the replica keeps following (or starts over) and misses nothing.
        await primary.run('CHECKPOINT');
        for (let i = 0; i < 10; i++)
          await primary.run(`INSERT INTO items VALUES (${6000 + i}, '[1,${i}]', 'x')`);
        await primary.run('CHECKPOINT');
        await waitFor(() => replica.catalog !== null, 10_000, 'a copy after the checkpoint');
        r = await reader();
        await r.run('SET hnsw.ef_search = 200');
        expect(await count(r)).toBe(Number((await primary.run('SELECT count(*) FROM items')).rows[0][0]));
        expect((await r.run(knn)).rows).toEqual(await exact());

        // TRUNCATE: applied in place (the indexes built anew over the rows after it).
        replicaLog.length = 0;
        await primary.run('TRUNCATE items');
        await primary.run("INSERT INTO items VALUES (7, '[7,7]', 'y'), (8, '[0,1]', 'z')");
        r = await reader();
        expect(await count(r)).toBe(2);
        expect(replicaLog.filter((line) => line.startsWith('replica copy recovered'))).toEqual([]);
        const nearest7 = "SELECT id FROM items ORDER BY v <-> '[6,6]' LIMIT 1";
        expect((await r.run(`EXPLAIN ${nearest7}`)).rows.join('\n')).toContain('Index Scan');
        expect((await r.run(nearest7)).rows).toEqual([['7']]);
        expect((await r.run('SELECT tag FROM items WHERE id = 8')).rows).toEqual([['z']]);

        // Eventual reads never wait; their answer is at most what strong reads see.
        const eventual = await reader('eventual');
        expect(await count(eventual)).toBeLessThanOrEqual(2);
      } finally {
        await replica.close();
        await leader.close();
        await lease.revoke();
      }
    });

    it('a chain of warm promotions after random inserts, updates, deletes and checkpoints: each new leader holds exactly what the last one committed', async () => {
      const random = new SeededRandom(2);
      const coordinate = () => (random.nextInt(20_000) / 1000 - 10).toFixed(3);
      const vector = () => `'[${coordinate()},${coordinate()},${coordinate()}]'`;
      let current = await lead(fx(), 'n0');
      const leaders = [current];
      const replicas: EngineReplica[] = [];
      const cacheDirs: string[] = [];
      const live = new Set<number>();
      let nextId = 1;
      const state = async (session: Leader['session']) => {
        const rows = (await session.run('SELECT id, v, note FROM kv ORDER BY id')).rows;
        await session.run('SET hnsw.ef_search = 400');
        const knn = `SELECT id FROM kv ORDER BY v <-> ${vector()} LIMIT 5`;
        const nearest = (await session.run(knn)).rows;
        await session.run('SET enable_indexscan = off');
        expect(nearest, 'the index answers as exact search').toEqual((await session.run(knn)).rows);
        await session.run('RESET enable_indexscan');
        return rows;
      };
      try {
        await current.session.run('CREATE EXTENSION vector');
        await current.session.run('CREATE TABLE kv (id int PRIMARY KEY, v vector(3), note text)');
        await current.session.run('CREATE INDEX ON kv USING hnsw (v vector_l2_ops)');
        for (let round = 1; round <= 4; round++) {
          // Every other replica reads its sealed rows from a disk cache of its own, as on a node.
          const cacheDir = round % 2 === 0 ? await mkdtemp(join(tmpdir(), 'quiver-replica-cache-')) : null;
          if (cacheDir) cacheDirs.push(cacheDir);
          const replica = cacheDir
            ? startReplica(fx(), {
                engineObjects: await DiskCachedObjectStore.open(fx().objects, cacheDir),
                ownFiles: true,
              })
            : startReplica(fx());
          replicas.push(replica);
          await waitFor(() => replica.catalog !== null, 10_000, `round ${round}: a following copy`);
          const run = (sql: string) => current.session.run(sql);
          for (let step = 0; step < 30; step++) {
            const pick = () => [...live][random.nextInt(live.size)];
            const kind = random.nextInt(10);
            if (kind < 4 || live.size < 10) {
              const ids = Array.from({ length: 1 + random.nextInt(20) }, () => nextId++);
              await run(
                `INSERT INTO kv VALUES ${ids.map((id) => `(${id}, ${vector()}, 'n${id}')`).join(', ')}`,
              );
              for (const id of ids) live.add(id);
            } else if (kind < 7) {
              const id = pick();
              await run(
                `UPDATE kv SET v = ${vector()}, note = ${random.nextInt(3) === 0 ? 'NULL' : `'u${step}'`} WHERE id = ${id}`,
              );
            } else if (kind < 9) {
              const id = pick();
              await run(`DELETE FROM kv WHERE id = ${id}`);
              live.delete(id);
            } else {
              // A checkpoint cuts the WAL: a replica behind it would have to start over.
              // (VACUUM rewrites the table and deletes the segments a copy may read.)
              await replica.awaitFreshness('strong', 0);
              await run(random.nextInt(3) === 0 ? 'VACUUM' : 'CHECKPOINT');
            }
          }
          const before = await state(current.session);
          expect(before).toHaveLength(live.size);
          await current.lease.revoke();
          current = await lead(fx(), `n${round}`, (wal) => replica.handOver(wal));
          leaders.push(current);
          expect(current.persistence.recovery.fromReplica, `round ${round}: from the replica`).toBe(true);
          expect(await state(current.session)).toEqual(before);
        }
        // What the last warm leader wrote (checkpoints from its predecessors' manifests) recovers from storage.
        const expected = await state(current.session);
        await current.lease.revoke();
        current = await lead(fx(), 'cold');
        leaders.push(current);
        expect(current.persistence.recovery.fromReplica).toBe(false);
        expect(current.persistence.recovery.damagedTables).toEqual([]);
        expect(await state(current.session)).toEqual(expected);
      } finally {
        for (const r of replicas) await r.close();
        for (const leader of leaders.reverse()) {
          await leader.persistence.close().catch(() => undefined);
          await leader.lease.revoke().catch(() => undefined);
        }
        for (const dir of cacheDirs) await rm(dir, { recursive: true, force: true });
      }
    });

    it("follows the leader's checkpoints: the rows it applied from the WAL are read from the checkpoint's segments instead of held in memory", async () => {
      const cacheDir = await mkdtemp(join(tmpdir(), 'quiver-replica-cache-'));
      const { lease, persistence: leader, session: primary } = await lead(fx(), 'a');
      await primary.run('CREATE TABLE t (id int PRIMARY KEY, note text)');
      const replica = startReplica(fx(), {
        engineObjects: await DiskCachedObjectStore.open(fx().objects, cacheDir),
        ownFiles: true,
      });
      const rows = 'SELECT id, note FROM t ORDER BY id';
      /** A strong read on the replica (waits until it has applied every commit), and its table. */
      const onReplica = async (sql: string) => {
        const catalog = replica.catalog!;
        const session = await localSession(replicaServices(catalog, replica));
        const result = (await session.run(sql)).rows;
        return { result, store: [...catalog.tables()].find((t) => t.name === 't')!.store };
      };
      try {
        await waitFor(() => replica.catalog !== null, 10_000, 'a following copy');
        for (let i = 0; i < 3; i++)
          await primary.run(
            `INSERT INTO t SELECT g, 'r' || g FROM generate_series(${i * 100 + 1}, ${i * 100 + 100}) g`,
          );
        let read = await onReplica(rows);
        expect(read.result).toEqual((await primary.run(rows)).rows);
        expect(read.store.inMemoryRowCount()).toBe(300);
        expect(read.store.sealedParts()).toHaveLength(0);

        replicaLog.length = 0;
        await primary.run('CHECKPOINT');
        await waitFor(
          () => replicaLog.some((line) => line.startsWith('replica sealed rows from a checkpoint')),
          10_000,
          'the replica following the checkpoint',
        );
        read = await onReplica(rows);
        expect(read.store.inMemoryRowCount()).toBe(0);
        expect(read.store.sealedParts()).toHaveLength(1);
        expect(read.result).toEqual((await primary.run(rows)).rows);

        // Later commits, a delete of a sealed row, another checkpoint: the same again.
        await primary.run("INSERT INTO t VALUES (1000, 'later')");
        await primary.run('DELETE FROM t WHERE id = 7');
        await primary.run("UPDATE t SET note = 'changed' WHERE id = 8");
        await primary.run('CHECKPOINT');
        await waitFor(
          async () => (await onReplica('SELECT 1')).store.sealedParts().length === 2,
          10_000,
          'the second checkpoint on the replica',
        );
        read = await onReplica(rows);
        expect(read.store.inMemoryRowCount()).toBe(0);
        expect(read.result).toEqual((await primary.run(rows)).rows);

        // A compaction rewrites rows the replica already reads from segments: it keeps its own.
        await primary.run('DELETE FROM t WHERE id > 200');
        await primary.run('VACUUM');
        await primary.run("INSERT INTO t VALUES (2000, 'after vacuum')");
        read = await onReplica(rows);
        expect(read.result).toEqual((await primary.run(rows)).rows);
        expect(read.store.sealedParts()).toHaveLength(2);
        expect(replicaLog.filter((line) => line.startsWith('WARN'))).toEqual([]);
      } finally {
        await replica.close();
        await leader.close();
        await lease.revoke();
        await rm(cacheDir, { recursive: true, force: true });
      }
    });

    it('a copy that reads its sealed rows from its own disk cache is taken over after the old leader compacted those segments away', async () => {
      const cacheDir = await mkdtemp(join(tmpdir(), 'quiver-replica-cache-'));
      const first = await lead(fx(), 'a');
      const leaders = [first];
      const a = first.session;
      await a.run('CREATE TABLE t (id int PRIMARY KEY, note text)');
      for (let i = 0; i < 3; i++) {
        await a.run(
          `INSERT INTO t SELECT g, 'r' || g FROM generate_series(${i * 100 + 1}, ${i * 100 + 100}) g`,
        );
        await a.run('CHECKPOINT');
      }
      // As on a cluster node: the replica reads segments from its own copies of them.
      const replica = startReplica(fx(), {
        engineObjects: await DiskCachedObjectStore.open(fx().objects, cacheDir),
        ownFiles: true,
      });
      try {
        await waitFor(() => replica.catalog !== null, 10_000, 'a following copy');
        const table = [...replica.catalog!.tables()].find((t) => t.name === 't')!;
        expect(table.store.sealedParts(), 'the copy reads the three segments').toHaveLength(3);
        // The copy reads three segments; VACUUM rewrites them as one and deletes them.
        await a.run('DELETE FROM t WHERE id = 150');
        await a.run('VACUUM');
        await a.run("INSERT INTO t VALUES (1000, 'after vacuum')");
        const rows = async (leader: Leader) =>
          (await leader.session.run('SELECT id, note FROM t ORDER BY id')).rows;
        const before = await rows(first);

        await first.lease.revoke();
        const second = await lead(fx(), 'b', (wal) => replica.handOver(wal));
        leaders.push(second);
        expect(second.persistence.recovery.fromReplica, replicaLog.slice(-3).join('; ')).toBe(true);
        expect(await rows(second)).toEqual(before);
        // Its checkpoints must name only segments that exist: a later recovery reads them.
        await second.session.run("INSERT INTO t VALUES (1001, 'on b')");
        await second.session.run('CHECKPOINT');
        const expected = await rows(second);
        await second.lease.revoke();
        const third = await lead(fx(), 'c');
        leaders.push(third);
        expect(third.persistence.recovery.damagedTables).toEqual([]);
        expect(await rows(third)).toEqual(expected);
      } finally {
        await replica.close();
        for (const leader of leaders.reverse()) {
          await leader.persistence.close().catch(() => undefined);
          await leader.lease.revoke().catch(() => undefined);
        }
        await rm(cacheDir, { recursive: true, force: true });
      }
    });

    it('an index CREATE INDEX builds is stored before it commits: the replica (in place) and a new leader load it, not build it', async () => {
      const { lease, persistence: leader, session: primary } = await lead(fx(), 'a');
      await primary.run('CREATE EXTENSION vector');
      await primary.run('CREATE TABLE items (id int PRIMARY KEY, v vector(2))');
      // Enough rows for the build in a worker thread (ddl-index.ts WORKER_BUILD_MIN_ROWS).
      await primary.run(
        "INSERT INTO items SELECT g, ('[' || g % 97 || ',' || (g * 7) % 13 || ']')::vector FROM generate_series(1, 12000) g",
      );
      const replica = startReplica(fx());
      /** The replica's next copy after `ddl`, made in place: how many indexes it kept, loaded and rebuilt. */
      const copyAfter = async (ddl: string) => {
        replicaLog.length = 0;
        await primary.run(ddl);
        // The new index's file is loaded in the background: ready later.
        await waitFor(
          () => replicaLog.some((line) => line.startsWith('replica indexes ready')),
          20_000,
          `a new copy after ${ddl}`,
        );
        expect(replicaLog.filter((l) => l.startsWith('replica copy recovered'))).toEqual([]);
        const line = replicaLog.find((l) => l.startsWith('replica applied DDL in place'))!;
        return JSON.parse(line.slice(line.indexOf('{'))) as Record<string, number>;
      };
      try {
        await waitFor(() => replica.catalog !== null, 10_000, 'a following copy');
        // No row is sealed yet: CREATE INDEX checkpoints, which stores the file with the rows.
        // The replica keeps its table and primary key, and loads the new index's file.
        expect(await copyAfter('CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops)')).toMatchObject({
          tablesShared: 1,
          tablesReshaped: 0,
          indexesShared: 1,
          indexesLoaded: 1,
          indexesRebuilt: 0,
        });
        // Most rows sealed: only the new index's file is written.
        const checkpoints = leader.checkpoints;
        await primary.run("INSERT INTO items VALUES (20000, '[0.5,0.5]')");
        expect(
          await copyAfter('CREATE INDEX items_v_ip ON items USING hnsw (v vector_ip_ops)'),
        ).toMatchObject({
          indexesShared: 2,
          indexesLoaded: 1,
          indexesRebuilt: 0,
        });
        expect(leader.checkpoints).toBe(checkpoints);
        // Many rows tie on distance: compare the distances, and the one nearest row.
        const knn = "SELECT v <-> '[0.5,0.5]' FROM items ORDER BY v <-> '[0.5,0.5]' LIMIT 5";
        const nearest = "SELECT id FROM items ORDER BY v <-> '[0.5,0.5]' LIMIT 1";
        const session = await localSession(replicaServices(replica.catalog!, replica));
        const expected = (await primary.run(knn)).rows;
        expect(expected[0]).toEqual(['0']);
        expect((await session.run(nearest)).rows).toEqual([['20000']]);
        expect((await session.run(`EXPLAIN ${knn}`)).rows.flat().join('\n')).toContain(
          'Index Scan using items_v',
        );
        expect((await session.run(knn)).rows).toEqual(expected);

        // A CREATE INDEX rolled back leaves a file no index owns: recovery passes it by.
        await primary.run('BEGIN');
        await primary.run('CREATE INDEX items_v_cos ON items USING hnsw (v vector_cosine_ops)');
        await primary.run('ROLLBACK');

        // The leader dies before another checkpoint: the next one loads both files too.
        await lease.revoke();
        const next = await lead(fx(), 'b');
        try {
          expect(next.persistence.recovery).toMatchObject({ indexesLoaded: 2, indexesRebuilt: 0 });
          expect((await next.session.run(knn)).rows).toEqual(expected);
        } finally {
          await next.persistence.close();
          await next.lease.revoke();
        }
      } finally {
        await replica.close();
        await leader.close().catch(() => undefined);
      }
    });

    it("applies the leader's stream of commits without reading WAL batches from object storage; while the stream is gone it reads them from there, and it streams again after", async () => {
      const { objects } = fx();
      const { lease, persistence: leader, session: primary, wal } = await lead(fx(), 'a');
      await primary.run('CREATE EXTENSION vector');
      await primary.run('CREATE TABLE t (id int PRIMARY KEY, v vector(2))');
      await primary.run("INSERT INTO t VALUES (1, '[1,1]')");
      const walReads = stallableReads(objects);
      let leading = true;
      const stream = inProcessLeader(() => (leading ? wal : null));
      const replica = startReplica(fx(), { walObjects: walReads.store, leader: stream.source });
      try {
        await waitFor(
          () => replica.catalog !== null && replica.stats().streaming,
          10_000,
          'a streaming copy',
        );
        let session = await localSession(replicaServices(replica.catalog!, replica));
        // A strong read that could not catch up would wait 10 s: fail sooner.
        await session.run('SET statement_timeout = 5000');
        const count = async () => Number((await session.run('SELECT count(*) FROM t')).rows[0][0]);
        expect(await count()).toBe(1);

        // No WAL batch can be read from object storage now: each commit arrives by the stream.
        walReads.stall();
        for (let i = 2; i <= 21; i++) {
          await primary.run(`INSERT INTO t VALUES (${i}, '[${i},${i}]')`);
          if (i % 5 === 0) await primary.run(`DELETE FROM t WHERE id = ${i - 1}`);
          expect(await count()).toBe(Number((await primary.run('SELECT count(*) FROM t')).rows[0][0]));
        }
        // A transaction of several statements arrives whole; DDL is applied in place.
        await primary.run('BEGIN');
        await primary.run("INSERT INTO t VALUES (100, '[0,0]'), (101, '[0,1]')");
        await primary.run("UPDATE t SET v = '[5,5]' WHERE id = 1");
        await primary.run('COMMIT');
        await primary.run('ALTER TABLE t ADD COLUMN note text');
        await primary.run("INSERT INTO t VALUES (102, '[9,9]', 'after ddl')");
        await waitFor(() => replica.stats().copies === 2, 10_000, 'the copy after DDL');
        session = await localSession(replicaServices(replica.catalog!, replica));
        await session.run('SET statement_timeout = 5000');
        expect((await session.run('SELECT id, note FROM t WHERE id >= 100 ORDER BY id')).rows).toEqual([
          ['100', null],
          ['101', null],
          ['102', 'after ddl'],
        ]);
        expect((await session.run('SELECT v::text FROM t WHERE id = 1')).rows).toEqual([['[5,5]']]);
        const streamed = replica.stats().streamedRecords;
        expect(streamed).toBeGreaterThanOrEqual(27);
        // Each strong read waited for the position the leader confirmed, not etcd's.
        expect(replica.stats().pointReads).toEqual({ leader: expect.any(Number), store: 0 });
        expect(replica.stats().pointReads.leader).toBeGreaterThanOrEqual(21);

        // The stream ends and no leader can be streamed from: reads wait for object storage.
        leading = false;
        stream.cut();
        await waitFor(() => !replica.stats().streaming, 5_000, 'the stream to end');
        await primary.run("INSERT INTO t VALUES (200, '[2,0]')");
        const behind = session.run('SELECT count(*) FROM t WHERE id = 200');
        await new Promise((resolve) => setTimeout(resolve, 300));
        walReads.release();
        expect((await behind).rows).toEqual([['1']]);
        expect(replica.stats().streamedRecords).toBe(streamed);

        // The leader is back: the stream opens again where the copy stands.
        leading = true;
        await waitFor(() => replica.stats().streaming, 10_000, 'the stream to open again');
        walReads.stall();
        await primary.run("INSERT INTO t VALUES (201, '[2,1]')");
        expect((await session.run('SELECT count(*) FROM t WHERE id >= 200')).rows).toEqual([['2']]);
        expect(replica.stats().streamedRecords).toBe(streamed + 1);
        // kNN on the replica's index equals the leader's answer.
        const knn = "SELECT id FROM t ORDER BY v <-> '[3,3]' LIMIT 5";
        expect((await session.run(knn)).rows).toEqual((await primary.run(knn)).rows);

        // A leader whose lease is in doubt confirms nothing; strong reads ask etcd.
        const asked = replica.stats().pointReads;
        expect(asked.store).toBeGreaterThan(0); // while there was no leader
        lease.abandon();
        expect(wal.confirmedNextLsn()).toBeNull();
        await new Promise((resolve) => setTimeout(resolve, 1_100)); // past the leader backoff
        expect((await session.run('SELECT count(*) FROM t WHERE id >= 200')).rows).toEqual([['2']]);
        expect(replica.stats().pointReads).toEqual({ leader: asked.leader, store: asked.store + 1 });
      } finally {
        walReads.release();
        await replica.close();
        await leader.close();
        await lease.revoke();
      }
    });

    it('a strong read waiting for a stalled replica ends at statement_timeout or a cancel, not after 10 s', async () => {
      const { objects } = fx();
      const { lease, persistence: leader, session: primary } = await lead(fx(), 'a');
      await primary.run('CREATE TABLE t (id int PRIMARY KEY)');
      await primary.run('INSERT INTO t VALUES (1)');
      // WAL batches are read through this store.
      const walReads = stallableReads(objects);
      const replica = startReplica(fx(), { walObjects: walReads.store });
      try {
        await waitFor(() => replica.catalog !== null, 10_000, 'a following copy');
        const session = await localSession(replicaServices(replica.catalog!, replica));
        expect((await session.run('SELECT count(*) FROM t')).rows).toEqual([['1']]);
        walReads.stall();
        await primary.run('INSERT INTO t VALUES (2)');

        await session.run('SET statement_timeout = 300');
        let started = performance.now();
        expect(await session.error('SELECT count(*) FROM t')).toMatchObject({
          code: '57014',
          message: 'canceling statement due to statement timeout',
        });
        expect(performance.now() - started).toBeLessThan(2_000);

        await session.run('SET statement_timeout = 0');
        started = performance.now();
        const cancelled = session.error('SELECT count(*) FROM t');
        setTimeout(() => session.cancel(), 200);
        expect(await cancelled).toMatchObject({
          code: '57014',
          message: 'canceling statement due to user request',
        });
        expect(performance.now() - started).toBeLessThan(2_000);

        walReads.release();
        expect((await session.run('SELECT count(*) FROM t')).rows).toEqual([['2']]);
      } finally {
        walReads.release();
        await replica.close();
        await leader.close();
        await lease.revoke();
      }
    });

    it('applies DDL in place: tables keep their rows and indexes (reshaped after ADD / DROP COLUMN, ALTER COLUMN TYPE), an open repeatable read transaction keeps its snapshot', async () => {
      const { lease, persistence: leader, session: primary } = await lead(fx(), 'a');
      await primary.run('CREATE EXTENSION vector');
      await primary.run('CREATE TABLE items (id int PRIMARY KEY, a text, v vector(2), b int)');
      const insert = (from: number, to: number) =>
        primary.run(
          `INSERT INTO items SELECT g, 'a' || g, ('[' || g % 31 || ',' || (g * 7) % 13 || ']')::vector, g * 2 FROM generate_series(${from}, ${to}) g`,
        );
      await insert(1, 400);
      await primary.run('CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops)');
      // Some rows sealed in segments, some in memory.
      await primary.run('CHECKPOINT');
      await insert(401, 600);
      const sessions = new SessionRegistry();
      const replica = startReplica(fx(), {
        onCopy: (catalog) => {
          for (const s of sessions.all()) s.moveTo(replicaServices(catalog, replica, sessions));
        },
      });
      const fresh = () => localSession(replicaServices(replica.catalog!, replica));
      /** Runs `ddl` on the leader; returns what the replica's next copy (made in place) says. */
      const ddl = async (sql: string) => {
        replicaLog.length = 0;
        await primary.run(sql);
        await waitFor(
          () => replicaLog.some((line) => line.startsWith('replica applied DDL in place')),
          20_000,
          `the replica after ${sql}`,
        ).catch((error: Error) => {
          throw new Error(`${error.message}; the replica said: ${replicaLog.slice(-4).join('; ')}`);
        });
        expect(replicaLog.filter((l) => l.startsWith('replica copy recovered'))).toEqual([]);
        const line = replicaLog.find((l) => l.startsWith('replica applied DDL in place'))!;
        return JSON.parse(line.slice(line.indexOf('{'))) as Record<string, number>;
      };
      const knn = "SELECT id FROM items ORDER BY v <-> '[3.3,2.1]', id LIMIT 9";
      const same = async (sql: string) => {
        const r = await fresh();
        await r.run('SET hnsw.ef_search = 400');
        expect((await r.run(sql)).rows).toEqual((await primary.run(sql)).rows);
      };
      try {
        await waitFor(() => replica.catalog !== null, 10_000, 'a following copy');
        // A repeatable read transaction on the replica, registered to move with its copies.
        const rr = await localSession(replicaServices(replica.catalog!, replica, sessions));
        await rr.run('BEGIN ISOLATION LEVEL REPEATABLE READ');
        expect((await rr.run('SELECT count(*) FROM items')).rows).toEqual([['600']]);

        // A new table: every table is kept as it is.
        expect(await ddl('CREATE TABLE other (x int PRIMARY KEY)')).toMatchObject({
          tablesShared: 1,
          tablesReshaped: 0,
          indexesShared: 2,
          indexesRebuilt: 0,
        });
        await primary.run('INSERT INTO other VALUES (1), (2)');
        await same('SELECT x FROM other ORDER BY x');

        // ADD COLUMN: the table's rows are reshaped (sealed ones read by attnum), its indexes kept.
        expect(await ddl("ALTER TABLE items ADD COLUMN tag text DEFAULT 'old'")).toMatchObject({
          tablesShared: 1,
          tablesReshaped: 1,
          indexesShared: 3,
          indexesLoaded: 0,
          indexesRebuilt: 0,
        });
        await primary.run("INSERT INTO items VALUES (1000, 'new', '[3,2]', 7, 'new')");
        await same('SELECT * FROM items ORDER BY id');
        await same(knn);
        // The open transaction moved with its snapshot: the new column, not the new row.
        expect((await rr.run('SELECT count(*), min(tag) FROM items')).rows).toEqual([['600', 'old']]);
        expect((await rr.run('SELECT count(*) FROM other')).rows).toEqual([['0']]);

        // DROP COLUMN in the middle: positions shift; the kept indexes keep their structure.
        expect(await ddl('ALTER TABLE items DROP COLUMN a')).toMatchObject({
          tablesReshaped: 1,
          indexesShared: 3,
          indexesRebuilt: 0,
        });
        await primary.run("INSERT INTO items VALUES (1001, '[3.3,2.1]', 8, 'newer')");
        await primary.run('DELETE FROM items WHERE id BETWEEN 100 AND 110');
        await same('SELECT * FROM items ORDER BY id');
        await same(knn);
        await same('SELECT b FROM items WHERE id = 1001');

        // ALTER COLUMN TYPE: the rows rewritten as by an UPDATE (new versions in the WAL
        // record), the column stored under a new attnum: a reshaped table.
        expect(
          await ddl(
            'ALTER TABLE items ALTER b TYPE bigint USING b * 10, ALTER tag TYPE varchar(10), ALTER id TYPE bigint',
          ),
        ).toMatchObject({
          tablesReshaped: 1,
        });
        await same('SELECT * FROM items ORDER BY id');
        await same(knn);
        await same('SELECT id, b FROM items WHERE b = 80');
        await same('SELECT b, tag FROM items WHERE id = 1001');

        // ADD CONSTRAINT … CHECK: the table is kept; the copy has the constraint, as stored.
        expect(
          await ddl('ALTER TABLE items ADD CONSTRAINT items_b_check CHECK (b > -1000) NOT VALID'),
        ).toMatchObject({
          tablesShared: 2,
          tablesReshaped: 0,
        });
        await same(
          "SELECT conname, convalidated, pg_get_constraintdef(oid, true) FROM pg_constraint WHERE contype = 'c'",
        );

        // CREATE INDEX: loaded from its file; DROP TABLE: the other tables are kept.
        expect(await ddl('CREATE INDEX items_b ON items (b)')).toMatchObject({ indexesShared: 3 });
        expect(await ddl('DROP TABLE other')).toMatchObject({ tablesShared: 1, tablesReshaped: 0 });
        expect(await (await fresh()).error('SELECT * FROM other')).toMatchObject({ code: '42P01' });
        await same('SELECT count(*) FROM items');

        // The repeatable read transaction still counts its snapshot, then sees everything.
        expect((await rr.run('SELECT count(*) FROM items')).rows).toEqual([['600']]);
        await rr.run('COMMIT');
        expect((await rr.run('SELECT count(*) FROM items')).rows).toEqual(
          (await primary.run('SELECT count(*) FROM items')).rows,
        );
        // The first copy recovered, then one made in place per DDL.
        expect(replica.stats().copies).toBe(8);
      } finally {
        await replica.close();
        await leader.close();
        await lease.revoke();
      }
    });

    it('a new vector index loads in the background: until it is ready kNN searches exactly, and rows applied meanwhile are in it', async () => {
      const { objects } = fx();
      const { lease, persistence: leader, session: primary } = await lead(fx(), 'a');
      await primary.run('CREATE EXTENSION vector');
      await primary.run('CREATE TABLE items (id int PRIMARY KEY, v vector(2))');
      await primary.run(
        "INSERT INTO items SELECT g, ('[' || g % 97 || ',' || (g * 7) % 13 || ']')::vector FROM generate_series(1, 12000) g",
      );
      // (Enough rows for a build in a worker thread, which stores the index file before the
      // commit.) The replica reads index files through this store.
      const reads = stallableReads(objects);
      const replica = startReplica(fx(), { engineObjects: reads.store });
      const knn = "SELECT id FROM items ORDER BY v <-> '[0.5,0.25]' LIMIT 1";
      try {
        await waitFor(() => replica.catalog !== null, 10_000, 'a following copy');
        reads.stall();
        replicaLog.length = 0;
        await primary.run('CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops)');
        await waitFor(
          () => replicaLog.some((line) => line.startsWith('replica applied DDL in place')),
          10_000,
          'the DDL on the replica',
        );
        // A row applied while the file is loading: the nearest to the query.
        await primary.run("INSERT INTO items VALUES (99999, '[0.5,0.25]')");
        let session = await localSession(replicaServices(replica.catalog!, replica));
        expect((await session.run('SELECT count(*) FROM items')).rows).toEqual([['12001']]);
        expect((await session.run(`EXPLAIN ${knn}`)).rows.join('\n')).not.toContain('Index Scan');
        expect((await session.run(knn)).rows).toEqual([['99999']]);

        reads.release();
        await waitFor(
          () => replicaLog.some((line) => line.startsWith('replica indexes ready')),
          10_000,
          'the index on the replica',
        );
        session = await localSession(replicaServices(replica.catalog!, replica));
        expect((await session.run(`EXPLAIN ${knn}`)).rows.join('\n')).toContain('Index Scan using items_v');
        expect((await session.run(knn)).rows).toEqual([['99999']]);
      } finally {
        reads.release();
        await replica.close();
        await leader.close();
        await lease.revoke();
      }
    });

    it('a TRUNCATE applied in place is taken over warm: the next checkpoint writes the table anew, so no truncated row comes back', async () => {
      const first = await lead(fx(), 'a');
      const leaders: Leader[] = [first];
      const replica = startReplica(fx());
      const rows = 'SELECT id, note FROM t ORDER BY id';
      try {
        await first.session.run('CREATE TABLE t (id int PRIMARY KEY, note text)');
        await first.session.run("INSERT INTO t SELECT g, 'old ' || g FROM generate_series(1, 50) g");
        await first.session.run('CHECKPOINT');
        await waitFor(() => replica.catalog !== null, 10_000, 'a following copy');
        // Row ids start again at 0: the checkpoint's segment names rows that are gone.
        await first.session.run('TRUNCATE t');
        // More rows than before: the old manifest would seem to cover the first 50 of them.
        await first.session.run("INSERT INTO t SELECT g, 'new ' || g FROM generate_series(101, 200) g");
        const expected = (await first.session.run(rows)).rows;
        await waitFor(
          async () => {
            const catalog = replica.catalog!;
            const s = await localSession(replicaServices(catalog, replica));
            return (await s.run('SELECT count(*) FROM t')).rows[0][0] === '100';
          },
          10_000,
          'the truncate on the replica',
        );
        await first.lease.revoke();
        const second = await lead(fx(), 'b', (wal) => replica.handOver(wal));
        leaders.push(second);
        expect(second.persistence.recovery.fromReplica).toBe(true);
        expect((await second.session.run(rows)).rows).toEqual(expected);
        await second.session.run('CHECKPOINT');
        await second.lease.revoke();
        const third = await lead(fx(), 'c');
        leaders.push(third);
        expect((await third.session.run(rows)).rows).toEqual(expected);
      } finally {
        await replica.close();
        for (const leader of leaders.reverse()) {
          await leader.persistence.close().catch(() => undefined);
          await leader.lease.revoke().catch(() => undefined);
        }
      }
    });

    it('a replica that fell behind a checkpoint recovers a new copy: a read committed transaction that read the old one gets 40001', async () => {
      const { objects } = fx();
      const { lease, persistence: leader, session: primary } = await lead(fx(), 'a');
      await primary.run('CREATE TABLE t (id int PRIMARY KEY)');
      await primary.run('INSERT INTO t VALUES (1)');
      const walReads = stallableReads(objects);
      const sessions = new SessionRegistry();
      const replica = startReplica(fx(), {
        walObjects: walReads.store,
        onCopy: (catalog) => {
          for (const s of sessions.all()) s.moveTo(replicaServices(catalog, replica, sessions));
        },
      });
      try {
        await waitFor(() => replica.catalog !== null, 10_000, 'a following copy');
        const catalog = replica.catalog!;
        const session = await localSession(replicaServices(catalog, replica, sessions));
        await session.run('BEGIN');
        expect((await session.run('SELECT count(*) FROM t')).rows).toEqual([['1']]);
        // The replica stops reading the WAL; two checkpoints delete the batches it needs.
        walReads.stall();
        replicaLog.length = 0;
        for (let i = 2; i <= 4; i++) {
          await primary.run(`INSERT INTO t VALUES (${i})`);
          await primary.run('CHECKPOINT');
        }
        walReads.release();
        await waitFor(
          () => replicaLog.some((line) => line.startsWith('replica copy recovered')),
          10_000,
          'a new copy',
        );
        await waitFor(() => replica.catalog !== null && replica.catalog !== catalog, 10_000, 'the new copy');
        expect(await session.error('SELECT count(*) FROM t')).toMatchObject({
          code: '40001',
          message: 'canceling statement due to conflict with recovery',
        });
        await session.run('ROLLBACK');
        expect((await session.run('SELECT count(*) FROM t')).rows).toEqual([['4']]);
      } finally {
        walReads.release();
        await replica.close();
        await leader.close();
        await lease.revoke();
      }
    });

    it('keeps a copy when the leader checkpoints while the copy is read (one snapshot of the engine keys)', async () => {
      const { objects } = fx();
      const { lease, persistence: leader, session: primary } = await lead(fx(), 'a');
      await primary.run('CREATE TABLE t (id int PRIMARY KEY)');
      await primary.run('INSERT INTO t SELECT g FROM generate_series(1, 100) g');
      await primary.run('CHECKPOINT');
      // The leader checkpoints again (its state key changes) while the replica reads a segment.
      let segmentReads = 0;
      const watched = new Proxy(objects, {
        get(target, name) {
          if (name === 'get')
            return async (key: string) => {
              if (key.endsWith('.seg') && segmentReads++ === 0) await leader.checkpoint();
              return target.get(key);
            };
          const value = Reflect.get(target, name, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const replica = startReplica(fx(), { engineObjects: watched });
      try {
        await waitFor(() => replica.catalog !== null, 10_000, 'a following copy');
        // Read once: the copy was kept, not recovered a second time.
        expect(segmentReads).toBe(1);
        const session = await localSession(replicaServices(replica.catalog!, replica));
        await primary.run('INSERT INTO t VALUES (101)');
        expect((await session.run('SELECT count(*), sum(id) FROM t')).rows).toEqual([['101', '5151']]);
      } finally {
        await replica.close();
        await leader.close();
        await lease.revoke();
      }
    });

    it('hands its copy to a new leader (warm promotion): no recovery from storage, every acknowledged commit kept, what the new leader writes recovers from storage; also after DDL applied in place', async () => {
      const leadWith = (nodeId: string, takeOver?: (wal: ObjectWal) => Promise<Recovered | null>) =>
        lead(fx(), nodeId, takeOver);
      const knn = "SELECT id FROM items ORDER BY v <-> '[3.3,2.1]' LIMIT 7";
      /** Every id, and the kNN answer of the index (which must equal exact search; no two rows tie). */
      const contents = async ({ session }: Leader) => {
        const ids = (await session.run('SELECT id FROM items ORDER BY id')).rows.map((r) => r[0]);
        await session.run('SET hnsw.ef_search = 400');
        expect((await session.run(`EXPLAIN ${knn}`)).rows.join('\n')).toContain('Index Scan');
        const nearest = (await session.run(knn)).rows;
        await session.run('SET enable_indexscan = off');
        expect(nearest).toEqual((await session.run(knn)).rows);
        await session.run('RESET enable_indexscan');
        return { ids, nearest };
      };

      const first = await leadWith('a');
      const leaders: Leader[] = [first];
      const replicas: EngineReplica[] = [];
      const replica = startReplica(fx());
      replicas.push(replica);
      try {
        const a = first.session;
        await a.run('CREATE EXTENSION vector');
        await a.run('CREATE TABLE items (id int PRIMARY KEY, v vector(2))');
        await a.run(
          "INSERT INTO items SELECT g, ('[' || (g * 0.731) % 17 || ',' || (g * 0.377) % 13 || ']')::vector FROM generate_series(1, 300) g",
        );
        await a.run('CREATE INDEX ON items USING hnsw (v vector_l2_ops)');
        await a.run('CHECKPOINT');
        await waitFor(() => replica.catalog !== null, 10_000, 'a following copy');
        // After the copy: rows, deletes and updates of sealed and unsealed rows, a checkpoint
        // the copy did not start from, then more commits right before the leader goes.
        await a.run(
          "INSERT INTO items SELECT g, ('[' || (g * 0.13) % 5 || ',1]')::vector FROM generate_series(301, 350) g",
        );
        await a.run('DELETE FROM items WHERE id % 10 = 3');
        await a.run("UPDATE items SET v = '[3,2]' WHERE id = 7");
        await a.run("UPDATE items SET v = '[3.15,2]' WHERE id = 320");
        await a.run('CHECKPOINT');
        await a.run("UPDATE items SET v = '[3.2,2.2]' WHERE id = 8");
        for (let i = 0; i < 10; i++) await a.run(`INSERT INTO items VALUES (${1000 + i}, '[${i}.5,2]')`);
        const before = await contents(first);

        // The leader's node dies: its lease goes; the replica's node leads from its copy.
        await first.lease.revoke();
        const second = await leadWith('b', (wal) => replica.handOver(wal));
        leaders.push(second);
        expect(second.persistence.recovery).toMatchObject({
          fromReplica: true,
          segmentRows: 0,
          indexesLoaded: 0,
          indexesRebuilt: 0,
        });
        expect(await contents(second)).toEqual(before);
        // The deposed leader can commit nothing any more; its client is told to retry.
        expect(await a.error("INSERT INTO items VALUES (5000, '[0,0]')")).toMatchObject({ code: '40001' });
        expect((await second.session.run('SELECT count(*) FROM items WHERE id = 5000')).rows).toEqual([
          ['0'],
        ]);

        // The new leader writes, checkpoints (from the old leader's manifests) and writes more.
        const b = second.session;
        await b.run(
          "INSERT INTO items SELECT g, ('[1,' || (g * 0.071) % 7 || ']')::vector FROM generate_series(2000, 2100) g",
        );
        await b.run('DELETE FROM items WHERE id IN (1, 2000, 1005)');
        await b.run('CHECKPOINT');
        await b.run("INSERT INTO items VALUES (3000, '[3.3,2.1]')");
        const after = await contents(second);
        expect(after.ids).toHaveLength(before.ids.length + 101 - 3 + 1);

        // Its node dies too; a node without a replica recovers it all from storage.
        await second.lease.revoke();
        const third = await leadWith('c');
        leaders.push(third);
        expect(third.persistence.recovery).toMatchObject({ fromReplica: false, damagedTables: [] });
        expect(third.persistence.recovery.indexesLoaded).toBe(1);
        expect(await contents(third)).toEqual(after);

        // The next replica applies a DDL commit in place as it follows: its copy is still
        // taken over, with the new column.
        const replica2 = startReplica(fx());
        replicas.push(replica2);
        await waitFor(() => replica2.catalog !== null, 10_000, 'a following copy of the third leader');
        await third.session.run('ALTER TABLE items ADD COLUMN tag text');
        await third.session.run("INSERT INTO items VALUES (4000, '[9,9]', 'after ddl')");
        await waitFor(
          async () => {
            const catalog = replica2.catalog!;
            const onReplica = await localSession(replicaServices(catalog, replica2));
            const { rows } = await onReplica.run('SELECT count(*) FROM items WHERE id = 4000');
            return rows[0][0] === '1';
          },
          10_000,
          'the replica after the DDL',
        );
        await third.lease.revoke();
        const fourth = await leadWith('d', (wal) => replica2.handOver(wal));
        leaders.push(fourth);
        expect(fourth.persistence.recovery).toMatchObject({ fromReplica: true, segmentRows: 0 });
        expect((await fourth.session.run('SELECT tag FROM items WHERE id = 4000')).rows).toEqual([
          ['after ddl'],
        ]);
        expect((await contents(fourth)).ids).toEqual([...after.ids, '4000']);
      } finally {
        for (const r of replicas) await r.close();
        for (const leader of leaders.reverse()) {
          await leader.persistence.close().catch(() => undefined);
          await leader.lease.revoke().catch(() => undefined);
        }
      }
    });
  },
  {
    objects: [
      ['embedded', 'local'],
      ['etcd', 's3rver'],
    ],
  },
);
