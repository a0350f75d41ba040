/**
 * Builds frontend (client → server) messages for tests, byte by byte from the protocol's
 * message formats, independent of the server-side decoder under test.
 */
import { StartupCode } from '../protocol.ts';

type Text = string | Uint8Array;

const bytes = (text: Text): Buffer =>
  typeof text === 'string' ? Buffer.from(text, 'utf8') : Buffer.from(text);
const cstring = (text: Text): Buffer => Buffer.concat([bytes(text), Buffer.of(0)]);

function int16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(value);
  return b;
}

function int32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value);
  return b;
}

/** A typed message: type byte, Int32 length (including itself), body. */
export function message(type: string, ...body: Buffer[]): Buffer {
  const payload = Buffer.concat(body);
  return Buffer.concat([Buffer.from(type, 'latin1'), int32(payload.length + 4), payload]);
}

/** An untyped startup-phase packet: Int32 length, body. */
function packet(...body: Buffer[]): Buffer {
  const payload = Buffer.concat(body);
  return Buffer.concat([int32(payload.length + 4), payload]);
}

export const fe = {
  startup(parameters: Record<string, string>, version = 3 << 16): Buffer {
    const pairs = Object.entries(parameters).flatMap(([k, v]) => [cstring(k), cstring(v)]);
    return packet(int32(version), ...pairs, Buffer.of(0));
  },
  sslRequest: (): Buffer => packet(int32(StartupCode.SSLRequest)),
  gssEncRequest: (): Buffer => packet(int32(StartupCode.GSSENCRequest)),
  cancelRequest: (processId: number, secretKey: number): Buffer =>
    packet(int32(StartupCode.CancelRequest), int32(processId), int32(secretKey)),
  password: (text: string): Buffer => message('p', cstring(text)),
  saslInitialResponse: (mechanism: string, data: string): Buffer =>
    message('p', cstring(mechanism), int32(Buffer.byteLength(data)), Buffer.from(data)),
  saslResponse: (data: string): Buffer => message('p', Buffer.from(data)),
  query: (sql: Text): Buffer => message('Q', cstring(sql)),
  parse: (name: string, sql: Text, types: number[] = []): Buffer =>
    message('P', cstring(name), cstring(sql), int16(types.length), ...types.map(int32)),
  bind(
    portal: string,
    statement: string,
    values: (Text | null)[],
    parameterFormats: number[] = [],
    resultFormats: number[] = [],
  ): Buffer {
    const params = values.flatMap((v) => (v === null ? [int32(-1)] : [int32(bytes(v).length), bytes(v)]));
    return message(
      'B',
      cstring(portal),
      cstring(statement),
      int16(parameterFormats.length),
      ...parameterFormats.map(int16),
      int16(values.length),
      ...params,
      int16(resultFormats.length),
      ...resultFormats.map(int16),
    );
  },
  describe: (target: 'S' | 'P', name: string): Buffer => message('D', Buffer.from(target), cstring(name)),
  execute: (portal: string, maxRows = 0): Buffer => message('E', cstring(portal), int32(maxRows)),
  close: (target: 'S' | 'P', name: string): Buffer => message('C', Buffer.from(target), cstring(name)),
  sync: (): Buffer => message('S'),
  flush: (): Buffer => message('H'),
  terminate: (): Buffer => message('X'),
  copyData: (data: Text): Buffer => message('d', bytes(data)),
  copyDone: (): Buffer => message('c'),
  copyFail: (reason: string): Buffer => message('f', cstring(reason)),
};
