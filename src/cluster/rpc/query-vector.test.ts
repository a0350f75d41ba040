import { describe, expect, it } from 'vitest';
import { BitString } from '../../types/bit.ts';
import { HalfVector } from '../../types/halfvec.ts';
import { SparseVector } from '../../types/sparsevec.ts';
import { searchRequestFromWire, searchRequestToWire, type WireSearchCall } from './proto-codec.ts';
import { decodeQueryVector, encodeQueryVector, type QueryValue } from './query-vector.ts';
import { quiverNodeService } from './quiver-service.ts';

/** Through the real protobuf encoding of SearchRequest, not just our own byte layout. */
function overTheWire(value: QueryValue): QueryValue {
  const method = quiverNodeService().SearchSegments!;
  const bytes = method.requestSerialize({
    callId: 1,
    timeoutMs: 0,
    request: searchRequestToWire({
      tableId: 1n,
      segmentIds: [],
      shardIds: [],
      attnum: 1,
      metric: 'l2',
      query: encodeQueryVector(value),
      k: 1,
      snapshotTs: 0n,
      consistency: 'strong',
    }),
  });
  const call = method.requestDeserialize(bytes) as WireSearchCall;
  return decodeQueryVector(searchRequestFromWire(call.request!).query);
}

describe('query vectors', () => {
  it('round-trip vector, halfvec, sparsevec and bit values exactly', () => {
    const vector = new Float32Array([1.5, -0, 3.4028234663852886e38, 1e-45, Number.NaN]);
    const back = overTheWire(vector) as Float32Array;
    expect(Buffer.from(back.buffer).equals(Buffer.from(vector.buffer))).toBe(true);

    const half = HalfVector.fromFloats([0.5, -2, 65504]);
    expect((overTheWire(half) as HalfVector).bits).toEqual(half.bits);

    const sparse = new SparseVector(1000, new Int32Array([0, 7, 999]), new Float32Array([1, -2.5, 3]));
    expect(overTheWire(sparse)).toEqual(sparse);

    const bits = BitString.fromBinary('1011000011');
    expect((overTheWire(bits) as BitString).toString()).toBe('1011000011');
  });

  it('rejects bytes that do not match the declared dimensions with 08P01', () => {
    expect(() => decodeQueryVector({ type: 'vector', dimensions: 3, data: new Uint8Array(8) })).toThrow(
      'malformed query vector: vector(3) needs 12 bytes, got 8',
    );
    const sparse = encodeQueryVector(new SparseVector(10, new Int32Array([2, 5]), new Float32Array([1, 1])));
    expect(() => decodeQueryVector({ ...sparse, dimensions: 4 })).toThrow(/index 5 out of order or past 4/);
    const thrown = (() => {
      try {
        decodeQueryVector({ type: 'bit', dimensions: 9, data: new Uint8Array(1) });
      } catch (err) {
        return err;
      }
    })();
    expect(thrown).toMatchObject({
      code: '08P01',
      message: 'malformed query vector: bit(9) needs 2 bytes, got 1',
    });
  });
});
