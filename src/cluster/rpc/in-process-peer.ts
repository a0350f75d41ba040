/**
 * This node's own NodeHandlers behind the NodePeer interface, without gRPC: the coordinator
 * searches local segments the way it searches remote ones. The handler gets the same
 * CallContext a remote call would give it (a signal that fires on the caller's abort, at the
 * deadline, or when the caller leaves a stream), and the caller gets the same errors.
 */
import type { SqlError } from '../../errors/sql-error.ts';
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
import type { NodePeer, RpcCallOptions } from './node-peer.ts';
import type { CallContext, NodeHandlers } from './node-server.ts';
import {
  abortError,
  handlerErrorForCaller,
  type RpcLogger,
  statementTimeout,
  userCancel,
} from './status-mapping.ts';

const consoleLogger: RpcLogger = { error: (message, error) => console.error(message, error) };

interface LocalCall {
  readonly ctx: CallContext;
  readonly controller: AbortController;
  /** Rejects with the signal's reason when it fires. */
  readonly aborted: Promise<never>;
  end(): void;
}

export class InProcessPeer implements NodePeer {
  private inFlight = 0;

  constructor(
    private readonly handlers: NodeHandlers,
    readonly peer = 'local',
    private readonly logger: RpcLogger = consoleLogger,
  ) {}

  searchSegments(request: SearchRequest, options: RpcCallOptions = {}): Promise<SearchResponse> {
    return this.unary('SearchSegments', options, (ctx) => this.handlers.searchSegments(request, ctx));
  }

  health(options: RpcCallOptions = {}): Promise<NodeHealth> {
    // Counted while the call still is, as the server counts it.
    return this.unary('Health', options, async (ctx) => ({
      ...(await this.handlers.health(ctx)),
      inFlightRpcs: this.inFlight,
    }));
  }

  commitPosition(request: CommitPositionRequest, options: RpcCallOptions = {}): Promise<CommitPosition> {
    return this.unary('CommitPosition', options, (ctx) => this.handlers.commitPosition(request, ctx));
  }

  fetchRows(request: FetchRequest, options: RpcCallOptions = {}): AsyncIterable<RowBatch> {
    return this.stream('FetchRows', (ctx) => this.handlers.fetchRows(request, ctx), options);
  }

  tailWal(request: TailRequest, options: RpcCallOptions = {}): AsyncIterable<WalBatch> {
    return this.stream('TailWal', (ctx) => this.handlers.tailWal(request, ctx), options);
  }

  /** One call answered once: the handler's value, or its error as the peer would send it. */
  private async unary<T>(
    method: string,
    options: RpcCallOptions,
    run: (ctx: CallContext) => Promise<T> | T,
  ): Promise<T> {
    const call = this.begin(options);
    try {
      return await Promise.race([run(call.ctx), call.aborted]);
    } catch (err) {
      throw this.failure(err, call, method);
    } finally {
      call.end();
    }
  }

  private async *stream<T>(
    method: string,
    open: (ctx: CallContext) => AsyncIterable<T>,
    options: RpcCallOptions,
  ): AsyncGenerator<T> {
    const call = this.begin(options);
    let iterator: AsyncIterator<T> | undefined;
    let done = false;
    try {
      iterator = open(call.ctx)[Symbol.asyncIterator]();
      for (;;) {
        const next = await Promise.race([iterator.next(), call.aborted]);
        if (next.done) break;
        yield next.value;
      }
      done = true;
    } catch (err) {
      done = true;
      throw this.failure(err, call, method);
    } finally {
      if (!done) {
        // The caller left the loop (or aborted): the handler is told as a remote one would be.
        call.controller.abort(userCancel());
        iterator?.return?.().catch(() => {});
      }
      call.end();
    }
  }

  private begin(options: RpcCallOptions): LocalCall {
    const { signal, deadline } = options;
    if (signal?.aborted) throw abortError(signal);
    if (deadline !== undefined && Date.now() >= deadline) throw statementTimeout();
    this.inFlight++;
    const controller = new AbortController();
    const forward = () => controller.abort(abortError(signal!));
    signal?.addEventListener('abort', forward, { once: true });
    const timer =
      deadline === undefined
        ? undefined
        : setTimeout(() => controller.abort(statementTimeout()), deadline - Date.now());
    const aborted = new Promise<never>((_, reject) =>
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true }),
    );
    aborted.catch(() => {}); // only ever awaited inside a race
    return {
      ctx: { signal: controller.signal, deadline, peer: 'in-process' },
      controller,
      aborted,
      end: () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', forward);
        this.inFlight--;
      },
    };
  }

  private failure(err: unknown, call: LocalCall, method: string): SqlError {
    const { signal } = call.ctx;
    if (signal.aborted) return abortError(signal);
    return handlerErrorForCaller(err, this.peer, this.logger, method);
  }
}
