/**
 * The canonical model view: open any supported model (safetensors single/sharded, GGUF
 * single/split; local, HF cache, Ollama, HTTP) and read any role's rows as float32 in Hugging
 * Face layout, lazily, without reading the rest of the file.
 */
import { FormatError } from '../errors.js';
import { configFromGguf, configFromHf } from './config.js';
import { ggufRoles, hfRoles } from './roles.js';
import { byteVocabulary, vocabFromGguf, vocabFromTokenizerJson } from './tokenizer.js';
import type {
  ModelConfig,
  ModelFamily,
  ModelFile,
  ModelRoles,
  TensorEntry,
  TensorRef,
  Vocabulary,
} from './types.js';
import { parseSafetensors, readSafetensorsRange } from '../formats/safetensors.js';
import { parseGguf, ggufNumber, type GgufFile } from '../formats/gguf/parse.js';
import { readGgufRange, readGgufSteps } from '../formats/gguf/read.js';
import type { ByteSource } from '../sources/byte-source.js';
import {
  openSource,
  readJsonFile,
  resolveModel,
  type ResolveOptions,
  type ResolvedModel,
} from '../sources/resolve.js';
import { HttpSource, type HttpStats } from '../sources/http-source.js';

/** An opened model. Close it when done. */
export interface ModelView {
  readonly spec: string;
  readonly resolved: ResolvedModel;
  readonly format: 'safetensors' | 'gguf';
  readonly family: ModelFamily;
  /** Raw architecture name (config `architectures[0]` or GGUF `general.architecture`). */
  readonly architecture: string;
  readonly config: ModelConfig;
  readonly tensors: ReadonlyMap<string, TensorEntry>;
  readonly roles: ModelRoles;
  readonly vocab: Vocabulary | null;
  readonly files: readonly ModelFile[];
  /** safetensors `__metadata__` or GGUF string metadata worth showing. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Non-fatal observations (holes in data, inferred values). */
  readonly warnings: readonly string[];
  /** Read rows `[start, start + count)` of a role as float32 (row-major, `count × ref.cols`). */
  readRows(ref: TensorRef, start: number, count: number): Promise<Float32Array>;
  /** Read a whole role. */
  readRef(ref: TensorRef): Promise<Float32Array>;
  /**
   * Stream a role in chunks of whole rows (about `chunkBytes` of float32 each), reading the next
   * chunk while the caller works on the current one. Memory stays bounded by two chunks.
   */
  iterateRows(
    ref: TensorRef,
    chunkBytes?: number,
  ): AsyncGenerator<{ start: number; count: number; data: Float32Array }>;
  /** Bytes fetched over HTTP so far (remote models), for read-budget audits. */
  httpStats(): HttpStats;
  close(): Promise<void>;
}

/** Open a model by spec (see {@link resolveModel}). */
export async function openModel(spec: string, opts: ResolveOptions = {}): Promise<ModelView> {
  const resolved = await resolveModel(spec, opts);
  const sources: ByteSource[] = [];
  try {
    for (const f of resolved.weightFiles) sources.push(await openSource(f, opts));
    return resolved.kind === 'gguf'
      ? await openGguf(resolved, sources, opts)
      : await openSafetensors(resolved, sources, opts);
  } catch (e) {
    await Promise.all(sources.map((s) => s.close()));
    throw e;
  }
}

async function companionFiles(resolved: ResolvedModel, opts: ResolveOptions): Promise<ModelFile[]> {
  const out: ModelFile[] = [];
  for (const [path, role] of [
    [resolved.configFile, 'config'],
    [resolved.tokenizerFile, 'tokenizer'],
    [resolved.indexFile, 'index'],
  ] as const) {
    if (!path) continue;
    const s = await openSource(path, { ...opts, http: { ...(opts.http ?? {}), prefetch: 1 } });
    out.push({ path, size: s.size, role });
    await s.close();
  }
  return out;
}

async function openSafetensors(
  resolved: ResolvedModel,
  sources: ByteSource[],
  opts: ResolveOptions,
): Promise<ModelView> {
  const tensors = new Map<string, TensorEntry>();
  const warnings: string[] = [];
  const metadata: Record<string, string> = {};
  for (const src of sources) {
    const f = await parseSafetensors(src);
    Object.assign(metadata, f.metadata);
    for (const [a, b] of f.holes)
      warnings.push(`${src.name}: ${b - a} bytes at [${a}, ${b}) belong to no tensor`);
    for (const t of f.tensors.values()) {
      if (tensors.has(t.name)) {
        throw new FormatError('DUPLICATE_NAME', `tensor "${t.name}" appears in two shards`, {
          where: { file: src.name, field: t.name },
        });
      }
      tensors.set(t.name, {
        name: t.name,
        shape: t.shape,
        dtype: t.dtype,
        elements: t.elements,
        byteLength: t.byteLength,
        file: src.name,
        read: (start, count, out, outOffset) =>
          readSafetensorsRange(f, t, start, count, out, outOffset),
      });
    }
  }
  if (resolved.indexFile) {
    const idx = (await readJsonFile(resolved.indexFile, opts)) as {
      weight_map: Record<string, string>;
    };
    for (const [name, shard] of Object.entries(idx.weight_map)) {
      const t = tensors.get(name);
      if (!t)
        throw new FormatError(
          'MISSING_TENSOR',
          `index lists "${name}" in ${shard} but no shard holds it`,
          { where: { file: resolved.indexFile, field: name } },
        );
    }
  }
  if (!resolved.configFile)
    throw new FormatError('MISSING_FILE', 'safetensors model needs a config.json beside it', {
      where: { file: resolved.weightFiles[0] ?? resolved.spec },
    });
  const {
    family,
    architecture,
    config: cfg0,
  } = configFromHf(await readJsonFile(resolved.configFile, opts), resolved.configFile);
  const embed = [...tensors.values()].find((t) => t.name.endsWith('embed_tokens.weight'));
  let config = cfg0;
  if (embed && embed.shape.length === 2 && config.vocabSize !== embed.shape[0]) {
    warnings.push(
      `config vocab_size ${config.vocabSize} differs from the embedding's ${embed.shape[0]} rows; using the embedding`,
    );
    config = { ...config, vocabSize: embed.shape[0] ?? config.vocabSize };
  }
  if (config.intermediateSize === 0) {
    const g = [...tensors.values()].find((t) =>
      /layers\.0\.mlp\.(gate|up)_proj\.weight$/.test(t.name),
    );
    if (g) config = { ...config, intermediateSize: g.shape[0] ?? 0 };
  }
  const roles = hfRoles(tensors, family, config, resolved.configFile);
  if (!roles.lmHeadTied && config.tiedEmbeddings)
    warnings.push('config says tie_word_embeddings but lm_head.weight is present; using lm_head');
  let vocab: Vocabulary | null = null;
  if (resolved.tokenizerFile)
    vocab = vocabFromTokenizerJson(
      await readJsonFile(resolved.tokenizerFile, opts),
      resolved.tokenizerFile,
    );
  else if (config.vocabSize === 256) vocab = byteVocabulary();
  const files: ModelFile[] = [
    ...sources.map((s) => ({ path: s.name, size: s.size, role: 'weights' as const })),
    ...(await companionFiles(resolved, opts)),
  ];
  return makeView(
    resolved,
    'safetensors',
    family,
    architecture,
    config,
    tensors,
    roles,
    vocab,
    files,
    metadata,
    warnings,
    sources,
  );
}

async function openGguf(
  resolved: ResolvedModel,
  sources: ByteSource[],
  opts: ResolveOptions,
): Promise<ModelView> {
  const parts: GgufFile[] = [];
  for (const s of sources) parts.push(await parseGguf(s));
  const first = parts[0];
  if (!first)
    throw new FormatError('MISSING_FILE', 'no GGUF file', { where: { file: resolved.spec } });
  if (parts.length > 1 || first.metadata.has('split.count')) {
    const count = ggufNumber(first, 'split.count') ?? 1;
    if (count !== parts.length) {
      throw new FormatError(
        'BAD_SPLIT',
        `split.count is ${count} but ${parts.length} part(s) were found`,
        { where: { file: first.source.name, field: 'split.count' } },
      );
    }
    parts.forEach((p, i) => {
      const no = ggufNumber(p, 'split.no');
      if (no !== i)
        throw new FormatError('BAD_SPLIT', `part ${i + 1} has split.no ${String(no)}`, {
          where: { file: p.source.name, field: 'split.no' },
        });
    });
  }
  const tensors = new Map<string, TensorEntry>();
  for (const p of parts) {
    for (const t of p.tensors.values()) {
      if (tensors.has(t.name))
        throw new FormatError('DUPLICATE_NAME', `tensor "${t.name}" appears in two split parts`, {
          where: { file: p.source.name, field: t.name },
        });
      tensors.set(t.name, {
        name: t.name,
        shape: [...t.dims].reverse(),
        dtype: t.type.name,
        elements: t.elements,
        byteLength: t.byteLength,
        file: p.source.name,
        read: (start, count, out, outOffset) => readGgufRange(p, t, start, count, out, outOffset),
        readSteps: (start, count) => readGgufSteps(p, t, start, count),
      });
    }
  }
  const declared = ggufNumber(first, 'split.tensors.count');
  if (declared !== undefined && declared !== tensors.size) {
    throw new FormatError(
      'BAD_SPLIT',
      `split.tensors.count is ${declared} but the parts hold ${tensors.size} tensors`,
      { where: { file: first.source.name, field: 'split.tensors.count' } },
    );
  }
  const { family, architecture, config } = configFromGguf(first);
  const roles = ggufRoles(tensors, architecture, family, config, first.source.name);
  const metadata: Record<string, string> = {};
  for (const [k, e] of first.metadata)
    if (typeof e.value === 'string' && e.value.length < 256 && k.startsWith('general.'))
      metadata[k] = e.value;
  const files: ModelFile[] = [
    ...sources.map((s) => ({ path: s.name, size: s.size, role: 'weights' as const })),
    ...(await companionFiles(resolved, opts)),
  ];
  return makeView(
    resolved,
    'gguf',
    family,
    architecture,
    config,
    tensors,
    roles,
    vocabFromGguf(first),
    files,
    metadata,
    [],
    sources,
  );
}

function makeView(
  resolved: ResolvedModel,
  format: 'safetensors' | 'gguf',
  family: ModelFamily,
  architecture: string,
  config: ModelConfig,
  tensors: Map<string, TensorEntry>,
  roles: ModelRoles,
  vocab: Vocabulary | null,
  files: ModelFile[],
  metadata: Record<string, string>,
  warnings: string[],
  sources: ByteSource[],
): ModelView {
  const readRows = (r: TensorRef, start: number, count: number): Promise<Float32Array> =>
    readRefRows(tensors, r, start, count);
  return {
    spec: resolved.spec,
    resolved,
    format,
    family,
    architecture,
    config,
    tensors,
    roles,
    vocab,
    files,
    metadata,
    warnings,
    readRows,
    readRef: (r) => readRows(r, 0, r.rows),
    iterateRows: (r, chunkBytes) => iterateRefRows(readRows, r, chunkBytes),
    httpStats: () => {
      const total: HttpStats = { requests: 0, bytesFetched: 0, retries: 0 };
      for (const s of sources) {
        if (s instanceof HttpSource) {
          total.requests += s.stats.requests;
          total.bytesFetched += s.stats.bytesFetched;
          total.retries += s.stats.retries;
        }
      }
      return total;
    },
    close: async () => {
      await Promise.all(sources.map((s) => s.close()));
    },
  };
}

/** Default chunk for {@link ModelView.iterateRows}: large enough to amortise syscalls, small enough for caches. */
export const ROW_CHUNK_BYTES = 8 * 1024 * 1024;

async function* iterateRefRows(
  readRows: (r: TensorRef, start: number, count: number) => Promise<Float32Array>,
  r: TensorRef,
  chunkBytes = ROW_CHUNK_BYTES,
): AsyncGenerator<{ start: number; count: number; data: Float32Array }> {
  const per = Math.max(1, Math.floor(chunkBytes / (4 * Math.max(1, r.cols))));
  let start = 0;
  let pending: Promise<Float32Array> | null =
    r.rows > 0 ? readRows(r, 0, Math.min(per, r.rows)) : null;
  try {
    while (pending) {
      const count = Math.min(per, r.rows - start);
      const data = await pending;
      const next = start + count;
      pending = next < r.rows ? readRows(r, next, Math.min(per, r.rows - next)) : null;
      yield { start, count, data };
      start = next;
    }
  } finally {
    // A caller that stops early must not leave a read-ahead rejection unhandled.
    pending?.catch(() => undefined);
  }
}

/** Read rows of a role, applying the GGUF Q/K un-permutation, FP8 block scales and gain offsets. */
export async function readRefRows(
  tensors: ReadonlyMap<string, TensorEntry>,
  r: TensorRef,
  start: number,
  count: number,
): Promise<Float32Array> {
  const t = tensors.get(r.tensor);
  if (!t)
    throw new FormatError('MISSING_TENSOR', `tensor "${r.tensor}" is not in the model`, {
      where: { field: r.tensor },
    });
  if (
    !Number.isSafeInteger(start) ||
    !Number.isSafeInteger(count) ||
    start < 0 ||
    count < 0 ||
    start + count > r.rows
  ) {
    throw new FormatError(
      'OUT_OF_BOUNDS',
      `rows [${start}, ${start + count}) outside ${r.rows} rows of "${r.tensor}"`,
      { where: { file: t.file, field: r.tensor } },
    );
  }
  const cols = r.cols;
  let out: Float32Array;
  if (r.unpermuteHeads) {
    const hd = r.unpermuteHeads.headDim;
    const half = hd / 2;
    const h0 = Math.floor(start / hd);
    const h1 = Math.ceil((start + count) / hd);
    const stored = await t.read((r.rowOffset + h0 * hd) * cols, (h1 - h0) * hd * cols);
    out = new Float32Array(count * cols);
    for (let c = start; c < start + count; c++) {
      const h = Math.floor(c / hd);
      const within = c - h * hd;
      const s = 2 * (within % half) + Math.floor(within / half);
      const from = ((h - h0) * hd + s) * cols;
      out.set(stored.subarray(from, from + cols), (c - start) * cols);
    }
  } else {
    out = await t.read((r.rowOffset + start) * cols, count * cols);
  }
  if (r.blockScale) {
    const s = tensors.get(r.blockScale.tensor);
    if (!s)
      throw new FormatError('MISSING_TENSOR', `scale tensor "${r.blockScale.tensor}" is missing`, {
        where: { field: r.blockScale.tensor },
      });
    const sCols = s.shape[s.shape.length - 1] ?? 1;
    const { blockRows, blockCols } = r.blockScale;
    const b0 = Math.floor((r.rowOffset + start) / blockRows);
    const b1 = Math.floor((r.rowOffset + start + count - 1) / blockRows);
    const scales =
      count > 0 ? await s.read(b0 * sCols, (b1 - b0 + 1) * sCols) : new Float32Array(0);
    for (let i = 0; i < count; i++) {
      const br = Math.floor((r.rowOffset + start + i) / blockRows) - b0;
      for (let j = 0; j < cols; j++)
        out[i * cols + j] =
          (out[i * cols + j] ?? 0) * (scales[br * sCols + Math.floor(j / blockCols)] ?? 1);
    }
  }
  if (r.addOne) for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) + 1;
  return out;
}
