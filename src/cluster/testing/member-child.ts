/**
 * Child process standing in for a node that gets killed: joins cluster argv[3] on the etcd at
 * argv[2] as node argv[4] with TTL argv[5] seconds and prints "joined"; with argv[6] =
 * `<table>/<shard>` it then leads that shard and prints "leading"; then idles until killed.
 */

import { openEtcdMetaStore } from '../../meta/etcd-meta-store.ts';
import { ClusterKeys } from '../keys.ts';
import { Membership } from '../membership.ts';
import { campaignShard } from '../shard-leadership.ts';

const [endpoint, cluster, nodeId, ttl] = process.argv.slice(2);
const store = await openEtcdMetaStore({ endpoints: [endpoint] });
const keys = new ClusterKeys(cluster);
const membership = await Membership.join(
  store,
  keys,
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
const shard = process.argv[6];
if (shard) {
  const [table, number] = shard.split('/');
  await campaignShard(store, keys, { table, shard: Number(number) }, { nodeId, lease: membership.lease });
  process.stdout.write('leading\n');
}
setInterval(() => {}, 1 << 30);
