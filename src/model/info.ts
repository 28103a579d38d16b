/** `customs info`: a model's family, sizes, dtypes and files (optionally with SHA-256 digests). */
import { createHash } from 'node:crypto';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { openSource, type ResolveOptions } from '../sources/resolve.js';
import { openModel } from './view.js';
import type { ModelFamily } from './types.js';

/** Bytes hashed per read when digesting a file. */
export const DIGEST_CHUNK = 16 * 1024 * 1024;

/** Options for {@link getModelInfo}. */
export interface ModelInfoOptions extends ResolveOptions {
  readonly model: string;
  /** Compute the SHA-256 of every file (reads every byte). */
  readonly digest?: boolean;
}

/** What `customs info` reports. */
export interface ModelInfo {
  readonly tool: string;
  readonly spec: string;
  readonly format: 'safetensors' | 'gguf';
  readonly resolvedFrom: string;
  readonly family: ModelFamily;
  readonly architecture: string;
  readonly parameters: number;
  /** Parameter count per stored dtype. */
  readonly dtypes: Readonly<Record<string, number>>;
  readonly layers: number;
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly vocabSize: number;
  readonly tokenizer: string | null;
  readonly tiedEmbeddings: boolean;
  readonly experts: number;
  readonly tensors: number;
  readonly files: readonly { path: string; size: number; role: string; sha256?: string }[];
  readonly warnings: readonly string[];
}

/** Stream a file (or URL) through SHA-256. */
export async function sha256File(pathOrUrl: string, opts: ResolveOptions = {}): Promise<string> {
  const src = await openSource(pathOrUrl, opts);
  try {
    const h = createHash('sha256');
    // Keep one read in flight while hashing the previous chunk.
    let next: Promise<Uint8Array> | null =
      src.size > 0 ? src.read(0, Math.min(DIGEST_CHUNK, src.size)) : null;
    for (let off = 0; next;) {
      const buf = await next;
      off += buf.length;
      next = off < src.size ? src.read(off, Math.min(DIGEST_CHUNK, src.size - off)) : null;
      h.update(buf);
    }
    return h.digest('hex');
  } finally {
    await src.close();
  }
}

/** Describe a model. Reads headers (and every byte only with `digest`). */
export async function getModelInfo(opts: ModelInfoOptions): Promise<ModelInfo> {
  const m = await openModel(opts.model, opts);
  try {
    const dtypes: Record<string, number> = {};
    let parameters = 0;
    for (const t of m.tensors.values()) {
      parameters += t.elements;
      dtypes[t.dtype] = (dtypes[t.dtype] ?? 0) + t.elements;
    }
    const files = [];
    for (const f of m.files)
      files.push(opts.digest ? { ...f, sha256: await sha256File(f.path, opts) } : { ...f });
    const c = m.config;
    return {
      tool: `${TOOL_NAME} ${TOOL_VERSION}`,
      spec: opts.model,
      format: m.format,
      resolvedFrom: m.resolved.resolvedFrom,
      family: m.family,
      architecture: m.architecture,
      parameters,
      dtypes,
      layers: c.numLayers,
      hiddenSize: c.hiddenSize,
      intermediateSize: c.intermediateSize,
      heads: c.numHeads,
      kvHeads: c.numKvHeads,
      headDim: c.headDim,
      vocabSize: c.vocabSize,
      tokenizer: m.vocab?.source ?? null,
      tiedEmbeddings: m.roles.lmHeadTied,
      experts: c.numExperts,
      tensors: m.tensors.size,
      files,
      warnings: m.warnings,
    };
  } finally {
    await m.close();
  }
}
