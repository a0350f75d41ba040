/**
 * The keys every ObjectStore accepts, and the order `list` returns them in.
 *
 * One rule for all stores, so data written standalone (a directory) can be copied to S3
 * and back: keys are `/`-separated segments that also make safe relative file paths.
 */

/** Temporary files of the local store end with this; no key segment may. */
export const TEMP_SUFFIX = '.quiver-tmp';

// S3 caps keys at 1024 bytes of UTF-8; common filesystems cap a name at 255 bytes.
const MAX_KEY_BYTES = 1024;
const MAX_SEGMENT_BYTES = 255;

export class InvalidObjectKeyError extends Error {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`invalid object key ${JSON.stringify(key)}: ${reason}`);
    this.name = 'InvalidObjectKeyError';
  }
}

/** Why `key` is not a valid object key, or null when it is. */
export function objectKeyProblem(key: string): string | null {
  if (key === '') return 'it is empty';
  if (key.includes('\0')) return 'it contains NUL';
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return `it is longer than ${MAX_KEY_BYTES} bytes`;
  for (const segment of key.split('/')) {
    const problem = segmentProblem(segment);
    if (problem) return problem;
  }
  return null;
}

function segmentProblem(segment: string): string | null {
  // An empty segment means a leading `/` (an absolute path) or `//`.
  if (segment === '') return 'it starts or ends with "/" or contains "//"';
  if (segment === '.' || segment === '..') return `it contains a "${segment}" segment`;
  if (segment.endsWith(TEMP_SUFFIX)) return `a segment ends with the reserved "${TEMP_SUFFIX}"`;
  if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES)
    return `a segment is longer than ${MAX_SEGMENT_BYTES} bytes`;
  return null;
}

export function assertObjectKey(key: string): void {
  const problem = objectKeyProblem(key);
  if (problem) throw new InvalidObjectKeyError(key, problem);
}

/**
 * Key order as S3 lists it: by the UTF-8 bytes. (JavaScript's `<` compares UTF-16 code
 * units, which puts characters beyond U+FFFF before U+E000–U+FFFF.)
 */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
