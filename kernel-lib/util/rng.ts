/**
 * Seeded random numbers. Every random draw in molcache comes from an {@link Rng} passed in explicitly,
 * so the same seed gives the same molecules. The state is four 32-bit words and can be saved and restored
 * (training checkpoints resume exactly).
 *
 * Algorithm: xoshiro128** (Blackman & Vigna), seeded through splitmix32.
 */

/** Serialisable generator state: four unsigned 32-bit words. */
export type RngState = readonly [number, number, number, number];

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * A seeded pseudo-random generator (xoshiro128**). Every random draw in molcache comes from one passed explicitly.
 * @example
 * const rng = new Rng(0);
 * rng.uniform(); // in [0, 1); the same sequence for the same seed
 */
export class Rng {
  private s: Uint32Array;
  /** A cached second normal deviate from Box–Muller (NaN when empty). */
  private spareNormal = NaN;

  /**
   * @param seed any integer (only the low 32 bits are used, plus the high bits mixed in).
   * @example
   * const rng = new Rng(0); rng.uniform(); // a number in [0, 1)
   */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`invalid seed: ${seed}; pass a finite integer`);
    const next = splitmix32((seed >>> 0) ^ Math.floor(seed / 2 ** 32));
    this.s = new Uint32Array([next(), next(), next(), next()]);
    if (this.s.every((w) => w === 0)) this.s[0] = 1;
  }

  /** A generator restored from {@link Rng.state}. */
  static fromState(state: RngState): Rng {
    const r = new Rng(0);
    r.s = Uint32Array.from(state);
    return r;
  }

  /** The current state (the spare normal deviate is dropped, so save only between whole draws). */
  state(): RngState {
    return [this.s[0], this.s[1], this.s[2], this.s[3]];
  }

  /** A uniform unsigned 32-bit integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A uniform float in [0, 1) with 32 bits of randomness. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1)) throw new Error(`invalid range: ${n}; need n >= 1`);
    return Math.floor(this.uniform() * n);
  }

  /** A standard normal deviate (Box–Muller). */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const v = this.spareNormal;
      this.spareNormal = NaN;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fill a new Float32Array with standard normal deviates. */
  normals(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal();
    return out;
  }

  /** Fill a new Float32Array with uniforms in [0, 1). */
  uniforms(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.uniform();
    return out;
  }

  /** Draw an index with probability proportional to `weights` (non-negative, some mass). */
  categorical(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i];
    if (!(total > 0)) throw new Error("categorical weights have no mass; give at least one positive weight");
    let u = this.uniform() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) return i;
    }
    return weights.length - 1;
  }

  /** A child generator whose stream depends only on this seed path (used to derive per-batch seeds). */
  static derive(seed: number, ...path: number[]): Rng {
    let h = seed >>> 0;
    for (const p of path) h = splitmix32(h ^ Math.imul(p + 1, 0x9e3779b1))();
    return new Rng(h);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
