/**
 * Helpers over libpg-query's JSON parse tree (`@pgsql/types`): node tags, scalar
 * unwrapping, and the per-statement conversion context that turns PostgreSQL's byte
 * `location`s into Quiver's character positions.
 */
import type * as pg from '@pgsql/types';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { Statement } from './ast-utility.ts';

/** Every `{Tag: body}` key of the Node union, e.g. 'SelectStmt', 'A_Expr'. */
export type NodeTag = pg.Node extends infer N ? (N extends N ? keyof N : never) : never;
/** The body type of one tag: NodeBody<'A_Const'> = pg.A_Const. */
export type NodeBody<K extends NodeTag> = Extract<pg.Node, Record<K, unknown>>[K];

/** Splits `{Tag: body}` into its tag and body; `{}` (used as a placeholder in lists) gives tag undefined. */
export function unwrap(node: pg.Node): { tag: NodeTag | undefined; body: unknown } {
  const tag = Object.keys(node)[0] as NodeTag | undefined;
  return { tag, body: tag === undefined ? undefined : (node as Record<string, unknown>)[tag] };
}

/** The body of `node` if it has tag `tag`, else undefined. */
export function as<K extends NodeTag>(node: pg.Node | undefined, tag: K): NodeBody<K> | undefined {
  if (node === undefined || !(tag in node)) return undefined;
  return (node as Record<string, unknown>)[tag] as NodeBody<K>;
}

/** The text of a String node (libpg-query omits empty strings: `{String:{}}`). */
export function stringOf(node: pg.Node): string | undefined {
  const s = as(node, 'String');
  return s === undefined ? undefined : (s.sval ?? '');
}

/** The strings of a list of String nodes (names, column lists); non-strings are skipped. */
export function strings(list: readonly pg.Node[] | undefined): string[] {
  const out: string[] = [];
  for (const n of list ?? []) {
    const s = stringOf(n);
    if (s !== undefined) out.push(s);
  }
  return out;
}

/** SQLSTATE 0A000 with PostgreSQL-style wording, at a character position (-1 = none). */
export function unsupported(message: string, loc: number, hint?: string): SqlError {
  return new SqlError(SqlState.FeatureNotSupported, message, {
    ...(loc >= 0 ? { position: loc + 1 } : {}),
    ...(hint !== undefined ? { hint } : {}),
  });
}

/**
 * Per-query conversion state. PostgreSQL's `location`s are byte offsets into the UTF-8
 * query; Quiver's `loc`s are 0-based character (code point) offsets into the whole
 * query string, so that `loc + 1` is PostgreSQL's 1-based error position.
 */
export class ConvertContext {
  /** Highest $n seen in the current statement. */
  paramCount = 0;
  /** Fallback position for nodes without a location (the current statement's start). */
  stmtLoc = 0;
  private readonly byteToChar: Int32Array | null;
  private readonly byteToUnit: Int32Array | null;

  constructor(readonly sql: string) {
    if (Buffer.byteLength(sql, 'utf8') === sql.length) {
      this.byteToChar = null;
      this.byteToUnit = null;
      return;
    }
    const bytes = Buffer.byteLength(sql, 'utf8');
    this.byteToChar = new Int32Array(bytes + 1);
    this.byteToUnit = new Int32Array(bytes + 1);
    let b = 0;
    let chars = 0;
    let unit = 0;
    for (const ch of sql) {
      const cp = ch.codePointAt(0)!;
      const len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      for (let i = 0; i < len; i++) {
        this.byteToChar[b + i] = chars;
        this.byteToUnit[b + i] = unit;
      }
      b += len;
      chars += 1;
      unit += ch.length;
    }
    this.byteToChar[b] = chars;
    this.byteToUnit[b] = unit;
  }

  /** A node's byte `location` as a character position; -1 when unknown. */
  loc(byteLocation: number | undefined): number {
    if (byteLocation === undefined || byteLocation < 0) return -1;
    if (this.byteToChar === null) return byteLocation;
    return this.byteToChar[Math.min(byteLocation, this.byteToChar.length - 1)];
  }

  /** A byte offset as a JS string index (UTF-16 code units), for slicing the query text. */
  unitIndex(byteOffset: number): number {
    if (this.byteToUnit === null) return byteOffset;
    return this.byteToUnit[Math.min(byteOffset, this.byteToUnit.length - 1)];
  }
}

/** Converters for statement node kinds, keyed by tag; `loc` is the statement's start position. */
export type StatementConverters = {
  [K in NodeTag]?: (node: NodeBody<K>, ctx: ConvertContext, loc: number) => Statement;
};

const OBJECT_WORDS: Partial<Record<pg.ObjectType, string>> = {
  OBJECT_MATVIEW: 'MATERIALIZED VIEW',
  OBJECT_FDW: 'FOREIGN DATA WRAPPER',
  OBJECT_FOREIGN_SERVER: 'SERVER',
  OBJECT_ACCESS_METHOD: 'ACCESS METHOD',
  OBJECT_TABCONSTRAINT: 'CONSTRAINT',
  OBJECT_STATISTIC_EXT: 'STATISTICS',
  OBJECT_TSCONFIGURATION: 'TEXT SEARCH CONFIGURATION',
  OBJECT_TSDICTIONARY: 'TEXT SEARCH DICTIONARY',
  OBJECT_TSPARSER: 'TEXT SEARCH PARSER',
  OBJECT_TSTEMPLATE: 'TEXT SEARCH TEMPLATE',
};

/** An ObjectType as PostgreSQL spells it in commands: OBJECT_MATVIEW → 'MATERIALIZED VIEW'. */
export function objectTypeWords(t: pg.ObjectType | undefined): string {
  if (t === undefined) return 'OBJECT';
  return OBJECT_WORDS[t] ?? t.replace(/^OBJECT_/, '').replaceAll('_', ' ');
}

/** A DefElem's argument as text (WITH (x = 4), EXPLAIN (FORMAT json), COPY … (DELIMITER ',')); null if absent. */
export function defElemValue(d: pg.DefElem): string | null {
  const arg = d.arg;
  if (arg === undefined) return null;
  const { tag, body } = unwrap(arg);
  switch (tag) {
    case 'Integer':
      return String((body as pg.Integer).ival ?? 0);
    case 'Float':
      return (body as pg.Float).fval ?? '0';
    case 'String':
      return (body as pg.String).sval ?? '';
    case 'Boolean':
      return (body as pg.Boolean).boolval ? 'true' : 'false';
    case 'TypeName':
      return strings((body as pg.TypeName).names).join('.');
    case 'List':
      return ((body as pg.List).items ?? []).map((n) => stringOf(n) ?? '').join(', ');
    case 'A_Star':
      return '*';
    default:
      return null;
  }
}

/** A Boolean option as PostgreSQL's defGetBoolean reads it: absent = true; on/off, true/false, yes/no, 1/0. */
export function defElemBool(d: pg.DefElem, ctx: ConvertContext): boolean {
  if (d.arg === undefined) return true;
  const v = defElemValue(d)?.toLowerCase();
  if (v === 'true' || v === 'on' || v === 'yes' || v === '1' || v === 't') return true;
  if (v === 'false' || v === 'off' || v === 'no' || v === '0' || v === 'f') return false;
  const loc = ctx.loc(d.location);
  throw new SqlError(SqlState.SyntaxError, `${d.defname} requires a Boolean value`, {
    ...(loc >= 0 ? { position: loc + 1 } : {}),
  });
}

/** The DefElem bodies of an options list. */
export function defElems(list: readonly pg.Node[] | undefined): pg.DefElem[] {
  const out: pg.DefElem[] = [];
  for (const n of list ?? []) {
    const d = as(n, 'DefElem');
    if (d !== undefined) out.push(d);
  }
  return out;
}
