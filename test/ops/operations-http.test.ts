/**
 * The operations port of a real server: SQL through node-postgres moves the counters and
 * the latency histogram that /metrics exposes; /healthz and /readyz answer probes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger } from '../../src/server/log.ts';
import { ServerMetrics } from '../../src/server/metrics.ts';
import { startOpsHttp } from '../../src/server/ops-http.ts';
import { type RunningServer, startServer } from '../../src/server/start.ts';
import { familyNames, type Sample, scrape, total } from '../helpers/prometheus.ts';

let server: RunningServer;
let dataDir: string;
let httpPort: number;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'quiver-ops-'));
  server = await startServer({ host: '127.0.0.1', port: 0, dataDir, httpPort: 0 });
  httpPort = server.httpPort!;
});

afterAll(async () => {
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function client(): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'quiver', database: 'quiver' });
  c.on('error', () => {});
  await c.connect();
  return c;
}

const queries = (samples: Sample[], kind: string, outcome: string) =>
  total(samples, 'quiver_queries_total', { kind, outcome });

describe('operations HTTP port', () => {
  test('/healthz and /readyz answer 200 once the server has started', async () => {
    const health = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok\n');
    const ready = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
    expect(ready.status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${httpPort}/nothing`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${httpPort}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  test('SQL moves the query, row and connection metrics', async () => {
    const a = await client();
    const b = await client();
    try {
      await a.query('CREATE EXTENSION IF NOT EXISTS vector');
      const before = (await scrape(httpPort)).samples;
      await a.query('CREATE TABLE ops_items (id int PRIMARY KEY, embedding vector(2))');
      await a.query("INSERT INTO ops_items VALUES (1, '[1,1]'), (2, '[2,2]'), (3, '[3,3]')");
      const rows = await a.query("SELECT id FROM ops_items ORDER BY embedding <-> '[0,0]' LIMIT 2");
      expect(rows.rowCount).toBe(2);
      // Extended protocol (parameters): counted the same way.
      await a.query('SELECT id FROM ops_items WHERE id > $1', [0]);
      await a.query('UPDATE ops_items SET embedding = $1 WHERE id <= 2', ['[9,9]']);
      await a.query('DELETE FROM ops_items WHERE id = 3');
      await expect(a.query('SELECT * FROM no_such_table')).rejects.toThrow(/does not exist/);
      await a.query('BEGIN');
      await a.query('COMMIT');

      const { samples } = await scrape(httpPort);
      const delta = (name: string, labels: Record<string, string> = {}) =>
        total(samples, name, labels) - total(before, name, labels);
      expect(queries(samples, 'ddl', 'ok') - queries(before, 'ddl', 'ok')).toBe(1);
      expect(delta('quiver_queries_total', { kind: 'insert', outcome: 'ok' })).toBe(1);
      expect(delta('quiver_queries_total', { kind: 'select', outcome: 'ok' })).toBe(2);
      expect(delta('quiver_queries_total', { kind: 'select', outcome: 'error' })).toBe(1);
      expect(delta('quiver_queries_total', { kind: 'update', outcome: 'ok' })).toBe(1);
      expect(delta('quiver_queries_total', { kind: 'delete', outcome: 'ok' })).toBe(1);
      expect(delta('quiver_queries_total', { kind: 'other', outcome: 'ok' })).toBe(2);
      expect(delta('quiver_rows_written_total')).toBe(3 + 2 + 1);
      expect(delta('quiver_rows_returned_total')).toBe(2 + 3);
      expect(total(samples, 'quiver_connections')).toBe(2);

      // The histogram counted the same statements, each in some bucket.
      const selectOk = { kind: 'select', outcome: 'ok' };
      expect(delta('quiver_query_duration_seconds_count', selectOk)).toBe(2);
      expect(delta('quiver_query_duration_seconds_bucket', { ...selectOk, le: '+Inf' })).toBe(2);
      expect(delta('quiver_query_duration_seconds_sum', selectOk)).toBeGreaterThan(0);
      expect(delta('quiver_query_duration_seconds_count', { kind: 'select', outcome: 'error' })).toBe(1);
      // Process metrics from prom-client are there too.
      expect(total(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    } finally {
      await a.end();
      await b.end();
    }
    // Connections are counted until the server has let go of them.
    await expect
      .poll(async () => total((await scrape(httpPort)).samples, 'quiver_connections'), { timeout: 5_000 })
      .toBe(0);
  });

  test('WAL bytes since checkpoint, checkpoints and the segment cache', async () => {
    const c = await client();
    try {
      await c.query('CREATE TABLE ops_sealed (id int PRIMARY KEY, note text)');
      await c.query("INSERT INTO ops_sealed SELECT g, 'row ' || g FROM generate_series(1, 1000) g");
      const before = (await scrape(httpPort)).samples;
      expect(total(before, 'quiver_wal_bytes_since_checkpoint')).toBeGreaterThan(0);
      await c.query('CHECKPOINT');
      const after = (await scrape(httpPort)).samples;
      expect(total(after, 'quiver_checkpoints_total') - total(before, 'quiver_checkpoints_total')).toBe(1);
      expect(total(after, 'quiver_wal_bytes_since_checkpoint')).toBe(0);
      // Sealed rows are read back through the segment cache (count(*) alone would not read them).
      expect((await c.query('SELECT count(note)::int AS n FROM ops_sealed')).rows).toEqual([{ n: 1000 }]);
      const loaded = (await scrape(httpPort)).samples;
      expect(total(loaded, 'quiver_segments')).toBeGreaterThanOrEqual(1);
      expect(total(loaded, 'quiver_segment_bytes_loaded')).toBeGreaterThan(0);
      expect(total(loaded, 'quiver_segment_loads_total')).toBeGreaterThanOrEqual(1);
      expect(total(loaded, 'quiver_segment_budget_bytes')).toBe(2048 * 1024 * 1024);
    } finally {
      await c.end();
    }
  });

  test('/metrics declares every family the dashboard and docs name', async () => {
    const { text } = await scrape(httpPort);
    const names = familyNames(text);
    for (const name of [
      'quiver_query_duration_seconds',
      'quiver_queries_total',
      'quiver_rows_returned_total',
      'quiver_rows_written_total',
      'quiver_connections',
      'quiver_segments',
      'quiver_segment_bytes_loaded',
      'quiver_wal_bytes_since_checkpoint',
      'quiver_checkpoints_total',
      'quiver_replica_lag_records',
      'quiver_replica_following',
      'quiver_replica_copies_total',
      'quiver_replica_streaming',
      'quiver_replica_streamed_records_total',
      'quiver_replica_commit_position_reads_total',
      'quiver_wal_batches_total',
      'quiver_wal_commits_total',
      'quiver_wal_records_total',
      'quiver_wal_put_seconds_total',
      'quiver_wal_commit_seconds_total',
    ]) {
      expect(names).toContain(name);
    }
    expect(names).not.toContain('quiver_replica_healthy');
    // A standalone server has no replica: its replica gauges read 0.
    expect(text).toMatch(/^quiver_replica_following 0$/m);
  });
});

describe('readiness', () => {
  test('/readyz answers 503 while the server is not ready, 200 once it is', async () => {
    let ready = false;
    const ops = await startOpsHttp({
      host: '127.0.0.1',
      port: 0,
      metrics: new ServerMetrics(),
      ready: () => ready,
      log: createLogger('silent'),
    });
    try {
      const url = `http://127.0.0.1:${ops.port}`;
      expect((await fetch(`${url}/readyz`)).status).toBe(503);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      ready = true;
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      // HEAD, as some probes send it: status without a body.
      const head = await fetch(`${url}/readyz`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
    } finally {
      await ops.close();
    }
  });

  test('a server without --http-port keeps no listener', async () => {
    await using quiet = await startServer({ host: '127.0.0.1', port: 0 });
    expect(quiet.httpPort).toBeNull();
  });

  test('close() stops the operations listener too', async () => {
    const s = await startServer({ host: '127.0.0.1', port: 0, httpPort: 0 });
    const url = `http://127.0.0.1:${s.httpPort}/healthz`;
    expect((await fetch(url)).status).toBe(200);
    await s.close();
    await expect(fetch(url)).rejects.toThrow();
  });
});
