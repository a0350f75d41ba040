/**
 * A node's QuiverNode gRPC server. The engine implements NodeHandlers; this file owns
 * everything about the hop: decoding, SqlError → status (status-mapping.ts), deadlines and
 * cancellation turned into one AbortSignal per call, stream back-pressure, and the count
 * of calls in flight that Health reports.
 */
import {
  type Deadline,
  type handleBidiStreamingCall,
  type handleServerStreamingCall,
  type handleUnaryCall,
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { SqlError, SqlState } from '../../errors/sql-error.ts';
import type {
  CommitPosition,
  CommitPositionRequest,
  FetchRequest,
  NodeHealth,
  RowBatch,
  SearchRequest,
  SearchResponse,
  TailRequest,
  WalBatch,
} from './messages.ts';
import {
  commitPositionRequestFromWire,
  commitPositionToWire,
  fetchRequestFromWire,
  healthToWire,
  rowBatchToWire,
  searchRequestFromWire,
  searchResponseToWire,
  tailRequestFromWire,
  type WireFetchRequest,
  type WireHealthResponse,
  type WireRowBatch,
  type WireSearchCall,
  type WireSearchReply,
  type WireTailRequest,
  type WireWalBatch,
  walBatchToWire,
} from './proto-codec.ts';
import { MAX_MESSAGE_BYTES, quiverNodeService } from './quiver-service.ts';
import {
  adminShutdown,
  errorToJson,
  errorToStatus,
  type RpcLogger,
  statementTimeout,
  userCancel,
} from './status-mapping.ts';

/** What a handler knows about the call it serves. */
export interface CallContext {
  /**
   * Fires when the caller cancels, its deadline passes, or the server shuts down; its
   * reason is a 57014 SqlError a handler may simply rethrow (`signal.throwIfAborted()`).
   */
  readonly signal: AbortSignal;
  /** The caller's deadline (ms since the epoch), if it set one. */
  readonly deadline: number | undefined;
  /** The caller's address, for logs. */
  readonly peer: string;
}

/**
 * What a node does for its peers; the engine implements it. Throw SqlError for failures
 * the coordinator should see as they are (57P03 for "not ready / segment not loaded here"
 * makes the caller try another replica). Streams end when the iterable does; a handler
 * that waits for more (TailWal) must stop when `ctx.signal` fires.
 */
export interface NodeHandlers {
  searchSegments(request: SearchRequest, ctx: CallContext): Promise<SearchResponse>;
  fetchRows(request: FetchRequest, ctx: CallContext): AsyncIterable<RowBatch>;
  tailWal(request: TailRequest, ctx: CallContext): AsyncIterable<WalBatch>;
  commitPosition(request: CommitPositionRequest, ctx: CallContext): Promise<CommitPosition> | CommitPosition;
  health(ctx: CallContext): Promise<Omit<NodeHealth, 'inFlightRpcs'>> | Omit<NodeHealth, 'inFlightRpcs'>;
}

export interface NodeServerOptions {
  readonly handlers: NodeHandlers;
  /** Address to bind; default 127.0.0.1 (loopback). */
  readonly host?: string;
  /** Default 0: an ephemeral port. */
  readonly port?: number;
  /** Host peers should dial (what membership publishes); default `host`. */
  readonly advertiseHost?: string;
  /** Default: console.error. */
  readonly logger?: RpcLogger;
}

const SERVER_OPTIONS = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  // Clients ping idle connections (node-client.ts); accept that rather than GOAWAY them.
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.min_ping_interval_without_data_ms': 5_000,
};

/** Timers may fire a millisecond early; a cancel this close to the deadline is the deadline. */
const DEADLINE_SLACK_MS = 10;

const consoleLogger: RpcLogger = { error: (message, error) => console.error(message, error) };

export class NodeServer {
  private inFlight = 0;
  private readonly live = new Set<AbortController>();
  /** Open SearchSegments streams, ended when the server closes. */
  private readonly searchStreams = new Set<{ endIfIdle(): void }>();
  private closed = false;

  private boundPort = 0;
  private advertised = '';

  private constructor(
    private readonly server: Server,
    private readonly handlers: NodeHandlers,
    private readonly logger: RpcLogger,
  ) {}

  static async start(options: NodeServerOptions): Promise<NodeServer> {
    const host = options.host ?? '127.0.0.1';
    const server = new Server(SERVER_OPTIONS);
    const node = new NodeServer(server, options.handlers, options.logger ?? consoleLogger);
    // Before binding: grpc-js serves as soon as the port is bound.
    server.addService(quiverNodeService(), node.implementation());
    const target = `${bracketed(host)}:${options.port ?? 0}`;
    node.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(target, ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(new Error(`cluster RPC: cannot listen on ${target}: ${err.message}`)) : resolve(port),
      ),
    );
    node.advertised = `${bracketed(options.advertiseHost ?? host)}:${node.boundPort}`;
    return node;
  }

  /** The bound port (the ephemeral one when 0 was asked for). */
  get port(): number {
    return this.boundPort;
  }

  /** `host:port` for peers to dial. */
  get address(): string {
    return this.advertised;
  }

  /** Calls being handled now. */
  get inFlightRpcs(): number {
    return this.inFlight;
  }

  /**
   * Stops taking calls; calls still running after `graceMs` are cancelled (their handlers'
   * signals fire, their callers see the peer go away and retry elsewhere).
   */
  async close(graceMs = 2_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const graceful = new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
    for (const stream of this.searchStreams) stream.endIfIdle();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)),
    );
    if ((await Promise.race([graceful, timeout])) === 'timeout') {
      const reason = adminShutdown();
      for (const controller of this.live) controller.abort(reason);
      this.server.forceShutdown();
    }
    clearTimeout(timer);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close(0);
  }

  private implementation(): UntypedServiceImplementation {
    const searchSegments: handleBidiStreamingCall<WireSearchCall, WireSearchReply> = (call) =>
      this.serveSearches(call);
    const health: handleUnaryCall<unknown, WireHealthResponse> = (call, callback) => {
      this.unary(call, 'Health', callback, async (ctx) =>
        healthToWire({ ...(await this.handlers.health(ctx)), inFlightRpcs: this.inFlight }),
      );
    };
    const fetchRows: handleServerStreamingCall<WireFetchRequest, WireRowBatch> = (call) => {
      this.stream(call, 'FetchRows', rowBatchToWire, (ctx) =>
        this.handlers.fetchRows(fetchRequestFromWire(call.request), ctx),
      );
    };
    const tailWal: handleServerStreamingCall<WireTailRequest, WireWalBatch> = (call) => {
      this.stream(call, 'TailWal', walBatchToWire, (ctx) =>
        this.handlers.tailWal(tailRequestFromWire(call.request), ctx),
      );
    };
    return { SearchSegments: searchSegments, FetchRows: fetchRows, TailWal: tailWal, Health: health };
  }

  /** One AbortSignal for the call: client cancel, deadline, or server shutdown. */
  private begin(call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>) {
    const deadline = deadlineMs(call.getDeadline());
    const tracked = this.track(deadline, call.getPeer());
    // grpc-js ends a call at its deadline as a cancellation (sometimes a moment before our
    // timer): report it as the timeout it is.
    const onCancel = () =>
      deadline !== undefined && Date.now() >= deadline - DEADLINE_SLACK_MS
        ? tracked.controller.abort(statementTimeout())
        : tracked.controller.abort(userCancel());
    call.on('cancelled', onCancel);
    if (cancelledBeforeStart(call)) onCancel();
    const end = () => {
      call.off('cancelled', onCancel);
      tracked.end();
    };
    return { ctx: tracked.ctx, end };
  }

  /** Counts a call in flight and gives it a signal that fires at its deadline or at shutdown. */
  private track(deadline: number | undefined, peer: string) {
    this.inFlight++;
    const controller = new AbortController();
    this.live.add(controller);
    const timer =
      deadline === undefined
        ? undefined
        : setTimeout(() => controller.abort(statementTimeout()), Math.max(0, deadline - Date.now()));
    const ctx: CallContext = { signal: controller.signal, deadline, peer };
    const end = () => {
      clearTimeout(timer);
      this.live.delete(controller);
      this.inFlight--;
    };
    return { controller, ctx, end };
  }

  /**
   * One caller's SearchSegments stream: each request runs as a call of its own (signal,
   * deadline, in-flight count) and is answered by call id; a cancel message or the stream's
   * end aborts it. When the server closes, the stream ends once its running searches have
   * answered (grpc-js's graceful shutdown waits for every stream), and a search that arrives
   * meanwhile is refused as retryable (57P01).
   */
  private serveSearches(call: ServerDuplexStream<WireSearchCall, WireSearchReply>): void {
    const running = new Map<number, AbortController>();
    const stream = { endIfIdle: () => running.size === 0 && !call.writableEnded && call.end() };
    this.searchStreams.add(stream);
    const reply = (message: WireSearchReply) => {
      if (!call.writableEnded && !call.cancelled) call.write(message);
    };
    const fail = (callId: number, err: unknown) =>
      reply({ callId, error: errorToJson(err, this.logger, 'SearchSegments') });
    call.on('data', (message: WireSearchCall) => {
      if (message.action === 'cancel') {
        running.get(message.callId)?.abort(userCancel());
        return;
      }
      const run = this.searchCall(message);
      if (!run) {
        const what = 'malformed cluster RPC message: a SearchCall without a request';
        fail(message.callId, new SqlError(SqlState.ProtocolViolation, what));
        return;
      }
      if (this.closed) {
        fail(message.callId, adminShutdown());
        return;
      }
      const deadline = message.timeoutMs > 0 ? Date.now() + message.timeoutMs : undefined;
      const { controller, ctx, end } = this.track(deadline, call.getPeer());
      running.set(message.callId, controller);
      // The request decoders may throw (a malformed request): keep them inside the promise.
      Promise.resolve()
        .then(() => run(ctx))
        .then(reply, (err) => fail(message.callId, err))
        .finally(() => {
          end();
          running.delete(message.callId);
          if (this.closed) stream.endIfIdle();
        });
    });
    // The caller closed its side or went away: nobody waits for these answers any more.
    const gone = () => {
      for (const controller of running.values()) controller.abort(userCancel());
      this.searchStreams.delete(stream);
    };
    call.on('end', () => {
      gone();
      if (!call.writableEnded) call.end();
    });
    call.on('cancelled', gone);
    call.on('error', gone);
  }

  /** What a SearchSegments stream message asks the handlers for (undefined: nothing valid). */
  private searchCall(message: WireSearchCall): ((ctx: CallContext) => Promise<WireSearchReply>) | undefined {
    const { callId, request, commitPosition } = message;
    if (message.action === 'request' && request) {
      return async (ctx) => {
        const response = await this.handlers.searchSegments(searchRequestFromWire(request), ctx);
        return { callId, response: searchResponseToWire(response) };
      };
    }
    if (message.action === 'commitPosition' && commitPosition) {
      return async (ctx) => {
        const position = await this.handlers.commitPosition(
          commitPositionRequestFromWire(commitPosition),
          ctx,
        );
        return { callId, position: commitPositionToWire(position) };
      };
    }
    return undefined;
  }

  private unary<Res>(
    call: ServerUnaryCall<unknown, unknown>,
    method: string,
    callback: sendUnaryData<Res>,
    run: (ctx: CallContext) => Promise<Res>,
  ): void {
    const { ctx, end } = this.begin(call);
    // run() may throw synchronously (a malformed request): keep it inside the promise.
    Promise.resolve()
      .then(() => run(ctx))
      .then(
        (response) => callback(null, response),
        (err) => callback(errorToStatus(err, this.logger, method)),
      )
      .finally(end);
  }

  private stream<T, W>(
    call: ServerWritableStream<unknown, W>,
    method: string,
    encode: (message: T) => W,
    open: (ctx: CallContext) => AsyncIterable<T>,
  ): void {
    const { ctx, end } = this.begin(call);
    void this.pump(call, method, encode, open, ctx).finally(end);
  }

  private async pump<T, W>(
    call: ServerWritableStream<unknown, W>,
    method: string,
    encode: (message: T) => W,
    open: (ctx: CallContext) => AsyncIterable<T>,
    ctx: CallContext,
  ): Promise<void> {
    const { signal } = ctx;
    const aborted = new Promise<'aborted'>((resolve) => {
      if (signal.aborted) resolve('aborted');
      else signal.addEventListener('abort', () => resolve('aborted'), { once: true });
    });
    let iterator: AsyncIterator<T> | undefined;
    let finished = false;
    try {
      iterator = open(ctx)[Symbol.asyncIterator]();
      for (;;) {
        // Racing the abort lets a handler blocked on "more WAL" be left behind at once; its
        // own signal tells it to finish.
        const next = await Promise.race([iterator.next(), aborted]);
        if (next === 'aborted') return;
        if (next.done) break;
        if (!call.write(encode(next.value))) {
          const drained = new Promise<'drained'>((resolve) => call.once('drain', () => resolve('drained')));
          if ((await Promise.race([drained, aborted])) === 'aborted') return;
        }
      }
      finished = true;
      if (!signal.aborted) call.end();
    } catch (err) {
      finished = true;
      if (!signal.aborted) call.emit('error', errorToStatus(err, this.logger, method));
    } finally {
      // Tell an abandoned generator to run its finally blocks (after its pending next()).
      if (!finished && iterator?.return) {
        iterator.return().catch((err: unknown) => {
          if (!(err instanceof SqlError)) this.logger.error(`cluster rpc: ${method} cleanup failed`, err);
        });
      }
    }
  }
}

/**
 * grpc-js (1.14, server.js handleUnary/handleServerStreaming) passes a cancellation on only
 * to a call object that exists already; one that arrives while the request is still being
 * read is recorded on the transport call alone, and the handler would then run to its end
 * (forever, for TailWal).
 */
function cancelledBeforeStart(call: { cancelled: boolean }): boolean {
  const transport = (call as { call?: { cancelled?: unknown } }).call;
  return call.cancelled || transport?.cancelled === true;
}

function bracketed(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function deadlineMs(deadline: Deadline): number | undefined {
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) ? ms : undefined;
}
