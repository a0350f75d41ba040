/**
 * The rebalancer (DESIGN §5): one per cluster, elected with leadership.ts on the rebalancer
 * keys. While it leads, it watches members, segments, assignments and loaded reports, and
 * writes each segment's assignment (fenced by its epoch, so a deposed rebalancer cannot
 * overwrite its successor's decisions).
 *
 * Moves are two-phase, so a segment never has fewer loaded replicas than before: a new
 * target is written with the old holders kept as `retiring`; nodes load what they are
 * assigned (replicas and retiring) and report it; once every target replica has reported
 * the segment loaded, the retiring ones are dropped.
 */
import type { Lease, MetaOp, MetaStore } from '../meta/meta-store.ts';
import { computeAssignment } from './assignment.ts';
import type { ClusterKeys, SegmentId } from './keys.ts';
import { campaign, type Leadership, type LeadershipKeys } from './leadership.ts';
import { openPrefixView, type PrefixView } from './prefix-view.ts';

/** Value of an assignment key. Nodes hold (load and serve) `replicas` ∪ `retiring`. */
export interface AssignmentRecord {
  readonly replicas: readonly string[];
  /** Old holders kept until every replica has loaded the segment. */
  readonly retiring: readonly string[];
}

/** The part of a segment record (keys.segment) the rebalancer reads. */
export interface SegmentRecord {
  readonly bytes: number;
  /** Replicas it asks for; absent: the rebalancer's `replicas`. */
  readonly replicas?: number;
}

export const DEFAULT_REPLICAS = 2;

export interface RebalanceState {
  /** Segment id → its record. */
  readonly segments: ReadonlyMap<SegmentId, SegmentRecord>;
  readonly nodes: readonly string[];
  readonly assignments: ReadonlyMap<SegmentId, AssignmentRecord>;
  /** Segment id → nodes that reported it loaded. */
  readonly loaded: ReadonlyMap<SegmentId, ReadonlySet<string>>;
  readonly replicas: number;
}

/** The assignment writes one reconcile pass makes: a record to put, or null to delete. */
export function planAssignments(state: RebalanceState): Map<SegmentId, AssignmentRecord | null> {
  const live = new Set(state.nodes);
  const target = computeAssignment({
    segments: [...state.segments].map(([id, s]) => ({ id, bytes: s.bytes, replicas: s.replicas })),
    nodes: state.nodes,
    current: new Map([...state.assignments].map(([id, a]) => [id, a.replicas])),
    replicas: state.replicas,
  });
  const writes = new Map<SegmentId, AssignmentRecord | null>();
  for (const [id, replicas] of target) {
    const old = state.assignments.get(id);
    const holders = new Set([...(old?.replicas ?? []), ...(old?.retiring ?? [])].filter((n) => live.has(n)));
    const loaded = state.loaded.get(id) ?? new Set<string>();
    const allLoaded = replicas.every((n) => loaded.has(n));
    const retiring = allLoaded ? [] : [...holders].filter((n) => !replicas.includes(n)).sort();
    const next: AssignmentRecord = { replicas, retiring };
    if (!old || !sameRecord(old, next)) writes.set(id, next);
  }
  for (const id of state.assignments.keys()) if (!target.has(id)) writes.set(id, null);
  return writes;
}

function sameRecord(a: AssignmentRecord, b: AssignmentRecord): boolean {
  return a.replicas.join() === b.replicas.join() && a.retiring.join() === b.retiring.join();
}

export function rebalancerLeadershipKeys(keys: ClusterKeys): LeadershipKeys {
  return { leader: keys.rebalancerLeader, epoch: keys.rebalancerEpoch, what: 'the rebalancer' };
}

export interface RebalancerOptions {
  readonly store: MetaStore;
  readonly keys: ClusterKeys;
  readonly nodeId: string;
  /** The node's membership lease: the rebalancer role ends with the node. */
  readonly lease: Lease;
  readonly replicas?: number;
  /** Changes within this window are handled by one pass (default 50 ms). */
  readonly debounceMs?: number;
}

export class Rebalancer {
  private leadership: Leadership | undefined;
  private views: PrefixView[] = [];
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private passing: Promise<void> | undefined;
  private again = false;
  private readonly campaigning: Promise<void>;
  /** Number of reconcile passes that wrote something (for tests and metrics). */
  writes = 0;

  private constructor(private readonly options: RebalancerOptions) {
    this.campaigning = this.run();
  }

  /** Starts campaigning in the background; the instance rebalances whenever it leads. */
  static start(options: RebalancerOptions): Rebalancer {
    return new Rebalancer(options);
  }

  get isLeader(): boolean {
    return this.leadership !== undefined && this.leadership.lost === undefined;
  }

  get epoch(): number | undefined {
    return this.leadership?.epoch;
  }

  /** Resolves once this instance leads. */
  async elected(): Promise<void> {
    await this.campaigning;
  }

  /** Resigns (if leading) and stops. */
  async stop(): Promise<void> {
    this.abort.abort(new Error('rebalancer stopped'));
    clearTimeout(this.timer);
    await this.campaigning.catch(() => undefined);
    await this.passing;
    await Promise.all(this.views.map((v) => v.close()));
    if (this.leadership?.lost === undefined) await this.leadership?.resign().catch(() => undefined);
  }

  private async run(): Promise<void> {
    const { store, keys, nodeId, lease } = this.options;
    const leadership = await campaign(
      store,
      rebalancerLeadershipKeys(keys),
      { nodeId, lease },
      this.abort.signal,
    );
    this.leadership = leadership;
    leadership.onLost(() => clearTimeout(this.timer));
    const schedule = () => this.schedule();
    this.views = await Promise.all([
      openPrefixView(store, keys.nodes, schedule),
      openPrefixView(store, keys.segments(), schedule),
      openPrefixView(store, keys.assignments, schedule),
      openPrefixView(store, keys.loaded, schedule),
    ]);
    this.schedule();
  }

  private schedule(): void {
    if (!this.isLeader || this.views.length < 4 || this.abort.signal.aborted) return;
    if (this.passing) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.passing = this.pass()
        .catch((error) => process.emitWarning(`rebalancer pass failed: ${(error as Error).message}`))
        .finally(() => {
          this.passing = undefined;
          if (this.again) {
            this.again = false;
            this.schedule();
          }
        });
    }, this.options.debounceMs ?? 50);
  }

  private async pass(): Promise<void> {
    const leadership = this.leadership;
    if (!leadership || leadership.lost !== undefined) return;
    const [nodes, segments, assignments, loadedReports] = this.views.map((v) => v.entries);
    const loaded = new Map<SegmentId, Set<string>>();
    for (const name of loadedReports.keys()) {
      // `<table>/<segment>/<node>`
      const cut = name.lastIndexOf('/');
      const id = name.slice(0, cut);
      if (!loaded.has(id)) loaded.set(id, new Set());
      loaded.get(id)!.add(name.slice(cut + 1));
    }
    const writes = planAssignments({
      segments: new Map([...segments].map(([id, v]) => [id, JSON.parse(v) as SegmentRecord])),
      // Nodes that cannot hold what is placed (membership.ts `holdsShards`) get nothing.
      nodes: [...nodes].filter(([, info]) => JSON.parse(info).holdsShards !== false).map(([id]) => id),
      assignments: new Map([...assignments].map(([id, v]) => [id, JSON.parse(v) as AssignmentRecord])),
      loaded,
      replicas: this.options.replicas ?? DEFAULT_REPLICAS,
    });
    if (writes.size === 0) return;
    const { keys } = this.options;
    const ops: MetaOp[] = [...writes].map(([id, record]) =>
      record
        ? { type: 'put', key: keys.assignment(id), value: JSON.stringify(record) }
        : { type: 'delete', key: keys.assignment(id) },
    );
    // etcd caps a transaction at 128 operations by default.
    for (let i = 0; i < ops.length; i += 100) await leadership.commit(ops.slice(i, i + 100));
    this.writes++;
  }
}
