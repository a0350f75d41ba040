import { beforeAll, describe, expect, it } from 'vitest';
import type { SqlError } from '../errors/sql-error.ts';
import type { Statement } from './ast-utility.ts';
import { initParser, parseSql } from './parser.ts';

beforeAll(() => initParser());

function stmt(sql: string): Statement {
  return parseSql(sql)[0].stmt;
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

describe('INSERT', () => {
  it('VALUES with a column list and RETURNING', () => {
    const sql = "INSERT INTO s.items AS i (id, embedding) VALUES (1, '[1,2]'), ($1, DEFAULT) RETURNING id";
    expect(stmt(sql)).toEqual({
      kind: 'Insert',
      with: null,
      table: { schema: 's', name: 'items', loc: sql.indexOf('s.items') },
      alias: 'i',
      columns: [
        { name: 'id', loc: sql.indexOf('id,') },
        { name: 'embedding', loc: sql.indexOf('embedding') },
      ],
      source: expect.objectContaining({
        kind: 'Select',
        values: [
          [expect.objectContaining({ kind: 'Const' }), expect.objectContaining({ kind: 'Const' })],
          [
            expect.objectContaining({ kind: 'Param', index: 1 }),
            { kind: 'Default', loc: sql.indexOf('DEFAULT') },
          ],
        ],
      }),
      onConflict: null,
      returning: [
        {
          expr: { kind: 'ColumnRef', names: ['id'], loc: sql.lastIndexOf('id') },
          alias: null,
          loc: sql.lastIndexOf('id'),
        },
      ],
      loc: 0,
    });
  });

  it('DEFAULT VALUES and INSERT … SELECT', () => {
    expect(stmt('INSERT INTO t DEFAULT VALUES')).toMatchObject({ kind: 'Insert', source: null, columns: [] });
    expect(stmt('INSERT INTO t SELECT * FROM u')).toMatchObject({
      source: { kind: 'Select', from: [{ name: { name: 'u' } }] },
    });
  });

  it('ON CONFLICT DO NOTHING / DO UPDATE', () => {
    expect(stmt('INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING')).toMatchObject({
      onConflict: { action: 'nothing', columns: [], constraint: null, set: [], where: null },
    });
    expect(
      stmt('INSERT INTO t VALUES (1) ON CONFLICT (a, b) DO UPDATE SET c = excluded.c WHERE t.d > 0'),
    ).toMatchObject({
      onConflict: {
        action: 'update',
        columns: ['a', 'b'],
        set: [{ column: 'c', expr: col('excluded', 'c') }],
        where: { kind: 'Op', op: '>' },
      },
    });
    expect(stmt('INSERT INTO t VALUES (1) ON CONFLICT ON CONSTRAINT t_pkey DO NOTHING')).toMatchObject({
      onConflict: { constraint: 't_pkey', columns: [] },
    });
    expect(
      stmt('INSERT INTO t VALUES (1) ON CONFLICT (a, lower(b)) WHERE d IS NULL DO NOTHING'),
    ).toMatchObject({
      onConflict: {
        columns: ['a'],
        exprs: [{ kind: 'Func', names: ['lower'] }],
        inferWhere: { kind: 'NullTest' },
      },
    });
  });

  it('WITH on INSERT', () => {
    expect(stmt('WITH v AS (SELECT 1) INSERT INTO t SELECT * FROM v')).toMatchObject({
      kind: 'Insert',
      with: { ctes: [{ name: 'v' }] },
    });
  });

  it('rejects OVERRIDING and subscripted targets', () => {
    expect(fails('INSERT INTO t OVERRIDING SYSTEM VALUE VALUES (1)')).toMatchObject({ code: '0A000' });
    expect(fails('INSERT INTO t (a[1]) VALUES (1)')).toMatchObject({ code: '0A000' });
  });
});

describe('UPDATE', () => {
  it('SET, FROM, WHERE, RETURNING', () => {
    expect(stmt('UPDATE t AS x SET a = 1, b = DEFAULT FROM u WHERE x.id = u.id RETURNING *')).toMatchObject({
      kind: 'Update',
      table: { name: 't' },
      alias: 'x',
      set: [
        { column: 'a', expr: { kind: 'Const' }, loc: 18 },
        { column: 'b', expr: { kind: 'Default' } },
      ],
      from: [{ kind: 'Table', name: { name: 'u' } }],
      where: { kind: 'Op', op: '=' },
      returning: [{ expr: { kind: 'Star', qualifier: [] } }],
    });
  });

  it('rejects multi-column SET', () => {
    expect(fails('UPDATE t SET (a, b) = (1, 2)')).toMatchObject({ code: '0A000', position: 15 });
  });
});

describe('DELETE', () => {
  it('USING, WHERE, RETURNING', () => {
    expect(stmt('DELETE FROM t USING u WHERE t.id = u.id RETURNING t.id')).toMatchObject({
      kind: 'Delete',
      table: { name: 't', schema: null },
      alias: null,
      using: [{ name: { name: 'u' } }],
      where: { kind: 'Op' },
      returning: [{ expr: col('t', 'id') }],
    });
  });

  it('rejects WHERE CURRENT OF', () => {
    expect(fails('DELETE FROM t WHERE CURRENT OF c')).toMatchObject({
      code: '0A000',
      message: 'WHERE CURRENT OF is not supported',
    });
  });
});
