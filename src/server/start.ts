/**
 * Starts a standalone Quiver server in this process: catalog, engine backend and wire
 * listener; with a data directory, the durable state behind them (MetaStore file, WAL);
 * with an operations port, metrics and health endpoints (ops-http.ts), up before recovery.
 * Used by the CLI (`quiver serve`) and by tests.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Catalog } from '../catalog/catalog.ts';
import { EngineBackend } from '../engine/backend.ts';
import { Persistence } from '../engine/persistence.ts';
import type { RecoveryStats } from '../engine/recovery.ts';
import { openEmbeddedMetaStore } from '../meta/embedded-meta-store.ts';
import { initParser } from '../sql/parser.ts';
import { LocalObjectStore } from '../storage/object-store/local-object-store.ts';
import { openLocalWal } from '../storage/wal/local-wal.ts';
import '../types/index.ts';
import { WireServer } from '../wire/index.ts';
import { createLogger, type Logger, wireLogger } from './log.ts';
import { ServerMetrics } from './metrics.ts';
import { type OpsHttpServer, startOpsHttp } from './ops-http.ts';
import { hostPort, logRecovery, trackStorage, writeShard } from './storage-reports.ts';

export interface StartOptions {
  readonly host?: string;
  readonly port?: number;
  /** Data directory; without one the server keeps everything in memory (tests). */
  readonly dataDir?: string | null;
  readonly serverVersion?: string;
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  readonly superuser?: string;
  /** Bytes of sealed segments kept in memory (the rest is read back on demand). */
  readonly memoryBudgetBytes?: number;
  /** WAL bytes since the last checkpoint that start the next one. */
  readonly checkpointWalBytes?: number;
  /**
   * Port of the operations HTTP listener (/metrics, /healthz, /readyz); 0 picks a free one.
   * Without it there is no listener and no metrics are kept (the CLI's default is 9433).
   */
  readonly httpPort?: number | null;
  /** Interface for the operations listener; default: `host`. */
  readonly httpHost?: string;
  /** Default: warnings and errors only, as JSON lines on stderr. */
  readonly logger?: Logger;
}

export interface RunningServer extends AsyncDisposable {
  readonly host: string;
  readonly port: number;
  /** What recovery found when the server opened its data directory (null: in memory). */
  readonly recovery: RecoveryStats | null;
  /** The operations listener's port, or null without one. */
  readonly httpPort: number | null;
  close(): Promise<void>;
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const log = options.logger ?? createLogger('warn');
  const superuser = options.superuser ?? 'quiver';
  const serverVersion = options.serverVersion ?? '16.4';
  const host = options.host ?? '127.0.0.1';
  let state: 'starting' | 'ready' | 'stopping' = 'starting';
  const metrics = options.httpPort != null ? new ServerMetrics() : null;
  let ops: OpsHttpServer | null = null;
  let persistence: Persistence | null = null;
  let wire: WireServer;
  let port: number;
  try {
    if (metrics) {
      ops = await startOpsHttp({
        host: options.httpHost ?? host,
        port: options.httpPort!,
        metrics,
        ready: () => state === 'ready',
        log,
      });
    }
    await initParser();
    if (options.dataDir) {
      persistence = await openDataDir(options.dataDir, { ...options, superuser, serverVersion, log });
      logRecovery(log, persistence, { dataDir: options.dataDir }, 'recovery complete');
    }
    const catalog = persistence?.catalog ?? new Catalog(superuser);
    const backend = new EngineBackend({
      catalog,
      serverVersion,
      storage: persistence,
      observer: metrics ?? undefined,
    });
    wire = new WireServer({
      backend,
      host,
      port: options.port ?? 5433,
      tls: options.tls,
      logger: wireLogger(log),
    });
    port = await wire.listen();
    const sqlAddress = hostPort(host, port);
    const [standalone] = catalog.nodes();
    catalog.nodes = () => [{ ...standalone, sqlAddress }];
    const stored = persistence;
    if (stored) catalog.shards = () => [writeShard(stored, standalone.nodeId, null)];
  } catch (err) {
    await persistence?.close();
    await ops?.close();
    throw err;
  }
  const durable = persistence;
  trackStorage(metrics, () => wire.connectionCount, durable);
  state = 'ready';
  const storage = options.dataDir ? `data in ${options.dataDir}` : 'in memory';
  const operations = ops ? `; operations on http://${hostPort(options.httpHost ?? host, ops.port)}` : '';
  log.info(
    { host, port, httpPort: ops?.port ?? null, dataDir: options.dataDir ?? null },
    `listening on ${hostPort(host, port)} (standalone, ${storage})${operations}`,
  );
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      // /readyz answers 503 from here on; the operations port itself closes last.
      state = 'stopping';
      try {
        await wire.close();
        await durable?.close();
      } finally {
        await ops?.close();
      }
    })();
    return closing;
  };
  return {
    host,
    port,
    recovery: persistence?.recovery ?? null,
    httpPort: ops?.port ?? null,
    close,
    [Symbol.asyncDispose]: close,
  };
}

async function openDataDir(
  dataDir: string,
  options: {
    readonly superuser: string;
    readonly serverVersion: string;
    readonly memoryBudgetBytes?: number;
    readonly checkpointWalBytes?: number;
    readonly log: Logger;
  },
): Promise<Persistence> {
  await mkdir(join(dataDir, 'meta'), { recursive: true });
  const meta = await openEmbeddedMetaStore(join(dataDir, 'meta'));
  try {
    const objects = await LocalObjectStore.open(join(dataDir, 'objects'));
    const wal = await openLocalWal(join(dataDir, 'wal'));
    return await Persistence.open({
      meta,
      wal,
      objects,
      superuser: options.superuser,
      serverVersion: options.serverVersion,
      memoryBudgetBytes: options.memoryBudgetBytes,
      checkpointWalBytes: options.checkpointWalBytes,
      log: options.log,
    });
  } catch (err) {
    await meta.close();
    throw err;
  }
}
