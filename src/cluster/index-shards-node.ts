/**
 * A cluster node's part in sharded vector indexes, wired together: the RPC server other
 * nodes search its index shards through (which also serves the leader's WAL to replicas),
 * the rebalancer (elected among the nodes), the holder of the shards assigned to it, the
 * coordinator's search of the others, and — while the node leads the writes — the records
 * of the shards to place.
 */
import type { Catalog } from '../catalog/catalog.ts';
import type { IndexShardPlacement } from '../catalog/pg-catalog/quiver-views.ts';
import type { OpsLog } from '../engine/ops-log.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { RemoteShardSearch } from '../exec/sharded-search.ts';
import type { Lease, MetaStore } from '../meta/meta-store.ts';
import type { IndexShardFiles } from './index-shard-files.ts';
import {
  IndexShardHolder,
  indexShardId,
  publishIndexShards,
  shardedIndexes,
} from './index-shard-placement.ts';
import { ClusterShardSearch, searchHeldShards } from './index-shard-search.ts';
import type { ClusterKeys, SegmentId } from './keys.ts';
import { openPrefixView, type PrefixView } from './prefix-view.ts';
import { Rebalancer } from './rebalancer.ts';
import { PeerClients } from './rpc/node-client.ts';
import { type NodeHandlers, NodeServer } from './rpc/node-server.ts';

/** How often the write leader compares the shard records with its catalog. */
const PUBLISH_MS = 1_000;
/** How often CREATE INDEX looks whether the new index's shards are held yet. */
const AWAIT_HELD_POLL_MS = 100;

export interface IndexShardsNodeOptions {
  readonly meta: MetaStore;
  readonly keys: ClusterKeys;
  readonly nodeId: string;
  /** Interface the RPC server listens on, and the host other nodes dial. */
  readonly host: string;
  readonly advertiseHost: string;
  /** 0: an ephemeral port (published in the membership record). */
  readonly port?: number;
  /** The catalog this node searches now (the leader's, or its replica's current copy); null while it has none. */
  readonly catalog: () => Catalog | null;
  /** Resolves once this node has applied the WAL up to `lsn`. */
  readonly caughtUp: (lsn: number) => Promise<void>;
  /** The WAL position this node's reads have seen. */
  readonly position: () => number;
  /** A live node's RPC address (from the membership). */
  readonly address: (nodeId: string) => string | undefined;
  readonly version: string;
  /** Where holders keep their shards' files (null: every shard is built from the rows). */
  readonly files: IndexShardFiles | null;
  readonly log: OpsLog;
  /** The TailWal handler (wal-tail.ts): the leader streams its commits to the replicas. */
  readonly tailWal: NodeHandlers['tailWal'];
  /** The CommitPosition handler: the leader confirms how far its WAL is committed. */
  readonly commitPosition: NodeHandlers['commitPosition'];
}

export class IndexShardsNode {
  private holder: IndexShardHolder | null = null;
  private rebalancer: Rebalancer | null = null;
  private segments: PrefixView | null = null;
  private publishing: NodeJS.Timeout | undefined;
  private readonly peers = new PeerClients();
  /** Searches other nodes' shards for this node's sessions. */
  readonly remoteShards: RemoteShardSearch;

  private constructor(
    private readonly options: IndexShardsNodeOptions,
    private readonly server: NodeServer,
    /** Searches served for other nodes, by index shard. */
    private readonly served: ReadonlyMap<SegmentId, number>,
  ) {
    this.remoteShards = new ClusterShardSearch({
      nodeId: options.nodeId,
      peers: this.peers,
      holders: (oid, shard) => this.holder?.holders(oid, shard) ?? [],
      address: options.address,
      position: options.position,
      catalog: options.catalog,
    });
  }

  /** Starts the RPC server; `address` is what the membership record publishes. */
  static async listen(options: IndexShardsNodeOptions): Promise<IndexShardsNode> {
    const served = new Map<SegmentId, number>();
    const unsupported = () => {
      throw new SqlError(SqlState.FeatureNotSupported, 'this node serves only index shard searches');
    };
    const server = await NodeServer.start({
      host: options.host,
      port: options.port ?? 0,
      advertiseHost: options.advertiseHost,
      logger: { error: (message, err) => options.log.warn({ err }, message) },
      handlers: {
        searchSegments: async (request, ctx) => {
          const response = await searchHeldShards(options, request, ctx);
          for (const shard of request.shardIds) {
            const id = indexShardId(Number(request.tableId), shard);
            served.set(id, (served.get(id) ?? 0) + 1);
          }
          return response;
        },
        fetchRows: unsupported,
        tailWal: options.tailWal,
        commitPosition: options.commitPosition,
        health: () => ({
          nodeId: options.nodeId,
          ready: options.catalog() !== null,
          loadedSegments: 0,
          loadedBytes: 0n,
          version: options.version,
        }),
      },
    });
    return new IndexShardsNode(options, server, served);
  }

  get address(): string {
    return this.server.address;
  }

  /** Joins the placement once the node is a member (its lease carries the reports). */
  async start(lease: Lease): Promise<void> {
    const { meta, keys, nodeId, log } = this.options;
    this.holder = await IndexShardHolder.start({
      meta,
      keys,
      nodeId,
      lease,
      catalog: this.options.catalog,
      files: this.options.files,
      log,
    });
    this.rebalancer = Rebalancer.start({ store: meta, keys, nodeId, lease });
  }

  /** This node leads the writes: it keeps the shard records in step with `catalog`. */
  async lead(catalog: Catalog): Promise<void> {
    const { meta, keys, log } = this.options;
    const segments = await openPrefixView(meta, keys.segments());
    this.segments = segments;
    let busy = false;
    const publish = () => {
      if (busy) return;
      busy = true;
      publishIndexShards(meta, keys, catalog, segments, this.options.files)
        .catch((err: unknown) => log.warn({ err }, 'could not publish the index shards'))
        .finally(() => {
          busy = false;
        });
    };
    publish();
    this.publishing = setInterval(publish, PUBLISH_MS);
    this.publishing.unref();
  }

  /** Who holds shard `shard` of index `indexOid`, and how often this node searched it for others. */
  placement(indexOid: number, shard: number): IndexShardPlacement {
    return {
      holders: this.holder?.holders(indexOid, shard) ?? [],
      searchesServed: this.served.get(indexShardId(indexOid, shard)) ?? 0,
    };
  }

  /**
   * Resolves once every shard of index `indexOid` is held by a node, or cannot be (no node
   * takes shards), or the index is gone from the catalog this node searches.
   */
  async awaitHeld(indexOid: number, shardCount: number): Promise<void> {
    for (;;) {
      const catalog = this.options.catalog();
      const exists = catalog !== null && shardedIndexes(catalog).some((index) => index.oid === indexOid);
      const holder = this.holder;
      if (!exists) return;
      if (holder) {
        const states = Array.from({ length: shardCount }, (_, shard) => holder.placed(indexOid, shard));
        if (states.every((state) => state !== 'pending')) return;
      }
      await new Promise((resolve) => setTimeout(resolve, AWAIT_HELD_POLL_MS));
    }
  }

  /** A new copy or catalog to look at now. */
  poke(): void {
    this.holder?.poke();
  }

  async close(): Promise<void> {
    clearInterval(this.publishing);
    await this.segments?.close();
    await this.holder?.close();
    await this.rebalancer?.stop();
    await this.server.close(1_000);
    this.peers.close();
  }
}
