/**
 * Watermark and engine benchmark (`npm run bench:watermark`): detection tokens/s on one core per
 * scheme and PRF, the watermark sampler's overhead as a fraction of the engine's step time, and
 * the engine's generation / scoring speed on every zoo model. Prints a Markdown table.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  byteTokenizer,
  createRng,
  loadLocalModel,
  type ChooserContext,
  type TokenDistribution,
} from '../src/engine/index.js';
import {
  detectWatermark,
  keyFromSecret,
  normalizeParams,
  watermarkChooser,
} from '../src/watermark/index.js';

const ZOO = process.env['CUSTOMS_ZOO'] ?? join(import.meta.dirname, '../../shared/zoo');
const key = keyFromSecret(Uint8Array.from({ length: 32 }, (_, i) => i));
const second = keyFromSecret(Uint8Array.from({ length: 32 }, (_, i) => 255 - i));
const SCHEMES: [string, Record<string, unknown>][] = [
  ['gumbel h=4 (aes)', { scheme: 'gumbel' }],
  ['gumbel h=4 (hmac)', { scheme: 'gumbel', prf: 'hmac' }],
  ['gumbel dual-key', { scheme: 'gumbel', dualKey: true }],
  ['kgw selfhash h=4', { scheme: 'kgw' }],
  ['kgw lefthash h=1', { scheme: 'kgw', seeding: 'lefthash' }],
  ['synthid m=30', { scheme: 'synthid' }],
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

const lines: string[] = [];
const say = (l: string): void => {
  lines.push(l);
  process.stdout.write(`${l}\n`);
};

// 1. Detection throughput on one core: CPU time (user + system) of this process, so time other
// processes take on the shared machine is not counted; 1000 texts of 1000 tokens (a realistic
// batch: one tape per text) and one 1M-token text (one large tape, memory-bound).
say('## Detection throughput (one core, one key; tokens per CPU-second, median of 3)');
say('');
say('| scheme | 1000 texts × 1000 tokens | one text of 1M tokens |');
say('|---|---:|---:|');
const rng = createRng(1);
const N = 1_000_000;
const text = Array.from({ length: N }, () => 32 + (rng.nextU32() % 95));
const texts = Array.from({ length: 1000 }, (_, i) => text.slice(i * 1000, (i + 1) * 1000));
const cpu = (f: () => void): number => {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
};
for (const [name, raw] of SCHEMES) {
  const params = normalizeParams(raw);
  const hmac = raw['prf'] === 'hmac';
  const batch = hmac ? texts.slice(0, 100) : texts;
  const big = hmac ? text.slice(0, 100_000) : text;
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < 3; r++) {
    a.push(
      cpu(() => {
        for (const t of batch)
          detectWatermark({
            tokens: t,
            tokenizer: byteTokenizer(),
            keys: [key],
            secondaryKey: second,
            params,
          });
      }),
    );
    b.push(
      cpu(() =>
        detectWatermark({
          tokens: big,
          tokenizer: byteTokenizer(),
          keys: [key],
          secondaryKey: second,
          params,
        }),
      ),
    );
  }
  say(
    `| ${name} | ${((batch.length * 1000) / median(a) / 1e6).toFixed(2)} M | ${(big.length / median(b) / 1e6).toFixed(2)} M |`,
  );
}

// 2. Sampler overhead relative to the engine step.
say('');
say('## Watermark sampler overhead (base-x, 1000 tokens, temperature 1)');
say('');
say('| scheme | engine+sampling ms/token | chooser ms/token | overhead |');
say('|---|---:|---:|---:|');
const teacher = await loadLocalModel({ model: join(ZOO, 'base-x') });
teacher.generate({ prompt: 'warm up', maxNewTokens: 200, seed: 0 });
for (const [name, raw] of SCHEMES) {
  const params = normalizeParams(raw);
  const inner = watermarkChooser({ params, key, secondaryKey: second, vocabSize: 256 });
  let inChooser = 0;
  const timed = {
    choose(d: TokenDistribution, ctx: ChooserContext): number {
      const t0 = performance.now();
      const t = inner.choose(d, ctx);
      inChooser += performance.now() - t0;
      return t;
    },
  };
  const t0 = performance.now();
  const g = teacher.generate({
    prompt: 'In the beginning',
    maxNewTokens: 1000,
    seed: 3,
    chooser: timed,
  });
  const total = performance.now() - t0;
  const n = g.tokens.length;
  const engine = (total - inChooser) / n;
  say(
    `| ${name} | ${engine.toFixed(3)} | ${(inChooser / n).toFixed(3)} | ${((inChooser / (total - inChooser)) * 100).toFixed(1)}% |`,
  );
}

// 3. Engine speed on every zoo model.
say('');
say('## Engine on the zoo models (one core; tokens per CPU-second, and per wall-second)');
say('');
say('| model | generate (512 tokens) | teacher-forced scoring (2000 tokens) |');
say('|---|---:|---:|');
const models = readdirSync(ZOO)
  .filter((n) => !n.endsWith('.md') && !n.endsWith('.json'))
  .sort();
for (const name of models) {
  const m = await loadLocalModel({ model: join(ZOO, name) });
  m.generate({ prompt: 'x', maxNewTokens: 64, seed: 0 });
  let c0 = process.cpuUsage();
  let t0 = performance.now();
  const g = m.generate({ prompt: 'The ', maxNewTokens: 512, seed: 1 });
  let c = process.cpuUsage(c0);
  const gen = g.tokens.length / ((c.user + c.system) / 1e6);
  const genWall = g.tokens.length / ((performance.now() - t0) / 1000);
  const toks = [...g.promptTokens, ...g.tokens, ...g.tokens, ...g.tokens, ...g.tokens].slice(
    0,
    2000,
  );
  c0 = process.cpuUsage();
  t0 = performance.now();
  m.score({ tokens: toks });
  c = process.cpuUsage(c0);
  const sc = toks.length / ((c.user + c.system) / 1e6);
  const scWall = toks.length / ((performance.now() - t0) / 1000);
  say(
    `| ${name} | ${gen.toFixed(0)} (${genWall.toFixed(0)} wall) | ${sc.toFixed(0)} (${scWall.toFixed(0)} wall) |`,
  );
}
say('');
say(`Node ${process.version}; shared 2-core machine (other engineers' jobs ran concurrently).`);
