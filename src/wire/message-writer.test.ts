import { describe, expect, it } from 'vitest';
import { SqlError } from '../errors/sql-error.ts';
import { MessageWriter } from './message-writer.ts';
import { type BackendFrame, cstringBody, dataRow, errorFields } from './testing/raw-client.ts';

function split(bytes: Buffer): BackendFrame[] {
  const frames: BackendFrame[] = [];
  for (let at = 0; at < bytes.length; ) {
    const length = bytes.readInt32BE(at + 1);
    frames.push({ type: String.fromCharCode(bytes[at]!), body: bytes.subarray(at + 5, at + 1 + length) });
    at += 1 + length;
  }
  return frames;
}

describe('MessageWriter', () => {
  it('frames bodyless and simple messages', () => {
    const w = new MessageWriter()
      .parseComplete()
      .bindComplete()
      .closeComplete()
      .noData()
      .portalSuspended()
      .emptyQueryResponse()
      .copyDone()
      .readyForQuery('T')
      .commandComplete('INSERT 0 1');
    const frames = split(w.take());
    expect(frames.map((f) => f.type).join('')).toBe('123nsIcZC');
    expect(frames[7]!.body.toString()).toBe('T');
    expect(cstringBody(frames[8]!)).toBe('INSERT 0 1');
    expect(w.size).toBe(0);
  });

  it('writes DataRow values as text, bytes and NULL', () => {
    const [row] = split(new MessageWriter().dataRow(['héllo', Buffer.from('ab'), null, '']).take());
    expect(dataRow(row!)).toEqual(['héllo', 'ab', null, '']);
  });

  it('writes RowDescription field by field', () => {
    const field = {
      name: 'id',
      tableOid: 16384,
      columnAttr: 1,
      typeOid: 23,
      typeSize: 4,
      typeMod: -1,
      format: 0,
    } as const;
    const [frame] = split(
      new MessageWriter().rowDescription([field, { ...field, name: 'v', format: 1 }]).take(),
    );
    const body = frame!.body;
    expect(body.readInt16BE(0)).toBe(2);
    expect(body.toString('utf8', 2, 4)).toBe('id');
    expect([body.readInt32BE(5), body.readInt16BE(9), body.readInt32BE(11), body.readInt16BE(15)]).toEqual([
      16384, 1, 23, 4,
    ]);
    expect([body.readInt32BE(17), body.readInt16BE(21)]).toEqual([-1, 0]);
    expect(body.readInt16BE(body.length - 2)).toBe(1);
  });

  it('writes every ErrorResponse field in PostgreSQL order', () => {
    const error = new SqlError('23505', 'duplicate key value violates unique constraint "t_pkey"', {
      detail: 'Key (id)=(1) already exists.',
      hint: 'h',
      position: 7,
      internalPosition: 3,
      internalQuery: 'iq',
      where: 'w',
      schema: 'public',
      table: 't',
      column: 'id',
      dataType: 'int4',
      constraint: 't_pkey',
    });
    const [frame] = split(new MessageWriter().errorResponse(error).take());
    expect(frame!.type).toBe('E');
    expect(errorFields(frame!)).toEqual({
      S: 'ERROR',
      V: 'ERROR',
      C: '23505',
      M: 'duplicate key value violates unique constraint "t_pkey"',
      D: 'Key (id)=(1) already exists.',
      H: 'h',
      P: '7',
      p: '3',
      q: 'iq',
      W: 'w',
      s: 'public',
      t: 't',
      c: 'id',
      d: 'int4',
      n: 't_pkey',
    });
    const codes: string[] = [];
    for (let at = 0; frame!.body[at] !== 0; at = frame!.body.indexOf(0, at + 1) + 1) {
      codes.push(String.fromCharCode(frame!.body[at]!));
    }
    expect(codes.join('')).toBe('SVCMDHPpqWstcdn');
  });

  it('writes NoticeResponse', () => {
    const [frame] = split(
      new MessageWriter().noticeResponse({ severity: 'WARNING', code: '01000', message: 'm' }).take(),
    );
    expect(frame!.type).toBe('N');
    expect(errorFields(frame!)).toEqual({ S: 'WARNING', V: 'WARNING', C: '01000', M: 'm' });
  });

  it('writes authentication, key data and parameter messages', () => {
    const w = new MessageWriter()
      .authenticationOk()
      .authenticationCleartextPassword()
      .authenticationMD5Password(Buffer.of(1, 2, 3, 4))
      .authenticationSASL(['SCRAM-SHA-256'])
      .authenticationSASLContinue('r=x')
      .authenticationSASLFinal('v=y')
      .parameterStatus('server_version', '16.0')
      .backendKeyData(42, -7)
      .parameterDescription([23, 4294967295])
      .negotiateProtocolVersion(0, ['_pq_.x']);
    const f = split(w.take());
    expect(f.map((m) => m.type).join('')).toBe('RRRRRRSKtv');
    expect(f.slice(0, 6).map((m) => m.body.readInt32BE(0))).toEqual([0, 3, 5, 10, 11, 12]);
    expect([...f[2]!.body.subarray(4)]).toEqual([1, 2, 3, 4]);
    expect(f[3]!.body.subarray(4).toString()).toBe('SCRAM-SHA-256\0\0');
    expect(f[4]!.body.subarray(4).toString()).toBe('r=x');
    expect(f[6]!.body.toString()).toBe('server_version\u000016.0\0');
    expect([f[7]!.body.readInt32BE(0), f[7]!.body.readInt32BE(4)]).toEqual([42, -7]);
    expect([f[8]!.body.readInt16BE(0), f[8]!.body.readUInt32BE(2), f[8]!.body.readUInt32BE(6)]).toEqual([
      2, 23, 4294967295,
    ]);
    expect([f[9]!.body.readInt32BE(0), f[9]!.body.readInt32BE(4), f[9]!.body.subarray(8).toString()]).toEqual(
      [0, 1, '_pq_.x\0'],
    );
  });

  it('writes COPY responses with one format per column', () => {
    const f = split(
      new MessageWriter()
        .copyInResponse({ format: 0, columnCount: 2 })
        .copyOutResponse({ format: 1, columnCount: 1 })
        .copyData(Buffer.from('x'))
        .take(),
    );
    expect(f.map((m) => m.type).join('')).toBe('GHd');
    expect([...f[0]!.body]).toEqual([0, 0, 2, 0, 0, 0, 0]);
    expect([...f[1]!.body]).toEqual([1, 0, 1, 0, 1]);
    expect(f[2]!.body.toString()).toBe('x');
  });

  it('drops a message whose building failed instead of sending half of it', () => {
    const w = new MessageWriter().commandComplete('A');
    expect(() => w.dataRow(['ok', 42 as unknown as string])).toThrow(TypeError);
    w.commandComplete('B');
    expect(split(w.take()).map(cstringBody)).toEqual(['A', 'B']);
  });

  it('grows for large rows', () => {
    const big = 'x'.repeat(1_000_000);
    const [row] = split(new MessageWriter().dataRow([big, big]).take());
    expect(dataRow(row!).map((v) => v?.length)).toEqual([1_000_000, 1_000_000]);
  });
});
