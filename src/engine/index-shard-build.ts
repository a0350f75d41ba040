/**
 * Builds one shard of a sharded vector index (CREATE INDEX … WITH (shards = n)) from the
 * table's rows, for a cluster node that was given that shard to hold: the rows of the shard
 * are indexed on libuv's thread pool where the index can (native HNSW), and the changes made
 * meanwhile (kept by the index from the start of the build) are applied before the shard
 * joins it, so no row is missed.
 */
import { type IndexDef, indexedRow } from '../catalog/catalog-types.ts';
import { indexable } from '../storage/vector/column-index.ts';
import { ShardedIndex, shardOfRow } from '../storage/vector/sharded-index.ts';

/** The index's structure when it is sharded, else null. */
export function shardedIndexOf(index: IndexDef): ShardedIndex<unknown> | null {
  const impl = index.vector?.index;
  return impl instanceof ShardedIndex ? impl : null;
}

/**
 * Builds shard `shard` of `index` and holds it. False when the index changed under the build
 * (rebuilt, dropped from this copy, the table truncated): the caller looks again.
 */
export async function buildIndexShard(index: IndexDef, shard: number): Promise<boolean> {
  const vector = index.vector;
  const sharded = shardedIndexOf(index);
  if (!vector || !sharded || sharded.holds(shard)) return false;
  const store = index.table.store;
  const generation = store.generation;
  // Before the rows are looked at: changes from here on are kept for the built shard.
  sharded.startBuilding(shard);
  const rowIds: number[] = [];
  for (let rowId = 0; rowId < store.capacity; rowId++) {
    if (shardOfRow(rowId, sharded.shardCount) !== shard || !store.mayBeLive(rowId)) continue;
    const row = store.row(rowId);
    if (!indexedRow(index, row)) continue;
    const key = index.keyOf(row);
    if (!indexable(key, index.metric!)) continue;
    rowIds.push(rowId);
  }
  const encoded = (rowId: number) => vector.encode(index.keyOf(store.row(rowId)));
  const built = sharded.emptyShard();
  try {
    if (built.buildAsync) await built.buildAsync(rowIds, (i) => encoded(rowIds[i]));
    else built.build(rowIds, rowIds.map(encoded));
  } catch (error) {
    sharded.abandon(shard);
    throw error;
  }
  if (index.vector !== vector || store.generation !== generation || sharded.holds(shard)) {
    sharded.abandon(shard);
    return false;
  }
  sharded.hold(shard, built);
  return true;
}
