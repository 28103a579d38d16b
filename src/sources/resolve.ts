/**
 * Turn a user's model spec into concrete files:
 * - a local file (`.safetensors`, `.gguf`, a split GGUF part, a `model.safetensors.index.json`)
 *   or directory (Hugging Face layout, or one holding a single GGUF);
 * - `hf:org/name[@revision]` (or a bare `org/name` that is not a local path), resolved in the
 *   local Hugging Face cache: `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else
 *   `~/.cache/huggingface/hub/models--org--name/snapshots/<rev>` (revision from `refs/<name>`);
 * - `ollama:name[:tag]`, resolved through the Ollama manifest under `$OLLAMA_MODELS` (default
 *   `~/.ollama/models`) to the `application/vnd.ollama.image.model` blob;
 * - an `http(s)://` URL to a file or to a directory-like base (config.json beside it).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve as resolvePath } from 'node:path';
import { FormatError, SourceError, UsageError } from '../errors.js';
import { MAX_JSON_FILE_BYTES, MAX_SHARDS } from '../formats/limits.js';
import type { ByteSource } from './byte-source.js';
import { FileSource } from './file-source.js';
import { HttpSource, type HttpSourceOptions } from './http-source.js';

/** What kind of weights a spec resolved to. */
export type ResolvedKind = 'safetensors' | 'gguf';

/** A resolved model: the weight files and optional companions, as paths or URLs. */
export interface ResolvedModel {
  readonly spec: string;
  readonly kind: ResolvedKind;
  /** Weight files in order (shards / split parts). */
  readonly weightFiles: readonly string[];
  readonly configFile?: string;
  readonly tokenizerFile?: string;
  readonly indexFile?: string;
  readonly remote: boolean;
  /** How the spec was interpreted (for reports). */
  readonly resolvedFrom: 'file' | 'directory' | 'hf-cache' | 'ollama' | 'http';
}

/** Options for resolution and opening. */
export interface ResolveOptions {
  /** Override the HF hub cache directory. */
  readonly hfCache?: string;
  /** Override the Ollama models directory. */
  readonly ollamaDir?: string;
  readonly http?: HttpSourceOptions;
}

const SPLIT_GGUF = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/;

/** Open a path or URL as a byte source. */
export async function openSource(
  pathOrUrl: string,
  opts: ResolveOptions = {},
): Promise<ByteSource> {
  if (/^https?:\/\//i.test(pathOrUrl)) return HttpSource.open(pathOrUrl, opts.http ?? {});
  return FileSource.open(pathOrUrl);
}

/** Read a small companion JSON file (config, index, tokenizer) from a path or URL. */
export async function readJsonFile(pathOrUrl: string, opts: ResolveOptions = {}): Promise<unknown> {
  const src = await openSource(pathOrUrl, opts);
  try {
    if (src.size > MAX_JSON_FILE_BYTES) {
      throw new FormatError(
        'LIMIT_EXCEEDED',
        `JSON file of ${src.size} bytes exceeds the limit ${MAX_JSON_FILE_BYTES}`,
        { where: { file: pathOrUrl } },
      );
    }
    const bytes = await src.read(0, src.size);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch (e) {
      throw new FormatError('BAD_UTF8', 'file is not valid UTF-8', {
        where: { file: pathOrUrl },
        cause: e,
      });
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new FormatError('BAD_JSON', `invalid JSON: ${(e as Error).message}`, {
        where: { file: pathOrUrl },
        cause: e,
      });
    }
  } finally {
    await src.close();
  }
}

async function exists(pathOrUrl: string, opts: ResolveOptions): Promise<boolean> {
  if (!/^https?:\/\//i.test(pathOrUrl)) return existsSync(pathOrUrl);
  try {
    const s = await HttpSource.open(pathOrUrl, {
      ...(opts.http ?? {}),
      prefetch: 1,
      maxAttempts: 2,
    });
    await s.close();
    return true;
  } catch (e) {
    if (e instanceof SourceError && (e.code === 'HTTP_STATUS' || e.code === 'NOT_FOUND'))
      return false;
    throw e;
  }
}

function joinUrlOrPath(base: string, name: string): string {
  if (/^https?:\/\//i.test(base)) return new URL(name, base.endsWith('/') ? base : `${base}/`).href;
  return join(base, name);
}

function siblingOf(fileOrUrl: string, name: string): string {
  if (/^https?:\/\//i.test(fileOrUrl)) return new URL(name, fileOrUrl).href;
  return join(dirname(fileOrUrl), name);
}

/** Parse `model.safetensors.index.json` and list its shards (validated names, no traversal). */
export async function shardsFromIndex(
  indexPath: string,
  opts: ResolveOptions = {},
): Promise<string[]> {
  const idx = await readJsonFile(indexPath, opts);
  const map = (idx as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new FormatError('BAD_JSON', 'index has no weight_map object', {
      where: { file: indexPath, field: 'weight_map' },
    });
  }
  const shards = [...new Set(Object.values(map as Record<string, unknown>))];
  if (shards.length > MAX_SHARDS) {
    throw new FormatError(
      'LIMIT_EXCEEDED',
      `index lists ${shards.length} shards, over the limit ${MAX_SHARDS}`,
      { where: { file: indexPath } },
    );
  }
  const out: string[] = [];
  for (const s of shards) {
    // A shard name is a bare file name; anything with a path separator could escape the directory.
    if (
      typeof s !== 'string' ||
      s.length === 0 ||
      s.includes('/') ||
      s.includes('\\') ||
      s === '.' ||
      s === '..'
    ) {
      throw new FormatError(
        'BAD_JSON',
        `weight_map names an invalid shard file ${JSON.stringify(s)}`,
        { where: { file: indexPath, field: 'weight_map' } },
      );
    }
    out.push(siblingOf(indexPath, s));
  }
  return out.sort();
}

async function splitGgufParts(first: string, opts: ResolveOptions): Promise<string[]> {
  const m = SPLIT_GGUF.exec(basename(first.split('?')[0] ?? first));
  if (!m) return [first];
  const total = Number(m[3]);
  if (total < 1 || total > MAX_SHARDS)
    throw new FormatError('BAD_SPLIT', `split count ${total} is out of range`, {
      where: { file: first },
    });
  const parts: string[] = [];
  for (let i = 1; i <= total; i++) {
    const name = `${m[1] ?? ''}-${String(i).padStart(5, '0')}-of-${m[3] ?? ''}.gguf`;
    const p = siblingOf(first, name);
    if (!(await exists(p, opts)))
      throw new FormatError('MISSING_FILE', `split part ${i} of ${total} is missing`, {
        where: { file: p },
      });
    parts.push(p);
  }
  return parts;
}

async function resolveDirectory(
  dir: string,
  spec: string,
  from: ResolvedModel['resolvedFrom'],
  opts: ResolveOptions,
): Promise<ResolvedModel> {
  const remote = /^https?:\/\//i.test(dir);
  const has = async (n: string): Promise<string | undefined> =>
    (await exists(joinUrlOrPath(dir, n), opts)) ? joinUrlOrPath(dir, n) : undefined;
  const configFile = await has('config.json');
  const tokenizerFile = await has('tokenizer.json');
  const companions = {
    ...(configFile ? { configFile } : {}),
    ...(tokenizerFile ? { tokenizerFile } : {}),
  };
  const indexFile = await has('model.safetensors.index.json');
  if (indexFile) {
    return {
      spec,
      kind: 'safetensors',
      weightFiles: await shardsFromIndex(indexFile, opts),
      indexFile,
      ...companions,
      remote,
      resolvedFrom: from,
    };
  }
  const single = await has('model.safetensors');
  if (single)
    return {
      spec,
      kind: 'safetensors',
      weightFiles: [single],
      ...companions,
      remote,
      resolvedFrom: from,
    };
  if (!remote) {
    const names = readdirSync(dir).sort();
    const st = names.filter((n) => n.endsWith('.safetensors'));
    const gg = names.filter((n) => n.endsWith('.gguf'));
    if (st.length > 0)
      return {
        spec,
        kind: 'safetensors',
        weightFiles: st.map((n) => join(dir, n)),
        ...companions,
        remote,
        resolvedFrom: from,
      };
    if (gg.length > 0) {
      const firstSplit = gg.find((n) => /-00001-of-\d{5}\.gguf$/.test(n));
      if (gg.length > 1 && !firstSplit) {
        throw new UsageError(
          'USAGE',
          `directory holds ${gg.length} GGUF files; name the one to use`,
          { where: { file: dir } },
        );
      }
      const parts = await splitGgufParts(join(dir, firstSplit ?? gg[0] ?? ''), opts);
      return { spec, kind: 'gguf', weightFiles: parts, ...companions, remote, resolvedFrom: from };
    }
  }
  throw new FormatError(
    'MISSING_FILE',
    'no model weights found (model.safetensors, an index, *.safetensors or *.gguf)',
    { where: { file: dir } },
  );
}

/** Locate a repo in the local HF cache. */
export function hfCacheSnapshot(
  repo: string,
  revision: string | undefined,
  opts: ResolveOptions = {},
): string {
  const cache =
    opts.hfCache ??
    process.env['HF_HUB_CACHE'] ??
    (process.env['HF_HOME']
      ? join(process.env['HF_HOME'], 'hub')
      : join(homedir(), '.cache', 'huggingface', 'hub'));
  if (!/^[\w.-]+\/[\w.-]+$/.test(repo))
    throw new UsageError('USAGE', `"${repo}" is not a Hugging Face repo id (org/name)`);
  const repoDir = join(cache, `models--${repo.replace('/', '--')}`);
  if (!existsSync(repoDir))
    throw new SourceError('NOT_FOUND', `repo ${repo} is not in the Hugging Face cache`, {
      where: { file: repoDir },
    });
  let rev = revision ?? 'main';
  const ref = join(repoDir, 'refs', rev);
  if (existsSync(ref)) rev = readFileSync(ref, 'utf8').trim();
  if (!/^[\w.-]+$/.test(rev)) throw new UsageError('USAGE', `invalid revision "${rev}"`);
  const snap = join(repoDir, 'snapshots', rev);
  if (!existsSync(snap))
    throw new SourceError('NOT_FOUND', `revision ${rev} of ${repo} is not in the cache`, {
      where: { file: snap },
    });
  return snap;
}

/** Locate an Ollama model's GGUF blob through its manifest. */
export function ollamaBlob(name: string, opts: ResolveOptions = {}): string {
  const root =
    opts.ollamaDir ?? process.env['OLLAMA_MODELS'] ?? join(homedir(), '.ollama', 'models');
  const [pathPart, tag = 'latest'] = name.split(':');
  if (!pathPart || !/^[\w.-]+(\/[\w.-]+){0,2}$/.test(pathPart) || !/^[\w.-]+$/.test(tag)) {
    throw new UsageError('USAGE', `"${name}" is not an Ollama model name (name[:tag])`);
  }
  const segs = pathPart.split('/');
  const full =
    segs.length === 1
      ? ['registry.ollama.ai', 'library', ...segs]
      : segs.length === 2
        ? ['registry.ollama.ai', ...segs]
        : segs;
  const manifest = join(root, 'manifests', ...full, tag);
  if (!existsSync(manifest))
    throw new SourceError('NOT_FOUND', `Ollama model ${name} has no manifest`, {
      where: { file: manifest },
    });
  let m: unknown;
  try {
    m = JSON.parse(readFileSync(manifest, 'utf8'));
  } catch (e) {
    throw new FormatError('BAD_JSON', 'Ollama manifest is not valid JSON', {
      where: { file: manifest },
      cause: e,
    });
  }
  const layers = (m as { layers?: unknown }).layers;
  const layer = Array.isArray(layers)
    ? (layers as { mediaType?: unknown; digest?: unknown }[]).find(
        (l) => l.mediaType === 'application/vnd.ollama.image.model',
      )
    : undefined;
  if (!layer || typeof layer.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(layer.digest)) {
    throw new FormatError('BAD_JSON', 'Ollama manifest has no model layer with a sha256 digest', {
      where: { file: manifest, field: 'layers' },
    });
  }
  const blob = join(root, 'blobs', layer.digest.replace(':', '-'));
  if (!existsSync(blob))
    throw new FormatError('MISSING_FILE', `model blob ${layer.digest} is missing`, {
      where: { file: blob },
    });
  return blob;
}

/** Resolve a model spec to files. */
export async function resolveModel(
  spec: string,
  opts: ResolveOptions = {},
): Promise<ResolvedModel> {
  if (/^https?:\/\//i.test(spec)) {
    const path = new URL(spec).pathname;
    if (path.endsWith('.gguf'))
      return {
        spec,
        kind: 'gguf',
        weightFiles: await splitGgufParts(spec, opts),
        remote: true,
        resolvedFrom: 'http',
      };
    if (path.endsWith('.safetensors') || path.endsWith('.index.json')) {
      const configFile = siblingOf(spec, 'config.json');
      const tok = siblingOf(spec, 'tokenizer.json');
      const companions = {
        ...((await exists(configFile, opts)) ? { configFile } : {}),
        ...((await exists(tok, opts)) ? { tokenizerFile: tok } : {}),
      };
      if (path.endsWith('.index.json')) {
        return {
          spec,
          kind: 'safetensors',
          weightFiles: await shardsFromIndex(spec, opts),
          indexFile: spec,
          ...companions,
          remote: true,
          resolvedFrom: 'http',
        };
      }
      return {
        spec,
        kind: 'safetensors',
        weightFiles: [spec],
        ...companions,
        remote: true,
        resolvedFrom: 'http',
      };
    }
    return resolveDirectory(spec, spec, 'http', opts);
  }
  if (spec.startsWith('ollama:')) {
    return {
      spec,
      kind: 'gguf',
      weightFiles: [ollamaBlob(spec.slice(7), opts)],
      remote: false,
      resolvedFrom: 'ollama',
    };
  }
  const hf = spec.startsWith('hf:') ? spec.slice(3) : null;
  if (hf !== null || (!existsSync(spec) && /^[\w.-]+\/[\w.-]+(@[\w.-]+)?$/.test(spec))) {
    const [repo = '', rev] = (hf ?? spec).split('@');
    return resolveDirectory(hfCacheSnapshot(repo, rev, opts), spec, 'hf-cache', opts);
  }
  const p = resolvePath(spec);
  if (!existsSync(p))
    throw new SourceError('NOT_FOUND', 'no such file or directory', { where: { file: spec } });
  const st = statSync(p);
  if (st.isDirectory()) return resolveDirectory(p, spec, 'directory', opts);
  const name = basename(p);
  const companion = (n: string): Record<string, string> => {
    const q = join(dirname(p), n);
    return existsSync(q) ? { [n === 'config.json' ? 'configFile' : 'tokenizerFile']: q } : {};
  };
  if (name.endsWith('.index.json')) {
    return {
      spec,
      kind: 'safetensors',
      weightFiles: await shardsFromIndex(p, opts),
      indexFile: p,
      ...companion('config.json'),
      ...companion('tokenizer.json'),
      remote: false,
      resolvedFrom: 'file',
    };
  }
  const head = await FileSource.open(p);
  let magic = '';
  try {
    if (head.size >= 4) magic = Buffer.from(await head.read(0, 4)).toString('latin1');
  } finally {
    await head.close();
  }
  if (magic === 'GGUF')
    return {
      spec,
      kind: 'gguf',
      weightFiles: await splitGgufParts(p, opts),
      remote: false,
      resolvedFrom: 'file',
    };
  return {
    spec,
    kind: 'safetensors',
    weightFiles: [p],
    ...companion('config.json'),
    ...companion('tokenizer.json'),
    remote: false,
    resolvedFrom: 'file',
  };
}
