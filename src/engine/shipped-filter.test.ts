import { beforeAll, describe, expect, test } from 'vitest';
import { BIND_EVAL_CONTEXT } from '../bind/coercion.ts';
import { Catalog } from '../catalog/catalog.ts';
import type { Table } from '../catalog/catalog-types.ts';
import { compileExpr } from '../exec/compile-expr.ts';
import { staticEnv } from '../exec/static-env.ts';
import type { SelectStmt } from '../sql/ast.ts';
import { parseSql } from '../sql/parser.ts';
import { T, type Value } from '../types/type.ts';
import { EngineSession } from './session.ts';
import { encodeShippedFilter, shippableFilter, shippedPredicate } from './shipped-filter.ts';
import { localSession } from './testing/local-session.ts';

// The asking node's and the holder's catalogs: two copies of one table, as on two nodes.
const asker = new Catalog('quiver');
const holder = new Catalog('quiver');
let askerTable: Table;
let holderTable: Table;
let binder: EngineSession;

const setup = [
  'CREATE EXTENSION vector',
  `CREATE TABLE t (id int, cat int, price float8, name text, tag varchar(10), created timestamptz,
     tags text[], meta jsonb, v vector(2))`,
  `INSERT INTO t SELECT i, i % 5, i * 1.25 - 20, CASE WHEN i % 7 = 0 THEN NULL ELSE 'Name' || i END,
     'tag' || (i % 3), '2024-01-01 00:00:00+00'::timestamptz + i * interval '1 hour',
     ARRAY['a' || (i % 4), 'b'], jsonb_build_object('k', 'v' || (i % 3)), ARRAY[i, 1]::vector
     FROM generate_series(1, 60) i`,
];

beforeAll(async () => {
  for (const catalog of [asker, holder]) {
    const s = await localSession({ catalog, serverVersion: '16.4', storage: null });
    for (const sql of setup) await s.run(sql);
  }
  const find = (c: Catalog) => [...c.tables()].find((t) => t.name === 't')!;
  askerTable = find(asker);
  holderTable = find(holder);
  binder = new EngineSession(
    { catalog: asker, serverVersion: '16.4', storage: null },
    'quiver',
    'quiver',
    1,
    {},
  );
});

/** The condition bound as the planner binds a WHERE over `t`. */
function planned(condition: string, paramTypes = [] as (typeof T.int4)[]) {
  const where = (parseSql(`SELECT WHERE ${condition}`)[0].stmt as SelectStmt).where!;
  return binder.rowFilter(where, askerTable, [...paramTypes]);
}

// now() is 2024-01-02 12:00 UTC (µs since 2000-01-01): a holder that used its own clock or
// time zone would pass other rows for the now() and ::date cases.
const statementTimestamp = (Date.UTC(2024, 0, 2, 12) - Date.UTC(2000, 0, 1)) * 1000;
const ctx = {
  ...BIND_EVAL_CONTEXT,
  timeZone: 'Europe/Paris',
  statementTimestamp,
  transactionTimestamp: statementTimestamp,
};

describe('a filter the holder binds to the same expression is shipped, and passes the same rows there', () => {
  const cases: [string, Value[], (typeof T.int4)[]][] = [
    ['cat = 1', [], []],
    ['cat IN (1, 3)', [], []],
    ['cat <> ALL (ARRAY[1, 2])', [], []],
    ['price < 10.5 AND price >= -3', [], []],
    ['price BETWEEN 1 AND 20', [], []],
    ["name LIKE 'Name1%'", [], []],
    ["name ILIKE 'name2%'", [], []],
    ["tag = 'tag1'", [], []],
    ["lower(name) = 'name12'", [], []],
    ["created > '2024-01-02 03:00:00+01'", [], []],
    ["created > now() - interval '12 hours'", [], []],
    ["created::date = '2024-01-02'", [], []],
    ["tags @> ARRAY['a1']", [], []],
    ["meta->>'k' = 'v2'", [], []],
    ['name IS NULL OR NOT (cat = 1)', [], []],
    ['COALESCE(price, 0) > 1 AND abs(price) > 2', [], []],
    ['CASE WHEN cat = 1 THEN true ELSE id % 2 = 0 END', [], []],
    ["v <-> '[3,1]' < 10", [], []],
    ['cat = $1 AND price > $2', [2, 5.5], [T.int4, T.float8]],
    ['name = $1', ['Name9'], [T.text]],
  ];
  test.each(cases)('%s', (condition, params, paramTypes) => {
    const filter = planned(condition, paramTypes);
    const shipped = shippableFilter(filter, askerTable, asker);
    expect(shipped, `not shipped: ${condition}`).not.toBeNull();
    const there = shippedPredicate(encodeShippedFilter(shipped!, 0.5, params, ctx), holderTable, holder);
    expect(there.selectivity).toBe(0.5);
    const here = compileExpr(filter);
    const env = { ...staticEnv(ctx), params };
    let passed = 0;
    for (let rowId = 0; rowId < askerTable.store.capacity; rowId++) {
      const expected = here(askerTable.store.row(rowId), env) === true;
      expect(there.passes(holderTable.store.row(rowId)), `row ${rowId}`).toBe(expected);
      if (expected) passed++;
    }
    // Each case keeps some rows and drops others, so a predicate that is always true or false fails.
    expect(passed).toBeGreaterThan(0);
    expect(passed).toBeLessThan(askerTable.store.capacity);
  });
});

test('a filter that reads more than the row is not shipped', () => {
  for (const condition of ['random() < 0.5', "current_setting('work_mem') = name"]) {
    expect(shippableFilter(planned(condition), askerTable, asker), condition).toBeNull();
  }
});

test('a holder whose table has other columns refuses the filter (57P03)', async () => {
  const other = new Catalog('quiver');
  const s = await localSession({ catalog: other, serverVersion: '16.4', storage: null });
  await s.run('CREATE TABLE t (id int, cat bigint)');
  const table = [...other.tables()].find((t) => t.name === 't')!;
  const shipped = shippableFilter(planned('cat = 1'), askerTable, asker)!;
  expect(() => shippedPredicate(encodeShippedFilter(shipped, 1, [], ctx), table, other)).toThrow(
    expect.objectContaining({ code: '57P03' }),
  );
});

test("the holder finds a filter's rows through its own btree index when one gives the key", async () => {
  const shipped = shippableFilter(planned('cat = $1 AND price > 0', [T.int4]), askerTable, asker)!;
  const encoded = encodeShippedFilter(shipped, 0.2, ['3'], ctx);
  // No index on cat here yet: every row may pass as far as the holder can tell.
  expect(shippedPredicate(encoded, holderTable, holder).keyedRows()).toBeNull();
  const s = await localSession({ catalog: holder, serverVersion: '16.4', storage: null });
  await s.run('CREATE INDEX t_cat ON t (cat)');
  const keyed = shippedPredicate(encoded, holderTable, holder).keyedRows()!;
  const cat3 = [...Array(holderTable.store.capacity).keys()].filter(
    (rowId) => holderTable.store.row(rowId)[1] === 3,
  );
  expect(keyed).toEqual(cat3);
  expect(keyed).toHaveLength(12);
  await s.run('DROP INDEX t_cat');
});
