/**
 * The `quiver` command: help, configuration errors reported once and clearly at start,
 * and a server started from environment variables that answers psql-style clients.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, test } from 'vitest';

const BIN = new URL('../bin/quiver.js', import.meta.url).pathname;

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
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
      env: { ...process.env, QUIVER_HOST: '127.0.0.1', QUIVER_PORT: String(port), QUIVER_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('server did not start')), 30_000);
      child!.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes(`listening on 127.0.0.1:${port}`)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'quiver', database: 'quiver' });
    await client.connect();
    const r = await client.query('SELECT current_user AS u, current_database() AS d');
    expect(r.rows).toEqual([{ u: 'quiver', d: 'quiver' }]);
    await client.end();
  });
});
