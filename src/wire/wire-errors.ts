/** Errors the wire layer raises itself: protocol faults and a lost connection. */
import { SqlError, SqlState } from '../errors/sql-error.ts';

/**
 * A protocol violation (SQLSTATE 08P01). FATAL by default: PostgreSQL closes the connection
 * when framing can no longer be trusted. Faults inside a well-framed message are ERRORs.
 */
export function protocolViolation(message: string, severity: 'FATAL' | 'ERROR' = 'FATAL'): SqlError {
  return new SqlError(SqlState.ProtocolViolation, message, { severity });
}

/** The same error raised as FATAL, keeping its code and fields. */
export function asFatal(error: SqlError): SqlError {
  if (error.severity === 'FATAL') return error;
  return new SqlError(error.code, error.message, {
    severity: 'FATAL',
    detail: error.detail,
    hint: error.hint,
    position: error.position,
    internalPosition: error.internalPosition,
    internalQuery: error.internalQuery,
    where: error.where,
    schema: error.schema,
    table: error.table,
    column: error.column,
    dataType: error.dataType,
    constraint: error.constraint,
  });
}

/** Thrown inside the connection when the client went away; never reported to anyone. */
export class ConnectionClosed extends Error {
  constructor() {
    super('connection to client lost');
    this.name = 'ConnectionClosed';
  }
}
