/**
 * SqlError across the gRPC hop (DESIGN §2: "keeps its SQLSTATE across gRPC hops").
 *
 * Server side: a thrown SqlError becomes a gRPC status whose code roughly matches its class
 * (for logs and gRPC tooling) and whose trailing metadata carries every SqlError field as
 * JSON; anything else becomes XX000 and is logged. Client side: the metadata, when present,
 * rebuilds the identical SqlError; otherwise the status code decides (deadline → 57014
 * statement timeout, a lost peer → PeerUnavailableError).
 */
import { Metadata, type ServiceError, type StatusObject, status } from '@grpc/grpc-js';
import {
  isUnclassified,
  type Severity,
  SqlError,
  type SqlErrorFields,
  SqlState,
  sqlErrorFields,
  toSqlError,
} from '../../errors/sql-error.ts';
import type { SqlStateCode } from '../../errors/sqlstate.ts';

export const SQL_ERROR_METADATA_KEY = 'quiver-sql-error-bin';

export interface RpcLogger {
  error(message: string, error?: unknown): void;
}

/**
 * A peer could not be reached or went away mid-call (connection refused or reset, process
 * killed, node shutting down or not ready). The read can be retried on another replica.
 * SQLSTATE 08006 connection_failure, as postgres_fdw reports a lost remote server, unless
 * the peer itself refused with its own code (57P01 shutting down, 57P03 not ready yet).
 * See docs/decisions.md.
 */
export class PeerUnavailableError extends SqlError {
  readonly retryable = true;

  constructor(
    readonly peer: string,
    code: SqlStateCode,
    message: string,
    fields: SqlErrorFields = {},
  ) {
    super(code, message, fields);
    this.name = 'PeerUnavailableError';
  }
}

export function isRetryable(err: unknown): err is PeerUnavailableError {
  return err instanceof PeerUnavailableError;
}

/**
 * SQLSTATEs that mean "ask another replica": the node is shutting down or not ready, or it
 * lost a connection it needed itself. Not 08P01: a malformed message is malformed anywhere.
 */
function isUnavailableState(code: string): boolean {
  if (code === SqlState.AdminShutdown || code === SqlState.CannotConnectNow) return true;
  return code.startsWith('08') && code !== SqlState.ProtocolViolation;
}

function grpcCodeFor(code: string): status {
  if (isUnavailableState(code)) return status.UNAVAILABLE;
  if (code === SqlState.QueryCanceled) return status.CANCELLED;
  if (code.startsWith('53')) return status.RESOURCE_EXHAUSTED;
  if (code.startsWith('0A')) return status.UNIMPLEMENTED;
  if (code.startsWith('22') || code.startsWith('42')) return status.INVALID_ARGUMENT;
  if (code.startsWith('40')) return status.ABORTED;
  if (code.startsWith('25') || code.startsWith('55')) return status.FAILED_PRECONDITION;
  if (code.startsWith('XX')) return status.INTERNAL;
  return status.UNKNOWN;
}

/** A SqlError as it crosses the hop (JSON, in trailing metadata or a SearchReply). */
export type WireFields = SqlErrorFields & { code: string; message: string };

/** A handler's failure as a SqlError; anything unclassified is logged and becomes XX000. */
function classify(err: unknown, logger: RpcLogger, where: string): SqlError {
  if (isUnclassified(err)) logger.error(`cluster rpc: ${where} failed with an unclassified error`, err);
  return toSqlError(err);
}

/** A handler's failure as the SqlError fields that cross the hop. */
function wireFields(err: unknown, logger: RpcLogger, where: string): WireFields {
  const e = classify(err, logger, where);
  return { code: e.code, message: e.message, ...sqlErrorFields(e) };
}

/** A handler's failure as UTF-8 JSON of its SqlError fields. */
export function errorToJson(err: unknown, logger: RpcLogger, where: string): Buffer {
  return Buffer.from(JSON.stringify(wireFields(err, logger, where)), 'utf8');
}

/** The status a handler's failure is sent as. */
export function errorToStatus(err: unknown, logger: RpcLogger, where: string): Partial<StatusObject> {
  const fields = wireFields(err, logger, where);
  const metadata = new Metadata();
  metadata.set(SQL_ERROR_METADATA_KEY, Buffer.from(JSON.stringify(fields), 'utf8'));
  return { code: grpcCodeFor(fields.code), details: fields.message, metadata };
}

/**
 * What the caller of an in-process peer sees for a handler failure: the same error a remote
 * caller would get after the hop (XX000 for the unclassified, retryable for 57P01/57P03).
 */
export function handlerErrorForCaller(
  err: unknown,
  peer: string,
  logger: RpcLogger,
  where: string,
): SqlError {
  const e = classify(err, logger, where);
  const fields = { ...sqlErrorFields(e), severity: callerSeverity(e.severity) };
  if (isUnavailableState(e.code) && !(e instanceof PeerUnavailableError)) {
    return new PeerUnavailableError(peer, e.code, e.message, fields);
  }
  return fields.severity === e.severity ? e : new SqlError(e.code, e.message, fields);
}

/**
 * A peer's FATAL ended a session on the peer, not the caller's: the caller's statement
 * fails (ERROR) and its client connection stays open.
 */
function callerSeverity(severity: Severity | undefined): Severity | undefined {
  return severity === 'FATAL' || severity === 'PANIC' ? 'ERROR' : severity;
}

export const statementTimeout = () =>
  new SqlError(SqlState.QueryCanceled, 'canceling statement due to statement timeout');
export const userCancel = () =>
  new SqlError(SqlState.QueryCanceled, 'canceling statement due to user request');
export const adminShutdown = () =>
  new SqlError(SqlState.AdminShutdown, 'terminating connection due to administrator command');

/** What an aborted signal means for the caller: its own reason if that is a SqlError. */
export function abortError(signal: AbortSignal): SqlError {
  return signal.reason instanceof SqlError ? signal.reason : userCancel();
}

function parseWireFields(raw: Uint8Array | string): WireFields | undefined {
  try {
    const text =
      typeof raw === 'string'
        ? raw
        : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
    const parsed = JSON.parse(text) as WireFields;
    return typeof parsed.code === 'string' && typeof parsed.message === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The caller's SqlError for one a peer sent: same fields, retryable when it means "ask another replica". */
function errorFromFields(sent: WireFields, peer: string): SqlError {
  const { code, message, ...fields } = sent;
  fields.severity = callerSeverity(fields.severity);
  const sqlCode = code as SqlStateCode;
  if (isUnavailableState(code)) return new PeerUnavailableError(peer, sqlCode, message, fields);
  return new SqlError(sqlCode, message, fields);
}

/** The SqlError a SearchReply's `error` raises (08P01 when it is not one). */
export function errorFromJson(raw: Uint8Array, peer: string): SqlError {
  const sent = parseWireFields(raw);
  if (!sent)
    return new SqlError(SqlState.ProtocolViolation, `malformed cluster RPC message: error from ${peer}`);
  return errorFromFields(sent, peer);
}

/**
 * The SqlError a failed call raises. `signal` is the caller's: a call it cancelled reports
 * the caller's reason, whatever status the channel produced on the way.
 */
export function statusToError(err: ServiceError, peer: string, signal: AbortSignal | undefined): SqlError {
  if (signal?.aborted) return abortError(signal);
  const raw = err.metadata?.get(SQL_ERROR_METADATA_KEY)[0];
  const sent = raw === undefined ? undefined : parseWireFields(raw);
  if (sent) return errorFromFields(sent, peer);
  switch (err.code) {
    case status.DEADLINE_EXCEEDED:
      return statementTimeout();
    // CANCELLED that this side did not ask for: the server went away (forced shutdown).
    case status.UNAVAILABLE:
    case status.CANCELLED:
      return lostPeer(peer, err);
    case status.INTERNAL:
      // A stream reset by a dying peer, as opposed to a server that answered.
      if (/RST_STREAM|Connection dropped|ECONNRESET/i.test(err.details)) return lostPeer(peer, err);
      break;
    case status.RESOURCE_EXHAUSTED:
      return new SqlError(SqlState.ProgramLimitExceeded, `cluster RPC to ${peer} failed: ${err.details}`);
  }
  return new SqlError(SqlState.InternalError, `cluster RPC to ${peer} failed: ${err.details}`);
}

export function lostPeer(peer: string, err: Pick<ServiceError, 'details'>): PeerUnavailableError {
  return new PeerUnavailableError(peer, SqlState.ConnectionFailure, `could not reach cluster node ${peer}`, {
    detail: err.details,
  });
}
