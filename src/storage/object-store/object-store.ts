/**
 * Object storage (DESIGN §3): where sealed segments, their index files and (in a cluster)
 * WAL batches live. A local directory implements it standalone, S3 (or any S3-compatible
 * endpoint) in a cluster. Objects are immutable once written: `put` is atomic (a reader
 * sees the whole object or none of it) and keys are never rewritten with other contents.
 */

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
}

export interface ObjectStore {
  /** Human-readable location for messages ("file:///data/objects", "s3://bucket/prefix"). */
  readonly location: string;
  /** Writes the whole object atomically. */
  put(key: string, data: Uint8Array): Promise<void>;
  /** Uploads a local file as the object (index files are written to disk by their library). */
  putFile(key: string, path: string): Promise<void>;
  /** Reads the whole object; throws ObjectNotFoundError when it does not exist. */
  get(key: string): Promise<Uint8Array>;
  /** Downloads the object to a local file path (for libraries that load only from files). */
  getFile(key: string, path: string): Promise<void>;
  /** Size of the object, or null when it does not exist. */
  head(key: string): Promise<ObjectInfo | null>;
  /** Every object whose key starts with `prefix`, in key order. */
  list(prefix: string): Promise<ObjectInfo[]>;
  /** Deletes the object; deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A store whose objects are also files on this machine (a directory, or S3 behind a local
 * disk cache): the segment cache reads them synchronously while a statement runs, which
 * only a local file is quick enough for.
 */
export interface LocalFiles {
  /** Reads a stored object's local file; throws ObjectNotFoundError when there is none. */
  getSync(key: string): Uint8Array;
  /** Opens a stored object's local file for positioned reads; the caller closes it. */
  openSync(key: string): number;
}

export function hasLocalFiles(store: ObjectStore): store is ObjectStore & LocalFiles {
  const candidate = store as Partial<LocalFiles>;
  return typeof candidate.getSync === 'function' && typeof candidate.openSync === 'function';
}

export class ObjectNotFoundError extends Error {
  constructor(
    readonly location: string,
    readonly key: string,
  ) {
    super(`object "${key}" does not exist in ${location}`);
    this.name = 'ObjectNotFoundError';
  }
}
