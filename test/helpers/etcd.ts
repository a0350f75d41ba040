/**
 * A throwaway etcd for integration tests: Debian's etcd-server on free loopback ports with
 * a temporary data directory. `await using etcd = await startEtcd()` (or `etcd.close()` in
 * a hook) kills it and removes its data.
 *
 * It runs with a 50 ms heartbeat and 500 ms election timeout so that etcd's minimum lease
 * TTL (1.5 election timeouts, rounded up to seconds) is 1 s and lease tests stay short.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port.ts';

export interface TestEtcd extends AsyncDisposable {
  readonly endpoints: string[];
  /** The etcd process (benchmarks read its CPU time from /proc). */
  readonly pid: number;
  close(): Promise<void>;
}

export function findEtcd(): string {
  const dirs = ['/usr/bin', ...(process.env.PATH ?? '').split(delimiter)];
  const found = dirs.map((dir) => join(dir, 'etcd')).find((path) => existsSync(path));
  if (!found) {
    throw new Error(
      'etcd is not installed (no etcd on PATH): install Debian etcd-server (scripts/setup-deps.sh does)',
    );
  }
  return found;
}

export async function startEtcd(): Promise<TestEtcd> {
  const binary = findEtcd();
  // Ports can be taken between probing and etcd's bind: try again with new ones.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(binary);
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('address already in use')) throw error;
    }
  }
}

async function startOnce(binary: string): Promise<TestEtcd> {
  const dataDir = await mkdtemp(join(tmpdir(), 'quiver-etcd-'));
  const [clientPort, peerPort] = await Promise.all([freePort(), freePort()]);
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const child = spawn(
    binary,
    [
      '--name=test',
      `--data-dir=${join(dataDir, 'data')}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=test=${peer}`,
      '--heartbeat-interval=50',
      '--election-timeout=500',
      '--logger=zap',
      '--log-level=error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    await stop(child, exited);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await waitHealthy(client, exited, () => stderr);
  } catch (error) {
    await close();
    throw error;
  }
  return { endpoints: [client], pid: child.pid!, close, [Symbol.asyncDispose]: close };
}

async function waitHealthy(client: string, exited: Promise<void>, stderr: () => string): Promise<void> {
  let dead = false;
  void exited.then(() => (dead = true));
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (dead) throw new Error(`etcd exited during startup: ${stderr()}`);
    try {
      const res = await fetch(`${client}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok && ((await res.json()) as { health?: string }).health === 'true') return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`etcd at ${client} not healthy after 20 s: ${stderr()}`);
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
