/**
 * What a server reports about the durable state it opened, the same for a standalone server
 * (start.ts) and a cluster's write leader (start-cluster.ts): the recovery summary in the
 * log, the storage metrics, and its write shard as quiver_shards shows it.
 */
import type { ShardInfo } from '../catalog/pg-catalog/quiver-views.ts';
import type { ObjectWal } from '../cluster/object-wal.ts';
import type { Persistence } from '../engine/persistence.ts';
import type { Logger } from './log.ts';
import type { ServerMetrics } from './metrics.ts';

/** Logs recovery's figures with `context` under `message`, and any damaged tables as an error. */
export function logRecovery(
  log: Logger,
  persistence: Persistence,
  context: Record<string, unknown>,
  message: string,
): void {
  const { damagedTables, ...stats } = persistence.recovery;
  log.info({ ...context, ...stats }, message);
  if (damagedTables.length > 0)
    log.error({ damagedTables }, 'tables with damaged files answer every query with an error');
}

/** Points the metrics (if kept) at the connections and the durable state (null: in memory). */
export function trackStorage(
  metrics: ServerMetrics | null,
  connections: () => number,
  durable: Persistence | null,
  objectWal?: ObjectWal,
): void {
  metrics?.track({
    connections,
    segments: () => durable?.segments.stats() ?? null,
    walBytesSinceCheckpoint: () => durable?.walBytesSinceCheckpoint ?? 0,
    checkpoints: () => durable?.checkpoints ?? 0,
    walCommits: () => objectWal?.stats ?? null,
  });
}

/** The one write shard (every table) that `leader` writes through `durable`'s WAL. */
export function writeShard(durable: Persistence, leader: string, epoch: number | null): ShardInfo {
  return {
    tables: '*',
    shard: 0,
    leader,
    epoch,
    walNextLsn: durable.walNextLsn,
    walReplayFromLsn: durable.checkpointLsn,
  };
}

/** `host:port`, the host in brackets when it is an IPv6 address. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
