import { spawn } from 'node:child_process';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { appendFile, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as zlib from 'node:zlib';
import { afterEach, describe, expect, test } from 'vitest';
import { crc32, tableCrc32 } from '../crc32.ts';
import { type LocalWal, openLocalWal } from './local-wal.ts';
import { WalCorruptionError, type WalRecord } from './wal.ts';

const HEADER = 24;
const dirs: string[] = [];
const open: LocalWal[] = [];

afterEach(async () => {
  for (const wal of open.splice(0)) await wal.close().catch(() => {});
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-wal-'));
  dirs.push(dir);
  return dir;
}

async function openWal(dir: string, fileBytes?: number): Promise<LocalWal> {
  const wal = await openLocalWal(dir, { fileBytes });
  open.push(wal);
  return wal;
}

async function readAll(wal: LocalWal, fromLsn = 0): Promise<WalRecord[]> {
  const records: WalRecord[] = [];
  for await (const r of wal.replay(fromLsn)) records.push(r);
  return records;
}

async function walFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.wal')).sort();
}

const text = (s: string) => new TextEncoder().encode(s);
const payloads = (records: WalRecord[]) => records.map((r) => Buffer.from(r.payload).toString());

/** Appends one at a time, so each record is its own write batch. */
async function appendEach(wal: LocalWal, items: string[]): Promise<number[]> {
  const lsns: number[] = [];
  for (const item of items) lsns.push(await wal.append(text(item)));
  return lsns;
}

async function flipByte(path: string, offset: number): Promise<void> {
  const data = await readFile(path);
  data[offset] ^= 0x10;
  await writeFile(path, data);
}

describe('LocalWal', () => {
  test('round trip across file rollover; LSNs increase and are stable across reopen', async () => {
    const dir = join(await tempDir(), 'shard-1', 'wal'); // created on open
    const wal = await openWal(dir, 1024);
    const items = Array.from({ length: 150 }, (_, i) => `record ${i} `.padEnd(i % 97, 'x'));
    const lsns = await appendEach(wal, items.slice(0, 50));
    for (let i = 50; i < items.length; i += 20) {
      lsns.push(...(await Promise.all(items.slice(i, i + 20).map((item) => wal.append(text(item))))));
    }
    for (let i = 1; i < lsns.length; i++) expect(lsns[i]).toBeGreaterThan(lsns[i - 1]);
    expect((await walFiles(dir)).length).toBeGreaterThan(3);
    const before = await readAll(wal);
    expect(payloads(before)).toEqual(items);
    expect(before.map((r) => r.lsn)).toEqual(lsns);
    const nextLsn = wal.nextLsn;
    await wal.close();

    const reopened = await openWal(dir, 1024);
    expect(reopened.nextLsn).toBe(nextLsn);
    expect(reopened.stats.tornBytes).toBe(0);
    expect(await readAll(reopened)).toEqual(before);
    expect(await reopened.append(text('after reopen'))).toBe(nextLsn);
    expect(payloads(await readAll(reopened)).at(-1)).toBe('after reopen');
  });

  test('group commit: 1000 concurrent appends share a few fsyncs', async () => {
    const wal = await openWal(await tempDir());
    const lsns = await Promise.all(Array.from({ length: 1000 }, (_, i) => wal.append(text(`r${i}`))));
    for (let i = 1; i < lsns.length; i++) expect(lsns[i]).toBeGreaterThan(lsns[i - 1]);
    expect(wal.stats.appends).toBe(1000);
    expect(wal.stats.fsyncs).toBeLessThan(10);
    expect((await readAll(wal)).length).toBe(1000);

    // Appends made while a batch is being written wait for the next batch together.
    const batches = wal.stats.batches;
    const first = wal.append(text('alone'));
    await new Promise((resolve) => setImmediate(resolve));
    const rest = Array.from({ length: 100 }, () => wal.append(text('later')));
    await Promise.all([first, ...rest]);
    expect(wal.stats.batches - batches).toBeLessThanOrEqual(3);
  });

  test('close flushes pending appends', async () => {
    const dir = await tempDir();
    const wal = await openWal(dir);
    const pending = Array.from({ length: 50 }, (_, i) => wal.append(text(`p${i}`)));
    await wal.close();
    expect((await Promise.all(pending)).length).toBe(50);
    await expect(wal.append(text('late'))).rejects.toThrow(/closed/);
    expect((await readAll(await openWal(dir))).length).toBe(50);
  });

  test('empty and multi-megabyte payloads', async () => {
    const dir = await tempDir();
    const wal = await openWal(dir, 64 << 10);
    const big = randomBytes(5 << 20);
    const inputs = [new Uint8Array(0), big, text('small'), new Uint8Array(0), randomBytes(3 << 20)];
    for (const p of inputs) await wal.append(p);
    const check = (records: WalRecord[]) => {
      expect(records.length).toBe(inputs.length);
      records.forEach((r, i) => expect(Buffer.from(r.payload).equals(Buffer.from(inputs[i]))).toBe(true));
    };
    check(await readAll(wal));
    await wal.close();
    check(await readAll(await openWal(dir, 64 << 10)));
  });

  test('replay from a middle LSN, on and between record boundaries', async () => {
    const wal = await openWal(await tempDir(), 512);
    const items = Array.from({ length: 60 }, (_, i) => `item-${i}`);
    const lsns = await appendEach(wal, items);
    expect(payloads(await readAll(wal, lsns[37]))).toEqual(items.slice(37));
    expect(payloads(await readAll(wal, lsns[37] + 1))).toEqual(items.slice(38));
    expect(await readAll(wal, wal.nextLsn)).toEqual([]);
  });

  test('replay from a middle LSN deep inside a large file, before and after reopen', async () => {
    const dir = await tempDir();
    const wal = await openWal(dir);
    const lsns: number[] = [];
    for (let batch = 0; batch < 30; batch++) {
      const items = Array.from({ length: 100 }, (_, i) => `${batch * 100 + i}`.padEnd(1000, '-'));
      lsns.push(...(await Promise.all(items.map((item) => wal.append(text(item))))));
    }
    const check = async (w: LocalWal) => {
      for (const k of [0, 1234, 2500, 2999]) {
        const fromBoundary = await readAll(w, lsns[k]);
        expect(fromBoundary.map((r) => r.lsn)).toEqual(lsns.slice(k));
        expect(payloads(fromBoundary)[0]).toBe(`${k}`.padEnd(1000, '-'));
        expect((await readAll(w, lsns[k] + 7)).map((r) => r.lsn)).toEqual(lsns.slice(k + 1));
      }
    };
    await check(wal);
    await wal.close();
    await check(await openWal(dir));
  });

  test('truncateBefore deletes only files wholly below the LSN, never the current file', async () => {
    const dir = await tempDir();
    const wal = await openWal(dir, 256);
    const items = Array.from({ length: 80 }, (_, i) => `t${i}`.padEnd(40, '.'));
    const lsns = await appendEach(wal, items);
    const filesBefore = await walFiles(dir);
    await wal.truncateBefore(lsns[50]);
    const filesAfter = await walFiles(dir);
    expect(filesAfter.length).toBeLessThan(filesBefore.length);
    const kept = await readAll(wal);
    // Whatever remains starts at or before record 50 and runs to the end.
    expect(kept[0].lsn).toBeLessThanOrEqual(lsns[50]);
    expect(kept[0].lsn).toBeGreaterThan(lsns[40]);
    expect(payloads(kept).slice(-30)).toEqual(items.slice(50));
    expect(kept.at(-1)?.lsn).toBe(lsns.at(-1));

    await wal.truncateBefore(wal.nextLsn);
    expect((await walFiles(dir)).length).toBe(1);
    const lsn = await wal.append(text('after truncation'));
    await wal.close();
    const reopened = await openWal(dir, 256);
    expect(payloads(await readAll(reopened)).at(-1)).toBe('after truncation');
    expect((await readAll(reopened)).at(-1)?.lsn).toBe(lsn);
  });

  describe('recovery', () => {
    async function tenRecords(dir: string): Promise<{ lsns: number[]; path: string }> {
      const wal = await openWal(dir);
      const lsns = await appendEach(
        wal,
        Array.from({ length: 10 }, (_, i) => `rec${i}`),
      );
      await wal.close();
      return { lsns, path: join(dir, (await walFiles(dir))[0]) };
    }

    test('a record cut mid-way at the end of the last file is dropped and appends continue', async () => {
      const dir = await tempDir();
      const { lsns, path } = await tenRecords(dir);
      await truncate(path, (await stat(path)).size - 3);
      const wal = await openWal(dir);
      expect(wal.stats.tornBytes).toBe(HEADER + 4 - 3);
      expect(payloads(await readAll(wal))).toEqual(Array.from({ length: 9 }, (_, i) => `rec${i}`));
      expect(wal.nextLsn).toBe(lsns[9]);
      expect(await wal.append(text('new'))).toBe(lsns[9]);
      expect(payloads(await readAll(wal, lsns[8]))).toEqual(['rec8', 'new']);
    });

    test('garbage after the last record, even with a record-like header, is cut', async () => {
      const dir = await tempDir();
      const { lsns, path } = await tenRecords(dir);
      const size = (await stat(path)).size;
      const fake = Buffer.alloc(HEADER);
      fake.write('QWAL', 0, 'latin1');
      fake.writeUInt32LE(1 << 20, 4); // declared length runs past the end of the file
      fake.writeBigUInt64LE(BigInt(size + 100), 8); // and it sits where it says
      await appendFile(path, Buffer.concat([randomBytes(100), fake, randomBytes(50)]));
      const wal = await openWal(dir);
      expect(wal.stats.tornBytes).toBe(100 + HEADER + 50);
      expect((await readAll(wal)).map((r) => r.lsn)).toEqual(lsns);
      expect((await stat(path)).size).toBe(size);
    });

    test('damage inside the final write batch is a torn write: earlier records survive', async () => {
      const dir = await tempDir();
      const wal = await openWal(dir);
      await appendEach(wal, ['a', 'b']);
      const batch = await Promise.all(['c', 'd', 'e', 'f'].map((s) => wal.append(text(s))));
      await wal.close();
      // As if the crash left the page holding "d" unwritten while "e" and "f" made it.
      const path = join(dir, (await walFiles(dir))[0]);
      const data = await readFile(path);
      data.fill(0, batch[1], batch[2]);
      await writeFile(path, data);
      const reopened = await openWal(dir);
      expect(payloads(await readAll(reopened))).toEqual(['a', 'b', 'c']);
      expect(reopened.nextLsn).toBe(batch[1]);
    });

    test('a bit flip followed by later batches is corruption naming file and offset', async () => {
      const dir = await tempDir();
      const { lsns, path } = await tenRecords(dir);
      await flipByte(path, lsns[4] + HEADER + 1); // payload of record 4
      const error = await openLocalWal(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WalCorruptionError);
      expect(error).toMatchObject({ file: path, offset: lsns[4] });
      expect(String(error)).toMatch(/checksum mismatch/);
    });

    test('a flipped length that runs past the end of the file is still corruption', async () => {
      const dir = await tempDir();
      const { lsns, path } = await tenRecords(dir);
      await flipByte(path, lsns[6] + 6); // third byte of record 6's length
      await expect(openLocalWal(dir)).rejects.toMatchObject({ file: path, offset: lsns[6] });
    });

    test('any bad record in a file that is not the last is corruption, even at its end', async () => {
      const dir = await tempDir();
      const wal = await openWal(dir, 16); // one record per file
      const lsns = await appendEach(wal, ['one', 'two', 'three', 'four']);
      await wal.close();
      const files = await walFiles(dir);
      expect(files.length).toBe(4);
      await flipByte(join(dir, files[1]), HEADER);
      await expect(openLocalWal(dir)).rejects.toMatchObject({ file: join(dir, files[1]), offset: 0 });
      await flipByte(join(dir, files[1]), HEADER);
      await truncate(join(dir, files[2]), 10);
      const error = await openLocalWal(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WalCorruptionError);
      expect(error).toMatchObject({ file: join(dir, files[2]), offset: 0 });
      expect(lsns[2]).toBe(Number.parseInt(files[2], 16));
    });

    test('a missing file in the middle is corruption', async () => {
      const dir = await tempDir();
      const wal = await openWal(dir, 16);
      await appendEach(wal, ['one', 'two', 'three']);
      await wal.close();
      const files = await walFiles(dir);
      await rm(join(dir, files[1]));
      await expect(openLocalWal(dir)).rejects.toMatchObject({ file: join(dir, files[2]), offset: 0 });
    });
  });

  test('a failed write fails the pending appends and every later one', async () => {
    const dir = await tempDir();
    const wal = await openWal(dir, 64);
    await wal.append(text('fills the first file past 64 bytes'.repeat(3)));
    // Rolling over needs a new file in the directory, which is gone.
    await rm(dir, { recursive: true });
    const results = await Promise.allSettled([wal.append(text('x')), wal.append(text('y'))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(wal.append(text('z'))).rejects.toThrow(/refuses appends/);
  });

  test('kill -9 during concurrent appends loses no acknowledged record', async () => {
    // Two WAL directories killed in turn, five times each, so the trials overlap on 2 cores.
    const lanes = await Promise.all([crashTrials(await tempDir(), 5), crashTrials(await tempDir(), 5)]);
    for (const acked of lanes) expect(acked).toBeGreaterThan(50);
  });

  test('the table-driven CRC-32 matches zlib', () => {
    const data = randomBytes(1000);
    expect(tableCrc32(data)).toBe(zlib.crc32(data));
    expect(tableCrc32(data.subarray(500), tableCrc32(data.subarray(0, 500)))).toBe(zlib.crc32(data));
    expect(crc32(text('123456789'))).toBe(0xcbf43926);
  });
});

const crashChild = fileURLToPath(new URL('./testing/wal-crash-child.ts', import.meta.url));
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest();

/**
 * Runs the crash child on `dir` `trials` times, killing it with SIGKILL a random moment after
 * it is ready; after each kill, reopens the WAL and checks every record acknowledged so far
 * (in any trial) is there with its payload intact. Returns how many records were acknowledged.
 */
async function crashTrials(dir: string, trials: number): Promise<number> {
  const acked = new Map<number, string>();
  for (let trial = 0; trial < trials; trial++) {
    const child = spawn(process.execPath, ['--import', 'tsx', crashChild, dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_, s) => resolve(s)));
    let ready: () => void = () => {};
    const isReady = new Promise<void>((resolve) => (ready = resolve));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'ready') return ready();
      const [lsn, hash] = line.split(' ');
      if (/^\d+$/.test(lsn) && /^[0-9a-f]{64}$/.test(hash)) acked.set(Number(lsn), hash);
    });
    await Promise.race([isReady, exited]);
    await new Promise((resolve) => setTimeout(resolve, randomInt(10, 150)));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // Every payload starts with the SHA-256 of the rest, so garbling cannot go unseen.
    const wal = await openLocalWal(dir);
    const found = new Map<number, string>();
    try {
      for await (const { lsn, payload } of wal.replay(0)) {
        expect(Buffer.from(payload.subarray(0, 32)).equals(sha256(payload.subarray(32)))).toBe(true);
        found.set(lsn, sha256(payload).toString('hex'));
      }
    } finally {
      await wal.close();
    }
    for (const [lsn, hash] of acked) expect(found.get(lsn), `LSN ${lsn} after trial ${trial}`).toBe(hash);
  }
  return acked.size;
}
