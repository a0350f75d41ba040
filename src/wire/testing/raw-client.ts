/**
 * A raw TCP client for protocol tests: sends exact bytes, splits the server's replies into
 * frames and decodes the few fields tests look at. Use with `await using`.
 */
import { connect, type Socket } from 'node:net';

export interface BackendFrame {
  /** The type byte as a character ('Z', 'E', 'T', …). */
  readonly type: string;
  readonly body: Buffer;
}

export class RawClient implements AsyncDisposable {
  private buffer = Buffer.alloc(0);
  private waiter: (() => void) | null = null;
  private ended = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.waiter?.();
    });
    socket.on('close', () => {
      this.ended = true;
      this.waiter?.();
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  send(...chunks: Buffer[]): void {
    for (const chunk of chunks) this.socket.write(chunk);
  }

  /** Reads one unframed byte (the answer to SSLRequest / GSSENCRequest). */
  async readByte(): Promise<string> {
    await this.waitFor(() => this.buffer.length >= 1);
    const byte = String.fromCharCode(this.buffer[0]!);
    this.buffer = this.buffer.subarray(1);
    return byte;
  }

  /** The next frame, or null when the server closed the connection. */
  async next(): Promise<BackendFrame | null> {
    await this.waitFor(() => this.buffer.length >= 5 && this.buffer.length >= 1 + this.buffer.readInt32BE(1));
    if (this.buffer.length < 5) return null;
    const length = this.buffer.readInt32BE(1);
    if (this.buffer.length < 1 + length) return null;
    const frame = { type: String.fromCharCode(this.buffer[0]!), body: this.buffer.subarray(5, 1 + length) };
    this.buffer = this.buffer.subarray(1 + length);
    return frame;
  }

  /** Frames up to and including the first of type `type` (throws if the server closes first). */
  async until(type: string): Promise<BackendFrame[]> {
    const frames: BackendFrame[] = [];
    for (;;) {
      const frame = await this.next();
      if (!frame)
        throw new Error(`connection closed before '${type}'; got ${frames.map((f) => f.type).join('')}`);
      frames.push(frame);
      if (frame.type === type) return frames;
    }
  }

  /** Resolves once the server has closed the connection. */
  closed(): Promise<void> {
    return this.waitFor(() => false);
  }

  get isClosed(): boolean {
    return this.ended;
  }

  private async waitFor(ready: () => boolean): Promise<void> {
    while (!ready() && !this.ended) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5_000);
        this.waiter = () => {
          clearTimeout(timer);
          this.waiter = null;
          resolve();
        };
      });
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.socket.destroy();
  }
}

/** Error/notice fields by code letter ('C' → SQLSTATE, 'M' → message, …). */
export function errorFields(frame: BackendFrame): Record<string, string> {
  const fields: Record<string, string> = {};
  let at = 0;
  while (at < frame.body.length && frame.body[at] !== 0) {
    const code = String.fromCharCode(frame.body[at]!);
    const end = frame.body.indexOf(0, at + 1);
    fields[code] = frame.body.toString('utf8', at + 1, end);
    at = end + 1;
  }
  return fields;
}

/** DataRow values as UTF-8 strings (null for SQL NULL). */
export function dataRow(frame: BackendFrame): (string | null)[] {
  const values: (string | null)[] = [];
  let at = 2;
  for (let i = 0; i < frame.body.readInt16BE(0); i++) {
    const length = frame.body.readInt32BE(at);
    at += 4;
    values.push(length < 0 ? null : frame.body.toString('utf8', at, at + length));
    if (length > 0) at += length;
  }
  return values;
}

/** CommandComplete tag, or any other single-string body. */
export function cstringBody(frame: BackendFrame): string {
  return frame.body.toString('utf8', 0, frame.body.indexOf(0));
}
