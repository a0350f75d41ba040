/**
 * The server an integration test talks to.
 *
 * - `QUIVER_TEST_CLUSTER=1` starts a two-node cluster (etcd, s3rver, a leader and a
 *   standby with --write-forwarding on; helpers/quiver-node.ts) and points the tests at
 *   the standby, which reads its replica and forwards writes to the leader: the client
 *   suites run through a non-first node.
 * - `QUIVER_TEST_TARGET=host:port` points the tests at a running server (for
 *   instance the reference PostgreSQL+pgvector) and starts nothing. User and
 *   database come from QUIVER_TEST_USER / QUIVER_TEST_DATABASE (default `quiver`).
 * - Otherwise a Quiver server is started in-process with `startServer()` from
 *   src/server/start.ts on an ephemeral loopback port and a temporary data directory.
 *   While that module does not exist the tests fail with a message saying so.
 *
 * `await using server = await withServer()` stops it (and removes its data) at the
 * end of the scope; hooks can call `server.close()` instead.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export interface TestServer extends AsyncDisposable {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  /** `quiver` when this process started Quiver; `external` for QUIVER_TEST_TARGET. */
  readonly kind: 'quiver' | 'external';
  /** libpq-style environment for spawned clients (psql): PGHOST, PGPORT, PGUSER, PGDATABASE. */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/** What tests expect src/server/start.ts to export (owned by the engine). */
interface StartModule {
  startServer(options: {
    host?: string;
    port?: number;
    dataDir?: string;
  }): Promise<{ readonly port: number; close(): Promise<void> | void }>;
}

const START_MODULE = fileURLToPath(new URL('../../src/server/start.ts', import.meta.url));

function describe(host: string, port: number, user: string, database: string, kind: TestServer['kind']) {
  return {
    host,
    port,
    user,
    database,
    kind,
    env: { PGHOST: host, PGPORT: String(port), PGUSER: user, PGDATABASE: database },
  };
}

export function parseTarget(value: string): { host: string; port: number } {
  const match = /^(.+):(\d+)$/.exec(value.trim());
  if (!match) throw new Error(`QUIVER_TEST_TARGET must be host:port, got ${JSON.stringify(value)}`);
  return { host: match[1], port: Number(match[2]) };
}

export async function withServer(): Promise<TestServer> {
  const user = process.env.QUIVER_TEST_USER || 'quiver';
  const database = process.env.QUIVER_TEST_DATABASE || 'quiver';
  const target = process.env.QUIVER_TEST_TARGET;
  if (process.env.QUIVER_TEST_CLUSTER) {
    // Imported only here: the cluster helpers start etcd and s3rver processes.
    const { startStandbyTestServer } = await import('./quiver-node.ts');
    return startStandbyTestServer();
  }
  if (target) {
    const { host, port } = parseTarget(target);
    const close = async () => {};
    return { ...describe(host, port, user, database, 'external'), close, [Symbol.asyncDispose]: close };
  }

  if (!existsSync(START_MODULE)) {
    throw new Error(
      'Quiver cannot be started: src/server/start.ts (startServer) does not exist yet. ' +
        'Set QUIVER_TEST_TARGET=host:port to run these tests against a running server.',
    );
  }
  // A computed specifier: tsc must not resolve a module that may not exist yet.
  const { startServer } = (await import(START_MODULE)) as StartModule;
  const dataDir = await mkdtemp(join(tmpdir(), 'quiver-test-'));
  let server: Awaited<ReturnType<StartModule['startServer']>>;
  try {
    server = await startServer({ host: '127.0.0.1', port: 0, dataDir });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      await server.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  };
  return {
    ...describe('127.0.0.1', server.port, user, database, 'quiver'),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A connected node-postgres client that ends itself at the end of an `await using` scope. */
export async function connect(
  server: TestServer,
  config: pg.ClientConfig = {},
): Promise<pg.Client & AsyncDisposable> {
  const client = new pg.Client({
    host: server.host,
    port: server.port,
    user: server.user,
    database: server.database,
    query_timeout: 60_000,
    connectionTimeoutMillis: 10_000,
    ...config,
  });
  // An 'error' event without a listener would crash the worker (e.g. a FATAL at shutdown).
  client.on('error', () => {});
  await client.connect();
  return Object.assign(client, {
    [Symbol.asyncDispose]: async () => {
      await client.end().catch(() => {});
    },
  });
}
