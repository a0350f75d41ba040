/**
 * The standalone WAL (DESIGN §3): records in local files `<dir>/<16 hex digits>.wal`, each file
 * named by the LSN of its first byte. An LSN is a byte position in the whole log, so it
 * survives rollover and truncation, and a record's LSN is its file's start plus its offset.
 *
 * Records are laid out as wal-record.ts describes; each carries its own LSN and the offset back
 * to the start of its write batch, which the recovery rule below relies on.
 *
 * Group commit: appends queue up while a batch is being written; the writer writes each batch
 * with one write to a file opened O_DSYNC (the write returns once the data is durable, as
 * write + fdatasync would, in one trip to the thread pool instead of two), then resolves it.
 * A batch never spans two files.
 *
 * Recovery rule. Every retained file but the last was complete and fsynced before the next
 * was created, so any bad record there is corruption. In the last file a bad record is a torn
 * tail (cut off, with everything after it) unless a valid record from a LATER write batch
 * follows it: batches are written one after another, each only after the previous one's
 * fsync, so a later batch on disk means the damaged bytes had been acknowledged. Damage and
 * valid records inside the final batch alone are what a crash mid-write leaves (pages reach
 * the disk in any order), so they count as torn; we cannot tell them from a bit flip there.
 */

import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, readdir, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { type Wal, WalCorruptionError, type WalRecord } from './wal.ts';
import {
  CHUNK,
  encodeRecord,
  findLaterBatch,
  HEADER,
  MAX_PAYLOAD,
  scanFile,
  type WalFile,
} from './wal-record.ts';

export interface LocalWalOptions {
  /** A new file is started once the current one has reached this size (default 64 MiB). */
  readonly fileBytes?: number;
}

export interface LocalWalStats {
  appends: number;
  /** Batches written; each is one (O_DSYNC) write call sequence. */
  batches: number;
  fsyncs: number;
  /** Bytes of torn tail cut off by recovery when the WAL was opened. */
  tornBytes: number;
}

/** A Wal over local files. `append` reads `payload` when its batch is written: keep it unchanged until then. */
export interface LocalWal extends Wal {
  readonly dir: string;
  readonly stats: Readonly<LocalWalStats>;
}

/** Batches are capped so the batch buffer stays bounded; one larger record forms a batch alone. */
const MAX_BATCH = 16 << 20;
const FILE_NAME = /^[0-9a-f]{16}\.wal$/;
/** How the file being appended to is opened: every write is durable when it returns. */
const APPEND_FLAGS = constants.O_RDWR | constants.O_DSYNC;

interface Pending {
  readonly lsn: number;
  readonly payload: Uint8Array;
  readonly resolve: (lsn: number) => void;
  readonly reject: (error: Error) => void;
}

export async function openLocalWal(dir: string, options: LocalWalOptions = {}): Promise<LocalWal> {
  const fileBytes = options.fileBytes ?? 64 << 20;
  if (!Number.isSafeInteger(fileBytes) || fileBytes <= 0) {
    throw new RangeError(`WAL fileBytes must be a positive integer, got ${fileBytes}`);
  }
  dir = resolve(dir);
  // Directories created here must be durable entries in their parents, like the files below.
  const created = await mkdir(dir, { recursive: true });
  for (let d = dir; created !== undefined && d.length >= created.length; d = dirname(d)) {
    await syncDir(dirname(d));
  }
  const files = (await readdir(dir))
    .filter((name) => FILE_NAME.test(name))
    .sort()
    .map((name) => ({ start: Number.parseInt(name.slice(0, 16), 16), path: join(dir, name) }));
  if (files.length === 0) {
    const first = { start: 0, path: join(dir, fileName(0)) };
    await (await open(first.path, 'wx')).close();
    await syncDir(dir);
    files.push(first);
  }
  const stats: LocalWalStats = { appends: 0, batches: 0, fsyncs: 0, tornBytes: 0 };
  const marks: number[] = [];
  const end = await recover(files, stats, marks);
  const last = files[files.length - 1];
  const fh = await open(last.path, APPEND_FLAGS);
  return new LocalWalImpl(dir, fileBytes, files, marks, fh, end - last.start, stats);
}

class LocalWalImpl implements LocalWal {
  private pending: Pending[] = [];
  private writer: Promise<void> | undefined;
  private failure: Error | undefined;
  private closing: Promise<void> | undefined;
  private next: number;
  /** End of the durable log: replay reads no further. */
  private durableEnd: number;

  constructor(
    readonly dir: string,
    private readonly fileBytes: number,
    private readonly files: WalFile[],
    /** Some record LSNs, ascending and about CHUNK apart, where replay can start reading. */
    private readonly marks: number[],
    private fh: FileHandle,
    private fileSize: number,
    readonly stats: LocalWalStats,
  ) {
    this.next = this.durableEnd = files[files.length - 1].start + fileSize;
  }

  get nextLsn(): number {
    return this.next;
  }

  append(payload: Uint8Array): Promise<number> {
    if (this.failure) {
      return Promise.reject(new Error('WAL refuses appends after a failed write', { cause: this.failure }));
    }
    if (this.closing) return Promise.reject(new Error('WAL is closed'));
    if (payload.length > MAX_PAYLOAD) {
      return Promise.reject(new RangeError(`WAL record of ${payload.length} bytes exceeds ${MAX_PAYLOAD}`));
    }
    const lsn = this.next;
    this.next += HEADER + payload.length;
    this.stats.appends++;
    return new Promise((resolve, reject) => {
      this.pending.push({ lsn, payload, resolve, reject });
      // Start writing after the current tick so appends issued together share the first batch.
      this.writer ??= Promise.resolve().then(() => this.writeLoop());
    });
  }

  private async writeLoop(): Promise<void> {
    while (this.pending.length > 0) {
      let n = 0;
      let bytes = 0;
      while (n < this.pending.length && (n === 0 || bytes + recordSize(this.pending[n]) <= MAX_BATCH)) {
        bytes += recordSize(this.pending[n++]);
      }
      const batch = this.pending.splice(0, n);
      try {
        await this.writeBatch(batch, bytes);
      } catch (error) {
        // The file's state after a failed write or fsync is unknown (the kernel may have dropped
        // the dirty pages), so nothing later may be acknowledged on top of it.
        this.failure = error instanceof Error ? error : new Error(String(error));
        for (const p of [...batch, ...this.pending.splice(0)]) p.reject(this.failure);
        break;
      }
      this.durableEnd = batch[0].lsn + bytes;
      addMark(this.marks, batch[0].lsn);
      for (const p of batch) p.resolve(p.lsn);
    }
    this.writer = undefined;
  }

  private async writeBatch(batch: Pending[], bytes: number): Promise<void> {
    const first = batch[0].lsn;
    if (this.fileSize >= this.fileBytes) await this.rollOver(first);
    const buf = Buffer.allocUnsafeSlow(bytes);
    let at = 0;
    for (const { lsn, payload } of batch) at = encodeRecord(buf, at, lsn, first, payload);
    for (let done = 0; done < bytes; ) {
      done += (await this.fh.write(buf, done, bytes - done, this.fileSize + done)).bytesWritten;
    }
    this.stats.batches++;
    this.stats.fsyncs++;
    this.fileSize += bytes;
  }

  private async rollOver(start: number): Promise<void> {
    const file = { start, path: join(this.dir, fileName(start)) };
    const fh = await open(file.path, APPEND_FLAGS | constants.O_CREAT | constants.O_EXCL);
    try {
      // The new name must be durable before records in it are acknowledged.
      await syncDir(this.dir);
    } catch (error) {
      await fh.close();
      throw error;
    }
    this.stats.fsyncs++;
    await this.fh.close();
    this.fh = fh;
    this.fileSize = 0;
    this.files.push(file);
  }

  async *replay(fromLsn: number): AsyncGenerator<WalRecord> {
    // Records made durable after this call starts are left for the next call.
    const end = this.durableEnd;
    if (fromLsn >= end) return;
    const files = this.files.slice();
    let i = 0;
    while (i + 1 < files.length && files[i + 1].start <= fromLsn) i++;
    // Start at the last record boundary known to lie at or before fromLsn.
    let m = this.marks.length - 1;
    while (m >= 0 && this.marks[m] > fromLsn) m--;
    let offset = Math.max(0, (m >= 0 ? this.marks[m] : 0) - files[i].start);
    for (; i < files.length && files[i].start < end; i++, offset = 0) {
      const file = files[i];
      const fh = await open(file.path, 'r');
      try {
        const size = (i + 1 < files.length ? files[i + 1].start : end) - file.start;
        for await (const r of scanFile(fh, file, size, offset)) {
          if (!r.ok) throw new WalCorruptionError(file.path, r.offset, r.reason);
          if (r.lsn >= fromLsn) yield { lsn: r.lsn, payload: r.payload };
        }
      } finally {
        await fh.close();
      }
    }
  }

  async truncateBefore(lsn: number): Promise<void> {
    // A file's records all lie below the next file's start; the last file is never deleted.
    let n = 0;
    while (n + 1 < this.files.length && this.files[n + 1].start <= lsn) n++;
    if (n === 0) return;
    // Oldest first, so a crash part-way leaves a contiguous log.
    for (const file of this.files.splice(0, n)) await unlink(file.path);
    while (this.marks.length > 0 && this.marks[0] < this.files[0].start) this.marks.shift();
    await syncDir(this.dir);
    this.stats.fsyncs++;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      while (this.writer) await this.writer;
      await this.fh.close();
    })();
    return this.closing;
  }
}

function addMark(marks: number[], lsn: number): void {
  if (marks.length === 0 || lsn - marks[marks.length - 1] >= CHUNK) marks.push(lsn);
}

function recordSize(p: Pending): number {
  return HEADER + p.payload.length;
}

function fileName(start: number): string {
  return start.toString(16).padStart(16, '0') + '.wal';
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Verifies every file, cuts a torn tail off the last one, and returns the end LSN of the log. */
async function recover(files: WalFile[], stats: LocalWalStats, marks: number[]): Promise<number> {
  let end = files[0].start;
  for (let i = 0; i < files.length; i++) {
    const file = files[i];
    const isLast = i === files.length - 1;
    if (file.start !== end) {
      throw new WalCorruptionError(
        file.path,
        0,
        `file starts at LSN ${file.start}, previous file ends at ${end}`,
      );
    }
    const fh = await open(file.path, isLast ? 'r+' : 'r');
    try {
      const { size } = await fh.stat();
      let good = 0;
      for await (const r of scanFile(fh, file, size)) {
        if (r.ok) {
          good = r.offset + HEADER + r.payload.length;
          addMark(marks, r.lsn);
          continue;
        }
        if (!isLast) throw new WalCorruptionError(file.path, r.offset, r.reason);
        const later = await findLaterBatch(fh, file, size, r.offset);
        if (later !== undefined) {
          throw new WalCorruptionError(
            file.path,
            r.offset,
            `${r.reason}, yet a later write batch follows at byte ${later}`,
          );
        }
        await fh.truncate(good);
        await fh.datasync();
        stats.tornBytes += size - good;
      }
      end = file.start + good;
    } finally {
      await fh.close();
    }
  }
  return end;
}
