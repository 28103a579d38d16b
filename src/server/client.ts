/**
 * HTTP client of the registry, used by `customs submit`, `customs lookup`, `customs receipt`
 * and `customs keygen --enroll`. Responses are size-limited and every failure is a typed
 * {@link RegistryError}.
 */
import { RegistryError } from './errors.js';
import type { RegistryErrorCode } from './errors.js';
import type { LineageResult, StatementSummary, SubmitResult } from './registry.js';

/** Largest response body read (a lineage graph with proofs stays far below). */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** Default per-request timeout. */
export const DEFAULT_TIMEOUT_MS = 30_000;

const KNOWN: ReadonlySet<string> = new Set<RegistryErrorCode>([
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'UNKNOWN_KEY',
  'FORBIDDEN',
  'NOT_FOUND',
  'DUPLICATE',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED',
  'RATE_LIMITED',
  'UNAVAILABLE',
]);

function codeFor(status: number, code: unknown): RegistryErrorCode {
  if (typeof code === 'string' && KNOWN.has(code)) return code as RegistryErrorCode;
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'DUPLICATE';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'UNAVAILABLE';
  return 'BAD_REQUEST';
}

/** Registry client. */
export class RegistryClient {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private readonly options: { token?: string; timeoutMs?: number } = {},
  ) {
    let u: URL;
    try {
      u = new URL(baseUrl);
    } catch (e) {
      throw new RegistryError('BAD_REQUEST', `invalid server URL ${JSON.stringify(baseUrl)}`, {
        cause: e,
      });
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new RegistryError('BAD_REQUEST', 'server URL must be http(s)');
    this.base = u.toString().replace(/\/+$/, '');
  }

  private async call(
    method: string,
    path: string,
    body?: string | Uint8Array,
    auth = false,
  ): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
    const headers: Record<string, string> = {};
    if (body !== undefined)
      headers['content-type'] =
        typeof body === 'string' && !body.startsWith('{') ? 'text/plain' : 'application/json';
    if (auth) {
      if (!this.options.token)
        throw new RegistryError(
          'UNAUTHORIZED',
          'a writer token is needed (--token-file or CUSTOMS_WRITER_TOKEN)',
        );
      headers['authorization'] = `Bearer ${this.options.token}`;
    }
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers,
        ...(body !== undefined
          ? { body: typeof body === 'string' ? body : Buffer.from(body) }
          : {}),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (e) {
      throw new RegistryError(
        'NETWORK',
        `cannot reach ${this.base} (${e instanceof Error ? e.message : String(e)})`,
        { cause: e },
      );
    }
    const len = Number(res.headers.get('content-length') ?? '0');
    if (len > MAX_RESPONSE_BYTES)
      throw new RegistryError(
        'BAD_RESPONSE',
        `response of ${len} bytes exceeds ${MAX_RESPONSE_BYTES}`,
      );
    const bytes = Buffer.from(await res.arrayBuffer());
    if (bytes.length > MAX_RESPONSE_BYTES)
      throw new RegistryError('BAD_RESPONSE', 'response too large');
    return { status: res.status, bytes, headers: res.headers };
  }

  private fail(status: number, bytes: Buffer): never {
    let code: unknown;
    let message = bytes.toString('utf8').slice(0, 500).trim();
    try {
      const j = JSON.parse(bytes.toString('utf8')) as { code?: unknown; message?: unknown };
      code = j.code;
      if (typeof j.message === 'string') message = j.message;
    } catch {
      // Not JSON: keep the text.
    }
    throw new RegistryError(codeFor(status, code), `server answered ${status}: ${message}`);
  }

  private async json<T>(
    method: string,
    path: string,
    body?: string | Uint8Array,
    auth = false,
  ): Promise<T> {
    const r = await this.call(method, path, body, auth);
    if (r.status < 200 || r.status >= 300) this.fail(r.status, r.bytes);
    try {
      return JSON.parse(r.bytes.toString('utf8')) as T;
    } catch (e) {
      throw new RegistryError('BAD_RESPONSE', 'server sent malformed JSON', { cause: e });
    }
  }

  /** Submit a bundle; a duplicate resolves to the existing entry with `duplicate: true`. */
  async submit(bundle: string | Uint8Array): Promise<SubmitResult> {
    const r = await this.call('POST', '/v1/statements', bundle);
    if (r.status === 409) {
      try {
        const j = JSON.parse(r.bytes.toString('utf8')) as { result?: SubmitResult };
        if (j.result) return j.result;
      } catch {
        // fall through to the error
      }
    }
    if (r.status !== 201) this.fail(r.status, r.bytes);
    return JSON.parse(r.bytes.toString('utf8')) as SubmitResult;
  }

  /** Statements about a digest or a name. */
  async lookup(q: { digest?: string; name?: string; limit?: number }): Promise<StatementSummary[]> {
    const p = new URLSearchParams();
    if (q.digest !== undefined) p.set('digest', q.digest);
    if (q.name !== undefined) p.set('name', q.name);
    if (q.limit !== undefined) p.set('limit', String(q.limit));
    return (await this.json<{ results: StatementSummary[] }>('GET', `/v1/lookup?${p.toString()}`))
      .results;
  }

  /** Lineage graph with per-edge proofs. */
  async lineage(
    digest: string,
    direction: 'ancestors' | 'descendants',
    depth?: number,
  ): Promise<LineageResult> {
    const p = new URLSearchParams({ direction });
    if (depth !== undefined) p.set('depth', String(depth));
    return this.json<LineageResult>(
      'GET',
      `/v1/lineage/${encodeURIComponent(digest)}?${p.toString()}`,
    );
  }

  /** Offline receipt text for a statement digest. */
  async receipt(digest: string, preferCosigned = true): Promise<string> {
    const r = await this.call(
      'GET',
      `/v1/receipts/${encodeURIComponent(digest)}?cosigned=${String(preferCosigned)}`,
    );
    if (r.status !== 200) this.fail(r.status, r.bytes);
    return r.bytes.toString('utf8');
  }

  /** The stored statement bundle. */
  async statement(digest: string): Promise<Buffer> {
    const r = await this.call('GET', `/v1/statements/${encodeURIComponent(digest)}`);
    if (r.status !== 200) this.fail(r.status, r.bytes);
    return r.bytes;
  }

  /** Enrol a public key (needs a writer token). */
  async enroll(pem: string, name?: string): Promise<{ fingerprint: string; name: string | null }> {
    return this.json(
      'POST',
      '/v1/keys',
      JSON.stringify({ publicKey: pem, ...(name !== undefined ? { name } : {}) }),
      true,
    );
  }

  /** Log origin, vkey and size. */
  async log(): Promise<{ origin: string; vkey: string; treeSize: number; checkpoint: string }> {
    return this.json('GET', '/v1/log');
  }

  /** Latest checkpoint text. */
  async checkpoint(): Promise<string> {
    const r = await this.call('GET', '/checkpoint');
    if (r.status !== 200) this.fail(r.status, r.bytes);
    return r.bytes.toString('utf8');
  }

  /** Consistency proof between two sizes. */
  async consistency(oldSize: number, newSize: number): Promise<string[]> {
    return (
      await this.json<{ hashes: string[] }>(
        'GET',
        `/v1/proof/consistency?old=${oldSize}&new=${newSize}`,
      )
    ).hashes;
  }
}
