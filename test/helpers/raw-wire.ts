/**
 * A minimal raw PostgreSQL v3 client over net.Socket, for tests that must send bytes a
 * real client never would (malformed lengths, unknown message types, cancel requests).
 * Framing per the protocol docs: a startup packet is Int32 length + Int32 code + body;
 * every later message is Byte1 type + Int32 length (counting itself) + body.
 */
import { connect as netConnect, type Socket } from 'node:net';

export const PROTOCOL_3_0 = 196608; // 3 << 16
export const CANCEL_REQUEST_CODE = 80877102;

export interface BackendMessage {
  readonly type: string;
  readonly body: Buffer;
}

/** StartupMessage with the given parameters (user, database, …). */
export function startupMessage(params: Readonly<Record<string, string>>, version = PROTOCOL_3_0): Buffer {
  const pairs = Object.entries(params).flatMap(([k, v]) => [Buffer.from(`${k}\0`), Buffer.from(`${v}\0`)]);
  const body = Buffer.concat([...pairs, Buffer.from([0])]);
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + body.length, 0);
  head.writeInt32BE(version, 4);
  return Buffer.concat([head, body]);
}

/** CancelRequest for a backend's process id and secret key (from BackendKeyData). */
export function cancelRequest(processId: number, secretKey: number): Buffer {
  const buf = Buffer.alloc(16);
  buf.writeInt32BE(16, 0);
  buf.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  buf.writeInt32BE(processId, 8);
  buf.writeInt32BE(secretKey, 12);
  return buf;
}

/** A typed frontend message; `length` overrides the length field (to send a wrong one). */
export function frontendMessage(type: string, body: Buffer = Buffer.alloc(0), length?: number): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(length ?? 4 + body.length, 1);
  return Buffer.concat([head, body]);
}

/** Simple-protocol Query message. */
export function queryMessage(sql: string): Buffer {
  return frontendMessage('Q', Buffer.from(`${sql}\0`));
}

/** ErrorResponse/NoticeResponse fields by their one-letter code (S, V, C, M, …). */
export function errorFields(body: Buffer): Record<string, string> {
  const fields: Record<string, string> = {};
  let i = 0;
  while (i < body.length && body[i] !== 0) {
    const code = String.fromCharCode(body[i]);
    const end = body.indexOf(0, i + 1);
    fields[code] = body.toString('utf8', i + 1, end);
    i = end + 1;
  }
  return fields;
}

/** A socket plus a message reader. Reading never hangs past its timeout. */
export class RawConnection implements AsyncDisposable {
  private buffer = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | undefined;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake?.();
    });
    const end = () => {
      this.ended = true;
      this.wake?.();
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', end);
  }

  static open(host: string, port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host, port }, () => {
        socket.off('error', reject);
        resolve(new RawConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next complete message, or 'closed' when the server closed the connection first. */
  async next(timeoutMs = 10_000): Promise<BackendMessage | 'closed'> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.buffer.length >= 5) {
        const length = this.buffer.readUInt32BE(1);
        if (this.buffer.length >= 1 + length) {
          const message = {
            type: String.fromCharCode(this.buffer[0]),
            body: this.buffer.subarray(5, 1 + length),
          };
          this.buffer = this.buffer.subarray(1 + length);
          return message;
        }
      }
      if (this.ended) return 'closed';
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no message from the server within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** Reads messages up to and including the first of `type`; throws if the connection closes. */
  async until(type: string, timeoutMs = 10_000): Promise<BackendMessage[]> {
    const seen: BackendMessage[] = [];
    for (;;) {
      const message = await this.next(timeoutMs);
      if (message === 'closed') {
        throw new Error(`connection closed before ${type}; got ${seen.map((m) => m.type).join(' ')}`);
      }
      seen.push(message);
      if (message.type === type) return seen;
    }
  }

  /** Every message until the server closes the connection. */
  async drain(timeoutMs = 10_000): Promise<BackendMessage[]> {
    const seen: BackendMessage[] = [];
    for (;;) {
      const message = await this.next(timeoutMs);
      if (message === 'closed') return seen;
      seen.push(message);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.socket.destroy();
  }
}
