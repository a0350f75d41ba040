/**
 * pg_relation_size and its family: how many bytes a table or index takes. PostgreSQL counts
 * the 8 kB pages of its files; Quiver's rows live in sealed segments (their files' sizes are
 * exact) and in memory (estimated from a sample of rows), its indexes in memory (estimated
 * from their entries), so the figures are estimates rounded up to whole 8 kB pages, as
 * psql's `\dt+`/`\di+` and monitoring queries expect to see them.
 */
import type { Database, IndexDef, Table } from '../catalog/catalog-types.ts';
import { emptyIndexPages } from '../catalog/pg-catalog/index-def.ts';
import { findUserRelation } from '../catalog/pg-catalog/objects.ts';
import { typeFacts } from '../catalog/pg-catalog/types.ts';
import { keyMapSize } from '../exec/table-writer.ts';
import { typeInfo } from '../types/registry.ts';
import type { Value } from '../types/type.ts';

const PAGE = 8192;
/** A row version's fixed cost: PostgreSQL's tuple header and line pointer are 28 bytes. */
const ROW_OVERHEAD = 28;
/** Rows read to estimate the in-memory rows' average size. */
const SAMPLE_ROWS = 256;
/** A btree entry: its key and a row id, PostgreSQL's index tuple overhead included. */
const KEY_ENTRY = 16;

const pages = (bytes: number) => Math.ceil(bytes / PAGE) * PAGE;

/**
 * What each size function counts: the relation itself (pg_relation_size), a table with its
 * TOAST table (pg_table_size), its indexes (pg_indexes_size), or all of them
 * (pg_total_relation_size).
 */
export type SizeOf = 'relation' | 'table' | 'indexes' | 'total';

/** Relation `oid`'s size as the function for `what` reports it, or null when there is none. */
export function relationSize(db: Database, oid: number, what: SizeOf): bigint | null {
  const r = findUserRelation(db, oid);
  if (!r) return null;
  if (r.kind === 'table') return BigInt(tableSize(r.table, what));
  if (what === 'indexes') return 0n;
  return BigInt(r.kind === 'index' ? indexBytes(r.index) : PAGE);
}

/** A database's size (pg_database_size): its tables with their TOAST pages and indexes, its sequences. */
export function databaseBytes(db: Database): bigint {
  let bytes = 0;
  for (const schema of db.schemas.values()) {
    for (const table of schema.tables.values()) bytes += tableSize(table, 'total');
    bytes += schema.sequences.size * PAGE;
  }
  return BigInt(bytes);
}

function tableSize(table: Table, what: SizeOf): number {
  if (table.view) return 0;
  const own = what === 'indexes' ? 0 : tableBytes(table);
  const toast = what === 'table' || what === 'total' ? toastBytes(table) : 0;
  const indexes =
    what === 'indexes' || what === 'total' ? table.indexes.reduce((n, ix) => n + indexBytes(ix), 0) : 0;
  return own + toast + indexes;
}

/**
 * PostgreSQL gives a table with a column that can be stored out of line (text, vector, … —
 * any not stored `plain`) a TOAST table whose index takes a page even when empty; Quiver
 * stores no values out of line, so that page is all pg_table_size adds.
 */
function toastBytes(table: Table): number {
  const toastable = table.columns.some(
    (c) => typeFacts(typeInfo(c.type.base), c.type.isArray).storage !== 'p',
  );
  return toastable ? PAGE : 0;
}

function tableBytes(table: Table): number {
  const store = table.store;
  let bytes = 0;
  for (const part of store.sealedParts()) bytes += part.handle.bytes;
  const inMemory = store.inMemoryRowCount();
  if (inMemory > 0) {
    // An even sample over the row ids; the ids in memory are the ones not sealed yet.
    let seen = 0;
    let sampled = 0;
    const step = Math.max(1, Math.floor(store.capacity / (SAMPLE_ROWS * 4)));
    for (let rowId = store.capacity - 1; rowId >= 0 && seen < SAMPLE_ROWS; rowId -= step) {
      const row = store.inMemoryRow(rowId);
      if (!row) continue;
      seen++;
      sampled += ROW_OVERHEAD + row.reduce((n: number, v) => n + valueBytes(v), 0);
    }
    if (seen > 0) bytes += (sampled / seen) * inMemory;
  }
  return pages(bytes);
}

/** A value's stored size, roughly as PostgreSQL stores it. */
function valueBytes(v: Value): number {
  if (v === null) return 0;
  if (typeof v === 'number' || typeof v === 'bigint') return 8;
  if (typeof v === 'boolean') return 1;
  if (typeof v === 'string') return 4 + Buffer.byteLength(v);
  if (ArrayBuffer.isView(v)) return 8 + v.byteLength;
  return 16;
}

function indexBytes(index: IndexDef): number {
  const floor = emptyIndexPages(index) * PAGE;
  if (index.vector) {
    const vectors = index.vector.index.size();
    const dims = Math.max(0, index.keyType.typmod);
    const element = index.keyType.base === 'halfvec' ? 2 : index.keyType.base === 'bit' ? 1 / 8 : 4;
    // An HNSW element also holds its links: 2·m on the base layer.
    const links = index.method === 'hnsw' ? 2 * (index.options.m ?? 16) * 4 : 0;
    return Math.max(floor, pages(vectors * (8 + Math.ceil(dims * element) + links)));
  }
  return Math.max(floor, pages(keyMapSize(index) * KEY_ENTRY));
}
