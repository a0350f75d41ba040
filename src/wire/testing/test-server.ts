/** Starts a WireServer with an EchoBackend on an ephemeral loopback port; use with `await using`. */
import pg from 'pg';
import { WireServer, type WireServerOptions } from '../server.ts';
import { EchoBackend } from './echo-backend.ts';
import { fe } from './frontend-encoder.ts';
import { RawClient } from './raw-client.ts';

export interface TestServer extends AsyncDisposable {
  readonly server: WireServer;
  readonly backend: EchoBackend;
  readonly port: number;
  /** Everything the server logged through logger.error. */
  readonly errors: string[];
}

export async function startServer(options: Partial<WireServerOptions> = {}): Promise<TestServer> {
  const backend = new EchoBackend();
  const errors: string[] = [];
  const server = new WireServer({
    backend,
    host: '127.0.0.1',
    port: 0,
    logger: { error: (message, error) => errors.push(`${message}: ${String(error)}`) },
    ...options,
  });
  const port = await server.listen();
  return { server, backend, port, errors, [Symbol.asyncDispose]: () => server.close() };
}

export type PgClient = pg.Client & AsyncDisposable;

/** A connected node-postgres client that ends itself on dispose. */
export async function connectPg(port: number, config: pg.ClientConfig = {}): Promise<PgClient> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'alice', database: 'db', ...config });
  // Errors after connect (e.g. a FATAL at shutdown) must not crash the test process.
  client.on('error', () => {});
  await client.connect();
  return Object.assign(client, { [Symbol.asyncDispose]: () => client.end().catch(() => {}) });
}

/** A raw client that has completed startup as `user` with trust auth (after ReadyForQuery). */
export async function connectRaw(port: number, user = 'alice'): Promise<RawClient> {
  const client = await RawClient.connect(port);
  client.send(fe.startup({ user, database: 'db' }));
  await client.until('Z');
  return client;
}

/** Polls `condition` every 5 ms until it holds (or throws after `ms`). */
export async function waitFor(condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
