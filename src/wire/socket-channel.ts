/**
 * The byte pipe of one connection: socket events in, frames out; message writer in, socket
 * writes out. It knows framing and flow control, not protocol states.
 *
 * Input: chunks go to the MessageReader; the socket is paused while more than
 * INPUT_HIGH_WATER bytes wait unread and resumed whenever a read finds no whole message, so
 * a pipelining client cannot grow memory without bound and a reader never waits on a paused
 * socket. Output: the writer's bytes go to the socket on `send()` (no waiting) or `flush()`
 * (waits for 'drain', i.e. honours back-pressure). Output is always sent before the channel
 * blocks waiting for input, so a client never waits for bytes sitting in our buffer.
 */
import type { Socket } from 'node:net';
import { type SecureContext, TLSSocket } from 'node:tls';
import { keepPolling } from './busy-poll.ts';
import { type Frame, MessageReader } from './message-reader.ts';
import { MessageWriter } from './message-writer.ts';
import { OUTPUT_FLUSH_BYTES } from './protocol.ts';
import { protocolViolation } from './wire-errors.ts';

/** Where the wire layer reports what it could not report to a client. */
export interface WireLogger {
  error(message: string, error?: unknown): void;
  debug?(message: string, error?: unknown): void;
}

export type ReadResult = Frame | 'eof' | 'timeout';

export interface ReadOptions {
  /** Cap for this message (defaults to the channel's maxMessageBytes). */
  readonly maxBytes?: number;
  /** Absolute time (Date.now()) after which the read returns 'timeout'. */
  readonly deadline?: number;
}

const INPUT_HIGH_WATER = 1024 * 1024;
/** After we end our side, how long a client may take to close before the socket is destroyed. */
const END_GRACE_MS = 5_000;

export class SocketChannel {
  readonly writer = new MessageWriter();
  private readonly reader: MessageReader;
  private socket: Socket;
  private wake: (() => void) | null = null;
  private drainWaiters: (() => void)[] = [];
  private inputEnded = false;
  private closedFlag = false;
  private secure = false;
  private readonly closeListeners: (() => void)[] = [];

  constructor(
    private readonly raw: Socket,
    maxMessageBytes: number | undefined,
    private readonly logger: WireLogger,
    /** The client's address when a cluster standby passed the connection on (its own otherwise). */
    private readonly forwardedFrom?: string,
    /** `raw` is a TLS connection already negotiated by whoever accepted it. */
    secured = false,
    /** The user a cluster standby vouches it authenticated (a write-forwarding link). */
    readonly vouchedUser?: string,
  ) {
    this.secure = secured;
    this.reader = new MessageReader({ maxMessageBytes });
    this.socket = raw;
    raw.setNoDelay(true);
    // The raw socket owns the lifecycle, before and after a TLS upgrade.
    raw.on('close', this.onClose);
    raw.on('error', this.onError);
    this.attachInput(raw);
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  get tls(): boolean {
    return this.secure;
  }

  get remoteAddress(): string {
    return this.forwardedFrom ?? this.raw.remoteAddress ?? '';
  }

  /** True if bytes arrived that have not been returned yet (e.g. after an SSLRequest). */
  get hasBufferedInput(): boolean {
    return this.reader.buffered > 0;
  }

  onClosed(listener: () => void): void {
    if (this.closedFlag) listener();
    else this.closeListeners.push(listener);
  }

  /** Reads the next startup-phase packet (no type byte). */
  readStartupPacket(options: ReadOptions = {}): Promise<Buffer | 'eof' | 'timeout'> {
    return this.readWith(() => this.reader.readStartupPacket(), options.deadline);
  }

  /** Reads the next typed message. Framing faults throw FATAL 08P01. */
  readMessage(options: ReadOptions = {}): Promise<ReadResult> {
    return this.readWith(() => this.reader.read(options.maxBytes), options.deadline);
  }

  private async readWith<T>(
    take: () => T | null,
    deadline: number | undefined,
  ): Promise<T | 'eof' | 'timeout'> {
    for (;;) {
      const item = take();
      if (item !== null) return item;
      if (this.inputEnded) return 'eof';
      this.send();
      this.socket.resume();
      // The client's next message usually follows our answer closely: do not sleep yet.
      keepPolling();
      const timedOut = await this.waitForInput(deadline);
      if (timedOut) return 'timeout';
    }
  }

  private waitForInput(deadline: number | undefined): Promise<boolean> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      this.wake = () => {
        if (timer) clearTimeout(timer);
        this.wake = null;
        resolve(false);
      };
      if (deadline !== undefined) {
        timer = setTimeout(
          () => {
            this.wake = null;
            resolve(true);
          },
          Math.max(0, deadline - Date.now()),
        );
      }
    });
  }

  /** Hands buffered output to the socket without waiting. */
  send(): void {
    if (this.writer.size === 0) return;
    const bytes = this.writer.take();
    if (this.closedFlag || this.socket.destroyed) return;
    this.socket.write(bytes);
  }

  /** Sends once enough output has accumulated; called after each result message. */
  sendIfLarge(): void {
    if (this.writer.size >= OUTPUT_FLUSH_BYTES) this.send();
  }

  /** Sends buffered output and waits until the socket accepts more (back-pressure). */
  async flush(): Promise<void> {
    this.send();
    if (this.closedFlag) throw protocolViolation('connection to client lost');
    if (!this.socket.writableNeedDrain) return;
    await new Promise<void>((resolve) => {
      this.drainWaiters.push(resolve);
    });
    if (this.closedFlag) throw protocolViolation('connection to client lost');
  }

  /** Answers an SSLRequest with 'S' and continues the conversation inside TLS. */
  upgradeToTls(context: SecureContext): void {
    this.writer.rawByte('S');
    this.send();
    this.detachInput(this.raw);
    const secure = new TLSSocket(this.raw, { isServer: true, secureContext: context });
    secure.on('error', this.onError);
    secure.on('close', this.onClose);
    this.socket = secure as unknown as Socket;
    this.secure = true;
    this.attachInput(this.socket);
  }

  /** Sends what is buffered and closes our side; destroys the socket if the client lingers. */
  end(): void {
    if (this.closedFlag) return;
    this.send();
    this.socket.end();
    setTimeout(() => this.destroy(), END_GRACE_MS).unref();
  }

  destroy(): void {
    this.socket.destroy();
    this.raw.destroy();
  }

  private attachInput(socket: Socket): void {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('drain', this.onDrain);
  }

  private detachInput(socket: Socket): void {
    socket.off('data', this.onData);
    socket.off('end', this.onEnd);
    socket.off('drain', this.onDrain);
  }

  private readonly onData = (chunk: Buffer): void => {
    this.reader.push(chunk);
    if (this.reader.buffered > INPUT_HIGH_WATER) this.socket.pause();
    this.wake?.();
  };

  private readonly onEnd = (): void => {
    this.inputEnded = true;
    this.wake?.();
  };

  private readonly onDrain = (): void => {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  };

  private readonly onError = (error: Error): void => {
    // Resets and TLS handshake failures are the client's business; 'close' follows.
    this.logger.debug?.('wire: socket error', error);
  };

  private readonly onClose = (): void => {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.inputEnded = true;
    this.wake?.();
    this.onDrain();
    for (const listener of this.closeListeners.splice(0)) listener();
  };
}
