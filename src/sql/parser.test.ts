import { beforeAll, describe, expect, it } from 'vitest';
import { SqlError } from '../errors/sql-error.ts';
import { initParser, parseSql } from './parser.ts';

beforeAll(() => initParser());

function parseError(sql: string): SqlError {
  try {
    parseSql(sql);
  } catch (err) {
    expect(err).toBeInstanceOf(SqlError);
    return err as SqlError;
  }
  throw new Error(`expected ${sql} to fail`);
}

describe('statement splitting', () => {
  it('slices each statement with its offset', () => {
    const r = parseSql('SELECT 1; SELECT 2;');
    expect(r.map((s) => [s.text, s.offset])).toEqual([
      ['SELECT 1', 0],
      ['SELECT 2', 10],
    ]);
    expect(r[1].stmt).toMatchObject({ kind: 'Select', targets: [{ expr: { kind: 'Const', loc: 17 } }] });
  });

  it('keeps leading comments, skips empty statements, and trims whitespace', () => {
    const r = parseSql('  /* c */ select 1 ;; \n select 2 -- tail');
    expect(r.map((s) => [s.text, s.offset])).toEqual([
      ['/* c */ select 1', 2],
      ['select 2 -- tail', 24],
    ]);
  });

  it('returns [] for empty input, comments and semicolons', () => {
    expect(parseSql('')).toEqual([]);
    expect(parseSql('   ')).toEqual([]);
    expect(parseSql(' ;; -- nothing\n /* x */ ;')).toEqual([]);
  });

  it('positions statements after many non-ASCII statements', () => {
    const sql = Array.from({ length: 50 }, (_, i) => `SELECT 'ü${i}'`).join('; ');
    const r = parseSql(sql);
    expect(r).toHaveLength(50);
    for (const s of r) expect(sql.slice(s.offset, s.offset + s.text.length)).toBe(s.text);
  });

  it('counts positions in characters, not bytes', () => {
    const sql = "SELECT 'héllo😀'; SELECT x";
    const r = parseSql(sql);
    expect(r[1].offset).toBe(17);
    expect(r[1].text).toBe('SELECT x');
    expect(r[1].stmt).toMatchObject({ targets: [{ expr: { kind: 'ColumnRef', names: ['x'], loc: 24 } }] });
  });
});

describe('paramCount', () => {
  it('is the highest $n anywhere in the statement, per statement', () => {
    const r = parseSql('SELECT $1 + $3 FROM t WHERE x IN (SELECT $2); SELECT 1; SELECT f($5)');
    expect(r.map((s) => s.paramCount)).toEqual([3, 0, 5]);
  });

  it('sees parameters inside DML and DDL expressions', () => {
    expect(parseSql('UPDATE t SET a = $4 WHERE b = $1 RETURNING $2')[0].paramCount).toBe(4);
    expect(parseSql('INSERT INTO t VALUES ($1, $2) ON CONFLICT (a) DO UPDATE SET b = $7')[0].paramCount).toBe(
      7,
    );
  });
});

describe('syntax errors', () => {
  it('reports 42601 with a 1-based position', () => {
    const e = parseError('SELECT * FORM t');
    expect(e.code).toBe('42601');
    expect(e.message).toBe('syntax error at or near "FORM"');
    expect(e.position).toBe(10);
  });

  it('positions errors in later statements relative to the whole string', () => {
    const e = parseError('SELECT 1; SELEC 2');
    expect(e.message).toBe('syntax error at or near "SELEC"');
    expect(e.position).toBe(11);
  });

  it('counts non-ASCII characters before the error as one each', () => {
    const e = parseError("SELECT 'ééé😀' x y");
    expect(e.message).toBe('syntax error at or near "y"');
    expect(e.position).toBe(17);
  });

  it('reports end of input', () => {
    const e = parseError('SELECT 1 +');
    expect(e.message).toBe('syntax error at end of input');
    expect(e.position).toBe(11);
  });

  it('maps grammar-level "not supported" errors to 0A000', () => {
    const e = parseError('SELECT 1 LIMIT 1, 2');
    expect(e.code).toBe('0A000');
    expect(e.message).toMatch(/LIMIT #,# syntax is not supported/);
  });
});

describe('unsupported statements', () => {
  it('names the command and points at the statement start', () => {
    const e = parseError("SELECT 1;  CREATE FUNCTION f() RETURNS int AS 'select 1' LANGUAGE sql");
    expect(e.code).toBe('0A000');
    expect(e.message).toBe('CREATE FUNCTION is not supported');
    expect(e.position).toBe(12);
  });

  it.each([
    ['CREATE PROCEDURE p() LANGUAGE sql AS $$ $$', 'CREATE PROCEDURE is not supported'],
    ['CREATE TRIGGER tr AFTER INSERT ON t EXECUTE FUNCTION f()', 'CREATE TRIGGER is not supported'],
    ['ALTER SEQUENCE s RESTART', 'ALTER SEQUENCE is not supported'],
    ['DO $$ BEGIN END $$', 'DO is not supported'],
    ['CALL p()', 'CALL is not supported'],
    ['DECLARE c BINARY CURSOR FOR SELECT 1', 'DECLARE BINARY CURSOR is not supported'],
    ['MERGE INTO t USING u ON true WHEN MATCHED THEN DELETE', 'MERGE is not supported'],
    ['DROP FUNCTION f', 'DROP FUNCTION is not supported'],
    ['ALTER SEQUENCE s RENAME TO t', 'ALTER SEQUENCE … RENAME is not supported'],
    ['CREATE MATERIALIZED VIEW v AS SELECT 1', 'CREATE MATERIALIZED VIEW is not supported'],
  ])('%s', (sql, message) => {
    const e = parseError(sql);
    expect(e.code).toBe('0A000');
    expect(e.message).toBe(message);
    expect(e.position).toBe(1);
  });
});
