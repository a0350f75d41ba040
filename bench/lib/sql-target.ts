/**
 * A Postgres-wire endpoint (Quiver or PostgreSQL + pgvector) as a search target, driven
 * the way an application drives it: node-postgres, the query vector as a `$1` parameter in
 * pgvector's text form (what pgvector's node helper sends), extended protocol, unnamed
 * statements. The rows are loaded with binary COPY through postgres.js (node-postgres has
 * no COPY of its own).
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import pgvector from 'pgvector';
import postgres from 'postgres';
import { idVectorCopyBinary } from '../../src/engine/testing/id-vector-copy.ts';
import type { Dataset } from './dataset.ts';
import {
  type BuildResult,
  type IndexParameters,
  type SearchTarget,
  searchParameterName,
} from './search-target.ts';

/** Settings printed for every server, so a result says what it ran against. */
export const REPORTED_SETTINGS = [
  'server_version',
  'shared_buffers',
  'effective_cache_size',
  'maintenance_work_mem',
  'max_parallel_maintenance_workers',
  'max_parallel_workers',
  'work_mem',
  'synchronous_commit',
  'fsync',
  'jit',
] as const;

export interface SqlTargetOptions {
  readonly name: string;
  readonly hostPort: string;
  readonly user: string;
  readonly database: string;
  readonly connections: number;
  /** Benchmark tables are named bench_… so they never collide with anyone else's. */
  readonly table: string;
  /** Extra lines for the settings report (e.g. the `quiver serve` flags the harness used). */
  readonly extraSettings?: Record<string, string>;
  /**
   * Search through these endpoints instead (a Quiver cluster's standbys, with startup
   * `options` that ask for their read replicas); connections go round-robin over them.
   */
  readonly readers?: { readonly hostPorts: readonly string[]; readonly options: string };
  /** A btree index on the filtered queries' `category` column, as an application would add. */
  readonly categoryIndex?: boolean;
}

/** A query vector the way pgvector's node helper writes it, with float32's shortest digits. */
export function vectorParameter(vector: Float32Array): string {
  return pgvector.toSql(Array.from(vector, (x) => Number(x.toPrecision(9))));
}

export class SqlTarget implements SearchTarget {
  readonly name: string;
  readonly maxConnections: number;
  private readonly clients: pg.Client[] = [];
  /** Where searches go: `clients`, or the replica connections once built. */
  private searchClients: pg.Client[] = this.clients;
  private queryParameters: string[] = [];
  private searchSql = '';
  private filteredSql = '';
  private parameterName = 'hnsw.ef_search';
  private tableCreated = false;

  private constructor(private readonly options: SqlTargetOptions) {
    this.name = options.name;
    this.maxConnections = options.connections;
  }

  static async connect(options: SqlTargetOptions): Promise<SqlTarget> {
    const target = new SqlTarget(options);
    const [host, port] = options.hostPort.split(':');
    try {
      for (let i = 0; i < options.connections; i++) {
        const client = new pg.Client({
          host,
          port: Number(port),
          user: options.user,
          database: options.database,
        });
        // A dropped connection fails the query in flight; without a listener it would also
        // crash the harness before it could stop its quiver serve.
        client.on('error', () => {});
        await client.connect();
        target.clients.push(client);
      }
    } catch (err) {
      await target.close();
      throw err;
    }
    return target;
  }

  async settings(): Promise<Record<string, string | null>> {
    const client = this.clients[0];
    const out: Record<string, string | null> = {};
    for (const name of REPORTED_SETTINGS) {
      try {
        const { rows } = await client.query(`SHOW ${name}`);
        out[name] = String(Object.values(rows[0])[0]);
      } catch {
        out[name] = null;
      }
    }
    try {
      const { rows } = await client.query("SELECT extversion FROM pg_extension WHERE extname = 'vector'");
      out['vector extension'] = rows[0]?.extversion ?? null;
    } catch {
      out['vector extension'] = null;
    }
    out['btree index on category'] = this.options.categoryIndex ? 'yes' : 'no';
    return { ...out, ...this.options.extraSettings };
  }

  async build(dataset: Dataset, index: IndexParameters): Promise<BuildResult> {
    const { spec } = dataset;
    const table = this.options.table;
    const admin = this.clients[0];
    await admin.query('CREATE EXTENSION IF NOT EXISTS vector');
    await admin.query(`DROP TABLE IF EXISTS ${table}`);
    await admin.query(
      `CREATE TABLE ${table} (id int PRIMARY KEY, category int, embedding vector(${spec.dimensions}))`,
    );
    this.tableCreated = true;

    // The COPY input is encoded before the clock starts: what is timed is the server's ingest.
    const input = [...idVectorCopyBinary(dataset.vectors, 2000, dataset.categories)];
    const [host, port] = this.options.hostPort.split(':');
    const sql = postgres({
      host,
      port: Number(port),
      user: this.options.user,
      database: this.options.database,
      max: 1,
      onnotice: () => {},
    });
    let loadSeconds: number;
    try {
      const started = performance.now();
      const writable = await sql
        .unsafe(`COPY ${table} (id, category, embedding) FROM STDIN (FORMAT binary)`)
        .writable();
      await pipeline(Readable.from(input), writable);
      loadSeconds = (performance.now() - started) / 1000;
    } finally {
      await sql.end();
    }
    const { rows } = await admin.query(`SELECT count(*)::int AS count FROM ${table}`);
    if (rows[0].count !== spec.rows)
      throw new Error(`${this.name}: loaded ${rows[0].count} rows, not ${spec.rows}`);
    if (this.options.categoryIndex)
      await admin.query(`CREATE INDEX ${table}_category_idx ON ${table} (category)`);
    // Statistics for the planner's filtered-query choices, as an application's DBA would have.
    await admin.query(`ANALYZE ${table}`).catch(() => {});

    const cosine = spec.metric === 'cosine';
    const opclass = cosine ? 'vector_cosine_ops' : 'vector_l2_ops';
    const using =
      index.kind === 'hnsw'
        ? `hnsw (embedding ${opclass}) WITH (m = ${index.m}, ef_construction = ${index.efConstruction})`
        : `ivfflat (embedding ${opclass}) WITH (lists = ${index.lists})`;
    const notices: string[] = [];
    const onNotice = (n: { message?: string }) => notices.push(n.message ?? '');
    admin.on('notice', onNotice);
    const started = performance.now();
    try {
      await admin.query(`CREATE INDEX ${table}_embedding_idx ON ${table} USING ${using}`);
    } finally {
      admin.off('notice', onNotice);
    }
    const indexSeconds = (performance.now() - started) / 1000;
    let sizeBytes: number | null = null;
    try {
      const size = await admin.query(`SELECT pg_total_relation_size('${table}')::bigint AS size`);
      sizeBytes = Number(size.rows[0].size);
    } catch {
      sizeBytes = null;
    }

    const op = cosine ? '<=>' : '<->';
    this.searchSql = `SELECT id FROM ${table} ORDER BY embedding ${op} $1 LIMIT 10`;
    this.filteredSql = `SELECT id FROM ${table} WHERE category = $2 ORDER BY embedding ${op} $1 LIMIT 10`;
    this.parameterName = searchParameterName(index.kind);
    this.queryParameters = dataset.queries.map(vectorParameter);
    if (this.options.readers) this.searchClients = await this.replicaClients(this.options.readers);
    return {
      rows: spec.rows,
      loadSeconds,
      loadRowsPerSecond: spec.rows / loadSeconds,
      indexSeconds,
      sizeBytes,
      notices,
    };
  }

  /**
   * One connection per search connection, round-robin over the replicas; each is checked to
   * be a replica session that has the index (after DDL a replica first recovers a new copy,
   * and meanwhile connections go to the leader).
   */
  private async replicaClients(readers: NonNullable<SqlTargetOptions['readers']>): Promise<pg.Client[]> {
    const clients: pg.Client[] = [];
    const deadline = Date.now() + 300_000;
    for (let i = 0; i < this.options.connections; i++) {
      const [host, port] = readers.hostPorts[i % readers.hostPorts.length].split(':');
      for (;;) {
        const client = new pg.Client({
          host,
          port: Number(port),
          user: this.options.user,
          database: this.options.database,
          options: readers.options,
        });
        client.on('error', () => {});
        await client.connect();
        const { rows } = await client.query(
          `SELECT current_setting('in_hot_standby') AS standby, count(*)::int AS n FROM pg_class WHERE relkind = 'i' AND relname LIKE '${this.options.table}%'`,
        );
        if (rows[0].standby === 'on' && rows[0].n > 1) {
          clients.push(client);
          break;
        }
        await client.end();
        if (Date.now() > deadline) throw new Error(`${host}:${port} served no replica with the index`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    return clients;
  }

  async setSearchParameter(value: number): Promise<void> {
    for (const client of this.searchClients) await client.query(`SET ${this.parameterName} = ${value}`);
  }

  async search(connection: number, query: number, category?: number): Promise<number[]> {
    const result =
      category === undefined
        ? await this.searchClients[connection].query(this.searchSql, [this.queryParameters[query]])
        : await this.searchClients[connection].query(this.filteredSql, [
            this.queryParameters[query],
            category,
          ]);
    return result.rows.map((row) => row.id as number);
  }

  async close(): Promise<void> {
    const client = this.clients[0];
    if (client && this.tableCreated)
      await client.query(`DROP TABLE IF EXISTS ${this.options.table}`).catch(() => {});
    for (const c of new Set([...this.clients, ...this.searchClients])) await c.end().catch(() => {});
  }
}
