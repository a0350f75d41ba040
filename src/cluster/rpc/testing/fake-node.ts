/**
 * A NodeHandlers implementation for tests and measurements: deterministic rows and hits
 * computed from ids alone (so two nodes serving it are interchangeable replicas), and a
 * table id per behaviour a test needs (FAKE_TABLE). Events (a call started, a handler saw
 * its signal fire, a stream's generator finished) go to `onEvent`, which the child-process
 * entry point (fake-node-main.ts) prints as lines.
 */
import { SqlError, SqlState } from '../../../errors/sql-error.ts';
import type { ColumnValues, RowBatch, SearchHit, SearchRequest, WalBatch } from '../messages.ts';
import type { CallContext, NodeHandlers } from '../node-server.ts';

export const FAKE_TABLE = {
  /** SearchSegments answers k fixed hits at once (latency measurement). */
  trivial: 0n,
  /** Real rows: hits by exact l2 over 200 rows per segment; FetchRows in ~1 MiB batches. */
  vectors: 1n,
  /** FetchRows sends every row in a single message. */
  oneBatch: 2n,
  /** FetchRows in ~1 MiB batches of one prebuilt vector per row (no value generation cost). */
  bulk: 3n,
  dataException: 22n,
  /** Throws a FATAL 08P01 (a peer session ending), which callers see as ERROR. */
  fatal: 57n,
  undefinedTable: 404n,
  unclassified: 500n,
  notReady: 503n,
  /** Calls wait until their signal fires; streams send a batch every 50 ms until then. */
  hang: 999n,
} as const;

export const FAKE_DIMS = 128;
export const ROWS_PER_SEGMENT = 200;
const BATCH_BYTES = 1 << 20;

export interface FakeNodeOptions {
  readonly nodeId: string;
  readonly onEvent?: (event: string) => void;
  /** A slow replica: searches of FAKE_TABLE.vectors wait this long (or until aborted). */
  readonly searchDelayMs?: number;
  /** A replica still loading: every search answers 57P03. */
  readonly notReady?: boolean;
}

/** Row `rowId`'s vector: the same on every node. */
export function fakeVector(rowId: bigint, dims = FAKE_DIMS): Float32Array {
  const v = new Float32Array(dims);
  const seed = Number(rowId % 1_000_003n);
  for (let j = 0; j < dims; j++) v[j] = Math.sin(seed * 0.731 + j * 1.37);
  return v;
}

/**
 * A SearchSegments request the fake handlers answer: an l2 search of column 2 of `tableId`
 * for row `queryRow`'s vector; `fields` replaces any field.
 */
export function fakeSearchRequest(
  tableId: bigint,
  queryRow: bigint,
  fields: Partial<SearchRequest> = {},
): SearchRequest {
  const query = fakeVector(queryRow);
  return {
    tableId,
    segmentIds: [],
    shardIds: [],
    attnum: 2,
    metric: 'l2',
    query: { type: 'vector', dimensions: FAKE_DIMS, data: new Uint8Array(query.buffer) },
    k: 10,
    snapshotTs: 1n,
    consistency: 'strong',
    ...fields,
  };
}

/** The encoded value of row `rowId` in column `attnum` (3 is NULL on odd rows). */
export function fakeCell(rowId: bigint, attnum: number): Uint8Array | null {
  if (attnum === 1) {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(rowId);
    return b;
  }
  if (attnum === 2) return new Uint8Array(fakeVector(rowId).buffer);
  if (attnum === 3) return rowId % 2n === 1n ? null : Buffer.from(`row ${rowId} ✓`, 'utf8');
  throw new SqlError(SqlState.UndefinedColumn, `column number ${attnum} does not exist`);
}

const BULK_VECTOR = new Uint8Array(fakeVector(1n).buffer);

function l2(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return Math.sqrt(s);
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

export function fakeHandlers(options: FakeNodeOptions): NodeHandlers {
  const emit = options.onEvent ?? (() => {});
  const failFor = (tableId: bigint) => {
    if (tableId === FAKE_TABLE.undefinedTable) {
      throw new SqlError(SqlState.UndefinedTable, 'relation "t404" does not exist');
    }
    if (tableId === FAKE_TABLE.dataException) {
      throw new SqlError(SqlState.DataException, 'different vector dimensions 3 and 2', {
        detail: 'détail: naïve ✓',
        hint: 'Check the query vector.',
      });
    }
    if (tableId === FAKE_TABLE.unclassified) throw new TypeError('boom');
    if (tableId === FAKE_TABLE.fatal) {
      throw new SqlError(SqlState.ProtocolViolation, 'invalid frontend message type 0', {
        severity: 'FATAL',
      });
    }
    if (tableId === FAKE_TABLE.notReady || options.notReady) {
      throw new SqlError(SqlState.CannotConnectNow, `node ${options.nodeId} has not loaded the segment yet`);
    }
  };
  /** Waits `ms` (or until the call's signal fires, then rethrows its reason). */
  const pause = async (what: string, ctx: CallContext, ms: number): Promise<void> => {
    emit(`${what}-started`);
    try {
      await sleep(ms, ctx.signal);
    } catch (err) {
      emit(
        `${what}-aborted ${ctx.signal.reason instanceof SqlError ? ctx.signal.reason.message : 'no reason'}`,
      );
      throw err;
    }
  };

  return {
    async searchSegments(request, ctx) {
      failFor(request.tableId);
      if (request.tableId === FAKE_TABLE.hang) await pause('search', ctx, 60_000);
      if (request.tableId === FAKE_TABLE.trivial) {
        const hits: SearchHit[] = [];
        for (let i = 0; i < request.k; i++) {
          hits.push({
            rowId: BigInt(i),
            distance: i / 10,
            segmentId: 0n,
            key: new Uint8Array(0),
            versionTs: 1n,
          });
        }
        return { hits, stats: [] };
      }
      if (options.searchDelayMs) await pause('search', ctx, options.searchDelayMs);
      const started = performance.now();
      const query = new Float32Array(
        request.query.data.buffer.slice(
          request.query.data.byteOffset,
          request.query.data.byteOffset + request.query.data.length,
        ),
      );
      const segments = request.segmentIds.length > 0 ? request.segmentIds : [0n];
      const hits: SearchHit[] = [];
      for (const segmentId of segments) {
        for (let i = 0; i < ROWS_PER_SEGMENT; i++) {
          const rowId = segmentId * 1_000_000n + BigInt(i);
          hits.push({
            rowId,
            distance: l2(query, fakeVector(rowId, query.length)),
            segmentId,
            key: new Uint8Array(0),
            versionTs: request.snapshotTs,
          });
        }
      }
      hits.sort((a, b) => a.distance - b.distance);
      const timeUs = Math.round((performance.now() - started) * 1000);
      return {
        hits: hits.slice(0, request.k),
        stats: segments.map((segmentId) => ({
          nodeId: options.nodeId,
          segmentId,
          rowsScanned: ROWS_PER_SEGMENT,
          timeUs,
          method: 'exact',
        })),
      };
    },

    async *fetchRows(request, ctx) {
      failFor(request.tableId);
      if (request.tableId === FAKE_TABLE.hang) emit('fetch-started');
      let rowIds: bigint[] = [];
      let bytes = 0;
      const flush = (): RowBatch => {
        const columns: ColumnValues[] = request.attnums.map((attnum) => ({
          attnum,
          values: rowIds.map((id) => cell(id, attnum)),
        }));
        const batch = { rowIds, columns };
        rowIds = [];
        bytes = 0;
        return batch;
      };
      const cell =
        request.tableId === FAKE_TABLE.bulk
          ? (rowId: bigint, attnum: number) => (attnum === 2 ? BULK_VECTOR : fakeCell(rowId, attnum))
          : fakeCell;
      const rowBytes = request.attnums.includes(2) ? FAKE_DIMS * 4 : 32;
      for (const rowId of request.rowIds) {
        rowIds.push(rowId);
        bytes += rowBytes;
        if (request.tableId === FAKE_TABLE.hang) {
          yield flush();
          await sleep(50, ctx.signal);
        } else if (request.tableId !== FAKE_TABLE.oneBatch && bytes >= BATCH_BYTES) {
          yield flush();
        }
      }
      if (rowIds.length > 0) yield flush();
    },

    async *tailWal(request, ctx) {
      failFor(request.tableId);
      emit('tail-started');
      let position = request.fromPosition;
      try {
        while (!ctx.signal.aborted) {
          const records = [];
          for (let i = 0; i < 10; i++, position++) {
            records.push({ position, data: Buffer.from(`record ${position}`) });
          }
          const batch: WalBatch = { records, durablePosition: position - 1n };
          yield batch;
          await sleep(5, ctx.signal);
        }
      } finally {
        emit(`tail-closed ${ctx.signal.aborted ? 'aborted' : 'not-aborted'}`);
      }
    },

    commitPosition(request) {
      failFor(request.tableId);
      // A position above 2^53 proves the uint64 crosses the hop exactly.
      return { nextPosition: (1n << 60n) + request.tableId };
    },

    health() {
      return {
        nodeId: options.nodeId,
        ready: true,
        loadedSegments: 3,
        loadedBytes: 1n << 60n,
        version: '0.1.0-test',
      };
    },
  };
}
