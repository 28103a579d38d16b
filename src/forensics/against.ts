/**
 * `customs compare <suspect> --against <dir>`: rank candidate parents. Each candidate is tested
 * with the full pairwise comparison; the ranking is by p-value. When two or more candidates are
 * derived-related, a merge check regresses the suspect's same-index samples on pairs of
 * candidates (task-vector style, as modelDNA's merge decomposition): a two-parent mixture that
 * explains far more than either parent alone is reported as a merge with its weight.
 */
import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import {
  compareFingerprints,
  DERIVED_ALPHA,
  resolveFingerprint,
  type LineageVerdict,
} from './compare.js';
import type { FingerprintOptions } from './fingerprint.js';
import type { Fingerprint } from './types.js';

/** Residual reduction a two-parent mixture must achieve over the best single parent to be called a merge. */
export const MERGE_MIN_GAIN = 0.3;

/** One ranked candidate. */
export interface CandidateResult {
  readonly candidate: string;
  readonly verdict: LineageVerdict;
}

/** A merge explanation. */
export interface MergeFinding {
  readonly parents: readonly [string, string];
  /** Weight of the first parent (suspect ≈ w·P1 + (1 − w)·P2). */
  readonly weight: number;
  /** 1 − RSS(mixture) / RSS(best single parent). */
  readonly gain: number;
}

/** Result of ranking candidates. */
export interface AgainstResult {
  readonly suspect: string;
  readonly ranking: readonly CandidateResult[];
  readonly merge: MergeFinding | null;
}

/** List model specs and fingerprint files in a directory. */
export function listCandidates(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    throw new UsageError('NOT_FOUND', `cannot list ${dir}: ${(e as Error).message}`, { cause: e });
  }
  const out: string[] = [];
  for (const n of names) {
    const p = join(dir, n);
    const st = statSync(p);
    if (st.isDirectory()) out.push(p);
    else if (n.endsWith('.gguf') && !/-0000[2-9]-of-|-000[1-9]\d-of-/.test(n)) out.push(p);
    else if (n.endsWith('.json') && looksLikeFingerprint(p)) out.push(p);
  }
  return out;
}

/** True when a JSON file starts like a model-customs fingerprint (other JSON files are skipped). */
function looksLikeFingerprint(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(256);
    const n = readSync(fd, buf, 0, 256, 0);
    return buf.subarray(0, n).toString('utf8').includes('"model-customs/fingerprint"');
  } finally {
    closeSync(fd);
  }
}

/** Rank candidate parents of `suspect` among the entries of `dir` (or an explicit list). */
export async function rankCandidates(
  opts: Omit<FingerprintOptions, 'model'> & {
    suspect: string | Fingerprint;
    candidates: readonly string[];
    alpha?: number;
    nullRate?: number;
  },
): Promise<AgainstResult> {
  const S = await resolveFingerprint(opts.suspect, opts);
  const alpha = opts.alpha ?? DERIVED_ALPHA;
  const fps = new Map<string, Fingerprint>();
  const ranking: CandidateResult[] = [];
  for (const c of opts.candidates) {
    const A = await resolveFingerprint(c, opts);
    if (A.model.spec === S.model.spec) continue;
    fps.set(c, A);
    ranking.push({ candidate: c, verdict: compareFingerprints(A, S, alpha, opts.nullRate) });
  }
  ranking.sort((a, b) => a.verdict.log10PValue - b.verdict.log10PValue);
  const related = ranking.filter((r) => r.verdict.verdict === 'derived').map((r) => r.candidate);
  let merge: MergeFinding | null = null;
  for (let i = 0; i < related.length; i++)
    for (let j = i + 1; j < related.length; j++) {
      const a = fps.get(related[i] ?? '');
      const b = fps.get(related[j] ?? '');
      if (!a || !b) continue;
      const m = mergeFit(S, a, b);
      if (m && m.gain >= MERGE_MIN_GAIN && (!merge || m.gain > merge.gain))
        merge = { parents: [related[i] ?? '', related[j] ?? ''], weight: m.weight, gain: m.gain };
    }
  return {
    suspect: typeof opts.suspect === 'string' ? opts.suspect : S.model.spec,
    ranking,
    merge,
  };
}

/** Least-squares fit of S ≈ w·A + (1 − w)·B on same-index samples (all layers, gate and up). */
export function mergeFit(
  S: Fingerprint,
  A: Fingerprint,
  B: Fingerprint,
): { weight: number; gain: number } | null {
  const s: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  const L = Math.min(S.layers.length, A.layers.length, B.layers.length);
  for (let l = 0; l < L; l++) {
    const xs = S.layers[l]?.identity;
    const xa = A.layers[l]?.identity;
    const xb = B.layers[l]?.identity;
    if (!xs || !xa || !xb) continue;
    if (xs.gate.data.length !== xa.gate.data.length || xs.gate.data.length !== xb.gate.data.length)
      continue;
    if (xs.units.some((u, i) => xa.units[i] !== u || xb.units[i] !== u)) continue;
    for (const key of ['gate', 'up'] as const) {
      s.push(...xs[key].data);
      a.push(...xa[key].data);
      b.push(...xb[key].data);
    }
  }
  if (s.length < 16) return null;
  // minimise Σ (s − b − w(a − b))²  →  w = Σ (s−b)(a−b) / Σ (a−b)²
  let num = 0;
  let den = 0;
  for (let i = 0; i < s.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    num += ((s[i] as number) - (b[i] as number)) * d;
    den += d * d;
  }
  if (!(den > 0)) return null;
  const w = Math.min(1, Math.max(0, num / den));
  let rssMix = 0;
  let rssA = 0;
  let rssB = 0;
  for (let i = 0; i < s.length; i++) {
    const si = s[i] as number;
    const ai = a[i] as number;
    const bi = b[i] as number;
    rssMix += (si - (w * ai + (1 - w) * bi)) ** 2;
    rssA += (si - ai) ** 2;
    rssB += (si - bi) ** 2;
  }
  const best = Math.min(rssA, rssB);
  return { weight: w, gain: best > 0 ? 1 - rssMix / best : 0 };
}
