/**
 * Builds backend messages into one growing output buffer. The connection decides when the
 * bytes go to the socket (`take()`); the writer never touches I/O.
 */
import type { SqlError } from '../errors/sql-error.ts';
import { errorFields, noticeFields } from './error-fields.ts';
import { AuthCode, BackendCode } from './protocol.ts';
import type { CopyFormat, FieldDescription, Notice, TransactionStatus, WireValue } from './session.ts';

/** Bodyless messages are encoded once and copied. */
function bodyless(type: number): Buffer {
  const message = Buffer.alloc(5);
  message[0] = type;
  message.writeInt32BE(4, 1);
  return message;
}

const PARSE_COMPLETE = bodyless(BackendCode.ParseComplete);
const BIND_COMPLETE = bodyless(BackendCode.BindComplete);
const CLOSE_COMPLETE = bodyless(BackendCode.CloseComplete);
const NO_DATA = bodyless(BackendCode.NoData);
const PORTAL_SUSPENDED = bodyless(BackendCode.PortalSuspended);
const EMPTY_QUERY_RESPONSE = bodyless(BackendCode.EmptyQueryResponse);
const COPY_DONE = bodyless(BackendCode.CopyDone);

const INITIAL_CAPACITY = 8 * 1024;
/** Outputs up to this size are copied out of the writer's buffer (Node pools small buffers). */
const REUSE_LIMIT = 4 * 1024;

export class MessageWriter {
  private buffer = Buffer.allocUnsafe(INITIAL_CAPACITY);
  private length = 0;
  /** Offset of the length field of the message being built. */
  private messageStart = -1;

  /** Bytes waiting to be written. */
  get size(): number {
    return this.length;
  }

  /**
   * Returns the buffered bytes and empties the writer. The result is handed to the socket,
   * which holds it until written: small outputs are copied so the buffer can be reused,
   * large ones are handed over and the writer starts a fresh buffer.
   */
  take(): Buffer {
    this.discardOpen();
    if (this.length <= REUSE_LIMIT) {
      const out = Buffer.allocUnsafe(this.length);
      this.buffer.copy(out, 0, 0, this.length);
      this.length = 0;
      return out;
    }
    const out = this.buffer.subarray(0, this.length);
    this.buffer = Buffer.allocUnsafe(INITIAL_CAPACITY);
    this.length = 0;
    return out;
  }

  // ---- startup and authentication ----

  /** A single unframed byte: the answer to SSLRequest / GSSENCRequest ('S' or 'N'). */
  rawByte(value: 'S' | 'N'): this {
    this.discardOpen();
    this.ensure(1);
    this.buffer[this.length++] = value.charCodeAt(0);
    return this;
  }

  authenticationOk(): this {
    return this.begin(BackendCode.Authentication).int32(AuthCode.Ok).end();
  }

  authenticationCleartextPassword(): this {
    return this.begin(BackendCode.Authentication).int32(AuthCode.CleartextPassword).end();
  }

  authenticationMD5Password(salt: Uint8Array): this {
    return this.begin(BackendCode.Authentication).int32(AuthCode.MD5Password).bytes(salt).end();
  }

  authenticationSASL(mechanisms: readonly string[]): this {
    this.begin(BackendCode.Authentication).int32(AuthCode.SASL);
    for (const mechanism of mechanisms) this.cstring(mechanism);
    return this.int8(0).end();
  }

  authenticationSASLContinue(data: string): this {
    return this.begin(BackendCode.Authentication).int32(AuthCode.SASLContinue).string(data).end();
  }

  authenticationSASLFinal(data: string): this {
    return this.begin(BackendCode.Authentication).int32(AuthCode.SASLFinal).string(data).end();
  }

  negotiateProtocolVersion(newestMinor: number, unrecognizedOptions: readonly string[]): this {
    this.begin(BackendCode.NegotiateProtocolVersion).int32(newestMinor).int32(unrecognizedOptions.length);
    for (const option of unrecognizedOptions) this.cstring(option);
    return this.end();
  }

  parameterStatus(name: string, value: string): this {
    return this.begin(BackendCode.ParameterStatus).cstring(name).cstring(value).end();
  }

  backendKeyData(processId: number, secretKey: number): this {
    return this.begin(BackendCode.BackendKeyData).int32(processId).int32(secretKey).end();
  }

  readyForQuery(status: TransactionStatus): this {
    return this.begin(BackendCode.ReadyForQuery).int8(status.charCodeAt(0)).end();
  }

  // ---- query results ----

  rowDescription(fields: readonly FieldDescription[]): this {
    this.begin(BackendCode.RowDescription).int16(fields.length);
    for (const f of fields) {
      this.cstring(f.name)
        .int32(f.tableOid)
        .int16(f.columnAttr)
        .int32(f.typeOid)
        .int16(f.typeSize)
        .int32(f.typeMod)
        .int16(f.format);
    }
    return this.end();
  }

  dataRow(values: readonly WireValue[]): this {
    this.begin(BackendCode.DataRow).int16(values.length);
    for (const value of values) {
      if (value === null) {
        this.int32(-1);
      } else if (typeof value === 'string') {
        // Reserve the length, write the text, then patch the length with the real byte count.
        const at = this.length;
        this.int32(0).string(value);
        this.buffer.writeInt32BE(this.length - at - 4, at);
      } else if (value instanceof Uint8Array) {
        this.int32(value.length).bytes(value);
      } else {
        throw new TypeError(`DataRow value must be a string, Uint8Array or null, not ${typeof value}`);
      }
    }
    return this.end();
  }

  commandComplete(tag: string): this {
    return this.begin(BackendCode.CommandComplete).cstring(tag).end();
  }

  emptyQueryResponse(): this {
    return this.append(EMPTY_QUERY_RESPONSE);
  }

  errorResponse(error: SqlError): this {
    this.begin(BackendCode.ErrorResponse);
    for (const [code, value] of errorFields(error)) this.int8(code.charCodeAt(0)).cstring(value);
    return this.int8(0).end();
  }

  noticeResponse(notice: Notice): this {
    this.begin(BackendCode.NoticeResponse);
    for (const [code, value] of noticeFields(notice)) this.int8(code.charCodeAt(0)).cstring(value);
    return this.int8(0).end();
  }

  // ---- extended protocol ----

  parseComplete(): this {
    return this.append(PARSE_COMPLETE);
  }

  bindComplete(): this {
    return this.append(BIND_COMPLETE);
  }

  closeComplete(): this {
    return this.append(CLOSE_COMPLETE);
  }

  noData(): this {
    return this.append(NO_DATA);
  }

  portalSuspended(): this {
    return this.append(PORTAL_SUSPENDED);
  }

  parameterDescription(typeOids: readonly number[]): this {
    this.begin(BackendCode.ParameterDescription).int16(typeOids.length);
    for (const oid of typeOids) this.uint32(oid);
    return this.end();
  }

  // ---- COPY ----

  copyInResponse(format: CopyFormat): this {
    return this.copyResponse(BackendCode.CopyInResponse, format);
  }

  copyOutResponse(format: CopyFormat): this {
    return this.copyResponse(BackendCode.CopyOutResponse, format);
  }

  copyData(data: Uint8Array): this {
    return this.begin(BackendCode.CopyData).bytes(data).end();
  }

  copyDone(): this {
    return this.append(COPY_DONE);
  }

  private copyResponse(type: number, format: CopyFormat): this {
    // Per-column formats must all be 0 in text mode; in binary mode all 1.
    this.begin(type).int8(format.format).int16(format.columnCount);
    for (let i = 0; i < format.columnCount; i++) this.int16(format.format);
    return this.end();
  }

  // ---- primitives ----

  private begin(type: number): this {
    this.discardOpen();
    this.ensure(5);
    this.buffer[this.length] = type;
    this.messageStart = this.length + 1;
    this.length += 5;
    return this;
  }

  private end(): this {
    this.buffer.writeInt32BE(this.length - this.messageStart, this.messageStart);
    this.messageStart = -1;
    return this;
  }

  private append(message: Buffer): this {
    this.discardOpen();
    return this.bytes(message);
  }

  /** Drops a message whose building threw half-way, so no torn message reaches the client. */
  private discardOpen(): void {
    if (this.messageStart === -1) return;
    this.length = this.messageStart - 1;
    this.messageStart = -1;
  }

  private int8(value: number): this {
    this.ensure(1);
    this.buffer[this.length++] = value;
    return this;
  }

  private int16(value: number): this {
    this.ensure(2);
    this.length = this.buffer.writeInt16BE(value, this.length);
    return this;
  }

  private int32(value: number): this {
    this.ensure(4);
    this.length = this.buffer.writeInt32BE(value | 0, this.length);
    return this;
  }

  private uint32(value: number): this {
    this.ensure(4);
    this.length = this.buffer.writeUInt32BE(value >>> 0, this.length);
    return this;
  }

  private bytes(value: Uint8Array): this {
    this.ensure(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
    return this;
  }

  /** UTF-8 text without a terminator. */
  private string(value: string): this {
    this.ensure(value.length * 3);
    this.length += this.buffer.write(value, this.length, 'utf8');
    return this;
  }

  /** UTF-8 text with a NUL terminator. PostgreSQL strings cannot contain NUL; cut there. */
  private cstring(value: string): this {
    const nul = value.indexOf('\0');
    return this.string(nul === -1 ? value : value.slice(0, nul)).int8(0);
  }

  private ensure(bytes: number): void {
    const needed = this.length + bytes;
    if (needed <= this.buffer.length) return;
    const next = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }
}
