/**
 * Random-access byte sources: a local file, an HTTP(S) URL read with Range requests, or memory.
 * Parsers only ever ask for `[offset, offset + length)` and never hold a whole model in memory.
 */
import { FormatError, SourceError } from '../errors.js';

/** Largest single read a parser may request (bounded allocation; tensors are read in chunks). */
export const MAX_SINGLE_READ = 256 * 1024 * 1024;

/** First read-ahead of a {@link BufferedCursor} (most headers fit; remote reads stay small). */
export const CURSOR_FIRST_CHUNK = 64 * 1024;
/** Largest read-ahead of a {@link BufferedCursor}. */
export const CURSOR_MAX_CHUNK = 4 * 1024 * 1024;

/** A random-access, read-only view of one file's bytes. */
export interface ByteSource {
  /** Path or URL, used in error messages and reports. */
  readonly name: string;
  /** Total size in bytes. */
  readonly size: number;
  /**
   * Read exactly `length` bytes at `offset`. Throws {@link FormatError} `TRUNCATED` when the
   * range runs past the end, and {@link SourceError} when the medium fails.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * Optional: read exactly `buf.length` bytes at `offset` into a caller-provided buffer, so hot
   * loops can reuse buffers (same errors as {@link ByteSource.read}).
   */
  readInto?(buf: Uint8Array, offset: number): Promise<void>;
  /** Release handles / connections. Idempotent. */
  close(): Promise<void>;
}

/** Check a requested range against a source's size, with the error naming the file. */
export function checkRange(
  src: { name: string; size: number },
  offset: number,
  length: number,
  what = 'read',
): void {
  // Offsets come from attacker-controlled headers: refuse negatives, non-integers and overflow.
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new FormatError(
      'OUT_OF_BOUNDS',
      `${what} at offset ${offset} length ${length} is not a valid range`,
      {
        where: { file: src.name, offset },
      },
    );
  }
  if (offset + length > src.size) {
    throw new FormatError(
      'TRUNCATED',
      `${what} needs bytes [${offset}, ${offset + length}) but the file has ${src.size} bytes`,
      {
        where: { file: src.name, offset },
        details: { size: src.size, end: offset + length },
      },
    );
  }
  if (length > MAX_SINGLE_READ) {
    throw new FormatError(
      'LIMIT_EXCEEDED',
      `${what} of ${length} bytes exceeds the single-read limit ${MAX_SINGLE_READ}`,
      {
        where: { file: src.name, offset },
      },
    );
  }
}

/** A source over bytes in memory (tests, small companion files). */
export class MemorySource implements ByteSource {
  readonly size: number;
  constructor(
    readonly name: string,
    private readonly bytes: Uint8Array,
  ) {
    this.size = bytes.length;
  }
  read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    return Promise.resolve(this.bytes.subarray(offset, offset + length));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * A forward cursor over a source that reads ahead in chunks, for parsing variable-length headers
 * (GGUF metadata) without one request per field.
 */
export class BufferedCursor {
  private buf: Uint8Array = new Uint8Array(0);
  private bufStart = 0;
  private pos: number;
  private readonly view = (): DataView =>
    new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);

  constructor(
    readonly source: ByteSource,
    start = 0,
    private chunk = CURSOR_FIRST_CHUNK,
  ) {
    this.pos = start;
  }

  /** Current absolute offset. */
  get offset(): number {
    return this.pos;
  }

  /** Ensure `n` bytes at the cursor are buffered; return the DataView and the relative index. */
  private async ensure(n: number, what: string): Promise<number> {
    const rel = this.pos - this.bufStart;
    if (rel >= 0 && rel + n <= this.buf.length) return rel;
    if (this.pos + n > this.source.size) {
      throw new FormatError(
        'TRUNCATED',
        `${what} needs ${n} bytes at offset ${this.pos} but the file has ${this.source.size} bytes`,
        {
          where: { file: this.source.name, field: what, offset: this.pos },
        },
      );
    }
    const len = Math.min(Math.max(n, this.chunk), this.source.size - this.pos);
    this.buf = await this.source.read(this.pos, len);
    // Grow the read-ahead geometrically: small headers cost one small read, big ones few reads.
    this.chunk = Math.min(this.chunk * 2, CURSOR_MAX_CHUNK);
    this.bufStart = this.pos;
    return 0;
  }

  /** Read `n` raw bytes (a copy-free view valid until the next call). */
  async bytes(n: number, what: string): Promise<Uint8Array> {
    const rel = await this.ensure(n, what);
    this.pos += n;
    return this.buf.subarray(rel, rel + n);
  }

  async u8(what: string): Promise<number> {
    const rel = await this.ensure(1, what);
    this.pos += 1;
    return this.buf[rel] ?? 0;
  }
  async i8(what: string): Promise<number> {
    const rel = await this.ensure(1, what);
    this.pos += 1;
    return this.view().getInt8(rel);
  }
  async u16(what: string): Promise<number> {
    const rel = await this.ensure(2, what);
    this.pos += 2;
    return this.view().getUint16(rel, true);
  }
  async i16(what: string): Promise<number> {
    const rel = await this.ensure(2, what);
    this.pos += 2;
    return this.view().getInt16(rel, true);
  }
  async u32(what: string): Promise<number> {
    const rel = await this.ensure(4, what);
    this.pos += 4;
    return this.view().getUint32(rel, true);
  }
  async i32(what: string): Promise<number> {
    const rel = await this.ensure(4, what);
    this.pos += 4;
    return this.view().getInt32(rel, true);
  }
  async f32(what: string): Promise<number> {
    const rel = await this.ensure(4, what);
    this.pos += 4;
    return this.view().getFloat32(rel, true);
  }
  async f64(what: string): Promise<number> {
    const rel = await this.ensure(8, what);
    this.pos += 8;
    return this.view().getFloat64(rel, true);
  }
  async u64(what: string): Promise<bigint> {
    const rel = await this.ensure(8, what);
    this.pos += 8;
    return this.view().getBigUint64(rel, true);
  }
  async i64(what: string): Promise<bigint> {
    const rel = await this.ensure(8, what);
    this.pos += 8;
    return this.view().getBigInt64(rel, true);
  }
  /** Skip `n` bytes (must stay within the file). */
  skip(n: number, what: string): void {
    if (this.pos + n > this.source.size) {
      throw new FormatError(
        'TRUNCATED',
        `${what}: skipping ${n} bytes at offset ${this.pos} passes the end of the file (${this.source.size} bytes)`,
        {
          where: { file: this.source.name, field: what, offset: this.pos },
        },
      );
    }
    this.pos += n;
  }
}

/** Convert a u64 read from a file to a safe JS number or throw naming the field. */
export function safeNumber(
  v: bigint,
  src: { name: string },
  field: string,
  offset: number,
): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new FormatError(
      'OUT_OF_BOUNDS',
      `${field} = ${v} is larger than any file this tool can address`,
      {
        where: { file: src.name, field, offset },
      },
    );
  }
  return Number(v);
}

export { SourceError };
