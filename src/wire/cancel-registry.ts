/**
 * Server-wide cancel keys. Each session gets a process id and a secret (BackendKeyData); a
 * CancelRequest on a new connection names both, and only a matching pair cancels anything.
 */
import { randomBytes, randomInt } from 'node:crypto';

export interface CancelKey {
  /** Positive Int32, unique among live connections. */
  readonly processId: number;
  /** Random Int32 (may be negative: the protocol field is a signed 32-bit integer). */
  readonly secretKey: number;
}

interface Entry {
  readonly secretKey: number;
  readonly cancel: () => void;
}

export class CancelRegistry {
  private readonly entries = new Map<number, Entry>();

  get size(): number {
    return this.entries.size;
  }

  /** Allocates a key whose CancelRequest will call `cancel`. */
  register(cancel: () => void): CancelKey {
    let processId: number;
    do processId = randomInt(1, 0x7fffffff);
    while (this.entries.has(processId));
    const secretKey = randomBytes(4).readInt32BE(0);
    this.entries.set(processId, { secretKey, cancel });
    return { processId, secretKey };
  }

  /** Whether a live session has this process id (a cluster node routes a CancelRequest by it). */
  has(processId: number): boolean {
    return this.entries.has(processId);
  }

  unregister(processId: number): void {
    this.entries.delete(processId);
  }

  /**
   * Handles a CancelRequest. Returns whether a session was signalled. As in PostgreSQL, a
   * wrong key is silently ignored: the requester learns nothing either way.
   */
  cancel(processId: number, secretKey: number): boolean {
    const entry = this.entries.get(processId);
    if (!entry || entry.secretKey !== secretKey) return false;
    entry.cancel();
    return true;
  }
}
