/**
 * Quiver's own SQL AST: a typed, immutable subset of PostgreSQL's parse tree.
 * src/sql/convert*.ts produces it from libpg-query's JSON in one pass; anything not
 * representable here is rejected there with 0A000/42601 and a position.
 * `loc` fields are 0-based character (Unicode code point) offsets into the WHOLE query string
 * passed to parseSql — not into ParsedStatement.text — so `loc + 1` is PostgreSQL's 1-based
 * error position (SqlError `position`) as is. -1 = unknown. For text without characters
 * outside the BMP this equals the JS string index.
 */

export interface TypeNameAst {
  /** Qualified name parts, e.g. ['pg_catalog', 'int4'] or ['vector']. */
  readonly names: readonly string[];
  /** Typmod arguments as written: vector(3) → [3], numeric(10,2) → [10, 2]. */
  readonly mods: readonly number[];
  /** Array bounds present (int[] / int[3]). */
  readonly isArray: boolean;
  readonly loc: number;
}

// ---------- expressions ----------

export type Expr =
  | ColumnRefExpr
  | ConstExpr
  | ParamExpr
  | OpExpr
  | BoolExpr
  | NullTestExpr
  | BooleanTestExpr
  | CastExpr
  | FuncExpr
  | CaseExpr
  | InListExpr
  | BetweenExpr
  | SubLinkExpr
  | CoalesceExpr
  | NullIfExpr
  | MinMaxExpr
  | ArrayExpr
  | SubscriptExpr
  | SqlValueExpr
  | RowExpr
  | StarExpr
  | DefaultExpr;

export interface ColumnRefExpr {
  readonly kind: 'ColumnRef';
  /** ['col'], ['t', 'col'], ['s', 't', 'col']; a trailing '*' means t.* */
  readonly names: readonly string[];
  readonly loc: number;
}

export type ConstValue =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'integer'; readonly value: string }
  | { readonly type: 'float'; readonly value: string }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'bitstring'; readonly value: string }
  | { readonly type: 'null' };

export interface ConstExpr {
  readonly kind: 'Const';
  readonly value: ConstValue;
  readonly loc: number;
}

export interface ParamExpr {
  readonly kind: 'Param';
  /** 1-based $n. */
  readonly index: number;
  readonly loc: number;
}

/** Binary or prefix operator (left null). Includes ~~ (LIKE) etc. and schema-qualified OPERATOR(). */
export interface OpExpr {
  readonly kind: 'Op';
  readonly op: string;
  readonly left: Expr | null;
  readonly right: Expr;
  /** `op ANY (array)` / `op ALL (array)` */
  readonly quantifier?: 'any' | 'all';
  readonly loc: number;
}

export interface BoolExpr {
  readonly kind: 'Bool';
  readonly op: 'and' | 'or' | 'not';
  readonly args: readonly Expr[];
  readonly loc: number;
}

export interface NullTestExpr {
  readonly kind: 'NullTest';
  readonly arg: Expr;
  readonly not: boolean;
  readonly loc: number;
}

export interface BooleanTestExpr {
  readonly kind: 'BooleanTest';
  readonly arg: Expr;
  readonly test: 'true' | 'not true' | 'false' | 'not false' | 'unknown' | 'not unknown';
  readonly loc: number;
}

export interface CastExpr {
  readonly kind: 'Cast';
  readonly arg: Expr;
  readonly type: TypeNameAst;
  readonly loc: number;
}

export interface FuncExpr {
  readonly kind: 'Func';
  /** Qualified name parts, lower-cased unless quoted (e.g. ['pg_catalog', 'now']). */
  readonly names: readonly string[];
  readonly args: readonly Expr[];
  /** count(*) */
  readonly star: boolean;
  readonly distinct: boolean;
  readonly orderBy: readonly SortItem[];
  readonly filter: Expr | null;
  /** f(VARIADIC arr): present (true) only when VARIADIC was written. */
  readonly variadic?: boolean;
  /** OVER (…): a window function call. */
  readonly over?: WindowSpec;
  readonly loc: number;
}

/** A window: PARTITION BY, ORDER BY and a frame that starts at the partition's first row. */
export interface WindowSpec {
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly SortItem[];
  /** RANGE (peers share a frame end) or ROWS; the frame ends at the current row or partition end. */
  readonly frame: { readonly mode: 'range' | 'rows'; readonly end: 'current row' | 'unbounded following' };
}

export interface CaseExpr {
  readonly kind: 'Case';
  readonly arg: Expr | null;
  readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
  readonly else: Expr | null;
  readonly loc: number;
}

export interface InListExpr {
  readonly kind: 'InList';
  readonly arg: Expr;
  readonly list: readonly Expr[];
  readonly not: boolean;
  readonly loc: number;
}

export interface BetweenExpr {
  readonly kind: 'Between';
  readonly arg: Expr;
  readonly low: Expr;
  readonly high: Expr;
  readonly not: boolean;
  readonly symmetric: boolean;
  readonly loc: number;
}

export interface SubLinkExpr {
  readonly kind: 'SubLink';
  /** exists, x IN (sub) / x op ANY (sub) → 'any', op ALL → 'all', scalar (sub) → 'expr', ARRAY(sub) → 'array' */
  readonly linkType: 'exists' | 'any' | 'all' | 'expr' | 'array';
  readonly test: Expr | null;
  readonly op: string | null;
  readonly query: SelectStmt;
  readonly loc: number;
}

export interface CoalesceExpr {
  readonly kind: 'Coalesce';
  readonly args: readonly Expr[];
  readonly loc: number;
}

export interface NullIfExpr {
  readonly kind: 'NullIf';
  readonly left: Expr;
  readonly right: Expr;
  readonly loc: number;
}

export interface MinMaxExpr {
  readonly kind: 'MinMax';
  readonly op: 'greatest' | 'least';
  readonly args: readonly Expr[];
  readonly loc: number;
}

export interface ArrayExpr {
  readonly kind: 'Array';
  readonly elements: readonly Expr[];
  readonly loc: number;
}

export interface SubscriptExpr {
  readonly kind: 'Subscript';
  readonly arg: Expr;
  /** One entry per [..]; `upper` set for slices. */
  readonly subscripts: readonly {
    readonly lower: Expr | null;
    readonly upper: Expr | null;
    readonly slice: boolean;
  }[];
  /** Field selection (x).field is represented as names. */
  readonly fields: readonly string[];
  readonly loc: number;
}

/** CURRENT_TIMESTAMP, CURRENT_USER, … */
export interface SqlValueExpr {
  readonly kind: 'SqlValue';
  readonly name:
    | 'current_date'
    | 'current_time'
    | 'current_timestamp'
    | 'localtime'
    | 'localtimestamp'
    | 'current_user'
    | 'current_role'
    | 'session_user'
    | 'user'
    | 'current_catalog'
    | 'current_schema';
  /** CURRENT_TIME(p), CURRENT_TIMESTAMP(p), LOCALTIME(p), LOCALTIMESTAMP(p): the precision p. */
  readonly precision?: number;
  readonly loc: number;
}

export interface RowExpr {
  readonly kind: 'Row';
  readonly args: readonly Expr[];
  readonly loc: number;
}

/** `*` in a select list or `t.*` (names = ['t']). */
export interface StarExpr {
  readonly kind: 'Star';
  readonly qualifier: readonly string[];
  readonly loc: number;
}

/** DEFAULT as a value in INSERT … VALUES or UPDATE … SET (PostgreSQL's SetToDefault). */
export interface DefaultExpr {
  readonly kind: 'Default';
  readonly loc: number;
}

// ---------- queries ----------

export interface SortItem {
  readonly expr: Expr;
  readonly dir: 'asc' | 'desc' | 'default';
  readonly nulls: 'first' | 'last' | 'default';
  /** ORDER BY x USING < */
  readonly using: string | null;
}

export interface SelectTarget {
  readonly expr: Expr;
  readonly alias: string | null;
  readonly loc: number;
}

export interface QualifiedName {
  readonly schema: string | null;
  readonly name: string;
  readonly loc: number;
}

export type FromItem = TableRef | SubqueryRef | JoinRef | FunctionRef;

export interface Alias {
  readonly name: string;
  readonly columns: readonly string[];
}

export interface TableRef {
  readonly kind: 'Table';
  readonly name: QualifiedName;
  readonly alias: Alias | null;
}

export interface SubqueryRef {
  readonly kind: 'Subquery';
  readonly query: SelectStmt;
  readonly alias: Alias | null;
  readonly lateral: boolean;
  readonly loc: number;
}

export interface FunctionRef {
  readonly kind: 'Function';
  readonly func: FuncExpr;
  readonly alias: Alias | null;
  readonly lateral: boolean;
  readonly withOrdinality: boolean;
}

export interface JoinRef {
  readonly kind: 'Join';
  readonly type: 'inner' | 'left' | 'right' | 'full' | 'cross';
  readonly left: FromItem;
  readonly right: FromItem;
  readonly on: Expr | null;
  readonly using: readonly string[];
  readonly natural: boolean;
  readonly alias: Alias | null;
}

export interface Cte {
  readonly name: string;
  readonly columns: readonly string[];
  readonly query: SelectStmt | InsertStmt | UpdateStmt | DeleteStmt;
  readonly loc: number;
}

export interface WithClause {
  readonly recursive: boolean;
  readonly ctes: readonly Cte[];
}

/** A SELECT, VALUES, or set operation (UNION/INTERSECT/EXCEPT). */
export interface SelectStmt {
  readonly kind: 'Select';
  readonly with: WithClause | null;
  /** Set operation: when present, the simple-select fields below are unused except orderBy/limit/offset. */
  readonly setOp: {
    readonly op: 'union' | 'intersect' | 'except';
    readonly all: boolean;
    readonly left: SelectStmt;
    readonly right: SelectStmt;
  } | null;
  /** VALUES (…), (…) */
  readonly values: readonly (readonly Expr[])[] | null;
  /** null = no DISTINCT; [] = DISTINCT; [exprs] = DISTINCT ON (exprs) */
  readonly distinct: readonly Expr[] | null;
  readonly targets: readonly SelectTarget[];
  readonly from: readonly FromItem[];
  readonly where: Expr | null;
  readonly groupBy: readonly Expr[];
  readonly having: Expr | null;
  readonly orderBy: readonly SortItem[];
  readonly limit: Expr | null;
  readonly offset: Expr | null;
  /**
   * FOR UPDATE/SHARE as written ('FOR NO KEY UPDATE'), null without: no row locks are taken
   * (single-writer engine); a read-only transaction refuses it as PostgreSQL does.
   */
  readonly locking: string | null;
  readonly loc: number;
}

export interface OnConflict {
  readonly action: 'nothing' | 'update';
  /** Conflict target columns (may be empty for DO NOTHING). */
  readonly columns: readonly string[];
  /** Conflict target expressions (`ON CONFLICT (lower(email))`). */
  readonly exprs: readonly Expr[];
  /** The target's WHERE (`ON CONFLICT (email) WHERE deleted_at IS NULL`): which partial indexes it may use. */
  readonly inferWhere: Expr | null;
  readonly constraint: string | null;
  readonly set: readonly SetClause[];
  readonly where: Expr | null;
}

export interface SetClause {
  readonly column: string;
  readonly expr: Expr;
  readonly loc: number;
}

export interface InsertStmt {
  readonly kind: 'Insert';
  readonly with: WithClause | null;
  readonly table: QualifiedName;
  readonly alias: string | null;
  readonly columns: readonly { readonly name: string; readonly loc: number }[];
  /** null = DEFAULT VALUES */
  readonly source: SelectStmt | null;
  readonly onConflict: OnConflict | null;
  readonly returning: readonly SelectTarget[];
  readonly loc: number;
}

export interface UpdateStmt {
  readonly kind: 'Update';
  readonly with: WithClause | null;
  readonly table: QualifiedName;
  readonly alias: string | null;
  readonly set: readonly SetClause[];
  readonly from: readonly FromItem[];
  readonly where: Expr | null;
  readonly returning: readonly SelectTarget[];
  readonly loc: number;
}

export interface DeleteStmt {
  readonly kind: 'Delete';
  readonly with: WithClause | null;
  readonly table: QualifiedName;
  readonly alias: string | null;
  readonly using: readonly FromItem[];
  readonly where: Expr | null;
  readonly returning: readonly SelectTarget[];
  readonly loc: number;
}
