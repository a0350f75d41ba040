/**
 * A standby's SQL connections go to the write leader byte for byte: startup, COPY and
 * cancel requests all pass through unchanged, so the leader answers as if the client had
 * connected to it. (A standby with a read replica ends a client's TLS itself, to read the
 * startup packet that says whether the connection is for the replica; one it passes on then
 * goes to the leader in a TLS connection of its own.) Either side closing closes both (a
 * leader that dies drops its clients, as a PostgreSQL primary does; they reconnect and land
 * on the next leader).
 *
 * The leader must still know who the client is: trust authentication is for loopback
 * clients only, and a remote client reaching the leader through a standby on the leader's
 * own host would otherwise arrive from loopback. So the standby first sends a header — a
 * magic, then the cluster's secret (from etcd) and the client's address — and the leader
 * authenticates the client by that address. The magic read as a startup packet's length is
 * 1.4 GB, so no PostgreSQL connection starts with it; a header with a wrong secret is
 * dropped.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { type SecureContext, TLSSocket, connect as tlsConnect } from 'node:tls';
import { startupSetting } from '../engine/session-settings.ts';
import { StartupCode } from '../wire/protocol.ts';
import { decodeStartupPacket, type StartupPacket } from '../wire/startup.ts';

const MAGIC = Buffer.from('QPRX');
const MAX_HEADER_BYTES = 4096;
/** PostgreSQL's limit on a startup packet (MAX_STARTUP_PACKET_LENGTH). */
const MAX_STARTUP_BYTES = 10_000;

/**
 * The header a standby sends first. `vouchedUser`: the standby authenticated the client as
 * this user already (a write-forwarding link, cluster/leader-link.ts); the leader lets the
 * connection in as that user without asking again.
 */
export function forwardHeader(secret: string, clientAddress: string, vouchedUser?: string): Buffer {
  const body = Buffer.from(JSON.stringify({ secret, client: clientAddress, user: vouchedUser }));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([MAGIC, length, body]);
}

export interface Forwarded {
  /** The address of the client the standby forwarded the connection for. */
  readonly client: string;
  /** The user the standby vouches it authenticated (forwardHeader). */
  readonly vouchedUser?: string;
}

/**
 * Who a standby forwarded the connection for, or null when the connection starts without a
 * header (a client connected directly). What follows stays unread on the socket. Throws on a
 * header with the wrong secret or a malformed one.
 */
export async function readForwardHeader(socket: Socket, secret: string): Promise<Forwarded | null> {
  const start = await readExactly(socket, 4);
  if (start === null) return null;
  if (!start.equals(MAGIC)) {
    socket.unshift(start);
    return null;
  }
  const lengthBytes = await readExactly(socket, 4);
  const length = lengthBytes?.readUInt32BE() ?? 0;
  if (length === 0 || length > MAX_HEADER_BYTES) throw new Error('malformed forwarding header');
  const body = await readExactly(socket, length);
  if (body === null) throw new Error('malformed forwarding header');
  const header = JSON.parse(body.toString()) as { secret?: unknown; client?: unknown; user?: unknown };
  if (header.secret !== secret || typeof header.client !== 'string')
    throw new Error('forwarding header with a wrong cluster secret');
  return { client: header.client, vouchedUser: typeof header.user === 'string' ? header.user : undefined };
}

/**
 * The connection's first startup packet, decoded; its bytes stay unread on the socket for
 * whoever serves it. Null when the socket ends first or the bytes are no startup packet
 * (the server that gets them answers that).
 */
export async function peekStartupPacket(socket: Socket): Promise<StartupPacket | null> {
  const lengthBytes = await readExactly(socket, 4);
  if (lengthBytes === null) return null;
  const length = lengthBytes.readUInt32BE();
  const body = length >= 8 && length <= MAX_STARTUP_BYTES ? await readExactly(socket, length - 4) : null;
  if (body !== null) socket.unshift(body);
  socket.unshift(lengthBytes);
  if (body === null) return null;
  try {
    return decodeStartupPacket(body);
  } catch {
    return null;
  }
}

/**
 * Whether a StartupMessage asks to read from a replica: `quiver.consistency` bounded, session
 * or eventual, or `default_transaction_read_only` on (a read-only connection; strong unless
 * it also names a weaker level). Everything else goes to the write leader.
 */
export function asksForReplica(packet: StartupPacket): boolean {
  if (packet.kind !== 'StartupMessage') return false;
  const consistency = startupSetting(packet.parameters, 'quiver.consistency');
  if (consistency === 'bounded' || consistency === 'session' || consistency === 'eventual') return true;
  return startsReadOnly(packet.parameters);
}

/** Whether a StartupMessage's parameters set default_transaction_read_only on. */
export function startsReadOnly(parameters: ReadonlyMap<string, string>): boolean {
  const readOnly = startupSetting(parameters, 'default_transaction_read_only');
  return readOnly === 'on' || readOnly === 'true' || readOnly === '1' || readOnly === 'yes';
}

/** The next `n` bytes, or null if the socket ends first (what arrived is put back). */
function readExactly(socket: Socket, n: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    // One listener for the whole wait: 'readable' fires again on new data or the end. (A
    // listener added per attempt re-fires at once while fewer than n bytes are buffered,
    // a loop that starves the I/O it waits for.)
    const attempt = () => {
      const chunk = socket.read(n) as Buffer | null;
      if (chunk !== null && chunk.length === n) return done(chunk);
      if (chunk !== null) {
        socket.unshift(chunk); // the stream ended with fewer bytes
        return done(null);
      }
      if (socket.readableEnded || socket.destroyed) done(null);
    };
    const done = (result: Buffer | null) => {
      socket.off('readable', attempt).off('close', attempt);
      resolve(result);
    };
    socket.on('readable', attempt).on('close', attempt);
  });
}

/**
 * Answers the SSLRequest just read from `socket` with 'S' and continues inside TLS as the
 * server: resolves with the secure socket once the handshake is done (null if it failed).
 */
export async function acceptTls(socket: Socket, context: SecureContext): Promise<TLSSocket | null> {
  socket.write('S');
  // Wrapped in the same turn as the answer: the ClientHello must reach the TLS layer.
  const secure = new TLSSocket(socket, { isServer: true, secureContext: context });
  try {
    await once(secure, 'secure');
    return secure;
  } catch {
    secure.destroy();
    socket.destroy();
    return null;
  }
}

/**
 * Connects to the leader's SQL port, sends `header`, then pipes both ways. With `tls` (this
 * node ended the client's TLS to read its startup packet) the hop to the leader is
 * encrypted again: an SSLRequest, then TLS, before the client's bytes follow. The leader's
 * certificate is not verified: nodes trust each other's network already (the header's
 * secret travels before TLS).
 */
export function pipeSocket(client: Socket, address: string, header: Buffer, tls = false): void {
  const { host, port } = splitAddress(address);
  const upstream = connect({ host, port, noDelay: true });
  let leaderSide: Socket = upstream;
  const closeBoth = () => {
    client.destroy();
    leaderSide.destroy();
    upstream.destroy();
  };
  client.on('error', closeBoth).on('close', closeBoth);
  upstream.on('error', closeBoth).on('close', closeBoth);
  upstream.write(header);
  const pipeBoth = () => {
    client.pipe(leaderSide);
    leaderSide.pipe(client);
  };
  if (!tls) return pipeBoth();
  upstream.write(SSL_REQUEST);
  void readExactly(upstream, 1).then((answer) => {
    if (answer?.toString() !== 'S') return closeBoth();
    const secure = tlsConnect({ socket: upstream, rejectUnauthorized: false });
    leaderSide = secure;
    secure.on('error', closeBoth).on('close', closeBoth);
    secure.once('secureConnect', pipeBoth);
  });
}

/** An SSLRequest: length 8, then the request code. */
const SSL_REQUEST = Buffer.alloc(8);
SSL_REQUEST.writeInt32BE(8, 0);
SSL_REQUEST.writeInt32BE(StartupCode.SSLRequest, 4);

/** `host:port` or `[v6 host]:port`. */
export function splitAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(address);
  if (!match) throw new Error(`invalid address "${address}" (expected host:port)`);
  return { host: match[1] ?? match[2], port: Number(match[3]) };
}
