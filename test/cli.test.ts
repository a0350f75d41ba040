/**
 * The `quiver` command: help, configuration errors reported once and clearly at start,
 * and a server started from environment variables that answers psql-style clients.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, test } from 'vitest';
import { freePort } from './helpers/free-port.ts';

const BIN = new URL('../bin/quiver.js', import.meta.url).pathname;

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], {
    // Anywhere but the repository: the command must not depend on the working directory.
    cwd: tmpdir(),
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

interface LogLine {
  readonly level: string;
  readonly time: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** Resolves with the first JSON log line on the child's stderr that `match` accepts. */
function logLine(
  proc: ChildProcess,
  match: (line: LogLine) => boolean,
  seen: LogLine[] = [],
): Promise<LogLine> {
  return new Promise((resolve, reject) => {
    let pending = '';
    const timer = setTimeout(
      () => reject(new Error(`no such log line; saw ${JSON.stringify(seen)}`)),
      30_000,
    );
    const onData = (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const text of lines) {
        const line = JSON.parse(text) as LogLine;
        seen.push(line);
        if (match(line)) {
          clearTimeout(timer);
          proc.stderr!.off('data', onData);
          resolve(line);
        }
      }
    };
    proc.stderr!.on('data', onData);
  });
}

let child: ChildProcess | null = null;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  const exited = child && child.exitCode === null ? new Promise((r) => child!.once('exit', r)) : null;
  child?.kill('SIGTERM');
  child = null;
  await exited;
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('quiver CLI', () => {
  test('serve --help documents every flag', () => {
    const r = run(['serve', '--help']);
    expect(r.status).toBe(0);
    for (const flag of [
      '--host',
      '--port',
      '--data-dir',
      '--in-memory',
      '--memory-budget',
      '--tls-cert',
      '--tls-key',
      '--server-version',
      '--http-port',
      '--http-host',
      '--log-level',
      '--etcd',
      '--s3',
      '--s3-endpoint',
      '--node-id',
      '--advertise',
      '--cluster',
      '--lease-ttl',
      '--drain',
    ]) {
      expect(r.stdout).toContain(flag);
    }
  });

  test.each([
    [['serve', '--port', 'abc'], 'quiver: invalid port "abc"'],
    [['serve', '--tls-cert', 'x.pem'], 'quiver: --tls-cert and --tls-key must be given together'],
    [['serve', '--bogus'], "quiver: Unknown option '--bogus'"],
    [
      ['serve', '--in-memory', '--data-dir', 'x'],
      'quiver: --in-memory and --data-dir cannot be used together',
    ],
    [['launch'], 'quiver: unknown command "launch"'],
    [['serve', '--http-port', 'x'], 'quiver: invalid HTTP port "x"'],
    [['serve', '--port', '7000', '--http-port', '7000'], 'quiver: --http-port must differ from --port'],
    [['serve', '--log-level', 'loud'], 'quiver: invalid log level "loud"'],
    [['serve', '--etcd', 'http://127.0.0.1:2379'], 'quiver: --etcd needs --s3 s3://bucket/prefix'],
    [['serve', '--etcd', 'http://127.0.0.1:2379', '--s3', 'bucket/x'], 'quiver: invalid --s3 "bucket/x"'],
    [
      ['serve', '--etcd', 'http://127.0.0.1:2379', '--s3', 's3://b/p', '--data-dir', 'x'],
      'quiver: a cluster node keeps its data in etcd and object storage',
    ],
    [
      ['serve', '--etcd', 'http://127.0.0.1:2379', '--s3', 's3://b/p', '--lease-ttl', '0'],
      'quiver: invalid lease TTL "0"',
    ],
  ])('bad configuration %j fails at start with one message', (args, message) => {
    const r = run(args);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')[0]).toContain(message);
  });

  test('QUIVER_HOST / QUIVER_PORT start a server that answers queries', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'quiver-cli-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    child = spawn(process.execPath, [BIN, 'serve'], {
      env: {
        ...process.env,
        QUIVER_HOST: '127.0.0.1',
        QUIVER_PORT: String(port),
        QUIVER_DATA_DIR: dataDir,
        QUIVER_HTTP_PORT: 'off',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await logLine(child, (line) => line.msg.includes(`listening on 127.0.0.1:${port}`));
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'quiver', database: 'quiver' });
    await client.connect();
    const r = await client.query('SELECT current_user AS u, current_database() AS d');
    expect(r.rows).toEqual([{ u: 'quiver', d: 'quiver' }]);
    // Standalone, the cluster is this one node.
    const nodes = await client.query('SELECT node_id, sql_address, leads_writes FROM quiver_nodes');
    expect(nodes.rows).toEqual([
      { node_id: 'standalone', sql_address: `127.0.0.1:${port}`, leads_writes: true },
    ]);
    const shards = await client.query('SELECT tables, shard, leader, epoch FROM quiver_shards');
    expect(shards.rows).toEqual([{ tables: '*', shard: 0, leader: 'standalone', epoch: null }]);
    await client.end();
  });

  test('the log is JSON lines on stderr: start-up, recovery, checkpoint, shutdown', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'quiver-cli-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    child = spawn(
      process.execPath,
      [BIN, 'serve', '--port', '0', '--http-port', '0', '--data-dir', dataDir, '--log-level', 'debug'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const lines: LogLine[] = [];
    const listening = await logLine(child, (line) => line.msg.startsWith('listening on'), lines);
    expect(lines.find((l) => l.msg === 'recovery complete')).toMatchObject({ level: 'info', walRecords: 0 });
    expect(listening).toMatchObject({ level: 'info', name: 'quiver', host: '127.0.0.1', dataDir });
    expect(listening.msg).toContain(`operations on http://127.0.0.1:${listening.httpPort}`);
    const ready = await fetch(`http://127.0.0.1:${listening.httpPort}/readyz`);
    expect(ready.status).toBe(200);
    const stopped = logLine(child, (line) => line.msg === 'stopped', lines);
    child.kill('SIGTERM');
    await stopped;
    const shutdown = lines.slice(lines.indexOf(listening) + 1).map((l) => l.msg);
    // A clean shutdown checkpoints, so the next start reads segments.
    expect(shutdown).toEqual(['shutting down', 'checkpoint complete', 'stopped']);
  });
});
