/**
 * The contract between the wire layer (protocol duty) and the engine (query duty).
 *
 * The wire layer owns framing, the connection state machine, authentication, TLS,
 * cancel keys and the ordering of replies. It knows nothing of SQL: it hands query text,
 * parameter bytes and portal names to a `Session` and writes what the session emits
 * through a `ResultSink`. Values arrive and leave already encoded (text or binary bytes).
 */
import type { SqlError } from '../errors/sql-error.ts';

/** Wire format code of a parameter or result column: 0 = text, 1 = binary. */
export type FormatCode = 0 | 1;

/** One column of a RowDescription message. */
export interface FieldDescription {
  readonly name: string;
  readonly tableOid: number;
  readonly columnAttr: number;
  readonly typeOid: number;
  readonly typeSize: number;
  readonly typeMod: number;
  readonly format: FormatCode;
}

/** An encoded cell: UTF-8 text (as string or bytes), binary bytes, or SQL NULL. */
export type WireValue = string | Uint8Array | null;

/** 'I' idle, 'T' in a transaction block, 'E' in a failed transaction block. */
export type TransactionStatus = 'I' | 'T' | 'E';

export interface Notice {
  readonly severity: 'WARNING' | 'NOTICE' | 'INFO' | 'LOG' | 'DEBUG';
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
}

/** COPY stream description (CopyInResponse / CopyOutResponse). */
export interface CopyFormat {
  /** Overall format: 0 text/csv, 1 binary. */
  readonly format: FormatCode;
  readonly columnCount: number;
}

/**
 * Where a session writes its results. The wire layer turns each call into protocol
 * messages, in call order. Methods are synchronous (they buffer); `flush` is awaited at
 * natural points so that large results stream with back-pressure.
 */
export interface ResultSink {
  /**
   * Ignored during an extended-protocol Execute (the client got the row description from
   * Describe), so one code path may serve both protocols.
   */
  rowDescription(fields: readonly FieldDescription[]): void;
  dataRow(values: readonly WireValue[]): void;
  commandComplete(tag: string): void;
  emptyQuery(): void;
  notice(notice: Notice): void;
  parameterStatus(name: string, value: string): void;
  /**
   * Waits until buffered output has been handed to the socket (back-pressure). Rejects with
   * SqlError 08P01 once the client has disconnected, so long results stop early.
   */
  flush(): Promise<void>;
  /**
   * Starts COPY FROM STDIN: sends CopyInResponse and yields the CopyData payloads the client
   * sends. The iterator ends at CopyDone; it throws a SqlError (57014) if the client sends
   * CopyFail, or 08P01 if the connection breaks.
   */
  copyIn(format: CopyFormat): AsyncIterable<Uint8Array>;
  /** Starts COPY TO STDOUT (CopyOutResponse); follow with copyData… and copyDone. */
  copyOutStart(format: CopyFormat): void;
  copyData(data: Uint8Array): void;
  copyDone(): void;
}

/** What Describe (statement) reports. `fields` is null when the statement returns no rows. */
export interface StatementDescription {
  readonly parameterTypes: readonly number[];
  readonly fields: readonly FieldDescription[] | null;
}

export interface BindRequest {
  readonly portal: string;
  readonly statement: string;
  /**
   * Exactly one entry per parameter: the wire layer expands the protocol's "none = all
   * text" and "one = applies to all" forms. Text parameters are already checked to be valid
   * UTF-8 without NUL bytes.
   */
  readonly parameterFormats: readonly FormatCode[];
  /** Copies owned by the session (safe to keep in a portal). */
  readonly parameters: readonly (Uint8Array | null)[];
  /** As sent: empty (all text), one code for all columns, or one per column. */
  readonly resultFormats: readonly FormatCode[];
}

export type ExecuteResult = 'complete' | 'suspended';

/**
 * One client connection's engine state. Calls are strictly sequential: the wire layer never
 * calls a method before the previous call's promise settled. Methods throw `SqlError`.
 */
export interface Session {
  /** Simple query protocol: runs every statement in `sql` (one or more), writing each result. */
  simpleQuery(sql: string, sink: ResultSink): Promise<void>;
  /** Parse: prepares `sql` (at most one statement) under `name` ('' = unnamed). */
  parse(name: string, sql: string, parameterTypes: readonly number[]): Promise<void>;
  bind(request: BindRequest): Promise<void>;
  describeStatement(name: string): StatementDescription;
  /** RowDescription fields of a portal (with its result formats), or null for NoData. */
  describePortal(name: string): readonly FieldDescription[] | null;
  /** Execute: runs (or resumes) a portal; maxRows 0 = all rows. */
  execute(portal: string, maxRows: number, sink: ResultSink): Promise<ExecuteResult>;
  closeStatement(name: string): void;
  closePortal(name: string): void;
  /**
   * Sync: ends the implicit transaction of an extended-protocol batch (commits it, or
   * rolls it back after an error).
   */
  sync(): Promise<void>;
  /** Called by the wire layer when an error aborted processing in extended mode. */
  onExtendedError(error: SqlError): void;
  /** Current status for ReadyForQuery. */
  transactionStatus(): TransactionStatus;
  /** CancelRequest with this session's key: abort the running statement with 57014. */
  cancel(): void;
  /** The connection is gone (Terminate or socket closed): release everything. */
  close(): void;
  /** Milliseconds after which an idle-in-transaction session is terminated (0 = never). */
  idleInTransactionTimeout(): number;
}

export interface StartupInfo {
  readonly user: string;
  readonly database: string;
  /** All StartupMessage parameters as sent (application_name, options, client_encoding, …). */
  readonly parameters: Readonly<Record<string, string>>;
  readonly remoteAddress: string;
  /** Set when a cluster standby vouches it authenticated this user (its write-forwarding link). */
  readonly vouchedUser?: string;
  readonly tls: boolean;
  readonly processId: number;
}

/** How the wire layer must authenticate a user before the session starts. */
export type AuthPlan =
  | { readonly method: 'trust' }
  | { readonly method: 'password'; readonly check: (password: string) => boolean }
  | { readonly method: 'md5'; readonly check: (md5Response: string, salt: Uint8Array) => boolean }
  | { readonly method: 'scram-sha-256'; readonly verifier: ScramVerifier }
  | { readonly method: 'reject'; readonly error: SqlError };

/** A stored SCRAM-SHA-256 verifier (RFC 5802/7677), as PostgreSQL keeps in pg_authid. */
export interface ScramVerifier {
  readonly iterations: number;
  readonly salt: Uint8Array;
  readonly storedKey: Uint8Array;
  readonly serverKey: Uint8Array;
}

/** The engine side the wire server talks to. */
export interface Backend {
  /** Decides how to authenticate; errors (e.g. unknown role) become FATAL 28000. */
  authPlan(info: StartupInfo): Promise<AuthPlan>;
  /**
   * Opens a session after authentication succeeded. Throws SqlError (e.g. 3D000 database
   * does not exist) which the wire layer sends as FATAL. Returns the session and the
   * ParameterStatus values to announce.
   */
  openSession(info: StartupInfo): Promise<{ session: Session; parameterStatus: Record<string, string> }>;
}
