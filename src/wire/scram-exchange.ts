/**
 * The server side of one SCRAM-SHA-256 exchange (RFC 5802 §3, §5):
 *
 *   client-first  "n,,n=user,r=cnonce"        → server-first "r=cnonce+snonce,s=salt,i=4096"
 *   client-final  "c=biws,r=cnonce+snonce,p=…" → server-final "v=ServerSignature"
 *
 * Channel binding is never offered (only "SCRAM-SHA-256" is advertised), so the gs2 flag
 * must be 'n' (client does not support it) or 'y' (client does, server did not offer it).
 * Malformed messages raise FATAL 08P01 "malformed SCRAM message", as PostgreSQL does.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import { hmacSha256, sha256 } from './scram-verifier.ts';
import type { ScramVerifier } from './session.ts';
import { protocolViolation } from './wire-errors.ts';

/** PostgreSQL's SCRAM_RAW_NONCE_LEN. */
const NONCE_BYTES = 18;

function malformed(detail: string): SqlError {
  return new SqlError(SqlState.ProtocolViolation, 'malformed SCRAM message', { severity: 'FATAL', detail });
}

/** Splits "a=1,b=2" into attributes, insisting on the expected names in order. */
function attribute(part: string | undefined, name: string): string {
  if (part === undefined || part.length < 2 || part[0] !== name || part[1] !== '=') {
    throw malformed(`Expected attribute "${name}" but found "${part ?? ''}".`);
  }
  return part.slice(2);
}

export class ScramExchange {
  private state: 'initial' | 'sent-first' | 'done' = 'initial';
  private gs2Header = '';
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';

  constructor(
    private readonly verifier: ScramVerifier,
    private readonly serverNonce: string = randomBytes(NONCE_BYTES).toString('base64'),
  ) {}

  /** Handles client-first-message; returns server-first-message. */
  clientFirst(message: string): string {
    if (this.state !== 'initial') throw protocolViolation('unexpected SCRAM message');
    const parts = message.split(',');
    const flag = parts[0] ?? '';
    if (flag.startsWith('p=')) {
      throw malformed(
        'The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data.',
      );
    }
    if (flag !== 'n' && flag !== 'y') throw malformed(`Unexpected channel-binding flag "${flag}".`);
    if (parts[1] === undefined) throw malformed('Comma expected, but found end of string.');
    if (parts[1] !== '') {
      throw new SqlError(
        SqlState.FeatureNotSupported,
        'client uses authorization identity, but it is not supported',
        { severity: 'FATAL' },
      );
    }
    this.gs2Header = `${flag},,`;
    this.clientFirstBare = parts.slice(2).join(',');
    const bare = parts.slice(2);
    if (bare[0]?.startsWith('m=')) {
      throw new SqlError(SqlState.FeatureNotSupported, 'client requires an unsupported SCRAM extension', {
        severity: 'FATAL',
      });
    }
    // The user name in "n=" is ignored: PostgreSQL uses the one from the startup packet.
    attribute(bare[0], 'n');
    const clientNonce = attribute(bare[1], 'r');
    if (clientNonce === '' || !/^[\x21-\x2b\x2d-\x7e]+$/.test(clientNonce)) {
      throw malformed('Client nonce is empty or contains invalid characters.');
    }
    this.nonce = clientNonce + this.serverNonce;
    const salt = Buffer.from(this.verifier.salt).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${salt},i=${this.verifier.iterations}`;
    this.state = 'sent-first';
    return this.serverFirst;
  }

  /**
   * Handles client-final-message. Returns server-final-message when the proof is right,
   * null when the password is wrong.
   */
  clientFinal(message: string): string | null {
    if (this.state !== 'sent-first') throw protocolViolation('unexpected SCRAM message');
    this.state = 'done';
    const proofAt = message.lastIndexOf(',p=');
    if (proofAt < 0) throw malformed('Could not find proof in client-final-message.');
    const withoutProof = message.slice(0, proofAt);
    const parts = withoutProof.split(',');
    const binding = attribute(parts[0], 'c');
    if (Buffer.from(binding, 'base64').toString('latin1') !== this.gs2Header) {
      throw new SqlError(SqlState.ProtocolViolation, 'SCRAM channel binding check failed', {
        severity: 'FATAL',
      });
    }
    if (attribute(parts[1], 'r') !== this.nonce) throw malformed('Nonce does not match.');
    const proof = Buffer.from(message.slice(proofAt + 3), 'base64');
    if (proof.length !== 32) throw malformed('Malformed proof in client-final-message.');

    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmacSha256(this.verifier.storedKey, authMessage);
    const clientKey = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    const storedKey = Buffer.from(this.verifier.storedKey);
    const computed = sha256(clientKey);
    if (storedKey.length !== computed.length || !timingSafeEqual(storedKey, computed)) return null;
    const serverSignature = hmacSha256(this.verifier.serverKey, authMessage);
    return `v=${serverSignature.toString('base64')}`;
  }
}
