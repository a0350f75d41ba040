/**
 * A `quiver serve` child process on a free port and a temporary data directory, for the
 * benchmarks: its own process (event loop and core), as users run it, so the client's work
 * is not counted against the server.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface QuiverServer {
  readonly hostPort: string;
  /** The server process (its CPU time is in /proc/<pid>). */
  readonly pid: number;
  /** The `quiver serve` flags it was started with (reported next to the server settings). */
  readonly flags: readonly string[];
  close(): Promise<void>;
}

export async function startQuiver(extraFlags: readonly string[] = []): Promise<QuiverServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'quiver-bench-'));
  const main = fileURLToPath(new URL('../../src/server/main.ts', import.meta.url));
  const flags = ['--port', '0', '--data-dir', dataDir, '--http-port', 'off', ...extraFlags];
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'serve', ...flags], {
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      // Its log (JSON lines on stderr) announces the port.
      child.stderr!.on('data', (d: Buffer) => {
        const m = /listening on [^:]+:(\d+)/.exec(d.toString());
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`quiver exited with ${code}`)));
    });
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  // Keep reading its log so a chatty server never blocks on a full pipe.
  child.stderr!.resume();
  return {
    hostPort: `127.0.0.1:${port}`,
    pid: child.pid!,
    flags: flags.filter((f) => f !== dataDir && f !== '--data-dir'),
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
