/**
 * Child process for the kill -9 test in local-wal.test.ts: opens the WAL in argv[2], prints
 * "ready", then runs 16 concurrent appenders forever. Each acknowledged record is printed as
 * "<lsn> <sha256 of payload>" the moment `append` resolves (stdout to a pipe is synchronous
 * on Linux, so a printed line has left the process before any SIGKILL). Every payload starts
 * with the SHA-256 of its remaining bytes, so a reader can tell garbled payloads apart.
 */

import { createHash, randomBytes, randomInt } from 'node:crypto';
import { openLocalWal } from '../local-wal.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: wal-crash-child.ts <dir>');
const wal = await openLocalWal(dir, { fileBytes: 256 << 10 });
process.stdout.write('ready\n');

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest();

async function appender(): Promise<never> {
  for (;;) {
    // Mostly small records, now and then one larger than the reader's chunk and the file size.
    const body = randomBytes(randomInt(500) === 0 ? randomInt(1 << 20, 2 << 20) : randomInt(4096));
    const payload = Buffer.concat([sha256(body), body]);
    const lsn = await wal.append(payload);
    process.stdout.write(`${lsn} ${sha256(payload).toString('hex')}\n`);
  }
}

await Promise.all(Array.from({ length: 16 }, appender));
