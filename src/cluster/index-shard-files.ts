/**
 * Index shard files in object storage: the newest file some holder wrote of each shard of a
 * sharded vector index (`<index oid>/shard-<k>.idx`), so a node given a shard — a failover,
 * a new node, every node after a restart of the cluster — loads the graph and adds the rows
 * written since (engine/index-shard-build.ts loadIndexShard) instead of building it from
 * every row. Any holder may overwrite a file: each one it writes is the shard as it held it.
 */
import { ObjectNotFoundError, type ObjectStore } from '../storage/object-store/object-store.ts';

export class IndexShardFiles {
  constructor(private readonly objects: ObjectStore) {}

  private key(indexOid: number, shard: number): string {
    return `${indexOid}/shard-${shard}.idx`;
  }

  /** The file of shard `shard` of index `indexOid`, or null when no holder wrote one. */
  async read(indexOid: number, shard: number): Promise<Uint8Array | null> {
    try {
      return await this.objects.get(this.key(indexOid, shard));
    } catch (error) {
      if (error instanceof ObjectNotFoundError) return null;
      throw error;
    }
  }

  async write(indexOid: number, shard: number, bytes: Uint8Array): Promise<void> {
    await this.objects.put(this.key(indexOid, shard), bytes);
  }

  /** Deletes the files of every index but these (dropped indexes' files). */
  async keepOnly(indexOids: ReadonlySet<number>): Promise<void> {
    for (const { key } of await this.objects.list('')) {
      if (!indexOids.has(Number(key.split('/')[0]))) await this.objects.delete(key);
    }
  }
}
