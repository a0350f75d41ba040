/**
 * A read replica follows the leader's checkpoints. The rows it applies from the WAL are
 * held in memory; the leader's checkpoints seal the same rows into segments. Without this a
 * replica that follows for long (its copies made in place after DDL) would hold every row
 * inserted since it started in memory, past `--memory-budget`. So once the replica has
 * applied the WAL up to a checkpoint, each segment that checkpoint wrote whose rows the
 * replica holds in memory is attached instead (TableStore.seal, as the leader does after
 * writing it): the rows are read from the segment — the node's local copy of it, through
 * the segment cache and its budget — from then on.
 *
 * A segment holding rows the replica already reads from segments (a compaction: VACUUM, or
 * a table with many deleted rows) is left alone: the replica keeps reading the segments it
 * has, which are its own local files, until it next recovers a copy.
 */
import type { Table } from '../catalog/catalog-types.ts';
import type { SegmentOpener, TableManifest } from '../engine/checkpoint.ts';
import type { ObjectStore } from '../storage/object-store/object-store.ts';
import { sealedPart } from '../storage/sealed-rows.ts';
import { openSegment } from '../storage/segment/segment-reader.ts';

export interface SealedFromCheckpoint {
  readonly segments: number;
  readonly rows: number;
}

export async function sealFromCheckpoint(
  tables: ReadonlyMap<number, Table>,
  /** The checkpoint's manifests, and its LSN. */
  manifests: ReadonlyMap<number, TableManifest>,
  checkpointLsn: number,
  /** LSN of each table's last TRUNCATE the copy applied (its row ids restarted there). */
  truncatedAt: ReadonlyMap<number, number>,
  objects: ObjectStore,
  openSegmentHandle: NonNullable<SegmentOpener>,
): Promise<SealedFromCheckpoint> {
  let segments = 0;
  let rows = 0;
  for (const [oid, manifest] of manifests) {
    const store = tables.get(oid)?.store;
    // Truncated since that checkpoint: its segments name row ids of the rows before.
    if (!store || store.damaged || (truncatedAt.get(oid) ?? -1) >= checkpointLsn) continue;
    const attached = new Set(store.sealedParts().map((part) => part.handle.key));
    const inMemory = store.inMemoryRowCount();
    for (const ref of manifest.segments) {
      // More rows than the replica holds in memory: not (only) rows it holds, skip the download.
      if (attached.has(ref.key) || ref.rows > inMemory) continue;
      const bytes = await objects.get(ref.key);
      const segment = openSegment(bytes, ref.key);
      segment.verify();
      if (!store.holdsInMemory(segment.rowIds)) continue;
      const part = sealedPart(openSegmentHandle(ref.key, bytes.length), ref.attnums, segment.rowIds);
      store.seal(part, segment.rowIds, false);
      segments++;
      rows += segment.rowIds.length;
    }
  }
  return { segments, rows };
}
