/**
 * Plan nodes. The binder builds a logical tree of these; rules in src/plan/rules rewrite it
 * (e.g. TopN by distance over a table scan → VectorSearch); src/exec runs it.
 * Every node lists its output columns; rows are arrays in that order.
 */
import type { AggCall, BoundExpr, SortKey, WindowCall } from '../bind/bound-expr.ts';
import type { IndexDef, Table } from '../catalog/catalog-types.ts';
import type { FunctionDef } from '../types/registry-types.ts';
import type { SqlType, Value } from '../types/type.ts';

export interface OutputColumn {
  readonly name: string;
  readonly type: SqlType;
  /** Source table OID and attnum for RowDescription (0 when computed). */
  readonly tableOid: number;
  readonly attnum: number;
  /** The FROM item (alias or table name) the column comes from, for EXPLAIN. */
  readonly qualifier?: string;
}

interface Base {
  readonly columns: readonly OutputColumn[];
}

/** One row with no columns (SELECT without FROM). */
export interface ResultNode extends Base {
  readonly kind: 'Result';
}

export interface ValuesNode extends Base {
  readonly kind: 'Values';
  readonly rows: readonly (readonly BoundExpr[])[];
}

/** Full scan of a table's visible rows; with `withRowId` a trailing row-id column is added (DML). */
export interface SeqScanNode extends Base {
  readonly kind: 'SeqScan';
  readonly table: Table;
  readonly alias: string;
  readonly withRowId: boolean;
}

/**
 * Where the values a key column must equal come from: expressions known before any row is
 * read (`col = $1`, `col IN (1, 2)`), or one array of them (`col = ANY($1)`).
 */
export type KeySource =
  | { readonly kind: 'values'; readonly exprs: readonly BoundExpr[] }
  | { readonly kind: 'array'; readonly expr: BoundExpr };

/** The rows of a table whose btree index key equals given values: found in its key map. */
export interface KeyLookup {
  readonly index: IndexDef;
  /** Per key of the index (a column, or its one expression), in its order. */
  readonly sources: readonly KeySource[];
  /** The WHERE conjuncts the lookup stands for (EXPLAIN's Index Cond; rechecked per row). */
  readonly cond: BoundExpr;
}

/** One end of an index range: `col > v` is a lower bound on v, not inclusive. */
export interface RangeBound {
  readonly expr: BoundExpr;
  readonly inclusive: boolean;
}

/**
 * The visible rows of a table whose btree index key lies in a range, in key order (found in
 * the index's ordered keys, src/exec/ordered-keys.ts): the key's first columns equal to
 * values (`prefix`; `tenant = $1` on an index over (tenant, at)), the next one between
 * bounds (`at > $2`, BETWEEN), either part possibly empty. For a WHERE with such conditions,
 * and for ORDER BY that next column with a LIMIT, where the rows are read in order
 * (`order`: backward for DESC; NULLs where a btree keeps them, after every value) and only
 * until enough have passed. The rest of the WHERE is a Filter over it.
 */
export interface IndexRangeScanNode extends Base {
  readonly kind: 'IndexRangeScan';
  readonly table: Table;
  readonly alias: string;
  readonly index: IndexDef;
  /** Values of the index's first columns, in order. */
  readonly prefix: readonly BoundExpr[];
  /** Bounds on the column after the prefix; the tightest of each side applies. */
  readonly lower: readonly RangeBound[];
  readonly upper: readonly RangeBound[];
  /** The conjuncts the prefix and bounds stand for (EXPLAIN's Index Cond; rechecked per row), or null. */
  readonly cond: BoundExpr | null;
  readonly order: { readonly desc: boolean } | null;
  readonly withRowId: boolean;
}

/**
 * The visible rows a key lookup finds, in row-id order (a sequential scan's); `withRowId` as
 * in SeqScan. The rest of the WHERE is a Filter over it.
 */
export interface IndexScanNode extends Base {
  readonly kind: 'IndexScan';
  readonly table: Table;
  readonly alias: string;
  readonly lookup: KeyLookup;
  readonly withRowId: boolean;
}

/**
 * k-nearest-neighbour search through a vector index (or exact when `index` is null), rows in
 * ascending distance. `limit` null = return what the index yields (pgvector semantics for an
 * index scan without LIMIT). `filter` is applied during the search, and the search keeps
 * going until `limit` matching rows are found or the table is exhausted.
 */
export interface VectorSearchNode extends Base {
  readonly kind: 'VectorSearch';
  readonly table: Table;
  readonly alias: string;
  readonly index: IndexDef;
  /** The ordered expression: the indexed column, or the index's expression (for EXPLAIN). */
  readonly key: BoundExpr;
  readonly query: BoundExpr;
  readonly limit: BoundExpr | null;
  readonly offset: BoundExpr | null;
  readonly filter: BoundExpr | null;
  /** A key lookup among the filter's conjuncts: the only rows that can pass it. */
  readonly lookup: KeyLookup | null;
  readonly withRowId: boolean;
}

export interface FilterNode extends Base {
  readonly kind: 'Filter';
  readonly input: PlanNode;
  readonly predicate: BoundExpr;
}

export interface ProjectNode extends Base {
  readonly kind: 'Project';
  readonly input: PlanNode;
  readonly exprs: readonly BoundExpr[];
  /**
   * Positions of set-returning function calls in the select list (unnest, generate_series):
   * each input row yields as many output rows as the longest of them returns, the shorter
   * ones padded with NULL (PostgreSQL 10+ ProjectSet semantics).
   */
  readonly setReturning?: readonly number[];
}

export interface JoinNode extends Base {
  readonly kind: 'Join';
  readonly type: 'inner' | 'left' | 'right' | 'full' | 'cross';
  readonly left: PlanNode;
  readonly right: PlanNode;
  /** Null for cross joins. Evaluated over left ++ right. */
  readonly on: BoundExpr | null;
  /** The right side references the left row (LATERAL): re-run per left row. */
  readonly lateral: boolean;
  /** Equi-join keys for a hash join: left key exprs (over left row) and right key exprs (over right row). */
  readonly hashKeys: { readonly left: readonly BoundExpr[]; readonly right: readonly BoundExpr[] } | null;
}

/** Output: group key values, then one value per aggregate. */
export interface AggregateNode extends Base {
  readonly kind: 'Aggregate';
  readonly input: PlanNode;
  readonly groups: readonly BoundExpr[];
  readonly aggs: readonly AggCall[];
}

/** Window functions: input columns, then one value per window call. */
export interface WindowNode extends Base {
  readonly kind: 'Window';
  readonly input: PlanNode;
  readonly calls: readonly WindowCall[];
}

export interface SortNode extends Base {
  readonly kind: 'Sort';
  readonly input: PlanNode;
  readonly keys: readonly SortKey[];
}

export interface LimitNode extends Base {
  readonly kind: 'Limit';
  readonly input: PlanNode;
  readonly limit: BoundExpr | null;
  readonly offset: BoundExpr | null;
}

/** DISTINCT (onKeys null: whole row) or DISTINCT ON (key expressions over the input row). */
export interface DistinctNode extends Base {
  readonly kind: 'Distinct';
  readonly input: PlanNode;
  readonly onKeys: readonly BoundExpr[] | null;
}

export interface SetOpNode extends Base {
  readonly kind: 'SetOp';
  readonly op: 'union' | 'intersect' | 'except';
  readonly all: boolean;
  readonly left: PlanNode;
  readonly right: PlanNode;
}

/** A set-returning (or scalar) function in FROM. */
export interface FunctionScanNode extends Base {
  readonly kind: 'FunctionScan';
  readonly def: FunctionDef;
  readonly args: readonly BoundExpr[];
  readonly argTypes: readonly SqlType[];
  readonly withOrdinality: boolean;
}

/** A WITH query, evaluated once per statement and shared by its references. */
export interface CteScanNode extends Base {
  readonly kind: 'CteScan';
  readonly name: string;
  readonly cte: { readonly plan: PlanNode; rows: Value[][] | null };
}

/**
 * WITH RECURSIVE: the anchor's rows, then the recursive term run again and again over the
 * rows the previous round produced (the work table) until a round adds nothing. Without ALL,
 * rows already produced are dropped (UNION semantics).
 */
export interface RecursiveUnionNode extends Base {
  readonly kind: 'RecursiveUnion';
  readonly name: string;
  readonly anchor: PlanNode;
  readonly recursive: PlanNode;
  readonly all: boolean;
  /** Identity of the work table that WorkTableScan nodes in `recursive` read. */
  readonly workTable: object;
}

/** The recursive term's reference to its own WITH query: the previous round's rows. */
export interface WorkTableScanNode extends Base {
  readonly kind: 'WorkTableScan';
  readonly name: string;
  readonly workTable: object;
}

/** A data-modifying statement in WITH; yields its RETURNING rows. */
export interface ModifyTableNode extends Base {
  readonly kind: 'ModifyTable';
  readonly dml: import('../bind/bind-dml.ts').DmlPlan;
}

/** Rows produced outside the plan (catalog views, SHOW). */
export interface RowsNode extends Base {
  readonly kind: 'Rows';
  readonly label: string;
  readonly produce: () => Value[][];
}

/** Marks a subquery boundary in FROM (for EXPLAIN); passes rows through. */
export interface SubqueryScanNode extends Base {
  readonly kind: 'SubqueryScan';
  readonly input: PlanNode;
  readonly alias: string;
}

/**
 * A kNN query over a join, run first on the nearest rows of the side the distance reads
 * (`input`: as many of them as the LIMIT asks for, found through their index), and as
 * written (`full`) only when the join left fewer rows than the LIMIT asks for.
 */
export interface NearestFirstNode extends Base {
  readonly kind: 'NearestFirst';
  readonly input: LimitNode;
  readonly full: LimitNode;
}

export type PlanNode =
  | ResultNode
  | ValuesNode
  | SeqScanNode
  | IndexScanNode
  | IndexRangeScanNode
  | VectorSearchNode
  | FilterNode
  | ProjectNode
  | JoinNode
  | AggregateNode
  | WindowNode
  | SortNode
  | LimitNode
  | DistinctNode
  | SetOpNode
  | FunctionScanNode
  | CteScanNode
  | RowsNode
  | SubqueryScanNode
  | RecursiveUnionNode
  | WorkTableScanNode
  | ModifyTableNode
  | NearestFirstNode;

export type PlanKind = PlanNode['kind'];
