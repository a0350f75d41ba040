import { describe, expect, it } from 'vitest';
import { crc32, tableCrc32 } from './crc32.ts';

describe('crc32', () => {
  it('matches the standard check value and the portable fallback', () => {
    const check = new TextEncoder().encode('123456789');
    expect(crc32(check)).toBe(0xcbf43926);
    expect(tableCrc32(check)).toBe(0xcbf43926);
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31) & 0xff);
    expect(tableCrc32(bytes)).toBe(crc32(bytes));
    expect(crc32(new Uint8Array())).toBe(0);
  });
});
