/**
 * Seeded random input for the fuzz tests: the same seed makes the same frames, so a failure is reproduced by
 * running the test again with FUZZ_SEED=<seed> (the test prints the seed it used).
 */

/** mulberry32: small, fast, good enough to pick test inputs; never for anything secret. */
export class Prng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** [0, 1) */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }

  string(max = 40): string {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-./_"\\ {}[]:,\u00e9\u4e2d\u{1f600}\u0000';
    const chars = Array.from(alphabet);
    return Array.from({ length: this.int(max + 1) }, () => this.pick(chars)).join('');
  }
}

/** The seed of this run: FUZZ_SEED when set, else a fresh one. */
export function fuzzSeed(): number {
  const given = process.env.FUZZ_SEED;
  return given ? Number(given) >>> 0 : Math.floor(Math.random() * 2 ** 32);
}

/** Any JSON value, nested up to `depth`. */
export function randomJson(r: Prng, depth = 4): unknown {
  const leaves = [
    () => null,
    () => r.int(2) === 0,
    () => r.int(2 ** 31) - 2 ** 30,
    () => r.next() * 1e300,
    () => r.string(),
  ];
  if (depth <= 0 || r.int(3) === 0) return r.pick(leaves)();
  if (r.int(2) === 0) return Array.from({ length: r.int(5) }, () => randomJson(r, depth - 1));
  const obj: Record<string, unknown> = {};
  for (let i = r.int(5); i > 0; i--)
    obj[r.pick(['subscribe', 'unsubscribe', r.string(10)])] = randomJson(r, depth - 1);
  return obj;
}

/** `[[[…]]]` or `{"a":{"a":…}}` nested `depth` deep, as text. */
export function deepJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? '['.repeat(depth) + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}
