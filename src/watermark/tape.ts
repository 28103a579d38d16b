/**
 * A set of fixed-size byte messages (PRF inputs) with open addressing: the de-duplication "tape"
 * of detection and audits, and the exclusion set of prompt windows. Exact (bytes are compared on
 * a hash hit), allocation-free per lookup, and bounded.
 */
import { WatermarkError } from './errors.js';

/**
 * Most entries one tape holds (16.7M distinct PRF inputs ≈ 400 MB with the table). A radioactivity
 * audit of ~250k scored tokens (Sander et al.'s largest) is far below it.
 */
export const MAX_TAPE_ENTRIES = 1 << 24;

/** A set of messages of `width` bytes. */
export class MessageSet {
  readonly width: number;
  private arena: Uint8Array;
  private table: Int32Array;
  private mask: number;
  private count = 0;

  constructor(width: number, initialCapacity = 1024) {
    if (width % 4 !== 0)
      throw new WatermarkError('BAD_PARAMS', 'message width must be a multiple of 4');
    this.width = width;
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.table = new Int32Array(cap * 2).fill(-1);
    this.mask = cap - 1;
    this.arena = new Uint8Array(Math.max(1, initialCapacity) * width);
  }

  /** Number of messages held. */
  get size(): number {
    return this.count;
  }

  private hash(buf: Uint8Array, off: number): number {
    // Four bytes per step (messages are whole 16-byte blocks), murmur3-style mixing.
    let h = 0x9747b28c;
    for (let i = 0; i < this.width; i += 4) {
      let k =
        (buf[off + i] as number) |
        ((buf[off + i + 1] as number) << 8) |
        ((buf[off + i + 2] as number) << 16) |
        ((buf[off + i + 3] as number) << 24);
      k = Math.imul(k, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      h ^= Math.imul(k, 0x1b873593);
      h = (h << 13) | (h >>> 19);
      h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    return h >>> 0;
  }

  private equals(idx: number, buf: Uint8Array, off: number): boolean {
    const a = idx * this.width;
    for (let i = 0; i < this.width; i++) if (this.arena[a + i] !== buf[off + i]) return false;
    return true;
  }

  /** Slot (even index into `table`, which holds [hash, entry] pairs) for the message. */
  private slot(buf: Uint8Array, off: number, h: number): number {
    let s = (h & this.mask) << 1;
    for (;;) {
      const idx = this.table[s + 1] as number;
      // the stored hash is compared first, so the arena is only touched on a probable match
      if (idx < 0 || ((this.table[s] as number) === (h | 0) && this.equals(idx, buf, off)))
        return s;
      s = (s + 2) & ((this.mask << 1) | 1);
    }
  }

  /** True when the message at `buf[off, off+width)` is in the set. */
  has(buf: Uint8Array, off: number): boolean {
    return (this.table[this.slot(buf, off, this.hash(buf, off)) + 1] as number) >= 0;
  }

  /** Add the message; true when it was new. */
  add(buf: Uint8Array, off: number): boolean {
    const h = this.hash(buf, off);
    const s = this.slot(buf, off, h);
    if ((this.table[s + 1] as number) >= 0) return false;
    if (this.count >= MAX_TAPE_ENTRIES)
      throw new WatermarkError(
        'LIMIT_EXCEEDED',
        `more than ${MAX_TAPE_ENTRIES} distinct windows in one audit`,
      );
    if ((this.count + 1) * this.width > this.arena.length) {
      const bigger = new Uint8Array(this.arena.length * 2);
      bigger.set(this.arena);
      this.arena = bigger;
    }
    const a = this.count * this.width;
    for (let i = 0; i < this.width; i++) this.arena[a + i] = buf[off + i] as number;
    this.table[s] = h | 0;
    this.table[s + 1] = this.count++;
    if (this.count * 2 > this.mask + 1) this.rehash();
    return true;
  }

  private rehash(): void {
    const cap = (this.mask + 1) * 2;
    const old = this.table;
    this.table = new Int32Array(cap * 2).fill(-1);
    this.mask = cap - 1;
    for (let j = 0; j < old.length; j += 2) {
      const idx = old[j + 1] as number;
      if (idx < 0) continue;
      const h = old[j] as number;
      let s = (h & this.mask) << 1;
      while ((this.table[s + 1] as number) >= 0) s = (s + 2) & ((this.mask << 1) | 1);
      this.table[s] = h;
      this.table[s + 1] = idx;
    }
  }
}
