/**
 * Fingerprint extraction: everything the lineage tests need, computed from one model alone, so a
 * registry can test a suspect against registered models without holding their weights.
 *
 * Residual coordinates. Every residual-space vector is described by its inner products with the
 * embeddings of a pool of tokens chosen by a hash of their *strings*. If a model's residual basis
 * is transformed by any invertible R (permutation, sign flips, rotation, rescaling), its
 * embeddings become E·R and its read-side rows W·R⁻ᵀ, so every product W·Eᵀ is unchanged: the
 * coordinates are exactly invariant to the obfuscations of Zhu et al. App. G (T1, T3), and
 * restricting to shared token strings handles different vocabularies. RMSNorm gains are folded
 * into the rows that read the normalised stream first (T5; "computational invariance",
 * Ashkboos et al., SliceGPT, ICLR 2024), and cosine comparisons ignore per-unit rescaling (T6).
 */
import { createHash } from 'node:crypto';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import {
  openModel,
  sha256File,
  type ModelView,
  type TensorRef,
  type LayerRoles,
  type MlpRoles,
} from '../model/index.js';
import type { ResolveOptions } from '../sources/resolve.js';
import { UsageError } from '../errors.js';
import { mat, mulABt, transpose, type Mat } from './linalg.js';
import { ProjectionPool } from './project-pool.js';
import type { Fingerprint, LayerPrint, StoredMatrix } from './types.js';

/** Largest pool of tokens (the dimension of unit descriptors). */
export const POOL_TOKENS_MAX = 96;
/** Units sampled by index per layer for the exact same-index tests. */
export const IDENTITY_UNITS = 128;
/** Residual coordinates sampled for the exact tests. */
export const IDENTITY_COORDS = 128;
/** A fingerprint should take at most this fraction of the model's bytes ... */
export const FINGERPRINT_BUDGET_FRACTION = 0.01;
/** ... but never less than this (tiny models cannot be described in 1% of their size). */
export const FINGERPRINT_MIN_BYTES = 2 * 1024 * 1024;
/** Remote models are fingerprinted reading at most this fraction of their bytes. */
export const REMOTE_READ_FRACTION = 0.05;
/** Seed of every sampling decision; fixed so that two models' samples correspond. */
export const FINGERPRINT_SEED = 0x5eed2026;

/** Options for {@link extractFingerprint}. */
export interface FingerprintOptions extends ResolveOptions {
  readonly model: string;
  /** Compute SHA-256 of every file (default: true for local models, false for remote). */
  readonly digest?: boolean;
  /** Progress callback (stage name, fraction). */
  readonly onProgress?: (stage: string, fraction: number) => void;
}

function hash32(s: string, salt: number): number {
  const h = createHash('sha256').update(`${salt}:${s}`).digest();
  return h.readUInt32LE(0);
}

/** The `count` items of [0, n) with the smallest seeded hashes (a sample two models agree on). */
export function seededIndices(n: number, count: number, salt: string): Int32Array {
  if (count >= n) return Int32Array.from({ length: n }, (_, i) => i);
  const scored: { i: number; h: number }[] = [];
  // hashing all n indices is cheap even for n ~ 10^5; keeps the choice independent of n for i < n
  for (let i = 0; i < n; i++) scored.push({ i, h: hash32(`${salt}:${i}`, FINGERPRINT_SEED) });
  scored.sort((a, b) => a.h - b.h || a.i - b.i);
  return Int32Array.from(scored.slice(0, count).map((x) => x.i)).sort();
}

function stored(m: Mat): StoredMatrix {
  return { rows: m.rows, cols: m.cols, data: m.data };
}

function foldColumns(rows: Float32Array, cols: number, gain: Float32Array | null): void {
  if (!gain) return;
  for (let o = 0; o < rows.length; o += cols)
    for (let j = 0; j < cols; j++) rows[o + j] = (rows[o + j] as number) * (gain[j] as number);
}

function std(x: Float32Array): number {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    s += v;
    s2 += v * v;
  }
  const n = x.length || 1;
  return Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2));
}

/** Consecutive runs of sorted indices: [[start, count], ...]. */
function runs(idx: Int32Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && (idx[j + 1] as number) === (idx[j] as number) + 1) j++;
    out.push([idx[i] as number, j - i + 1]);
    i = j + 1;
  }
  return out;
}

/** Unit row sources of a layer: a dense MLP, or each expert (and the shared expert). */
function unitSources(L: LayerRoles): MlpRoles[] {
  const list: MlpRoles[] = [];
  if (L.experts && L.experts.length > 0) list.push(...L.experts);
  else if (L.gate && L.up) list.push({ gate: L.gate, up: L.up });
  if (L.sharedExpert?.gate && L.sharedExpert.up) list.push(L.sharedExpert);
  return list.filter((s) => s.gate && s.up);
}

interface Reader {
  m: ModelView;
  bytesRead: number;
}

function bytesPerElement(m: ModelView, ref: TensorRef): number {
  const t = m.tensors.get(ref.tensor);
  return t && t.elements > 0 ? t.byteLength / t.elements : 4;
}

async function readRowsCounted(
  r: Reader,
  ref: TensorRef,
  start: number,
  count: number,
): Promise<Float32Array> {
  r.bytesRead += count * ref.cols * bytesPerElement(r.m, ref);
  return r.m.readRows(ref, start, count);
}

/** Read the rows `idx` (sorted) of a role, folded by `gain`. */
async function readSelectedRows(
  r: Reader,
  ref: TensorRef,
  idx: Int32Array,
  gain: Float32Array | null,
): Promise<Mat> {
  const out = new Float32Array(idx.length * ref.cols);
  let o = 0;
  for (const [start, count] of runs(idx)) {
    const rows = await readRowsCounted(r, ref, start, count);
    out.set(rows, o * ref.cols);
    o += count;
  }
  foldColumns(out, ref.cols, gain);
  return mat(idx.length, ref.cols, out);
}

/** Choose the pool tokens: hash order over token strings, skipping degenerate embeddings. */
async function choosePool(
  r: Reader,
  size: number,
): Promise<{ tokens: string[]; ids: number[]; rows: Mat }> {
  const m = r.m;
  const vocab =
    m.vocab?.tokens ?? Array.from({ length: m.config.vocabSize }, (_, i) => `<id:${i}>`);
  const candidates: { id: number; tok: string; h: number }[] = [];
  vocab.forEach((tok, id) => {
    if (tok === null || id >= m.roles.embedding.rows) return;
    // Reserved / unused placeholder tokens are often left at their (shared) initialisation.
    if (/reserved|unused|^<\|?pad|^\[PAD\]/i.test(tok)) return;
    candidates.push({ id, tok, h: hash32(tok, FINGERPRINT_SEED) });
  });
  candidates.sort((a, b) => a.h - b.h || (a.tok < b.tok ? -1 : 1));
  const want = Math.min(candidates.length, Math.ceil(size * (r.m.resolved.remote ? 1.5 : 3)));
  const picked = candidates.slice(0, want);
  const rows: Float32Array[] = [];
  for (const c of picked) rows.push(await readRowsCounted(r, m.roles.embedding, c.id, 1));
  const norms = rows.map((x) => Math.sqrt(x.reduce((s, v) => s + v * v, 0)));
  const sorted = [...norms].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const tokens: string[] = [];
  const ids: number[] = [];
  const data: number[] = [];
  picked.forEach((c, i) => {
    if (tokens.length >= size) return;
    if (!((norms[i] ?? 0) > 0.25 * median)) return; // untrained or zeroed rows carry no signal
    tokens.push(c.tok);
    ids.push(c.id);
    data.push(...(rows[i] ?? []));
  });
  return { tokens, ids, rows: mat(tokens.length, m.config.hiddenSize, Float32Array.from(data)) };
}

/** Extract a fingerprint from a model spec. */
export async function extractFingerprint(opts: FingerprintOptions): Promise<Fingerprint> {
  // Remote reads: a small first fetch and no gap-filling between sampled rows, so the bytes
  // fetched are the bytes needed (the read budget is audited from the HTTP counters).
  const m = await openModel(opts.model, {
    ...opts,
    http: { prefetch: 64 * 1024, coalesceGap: 0, ...(opts.http ?? {}) },
  });
  try {
    return await fingerprintView(m, opts);
  } finally {
    await m.close();
  }
}

/** Extract a fingerprint from an opened model. */
export async function fingerprintView(
  m: ModelView,
  opts: Omit<FingerprintOptions, 'model'> = {},
): Promise<Fingerprint> {
  const progress = opts.onProgress ?? ((): void => undefined);
  const c = m.config;
  const d = c.hiddenSize;
  const remote = m.resolved.remote;
  const totalBytes = m.files.reduce((s, f) => s + f.size, 0);
  const r: Reader = { m, bytesRead: 0 };
  const notes: string[] = [];
  if (d <= 0 || c.numLayers <= 0)
    throw new UsageError(
      'UNSUPPORTED',
      `model has hidden size ${d} and ${c.numLayers} layers; nothing to fingerprint`,
    );

  const poolSize = Math.max(2, Math.min(POOL_TOKENS_MAX, d, c.vocabSize));
  progress('pool', 0);
  const pool = await choosePool(r, poolSize);
  if (pool.tokens.length < poolSize)
    notes.push(`only ${pool.tokens.length} usable pool tokens (wanted ${poolSize})`);
  const T = pool.tokens.length;
  const projector = new ProjectionPool(pool.rows);
  try {
    return await fingerprintLayers();
  } finally {
    await projector.close();
  }

  async function fingerprintLayers(): Promise<Fingerprint> {
    // Budget: values stored as f16 in base64 (≈ 2.67 bytes each).
    const budgetBytes = Math.max(FINGERPRINT_MIN_BYTES, FINGERPRINT_BUDGET_FRACTION * totalBytes);
    const budgetValues = budgetBytes / 2.67;
    let idUnits = IDENTITY_UNITS;
    const idCoords = Math.min(IDENTITY_COORDS, d);
    const fixed =
      T * d + c.numLayers * (2 * 2 * idUnits * idCoords + 6 * T * T + 2 * d) + T * idCoords;
    let unitCap = Math.max(64, Math.floor((budgetValues - fixed) / (2 * T * c.numLayers)));
    if (remote) {
      // Remote: stay within REMOTE_READ_FRACTION of the bytes. A quarter of what is left after the
      // pool goes to the exact-test rows, the rest to unit rows (gate + up per unit), with a 10%
      // margin for headers and norms.
      const bpe = m.roles.layers[0]?.gate ? bytesPerElement(m, m.roles.layers[0].gate) : 2;
      const rowBytes = d * bpe;
      const left = 0.9 * REMOTE_READ_FRACTION * totalBytes - m.httpStats().bytesFetched;
      idUnits = Math.max(
        8,
        Math.min(IDENTITY_UNITS, Math.floor((0.25 * left) / (c.numLayers * 2 * rowBytes))),
      );
      const forUnits = left - c.numLayers * 2 * idUnits * rowBytes;
      unitCap = Math.max(
        16,
        Math.min(unitCap, Math.floor(forUnits / (2 * rowBytes * c.numLayers))),
      );
      notes.push(
        'remote model: units sampled by index; attention invariants and tensor hashes skipped to stay within the read budget',
      );
    }
    const coords = seededIndices(d, idCoords, 'coords');
    const embIdVals = new Float32Array(T * idCoords);
    for (let t = 0; t < T; t++)
      for (let j = 0; j < idCoords; j++)
        embIdVals[t * idCoords + j] = pool.rows.data[t * d + (coords[j] as number)] as number;

    const hashes: Record<string, string> = {};
    const layers: LayerPrint[] = [];
    let unitsStored = 0;
    let unitsTotal = 0;
    for (let li = 0; li < c.numLayers; li++) {
      progress('layers', li / c.numLayers);
      const L = m.roles.layers[li];
      if (!L) continue;
      const gAttn = L.attnNorm ? await readRowsCounted(r, L.attnNorm, 0, L.attnNorm.rows) : null;
      const gMlp = L.mlpNorm ? await readRowsCounted(r, L.mlpNorm, 0, L.mlpNorm.rows) : null;
      const sigma: Record<string, number> = {};
      if (gAttn) sigma['attnNorm'] = std(gAttn);
      if (gMlp) sigma['mlpNorm'] = std(gMlp);

      // ---- MLP units
      const sources = unitSources(L);
      const n = sources.reduce((s, u) => s + (u.gate?.rows ?? 0), 0);
      let mlp: LayerPrint['mlp'] = null;
      let identity: LayerPrint['identity'] = null;
      if (n > 0) {
        unitsTotal += n;
        const offsets: number[] = [];
        let acc = 0;
        for (const s of sources) {
          offsets.push(acc);
          acc += s.gate?.rows ?? 0;
        }
        const locate = (u: number): { s: MlpRoles; row: number } => {
          let k = sources.length - 1;
          while (k > 0 && (offsets[k] as number) > u) k--;
          return { s: sources[k] as MlpRoles, row: u - (offsets[k] as number) };
        };
        let selected: Int32Array;
        let selection: 'all' | 'gate-norm-top' | 'index-sample';
        if (remote) {
          selected = seededIndices(n, Math.min(n, unitCap), `units:${li}`);
          selection = selected.length === n ? 'all' : 'index-sample';
        } else if (n <= unitCap) {
          selected = Int32Array.from({ length: n }, (_, i) => i);
          selection = 'all';
        } else {
          // Transformation-invariant choice: the largest folded gate rows (gate cannot be rescaled).
          const norms = new Float32Array(n);
          for (let si = 0; si < sources.length; si++) {
            const g = sources[si]?.gate;
            if (!g) continue;
            const h = createHash('sha256');
            for await (const chunk of m.iterateRows(g)) {
              r.bytesRead += chunk.count * g.cols * bytesPerElement(m, g);
              h.update(
                new Uint8Array(chunk.data.buffer, chunk.data.byteOffset, chunk.data.byteLength),
              );
              const d = chunk.data;
              const cols = g.cols;
              for (let i = 0; i < chunk.count; i++) {
                let s2 = 0;
                const o = i * cols;
                if (gMlp) {
                  for (let j = 0; j < cols; j++) {
                    const v = (d[o + j] as number) * (gMlp[j] as number);
                    s2 += v * v;
                  }
                } else {
                  for (let j = 0; j < cols; j++) {
                    const v = d[o + j] as number;
                    s2 += v * v;
                  }
                }
                norms[(offsets[si] as number) + chunk.start + i] = s2;
              }
            }
            if (g.rowOffset === 0 && g.rows === m.tensors.get(g.tensor)?.shape[0])
              hashes[g.tensor] = h.digest('hex');
          }
          const order = Array.from({ length: n }, (_, i) => i).sort(
            (a, b) => (norms[b] as number) - (norms[a] as number) || a - b,
          );
          selected = Int32Array.from(order.slice(0, unitCap)).sort();
          selection = 'gate-norm-top';
        }
        unitsStored += selected.length;
        // Read selected gate/up rows per source, fold, describe by pool responses.
        const gateF = new Float32Array(selected.length * T);
        const upF = new Float32Array(selected.length * T);
        let gateSig = 0;
        let upSig = 0;
        for (let si = 0; si < sources.length; si++) {
          const src = sources[si] as MlpRoles;
          const lo = offsets[si] as number;
          const hi = lo + (src.gate?.rows ?? 0);
          const local: number[] = [];
          const pos: number[] = [];
          selected.forEach((u, p) => {
            if (u >= lo && u < hi) {
              local.push(u - lo);
              pos.push(p);
            }
          });
          if (local.length === 0 || !src.gate || !src.up) continue;
          const idx = Int32Array.from(local);
          // Process in chunks to bound memory on wide layers.
          const CH = 1024;
          for (let a = 0; a < idx.length; a += CH) {
            const part = idx.subarray(a, Math.min(idx.length, a + CH));
            const g = await readSelectedRows(r, src.gate, part, gMlp);
            const u = await readSelectedRows(r, src.up, part, gMlp);
            if (a === 0) {
              gateSig = std(g.data);
              upSig = std(u.data);
            }
            const [gp, up] = await Promise.all([
              projector.project(g.data, g.rows),
              projector.project(u.data, u.rows),
            ]);
            for (let q = 0; q < part.length; q++) {
              const p = pos[a + q] as number;
              gateF.set(gp.data.subarray(q * T, (q + 1) * T), p * T);
              upF.set(up.data.subarray(q * T, (q + 1) * T), p * T);
            }
          }
        }
        sigma['gate'] = gateSig;
        sigma['up'] = upSig;
        mlp = {
          units: n,
          selected,
          selection,
          gate: { rows: selected.length, cols: T, data: gateF },
          up: { rows: selected.length, cols: T, data: upF },
        };

        // Exact-test samples: raw values at seeded unit indices and residual coordinates.
        const idU = seededIndices(n, Math.min(idUnits, n), `identity:${li}`);
        const ig = new Float32Array(idU.length * idCoords);
        const iu = new Float32Array(idU.length * idCoords);
        let gStep: Float32Array | null = null;
        let uStep: Float32Array | null = null;
        for (let q = 0; q < idU.length; q++) {
          const { s, row } = locate(idU[q] as number);
          if (!s.gate || !s.up) continue;
          const gr = await readRowsCounted(r, s.gate, row, 1);
          const ur = await readRowsCounted(r, s.up, row, 1);
          const gt = m.tensors.get(s.gate.tensor);
          const ut = m.tensors.get(s.up.tensor);
          const gs =
            gt?.readSteps && !s.gate.unpermuteHeads
              ? await gt.readSteps((s.gate.rowOffset + row) * s.gate.cols, s.gate.cols)
              : null;
          const us =
            ut?.readSteps && !s.up.unpermuteHeads
              ? await ut.readSteps((s.up.rowOffset + row) * s.up.cols, s.up.cols)
              : null;
          if (gs && !gStep) gStep = new Float32Array(idU.length * idCoords);
          if (us && !uStep) uStep = new Float32Array(idU.length * idCoords);
          for (let j = 0; j < idCoords; j++) {
            const cj = coords[j] as number;
            ig[q * idCoords + j] = gr[cj] as number;
            iu[q * idCoords + j] = ur[cj] as number;
            if (gs && gStep) gStep[q * idCoords + j] = gs[cj] as number;
            if (us && uStep) uStep[q * idCoords + j] = us[cj] as number;
          }
        }
        identity = {
          units: idU,
          coords,
          gate: { rows: idU.length, cols: idCoords, data: ig },
          up: { rows: idU.length, cols: idCoords, data: iu },
          gateStep: gStep ? { rows: idU.length, cols: idCoords, data: gStep } : null,
          upStep: uStep ? { rows: idU.length, cols: idCoords, data: uStep } : null,
        };
      }

      // ---- attention invariants (local only: needs whole q/k/v/o)
      let attn: LayerPrint['attn'] = null;
      if (!remote && L.q && L.k && L.v && L.o) {
        const whole = async (ref: TensorRef, name: string): Promise<Mat> => {
          const x = await readRowsCounted(r, ref, 0, ref.rows);
          sigma[name] = std(x);
          if (
            ref.rowOffset === 0 &&
            !ref.unpermuteHeads &&
            ref.rows === m.tensors.get(ref.tensor)?.shape[0]
          ) {
            hashes[ref.tensor] = createHash('sha256')
              .update(new Uint8Array(x.buffer, x.byteOffset, x.byteLength))
              .digest('hex');
          }
          return mat(ref.rows, ref.cols, x);
        };
        const q = await whole(L.q, 'q');
        const k = await whole(L.k, 'k');
        const v = await whole(L.v, 'v');
        const o = await whole(L.o, 'o');
        for (const x of [q, k, v]) foldColumns(x.data, x.cols, gAttn);
        const ot = transpose(o); // dq × d (o: d × dq)
        const [Qp, Kp, Vp, Op] = await Promise.all([
          projector.project(q.data, q.rows), // dq × T
          projector.project(k.data, k.rows),
          projector.project(v.data, v.rows),
          projector.project(ot.data, ot.rows),
        ]);
        const groups = Math.max(1, Math.round(c.numHeads / Math.max(1, c.numKvHeads)));
        const hd = c.headDim;
        const expand = (kv: Mat): Mat => {
          const out = new Float32Array(c.numHeads * hd * T);
          for (let h = 0; h < c.numHeads; h++) {
            const g = Math.min(Math.floor(h / groups), kv.rows / hd - 1);
            out.set(kv.data.subarray(g * hd * T, (g + 1) * hd * T), h * hd * T);
          }
          return mat(c.numHeads * hd, T, out);
        };
        const gram = (x: Mat): StoredMatrix => stored(mulABt(transpose(x), transpose(x)));
        const qkOp =
          Qp.rows === c.numHeads * hd
            ? stored(mulABt(transpose(Qp), transpose(expand(Kp))))
            : stored(mulABt(transpose(Qp), transpose(Qp)));
        const voOp =
          Op.rows === c.numHeads * hd
            ? stored(mulABt(transpose(Op), transpose(expand(Vp))))
            : stored(mulABt(transpose(Op), transpose(Op)));
        attn = { gq: gram(Qp), gk: gram(Kp), gv: gram(Vp), go: gram(Op), qk: qkOp, vo: voOp };
      } else if (remote) {
        // σ from a few rows only (cheap)
        for (const [name, ref] of [
          ['q', L.q],
          ['k', L.k],
          ['v', L.v],
          ['o', L.o],
        ] as const) {
          if (ref) sigma[name] = std(await readRowsCounted(r, ref, 0, Math.min(4, ref.rows)));
        }
      }
      layers.push({ index: li, mlp, identity, attn, norms: { attn: gAttn, mlp: gMlp }, sigma });
    }
    progress('layers', 1);

    const files: { path: string; size: number; sha256: string | null }[] = [];
    const digest = opts.digest ?? !remote;
    for (const f of m.files) {
      files.push({
        path: f.path,
        size: f.size,
        sha256: digest ? await sha256File(f.path, opts) : null,
      });
    }
    if (!digest)
      notes.push(
        'file digests not computed (remote model or --no-digest): the verdict names files by path and size only',
      );
    const dtypes: Record<string, number> = {};
    let parameters = 0;
    for (const t of m.tensors.values()) {
      parameters += t.elements;
      dtypes[t.dtype] = (dtypes[t.dtype] ?? 0) + t.elements;
    }
    return {
      format: 'model-customs/fingerprint',
      version: 1,
      tool: `${TOOL_NAME} ${TOOL_VERSION}`,
      model: {
        spec: m.spec,
        format: m.format,
        family: m.family,
        architecture: m.architecture,
        hiddenSize: d,
        numLayers: c.numLayers,
        intermediateSize: c.intermediateSize,
        numHeads: c.numHeads,
        numKvHeads: c.numKvHeads,
        headDim: c.headDim,
        vocabSize: c.vocabSize,
        parameters,
        dtypes,
        bytes: totalBytes,
        files,
      },
      params: {
        seed: FINGERPRINT_SEED,
        poolSize: T,
        identityUnits: idUnits,
        identityCoords: idCoords,
      },
      coverage: {
        mode: remote ? 'sample' : 'full',
        bytesRead: remote ? m.httpStats().bytesFetched : r.bytesRead,
        unitFraction: unitsTotal > 0 ? unitsStored / unitsTotal : 0,
        notes,
      },
      pool: { tokens: pool.tokens, embeddings: stored(pool.rows) },
      embeddingIdentity: { coords, values: { rows: T, cols: idCoords, data: embIdVals } },
      layers,
      tensorHashes: hashes,
    };
  }
}
