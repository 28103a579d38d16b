/**
 * Streaming ingestion of JSONL traffic logs (plain or gzip) with bounded memory.
 *
 * A file is read in 1 MiB chunks and split on newlines; a line longer than
 * {@link MAX_LINE_BYTES} is dropped while it streams past (never buffered whole) and reported.
 * Each line is decoded, validated through the mapping, featurised and folded into the per-account
 * state.
 *
 * **Partitioning by account.** With P partitions, partition k keeps only the lines whose account
 * hashes to k: it finds the account's raw bytes in the line without decoding the JSON (a byte
 * search for the account key), hashes them and skips the line when the hash belongs to another
 * partition, so each account's state lives in exactly one partition and memory is one copy of
 * the per-account summaries. Lines whose account cannot be found that way (escaped strings, an
 * unusual layout, broken JSON) belong to partition 0, which decodes them; should such an account
 * also appear in another partition the states merge exactly as accounts do across machines.
 * Worker threads are partitions of one machine; `partition` runs one partition of a cluster.
 * Every partition reads every line, so line numbers are global; partition 0 also computes the
 * SHA-256 of each input file (gzip: of the compressed bytes, as stored).
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { startWorker, defaultWorkerCount } from '../util/workers.js';
import { MonitorError } from './errors.js';
import { emptyFeatures, featurize } from './features.js';
import { FNV_OFFSET, FNV_PRIME, fmix32 } from './hash.js';
import { presetMapping, type Mapping } from './mapping.js';
import { toRecord, type MalformedLine } from './record.js';
import {
  createState,
  mergeState,
  noteMalformed,
  observe,
  MAX_MALFORMED_KEPT,
  type MonitorState,
} from './state.js';

/** Longest line accepted (8 MiB: a long-context request; anything larger is not one exchange). */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;
/** Read chunk size. */
export const CHUNK_BYTES = 1024 * 1024;
/** Most input files per run (each is opened once per partition). */
export const MAX_FILES = 10_000;
/** Most partitions (worker threads or cluster machines). */
export const MAX_PARTITIONS = 4096;

/** Which accounts a reader keeps: those whose hash modulo `count` is `index`. */
export interface Partition {
  readonly index: number;
  readonly count: number;
}

/** What one reader saw in one file (`lines` counts every line; the rest only owned lines). */
export interface FileResult {
  file: string;
  lines: number;
  records: number;
  malformedCount: number;
  malformed: MalformedLine[];
  error?: { code: 'BAD_GZIP' | 'IO'; message: string };
  /** SHA-256 (hex) of the file as stored; computed by partition 0 only. */
  sha256?: string;
}

/** Progress callback payload. */
export interface IngestProgress {
  readonly records: number;
  readonly lines: number;
  readonly bytes: number;
}

/** Options of {@link ingest}. */
export interface IngestOptions {
  readonly files: readonly string[];
  readonly mapping?: Mapping;
  /** Worker threads (partitions of this machine): 0 or 1 = this thread; default CUSTOMS_WORKERS or the CPU count. */
  readonly workers?: number;
  /** Read only one partition of the accounts (a machine of a cluster; see docs/monitor.md). */
  readonly partition?: Partition;
  readonly onProgress?: (p: IngestProgress) => void;
  /** Stop after this many lines per file (tests, sampling). */
  readonly maxLines?: number;
}

/** Problems that ended the reading of a file early (the run goes on with the other files). */
export interface FileProblem {
  readonly file: string;
  readonly code: 'BAD_GZIP' | 'IO';
  readonly message: string;
  readonly afterLine: number;
}

/** State after ingestion plus the file-level problems met and the input digests. */
export interface IngestResult {
  readonly state: MonitorState;
  readonly problems: readonly FileProblem[];
  /** Per file: "sha256:<hex>" of the file as stored (absent for a partition other than 0). */
  readonly digests: Readonly<Record<string, string>>;
}

/** Whether the file starts with the gzip magic bytes (callers know it holds at least two). */
export function isGzip(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(2);
    const n = readSync(fd, b, 0, 2, 0);
    return n === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** Check the inputs exist and are regular files; typed errors otherwise. */
export function checkFiles(files: readonly string[]): { file: string; gzip: boolean }[] {
  if (files.length > MAX_FILES)
    throw new MonitorError('LIMIT_EXCEEDED', `${files.length} input files; limit ${MAX_FILES}`);
  return files.map((file) => {
    try {
      const st = statSync(file);
      if (!st.isFile()) throw new MonitorError('IO', 'not a regular file', { where: { file } });
      return { file, gzip: st.size >= 2 && isGzip(file) };
    } catch (e) {
      if (e instanceof MonitorError) throw e;
      const code = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'NOT_FOUND' : 'IO';
      throw new MonitorError(code, `cannot read log: ${(e as Error).message}`, {
        where: { file },
        cause: e,
      });
    }
  });
}

/** The JSON key whose string value names the account, as it appears in raw lines. */
function accountNeedle(mapping: Mapping): Buffer | null {
  const first = mapping.fields.account?.paths[0];
  const last = first?.[first.length - 1];
  return last === undefined ? null : Buffer.from(`"${last}"`);
}

/**
 * Hash of the raw account string in `line[start, end)`, found by a byte search for `needle`
 * followed by `:` and a plain (escape-free) JSON string; -1 when not found that way.
 */
export function quickAccountHash(buf: Buffer, start: number, end: number, needle: Buffer): number {
  let at = buf.indexOf(needle, start);
  while (at >= 0 && at < end) {
    let i = at + needle.length;
    while (i < end && (buf[i] === 32 || buf[i] === 9)) i++;
    if (buf[i] === 58) {
      i++;
      while (i < end && (buf[i] === 32 || buf[i] === 9)) i++;
      if (buf[i] !== 34) return -1;
      i++;
      let h = FNV_OFFSET;
      for (; i < end; i++) {
        const c = buf[i] ?? 0;
        if (c === 34) return fmix32(h >>> 0);
        if (c === 92) return -1;
        h = Math.imul(h ^ c, FNV_PRIME);
      }
      return -1;
    }
    at = buf.indexOf(needle, at + 1);
  }
  return -1;
}

/** Partition of an account id (same hash as {@link quickAccountHash} on its UTF-8 bytes). */
export function partitionOf(account: string, count: number): number {
  const b = Buffer.from(account, 'utf8');
  let h = FNV_OFFSET;
  for (const c of b) h = Math.imul(h ^ c, FNV_PRIME);
  return fmix32(h >>> 0) % count;
}

/**
 * Read one file into `state`, keeping the accounts of `partition`. Never throws for bad lines; a
 * broken gzip stream or a read error ends the file and is returned in `error`.
 */
export async function readFile(
  file: string,
  gzip: boolean,
  mapping: Mapping,
  state: MonitorState,
  partition: Partition,
  onProgress?: (p: IngestProgress) => void,
  maxLines = Infinity,
): Promise<FileResult> {
  const res: FileResult = { file, lines: 0, records: 0, malformedCount: 0, malformed: [] };
  const fileStream = createReadStream(file, { highWaterMark: CHUNK_BYTES });
  const digest = partition.index === 0 ? createHash('sha256') : null;
  if (digest) fileStream.on('data', (c: Buffer | string) => digest.update(c));
  let src: Readable = fileStream;
  if (gzip) {
    const gunzip = createGunzip();
    fileStream.on('error', (e) => gunzip.destroy(e));
    src = fileStream.pipe(gunzip);
  }
  const needle = partition.count > 1 ? accountNeedle(mapping) : null;
  const feats = emptyFeatures();
  let carry: Buffer[] = [];
  let carryLen = 0;
  let tooLong = false;
  let bytesSinceProgress = 0;
  let recordsSinceProgress = 0;

  const bad = (reason: MalformedLine['reason'], message: string, field?: string): void => {
    res.malformedCount++;
    const m: MalformedLine =
      field === undefined || field === ''
        ? { file, line: res.lines, reason, message }
        : { file, line: res.lines, reason, field, message };
    noteMalformed(state, m);
    if (res.malformed.length < MAX_MALFORMED_KEPT) res.malformed.push(m);
  };

  /** Is this line ours? (partition 0 also owns lines whose account it cannot locate) */
  const owns = (buf: Buffer, start: number, end: number): boolean => {
    if (partition.count === 1) return true;
    if (needle === null) return partition.index === 0;
    const h = quickAccountHash(buf, start, end, needle);
    return h < 0 ? partition.index === 0 : h % partition.count === partition.index;
  };

  const handle = (buf: Buffer, start: number, end: number): void => {
    res.lines++;
    state.lines++;
    while (end > start && (buf[end - 1] === 13 || buf[end - 1] === 32 || buf[end - 1] === 9)) end--;
    if (end === start) return; // blank line: nothing to report
    if (!owns(buf, start, end)) return;
    let obj: unknown;
    try {
      obj = JSON.parse(buf.toString('utf8', start, end));
    } catch (e) {
      bad('BAD_JSON', (e as Error).message.slice(0, 120));
      return;
    }
    const v = toRecord(obj, mapping);
    if (!v.ok) {
      bad(v.reason, v.message, v.field);
      return;
    }
    observe(state, v.record, featurize(v.record, feats));
    res.records++;
    recordsSinceProgress++;
  };

  try {
    for await (const chunk of src as AsyncIterable<Buffer>) {
      let i = 0;
      while (i < chunk.length) {
        if (res.lines >= maxLines) break;
        const nl = chunk.indexOf(10, i);
        if (nl < 0) {
          const rest = chunk.length - i;
          if (!tooLong) {
            if (carryLen + rest > MAX_LINE_BYTES) {
              tooLong = true;
              carry = [];
              carryLen = 0;
            } else {
              carry.push(chunk.subarray(i));
              carryLen += rest;
            }
          }
          break;
        }
        if (tooLong || carryLen + (nl - i) > MAX_LINE_BYTES) {
          res.lines++;
          state.lines++;
          if (partition.index === 0)
            bad('LINE_TOO_LONG', `line longer than ${MAX_LINE_BYTES} bytes`);
        } else if (carryLen === 0) handle(chunk, i, nl);
        else {
          carry.push(chunk.subarray(i, nl));
          const joined = Buffer.concat(carry, carryLen + nl - i);
          handle(joined, 0, joined.length);
        }
        i = nl + 1;
        carry = [];
        carryLen = 0;
        tooLong = false;
      }
      if (res.lines >= maxLines) break;
      bytesSinceProgress += chunk.length;
      if (onProgress && bytesSinceProgress >= 16 * CHUNK_BYTES) {
        onProgress({ records: recordsSinceProgress, lines: 0, bytes: bytesSinceProgress });
        bytesSinceProgress = 0;
        recordsSinceProgress = 0;
      }
    }
    if ((carryLen > 0 || tooLong) && res.lines < maxLines) {
      if (tooLong) {
        res.lines++;
        state.lines++;
        if (partition.index === 0) bad('LINE_TOO_LONG', `line longer than ${MAX_LINE_BYTES} bytes`);
      } else {
        const joined = Buffer.concat(carry, carryLen);
        handle(joined, 0, joined.length);
      }
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    const isZ =
      gzip &&
      (code.startsWith('Z_') ||
        code === 'ERR_STREAM_PREMATURE_CLOSE' ||
        /gzip|deflate|header|unexpected end/i.test((e as Error).message));
    res.error = { code: isZ ? 'BAD_GZIP' : 'IO', message: (e as Error).message };
  } finally {
    fileStream.destroy();
    if (src !== fileStream) src.destroy();
  }
  if (onProgress && (bytesSinceProgress > 0 || recordsSinceProgress > 0))
    onProgress({ records: recordsSinceProgress, lines: 0, bytes: bytesSinceProgress });
  if (digest && !res.error && res.lines < maxLines) res.sha256 = digest.digest('hex');
  return res;
}

/** Message a worker sends back. */
export type WorkerReply =
  | { kind: 'progress'; progress: IngestProgress }
  | { kind: 'done'; state: MonitorState; results: FileResult[] }
  | { kind: 'error'; message: string };

/** Read every file for one partition into a fresh state. */
export async function readPartition(
  files: readonly { file: string; gzip: boolean }[],
  mapping: Mapping,
  partition: Partition,
  onProgress?: (p: IngestProgress) => void,
  maxLines?: number,
): Promise<{ state: MonitorState; results: FileResult[] }> {
  const state = createState();
  const results: FileResult[] = [];
  for (const f of files)
    results.push(await readFile(f.file, f.gzip, mapping, state, partition, onProgress, maxLines));
  return { state, results };
}

/** Combine the partitions' per-file results: line counts from any, owned counts summed. */
function finish(state: MonitorState, perPartition: readonly FileResult[][]): IngestResult {
  const files = new Map<
    string,
    { file: string; lines: number; records: number; malformed: number }
  >();
  const malformed: MalformedLine[] = [];
  const problems = new Map<string, FileProblem>();
  const digests: Record<string, string> = {};
  for (const results of perPartition)
    for (const r of results) {
      const f = files.get(r.file) ?? { file: r.file, lines: 0, records: 0, malformed: 0 };
      f.lines = Math.max(f.lines, r.lines);
      f.records += r.records;
      f.malformed += r.malformedCount;
      files.set(r.file, f);
      for (const m of r.malformed) malformed.push(m);
      if (r.error && !problems.has(r.file))
        problems.set(r.file, {
          file: r.file,
          code: r.error.code,
          message: r.error.message,
          afterLine: r.lines,
        });
      if (r.sha256) digests[r.file] = `sha256:${r.sha256}`;
    }
  const order = new Map([...files.keys()].map((f, i) => [f, i]));
  malformed.sort((x, y) =>
    x.file === y.file ? x.line - y.line : (order.get(x.file) ?? 0) - (order.get(y.file) ?? 0),
  );
  state.malformed = malformed.slice(0, MAX_MALFORMED_KEPT);
  state.files = [...files.values()];
  state.lines = state.files.reduce((s, f) => s + f.lines, 0);
  return { state, problems: [...problems.values()], digests };
}

/**
 * Read every log file into one state. Worker threads each own a partition of the accounts; the
 * result does not depend on the number of workers except that repeats counted in a sampled key
 * set depend on when the set had to start sampling (see `state.ts`).
 */
export async function ingest(opts: IngestOptions): Promise<IngestResult> {
  const mapping = opts.mapping ?? presetMapping('native');
  const files = checkFiles(opts.files);
  if (opts.partition) {
    const { index, count } = opts.partition;
    if (
      !Number.isInteger(count) ||
      count < 1 ||
      count > MAX_PARTITIONS ||
      !Number.isInteger(index) ||
      index < 0 ||
      index >= count
    )
      throw new MonitorError(
        'BAD_OPTION',
        `partition ${index}/${count} is not an index below a count in [1, ${MAX_PARTITIONS}]`,
      );
    const r = await readPartition(files, mapping, opts.partition, opts.onProgress, opts.maxLines);
    return finish(r.state, [r.results]);
  }
  const workers = Math.min(MAX_PARTITIONS, opts.workers ?? defaultWorkerCount());
  if (workers <= 1) {
    const r = await readPartition(
      files,
      mapping,
      { index: 0, count: 1 },
      opts.onProgress,
      opts.maxLines,
    );
    return finish(r.state, [r.results]);
  }
  const entry = new URL('./ingest-worker.ts', import.meta.url);
  const replies = await Promise.all(
    Array.from(
      { length: workers },
      (_, index) =>
        new Promise<{ state: MonitorState; results: FileResult[] }>((resolve, reject) => {
          const w = startWorker(
            entry.pathname.endsWith('.ts') ? entry : new URL('./ingest-worker.js', import.meta.url),
            {
              files,
              mapping,
              partition: { index, count: workers },
              ...(opts.maxLines !== undefined ? { maxLines: opts.maxLines } : {}),
            },
          );
          w.on('message', (msg: WorkerReply) => {
            if (msg.kind === 'progress') opts.onProgress?.(msg.progress);
            else if (msg.kind === 'done') {
              resolve({ state: msg.state, results: msg.results });
              void w.terminate();
            } else {
              reject(new MonitorError('IO', `ingest worker failed: ${msg.message}`));
              void w.terminate();
            }
          });
          w.on('error', (e) =>
            reject(new MonitorError('IO', `ingest worker crashed: ${e.message}`, { cause: e })),
          );
        }),
    ),
  );
  let state: MonitorState | undefined;
  for (const r of replies) state = state === undefined ? r.state : mergeState(state, r.state);
  return finish(
    state ?? createState(),
    replies.map((r) => r.results),
  );
}
