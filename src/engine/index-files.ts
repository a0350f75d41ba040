/**
 * Vector index files for checkpoints: the bytes of a table's vector index as it is now, and
 * the index back from those bytes.
 */
import type { IndexDef } from '../catalog/catalog-types.ts';
import type { ColumnIndex } from '../storage/vector/column-index.ts';

/** The index's bytes, or null when it cannot be saved (it is rebuilt on restart instead). */
export function saveIndexFile(_index: IndexDef): Uint8Array | null {
  return null;
}

export function loadIndexFile(index: IndexDef, _bytes: Uint8Array): ColumnIndex {
  throw new Error(`index "${index.name}" has no loadable file format yet`);
}
