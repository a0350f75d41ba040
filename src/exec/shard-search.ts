/**
 * One shard of a sharded vector index searched under a WHERE filter on a node that holds it
 * (the asking node for its own shards, a holder for a filter shipped to it): a walk with the
 * filter inside, or an exact scan of the shard's rows (row r is in shard r mod n) when the
 * shard is small, the filter passes very few rows (`passing`: the fraction the asking node
 * estimated over the table), or the walk found fewer than k.
 * So fewer than k rows come back only when fewer than k of the shard's rows pass: the
 * answer holds the shard's k nearest passing rows as far as the walk can tell.
 */
import type { IndexDef } from '../catalog/catalog-types.ts';
import { type ShardedIndex, shardOfRow } from '../storage/vector/sharded-index.ts';
import type { SearchResult } from '../storage/vector-index.ts';
import type { Value } from '../types/type.ts';
import { exactNearest, strided } from './exact-search.ts';
import { amongRows, preferExact, preferExactAmong } from './filter-selectivity.ts';

export function searchShardFiltered(
  index: IndexDef,
  sharded: ShardedIndex<unknown>,
  shard: number,
  query: Value,
  k: number,
  efSearch: number,
  accept: (rowId: number) => boolean,
  passing: number,
): SearchResult {
  const step = sharded.shardCount;
  if (!preferExact(shardRows(index, sharded, shard), passing)) {
    const walked = sharded
      .shard(shard)!
      .search(index.vector!.encode(query), k, { efSearch: Math.max(efSearch, k), filter: accept });
    if (walked.rowIds.length >= k) return walked;
  }
  // Not interrupted: a shard's scan is one part of a search that ends with the statement.
  return exactNearest(index, query, k, accept, () => {}, strided(shard, step, index.table.store.capacity));
}

/** How many row ids of the table fall in `shard` (row r is in shard r mod n). */
function shardRows(index: IndexDef, sharded: ShardedIndex<unknown>, shard: number): number {
  return Math.ceil(Math.max(0, index.table.store.capacity - shard) / sharded.shardCount);
}

/**
 * The same search when a btree index named the only rows that can pass (`keyed`, over the
 * whole table): few of them in this shard are searched exactly; more are a cheap first
 * check inside the walk, and their number is the walk's selectivity.
 */
export function searchShardKeyed(
  index: IndexDef,
  sharded: ShardedIndex<unknown>,
  shard: number,
  query: Value,
  k: number,
  efSearch: number,
  accept: (rowId: number) => boolean,
  keyed: readonly number[],
): SearchResult {
  const mine = keyed.filter((rowId) => shardOfRow(rowId, sharded.shardCount) === shard);
  const rows = shardRows(index, sharded, shard);
  if (preferExactAmong(mine.length, rows)) return exactNearest(index, query, k, accept, () => {}, mine);
  const among = amongRows(mine, index.table.store.capacity, accept);
  return searchShardFiltered(
    index,
    sharded,
    shard,
    query,
    k,
    efSearch,
    among,
    mine.length / Math.max(rows, 1),
  );
}
