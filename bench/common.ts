/** Shared benchmark helpers: timing, peak RSS, synthetic model files with realistic shapes. */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { writeSafetensorsFile, type SafetensorsWriteTensor } from '../src/formats/index.js';

/** Where benchmarks keep generated files (git-ignored). */
export const BENCH_DATA = join(import.meta.dirname, 'data');

/** Llama-3.2-1B shapes (config.json of meta-llama/Llama-3.2-1B). */
export const LLAMA_1B = {
  hidden: 2048,
  layers: 16,
  heads: 32,
  kvHeads: 8,
  headDim: 64,
  ffn: 8192,
  vocab: 128256,
};

/** Peak resident set size of this process in bytes (VmHWM), or current RSS where unavailable. */
export function peakRss(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.memoryUsage().rss;
}

/** Seconds elapsed running `fn`. */
export async function time<T>(fn: () => Promise<T> | T): Promise<{ seconds: number; value: T }> {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, value };
}

/** A line describing the machine for RESULTS.md. */
export function machine(): string {
  const c = cpus();
  return `${c.length} × ${c[0]?.model ?? 'cpu'}, Node ${process.version}`;
}

/** Fill a buffer with deterministic pseudo-random bytes that look like bf16 weights (|x| < ~0.1). */
export function bf16Noise(n: number, seed: number): Uint8Array {
  const out = new Uint16Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    // sign | exponent 0x78..0x7B (≈ 2^-7 .. 2^-4) | mantissa
    out[i] = ((s >>> 31) << 15) | ((0x78 + ((s >>> 24) & 3)) << 7) | ((s >>> 8) & 0x7f);
  }
  return new Uint8Array(out.buffer);
}

/** Tensor list of a Llama-style model in HF names and shapes. */
export function llamaTensorShapes(s: typeof LLAMA_1B): { name: string; shape: number[] }[] {
  const out: { name: string; shape: number[] }[] = [
    { name: 'model.embed_tokens.weight', shape: [s.vocab, s.hidden] },
  ];
  for (let l = 0; l < s.layers; l++) {
    const L = `model.layers.${l}.`;
    out.push(
      { name: `${L}input_layernorm.weight`, shape: [s.hidden] },
      { name: `${L}self_attn.q_proj.weight`, shape: [s.heads * s.headDim, s.hidden] },
      { name: `${L}self_attn.k_proj.weight`, shape: [s.kvHeads * s.headDim, s.hidden] },
      { name: `${L}self_attn.v_proj.weight`, shape: [s.kvHeads * s.headDim, s.hidden] },
      { name: `${L}self_attn.o_proj.weight`, shape: [s.hidden, s.heads * s.headDim] },
      { name: `${L}post_attention_layernorm.weight`, shape: [s.hidden] },
      { name: `${L}mlp.gate_proj.weight`, shape: [s.ffn, s.hidden] },
      { name: `${L}mlp.up_proj.weight`, shape: [s.ffn, s.hidden] },
      { name: `${L}mlp.down_proj.weight`, shape: [s.hidden, s.ffn] },
    );
  }
  out.push({ name: 'model.norm.weight', shape: [s.hidden] });
  return out;
}

/** Write (once) a BF16 safetensors model with the given shapes; returns its directory. */
export async function ensureBf16Model(name: string, s: typeof LLAMA_1B, seed = 1): Promise<string> {
  const dir = join(BENCH_DATA, name);
  const file = join(dir, 'model.safetensors');
  if (existsSync(file) && statSync(file).size > 0 && existsSync(join(dir, 'config.json')))
    return dir;
  mkdirSync(dir, { recursive: true });
  const noise = bf16Noise(32 * 1024 * 1024, seed); // 64 MiB pattern, rotated per tensor
  let rot = 0;
  const tensors: SafetensorsWriteTensor[] = llamaTensorShapes(s).map((t) => ({
    name: t.name,
    dtype: 'BF16',
    shape: t.shape,
    data: function* () {
      let left = t.shape.reduce((a, b) => a * b, 1) * 2;
      while (left > 0) {
        const off = (rot = (rot + 2 * 7919) % (noise.length / 2)) & ~1;
        const n = Math.min(left, noise.length - off);
        yield noise.subarray(off, off + n);
        left -= n;
      }
    },
  }));
  await writeSafetensorsFile(file, tensors, { format: 'pt' });
  const { writeFileSync } = await import('node:fs');
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      architectures: ['LlamaForCausalLM'],
      model_type: 'llama',
      hidden_size: s.hidden,
      intermediate_size: s.ffn,
      num_hidden_layers: s.layers,
      num_attention_heads: s.heads,
      num_key_value_heads: s.kvHeads,
      head_dim: s.headDim,
      vocab_size: s.vocab,
      rms_norm_eps: 1e-5,
      rope_theta: 500000,
      tie_word_embeddings: true,
      torch_dtype: 'bfloat16',
    }),
  );
  return dir;
}

/** Read a file sequentially in 8 MiB positioned reads and discard it: the raw read rate baseline. */
export async function rawRead(file: string, chunk = 8 * 1024 * 1024): Promise<number> {
  const fh = await open(file, 'r');
  const buf = new Uint8Array(chunk);
  let total = 0;
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, chunk, total);
      if (bytesRead === 0) break;
      total += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return total;
}

/** "load average (1 min) before / after: x / y on N cores" from two `os.loadavg()` samples. */
export function loadLine(before: readonly number[], after: readonly number[]): string {
  return `load average (1 min) before / after: ${(before[0] ?? 0).toFixed(1)} / ${(after[0] ?? 0).toFixed(1)} on ${cpus().length} cores`;
}
