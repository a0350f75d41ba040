/**
 * pgjdbc (Debian's libpostgresql-jdbc-java on default-jdk-headless, installed by
 * scripts/setup-deps.sh) as a BI tool uses it on first connect: DatabaseMetaData, a
 * PreparedStatement with a PGobject vector, a batch insert, a kNN query's
 * ResultSetMetaData and an error's SQLSTATE. test/clients/jdbc/JdbcProbe.java prints it all;
 * fixtures/jdbc-probe.out is the probe's output against PostgreSQL 15.20 + pgvector 0.8.6
 * (in a fresh database there), which Quiver must reproduce line for line.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RunResult, runProcess } from '../helpers/run-process.ts';
import { type TestServer, withServer } from '../helpers/server.ts';

const DRIVER = '/usr/share/java/postgresql.jar';
const PROBE = fileURLToPath(new URL('./jdbc/JdbcProbe.java', import.meta.url));

/** Runs the probe as a single-file source program (java compiles it in memory). */
function runProbe(url: string): Promise<RunResult> {
  return runProcess('java', ['-cp', DRIVER, PROBE, url], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' },
    timeoutMs: 90_000,
  });
}

let server: TestServer;

beforeAll(async () => {
  server = await withServer();
});
afterAll(async () => {
  await server?.close();
});

describe('pgjdbc', () => {
  test('the driver and a JDK are installed', () => {
    expect(existsSync(DRIVER), `${DRIVER} missing: run scripts/setup-deps.sh`).toBe(true);
  });

  test('DatabaseMetaData, PGobject vectors, batches and errors match PostgreSQL + pgvector', async () => {
    const expected = await readFile(new URL('./fixtures/jdbc-probe.out', import.meta.url), 'utf8');
    const url = `jdbc:postgresql://${server.host}:${server.port}/${server.database}?user=${server.user}`;
    const r = await runProbe(url);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expected);
  });
});
