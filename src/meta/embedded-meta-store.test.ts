import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, LOG_FILE, openEmbeddedMetaStore } from './embedded-meta-store.ts';
import { encodeRecord, LogWriter, readLog } from './meta-log.ts';
import type { MetaStore } from './meta-store.ts';
import { describeMetaStoreConformance } from './testing/meta-store-conformance.ts';

const REPO = join(import.meta.dirname, '..', '..');
const CRASH_WRITER = join(import.meta.dirname, 'testing', 'crash-writer.ts');

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'quiver-meta-'));
}

describeMetaStoreConformance('embedded', async () => {
  const dir = await tempDir();
  let store = await openEmbeddedMetaStore(dir);
  return {
    store,
    reopen: async () => {
      await store.close();
      store = await openEmbeddedMetaStore(dir);
      return store;
    },
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

/** Runs `body` on a fresh data directory and removes it afterwards, even on failure. */
async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await tempDir();
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function seed(
  dir: string,
): Promise<{ keys: Record<string, string>; revision: number; logBytes: number }> {
  const store = await openEmbeddedMetaStore(dir);
  await store.put('a', '1');
  await store.txn({
    compare: [],
    success: [
      { type: 'put', key: 'b', value: '2' },
      { type: 'put', key: 'c', value: '3' },
    ],
  });
  await store.delete('c');
  const revision = await store.revision();
  await store.close();
  return { keys: { a: '1', b: '2' }, revision, logBytes: (await stat(join(dir, LOG_FILE))).size };
}

async function contents(store: MetaStore): Promise<Record<string, string>> {
  return Object.fromEntries((await store.range('')).map((kv) => [kv.key, kv.value]));
}

describe('embedded meta store: the log', () => {
  const record = encodeRecord({ r: 99, c: [['p', 'torn', 'x'.repeat(50), 0]] });
  const tails: [string, Buffer][] = [
    ['half a record', record.subarray(0, record.length >> 1)],
    ['a partial header', record.subarray(0, 3)],
    ['zeros from an extended file', Buffer.alloc(300)],
    ['a last record with a bad checksum', Buffer.concat([record.subarray(0, -1), Buffer.from('!')])],
  ];
  for (const [label, tail] of tails) {
    it(`cuts a torn tail (${label}) and keeps every record before it`, async () => {
      await withDir(async (dir) => {
        const seeded = await seed(dir);
        await appendFile(join(dir, LOG_FILE), tail);
        let store = await openEmbeddedMetaStore(dir);
        expect(await contents(store)).toEqual(seeded.keys);
        expect(await store.revision()).toBe(seeded.revision);
        expect((await stat(join(dir, LOG_FILE))).size).toBe(seeded.logBytes);
        expect(await store.put('d', '4')).toBe(seeded.revision + 1);
        await store.close();
        store = await openEmbeddedMetaStore(dir);
        expect(await contents(store)).toEqual({ ...seeded.keys, d: '4' });
        await store.close();
      });
    });
  }

  it('rejects corruption before the tail, naming the file and byte offset', async () => {
    await withDir(async (dir) => {
      await seed(dir);
      const path = join(dir, LOG_FILE);
      const log = await readFile(path);
      const second = 8 + log.readUInt32LE(0);
      log[second + 12] ^= 0xff; // a payload byte of the second record
      await writeFile(path, log);
      await expect(openEmbeddedMetaStore(dir)).rejects.toThrow(
        `metadata log ${path} is corrupt at byte offset ${second}`,
      );
      // The failed open released its lock: after repair the store opens again.
      log[second + 12] ^= 0xff;
      await writeFile(path, log);
      await (await openEmbeddedMetaStore(dir)).close();
    });
  });

  it('shares one fsync among appends that arrive together (group commit)', async () => {
    await withDir(async (dir) => {
      const path = join(dir, 'group.log');
      const writer = await LogWriter.open(path, await readLog(path), 1 << 30, () => Buffer.alloc(0));
      const appends = Array.from({ length: 100 }, (_, i) =>
        writer.append(encodeRecord({ r: i + 2, c: [['d', `${i}`]] })),
      );
      await Promise.all(appends);
      expect(writer.flushes).toBeGreaterThanOrEqual(1);
      expect(writer.flushes).toBeLessThanOrEqual(2);
      await writer.close();
      expect((await readLog(path)).records).toHaveLength(100);
    });
  });

  it('compacts into a snapshot that reopens to the same state', async () => {
    await withDir(async (dir) => {
      let store = await openEmbeddedMetaStore(dir, { compactBytes: 2000 });
      for (let i = 0; i < 300; i++) {
        await store.put(`k/${i % 20}`, `value ${i}`);
        if (i % 7 === 0) await store.delete(`k/${(i + 3) % 20}`);
      }
      const before = await store.range('');
      const revision = await store.revision();
      await store.close();
      const log = await readLog(join(dir, LOG_FILE));
      expect(log.fileBytes).toBeLessThan(6000);
      expect('s' in log.records[0].record).toBe(true);
      store = await openEmbeddedMetaStore(dir);
      expect(await store.range('')).toEqual(before);
      expect(await store.revision()).toBe(revision);
      await store.close();
    });
  });

  it('keeps bounded watch history and says when a revision is too old', async () => {
    await withDir(async (dir) => {
      const store = await openEmbeddedMetaStore(dir, { historyLimit: 5 });
      const opened = await store.revision();
      const revisions: number[] = [];
      for (let i = 0; i < 10; i++) revisions.push(await store.put(`h/${i}`, `${i}`));
      await expect(store.watch('h/', opened, () => undefined)).rejects.toThrow(
        'required revision has been compacted',
      );
      await expect(store.watch('h/', revisions[3], () => undefined)).rejects.toThrow(
        'required revision has been compacted',
      );
      const seen: number[] = [];
      const watcher = await store.watch('h/', revisions[4], (events) => seen.push(events[0].modRevision));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(seen).toEqual(revisions.slice(5));
      await watcher.close();
      await store.close();
    });
  });
});

describe('embedded meta store: exclusive use', () => {
  it('refuses a second open while the first is open', async () => {
    await withDir(async (dir) => {
      const first = await openEmbeddedMetaStore(dir);
      await expect(openEmbeddedMetaStore(dir)).rejects.toThrow(`is in use by process ${process.pid}`);
      await first.close();
      await (await openEmbeddedMetaStore(dir)).close();
    });
  });

  it('takes over a stale lock left by a dead process', async () => {
    await withDir(async (dir) => {
      const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
      await new Promise((resolve) => child.once('exit', resolve));
      await writeFile(join(dir, LOCK_FILE), `${child.pid}\n`);
      const store = await openEmbeddedMetaStore(dir);
      expect(await readFile(join(dir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
      await store.close();
    });
  });
});

describe('embedded meta store: kill -9', () => {
  it('loses no acknowledged put and drops the dead process’s leased keys', async () => {
    for (let trial = 0; trial < 3; trial++) {
      await withDir(async (dir) => {
        const acked = await runAndKill(dir, 50 + Math.floor(Math.random() * 400));
        expect(acked).toContain('leased');
        const store = await openEmbeddedMetaStore(dir);
        try {
          expect(await store.get('leased')).toBeNull();
          const present = await contents(store);
          const missing = acked.filter((key) => key.startsWith('acked/') && present[key] === undefined);
          expect(missing).toEqual([]);
          for (const key of acked.filter((k) => k.startsWith('acked/'))) {
            const [, w, n] = key.split('/');
            expect(present[key]).toBe(`value ${w} ${n}`);
          }
        } finally {
          await store.close();
        }
      });
    }
  }, 30_000);
});

/** Starts the crash writer, SIGKILLs it after `ackCount` acknowledged keys, returns them. */
async function runAndKill(dir: string, ackCount: number): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', CRASH_WRITER, dir], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acked: string[] = [];
  let partial = '';
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    acked.push(...lines);
    if (acked.length >= ackCount) child.kill('SIGKILL');
  });
  await exited;
  clearTimeout(timer);
  if (acked.length < ackCount) throw new Error(`crash writer stopped after ${acked.length} keys: ${stderr}`);
  return acked;
}
