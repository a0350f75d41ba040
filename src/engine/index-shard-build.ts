/**
 * One shard of a sharded vector index (CREATE INDEX … WITH (shards = n)) for a cluster node
 * that was given that shard to hold: built from the table's rows — on libuv's thread pool
 * where the index can (native HNSW) —, or loaded from a file a holder wrote and brought up to
 * the rows; either way the changes made meanwhile (kept by the index from the start) are
 * applied before the shard joins it, so no row is missed. Also the file of a held shard.
 */
import { type IndexDef, indexedRow } from '../catalog/catalog-types.ts';
import { runInSlices } from '../storage/stepwise.ts';
import { ByteWriter } from '../storage/vector/byte-io.ts';
import { type ColumnIndexSpec, indexable } from '../storage/vector/column-index.ts';
import { IndexFileError } from '../storage/vector/index-file-error.ts';
import { encodeIndexFile, loadColumnIndex } from '../storage/vector/index-persistence.ts';
import { ShardedIndex, type ShardIndex, shardOfRow } from '../storage/vector/sharded-index.ts';
import type { Value } from '../types/type.ts';
import { indexSpec } from './index-files.ts';
import { decodeShardFile, encodeShardFile, vectorHash } from './index-shard-file.ts';

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
  for (let rowId = shard; rowId < store.capacity; rowId += sharded.shardCount) {
    if (indexedKey(index, rowId) !== null) rowIds.push(rowId);
  }
  return addAndHold(index, shard, sharded.emptyShard(), rowIds, generation);
}

/** The row's key when a shard holds the row (it may be live, the index takes it), else null. */
function indexedKey(index: IndexDef, rowId: number): Value | null {
  const store = index.table.store;
  if (!store.mayBeLive(rowId)) return null;
  const row = store.row(rowId);
  if (!indexedRow(index, row)) return null;
  const key = index.keyOf(row);
  return indexable(key, index.metric!) ? key : null;
}

/**
 * Adds `rowIds` to `target`, a new index of shard `shard` (startBuilding was called), on
 * libuv's thread pool where it can, then holds it with the changes kept meanwhile. False,
 * holding nothing, when the index or the table (`generation`) changed meanwhile.
 */
async function addAndHold(
  index: IndexDef,
  shard: number,
  target: ShardIndex<unknown>,
  rowIds: number[],
  generation: number,
): Promise<boolean> {
  const vector = index.vector!;
  const sharded = shardedIndexOf(index)!;
  const store = index.table.store;
  const encoded = (rowId: number) => vector.encode(index.keyOf(store.row(rowId)));
  try {
    if (target.buildAsync) await target.buildAsync(rowIds, (i) => encoded(rowIds[i]));
    else target.build(rowIds, rowIds.map(encoded));
  } catch (error) {
    sharded.abandon(shard);
    throw error;
  }
  if (index.vector !== vector || store.generation !== generation || sharded.holds(shard)) {
    sharded.abandon(shard);
    return false;
  }
  sharded.hold(shard, target);
  return true;
}

/** What one shard is, as a file's header records it: the index's definition, unsharded. */
function shardSpec(index: IndexDef): ColumnIndexSpec {
  const { shards: _shards, ...options } = indexSpec(index).options;
  return { ...indexSpec(index), options };
}

/**
 * The file of shard `shard` of `index` as this node holds it now (null when it does not
 * hold it, or the index cannot list its rows, which a load needs), with how many rows it has.
 */
export async function indexShardFile(
  index: IndexDef,
  shard: number,
): Promise<{ readonly bytes: Uint8Array; readonly rows: number } | null> {
  const vector = index.vector;
  const held = shardedIndexOf(index)?.shard(shard) as ShardIndex<unknown> | null | undefined;
  if (!vector || !held?.liveRowIds || !hashable(vector.spec)) return null;
  const payload = new ByteWriter();
  if (held.writeToAsync) await held.writeToAsync(payload);
  else held.writeTo(payload);
  // Taken after the graph: every row of the file is among them (rows only join a shard).
  const rowIds = Uint32Array.from(held.liveRowIds());
  const store = index.table.store;
  const hashes = Uint32Array.from(rowIds, (rowId) =>
    vectorHash(vector.encode(index.keyOf(store.row(rowId))) as Float32Array),
  );
  const indexFile = await runInSlices(encodeIndexFile({ spec: shardSpec(index), payload }));
  return { bytes: encodeShardFile(rowIds, hashes, indexFile), rows: rowIds.length };
}

/** Indexes whose stored vectors are Float32Arrays, which the file's hashes are of. */
function hashable(spec: ColumnIndexSpec): boolean {
  return spec.type === 'vector' || spec.type === 'halfvec';
}

/**
 * Holds shard `shard` of `index` from a file another node (or this one before a restart)
 * wrote, brought up to this copy's rows: rows the file lacks are added, rows the copy no
 * longer has are removed. A file whose rows are not this copy's — the table truncated and
 * refilled (a row's vector hash differs), a row this copy does not have yet — is refused
 * (null), as is a damaged one or one written for another definition: the caller builds the
 * shard instead.
 */
export async function loadIndexShard(
  index: IndexDef,
  shard: number,
  bytes: Uint8Array,
): Promise<{ readonly added: number; readonly removed: number } | null> {
  const vector = index.vector;
  const sharded = shardedIndexOf(index);
  const file = decodeShardFile(bytes);
  if (!vector || !sharded || !file || sharded.holds(shard) || !hashable(vector.spec)) return null;
  const store = index.table.store;
  const generation = store.generation;
  let loaded: ShardIndex<unknown>;
  try {
    loaded = (await loadColumnIndex(file.indexFile, shardSpec(index)))
      .index as unknown as ShardIndex<unknown>;
  } catch (error) {
    if (error instanceof IndexFileError) return null;
    throw error;
  }
  if (index.vector !== vector || store.generation !== generation || sharded.holds(shard)) return null;
  const inFile = loaded.liveRowIds?.();
  if (!inFile) return null;
  /** The row's vector as the shard indexes it, or null when the shard should not have the row. */
  const vectorOf = (rowId: number): Float32Array | null => {
    const key = indexedKey(index, rowId);
    return key === null ? null : (vector.encode(key) as Float32Array);
  };
  const held = new Set<number>();
  for (let i = 0; i < inFile.length; i++) {
    const rowId = inFile[i];
    const hash = file.hashes.get(rowId);
    if (hash === undefined || rowId >= store.capacity || shardOfRow(rowId, sharded.shardCount) !== shard) {
      return null;
    }
    const v = vectorOf(rowId);
    if (v !== null && vectorHash(v) !== hash) return null;
    held.add(rowId);
  }
  // Changes from here on are kept for the loaded shard, as for a build.
  sharded.startBuilding(shard);
  const missing: number[] = [];
  let removed = 0;
  for (let rowId = shard; rowId < store.capacity; rowId += sharded.shardCount) {
    const live = indexedKey(index, rowId) !== null;
    if (live && !held.has(rowId)) missing.push(rowId);
    else if (!live && held.has(rowId)) {
      loaded.remove(rowId);
      removed++;
    }
  }
  if (!(await addAndHold(index, shard, loaded, missing, generation))) return null;
  return { added: missing.length, removed };
}
