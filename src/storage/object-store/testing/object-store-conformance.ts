/**
 * The behaviour every ObjectStore must have, written once and run against each
 * implementation (local-object-store.test.ts, test/s3-object-store.test.ts).
 *
 * Semantics pinned here beyond object-store.ts:
 * - `put` on an existing key replaces the object whole (readers see the old or the new
 *   bytes). Callers never rewrite a key with other contents; this only makes a retried put
 *   of the same bytes harmless. There is no create-only put: S3-compatible servers such as
 *   s3rver ignore conditional PUT, so fencing lives in the MetaStore (DESIGN §2a).
 * - Keys follow object-key.ts in every store; `list` orders them by UTF-8 bytes, like S3.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareKeys, InvalidObjectKeyError } from '../object-key.ts';
import { ObjectNotFoundError, type ObjectStore } from '../object-store.ts';

export interface ObjectStoreFixture {
  readonly store: ObjectStore;
  /** Closes the store and releases whatever the fixture set up for it. */
  cleanup(): Promise<void>;
}

export interface ConformanceOptions {
  /** Objects in the listing test that must cross a page (S3 pages hold 1000 keys). */
  readonly manyKeys?: number;
}

// Keys that are legal everywhere but exercise escaping in paths, URLs and XML.
const UNUSUAL_KEYS = [
  'odd/with space',
  'odd/plus+equals=',
  'odd/percent%41%2F',
  'odd/ünïcödé/日本語',
  'odd/emoji-😀',
  `odd/quote'"`,
  'odd/hash#question?',
  'odd/amp&lt;semi;comma,',
  'odd/tilde~star*(paren)',
  'odd/back\\slash',
  'odd/dots...',
  'odd/.hidden',
  'odd/a b/c d/e f',
  'deep/1/2/3/4/5/6/7/8/9/10/11/12',
];

const INVALID_KEYS = [
  '',
  '/absolute',
  'a//b',
  'trailing/',
  '../escape',
  'a/../../b',
  'a/./b',
  '..',
  'nul\0byte',
  'x.quiver-tmp',
];

export function describeObjectStoreConformance(
  name: string,
  open: () => Promise<ObjectStoreFixture>,
  options: ConformanceOptions = {},
): void {
  describe(`ObjectStore conformance: ${name}`, () => {
    let fixture: ObjectStoreFixture;
    let store: ObjectStore;
    let scratch: string;

    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
      scratch = await mkdtemp(join(tmpdir(), 'quiver-objstore-files-'));
    });
    afterEach(async () => {
      await fixture.cleanup();
      await rm(scratch, { recursive: true, force: true });
    });

    it('round-trips empty, small and multi-megabyte binary objects byte for byte', async () => {
      const small = Uint8Array.from({ length: 256 }, (_, i) => i);
      const big = randomBytes(5 * 1024 * 1024 + 13);
      await store.put('data/empty', new Uint8Array(0));
      await store.put('data/small', small);
      await store.put('data/big', big);

      expect((await store.get('data/empty')).length).toBe(0);
      expectSameBytes(await store.get('data/small'), small);
      expectSameBytes(await store.get('data/big'), big);
      expect(await store.head('data/big')).toEqual({ key: 'data/big', size: big.length });
      expect(await store.head('data/empty')).toEqual({ key: 'data/empty', size: 0 });
    });

    it('put of an existing key replaces the object whole; repeating a put is harmless', async () => {
      await store.put('v/key', bytes('first'));
      await store.put('v/key', bytes('first'));
      expect(text(await store.get('v/key'))).toBe('first');
      await store.put('v/key', bytes('second, longer'));
      expect(text(await store.get('v/key'))).toBe('second, longer');
      expect(await store.list('v/')).toEqual([{ key: 'v/key', size: 14 }]);
    });

    it('putFile and getFile round-trip a file byte for byte', async () => {
      const source = join(scratch, 'source.bin');
      const data = randomBytes(3 * 1024 * 1024 + 7);
      await writeFile(source, data);
      await store.putFile('files/index.bin', source);
      expect(await store.head('files/index.bin')).toEqual({ key: 'files/index.bin', size: data.length });

      const target = join(scratch, 'target.bin');
      await writeFile(target, 'stale contents that must be replaced');
      await store.getFile('files/index.bin', target);
      expectSameBytes(await readFile(target), data);
      expectSameBytes(await store.get('files/index.bin'), data);

      // Later changes to the source file must not reach the stored object.
      await writeFile(source, 'changed');
      expect((await store.head('files/index.bin'))?.size).toBe(data.length);
    });

    it('getFile of a missing object throws ObjectNotFoundError and creates no file', async () => {
      const target = join(scratch, 'never.bin');
      await expect(store.getFile('files/missing', target)).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(stat(target)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('head returns the size, and null for a missing key or a mere prefix', async () => {
      await store.put('h/a/b', bytes('12345'));
      expect(await store.head('h/a/b')).toEqual({ key: 'h/a/b', size: 5 });
      expect(await store.head('h/a/c')).toBeNull();
      expect(await store.head('h/a')).toBeNull();
      expect(await store.head('nothing/here')).toBeNull();
    });

    it('get of a missing key throws ObjectNotFoundError naming the key and the store', async () => {
      await store.put('present/x', bytes('x'));
      for (const key of ['missing/key', 'present', 'present/y']) {
        const error = await store.get(key).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ObjectNotFoundError);
        expect(error).toMatchObject({ key, location: store.location });
        expect((error as Error).message).toContain(key);
      }
    });

    it('lists keys in UTF-8 byte order and respects prefix boundaries', async () => {
      const keys = ['a/b/x', 'a/b/y', 'a/b-c', 'a/bc', 'a/c', 'a.b', 'ab', 'b', 'u/z', 'u/\uFF01', 'u/😀'];
      for (const key of [...keys].reverse()) await store.put(key, bytes(key));
      const listed = async (prefix: string) => (await store.list(prefix)).map((info) => info.key);

      expect(await listed('')).toEqual([...keys].sort(compareKeys));
      // '-' (0x2D) < '/' (0x2F) < 'c': a prefix is not a directory.
      expect(await listed('a/b')).toEqual(['a/b-c', 'a/b/x', 'a/b/y', 'a/bc']);
      expect(await listed('a/b/')).toEqual(['a/b/x', 'a/b/y']);
      expect(await listed('a/b/x')).toEqual(['a/b/x']);
      expect(await listed('a')).toEqual(['a.b', 'a/b-c', 'a/b/x', 'a/b/y', 'a/bc', 'a/c', 'ab']);
      // UTF-16 order would put U+1F600 before U+FF01; S3 orders by UTF-8 bytes.
      expect(await listed('u/')).toEqual(['u/z', 'u/\uFF01', 'u/😀']);
      expect(await listed('zzz')).toEqual([]);
      expect(await listed('a/b/x/')).toEqual([]);
      expect(await listed('../')).toEqual([]);
      expect(await store.list('a/c')).toEqual([{ key: 'a/c', size: 3 }]);
    });

    const manyKeys = options.manyKeys ?? 1100;
    it(`lists ${manyKeys} keys across pages, complete and in order`, async () => {
      const keys = Array.from({ length: manyKeys }, (_, i) => `many/${String(i).padStart(5, '0')}`);
      await inBatches(keys, 16, (key) => store.put(key, bytes('.')));
      await store.put('many.txt', bytes('not under many/'));
      await store.put('manyx/0', bytes('not under many/'));

      const listed = await store.list('many/');
      expect(listed.length).toBe(manyKeys);
      expect(listed.map((info) => info.key)).toEqual(keys);
      expect(listed.every((info) => info.size === 1)).toBe(true);
      const slice = keys.filter((key) => key.startsWith('many/001'));
      expect((await store.list('many/001')).map((info) => info.key)).toEqual(slice);
    }, 60_000);

    it('delete removes the object, leaves its neighbours and is idempotent', async () => {
      await store.put('d/x/1', bytes('one'));
      await store.put('d/x/2', bytes('two'));
      await store.delete('d/x/1');
      expect(await store.head('d/x/1')).toBeNull();
      await expect(store.get('d/x/1')).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect((await store.list('d/')).map((info) => info.key)).toEqual(['d/x/2']);

      await store.delete('d/x/1');
      await store.delete('never/existed');
      await store.delete('d/x/2');
      expect(await store.list('d/')).toEqual([]);
      // The key can be written again after its prefix became empty.
      await store.put('d/x/1', bytes('again'));
      expect(text(await store.get('d/x/1'))).toBe('again');
    });

    it('stores keys with nested slashes and unusual but legal characters', async () => {
      await inBatches(UNUSUAL_KEYS, 4, (key) => store.put(key, bytes(key)));
      for (const key of UNUSUAL_KEYS) {
        expect(text(await store.get(key)), key).toBe(key);
        expect(await store.head(key), key).toEqual({ key, size: Buffer.byteLength(key) });
      }
      const listed = await store.list('');
      expect(listed.map((info) => info.key)).toEqual([...UNUSUAL_KEYS].sort(compareKeys));
      expect((await store.list('odd/a b/')).map((info) => info.key)).toEqual(['odd/a b/c d/e f']);
      await store.delete('odd/with space');
      expect(await store.head('odd/with space')).toBeNull();
    });

    it('rejects keys that are not relative, normalized paths', async () => {
      for (const key of INVALID_KEYS) {
        await expect(store.put(key, bytes('x')), JSON.stringify(key)).rejects.toBeInstanceOf(
          InvalidObjectKeyError,
        );
        await expect(store.get(key), JSON.stringify(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(store.head(key), JSON.stringify(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(store.delete(key), JSON.stringify(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
      }
      expect(await store.list('')).toEqual([]);
    });
  });
}

function bytes(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

function text(data: Uint8Array): string {
  return new TextDecoder().decode(data);
}

/** Compares without building a diff of megabytes when they differ. */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual).toBeInstanceOf(Uint8Array);
  expect(actual.length).toBe(expected.length);
  expect(Buffer.compare(actual, expected), 'bytes differ').toBe(0);
}

async function inBatches<T>(
  items: readonly T[],
  concurrency: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++]);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
