/**
 * Runs parsed sqllogictest records over a real connection with node-postgres, in the
 * simple query protocol (one Query message) or the extended one (Parse/Bind/Describe/
 * Execute/Sync with no parameters, forced by pg's `queryMode: 'extended'`).
 *
 * Results are compared as PostgreSQL's text format: every type parser is replaced by
 * the identity so values arrive exactly as the server rendered them.
 */
import { relative } from 'node:path';
import type { Client, QueryArrayConfig, QueryArrayResult } from 'pg';
import type { ErrorExpectation, Location, QueryRecord, SltRecord, StatementRecord } from './parser.ts';

export type Protocol = 'simple' | 'extended';

export interface RunOptions {
  readonly protocol: Protocol;
  /** Labels that `skipif`/`onlyif` test; the protocol name is always one of them. */
  readonly labels?: readonly string[];
  /** Called with each query's actual rows (rendered and sorted as the record asks). */
  readonly onQueryResult?: (record: QueryRecord, rows: readonly (readonly string[])[]) => void;
  /** Opens the extra sessions that `connection <name>` records run on (closed at the end). */
  readonly connect?: () => Promise<Client>;
}

export interface Failure {
  readonly at: Location;
  readonly sql: string;
  readonly message: string;
}

export interface RunResult {
  readonly ran: number;
  readonly skipped: number;
  readonly failures: readonly Failure[];
}

/** pg's query config plus `queryMode`, which pg ≥ 8.12 honours but @types/pg lacks. */
type WireQuery = QueryArrayConfig & { queryMode?: 'extended' };

const rawText = (value: string) => value;
const RAW_TYPES = { getTypeParser: () => rawText };

interface ServerError {
  readonly code: string;
  readonly message: string;
}

/** A server-reported error (an ErrorResponse), as opposed to a broken connection. */
function asServerError(error: unknown): ServerError | undefined {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  if (error instanceof Error && typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    return { code, message: error.message };
  }
  return undefined;
}

/** A problem with one record (not with the connection): reported, and the run goes on. */
class RecordError extends Error {}

async function execute(client: Client, sql: string, protocol: Protocol): Promise<QueryArrayResult> {
  const query: WireQuery = { text: sql, rowMode: 'array', types: RAW_TYPES };
  if (protocol === 'extended') query.queryMode = 'extended';
  const result: QueryArrayResult | QueryArrayResult[] = await client.query(query);
  if (Array.isArray(result)) {
    throw new RecordError(
      'a record must hold exactly one SQL statement (the simple protocol returned several)',
    );
  }
  return result;
}

/** Renders a value the way expected rows are written. */
export function renderValue(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  const text = String(value);
  if (text === '') return '(empty)';
  // Tabs and line breaks cannot appear inside a row line; they are shown escaped.
  return text.replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** Renders a row as a line of an .slt file (tabs only when a value holds a space). */
export function renderRow(values: readonly string[]): string {
  return values.join(values.length > 1 && values.some((v) => v.includes(' ')) ? '\t' : ' ');
}

const TYPE_CHECKS: Record<string, { readonly name: string; readonly test: RegExp }> = {
  I: { name: 'integer', test: /^-?\d+$/ },
  R: { name: 'float', test: /^(-?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?|NaN|-?Infinity)$/i },
  B: { name: 'boolean', test: /^[tf]$/ },
  V: { name: 'vector', test: /^\[.*\]$/ },
};

function checkTypes(types: string, row: readonly string[]): string | undefined {
  for (let c = 0; c < row.length; c++) {
    const check = TYPE_CHECKS[types[c]];
    if (check && row[c] !== 'NULL' && !check.test.test(row[c])) {
      return `column ${c + 1} is declared ${types[c]} (${check.name}) but the value is ${JSON.stringify(row[c])}`;
    }
  }
  return undefined;
}

function sortRows(rows: readonly (readonly string[])[], mode: QueryRecord['sort']): string[][] {
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  if (mode === 'rowsort') {
    return rows.map((r) => [...r]).sort((a, b) => compare(a.join('\t'), b.join('\t')));
  }
  if (mode === 'valuesort') {
    return rows
      .flat()
      .sort(compare)
      .map((v) => [v]);
  }
  return rows.map((r) => [...r]);
}

function describeError(expected: ErrorExpectation): string {
  const parts = [];
  if (expected.sqlstate) parts.push(`SQLSTATE ${expected.sqlstate}`);
  if (expected.message) parts.push(`message matching ${JSON.stringify(expected.message)}`);
  return parts.length > 0 ? parts.join(' and ') : 'any error';
}

function messageMatches(message: string, pattern: string): boolean {
  if (message.includes(pattern)) return true;
  try {
    return new RegExp(pattern).test(message);
  } catch {
    return false;
  }
}

function shouldRun(record: SltRecord, labels: ReadonlySet<string>): boolean {
  return record.conditions.every((c) => (c.kind === 'skipif' ? !labels.has(c.label) : labels.has(c.label)));
}

function showLines(rows: readonly (readonly string[])[], limit = 40): string {
  const lines = rows.slice(0, limit).map((r) => `    ${renderRow(r)}`);
  if (rows.length > limit) lines.push(`    … ${rows.length - limit} more`);
  return lines.length > 0 ? lines.join('\n') : '    (no rows)';
}

/** Runs records in order over one connection, collecting every failure. */
export async function runSlt(
  client: Client,
  records: readonly SltRecord[],
  options: RunOptions,
): Promise<RunResult> {
  const labels = new Set([options.protocol, ...(options.labels ?? [])]);
  const labelled = new Map<string, string[][]>();
  const failures: Failure[] = [];
  const sessions = new Map<string, Client>();
  let ran = 0;
  let skipped = 0;

  try {
    for (const record of records) {
      if (!shouldRun(record, labels)) {
        skipped++;
        continue;
      }
      if (record.kind === 'halt') break;
      ran++;
      const fail = (message: string) => failures.push({ at: record.at, sql: record.sql, message });
      let on = client;
      if (record.connection !== undefined) {
        if (!options.connect)
          throw new Error(`${record.at.file}:${record.at.line}: no named connections here`);
        let named = sessions.get(record.connection);
        if (!named) {
          named = await options.connect();
          sessions.set(record.connection, named);
        }
        on = named;
      }
      if (record.kind === 'statement') {
        const message = await runStatement(on, record, options.protocol);
        if (message) fail(message);
      } else {
        const message = await runQuery(on, record, options, labelled);
        if (message) fail(message);
      }
    }
  } finally {
    for (const named of sessions.values()) await named.end().catch(() => {});
  }
  return { ran, skipped, failures };
}

async function runStatement(
  client: Client,
  record: StatementRecord,
  protocol: Protocol,
): Promise<string | undefined> {
  let result: QueryArrayResult;
  try {
    result = await execute(client, record.sql, protocol);
  } catch (error) {
    if (error instanceof RecordError) return error.message;
    const server = asServerError(error);
    if (!server) throw error;
    if (record.expect.kind !== 'error') {
      return `statement failed: ${server.code} ${server.message}`;
    }
    const expected = record.expect.error;
    const codeOk = !expected.sqlstate || expected.sqlstate === server.code;
    const messageOk = !expected.message || messageMatches(server.message, expected.message);
    if (codeOk && messageOk) return undefined;
    return `expected ${describeError(expected)}\n  got ${server.code} ${server.message}`;
  }
  if (record.expect.kind === 'error') {
    return `expected ${describeError(record.expect.error)}, but the statement succeeded (${result.command})`;
  }
  if (record.expect.kind === 'count' && result.rowCount !== record.expect.count) {
    return `expected row count ${record.expect.count}, got ${result.rowCount} (${result.command})`;
  }
  return undefined;
}

async function runQuery(
  client: Client,
  record: QueryRecord,
  options: RunOptions,
  labelled: Map<string, string[][]>,
): Promise<string | undefined> {
  let result: QueryArrayResult;
  try {
    result = await execute(client, record.sql, options.protocol);
  } catch (error) {
    if (error instanceof RecordError) return error.message;
    const server = asServerError(error);
    if (!server) throw error;
    return `query failed: ${server.code} ${server.message}`;
  }
  const columns = result.fields.length;
  if (columns !== record.types.length) {
    return `query declares ${record.types.length} columns (${record.types}) but returned ${columns}`;
  }
  const actual = result.rows.map((row) => row.map(renderValue));
  for (const row of actual) {
    const problem = checkTypes(record.types, row);
    if (problem) return `${problem}\n  actual rows:\n${showLines(actual)}`;
  }
  const sortedActual = sortRows(actual, record.sort);
  options.onQueryResult?.(record, sortedActual);

  let expected: string[][] | undefined;
  let source: string;
  if (record.rows) {
    expected = sortRows(record.rows, record.sort);
    source = 'expected';
  } else {
    expected = labelled.get(record.label!);
    source = `rows of label ${record.label}`;
    if (!expected) return `label ${record.label} has no earlier result to compare with`;
  }
  if (record.label && !labelled.has(record.label)) labelled.set(record.label, sortedActual);

  const same =
    expected.length === sortedActual.length &&
    expected.every(
      (row, r) => row.length === sortedActual[r].length && row.every((v, c) => v === sortedActual[r][c]),
    );
  if (same) return undefined;
  const firstDiff = expected.findIndex((row, r) => renderRow(row) !== renderRow(sortedActual[r] ?? []));
  const where =
    firstDiff >= 0 && record.rows && record.sort === 'nosort' && record.rowLines
      ? ` (first difference at line ${record.rowLines[firstDiff]})`
      : '';
  return `result differs${where}\n  ${source}:\n${showLines(expected)}\n  actual:\n${showLines(sortedActual)}`;
}

/** Formats failures for a test report: file:line, the SQL, and what differed. */
export function formatFailures(failures: readonly Failure[], limit = 25): string {
  const shown = failures.slice(0, limit).map((f) => {
    const sql = f.sql
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n');
    return `${relative(process.cwd(), f.at.file)}:${f.at.line}\n${sql}\n  ${f.message}`;
  });
  if (failures.length > limit) shown.push(`… and ${failures.length - limit} more failures`);
  return shown.join('\n\n');
}
