import { afterAll, beforeAll, expect, test } from 'vitest';
import { Catalog } from '../catalog/catalog.ts';
import { placeShardsByCluster } from '../storage/vector/sharded-index.ts';
import { localSession } from './testing/local-session.ts';

// A cluster node's CREATE INDEX … WITH (shards): the catalog's indexShardsHeld stands for the
// cluster (it resolves when the test says the shards are held).
const catalog = new Catalog('quiver');
const waits: { oid: number; shards: number }[] = [];
let hold: (() => void) | null = null;
catalog.indexShardsHeld = (oid, shards) => {
  waits.push({ oid, shards });
  return new Promise<void>((resolve) => {
    hold = resolve;
  });
};
let s: Awaited<ReturnType<typeof localSession>>;

beforeAll(async () => {
  placeShardsByCluster(true);
  s = await localSession({ catalog, serverVersion: '16.4', storage: null });
  await s.run('CREATE EXTENSION vector');
  await s.run("CREATE TABLE t (id int, v vector(2)); INSERT INTO t VALUES (1, '[1,2]')");
});

afterAll(() => placeShardsByCluster(false));

const indexOid = (name: string) =>
  [...catalog.tables()].flatMap((t) => t.indexes).find((i) => i.name === name)?.oid;

test('CREATE INDEX returns once the shards are held, without a NOTICE', async () => {
  waits.length = 0;
  let returned = false;
  const creating = s.run('CREATE INDEX t_v ON t USING hnsw (v vector_l2_ops) WITH (shards = 3)').then((r) => {
    returned = true;
    return r;
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(returned).toBe(false);
  expect(waits).toEqual([{ oid: indexOid('t_v'), shards: 3 }]);
  hold!();
  const result = await creating;
  expect(result.tags).toEqual(['CREATE INDEX']);
  expect(result.notices).toEqual([]);
});

test('inside a transaction block it does not wait (the index exists only at COMMIT): a NOTICE says so', async () => {
  waits.length = 0;
  const created = await s.run(
    'BEGIN; CREATE INDEX t_v2 ON t USING hnsw (v vector_l2_ops) WITH (shards = 2); COMMIT',
  );
  expect(waits).toEqual([]);
  expect(created.notices.map((n) => n.message)).toEqual([
    'the 2 shards of index "t_v2" are built in the background by the cluster nodes they are placed on',
  ]);
});

test('statement_timeout ends the wait, not the index: a WARNING, and CREATE INDEX succeeds', async () => {
  await s.run('SET statement_timeout = 100');
  const created = await s.run('CREATE INDEX t_v3 ON t USING hnsw (v vector_l2_ops) WITH (shards = 2)');
  await s.run('RESET statement_timeout');
  expect(created.tags).toEqual(['CREATE INDEX']);
  expect(created.notices).toEqual([
    expect.objectContaining({
      severity: 'WARNING',
      message: 'canceling wait for the shards of index "t_v3" due to statement timeout',
    }),
  ]);
  expect(indexOid('t_v3')).toBeDefined();
  expect((await s.run("SELECT id FROM t ORDER BY v <-> '[1,2]' LIMIT 1")).rows).toEqual([['1']]);
});

test('an unsharded index does not wait', async () => {
  waits.length = 0;
  const created = await s.run('CREATE INDEX t_v4 ON t USING hnsw (v vector_l2_ops)');
  expect(created.notices).toEqual([]);
  expect(waits).toEqual([]);
});
