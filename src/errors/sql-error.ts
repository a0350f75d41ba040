import { SqlState, type SqlStateCode } from './sqlstate.ts';

export type Severity = 'ERROR' | 'FATAL' | 'PANIC' | 'WARNING' | 'NOTICE' | 'DEBUG' | 'INFO' | 'LOG';

/** The optional fields of a PostgreSQL ErrorResponse/NoticeResponse (protocol "Error and Notice Message Fields"). */
export interface SqlErrorFields {
  detail?: string;
  hint?: string;
  /** 1-based character position in the original query text (field 'P'). */
  position?: number;
  internalPosition?: number;
  internalQuery?: string;
  where?: string;
  schema?: string;
  table?: string;
  column?: string;
  dataType?: string;
  constraint?: string;
  severity?: Severity;
}

/**
 * The one error type Quiver raises for anything a client should see. It carries its
 * SQLSTATE from the point of failure; the wire layer serializes it unchanged.
 */
export class SqlError extends Error {
  readonly code: SqlStateCode;
  readonly severity: Severity;
  readonly detail?: string;
  readonly hint?: string;
  position?: number;
  readonly internalPosition?: number;
  readonly internalQuery?: string;
  readonly where?: string;
  readonly schema?: string;
  readonly table?: string;
  readonly column?: string;
  readonly dataType?: string;
  readonly constraint?: string;

  constructor(code: SqlStateCode, message: string, fields: SqlErrorFields = {}) {
    super(message);
    this.name = 'SqlError';
    this.code = code;
    this.severity = fields.severity ?? 'ERROR';
    this.detail = fields.detail;
    this.hint = fields.hint;
    this.position = fields.position;
    this.internalPosition = fields.internalPosition;
    this.internalQuery = fields.internalQuery;
    this.where = fields.where;
    this.schema = fields.schema;
    this.table = fields.table;
    this.column = fields.column;
    this.dataType = fields.dataType;
    this.constraint = fields.constraint;
  }

  private positionLocked = false;

  /** Returns this error with a position attached, unless it already has one (or must have none). */
  at(position: number | undefined): this {
    if (this.positionLocked) return this;
    if (this.position === undefined && position !== undefined && position >= 0) this.position = position;
    return this;
  }

  /**
   * Marks an error PostgreSQL reports without a cursor position (errors raised while
   * evaluating, such as a typmod coercion, rather than while parsing a literal).
   */
  withoutPosition(): this {
    this.positionLocked = true;
    return this;
  }
}

/** An error's optional fields, to rebuild it elsewhere (another thread, another node). */
export function sqlErrorFields(e: SqlError): SqlErrorFields {
  return {
    severity: e.severity,
    detail: e.detail,
    hint: e.hint,
    position: e.position,
    internalPosition: e.internalPosition,
    internalQuery: e.internalQuery,
    where: e.where,
    schema: e.schema,
    table: e.table,
    column: e.column,
    dataType: e.dataType,
    constraint: e.constraint,
  };
}

/** Maps anything thrown to a SqlError; unclassified errors become XX000 (the caller logs them). */
export function toSqlError(err: unknown): SqlError {
  if (err instanceof SqlError) return err;
  if (err instanceof RangeError && /Maximum call stack/.test(err.message)) {
    return new SqlError(SqlState.StatementTooComplex, 'stack depth limit exceeded', {
      hint: 'Increase the configuration parameter "max_stack_depth".',
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new SqlError(SqlState.InternalError, message);
}

export function isUnclassified(err: unknown): boolean {
  return !(err instanceof SqlError);
}

export { SqlState };
