/**
 * `npm run eval:probe`: the black-box probe on the public zoo (../shared/zoo).
 *
 * Goals (issue 7): the distilled student x-distilled against its teacher base-x, with the other
 * bases as controls, is detected (p < 1e-3 within 2,000 suspect queries); fine-tunes of base-x are
 * detected; suspects not derived from the teacher are not (p > 1e-2), over several battery seeds,
 * with the false-positive rate reported; base-x probed against itself under another sampling seed
 * is recognised; power against the query budget is reported.
 *
 * Every target answers each seed's battery once: answers are cached (SQLite) by target, prompt and
 * parameters, so the same model in another role (teacher in one case, control in another) costs
 * nothing more, and smaller budgets (prefixes of the same battery) are nearly free. The seeds are
 * fixed strings hashed to battery seeds, and their commitments are printed before any query.
 *
 * Usage: npm run eval:probe -- [--seeds 3] [--budget 2000] [--budgets 125,250,500,1000,2000]
 *                               [--cache eval/out/probe-cache.sqlite] [--out eval/out/probe]
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_SPEC,
  batteryCommitment,
  openCache,
  openTarget,
  runProbe,
  sha256Hex,
  type ProbeTarget,
  type ProbeVerdict,
} from '../src/probe/index.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : dflt;
};
const ZOO = process.env['CUSTOMS_ZOO'] ?? join(import.meta.dirname, '../../shared/zoo');
const SEEDS = Number(opt('seeds', '3'));
const BUDGET = Number(opt('budget', '2000'));
const BUDGETS = opt('budgets', '125,250,500,1000,2000')
  .split(',')
  .map(Number)
  .filter((b) => b <= BUDGET);
const OUT = opt('out', join(import.meta.dirname, 'out/probe'));
const CACHE = opt('cache', join(import.meta.dirname, 'out/probe-cache.sqlite'));
const ALPHA = 1e-3;
/** Whether the cache held answers before this run (then the runtime is not a cold-start time). */
const WARM_CACHE = existsSync(CACHE);

interface Case {
  readonly name: string;
  readonly kind: 'derived' | 'self' | 'independent' | 'assumption-violated';
  readonly suspect: string;
  readonly teacher: string;
  readonly controls: readonly string[];
  readonly note: string;
}

const XC = ['base-y', 'base-z'];
const CASES: Case[] = [
  {
    name: 'distilled',
    kind: 'derived',
    suspect: 'x-distilled',
    teacher: 'base-x',
    controls: XC,
    note: 'sequence-level distillation of base-x (weights independent)',
  },
  {
    name: 'finetune',
    kind: 'derived',
    suspect: 'x-finetune',
    teacher: 'base-x',
    controls: XC,
    note: 'fine-tuned on the Bible',
  },
  {
    name: 'finetune-q8',
    kind: 'derived',
    suspect: 'x-finetune-q8_0.gguf',
    teacher: 'base-x',
    controls: XC,
    note: 'the fine-tune, quantized to GGUF Q8_0',
  },
  {
    name: 'finetune-obfuscated',
    kind: 'derived',
    suspect: 'x-finetune-obfuscated',
    teacher: 'base-x',
    controls: XC,
    note: 'the fine-tune with function-preserving weight disguise',
  },
  {
    name: 'continued',
    kind: 'derived',
    suspect: 'x-continued',
    teacher: 'base-x',
    controls: XC,
    note: 'continued pre-training at a high learning rate',
  },
  {
    name: 'merge',
    kind: 'derived',
    suspect: 'x-merge',
    teacher: 'base-x',
    controls: XC,
    note: 'average of two fine-tunes of base-x',
  },
  {
    name: 'pruned',
    kind: 'derived',
    suspect: 'x-pruned',
    teacher: 'base-x',
    controls: XC,
    note: '25% of MLP units removed, healed',
  },
  {
    name: 'layerdrop',
    kind: 'derived',
    suspect: 'x-layerdrop',
    teacher: 'base-x',
    controls: XC,
    note: 'one layer removed, healed',
  },
  {
    name: 'self-seed',
    kind: 'self',
    suspect: 'base-x#seed=1',
    teacher: 'base-x',
    controls: XC,
    note: 'the teacher itself under another sampling seed',
  },
  // Independent: the suspect is not derived from the teacher; the controls come from two lineages
  // independent of the teacher (the documented assumption).
  {
    name: 'y-finetune vs x',
    kind: 'independent',
    suspect: 'y-finetune',
    teacher: 'base-x',
    controls: ['base-y', 'base-z'],
    note: 'fine-tune of base-y; its parent is a control',
  },
  {
    name: 'base-y vs x',
    kind: 'independent',
    suspect: 'base-y',
    teacher: 'base-x',
    controls: ['y-finetune', 'base-z'],
    note: 'sibling trained on the teacher’s own data; its fine-tune is a control',
  },
  {
    name: 'x-distilled vs y',
    kind: 'independent',
    suspect: 'x-distilled',
    teacher: 'base-y',
    controls: ['base-x', 'base-z'],
    note: 'distilled from base-x, probed against base-y',
  },
  {
    name: 'x-finetune vs y',
    kind: 'independent',
    suspect: 'x-finetune',
    teacher: 'base-y',
    controls: ['base-x', 'base-z'],
    note: 'fine-tune of base-x, probed against base-y',
  },
  {
    name: 'base-x vs y',
    kind: 'independent',
    suspect: 'base-x',
    teacher: 'base-y',
    controls: ['x-finetune', 'base-z'],
    note: 'sibling of base-y; its fine-tune is a control',
  },
  {
    name: 'base-x vs z',
    kind: 'independent',
    suspect: 'base-x',
    teacher: 'base-z',
    controls: ['base-y', 'y-finetune'],
    note: 'different data from the teacher',
  },
  {
    name: 'y-finetune vs z',
    kind: 'independent',
    suspect: 'y-finetune',
    teacher: 'base-z',
    controls: ['base-x', 'base-y'],
    note: 'different data from the teacher',
  },
  {
    name: 'x-distilled vs z',
    kind: 'independent',
    suspect: 'x-distilled',
    teacher: 'base-z',
    controls: ['base-y', 'y-finetune'],
    note: 'different data from the teacher',
  },
  // Assumption violated: every control comes from one lineage, so nothing calibrates it.
  {
    name: 'base-z vs x, one-lineage controls',
    kind: 'assumption-violated',
    suspect: 'base-z',
    teacher: 'base-x',
    controls: ['base-y', 'y-finetune'],
    note: 'both controls are base-y and its fine-tune',
  },
  {
    name: 'base-z vs y, one-lineage controls',
    kind: 'assumption-violated',
    suspect: 'base-z',
    teacher: 'base-y',
    controls: ['base-x', 'x-finetune'],
    note: 'both controls are base-x and its fine-tune',
  },
];

const seeds = Array.from({ length: SEEDS }, (_, i) =>
  sha256Hex(`model-customs/eval-probe/v1/seed/${i}`),
);

function fmtP(log10: number): string {
  if (log10 > -3) return (10 ** log10).toPrecision(2);
  const e = Math.floor(log10);
  return `${(10 ** (log10 - e)).toFixed(1)}e${e}`;
}

interface Row {
  readonly seed: number;
  readonly case: string;
  readonly kind: Case['kind'];
  readonly budget: number;
  readonly stopping: 'anytime' | 'fixed';
  readonly verdict: ProbeVerdict['verdict'];
  readonly log10P: number;
  readonly queries: number;
  readonly stoppedEarly: boolean;
  readonly families: string;
  readonly sameModel: boolean;
  readonly transcript: string;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  // Commitments first: they are what one would publish before probing.
  console.log('battery commitments (published before any query):');
  for (const [i, s] of seeds.entries())
    console.log(`  seed ${i}: ${batteryCommitment(s, DEFAULT_SPEC)}`);
  const cache = openCache(CACHE);
  const names = [...new Set(CASES.flatMap((c) => [c.suspect, c.teacher, ...c.controls]))];
  const targets = new Map<string, ProbeTarget>();
  for (const n of names) {
    const [model, frag] = n.split('#');
    targets.set(
      n,
      await openTarget(
        `${join(ZOO, model ?? n)}${frag ? `#${frag}&label=${n}` : `#label=${n}`}`,
        {},
        { worker: true },
      ),
    );
  }
  const rows: Row[] = [];
  const t0 = Date.now();
  try {
    for (const [si, seed] of seeds.entries()) {
      for (const c of CASES) {
        const get = (n: string): ProbeTarget => {
          const t = targets.get(n);
          if (!t) throw new Error(`no target ${n}`);
          return t;
        };
        const runs: { budget: number; stopping: 'anytime' | 'fixed' }[] = [
          { budget: BUDGET, stopping: 'anytime' },
          ...BUDGETS.map((b) => ({ budget: b, stopping: 'fixed' as const })),
        ];
        for (const r of runs) {
          const v = await runProbe({
            suspect: get(c.suspect),
            teacher: get(c.teacher),
            controls: c.controls.map(get),
            budget: r.budget,
            seed,
            cache,
            alpha: ALPHA,
            stopping: r.stopping,
            concurrency: 4,
            plan: r.stopping === 'anytime',
          });
          rows.push({
            seed: si,
            case: c.name,
            kind: c.kind,
            budget: r.budget,
            stopping: r.stopping,
            verdict: v.verdict,
            log10P: v.log10PValue,
            queries: v.queries,
            stoppedEarly: v.stoppedEarly,
            families: v.families
              .filter((f) => f.status !== 'skipped')
              .map((f) => `${f.family}:${f.status === 'ok' ? fmtP(f.log10PValue) : f.status}`)
              .join(' '),
            sameModel: v.sameModel.indistinguishable,
            transcript: v.transcriptDigest,
          });
          if (r.budget === BUDGET && r.stopping === 'anytime')
            writeFileSync(
              join(OUT, `seed${si}-${c.name.replace(/[^a-z0-9-]+/gi, '_')}.json`),
              JSON.stringify(v, null, 1),
            );
        }
        const main = rows.find(
          (x) => x.seed === si && x.case === c.name && x.stopping === 'anytime',
        );
        const fixed = rows.find(
          (x) =>
            x.seed === si && x.case === c.name && x.stopping === 'fixed' && x.budget === BUDGET,
        );
        console.log(
          `[${((Date.now() - t0) / 1000).toFixed(0)}s] seed ${si} ${c.kind.padEnd(19)} ${c.name.padEnd(34)} ${main?.verdict.padEnd(17)} p=${fmtP(main?.log10P ?? 0).padEnd(8)} q=${main?.queries}${main?.stoppedEarly ? '*' : ' '} fixed p=${fmtP(fixed?.log10P ?? 0).padEnd(8)} ${fixed?.families ?? ''}`,
        );
      }
    }
  } finally {
    for (const t of targets.values()) await t.close();
    cache.close();
  }
  writeFileSync(join(OUT, 'rows.json'), JSON.stringify(rows, null, 1));
  const md = summarize(rows, (Date.now() - t0) / 1000);
  writeFileSync(join(OUT, 'summary.md'), md);
  console.log(`\n${md}`);
}

function summarize(rows: readonly Row[], seconds: number): string {
  const lines: string[] = [];
  lines.push(
    `# eval:probe — ${SEEDS} seeds, budget ${BUDGET}, α = ${ALPHA} (${seconds.toFixed(0)} s)`,
    '',
    `Command: \`npm run eval:probe -- ${args.join(' ')}\` (${WARM_CACHE ? 'the cache file already existed, so some answers were replayed' : 'cold cache: every answer was generated in this run'}).`,
    '',
  );
  lines.push('## Main runs (anytime stopping, budget ' + String(BUDGET) + ')', '');
  lines.push(
    '| case | kind | verdicts | median p | max p | min p | median queries | same model as T? |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const c of CASES) {
    const rs = rows.filter((r) => r.case === c.name && r.stopping === 'anytime');
    if (rs.length === 0) continue;
    const ps = rs.map((r) => r.log10P).sort((a, b) => a - b);
    const qs = rs.map((r) => r.queries).sort((a, b) => a - b);
    const counts = new Map<string, number>();
    for (const r of rs) counts.set(r.verdict, (counts.get(r.verdict) ?? 0) + 1);
    lines.push(
      `| ${c.name} | ${c.kind} | ${[...counts].map(([k, n]) => `${k} ×${n}`).join(', ')} | ${fmtP(ps[Math.floor(ps.length / 2)] ?? 0)} | ${fmtP(ps[ps.length - 1] ?? 0)} | ${fmtP(ps[0] ?? 0)} | ${qs[Math.floor(qs.length / 2)] ?? 0} | ${rs.filter((r) => r.sameModel).length}/${rs.length} indistinguishable |`,
    );
  }
  lines.push('', '## Power against the budget (fixed design: share of seeds with p ≤ 1e-3)', '');
  lines.push(`| case | ${BUDGETS.join(' | ')} |`, `|---|${BUDGETS.map(() => '---').join('|')}|`);
  for (const c of CASES.filter((x) => x.kind === 'derived' || x.kind === 'self')) {
    const cells = BUDGETS.map((b) => {
      const rs = rows.filter((r) => r.case === c.name && r.stopping === 'fixed' && r.budget === b);
      const hit = rs.filter((r) => r.verdict === 'derived-behaviour').length;
      return `${hit}/${rs.length}`;
    });
    lines.push(`| ${c.name} | ${cells.join(' | ')} |`);
  }
  lines.push('', '## Independent suspects (the false-positive check)', '');
  for (const kind of ['independent', 'assumption-violated'] as const) {
    const rs = rows.filter((r) => r.kind === kind);
    const main = rs.filter((r) => r.stopping === 'anytime');
    const fp = main.filter((r) => r.verdict === 'derived-behaviour').length;
    const below = main.filter((r) => r.log10P <= -2).length;
    const allFixed = rs.filter((r) => r.stopping === 'fixed');
    const fpFixed = allFixed.filter((r) => r.verdict === 'derived-behaviour').length;
    lines.push(
      `- ${kind}: ${fp}/${main.length} main runs called derived (false-positive rate ${(fp / Math.max(1, main.length)).toFixed(3)}); ${below}/${main.length} with p ≤ 1e-2; over every budget (fixed design) ${fpFixed}/${allFixed.length} called derived.`,
    );
  }
  lines.push(
    '',
    'Runs sharing a seed share answers (the same model in another role), so the trials are not independent.',
  );
  return lines.join('\n');
}

await main();
