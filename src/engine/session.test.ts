import { expect, test } from 'vitest';
import { localSession } from './testing/local-session.ts';

test('a deeply nested expression is 54001, and the session keeps working', async () => {
  const s = await localSession();
  const error = await s.error(`SELECT ${Array(20000).fill('1').join('-')}`);
  expect(error.code).toBe('54001');
  expect(error.message).toBe('stack depth limit exceeded');
  expect((await s.run('SELECT 1 + 1')).rows).toEqual([['2']]);
});

test('an error inside a transaction block fails the block until ROLLBACK (25P02)', async () => {
  const s = await localSession();
  await s.run('BEGIN');
  await s.error('SELECT 1 / 0');
  const blocked = await s.error('SELECT 1');
  expect(blocked.code).toBe('25P02');
  await s.run('ROLLBACK');
  expect((await s.run('SELECT 2')).rows).toEqual([['2']]);
});

test('the statements of one query string share an implicit transaction', async () => {
  const s = await localSession();
  await s.run('CREATE TABLE t (a int PRIMARY KEY)');
  const error = await s.error('INSERT INTO t VALUES (1); INSERT INTO t VALUES (1)');
  expect(error.code).toBe('23505');
  expect((await s.run('SELECT count(*) FROM t')).rows).toEqual([['0']]);
});

test('DROP COLUMN before an indexed vector column keeps kNN and its index working', async () => {
  const s = await localSession();
  await s.run('CREATE EXTENSION vector');
  await s.run('CREATE TABLE t (id int, note text, v vector(2))');
  await s.run("INSERT INTO t VALUES (1, 'a', '[0,0]'), (2, 'b', '[5,5]'), (3, 'c', '[1,1]')");
  await s.run('CREATE INDEX t_v ON t USING hnsw (v vector_l2_ops)');
  await s.run('ALTER TABLE t DROP COLUMN note');
  const plan = await s.run("EXPLAIN SELECT id FROM t ORDER BY v <-> '[1,1]' LIMIT 2");
  expect(plan.rows[1][0]).toContain('Index Scan using t_v on t');
  expect((await s.run("SELECT id FROM t ORDER BY v <-> '[1,1]' LIMIT 2")).rows).toEqual([['3'], ['1']]);
  await s.run("INSERT INTO t VALUES (4, '[1,1.1]')");
  expect((await s.run("SELECT id FROM t ORDER BY v <-> '[1,1]' LIMIT 2")).rows).toEqual([['3'], ['4']]);
});

test('EXECUTE: a wrong argument count says how many, a refused literal points at itself', async () => {
  const s = await localSession();
  await s.run('PREPARE q(int) AS SELECT $1 + 1');
  const count = await s.error('EXECUTE q');
  expect([count.code, count.message, count.detail]).toEqual([
    '42601',
    'wrong number of parameters for prepared statement "q"',
    'Expected 1 parameters but got 0.',
  ]);
  const literal = await s.error("EXECUTE q('abc')");
  expect([literal.code, literal.position]).toEqual(['22P02', 11]);
  const cast = await s.error('EXECUTE q(true)');
  expect([cast.code, cast.position, cast.hint]).toEqual([
    '42804',
    11,
    'You will need to rewrite or cast the expression.',
  ]);
  expect((await s.run('EXECUTE q(41)')).rows).toEqual([['42']]);
});
