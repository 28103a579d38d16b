/**
 * Generates the bench:compare pair with Llama-3.2-1B shapes in BF16 without holding either model
 * in memory: every parent element is a hash of (tensor, row, column), so any parent row can be
 * regenerated; the child is the parent with a residual permutation, per-layer MLP unit
 * permutations, per-unit up/down rescaling, q/k rescaling and 2% noise (an obfuscated fine-tune).
 * Usage: tsx bench/compare-gen.ts <dir>
 */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeSafetensorsFile, type SafetensorsWriteTensor } from '../src/formats/index.js';
import { LLAMA_1B, llamaTensorShapes } from './common.js';

const S = LLAMA_1B;

function mix(a: number): number {
  a = Math.imul(a ^ (a >>> 16), 0x7feb352d);
  a = Math.imul(a ^ (a >>> 15), 0x846ca68b);
  return (a ^ (a >>> 16)) >>> 0;
}

/** Parent element (tensor t, row r, col c) ~ uniform(−0.05, 0.05) (norm gains ≈ 1). */
function parentRow(t: number, r: number, cols: number, out: Float32Array, vector: boolean): void {
  if (vector) {
    for (let c = 0; c < cols; c++) out[c] = 0.8 + (mix((t * 1000003) ^ c) / 4294967296) * 0.4;
    return;
  }
  const seed = mix(t * 2654435761 + r * 40503);
  for (let c = 0; c < cols; c++) out[c] = (mix(seed + c * 0x9e3779b9) / 4294967296 - 0.5) * 0.1;
}

function permutation(n: number, seed: number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  let s = seed >>> 0;
  for (let i = n - 1; i > 0; i--) {
    s = mix(s + i);
    const j = s % (i + 1);
    const t = p[i] as number;
    p[i] = p[j] as number;
    p[j] = t;
  }
  return p;
}

function toBf16Bytes(x: Float32Array): Uint8Array {
  // round-to-nearest-even on the bit pattern (f32ToBf16 without its per-call allocation)
  const u = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const b = u[i] as number;
    out[i] = ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
  }
  return new Uint8Array(out.buffer);
}

function config(): string {
  return JSON.stringify({
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: S.hidden,
    intermediate_size: S.ffn,
    num_hidden_layers: S.layers,
    num_attention_heads: S.heads,
    num_key_value_heads: S.kvHeads,
    head_dim: S.headDim,
    vocab_size: S.vocab,
    rms_norm_eps: 1e-5,
    rope_theta: 500000,
    tie_word_embeddings: true,
    torch_dtype: 'bfloat16',
  });
}

/** Write parent (child = false) or child (child = true) into `dir`. */
export async function generate(dir: string, child: boolean): Promise<void> {
  if (existsSync(join(dir, 'model.safetensors')) && existsSync(join(dir, 'config.json'))) return;
  mkdirSync(dir, { recursive: true });
  const resid = permutation(S.hidden, 17); // child coordinate i = parent coordinate resid[i]
  const units = Array.from({ length: S.layers }, (_, l) => permutation(S.ffn, 100 + l));
  const unitScale = (l: number, u: number): number => 0.5 + (mix(l * 7919 + u) / 4294967296) * 1.5;
  const qkScale = (l: number): number => 0.6 + (mix(l + 31337) / 4294967296) * 0.8;
  const shapes = llamaTensorShapes(S);
  const tensors: SafetensorsWriteTensor[] = shapes.map((t, ti) => ({
    name: t.name,
    dtype: 'BF16',
    shape: t.shape,
    data: function* () {
      const vector = t.shape.length === 1;
      const rows = vector ? 1 : (t.shape[0] ?? 1);
      const cols = vector ? (t.shape[0] ?? 1) : (t.shape[1] ?? 1);
      const layer = Number(/layers\.(\d+)\./.exec(t.name)?.[1] ?? -1);
      const role = t.name.replace(/^model\.layers\.\d+\./, '');
      const isGateUp = /gate_proj|up_proj/.test(role);
      const isUp = /up_proj/.test(role);
      const isDown = /down_proj/.test(role);
      const isQ = /q_proj/.test(role);
      const isK = /k_proj/.test(role);
      const writeSide = /o_proj|down_proj/.test(role);
      const readSide =
        /q_proj|k_proj|v_proj|gate_proj|up_proj/.test(role) ||
        t.name === 'model.embed_tokens.weight';
      const src = new Float32Array(cols);
      const row = new Float32Array(cols);
      const CH = Math.max(1, Math.floor((8 << 20) / (cols * 2)));
      for (let r0 = 0; r0 < rows; r0 += CH) {
        const n = Math.min(CH, rows - r0);
        const buf = new Float32Array(n * cols);
        for (let k = 0; k < n; k++) {
          const r = r0 + k;
          if (!child) {
            parentRow(ti, r, cols, row, vector);
            buf.set(row, k * cols);
            continue;
          }
          // which parent row feeds this child row, and how its columns map
          let pr = r;
          let scale = 1;
          if (isGateUp && layer >= 0) pr = units[layer]?.[r] ?? r;
          if (writeSide) pr = resid[r] ?? r;
          if (isUp) scale = unitScale(layer, pr);
          if (isQ) scale = qkScale(layer);
          if (isK) scale = 1 / qkScale(layer);
          parentRow(ti, pr, cols, src, vector);
          const unitPerm = isDown && layer >= 0 ? units[layer] : undefined;
          for (let c = 0; c < cols; c++) {
            let pc = c;
            if (vector || readSide) pc = resid[c] ?? c;
            if (unitPerm) pc = unitPerm[c] ?? c;
            let v = src[pc] as number;
            if (isDown) v /= unitScale(layer, pc);
            v *= scale;
            // 2% multiplicative noise: a light fine-tune on top of the obfuscation
            v *= 1 + (mix((ti << 20) ^ (r * 131) ^ c) / 4294967296 - 0.5) * 0.04;
            row[c] = v;
          }
          buf.set(row, k * cols);
        }
        yield toBf16Bytes(buf);
      }
    },
  }));
  await writeSafetensorsFile(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  writeFileSync(join(dir, 'config.json'), config());
}

if (process.argv[1]?.endsWith('compare-gen.ts')) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: compare-gen.ts <dir>');
  await generate(join(dir, 'parent'), false);
  await generate(join(dir, 'child'), true);
}
