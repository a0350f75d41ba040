/**
 * An object store (S3 in a cluster) with a copy of every object this node reads or writes
 * in a local directory, so sealed segments can be read back synchronously through the
 * segment cache as standalone reads its data directory (DESIGN §5: "a node's local disk is a
 * cache"). With it a cluster node keeps only `--memory-budget` of sealed rows in memory and
 * spills long COPYs to segments, as standalone does.
 *
 * Only the objects `caches(key)` picks are copied (the engine: segments, the only files
 * read synchronously; index and tombstone files are read once, asynchronously). Objects are
 * immutable and their keys never reused with other contents, so a cached copy is never
 * stale; the directory is emptied when the store opens all the same (what a previous
 * process left is not trusted) and holds the picked objects this node touched since and has
 * not deleted itself. Writes go to the remote store first: an object is cached only once it
 * is durable there.
 */
import { rm } from 'node:fs/promises';
import { LocalObjectStore } from './local-object-store.ts';
import { type LocalFiles, type ObjectInfo, ObjectNotFoundError, type ObjectStore } from './object-store.ts';

export class DiskCachedObjectStore implements ObjectStore, LocalFiles {
  readonly location: string;
  /** Downloads in progress, so concurrent readers of one object fetch it once. */
  private readonly fetching = new Map<string, Promise<Uint8Array>>();

  private constructor(
    private readonly remote: ObjectStore,
    private readonly local: LocalObjectStore,
    private readonly caches: (key: string) => boolean,
  ) {
    this.location = remote.location;
  }

  /** Empties (or creates) `directory` and keeps copies of `remote`'s objects (those `caches` picks) in it. */
  static async open(
    remote: ObjectStore,
    directory: string,
    caches: (key: string) => boolean = () => true,
  ): Promise<DiskCachedObjectStore> {
    await rm(directory, { recursive: true, force: true });
    return new DiskCachedObjectStore(remote, await LocalObjectStore.open(directory), caches);
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    await this.remote.put(key, data);
    if (this.caches(key)) await this.local.put(key, data);
  }

  async putFile(key: string, path: string): Promise<void> {
    await this.remote.putFile(key, path);
    if (this.caches(key)) await this.local.putFile(key, path);
  }

  async get(key: string): Promise<Uint8Array> {
    if (!this.caches(key)) return this.remote.get(key);
    try {
      return await this.local.get(key);
    } catch (error) {
      if (!(error instanceof ObjectNotFoundError)) throw error;
    }
    let download = this.fetching.get(key);
    if (!download) {
      download = (async () => {
        const data = await this.remote.get(key);
        await this.local.put(key, data);
        return data;
      })().finally(() => this.fetching.delete(key));
      this.fetching.set(key, download);
    }
    return download;
  }

  async getFile(key: string, path: string): Promise<void> {
    if (!this.caches(key)) return this.remote.getFile(key, path);
    await this.get(key);
    await this.local.getFile(key, path);
  }

  head(key: string): Promise<ObjectInfo | null> {
    return this.remote.head(key);
  }

  list(prefix: string): Promise<ObjectInfo[]> {
    return this.remote.list(prefix);
  }

  async delete(key: string): Promise<void> {
    await this.remote.delete(key);
    if (this.caches(key)) await this.local.delete(key);
  }

  /**
   * Drops the local copies of `keys` (the remote objects stay). A read replica's copy that
   * was replaced leaves copies of segments its leader has since compacted away and deleted;
   * only this node knows they are no longer needed.
   */
  async dropLocalCopies(keys: Iterable<string>): Promise<void> {
    for (const key of keys) await this.local.delete(key);
  }

  async close(): Promise<void> {
    await this.remote.close();
  }

  /** The cached copy; an object this node has not read or written yet (or does not cache) has none. */
  getSync(key: string): Uint8Array {
    return this.local.getSync(key);
  }

  openSync(key: string): number {
    return this.local.openSync(key);
  }
}
