/**
 * Offline text embedding for the baselines: signed feature hashing of character 3-grams
 * (Weinberger et al., "Feature Hashing for Large Scale Multitask Learning", ICML 2009), L2
 * normalised. It stands in for the sentence encoders the published detectors use (bge-small
 * in arXiv 2606.05725), which cannot be downloaded here; the substitution is recorded in the
 * evaluation report.
 */
import { fmix32 } from '../hash.js';

/** Characters of a prompt embedded. */
export const EMBED_CHARS = 512;

/** Embed `text` into `dim` dimensions (unit norm; zero vector for empty text). */
export function embed(text: string, dim: number): Float32Array {
  const v = new Float32Array(dim);
  const s = text.length > EMBED_CHARS ? text.slice(0, EMBED_CHARS) : text;
  let a = 32;
  let b = 32;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    const h = fmix32(((a * 65599) ^ (b * 31) ^ c) >>> 0);
    v[h % dim] = (v[h % dim] ?? 0) + (h & 0x80000000 ? -1 : 1);
    a = b;
    b = c;
  }
  let norm = 0;
  for (let i = 0; i < dim; i++) norm += (v[i] ?? 0) ** 2;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < dim; i++) v[i] = (v[i] ?? 0) / norm;
  return v;
}

/** Squared Euclidean distance. */
export function dist2(x: Float32Array, y: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    s += d * d;
  }
  return s;
}

/** Dot product (cosine similarity for unit vectors). */
export function dot(x: Float32Array, y: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] ?? 0) * (y[i] ?? 0);
  return s;
}
