/**
 * HTTP(S) byte source using Range requests (RFC 9110 §14). Reads are coalesced (nearby ranges
 * requested in the same tick merge into one request), issued with bounded concurrency, retried
 * with exponential backoff, and every response is checked: a server that ignores Range (200 for a
 * large file), answers a different range, or disagrees about the total size is an error, never
 * silently trusted. Only the bytes asked for are fetched.
 */
import { SourceError } from '../errors.js';
import { checkRange, type ByteSource } from './byte-source.js';

/** Bytes fetched by the first request, enough for typical safetensors / GGUF headers. */
export const HTTP_PREFETCH_BYTES = 256 * 1024;
/** Ranges closer than this are merged into one request (fewer round trips, little waste). */
export const HTTP_COALESCE_GAP = 64 * 1024;
/** Upper bound of a merged request, so one read cannot balloon memory. */
export const HTTP_MAX_MERGED = 32 * 1024 * 1024;
/** A server that ignores Range may still be used for files at most this large (read whole). */
export const HTTP_MAX_FULL_BODY = 4 * 1024 * 1024;
/** Requests in flight per source. */
export const HTTP_CONCURRENCY = 6;
/** Attempts per request (network errors, 408/429/5xx). */
export const HTTP_MAX_ATTEMPTS = 4;
/** Per-request timeout. */
export const HTTP_TIMEOUT_MS = 60_000;

/** Options for {@link HttpSource.open}. */
export interface HttpSourceOptions {
  /** Extra headers (e.g. Authorization). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly concurrency?: number;
  readonly maxAttempts?: number;
  readonly timeoutMs?: number;
  /** Base backoff in ms (doubles per attempt). */
  readonly backoffMs?: number;
  /** Bytes to fetch up front (0 to skip). */
  readonly prefetch?: number;
  /** Largest file accepted whole from a server that ignores Range. */
  readonly maxFullBody?: number;
  /** Merge reads separated by at most this many bytes (default {@link HTTP_COALESCE_GAP}; 0 = only touching reads). */
  readonly coalesceGap?: number;
}

/** Counters for auditing how much of a remote file was read. */
export interface HttpStats {
  requests: number;
  bytesFetched: number;
  retries: number;
}

interface Pending {
  offset: number;
  length: number;
  resolve: (b: Uint8Array) => void;
  reject: (e: unknown) => void;
}

function parseContentRange(
  v: string | null,
): { start: number; end: number; total: number | null } | null {
  if (!v) return null;
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(v.trim());
  if (!m) return null;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? null : Number(m[3]) };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A {@link ByteSource} over an HTTP(S) URL. */
export class HttpSource implements ByteSource {
  readonly stats: HttpStats = { requests: 0, bytesFetched: 0, retries: 0 };
  private prefix: Uint8Array;
  private queue: Pending[] = [];
  private scheduled = false;
  private active = 0;
  private waiting: (() => void)[] = [];
  private full: Uint8Array | null = null;

  private constructor(
    readonly name: string,
    readonly size: number,
    prefix: Uint8Array,
    private readonly opts: Required<Omit<HttpSourceOptions, 'headers'>> & {
      headers: Readonly<Record<string, string>>;
    },
  ) {
    this.prefix = prefix;
  }

  /** Open a URL: one Range request learns the size and prefetches the header bytes. */
  static async open(url: string, options: HttpSourceOptions = {}): Promise<HttpSource> {
    const opts = {
      headers: options.headers ?? {},
      concurrency: options.concurrency ?? HTTP_CONCURRENCY,
      maxAttempts: options.maxAttempts ?? HTTP_MAX_ATTEMPTS,
      timeoutMs: options.timeoutMs ?? HTTP_TIMEOUT_MS,
      backoffMs: options.backoffMs ?? 200,
      prefetch: options.prefetch ?? HTTP_PREFETCH_BYTES,
      maxFullBody: options.maxFullBody ?? HTTP_MAX_FULL_BODY,
      coalesceGap: options.coalesceGap ?? HTTP_COALESCE_GAP,
    };
    const probe = new HttpSource(url, 0, new Uint8Array(0), opts);
    const want = Math.max(1, opts.prefetch);
    const { body, total, fullBody } = await probe.fetchRange(0, want, null, true);
    const src = new HttpSource(
      url,
      total,
      fullBody ? body : body.subarray(0, Math.min(body.length, total)),
      opts,
    );
    src.stats.requests = probe.stats.requests;
    src.stats.bytesFetched = probe.stats.bytesFetched;
    src.stats.retries = probe.stats.retries;
    if (fullBody) src.full = body;
    return src;
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    if (length === 0) return Promise.resolve(new Uint8Array(0));
    if (this.full) return Promise.resolve(this.full.subarray(offset, offset + length));
    if (offset + length <= this.prefix.length)
      return Promise.resolve(this.prefix.subarray(offset, offset + length));
    if (offset < this.prefix.length) {
      // Serve the head from the prefetched bytes and fetch only the tail.
      const head = this.prefix.subarray(offset);
      return this.read(this.prefix.length, offset + length - this.prefix.length).then((tail) => {
        const out = new Uint8Array(length);
        out.set(head, 0);
        out.set(tail, head.length);
        return out;
      });
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ offset, length, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  close(): Promise<void> {
    this.prefix = new Uint8Array(0);
    this.full = null;
    return Promise.resolve();
  }

  /** Merge queued reads into as few requests as the gap and size limits allow. */
  private flush(): void {
    const items = this.queue.sort((a, b) => a.offset - b.offset);
    this.queue = [];
    let group: Pending[] = [];
    let gStart = 0;
    let gEnd = 0;
    const emit = (): void => {
      if (group.length === 0) return;
      const members = group;
      const start = gStart;
      const end = gEnd;
      void this.runLimited(async () => {
        try {
          const { body } = await this.fetchRange(start, end - start, this.size, false);
          for (const p of members)
            p.resolve(body.subarray(p.offset - start, p.offset - start + p.length));
        } catch (e) {
          for (const p of members) p.reject(e);
        }
      });
      group = [];
    };
    for (const p of items) {
      const end = p.offset + p.length;
      if (
        group.length > 0 &&
        p.offset <= gEnd + this.opts.coalesceGap &&
        Math.max(gEnd, end) - gStart <= HTTP_MAX_MERGED
      ) {
        group.push(p);
        gEnd = Math.max(gEnd, end);
      } else {
        emit();
        group = [p];
        gStart = p.offset;
        gEnd = end;
      }
    }
    emit();
  }

  private async runLimited(task: () => Promise<void>): Promise<void> {
    while (this.active >= this.opts.concurrency)
      await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  /**
   * GET `bytes=offset-(offset+length-1)` with retries. When `expectTotal` is null (the first
   * request) the total size is learned from Content-Range; afterwards it must not change.
   */
  private async fetchRange(
    offset: number,
    length: number,
    expectTotal: number | null,
    first: boolean,
  ): Promise<{ body: Uint8Array; total: number; fullBody: boolean }> {
    let lastError: unknown = null;
    for (let attempt = 1; attempt <= this.opts.maxAttempts; attempt++) {
      if (attempt > 1) {
        this.stats.retries++;
        await sleep(this.opts.backoffMs * 2 ** (attempt - 2));
      }
      try {
        return await this.fetchOnce(offset, length, expectTotal, first);
      } catch (e) {
        lastError = e;
        if (e instanceof SourceError && !isRetryable(e)) throw e;
      }
    }
    if (lastError instanceof SourceError) throw lastError;
    throw new SourceError(
      'NETWORK',
      `request failed after ${this.opts.maxAttempts} attempts: ${String(lastError)}`,
      {
        where: { file: this.name, offset },
        cause: lastError,
      },
    );
  }

  private async fetchOnce(
    offset: number,
    length: number,
    expectTotal: number | null,
    first: boolean,
  ): Promise<{ body: Uint8Array; total: number; fullBody: boolean }> {
    this.stats.requests++;
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), this.opts.timeoutMs);
    let res: Response;
    try {
      res = await fetch(this.name, {
        headers: {
          ...this.opts.headers,
          Range: `bytes=${offset}-${offset + length - 1}`,
          'Accept-Encoding': 'identity',
        },
        signal: ctrl.signal,
        redirect: 'follow',
      });
    } catch (e) {
      clearTimeout(timer);
      const timedOut = ctrl.signal.aborted;
      throw new SourceError(
        timedOut ? 'TIMEOUT' : 'NETWORK',
        `${timedOut ? 'timed out' : 'network error'}: ${(e as Error).message}`,
        {
          where: { file: this.name, offset },
          cause: e,
          details: { retryable: true },
        },
      );
    }
    try {
      if (res.status === 416 && first) {
        // Range Not Satisfiable on the first probe: an empty file.
        const cr = parseContentRange(
          res.headers.get('content-range')?.replace('bytes */', 'bytes 0-0/') ?? null,
        );
        await res.body?.cancel();
        return { body: new Uint8Array(0), total: cr?.total ?? 0, fullBody: true };
      }
      if (res.status === 200) {
        // The server ignored Range. Accept only a small file read whole; never stream a model.
        const len = Number(res.headers.get('content-length') ?? NaN);
        if (!first || !Number.isFinite(len) || len > this.opts.maxFullBody) {
          await res.body?.cancel();
          throw new SourceError(
            'RANGE_IGNORED',
            `server ignored the Range header (200 instead of 206)${Number.isFinite(len) ? ` for a ${len}-byte body` : ''}; refusing to download the whole file`,
            {
              where: { file: this.name, offset },
            },
          );
        }
        const body = await readBody(res, len, this.name, offset);
        this.stats.bytesFetched += body.length;
        return { body, total: len, fullBody: true };
      }
      if (res.status !== 206) {
        await res.body?.cancel();
        throw new SourceError('HTTP_STATUS', `HTTP ${res.status} ${res.statusText}`, {
          where: { file: this.name, offset },
          details: {
            status: res.status,
            retryable: res.status === 408 || res.status === 429 || res.status >= 500,
          },
        });
      }
      const cr = parseContentRange(res.headers.get('content-range'));
      if (!cr || cr.total === null) {
        await res.body?.cancel();
        throw new SourceError(
          'SIZE_MISMATCH',
          `206 response without a usable Content-Range (${res.headers.get('content-range') ?? 'missing'})`,
          {
            where: { file: this.name, offset },
          },
        );
      }
      const total = cr.total;
      const expectedEnd = first ? Math.min(offset + length, total) - 1 : offset + length - 1;
      if (
        cr.start !== offset ||
        cr.end !== expectedEnd ||
        (expectTotal !== null && total !== expectTotal)
      ) {
        await res.body?.cancel();
        throw new SourceError(
          'SIZE_MISMATCH',
          `asked for bytes ${offset}-${offset + length - 1}${expectTotal !== null ? ` of ${expectTotal}` : ''} but the server answered ${cr.start}-${cr.end}/${total}`,
          {
            where: { file: this.name, offset },
            details: { contentRange: res.headers.get('content-range') },
          },
        );
      }
      const body = await readBody(res, cr.end - cr.start + 1, this.name, offset);
      this.stats.bytesFetched += body.length;
      return { body, total, fullBody: first && cr.end + 1 >= total };
    } finally {
      clearTimeout(timer);
    }
  }
}

function isRetryable(e: SourceError): boolean {
  if (e.code === 'NETWORK' || e.code === 'TIMEOUT') return true;
  return e.details?.['retryable'] === true;
}

/** Read exactly `expected` body bytes; more or fewer is an error (a lying server). */
async function readBody(
  res: Response,
  expected: number,
  name: string,
  offset: number,
): Promise<Uint8Array> {
  const out = new Uint8Array(expected);
  let got = 0;
  const reader = res.body?.getReader();
  if (!reader) {
    if (expected === 0) return out;
    throw new SourceError('SHORT_READ', 'response has no body', { where: { file: name, offset } });
  }
  for (;;) {
    let chunk: { done: boolean; value?: Uint8Array | undefined };
    try {
      chunk = await reader.read();
    } catch (e) {
      throw new SourceError(
        'NETWORK',
        `connection failed mid-body after ${got} of ${expected} bytes`,
        {
          where: { file: name, offset },
          cause: e,
          details: { retryable: true },
        },
      );
    }
    if (chunk.done || !chunk.value) break;
    const v = chunk.value;
    if (got + v.length > expected) {
      await reader.cancel();
      throw new SourceError(
        'SIZE_MISMATCH',
        `server sent more than the ${expected} bytes it promised`,
        {
          where: { file: name, offset },
        },
      );
    }
    out.set(v, got);
    got += v.length;
  }
  if (got !== expected) {
    throw new SourceError('SHORT_READ', `server sent ${got} of ${expected} promised bytes`, {
      where: { file: name, offset },
      details: { retryable: true },
    });
  }
  return out;
}
