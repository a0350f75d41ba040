/**
 * Hands out Float32Array views over shared blocks, so a bulk load (COPY) does not allocate
 * one ArrayBuffer per vector: each off-heap backing store costs V8 far more than the view.
 * Blocks start small (a three-row COPY keeps little alive) and grow to MAX_BLOCK floats; a
 * view keeps its whole block alive, which a load's rows share anyway.
 */
const FIRST_BLOCK = 4096;
const MAX_BLOCK = 1 << 18;

/** Hands out zero-filled float views for decoders to fill (COPY's fast decoders take one). */
export interface Float32Allocator {
  /**
   * A view of `n` floats no other view overlaps; until the next call it lies in
   * `blockWords` from its byteOffset / 4 on.
   */
  take(n: number): Float32Array;
  readonly blockWords: Uint32Array;
}

export class Float32Slab implements Float32Allocator {
  private block = new Float32Array(0);
  /** The current block as 32-bit words (a view made once per block). */
  blockWords = new Uint32Array(0);
  private used = 0;
  private nextSize = FIRST_BLOCK;

  /**
   * A zero-filled view of `n` floats that no other view overlaps; until the next call it
   * lies in `blockWords` from its byteOffset / 4 on.
   */
  take(n: number): Float32Array {
    if (this.used + n > this.block.length) {
      const size = Math.max(n, this.nextSize);
      this.nextSize = Math.min(MAX_BLOCK, this.nextSize * 2);
      this.block = new Float32Array(size);
      this.blockWords = new Uint32Array(this.block.buffer);
      this.used = 0;
    }
    const view = this.block.subarray(this.used, this.used + n);
    this.used += n;
    return view;
  }
}
