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

describe('transactions', () => {
  it.each([
    ['BEGIN', 'begin', null],
    ['START TRANSACTION READ ONLY', 'begin', null],
    ['COMMIT', 'commit', null],
    ['END', 'commit', null],
    ['ROLLBACK', 'rollback', null],
    ['ABORT', 'rollback', null],
    ['SAVEPOINT s1', 'savepoint', 's1'],
    ['RELEASE SAVEPOINT s1', 'release', 's1'],
    ['RELEASE s1', 'release', 's1'],
    ['ROLLBACK TO SAVEPOINT s1', 'rollback to', 's1'],
    ["PREPARE TRANSACTION 'g1'", 'prepare', 'g1'],
  ])('%s', (sql, op, savepoint) => {
    expect(stmt(sql)).toMatchObject({ kind: 'Transaction', op, savepoint, isolation: null });
  });

  it('BEGIN ISOLATION LEVEL', () => {
    expect(stmt('BEGIN ISOLATION LEVEL SERIALIZABLE')).toMatchObject({
      op: 'begin',
      isolation: 'serializable',
    });
  });

  it('rejects COMMIT PREPARED and AND CHAIN', () => {
    expect(fails("COMMIT PREPARED 'g'")).toMatchObject({ code: '0A000' });
    expect(fails('COMMIT AND CHAIN')).toMatchObject({ code: '0A000' });
  });
});

describe('SET / RESET / SHOW', () => {
  it.each([
    ["SET search_path = a, 'b'", { action: 'value', name: 'search_path', values: ['a', 'b'], local: false }],
    [
      'SET LOCAL hnsw.ef_search = 100',
      { action: 'value', name: 'hnsw.ef_search', values: ['100'], local: true },
    ],
    ['SET x TO 1.5', { action: 'value', name: 'x', values: ['1.5'] }],
    ['SET x = on', { action: 'value', name: 'x', values: ['on'] }],
    ["SET TIME ZONE 'UTC'", { action: 'value', name: 'timezone', values: ['UTC'] }],
    ['SET TIME ZONE -8', { action: 'value', name: 'timezone', values: ['-8'] }],
    ['SET TIME ZONE LOCAL', { action: 'default', name: 'timezone', values: [] }],
    ["SET NAMES 'UTF8'", { action: 'value', name: 'client_encoding', values: ['UTF8'] }],
    ["SET SCHEMA 'app'", { action: 'value', name: 'search_path', values: ['app'] }],
    ['SET x TO DEFAULT', { action: 'default', name: 'x', values: [] }],
    ['RESET x', { action: 'reset', name: 'x', values: [] }],
    ['RESET ALL', { action: 'reset all', name: 'all', values: [] }],
  ])('%s', (sql, expected) => {
    expect(stmt(sql)).toMatchObject({ kind: 'Set', local: false, ...expected });
  });

  it('SET TRANSACTION / SESSION CHARACTERISTICS carry isolation level and read-only mode', () => {
    expect(stmt('SET TRANSACTION ISOLATION LEVEL READ COMMITTED')).toMatchObject({
      kind: 'Set',
      action: 'modes',
      name: 'transaction',
      modes: { isolation: 'read committed', readOnly: null },
    });
    expect(stmt('SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE')).toMatchObject({
      kind: 'Set',
      action: 'modes',
      name: 'session',
      modes: { isolation: 'serializable', readOnly: null },
    });
    expect(stmt('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY')).toMatchObject({
      kind: 'Transaction',
      isolation: 'repeatable read',
      readOnly: true,
    });
    expect(stmt('START TRANSACTION READ WRITE')).toMatchObject({ kind: 'Transaction', readOnly: false });
    expect(stmt('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY')).toMatchObject({
      kind: 'Set',
      action: 'modes',
      name: 'session',
      modes: { isolation: null, readOnly: true },
    });
    expect(stmt('SET TRANSACTION READ WRITE, ISOLATION LEVEL SERIALIZABLE')).toMatchObject({
      modes: { isolation: 'serializable', readOnly: false },
    });
  });

  it('SHOW', () => {
    expect(stmt('SHOW search_path')).toEqual({ kind: 'Show', name: 'search_path' });
    expect(stmt('SHOW ALL')).toEqual({ kind: 'Show', name: 'all' });
    expect(stmt('SHOW TIME ZONE')).toEqual({ kind: 'Show', name: 'timezone' });
  });

  it('rejects SET … FROM CURRENT', () => {
    expect(fails('SET x FROM CURRENT')).toMatchObject({ code: '0A000' });
  });
});

describe('EXPLAIN', () => {
  it('options and inner statements', () => {
    expect(stmt('EXPLAIN SELECT 1')).toMatchObject({
      kind: 'Explain',
      analyze: false,
      verbose: false,
      costs: true,
      statement: { kind: 'Select' },
    });
    expect(stmt('EXPLAIN ANALYZE VERBOSE DELETE FROM t')).toMatchObject({
      analyze: true,
      verbose: true,
      statement: { kind: 'Delete' },
    });
    expect(stmt('EXPLAIN (ANALYZE off, COSTS false, BUFFERS, FORMAT TEXT) UPDATE t SET a = 1')).toMatchObject(
      {
        analyze: false,
        costs: false,
        statement: { kind: 'Update' },
      },
    );
  });

  it('rejects non-text formats, bad booleans and other statements', () => {
    expect(fails('EXPLAIN (FORMAT JSON) SELECT 1')).toMatchObject({ code: '0A000', position: 10 });
    expect(fails('EXPLAIN (ANALYZE maybe) SELECT 1')).toMatchObject({
      code: '42601',
      message: 'analyze requires a Boolean value',
    });
    expect(fails('EXPLAIN CREATE TABLE t AS SELECT 1')).toMatchObject({ code: '0A000' });
  });
});

describe('COPY', () => {
  it('FROM STDIN with options', () => {
    const sql = `COPY s.t (a, b) FROM STDIN WITH (FORMAT csv, DELIMITER ';', NULL 'N', HEADER, QUOTE '"', ESCAPE '\\')`;
    expect(stmt(sql)).toEqual({
      kind: 'Copy',
      table: { schema: 's', name: 't', loc: 5 },
      query: null,
      columns: ['a', 'b'],
      from: true,
      format: 'csv',
      delimiter: ';',
      nullString: 'N',
      header: true,
      quote: '"',
      escape: '\\',
    });
  });

  it('query TO STDOUT with legacy options', () => {
    expect(stmt('COPY (SELECT 1) TO STDOUT CSV HEADER')).toMatchObject({
      table: null,
      query: { kind: 'Select' },
      from: false,
      format: 'csv',
      header: true,
    });
    expect(stmt('COPY t FROM STDIN BINARY')).toMatchObject({
      format: 'binary',
      header: false,
      delimiter: null,
    });
    expect(stmt('COPY t TO STDOUT')).toMatchObject({ format: 'text', from: false, columns: [] });
  });

  it('rejects files and programs', () => {
    expect(fails("COPY t FROM '/tmp/x'")).toMatchObject({
      code: '0A000',
      message: 'COPY to or from a file is not supported',
      hint: "Use COPY FROM STDIN or psql's \\copy.",
      position: 1,
    });
    expect(fails("COPY t TO PROGRAM 'cat'")).toMatchObject({ code: '0A000' });
    expect(fails('COPY t FROM STDIN (FORMAT xml)')).toMatchObject({ code: '22023' });
    expect(fails('COPY t FROM STDIN (FORCE_NULL (a))')).toMatchObject({ code: '0A000' });
  });
});

describe('accepted no-ops', () => {
  it.each([
    ['VACUUM t', 'VACUUM'],
    ['VACUUM ANALYZE', 'VACUUM'],
    ['ANALYZE t', 'ANALYZE'],
    ['CHECKPOINT', 'CHECKPOINT'],
    ['DISCARD ALL', 'DISCARD ALL'],
    ['DISCARD PLANS', 'DISCARD PLANS'],
    ['DISCARD TEMP', 'DISCARD TEMP'],
    ['LOCK TABLE t IN ACCESS EXCLUSIVE MODE', 'LOCK TABLE'],
    ["COMMENT ON INDEX i IS 'x'", 'COMMENT'],
    ['GRANT SELECT ON t TO u', 'GRANT'],
    ['REVOKE ALL ON t FROM u', 'REVOKE'],
    ['GRANT r TO u', 'GRANT ROLE'],
    ['LISTEN c', 'LISTEN'],
    ['UNLISTEN *', 'UNLISTEN'],
    ["NOTIFY c, 'x'", 'NOTIFY'],
  ])('%s → %s', (sql, tag) => {
    expect(stmt(sql)).toEqual({ kind: 'NoOp', tag });
  });

  it('SET CONSTRAINTS', () => {
    expect(stmt('SET CONSTRAINTS ALL DEFERRED')).toEqual({
      kind: 'SetConstraints',
      names: null,
      deferred: true,
    });
    expect(stmt('SET CONSTRAINTS a, s.b IMMEDIATE')).toEqual({
      kind: 'SetConstraints',
      names: [
        { schema: null, name: 'a', loc: 16 },
        { schema: 's', name: 'b', loc: 19 },
      ],
      deferred: false,
    });
  });

  it('COMMENT ON TABLE and COLUMN keep their target; NULL and empty text remove', () => {
    expect(stmt("COMMENT ON TABLE s.t IS 'x'")).toEqual({
      kind: 'Comment',
      target: 'relation',
      names: ['s', 't'],
      comment: 'x',
    });
    expect(stmt("COMMENT ON COLUMN t.c IS ''")).toEqual({
      kind: 'Comment',
      target: 'column',
      names: ['t', 'c'],
      comment: null,
    });
  });
});
