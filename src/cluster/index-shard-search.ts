/**
 * Searching shards of sharded vector indexes on the nodes that hold them (DESIGN §4's
 * distributed top-k, over index shards): the coordinator's `RemoteShardSearch`, and the
 * SearchSegments handler a holder serves.
 *
 * A request names the index (`tableId` = its OID), the shards, and the WAL position the
 * coordinator's snapshot has seen (`snapshotTs`): the holder first applies the WAL up to
 * there, so its shard has every row the coordinator could see committed. It searches
 * without visibility: the coordinator decides what its snapshot sees. A request may carry
 * the query's WHERE filter (engine/shipped-filter.ts), which the holder applies to its shards
 * (exec/shard-search.ts) so that it returns its nearest rows that pass it.
 */
import type { BoundExpr } from '../bind/bound-expr.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { IndexDef, Table } from '../catalog/catalog-types.ts';
import { shardedIndexOf } from '../engine/index-shard-build.ts';
import { encodeShippedFilter, shippableFilter, shippedPredicate } from '../engine/shipped-filter.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { searchShardFiltered, searchShardKeyed } from '../exec/shard-search.ts';
import type { RemoteFilter, RemoteShardSearch, ShardFragment } from '../exec/sharded-search.ts';
import { nearestOf } from '../storage/vector/sharded-index.ts';
import type { SearchResult } from '../storage/vector-index.ts';
import type { Value } from '../types/type.ts';
import type { SearchRequest, SearchResponse } from './rpc/messages.ts';
import type { PeerClients } from './rpc/node-client.ts';
import type { CallContext } from './rpc/node-server.ts';
import { decodeQueryVector, encodeQueryVector, type QueryValue } from './rpc/query-vector.ts';
import { type AttemptOptions, callWithFailover, scatterGather } from './rpc/scatter.ts';
import { isRetryable, PeerUnavailableError } from './rpc/status-mapping.ts';

/** How long a search of a remote shard may take at most, over all its holders. */
const REMOTE_SEARCH_TIMEOUT_MS = 30_000;
/** How long one holder is given before the next is tried (an HNSW search takes milliseconds). */
const ATTEMPT_TIMEOUT_MS = 5_000;

export interface ClusterShardSearchOptions {
  readonly nodeId: string;
  readonly peers: PeerClients;
  /** Nodes that reported holding a shard (index-shard-placement.ts). */
  readonly holders: (indexOid: number, shard: number) => readonly string[];
  /** A live node's RPC address. */
  readonly address: (nodeId: string) => string | undefined;
  /** The WAL position this node's reads have seen (the leader's next LSN, a replica's applied one). */
  readonly position: () => number;
  /** The catalog this node searches now (binds the filters it ships). */
  readonly catalog: () => Catalog | null;
}

/** The coordinator's side: one search per shard, on a holder that answers (the others in turn). */
export class ClusterShardSearch implements RemoteShardSearch {
  constructor(private readonly options: ClusterShardSearchOptions) {}

  ships(filter: BoundExpr, table: Table): boolean {
    const catalog = this.options.catalog();
    return catalog !== null && shippableFilter(filter, table, catalog) !== null;
  }

  async search(
    index: IndexDef,
    shards: readonly number[],
    query: Value,
    k: number,
    efSearch: number,
    filter: RemoteFilter | null,
  ): Promise<{ result: SearchResult; fragments: ShardFragment[] } | null> {
    const { nodeId, holders, address } = this.options;
    const position = BigInt(this.options.position());
    const deadline = Date.now() + REMOTE_SEARCH_TIMEOUT_MS;
    const vector = encodeQueryVector(query as QueryValue);
    const shipped = filter ? this.shippedFilter(index.table, filter) : undefined;
    if (shipped === null) return null;
    const holdersOf = shards.map((shard) => {
      const nodes = holders(index.oid, shard).filter((n) => n !== nodeId && address(n) !== undefined);
      // Spread the searches of a shard over its holders.
      const start = Math.floor(Math.random() * nodes.length);
      return [...nodes.slice(start), ...nodes.slice(0, start)];
    });
    // No holder known: the caller searches exactly, which needs no other node.
    if (holdersOf.some((nodes) => nodes.length === 0)) return null;
    try {
      // A shard no holder answers for cancels the searches of the others.
      const results = await scatterGather(shards, (shard, signal, i) => {
        const request: SearchRequest = {
          tableId: BigInt(index.oid),
          segmentIds: [],
          shardIds: [shard],
          attnum: 0,
          metric: index.metric!,
          query: vector,
          k,
          efSearch,
          snapshotTs: position,
          consistency: 'strong',
          filter: shipped ? { kind: 'expr', bytes: shipped } : undefined,
        };
        return callWithFailover(
          holdersOf[i],
          async (node, attempt) => {
            const started = performance.now();
            const response = await this.attempt(node, request, attempt);
            return { node, shard, response, ms: performance.now() - started };
          },
          { signal, deadline },
        );
      });
      const result = nearestOf(
        results.map(({ response }) => ({
          rowIds: response.hits.map((h) => Number(h.rowId)),
          distances: response.hits.map((h) => h.distance),
        })),
        k,
      );
      const fragments = results.map(({ node, shard, response, ms }) => ({
        node,
        shards: [shard],
        rows: response.hits.length,
        ms,
      }));
      return { result, fragments };
    } catch (error) {
      // No holder could answer: the caller searches exactly.
      if (isRetryable(error)) return null;
      throw error;
    }
  }

  /** The filter's message to the holders; null when it cannot be shipped (ships() said it could). */
  private shippedFilter(table: Table, filter: RemoteFilter): Uint8Array | null {
    const catalog = this.options.catalog();
    const shippable = catalog && shippableFilter(filter.expr, table, catalog);
    return shippable ? encodeShippedFilter(shippable, filter.selectivity, filter.params, filter.ctx) : null;
  }

  /**
   * One holder's search, given ATTEMPT_TIMEOUT_MS: a holder that is gone without a word (a
   * host down, not a refused port) is given up for the next one, not waited for until the
   * statement's end.
   */
  private async attempt(
    node: string,
    request: SearchRequest,
    attempt: AttemptOptions,
  ): Promise<SearchResponse> {
    const { peers, address } = this.options;
    const deadline = Math.min(attempt.deadline ?? Number.POSITIVE_INFINITY, Date.now() + ATTEMPT_TIMEOUT_MS);
    try {
      return await peers
        .get(node, address(node)!)
        .searchSegments(request, { signal: attempt.signal, deadline });
    } catch (error) {
      const ownTimeout = deadline < (attempt.deadline ?? Number.POSITIVE_INFINITY) && Date.now() >= deadline;
      if (ownTimeout && error instanceof SqlError && error.code === SqlState.QueryCanceled) {
        throw new PeerUnavailableError(
          node,
          SqlState.ConnectionFailure,
          `cluster node ${node} did not answer within ${ATTEMPT_TIMEOUT_MS} ms`,
        );
      }
      throw error;
    }
  }
}

export interface ShardSearchServiceOptions {
  readonly nodeId: string;
  /** The catalog this node searches now (the leader's, or its replica's current copy). */
  readonly catalog: () => Catalog | null;
  /** Resolves once this node has applied the WAL up to `lsn` (a leader has). */
  readonly caughtUp: (lsn: number) => Promise<void>;
}

/** The holder's side: SearchSegments over the index shards it holds. */
export async function searchHeldShards(
  options: ShardSearchServiceOptions,
  request: SearchRequest,
  ctx: CallContext,
): Promise<SearchResponse> {
  try {
    await options.caughtUp(Number(request.snapshotTs));
  } catch (error) {
    // Too far behind: another holder may not be (57P03 makes the coordinator try it).
    if (error instanceof SqlError && error.code === SqlState.SerializationFailure) {
      throw new SqlError(SqlState.CannotConnectNow, error.message, { detail: error.detail });
    }
    throw error;
  }
  ctx.signal.throwIfAborted();
  const catalog = options.catalog();
  const index = catalog ? findIndex(catalog, Number(request.tableId)) : undefined;
  const sharded = index ? shardedIndexOf(index) : null;
  const started = performance.now();
  if (!index || !sharded || !request.shardIds.every((shard) => sharded.holds(shard))) {
    // The coordinator tries another holder (57P03 is retryable).
    throw new SqlError(
      SqlState.CannotConnectNow,
      `index shards ${request.shardIds.join(', ')} are not held here`,
    );
  }
  const query = decodeQueryVector(request.query);
  const filter =
    request.filter?.kind === 'expr' ? shippedPredicate(request.filter.bytes, index.table, catalog!) : null;
  const store = index.table.store;
  // The rows a btree index here says can pass the filter, found once for every shard.
  const keyed = filter?.keyedRows() ?? null;
  const results = request.shardIds.map((shard) => {
    if (filter) {
      // Rows pass whatever their visibility: the coordinator drops the ones its snapshot cannot see.
      const accept = (rowId: number) => filter.passes(store.row(rowId));
      // ef_search 0 (the node's default) walks with ef = k.
      const efSearch = request.efSearch ?? 0;
      if (keyed) return searchShardKeyed(index, sharded, shard, query, request.k, efSearch, accept, keyed);
      return searchShardFiltered(
        index,
        sharded,
        shard,
        query,
        request.k,
        efSearch,
        accept,
        filter.selectivity,
      );
    }
    // No filter in the walk (a call back into JavaScript per visited row costs more than the
    // search): the coordinator drops the rows its snapshot cannot see.
    return sharded.shard(shard)!.search(index.vector!.encode(query), request.k, {
      efSearch: request.efSearch || undefined,
    });
  });
  const found = nearestOf(results, request.k);
  return {
    hits: found.rowIds.map((rowId, i) => ({
      rowId: BigInt(rowId),
      distance: found.distances[i],
      segmentId: BigInt(request.shardIds[0]),
      key: new Uint8Array(0),
      versionTs: 0n,
    })),
    stats: [
      {
        nodeId: options.nodeId,
        segmentId: BigInt(request.shardIds[0]),
        rowsScanned: found.rowIds.length,
        timeUs: Math.round((performance.now() - started) * 1000),
        method: index.method,
      },
    ],
  };
}

function findIndex(catalog: Catalog, oid: number): IndexDef | undefined {
  for (const table of catalog.tables())
    for (const index of table.indexes) if (index.oid === oid) return index;
  return undefined;
}
