/**
 * Parser for Quiver's sqllogictest dialect (documented in sql-tests/README.md).
 *
 * A file is a sequence of records separated by blank lines. Records carry the file
 * and line they came from so a failure points at the source, including through
 * `include`. Parsing is strict: an unknown directive is an error, never ignored.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Where a record (or a line of it) was written. */
export interface Location {
  readonly file: string;
  readonly line: number;
}

/** `skipif <label>` / `onlyif <label>` lines in front of a record. */
export interface Condition {
  readonly kind: 'skipif' | 'onlyif';
  readonly label: string;
}

/** What a failing statement must report: a SQLSTATE, a message pattern, or both. */
export interface ErrorExpectation {
  readonly sqlstate?: string;
  /** Matches when the message contains it, or when it matches as a regular expression. */
  readonly message?: string;
}

export type SortMode = 'nosort' | 'rowsort' | 'valuesort';

export interface StatementRecord {
  readonly kind: 'statement';
  readonly at: Location;
  readonly conditions: readonly Condition[];
  /** `connection <name>`: run on that named session instead of the file's main one. */
  readonly connection?: string;
  readonly sql: string;
  /** `ok` (no rowCount check), `count` (rowCount must equal `count`), or `error`. */
  readonly expect:
    | { readonly kind: 'ok' }
    | { readonly kind: 'count'; readonly count: number }
    | { readonly kind: 'error'; readonly error: ErrorExpectation };
}

export interface QueryRecord {
  readonly kind: 'query';
  readonly at: Location;
  readonly conditions: readonly Condition[];
  readonly connection?: string;
  readonly sql: string;
  /** One character per result column: T I R B V (others are text). */
  readonly types: string;
  readonly sort: SortMode;
  readonly label?: string;
  /** Expected rows, each already split into column values; undefined when there is no `----`. */
  readonly rows?: readonly (readonly string[])[];
  /** Line of each expected row, for messages. */
  readonly rowLines?: readonly number[];
}

export interface HaltRecord {
  readonly kind: 'halt';
  readonly at: Location;
  readonly conditions: readonly Condition[];
}

export type SltRecord = StatementRecord | QueryRecord | HaltRecord;

export class SltParseError extends Error {
  constructor(
    readonly at: Location,
    message: string,
  ) {
    super(`${at.file}:${at.line}: ${message}`);
    this.name = 'SltParseError';
  }
}

const SQLSTATE = /^[0-9A-Z]{5}$/;
const SORT_MODES: readonly string[] = ['nosort', 'rowsort', 'valuesort'];

/** Parses a file and the files it includes (paths relative to the including file). */
export function parseSltFile(path: string, seen: readonly string[] = []): SltRecord[] {
  const absolute = resolve(path);
  if (seen.includes(absolute)) {
    throw new Error(`include cycle: ${[...seen, absolute].join(' -> ')}`);
  }
  const text = readFileSync(absolute, 'utf8');
  return parseSlt(text, absolute, (target, at) => {
    const included = resolve(dirname(absolute), target);
    try {
      return parseSltFile(included, [...seen, absolute]);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new SltParseError(at, `include: no such file ${included}`);
      }
      throw error;
    }
  });
}

type Includer = (target: string, at: Location) => SltRecord[];

/** Parses text; `include` lines are resolved through `include` (an error when absent). */
export function parseSlt(text: string, file: string, include?: Includer): SltRecord[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const records: SltRecord[] = [];
  let i = 0;

  const at = (index: number): Location => ({ file, line: index + 1 });
  const isBlank = (index: number) => index >= lines.length || lines[index].trim() === '';

  while (i < lines.length) {
    if (isBlank(i)) {
      i++;
      continue;
    }
    const conditions: Condition[] = [];
    let connection: string | undefined;
    // Comments, conditions and a connection may precede the header line of a record.
    for (; i < lines.length && !isBlank(i); i++) {
      const line = lines[i].trim();
      if (line.startsWith('#')) continue;
      const words = line.split(/\s+/);
      if (words[0] === 'skipif' || words[0] === 'onlyif') {
        if (words.length !== 2) throw new SltParseError(at(i), `${words[0]} takes one label`);
        conditions.push({ kind: words[0], label: words[1] });
        continue;
      }
      if (words[0] === 'connection') {
        if (words.length !== 2) throw new SltParseError(at(i), 'connection takes one name');
        connection = words[1];
        continue;
      }
      break;
    }
    if (isBlank(i)) {
      if (conditions.length > 0) throw new SltParseError(at(i - 1), 'condition without a record');
      continue;
    }

    const headerIndex = i;
    const words = lines[i].trim().split(/\s+/);
    i++;
    switch (words[0]) {
      case 'halt':
        records.push({ kind: 'halt', at: at(headerIndex), conditions });
        break;
      case 'include': {
        if (words.length !== 2) throw new SltParseError(at(headerIndex), 'include takes one file name');
        if (conditions.length > 0) {
          throw new SltParseError(at(headerIndex), 'skipif/onlyif cannot guard an include');
        }
        if (!include) throw new SltParseError(at(headerIndex), 'include is not available here');
        records.push(...include(words[1], at(headerIndex)));
        break;
      }
      case 'statement': {
        const expect = parseStatementExpectation(words.slice(1), lines[headerIndex], at(headerIndex));
        const sqlLines: string[] = [];
        for (; !isBlank(i); i++) sqlLines.push(lines[i]);
        if (sqlLines.length === 0) throw new SltParseError(at(headerIndex), 'statement without SQL');
        records.push({
          kind: 'statement',
          at: at(headerIndex),
          conditions,
          connection,
          sql: sqlLines.join('\n'),
          expect,
        });
        break;
      }
      case 'query': {
        const [types, ...rest] = words.slice(1);
        if (!types || !/^[A-Za-z]+$/.test(types)) {
          throw new SltParseError(at(headerIndex), 'query needs type characters, e.g. `query IT`');
        }
        let sort: SortMode = 'nosort';
        let label: string | undefined;
        for (const word of rest) {
          if (SORT_MODES.includes(word)) sort = word as SortMode;
          else if (label === undefined) label = word;
          else throw new SltParseError(at(headerIndex), `unexpected word ${JSON.stringify(word)}`);
        }
        const sqlLines: string[] = [];
        for (; !isBlank(i) && lines[i] !== '----'; i++) sqlLines.push(lines[i]);
        if (sqlLines.length === 0) throw new SltParseError(at(headerIndex), 'query without SQL');
        let rows: string[][] | undefined;
        let rowLines: number[] | undefined;
        if (i < lines.length && lines[i] === '----') {
          i++;
          rows = [];
          rowLines = [];
          // Rows run to the next blank line (an empty result is `----` then a blank line).
          for (; !isBlank(i); i++) {
            rows.push(splitRow(lines[i], types.length, at(i)));
            rowLines.push(i + 1);
          }
        } else if (label === undefined) {
          throw new SltParseError(at(headerIndex), 'query without `----` needs a label to compare with');
        }
        records.push({
          kind: 'query',
          at: at(headerIndex),
          conditions,
          connection,
          sql: sqlLines.join('\n'),
          types,
          sort,
          label,
          rows,
          rowLines,
        });
        break;
      }
      default:
        throw new SltParseError(at(headerIndex), `unknown record type ${JSON.stringify(words[0])}`);
    }
  }
  return records;
}

function parseStatementExpectation(words: string[], header: string, at: Location): StatementRecord['expect'] {
  switch (words[0]) {
    case 'ok':
      if (words.length !== 1) throw new SltParseError(at, 'statement ok takes nothing after it');
      return { kind: 'ok' };
    case 'count': {
      if (words.length !== 2 || !/^\d+$/.test(words[1])) {
        throw new SltParseError(at, 'statement count takes one number');
      }
      return { kind: 'count', count: Number(words[1]) };
    }
    case 'error': {
      // Everything after `error`, as written (a message may contain runs of spaces).
      const rest = header.trim().replace(/^statement\s+error\s*/, '');
      const [first] = rest.split(/\s+/);
      if (first !== undefined && SQLSTATE.test(first)) {
        const message = rest.slice(first.length).trim();
        return { kind: 'error', error: { sqlstate: first, message: message || undefined } };
      }
      return { kind: 'error', error: { message: rest || undefined } };
    }
    default:
      throw new SltParseError(at, 'statement must be followed by ok, count <n> or error [...]');
  }
}

/**
 * Splits an expected row into column values: a one-column row is the whole line;
 * otherwise the line is split on tabs when it has any, else on single spaces.
 */
export function splitRow(line: string, columns: number, at: Location): string[] {
  if (columns === 1) return [line];
  const values = line.includes('\t') ? line.split('\t') : line.split(' ');
  if (values.length !== columns) {
    throw new SltParseError(
      at,
      `expected ${columns} values, found ${values.length} in ${JSON.stringify(line)} ` +
        '(separate with tabs when a value contains a space)',
    );
  }
  return values;
}
