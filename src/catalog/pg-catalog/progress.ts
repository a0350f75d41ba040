/**
 * pg_stat_progress_create_index: one row per CREATE INDEX building right now (vector
 * indexes over many rows build in a worker thread and report rows done as they go).
 * Phase names follow pgvector's HNSW build ("building index: loading tuples").
 */
import { relation } from './relation.ts';

export const progressViews = [
  relation(
    'pg_stat_progress_create_index',
    12312,
    'pid int4, datid oid, datname name, relid oid, index_relid oid, command text, phase text, ' +
      'lockers_total int8, lockers_done int8, current_locker_pid int8, blocks_total int8, ' +
      'blocks_done int8, tuples_total int8, tuples_done int8, partitions_total int8, partitions_done int8',
    (ctx) =>
      [...ctx.catalog.indexBuilds.values()].map((p) => ({
        pid: p.pid,
        datid: p.database.oid,
        datname: p.database.name,
        relid: p.table.oid,
        index_relid: p.index.oid,
        command: 'CREATE INDEX',
        phase: p.phase,
        tuples_total: BigInt(p.tuplesTotal),
        tuples_done: BigInt(p.tuplesDone),
      })),
    {
      lockers_total: 0n,
      lockers_done: 0n,
      current_locker_pid: 0n,
      blocks_total: 0n,
      blocks_done: 0n,
      partitions_total: 0n,
      partitions_done: 0n,
    },
    'v',
  ),
];
