/**
 * kNN through a sharded vector index (CREATE INDEX … WITH (shards = n)) on a cluster node
 * that holds only some of its shards: the shards held here are searched here, the others on
 * nodes that hold them (`RemoteShardSearch`, src/cluster/index-shard-search.ts), and the
 * rows this transaction inserted itself (which no other node has yet) exactly; the nearest
 * rows of all that this snapshot accepts are the answer.
 *
 * A remote shard is searched over at least every row this node's snapshot could see
 * committed (its holder first catches up with this node's WAL position), without
 * visibility: it may return rows this snapshot cannot see, which are dropped here. When
 * fewer than the rows asked for remain, or a source's rows past what it returned might be
 * nearer than the last row kept (it returned rows this snapshot cannot see), the caller
 * searches exactly: the answer is never short of what an exact search gives.
 *
 * A WHERE filter goes to the holders when it means the same there (src/engine/
 * shipped-filter.ts): each returns its nearest rows that pass it. Otherwise they are asked
 * for as many more rows as the filter is estimated to drop, and it is applied here.
 */
import type { BoundExpr } from '../bind/bound-expr.ts';
import type { IndexDef, Table } from '../catalog/catalog-types.ts';
import { indexable } from '../storage/vector/column-index.ts';
import { nearestOf, type ShardedIndex, shardOfRow } from '../storage/vector/sharded-index.ts';
import type { SearchResult } from '../storage/vector-index.ts';
import { metricFor, type VectorLikeType } from '../types/distance-metric.ts';
import type { EvalContext } from '../types/registry-types.ts';
import type { Value } from '../types/type.ts';
import { searchShardFiltered } from './shard-search.ts';

/** Where part of a sharded search ran, for EXPLAIN ANALYZE. */
export interface ShardFragment {
  /** The node that searched; null: this one. */
  readonly node: string | null;
  readonly shards: readonly number[];
  /** Rows it returned. */
  readonly rows: number;
  /** Its time as seen from here (a remote one: the round trip). */
  readonly ms: number;
}

/** What a search across the nodes found: the rows (null: search exactly, `exactly` says why) and where it ran. */
export interface ShardedOutcome {
  readonly rowIds: number[] | null;
  readonly fragments: readonly ShardFragment[];
  readonly exactly?: string;
}

/** A WHERE filter the holders apply themselves, with this execution's parameters and session state. */
export interface RemoteFilter {
  readonly expr: BoundExpr;
  /** The fraction of the table's rows estimated to pass it. */
  readonly selectivity: number;
  readonly params: readonly Value[];
  readonly ctx: EvalContext;
}

export interface RemoteShardSearch {
  /** Whether holders can apply `filter` over `table`'s rows themselves, meaning the same as here. */
  ships(filter: BoundExpr, table: Table): boolean;
  /**
   * The nearest `k` rows of `shards` of `index` (shards this node does not hold), searched
   * on nodes that hold them after they applied every commit this node has. Distances are in
   * the SQL operator's units. With `filter`, the nearest `k` rows that pass it (fewer only
   * when fewer pass). Null when some shard has no holder that answers (the caller then
   * searches exactly).
   */
  search(
    index: IndexDef,
    shards: readonly number[],
    query: Value,
    k: number,
    efSearch: number,
    filter: RemoteFilter | null,
  ): Promise<{ readonly result: SearchResult; readonly fragments: readonly ShardFragment[] } | null>;
}

export interface ShardedSearch {
  readonly index: IndexDef;
  readonly sharded: ShardedIndex<unknown>;
  readonly query: Value;
  /** Rows wanted (LIMIT + OFFSET). */
  readonly need: number;
  /** Rows to ask each side for: more than `need` when a WHERE filter drops some. */
  readonly k: number;
  readonly efSearch: number;
  /** Whether this statement's snapshot sees the row and it passes the WHERE filter. */
  readonly accept: (rowId: number) => boolean;
  /** Whether the query has a WHERE filter. */
  readonly filtered: boolean;
  /** The fraction of the table's rows estimated to pass it (1 without one). */
  readonly passing: number;
  /** The WHERE filter, when the holders apply it (then `k` is `need`). */
  readonly remoteFilter: RemoteFilter | null;
  /** The reading transaction. */
  readonly txn: number;
}

/**
 * The `need` nearest accepted rows, nearest first; none when they cannot be told from what
 * was found (too few accepted, or some source's unseen rows might be nearer).
 */
export async function searchAcrossShards(
  s: ShardedSearch,
  remote: RemoteShardSearch,
): Promise<ShardedOutcome> {
  const { index, sharded, need, k, accept } = s;
  const store = index.table.store;
  const own = store.insertedBy(s.txn);
  if (own === null)
    return { rowIds: null, fragments: [], exactly: 'this transaction truncated or spilled the table' };
  const missing = sharded.missingShards();
  // Sent first: the shards held here are searched while the other nodes search theirs.
  const searching = remote.search(index, missing, s.query, k, Math.max(s.efSearch, k), s.remoteFilter);
  const started = performance.now();
  // With a WHERE filter each shard here gives its `need` nearest accepted rows; without one,
  // rows this snapshot cannot see are few, and a walk calling back into JavaScript for each
  // row it visits costs more than dropping them afterwards.
  const local = s.filtered
    ? complete(
        nearestOf(
          sharded
            .heldShards()
            .map((shard) =>
              searchShardFiltered(index, sharded, shard, s.query, need, s.efSearch, accept, s.passing),
            ),
          need,
        ),
      )
    : unfiltered(sharded.search(index.vector!.encode(s.query), need, { efSearch: s.efSearch }), need, accept);
  const here: ShardFragment = {
    node: null,
    shards: sharded.heldShards(),
    rows: local.rows.rowIds.length,
    ms: performance.now() - started,
  };
  const found = await searching;
  if (found === null) return { rowIds: null, fragments: [here], exactly: 'no node holding a shard answered' };
  const fragments = [here, ...found.fragments];
  const remoteRows = unfiltered(found.result, k, accept);
  const distance = metricFor(index.operator!, index.keyType.base as VectorLikeType)!.fn;
  const ownRows: SearchResult = { rowIds: [], distances: [] };
  for (const rowId of own) {
    if (sharded.holds(shardOfRow(rowId, sharded.shardCount)) || !accept(rowId)) continue;
    // Not from an index: a row without a key (NULL, or zero under cosine) is not a neighbour.
    const key = index.keyOf(store.row(rowId));
    if (!indexable(key, index.metric!)) continue;
    ownRows.rowIds.push(rowId);
    ownRows.distances.push(distance(key, s.query));
  }
  const merged = nearestOf([local.rows, remoteRows.rows, dedup(ownRows, remoteRows.rows)], need);
  if (merged.rowIds.length < need) {
    return { rowIds: null, fragments, exactly: 'fewer rows than asked were found that this snapshot sees' };
  }
  if (merged.distances[need - 1] > Math.min(local.bound, remoteRows.bound)) {
    return { rowIds: null, fragments, exactly: 'rows this snapshot cannot see hid nearer ones' };
  }
  return { rowIds: merged.rowIds, fragments };
}

/**
 * What one source found: its accepted rows, and the distance below which they are all of
 * its accepted rows (rows it did not return are at least this far).
 */
interface Found {
  readonly rows: SearchResult;
  readonly bound: number;
}

/** A walk that applied the filter: its rows are its nearest accepted ones. */
function complete(rows: SearchResult): Found {
  return { rows, bound: Number.POSITIVE_INFINITY };
}

/** The `asked` nearest rows of a walk without the filter, the accepted ones kept. */
function unfiltered(result: SearchResult, asked: number, accept: (rowId: number) => boolean): Found {
  const bound =
    result.rowIds.length >= asked ? result.distances[result.distances.length - 1] : Number.POSITIVE_INFINITY;
  return { rows: pick(result, accept), bound };
}

function pick(result: SearchResult, accept: (rowId: number) => boolean): SearchResult {
  const out: SearchResult = { rowIds: [], distances: [] };
  result.rowIds.forEach((rowId, i) => {
    if (!accept(rowId)) return;
    out.rowIds.push(rowId);
    out.distances.push(result.distances[i]);
  });
  return out;
}

/** `rows` without those `other` already has (a row committed meanwhile is in both). */
function dedup(rows: SearchResult, other: SearchResult): SearchResult {
  const seen = new Set(other.rowIds);
  return pick(rows, (rowId) => !seen.has(rowId));
}
