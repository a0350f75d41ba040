/**
 * A client for one peer node: one gRPC channel, reused by every call to that peer, with
 * typed methods. Every method takes the caller's AbortSignal and absolute deadline, and
 * fails with a SqlError: the server's own (same SQLSTATE, message, detail, hint), 57014
 * for a deadline or a cancel, or PeerUnavailableError when the peer cannot be reached.
 */
import {
  type Client,
  type ClientDuplexStream,
  type ClientReadableStream,
  credentials,
  type CallOptions as GrpcCallOptions,
  Metadata,
  type ServiceError,
} from '@grpc/grpc-js';
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
import {
  fetchRequestToWire,
  healthFromWire,
  rowBatchFromWire,
  tailRequestToWire,
  type WireHealthResponse,
  type WireRowBatch,
  type WireSearchCall,
  type WireSearchReply,
  type WireWalBatch,
  walBatchFromWire,
} from './proto-codec.ts';
import { MAX_MESSAGE_BYTES, quiverNodeClientConstructor } from './quiver-service.ts';
import { SearchChannel } from './search-channel.ts';
import { abortError, statusToError } from './status-mapping.ts';

const CHANNEL_OPTIONS = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  // Find a dead peer behind an idle connection (a killed node, a dropped route) in ~15 s
  // rather than at the next query's TCP timeout.
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
  // A restarted peer is back within seconds; do not back off for minutes.
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 2_000,
};

type UnaryMethod = (
  request: unknown,
  metadata: Metadata,
  options: GrpcCallOptions,
  callback: (err: ServiceError | null, response?: unknown) => void,
) => { cancel(): void };
type StreamMethod = (
  request: unknown,
  metadata: Metadata,
  options: GrpcCallOptions,
) => ClientReadableStream<unknown>;

export class NodeClient implements NodePeer {
  private readonly client: Client & Record<string, unknown>;
  /** Searches share one SearchSegments stream (search-channel.ts). */
  private readonly searches: SearchChannel;

  /** `peer` names the node in errors (its node id, or the address). */
  constructor(
    readonly address: string,
    readonly peer: string = address,
  ) {
    const Ctor = quiverNodeClientConstructor();
    this.client = new Ctor(address, credentials.createInsecure(), CHANNEL_OPTIONS) as Client &
      Record<string, unknown>;
    const open = this.client.SearchSegments as (
      metadata: Metadata,
    ) => ClientDuplexStream<WireSearchCall, WireSearchReply>;
    this.searches = new SearchChannel(() => open.call(this.client, new Metadata()), peer);
  }

  searchSegments(request: SearchRequest, options: RpcCallOptions = {}): Promise<SearchResponse> {
    return this.searches.search(request, options);
  }

  async health(options: RpcCallOptions = {}): Promise<NodeHealth> {
    return healthFromWire(await this.unary<WireHealthResponse>('Health', {}, options));
  }

  /** Batches in the order the server sends them; leaving the loop early cancels the call. */
  fetchRows(request: FetchRequest, options: RpcCallOptions = {}): AsyncIterable<RowBatch> {
    return this.serverStream('FetchRows', fetchRequestToWire(request), options, (m: WireRowBatch) =>
      rowBatchFromWire(m),
    );
  }

  /** Follows a shard's WAL until the caller stops iterating or aborts. */
  tailWal(request: TailRequest, options: RpcCallOptions = {}): AsyncIterable<WalBatch> {
    return this.serverStream('TailWal', tailRequestToWire(request), options, (m: WireWalBatch) =>
      walBatchFromWire(m),
    );
  }

  /** Travels on the SearchSegments stream, as searches do. */
  commitPosition(request: CommitPositionRequest, options: RpcCallOptions = {}): Promise<CommitPosition> {
    return this.searches.commitPosition(request, options);
  }

  close(): void {
    this.searches.close();
    this.client.close();
  }

  private unary<T>(method: string, request: unknown, options: RpcCallOptions): Promise<T> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<T>((resolve, reject) => {
      const fn = this.client[method] as UnaryMethod;
      const call = fn.call(this.client, request, new Metadata(), grpcOptions(options), (err, response) => {
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(statusToError(err, this.peer, signal));
        else resolve(response as T);
      });
      const onAbort = () => cancelCall(call);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private async *serverStream<W, T>(
    method: string,
    request: unknown,
    options: RpcCallOptions,
    decode: (message: W) => T,
  ): AsyncGenerator<T> {
    const { signal } = options;
    if (signal?.aborted) throw abortError(signal);
    const fn = this.client[method] as StreamMethod;
    const call = fn.call(this.client, request, new Metadata(), grpcOptions(options));
    const onAbort = () => cancelCall(call);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const message of call) yield decode(message as W);
    } catch (err) {
      throw isServiceError(err) ? statusToError(err, this.peer, signal) : err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // No-op after the stream ended; stops the server when the caller left early.
      cancelCall(call);
    }
  }
}

/**
 * grpc-js (1.14) creates a call's transport stream in a microtask after the call starts; a
 * cancel in between ends the call locally but the request is still sent and never reset,
 * leaving the peer's handler running. Cancelling again once that microtask has run reaches
 * the stream (a no-op when the first cancel already did).
 */
function cancelCall(call: { cancel(): void }): void {
  call.cancel();
  setImmediate(() => call.cancel());
}

function grpcOptions(options: RpcCallOptions): GrpcCallOptions {
  return options.deadline === undefined ? {} : { deadline: options.deadline };
}

function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number' && 'metadata' in err;
}

/**
 * One NodeClient per peer, created on first use and kept: the coordinator asks for a node's
 * client per fragment without paying for a connection each time. A node that moved to
 * another address gets a new client.
 */
export class PeerClients {
  private readonly clients = new Map<string, NodeClient>();

  get(nodeId: string, address: string): NodeClient {
    const known = this.clients.get(nodeId);
    if (known && known.address === address) return known;
    known?.close();
    const client = new NodeClient(address, nodeId);
    this.clients.set(nodeId, client);
    return client;
  }

  /** A node left the cluster. */
  drop(nodeId: string): void {
    this.clients.get(nodeId)?.close();
    this.clients.delete(nodeId);
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
