/**
 * The README's psql session is true: its statements, sent by the real psql to a fresh
 * server, print exactly the output the README shows (trailing blanks aside).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type TestServer, withServer } from './helpers/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await withServer();
});
afterAll(async () => {
  await server?.close();
});

function readmeSession(): { statements: string[]; output: string[] } {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const block = /```\n\$ psql[^\n]*\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README has no psql session block');
  const statements: string[] = [];
  const output: string[] = [];
  for (const line of block[1].split('\n')) {
    if (line.startsWith('quiver=# ')) statements.push(line.slice('quiver=# '.length));
    else if (line.trim() !== '') output.push(line.trimEnd());
  }
  return { statements, output };
}

/** Asynchronous: the server under test runs in this process and must keep serving. */
function psql(input: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('psql', ['-X', '-v', 'ON_ERROR_STOP=1'], { env: { ...process.env, ...server.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

test.runIf(process.env.QUIVER_TEST_TARGET === undefined)(
  'the README psql session prints what the README shows',
  async () => {
    const { statements, output } = readmeSession();
    expect(statements.length).toBeGreaterThan(3);
    const r = await psql(`${statements.join('\n')}\n`);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const actual = r.stdout
      .split('\n')
      .map((l) => l.trimEnd())
      .filter((l) => l !== '');
    expect(actual).toEqual(output);
  },
);
