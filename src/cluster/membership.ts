/**
 * Cluster membership (DESIGN §5): a node is a member while its key under `nodes/` exists.
 * The key is attached to the node's lease, renewed by keepalives; a node that dies stops
 * renewing and its key (with every other key on the lease: shard leaderships, loaded
 * reports) is deleted by the MetaStore after the TTL. `leave()` revokes the lease, so a
 * graceful shutdown disappears at once — closing an etcd3 client alone would keep the
 * keepalives going (DESIGN §2a).
 */
import { SqlError } from '../errors/sql-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import type { Lease, MetaStore } from '../meta/meta-store.ts';
import type { ClusterKeys } from './keys.ts';
import { openPrefixView, type PrefixView } from './prefix-view.ts';

export interface NodeLoad {
  readonly segments: number;
  readonly bytes: number;
  readonly leaderShards: number;
}

export interface MemberInfo {
  readonly nodeId: string;
  /** host:port other nodes use for RPC. */
  readonly advertiseAddress: string;
  /** host:port clients use for SQL. */
  readonly sqlAddress: string;
  /** Wall-clock ms when the node started (tells a restart from a long-lived node). */
  readonly startedAt: number;
  readonly load: NodeLoad;
  /**
   * False for a node that keeps no copy of the data while it does not lead (a standby with
   * `--read-replica off`): the rebalancer places no index shards on it. Absent: true.
   */
  readonly holdsShards?: boolean;
}

export const DEFAULT_MEMBER_TTL_SECONDS = 5;

export interface JoinOptions {
  readonly ttlSeconds?: number;
  /**
   * How long to wait for a previous incarnation's key (same node id, a process that was
   * killed) to expire. Default: twice the TTL.
   */
  readonly takeoverWaitMs?: number;
}

export class Membership {
  private left = false;

  private constructor(
    private readonly store: MetaStore,
    private readonly keys: ClusterKeys,
    readonly lease: Lease,
    private info: MemberInfo,
  ) {}

  /**
   * Registers this node. A live key with the same node id means another process claims it:
   * wait for it to expire (a killed predecessor), then fail with 55006 if it does not.
   */
  static async join(
    store: MetaStore,
    keys: ClusterKeys,
    info: MemberInfo,
    options: JoinOptions = {},
  ): Promise<Membership> {
    const ttlSeconds = options.ttlSeconds ?? DEFAULT_MEMBER_TTL_SECONDS;
    const key = keys.node(info.nodeId);
    const lease = await store.grantLease(ttlSeconds);
    const deadline = Date.now() + (options.takeoverWaitMs ?? ttlSeconds * 2000);
    try {
      for (;;) {
        const result = await store.txn({
          compare: [{ key, target: 'createRevision', op: '=', value: 0 }],
          success: [{ type: 'put', key, value: JSON.stringify(info), lease: lease.id }],
        });
        if (result.succeeded) return new Membership(store, keys, lease, info);
        if (Date.now() > deadline) {
          throw new SqlError(
            SqlState.ObjectInUse,
            `node id "${info.nodeId}" is already in use by a live node`,
            {
              hint: 'Give each node a unique --node-id.',
            },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } catch (error) {
      await lease.revoke().catch(() => undefined);
      throw error;
    }
  }

  get nodeId(): string {
    return this.info.nodeId;
  }

  get member(): MemberInfo {
    return this.info;
  }

  /** Publishes new load figures (kept on the same lease). */
  async updateLoad(load: NodeLoad): Promise<void> {
    this.info = { ...this.info, load };
    await this.store.put(this.keys.node(this.info.nodeId), JSON.stringify(this.info), {
      lease: this.lease.id,
    });
  }

  /** Fires when the lease is lost (keepalives failed past the TTL): the node is no longer a member. */
  onLost(listener: () => void): void {
    this.lease.onLost(listener);
  }

  /** Graceful exit: revokes the lease, deleting this node's key and all keys on the lease at once. */
  async leave(): Promise<void> {
    if (this.left) return;
    this.left = true;
    await this.lease.revoke();
  }
}

export async function listMembers(store: MetaStore, keys: ClusterKeys): Promise<MemberInfo[]> {
  return (await store.range(keys.nodes)).map((kv) => JSON.parse(kv.value) as MemberInfo);
}

export interface MemberView {
  /** Live members by node id. */
  members(): Map<string, MemberInfo>;
  close(): Promise<void>;
}

/** Keeps the member list current; `onChange` gets every new list (also the first). */
export async function watchMembers(
  store: MetaStore,
  keys: ClusterKeys,
  onChange: (members: Map<string, MemberInfo>) => void = () => {},
): Promise<MemberView> {
  const toMembers = (entries: ReadonlyMap<string, string>) =>
    new Map([...entries].map(([id, value]) => [id, JSON.parse(value) as MemberInfo]));
  const view: PrefixView = await openPrefixView(store, keys.nodes, (entries) => onChange(toMembers(entries)));
  return { members: () => toMembers(view.entries), close: () => view.close() };
}
