/**
 * Float vectors appended to one growing buffer, so a bulk load (COPY) does not allocate one
 * ArrayBuffer per vector: each off-heap backing store costs V8 far more than the view. A
 * COPY batch's vectors share one buffer (copy-batch.ts), which can be handed to another
 * thread whole.
 */

/** Hands out zero-filled float views for decoders to fill (COPY's fast decoders take one). */
export interface Float32Allocator {
  /**
   * A view of `n` floats no other view overlaps; until the next call it lies in
   * `blockWords` from its byteOffset / 4 on.
   */
  take(n: number): Float32Array;
  readonly blockWords: Uint32Array;
}

const FIRST_SIZE = 4096;

export class Float32Appender implements Float32Allocator {
  private floats = new Float32Array(FIRST_SIZE);
  /** The buffer as 32-bit words (a view made once per buffer). */
  blockWords = new Uint32Array(this.floats.buffer);
  private used = 0;

  take(n: number): Float32Array {
    if (this.used + n > this.floats.length) {
      // Views taken before the growth keep pointing at the old buffer; their floats move along.
      const grown = new Float32Array(Math.max(this.floats.length * 2, this.used + n));
      grown.set(this.floats.subarray(0, this.used));
      this.floats = grown;
      this.blockWords = new Uint32Array(grown.buffer);
    }
    const view = this.floats.subarray(this.used, this.used + n);
    this.used += n;
    return view;
  }

  /**
   * The floats appended so far (a view's floats are at its byteOffset / 4 in it), and a fresh
   * buffer as big as they were for what comes next: the drained one may be transferred to
   * another thread.
   */
  drain(): Float32Array {
    const out = this.floats.subarray(0, this.used);
    this.floats = new Float32Array(Math.max(FIRST_SIZE, this.used));
    this.blockWords = new Uint32Array(this.floats.buffer);
    this.used = 0;
    return out;
  }
}
