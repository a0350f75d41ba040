/**
 * The server's Prometheus metrics (served at /metrics by ops-http.ts): prom-client's
 * process and Node.js metrics plus Quiver's own. Per statement only plain numbers move
 * (latency-histogram.ts, and counters kept here); prom-client reads them, and the gauges'
 * owners, when Prometheus scrapes.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { ReplicaStats } from '../cluster/engine-replica.ts';
import type { WalCommitStats } from '../cluster/object-wal.ts';
import { QUERY_KINDS, type QueryKind, type StatementObserver } from '../engine/statement-stats.ts';
import type { SegmentCacheStats } from '../storage/segment-cache.ts';
import { LatencyHistogram, type SeriesIndex } from './latency-histogram.ts';

/** Where the gauges read their values at scrape time. */
export interface MetricSources {
  /** Open client connections (including ones still authenticating). */
  connections(): number;
  /** The segment cache, or null for a server without one (--in-memory). */
  segments(): SegmentCacheStats | null;
  walBytesSinceCheckpoint(): number;
  checkpoints(): number;
  /** A cluster standby's read replica (cluster/engine-replica.ts); absent elsewhere. */
  replica?(): ReplicaStats | null;
  /** A cluster write leader's group commit into object storage (cluster/object-wal.ts); absent elsewhere. */
  walCommits?(): WalCommitStats | null;
}

/** Seconds: a point query over the wire takes ~0.1–0.2 ms, a large COPY or index build minutes. */
const DURATION_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120,
];

interface KindStats {
  readonly ok: SeriesIndex;
  readonly error: SeriesIndex;
  okCount: number;
  errorCount: number;
}

export class ServerMetrics implements StatementObserver {
  readonly registry = new Registry();
  private readonly duration: LatencyHistogram;
  private readonly byKind: Record<QueryKind, KindStats>;
  private rowsReturned = 0;
  private rowsWritten = 0;
  private sources: MetricSources = {
    connections: () => 0,
    segments: () => null,
    walBytesSinceCheckpoint: () => 0,
    checkpoints: () => 0,
  };

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    // Every series exists from the start, so rate() and dashboards see zeros, not gaps.
    const duration = new LatencyHistogram(DURATION_BUCKETS, this.registry);
    this.duration = duration;
    const byKind = {} as Record<QueryKind, KindStats>;
    for (const kind of QUERY_KINDS) {
      byKind[kind] = {
        ok: duration.series(kind, true),
        error: duration.series(kind, false),
        okCount: 0,
        errorCount: 0,
      };
    }
    this.byKind = byKind;

    const stats = this;
    new Counter({
      name: 'quiver_queries_total',
      help: 'Statements executed, by command kind and outcome',
      labelNames: ['kind', 'outcome'] as const,
      registers,
      collect() {
        this.reset();
        for (const kind of QUERY_KINDS) {
          this.inc({ kind, outcome: 'ok' }, stats.byKind[kind].okCount);
          this.inc({ kind, outcome: 'error' }, stats.byKind[kind].errorCount);
        }
      },
    });
    counter(
      'quiver_rows_returned_total',
      'Rows returned to clients (SELECT, RETURNING, SHOW, COPY TO)',
      () => stats.rowsReturned,
    );
    counter(
      'quiver_rows_written_total',
      'Rows inserted, updated or deleted by statements and COPY FROM (including ones later rolled back)',
      () => stats.rowsWritten,
    );
    counter('quiver_checkpoints_total', 'Checkpoints completed since the server started', () =>
      stats.sources.checkpoints(),
    );
    counter(
      'quiver_segment_loads_total',
      'Sealed segments read into the segment cache',
      () => stats.sources.segments()?.loads ?? 0,
    );
    counter(
      'quiver_segment_evictions_total',
      'Sealed segments dropped from the cache to stay within the budget',
      () => stats.sources.segments()?.evictions ?? 0,
    );
    gauge('quiver_connections', 'Open client connections', () => stats.sources.connections());
    gauge(
      'quiver_segments',
      'Sealed segments loaded in memory (segment cache)',
      () => stats.sources.segments()?.loaded ?? 0,
    );
    gauge(
      'quiver_segment_bytes_loaded',
      'Bytes of sealed segments loaded in memory',
      () => stats.sources.segments()?.loadedBytes ?? 0,
    );
    gauge(
      'quiver_segment_budget_bytes',
      'The segment cache budget (--memory-budget)',
      () => stats.sources.segments()?.budgetBytes ?? 0,
    );
    gauge(
      'quiver_replica_lag_records',
      "Committed WAL records a standby's read replica has not applied yet (0 elsewhere)",
      () => stats.sources.replica?.()?.lagRecords ?? 0,
    );
    gauge(
      'quiver_replica_following',
      "1 while a standby's read replica follows the WAL, 0 while it recovers a new copy or elsewhere",
      () => (stats.sources.replica?.()?.following ? 1 : 0),
    );
    counter(
      'quiver_replica_copies_total',
      "Copies a standby's read replica recovered (one more after each DDL on the leader)",
      () => stats.sources.replica?.()?.copies ?? 0,
    );
    gauge(
      'quiver_replica_streaming',
      "1 while the write leader streams its commits to a standby's read replica (TailWal), else 0",
      () => (stats.sources.replica?.()?.streaming ? 1 : 0),
    );
    counter(
      'quiver_replica_streamed_records_total',
      "WAL records a standby's read replica applied from the leader's stream (the rest it read from object storage)",
      () => stats.sources.replica?.()?.streamedRecords ?? 0,
    );
    new Counter({
      name: 'quiver_replica_commit_position_reads_total',
      help: "Commit positions a standby's strong and bounded reads waited for, by source: confirmed by the leader under its lease, or read from etcd",
      labelNames: ['source'],
      registers,
      collect() {
        const reads = stats.sources.replica?.()?.pointReads;
        this.reset();
        this.inc({ source: 'leader' }, reads?.leader ?? 0);
        this.inc({ source: 'etcd' }, reads?.store ?? 0);
      },
    });
    // Records per batch and time per PUT / per commit come from ratios of their rates.
    const walCommits = (read: (w: WalCommitStats) => number) => () => {
      const w = stats.sources.walCommits?.();
      return w ? read(w) : 0;
    };
    counter(
      'quiver_wal_batches_total',
      'WAL batches the cluster write leader stored in object storage (one PUT each)',
      walCommits((w) => w.batches),
    );
    counter(
      'quiver_wal_commits_total',
      'Commit-point writes of the cluster write leader to etcd (each commits one or more stored batches)',
      walCommits((w) => w.commits),
    );
    counter(
      'quiver_wal_records_total',
      'WAL records the cluster write leader committed (one per committed transaction)',
      walCommits((w) => w.records),
    );
    counter(
      'quiver_wal_put_seconds_total',
      'Time the cluster write leader spent storing WAL batches in object storage',
      walCommits((w) => w.putSeconds),
    );
    counter(
      'quiver_wal_commit_seconds_total',
      'Time the cluster write leader spent writing WAL commit points to etcd',
      walCommits((w) => w.commitSeconds),
    );
    gauge(
      'quiver_wal_bytes_since_checkpoint',
      'WAL bytes written since the last checkpoint: what a restart replays (standalone WAL lag)',
      () => stats.sources.walBytesSinceCheckpoint(),
    );

    function counter(name: string, help: string, read: () => number): void {
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    }
    function gauge(name: string, help: string, read: () => number): void {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    }
  }

  /** Connects the gauges to the running server's parts. */
  track(sources: MetricSources): void {
    this.sources = sources;
  }

  statementFinished(
    kind: QueryKind,
    ok: boolean,
    seconds: number,
    rowsReturned: number,
    rowsWritten: number,
  ): void {
    const stats = this.byKind[kind];
    if (ok) {
      this.duration.observe(stats.ok, seconds);
      stats.okCount++;
    } else {
      this.duration.observe(stats.error, seconds);
      stats.errorCount++;
    }
    this.rowsReturned += rowsReturned;
    this.rowsWritten += rowsWritten;
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
