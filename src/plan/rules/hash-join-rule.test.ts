import { beforeAll, expect, test } from 'vitest';
import { localSession } from '../../engine/testing/local-session.ts';

let s: Awaited<ReturnType<typeof localSession>>;

async function plan(sql: string): Promise<string[]> {
  return (await s.run(`EXPLAIN ${sql}`)).rows.map((r) => r[0] ?? '');
}

beforeAll(async () => {
  s = await localSession();
  await s.run('CREATE TABLE a (id int, big bigint, name text)');
  await s.run('CREATE TABLE b (a_id int, v text)');
});

test('column equalities become hash keys; one-sided conditions move down to their side', async () => {
  expect(await plan("SELECT * FROM a, b WHERE a.id = b.a_id AND b.v <> 'y'")).toEqual([
    'Hash Join',
    '  Hash Cond: (a.id = b.a_id)',
    '  ->  Seq Scan on a',
    '  ->  Hash',
    '        ->  Seq Scan on b',
    "              Filter: (b.v <> 'y'::text)",
  ]);
});

test('keys of different types are compared after coercion to one type', async () => {
  expect((await plan('SELECT * FROM a JOIN b ON a.big = b.a_id')).slice(0, 2)).toEqual([
    'Hash Join',
    '  Hash Cond: (a.big = (b.a_id)::bigint)',
  ]);
  await s.run("INSERT INTO a VALUES (1, 1, 'x'), (2, 3, 'y')");
  await s.run("INSERT INTO b VALUES (1, 'p'), (3, 'q'), (NULL, 'r')");
  const r = await s.run('SELECT a.name, b.v FROM a JOIN b ON a.big = b.a_id ORDER BY 1');
  expect(r.rows).toEqual([
    ['x', 'p'],
    ['y', 'q'],
  ]);
});

test('no hash keys for LATERAL or with enable_hashjoin off', async () => {
  expect((await plan('SELECT * FROM a, LATERAL (SELECT * FROM b WHERE b.a_id = a.id) x'))[0]).toBe(
    'Nested Loop',
  );
  await s.run('SET enable_hashjoin = off');
  expect((await plan('SELECT * FROM a JOIN b ON a.id = b.a_id'))[0]).toBe('Nested Loop');
  await s.run('RESET enable_hashjoin');
});

test('outer joins keep their condition in the join, and hash it', async () => {
  expect((await plan("SELECT * FROM a LEFT JOIN b ON a.id = b.a_id AND b.v = 'y'")).slice(0, 2)).toEqual([
    'Hash Left Join',
    '  Hash Cond: (a.id = b.a_id)',
  ]);
});
