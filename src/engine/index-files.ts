/**
 * Vector index files for checkpoints: the content of a table's vector index as it is now, and
 * the index back from those bytes (checked against the catalog's index definition).
 */
import type { IndexDef } from '../catalog/catalog-types.ts';
import type { ColumnIndex, ColumnIndexSpec, IndexedType } from '../storage/vector/column-index.ts';
import {
  captureColumnIndex,
  type IndexFileContent,
  loadColumnIndex,
} from '../storage/vector/index-persistence.ts';

/** The index's content as of one moment after the call, or null for a non-vector index. */
export async function captureIndexFile(index: IndexDef): Promise<IndexFileContent | null> {
  return index.vector ? captureColumnIndex(index.vector) : null;
}

export function loadIndexFile(index: IndexDef, bytes: Uint8Array): Promise<ColumnIndex> {
  return loadColumnIndex(bytes, indexSpec(index));
}

/** What the catalog says the index is; buildIndex creates indexes from the same facts. */
export function indexSpec(index: IndexDef): ColumnIndexSpec {
  return {
    method: index.method as ColumnIndexSpec['method'],
    type: index.keyType.base as IndexedType,
    metric: index.metric!,
    dimensions: index.keyType.typmod,
    options: {
      m: index.options.m,
      efConstruction: index.options.ef_construction,
      lists: index.options.lists,
      // Only when sharded: the spec of an unsharded index stays what it always was.
      ...(index.options.shards ? { shards: index.options.shards } : {}),
    },
  };
}
