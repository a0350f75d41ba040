/**
 * The sql-tests suite through a cluster: two `quiver serve --etcd … --s3 …` processes, the
 * client connected to the standby (its connections pass to the write leader), with the
 * same expected results as standalone.
 */
import { randomUUID } from 'node:crypto';
import { startEtcd } from '../helpers/etcd.ts';
import { startQuiverNode } from '../helpers/quiver-node.ts';
import { startS3rver } from '../helpers/s3rver.ts';
import type { TestServer } from '../helpers/server.ts';
import { describeSqlTests } from '../slt/suite.ts';

async function startCluster(): Promise<TestServer> {
  const [etcd, s3] = await Promise.all([startEtcd(), startS3rver()]);
  const setup = { etcd: etcd.endpoints, s3, cluster: `slt${randomUUID().slice(0, 8)}`, leaseTtlSeconds: 10 };
  const leader = await startQuiverNode(setup, 'n1');
  await leader.leading();
  const standby = await startQuiverNode(setup, 'n2');
  const close = async () => {
    await standby.kill('SIGKILL');
    await leader.kill('SIGKILL');
    await etcd.close();
    await s3.close();
  };
  const port = standby.port;
  return {
    host: '127.0.0.1',
    port,
    user: 'quiver',
    database: 'quiver',
    // The results must be standalone Quiver's.
    kind: 'quiver',
    env: { PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: 'quiver', PGDATABASE: 'quiver' },
    close,
    [Symbol.asyncDispose]: close,
  };
}

describeSqlTests('sql-tests through a cluster standby', startCluster, 120_000);
