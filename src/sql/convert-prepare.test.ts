import { beforeAll, describe, expect, it } from 'vitest';
import type { ExecuteStmt, PrepareStmt } from './ast-prepare.ts';
import { initParser, parseSql } from './parser.ts';

beforeAll(() => initParser());

describe('PREPARE / EXECUTE / DEALLOCATE', () => {
  it('PREPARE keeps its $n to itself: the statement carrying it takes no parameters', () => {
    const sql = 'SELECT 1; PREPARE q(int, vector) AS SELECT $3 FROM t WHERE a = $1';
    const [, parsed] = parseSql(sql);
    const prepare = parsed.stmt as PrepareStmt;
    expect(parsed.paramCount).toBe(0);
    expect(prepare.kind).toBe('Prepare');
    expect(prepare.paramTypes.map((t) => t.names.at(-1))).toEqual(['int4', 'vector']);
    expect(prepare.paramCount).toBe(3);
    expect(prepare.statement.kind).toBe('Select');
    // pg_prepared_statements shows the whole query string, as PostgreSQL does.
    expect(prepare.source).toBe(sql);
  });

  it('EXECUTE arguments are expressions; a $n among them is noted, not counted', () => {
    const [parsed] = parseSql('EXECUTE q(1 + 1, $2)');
    const execute = parsed.stmt as ExecuteStmt;
    expect(parsed.paramCount).toBe(0);
    expect(execute.args.map((a) => a.kind)).toEqual(['Op', 'Param']);
    expect(execute.strayParam).toEqual({ index: 2, loc: 17 });
    expect((parseSql('EXECUTE q')[0].stmt as ExecuteStmt).strayParam).toBeNull();
  });

  it('EXPLAIN EXECUTE wraps the EXECUTE', () => {
    const explain = parseSql('EXPLAIN (COSTS OFF) EXECUTE q(1)')[0].stmt;
    expect(explain.kind === 'Explain' && explain.statement.kind).toBe('Execute');
  });

  it('DEALLOCATE names one statement, or none for ALL', () => {
    expect(parseSql('DEALLOCATE PREPARE q')[0].stmt).toEqual({ kind: 'Deallocate', name: 'q' });
    expect(parseSql('DEALLOCATE ALL')[0].stmt).toEqual({ kind: 'Deallocate', name: null });
  });
});
