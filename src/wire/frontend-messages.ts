/**
 * Decoding of frontend message bodies into a discriminated union.
 *
 * Structural faults (truncated fields, trailing bytes) are FATAL 08P01, as in PostgreSQL's
 * pq_getmsg* helpers: after them the framing cannot be trusted. Faults in well-framed
 * content (bad subtype, bad format code, invalid UTF-8) are ERRORs and the connection lives.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { Frame } from './message-reader.ts';
import { FrontendCode } from './protocol.ts';
import type { BindRequest, FormatCode } from './session.ts';
import { checkUtf8, decodeUtf8 } from './utf8.ts';
import { protocolViolation } from './wire-errors.ts';

export type FrontendMessage =
  | { readonly kind: 'Query'; readonly sql: string }
  | {
      readonly kind: 'Parse';
      readonly name: string;
      readonly sql: string;
      readonly parameterTypes: readonly number[];
    }
  | { readonly kind: 'Bind'; readonly request: BindRequest }
  | { readonly kind: 'Describe'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly kind: 'Execute'; readonly portal: string; readonly maxRows: number }
  | { readonly kind: 'Close'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly kind: 'Sync' }
  | { readonly kind: 'Flush' }
  | { readonly kind: 'Terminate' }
  | { readonly kind: 'CopyData'; readonly data: Buffer }
  | { readonly kind: 'CopyDone' }
  | { readonly kind: 'CopyFail'; readonly message: string }
  | { readonly kind: 'Password'; readonly body: Buffer }
  | { readonly kind: 'FunctionCall' };

/** Sequential reader over one message body, with PostgreSQL's pq_getmsg* checks. */
export class BodyReader {
  private offset = 0;
  constructor(private readonly body: Buffer) {}

  int8(): number {
    this.need(1);
    return this.body[this.offset++]!;
  }

  int16(): number {
    this.need(2);
    const value = this.body.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  int32(): number {
    this.need(4);
    const value = this.body.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  uint32(): number {
    this.need(4);
    const value = this.body.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  bytes(length: number): Buffer {
    if (length < 0) throw protocolViolation('invalid message format');
    this.need(length);
    const value = this.body.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  /** A NUL-terminated string's bytes (without the NUL). */
  cstringBytes(): Buffer {
    const nul = this.body.indexOf(0, this.offset);
    if (nul < 0) throw protocolViolation('invalid string in message');
    const value = this.body.subarray(this.offset, nul);
    this.offset = nul + 1;
    return value;
  }

  /** A NUL-terminated UTF-8 string; invalid UTF-8 is ERROR 22021. */
  cstring(): string {
    return decodeUtf8(this.cstringBytes());
  }

  rest(): Buffer {
    const value = this.body.subarray(this.offset);
    this.offset = this.body.length;
    return value;
  }

  /** PostgreSQL's pq_getmsgend: the body must be fully consumed. */
  end(): void {
    if (this.offset !== this.body.length) throw protocolViolation('invalid message format');
  }

  private need(bytes: number): void {
    if (this.offset + bytes > this.body.length) throw protocolViolation('invalid message format');
  }
}

const SYNC: FrontendMessage = { kind: 'Sync' };
const FLUSH: FrontendMessage = { kind: 'Flush' };
const TERMINATE: FrontendMessage = { kind: 'Terminate' };
const COPY_DONE: FrontendMessage = { kind: 'CopyDone' };

export function decodeFrontendMessage(frame: Frame): FrontendMessage {
  const r = new BodyReader(frame.body);
  switch (frame.type) {
    case FrontendCode.Query: {
      // Read the raw bytes first so a framing fault wins over an encoding fault.
      const sql = r.cstringBytes();
      r.end();
      return { kind: 'Query', sql: decodeUtf8(sql) };
    }
    case FrontendCode.Parse:
      return decodeParse(r);
    case FrontendCode.Bind:
      return decodeBind(r);
    case FrontendCode.Describe:
    case FrontendCode.Close: {
      const subtype = r.int8();
      const name = r.cstringBytes();
      r.end();
      const what = frame.type === FrontendCode.Describe ? 'DESCRIBE' : 'CLOSE';
      if (subtype !== 0x53 && subtype !== 0x50) {
        throw protocolViolation(`invalid ${what} message subtype ${subtype}`, 'ERROR');
      }
      const target = subtype === 0x53 ? 'S' : 'P';
      const kind = frame.type === FrontendCode.Describe ? 'Describe' : 'Close';
      return { kind, target, name: decodeUtf8(name) };
    }
    case FrontendCode.Execute: {
      const portal = r.cstringBytes();
      const maxRows = r.int32();
      r.end();
      // PostgreSQL treats a zero or negative row count as "no limit".
      return { kind: 'Execute', portal: decodeUtf8(portal), maxRows: Math.max(0, maxRows) };
    }
    case FrontendCode.Sync:
      r.end();
      return SYNC;
    case FrontendCode.Flush:
      r.end();
      return FLUSH;
    case FrontendCode.Terminate:
      r.end();
      return TERMINATE;
    case FrontendCode.CopyDone:
      r.end();
      return COPY_DONE;
    case FrontendCode.CopyData:
      return { kind: 'CopyData', data: frame.body };
    case FrontendCode.CopyFail: {
      const message = r.cstringBytes();
      r.end();
      return { kind: 'CopyFail', message: message.toString('utf8') };
    }
    case FrontendCode.Password:
      return { kind: 'Password', body: frame.body };
    case FrontendCode.FunctionCall:
      return { kind: 'FunctionCall' };
    default:
      throw protocolViolation(`invalid frontend message type ${frame.type}`);
  }
}

function decodeParse(r: BodyReader): FrontendMessage {
  const name = r.cstringBytes();
  const sql = r.cstringBytes();
  const count = r.int16();
  if (count < 0) throw protocolViolation('invalid message format');
  const parameterTypes: number[] = [];
  for (let i = 0; i < count; i++) parameterTypes.push(r.uint32());
  r.end();
  return { kind: 'Parse', name: decodeUtf8(name), sql: decodeUtf8(sql), parameterTypes };
}

function decodeBind(r: BodyReader): FrontendMessage {
  const portal = r.cstringBytes();
  const statement = r.cstringBytes();
  const formatCount = r.int16();
  if (formatCount < 0) throw protocolViolation('invalid message format');
  const formats: number[] = [];
  for (let i = 0; i < formatCount; i++) formats.push(r.int16());
  const parameterCount = r.int16();
  if (parameterCount < 0) throw protocolViolation('invalid message format');
  const parameters: (Uint8Array | null)[] = [];
  for (let i = 0; i < parameterCount; i++) {
    const length = r.int32();
    // Copy: a session may keep parameters in a portal long after this chunk is gone.
    parameters.push(length === -1 ? null : new Uint8Array(r.bytes(length)));
  }
  const resultCount = r.int16();
  if (resultCount < 0) throw protocolViolation('invalid message format');
  const resultFormats: number[] = [];
  for (let i = 0; i < resultCount; i++) resultFormats.push(r.int16());
  r.end();

  if (formatCount > 1 && formatCount !== parameterCount) {
    throw protocolViolation(
      `bind message has ${formatCount} parameter formats but ${parameterCount} parameters`,
      'ERROR',
    );
  }
  // One entry per parameter, whichever of the three forms the client used.
  const parameterFormats = parameters.map((_, i) =>
    checkFormat(formatCount === 0 ? 0 : formats[formatCount === 1 ? 0 : i]!),
  );
  parameters.forEach((value, i) => {
    if (value !== null && parameterFormats[i] === 0) checkUtf8(value);
  });
  return {
    kind: 'Bind',
    request: {
      portal: decodeUtf8(portal),
      statement: decodeUtf8(statement),
      parameterFormats,
      parameters,
      resultFormats: resultFormats.map(checkFormat),
    },
  };
}

function checkFormat(code: number): FormatCode {
  if (code === 0 || code === 1) return code;
  throw new SqlError(SqlState.InvalidParameterValue, `unsupported format code: ${code}`);
}

/** PasswordMessage: one NUL-terminated string filling the body. */
export function decodePasswordMessage(body: Buffer): string {
  const r = new BodyReader(body);
  const password = r.cstringBytes();
  r.end();
  return password.toString('utf8');
}

/** SASLInitialResponse: mechanism name, then Int32 length (-1 = none) and data. */
export function decodeSaslInitialResponse(body: Buffer): { mechanism: string; data: Buffer | null } {
  const r = new BodyReader(body);
  const mechanism = r.cstringBytes().toString('utf8');
  const length = r.int32();
  const data = length === -1 ? null : r.bytes(length);
  r.end();
  return { mechanism, data };
}
