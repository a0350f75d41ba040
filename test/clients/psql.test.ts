/**
 * The real psql binary (Debian's postgresql-client, installed by scripts/setup-deps.sh)
 * against the server: -c, a piped script, \copy in and out as CSV, error exit codes.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TestServer, withServer } from '../helpers/server.ts';

interface PsqlResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let server: TestServer;
let dir: string;

beforeAll(async () => {
  server = await withServer();
  dir = await mkdtemp(join(tmpdir(), 'quiver-psql-'));
});
afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs psql without any ~/.psqlrc (-X), with `input` on stdin. */
function psql(args: readonly string[], input = ''): Promise<PsqlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('psql', ['-X', ...args], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: dir,
        LC_ALL: 'C',
        PGCONNECT_TIMEOUT: '10',
        ...server.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

describe('psql', () => {
  test('-c runs a query (unaligned, tuples only)', async () => {
    const r = await psql(['-At', '-c', "SELECT 1 + 1, 'quiver'"]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('2|quiver\n');
  });

  test('-c prints an aligned table with a row count', async () => {
    const r = await psql(['-c', 'SELECT 42 AS answer']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(' answer \n--------\n     42\n(1 row)\n\n');
  });

  test('a piped multi-statement script', async () => {
    const script = [
      'DROP TABLE IF EXISTS psql_script;',
      'CREATE TABLE psql_script (id int PRIMARY KEY, v text);',
      "INSERT INTO psql_script VALUES (1, 'a'), (2, 'b');",
      "UPDATE psql_script SET v = 'c' WHERE id = 2;",
      'SELECT id, v FROM psql_script ORDER BY id;',
      'DROP TABLE psql_script;',
      '',
    ].join('\n');
    const r = await psql(['-v', 'ON_ERROR_STOP=1', '-At'], script);
    expect(r.stderr.replace(/^NOTICE: .*\n/gm, '')).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('DROP TABLE\nCREATE TABLE\nINSERT 0 2\nUPDATE 1\n1|a\n2|c\nDROP TABLE\n');
  });

  test('a NoticeResponse is printed on stderr', async () => {
    const r = await psql(['-c', 'DROP TABLE IF EXISTS psql_never_created']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('DROP TABLE\n');
    expect(r.stderr).toBe('NOTICE:  table "psql_never_created" does not exist, skipping\n');
  });

  test('an error stops the script with ON_ERROR_STOP and exit code 3', async () => {
    const r = await psql(['-v', 'ON_ERROR_STOP=1', '-At'], 'SELECT 1;\nSELECT 1/0;\nSELECT 2;\n');
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('1\n');
    expect(r.stderr).toMatch(/ERROR: {2}division by zero/);
  });

  test('-c with an error exits 1 and prints the caret position', async () => {
    const r = await psql(['-c', 'SELECT * FROM psql_no_such_table']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'ERROR:  relation "psql_no_such_table" does not exist\n' +
        'LINE 1: SELECT * FROM psql_no_such_table\n' +
        '                      ^\n',
    );
  });

  test('\\dt, \\di and \\ds list relations as PostgreSQL prints them', async () => {
    const setup = await psql([
      '-c',
      'DROP TABLE IF EXISTS psql_meta_t; DROP SEQUENCE IF EXISTS psql_meta_s; CREATE TABLE psql_meta_t (id int PRIMARY KEY); CREATE SEQUENCE psql_meta_s',
    ]);
    expect(setup.code).toBe(0);
    const r = await psql(['-c', '\\dt psql_meta*', '-c', '\\di psql_meta*', '-c', '\\ds psql_meta*']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        '           List of relations',
        ' Schema |    Name     | Type  | Owner  ',
        '--------+-------------+-------+--------',
        ' public | psql_meta_t | table | quiver',
        '(1 row)',
        '',
        '                    List of relations',
        ' Schema |       Name       | Type  | Owner  |    Table    ',
        '--------+------------------+-------+--------+-------------',
        ' public | psql_meta_t_pkey | index | quiver | psql_meta_t',
        '(1 row)',
        '',
        '            List of relations',
        ' Schema |    Name     |   Type   | Owner  ',
        '--------+-------------+----------+--------',
        ' public | psql_meta_s | sequence | quiver',
        '(1 row)',
        '',
        '',
      ].join('\n'),
    );
    await psql(['-c', 'DROP TABLE psql_meta_t; DROP SEQUENCE psql_meta_s']);
  });

  test('\\copy from and to CSV files', async () => {
    const input = join(dir, 'in.csv');
    const output = join(dir, 'out.csv');
    await writeFile(input, 'id,name,v\n1,alpha,"[1,2,3]"\n2,"with, comma","[4,5,6]"\n3,,"[7,8,9]"\n');
    const script = [
      'CREATE EXTENSION IF NOT EXISTS vector;',
      'DROP TABLE IF EXISTS psql_copy;',
      'CREATE TABLE psql_copy (id int, name text, v vector(3));',
      `\\copy psql_copy FROM '${input}' WITH (FORMAT csv, HEADER true)`,
      'SELECT count(*) FROM psql_copy;',
      `\\copy (SELECT id, name, v FROM psql_copy ORDER BY id) TO '${output}' WITH (FORMAT csv, HEADER true)`,
      'DROP TABLE psql_copy;',
      '',
    ].join('\n');
    const r = await psql(['-v', 'ON_ERROR_STOP=1', '-At'], script);
    expect(r.stderr.replace(/^NOTICE: .*\n/gm, '')).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('CREATE EXTENSION\nDROP TABLE\nCREATE TABLE\nCOPY 3\n3\nCOPY 3\nDROP TABLE\n');
    expect(await readFile(output, 'utf8')).toBe(
      'id,name,v\n1,alpha,"[1,2,3]"\n2,"with, comma","[4,5,6]"\n3,,"[7,8,9]"\n',
    );
  });

  test('\\copy in binary format: the PGCOPY file layout and a round trip of several types', async () => {
    const file = join(dir, 'rows.bin');
    const script = [
      'CREATE EXTENSION IF NOT EXISTS vector;',
      'DROP TABLE IF EXISTS psql_bin, psql_bin2;',
      'CREATE TABLE psql_bin (id int, big bigint, name text, ok bool, x float8, v vector(2), d date);',
      "INSERT INTO psql_bin VALUES (1, 10000000000, 'één', true, 1.5, '[1,-2]', '2024-02-29'), (2, NULL, NULL, NULL, NULL, NULL, NULL);",
      `\\copy psql_bin TO '${file}' WITH (FORMAT binary)`,
      'CREATE TABLE psql_bin2 (id int, big bigint, name text, ok bool, x float8, v vector(2), d date);',
      `\\copy psql_bin2 FROM '${file}' WITH (FORMAT binary)`,
      'SELECT * FROM psql_bin2 ORDER BY id;',
      'DROP TABLE psql_bin, psql_bin2;',
      '',
    ].join('\n');
    const r = await psql(['-v', 'ON_ERROR_STOP=1', '-At'], script);
    expect(r.stderr.replace(/^NOTICE: .*\n/gm, '')).toBe('');
    expect(r.stdout).toContain(
      'COPY 2\nCREATE TABLE\nCOPY 2\n1|10000000000|één|t|1.5|[1,-2]|2024-02-29\n2||||||\n',
    );
    const bytes = await readFile(file);
    // Signature, flags, extension length; then the first tuple's field count.
    expect(bytes.subarray(0, 19).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0');
    expect(bytes.readInt16BE(19)).toBe(7);
    expect(bytes.subarray(-2)).toEqual(Buffer.from([0xff, 0xff]));
  });

  test('\\copy with a bad row reports the line and loads nothing', async () => {
    const input = join(dir, 'bad.csv');
    await writeFile(input, '1,"[1,2,3]"\n2,"[1,2]"\n');
    const script = [
      'CREATE EXTENSION IF NOT EXISTS vector;',
      'DROP TABLE IF EXISTS psql_copy_bad;',
      'CREATE TABLE psql_copy_bad (id int, v vector(3));',
      `\\copy psql_copy_bad FROM '${input}' WITH (FORMAT csv)`,
      'SELECT count(*) FROM psql_copy_bad;',
      'DROP TABLE psql_copy_bad;',
      '',
    ].join('\n');
    const r = await psql(['-At'], script);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /ERROR: {2}expected 3 dimensions, not 2\nCONTEXT: {2}COPY psql_copy_bad, line 2/,
    );
    expect(r.stdout).toContain('\n0\n');
  });
});
