import { readFile, unlink, writeFile } from 'node:fs/promises';

/**
 * An exclusive pid lock file: created with O_EXCL and holding the owner's pid, so a second
 * server on the same data directory fails at open instead of interleaving writes. A lock
 * whose pid is no longer alive (the owner was killed) is stale and taken over.
 * Known limit: a reused pid of an unrelated live process keeps the lock until removed.
 */
export interface FileLock {
  release(): Promise<void>;
}

export async function acquireFileLock(path: string, what: string): Promise<FileLock> {
  const mine = `${process.pid}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(path, mine, { flag: 'wx' });
      break;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST' || attempt > 0) throw error;
    }
    const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
      throw new Error(`${what} is in use by process ${owner} (lock file ${path})`);
    }
    // The owner died without releasing (kill -9, power loss): the lock is stale.
    await unlink(path).catch((error: unknown) => {
      if (errorCode(error) !== 'ENOENT') throw error;
    });
  }
  return {
    async release() {
      const content = await readFile(path, 'utf8').catch(() => '');
      if (content === mine) await unlink(path).catch(() => undefined);
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return errorCode(error) === 'EPERM';
  }
}

export function errorCode(error: unknown): string | undefined {
  return error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
}
