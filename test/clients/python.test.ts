/**
 * Debian's python3-psycopg2 and python3-sqlalchemy (installed by scripts/setup-deps.sh)
 * against the server. Each probe script in test/clients/python/ prints what the client saw;
 * the expected output in fixtures/ was printed by the same script against PostgreSQL 15 +
 * pgvector (scripts/reference-pg.sh), in a scratch database.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RunResult, runProcess } from '../helpers/run-process.ts';
import { type TestServer, withServer } from '../helpers/server.ts';

// Debian's interpreter explicitly: a python3 earlier on PATH (pyenv) does not see
// /usr/lib/python3/dist-packages, where the apt packages live.
const PYTHON = '/usr/bin/python3';

let server: TestServer;

beforeAll(async () => {
  server = await withServer();
});
afterAll(async () => {
  await server?.close();
});

function runPython(script: string): Promise<RunResult> {
  const path = fileURLToPath(new URL(`python/${script}`, import.meta.url));
  return runProcess(PYTHON, [path], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      LC_ALL: 'C.UTF-8',
      PYTHONIOENCODING: 'utf-8',
      PYTHONDONTWRITEBYTECODE: '1',
      PGCONNECT_TIMEOUT: '10',
      ...server.env,
    },
    timeoutMs: 90_000,
  });
}

/**
 * The only legitimate difference: OIDs of objects the scripts create (pgvector's `vector`
 * type gets whatever OID is next in the server that ran CREATE EXTENSION).
 */
function normalize(output: string): string {
  return output.replace(/\boid=\d+/g, 'oid=<oid>');
}

async function expected(name: string): Promise<string> {
  return normalize(await readFile(new URL(`fixtures/${name}`, import.meta.url), 'utf8'));
}

describe('python clients', () => {
  test('psycopg2: executemany, copy_expert, named cursors, a vector adapter, transactions, error codes', async () => {
    const r = await runPython('psycopg2_probe.py');
    expect(r.stderr).toBe('');
    expect(normalize(r.stdout)).toBe(await expected('psycopg2.out'));
    expect(r.code).toBe(0);
  });

  test('SQLAlchemy: reflection, MetaData.reflect, Core distance queries, engine.begin()', async () => {
    const r = await runPython('sqlalchemy_probe.py');
    expect(r.stderr).toBe('');
    expect(normalize(r.stdout)).toBe(await expected('sqlalchemy.out'));
    expect(r.code).toBe(0);
  });
});
