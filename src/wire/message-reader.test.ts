import { describe, expect, it } from 'vitest';
import { SqlError } from '../errors/sql-error.ts';
import { decodeFrontendMessage, type FrontendMessage } from './frontend-messages.ts';
import { type Frame, MessageReader } from './message-reader.ts';
import { decodeStartupPacket } from './startup.ts';
import { fe, message } from './testing/frontend-encoder.ts';

/** Every frontend message type, with what it must decode to. */
const MESSAGES: [string, Buffer, FrontendMessage][] = [
  ['Query', fe.query('select 1'), { kind: 'Query', sql: 'select 1' }],
  ['Query (non-ASCII)', fe.query("select 'ü€😀'"), { kind: 'Query', sql: "select 'ü€😀'" }],
  [
    'Parse',
    fe.parse('s1', 'select $1, $2', [23, 0]),
    { kind: 'Parse', name: 's1', sql: 'select $1, $2', parameterTypes: [23, 0] },
  ],
  [
    'Bind',
    fe.bind('p1', 's1', ['42', null, Buffer.of(0, 0, 0, 7)], [0, 0, 1], [1]),
    {
      kind: 'Bind',
      request: {
        portal: 'p1',
        statement: 's1',
        parameterFormats: [0, 0, 1],
        parameters: [Buffer.from('42'), null, Buffer.of(0, 0, 0, 7)].map((b) =>
          b ? new Uint8Array(b) : null,
        ),
        resultFormats: [1],
      },
    },
  ],
  ['Describe S', fe.describe('S', 's1'), { kind: 'Describe', target: 'S', name: 's1' }],
  ['Describe P', fe.describe('P', ''), { kind: 'Describe', target: 'P', name: '' }],
  ['Execute', fe.execute('p1', 10), { kind: 'Execute', portal: 'p1', maxRows: 10 }],
  ['Close S', fe.close('S', 's1'), { kind: 'Close', target: 'S', name: 's1' }],
  ['Close P', fe.close('P', 'p1'), { kind: 'Close', target: 'P', name: 'p1' }],
  ['Sync', fe.sync(), { kind: 'Sync' }],
  ['Flush', fe.flush(), { kind: 'Flush' }],
  ['Terminate', fe.terminate(), { kind: 'Terminate' }],
  ['CopyData', fe.copyData('1\tx\n'), { kind: 'CopyData', data: Buffer.from('1\tx\n') }],
  ['CopyDone', fe.copyDone(), { kind: 'CopyDone' }],
  ['CopyFail', fe.copyFail('stop'), { kind: 'CopyFail', message: 'stop' }],
  ['Password', fe.password('pw'), { kind: 'Password', body: Buffer.from('pw\0') }],
];

/** Feeds `chunks` one at a time, draining frames after each. */
function frames(chunks: Buffer[], reader = new MessageReader()): Frame[] {
  const out: Frame[] = [];
  for (const chunk of chunks) {
    reader.push(chunk);
    for (let frame = reader.read(); frame; frame = reader.read()) out.push(frame);
  }
  return out;
}

function splitAt(bytes: Buffer, ...points: number[]): Buffer[] {
  const cuts = [0, ...points, bytes.length];
  return cuts.slice(1).map((end, i) => Buffer.from(bytes.subarray(cuts[i]!, end)));
}

function chunked(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(Buffer.from(bytes.subarray(i, i + size)));
  return out;
}

function fatalMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SqlError);
    expect((error as SqlError).code).toBe('08P01');
    expect((error as SqlError).severity).toBe('FATAL');
    return (error as SqlError).message;
  }
  throw new Error('expected a protocol violation');
}

describe('MessageReader: split buffers', () => {
  for (const [name, bytes, expected] of MESSAGES) {
    it(`${name}: same message at every split point`, () => {
      for (let cut = 0; cut <= bytes.length; cut++) {
        const got = frames(splitAt(bytes, cut));
        expect(got, `cut at ${cut}`).toHaveLength(1);
        expect(decodeFrontendMessage(got[0]!)).toEqual(expected);
      }
    });

    it(`${name}: front, middle and end splits with neighbours in the same chunks`, () => {
      const stream = Buffer.concat([fe.sync(), bytes, fe.flush()]);
      const start = fe.sync().length;
      const points = [start + 1, start + Math.floor(bytes.length / 2), start + bytes.length - 1];
      for (const point of points) {
        const got = frames(splitAt(stream, point)).map(decodeFrontendMessage);
        expect(got).toEqual([{ kind: 'Sync' }, expected, { kind: 'Flush' }]);
      }
    });
  }

  it('parses every message in one chunk and byte by byte', () => {
    const all = Buffer.concat(MESSAGES.map(([, bytes]) => bytes));
    const expected = MESSAGES.map(([, , message]) => message);
    for (const size of [all.length, 1, 2, 3, 7, 64]) {
      expect(frames(chunked(all, size)).map(decodeFrontendMessage), `chunk size ${size}`).toEqual(expected);
    }
  });

  it('never overwrites a body it has handed out', () => {
    const reader = new MessageReader();
    const first = frames([Buffer.concat([fe.copyData('first'), fe.copyData('sec').subarray(0, 6)])], reader);
    // Force growth and reuse of the retained buffer.
    frames([fe.copyData('sec').subarray(6), ...chunked(fe.copyData('x'.repeat(100_000)), 1000)], reader);
    expect(first[0]!.body.toString()).toBe('first');
  });

  it('startup packets at every split point', () => {
    const packets = [
      fe.sslRequest(),
      fe.gssEncRequest(),
      fe.cancelRequest(1234, -5),
      fe.startup({ user: 'alice', database: 'db', application_name: 'ü' }),
    ];
    const all = Buffer.concat(packets);
    for (let cut = 0; cut <= all.length; cut++) {
      const reader = new MessageReader();
      const got: Buffer[] = [];
      for (const chunk of splitAt(all, cut)) {
        reader.push(chunk);
        for (let p = reader.readStartupPacket(); p; p = reader.readStartupPacket()) got.push(p);
      }
      expect(got.map(decodeStartupPacket)).toEqual([
        { kind: 'SSLRequest' },
        { kind: 'GSSENCRequest' },
        { kind: 'CancelRequest', processId: 1234, secretKey: -5 },
        {
          kind: 'StartupMessage',
          major: 3,
          minor: 0,
          parameters: new Map([
            ['user', 'alice'],
            ['database', 'db'],
            ['application_name', 'ü'],
          ]),
        },
      ]);
    }
  });
});

describe('MessageReader: limits and malformed lengths', () => {
  it('rejects a message over the cap from its header alone, before buffering the body', () => {
    const reader = new MessageReader({ maxMessageBytes: 1000 });
    reader.push(message('Q', Buffer.alloc(2000)).subarray(0, 5));
    expect(fatalMessage(() => reader.read())).toBe('invalid message length');
  });

  it('accepts a message exactly at the cap', () => {
    const reader = new MessageReader({ maxMessageBytes: 1004 });
    const got = frames([message('d', Buffer.alloc(1000))], reader);
    expect(got[0]!.body.length).toBe(1000);
  });

  it('applies the small limit to bodyless message types', () => {
    const reader = new MessageReader();
    reader.push(message('S', Buffer.alloc(20_000)).subarray(0, 5));
    expect(fatalMessage(() => reader.read())).toBe('invalid message length');
  });

  it('rejects lengths below 4', () => {
    for (const length of [0, 3, -1, -2147483648]) {
      const reader = new MessageReader();
      const header = Buffer.alloc(5);
      header[0] = 0x51;
      header.writeInt32BE(length, 1);
      reader.push(header);
      expect(fatalMessage(() => reader.read())).toBe('invalid message length');
    }
  });

  it('rejects an unknown message type', () => {
    const reader = new MessageReader();
    reader.push(message('x', Buffer.alloc(0)));
    expect(fatalMessage(() => reader.read())).toBe('invalid frontend message type 120');
  });

  it('caps the startup packet at 10000 bytes and requires at least a version', () => {
    const big = new MessageReader();
    big.push(fe.startup({ user: 'a'.repeat(10_000) }).subarray(0, 4));
    expect(fatalMessage(() => big.readStartupPacket())).toBe('invalid length of startup packet');
    const small = new MessageReader();
    small.push(Buffer.of(0, 0, 0, 7, 0, 0, 0));
    expect(fatalMessage(() => small.readStartupPacket())).toBe('invalid length of startup packet');
  });

  it('waits without error for an incomplete header', () => {
    const reader = new MessageReader();
    reader.push(Buffer.of(0x51, 0, 0));
    expect(reader.read()).toBeNull();
    expect(reader.buffered).toBe(3);
  });
});
