/**
 * COPY FROM STDIN input as PostgreSQL reads it, over the wire: text escapes and NULLs, csv
 * quoting (delimiters, doubled quotes and line breaks inside quotes, HEADER), binary tuples,
 * input split at every byte boundary, and the errors with their CONTEXT line (bad vector
 * literals, wrong dimensions, field counts, unique, not-null and CHECK violations) after which the
 * table holds nothing. Runs against the reference PostgreSQL too (QUIVER_TEST_TARGET).
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  errorFields,
  frontendMessage,
  queryMessage,
  RawConnection,
  startupMessage,
} from './helpers/raw-wire.ts';
import { type TestServer, withServer } from './helpers/server.ts';

let server: TestServer;
let sql: postgres.Sql;

/** A one-connection postgres.js client of the test server. */
function connect(): postgres.Sql {
  return postgres({
    host: server.host,
    port: server.port,
    user: server.user,
    database: server.database,
    max: 1,
    onnotice: () => {},
  });
}

beforeAll(async () => {
  server = await withServer();
  sql = connect();
  await sql`CREATE EXTENSION IF NOT EXISTS vector`;
});

afterAll(async () => {
  await sql?.end();
  await server?.close();
});

/**
 * Runs COPY with `input` sent as the given chunks (one CopyData message each) on a raw
 * protocol connection, and returns the ErrorResponse fields, or null when it succeeded.
 */
async function copyRun(
  statement: string,
  chunks: (string | Buffer)[],
  /** Ends the input with CopyFail and this message instead of CopyDone. */
  failWith?: string,
): Promise<Record<string, string> | null> {
  await using raw = await RawConnection.open(server.host, server.port);
  const parameters = { user: server.user, database: server.database };
  raw.write(startupMessage(inWorker ? { ...parameters, 'quiver.copy_worker_bytes': '0' } : parameters));
  await raw.until('Z');
  raw.write(queryMessage(statement));
  const started = await raw.until('G');
  const early = started.find((m) => m.type === 'E');
  if (early) throw new Error(`COPY did not start: ${errorFields(early.body).M}`);
  for (const c of chunks) raw.write(frontendMessage('d', typeof c === 'string' ? Buffer.from(c) : c));
  raw.write(
    failWith === undefined ? frontendMessage('c') : frontendMessage('f', Buffer.from(`${failWith}\0`)),
  );
  const error = (await raw.until('Z')).find((m) => m.type === 'E');
  return error ? errorFields(error.body) : null;
}

/** Whether copyRun's connections have every COPY parsed in the worker thread. */
let inWorker = false;

async function copyIn(statement: string, chunks: (string | Buffer)[]): Promise<void> {
  const error = await copyRun(statement, chunks);
  if (error) throw new Error(`COPY failed: ${error.M}`);
}

/** `data` cut into pieces of `size` bytes: records and fields split across messages. */
function split(data: string | Buffer, size: number): Buffer[] {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

async function fresh(columns: string): Promise<void> {
  await sql.unsafe('DROP TABLE IF EXISTS copy_t');
  await sql.unsafe(`CREATE TABLE copy_t (${columns})`);
}

async function rows(): Promise<string[]> {
  const result = await sql.unsafe('SELECT * FROM copy_t ORDER BY id').values();
  return result.map((r: unknown[]) => r.map((v) => (v === null ? 'NULL' : String(v))).join('|'));
}

async function copyError(statement: string, input: string | Buffer): Promise<Record<string, unknown>> {
  const error = await copyRun(statement, [input]);
  if (!error) throw new Error('COPY succeeded');
  return { code: error.C, message: error.M, where: error.W };
}

/** A PGCOPY stream of (int4, vector) tuples; a null vector is a NULL field. */
function binaryInput(tuples: [number, number[] | null][]): Buffer {
  const parts = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)];
  for (const [id, v] of tuples) {
    const head = Buffer.alloc(10);
    head.writeInt16BE(2, 0);
    head.writeInt32BE(4, 2);
    head.writeInt32BE(id, 6);
    parts.push(head);
    if (v === null) {
      parts.push(Buffer.from([0xff, 0xff, 0xff, 0xff]));
      continue;
    }
    const field = Buffer.alloc(8 + 4 * v.length);
    field.writeInt32BE(4 + 4 * v.length, 0);
    field.writeUInt16BE(v.length, 4);
    v.forEach((x, i) => field.writeFloatBE(x, 8 + 4 * i));
    parts.push(field);
  }
  parts.push(Buffer.from([0xff, 0xff]));
  return Buffer.concat(parts);
}

/** Every case, with the input parsed on the event loop and, on Quiver, in the worker thread. */
function suites(): void {
  describe('text format', () => {
    const input =
      '1\t[1,2.5,-3e2]\tplain\n' +
      '2\t  [ 0.1 , -0 ,1.5e-3 ]  \ttab\\there\\\\back\\nline\n' +
      '3\t\\N\t\\N\n' +
      '4\t[4,5,6]\tescaped\\\tdelimiter\n' +
      '5\t[1.000000059604644775390625,1,1e-40]\t\n' +
      '\\.\n' +
      '6\t[9,9,9]\tafter the end marker\n';
    const expected = [
      '1|[1,2.5,-300]|plain',
      '2|[0.1,-0,0.0015]|tab\there\\back\nline',
      '3|NULL|NULL',
      '4|[4,5,6]|escaped\tdelimiter',
      '5|[1,1,1e-40]|',
    ];

    test('escapes, NULL, spaces in literals, exact float4 rounding, the end marker', async () => {
      await fresh('id int PRIMARY KEY, v vector(3), note text');
      await copyIn('COPY copy_t FROM STDIN', [input]);
      expect(await rows()).toEqual(expected);
    });

    test.each([1, 2, 3, 7, 64])('input split every %i bytes reads the same', async (size) => {
      await fresh('id int PRIMARY KEY, v vector, note text');
      await copyIn('COPY copy_t FROM STDIN', split(input, size));
      expect(await rows()).toEqual(expected);
    });
  });

  describe('csv format', () => {
    const input =
      'id,v,note\n' +
      '1,"[1,2,3]","a ""quoted"" word"\n' +
      '2,"[4,5,6]","two\nlines, and a comma"\n' +
      '3,,""\n' +
      '4,"[7,8,9]",unquoted';
    const expected = [
      '1|[1,2,3]|a "quoted" word',
      '2|[4,5,6]|two\nlines, and a comma',
      '3|NULL|',
      '4|[7,8,9]|unquoted',
    ];

    test.each([1, 5, 1000])(
      'quotes, doubled quotes, line breaks in quotes, HEADER (split every %i bytes)',
      async (size) => {
        await fresh('id int PRIMARY KEY, v vector(3), note text');
        await copyIn('COPY copy_t FROM STDIN (FORMAT csv, HEADER true)', split(input, size));
        expect(await rows()).toEqual(expected);
      },
    );

    test('another delimiter and NULL marker', async () => {
      await fresh('id int PRIMARY KEY, v vector(2), note text');
      await copyIn("COPY copy_t FROM STDIN (FORMAT csv, DELIMITER ';', NULL 'none')", [
        '1;"[1,2]";none\n2;[3,4];"x;y"\n',
      ]);
      expect(await rows()).toEqual(['1|[1,2]|NULL', '2|[3,4]|x;y']);
    });
  });

  describe('binary format', () => {
    test.each([1, 3, 4096])('tuples split every %i bytes', async (size) => {
      await fresh('id int PRIMARY KEY, v vector(3)');
      const data = binaryInput([
        [1, [1, -2, 0.5]],
        [2, null],
        [3, [-0, 3.25, 1e-40]],
      ]);
      await copyIn('COPY copy_t FROM STDIN (FORMAT binary)', split(data, size));
      expect(await rows()).toEqual(['1|[1,-2,0.5]', '2|NULL', '3|[-0,3.25,1e-40]']);
    });

    test('a NaN element and a wrong dimension count are the type’s errors', async () => {
      await fresh('id int PRIMARY KEY, v vector(3)');
      expect(
        await copyError('COPY copy_t FROM STDIN (FORMAT binary)', binaryInput([[1, [1, Number.NaN, 2]]])),
      ).toEqual({
        code: '22000',
        message: 'NaN not allowed in vector',
        where: 'COPY copy_t, line 1, column v',
      });
      expect(await copyError('COPY copy_t FROM STDIN (FORMAT binary)', binaryInput([[1, [1, 2]]]))).toEqual({
        code: '22000',
        message: 'expected 3 dimensions, not 2',
        where: 'COPY copy_t, line 1, column v',
      });
    });
  });

  describe('errors name the line (and column) and load nothing', () => {
    const cases: [string, string, string, Record<string, unknown>][] = [
      [
        'wrong dimensions',
        'COPY copy_t FROM STDIN',
        '1\t[1,2,3]\n2\t[1,2]\n',
        {
          code: '22000',
          message: 'expected 3 dimensions, not 2',
          where: 'COPY copy_t, line 2, column v: "[1,2]"',
        },
      ],
      [
        'a bad literal',
        'COPY copy_t FROM STDIN (FORMAT csv)',
        '1,"[1,2,x]"\n',
        {
          code: '22P02',
          message: 'invalid input syntax for type vector: "[1,2,x]"',
          where: 'COPY copy_t, line 1, column v: "[1,2,x]"',
        },
      ],
      [
        'an element out of range',
        'COPY copy_t FROM STDIN',
        '1\t[1,2,1e39]\n',
        {
          code: '22003',
          message: '"1e39" is out of range for type vector',
          where: 'COPY copy_t, line 1, column v: "[1,2,1e39]"',
        },
      ],
      [
        'a bad integer',
        'COPY copy_t FROM STDIN',
        '1\t[1,2,3]\n99999999999\t[1,2,3]\n',
        {
          code: '22003',
          message: 'value "99999999999" is out of range for type integer',
          where: 'COPY copy_t, line 2, column id: "99999999999"',
        },
      ],
      [
        'a missing column',
        'COPY copy_t FROM STDIN',
        '1\t[1,2,3]\n2\n',
        { code: '22P04', message: 'missing data for column "v"', where: 'COPY copy_t, line 2: "2"' },
      ],
      [
        'an extra column',
        'COPY copy_t FROM STDIN (FORMAT csv)',
        '1,"[1,2,3]",x\n',
        {
          code: '22P04',
          message: 'extra data after last expected column',
          where: 'COPY copy_t, line 1: "1,"[1,2,3]",x"',
        },
      ],
      [
        'a duplicate key',
        'COPY copy_t FROM STDIN',
        '1\t[1,2,3]\n2\t[1,2,3]\n1\t[4,5,6]\n',
        {
          code: '23505',
          message: 'duplicate key value violates unique constraint "copy_t_pkey"',
          where: 'COPY copy_t, line 3',
        },
      ],
      [
        'a NULL key',
        'COPY copy_t FROM STDIN',
        '\\N\t[1,2,3]\n',
        {
          code: '23502',
          message: 'null value in column "id" of relation "copy_t" violates not-null constraint',
          where: 'COPY copy_t, line 1: "\\N\t[1,2,3]"',
        },
      ],
    ];

    test.each(cases)('%s', async (_name, statement, input, expected) => {
      await fresh('id int PRIMARY KEY, v vector(3)');
      expect(await copyError(statement, input)).toEqual(expected);
      expect(await rows()).toEqual([]);
    });

    test('a CHECK violation names the constraint and quotes the record', async () => {
      await fresh('id int PRIMARY KEY CHECK (id > 0), v vector(3)');
      const error = await copyRun('COPY copy_t FROM STDIN', ['1\t[1,2,3]\n0\t[4,5,6]\n']);
      expect(
        error && { code: error.C, message: error.M, detail: error.D, where: error.W, constraint: error.n },
      ).toEqual({
        code: '23514',
        message: 'new row for relation "copy_t" violates check constraint "copy_t_id_check"',
        detail: 'Failing row contains (0, [4,5,6]).',
        where: 'COPY copy_t, line 2: "0\t[4,5,6]"',
        constraint: 'copy_t_id_check',
      });
      expect(await rows()).toEqual([]);
      await copyIn('COPY copy_t FROM STDIN', ['1\t[1,2,3]\n2\t[4,5,6]\n']);
      expect(await rows()).toEqual(['1|[1,2,3]', '2|[4,5,6]']);
    });

    test('a rolled-back COPY leaves nothing; an index gets the committed rows', async () => {
      await fresh('id int PRIMARY KEY, v vector(3)');
      await sql.unsafe('CREATE INDEX ON copy_t USING hnsw (v vector_l2_ops)');
      await sql
        .begin(async (tx) => {
          const writable = await tx.unsafe('COPY copy_t FROM STDIN').writable();
          await pipeline(Readable.from([Buffer.from('1\t[1,1,1]\n')]), writable);
          throw new Error('roll back');
        })
        .catch((err: Error) => {
          if (err.message !== 'roll back') throw err;
        });
      expect(await rows()).toEqual([]);
      const lines = Array.from({ length: 300 }, (_, i) => `${i}\t[${i},${i % 7},1]\n`).join('');
      await copyIn('COPY copy_t FROM STDIN', [lines]);
      await sql.unsafe('SET enable_seqscan = off');
      const nearest = await sql.unsafe("SELECT id FROM copy_t ORDER BY v <-> '[150,3,1]' LIMIT 1").values();
      await sql.unsafe('RESET enable_seqscan');
      expect(nearest).toEqual([[150]]);
    });
  });
}

describe('parsed on the event loop', () => suites());

describe.runIf(process.env.QUIVER_TEST_TARGET === undefined)('parsed in the worker thread', () => {
  beforeAll(() => {
    inWorker = true;
  });
  afterAll(() => {
    inWorker = false;
  });
  suites();
});

describe('a COPY bigger than quiver.copy_worker_bytes (1 MB): parsed in the worker by default', () => {
  const ROWS = 30_000;
  /** Row i: its id, a 16-dimension vector of float4 values printed as doubles, a note. */
  const vectorOf = (i: number) => Float32Array.from({ length: 16 }, (_, k) => Math.sin(i * 16 + k) * 1000);
  const lines = (bad?: number) =>
    Array.from({ length: ROWS }, (_, i) =>
      i + 1 === bad
        ? `${i}\t[1,2,x]\tnote ${i}\n`
        : `${i}\t[${Array.from(vectorOf(i)).join(',')}]\tnote ${i}\n`,
    ).join('');

  test('every row arrives, in order, whatever the CopyData sizes', async () => {
    await fresh('id int PRIMARY KEY, v vector(16), note text');
    const input = lines();
    expect(input.length).toBeGreaterThan(4 * 1024 * 1024);
    await copyIn('COPY copy_t FROM STDIN', split(input, 40_000));
    expect(await sql.unsafe('SELECT count(*)::int AS n, sum(id)::bigint AS s FROM copy_t')).toEqual([
      { n: ROWS, s: String((ROWS * (ROWS - 1)) / 2) },
    ]);
    for (const id of [0, 12_345, ROWS - 1]) {
      const [row] = await sql.unsafe(`SELECT v::text AS v, note FROM copy_t WHERE id = ${id}`);
      // Each element is the float4 the client's double rounds to (printed shortest).
      expect(Float32Array.from(JSON.parse(row.v))).toEqual(vectorOf(id));
      expect(row.note).toBe(`note ${id}`);
    }
  });

  test('an error late in the input names its line, loads nothing, and the session goes on', async () => {
    await fresh('id int PRIMARY KEY, v vector(16), note text');
    const error = await copyRun('COPY copy_t FROM STDIN', split(lines(25_000), 65_536));
    expect(error && { code: error.C, message: error.M, where: error.W }).toEqual({
      code: '22P02',
      message: 'invalid input syntax for type vector: "[1,2,x]"',
      where: 'COPY copy_t, line 25000, column v: "[1,2,x]"',
    });
    expect(await sql.unsafe('SELECT count(*)::int AS n FROM copy_t')).toEqual([{ n: 0 }]);
  });

  test('CopyFail from the client after megabytes of input rolls the COPY back', async () => {
    await fresh('id int PRIMARY KEY, v vector(16), note text');
    const input = lines();
    const error = await copyRun(
      'COPY copy_t FROM STDIN',
      split(input.slice(0, input.length / 2), 65_536),
      'gave up',
    );
    expect(error && { code: error.C, message: error.M }).toEqual({
      code: '57014',
      message: 'COPY from stdin failed: gave up',
    });
    expect(await sql.unsafe('SELECT count(*)::int AS n FROM copy_t')).toEqual([{ n: 0 }]);
  });
  test('two sessions load at once (one shared worker); a statement_timeout mid-load cancels only its COPY', async () => {
    await sql.unsafe('DROP TABLE IF EXISTS copy_a, copy_b, copy_c');
    for (const t of ['copy_a', 'copy_b', 'copy_c'])
      await sql.unsafe(`CREATE TABLE ${t} (id int PRIMARY KEY, v vector(16), note text)`);
    const input = lines();
    const [a, b] = await Promise.all([
      copyRun('COPY copy_a FROM STDIN', split(input, 50_000)),
      copyRun('COPY copy_b FROM STDIN (FORMAT text)', split(input, 70_000)),
    ]);
    expect([a, b]).toEqual([null, null]);
    for (const t of ['copy_a', 'copy_b'])
      expect(await sql.unsafe(`SELECT count(*)::int AS n, sum(id)::bigint AS s FROM ${t}`)).toEqual([
        { n: ROWS, s: String((ROWS * (ROWS - 1)) / 2) },
      ]);
    // A COPY cut off by statement_timeout: 57014, nothing loaded, and the next COPY works.
    const slow = connect();
    try {
      await slow.unsafe("SET statement_timeout = '50ms'");
      const writable = await slow.unsafe('COPY copy_c FROM STDIN').writable();
      const pieces = split(input, 16_384);
      const paced = Readable.from(
        (async function* () {
          for (const piece of pieces) {
            yield piece;
            await new Promise((resolve) => setTimeout(resolve, 2));
          }
        })(),
      );
      await expect(pipeline(paced, writable)).rejects.toMatchObject({ code: '57014' });
      await slow.unsafe('RESET statement_timeout');
      expect(await slow.unsafe('SELECT count(*)::int AS n FROM copy_c')).toEqual([{ n: 0 }]);
    } finally {
      await slow.end();
    }
    expect(await copyRun('COPY copy_c FROM STDIN', split(input, 65_536))).toBeNull();
    expect(await sql.unsafe('SELECT count(*)::int AS n FROM copy_c')).toEqual([{ n: ROWS }]);
    await sql.unsafe('DROP TABLE copy_a, copy_b, copy_c');
  });
});
