/**
 * Where cluster metadata lives in the MetaStore (DESIGN §5): every key of a cluster is under
 * `/quiver/<cluster>/`, so several clusters (and tests) share one etcd. README.md has the
 * table of keys and values. Names that become key segments (cluster, node, table and segment
 * ids) may not contain `/`, so a prefix of one kind never matches keys of another.
 */
import { SqlError } from '../errors/sql-error.ts';
import { SqlState } from '../errors/sqlstate.ts';

/** A shard of a table: the table's stable id (not its name, which can change) and shard number. */
export interface ShardRef {
  readonly table: string;
  readonly shard: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Throws a 22023 error unless `name` is usable as one key segment. */
export function assertKeyName(kind: string, name: string): void {
  if (!NAME.test(name)) {
    throw new SqlError(
      SqlState.InvalidParameterValue,
      `invalid ${kind} ${JSON.stringify(name)}: use 1–128 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
}

/** Shard numbers are zero-padded so a shard's keys list in numeric order. */
function shardSegment(shard: number): string {
  if (!Number.isInteger(shard) || shard < 0 || shard > 99_999) {
    throw new SqlError(SqlState.InvalidParameterValue, `invalid shard number ${shard}: expected 0–99999`);
  }
  return String(shard).padStart(5, '0');
}

export class ClusterKeys {
  readonly root: string;

  constructor(readonly cluster: string) {
    assertKeyName('cluster name', cluster);
    this.root = `/quiver/${cluster}/`;
  }

  // Membership: one key per live node, attached to the node's lease.
  get nodes(): string {
    return `${this.root}nodes/`;
  }
  node(nodeId: string): string {
    assertKeyName('node id', nodeId);
    return `${this.nodes}${nodeId}`;
  }

  // The write leader's engine state (catalog image, checkpoint manifests) while one node
  // leads every table's writes (cluster-node.ts); written through FencedMetaStore only.
  get engine(): string {
    return `${this.root}engine/`;
  }

  // Proves a connection passed on by a standby comes from a node (sql-proxy.ts).
  get forwardingSecret(): string {
    return `${this.root}forwarding-secret`;
  }

  // Catalog: descriptors and the catalog version bumped with every DDL.
  get catalog(): string {
    return `${this.root}catalog/`;
  }
  get catalogVersion(): string {
    return `${this.catalog}version`;
  }
  catalogObject(kind: 'schema' | 'table' | 'index', id: string): string {
    assertKeyName(`${kind} id`, id);
    return `${this.catalog}${kind}/${id}`;
  }

  // Shards: leader (on the leader's lease), epoch (never decreases), WAL commit point.
  shards(table?: string): string {
    if (table === undefined) return `${this.root}shards/`;
    assertKeyName('table id', table);
    return `${this.root}shards/${table}/`;
  }
  shard(ref: ShardRef): string {
    return `${this.shards(ref.table)}${shardSegment(ref.shard)}/`;
  }
  shardLeader(ref: ShardRef): string {
    return `${this.shard(ref)}leader`;
  }
  shardEpoch(ref: ShardRef): string {
    return `${this.shard(ref)}epoch`;
  }
  shardWal(ref: ShardRef): string {
    return `${this.shard(ref)}wal`;
  }

  // Segments: one record per sealed segment (state, rows, bytes, object keys).
  segments(table?: string): string {
    if (table === undefined) return `${this.root}segments/`;
    assertKeyName('table id', table);
    return `${this.root}segments/${table}/`;
  }
  segment(id: SegmentId): string {
    const { table, segment } = parseSegmentId(id);
    return `${this.segments(table)}${segment}`;
  }

  // Assignments: which nodes hold each segment, written by the rebalancer.
  get assignments(): string {
    return `${this.root}assignments/`;
  }
  assignment(id: SegmentId): string {
    parseSegmentId(id);
    return `${this.assignments}${id}`;
  }

  // Loaded reports: a node says it serves a segment (on its lease, so they go when it does).
  get loaded(): string {
    return `${this.root}loaded/`;
  }
  loadedReport(id: SegmentId, nodeId: string): string {
    parseSegmentId(id);
    assertKeyName('node id', nodeId);
    return `${this.loaded}${id}/${nodeId}`;
  }

  // TSO: the persisted upper bound of handed-out timestamps and the holder's election.
  get tsoWindow(): string {
    return `${this.root}tso/window`;
  }
  get tsoLeader(): string {
    return `${this.root}tso/leader`;
  }
  get tsoEpoch(): string {
    return `${this.root}tso/epoch`;
  }

  // Rebalancer election: one active rebalancer per cluster.
  get rebalancerLeader(): string {
    return `${this.root}rebalancer/leader`;
  }
  get rebalancerEpoch(): string {
    return `${this.root}rebalancer/epoch`;
  }
}

/** `<table id>/<segment id>`: names a segment cluster-wide. */
export type SegmentId = string;

export function segmentId(table: string, segment: string): SegmentId {
  assertKeyName('table id', table);
  assertKeyName('segment id', segment);
  return `${table}/${segment}`;
}

export function parseSegmentId(id: SegmentId): { table: string; segment: string } {
  const slash = id.indexOf('/');
  const table = id.slice(0, slash);
  const segment = id.slice(slash + 1);
  if (slash < 0) {
    throw new SqlError(
      SqlState.InvalidParameterValue,
      `invalid segment id ${JSON.stringify(id)}: expected <table>/<segment>`,
    );
  }
  assertKeyName('table id', table);
  assertKeyName('segment id', segment);
  return { table, segment };
}
