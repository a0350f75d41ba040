/**
 * Renews etcd leases from a worker thread with its own etcd client, so a busy event loop no
 * longer loses them. A cluster node's leases say "this process is alive": renewed from the
 * event loop, a statement or checkpoint that held the loop for longer than the TTL cost the
 * node its membership and leadership (a failover for a one-off stall). From a thread they
 * survive stalls up to `stallToleranceMs`; the event loop proves it is alive by writing the
 * time into shared memory every HEARTBEAT_MS, and the thread stops renewing once that is
 * older than the tolerance, so a process stuck for good still loses its leases a TTL later.
 * A stopped process (SIGSTOP, a cut network) renews nothing, as before.
 */
import type { Worker } from 'node:worker_threads';
import { typeScriptWorker } from '../storage/typescript-worker.ts';
import type { LeaseKeeper } from './lease-renewer.ts';

/** From the event loop to the keeper thread. */
export type ToKeeper =
  | { readonly type: 'keep'; readonly id: number; readonly ttlMs: number }
  | { readonly type: 'release'; readonly id: number };

/** From the keeper thread: a lease was renewed, expired (or etcd said so), or was released. */
export type FromKeeper =
  | { readonly type: 'renewed'; readonly id: number; readonly sentAt: number }
  | { readonly type: 'lost'; readonly id: number }
  | { readonly type: 'released'; readonly id: number; readonly lastRenewal: number };

export interface KeeperData {
  readonly endpoints: readonly string[];
  readonly stallToleranceMs: number;
  /** One BigInt64: the event loop's last heartbeat (Date.now()). */
  readonly heartbeat: SharedArrayBuffer;
}

const WORKER = new URL('./lease-keeper-worker.ts', import.meta.url);
const HEARTBEAT_MS = 100;

export class ThreadLeaseKeeper implements LeaseKeeper {
  private readonly worker: Worker;
  private readonly beat: BigInt64Array;
  private readonly timer: NodeJS.Timeout;
  /** The leases kept, with what to tell their holders. */
  private readonly kept = new Map<number, { onLost(): void; onRenewed(sentAt: number): void }>();
  private readonly releases = new Map<number, (lastRenewal: number) => void>();

  constructor(endpoints: readonly string[], stallToleranceMs: number) {
    const heartbeat = new SharedArrayBuffer(8);
    this.beat = new BigInt64Array(heartbeat);
    this.heartbeat();
    this.timer = setInterval(() => this.heartbeat(), HEARTBEAT_MS);
    this.timer.unref();
    const data: KeeperData = { endpoints: [...endpoints], stallToleranceMs, heartbeat };
    this.worker = typeScriptWorker(WORKER, { workerData: data });
    this.worker.unref();
    this.worker.on('message', (message: FromKeeper) => this.receive(message));
    // Without the thread nothing renews: every lease is as good as lost.
    this.worker.on('error', () => this.loseAll());
    this.worker.on('exit', () => this.loseAll());
  }

  async keep(
    id: number,
    ttlMs: number,
    onLost: () => void,
    onRenewed: (sentAt: number) => void,
  ): Promise<void> {
    this.kept.set(id, { onLost, onRenewed });
    this.post({ type: 'keep', id, ttlMs });
  }

  release(id: number): Promise<number> {
    if (!this.kept.delete(id)) return Promise.resolve(Date.now());
    return new Promise((resolve) => {
      this.releases.set(id, resolve);
      this.post({ type: 'release', id });
    });
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.kept.clear();
    await this.worker.terminate();
  }

  private heartbeat(): void {
    Atomics.store(this.beat, 0, BigInt(Date.now()));
  }

  private post(message: ToKeeper): void {
    this.worker.postMessage(message);
  }

  private receive(message: FromKeeper): void {
    if (message.type === 'renewed') return this.kept.get(message.id)?.onRenewed(message.sentAt);
    if (message.type === 'released') {
      this.releases.get(message.id)?.(message.lastRenewal);
      this.releases.delete(message.id);
      return;
    }
    const lease = this.kept.get(message.id);
    this.kept.delete(message.id);
    lease?.onLost();
  }

  private loseAll(): void {
    const leases = [...this.kept.values()];
    this.kept.clear();
    for (const lease of leases) lease.onLost();
    for (const resolve of this.releases.values()) resolve(Date.now());
    this.releases.clear();
  }
}
