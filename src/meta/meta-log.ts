import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from '../storage/crc32.ts';
import { errorCode } from './file-lock.ts';

/**
 * The embedded metadata store's log file (format in README.md): a sequence of records, each
 * `u32 LE payload length | u32 LE CRC-32 of the payload | payload (UTF-8 JSON)`. A payload is
 * either one committed revision's changes or a snapshot of the whole store at a revision
 * (always the first record after a compaction).
 */

/** One change of a revision; a deletePrefix is logged as the deletes it made. */
export type LogChange =
  | readonly [kind: 'p', key: string, value: string, lease: number]
  | readonly [kind: 'd', key: string];

/** A key in a snapshot: key, value, createRevision, modRevision, version, lease. */
export type SnapshotEntry = readonly [string, string, number, number, number, number];

export type LogRecord =
  | { readonly r: number; readonly c: readonly LogChange[] }
  | { readonly s: number; readonly k: readonly SnapshotEntry[] };

const HEADER_BYTES = 8;
/** Larger lengths are corruption, not records: a length is read before any allocation. */
const MAX_RECORD_BYTES = 256 * 1024 * 1024;

export function encodeRecord(record: LogRecord): Buffer {
  const payload = Buffer.from(JSON.stringify(record), 'utf8');
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32(payload), 4);
  payload.copy(out, HEADER_BYTES);
  return out;
}

export interface ReadLog {
  /** Records with the byte offset each starts at (for error messages). */
  readonly records: { readonly record: LogRecord; readonly offset: number }[];
  /** Bytes up to the end of the last good record; the rest is a torn tail to cut off. */
  readonly goodBytes: number;
  readonly fileBytes: number;
}

/**
 * Reads every record. A crash during an append can leave only a prefix of the last write:
 * a short header, a record running past the end of the file, a bad checksum on the final
 * record, or zeros where the file was extended but not written. Those are a torn tail.
 * A bad record with good data after it cannot come from a crash and is reported as
 * corruption with the file and byte offset.
 */
export async function readLog(path: string): Promise<ReadLog> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { records: [], goodBytes: 0, fileBytes: 0 };
    throw error;
  }
  const records: ReadLog['records'] = [];
  let offset = 0;
  while (offset < data.length) {
    const rest = data.length - offset;
    if (rest < HEADER_BYTES || isAllZero(data, offset)) break;
    const length = data.readUInt32LE(offset);
    const sum = data.readUInt32LE(offset + 4);
    const end = offset + HEADER_BYTES + length;
    if (length === 0 || length > MAX_RECORD_BYTES) throw corrupt(path, offset, `bad record length ${length}`);
    if (end > data.length) break;
    const payload = data.subarray(offset + HEADER_BYTES, end);
    if (crc32(payload) !== sum) {
      if (end === data.length) break;
      throw corrupt(path, offset, 'checksum mismatch');
    }
    let record: LogRecord;
    try {
      record = JSON.parse(payload.toString('utf8')) as LogRecord;
    } catch {
      throw corrupt(path, offset, 'unreadable payload');
    }
    records.push({ record, offset });
    offset = end;
  }
  return { records, goodBytes: offset, fileBytes: data.length };
}

function isAllZero(data: Buffer, from: number): boolean {
  for (let i = from; i < data.length; i++) if (data[i] !== 0) return false;
  return true;
}

export function corrupt(path: string, offset: number, why: string): Error {
  return new Error(`metadata log ${path} is corrupt at byte offset ${offset}: ${why}`);
}

interface Pending {
  readonly bytes: Buffer;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * How the log is opened for appending: O_DSYNC makes each write durable when it returns (as
 * write + fdatasync, in one trip to libuv's thread pool; docs/decisions.md).
 */
const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_DSYNC;

/**
 * Appends records with group commit: appends that arrive while a durable write is running
 * are written together by the next one, and each resolves only after its write. A failed
 * write or fsync fails the log for good, since the file's state after a failed fsync is
 * unknown (the lesson of PostgreSQL's "fsyncgate").
 */
export class LogWriter {
  private pending: Pending[] = [];
  private running = false;
  private failure: Error | null = null;
  private bytes: number;
  private compactAt: number;
  private rounds = 0;

  private constructor(
    private readonly path: string,
    private handle: FileHandle,
    bytes: number,
    private readonly compactBytes: number,
    /** Encodes the whole current state as one snapshot record, for compaction. */
    private readonly snapshot: () => Buffer,
  ) {
    this.bytes = bytes;
    this.compactAt = compactBytes;
  }

  /** Opens the log for appending after cutting it to `goodBytes` (dropping a torn tail). */
  static async open(
    path: string,
    read: ReadLog,
    compactBytes: number,
    snapshot: () => Buffer,
  ): Promise<LogWriter> {
    const existed = read.fileBytes > 0 || (await exists(path));
    const handle = await open(path, APPEND_FLAGS);
    try {
      if (read.fileBytes > read.goodBytes) {
        await handle.truncate(read.goodBytes);
        await handle.sync();
      }
      // A new file's directory entry must be durable too, or a crash loses the whole log.
      if (!existed) await syncDirectory(path);
    } catch (error) {
      await handle.close();
      throw error;
    }
    return new LogWriter(path, handle, read.goodBytes, compactBytes, snapshot);
  }

  append(bytes: Buffer): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({ bytes, resolve, reject });
      // A microtask lets every append of the current synchronous burst join this batch.
      if (!this.running) {
        this.running = true;
        queueMicrotask(() => void this.run());
      }
    });
  }

  get size(): number {
    return this.bytes;
  }

  /** How many durable write rounds ran (group commit makes this less than the appends). */
  get flushes(): number {
    return this.rounds;
  }

  async close(): Promise<void> {
    while (this.running) await new Promise((resolve) => setImmediate(resolve));
    await this.handle.close();
  }

  private async run(): Promise<void> {
    while (this.pending.length > 0 && !this.failure) {
      const batch = this.pending;
      this.pending = [];
      try {
        await writeAll(this.handle, Buffer.concat(batch.map((p) => p.bytes)));
        this.rounds++;
        this.bytes += batch.reduce((sum, p) => sum + p.bytes.length, 0);
      } catch (error) {
        this.fail(error instanceof Error ? error : new Error(String(error)), batch);
        break;
      }
      for (const p of batch) p.resolve();
      if (this.bytes > this.compactAt) {
        try {
          await this.compact();
        } catch (error) {
          this.fail(error instanceof Error ? error : new Error(String(error)), []);
        }
      }
    }
    this.running = false;
  }

  private fail(error: Error, batch: Pending[]): void {
    this.failure = new Error(`metadata log ${this.path} failed; the store must be reopened`, {
      cause: error,
    });
    for (const p of [...batch, ...this.pending]) p.reject(this.failure);
    this.pending = [];
  }

  /**
   * Rewrites the log as one snapshot record: temp file, fsync, rename over, fsync the
   * directory. The snapshot may include changes still queued for the log; replay skips
   * records at or below the snapshot's revision, so appending them again is harmless.
   */
  private async compact(): Promise<void> {
    const temp = `${this.path}.tmp`;
    const bytes = this.snapshot();
    const handle = await open(temp, 'w');
    try {
      await writeAll(handle, bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.path);
    await syncDirectory(this.path);
    const old = this.handle;
    this.handle = await open(this.path, APPEND_FLAGS);
    await old.close();
    this.bytes = bytes.length;
    // Never compact again before the log has at least doubled the snapshot.
    this.compactAt = Math.max(this.compactBytes, 2 * bytes.length);
  }
}

async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
    done += bytesWritten;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await (await open(path, 'r')).close();
    return true;
  } catch {
    return false;
  }
}

export async function syncDirectory(path: string): Promise<void> {
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
