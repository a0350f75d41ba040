/**
 * Timestamp oracle (DESIGN §3 "MVCC by timestamp"): hybrid timestamps, physical
 * milliseconds << 18 | a logical counter, as bigint (a 2026 timestamp needs 59 bits).
 *
 * The allocator hands timestamps out from memory below a window persisted in the MetaStore
 * (`tso/window`, an upper bound in physical ms). It raises the window by compare-and-set
 * before handing out past it, and a new allocator starts at or above the persisted window,
 * so no timestamp is ever handed out twice or below an earlier one — across restarts and
 * across a handover to another holder — even when clocks go backwards.
 *
 * Only the elected holder allocates (leadership.ts on keys.tsoLeader; pass its Leadership
 * as `fence`): window raises are then fenced, and a deposed holder fails with 40001 once
 * its window runs out. Other nodes will ask the holder over RPC in batches (`allocate(n)`).
 */
import { SqlError } from '../errors/sql-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import type { MetaStore } from '../meta/meta-store.ts';
import type { ClusterKeys } from './keys.ts';
import { type Leadership, type LeadershipKeys, leadershipLostError } from './leadership.ts';

export const LOGICAL_BITS = 18n;
const LOGICAL_MASK = (1n << LOGICAL_BITS) - 1n;

export function makeTimestamp(physicalMs: number, logical = 0): bigint {
  return (BigInt(physicalMs) << LOGICAL_BITS) | BigInt(logical);
}
export function physicalOf(ts: bigint): number {
  return Number(ts >> LOGICAL_BITS);
}
export function logicalOf(ts: bigint): number {
  return Number(ts & LOGICAL_MASK);
}

export function tsoLeadershipKeys(keys: ClusterKeys): LeadershipKeys {
  return { leader: keys.tsoLeader, epoch: keys.tsoEpoch, what: 'the timestamp oracle' };
}

export interface TsoOptions {
  /** How far ahead of the clock each persisted window reaches (default 3000 ms). */
  readonly windowMs?: number;
  /** The holder's leadership: window raises are guarded by it. */
  readonly fence?: Leadership;
  readonly now?: () => number;
}

export class TsoAllocator {
  /** Last timestamp handed out. */
  private last: bigint;
  /** Persisted bound: every timestamp handed out has physical part < limitMs. */
  private limitMs: number;
  private windowModRevision: number;
  private raising: Promise<void> | undefined;
  private readonly windowMs: number;
  private readonly now: () => number;

  private constructor(
    private readonly store: MetaStore,
    private readonly keys: ClusterKeys,
    private readonly options: TsoOptions,
  ) {
    this.windowMs = options.windowMs ?? 3000;
    this.now = options.now ?? Date.now;
    this.last = 0n;
    this.limitMs = 0;
    this.windowModRevision = 0;
  }

  /** Starts above everything any earlier allocator could have handed out. */
  static async open(store: MetaStore, keys: ClusterKeys, options: TsoOptions = {}): Promise<TsoAllocator> {
    const tso = new TsoAllocator(store, keys, options);
    const kv = await store.get(keys.tsoWindow);
    const persisted = kv ? Number(kv.value) : 0;
    tso.windowModRevision = kv?.modRevision ?? 0;
    // Timestamps below the persisted bound may have been handed out: start at the bound.
    tso.last = makeTimestamp(persisted) - 1n;
    tso.limitMs = persisted;
    await tso.raise(persisted);
    return tso;
  }

  /** One timestamp, greater than every earlier one. */
  async next(): Promise<bigint> {
    return (await this.allocate(1)).first;
  }

  /** `count` consecutive timestamps first … first + count − 1 (for batched RPC callers). */
  async allocate(count: number): Promise<{ first: bigint; count: number }> {
    if (!Number.isInteger(count) || count < 1 || count > Number(LOGICAL_MASK)) {
      throw new SqlError(SqlState.InvalidParameterValue, `invalid timestamp batch size ${count}`);
    }
    for (;;) {
      // A holder that knows it was deposed stops at once, even inside its window.
      const lost = this.options.fence?.lost;
      if (lost !== undefined)
        throw leadershipLostError('the timestamp oracle', this.options.fence!.epoch, lost);
      const clock = makeTimestamp(this.now());
      const first = clock > this.last ? clock : this.last + 1n;
      const lastTs = first + BigInt(count - 1);
      if (physicalOf(lastTs) < this.limitMs) {
        this.last = lastTs;
        return { first, count };
      }
      // Concurrent callers share one raise.
      this.raising ??= this.raise(physicalOf(lastTs)).finally(() => {
        this.raising = undefined;
      });
      await this.raising;
    }
  }

  /** Upper bound (exclusive, physical ms) currently persisted by this allocator. */
  get windowLimitMs(): number {
    return this.limitMs;
  }

  /** Persists a new bound past `neededMs` by compare-and-set on the bound this allocator last saw. */
  private async raise(neededMs: number): Promise<void> {
    const limit = Math.max(neededMs + 1, this.now() + this.windowMs);
    const compare = [
      {
        key: this.keys.tsoWindow,
        target: 'modRevision' as const,
        op: '=' as const,
        value: this.windowModRevision,
      },
    ];
    const ops = [{ type: 'put' as const, key: this.keys.tsoWindow, value: String(limit) }];
    let revision: number | null;
    try {
      if (this.options.fence) {
        revision = await this.options.fence.commit(ops, compare);
      } else {
        const result = await this.store.txn({ compare, success: ops });
        revision = result.succeeded ? result.revision : null;
      }
    } catch (error) {
      this.limitMs = 0;
      throw error;
    }
    if (revision === null) {
      // Another allocator moved the window: this one may no longer hand out anything.
      this.limitMs = 0;
      throw new SqlError(
        SqlState.SerializationFailure,
        'the timestamp window was moved by another allocator; this node no longer holds the timestamp oracle',
      );
    }
    this.windowModRevision = revision;
    this.limitMs = limit;
  }
}
