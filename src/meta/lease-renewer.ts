/**
 * Keeps etcd leases alive over one keepalive stream: each lease is renewed every TTL/3 (as
 * etcd's Go client does) while `mayRenew()` allows it; a reply with TTL 0, or no reply within
 * the TTL, means the lease is gone (`onLost`). It runs on the event loop (the EtcdMetaStore
 * default) or in the keeper thread (lease-keeper-worker.ts), whose `mayRenew` checks the
 * event loop's heartbeat.
 */
import type { Etcd3, ILeaseKeepAliveResponse } from 'etcd3';
import { monotonicMs } from './monotonic-ms.ts';

/** Renews leases until they are released; what EtcdMetaStore's leases are kept alive by. */
export interface LeaseKeeper {
  /**
   * Renews lease `id` (granted with `ttlMs`) until released; `onLost` once it runs out,
   * `onRenewed(sentAt)` when etcd answers a renewal sent at `sentAt` (monotonicMs()).
   * Rejects when renewing cannot start (the keepalive stream does not open).
   */
  keep(id: number, ttlMs: number, onLost: () => void, onRenewed: (sentAt: number) => void): Promise<void>;
  /** Stops renewing `id`; resolves with when it was last renewed (Date.now() time). */
  release(id: number): Promise<number>;
  close(): Promise<void>;
}

interface Kept {
  readonly ttlMs: number;
  lastRenewal: number;
  readonly timer: NodeJS.Timeout;
  readonly onLost: () => void;
  readonly onRenewed: (sentAt: number) => void;
  /**
   * When each renewal not answered yet was sent, oldest first: etcd answers a stream's
   * renewals in order. A renewal whose answer never comes (a broken stream) would pair
   * later answers with earlier send times, which only makes the lease look shorter.
   */
  readonly unanswered: number[];
}

type KeepaliveStream = Awaited<ReturnType<Etcd3['leaseClient']['leaseKeepAlive']>>;

export class LeaseRenewer implements LeaseKeeper {
  private readonly kept = new Map<number, Kept>();
  private stream: KeepaliveStream | undefined;
  private opening: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly client: Etcd3,
    private readonly mayRenew: () => boolean = () => true,
  ) {}

  async keep(
    id: number,
    ttlMs: number,
    onLost: () => void,
    onRenewed: (sentAt: number) => void,
  ): Promise<void> {
    const timer = setInterval(() => this.renew(id), ttlMs / 3);
    this.kept.set(id, { ttlMs, lastRenewal: Date.now(), timer, onLost, onRenewed, unanswered: [] });
    // Kept even if this fails: each renewal tries the stream again.
    if (!this.stream) await this.openStream();
    this.renew(id);
  }

  async release(id: number): Promise<number> {
    const lease = this.kept.get(id);
    if (!lease) return Date.now();
    clearInterval(lease.timer);
    this.kept.delete(id);
    return lease.lastRenewal;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const lease of this.kept.values()) clearInterval(lease.timer);
    this.kept.clear();
    this.stream?.end();
    this.stream = undefined;
  }

  private renew(id: number): void {
    const lease = this.kept.get(id);
    if (!lease) return;
    if (Date.now() - lease.lastRenewal > lease.ttlMs) return this.lose(id);
    if (!this.mayRenew()) return;
    if (this.stream) {
      lease.unanswered.push(monotonicMs());
      this.stream.write({ ID: id });
    } else void this.openStream().catch(() => undefined);
  }

  private lose(id: number): void {
    const lease = this.kept.get(id);
    if (!lease) return;
    clearInterval(lease.timer);
    this.kept.delete(id);
    lease.onLost();
  }

  private openStream(): Promise<void> {
    this.opening ??= (async () => {
      const opened = await this.client.leaseClient.leaseKeepAlive();
      if (this.closed) return void opened.end();
      this.stream = opened;
      // Renewals sent on an earlier stream are answered there or never.
      for (const lease of this.kept.values()) lease.unanswered.length = 0;
      opened.on('data', (res: ILeaseKeepAliveResponse) => {
        if (this.stream !== opened) return;
        const id = Number(res.ID);
        const lease = this.kept.get(id);
        if (!lease) return;
        const sentAt = lease.unanswered.shift();
        if (Number(res.TTL) <= 0) return this.lose(id);
        lease.lastRenewal = Date.now();
        if (sentAt !== undefined) lease.onRenewed(sentAt);
      });
      // A broken stream is not yet a lost lease: reopen while the TTLs have not run out.
      opened.on('error', () => {
        if (this.stream !== opened) return;
        this.stream = undefined;
        if (!this.closed) setTimeout(() => void this.openStream().catch(() => undefined), 100).unref();
      });
    })().finally(() => {
      this.opening = null;
    });
    return this.opening;
  }
}
