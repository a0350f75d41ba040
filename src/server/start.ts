/**
 * Starts a standalone Quiver server in this process: catalog, engine backend and wire
 * listener; with a data directory, the durable state behind them (MetaStore file, WAL).
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
}

export interface RunningServer extends AsyncDisposable {
  readonly host: string;
  readonly port: number;
  /** What recovery found when the server opened its data directory (null: in memory). */
  readonly recovery: RecoveryStats | null;
  close(): Promise<void>;
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  await initParser();
  const superuser = options.superuser ?? 'quiver';
  const serverVersion = options.serverVersion ?? '16.4';
  const persistence = options.dataDir
    ? await openDataDir(options.dataDir, { ...options, superuser, serverVersion })
    : null;
  const catalog = persistence?.catalog ?? new Catalog(superuser);
  const backend = new EngineBackend({ catalog, serverVersion, storage: persistence });
  const host = options.host ?? '127.0.0.1';
  const wire = new WireServer({ backend, host, port: options.port ?? 5433, tls: options.tls });
  let port: number;
  try {
    port = await wire.listen();
  } catch (err) {
    await persistence?.close();
    throw err;
  }
  const close = async () => {
    await wire.close();
    await persistence?.close();
  };
  return { host, port, recovery: persistence?.recovery ?? null, close, [Symbol.asyncDispose]: close };
}

async function openDataDir(
  dataDir: string,
  options: {
    readonly superuser: string;
    readonly serverVersion: string;
    readonly memoryBudgetBytes?: number;
    readonly checkpointWalBytes?: number;
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
    });
  } catch (err) {
    await meta.close();
    throw err;
  }
}
