import { beforeAll, expect, test } from 'vitest';
import { initParser, parseSql } from '../sql/parser.ts';
import { outputName } from './output-name.ts';

beforeAll(async () => {
  await initParser();
});

// Expected names are what PostgreSQL 15 prints as column headers for the same SELECTs.
test.each([
  ['SELECT 1', '?column?'],
  ['SELECT a FROM t', 'a'],
  ['SELECT t.a FROM t', 'a'],
  ['SELECT lower(x)', 'lower'],
  ["SELECT '1'::int", 'int4'],
  ['SELECT a::text FROM t', 'a'],
  ["SELECT '{1,2}'::real[]::vector", 'vector'],
  ['SELECT CASE WHEN true THEN 1 END', 'case'],
  ['SELECT CASE WHEN true THEN 1 ELSE abs(2) END', 'abs'],
  ["SELECT CASE WHEN true THEN 'a' ELSE 'b'::text END", 'case'],
  ['SELECT CASE WHEN c THEN 1 ELSE a::text END FROM t', 'a'],
  ['SELECT CASE WHEN true THEN 1 END::text', 'text'],
  ['SELECT coalesce(a, 1) FROM t', 'coalesce'],
  ['SELECT ARRAY[1, 2]', 'array'],
  ['SELECT EXISTS (SELECT 1)', 'exists'],
  ['SELECT (SELECT max(a) FROM t)', 'max'],
  ['SELECT greatest(1, 2)', 'greatest'],
  ['SELECT current_timestamp', 'current_timestamp'],
  ['SELECT 1 + 2', '?column?'],
])('%s → %s', (sql, name) => {
  const stmt = parseSql(sql)[0].stmt;
  if (stmt.kind !== 'Select') throw new Error('not a SELECT');
  expect(outputName(stmt.targets[0].expr)).toBe(name);
});
