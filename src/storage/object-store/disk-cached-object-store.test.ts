import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskCachedObjectStore } from './disk-cached-object-store.ts';
import { LocalObjectStore } from './local-object-store.ts';
import { hasLocalFiles, ObjectNotFoundError } from './object-store.ts';
import { describeObjectStoreConformance } from './testing/object-store-conformance.ts';

/** A directory stands in for S3 as the remote store (s3rver runs the cluster tests). */
async function openCached(base: string) {
  const remote = await LocalObjectStore.open(join(base, 'remote'));
  const cached = await DiskCachedObjectStore.open(remote, join(base, 'cache'));
  return { remote, cached, cacheDir: join(base, 'cache') };
}

describeObjectStoreConformance('DiskCachedObjectStore', async () => {
  const base = await mkdtemp(join(tmpdir(), 'quiver-objstore-cached-'));
  const { cached } = await openCached(base);
  return {
    store: cached,
    cleanup: async () => {
      await cached.close();
      await rm(base, { recursive: true, force: true });
    },
  };
});

describe('DiskCachedObjectStore', () => {
  let base: string;
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'quiver-objstore-cached-'));
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  const bytes = (text: string) => new TextEncoder().encode(text);

  it('has a local file for every object it wrote or read, and none for the others', async () => {
    const { remote, cached } = await openCached(base);
    expect(hasLocalFiles(cached)).toBe(true);
    await remote.put('tables/1/a.seg', bytes('written elsewhere'));
    await cached.put('tables/1/b.seg', bytes('written here'));
    // Not read yet: no local copy, so no synchronous read.
    expect(() => cached.getSync('tables/1/a.seg')).toThrow(ObjectNotFoundError);
    expect(Buffer.from(cached.getSync('tables/1/b.seg')).toString()).toBe('written here');
    expect(Buffer.from(await cached.get('tables/1/a.seg')).toString()).toBe('written elsewhere');
    expect(Buffer.from(cached.getSync('tables/1/a.seg')).toString()).toBe('written elsewhere');
    // Reads after the first come from the local copy.
    await remote.delete('tables/1/a.seg');
    expect(Buffer.from(await cached.get('tables/1/a.seg')).toString()).toBe('written elsewhere');
  });

  it('writes the remote store first, and deletes both copies', async () => {
    const { remote, cached } = await openCached(base);
    await cached.put('x/one', bytes('1'));
    expect(Buffer.from(await remote.get('x/one')).toString()).toBe('1');
    const file = join(base, 'upload');
    await writeFile(file, 'from a file');
    await cached.putFile('x/two', file);
    expect(Buffer.from(await remote.get('x/two')).toString()).toBe('from a file');
    expect(Buffer.from(cached.getSync('x/two')).toString()).toBe('from a file');
    await cached.delete('x/one');
    await expect(remote.get('x/one')).rejects.toBeInstanceOf(ObjectNotFoundError);
    expect(() => cached.getSync('x/one')).toThrow(ObjectNotFoundError);
    expect((await cached.list('x/')).map((o) => o.key)).toEqual(['x/two']);
  });

  it('copies only the objects it is told to', async () => {
    const remote = await LocalObjectStore.open(join(base, 'remote'));
    const cached = await DiskCachedObjectStore.open(remote, join(base, 'cache'), (key) =>
      key.endsWith('.seg'),
    );
    await cached.put('t/a.seg', bytes('segment'));
    await cached.put('t/a.idx', bytes('index'));
    expect(Buffer.from(cached.getSync('t/a.seg')).toString()).toBe('segment');
    expect(() => cached.getSync('t/a.idx')).toThrow(ObjectNotFoundError);
    expect(Buffer.from(await cached.get('t/a.idx')).toString()).toBe('index');
    expect(() => cached.getSync('t/a.idx')).toThrow(ObjectNotFoundError);
    await cached.getFile('t/a.idx', join(base, 'index-copy'));
    expect(await readdir(join(base, 'cache', 't'))).toEqual(['a.seg']);
  });

  it('drops local copies on request and keeps the remote objects', async () => {
    const { remote, cached } = await openCached(base);
    await cached.put('t/old.seg', bytes('compacted away'));
    await cached.put('t/new.seg', bytes('in use'));
    await cached.dropLocalCopies(['t/old.seg', 't/never-cached.seg']);
    expect(() => cached.getSync('t/old.seg')).toThrow(ObjectNotFoundError);
    expect(Buffer.from(cached.getSync('t/new.seg')).toString()).toBe('in use');
    expect(Buffer.from(await remote.get('t/old.seg')).toString()).toBe('compacted away');
  });

  it('downloads an object once for concurrent readers', async () => {
    const { remote, cached } = await openCached(base);
    await remote.put('big', new Uint8Array(1 << 20).fill(7));
    let gets = 0;
    const get = remote.get.bind(remote);
    remote.get = (key) => {
      gets++;
      return get(key);
    };
    const all = await Promise.all(Array.from({ length: 8 }, () => cached.get('big')));
    expect(gets).toBe(1);
    for (const data of all) expect(data.length).toBe(1 << 20);
  });

  it('starts from an empty directory: what an earlier process left is not trusted', async () => {
    const first = await openCached(base);
    await first.cached.put('tables/9/old.seg', bytes('old'));
    expect(await readdir(first.cacheDir)).toEqual(['tables']);
    const again = await DiskCachedObjectStore.open(first.remote, first.cacheDir);
    expect(await readdir(first.cacheDir)).toEqual([]);
    expect(() => again.getSync('tables/9/old.seg')).toThrow(ObjectNotFoundError);
    expect(Buffer.from(await again.get('tables/9/old.seg')).toString()).toBe('old');
  });
});
