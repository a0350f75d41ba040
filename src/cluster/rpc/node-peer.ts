/**
 * What the coordinator calls a node through (DESIGN §2, "one Shard interface for local and
 * remote execution"): NodeClient over gRPC for a peer, InProcessPeer for this node's own
 * segments. Both fail alike: the handler's SqlError, 57014 for a deadline or a cancel,
 * PeerUnavailableError for "ask another replica".
 */
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

export interface RpcCallOptions {
  /** Aborting cancels the call on the peer too (the handler's signal fires). */
  readonly signal?: AbortSignal;
  /** Absolute deadline, ms since the epoch (statement_timeout's end); the peer sees it too. */
  readonly deadline?: number;
}

export interface NodePeer {
  /** Names the node in errors. */
  readonly peer: string;
  searchSegments(request: SearchRequest, options?: RpcCallOptions): Promise<SearchResponse>;
  /** Leaving the loop early cancels the call. */
  fetchRows(request: FetchRequest, options?: RpcCallOptions): AsyncIterable<RowBatch>;
  /** Follows a shard's WAL until the caller stops iterating or aborts. */
  tailWal(request: TailRequest, options?: RpcCallOptions): AsyncIterable<WalBatch>;
  /** How far a shard's WAL is committed, asked of its write leader (57P03 from any other node). */
  commitPosition(request: CommitPositionRequest, options?: RpcCallOptions): Promise<CommitPosition>;
  health(options?: RpcCallOptions): Promise<NodeHealth>;
}
