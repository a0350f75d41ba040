/**
 * Where a kNN query's time goes on the server: a `quiver serve` child is loaded with clustered
 * vectors (binary COPY) and an HNSW index, then for each connection count a fixed number of
 * `SELECT id FROM t ORDER BY embedding <-> $1 LIMIT 10` (node-postgres, text parameter, as
 * knn.ts sends them) runs closed-loop, and the server's CPU time is read from /proc (Linux):
 * its event loop thread's user and system time per query, and the whole process's (thread
 * pool searches, GC threads). The search alone is what hnswlib takes in process
 * (`knn.ts --targets hnswlib`); the rest of the event loop's time is wire, parse, bind,
 * execute and the hand-off to the thread pool.
 *
 *   npx tsx bench/query-cpu.ts [--rows 100000] [--dims 128] [--ef 40] [--connections 1,2,4]
 *                              [--queries 20000] [--quiver-flags "…"]
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import postgres from 'postgres';
import { idVectorCopyBinary } from '../src/engine/testing/id-vector-copy.ts';
import { clusteredData } from '../src/storage/vector/testing/clustered-data.ts';
import { startQuiver } from './lib/quiver-server.ts';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    dims: { type: 'string', default: '128' },
    ef: { type: 'string', default: '40' },
    connections: { type: 'string', default: '1,2,4' },
    queries: { type: 'string', default: '20000' },
    'quiver-flags': { type: 'string', default: '' },
  },
});
const ROWS = Number(args.rows);
const DIMS = Number(args.dims);
const QUERIES = Number(args.queries);
const SEARCH = 'SELECT id FROM bench_cpu ORDER BY embedding <-> $1 LIMIT 10';

/** User and system CPU seconds of a process or thread, from its stat file. */
function cpuSeconds(statPath: string): { user: number; system: number } {
  const fields = readFileSync(statPath, 'utf8').split(') ')[1].split(' ');
  const ticks = 100; // USER_HZ on Linux
  return { user: Number(fields[11]) / ticks, system: Number(fields[12]) / ticks };
}

const server = await startQuiver(args['quiver-flags']!.split(' ').filter(Boolean));
try {
  const [host, port] = server.hostPort.split(':');
  const connection = { host, port: Number(port), user: 'quiver', database: 'quiver' };
  const data = clusteredData({ count: ROWS + 200, dimensions: DIMS, seed: 42 });
  const sql = postgres({ ...connection, max: 1, onnotice: () => {} });
  await sql`CREATE EXTENSION IF NOT EXISTS vector`;
  await sql.unsafe(`CREATE TABLE bench_cpu (id int PRIMARY KEY, embedding vector(${DIMS}))`);
  const writable = await sql.unsafe('COPY bench_cpu FROM STDIN (FORMAT binary)').writable();
  await pipeline(Readable.from([...idVectorCopyBinary(data.vectors.slice(0, ROWS), 2000)]), writable);
  await sql.unsafe('CREATE INDEX ON bench_cpu USING hnsw (embedding vector_l2_ops)');
  await sql.end();
  // Query vectors from the same distribution, not in the table.
  const queries = data.vectors.slice(ROWS).map((v) => `[${Array.from(v).join(',')}]`);

  console.log(`\n${ROWS} × vector(${DIMS}), HNSW m 16, ef_search ${args.ef}, ${QUERIES} queries per point\n`);
  console.log('| connections | QPS | event loop user µs/q | event loop system µs/q | process µs/q |');
  console.log('|---|---|---|---|---|');
  for (const c of args.connections!.split(',').map(Number)) {
    const clients = await Promise.all(
      Array.from({ length: c }, async () => {
        const client = new pg.Client(connection);
        await client.connect();
        await client.query(`SET hnsw.ef_search = ${Number(args.ef)}`);
        for (let i = 0; i < 200; i++) await client.query(SEARCH, [queries[i % queries.length]]);
        return client;
      }),
    );
    const thread = `/proc/${server.pid}/task/${server.pid}/stat`;
    const proc = `/proc/${server.pid}/stat`;
    const [t0, p0, started] = [cpuSeconds(thread), cpuSeconds(proc), performance.now()];
    let next = 0;
    await Promise.all(
      clients.map(async (client) => {
        while (next < QUERIES) await client.query(SEARCH, [queries[next++ % queries.length]]);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const [t1, p1] = [cpuSeconds(thread), cpuSeconds(proc)];
    const perQuery = (s: number) => ((s * 1e6) / QUERIES).toFixed(0);
    const processSeconds = p1.user + p1.system - p0.user - p0.system;
    console.log(
      `| ${c} | ${(QUERIES / seconds).toFixed(0)} | ${perQuery(t1.user - t0.user)} | ${perQuery(t1.system - t0.system)} | ${perQuery(processSeconds)} |`,
    );
    await Promise.all(clients.map((client) => client.end()));
  }
} finally {
  await server.close();
}
