/**
 * count(*) with nothing else counts the rows a scan would return without reading them: it
 * must agree with counting the rows themselves (count(id) over a NOT NULL column) whatever
 * the reader's transaction sees — deleted rows, its own uncommitted writes, a repeatable
 * read snapshot that predates another session's commits.
 */
import { expect, it } from 'vitest';
import { Catalog } from '../catalog/catalog.ts';
import { localSession } from '../engine/testing/local-session.ts';
import '../types/index.ts';

it('count(*) sees exactly the rows a scan sees', async () => {
  const catalog = new Catalog('quiver');
  const services = { catalog, serverVersion: '16.4', storage: null };
  const a = await localSession(services);
  const b = await localSession(services);
  await a.run('CREATE TABLE t (id int NOT NULL, g int)');
  await a.run('INSERT INTO t SELECT g, g % 3 FROM generate_series(1, 1000) g');
  await a.run('DELETE FROM t WHERE g = 0');
  const both = async (s: typeof a, where = '') =>
    (await s.run(`SELECT count(*), count(id), count(*) AS again FROM t ${where}`)).rows[0];
  expect(await both(a)).toEqual(['667', '667', '667']);

  // Its own uncommitted writes count; another session's do not.
  await a.run('BEGIN');
  await a.run('INSERT INTO t VALUES (5000, 1), (5001, 1)');
  await a.run('DELETE FROM t WHERE id < 10');
  expect(await both(a)).toEqual(['663', '663', '663']);
  expect(await both(b)).toEqual(['667', '667', '667']);
  await a.run('ROLLBACK');

  // A repeatable read snapshot keeps its count while another session commits.
  await b.run('BEGIN ISOLATION LEVEL REPEATABLE READ');
  expect(await both(b)).toEqual(['667', '667', '667']);
  await a.run('INSERT INTO t VALUES (6000, 2), (6001, 2), (6002, 2)');
  await a.run('DELETE FROM t WHERE id = 1');
  expect(await both(b)).toEqual(['667', '667', '667']);
  await b.run('COMMIT');
  expect(await both(b)).toEqual(['669', '669', '669']);

  // EXPLAIN ANALYZE reports the rows the scan would have given.
  expect(
    (await a.run('EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM t')).rows.flat(),
  ).toEqual(['Aggregate (actual rows=1 loops=1)', '  ->  Seq Scan on t (actual rows=669 loops=1)']);
});
