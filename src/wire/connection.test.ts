/** The connection state machine driven with raw protocol bytes over TCP. */
import { describe, expect, it } from 'vitest';
import { fe, message } from './testing/frontend-encoder.ts';
import { type BackendFrame, cstringBody, dataRow, errorFields, RawClient } from './testing/raw-client.ts';
import { connectPg, connectRaw, startServer, waitFor } from './testing/test-server.ts';

const types = (frames: BackendFrame[]) => frames.map((f) => f.type).join('');
const rows = (frames: BackendFrame[]) => frames.filter((f) => f.type === 'D').map((f) => dataRow(f)[0]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Expects a FATAL ErrorResponse with `code` and `message`, then the server closing the socket. */
async function expectFatal(client: RawClient, code: string, text: string): Promise<void> {
  const frame = await client.next();
  expect(frame?.type).toBe('E');
  expect(errorFields(frame!)).toMatchObject({ S: 'FATAL', V: 'FATAL', C: code, M: text });
  await client.closed();
  expect(client.isClosed).toBe(true);
}

describe('startup', () => {
  it('announces parameters, key data and ReadyForQuery', async () => {
    await using t = await startServer();
    await using client = await RawClient.connect(t.port);
    client.send(fe.startup({ user: 'u' }));
    const frames = await client.until('Z');
    expect(types(frames)).toBe('RSSKZ');
    expect(frames.slice(1, 3).map((f) => f.body.toString())).toEqual([
      'server_version\u000016.0\0',
      'client_encoding\u0000UTF8\0',
    ]);
    expect(frames[3]!.body.readInt32BE(0)).toBe(t.backend.startups[0]!.processId);
    expect(frames[4]!.body.toString()).toBe('I');
    expect(t.backend.startups[0]!.database).toBe('u');
  });

  it('answers SSLRequest and GSSENCRequest with N, then starts up in clear text', async () => {
    await using t = await startServer();
    await using client = await RawClient.connect(t.port);
    client.send(fe.gssEncRequest());
    expect(await client.readByte()).toBe('N');
    client.send(fe.sslRequest());
    expect(await client.readByte()).toBe('N');
    client.send(fe.startup({ user: 'u' }));
    expect(types(await client.until('Z'))).toBe('RSSKZ');
  });

  it('negotiates a newer minor version and unknown protocol options down', async () => {
    await using t = await startServer();
    await using client = await RawClient.connect(t.port);
    client.send(fe.startup({ user: 'u', '_pq_.foo': 'x' }, (3 << 16) | 2));
    const frames = await client.until('Z');
    expect(types(frames)).toBe('vRSSKZ');
    expect(frames[0]!.body.readInt32BE(0)).toBe(0);
    expect(frames[0]!.body.subarray(8).toString()).toBe('_pq_.foo\0');
    expect(t.backend.startups[0]!.parameters).toEqual({ user: 'u' });
  });

  it('rejects a startup packet without a user', async () => {
    await using t = await startServer();
    await using client = await RawClient.connect(t.port);
    client.send(fe.startup({ database: 'db' }));
    await expectFatal(client, '28000', 'no PostgreSQL user name specified in startup packet');
  });

  it('rejects protocol versions other than 3.x', async () => {
    await using t = await startServer();
    await using client = await RawClient.connect(t.port);
    client.send(fe.startup({ user: 'u' }, 2 << 16));
    await expectFatal(client, '0A000', 'unsupported frontend protocol 2.0: server supports 3.0 to 3.0');
  });

  it('rejects an oversize startup packet', async () => {
    await using t = await startServer();
    await using client = await RawClient.connect(t.port);
    client.send(fe.startup({ user: 'u'.repeat(20_000) }));
    await expectFatal(client, '08P01', 'invalid length of startup packet');
  });

  it('rejects a message other than a password during authentication', async () => {
    await using t = await startServer();
    await using client = await RawClient.connect(t.port);
    client.send(fe.startup({ user: 'clear' }));
    const request = await client.next();
    expect([request?.type, request?.body.readInt32BE(0)]).toEqual(['R', 3]);
    client.send(fe.query('sneaky'));
    await expectFatal(client, '08P01', 'expected password response, got message type 81');
  });
});

describe('simple query', () => {
  it('answers an empty query with EmptyQueryResponse and passes notices', async () => {
    await using t = await startServer();
    await using client = await connectRaw(t.port);
    client.send(fe.query(''));
    expect(types(await client.until('Z'))).toBe('IZ');
    client.send(fe.query('notice'));
    const frames = await client.until('Z');
    expect(types(frames)).toBe('NTDCZ');
    expect(errorFields(frames[0]!)).toMatchObject({ S: 'NOTICE', C: '00000', M: 'hello' });
  });

  it('reports the transaction status in ReadyForQuery', async () => {
    await using t = await startServer();
    await using client = await connectRaw(t.port);
    const status = async () => (await client.until('Z')).at(-1)!.body.toString();
    client.send(fe.query('begin'));
    expect(await status()).toBe('T');
    client.send(fe.query('fail'));
    expect(await status()).toBe('E');
    client.send(fe.query('rollback'));
    expect(await status()).toBe('I');
  });

  it('rejects invalid UTF-8 with 22021 and stays usable', async () => {
    await using t = await startServer();
    await using client = await connectRaw(t.port);
    client.send(fe.query(Buffer.from([0x73, 0x65, 0x6c, 0xc3, 0x28])));
    const frames = await client.until('Z');
    expect(types(frames)).toBe('EZ');
    expect(errorFields(frames[0]!)).toMatchObject({
      S: 'ERROR',
      C: '22021',
      M: 'invalid byte sequence for encoding "UTF8": 0xc3 0x28',
    });
    client.send(fe.query('still here'));
    expect(rows(await client.until('Z'))).toEqual(['still here']);
  });
});

describe('extended query', () => {
  it('runs Parse/Bind/Describe/Execute/Close/Sync', async () => {
    await using t = await startServer();
    await using client = await connectRaw(t.port);
    client.send(
      fe.parse('s', 'select $1, $2', [23]),
      fe.describe('S', 's'),
      fe.bind('p', 's', ['1', 'two']),
      fe.describe('P', 'p'),
      fe.execute('p'),
      fe.close('P', 'p'),
      fe.close('S', 's'),
      fe.sync(),
    );
    const frames = await client.until('Z');
    expect(types(frames)).toBe('1tT2TDC33Z');
    const description = frames[1]!.body;
    expect([description.readInt16BE(0), description.readUInt32BE(2), description.readUInt32BE(6)]).toEqual([
      2, 23, 25,
    ]);
    expect(rows(frames)).toEqual(['1,two']);
    expect(cstringBody(frames[6]!)).toBe('SELECT 1');
  });

  it('answers Describe with NoData for statements without rows', async () => {
    await using t = await startServer();
    await using client = await connectRaw(t.port);
    client.send(
      fe.parse('', 'begin'),
      fe.describe('S', ''),
      fe.bind('', '', []),
      fe.describe('P', ''),
      fe.sync(),
    );
    expect(types(await client.until('Z'))).toBe('1tn2nZ');
  });

  it('suspends and resumes a portal with a row limit', async () => {
    await using t = await startServer();
    await using client = await connectRaw(t.port);
    client.send(
      fe.parse('', 'series 5'),
      fe.bind('', '', []),
      fe.execute('', 2),
      fe.execute('', 2),
      fe.execute('', 2),
    );
    client.send(fe.sync());
    const frames = await client.until('Z');
    expect(types(frames)).toBe('12DDsDDsDCZ');
    expect(rows(frames)).toEqual(['1', '2', '3', '4', '5']);
  });

  it('discards messages after an error until Sync', async () => {
    await using t = await startServer();
    await using client = await connectRaw(t.port);
    client.send(fe.parse('', 'fail'), fe.bind('', '', []), fe.execute(''), fe.query('ignored'), fe.sync());
    const frames = await client.until('Z');
    expect(types(frames)).toBe('EZ');
    expect(errorFields(frames[0]!)).toMatchObject({ C: '42601', P: '1' });
    expect(t.backend.sessions[0]!.extendedErrors).toHaveLength(1);
    client.send(fe.parse('', 'ok'), fe.bind('', '', []), fe.execute(''), fe.sync());
    expect(types(await client.until('Z'))).toBe('12DCZ');
  });

  it('rejects invalid UTF-8 in Parse and in text parameters, but not in binary ones', async () => {
    await using t = await startServer();
    await using client = await connectRaw(t.port);
    client.send(fe.parse('', Buffer.from([0xff])), fe.sync());
    let frames = await client.until('Z');
    expect(errorFields(frames[0]!)).toMatchObject({
      C: '22021',
      M: 'invalid byte sequence for encoding "UTF8": 0xff',
    });
    client.send(
      fe.parse('', 'select $1'),
      fe.bind('', '', [Buffer.from([0xe2, 0x82])]),
      fe.execute(''),
      fe.sync(),
    );
    frames = await client.until('Z');
    expect(types(frames)).toBe('1EZ');
    expect(errorFields(frames[1]!).M).toBe('invalid byte sequence for encoding "UTF8": 0xe2 0x82');
    client.send(fe.bind('', '', [Buffer.from([0xe2, 0x82])], [1]), fe.execute(''), fe.sync());
    expect(types(await client.until('Z'))).toBe('2DCZ');
  });

  it('sends buffered replies on Flush without waiting for Sync', async () => {
    await using t = await startServer();
    await using client = await connectRaw(t.port);
    client.send(fe.parse('', 'x'), fe.flush());
    expect((await client.next())?.type).toBe('1');
    client.send(fe.sync());
    expect(types(await client.until('Z'))).toBe('Z');
  });
});

describe('pipelining', () => {
  it('processes messages sent together strictly in order', async () => {
    await using t = await startServer();
    await using client = await connectRaw(t.port);
    const batch = Buffer.concat([
      fe.query('one'),
      fe.parse('', 'two'),
      fe.bind('', '', []),
      fe.execute(''),
      fe.sync(),
      fe.query('sleep 30'),
      fe.query('three'),
    ]);
    client.send(batch);
    const frames = [...(await client.until('Z')), ...(await client.until('Z')), ...(await client.until('Z'))];
    frames.push(...(await client.until('Z')));
    expect(types(frames)).toBe('TDCZ' + '12DCZ' + 'TDCZ' + 'TDCZ');
    expect(rows(frames)).toEqual(['one', 'two', 'sleep 30', 'three']);
  });

  it('frames the same batch sent one byte at a time', async () => {
    await using t = await startServer();
    await using client = await connectRaw(t.port);
    client.socket.setNoDelay(true);
    const batch = Buffer.concat([
      fe.parse('', 'select $1'),
      fe.bind('', '', ['x']),
      fe.execute(''),
      fe.sync(),
    ]);
    for (const byte of batch) {
      client.send(Buffer.of(byte));
      await sleep(0);
    }
    expect(rows(await client.until('Z'))).toEqual(['x']);
  });

  it('a half-sent message on one connection does not block another', async () => {
    await using t = await startServer();
    await using stalled = await connectRaw(t.port);
    stalled.send(fe.query('never finished').subarray(0, 8));
    await using other = await connectPg(t.port);
    expect((await other.query('free')).rows).toEqual([{ echo: 'free' }]);
    stalled.send(fe.query('never finished').subarray(8));
    expect(rows(await stalled.until('Z'))).toEqual(['never finished']);
  });
});

describe('output flow control', () => {
  it('streams a large result with back-pressure from a slow reader', async () => {
    await using t = await startServer();
    await using client = await connectRaw(t.port);
    client.socket.pause();
    client.send(fe.query('many 20000'));
    // ~20 MB of rows, but the session waits in flush() once the socket buffers are full.
    const session = t.backend.sessions[0]!;
    let last = -1;
    await waitFor(() => {
      const settled = session.produced > 0 && session.produced === last;
      last = session.produced;
      return settled;
    });
    await sleep(100);
    expect(session.produced).toBeGreaterThan(0);
    expect(session.produced).toBeLessThan(20_000);
    client.socket.resume();
    const frames = await client.until('Z');
    expect(frames.filter((f) => f.type === 'D')).toHaveLength(20_000);
    expect(cstringBody(frames.at(-2)!)).toBe('SELECT 20000');
  });

  it('delivers a large result to node-postgres', async () => {
    await using t = await startServer();
    await using client = await connectPg(t.port);
    expect((await client.query('many 5000')).rowCount).toBe(5000);
  });
});

describe('COPY', () => {
  it('receives COPY FROM STDIN data, ignoring Flush and Sync', async () => {
    await using t = await startServer();
    await using client = await connectRaw(t.port);
    client.send(fe.query('copy in'));
    const [response] = await client.until('G');
    expect([...response!.body]).toEqual([0, 0, 1, 0, 0]);
    client.send(fe.copyData('1\n2'), fe.flush(), fe.copyData('\n3\n'), fe.sync(), fe.copyDone());
    const frames = await client.until('Z');
    expect(types(frames)).toBe('CZ');
    expect(cstringBody(frames[0]!)).toBe('COPY 3');
    expect(t.backend.sessions[0]!.copied).toEqual(['1\n2\n3\n']);
  });

  it('turns CopyFail into 57014 and drops late copy messages', async () => {
    await using t = await startServer();
    await using client = await connectRaw(t.port);
    client.send(fe.query('copy in'));
    await client.until('G');
    client.send(fe.copyData('1\n'), fe.copyFail('client gave up'));
    const frames = await client.until('Z');
    expect(types(frames)).toBe('EZ');
    expect(errorFields(frames[0]!)).toMatchObject({
      C: '57014',
      M: 'COPY from stdin failed: client gave up',
    });
    client.send(fe.copyData('late'), fe.copyDone(), fe.query('after'));
    expect(rows(await client.until('Z'))).toEqual(['after']);
  });

  it('rejects other messages during COPY FROM STDIN', async () => {
    await using t = await startServer();
    await using client = await connectRaw(t.port);
    client.send(fe.query('copy in'));
    await client.until('G');
    client.send(fe.query('oops'));
    const frames = await client.until('Z');
    expect(errorFields(frames[0]!)).toMatchObject({
      C: '08P01',
      M: 'unexpected message type 0x51 during COPY from stdin',
    });
  });

  it('sends COPY TO STDOUT data', async () => {
    await using t = await startServer();
    await using client = await connectRaw(t.port);
    client.send(fe.query('copy out'));
    const frames = await client.until('Z');
    expect(types(frames)).toBe('HddcCZ');
    expect(frames.slice(1, 3).map((f) => f.body.toString())).toEqual(['a\n', 'b\n']);
  });
});

describe('protocol violations', () => {
  const violations: [string, Buffer, string][] = [
    ['unknown message type', message('x', Buffer.alloc(0)), 'invalid frontend message type 120'],
    ['length below 4', Buffer.of(0x51, 0, 0, 0, 2), 'invalid message length'],
    ['length over the cap', message('Q', Buffer.alloc(2000, 0x61)), 'invalid message length'],
    ['truncated field', message('E', Buffer.of(0)), 'invalid message format'],
    ['password message after startup', fe.password('x'), 'invalid frontend message type 112'],
  ];
  for (const [name, bytes, text] of violations) {
    it(`${name}: FATAL 08P01, close, and keep serving others`, async () => {
      await using t = await startServer({ maxMessageBytes: 1000 });
      await using bad = await connectRaw(t.port);
      bad.send(bytes);
      await expectFatal(bad, '08P01', text);
      await using good = await connectPg(t.port);
      expect((await good.query('fine')).rows).toEqual([{ echo: 'fine' }]);
      await sleep(10);
      expect(t.backend.sessions[0]!.closed).toBe(true);
    });
  }

  it('survives garbage instead of a startup packet', async () => {
    await using t = await startServer();
    for (const garbage of [
      Buffer.from('GET / HTTP/1.1\r\n\r\n'),
      Buffer.alloc(64, 0xff),
      Buffer.of(0, 0, 0, 4),
    ]) {
      await using client = await RawClient.connect(t.port);
      client.send(garbage);
      const frame = await client.next();
      expect(frame?.type).toBe('E');
      expect(errorFields(frame!).S).toBe('FATAL');
      await client.closed();
    }
    expect(t.errors).toEqual([]);
  });
});

describe('robustness', () => {
  it('survives random bytes after startup on many connections', async () => {
    await using t = await startServer({ maxMessageBytes: 4096 });
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 0x1000000;
    for (let n = 0; n < 40; n++) {
      await using client = await connectRaw(t.port);
      // Half the time, start with a plausible type byte so the length and body get exercised.
      const types = 'QPBDECSHXdcfpF';
      const head = random() < 0.5 ? [types.charCodeAt(Math.floor(random() * types.length))] : [];
      const bytes = Buffer.from([
        ...head,
        ...Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256)),
      ]);
      client.send(bytes, fe.sync());
      await sleep(2);
    }
    await using good = await connectPg(t.port);
    expect((await good.query('alive')).rows).toEqual([{ echo: 'alive' }]);
    expect(t.errors.filter((e) => !e.includes('unclassified'))).toEqual([]);
  });

  it('survives a session whose every method throws', async () => {
    const fail = () => {
      throw new TypeError('engine bug');
    };
    const hostile = new Proxy({}, { get: () => fail });
    const errors: string[] = [];
    await using t = await startServer({
      backend: {
        authPlan: async () => ({ method: 'trust' }),
        openSession: async () => ({ session: hostile as never, parameterStatus: {} }),
      },
      logger: { error: (message) => errors.push(message) },
    });
    await using client = await connectRaw(t.port);
    client.send(fe.query('x'));
    let frames = await client.until('Z');
    expect(errorFields(frames[0]!)).toMatchObject({ C: 'XX000', M: 'engine bug' });
    expect(frames.at(-1)!.body.toString()).toBe('I');
    client.send(fe.parse('', 'x'), fe.describe('S', ''), fe.sync());
    frames = await client.until('Z');
    expect(types(frames)).toBe('EEZ');
    client.send(fe.terminate());
    await client.closed();
    expect(errors.some((e) => e.includes('session.close() threw'))).toBe(true);
  });
});

describe('connection end', () => {
  it('closes the session on Terminate', async () => {
    await using t = await startServer();
    await using client = await connectRaw(t.port);
    client.send(fe.terminate());
    await client.closed();
    await sleep(10);
    expect(t.backend.sessions[0]!.closed).toBe(true);
  });

  it('cancels and closes the session when the socket drops mid-query', async () => {
    await using t = await startServer();
    const client = await connectRaw(t.port);
    client.send(fe.query('sleep 10000'));
    await waitFor(() => t.backend.sessions[0]?.sleeping === true);
    client.socket.destroy();
    await waitFor(() => t.server.connectionCount === 0);
    const session = t.backend.sessions[0]!;
    expect([session.cancels, session.closed]).toEqual([1, true]);
    expect(t.server.connectionCount).toBe(0);
    expect(t.errors).toEqual([]);
  });

  it('terminates a connection idle in a transaction for too long', async () => {
    await using t = await startServer();
    t.backend.idleInTransactionTimeoutMs = 100;
    await using client = await connectRaw(t.port);
    client.send(fe.query('idle outside transactions is fine'));
    await client.until('Z');
    await sleep(150);
    client.send(fe.query('begin'));
    await client.until('Z');
    await expectFatal(client, '25P03', 'terminating connection due to idle-in-transaction timeout');
  });

  it('tells idle clients about a shutdown', async () => {
    const t = await startServer();
    const client = await connectRaw(t.port);
    await t.server.close();
    await expectFatal(client, '57P01', 'terminating connection due to administrator command');
  });
});
