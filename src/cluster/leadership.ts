/**
 * Fenced leadership over one MetaStore key (DESIGN §5): shard leaders, the TSO holder and the
 * rebalancer are all elected this way.
 *
 * Acquiring is one transaction: "no leader key" → create the leader key on the candidate's
 * lease and raise the epoch key by one. The epoch key is not leased, so it survives the
 * leader and never goes down. A leader's durable writes are transactions guarded by its
 * fence — the leader key it created still exists (same create revision, which no later
 * leader can have) and the epoch is still its own — so a deposed or expired leader that
 * has not noticed yet cannot write: its transaction fails and it gets a 40001 error.
 */
import { SqlError } from '../errors/sql-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import type { Compare, Lease, MetaOp, MetaStore, Watcher } from '../meta/meta-store.ts';

export interface LeadershipKeys {
  /** Leased key naming the current leader; absent when there is none. */
  readonly leader: string;
  /** Unleased counter of acquisitions; never decreases. */
  readonly epoch: string;
  /** What is being led, for messages ("shard 3 of table 16384", "the TSO"). */
  readonly what: string;
}

export interface LeaderRecord {
  readonly nodeId: string;
  readonly epoch: number;
  readonly lease: number;
  /** Wall-clock ms of the acquisition (diagnostics only). */
  readonly since: number;
}

export interface Candidate {
  readonly nodeId: string;
  /** The node's lease (usually its membership lease): leadership ends with it. */
  readonly lease: Lease;
}

/** The error a deposed leader gets. 40001: the write did not happen, so retrying is safe. */
export function leadershipLostError(what: string, epoch: number, detail?: string): SqlError {
  return new SqlError(
    SqlState.SerializationFailure,
    `this node is no longer the leader of ${what} (epoch ${epoch})`,
    {
      detail,
      hint: 'The write was not applied. Retry the transaction; it will go to the new leader.',
    },
  );
}

export async function readLeader(store: MetaStore, keys: LeadershipKeys): Promise<LeaderRecord | null> {
  const kv = await store.get(keys.leader);
  return kv ? (JSON.parse(kv.value) as LeaderRecord) : null;
}

/** Current epoch (0 before the first acquisition). */
export async function readEpoch(store: MetaStore, keys: LeadershipKeys): Promise<number> {
  const kv = await store.get(keys.epoch);
  return kv ? Number(kv.value) : 0;
}

/** Becomes leader if there is none right now; null when another node leads (or won the race). */
export async function tryAcquire(
  store: MetaStore,
  keys: LeadershipKeys,
  candidate: Candidate,
): Promise<Leadership | null> {
  const epochKv = await store.get(keys.epoch);
  const epoch = (epochKv ? Number(epochKv.value) : 0) + 1;
  const record: LeaderRecord = {
    nodeId: candidate.nodeId,
    epoch,
    lease: candidate.lease.id,
    since: Date.now(),
  };
  const result = await store.txn({
    compare: [
      { key: keys.leader, target: 'createRevision', op: '=', value: 0 },
      // The epoch read above is still current: concurrent candidates cannot reuse an epoch.
      { key: keys.epoch, target: 'modRevision', op: '=', value: epochKv?.modRevision ?? 0 },
    ],
    success: [
      { type: 'put', key: keys.epoch, value: String(epoch) },
      { type: 'put', key: keys.leader, value: JSON.stringify(record), lease: candidate.lease.id },
    ],
  });
  if (!result.succeeded) return null;
  const leadership = new Leadership(store, keys, candidate, epoch, result.revision);
  await leadership.watchLoss();
  return leadership;
}

/**
 * Waits until this candidate leads. Between attempts it watches the leader key from the
 * revision it read, so a deletion is never missed; `signal` aborts the wait.
 */
export async function campaign(
  store: MetaStore,
  keys: LeadershipKeys,
  candidate: Candidate,
  signal?: AbortSignal,
): Promise<Leadership> {
  for (;;) {
    signal?.throwIfAborted();
    const won = await tryAcquire(store, keys, candidate);
    if (won) return won;
    const current = await store.get(keys.leader);
    if (!current) continue;
    await new Promise<void>((resolve, reject) => {
      let watcher: Watcher | undefined;
      let done = false;
      const finish = (error?: unknown) => {
        if (done) return;
        done = true;
        signal?.removeEventListener('abort', onAbort);
        void watcher?.close();
        if (error) reject(error);
        else resolve();
      };
      const onAbort = () => finish(signal?.reason);
      signal?.addEventListener('abort', onAbort);
      if (signal?.aborted) return onAbort();
      candidate.lease.onLost(() =>
        finish(new SqlError(SqlState.AdminShutdown, `lease of node ${candidate.nodeId} was lost`)),
      );
      store
        .watch(keys.leader, current.modRevision, (events) => {
          if (events.some((e) => e.key === keys.leader && e.type === 'delete')) finish();
        })
        .then((w) => {
          watcher = w;
          if (done) void w.close();
        }, finish);
    });
  }
}

export class Leadership {
  private lostReason: string | undefined;
  private readonly listeners: ((reason: string) => void)[] = [];
  private watcher: Watcher | undefined;

  constructor(
    private readonly store: MetaStore,
    readonly keys: LeadershipKeys,
    readonly candidate: Candidate,
    readonly epoch: number,
    /** Create revision of the leader key this leadership wrote: its identity. */
    readonly createRevision: number,
  ) {}

  get nodeId(): string {
    return this.candidate.nodeId;
  }

  /** Why leadership was lost, or undefined while (as far as this node knows) it holds. */
  get lost(): string | undefined {
    return this.lostReason;
  }

  /**
   * Until when (monotonic-ms.ts) no other node can have become leader: the lease this
   * leadership's key is attached to cannot have expired in the store before then, and a
   * successor campaigns only after it has (or after this node resigned). 0 once lost.
   */
  surelyLeadsUntil(): number {
    return this.lostReason === undefined ? this.candidate.lease.heldUntil() : 0;
  }

  /** Called once when leadership is known lost (leader key gone or replaced, lease lost). */
  onLost(listener: (reason: string) => void): void {
    if (this.lostReason !== undefined) queueMicrotask(() => listener(this.lostReason!));
    else this.listeners.push(listener);
  }

  /** Compares that hold only while this leadership does; prepend them to any guarded txn. */
  fence(): Compare[] {
    return [
      { key: this.keys.leader, target: 'createRevision', op: '=', value: this.createRevision },
      { key: this.keys.epoch, target: 'value', op: '=', value: String(this.epoch) },
    ];
  }

  /**
   * Applies `ops` if this node still leads and `compare` holds. A failed fence throws
   * 40001 (nothing was written); a failed `compare` alone returns null. A transport
   * error leaves the outcome unknown: 40003. Returns the store revision of the write.
   */
  async commit(ops: readonly MetaOp[], compare: readonly Compare[] = []): Promise<number | null> {
    if (this.lostReason !== undefined) throw leadershipLostError(this.keys.what, this.epoch, this.lostReason);
    let result: Awaited<ReturnType<MetaStore['txn']>>;
    try {
      result = await this.store.txn({ compare: [...this.fence(), ...compare], success: ops });
    } catch (error) {
      throw new SqlError(
        SqlState.StatementCompletionUnknown,
        `could not tell whether a write of the leader of ${this.keys.what} was applied: ${(error as Error).message}`,
      );
    }
    if (result.succeeded) return result.revision;
    if (compare.length > 0 && (await this.holds())) return null;
    this.markLost('a guarded write found another leader or epoch');
    throw leadershipLostError(this.keys.what, this.epoch, this.lostReason);
  }

  /** Whether the fence holds right now in the store (one read transaction). */
  async holds(): Promise<boolean> {
    return (await this.store.txn({ compare: this.fence(), success: [] })).succeeded;
  }

  /** Gives leadership up at once (the epoch stays); others may acquire immediately. */
  async resign(): Promise<void> {
    this.markLost('resigned');
    await this.watcher?.close();
    await this.store.txn({
      compare: [{ key: this.keys.leader, target: 'createRevision', op: '=', value: this.createRevision }],
      success: [{ type: 'delete', key: this.keys.leader }],
    });
  }

  /** Stops watching without giving leadership up (the lease still ends it). */
  async close(): Promise<void> {
    await this.watcher?.close();
  }

  /** @internal */
  async watchLoss(): Promise<void> {
    this.candidate.lease.onLost(() =>
      this.markLost(`lease ${this.candidate.lease.id} of node ${this.nodeId} was lost`),
    );
    this.watcher = await this.store.watch(this.keys.leader, this.createRevision, (events) => {
      for (const e of events) {
        if (e.key !== this.keys.leader) continue;
        if (e.type === 'delete') this.markLost('the leader key was deleted (lease expired or revoked)');
        else if (e.modRevision !== this.createRevision) this.markLost('another node became leader');
      }
    });
  }

  private markLost(reason: string): void {
    if (this.lostReason !== undefined) return;
    this.lostReason = reason;
    void this.watcher?.close();
    for (const listener of this.listeners.splice(0)) listener(reason);
  }
}
