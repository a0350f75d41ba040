import { describe, expect, it } from 'vitest';
import { batchKey, decodeBatch, encodeBatch, parseBatchKey } from './wal-batch.ts';

const ref = { table: '16384', shard: 2 };
const batch = { seq: 41, epoch: 3, firstLsn: 1000 };

describe('WAL batch objects', () => {
  it('names batches so listing order is log order, and parses the names back', () => {
    const key = batchKey(ref, batch);
    expect(key).toBe('wal/16384/00002/0000000000000041-0000000003-0000000000001000');
    expect(parseBatchKey(ref, key)).toEqual(batch);
    expect(parseBatchKey(ref, 'wal/16384/00002/junk')).toBeNull();
    expect(parseBatchKey({ table: '16384', shard: 3 }, key)).toBeNull();
    expect(
      batchKey(ref, { seq: 9, epoch: 99, firstLsn: 0 }) < batchKey(ref, { seq: 10, epoch: 1, firstLsn: 5 }),
    ).toBe(true);
  });

  it('round-trips records, including empty ones', () => {
    const payloads = [new Uint8Array([1, 2, 3]), new Uint8Array(0), Buffer.from('hello')];
    const decoded = decodeBatch(encodeBatch(batch, payloads), batch, 'k', 'file:///x');
    expect(decoded.payloads.map((p) => [...p])).toEqual(payloads.map((p) => [...p]));
  });

  it('rejects every single flipped byte, a truncation and a misplaced object with XX001', () => {
    const bytes = encodeBatch(batch, [Buffer.from('abc'), Buffer.from('defg')]);
    for (let i = 0; i < bytes.length; i++) {
      const damaged = Buffer.from(bytes);
      damaged[i] ^= 0x40;
      expect(() => decodeBatch(damaged, batch, 'k', 'file:///x')).toThrow(
        /WAL batch "k" in file:\/\/\/x is corrupt/,
      );
    }
    expect(() => decodeBatch(bytes.subarray(0, bytes.length - 1), batch, 'k', 'l')).toThrow(
      /checksum mismatch/,
    );
    expect(() => decodeBatch(bytes.subarray(0, 10), batch, 'k', 'l')).toThrow(/shorter than the header/);
    expect(() => decodeBatch(bytes, { ...batch, epoch: 4 }, 'k', 'l')).toThrow(/which is not its name/);
    try {
      decodeBatch(bytes.subarray(0, 10), batch, 'k', 'l');
    } catch (error) {
      expect(error).toMatchObject({ code: 'XX001' });
    }
  });
});
