import { describe, expect, test } from 'vitest';
import { TransactionManager } from './transactions.ts';

describe('TransactionManager', () => {
  test('own writes are visible, others only once committed', () => {
    const t = new TransactionManager();
    const a = t.begin();
    const b = t.begin();
    expect(t.sees(a, a)).toBe(true);
    expect(t.sees(b, a)).toBe(false);
    t.commit(a);
    expect(t.sees(b, a)).toBe(true);
    expect(t.statusOf(a)).toBe('committed');
  });

  test('aborted writes are never visible', () => {
    const t = new TransactionManager();
    const a = t.begin();
    t.abort(a);
    const b = t.begin();
    expect(t.sees(b, a)).toBe(false);
    expect(t.sees(a, a)).toBe(false);
    expect(t.statusOf(a)).toBe('aborted');
  });

  test('subtransactions: visible inside their transaction, gone when rolled back, committed with the top', () => {
    const t = new TransactionManager();
    const top = t.begin();
    const sp1 = t.beginSub(top);
    const sp2 = t.beginSub(top);
    expect(t.sees(sp2, sp1)).toBe(true);
    expect(t.sees(sp2, top)).toBe(true);
    expect(t.sameTransaction(sp1, top)).toBe(true);
    t.abort(sp2);
    const other = t.begin();
    expect(t.sees(other, sp1)).toBe(false);
    t.commit(top);
    expect(t.sees(other, sp1)).toBe(true);
    expect(t.sees(other, sp2)).toBe(false);
  });

  test('aborting the top aborts its subtransactions', () => {
    const t = new TransactionManager();
    const top = t.begin();
    const sub = t.beginSub(top);
    t.abort(top);
    expect(t.statusOf(sub)).toBe('aborted');
  });

  test('ids never handed out count as aborted', () => {
    const t = new TransactionManager();
    expect(t.statusOf(0)).toBe('aborted');
    expect(t.statusOf(42)).toBe('aborted');
  });
});
