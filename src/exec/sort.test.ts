/**
 * ORDER BY … LIMIT keeps only the rows it returns (topRows, a bounded heap): its answer must
 * be exactly the first rows of the full sort, ties in input order included, for any mix of
 * keys, directions, NULL placement, LIMIT and OFFSET.
 */
import { expect, it } from 'vitest';
import { localSession } from '../engine/testing/local-session.ts';
import { SeededRandom } from '../storage/vector/seeded-random.ts';
import '../types/index.ts';

it('ORDER BY … LIMIT k OFFSET o returns the rows of the full sort from o to o + k', async () => {
  const s = await localSession();
  await s.run('CREATE TABLE t (id int, a int, b text)');
  const random = new SeededRandom(7);
  const values: string[] = [];
  for (let id = 1; id <= 600; id++) {
    // Few distinct values and NULLs: many ties, which must keep their input order.
    const a = random.nextInt(10) === 0 ? 'NULL' : String(random.nextInt(8));
    const b = random.nextInt(12) === 0 ? 'NULL' : `'${'xyz'[random.nextInt(3)]}'`;
    values.push(`(${id}, ${a}, ${b})`);
  }
  await s.run(`INSERT INTO t VALUES ${values.join(', ')}`);
  const orders = ['a', 'a DESC', 'a NULLS FIRST', 'b DESC NULLS LAST, a', 'a, b DESC', 'a * 2 DESC, b'];
  for (const order of orders) {
    const all = (await s.run(`SELECT id FROM t ORDER BY ${order}`)).rows;
    for (const [limit, offset] of [
      [1, 0],
      [7, 0],
      [10, 5],
      [64, 100],
      [599, 0],
      [600, 0],
      [1000, 3],
      [5, 598],
    ]) {
      const page = (await s.run(`SELECT id FROM t ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`)).rows;
      expect(page, `ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`).toEqual(
        all.slice(offset, offset + limit),
      );
    }
  }
  // Filters and projections between the scan and the sort, and LIMIT 0.
  const filtered = (await s.run("SELECT id, a + 1 FROM t WHERE b <> 'x' ORDER BY a + 1 DESC, id")).rows;
  expect(
    (await s.run("SELECT id, a + 1 FROM t WHERE b <> 'x' ORDER BY a + 1 DESC, id LIMIT 9")).rows,
  ).toEqual(filtered.slice(0, 9));
  expect((await s.run('SELECT id FROM t ORDER BY a LIMIT 0')).rows).toEqual([]);
});
