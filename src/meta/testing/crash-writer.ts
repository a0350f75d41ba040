/**
 * Child process for the kill -9 test: opens the embedded store in argv[2], puts a key on a
 * lease, then runs concurrent puts forever, printing each key once its put has resolved
 * (i.e. is acknowledged as durable). The parent kills it at a random moment.
 */
import { openEmbeddedMetaStore } from '../embedded-meta-store.ts';

const store = await openEmbeddedMetaStore(process.argv[2]);
const lease = await store.grantLease(60);
await store.put('leased', 'x', { lease: lease.id });
process.stdout.write('leased\n');

const workers = 8;
await Promise.all(
  Array.from({ length: workers }, async (_, w) => {
    for (let n = 0; ; n++) {
      const key = `acked/${w}/${n}`;
      await store.put(key, `value ${w} ${n}`);
      process.stdout.write(`${key}\n`);
    }
  }),
);
