/**
 * Hashing helpers of the probe: SHA-256 (FIPS 180-4) digests, a canonical JSON encoding so that
 * equal requests hash equally, and a deterministic pseudo-random stream derived from a secret
 * seed by SHA-256 in counter mode (NIST SP 800-90A Hash_DRBG in spirit: output block i is
 * SHA-256(seed ‖ label ‖ i)). The stream is specified byte for byte so that anyone holding the
 * revealed seed can regenerate the exact battery in any language.
 */
import { createHash } from 'node:crypto';

/** SHA-256 of a string (UTF-8) or bytes, as lowercase hex. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Canonical JSON: object keys sorted by UTF-16 code unit, no whitespace, `undefined` members
 * dropped, non-finite numbers rejected (they have no JSON form). Used for cache keys and digests.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new RangeError(`canonicalJson: non-finite number`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v: unknown) => canonicalJson(v)).join(',')}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot encode ${typeof value}`);
  }
}

/**
 * A deterministic stream of uniform numbers from (seed, label): block i is
 * SHA-256(utf8(seed) ‖ 0x00 ‖ utf8(label) ‖ 0x00 ‖ u32be(i)), consumed as big-endian u32 words.
 */
export class SeededStream {
  private block = 0;
  private words: Uint32Array = new Uint32Array(0);
  private pos = 0;

  constructor(
    private readonly seed: string,
    private readonly label: string,
  ) {}

  /** Next uniform 32-bit unsigned integer. */
  nextU32(): number {
    if (this.pos >= this.words.length) this.refill();
    const w = this.words[this.pos] ?? 0;
    this.pos++;
    return w;
  }

  /** Uniform integer in [0, n) without modulo bias (rejection sampling). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x1_0000_0000)
      throw new RangeError(`SeededStream.int: bad range ${n}`);
    const limit = Math.floor(0x1_0000_0000 / n) * n;
    for (;;) {
      const u = this.nextU32();
      if (u < limit) return u % n;
    }
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  float(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniformly chosen element. */
  pick<T>(items: readonly T[]): T {
    const v = items[this.int(items.length)];
    if (v === undefined) throw new RangeError('SeededStream.pick: empty list');
    return v;
  }

  private refill(): void {
    const ctr = Buffer.alloc(4);
    ctr.writeUInt32BE(this.block, 0);
    const d = createHash('sha256')
      .update(this.seed, 'utf8')
      .update(Buffer.from([0]))
      .update(this.label, 'utf8')
      .update(Buffer.from([0]))
      .update(ctr)
      .digest();
    this.block++;
    const w = new Uint32Array(8);
    for (let i = 0; i < 8; i++) w[i] = d.readUInt32BE(i * 4);
    this.words = w;
    this.pos = 0;
  }
}
