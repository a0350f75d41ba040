/**
 * What the cluster benchmarks share: a pg connection to a node on loopback, and the `items`
 * table of a dataset loaded through the write leader with an HNSW index and checkpointed
 * (rows and index file in object storage, as a long-running cluster has them).
 */
import pg from 'pg';
import type { Dataset } from './dataset.ts';
import { SqlTarget } from './sql-target.ts';

export async function connectNode(port: number, options?: string): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'quiver', database: 'quiver', options });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Loads `dataset` into `items` with COPY and an HNSW index (m 16, ef_construction 64), then CHECKPOINT; returns the connection. */
export async function loadCheckpointedItems(leaderPort: number, dataset: Dataset): Promise<pg.Client> {
  const target = await SqlTarget.connect({
    name: 'quiver',
    hostPort: `127.0.0.1:${leaderPort}`,
    user: 'quiver',
    database: 'quiver',
    connections: 1,
    table: 'items',
  });
  // Not closed: closing drops the table (the benchmarks kill the nodes at the end anyway).
  await target.build(dataset, { kind: 'hnsw', m: 16, efConstruction: 64, lists: 0 });
  const admin = await connectNode(leaderPort);
  await admin.query('CHECKPOINT');
  return admin;
}
