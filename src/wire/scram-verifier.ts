/**
 * SCRAM-SHA-256 verifiers (RFC 5802, RFC 7677) in PostgreSQL's stored text form
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (base64 fields), the form
 * pg_authid.rolpassword keeps and `ALTER ROLE … PASSWORD` produces.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import type { ScramVerifier } from './session.ts';

/** PostgreSQL's default salt length (SCRAM_DEFAULT_SALT_LEN) and iteration count. */
const SALT_BYTES = 16;
export const DEFAULT_SCRAM_ITERATIONS = 4096;

export function hmacSha256(key: Uint8Array, data: string | Uint8Array): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

export function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** Derives a verifier from a password; `salt` is random unless given (tests). */
export function makeScramVerifier(
  password: string,
  iterations = DEFAULT_SCRAM_ITERATIONS,
  salt: Uint8Array = randomBytes(SALT_BYTES),
): ScramVerifier {
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError('SCRAM iterations must be ≥ 1');
  const salted = pbkdf2Sync(saslPrep(password), salt, iterations, 32, 'sha256');
  const clientKey = hmacSha256(salted, 'Client Key');
  return {
    iterations,
    salt: Uint8Array.from(salt),
    storedKey: new Uint8Array(sha256(clientKey)),
    serverKey: new Uint8Array(hmacSha256(salted, 'Server Key')),
  };
}

export function formatScramVerifier(verifier: ScramVerifier): string {
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  return (
    `SCRAM-SHA-256$${verifier.iterations}:${b64(verifier.salt)}` +
    `$${b64(verifier.storedKey)}:${b64(verifier.serverKey)}`
  );
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Parses the stored text form; null if `text` is not a well-formed SCRAM-SHA-256 verifier. */
export function parseScramVerifier(text: string): ScramVerifier | null {
  const match = /^SCRAM-SHA-256\$(\d+):([^$:]+)\$([^$:]+):([^$:]+)$/.exec(text);
  if (!match) return null;
  const [, iterationsText, salt, storedKey, serverKey] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  const iterations = Number(iterationsText);
  if (!Number.isSafeInteger(iterations) || iterations < 1) return null;
  if (![salt, storedKey, serverKey].every((field) => BASE64.test(field) && field.length % 4 === 0))
    return null;
  const decoded = {
    iterations,
    salt: new Uint8Array(Buffer.from(salt, 'base64')),
    storedKey: new Uint8Array(Buffer.from(storedKey, 'base64')),
    serverKey: new Uint8Array(Buffer.from(serverKey, 'base64')),
  };
  if (decoded.storedKey.length !== 32 || decoded.serverKey.length !== 32 || decoded.salt.length === 0)
    return null;
  return decoded;
}

/** RFC 3454 table C.1.2: non-ASCII spaces, mapped to U+0020. */
const NON_ASCII_SPACE = /[\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000]/g;
/** RFC 3454 table B.1: characters mapped to nothing. */
const MAPPED_TO_NOTHING = new Set([
  0xad, 0x34f, 0x1806, 0x180b, 0x180c, 0x180d, 0x200c, 0x200d, 0x2060, 0xfeff,
]);
const VARIATION_SELECTORS = [0xfe00, 0xfe0f] as const;

function mappedToNothing(codePoint: number): boolean {
  return (
    MAPPED_TO_NOTHING.has(codePoint) ||
    (codePoint >= VARIATION_SELECTORS[0] && codePoint <= VARIATION_SELECTORS[1])
  );
}

/**
 * The mapping and normalization steps of SASLprep (RFC 4013). PostgreSQL applies SASLprep
 * when deriving keys and, like libpq, uses the raw password when preparation fails;
 * ASCII passwords are unchanged either way. The prohibition checks are not applied.
 */
export function saslPrep(password: string): string {
  if (/^[\x00-\x7f]*$/.test(password)) return password;
  let mapped = '';
  for (const char of password.replace(NON_ASCII_SPACE, ' ')) {
    if (!mappedToNothing(char.codePointAt(0)!)) mapped += char;
  }
  return mapped.normalize('NFKC');
}
