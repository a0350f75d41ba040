import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetaOp, MetaStore, TxnRequest, WatchEvent } from '../meta-store.ts';
import { monotonicMs } from '../monotonic-ms.ts';

/**
 * The MetaStore contract, written once and run against every implementation (the embedded
 * store and etcd). Revisions are asserted relative to the store's current revision, since
 * an etcd under test is shared.
 */
export interface MetaStoreFixture {
  readonly store: MetaStore;
  /** Closes `store` and opens the same data again (persistence tests run when given). */
  readonly reopen?: () => Promise<MetaStore>;
  /** Closes whichever store is open and removes its data. */
  readonly cleanup: () => Promise<void>;
}

export function describeMetaStoreConformance(name: string, open: () => Promise<MetaStoreFixture>): void {
  describe(`MetaStore conformance: ${name}`, () => {
    let fixture: MetaStoreFixture;
    let store: MetaStore;
    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it('puts, gets and deletes with etcd revision semantics', async () => {
      expect(await store.get('k')).toBeNull();
      const r0 = await store.revision();
      const r1 = await store.put('k', 'v1');
      expect(r1).toBe(r0 + 1);
      expect(await store.get('k')).toEqual({
        key: 'k',
        value: 'v1',
        createRevision: r1,
        modRevision: r1,
        version: 1,
        lease: 0,
      });
      const r2 = await store.put('k', 'v2');
      expect(r2).toBe(r1 + 1);
      expect(await store.get('k')).toMatchObject({
        value: 'v2',
        createRevision: r1,
        modRevision: r2,
        version: 2,
      });
      // Reads do not bump the revision.
      await store.range('');
      expect(await store.revision()).toBe(r2);

      const r3 = await store.delete('k');
      expect(r3).toBe(r2 + 1);
      expect(await store.get('k')).toBeNull();
      // Deleting a missing key changes nothing, so the revision stays.
      expect(await store.delete('k')).toBe(r3);
      expect(await store.revision()).toBe(r3);

      const r4 = await store.put('k', 'again');
      expect(await store.get('k')).toMatchObject({ createRevision: r4, modRevision: r4, version: 1 });
      expect(await store.put('empty', '')).toBe(r4 + 1);
      expect((await store.get('empty'))?.value).toBe('');
    });

    it('lists a prefix in byte order and respects its boundaries', async () => {
      const keys = ['a/2', 'a/10', 'a/1', 'a', 'a0', 'a.', 'b/1', 'a/\u{1F600}', 'a/\uFFFD', 'a/é', 'a/b/c'];
      for (const key of keys) await store.put(key, `value of ${key}`);
      const listed = await store.range('a/');
      // UTF-8 byte order: é (C3 A9) < U+FFFD (EF BF BD) < U+1F600 (F0 9F 98 80).
      expect(listed.map((kv) => kv.key)).toEqual([
        'a/1',
        'a/10',
        'a/2',
        'a/b/c',
        'a/é',
        'a/\uFFFD',
        'a/\u{1F600}',
      ]);
      expect(listed.every((kv) => kv.value === `value of ${kv.key}`)).toBe(true);
      expect((await store.range('a')).map((kv) => kv.key)).toEqual([
        'a',
        'a.',
        'a/1',
        'a/10',
        'a/2',
        'a/b/c',
        'a/é',
        'a/\uFFFD',
        'a/\u{1F600}',
        'a0',
      ]);
      expect((await store.range('')).length).toBe(keys.length);
      expect(await store.range('c')).toEqual([]);
      expect((await store.range('a/1')).map((kv) => kv.key)).toEqual(['a/1', 'a/10']);
    });

    describe('txn', () => {
      // 'k' ends with value 'v2', version 2, createRevision c, modRevision m.
      let c: number;
      let m: number;
      beforeEach(async () => {
        c = await store.put('k', 'v1');
        m = await store.put('k', 'v2');
      });

      const cases: [
        string,
        TxnRequest['compare'][number] | (() => TxnRequest['compare'][number]),
        boolean,
      ][] = [
        ['value = v2', { key: 'k', target: 'value', op: '=', value: 'v2' }, true],
        ['value = v1', { key: 'k', target: 'value', op: '=', value: 'v1' }, false],
        ['value != v1', { key: 'k', target: 'value', op: '!=', value: 'v1' }, true],
        ['value != v2', { key: 'k', target: 'value', op: '!=', value: 'v2' }, false],
        ['value < v3', { key: 'k', target: 'value', op: '<', value: 'v3' }, true],
        ['value < v2', { key: 'k', target: 'value', op: '<', value: 'v2' }, false],
        ['value > v10', { key: 'k', target: 'value', op: '>', value: 'v10' }, true],
        ['value > w', { key: 'k', target: 'value', op: '>', value: 'w' }, false],
        ['version = 2', { key: 'k', target: 'version', op: '=', value: 2 }, true],
        ['version = "2"', { key: 'k', target: 'version', op: '=', value: '2' }, true],
        ['version = 1', { key: 'k', target: 'version', op: '=', value: 1 }, false],
        ['version != 1', { key: 'k', target: 'version', op: '!=', value: 1 }, true],
        ['version < 3', { key: 'k', target: 'version', op: '<', value: 3 }, true],
        ['version > 2', { key: 'k', target: 'version', op: '>', value: 2 }, false],
        ['createRevision = c', () => ({ key: 'k', target: 'createRevision', op: '=', value: c }), true],
        ['createRevision != c', () => ({ key: 'k', target: 'createRevision', op: '!=', value: c }), false],
        ['createRevision < m', () => ({ key: 'k', target: 'createRevision', op: '<', value: m }), true],
        ['createRevision > c', () => ({ key: 'k', target: 'createRevision', op: '>', value: c }), false],
        ['modRevision = m', () => ({ key: 'k', target: 'modRevision', op: '=', value: m }), true],
        ['modRevision = c', () => ({ key: 'k', target: 'modRevision', op: '=', value: c }), false],
        ['modRevision > c', () => ({ key: 'k', target: 'modRevision', op: '>', value: c }), true],
        ['modRevision < m', () => ({ key: 'k', target: 'modRevision', op: '<', value: m }), false],
        // A missing key has version and revisions 0; any compare of its value fails (etcd).
        ['missing version = 0', { key: 'nope', target: 'version', op: '=', value: 0 }, true],
        ['missing createRevision = 0', { key: 'nope', target: 'createRevision', op: '=', value: 0 }, true],
        ['missing modRevision > 0', { key: 'nope', target: 'modRevision', op: '>', value: 0 }, false],
        ['missing value = ""', { key: 'nope', target: 'value', op: '=', value: '' }, false],
        ['missing value != x', { key: 'nope', target: 'value', op: '!=', value: 'x' }, false],
      ];
      for (const [label, compare, expected] of cases) {
        it(`compares ${label} → ${expected ? 'success' : 'failure'} branch`, async () => {
          const r0 = await store.revision();
          const result = await store.txn({
            compare: [typeof compare === 'function' ? compare() : compare],
            success: [{ type: 'put', key: 'branch', value: 'success' }],
            failure: [{ type: 'put', key: 'branch', value: 'failure' }],
          });
          expect(result).toEqual({ succeeded: expected, revision: r0 + 1 });
          expect((await store.get('branch'))?.value).toBe(expected ? 'success' : 'failure');
        });
      }

      it('needs every compare to hold', async () => {
        const result = await store.txn({
          compare: [
            { key: 'k', target: 'value', op: '=', value: 'v2' },
            { key: 'k', target: 'version', op: '=', value: 1 },
          ],
          success: [{ type: 'put', key: 'x', value: '1' }],
        });
        expect(result.succeeded).toBe(false);
        expect(await store.get('x')).toBeNull();
      });

      it('does not bump the revision when it writes nothing', async () => {
        const r0 = await store.revision();
        const failed = await store.txn({
          compare: [{ key: 'k', target: 'version', op: '=', value: 7 }],
          success: [{ type: 'put', key: 'x', value: '1' }],
        });
        expect(failed).toEqual({ succeeded: false, revision: r0 });
        const noop = await store.txn({ compare: [], success: [{ type: 'delete', key: 'missing' }] });
        expect(noop).toEqual({ succeeded: true, revision: r0 });
        expect(await store.revision()).toBe(r0);
      });

      it('applies every op of a branch as one revision, deletePrefix within its boundary', async () => {
        for (const key of ['p', 'p/1', 'p/2/x', 'p0', 'q']) await store.put(key, 'old');
        const r0 = await store.revision();
        const ops: MetaOp[] = [
          { type: 'put', key: 'n/1', value: 'a' },
          { type: 'put', key: 'k', value: 'v3' },
          { type: 'delete', key: 'q' },
          { type: 'delete', key: 'never-existed' },
          { type: 'deletePrefix', prefix: 'p/' },
        ];
        const result = await store.txn({
          compare: [{ key: 'k', target: 'modRevision', op: '=', value: m }],
          success: ops,
        });
        expect(result).toEqual({ succeeded: true, revision: r0 + 1 });
        expect(await store.get('n/1')).toMatchObject({
          value: 'a',
          createRevision: r0 + 1,
          modRevision: r0 + 1,
        });
        expect(await store.get('k')).toMatchObject({
          value: 'v3',
          createRevision: c,
          modRevision: r0 + 1,
          version: 3,
        });
        expect(await store.get('q')).toBeNull();
        expect((await store.range('p')).map((kv) => kv.key)).toEqual(['p', 'p0']);
        expect(await store.revision()).toBe(r0 + 1);
      });

      it('runs the failure branch, including deletes', async () => {
        await store.put('f/1', 'x');
        await store.put('f/2', 'x');
        const r0 = await store.revision();
        const result = await store.txn({
          compare: [{ key: 'k', target: 'value', op: '=', value: 'stale' }],
          success: [{ type: 'put', key: 'won', value: 'yes' }],
          failure: [
            { type: 'deletePrefix', prefix: 'f/' },
            { type: 'put', key: 'lost', value: 'yes' },
          ],
        });
        expect(result).toEqual({ succeeded: false, revision: r0 + 1 });
        expect(await store.range('f/')).toEqual([]);
        expect(await store.get('won')).toBeNull();
        expect((await store.get('lost'))?.modRevision).toBe(r0 + 1);
      });

      it('rejects what etcd rejects, in either branch, writing nothing', async () => {
        const r0 = await store.revision();
        const put = (key: string): MetaOp => ({ type: 'put', key, value: 'x' });
        const bad: [MetaOp[], RegExp][] = [
          [[put('d'), put('d')], /duplicate key/],
          [[put('d'), { type: 'delete', key: 'd' }], /duplicate key/],
          [[{ type: 'deletePrefix', prefix: 'd/' }, put('d/1')], /duplicate key/],
          [Array.from({ length: 129 }, (_, i) => put(`many/${i}`)), /too many operations/],
        ];
        for (const [ops, error] of bad) {
          await expect(store.txn({ compare: [], success: ops })).rejects.toThrow(error);
          await expect(store.txn({ compare: [], success: [put('fine')], failure: ops })).rejects.toThrow(
            error,
          );
        }
        expect(await store.revision()).toBe(r0);
        // Overlapping deletes are allowed.
        await store.put('d/1', 'x');
        const ok = await store.txn({
          compare: [],
          success: [
            { type: 'delete', key: 'd/1' },
            { type: 'deletePrefix', prefix: 'd/' },
            { type: 'delete', key: 'd/1' },
          ],
        });
        expect(ok.revision).toBe(r0 + 2);
        expect(await store.get('d/1')).toBeNull();
      });

      it('serializes concurrent compare-and-set: exactly one of many wins', async () => {
        const attempts = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            store.txn({
              compare: [{ key: 'k', target: 'modRevision', op: '=', value: m }],
              success: [{ type: 'put', key: 'k', value: `winner ${i}` }],
            }),
          ),
        );
        expect(attempts.filter((a) => a.succeeded)).toHaveLength(1);
        expect((await store.get('k'))?.version).toBe(3);
      });
    });

    describe('watch', () => {
      it('from now: one callback per revision, in order, only under the prefix', async () => {
        const seen = collect();
        const watcher = await store.watch('w/', 0, seen.onEvents);
        const r1 = await store.put('w/a', '1');
        const r2 = (
          await store.txn({
            compare: [],
            success: [
              { type: 'put', key: 'w/b', value: '2' },
              { type: 'put', key: 'elsewhere', value: 'x' },
              { type: 'put', key: 'w/c', value: '3' },
              { type: 'delete', key: 'w/a' },
            ],
          })
        ).revision;
        await store.put('w', 'not under w/');
        await store.put('wx', 'not under w/');
        const r3 = await store.put('w/d', '4');
        await seen.until(3);
        expect(seen.batches).toEqual([
          [{ type: 'put', key: 'w/a', value: '1', modRevision: r1 }],
          [
            { type: 'put', key: 'w/b', value: '2', modRevision: r2 },
            { type: 'put', key: 'w/c', value: '3', modRevision: r2 },
            { type: 'delete', key: 'w/a', value: '', modRevision: r2 },
          ],
          [{ type: 'put', key: 'w/d', value: '4', modRevision: r3 }],
        ]);
        await watcher.close();
        await store.put('w/e', 'after close');
        await store.put('w/f', 'after close');
        await sleep(100);
        expect(seen.batches).toHaveLength(3);
      });

      it('from an older revision: replays the changes after it, then follows', async () => {
        await store.put('h/x/1', '0');
        await store.put('h/x/2', '0');
        const start = await store.revision();
        const r1 = await store.put('h/a', '1');
        const r2 = (
          await store.txn({
            compare: [],
            success: [
              { type: 'put', key: 'h/b', value: '2' },
              { type: 'deletePrefix', prefix: 'h/x/' },
            ],
          })
        ).revision;
        // Not this watch's prefix: no callback. (etcd rejects a put inside a range deleted by
        // the same txn, so the two do not overlap.)
        await store.put('other', 'x');
        const all = collect();
        const fromStart = await store.watch('h/', start, all.onEvents);
        const later = collect();
        const fromR1 = await store.watch('h/', r1, later.onEvents);
        const r3 = await store.put('h/c', '3');
        await all.until(3);
        await later.until(2);
        const deletes = ['h/x/1', 'h/x/2'].map((key) => ({
          type: 'delete',
          key,
          value: '',
          modRevision: r2,
        }));
        expect(all.batches).toEqual([
          [{ type: 'put', key: 'h/a', value: '1', modRevision: r1 }],
          [{ type: 'put', key: 'h/b', value: '2', modRevision: r2 }, ...deletes],
          [{ type: 'put', key: 'h/c', value: '3', modRevision: r3 }],
        ]);
        expect(later.batches).toEqual(all.batches.slice(1));
        await fromStart.close();
        await fromR1.close();
      });
    });

    describe('leases', () => {
      it('attaches keys and deletes them in one revision on revoke', async () => {
        const lease = await store.grantLease(2);
        let lost = false;
        lease.onLost(() => (lost = true));
        await store.put('l/a', '1', { lease: lease.id });
        await store.txn({ compare: [], success: [{ type: 'put', key: 'l/b', value: '2', lease: lease.id }] });
        await store.put('l/free', 'no lease');
        expect((await store.get('l/a'))?.lease).toBe(lease.id);
        expect((await store.get('l/free'))?.lease).toBe(0);
        const seen = collect();
        const watcher = await store.watch('l/', 0, seen.onEvents);
        const r0 = await store.revision();
        await lease.revoke();
        expect(await store.revision()).toBe(r0 + 1);
        expect((await store.range('l/')).map((kv) => kv.key)).toEqual(['l/free']);
        await seen.until(1);
        expect(seen.batches[0].map((e) => [e.type, e.key, e.modRevision])).toEqual([
          ['delete', 'l/a', r0 + 1],
          ['delete', 'l/b', r0 + 1],
        ]);
        await expect(store.put('l/c', '3', { lease: lease.id })).rejects.toThrow(/lease not found/);
        await watcher.close();
        expect(lost).toBe(false);
      });

      it('keeps a lease alive, and loses it (keys deleted, onLost) when its holder stalls past the TTL', async () => {
        const lease = await store.grantLease(1);
        let lost = 0;
        lease.onLost(() => lost++);
        await store.put('e/a', '1', { lease: lease.id });
        // Twice the TTL: only keepalives keep the key.
        await sleep(2000);
        expect((await store.get('e/a'))?.lease).toBe(lease.id);
        expect(lost).toBe(0);
        // A stalled event loop sends no keepalive; the lease expires under it.
        stallEventLoop(2500);
        await waitFor(() => lost === 1, 3000, 'onLost after expiry');
        await waitFor(async () => (await store.get('e/a')) === null, 3000, 'leased key deleted after expiry');
        await expect(store.put('e/b', '1', { lease: lease.id })).rejects.toThrow(/lease not found/);
        await lease.revoke();
      });
    });

    it('abandons a lease: no revoke, its keys expire after the TTL and onLost fires', async () => {
      const lease = await store.grantLease(1);
      let lost = 0;
      lease.onLost(() => lost++);
      await store.put('ab/a', '1', { lease: lease.id });
      const started = Date.now();
      lease.abandon();
      expect((await store.get('ab/a'))?.lease).toBe(lease.id);
      await waitFor(async () => (await store.get('ab/a')) === null, 4000, 'abandoned lease expired');
      await waitFor(() => lost === 1, 2000, 'onLost after the abandoned lease expired');
      // etcd may expire up to ~1.5 s late (its lease checker); never within a fraction of the TTL.
      expect(Date.now() - started).toBeGreaterThan(300);
    });

    it('heldUntil: renewals move it, the store keeps the lease at least until then, 0 once given up', async () => {
      const lease = await store.grantLease(1);
      let lost = 0;
      lease.onLost(() => lost++);
      await store.put('h/a', '1', { lease: lease.id });
      // etcd raises a TTL below its minimum (1.5 s with default election settings) to 2 s.
      const ttlMs = 2000;
      const first = lease.heldUntil();
      expect(first).toBeGreaterThan(monotonicMs());
      expect(first).toBeLessThanOrEqual(monotonicMs() + ttlMs);
      await waitFor(() => lease.heldUntil() > first, ttlMs, 'a renewal moved heldUntil');
      const held = lease.heldUntil();
      lease.abandon();
      expect(lease.heldUntil()).toBe(0);
      // A read that starts before `held` still finds the lease's key: the guarantee a leader
      // answering reads on its lease relies on.
      let reads = 0;
      while (monotonicMs() < held - 20) {
        expect((await store.get('h/a'))?.lease).toBe(lease.id);
        reads++;
        await sleep(20);
      }
      expect(reads).toBeGreaterThan(0);
      await waitFor(async () => (await store.get('h/a')) === null, 4000, 'abandoned lease expired');
      await waitFor(() => lost === 1, 2000, 'onLost after the abandoned lease expired');
      expect(lease.heldUntil()).toBe(0);
    });

    it('persists across reopen (when the fixture can reopen)', async (context) => {
      if (!fixture.reopen) return context.skip();
      await store.put('d/a', '1');
      await store.put('d/a', '2');
      await store.txn({
        compare: [],
        success: [
          { type: 'put', key: 'd/b', value: 'b' },
          { type: 'put', key: 'd/c', value: 'c' },
        ],
      });
      await store.delete('d/c');
      const lease = await store.grantLease(5);
      await store.put('d/leased', 'x', { lease: lease.id });
      await lease.revoke();
      const before = await store.range('d/');
      const revision = await store.revision();
      store = await fixture.reopen();
      expect(await store.range('d/')).toEqual(before);
      expect(await store.revision()).toBe(revision);
      expect(await store.put('d/a', '3')).toBe(revision + 1);
      expect(await store.get('d/a')).toMatchObject({ version: 3, createRevision: before[0].createRevision });
    });
  });
}

function collect(): {
  batches: WatchEvent[][];
  onEvents: (events: WatchEvent[]) => void;
  until: (n: number) => Promise<void>;
} {
  const batches: WatchEvent[][] = [];
  return {
    batches,
    onEvents: (events) => void batches.push(events),
    until: (n) => waitFor(() => batches.length >= n, 3000, `${n} watch callbacks (got ${batches.length})`),
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Blocks the event loop, as a long GC pause or a CPU-bound bug would. */
export function stallEventLoop(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // busy wait
  }
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
