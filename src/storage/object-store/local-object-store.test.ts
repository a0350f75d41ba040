import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalObjectStore } from './local-object-store.ts';
import { InvalidObjectKeyError } from './object-key.ts';
import { ObjectNotFoundError } from './object-store.ts';
import { describeObjectStoreConformance } from './testing/object-store-conformance.ts';

describeObjectStoreConformance('LocalObjectStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-objstore-'));
  const store = await LocalObjectStore.open(dir);
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('LocalObjectStore', () => {
  let base: string;
  let root: string;
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'quiver-objstore-local-'));
    root = join(base, 'objects');
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('creates its directory and names it as a file URL', async () => {
    const store = await LocalObjectStore.open(root);
    expect((await stat(root)).isDirectory()).toBe(true);
    expect(store.location).toBe(`file://${root}`);
  });

  it('never writes outside its directory', async () => {
    const store = await LocalObjectStore.open(root);
    for (const key of ['../escape', 'a/../../escape', `/${base}/escape`, '/etc/passwd']) {
      await expect(store.put(key, new Uint8Array([1]))).rejects.toBeInstanceOf(InvalidObjectKeyError);
    }
    expect(await readdir(base)).toEqual(['objects']);
    expect(await readdir(root)).toEqual([]);
    expect(await store.list('../')).toEqual([]);
    expect(await store.list('/')).toEqual([]);
  });

  it('ignores temporary files left by a crash and removes them when opened again', async () => {
    const store = await LocalObjectStore.open(root);
    await store.put('seg/1/data', new Uint8Array([1, 2, 3]));
    // What an interrupted put leaves behind: a temp file beside the object, and one alone in a directory.
    await writeFile(join(root, 'seg', '1', '.0123456789abcdef.quiver-tmp'), 'partial');
    await mkdir(join(root, 'seg', '2'));
    await writeFile(join(root, 'seg', '2', '.fedcba9876543210.quiver-tmp'), 'partial');

    expect(await store.list('')).toEqual([{ key: 'seg/1/data', size: 3 }]);
    await expect(store.get('seg/1/.0123456789abcdef.quiver-tmp')).rejects.toBeInstanceOf(
      InvalidObjectKeyError,
    );

    const reopened = await LocalObjectStore.open(root);
    expect(await readdir(join(root, 'seg', '1'))).toEqual(['data']);
    expect(await readdir(join(root, 'seg', '2'))).toEqual([]);
    expect([...(await reopened.get('seg/1/data'))]).toEqual([1, 2, 3]);
  });

  it('leaves no temporary file behind after puts', async () => {
    const store = await LocalObjectStore.open(root);
    await store.put('t/a', new Uint8Array([1]));
    await store.put('t/a', new Uint8Array([2]));
    const source = join(base, 'source');
    await writeFile(source, 'file');
    await store.putFile('t/b', source);
    expect((await readdir(join(root, 't'))).sort()).toEqual(['a', 'b']);
  });

  it('a reader sees a new object whole or not at all, and a replaced one old or new', async () => {
    const store = await LocalObjectStore.open(root);
    const size = 8 * 1024 * 1024;
    const first = new Uint8Array(size).fill(1);
    const second = new Uint8Array(size).fill(2);

    const seen = { missing: 0, first: 0, second: 0 };
    let writing = true;
    const poll = async () => {
      while (writing) {
        let data: Uint8Array;
        try {
          data = await store.get('big/object');
        } catch (error) {
          expect(error).toBeInstanceOf(ObjectNotFoundError);
          seen.missing++;
          continue;
        }
        // A partial object would be shorter, or mix bytes of both versions.
        expect(data.length).toBe(size);
        const value = data[0];
        expect(value === 1 || value === 2).toBe(true);
        expect(data.every((byte) => byte === value)).toBe(true);
        seen[value === 1 ? 'first' : 'second']++;
      }
    };
    const write = async () => {
      await store.put('big/object', first);
      for (let i = 0; i < 4; i++) await store.put('big/object', i % 2 === 0 ? second : first);
      writing = false;
    };
    await Promise.all([poll(), write()]);
    expect(seen.missing + seen.first + seen.second).toBeGreaterThan(1);
  });

  it('fails clearly when a key would be both an object and a directory', async () => {
    const store = await LocalObjectStore.open(root);
    await store.put('a/b', new Uint8Array([1]));
    await expect(store.put('a/b/c', new Uint8Array([1]))).rejects.toThrow(
      /"a\/b\/c".*one of its prefixes is an object/,
    );
    await store.put('x/y/z', new Uint8Array([1]));
    await expect(store.put('x/y', new Uint8Array([1]))).rejects.toThrow(
      /"x\/y".*"x\/y\/" holds other objects/,
    );
    expect((await store.list('')).map((info) => info.key)).toEqual(['a/b', 'x/y/z']);
  });

  it('delete removes directories it left empty, and only those', async () => {
    const store = await LocalObjectStore.open(root);
    await store.put('p/q/r/s', new Uint8Array([1]));
    await store.put('p/keep', new Uint8Array([1]));
    await store.delete('p/q/r/s');
    expect(await readdir(root)).toEqual(['p']);
    expect(await readdir(join(root, 'p'))).toEqual(['keep']);
    await store.delete('p/keep');
    expect(await readdir(root)).toEqual([]);
  });

  it('puts and deletes racing in one directory all succeed', async () => {
    const store = await LocalObjectStore.open(root);
    const data = randomBytes(1024);
    // Each delete may empty and remove race/ while another put is about to write into it.
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        await store.put(`race/${i}`, data);
        await store.delete(`race/${i}`);
      }),
    );
    await store.put('race/last', data);
    expect(await store.list('race/')).toEqual([{ key: 'race/last', size: 1024 }]);
  });
});
