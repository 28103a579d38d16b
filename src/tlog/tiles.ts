/**
 * C2SP tlog-tiles (https://c2sp.org/tlog-tiles): tile and entry-bundle paths, and the
 * uint16-length-prefixed entry-bundle encoding. Path parsing is a strict grammar (no `..`, no
 * percent escapes, no leading zeros), which is what stops path traversal at the HTTP edge.
 */
import { LogError } from './errors.js';
import { HASH_SIZE } from './merkle.js';

/** Hashes (or entries) per full tile. */
export const TILE_WIDTH = 256;
/** Tile height in tree levels (a tile is a subtree of height 8). */
export const TILE_HEIGHT = 8;
/** Highest tile level the spec allows. */
export const MAX_TILE_LEVEL = 63;
/** Largest log entry: entry bundles prefix entries with a big-endian uint16 length. */
export const MAX_ENTRY_BYTES = 65535;

/** A tile (or entry bundle when `level` is `'entries'`). */
export interface TileRef {
  readonly level: number | 'entries';
  readonly index: number;
  /** Width 1..255 for a partial tile; undefined for a full one. */
  readonly width?: number;
}

/** Encode a tile index as zero-padded 3-digit groups, all but the last prefixed with `x`. */
export function encodeTileIndex(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0)
    throw new LogError('BAD_TILE_PATH', `bad tile index ${index}`);
  const groups: string[] = [];
  let n = index;
  do {
    groups.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

/** The path of a tile relative to the log prefix, e.g. `tile/0/x001/234.p/5`. */
export function tilePath(ref: TileRef): string {
  const level = ref.level === 'entries' ? 'entries' : String(ref.level);
  const w = ref.width === undefined ? '' : `.p/${ref.width}`;
  return `tile/${level}/${encodeTileIndex(ref.index)}${w}`;
}

/** Most index groups accepted: 6 groups cover every safe integer. */
const MAX_INDEX_GROUPS = 6;

/**
 * Parse a path (relative to the log prefix, with or without a leading `tile/`) into a tile
 * reference. Anything not matching the grammar exactly is `BAD_TILE_PATH`.
 */
export function parseTilePath(path: string): TileRef {
  const p = path.startsWith('tile/') ? path.slice(5) : path;
  if (p.length > 128) throw new LogError('BAD_TILE_PATH', 'tile path too long');
  const m =
    /^(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/){0,5}[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(p);
  if (!m)
    throw new LogError('BAD_TILE_PATH', `not a tile path: ${JSON.stringify(path.slice(0, 80))}`);
  const levelText = m[1] as string;
  const level = levelText === 'entries' ? 'entries' : Number(levelText);
  if (level !== 'entries' && level > MAX_TILE_LEVEL)
    throw new LogError('BAD_TILE_PATH', `tile level ${level} > ${MAX_TILE_LEVEL}`);
  const groups = (m[2] as string).split('/');
  if (groups.length > MAX_INDEX_GROUPS) throw new LogError('BAD_TILE_PATH', 'tile index too large');
  let index = 0;
  for (const g of groups) index = index * 1000 + Number(g.startsWith('x') ? g.slice(1) : g);
  if (!Number.isSafeInteger(index)) throw new LogError('BAD_TILE_PATH', 'tile index too large');
  const ref: TileRef = { level, index };
  if (m[3] !== undefined) {
    const width = Number(m[3]);
    if (width < 1 || width > 255)
      throw new LogError('BAD_TILE_PATH', `partial tile width ${width} outside 1..255`);
    return { ...ref, width };
  }
  return ref;
}

/** Encode entries as an entry bundle (each prefixed with its uint16 BE length). */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Buffer {
  let total = 0;
  for (const e of entries) {
    if (e.length > MAX_ENTRY_BYTES)
      throw new LogError(
        'ENTRY_TOO_LARGE',
        `entry of ${e.length} bytes exceeds ${MAX_ENTRY_BYTES}`,
      );
    total += 2 + e.length;
  }
  const out = Buffer.alloc(total);
  let off = 0;
  for (const e of entries) {
    out.writeUInt16BE(e.length, off);
    out.set(e, off + 2);
    off += 2 + e.length;
  }
  return out;
}

/** Decode an entry bundle; `BAD_ENTRY` if a length runs past the end or > 256 entries. */
export function decodeEntryBundle(bundle: Uint8Array): Buffer[] {
  const buf = Buffer.from(bundle.buffer, bundle.byteOffset, bundle.byteLength);
  const out: Buffer[] = [];
  let off = 0;
  while (off < buf.length) {
    if (out.length >= TILE_WIDTH)
      throw new LogError('BAD_ENTRY', 'entry bundle has more than 256 entries', {
        where: { offset: off },
      });
    if (off + 2 > buf.length)
      throw new LogError('BAD_ENTRY', 'truncated entry length', { where: { offset: off } });
    const len = buf.readUInt16BE(off);
    if (off + 2 + len > buf.length)
      throw new LogError('BAD_ENTRY', `entry length ${len} runs past the bundle end`, {
        where: { offset: off },
      });
    out.push(buf.subarray(off + 2, off + 2 + len));
    off += 2 + len;
  }
  return out;
}

/** Split a tile body into its 32-byte hashes. */
export function splitTileHashes(tile: Uint8Array): Buffer[] {
  if (tile.length % HASH_SIZE !== 0 || tile.length === 0 || tile.length > TILE_WIDTH * HASH_SIZE) {
    throw new LogError('BAD_ENTRY', `tile of ${tile.length} bytes is not 1..256 hashes`);
  }
  const buf = Buffer.from(tile.buffer, tile.byteOffset, tile.byteLength);
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += HASH_SIZE) out.push(buf.subarray(i, i + HASH_SIZE));
  return out;
}

/**
 * Width a tile must have for a tree of `size` leaves: 256 for a full tile, 1..255 for the partial
 * one, 0 if the tile does not exist yet (tlog-tiles §Partial Tiles).
 */
export function tileWidthAt(level: number, index: number, size: number): number {
  const span = Math.pow(TILE_WIDTH, level);
  const hashesAtLevel = Math.floor(size / span);
  const start = index * TILE_WIDTH;
  if (hashesAtLevel >= start + TILE_WIDTH) return TILE_WIDTH;
  if (hashesAtLevel <= start) return 0;
  return hashesAtLevel - start;
}
