/**
 * The TCP listener: accepts sockets, runs one Connection per socket, keeps the server-wide
 * cancel keys, and shuts everything down on `close()`.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { SqlError } from '../errors/sql-error.ts';
import { CancelRegistry } from './cancel-registry.ts';
import { Connection } from './connection.ts';
import { DEFAULT_MAX_MESSAGE_BYTES } from './protocol.ts';
import type { Backend } from './session.ts';
import { SocketChannel, type WireLogger } from './socket-channel.ts';

export interface WireServerOptions {
  readonly backend: Backend;
  /** Interface to bind; default 127.0.0.1. */
  readonly host?: string;
  /** Port to bind; 0 picks a free one. Default 5433. */
  readonly port?: number;
  /** Certificate and key (PEM) to accept SSLRequest; without them SSL is refused ('N'). */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Largest accepted frontend message in bytes; default 256 MiB. */
  readonly maxMessageBytes?: number;
  /** Time allowed from connect to authenticated; default 60 s (authentication_timeout). */
  readonly authTimeoutMs?: number;
  /** Default: console.error for errors, no debug output. */
  readonly logger?: WireLogger;
}

const defaultLogger: WireLogger = {
  error: (message, error) => console.error(message, error ?? ''),
};

export class WireServer implements AsyncDisposable {
  private readonly server: Server;
  private readonly connections = new Map<Connection, Promise<void>>();
  private readonly cancelKeys = new CancelRegistry();
  private readonly logger: WireLogger;
  private readonly secureContext: SecureContext | undefined;
  private readonly maxMessageBytes: number;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: WireServerOptions) {
    this.logger = options.logger ?? defaultLogger;
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    if (!Number.isInteger(this.maxMessageBytes) || this.maxMessageBytes < 5) {
      throw new RangeError(`maxMessageBytes must be an integer ≥ 5, got ${options.maxMessageBytes}`);
    }
    // Fails here, at start, if the certificate or key is unusable.
    this.secureContext = options.tls
      ? createSecureContext({ cert: options.tls.cert, key: options.tls.key })
      : undefined;
    this.server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server.on('error', (error) => this.logger.error('wire: listener error', error));
  }

  /** Number of open client connections (including ones still authenticating). */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Starts listening; resolves with the bound port. */
  listen(): Promise<number> {
    const host = this.options.host ?? '127.0.0.1';
    const port = this.options.port ?? 5433;
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  /**
   * Stops accepting, ends every connection and waits until their sessions are closed. Idle
   * clients are told why: `reason` (a FATAL error), by default 57P01 "administrator command".
   */
  close(reason?: SqlError): Promise<void> {
    this.closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => {
        if (!this.server.listening) return resolve();
        this.server.close(() => resolve());
      });
      for (const connection of this.connections.keys()) connection.terminate(reason);
      await Promise.all([stopped, ...this.connections.values()]);
    })();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Serves a socket accepted elsewhere: a cluster node owns its SQL listener and hands the
   * connections it does not pass on to the write leader to this server (never listening).
   * `clientAddress`: the address of the client a standby passed the connection on for,
   * which authentication and the session see instead of the standby's. `secured`: the
   * socket is a TLS connection the caller already negotiated (the client's SSLRequest was
   * answered there), so the conversation continues inside it. `vouchedUser`: the standby
   * authenticated the client as this user already (its write-forwarding link); the session
   * starts without asking for a password.
   */
  adopt(socket: Socket, clientAddress?: string, secured = false, vouchedUser?: string): void {
    this.accept(socket, clientAddress, secured, vouchedUser);
  }

  /** Whether one of this server's sessions has the process id (a CancelRequest for it belongs here). */
  hasSession(processId: number): boolean {
    return this.cancelKeys.has(processId);
  }

  private accept(socket: Socket, clientAddress?: string, secured = false, vouchedUser?: string): void {
    // Errors before the channel takes the socket must not become uncaught exceptions.
    socket.on('error', () => {});
    if (this.closing) {
      socket.destroy();
      return;
    }
    try {
      const channel = new SocketChannel(
        socket,
        this.maxMessageBytes,
        this.logger,
        clientAddress,
        secured,
        vouchedUser,
      );
      const connection = new Connection(channel, {
        backend: this.options.backend,
        cancelKeys: this.cancelKeys,
        logger: this.logger,
        tls: this.secureContext,
        authTimeoutMs: this.options.authTimeoutMs ?? 60_000,
      });
      const done = connection
        .run()
        .catch((error: unknown) => this.logger.error('wire: connection crashed', error))
        .finally(() => this.connections.delete(connection));
      this.connections.set(connection, done);
    } catch (error) {
      this.logger.error('wire: could not set up connection', error);
      socket.destroy();
    }
  }
}
