/**
 * The keyed PRF every scheme uses (customs-wm/v1), specified so any implementation can reproduce
 * it from docs/watermark.md, with published test vectors.
 *
 * Subkey: K_d = HMAC-SHA256(master, "customs-wm/v1\0" ‖ domain) (see keys.ts); the domain names the
 * scheme, its context width and the purpose, e.g. `gumbel:h=4`.
 *
 * Message for a context window w (h tokens) and a token v: byte 0 = h; then the h window tokens
 * and v, each as a 3-byte little-endian integer (ids < 2^24); zero-padded to L = ⌈(1+3(h+1))/16⌉
 * 16-byte blocks. The encoding is injective and of fixed length for a given h, and h is inside
 * the message, so the message space is prefix-free.
 *
 * PRF output (16 bytes), two registered functions:
 * - `aes` (default): AES-256 CBC-MAC with a zero IV over the L blocks, keyed by K_d
 *   (FIPS 197; CBC-MAC is a PRF on fixed-length / prefix-free messages, Bellare–Kilian–Rogaway
 *   2000). For h ≤ 4 this is one AES block. Evaluated in batches through OpenSSL (AES-NI), which
 *   is what makes detection run at millions of tokens per second.
 * - `hmac`: the first 16 bytes of HMAC-SHA256(K_d, message) (RFC 2104). Slower; for deployments
 *   that want SHA-2 only.
 *
 * Derived values: uniform u = (⌊out[0..8) as u64 / 2^11⌋ + ½) / 2^53 ∈ (0, 1) (53 bits, first 8
 * bytes big-endian); bit l = (out[l >> 3] >> (l & 7)) & 1.
 */
import { createCipheriv, createHmac, type Cipher } from 'node:crypto';
import { deriveSubkey, type WatermarkKey } from './keys.js';
import { WatermarkError } from './errors.js';

/** Largest context width (the message stays ≤ 4 AES blocks). */
export const MAX_CONTEXT_WIDTH = 16;
/** Token ids must fit in three bytes. */
export const MAX_PRF_TOKEN = 2 ** 24 - 1;
/** PRF functions. */
export type PrfKind = 'aes' | 'hmac';

/** Blocks per message for context width h. */
export function messageBlocks(h: number): number {
  return Math.ceil((1 + 3 * (h + 1)) / 16);
}

/** A keyed PRF bound to one domain and context width. */
export interface Prf {
  readonly kind: PrfKind;
  readonly domain: string;
  /** Context width h of its messages. */
  readonly width: number;
  /** Bytes per message (16 · blocks). */
  readonly messageBytes: number;
  /**
   * Evaluate `count` messages packed back to back in `msgs`. Returns `count × 16` output bytes.
   */
  evaluate(msgs: Uint8Array, count: number): Uint8Array;
}

/** Write the message for (window = tokens[start, start+h), token) at `off` in `buf`. */
export function packMessage(
  buf: Uint8Array,
  off: number,
  h: number,
  tokens: ArrayLike<number>,
  start: number,
  token: number,
): void {
  buf[off] = h;
  let p = off + 1;
  for (let j = 0; j < h; j++) {
    const t = tokens[start + j] as number;
    buf[p] = t & 0xff;
    buf[p + 1] = (t >>> 8) & 0xff;
    buf[p + 2] = (t >>> 16) & 0xff;
    p += 3;
  }
  buf[p] = token & 0xff;
  buf[p + 1] = (token >>> 8) & 0xff;
  buf[p + 2] = (token >>> 16) & 0xff;
  p += 3;
  const end = off + 16 * messageBlocks(h);
  for (; p < end; p++) buf[p] = 0;
}

/** The 53-bit uniform in (0, 1) from output `i` of an evaluation. */
export function uniformAt(out: Uint8Array, i: number): number {
  const o = i * 16;
  const hi =
    (((out[o] as number) << 24) |
      ((out[o + 1] as number) << 16) |
      ((out[o + 2] as number) << 8) |
      (out[o + 3] as number)) >>>
    0;
  const lo =
    (((out[o + 4] as number) << 24) |
      ((out[o + 5] as number) << 16) |
      ((out[o + 6] as number) << 8) |
      (out[o + 7] as number)) >>>
    0;
  // top 53 bits of the 64-bit big-endian value
  return (hi * 2097152 + (lo >>> 11) + 0.5) / 9007199254740992;
}

/** Bit `l` (0–127) of output `i`. */
export function bitAt(out: Uint8Array, i: number, l: number): number {
  return ((out[i * 16 + (l >> 3)] as number) >> (l & 7)) & 1;
}

/** Create a PRF for a key, domain and context width. */
export function createPrf(
  key: WatermarkKey,
  domain: string,
  width: number,
  kind: PrfKind = 'aes',
): Prf {
  if (!Number.isInteger(width) || width < 0 || width > MAX_CONTEXT_WIDTH)
    throw new WatermarkError(
      'BAD_PARAMS',
      `context width ${width} must be in [0, ${MAX_CONTEXT_WIDTH}]`,
      {
        where: { field: 'contextWidth' },
      },
    );
  const subkey = deriveSubkey(key, domain);
  const blocks = messageBlocks(width);
  const messageBytes = 16 * blocks;
  if (kind === 'hmac') {
    return {
      kind,
      domain,
      width,
      messageBytes,
      evaluate(msgs, count) {
        const out = new Uint8Array(count * 16);
        for (let i = 0; i < count; i++) {
          const d = createHmac('sha256', subkey)
            .update(msgs.subarray(i * messageBytes, (i + 1) * messageBytes))
            .digest();
          out.set(d.subarray(0, 16), i * 16);
        }
        return out;
      },
    };
  }
  // ECB without padding is stateless per block, so one cipher object serves every call.
  const cipher: Cipher = createCipheriv('aes-256-ecb', subkey, null);
  cipher.setAutoPadding(false);
  return {
    kind,
    domain,
    width,
    messageBytes,
    evaluate(msgs, count) {
      if (blocks === 1) return cipher.update(msgs.subarray(0, count * 16));
      // CBC-MAC, one pass per block position over the whole batch.
      const pass = new Uint8Array(count * 16);
      for (let i = 0; i < count; i++)
        pass.set(msgs.subarray(i * messageBytes, i * messageBytes + 16), i * 16);
      let x: Uint8Array = cipher.update(pass);
      for (let b = 1; b < blocks; b++) {
        for (let i = 0; i < count; i++) {
          const src = i * messageBytes + b * 16;
          const o = i * 16;
          for (let j = 0; j < 16; j++)
            pass[o + j] = (x[o + j] as number) ^ (msgs[src + j] as number);
        }
        x = cipher.update(pass);
      }
      return x;
    },
  };
}
