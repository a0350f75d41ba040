import { describe, expect, it } from 'vitest';
import { decodeUtf8, firstInvalidOffset, invalidUtf8 } from './utf8.ts';

describe('utf8', () => {
  it('decodes valid text', () => {
    expect(decodeUtf8(Buffer.from('héllo 😀'))).toBe('héllo 😀');
  });

  it('formats the offending bytes like PostgreSQL', () => {
    const cases: [number[], string][] = [
      [[0x61, 0xc3, 0x28], '0xc3 0x28'],
      [[0xff], '0xff'],
      [[0x61, 0xe2, 0x82], '0xe2 0x82'],
      [[0xed, 0xa0, 0x80], '0xed 0xa0 0x80'], // surrogate
      [[0xc0, 0xaf], '0xc0 0xaf'], // overlong
      [[0xf0, 0x9f, 0x98, 0x41], '0xf0 0x9f 0x98 0x41'],
      [[0x61, 0x00], '0x00'],
    ];
    for (const [bytes, shown] of cases) {
      expect(invalidUtf8(Uint8Array.from(bytes)).message).toBe(
        `invalid byte sequence for encoding "UTF8": ${shown}`,
      );
      expect(() => decodeUtf8(Uint8Array.from(bytes))).toThrow(shown);
    }
  });

  it('agrees with TextDecoder on validity', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    let seed = 7;
    for (let n = 0; n < 5000; n++) {
      const bytes = Uint8Array.from(
        { length: 1 + (n % 6) },
        () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff,
      );
      let valid = true;
      try {
        strict.decode(bytes);
      } catch {
        valid = false;
      }
      if (bytes.includes(0)) valid = false;
      expect(firstInvalidOffset(bytes) === -1, Buffer.from(bytes).toString('hex')).toBe(valid);
    }
  });
});
