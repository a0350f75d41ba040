/**
 * Quiver's own views: quiver_segments lists the sealed segments tables are read from, with
 * their size and whether the segment cache holds them now (the memory budget at work);
 * quiver_nodes lists the nodes of the cluster (standalone: this server alone);
 * quiver_index_shards lists the shards of sharded vector indexes, whether this node holds
 * each (and how many rows it has there), and which nodes reported holding it.
 */
import { ShardedIndex } from '../../storage/vector/sharded-index.ts';
import { ArrayValue } from '../../types/array.ts';
import { PG_EPOCH_MS } from '../../types/time-zone.ts';
import type { Catalog } from '../catalog.ts';
import type { Database } from '../catalog-types.ts';
import { relation } from './relation.ts';

/** One node of the cluster as quiver_nodes shows it. */
export interface NodeInfo {
  readonly nodeId: string;
  /** host:port clients (and standbys) reach its SQL port at; null if unknown. */
  readonly sqlAddress: string | null;
  /** Whether it runs the engine and takes every write (the node answering this query). */
  readonly leadsWrites: boolean;
  /** Wall-clock ms when the node process started. */
  readonly startedAt: number;
}

const PROCESS_STARTED_MS = Date.now() - performance.now();

/** One write shard as quiver_shards shows it. */
export interface ShardInfo {
  /** What the shard holds; `*`: every table (one write leader for the database). */
  readonly tables: string;
  readonly shard: number;
  /** The node leading its writes. */
  readonly leader: string;
  /** The leadership epoch that fences its writes (null standalone: nothing to fence). */
  readonly epoch: number | null;
  /** LSN the next WAL record gets. */
  readonly walNextLsn: number;
  /** Recovery replays the WAL from this LSN (everything below is in segments). */
  readonly walReplayFromLsn: number;
}

/** A standalone server: one node that leads its own writes. */
export const STANDALONE_NODES = (): readonly NodeInfo[] => [
  { nodeId: 'standalone', sqlAddress: null, leadsWrites: true, startedAt: PROCESS_STARTED_MS },
];

/** Where one shard of a sharded vector index is (the cluster tells; standalone: here). */
export interface IndexShardPlacement {
  /** Nodes that reported holding it. */
  readonly holders: readonly string[];
  /** Searches of it this node served for other nodes. */
  readonly searchesServed: number;
}

/** The shards of sharded vector indexes as quiver_index_shards shows them. */
function indexShardRows(ctx: { database: Database; catalog: Catalog }) {
  const rows: Record<string, unknown>[] = [];
  for (const schema of ctx.database.schemas.values())
    for (const index of schema.indexes.values()) {
      const sharded = index.vector?.index;
      if (!(sharded instanceof ShardedIndex)) continue;
      for (let shard = 0; shard < sharded.shardCount; shard++) {
        const held = sharded.shard(shard);
        const placement = ctx.catalog.indexShardPlacement(index.oid, shard);
        rows.push({
          indexrelid: index.oid,
          indexname: index.name,
          shard,
          held_here: held !== null,
          rows: held === null ? null : BigInt(held.size()),
          holders: ArrayValue.of([...placement.holders].sort()),
          searches_served: BigInt(placement.searchesServed),
        });
      }
    }
  return rows;
}

export const quiverViews = [
  relation(
    'quiver_segments',
    8900,
    'relid oid, relname name, segment text, rows int8, bytes int8, loaded bool, vectors_from_file bool',
    (ctx) =>
      [...ctx.database.schemas.values()].flatMap((schema) =>
        [...schema.tables.values()].flatMap((table) =>
          table.store.sealedParts().map((part) => ({
            relid: table.oid,
            relname: table.name,
            segment: part.handle.key,
            rows: BigInt(part.rows),
            bytes: BigInt(part.handle.bytes),
            loaded: part.handle.loaded,
            vectors_from_file: part.handle.vectorsFromFile,
          })),
        ),
      ),
    {},
    'v',
  ),
  relation(
    'quiver_shards',
    8902,
    'tables text, shard int4, leader text, epoch int8, wal_next_lsn int8, wal_replay_from_lsn int8',
    (ctx) =>
      ctx.catalog.shards().map((shard) => ({
        tables: shard.tables,
        shard: shard.shard,
        leader: shard.leader,
        epoch: shard.epoch === null ? null : BigInt(shard.epoch),
        wal_next_lsn: BigInt(shard.walNextLsn),
        wal_replay_from_lsn: BigInt(shard.walReplayFromLsn),
      })),
    {},
    'v',
  ),
  relation(
    'quiver_index_shards',
    8903,
    'indexrelid oid, indexname name, shard int4, held_here bool, rows int8, holders text[], searches_served int8',
    indexShardRows,
    {},
    'v',
  ),
  relation(
    'quiver_nodes',
    8901,
    'node_id text, sql_address text, leads_writes bool, started_at timestamptz',
    (ctx) =>
      [...ctx.catalog.nodes()]
        .sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0))
        .map((node) => ({
          node_id: node.nodeId,
          sql_address: node.sqlAddress,
          leads_writes: node.leadsWrites,
          started_at: (node.startedAt - PG_EPOCH_MS) * 1000,
        })),
    {},
    'v',
  ),
];
