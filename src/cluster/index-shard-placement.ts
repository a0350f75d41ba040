/**
 * Which nodes hold which shards of sharded vector indexes (CREATE INDEX … WITH (shards = n)),
 * through the rebalancer (rebalancer.ts) as segments are placed: each index shard is a
 * "segment" `index-<index oid>/shard-<k>` whose record the write leader publishes; the
 * rebalancer assigns it to R nodes (two-phase moves); each node builds the shards assigned
 * to it from its copy of the rows, releases the others once the rebalancer no longer names
 * it, and reports what it holds (`loaded/…` on its lease, gone when it dies). Coordinators
 * search a shard on a node that reported it (index-shard-search.ts).
 *
 * Rows are on every node (one WAL, followed by every replica); the shards spread the graph
 * — its memory and the CPU of keeping it up to date and searching it — over the nodes.
 */
import type { Catalog } from '../catalog/catalog.ts';
import type { IndexDef } from '../catalog/catalog-types.ts';
import {
  buildIndexShard,
  indexShardFile,
  loadIndexShard,
  shardedIndexOf,
} from '../engine/index-shard-build.ts';
import type { OpsLog } from '../engine/ops-log.ts';
import type { Lease, MetaStore } from '../meta/meta-store.ts';
import type { IndexShardFiles } from './index-shard-files.ts';
import { type ClusterKeys, type SegmentId, segmentId } from './keys.ts';
import { dropLoaded, reportLoaded, segmentsOf } from './node-assignments.ts';
import { openPrefixView, type PrefixView } from './prefix-view.ts';
import type { AssignmentRecord, SegmentRecord } from './rebalancer.ts';

const TABLE_PREFIX = 'index-';

export function indexShardId(indexOid: number, shard: number): SegmentId {
  return segmentId(`${TABLE_PREFIX}${indexOid}`, `shard-${shard}`);
}

function isIndexShardId(id: string): boolean {
  return id.startsWith(TABLE_PREFIX);
}

/** Every sharded vector index of the catalog. */
export function shardedIndexes(catalog: Catalog): IndexDef[] {
  const out: IndexDef[] = [];
  for (const table of catalog.tables())
    for (const index of table.indexes) if ((index.options.shards ?? 1) > 1) out.push(index);
  return out;
}

/**
 * The write leader's part: a segment record for every shard of every sharded index, none for
 * dropped ones. `published` is a live view of the segment records.
 */
export async function publishIndexShards(
  meta: MetaStore,
  keys: ClusterKeys,
  catalog: Catalog,
  published: PrefixView,
  files: IndexShardFiles | null,
): Promise<void> {
  const wanted = new Map<SegmentId, SegmentRecord>();
  for (const index of shardedIndexes(catalog)) {
    const shards = index.options.shards;
    // The rebalancer evens out bytes among equal counts: the shard's share of the vectors.
    const bytes = Math.ceil((index.table.store.capacity * index.keyType.typmod * 4) / shards);
    const replicas = index.options.replicas;
    for (let shard = 0; shard < shards; shard++)
      wanted.set(indexShardId(index.oid, shard), { bytes, replicas });
  }
  for (const id of wanted.keys()) {
    if (!published.entries.has(id)) await meta.put(keys.segment(id), JSON.stringify(wanted.get(id)));
  }
  let dropped = false;
  for (const id of published.entries.keys()) {
    if (!isIndexShardId(id) || wanted.has(id)) continue;
    await meta.delete(keys.segment(id));
    dropped = true;
  }
  // The files of dropped indexes go once their shards are no longer placed.
  if (dropped) await files?.keepOnly(new Set(shardedIndexes(catalog).map((index) => index.oid)));
}

export interface IndexShardHolderOptions {
  readonly meta: MetaStore;
  readonly keys: ClusterKeys;
  readonly nodeId: string;
  readonly lease: Lease;
  /** The catalog this node searches now: the leader's, or its replica's current copy. */
  readonly catalog: () => Catalog | null;
  /** Where holders keep their shards' files (null: every shard is built from the rows). */
  readonly files: IndexShardFiles | null;
  readonly log: OpsLog;
}

/** How often the holder looks at the current copy (a new copy after DDL, rows truncated). */
const RECONCILE_MS = 500;

/**
 * A held shard's file is written again once the shard has grown by half since its last
 * file (and by this many rows): a node that loads it then adds at most a third of the rows.
 */
const REWRITE_MIN_ROWS = 1_000;

/** A node's side: holds the shards assigned to it, reports them, and knows who holds what. */
export class IndexShardHolder {
  private assignments: PrefixView | null = null;
  private loaded: PrefixView | null = null;
  /** Shards this node reported, as `<segment id>`. */
  private readonly reported = new Set<SegmentId>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private closed = false;
  /** Rows of the newest file of each shard this node holds (one it loaded or wrote). */
  private readonly filed = new Map<SegmentId, number>();

  private constructor(private readonly options: IndexShardHolderOptions) {}

  static async start(options: IndexShardHolderOptions): Promise<IndexShardHolder> {
    const holder = new IndexShardHolder(options);
    const { meta, keys } = options;
    holder.assignments = await openPrefixView(meta, keys.assignments, () => holder.poke());
    holder.loaded = await openPrefixView(meta, keys.loaded);
    holder.timer = setInterval(() => holder.poke(), RECONCILE_MS);
    holder.timer.unref();
    holder.poke();
    return holder;
  }

  /** Nodes that reported holding shard `shard` of index `indexOid`. */
  holders(indexOid: number, shard: number): string[] {
    const prefix = `${indexShardId(indexOid, shard)}/`;
    const nodes: string[] = [];
    for (const name of this.loaded?.entries.keys() ?? [])
      if (name.startsWith(prefix)) nodes.push(name.slice(prefix.length));
    return nodes;
  }

  /**
   * Whether shard `shard` of index `indexOid` is held by some node ('held'), cannot be
   * (placed on no node: none takes shards), or not yet.
   */
  placed(indexOid: number, shard: number): 'held' | 'nowhere' | 'pending' {
    if (this.holders(indexOid, shard).length > 0) return 'held';
    const assignment = this.assignments?.entries.get(indexShardId(indexOid, shard));
    if (assignment === undefined) return 'pending';
    const record = JSON.parse(assignment) as AssignmentRecord;
    return record.replicas.length === 0 && record.retiring.length === 0 ? 'nowhere' : 'pending';
  }

  /** Looks again now (a new copy, a new assignment); one pass at a time. */
  poke(): void {
    if (this.closed || this.running) return;
    this.running = this.reconcile()
      .catch((err: unknown) => this.options.log.warn({ err }, 'could not place index shards'))
      .finally(() => {
        this.running = null;
      });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.running;
    await Promise.all([this.assignments?.close(), this.loaded?.close()]);
  }

  private async reconcile(): Promise<void> {
    const catalog = this.options.catalog();
    const assignments = this.assignments?.entries;
    if (!catalog || !assignments) return;
    const mine = segmentsOf(assignments, this.options.nodeId);
    const holding = new Set<SegmentId>();
    for (const index of shardedIndexes(catalog)) {
      const sharded = shardedIndexOf(index);
      if (!sharded) continue;
      for (let shard = 0; shard < sharded.shardCount; shard++) {
        const id = indexShardId(index.oid, shard);
        const given = mine.has(id);
        // Before the rebalancer placed it (a new index), a shard stays where it was built.
        if (assignments.has(id) && !given && sharded.holds(shard)) {
          sharded.release(shard);
          this.filed.delete(id);
          this.options.log.info({ index: index.name, shard }, 'released an index shard');
        }
        if (given && !sharded.holds(shard) && !(await this.take(index, shard))) continue;
        if (this.closed || this.options.catalog() !== catalog) return;
        if (given && sharded.holds(shard)) holding.add(id);
      }
    }
    await this.report(holding);
    await this.file(catalog, holding);
  }

  /** Holds shard `shard` of `index`: from its file when there is a usable one, else built. */
  private async take(index: IndexDef, shard: number): Promise<boolean> {
    const id = indexShardId(index.oid, shard);
    const started = performance.now();
    const bytes = await this.options.files?.read(index.oid, shard);
    const loaded = bytes ? await loadIndexShard(index, shard, bytes) : null;
    const millis = () => Math.round(performance.now() - started);
    if (loaded) {
      this.filed.set(id, shardedIndexOf(index)?.shard(shard)?.size() ?? 0);
      this.options.log.info(
        { index: index.name, shard, millis: millis(), ...loaded },
        'loaded an index shard',
      );
      return true;
    }
    if (!(await buildIndexShard(index, shard))) return false;
    this.options.log.info(
      { index: index.name, shard, millis: millis(), file: bytes ? 'refused' : 'none' },
      'built an index shard',
    );
    return true;
  }

  /** Writes the files of held shards that have none from this node yet, or have outgrown theirs. */
  private async file(catalog: Catalog, holding: ReadonlySet<SegmentId>): Promise<void> {
    const files = this.options.files;
    if (!files) return;
    for (const index of shardedIndexes(catalog)) {
      const sharded = shardedIndexOf(index);
      for (let shard = 0; shard < (sharded?.shardCount ?? 0); shard++) {
        const id = indexShardId(index.oid, shard);
        const rows = sharded?.shard(shard)?.size() ?? 0;
        const filed = this.filed.get(id);
        if (
          !holding.has(id) ||
          (filed !== undefined && (rows < filed * 1.5 || rows - filed < REWRITE_MIN_ROWS))
        ) {
          continue;
        }
        const file = await indexShardFile(index, shard);
        if (!file || this.closed) continue;
        await files.write(index.oid, shard, file.bytes);
        this.filed.set(id, file.rows);
        this.options.log.info(
          { index: index.name, shard, rows: file.rows, bytes: file.bytes.length },
          'wrote an index shard file',
        );
      }
    }
  }

  /** Reports exactly `holding` as this node's (on its lease). */
  private async report(holding: ReadonlySet<SegmentId>): Promise<void> {
    const { meta, keys, nodeId, lease } = this.options;
    for (const id of holding) {
      if (this.reported.has(id)) continue;
      await reportLoaded(meta, keys, id, nodeId, lease);
      this.reported.add(id);
    }
    for (const id of [...this.reported]) {
      if (holding.has(id)) continue;
      await dropLoaded(meta, keys, id, nodeId);
      this.reported.delete(id);
    }
  }
}
