/**
 * The messages of the QuiverNode service (../proto/quiver.proto) as the engine sees them:
 * uint64 fields as bigint, bytes as Uint8Array, enums as Quiver's own names. proto-codec.ts
 * converts them to and from what the proto loader produces.
 */
import type { DistanceMetric } from '../../storage/vector-index.ts';

/** quiver.consistency (DESIGN §3). */
export type Consistency = 'strong' | 'bounded' | 'session' | 'eventual';

export type QueryVectorType = 'vector' | 'halfvec' | 'sparsevec' | 'bit';

/** A query vector in its packed form (layouts in quiver.proto; query-vector.ts builds them). */
export interface QueryVector {
  readonly type: QueryVectorType;
  readonly dimensions: number;
  readonly data: Uint8Array;
}

/**
 * Which rows a search may return: a bitmap over row ids from `base` (bit i of the bitmap,
 * least significant bit of each byte first, allows row `base + i`), or a WHERE predicate
 * serialized by the planner (opaque here).
 */
export type SearchFilter =
  | { readonly kind: 'rows'; readonly base: bigint; readonly bits: Uint8Array }
  | { readonly kind: 'expr'; readonly bytes: Uint8Array };

export interface SearchRequest {
  readonly tableId: bigint;
  readonly segmentIds: readonly bigint[];
  readonly shardIds: readonly number[];
  readonly attnum: number;
  readonly metric: DistanceMetric;
  readonly query: QueryVector;
  readonly k: number;
  /** hnsw.ef_search; 0 or absent = the node's default. */
  readonly efSearch?: number;
  /** ivfflat.probes; 0 or absent = the node's default. */
  readonly probes?: number;
  readonly iterativeScan?: boolean;
  readonly filter?: SearchFilter;
  readonly snapshotTs: bigint;
  readonly consistency: Consistency;
}

export interface SearchHit {
  readonly rowId: bigint;
  /** In the SQL operator's units (`<#>` is the negative inner product). */
  readonly distance: number;
  readonly segmentId: bigint;
  /** Encoded primary key; empty = the row id is the key. */
  readonly key: Uint8Array;
  /** Commit timestamp of this row version; of two hits with one key the later wins. */
  readonly versionTs: bigint;
}

/** One fragment's work, for EXPLAIN ANALYZE. */
export interface FragmentStats {
  readonly nodeId: string;
  readonly segmentId: bigint;
  readonly rowsScanned: number;
  readonly timeUs: number;
  readonly method: string;
}

export interface SearchResponse {
  /** Nearest first. */
  readonly hits: readonly SearchHit[];
  readonly stats: readonly FragmentStats[];
}

export interface FetchRequest {
  readonly tableId: bigint;
  readonly rowIds: readonly bigint[];
  readonly attnums: readonly number[];
  readonly snapshotTs: bigint;
  readonly consistency: Consistency;
}

/** One column's encoded values, one per row of the batch (null = SQL NULL). */
export interface ColumnValues {
  readonly attnum: number;
  readonly values: readonly (Uint8Array | null)[];
}

export interface RowBatch {
  readonly rowIds: readonly bigint[];
  readonly columns: readonly ColumnValues[];
}

export interface TailRequest {
  readonly tableId: bigint;
  readonly shardId: number;
  /** First WAL position wanted (inclusive). */
  readonly fromPosition: bigint;
}

export interface CommitPositionRequest {
  readonly tableId: bigint;
  readonly shardId: number;
}

export interface CommitPosition {
  /** The first WAL position not committed yet. */
  readonly nextPosition: bigint;
}

export interface WalRecord {
  readonly position: bigint;
  readonly data: Uint8Array;
}

export interface WalBatch {
  readonly records: readonly WalRecord[];
  /** The shard's highest durable position when the batch was sent. */
  readonly durablePosition: bigint;
}

export interface NodeHealth {
  readonly nodeId: string;
  readonly ready: boolean;
  /** Counted by the server itself (calls being handled, this one included). */
  readonly inFlightRpcs: number;
  readonly loadedSegments: number;
  readonly loadedBytes: bigint;
  readonly version: string;
}
