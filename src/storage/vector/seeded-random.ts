/**
 * A small seeded PRNG so index builds (HNSW levels, k-means sampling) and generated test
 * data are reproducible: the same rows in the same order give the same index, which makes
 * recall regressions bisectable. Not cryptographic.
 */
export class SeededRandom {
  private state: number;
  private spareGaussian: number | undefined;

  constructor(seed: number) {
    // Mix the seed once so small consecutive seeds (1, 2, 3) give unrelated streams.
    this.state = SeededRandom.mix(seed >>> 0 || 0x9e3779b9);
  }

  /**
   * The generator's position, so a saved index (an HNSW graph drawing node levels) continues
   * the same sequence after a load. The spare Gaussian is not part of it: restore() drops it.
   */
  get position(): number {
    return this.state;
  }

  restore(position: number): void {
    this.state = position | 0;
    this.spareGaussian = undefined;
  }

  /** Uniform in [0, 1), 32 bits of resolution (mulberry32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  gaussian(): number {
    if (this.spareGaussian !== undefined) {
      const value = this.spareGaussian;
      this.spareGaussian = undefined;
      return value;
    }
    let u = this.next();
    while (u === 0) u = this.next();
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareGaussian = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  private static mix(x: number): number {
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
    return (x ^ (x >>> 16)) | 0;
  }
}
