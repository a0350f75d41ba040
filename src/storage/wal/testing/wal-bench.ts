/**
 * Appends per second for 1 KiB records with 1, 16 and 256 concurrent appenders, each for
 * about two seconds, in a fresh directory under the OS temp dir (or argv[2]).
 * Run: node --import tsx src/storage/wal/testing/wal-bench.ts [dir]
 */

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalWal } from '../local-wal.ts';

const base = process.argv[2] ?? tmpdir();
const payload = randomBytes(1024);
const seconds = 2;

for (const appenders of [1, 16, 256]) {
  const dir = await mkdtemp(join(base, 'quiver-wal-bench-'));
  const wal = await openLocalWal(dir);
  const stopAt = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: appenders }, async () => {
      while (performance.now() < stopAt) await wal.append(payload);
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const { appends, fsyncs } = wal.stats;
  await wal.close();
  await rm(dir, { recursive: true });
  console.log(
    `${String(appenders).padStart(3)} appenders: ${Math.round(appends / elapsed)} appends/s, ` +
      `${Math.round(fsyncs / elapsed)} fsyncs/s, ${(appends / fsyncs).toFixed(1)} records per fsync`,
  );
}
