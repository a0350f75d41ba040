/**
 * Conversions between messages.ts and the plain objects the proto loader reads and writes
 * (options in quiver-service.ts: uint64 as decimal strings, enums as names, defaults filled).
 * A request from a peer is checked here, once: a malformed one is a 08P01 protocol error.
 */
import { SqlError, SqlState } from '../../errors/sql-error.ts';
import type { DistanceMetric } from '../../storage/vector-index.ts';
import type {
  ColumnValues,
  CommitPosition,
  CommitPositionRequest,
  Consistency,
  FetchRequest,
  FragmentStats,
  NodeHealth,
  QueryVectorType,
  RowBatch,
  SearchHit,
  SearchRequest,
  SearchResponse,
  TailRequest,
  WalBatch,
} from './messages.ts';

/** A uint64 as the loader reads it (string) or accepts it (string or number). */
type U64 = string | number;

export interface WireSearchRequest {
  tableId: U64;
  segmentIds: U64[];
  shardIds: number[];
  attnum: number;
  op: string;
  query: { type: string; dimensions: number; data: Uint8Array } | null;
  k: number;
  efSearch: number;
  probes: number;
  iterativeScan: boolean;
  allowedRows?: { base: U64; bits: Uint8Array } | null;
  filterExpr?: Uint8Array | null;
  filter?: string;
  snapshotTs: U64;
  consistency: string;
}

export interface WireSearchHit {
  rowId: U64;
  distance: number;
  segmentId: U64;
  key: Uint8Array;
  versionTs: U64;
}

export interface WireFragmentStats {
  nodeId: string;
  segmentId: U64;
  rowsScanned: U64;
  timeUs: U64;
  method: string;
}

export interface WireSearchResponse {
  hits: WireSearchHit[];
  stats: WireFragmentStats[];
}

/** One message of the caller's side of the SearchSegments stream. */
export interface WireSearchCall {
  callId: number;
  request?: WireSearchRequest | null;
  cancel?: boolean;
  commitPosition?: WireCommitPositionRequest | null;
  action?: 'request' | 'cancel' | 'commitPosition';
  timeoutMs: number;
}

/** One message of the server's side: a call's answer. */
export interface WireSearchReply {
  callId: number;
  response?: WireSearchResponse | null;
  error?: Uint8Array | null;
  position?: WireCommitPosition | null;
  result?: 'response' | 'error' | 'position';
}

export interface WireFetchRequest {
  tableId: U64;
  rowIds: Uint8Array;
  attnums: number[];
  snapshotTs: U64;
  consistency: string;
}

export interface WireColumnValues {
  attnum: number;
  data: Uint8Array;
  lengths: number[];
  nulls: Uint8Array;
}

export interface WireRowBatch {
  rowIds: Uint8Array;
  columns: WireColumnValues[];
}

export interface WireTailRequest {
  tableId: U64;
  shardId: number;
  fromPosition: U64;
}

export interface WireCommitPositionRequest {
  tableId: U64;
  shardId: number;
}

export interface WireCommitPosition {
  nextPosition: U64;
}

export interface WireWalBatch {
  records: { position: U64; data: Uint8Array }[];
  durablePosition: U64;
}

export interface WireHealthResponse {
  nodeId: string;
  ready: boolean;
  inFlightRpcs: number;
  loadedSegments: number;
  loadedBytes: U64;
  version: string;
}

const OP_OF_METRIC: Readonly<Record<DistanceMetric, string>> = {
  l2: 'L2',
  ip: 'NEGATIVE_INNER_PRODUCT',
  cosine: 'COSINE',
  l1: 'L1',
  hamming: 'HAMMING',
  jaccard: 'JACCARD',
};
const METRIC_OF_OP = invert(OP_OF_METRIC);

const WIRE_VECTOR_TYPE: Readonly<Record<QueryVectorType, string>> = {
  vector: 'VECTOR',
  halfvec: 'HALFVEC',
  sparsevec: 'SPARSEVEC',
  bit: 'BIT',
};
const VECTOR_TYPE_OF_WIRE = invert(WIRE_VECTOR_TYPE);

const WIRE_CONSISTENCY: Readonly<Record<Consistency, string>> = {
  strong: 'STRONG',
  bounded: 'BOUNDED',
  session: 'SESSION',
  eventual: 'EVENTUAL',
};
const CONSISTENCY_OF_WIRE: Readonly<Record<string, Consistency>> = {
  ...invert(WIRE_CONSISTENCY),
  CONSISTENCY_UNSPECIFIED: 'strong',
};

function invert<K extends string>(map: Readonly<Record<K, string>>): Readonly<Record<string, K>> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [v, k])) as Record<string, K>;
}

function malformed(what: string): SqlError {
  return new SqlError(SqlState.ProtocolViolation, `malformed cluster RPC message: ${what}`);
}

function enumValue<T>(map: Readonly<Record<string, T>>, name: string, what: string): T {
  const value = map[name];
  if (value === undefined) throw malformed(`${what} ${name}`);
  return value;
}

const big = (v: U64): bigint => BigInt(v);
const str = (v: bigint): string => v.toString();

export function searchRequestToWire(r: SearchRequest): WireSearchRequest {
  return {
    tableId: str(r.tableId),
    segmentIds: r.segmentIds.map(str),
    shardIds: [...r.shardIds],
    attnum: r.attnum,
    op: OP_OF_METRIC[r.metric],
    query: { type: WIRE_VECTOR_TYPE[r.query.type], dimensions: r.query.dimensions, data: r.query.data },
    k: r.k,
    efSearch: r.efSearch ?? 0,
    probes: r.probes ?? 0,
    iterativeScan: r.iterativeScan ?? false,
    allowedRows: r.filter?.kind === 'rows' ? { base: str(r.filter.base), bits: r.filter.bits } : undefined,
    filterExpr: r.filter?.kind === 'expr' ? r.filter.bytes : undefined,
    snapshotTs: str(r.snapshotTs),
    consistency: WIRE_CONSISTENCY[r.consistency],
  };
}

export function searchRequestFromWire(w: WireSearchRequest): SearchRequest {
  if (!w.query) throw malformed('SearchRequest without a query vector');
  let filter: SearchRequest['filter'];
  if (w.filter === 'allowedRows' && w.allowedRows) {
    filter = { kind: 'rows', base: big(w.allowedRows.base), bits: w.allowedRows.bits };
  } else if (w.filter === 'filterExpr' && w.filterExpr) {
    filter = { kind: 'expr', bytes: w.filterExpr };
  }
  return {
    tableId: big(w.tableId),
    segmentIds: w.segmentIds.map(big),
    shardIds: w.shardIds,
    attnum: w.attnum,
    metric: enumValue(METRIC_OF_OP, w.op, 'distance operator'),
    query: {
      type: enumValue(VECTOR_TYPE_OF_WIRE, w.query.type, 'vector type'),
      dimensions: w.query.dimensions,
      data: w.query.data,
    },
    k: w.k,
    efSearch: w.efSearch,
    probes: w.probes,
    iterativeScan: w.iterativeScan,
    filter,
    snapshotTs: big(w.snapshotTs),
    consistency: enumValue(CONSISTENCY_OF_WIRE, w.consistency, 'consistency level'),
  };
}

export function searchResponseToWire(r: SearchResponse): WireSearchResponse {
  return {
    hits: r.hits.map((h) => ({
      rowId: str(h.rowId),
      distance: h.distance,
      segmentId: str(h.segmentId),
      key: h.key,
      versionTs: str(h.versionTs),
    })),
    stats: r.stats.map((s) => ({
      nodeId: s.nodeId,
      segmentId: str(s.segmentId),
      rowsScanned: s.rowsScanned,
      timeUs: s.timeUs,
      method: s.method,
    })),
  };
}

export function searchResponseFromWire(w: WireSearchResponse): SearchResponse {
  return {
    hits: w.hits.map(
      (h): SearchHit => ({
        rowId: big(h.rowId),
        distance: h.distance,
        segmentId: big(h.segmentId),
        key: h.key,
        versionTs: big(h.versionTs),
      }),
    ),
    stats: w.stats.map(
      (s): FragmentStats => ({
        nodeId: s.nodeId,
        segmentId: big(s.segmentId),
        rowsScanned: Number(s.rowsScanned),
        timeUs: Number(s.timeUs),
        method: s.method,
      }),
    ),
  };
}

export function fetchRequestToWire(r: FetchRequest): WireFetchRequest {
  return {
    tableId: str(r.tableId),
    rowIds: packU64(r.rowIds),
    attnums: [...r.attnums],
    snapshotTs: str(r.snapshotTs),
    consistency: WIRE_CONSISTENCY[r.consistency],
  };
}

export function fetchRequestFromWire(w: WireFetchRequest): FetchRequest {
  return {
    tableId: big(w.tableId),
    rowIds: unpackU64(w.rowIds),
    attnums: w.attnums,
    snapshotTs: big(w.snapshotTs),
    consistency: enumValue(CONSISTENCY_OF_WIRE, w.consistency, 'consistency level'),
  };
}

/** Row ids as packed little-endian uint64s (quiver.proto: FetchRequest, RowBatch). */
function packU64(ids: readonly bigint[]): Buffer {
  const out = Buffer.allocUnsafe(ids.length * 8);
  for (let i = 0; i < ids.length; i++) out.writeBigUInt64LE(ids[i]!, i * 8);
  return out;
}

function unpackU64(bytes: Uint8Array): bigint[] {
  if (bytes.length % 8 !== 0) throw malformed(`row id bytes of length ${bytes.length}`);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const out = new Array<bigint>(bytes.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.readBigUInt64LE(i * 8);
  return out;
}

/** Columns are sent as one byte string each plus lengths (quiver.proto, ColumnValues). */
export function rowBatchToWire(batch: RowBatch): WireRowBatch {
  const n = batch.rowIds.length;
  const rowIds = packU64(batch.rowIds);
  const columns = batch.columns.map((column): WireColumnValues => {
    if (column.values.length !== n) {
      throw new SqlError(
        SqlState.InternalError,
        `row batch column ${column.attnum} has ${column.values.length} values for ${n} rows`,
      );
    }
    const lengths = new Array<number>(n);
    let total = 0;
    let nulls: Uint8Array | undefined;
    for (let i = 0; i < n; i++) {
      const value = column.values[i];
      if (value === null || value === undefined) {
        nulls ??= new Uint8Array((n + 7) >> 3);
        nulls[i >> 3]! |= 1 << (i & 7);
        lengths[i] = 0;
      } else {
        lengths[i] = value.length;
        total += value.length;
      }
    }
    const data = Buffer.allocUnsafe(total);
    let at = 0;
    for (const value of column.values) {
      if (value) {
        data.set(value, at);
        at += value.length;
      }
    }
    return { attnum: column.attnum, data, lengths, nulls: nulls ?? EMPTY };
  });
  return { rowIds, columns };
}

const EMPTY = new Uint8Array(0);

/** Values are views into the received message (no copy per value). */
export function rowBatchFromWire(w: WireRowBatch): RowBatch {
  const rowIds = unpackU64(w.rowIds);
  const n = rowIds.length;
  const columns = w.columns.map((c): ColumnValues => {
    if (c.lengths.length !== n)
      throw malformed(`column ${c.attnum} has ${c.lengths.length} lengths for ${n} rows`);
    const values = new Array<Uint8Array | null>(n);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const isNull = c.nulls.length > 0 && (c.nulls[i >> 3]! & (1 << (i & 7))) !== 0;
      if (isNull) {
        values[i] = null;
        continue;
      }
      const end = at + c.lengths[i]!;
      if (end > c.data.length) throw malformed(`column ${c.attnum} values overrun their bytes`);
      values[i] = c.data.subarray(at, end);
      at = end;
    }
    if (at !== c.data.length) throw malformed(`column ${c.attnum} has ${c.data.length - at} stray bytes`);
    return { attnum: c.attnum, values };
  });
  return { rowIds, columns };
}

export function tailRequestToWire(r: TailRequest): WireTailRequest {
  return { tableId: str(r.tableId), shardId: r.shardId, fromPosition: str(r.fromPosition) };
}

export function tailRequestFromWire(w: WireTailRequest): TailRequest {
  return { tableId: big(w.tableId), shardId: w.shardId, fromPosition: big(w.fromPosition) };
}

export function commitPositionRequestToWire(r: CommitPositionRequest): WireCommitPositionRequest {
  return { tableId: str(r.tableId), shardId: r.shardId };
}

export function commitPositionRequestFromWire(w: WireCommitPositionRequest): CommitPositionRequest {
  return { tableId: big(w.tableId), shardId: w.shardId };
}

export function commitPositionToWire(p: CommitPosition): WireCommitPosition {
  return { nextPosition: str(p.nextPosition) };
}

export function commitPositionFromWire(w: WireCommitPosition): CommitPosition {
  return { nextPosition: big(w.nextPosition) };
}

export function walBatchToWire(b: WalBatch): WireWalBatch {
  return {
    records: b.records.map((r) => ({ position: str(r.position), data: r.data })),
    durablePosition: str(b.durablePosition),
  };
}

export function walBatchFromWire(w: WireWalBatch): WalBatch {
  return {
    records: w.records.map((r) => ({ position: big(r.position), data: r.data })),
    durablePosition: big(w.durablePosition),
  };
}

export function healthToWire(h: NodeHealth): WireHealthResponse {
  return { ...h, loadedBytes: str(h.loadedBytes) };
}

export function healthFromWire(w: WireHealthResponse): NodeHealth {
  return { ...w, loadedBytes: big(w.loadedBytes) };
}
