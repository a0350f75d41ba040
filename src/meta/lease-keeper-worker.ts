/**
 * The keeper thread of lease-keeper.ts: one etcd client and one keepalive stream for every
 * lease it is given. Each lease is renewed every TTL/3 (as etcd's Go client does) while the
 * event loop's heartbeat is younger than the stall tolerance; a reply with TTL 0, or no
 * reply within the TTL, means the lease is gone.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Etcd3, type ILeaseKeepAliveResponse } from 'etcd3';
import type { FromKeeper, KeeperData, ToKeeper } from './lease-keeper.ts';

interface Kept {
  readonly ttlMs: number;
  lastRenewal: number;
  readonly timer: NodeJS.Timeout;
}

const data = workerData as KeeperData;
const beat = new BigInt64Array(data.heartbeat);
const client = new Etcd3({ hosts: [...data.endpoints] });
const kept = new Map<number, Kept>();
let stream: Awaited<ReturnType<Etcd3['leaseClient']['leaseKeepAlive']>> | undefined;
let opening: Promise<void> | null = null;

const post = (message: FromKeeper) => parentPort!.postMessage(message);

function openStream(): Promise<void> {
  opening ??= (async () => {
    const opened = await client.leaseClient.leaseKeepAlive();
    stream = opened;
    opened.on('data', (res: ILeaseKeepAliveResponse) => {
      const id = Number(res.ID);
      const lease = kept.get(id);
      if (!lease) return;
      if (Number(res.TTL) <= 0) lose(id);
      else lease.lastRenewal = Date.now();
    });
    // A broken stream is not yet a lost lease: reopen while the TTLs have not run out.
    opened.on('error', () => {
      if (stream !== opened) return;
      stream = undefined;
      setTimeout(() => void openStream().catch(() => undefined), 100);
    });
  })().finally(() => {
    opening = null;
  });
  return opening;
}

function renew(id: number): void {
  const lease = kept.get(id);
  if (!lease) return;
  const now = Date.now();
  if (now - lease.lastRenewal > lease.ttlMs) return lose(id);
  // The event loop has not turned for too long: let the lease run out.
  if (now - Number(Atomics.load(beat, 0)) > data.stallToleranceMs) return;
  if (stream) stream.write({ ID: id });
  else void openStream().catch(() => undefined);
}

function lose(id: number): void {
  const lease = kept.get(id);
  if (!lease) return;
  clearInterval(lease.timer);
  kept.delete(id);
  post({ type: 'lost', id });
}

parentPort!.on('message', (message: ToKeeper) => {
  if (message.type === 'keep') {
    const timer = setInterval(() => renew(message.id), message.ttlMs / 3);
    kept.set(message.id, { ttlMs: message.ttlMs, lastRenewal: Date.now(), timer });
    renew(message.id);
    return;
  }
  const lease = kept.get(message.id);
  if (lease) {
    clearInterval(lease.timer);
    kept.delete(message.id);
  }
  post({ type: 'released', id: message.id, lastRenewal: lease?.lastRenewal ?? Date.now() });
});

void openStream().catch(() => undefined);
