/**
 * ObjectStore over a local directory (standalone mode, DESIGN §6): key `a/b/c` is the file
 * `<root>/a/b/c`.
 *
 * Writes go to a temporary file in the object's own directory, which is fsynced, renamed
 * over the final name and then the directory is fsynced: after `put` returns the object
 * survives a crash, and a reader sees either no file or the whole one (rename is atomic
 * within a filesystem). Temporary files end with TEMP_SUFFIX, which no key segment may,
 * so a crash's leftovers are skipped by list/get and removed by `open`.
 *
 * A directory cannot hold both a file `a/b` and a directory `a/b/`, so unlike S3 a key
 * cannot be an object and a prefix of another object at once; `put` then fails clearly.
 */
import { randomBytes } from 'node:crypto';
import { constants, type Dirent, openSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { assertObjectKey, compareKeys, objectKeyProblem, TEMP_SUFFIX } from './object-key.ts';
import { type LocalFiles, type ObjectInfo, ObjectNotFoundError, type ObjectStore } from './object-store.ts';

// A concurrent `delete` may remove a directory that has just become empty between our
// mkdir and the creation of the temporary file in it; mkdir again a few times.
const MKDIR_RACE_ATTEMPTS = 3;

export class LocalObjectStore implements ObjectStore, LocalFiles {
  readonly location: string;

  private constructor(readonly root: string) {
    this.location = pathToFileURL(root).href;
  }

  /** Creates the directory if needed and removes temporary files left by a crash. */
  static async open(root: string): Promise<LocalObjectStore> {
    const absolute = resolve(root);
    await mkdir(absolute, { recursive: true });
    await removeTempFiles(absolute);
    return new LocalObjectStore(absolute);
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    await this.install(key, async (temp) => {
      const file = await open(temp, 'wx');
      try {
        await file.writeFile(data);
        await file.sync();
      } finally {
        await file.close();
      }
    });
  }

  /** Copies the file (a reflink where the filesystem can): a hard link would let later writes to the caller's file change the object. */
  async putFile(key: string, path: string): Promise<void> {
    await this.install(key, async (temp) => {
      await copyFile(path, temp, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
      await syncPath(temp);
    });
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if (isMissing(error)) throw new ObjectNotFoundError(this.location, key);
      throw error;
    }
  }

  /** Writes `path` via a temporary file and a rename, so a failed download leaves no partial file. */
  async getFile(key: string, path: string): Promise<void> {
    const temp = `${path}.${randomBytes(8).toString('hex')}${TEMP_SUFFIX}`;
    try {
      await copyFile(this.pathOf(key), temp, constants.COPYFILE_FICLONE);
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      // ENOENT may also mean that the destination's directory is missing.
      if (isMissing(error) && (await this.head(key)) === null)
        throw new ObjectNotFoundError(this.location, key);
      throw error;
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    try {
      const stats = await stat(this.pathOf(key));
      return stats.isFile() ? { key, size: stats.size } : null;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    // Walk only the directory the prefix fully names: "a/b/c" → walk a/b/, keep "c…".
    const slash = prefix.lastIndexOf('/');
    const directoryKey = slash < 0 ? '' : prefix.slice(0, slash);
    // A directory part that no valid key can start with ("..", "//") matches nothing —
    // and must never be walked, since it could lead outside the root.
    if (directoryKey !== '' && objectKeyProblem(directoryKey) !== null) return [];
    const start = directoryKey === '' ? this.root : join(this.root, ...directoryKey.split('/'));
    const found: ObjectInfo[] = [];
    await walk(start, directoryKey === '' ? '' : `${directoryKey}/`, prefix, found);
    return found.sort((a, b) => compareKeys(a.key, b.key));
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      await unlink(path);
    } catch (error) {
      // EISDIR: the key names a directory (a prefix of other objects), not an object.
      if (isMissing(error)) return;
      throw error;
    }
    // Remove parent directories that became empty; stop at the first that is not.
    // No directory fsync: a delete that a crash undoes is found again by garbage collection.
    for (let dir = dirname(path); dir !== this.root; dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        break;
      }
    }
  }

  async close(): Promise<void> {}

  /**
   * Reads an object synchronously: the segment cache loads sealed rows while a statement
   * runs, and a local file read is quick enough to do so.
   */
  getSync(key: string): Uint8Array {
    try {
      return readFileSync(this.pathOf(key));
    } catch (err) {
      if (errorCode(err) === 'ENOENT') throw new ObjectNotFoundError(this.location, key);
      throw err;
    }
  }

  /** Opens an object's file for positioned reads (FileVectorColumn); the caller closes it. */
  openSync(key: string): number {
    try {
      return openSync(this.pathOf(key), 'r');
    } catch (err) {
      if (errorCode(err) === 'ENOENT') throw new ObjectNotFoundError(this.location, key);
      throw err;
    }
  }

  private pathOf(key: string): string {
    assertObjectKey(key);
    return join(this.root, ...key.split('/'));
  }

  private async install(key: string, write: (temp: string) => Promise<void>): Promise<void> {
    const path = this.pathOf(key);
    const dir = dirname(path);
    const temp = join(dir, `.${randomBytes(8).toString('hex')}${TEMP_SUFFIX}`);
    for (let attempt = 1; ; attempt++) {
      await this.makeDirectories(key, dir);
      try {
        await write(temp);
        break;
      } catch (error) {
        await rm(temp, { force: true });
        if (errorCode(error) === 'ENOENT' && attempt < MKDIR_RACE_ATTEMPTS) continue;
        throw error;
      }
    }
    try {
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      if (errorCode(error) === 'EISDIR') throw this.conflict(key, `"${key}/" holds other objects`);
      throw error;
    }
    await syncPath(dir);
  }

  /** mkdir -p, then fsyncs the parent of every directory it created so their entries are durable too. */
  private async makeDirectories(key: string, dir: string): Promise<void> {
    let first: string | undefined;
    try {
      first = await mkdir(dir, { recursive: true });
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOTDIR' || code === 'EEXIST')
        throw this.conflict(key, 'one of its prefixes is an object');
      throw error;
    }
    if (first === undefined) return;
    const created: string[] = [];
    for (let d = dir; d.length >= first.length; d = dirname(d)) created.push(dirname(d));
    for (const d of created.reverse()) await syncPath(d);
  }

  private conflict(key: string, why: string): Error {
    return new Error(
      `cannot store "${key}" in ${this.location}: ${why} (a directory cannot hold both "x" and "x/…")`,
    );
  }
}

async function walk(dir: string, keyPrefix: string, prefix: string, found: ObjectInfo[]): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return; // prefix names no directory, or it was just deleted
    throw error;
  }
  for (const entry of entries) {
    if (entry.name.endsWith(TEMP_SUFFIX)) continue;
    const key = keyPrefix + entry.name;
    if (entry.isDirectory()) {
      // The walk starts in the directory the prefix names, so only its last partial
      // segment is left to match: "a/b" descends into "a/bc/" but not "a/x/".
      if (`${key}/`.startsWith(prefix)) await walk(join(dir, entry.name), `${key}/`, prefix, found);
    } else if (entry.isFile() && key.startsWith(prefix)) {
      try {
        found.push({ key, size: (await stat(join(dir, entry.name))).size });
      } catch (error) {
        if (!isMissing(error)) throw error; // deleted while listing
      }
    }
  }
}

async function removeTempFiles(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.name.endsWith(TEMP_SUFFIX)) await rm(path, { force: true });
    else if (entry.isDirectory()) await removeTempFiles(path);
  }
}

async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** The path, or one of its parents, does not exist or is not what a key needs. */
function isMissing(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}
