/**
 * SQL text → ParsedStatement[]: PostgreSQL's own grammar (libpg-query, WASM) produces the
 * raw parse tree; convert-*.ts turn it into Quiver's AST in one pass.
 *
 * Positions: every AST `loc`, `ParsedStatement.offset` and SqlError `position` counts
 * characters (code points) of the whole query string, like PostgreSQL's error cursor.
 */
import type * as pg from '@pgsql/types';
import { loadModule, parseSync } from 'libpg-query';
import { SqlError, SqlState, toSqlError } from '../errors/sql-error.ts';
import type { ParsedStatement } from './ast-utility.ts';
import { convertStatement } from './convert-statement.ts';
import { ConvertContext } from './pg-node.ts';

let loading: Promise<void> | null = null;
let ready = false;

/** Loads the WASM parser; call (and await) once before parseSql. Safe to call repeatedly. */
export function initParser(): Promise<void> {
  loading ??= loadModule().then(() => {
    ready = true;
  });
  return loading;
}

/** Parses a query string that may hold several `;`-separated statements. Throws SqlError. */
export function parseSql(sql: string): ParsedStatement[] {
  // libpg-query rejects the empty string; PostgreSQL answers it with EmptyQueryResponse.
  if (sql.trim() === '') return [];
  const ctx = new ConvertContext(sql);
  const result = rawParse(sql);
  const out: ParsedStatement[] = [];
  for (const raw of result.stmts ?? []) {
    const startByte = raw.stmt_location ?? 0;
    const start = ctx.unitIndex(startByte);
    // stmt_len 0 means "to the end of the string" (the last statement without a ';').
    const end = raw.stmt_len ? ctx.unitIndex(startByte + raw.stmt_len) : sql.length;
    const slice = sql.slice(start, end);
    const lead = slice.length - slice.trimStart().length;
    const text = slice.trim();
    const offset = ctx.loc(startByte) + [...slice.slice(0, lead)].length;
    ctx.paramCount = 0;
    ctx.stmtLoc = offset;
    const stmt = convertStatement(raw.stmt!, ctx);
    out.push({ stmt, text, offset, paramCount: ctx.paramCount });
  }
  return out;
}

interface LibpgError {
  message?: string;
  sqlDetails?: { message?: string; cursorPosition?: number };
}

function rawParse(sql: string): pg.ParseResult {
  if (!ready) throw new Error('parseSql called before initParser() resolved');
  try {
    return parseSync(sql) as pg.ParseResult;
  } catch (err) {
    // Deeply nested input overflows the stack of the parser (or of converting its JSON).
    if (err instanceof RangeError) throw toSqlError(err);
    const e = err as LibpgError;
    const message = e.sqlDetails?.message ?? e.message ?? String(err);
    // libpg-query's cursorPosition is a 0-based character (not byte) offset into the whole string.
    const cursor = e.sqlDetails?.cursorPosition;
    const position = cursor !== undefined && cursor >= 0 ? { position: cursor + 1 } : {};
    // A few grammar errors are PostgreSQL's FEATURE_NOT_SUPPORTED (e.g. "LIMIT #,# syntax is not supported").
    const code = /not (supported|implemented)/.test(message)
      ? SqlState.FeatureNotSupported
      : SqlState.SyntaxError;
    throw new SqlError(code, message, position);
  }
}
