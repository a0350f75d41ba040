/**
 * DDL and utility statements of Quiver's AST (see ast.ts for queries and expressions).
 */
import type {
  DeleteStmt,
  Expr,
  InsertStmt,
  QualifiedName,
  SelectStmt,
  TypeNameAst,
  UpdateStmt,
} from './ast.ts';
import type { CursorStatement } from './ast-cursor.ts';
import type { ExecuteStmt, PreparableStmt, PreparedStatementStmt } from './ast-prepare.ts';

export interface ColumnDef {
  readonly name: string;
  readonly type: TypeNameAst;
  readonly notNull: boolean;
  readonly primaryKey: boolean;
  readonly unique: boolean;
  readonly default: Expr | null;
  /** GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY */
  readonly identity: 'always' | 'by default' | null;
  /** Identity sequence options as written: start, increment, minvalue … */
  readonly sequenceOptions?: Readonly<Record<string, number>>;
  readonly loc: number;
}

export interface TableConstraint {
  readonly type: 'primary key' | 'unique' | 'check' | 'foreign key';
  readonly name: string | null;
  readonly columns: readonly string[];
  /** PRIMARY KEY / UNIQUE … INCLUDE (columns): kept in the constraint's index beside its keys. */
  readonly include?: readonly string[];
  readonly check: Expr | null;
  /** FOREIGN KEY / REFERENCES target (columns empty = the referenced table's primary key). */
  readonly references?: { readonly table: QualifiedName; readonly columns: readonly string[] };
  /** FOREIGN KEY options as written (PostgreSQL's letters: a no action, r restrict, c cascade, n set null, d set default). */
  readonly foreignKey?: ForeignKeyOptions;
  /** CHECK / FOREIGN KEY … NOT VALID (ALTER TABLE … ADD only: existing rows are not checked). */
  readonly notValid?: boolean;
  /** CHECK … NO INHERIT. */
  readonly noInherit?: boolean;
  readonly loc: number;
}

export type ReferentialAction = 'a' | 'r' | 'c' | 'n' | 'd';

export interface ForeignKeyOptions {
  readonly onUpdate: ReferentialAction;
  readonly onDelete: ReferentialAction;
  readonly matchFull: boolean;
  deferrable: boolean;
  initiallyDeferred: boolean;
}

export interface CreateTableStmt {
  readonly kind: 'CreateTable';
  readonly name: QualifiedName;
  readonly ifNotExists: boolean;
  readonly columns: readonly ColumnDef[];
  readonly constraints: readonly TableConstraint[];
  readonly temporary: boolean;
  /** CREATE TABLE … AS SELECT */
  readonly asQuery: SelectStmt | null;
  /** LIKE other_table clauses; `at` = number of column definitions written before it. */
  readonly likes?: readonly {
    readonly table: QualifiedName;
    readonly at: number;
    readonly includingDefaults: boolean;
  }[];
  readonly options: Readonly<Record<string, string>>;
}

export interface DropStmt {
  readonly kind: 'Drop';
  readonly objectType: 'table' | 'index' | 'schema' | 'extension' | 'view' | 'sequence' | 'type';
  readonly names: readonly QualifiedName[];
  readonly ifExists: boolean;
  readonly cascade: boolean;
}

export interface IndexElem {
  readonly column: string | null;
  readonly expr: Expr | null;
  readonly opclass: string | null;
  readonly desc: boolean;
  readonly nullsFirst: boolean | null;
  readonly loc: number;
}

export interface CreateIndexStmt {
  readonly kind: 'CreateIndex';
  readonly name: string | null;
  readonly table: QualifiedName;
  readonly method: string;
  readonly unique: boolean;
  readonly ifNotExists: boolean;
  readonly concurrent: boolean;
  readonly elems: readonly IndexElem[];
  /** INCLUDE (columns): stored in the index beside its keys, not part of them. */
  readonly include: readonly { readonly column: string; readonly loc: number }[];
  readonly options: readonly { readonly name: string; readonly value: string; readonly loc: number }[];
  readonly where: Expr | null;
  readonly loc: number;
}

export interface AlterTableStmt {
  readonly kind: 'AlterTable';
  readonly table: QualifiedName;
  readonly ifExists: boolean;
  readonly actions: readonly AlterTableAction[];
}

export type AlterTableAction =
  | { readonly type: 'add column'; readonly column: ColumnDef; readonly ifNotExists: boolean }
  | {
      readonly type: 'drop column';
      readonly name: string;
      readonly ifExists: boolean;
      readonly cascade: boolean;
    }
  | { readonly type: 'alter column set not null' | 'alter column drop not null'; readonly name: string }
  | { readonly type: 'alter column set default'; readonly name: string; readonly default: Expr | null }
  | {
      readonly type: 'alter column type';
      readonly name: string;
      readonly newType: TypeNameAst;
      /** USING expression over the row's old columns; null converts the old value by assignment. */
      readonly using: Expr | null;
    }
  | { readonly type: 'rename column'; readonly name: string; readonly newName: string }
  | { readonly type: 'rename table'; readonly newName: string }
  | { readonly type: 'add constraint'; readonly constraint: TableConstraint }
  | {
      readonly type: 'drop constraint';
      readonly name: string;
      readonly ifExists: boolean;
      readonly cascade: boolean;
    }
  | { readonly type: 'validate constraint'; readonly name: string }
  /** ENABLE / DISABLE TRIGGER {ALL | USER | name} (REPLICA / ALWAYS are ENABLE). */
  | { readonly type: 'triggers'; readonly enable: boolean; readonly which: 'all' | 'user' | string }
  | { readonly type: 'rename constraint'; readonly name: string; readonly newName: string };

/** ALTER INDEX [IF EXISTS] name RENAME TO new. */
export interface RenameIndexStmt {
  readonly kind: 'RenameIndex';
  readonly name: QualifiedName;
  readonly newName: string;
  readonly ifExists: boolean;
}

/** REINDEX { INDEX | TABLE } name, REINDEX { SCHEMA | DATABASE | SYSTEM } name. */
export interface ReindexStmt {
  readonly kind: 'Reindex';
  readonly target: 'index' | 'table' | 'schema' | 'database' | 'system';
  /** The index or table (INDEX, TABLE). */
  readonly relation: QualifiedName | null;
  /** The schema or database (SCHEMA, DATABASE, SYSTEM; null when omitted). */
  readonly objectName: string | null;
  readonly concurrently: boolean;
}

export interface CreateSequenceStmt {
  readonly kind: 'CreateSequence';
  readonly name: QualifiedName;
  readonly ifNotExists: boolean;
  readonly start: number | null;
  readonly increment: number | null;
}

export interface SchemaStmt {
  readonly kind: 'CreateSchema';
  readonly name: string;
  readonly ifNotExists: boolean;
}

export interface ExtensionStmt {
  readonly kind: 'CreateExtension';
  readonly name: string;
  readonly ifNotExists: boolean;
  readonly schema: string | null;
}

export interface DatabaseStmt {
  readonly kind: 'CreateDatabase' | 'DropDatabase';
  readonly name: string;
  readonly ifExists: boolean;
}

export interface RoleStmt {
  readonly kind: 'CreateRole' | 'AlterRole' | 'DropRole';
  readonly names: readonly string[];
  readonly ifExists: boolean;
  /** undefined = not given; null = PASSWORD NULL */
  readonly password?: string | null;
  readonly superuser?: boolean;
  readonly login?: boolean;
}

export interface TruncateStmt {
  readonly kind: 'Truncate';
  readonly tables: readonly QualifiedName[];
  readonly restartIdentity: boolean;
  readonly cascade: boolean;
}

export interface TransactionStmt {
  readonly kind: 'Transaction';
  readonly op: 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollback to' | 'prepare';
  readonly savepoint: string | null;
  /** BEGIN ISOLATION LEVEL …, lower case ('repeatable read'); null when not given. */
  readonly isolation?: string | null;
  /** BEGIN READ ONLY (true) / READ WRITE (false); null when not given. */
  readonly readOnly?: boolean | null;
}

export interface SetStmt {
  readonly kind: 'Set';
  /**
   * 'value' = SET x = …; 'default' = SET x TO DEFAULT; 'reset' = RESET x; 'reset all';
   * 'modes' = SET TRANSACTION … (name 'transaction') or SET SESSION CHARACTERISTICS AS
   * TRANSACTION … (name 'session'), with `modes`.
   */
  readonly action: 'value' | 'default' | 'reset' | 'reset all' | 'modes';
  readonly name: string;
  readonly values: readonly string[];
  readonly local: boolean;
  readonly modes?: TransactionModes;
}

/** Transaction modes of BEGIN / SET TRANSACTION; null where not given. */
export interface TransactionModes {
  /** Lower case ('repeatable read'). */
  readonly isolation: string | null;
  readonly readOnly: boolean | null;
}

export interface ShowStmt {
  readonly kind: 'Show';
  readonly name: string;
}

export interface ExplainStmt {
  readonly kind: 'Explain';
  readonly analyze: boolean;
  readonly verbose: boolean;
  readonly costs: boolean;
  /** ANALYZE's actual times per node (TIMING, default on). */
  readonly timing: boolean;
  /** Planning Time / Execution Time lines (SUMMARY, default on with ANALYZE). */
  readonly summary: boolean;
  /** EXECUTE: the prepared statement, planned for the arguments given. */
  readonly statement: PreparableStmt | ExecuteStmt;
}

export interface CopyStmt {
  readonly kind: 'Copy';
  readonly table: QualifiedName | null;
  readonly query: SelectStmt | null;
  readonly columns: readonly string[];
  readonly from: boolean;
  /** STDIN/STDOUT only; files are rejected by the converter. */
  readonly format: 'text' | 'csv' | 'binary';
  readonly delimiter: string | null;
  readonly nullString: string | null;
  readonly header: boolean;
  readonly quote: string | null;
  readonly escape: string | null;
}

/** Statements accepted and ignored (VACUUM, ANALYZE, CHECKPOINT, DISCARD, LOCK, COMMENT ON …). */
/** SET CONSTRAINTS {ALL | names} {DEFERRED | IMMEDIATE}; `names` null = ALL. */
export interface SetConstraintsStmt {
  readonly kind: 'SetConstraints';
  readonly names: readonly QualifiedName[] | null;
  readonly deferred: boolean;
}

export interface NoOpStmt {
  readonly kind: 'NoOp';
  /** Command tag to return, e.g. 'VACUUM'. */
  readonly tag: string;
}

/** COMMENT ON TABLE|VIEW|COLUMN (other objects stay accepted and ignored: NoOp). */
export interface CommentStmt {
  readonly kind: 'Comment';
  readonly target: 'relation' | 'column';
  /** [schema.]relation[.column] as written. */
  readonly names: readonly string[];
  /** NULL (or '') removes the comment. */
  readonly comment: string | null;
}

export interface CreateViewStmt {
  readonly kind: 'CreateView';
  readonly name: QualifiedName;
  readonly query: SelectStmt;
  readonly replace: boolean;
  readonly columns: readonly string[];
}

export type Statement =
  | SelectStmt
  | InsertStmt
  | UpdateStmt
  | DeleteStmt
  | CreateTableStmt
  | DropStmt
  | CreateIndexStmt
  | CreateSequenceStmt
  | AlterTableStmt
  | SchemaStmt
  | ExtensionStmt
  | DatabaseStmt
  | RoleStmt
  | TruncateStmt
  | TransactionStmt
  | SetStmt
  | ShowStmt
  | ExplainStmt
  | CopyStmt
  | NoOpStmt
  | SetConstraintsStmt
  | CommentStmt
  | CreateViewStmt
  | RenameIndexStmt
  | ReindexStmt
  | CursorStatement
  | PreparedStatementStmt;

/** One parsed statement with its source text (for error positions and pg_stat_activity). */
export interface ParsedStatement {
  readonly stmt: Statement;
  /** The statement's own text (sliced from the query string). */
  readonly text: string;
  /**
   * Offset of `text` within the whole query string, in characters (code points) like every
   * AST `loc`; equal to the JS string index unless astral-plane characters precede it.
   */
  readonly offset: number;
  /** Highest $n referenced. */
  readonly paramCount: number;
}
