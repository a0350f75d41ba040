/**
 * One client connection: the protocol state machine between a SocketChannel and a Session.
 *
 * A single loop reads one message at a time and awaits the session before reading the next,
 * so pipelined messages are handled strictly in order and the session is never called
 * concurrently. Every state transition happens in `handle` and the methods it calls.
 *
 *   startup ──▶ auth ──▶ ready ◀──▶ failed-until-sync      (error in extended mode)
 *                          │  ▲
 *                          ▼  │
 *                        copy-in                            (during COPY FROM STDIN)
 *   any ──▶ closed
 */
import type { SecureContext } from 'node:tls';
import { SqlError, SqlState, toSqlError } from '../errors/sql-error.ts';
import { authenticate } from './authenticate.ts';
import type { CancelKey, CancelRegistry } from './cancel-registry.ts';
import { readCopyIn } from './copy-in.ts';
import { decodeFrontendMessage, type FrontendMessage } from './frontend-messages.ts';
import { GuardedSession } from './guarded-session.ts';
import type { Frame } from './message-reader.ts';
import { FrontendCode, PROTOCOL_MINOR } from './protocol.ts';
import { type SinkMode, WireResultSink } from './result-sink.ts';
import type { Backend, StartupInfo } from './session.ts';
import type { SocketChannel, WireLogger } from './socket-channel.ts';
import { negotiateStartup } from './startup.ts';
import { asFatal, ConnectionClosed, protocolViolation } from './wire-errors.ts';

export type ConnectionState = 'startup' | 'auth' | 'ready' | 'failed-until-sync' | 'copy-in' | 'closed';

export interface ConnectionContext {
  readonly backend: Backend;
  readonly cancelKeys: CancelRegistry;
  readonly logger: WireLogger;
  readonly tls: SecureContext | undefined;
  /** Time allowed for startup and authentication (PostgreSQL's authentication_timeout). */
  readonly authTimeoutMs: number;
}

/** Messages of the extended protocol: an error in them discards input until Sync. */
const EXTENDED = new Set<number>([
  FrontendCode.Parse,
  FrontendCode.Bind,
  FrontendCode.Describe,
  FrontendCode.Execute,
  FrontendCode.Close,
  FrontendCode.Flush,
]);

export class Connection {
  private stateValue: ConnectionState = 'startup';
  private session: GuardedSession | null = null;
  private key: CancelKey | null = null;
  /** ReadyForQuery was sent and no message has arrived since: the client is idle. */
  private idle = false;

  constructor(
    private readonly channel: SocketChannel,
    private readonly context: ConnectionContext,
  ) {
    // A statement still running for a client that is gone is cancelled at once.
    channel.onClosed(() => this.session?.cancelRunning());
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** Runs the connection to its end. Never rejects. */
  async run(): Promise<void> {
    try {
      if (await this.start()) await this.serve();
    } catch (error) {
      this.fail(error);
    } finally {
      this.finish();
    }
  }

  /** Ends the connection from the server side (shutdown): FATAL 57P01 if a client is idle. */
  terminate(
    reason = new SqlError(SqlState.AdminShutdown, 'terminating connection due to administrator command', {
      severity: 'FATAL',
    }),
  ): void {
    if (this.stateValue === 'closed') return;
    if (this.idle) {
      this.channel.writer.errorResponse(reason);
      this.channel.end();
    } else {
      this.channel.destroy();
    }
  }

  // ---- startup and authentication ----

  private async start(): Promise<boolean> {
    const { backend, cancelKeys, logger } = this.context;
    const deadline = Date.now() + this.context.authTimeoutMs;
    const outcome = await negotiateStartup(this.channel, this.context.tls, deadline);
    if (outcome === null) return false;
    if (outcome.kind === 'cancel') {
      // No reply, whether or not the key matched (protocol section "Canceling Requests").
      cancelKeys.cancel(outcome.processId, outcome.secretKey);
      return false;
    }
    this.stateValue = 'auth';
    if (outcome.minor > PROTOCOL_MINOR || outcome.unrecognizedOptions.length > 0) {
      this.channel.writer.negotiateProtocolVersion(PROTOCOL_MINOR, outcome.unrecognizedOptions);
    }
    this.key = cancelKeys.register(() => this.session?.cancelRunning());
    const info: StartupInfo = {
      user: outcome.user,
      database: outcome.database,
      parameters: outcome.parameters,
      remoteAddress: this.channel.remoteAddress,
      vouchedUser: this.channel.vouchedUser,
      tls: this.channel.tls,
      processId: this.key.processId,
    };
    // Promise.resolve().then: a backend that throws synchronously is handled the same way.
    const plan = await Promise.resolve()
      .then(() => backend.authPlan(info))
      .catch((error: unknown) => {
        throw this.startupError(error, SqlState.InvalidAuthorizationSpecification);
      });
    await authenticate(this.channel, plan, info.user, deadline, logger);
    this.channel.writer.authenticationOk();
    const opened = await Promise.resolve()
      .then(() => backend.openSession(info))
      .catch((error: unknown) => {
        throw this.startupError(error, SqlState.InternalError);
      });
    this.session = new GuardedSession(opened.session, logger);
    if (this.channel.closed) return false;
    for (const [name, value] of Object.entries(opened.parameterStatus)) {
      this.channel.writer.parameterStatus(name, value);
    }
    this.channel.writer.backendKeyData(this.key.processId, this.key.secretKey);
    this.stateValue = 'ready';
    this.readyForQuery();
    return true;
  }

  /** Backend errors during startup are FATAL; unclassified ones get `fallback` and a log line. */
  private startupError(error: unknown, fallback: SqlError['code']): SqlError {
    if (error instanceof SqlError) return asFatal(error);
    this.context.logger.error('wire: backend failed during connection startup', error);
    const message = error instanceof Error ? error.message : String(error);
    return new SqlError(fallback, message, { severity: 'FATAL' });
  }

  // ---- the message loop ----

  private async serve(): Promise<void> {
    for (;;) {
      const timeout = this.idle ? this.session!.idleInTransactionTimeout() : 0;
      const frame = await this.channel.readMessage(timeout > 0 ? { deadline: Date.now() + timeout } : {});
      if (frame === 'eof') return;
      if (frame === 'timeout') {
        throw new SqlError(
          SqlState.IdleInTransactionSessionTimeout,
          'terminating connection due to idle-in-transaction timeout',
          { severity: 'FATAL' },
        );
      }
      this.idle = false;
      await this.handle(frame);
      if (this.stateValue === 'closed') return;
    }
  }

  /** The state machine: what a message means depends on the state it arrives in. */
  private async handle(frame: Frame): Promise<void> {
    switch (this.stateValue) {
      case 'ready':
        return this.dispatch(frame);
      case 'failed-until-sync':
        // Protocol 55.2.3: after an error, everything up to Sync is read and discarded.
        if (frame.type === FrontendCode.Sync || frame.type === FrontendCode.Terminate)
          return this.dispatch(frame);
        return;
      case 'startup':
      case 'auth':
      case 'copy-in':
      case 'closed':
        throw protocolViolation(`unexpected message type ${frame.type} in state ${this.stateValue}`);
    }
  }

  private async dispatch(frame: Frame): Promise<void> {
    try {
      await this.execute(decodeFrontendMessage(frame));
    } catch (error) {
      this.recover(error, frame.type);
    }
  }

  private async execute(message: FrontendMessage): Promise<void> {
    const guarded = this.session!;
    const session = guarded.session;
    const out = this.channel.writer;
    switch (message.kind) {
      case 'Query':
        await this.withSink('simple', (sink) => session.simpleQuery(message.sql, sink));
        return this.readyForQuery();
      case 'Parse':
        await guarded.run(() => session.parse(message.name, message.sql, message.parameterTypes));
        out.parseComplete();
        return;
      case 'Bind':
        await guarded.run(() => session.bind(message.request));
        out.bindComplete();
        return;
      case 'Describe':
        if (message.target === 'S') {
          const description = session.describeStatement(message.name);
          out.parameterDescription(description.parameterTypes);
          if (description.fields) out.rowDescription(description.fields);
          else out.noData();
        } else {
          const fields = session.describePortal(message.name);
          if (fields) out.rowDescription(fields);
          else out.noData();
        }
        return;
      case 'Execute': {
        const result = await this.withSink('execute', (sink) =>
          session.execute(message.portal, message.maxRows, sink),
        );
        if (result === 'suspended') out.portalSuspended();
        return;
      }
      case 'Close':
        if (message.target === 'S') session.closeStatement(message.name);
        else session.closePortal(message.name);
        out.closeComplete();
        return;
      case 'Sync':
        this.stateValue = 'ready';
        try {
          await guarded.run(() => session.sync());
        } catch (error) {
          // Reported, but the batch is over either way.
          this.report(error);
        }
        return this.readyForQuery();
      case 'Flush':
        this.channel.send();
        return;
      case 'Terminate':
        this.stateValue = 'closed';
        return;
      case 'CopyData':
      case 'CopyDone':
      case 'CopyFail':
        // Leftovers of a COPY that already failed are dropped (protocol 55.2.6).
        return;
      case 'FunctionCall':
        throw new SqlError(SqlState.FeatureNotSupported, 'fastpath function calls are not supported');
      case 'Password':
        throw protocolViolation(`invalid frontend message type ${FrontendCode.Password}`);
    }
  }

  /** Handles an error of one message: FATAL ends the connection, ERROR is reported. */
  private recover(error: unknown, type: number): void {
    if (error instanceof ConnectionClosed || this.channel.closed) throw new ConnectionClosed();
    if (error instanceof SqlError && (error.severity === 'FATAL' || error.severity === 'PANIC')) throw error;
    const sqlError = this.report(error);
    if (EXTENDED.has(type)) {
      this.session?.onExtendedError(sqlError);
      this.stateValue = 'failed-until-sync';
    } else {
      // Query (and the unsupported FunctionCall) end with ReadyForQuery, error or not.
      this.readyForQuery();
    }
  }

  /** Writes an ErrorResponse; unclassified errors become XX000 and are logged. */
  private report(error: unknown): SqlError {
    const sqlError = toSqlError(error);
    if (!(error instanceof SqlError))
      this.context.logger.error('wire: unclassified error from session, sent to the client as XX000', error);
    this.channel.writer.errorResponse(sqlError);
    return sqlError;
  }

  private readyForQuery(): void {
    this.channel.writer.readyForQuery(this.session?.transactionStatus() ?? 'I');
    this.channel.send();
    this.idle = true;
  }

  // ---- calling the session ----

  /** Runs a session call that writes results; COPY FROM STDIN reads go through `copyIn`. */
  private async withSink<T>(mode: SinkMode, run: (sink: WireResultSink) => Promise<T>): Promise<T> {
    const sink = new WireResultSink(this.channel, mode, () => this.copyIn(), this.context.logger);
    try {
      return await this.session!.run(() => run(sink));
    } finally {
      sink.detach();
    }
  }

  /** The CopyData payloads of one COPY FROM STDIN, in state 'copy-in' while it lasts. */
  private async *copyIn(): AsyncGenerator<Uint8Array> {
    const previous = this.stateValue;
    this.stateValue = 'copy-in';
    try {
      yield* readCopyIn(this.channel);
    } finally {
      if (this.stateValue === 'copy-in') this.stateValue = previous;
    }
  }

  // ---- the end ----

  /** Reports a connection-ending error to the client, if it is still there. */
  private fail(error: unknown): void {
    if (error instanceof ConnectionClosed || this.channel.closed) return;
    if (!(error instanceof SqlError)) this.context.logger.error('wire: connection failed', error);
    this.channel.writer.errorResponse(asFatal(toSqlError(error)));
  }

  private finish(): void {
    this.stateValue = 'closed';
    this.idle = false;
    if (this.key) this.context.cancelKeys.unregister(this.key.processId);
    this.session?.close();
    this.session = null;
    this.channel.end();
  }
}
