/**
 * An S3 endpoint for tests: s3rver in a child process (test/helpers/s3rver-main.mjs) on an
 * ephemeral loopback port, with a temporary directory and one bucket created up front.
 *
 * A child process because s3rver's paginated ListObjectsV2 fails with HTTP 500 on Node 20
 * unless it runs with NODE_OPTIONS=--openssl-legacy-provider (DESIGN §2a), and because a
 * test may stop it to simulate an outage.
 *
 * `await using s3 = await startS3rver()` stops it and removes its directory at the end of
 * the scope; hooks can call `s3.close()` instead.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TestS3Server extends AsyncDisposable {
  /** e.g. http://127.0.0.1:40123 */
  readonly endpoint: string;
  readonly bucket: string;
  /** s3rver accepts any signature; these make the SDK sign without looking for real ones. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  close(): Promise<void>;
}

const MAIN = fileURLToPath(new URL('./s3rver-main.mjs', import.meta.url));
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 3_000;

export async function startS3rver(bucket = 'quiver-test'): Promise<TestS3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'quiver-s3rver-'));
  const child = spawn(process.execPath, [MAIN, directory, bucket], {
    // Replaces the test runner's NODE_OPTIONS (loaders) instead of adding to them.
    env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
    // stdin stays open as a lifeline: the server exits when this process dies.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const close = async () => {
    await stop(child);
    await rm(directory, { recursive: true, force: true });
  };
  try {
    const port = await readyPort(child);
    const server: TestS3Server = {
      endpoint: `http://127.0.0.1:${port}`,
      bucket,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      close,
      [Symbol.asyncDispose]: close,
    };
    return server;
  } catch (error) {
    await close();
    throw error;
  }
}

/** Resolves with the port s3rver-main.mjs prints once it is listening. */
function readyPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const settle = (error: Error | null, port = 0) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(new Error(`${error.message}${stderr ? `\n${stderr}` : ''}`));
      else resolve(port);
    };
    const timer = setTimeout(
      () => settle(new Error(`s3rver did not start within ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (settled || !stdout.includes('\n')) return;
      const line = stdout.slice(0, stdout.indexOf('\n'));
      const port = /^\{"port":(\d+)\}$/.exec(line)?.[1];
      if (port) settle(null, Number(port));
      else settle(new Error(`s3rver printed ${JSON.stringify(line)} instead of its port`));
    });
    child.once('error', (error) => settle(error));
    child.once('exit', (code, signal) =>
      settle(new Error(`s3rver exited early (code ${code}, signal ${signal})`)),
    );
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
