/**
 * Starts a standalone Quiver server in this process: catalog, engine backend and wire
 * listener. Used by the CLI (`quiver serve`) and by tests.
 */
import { Catalog } from '../catalog/catalog.ts';
import { EngineBackend } from '../engine/backend.ts';
import { initParser } from '../sql/parser.ts';
import '../types/index.ts';
import { WireServer } from '../wire/index.ts';

export interface StartOptions {
  readonly host?: string;
  readonly port?: number;
  /** Data directory (used once durable storage lands; accepted now). */
  readonly dataDir?: string;
  readonly serverVersion?: string;
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  readonly superuser?: string;
}

export interface RunningServer extends AsyncDisposable {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  await initParser();
  const catalog = new Catalog(options.superuser ?? 'quiver');
  const backend = new EngineBackend(catalog, options.serverVersion ?? '16.4');
  const host = options.host ?? '127.0.0.1';
  const wire = new WireServer({ backend, host, port: options.port ?? 5433, tls: options.tls });
  const port = await wire.listen();
  const close = () => wire.close();
  return { host, port, close, [Symbol.asyncDispose]: close };
}
