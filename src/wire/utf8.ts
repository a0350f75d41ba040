/**
 * Strict UTF-8 decoding of client text. Quiver's server_encoding and client_encoding are
 * UTF8; invalid input is rejected the way PostgreSQL's pg_verify_mbstr does, with
 * SQLSTATE 22021 and the offending bytes spelled `0xc3 0x28`.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';

const strict = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8 bytes, throwing 22021 on an invalid sequence or a NUL byte. */
export function decodeUtf8(bytes: Uint8Array): string {
  let text: string;
  try {
    text = strict.decode(bytes);
  } catch {
    throw invalidUtf8(bytes);
  }
  if (text.includes('\0')) throw invalidUtf8(bytes);
  return text;
}

/** Throws 22021 unless `bytes` is valid UTF-8 without NUL bytes (text-format parameters). */
export function checkUtf8(bytes: Uint8Array): void {
  decodeUtf8(bytes);
}

/** The error PostgreSQL reports for the first invalid sequence in `bytes`. */
export function invalidUtf8(bytes: Uint8Array): SqlError {
  const at = firstInvalidOffset(bytes);
  const shown: string[] = [];
  if (at >= 0) {
    // PostgreSQL prints as many bytes as the lead byte announces, bounded by the input.
    const length = Math.min(sequenceLength(bytes[at]!), bytes.length - at);
    for (let i = 0; i < length; i++) shown.push(`0x${bytes[at + i]!.toString(16).padStart(2, '0')}`);
  }
  return new SqlError(
    SqlState.CharacterNotInRepertoire,
    `invalid byte sequence for encoding "UTF8": ${shown.join(' ')}`,
  );
}

/** Length a UTF-8 lead byte announces (PostgreSQL's pg_utf_mblen). */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if ((lead & 0xe0) === 0xc0) return 2;
  if ((lead & 0xf0) === 0xe0) return 3;
  if ((lead & 0xf8) === 0xf0) return 4;
  return 1;
}

/** Offset of the first byte that starts an invalid sequence (or a NUL), or -1. */
export function firstInvalidOffset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead === 0) return i;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const length = sequenceLength(lead);
    if (length === 1 || i + length > bytes.length) return i;
    const second = bytes[i + 1]!;
    // Ranges of the second byte per RFC 3629 (rejects overlongs and surrogates).
    let low = 0x80;
    let high = 0xbf;
    if (lead === 0xe0) low = 0xa0;
    else if (lead === 0xed) high = 0x9f;
    else if (lead === 0xf0) low = 0x90;
    else if (lead === 0xf4) high = 0x8f;
    if (lead < 0xc2 || lead > 0xf4 || second < low || second > high) return i;
    for (let k = 2; k < length; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += length;
  }
  return -1;
}
