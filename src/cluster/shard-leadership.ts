/**
 * Leadership of one shard (DESIGN §3, §5): the node that owns the shard's WAL and growing
 * segment. A thin layer over leadership.ts with the shard's keys; the epoch it returns is
 * the fencing token the shard's object WAL (object-wal.ts) guards its commit point with.
 *
 * How the engine uses it: a node that should lead a shard calls `campaignShard` with its
 * membership lease; when it wins, it opens the shard's ObjectWal with the Leadership,
 * replays, and serves writes; on `onLost` it stops accepting writes for the shard (pending
 * ones fail with 40001) and drops its growing segment. Writers find the leader with
 * `readShardLeader` and the node's SQL/RPC address from membership.
 */
import type { MetaStore } from '../meta/meta-store.ts';
import type { ClusterKeys, ShardRef } from './keys.ts';
import {
  type Candidate,
  campaign,
  type LeaderRecord,
  type Leadership,
  type LeadershipKeys,
  readLeader,
  tryAcquire,
} from './leadership.ts';

export function shardLeadershipKeys(keys: ClusterKeys, ref: ShardRef): LeadershipKeys {
  return {
    leader: keys.shardLeader(ref),
    epoch: keys.shardEpoch(ref),
    what: `shard ${ref.shard} of table ${ref.table}`,
  };
}

/** Leads the shard if nobody does; null otherwise. */
export function tryAcquireShard(
  store: MetaStore,
  keys: ClusterKeys,
  ref: ShardRef,
  candidate: Candidate,
): Promise<Leadership | null> {
  return tryAcquire(store, shardLeadershipKeys(keys, ref), candidate);
}

/** Waits until this node leads the shard (e.g. after the current leader's lease expires). */
export function campaignShard(
  store: MetaStore,
  keys: ClusterKeys,
  ref: ShardRef,
  candidate: Candidate,
  signal?: AbortSignal,
): Promise<Leadership> {
  return campaign(store, shardLeadershipKeys(keys, ref), candidate, signal);
}

export function readShardLeader(
  store: MetaStore,
  keys: ClusterKeys,
  ref: ShardRef,
): Promise<LeaderRecord | null> {
  return readLeader(store, shardLeadershipKeys(keys, ref));
}
