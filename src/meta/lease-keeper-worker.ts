/**
 * The keeper thread of lease-keeper.ts: its own etcd client and a LeaseRenewer for every
 * lease it is given, which renews them while the event loop's heartbeat is younger than the
 * stall tolerance.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Etcd3 } from 'etcd3';
import type { FromKeeper, KeeperData, ToKeeper } from './lease-keeper.ts';
import { LeaseRenewer } from './lease-renewer.ts';

const data = workerData as KeeperData;
const beat = new BigInt64Array(data.heartbeat);
const renewer = new LeaseRenewer(
  new Etcd3({ hosts: [...data.endpoints] }),
  // The event loop has not turned for too long: let the leases run out.
  () => Date.now() - Number(Atomics.load(beat, 0)) <= data.stallToleranceMs,
);

const post = (message: FromKeeper) => parentPort!.postMessage(message);

parentPort!.on('message', (message: ToKeeper) => {
  if (message.type === 'keep') {
    // A stream that does not open now is retried at each renewal (the lease runs out if it never does).
    void renewer
      .keep(
        message.id,
        message.ttlMs,
        () => post({ type: 'lost', id: message.id }),
        (sentAt) => post({ type: 'renewed', id: message.id, sentAt }),
      )
      .catch(() => undefined);
    return;
  }
  void renewer
    .release(message.id)
    .then((lastRenewal) => post({ type: 'released', id: message.id, lastRenewal }));
});
