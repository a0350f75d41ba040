/**
 * Cluster nodes for tests: real `quiver serve --etcd … --s3 …` child processes on free
 * loopback ports, against a test etcd and s3rver. The node's log (JSON lines on stderr) is
 * kept so tests can wait for "leading the writes" and read what went wrong.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd } from './etcd.ts';
import { freePort } from './free-port.ts';
import { startS3rver, type TestS3Server } from './s3rver.ts';
import type { TestServer } from './server.ts';

const MAIN = new URL('../../src/server/main.ts', import.meta.url).pathname;

export interface QuiverNode {
  readonly id: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Its `--cache-dir` (removed when the process ends). */
  readonly cacheDir: string;
  /** Everything the node wrote so far. */
  log(): string;
  /** Resolves when the node's log says it leads the writes. */
  leading(timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (or signal) once the process ended. */
  readonly exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export interface ClusterSetup {
  readonly etcd: readonly string[];
  readonly s3: TestS3Server;
  /** Cluster name, also the object prefix: tests sharing an etcd and bucket stay apart. */
  readonly cluster: string;
  readonly leaseTtlSeconds?: number;
  readonly extraArgs?: readonly string[];
}

export async function startQuiverNode(setup: ClusterSetup, id: string): Promise<QuiverNode> {
  const port = await freePort();
  // The node's local object cache, removed when the process ends, however it ends.
  const cacheDir = await mkdtemp(join(tmpdir(), 'quiver-node-cache-'));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      MAIN,
      'serve',
      '--etcd',
      setup.etcd.join(','),
      '--s3',
      `s3://${setup.s3.bucket}/${setup.cluster}`,
      '--s3-endpoint',
      setup.s3.endpoint,
      '--cluster',
      setup.cluster,
      '--node-id',
      id,
      '--port',
      String(port),
      '--http-port',
      'off',
      '--lease-ttl',
      String(setup.leaseTtlSeconds ?? 2),
      '--cache-dir',
      cacheDir,
      ...(setup.extraArgs ?? []),
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: setup.s3.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: setup.s3.credentials.secretAccessKey,
      },
    },
  );
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      void rm(cacheDir, { recursive: true, force: true }).finally(() => resolve(code ?? signal ?? 'unknown'));
    }),
  );
  const waitFor = (text: string, timeoutMs: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!output.includes(text)) return;
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`node ${id}: ${what} within ${timeoutMs} ms; its log:\n${output}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      void exited.then((code) => {
        if (!listeners.has(check)) return;
        done();
        reject(new Error(`node ${id} exited (${code}) before ${what}; its log:\n${output}`));
      });
      check();
    });
  await waitFor('listening on', 60_000, 'did not start');
  return {
    id,
    port,
    process: child,
    cacheDir,
    log: () => output,
    leading: (timeoutMs = 30_000) => waitFor('"leading the writes"', timeoutMs, 'did not lead the writes'),
    exited,
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}

/**
 * A two-node cluster (etcd, s3rver, a leader and a standby) for suites written against one
 * server: the TestServer is the standby, whose sessions read its replica and forward their
 * writes to the leader. Results must be standalone Quiver's, so it reports kind 'quiver'.
 */
/**
 * Starts n1 and waits until it leads, then n2 and n3 (so n1 leads the writes), pushing each
 * onto `nodes` as it starts: the caller kills them, also when this fails part way.
 */
export async function startThreeNodes(
  setup: ClusterSetup,
  nodes: QuiverNode[],
  leadingMs = 60_000,
): Promise<[leader: QuiverNode, second: QuiverNode, third: QuiverNode]> {
  const first = await startQuiverNode(setup, 'n1');
  nodes.push(first);
  await first.leading(leadingMs);
  const second = await startQuiverNode(setup, 'n2');
  nodes.push(second);
  const third = await startQuiverNode(setup, 'n3');
  nodes.push(third);
  return [first, second, third];
}

export async function startStandbyTestServer(): Promise<TestServer> {
  const [etcd, s3] = await Promise.all([startEtcd(), startS3rver()]);
  const setup = {
    etcd: etcd.endpoints,
    s3,
    cluster: `t${randomUUID().slice(0, 8)}`,
    leaseTtlSeconds: 10,
    extraArgs: ['--write-forwarding', 'on'],
  };
  const nodes: QuiverNode[] = [];
  const close = async () => {
    for (const node of nodes) await node.kill('SIGKILL');
    await etcd.close();
    await s3.close();
  };
  try {
    nodes.push(await startQuiverNode(setup, 'n1'));
    await nodes[0].leading();
    nodes.push(await startQuiverNode(setup, 'n2'));
    // Until its replica is ready the standby passes connections on whole; after, it serves
    // them itself and forwards their writes (--write-forwarding on: the path this server is for).
    await waitUntil(() => nodes[1].log().includes('read replica ready'), 60_000);
  } catch (error) {
    await close();
    throw error;
  }
  const port = nodes[1].port;
  return {
    host: '127.0.0.1',
    port,
    user: 'quiver',
    database: 'quiver',
    kind: 'quiver',
    env: { PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: 'quiver', PGDATABASE: 'quiver' },
    close,
    [Symbol.asyncDispose]: close,
  };
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
