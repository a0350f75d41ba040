/**
 * The catalog's object model: databases → schemas → tables, indexes, sequences; roles.
 * Kept in memory and stored in the MetaStore as JSON descriptors (engine/catalog-image.ts).
 */

import type { Expr } from '../sql/ast.ts';
import type { ReferentialAction } from '../sql/ast-utility.ts';
import type { TableStore } from '../storage/table-store.ts';
import type { ColumnIndex } from '../storage/vector/column-index.ts';
import type { DistanceMetric, IndexMethod } from '../storage/vector-index.ts';
import type { EvalContext } from '../types/registry-types.ts';
import type { SqlType, Value } from '../types/type.ts';

export interface Column {
  readonly name: string;
  readonly type: SqlType;
  notNull: boolean;
  /** Default expression as parsed (evaluated at INSERT time) and its source text. */
  default: Expr | null;
  defaultText: string | null;
  readonly identity: 'always' | 'by default' | null;
  /** serial/bigserial/identity columns draw from this sequence. */
  readonly sequence: Sequence | null;
  /** pg_attribute.attnum (1-based, stable across drops). */
  readonly attnum: number;
  /** Set by ALTER COLUMN TYPE: the attnum the rows store its values under (storage/sealed-rows.ts storedAttnum). */
  readonly storedAs?: number;
  /**
   * The value rows stored before the column was added have (PostgreSQL's attmissingval):
   * ADD COLUMN fills existing rows with it, and WAL replay of older records does the same.
   */
  readonly missing?: Value;
  /** COMMENT ON COLUMN (pg_description with objsubid = attnum). */
  comment?: string;
}

export interface Sequence {
  readonly oid: number;
  readonly name: string;
  readonly schema: Schema;
  next: number;
  readonly start: number;
  readonly increment: number;
  called: boolean;
}

/** gin is accepted and kept in the catalog, but looks nothing up: queries filter rows instead. */
export type IndexKind = 'btree' | 'gin' | IndexMethod;

export interface IndexDef {
  readonly oid: number;
  /** ALTER INDEX … RENAME changes it (and `constraint`, for an index behind a constraint). */
  name: string;
  readonly schema: Schema;
  readonly table: Table;
  readonly method: IndexKind;
  /** Column positions in table.columns. */
  readonly columns: readonly number[];
  /** INCLUDE columns' positions: kept beside the keys (a covering index), never compared. */
  readonly include?: readonly number[];
  readonly opclasses: readonly string[];
  readonly unique: boolean;
  readonly primary: boolean;
  readonly options: Readonly<Record<string, number>>;
  /** For vector indexes: the distance operator it serves and its implementation. */
  readonly metric: DistanceMetric | null;
  readonly operator: string | null;
  vector: ColumnIndex | null;
  /**
   * What a vector index indexes: the column at columns[0], or an expression over the row
   * (`USING hnsw ((embedding::halfvec(3)) halfvec_l2_ops)`). `expressionKey` identifies the
   * expression for the planner; `keyOf` computes the indexed value of a row.
   */
  readonly keyType: SqlType;
  readonly expressionKey: string | null;
  /**
   * The indexed expression as written (kept so the catalog can be stored and re-bound;
   * RENAME COLUMN rewrites it).
   */
  expression?: Expr | null;
  /** How the catalog prints the expression (column names as they are now; see IndexTextForm). */
  readonly expressionText?: (form: IndexTextForm) => string;
  readonly keyOf: (row: readonly Value[]) => Value;
  /** A partial index's WHERE clause (CREATE INDEX … WHERE …), or null. */
  readonly predicate?: IndexPredicate | null;
  /** Constraint name when the index backs a PRIMARY KEY/UNIQUE constraint. */
  constraint: string | null;
  /**
   * pg_index.indoption per key: bit 1 = DESC, bit 2 = NULLS FIRST (PostgreSQL's INDOPTION_*).
   * Absent means every key is ASC NULLS LAST.
   */
  readonly keyOptions?: readonly number[];
}

/**
 * How an index expression is printed: as an index key in pg_get_indexdef (`lower(email)`,
 * `((n + 1))`, pretty `(n + 1)`: a function call bare, anything else in parentheses) or
 * alone, as pg_get_expr prints pg_index.indexprs (`(n + 1)`).
 */
export type IndexTextForm = 'key' | 'pretty key' | 'expression';

/**
 * The WHERE clause of a partial index. Only rows that pass it are in the index: the key map
 * holds and a unique index compares only those, and a lookup through the index answers only
 * a query whose WHERE implies the clause.
 */
export interface IndexPredicate {
  /** As written (stored with the catalog and bound again on load; RENAME COLUMN rewrites it). */
  expr: Expr;
  /**
   * The structural key (exprKey) of each of its conjuncts: a WHERE that has every one of them
   * among its own conjuncts implies the clause.
   */
  readonly conjunctKeys: readonly string[];
  readonly passes: (row: readonly Value[]) => boolean;
  /** pg_get_indexdef's text for it: plain `(deleted_at IS NULL)` or pretty `deleted_at IS NULL`. */
  readonly text: (pretty: boolean) => string;
}

/**
 * Whether an index keeps a key map (key → row ids) that finds rows by key: btree indexes over
 * plain columns or over one expression (`lower(email)`). A btree index over several keys
 * with an expression among them is kept in the catalog only.
 */
export function keyed(index: IndexDef): boolean {
  if (index.method !== 'btree') return false;
  return index.expressionKey === null ? index.columns.length > 0 : index.columns.length === 0;
}

/** Whether `row` belongs in `index`: every row does, except those a partial index's WHERE rejects. */
export function indexedRow(index: IndexDef, row: readonly Value[]): boolean {
  return !index.predicate || index.predicate.passes(row);
}

export interface Table {
  readonly oid: number;
  name: string;
  readonly schema: Schema;
  readonly columns: Column[];
  readonly indexes: IndexDef[];
  readonly store: TableStore;
  /** CHECK constraints, in name order (the order PostgreSQL tests them in). */
  readonly checks: CheckConstraint[];
  /** For views: the defining query (no store rows). */
  readonly view: { readonly text: string; readonly query: unknown } | null;
  readonly temporary: boolean;
  /** COMMENT ON TABLE/VIEW (pg_description with objsubid 0). */
  comment?: string;
  /** FOREIGN KEY constraints of this table (it references others). */
  readonly foreignKeys: ForeignKey[];
  /** FOREIGN KEY constraints of tables (this one too, when self-referencing) that reference this one. */
  readonly referencedBy: ForeignKey[];
  /**
   * ALTER TABLE … DISABLE TRIGGER ALL: the foreign key work PostgreSQL's triggers on this
   * table would do is skipped — checks of its new rows, actions and checks for its removed keys.
   */
  foreignKeyTriggersDisabled?: boolean;
}

/**
 * A FOREIGN KEY constraint. Columns are attnums (stable when other columns are dropped);
 * actions are PostgreSQL's letters (confupdtype/confdeltype): a no action, r restrict,
 * c cascade, n set null, d set default.
 */
export interface ForeignKey {
  readonly oid: number;
  name: string;
  readonly table: Table;
  readonly columns: readonly number[];
  readonly refTable: Table;
  readonly refColumns: readonly number[];
  readonly onUpdate: ReferentialAction;
  readonly onDelete: ReferentialAction;
  readonly matchFull: boolean;
  readonly deferrable: boolean;
  readonly initiallyDeferred: boolean;
  /** False after ADD … NOT VALID until VALIDATE CONSTRAINT. */
  validated: boolean;
}

/**
 * A CHECK constraint (engine/check-constraints.ts). A row passes when its expression is true
 * or NULL; only false fails it, as in PostgreSQL.
 */
export interface CheckConstraint {
  readonly oid: number;
  /** ALTER TABLE … RENAME CONSTRAINT changes it. */
  name: string;
  /** As written (stored with the catalog and bound again on load; RENAME COLUMN rewrites it). */
  expr: Expr;
  readonly noInherit: boolean;
  /** False after ADD … NOT VALID until VALIDATE CONSTRAINT (pg_constraint.convalidated). */
  validated: boolean;
  /** Positions of the columns the expression reads, in order of first use (conkey). */
  readonly columns: readonly number[];
  readonly passes: (row: readonly Value[], ctx: EvalContext) => boolean;
  /** The expression as pg_get_constraintdef prints it: `(price > (0)::numeric)`, pretty `price > 0::numeric`. */
  readonly text: (pretty: boolean) => string;
}

export interface Schema {
  readonly oid: number;
  readonly name: string;
  readonly database: Database;
  readonly tables: Map<string, Table>;
  readonly indexes: Map<string, IndexDef>;
  readonly sequences: Map<string, Sequence>;
}

export interface Database {
  readonly oid: number;
  readonly name: string;
  readonly owner: string;
  readonly schemas: Map<string, Schema>;
  readonly extensions: Map<
    string,
    { readonly oid: number; readonly version: string; readonly schema: string }
  >;
}

export interface Role {
  readonly oid: number;
  readonly name: string;
  superuser: boolean;
  login: boolean;
  /** SCRAM-SHA-256 verifier text (never the plain password), or null = no password. */
  password: string | null;
}

/** A CREATE INDEX in progress, as pg_stat_progress_create_index shows it. */
export interface IndexBuildProgress {
  readonly pid: number;
  readonly database: Database;
  readonly table: Table;
  readonly index: IndexDef;
  phase: string;
  readonly tuplesTotal: number;
  tuplesDone: number;
}

/** Positions in `table`'s current columns of these attnums. */
export function columnPositions(table: Table, attnums: readonly number[]): number[] {
  return attnums.map((a) => table.columns.findIndex((c) => c.attnum === a));
}

/** The unique index over exactly the referenced columns that a foreign key looks keys up in. */
export function referencedIndex(fk: ForeignKey): IndexDef | undefined {
  return keyIndexOver(fk.refTable, columnPositions(fk.refTable, fk.refColumns), true);
}

/** A btree key map over exactly `positions` (in any order), unique when asked. */
export function keyIndexOver(
  table: Table,
  positions: readonly number[],
  unique: boolean,
): IndexDef | undefined {
  return table.indexes.find(
    (i) =>
      (!unique || i.unique) &&
      i.method === 'btree' &&
      !i.predicate &&
      i.columns.length === positions.length &&
      i.columns.every((c) => positions.includes(c)),
  );
}
