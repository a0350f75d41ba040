/**
 * The startup phase before authentication (protocol section "Start-up"): SSLRequest and
 * GSSENCRequest negotiation, CancelRequest, and the StartupMessage with its parameters.
 */
import type { SecureContext } from 'node:tls';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { BodyReader } from './frontend-messages.ts';
import { PROTOCOL_MAJOR, PROTOCOL_MINOR, StartupCode } from './protocol.ts';
import type { SocketChannel } from './socket-channel.ts';
import { ConnectionClosed, protocolViolation } from './wire-errors.ts';

export type StartupPacket =
  | { readonly kind: 'SSLRequest' }
  | { readonly kind: 'GSSENCRequest' }
  | { readonly kind: 'CancelRequest'; readonly processId: number; readonly secretKey: number }
  | {
      readonly kind: 'StartupMessage';
      readonly major: number;
      readonly minor: number;
      readonly parameters: ReadonlyMap<string, string>;
    };

/** What the startup phase ends with. */
export type StartupOutcome =
  | { readonly kind: 'cancel'; readonly processId: number; readonly secretKey: number }
  | {
      readonly kind: 'startup';
      readonly user: string;
      readonly database: string;
      readonly parameters: Readonly<Record<string, string>>;
      /** Minor protocol version requested; above 0 it is negotiated down to 3.0. */
      readonly minor: number;
      /** "_pq_.*" protocol options the client asked for (none are supported). */
      readonly unrecognizedOptions: readonly string[];
    };

/** Decodes the body of a startup-phase packet (after its length word). */
export function decodeStartupPacket(body: Buffer): StartupPacket {
  const r = new BodyReader(body);
  const code = r.int32();
  if (code === StartupCode.SSLRequest || code === StartupCode.GSSENCRequest) {
    r.end();
    return { kind: code === StartupCode.SSLRequest ? 'SSLRequest' : 'GSSENCRequest' };
  }
  if (code === StartupCode.CancelRequest) {
    const processId = r.int32();
    const secretKey = r.int32();
    r.end();
    return { kind: 'CancelRequest', processId, secretKey };
  }
  const major = code >>> 16;
  const minor = code & 0xffff;
  const parameters = new Map<string, string>();
  if (major === PROTOCOL_MAJOR) {
    // Name/value pairs, each NUL-terminated, ended by an empty name.
    for (;;) {
      const name = r.cstringBytes().toString('utf8');
      if (name === '') break;
      parameters.set(name, r.cstringBytes().toString('utf8'));
    }
    if (r.rest().length !== 0)
      throw protocolViolation('invalid startup packet layout: expected terminator as last byte');
  }
  return { kind: 'StartupMessage', major, minor, parameters };
}

/**
 * Reads startup packets until a StartupMessage or CancelRequest arrives, answering SSL and
 * GSSAPI encryption requests on the way. Each request may be made once, as in PostgreSQL.
 */
export async function negotiateStartup(
  channel: SocketChannel,
  tls: SecureContext | undefined,
  deadline: number,
): Promise<StartupOutcome | null> {
  let sslDone = false;
  let gssDone = false;
  for (;;) {
    const body = await channel.readStartupPacket({ deadline });
    if (body === 'eof' || body === 'timeout') return null;
    const packet = decodeStartupPacket(body);
    switch (packet.kind) {
      case 'SSLRequest':
      case 'GSSENCRequest': {
        const done = packet.kind === 'SSLRequest' ? sslDone : gssDone;
        if (done) throw unsupportedProtocol(1234, packet.kind === 'SSLRequest' ? 5679 : 5680);
        // Bytes already sent after the request would be read as cleartext by mistake.
        if (channel.hasBufferedInput) {
          const what = packet.kind === 'SSLRequest' ? 'SSL request' : 'GSSAPI encryption request';
          throw protocolViolation(`received unencrypted data after ${what}`);
        }
        if (packet.kind === 'SSLRequest') {
          sslDone = true;
          if (tls && !channel.tls) channel.upgradeToTls(tls);
          else channel.writer.rawByte('N');
        } else {
          gssDone = true;
          channel.writer.rawByte('N');
        }
        channel.send();
        if (channel.closed) throw new ConnectionClosed();
        break;
      }
      case 'CancelRequest':
        return { kind: 'cancel', processId: packet.processId, secretKey: packet.secretKey };
      case 'StartupMessage':
        return startupOutcome(packet.major, packet.minor, packet.parameters);
    }
  }
}

function unsupportedProtocol(major: number, minor: number): SqlError {
  return new SqlError(
    SqlState.FeatureNotSupported,
    `unsupported frontend protocol ${major}.${minor}: server supports ` +
      `${PROTOCOL_MAJOR}.0 to ${PROTOCOL_MAJOR}.${PROTOCOL_MINOR}`,
    { severity: 'FATAL' },
  );
}

function startupOutcome(major: number, minor: number, raw: ReadonlyMap<string, string>): StartupOutcome {
  if (major !== PROTOCOL_MAJOR) throw unsupportedProtocol(major, minor);
  const parameters: Record<string, string> = {};
  const unrecognizedOptions: string[] = [];
  // "_pq_." names are protocol options (none supported); NegotiateProtocolVersion lists them.
  for (const [name, value] of raw) {
    if (name.startsWith('_pq_.')) unrecognizedOptions.push(name);
    else parameters[name] = value;
  }
  const user = parameters['user'];
  if (user === undefined || user === '') {
    throw new SqlError(
      SqlState.InvalidAuthorizationSpecification,
      'no PostgreSQL user name specified in startup packet',
      { severity: 'FATAL' },
    );
  }
  const database = parameters['database'] || user;
  return { kind: 'startup', user, database, parameters, minor, unrecognizedOptions };
}
