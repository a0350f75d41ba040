/**
 * A node's side of replica assignment: which segments it should hold (watching the
 * assignments the rebalancer writes) and its reports of which ones it has loaded. Reports
 * sit on the node's lease, so a dead node's reports vanish with it and the rebalancer never
 * counts a replica that cannot answer.
 *
 * How the engine uses it: on every change, load segments in the set that are not loaded
 * (from object storage), then `reportLoaded`; drop segments no longer in the set, then
 * `dropLoaded`. Coordinators route a segment's search to nodes that are both assigned and
 * reported loaded.
 */
import type { Lease, MetaStore } from '../meta/meta-store.ts';
import type { ClusterKeys, SegmentId } from './keys.ts';
import { openPrefixView, type PrefixView } from './prefix-view.ts';
import type { AssignmentRecord } from './rebalancer.ts';

/** Segment ids whose assignment names `nodeId` as a replica or a retiring holder. */
export function segmentsOf(assignments: ReadonlyMap<SegmentId, string>, nodeId: string): Set<SegmentId> {
  const held = new Set<SegmentId>();
  for (const [id, value] of assignments) {
    const record = JSON.parse(value) as AssignmentRecord;
    if (record.replicas.includes(nodeId) || record.retiring.includes(nodeId)) held.add(id);
  }
  return held;
}

/** Calls `onChange` with the node's segment set whenever assignments change (and once at start). */
export async function watchNodeAssignments(
  store: MetaStore,
  keys: ClusterKeys,
  nodeId: string,
  onChange: (segments: Set<SegmentId>) => void,
): Promise<PrefixView> {
  return openPrefixView(store, keys.assignments, (entries) => onChange(segmentsOf(entries, nodeId)));
}

export async function reportLoaded(
  store: MetaStore,
  keys: ClusterKeys,
  id: SegmentId,
  nodeId: string,
  lease: Lease,
): Promise<void> {
  await store.put(keys.loadedReport(id, nodeId), String(Date.now()), { lease: lease.id });
}

export async function dropLoaded(
  store: MetaStore,
  keys: ClusterKeys,
  id: SegmentId,
  nodeId: string,
): Promise<void> {
  await store.delete(keys.loadedReport(id, nodeId));
}
