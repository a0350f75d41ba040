/**
 * Incremental framing of frontend messages.
 *
 * Socket chunks are appended to a retained buffer; `start`/`end` cursors mark the unread
 * bytes. A frame is returned only when all of its bytes are present, so a message split at
 * any byte, or several messages in one chunk, frame the same way. Lengths are checked the
 * moment the header is complete, before any body bytes are buffered for it.
 *
 * Returned bodies are views into the retained buffer. Bytes that have been handed out are
 * never overwritten: when the buffer is full, unread bytes move to a fresh allocation
 * instead of being compacted in place.
 */
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  isKnownFrontendType,
  isSmallMessage,
  MAX_STARTUP_PACKET_BYTES,
  SMALL_MESSAGE_BYTES,
} from './protocol.ts';
import { protocolViolation } from './wire-errors.ts';

/** One typed message: its type byte and its body (without type and length). */
export interface Frame {
  readonly type: number;
  readonly body: Buffer;
}

export interface MessageReaderOptions {
  /** Largest accepted message, counting the 4 length bytes. */
  readonly maxMessageBytes?: number;
}

const EMPTY = Buffer.alloc(0);
const MIN_CAPACITY = 16 * 1024;

export class MessageReader {
  private buffer: Buffer = EMPTY;
  private start = 0;
  private end = 0;
  private readonly maxMessageBytes: number;

  constructor(options: MessageReaderOptions = {}) {
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  /** Number of received bytes not yet returned as frames. */
  get buffered(): number {
    return this.end - this.start;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.start === this.end) {
      // Nothing pending: adopt the chunk itself, no copy.
      this.buffer = Buffer.isBuffer(chunk)
        ? chunk
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
      this.start = 0;
      this.end = chunk.length;
      return;
    }
    if (this.buffer.length - this.end < chunk.length) {
      const pending = this.end - this.start;
      // A big message (COPY data) arriving in socket-sized chunks gets its whole size once a
      // 16th of it is here: doubling all the way would copy its bytes again at every growth.
      // (Unchecked until read: a bad length only changes how this buffer grows.)
      const have = pending + chunk.length;
      const framed = pending >= 5 ? 1 + this.buffer.readInt32BE(this.start + 1) : 0;
      const capacity = Math.max(MIN_CAPACITY, framed > have && framed <= have * 16 ? framed : have * 2);
      const next = Buffer.allocUnsafe(capacity);
      this.buffer.copy(next, 0, this.start, this.end);
      this.buffer = next;
      this.start = 0;
      this.end = pending;
    }
    this.buffer.set(chunk, this.end);
    this.end += chunk.length;
  }

  /**
   * The next startup-phase packet (no type byte: Int32 length, then the body starting with
   * the protocol version or request code), or null if it is not complete yet.
   */
  readStartupPacket(): Buffer | null {
    if (this.end - this.start < 4) return null;
    const length = this.buffer.readInt32BE(this.start);
    // PostgreSQL: the packet must at least hold its version, and at most 10000 bytes.
    if (length < 8 || length > MAX_STARTUP_PACKET_BYTES)
      throw protocolViolation('invalid length of startup packet');
    if (this.end - this.start < length) return null;
    const body = this.buffer.subarray(this.start + 4, this.start + length);
    this.consume(length);
    return body;
  }

  /**
   * The next typed message, or null if it is not complete yet.
   * @param maxBytes cap for this read (e.g. smaller during authentication).
   */
  read(maxBytes = this.maxMessageBytes): Frame | null {
    const length = this.peekLength(maxBytes);
    if (length === null || this.end - this.start < length + 1) return null;
    const type = this.buffer[this.start]!;
    const body = this.buffer.subarray(this.start + 5, this.start + 1 + length);
    this.consume(length + 1);
    return { type, body };
  }

  /** Validates the header of the next message; returns its length field or null if incomplete. */
  private peekLength(maxBytes: number): number | null {
    if (this.end - this.start < 5) return null;
    const type = this.buffer[this.start]!;
    // Check the type first, as PostgreSQL does: garbage bytes read as a type, not a length.
    if (!isKnownFrontendType(type)) throw protocolViolation(`invalid frontend message type ${type}`);
    const length = this.buffer.readInt32BE(this.start + 1);
    const cap = isSmallMessage(type) ? Math.min(maxBytes, SMALL_MESSAGE_BYTES) : maxBytes;
    if (length < 4 || length > cap) throw protocolViolation('invalid message length');
    return length;
  }

  private consume(bytes: number): void {
    this.start += bytes;
    if (this.start === this.end) {
      // Drop the reference so a large chunk is not retained by an idle connection.
      this.buffer = EMPTY;
      this.start = 0;
      this.end = 0;
    }
  }
}
