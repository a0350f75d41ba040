import { describe, expect, it } from 'vitest';
import { SqlError } from '../errors/sql-error.ts';
import { decodeFrontendMessage } from './frontend-messages.ts';
import { MessageReader } from './message-reader.ts';
import { decodeStartupPacket } from './startup.ts';
import { fe, message } from './testing/frontend-encoder.ts';

function decode(bytes: Buffer) {
  const reader = new MessageReader();
  reader.push(bytes);
  return decodeFrontendMessage(reader.read()!);
}

function failure(run: () => unknown): { code: string; severity: string; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SqlError);
    const { code, severity, message } = error as SqlError;
    return { code, severity, message };
  }
  throw new Error('expected an error');
}

describe('decodeFrontendMessage', () => {
  it('rejects truncated fields as FATAL 08P01', () => {
    const bind = fe.bind('', '', ['abc']);
    // Cut the body short but keep a consistent length word.
    const truncated = message('B', bind.subarray(5, bind.length - 4));
    expect(failure(() => decode(truncated))).toEqual({
      code: '08P01',
      severity: 'FATAL',
      message: 'invalid message format',
    });
    expect(failure(() => decode(message('Q', Buffer.from('no terminator')))).message).toBe(
      'invalid string in message',
    );
    expect(failure(() => decode(message('S', Buffer.of(1)))).message).toBe('invalid message format');
    expect(failure(() => decode(message('E', Buffer.of(0, 1)))).message).toBe('invalid message format');
  });

  it('rejects trailing bytes', () => {
    expect(failure(() => decode(message('Q', Buffer.from('a\0b\0')))).message).toBe('invalid message format');
  });

  it('reports a bad Describe/Close subtype as a non-fatal protocol error', () => {
    expect(failure(() => decode(message('D', Buffer.from('X\0'))))).toEqual({
      code: '08P01',
      severity: 'ERROR',
      message: 'invalid DESCRIBE message subtype 88',
    });
    expect(failure(() => decode(message('C', Buffer.from('Z\0')))).message).toBe(
      'invalid CLOSE message subtype 90',
    );
  });

  it('expands parameter formats to one per parameter', () => {
    const none = decode(fe.bind('', '', ['a', 'b']));
    const one = decode(fe.bind('', '', ['a', 'b'], [1]));
    expect(none.kind === 'Bind' && none.request.parameterFormats).toEqual([0, 0]);
    expect(one.kind === 'Bind' && one.request.parameterFormats).toEqual([1, 1]);
  });

  it('checks Bind format codes and counts', () => {
    expect(failure(() => decode(fe.bind('', '', ['a', 'b', 'c'], [0, 1])))).toEqual({
      code: '08P01',
      severity: 'ERROR',
      message: 'bind message has 2 parameter formats but 3 parameters',
    });
    expect(failure(() => decode(fe.bind('', '', ['a'], [2])))).toEqual({
      code: '22023',
      severity: 'ERROR',
      message: 'unsupported format code: 2',
    });
    expect(failure(() => decode(fe.bind('', '', [], [], [3]))).message).toBe('unsupported format code: 3');
  });

  it('rejects invalid UTF-8 in query text and text parameters with 22021, not in binary ones', () => {
    expect(failure(() => decode(fe.query(Buffer.from([0x73, 0xc3, 0x28]))))).toEqual({
      code: '22021',
      severity: 'ERROR',
      message: 'invalid byte sequence for encoding "UTF8": 0xc3 0x28',
    });
    expect(failure(() => decode(fe.parse('', Buffer.from([0xff]))))).toMatchObject({ code: '22021' });
    expect(failure(() => decode(fe.bind('', '', [Buffer.from([0x41, 0x00, 0x42])]))).message).toBe(
      'invalid byte sequence for encoding "UTF8": 0x00',
    );
    expect(decode(fe.bind('', '', [Buffer.from([0xff, 0x00])], [1])).kind).toBe('Bind');
  });

  it('treats a negative Execute row count as unlimited', () => {
    expect(decode(fe.execute('', -1))).toEqual({ kind: 'Execute', portal: '', maxRows: 0 });
  });
});

describe('decodeStartupPacket', () => {
  it('reads the protocol version and parameters', () => {
    const body = fe.startup({ user: 'u' }, (3 << 16) | 2).subarray(4);
    expect(decodeStartupPacket(body)).toMatchObject({ kind: 'StartupMessage', major: 3, minor: 2 });
    expect(decodeStartupPacket(fe.startup({}, 2 << 16).subarray(4))).toMatchObject({ major: 2, minor: 0 });
  });

  it('rejects a packet without its final terminator', () => {
    const body = fe.startup({ user: 'u' }).subarray(4);
    expect(failure(() => decodeStartupPacket(body.subarray(0, body.length - 1))).code).toBe('08P01');
  });

  it('rejects a CancelRequest of the wrong size', () => {
    const body = fe.cancelRequest(1, 2).subarray(4);
    expect(failure(() => decodeStartupPacket(body.subarray(0, 8))).message).toBe('invalid message format');
  });
});
