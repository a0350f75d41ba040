import { describe, expect, it } from 'vitest';
import { ClusterKeys, parseSegmentId, segmentId } from './keys.ts';

describe('ClusterKeys', () => {
  const keys = new ClusterKeys('prod');

  it('puts every key under /quiver/<cluster>/', () => {
    const ref = { table: '16384', shard: 7 };
    const all = [
      keys.node('n1'),
      keys.catalogVersion,
      keys.catalogObject('table', '16384'),
      keys.shardLeader(ref),
      keys.shardEpoch(ref),
      keys.shardWal(ref),
      keys.segment(segmentId('16384', 'g3-100')),
      keys.assignment('16384/g3-100'),
      keys.loadedReport('16384/g3-100', 'n1'),
      keys.tsoWindow,
      keys.tsoLeader,
      keys.tsoEpoch,
      keys.rebalancerLeader,
      keys.rebalancerEpoch,
    ];
    for (const key of all) expect(key.startsWith('/quiver/prod/')).toBe(true);
    expect(new Set(all).size).toBe(all.length);
    expect(keys.shardLeader(ref)).toBe('/quiver/prod/shards/16384/00007/leader');
    expect(keys.loadedReport('16384/g3-100', 'n1')).toBe('/quiver/prod/loaded/16384/g3-100/n1');
  });

  it('keeps prefixes of one kind from matching another', () => {
    expect(keys.node('n1').startsWith(keys.nodes)).toBe(true);
    expect(keys.shards('1')).toBe('/quiver/prod/shards/1/');
    expect(keys.shardLeader({ table: '10', shard: 0 }).startsWith(keys.shards('1'))).toBe(false);
    expect(keys.shardLeader({ table: '1', shard: 10 }) > keys.shardLeader({ table: '1', shard: 9 })).toBe(
      true,
    );
  });

  it('rejects names that would break the layout with 22023', () => {
    expect(() => new ClusterKeys('a/b')).toThrow(/invalid cluster name "a\/b"/);
    expect(() => keys.node('')).toThrow(/invalid node id/);
    expect(() => keys.node('../x')).toThrow(/invalid node id/);
    expect(() => keys.shard({ table: 't', shard: -1 })).toThrow(/invalid shard number -1/);
    expect(() => parseSegmentId('nosegment')).toThrow(/expected <table>\/<segment>/);
    try {
      keys.node('a b');
    } catch (error) {
      expect(error).toMatchObject({ code: '22023' });
    }
  });
});
