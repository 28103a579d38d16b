/**
 * Watermark evaluation (`npm run eval:watermark [-- --quick]`), fully seeded and reproducible:
 *
 * 1. False-positive rate at nominal 1e-2 and 1e-3 on unwatermarked text — human text (license
 *    texts, Debian copyright files, Python stdlib sources) and plain generations of the zoo model
 *    base-x — at lengths 16, 64, 256, 1000 and 2000 tokens, each text tested under many random
 *    keys (distinct keys give independent tests of one text).
 * 2. True-positive rate at 1e-3 after 10/20/30 % random token edits and after truncation.
 * 3. Quality cost: perplexity of watermarked vs plain generations under the generating model.
 * 4. Radioactivity: a zoo teacher (base-x) generates KGW-watermarked text, a student (base-y)
 *    is fine-tuned on it with the engine's trainer, a control student on plain teacher text;
 *    open-model and API-mode audits with decoy keys.
 *
 * Writes eval/out/watermark.json and eval/out/watermark.html and prints a summary.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cloneWeights,
  createRng,
  loadLocalModel,
  localBackend,
  localModel,
  trainLanguageModel,
  type LocalModel,
  type Rng,
} from '../src/engine/index.js';
import { binomialCdf } from '../src/stats/index.js';
import {
  auditRadioactivity,
  detectWatermark,
  keyFromSecret,
  normalizeParams,
  watermarkChooser,
  type RadioactivityVerdict,
  type SchemeParams,
  type WatermarkKey,
} from '../src/watermark/index.js';
import { byteTokenizer } from '../src/engine/index.js';
import { humanSegment, loadHumanCorpus } from './watermark-corpus.js';
import { renderEvalHtml } from './watermark-report.js';

const QUICK = process.argv.includes('--quick');
const ZOO = process.env['CUSTOMS_ZOO'] ?? join(import.meta.dirname, '../../shared/zoo');
const OUT = join(import.meta.dirname, 'out');
const LENGTHS = [16, 64, 256, 1000, 2000];
const bytes = byteTokenizer();

/** Schemes evaluated (the defaults of each, plus variants). */
export const SCHEMES: { name: string; params: SchemeParams; dual?: boolean }[] = [
  { name: 'gumbel h=4', params: normalizeParams({ scheme: 'gumbel' }) },
  {
    name: 'gumbel dual-key',
    params: normalizeParams({ scheme: 'gumbel', dualKey: true }),
    dual: true,
  },
  { name: 'kgw selfhash h=4', params: normalizeParams({ scheme: 'kgw', seeding: 'selfhash' }) },
  { name: 'kgw lefthash h=1', params: normalizeParams({ scheme: 'kgw', seeding: 'lefthash' }) },
  { name: 'synthid h=4 m=30', params: normalizeParams({ scheme: 'synthid' }) },
  { name: 'synthid weighted', params: normalizeParams({ scheme: 'synthid', weighted: true }) },
];

function randomKey(rng: Rng): WatermarkKey {
  return keyFromSecret(Uint8Array.from({ length: 32 }, () => rng.nextU32() & 0xff));
}

/** Exact (Clopper–Pearson) 95 % upper bound of a binomial rate. */
function upper95(k: number, n: number): number {
  if (k >= n) return 1;
  let lo = k / n;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (binomialCdf(k, n, mid).log10 > Math.log10(0.025)) lo = mid;
    else hi = mid;
  }
  return hi;
}

const PROMPTS = [
  'The ',
  'def ',
  'And it came to pass',
  'import ',
  'In the beginning',
  'class ',
  'For ',
  'Thou ',
  '%\n',
  'It is ',
  'Return ',
  'When ',
];

function log(msg: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

interface FprCell {
  scheme: string;
  source: string;
  length: number;
  trials: number;
  at1e2: number;
  at1e3: number;
}

function fprEval(teacher: LocalModel): FprCell[] {
  const corpus = loadHumanCorpus();
  log(`human corpus: ${corpus.docs.length} documents ${JSON.stringify(corpus.sources)}`);
  const rng = createRng(101);
  const cells: FprCell[] = [];
  const texts: { source: string; length: number; toks: number[][]; keys: number }[] = [];
  for (const L of LENGTHS) {
    const nHuman = QUICK ? 20 : 100;
    texts.push({
      source: 'human',
      length: L,
      toks: Array.from({ length: nHuman }, () => humanSegment(corpus, L, rng)),
      keys: QUICK ? 20 : 60,
    });
    const nGen = QUICK ? 4 : L >= 1000 ? 10 : 25;
    const gens = Array.from({ length: nGen }, (_, i) => {
      const g = teacher.generate({
        prompt: PROMPTS[i % PROMPTS.length] ?? 'x',
        maxNewTokens: L,
        seed: 20_000 + L * 100 + i,
      });
      return g.tokens;
    });
    texts.push({
      source: 'generated',
      length: L,
      toks: gens,
      keys: QUICK ? 60 : Math.round(6000 / nGen),
    });
    log(`fpr texts ready for length ${L}`);
  }
  // Dual key: key B is random per trial too (a fixed B would make the trials of one text share
  // its B-scored positions); drawn from its own stream so the other schemes' keys are unchanged.
  const rngB = createRng(102);
  for (const s of SCHEMES) {
    for (const set of texts) {
      const cell: FprCell = {
        scheme: s.name,
        source: set.source,
        length: set.length,
        trials: 0,
        at1e2: 0,
        at1e3: 0,
      };
      for (const toks of set.toks) {
        const keys = Array.from({ length: set.keys }, () => randomKey(rng));
        const results = s.dual
          ? keys.flatMap(
              (k) =>
                detectWatermark({
                  tokens: toks,
                  tokenizer: bytes,
                  keys: [k],
                  params: s.params,
                  secondaryKey: randomKey(rngB),
                }).keys,
            )
          : detectWatermark({ tokens: toks, tokenizer: bytes, keys, params: s.params }).keys;
        for (const k of results) {
          cell.trials++;
          if (k.log10PValue <= -2) cell.at1e2++;
          if (k.log10PValue <= -3) cell.at1e3++;
        }
      }
      cells.push(cell);
    }
    log(`fpr done: ${s.name}`);
  }
  return cells;
}

interface TprRow {
  scheme: string;
  attack: string;
  texts: number;
  detected: number;
  medianLog10P: number;
}

function attack(toks: readonly number[], rate: number, rng: Rng): number[] {
  const out: number[] = [];
  for (const t of toks) {
    if (rng.nextFloat() >= rate) {
      out.push(t);
      continue;
    }
    const r = rng.nextU32() % 3;
    const rand = 32 + (rng.nextU32() % 95);
    if (r === 0)
      out.push(rand); // substitution
    else if (r === 1) out.push(t, rand); // insertion
    // r === 2: deletion
  }
  return out;
}

interface QualityRow {
  scheme: string;
  texts: number;
  tokens: number;
  meanNll: number;
  ci95: number;
  perplexity: number;
}

function tprAndQuality(teacher: LocalModel): { tpr: TprRow[]; quality: QualityRow[] } {
  const W = QUICK ? 8 : 24;
  const LEN = 300;
  const key = randomKey(createRng(202));
  const second = randomKey(createRng(203));
  const tpr: TprRow[] = [];
  const quality: QualityRow[] = [];
  const nll = (lps: number[][]): QualityRow['meanNll'][] =>
    lps.map((l) => -l.reduce((a, b) => a + b, 0) / Math.max(1, l.length));
  const qualityRow = (scheme: string, lps: number[][]): QualityRow => {
    const per = nll(lps);
    const mean = per.reduce((a, b) => a + b, 0) / per.length;
    const sd = Math.sqrt(
      per.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, per.length - 1),
    );
    return {
      scheme,
      texts: per.length,
      tokens: lps.reduce((a, l) => a + l.length, 0),
      meanNll: mean,
      ci95: (1.96 * sd) / Math.sqrt(per.length),
      perplexity: Math.exp(mean),
    };
  };
  const plain: number[][] = [];
  for (let i = 0; i < W; i++)
    plain.push(
      teacher.generate({
        prompt: PROMPTS[i % PROMPTS.length] ?? 'x',
        maxNewTokens: LEN,
        seed: 30_000 + i,
        logprobs: true,
      }).logprobs ?? [],
    );
  quality.push(qualityRow('plain (no watermark)', plain));
  const generated = new Map<string, number[][]>();
  for (const s of SCHEMES) {
    const base = s.name === 'synthid weighted' ? 'synthid h=4 m=30' : s.name;
    let texts = generated.get(base);
    if (!texts) {
      const lps: number[][] = [];
      texts = [];
      for (let i = 0; i < W; i++) {
        const ch = watermarkChooser({
          params: s.params,
          key,
          secondaryKey: second,
          vocabSize: 256,
        });
        const g = teacher.generate({
          prompt: PROMPTS[i % PROMPTS.length] ?? 'x',
          maxNewTokens: LEN,
          seed: 30_000 + i,
          chooser: ch,
          logprobs: true,
        });
        texts.push(g.tokens);
        lps.push(g.logprobs ?? []);
      }
      generated.set(base, texts);
      quality.push(qualityRow(base, lps));
    }
    const rng = createRng(404);
    const attacks: [string, (t: number[]) => number[]][] = [
      ['none', (t) => t],
      ['10% edits', (t) => attack(t, 0.1, rng)],
      ['20% edits', (t) => attack(t, 0.2, rng)],
      ['30% edits', (t) => attack(t, 0.3, rng)],
      ['first 25 tokens', (t) => t.slice(0, 25)],
      ['first 50 tokens', (t) => t.slice(0, 50)],
      ['first 100 tokens', (t) => t.slice(0, 100)],
      ['first 200 tokens', (t) => t.slice(0, 200)],
    ];
    for (const [name, f] of attacks) {
      const ps = texts
        .map(
          (t) =>
            detectWatermark({
              tokens: f(t),
              tokenizer: bytes,
              keys: [key],
              secondaryKey: second,
              params: s.params,
            }).log10PValue,
        )
        .sort((a, b) => a - b);
      tpr.push({
        scheme: s.name,
        attack: name,
        texts: ps.length,
        detected: ps.filter((p) => p <= -3).length,
        medianLog10P: ps[Math.floor(ps.length / 2)] ?? 0,
      });
    }
    log(`tpr done: ${s.name}`);
  }
  return { tpr, quality };
}

interface RadioRow {
  suspect: string;
  mode: string;
  verdict: string;
  log10P: number;
  scored: number;
  effect: number;
  decoyMinAdjustedP: number;
  decoyPValues: number[];
}

async function radioactivity(
  teacher: LocalModel,
): Promise<{ rows: RadioRow[]; setup: Record<string, unknown> }> {
  const student0 = await loadLocalModel({ model: join(ZOO, 'base-y') });
  const key = randomKey(createRng(505));
  const params = normalizeParams({
    scheme: 'kgw',
    seeding: 'lefthash',
    contextWidth: 1,
    gamma: 0.25,
    delta: 3,
  });
  const N = QUICK ? 8000 : 20000;
  const wm: number[][] = [];
  const plain: number[][] = [];
  let i = 0;
  while (wm.reduce((a, b) => a + b.length, 0) < N) {
    const prompt = PROMPTS[i % PROMPTS.length] ?? 'x';
    const ch = watermarkChooser({ params, key, vocabSize: 256 });
    const g = teacher.generate({ prompt, maxNewTokens: 500, seed: 40_000 + i, chooser: ch });
    wm.push([...g.promptTokens, ...g.tokens]);
    const p = teacher.generate({ prompt, maxNewTokens: 500, seed: 50_000 + i });
    plain.push([...p.promptTokens, ...p.tokens]);
    i++;
  }
  log(`radioactivity: teacher generated ${wm.length} watermarked and ${plain.length} plain texts`);
  const train = (data: number[][]): LocalModel => {
    const w = cloneWeights(student0.weights);
    trainLanguageModel(w, {
      data,
      epochs: 1,
      learningRate: 2e-3,
      batchSize: 8,
      seqLen: 128,
      seed: 1,
    });
    return localModel('student', w, student0.tokenizer);
  };
  const wmStudent = train(wm);
  log('radioactivity: watermarked student trained');
  const control = train(plain);
  log('radioactivity: control student trained');
  // Audit texts: fresh plain teacher generations (held out, never watermarked).
  const audit = Array.from(
    { length: QUICK ? 5 : 10 },
    (_, k) =>
      (PROMPTS[k % PROMPTS.length] ?? 'x') +
      teacher.generate({
        prompt: PROMPTS[k % PROMPTS.length] ?? 'x',
        maxNewTokens: 500,
        seed: 60_000 + k,
      }).text,
  );
  const apiPrompts = Array.from(
    { length: QUICK ? 8 : 16 },
    (_, k) => PROMPTS[k % PROMPTS.length] ?? 'x',
  );
  const rows: RadioRow[] = [];
  const row = (name: string, v: RadioactivityVerdict): RadioRow => ({
    suspect: name,
    mode: v.mode,
    verdict: v.verdict,
    log10P: v.log10PValue,
    scored: v.key.scoredTokens,
    effect: v.key.effect.value,
    decoyMinAdjustedP: v.decoyCheck.minAdjustedP,
    decoyPValues: v.decoys.map((d) => d.pValue),
  });
  for (const [name, m] of [
    ['student on watermarked teacher text', { ...wmStudent, spec: 'wm-student' }],
    ['control student on plain teacher text', { ...control, spec: 'control-student' }],
    ['base-y (not fine-tuned)', student0],
  ] as const) {
    const open = await auditRadioactivity({
      params,
      key,
      tokenizer: m.tokenizer,
      suspect: { kind: 'open', model: m },
      prompts: audit,
    });
    rows.push(row(name, open));
    const api = await auditRadioactivity({
      params,
      key,
      tokenizer: m.tokenizer,
      suspect: { kind: 'api', backend: localBackend(m) },
      prompts: apiPrompts,
      maxTokens: 400,
      seed: 70_000,
    });
    rows.push(row(name, api));
    log(`radioactivity audited: ${name}`);
  }
  return {
    rows,
    setup: {
      teacher: 'zoo base-x',
      studentInit: 'zoo base-y',
      scheme: params,
      trainingTokens: wm.reduce((a, b) => a + b.length, 0),
      controlTokens: plain.reduce((a, b) => a + b.length, 0),
      training: {
        epochs: 1,
        learningRate: 2e-3,
        batchSize: 8,
        seqLen: 128,
        optimizer: 'AdamW',
        seed: 1,
      },
      auditTexts: audit.length,
      apiPrompts: apiPrompts.length,
    },
  };
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const teacher = await loadLocalModel({ model: join(ZOO, 'base-x') });
  log(`eval:watermark${QUICK ? ' (quick)' : ''}`);
  const fpr = fprEval(teacher);
  const { tpr, quality } = tprAndQuality(teacher);
  const radio = await radioactivity(teacher);
  const perScheme = SCHEMES.map((s) => {
    const cs = fpr.filter((c) => c.scheme === s.name);
    const trials = cs.reduce((a, c) => a + c.trials, 0);
    const k2 = cs.reduce((a, c) => a + c.at1e2, 0);
    const k3 = cs.reduce((a, c) => a + c.at1e3, 0);
    return {
      scheme: s.name,
      trials,
      fpr1e2: k2 / trials,
      fpr1e2Upper95: upper95(k2, trials),
      fpr1e3: k3 / trials,
      fpr1e3Upper95: upper95(k3, trials),
    };
  });
  const result = {
    kind: 'customs.eval.watermark/v1',
    quick: QUICK,
    seconds: (Date.now() - t0) / 1000,
    machine: 'shared 2-core machine (other engineers running concurrently)',
    fpr: { perScheme, cells: fpr },
    tpr,
    quality,
    radioactivity: radio,
  };
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'watermark.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(OUT, 'watermark.html'), renderEvalHtml(result));
  const lines: string[] = ['', 'False-positive rate (all lengths and sources pooled):'];
  for (const r of perScheme)
    lines.push(
      `  ${r.scheme.padEnd(18)} trials ${r.trials}  FPR@1e-2 ${(r.fpr1e2 * 100).toFixed(3)}% (≤ ${(r.fpr1e2Upper95 * 100).toFixed(3)}%)  FPR@1e-3 ${(r.fpr1e3 * 1000).toFixed(3)}‰ (≤ ${(r.fpr1e3Upper95 * 1000).toFixed(3)}‰)`,
    );
  lines.push('', 'TPR at 1e-3:');
  for (const s of SCHEMES)
    lines.push(
      `  ${s.name.padEnd(18)} ${tpr
        .filter((r) => r.scheme === s.name)
        .map((r) => `${r.attack}: ${r.detected}/${r.texts}`)
        .join(' | ')}`,
    );
  lines.push('', 'Perplexity under the generating model (T = 1):');
  for (const q of quality)
    lines.push(
      `  ${q.scheme.padEnd(22)} ppl ${q.perplexity.toFixed(3)}  mean NLL ${q.meanNll.toFixed(4)} ± ${q.ci95.toFixed(4)} (${q.texts} texts)`,
    );
  lines.push('', 'Radioactivity (KGW lefthash h=1, γ=0.25, δ=3):');
  for (const r of radio.rows)
    lines.push(
      `  ${r.suspect.padEnd(40)} ${r.mode.padEnd(5)} ${r.verdict.padEnd(15)} log10 p ${r.log10P.toFixed(2)}  scored ${r.scored}  green ${r.effect.toFixed(3)}  decoy min adj p ${r.decoyMinAdjustedP.toFixed(3)}`,
    );
  lines.push(
    '',
    `done in ${result.seconds.toFixed(0)} s; wrote ${join(OUT, 'watermark.json')} and watermark.html`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
