/**
 * Fingerprint files: JSON with matrices as base64 binary16 (half precision halves the size and is
 * far more precise than the similarity statistics need). Loading validates every field, since a
 * fingerprint may come from anyone (a registry, a counterparty): bad files are FormatErrors
 * naming the field.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { FormatError } from '../errors.js';
import { f16Table, f32ToF16 } from '../formats/dtypes.js';
import type { Fingerprint, LayerPrint, StoredMatrix } from './types.js';

/** Largest fingerprint file accepted (a 70B model's 1% is ~1.4 GB; fingerprints are far smaller). */
export const MAX_FINGERPRINT_BYTES = 512 * 1024 * 1024;
/** Largest matrix dimension accepted in a fingerprint. */
export const MAX_FINGERPRINT_DIM = 1 << 20;

type Encoded = { rows: number; cols: number; f16: string };

function encodeMatrix(m: StoredMatrix): Encoded {
  const h = new Uint16Array(m.data.length);
  for (let i = 0; i < m.data.length; i++) h[i] = f32ToF16(m.data[i] as number);
  return { rows: m.rows, cols: m.cols, f16: Buffer.from(h.buffer).toString('base64') };
}

function encodeVector(v: Float32Array | null): string | null {
  return v ? encodeMatrix({ rows: 1, cols: v.length, data: v }).f16 : null;
}

/** Serialise a fingerprint to JSON text. */
export function fingerprintToJson(fp: Fingerprint): string {
  const layers = fp.layers.map((L) => ({
    index: L.index,
    mlp: L.mlp
      ? {
          units: L.mlp.units,
          selected: Array.from(L.mlp.selected),
          selection: L.mlp.selection,
          gate: encodeMatrix(L.mlp.gate),
          up: encodeMatrix(L.mlp.up),
        }
      : null,
    identity: L.identity
      ? {
          units: Array.from(L.identity.units),
          coords: Array.from(L.identity.coords),
          gate: encodeMatrix(L.identity.gate),
          up: encodeMatrix(L.identity.up),
          gateStep: L.identity.gateStep ? encodeMatrix(L.identity.gateStep) : null,
          upStep: L.identity.upStep ? encodeMatrix(L.identity.upStep) : null,
        }
      : null,
    attn: L.attn
      ? {
          gq: encodeMatrix(L.attn.gq),
          gk: encodeMatrix(L.attn.gk),
          gv: encodeMatrix(L.attn.gv),
          go: encodeMatrix(L.attn.go),
          qk: encodeMatrix(L.attn.qk),
          vo: encodeMatrix(L.attn.vo),
        }
      : null,
    norms: { attn: encodeVector(L.norms.attn), mlp: encodeVector(L.norms.mlp) },
    sigma: L.sigma,
  }));
  return JSON.stringify({
    ...fp,
    pool: { tokens: fp.pool.tokens, embeddings: encodeMatrix(fp.pool.embeddings) },
    embeddingIdentity: fp.embeddingIdentity
      ? {
          coords: Array.from(fp.embeddingIdentity.coords),
          values: encodeMatrix(fp.embeddingIdentity.values),
        }
      : null,
    layers,
  });
}

/** Write a fingerprint file. Returns its size in bytes. */
export async function saveFingerprint(fp: Fingerprint, path: string): Promise<number> {
  const text = fingerprintToJson(fp);
  await writeFile(path, text);
  return Buffer.byteLength(text);
}

class Reader {
  constructor(readonly file: string) {}
  fail(field: string, msg: string): never {
    throw new FormatError('BAD_JSON', msg, { where: { file: this.file, field } });
  }
  obj(v: unknown, field: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      this.fail(field, 'expected an object');
    return v as Record<string, unknown>;
  }
  num(v: unknown, field: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
      this.fail(field, `expected a number in [${min}, ${max}]`);
    return v;
  }
  int(v: unknown, field: string, min = 0, max = MAX_FINGERPRINT_DIM): number {
    const n = this.num(v, field, min, max);
    if (!Number.isInteger(n)) this.fail(field, 'expected an integer');
    return n;
  }
  str(v: unknown, field: string): string {
    if (typeof v !== 'string') this.fail(field, 'expected a string');
    return v;
  }
  ints(v: unknown, field: string, max: number): Int32Array {
    if (!Array.isArray(v)) this.fail(field, 'expected an array of integers');
    return Int32Array.from(v.map((x, i) => this.int(x, `${field}[${i}]`, 0, max)));
  }
  f16(b64: string, count: number, field: string): Float32Array {
    const buf = Buffer.from(b64, 'base64');
    if (buf.length !== count * 2)
      this.fail(field, `holds ${buf.length / 2} values, expected ${count}`);
    const h = new Uint16Array(buf.buffer, buf.byteOffset, count);
    const t = f16Table();
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = t[h[i] as number] as number;
    if (!out.every(Number.isFinite)) this.fail(field, 'contains non-finite values');
    return out;
  }
  matrix(v: unknown, field: string): StoredMatrix {
    const o = this.obj(v, field);
    const rows = this.int(o['rows'], `${field}.rows`);
    const cols = this.int(o['cols'], `${field}.cols`);
    if (rows * cols > MAX_FINGERPRINT_BYTES / 2) this.fail(field, `${rows}×${cols} is too large`);
    return {
      rows,
      cols,
      data: this.f16(this.str(o['f16'], `${field}.f16`), rows * cols, `${field}.f16`),
    };
  }
  vector(v: unknown, field: string, len: number): Float32Array | null {
    if (v === null || v === undefined) return null;
    return this.f16(this.str(v, field), len, field);
  }
}

/** Parse and validate fingerprint JSON text. */
export function fingerprintFromJson(text: string, file = 'fingerprint'): Fingerprint {
  const rd: Reader = new Reader(file);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new FormatError('BAD_JSON', `not valid JSON: ${(e as Error).message}`, {
      where: { file },
      cause: e,
    });
  }
  const o = rd.obj(raw, '$');
  if (o['format'] !== 'model-customs/fingerprint')
    rd.fail('format', 'not a model-customs fingerprint');
  if (o['version'] !== 1)
    rd.fail('version', `unsupported fingerprint version ${String(o['version'])}`);
  const model = rd.obj(o['model'], 'model');
  const d = rd.int(model['hiddenSize'], 'model.hiddenSize', 1);
  const L = rd.int(model['numLayers'], 'model.numLayers', 1, 100_000);
  const params = rd.obj(o['params'], 'params');
  const pool = rd.obj(o['pool'], 'pool');
  const tokensRaw = pool['tokens'];
  if (!Array.isArray(tokensRaw)) rd.fail('pool.tokens', 'expected an array of strings');
  const tokens = tokensRaw.map((t, i) => rd.str(t, `pool.tokens[${i}]`));
  const T = tokens.length;
  const embeddings = rd.matrix(pool['embeddings'], 'pool.embeddings');
  if (embeddings.rows !== T || embeddings.cols !== d)
    rd.fail('pool.embeddings', `expected ${T}×${d}`);
  const layersRaw = o['layers'];
  if (!Array.isArray(layersRaw) || layersRaw.length !== L)
    rd.fail('layers', `expected ${L} layers`);
  const layers: LayerPrint[] = layersRaw.map((lv, li) => {
    const f = `layers[${li}]`;
    const l = rd.obj(lv, f);
    const mlpRaw = l['mlp'];
    let mlp: LayerPrint['mlp'] = null;
    if (mlpRaw !== null && mlpRaw !== undefined) {
      const mo = rd.obj(mlpRaw, `${f}.mlp`);
      const units = rd.int(mo['units'], `${f}.mlp.units`, 1);
      const selected = rd.ints(mo['selected'], `${f}.mlp.selected`, units - 1);
      const sel = mo['selection'];
      if (sel !== 'all' && sel !== 'gate-norm-top' && sel !== 'index-sample')
        rd.fail(`${f}.mlp.selection`, 'unknown selection');
      const gate = rd.matrix(mo['gate'], `${f}.mlp.gate`);
      const up = rd.matrix(mo['up'], `${f}.mlp.up`);
      if (
        gate.rows !== selected.length ||
        up.rows !== selected.length ||
        gate.cols !== T ||
        up.cols !== T
      )
        rd.fail(`${f}.mlp`, 'matrix shapes do not match the selection and pool');
      mlp = { units, selected, selection: sel, gate, up };
    }
    const idRaw = l['identity'];
    let identity: LayerPrint['identity'] = null;
    if (idRaw !== null && idRaw !== undefined) {
      const io = rd.obj(idRaw, `${f}.identity`);
      const units = rd.ints(io['units'], `${f}.identity.units`, MAX_FINGERPRINT_DIM);
      const coords = rd.ints(io['coords'], `${f}.identity.coords`, d - 1);
      const m = (k: string): StoredMatrix | null =>
        io[k] === null || io[k] === undefined ? null : rd.matrix(io[k], `${f}.identity.${k}`);
      const gate = m('gate');
      const up = m('up');
      if (
        !gate ||
        !up ||
        gate.rows !== units.length ||
        gate.cols !== coords.length ||
        up.rows !== units.length ||
        up.cols !== coords.length
      ) {
        rd.fail(`${f}.identity`, 'matrix shapes do not match units × coords');
      }
      identity = { units, coords, gate, up, gateStep: m('gateStep'), upStep: m('upStep') };
    }
    const aRaw = l['attn'];
    let attn: LayerPrint['attn'] = null;
    if (aRaw !== null && aRaw !== undefined) {
      const ao = rd.obj(aRaw, `${f}.attn`);
      const g = (k: string): StoredMatrix => {
        const mm = rd.matrix(ao[k], `${f}.attn.${k}`);
        if (mm.rows !== T || mm.cols !== T) rd.fail(`${f}.attn.${k}`, `expected ${T}×${T}`);
        return mm;
      };
      attn = { gq: g('gq'), gk: g('gk'), gv: g('gv'), go: g('go'), qk: g('qk'), vo: g('vo') };
    }
    const no = rd.obj(l['norms'] ?? {}, `${f}.norms`);
    const sigmaRaw = rd.obj(l['sigma'] ?? {}, `${f}.sigma`);
    const sigma: Record<string, number> = {};
    for (const [k, v] of Object.entries(sigmaRaw)) sigma[k] = rd.num(v, `${f}.sigma.${k}`, 0, 1e30);
    return {
      index: li,
      mlp,
      identity,
      attn,
      norms: {
        attn: rd.vector(no['attn'], `${f}.norms.attn`, d),
        mlp: rd.vector(no['mlp'], `${f}.norms.mlp`, d),
      },
      sigma,
    };
  });
  const eiRaw = o['embeddingIdentity'];
  let embeddingIdentity: Fingerprint['embeddingIdentity'] = null;
  if (eiRaw !== null && eiRaw !== undefined) {
    const eo = rd.obj(eiRaw, 'embeddingIdentity');
    const coords = rd.ints(eo['coords'], 'embeddingIdentity.coords', d - 1);
    const values = rd.matrix(eo['values'], 'embeddingIdentity.values');
    if (values.rows !== T || values.cols !== coords.length)
      rd.fail('embeddingIdentity.values', 'shape mismatch');
    embeddingIdentity = { coords, values };
  }
  const coverage = rd.obj(o['coverage'], 'coverage');
  const hashes = rd.obj(o['tensorHashes'] ?? {}, 'tensorHashes');
  const filesRaw = model['files'];
  if (!Array.isArray(filesRaw)) rd.fail('model.files', 'expected an array');
  const dtypesRaw = rd.obj(model['dtypes'] ?? {}, 'model.dtypes');
  return {
    format: 'model-customs/fingerprint',
    version: 1,
    tool: rd.str(o['tool'], 'tool'),
    model: {
      spec: rd.str(model['spec'], 'model.spec'),
      format: model['format'] === 'gguf' ? 'gguf' : 'safetensors',
      family: rd.str(model['family'], 'model.family') as Fingerprint['model']['family'],
      architecture: rd.str(model['architecture'], 'model.architecture'),
      hiddenSize: d,
      numLayers: L,
      intermediateSize: rd.int(model['intermediateSize'], 'model.intermediateSize'),
      numHeads: rd.int(model['numHeads'], 'model.numHeads'),
      numKvHeads: rd.int(model['numKvHeads'], 'model.numKvHeads'),
      headDim: rd.int(model['headDim'], 'model.headDim'),
      vocabSize: rd.int(model['vocabSize'], 'model.vocabSize'),
      parameters: rd.num(model['parameters'], 'model.parameters'),
      dtypes: Object.fromEntries(
        Object.entries(dtypesRaw).map(([k, v]) => [k, rd.num(v, `model.dtypes.${k}`)]),
      ),
      bytes: rd.num(model['bytes'], 'model.bytes'),
      files: filesRaw.map((fv, i) => {
        const fo = rd.obj(fv, `model.files[${i}]`);
        const sha = fo['sha256'];
        if (sha !== null && (typeof sha !== 'string' || !/^[0-9a-f]{64}$/.test(sha)))
          rd.fail(`model.files[${i}].sha256`, 'expected 64 hex digits or null');
        return {
          path: rd.str(fo['path'], `model.files[${i}].path`),
          size: rd.num(fo['size'], `model.files[${i}].size`),
          sha256: sha,
        };
      }),
    },
    params: {
      seed: rd.num(params['seed'], 'params.seed'),
      poolSize: rd.int(params['poolSize'], 'params.poolSize'),
      identityUnits: rd.int(params['identityUnits'], 'params.identityUnits'),
      identityCoords: rd.int(params['identityCoords'], 'params.identityCoords'),
    },
    coverage: {
      mode: coverage['mode'] === 'sample' ? 'sample' : 'full',
      bytesRead: rd.num(coverage['bytesRead'], 'coverage.bytesRead'),
      unitFraction: rd.num(coverage['unitFraction'], 'coverage.unitFraction', 0, 1),
      notes: Array.isArray(coverage['notes'])
        ? coverage['notes'].map((n, i) => rd.str(n, `coverage.notes[${i}]`))
        : [],
    },
    pool: { tokens, embeddings },
    embeddingIdentity,
    layers,
    tensorHashes: Object.fromEntries(
      Object.entries(hashes).map(([k, v]) => [k, rd.str(v, `tensorHashes.${k}`)]),
    ),
  };
}

/** Read and validate a fingerprint file. */
export async function loadFingerprint(path: string): Promise<Fingerprint> {
  const buf = await readFile(path).catch((e: unknown) => {
    throw new FormatError('MISSING_FILE', `cannot read fingerprint: ${(e as Error).message}`, {
      where: { file: path },
      cause: e,
    });
  });
  if (buf.length > MAX_FINGERPRINT_BYTES)
    throw new FormatError(
      'LIMIT_EXCEEDED',
      `fingerprint of ${buf.length} bytes exceeds ${MAX_FINGERPRINT_BYTES}`,
      { where: { file: path } },
    );
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch (e) {
    throw new FormatError('BAD_UTF8', 'fingerprint is not UTF-8', {
      where: { file: path },
      cause: e,
    });
  }
  return fingerprintFromJson(text, path);
}
