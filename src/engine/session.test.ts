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
