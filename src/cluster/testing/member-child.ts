/**
 * Child process for the membership kill test: joins cluster argv[3] on the etcd at argv[2]
 * as node argv[4] with TTL argv[5] seconds, prints "joined", then idles until killed.
 */

import { openEtcdMetaStore } from '../../meta/etcd-meta-store.ts';
import { ClusterKeys } from '../keys.ts';
import { Membership } from '../membership.ts';

const [endpoint, cluster, nodeId, ttl] = process.argv.slice(2);
const store = await openEtcdMetaStore({ endpoints: [endpoint] });
await Membership.join(
  store,
  new ClusterKeys(cluster),
  {
    nodeId,
    advertiseAddress: '127.0.0.1:1',
    sqlAddress: '127.0.0.1:2',
    startedAt: Date.now(),
    load: { segments: 0, bytes: 0, leaderShards: 0 },
  },
  { ttlSeconds: Number(ttl) },
);
process.stdout.write('joined\n');
setInterval(() => {}, 1 << 30);
