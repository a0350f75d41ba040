import { beforeAll, describe, expect, it } from 'vitest';
import type { SqlError } from '../errors/sql-error.ts';
import type { SelectStmt } from './ast.ts';
import { initParser, parseSql } from './parser.ts';

beforeAll(() => initParser());

function select(sql: string): SelectStmt {
  return parseSql(sql)[0].stmt as SelectStmt;
}

function fails(sql: string): SqlError {
  try {
    parseSql(sql);
  } catch (err) {
    return err as SqlError;
  }
  throw new Error(`expected ${sql} to fail`);
}

const col = (...names: string[]) => ({ kind: 'ColumnRef', names });

describe('simple SELECT', () => {
  it('converts every clause', () => {
    const s = select(
      'SELECT a AS x, count(*) FROM t WHERE b > 1 GROUP BY a HAVING count(*) > 2 ORDER BY x DESC NULLS LAST LIMIT 5 OFFSET 10',
    );
    expect(s).toMatchObject({
      kind: 'Select',
      with: null,
      setOp: null,
      values: null,
      distinct: null,
      targets: [
        { expr: col('a'), alias: 'x', loc: 7 },
        { expr: { kind: 'Func', star: true }, alias: null },
      ],
      from: [{ kind: 'Table', name: { schema: null, name: 't', loc: 29 }, alias: null }],
      where: { kind: 'Op', op: '>' },
      groupBy: [col('a')],
      having: { kind: 'Op', op: '>' },
      orderBy: [{ expr: col('x'), dir: 'desc', nulls: 'last', using: null }],
      limit: { kind: 'Const', value: { type: 'integer', value: '5' } },
      offset: { kind: 'Const', value: { type: 'integer', value: '10' } },
      locking: null,
      loc: 0,
    });
  });

  it('vector search shape', () => {
    const s = select("SELECT id FROM items ORDER BY embedding <-> '[1,2,3]' LIMIT 5");
    expect(s.orderBy).toMatchObject([
      { expr: { kind: 'Op', op: '<->', left: col('embedding'), right: { kind: 'Const' } }, dir: 'default' },
    ]);
  });

  it('ORDER BY … USING', () => {
    expect(select('SELECT 1 FROM t ORDER BY a USING >').orderBy).toEqual([
      { expr: { kind: 'ColumnRef', names: ['a'], loc: 25 }, dir: 'default', nulls: 'default', using: '>' },
    ]);
  });

  it('DISTINCT and DISTINCT ON', () => {
    expect(select('SELECT DISTINCT a FROM t').distinct).toEqual([]);
    expect(select('SELECT DISTINCT ON (a, b) a FROM t').distinct).toMatchObject([col('a'), col('b')]);
  });

  it('LIMIT ALL / LIMIT NULL mean no limit; FETCH FIRST is LIMIT', () => {
    expect(select('SELECT 1 LIMIT ALL').limit).toBeNull();
    expect(select('SELECT 1 LIMIT NULL').limit).toBeNull();
    expect(select('SELECT 1 FETCH FIRST 3 ROWS ONLY').limit).toMatchObject({ value: { value: '3' } });
    expect(select('SELECT 1 LIMIT $1').limit).toMatchObject({ kind: 'Param', index: 1 });
  });

  it('FOR UPDATE / SHARE set locking to the clause', () => {
    expect(select('SELECT * FROM t FOR UPDATE SKIP LOCKED').locking).toBe('FOR UPDATE');
    expect(select('SELECT * FROM t FOR NO KEY UPDATE').locking).toBe('FOR NO KEY UPDATE');
    expect(select('SELECT * FROM t FOR SHARE OF t NOWAIT').locking).toBe('FOR SHARE');
    expect(select('SELECT * FROM t FOR KEY SHARE').locking).toBe('FOR KEY SHARE');
  });

  it('VALUES', () => {
    expect(select("VALUES (1, 'a'), (2, DEFAULT)")).toMatchObject({
      values: [
        [{ kind: 'Const' }, { kind: 'Const' }],
        [{ kind: 'Const' }, { kind: 'Default', loc: 21 }],
      ],
      targets: [],
    });
  });
});

describe('set operations', () => {
  it('UNION ALL with outer ORDER BY / LIMIT', () => {
    const s = select('SELECT a FROM t UNION ALL SELECT b FROM u ORDER BY 1 LIMIT 3');
    expect(s).toMatchObject({
      setOp: {
        op: 'union',
        all: true,
        left: { targets: [{ expr: col('a') }], setOp: null },
        right: { targets: [{ expr: col('b') }] },
      },
      orderBy: [{ expr: { kind: 'Const' } }],
      limit: { kind: 'Const' },
      targets: [],
    });
  });

  it('INTERSECT and EXCEPT nest left-deep', () => {
    const s = select('SELECT 1 INTERSECT SELECT 2 EXCEPT DISTINCT SELECT 3');
    expect(s.setOp).toMatchObject({ op: 'except', all: false, left: { setOp: { op: 'intersect' } } });
  });
});

describe('FROM items', () => {
  it('aliases with column lists and schema-qualified names', () => {
    expect(select('SELECT 1 FROM s.t AS x (a, b)').from).toEqual([
      { kind: 'Table', name: { schema: 's', name: 't', loc: 14 }, alias: { name: 'x', columns: ['a', 'b'] } },
    ]);
  });

  it('joins: inner, left, right, full, cross, natural, using', () => {
    const s = select(
      'SELECT 1 FROM a JOIN b ON a.x = b.x LEFT JOIN c USING (y) RIGHT JOIN d ON true FULL JOIN e ON false CROSS JOIN f NATURAL JOIN g',
    );
    const j = s.from[0];
    expect(j).toMatchObject({
      kind: 'Join',
      type: 'inner',
      natural: true,
      right: { kind: 'Table', name: { name: 'g' } },
      left: {
        type: 'cross',
        on: null,
        left: {
          type: 'full',
          left: {
            type: 'right',
            left: {
              type: 'left',
              using: ['y'],
              on: null,
              left: { type: 'inner', on: { kind: 'Op', op: '=' }, left: { name: { name: 'a' } } },
            },
          },
        },
      },
    });
  });

  it('FROM a, b is a list', () => {
    expect(select('SELECT 1 FROM a, b').from).toMatchObject([
      { name: { name: 'a' } },
      { name: { name: 'b' } },
    ]);
  });

  it('subqueries, LATERAL', () => {
    expect(select('SELECT 1 FROM (SELECT 1) AS s (x), LATERAL (SELECT 2) l').from).toMatchObject([
      { kind: 'Subquery', alias: { name: 's', columns: ['x'] }, lateral: false, query: { kind: 'Select' } },
      { kind: 'Subquery', alias: { name: 'l' }, lateral: true },
    ]);
  });

  it('functions in FROM, WITH ORDINALITY', () => {
    expect(select('SELECT 1 FROM generate_series(1, 3) WITH ORDINALITY AS g (i, n)').from).toEqual([
      {
        kind: 'Function',
        func: expect.objectContaining({ kind: 'Func', names: ['generate_series'] }),
        alias: { name: 'g', columns: ['i', 'n'] },
        lateral: false,
        withOrdinality: true,
      },
    ]);
    expect(select('SELECT 1 FROM t, LATERAL unnest(t.a)').from[1]).toMatchObject({
      kind: 'Function',
      lateral: true,
    });
  });

  it('rejects ROWS FROM, column definition lists, TABLESAMPLE, cross-database names', () => {
    expect(fails('SELECT 1 FROM ROWS FROM (f(), g())')).toMatchObject({ code: '0A000' });
    expect(fails('SELECT 1 FROM f() AS x(a int)')).toMatchObject({ code: '0A000' });
    expect(fails('SELECT 1 FROM t TABLESAMPLE system (1)')).toMatchObject({ code: '0A000' });
    expect(fails('SELECT 1 FROM db.s.t')).toMatchObject({
      code: '0A000',
      message: 'cross-database references are not implemented: db.s.t',
      position: 15,
    });
  });
});

describe('WITH', () => {
  it('CTEs with column lists, RECURSIVE, and DML bodies', () => {
    const s = select(
      'WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r), d AS (DELETE FROM t RETURNING *) SELECT * FROM r',
    );
    expect(s.with).toMatchObject({
      recursive: true,
      ctes: [
        { name: 'r', columns: ['n'], query: { kind: 'Select', setOp: { op: 'union' } }, loc: 15 },
        { name: 'd', columns: [], query: { kind: 'Delete', returning: [{ expr: { kind: 'Star' } }] } },
      ],
    });
  });

  it('rejects SEARCH / CYCLE', () => {
    const sql = 'WITH RECURSIVE r (n) AS (SELECT 1) SEARCH DEPTH FIRST BY n SET o SELECT * FROM r';
    expect(fails(sql)).toMatchObject({ code: '0A000' });
  });
});

describe('unsupported SELECT features', () => {
  it.each([
    ['SELECT 1 INTO t', 'SELECT INTO is not supported'],
    ['SELECT a FROM t WINDOW w AS (ORDER BY a)', 'named windows (WINDOW clause) are not supported'],
    ['SELECT a FROM t GROUP BY ROLLUP (a)', 'GROUPING SETS, ROLLUP and CUBE are not supported'],
    ['SELECT a FROM t GROUP BY GROUPING SETS ((a), ())', 'GROUPING SETS, ROLLUP and CUBE are not supported'],
    ['SELECT a FROM t ORDER BY a FETCH FIRST 1 ROWS WITH TIES', 'FETCH … WITH TIES is not supported'],
  ])('%s', (sql, message) => {
    expect(fails(sql)).toMatchObject({ code: '0A000', message });
  });
});
