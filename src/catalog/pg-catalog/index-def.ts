/**
 * pg_get_indexdef's text for an index: `CREATE [UNIQUE] INDEX name ON schema.table USING
 * method (key [opclass], …) [WITH (option='value', …)]`, with the table qualified (in the
 * pretty form only when not visible) and an operator class shown only when it is not the key type's default, as PostgreSQL
 * prints it. psql's `\d table` shows the part after USING.
 */
import { quoteIdent } from '../../types/functions-string.ts';
import type { CheckConstraint, IndexDef } from '../catalog-types.ts';
import { indexOpclass } from './objects.ts';

/** Key columns and INCLUDE columns (pg_index.indnatts). */
export function indexColumnCount(index: IndexDef): number {
  return indexKeyCount(index) + (index.include?.length ?? 0);
}

/** Number of key columns: an expression index has one key. */
export function indexKeyCount(index: IndexDef): number {
  return index.columns.length > 0 ? index.columns.length : 1;
}

/**
 * Key `key` (0-based) without its operator class: a column name, a function call or a
 * parenthesized expression — `((v)::halfvec(3))`, pretty `(v::halfvec(3))`.
 */
export function indexKeyText(index: IndexDef, key: number, pretty = false): string {
  const keys = indexKeyCount(index);
  if (key >= keys) return quoteIdent(index.table.columns[index.include![key - keys]].name);
  if (index.columns.length === 0) return index.expressionText?.(pretty ? 'pretty key' : 'key') ?? '';
  return quoteIdent(index.table.columns[index.columns[key]].name);
}

export function indexKeyType(index: IndexDef, key: number): IndexDef['keyType'] {
  return index.columns.length === 0 ? index.keyType : index.table.columns[index.columns[key]].type;
}

/**
 * `qualify`: name the table's schema (always, except in the pretty form for a visible table);
 * `pretty`: expressions with only the parentheses they need (pg_get_indexdef's pretty form).
 */
export function indexDefinition(index: IndexDef, qualify = true, pretty = false): string {
  const keys: string[] = [];
  for (let k = 0; k < indexKeyCount(index); k++) {
    const type = indexKeyType(index, k);
    const opclass = indexOpclass(index, k, type);
    const named = index.opclasses[k];
    const showOpclass = named && opclass && !(opclass.isDefault && opclass.type === type.base);
    const text = indexKeyText(index, k, pretty);
    const key = showOpclass ? `${text} ${named}` : text;
    keys.push(key + orderingText(index.keyOptions?.[k] ?? 0));
  }
  const options = Object.entries(index.options).map(([k, v]) => `${k}='${v}'`);
  return (
    `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(index.name)} ON ` +
    `${qualify ? `${quoteIdent(index.table.schema.name)}.` : ''}${quoteIdent(index.table.name)} USING ${index.method} ` +
    `(${keys.join(', ')})${includeText(index)}${options.length > 0 ? ` WITH (${options.join(', ')})` : ''}` +
    (index.predicate ? ` WHERE ${index.predicate.text(pretty)}` : '')
  );
}

/** ` INCLUDE (b, id)` for a covering index, else nothing. */
function includeText(index: IndexDef): string {
  const names = (index.include ?? []).map((c) => quoteIdent(index.table.columns[c].name));
  return names.length > 0 ? ` INCLUDE (${names.join(', ')})` : '';
}

/** DESC / NULLS FIRST|LAST as pg_get_indexdef prints them: only what differs from the default. */
function orderingText(option: number): string {
  const desc = (option & 1) !== 0;
  const nullsFirst = (option & 2) !== 0;
  if (desc) return nullsFirst ? ' DESC' : ' DESC NULLS LAST';
  return nullsFirst ? ' NULLS FIRST' : '';
}

/** reloptions of the index: `{lists=10}`. */
export function indexReloptions(index: IndexDef): string[] | null {
  const options = Object.entries(index.options).map(([k, v]) => `${k}=${v}`);
  return options.length > 0 ? options : null;
}

/** pg_get_constraintdef for a PRIMARY KEY / UNIQUE constraint backed by `index`. */
export function constraintDefinition(index: IndexDef): string {
  const names = (columns: readonly number[]) =>
    columns.map((c) => quoteIdent(index.table.columns[c].name)).join(', ');
  const include = index.include?.length ? ` INCLUDE (${names(index.include)})` : '';
  return `${index.primary ? 'PRIMARY KEY' : 'UNIQUE'} (${names(index.columns)})${include}`;
}

/** pg_get_constraintdef of a CHECK constraint: `CHECK ((a > 0))`, pretty `CHECK (a > 0)`, then NO INHERIT, NOT VALID. */
export function checkDefinition(check: CheckConstraint, pretty: boolean): string {
  const suffix = `${check.noInherit ? ' NO INHERIT' : ''}${check.validated ? '' : ' NOT VALID'}`;
  return `CHECK (${check.text(pretty)})${suffix}`;
}

/**
 * relpages of an index as PostgreSQL 15 + pgvector report it right after building it on an
 * empty table (btree: the metapage; hnsw: metapage + one element page; ivfflat: metapage,
 * list page and one page per list). Quiver keeps no page statistics, so this is what it
 * shows; pgjdbc's getIndexInfo returns it as PAGES.
 */
export function emptyIndexPages(index: IndexDef): number {
  if (index.method === 'hnsw') return 2;
  if (index.method === 'ivfflat') return 2 + (index.options.lists ?? 100);
  return 1;
}
