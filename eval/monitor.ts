/**
 * Evaluation of the extraction monitor against PRADA, SEAT and windowed MMD on simulated traffic.
 *
 *   npm run eval:monitor [-- --records 600000 --settings dev,heldout-b --out eval/out/monitor]
 *
 * Each setting simulates a log (ground truth apart), streams it once through the monitor's
 * library functions (with checkpoints every 10% of the log for records-to-detection) and through
 * the three baselines, then reports: campaign recall (any member / majority of members
 * alerted), account precision, recall and false-positive rate at the shipped decision rule, the
 * same at an oracle threshold giving ≤ 0.1% benign-account FPR (the most favourable operating
 * point for every detector), and records-to-detection. Settings marked held-out were not looked
 * at while the detector was designed (different seeds, text bank B, persona mixes, mixing
 * rates, adaptive attackers).
 */
import { createReadStream, createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import {
  analyze,
  createState,
  DEFAULT_MIX,
  emptyFeatures,
  featurize,
  observe,
  presetMapping,
  simulateTraffic,
  toRecord,
  type MonitorVerdict,
  type SimulateOptions,
  type Truth,
} from '../src/monitor/index.js';
import {
  embed,
  mmdAccount,
  mmdReference,
  pradaAccount,
  seatAccount,
  dot,
} from '../src/monitor/baselines/index.js';
import { mulberry32 } from '../src/monitor/hash.js';

interface Setting {
  readonly name: string;
  readonly heldOut: boolean;
  readonly sim: Omit<SimulateOptions, 'records'>;
  readonly note: string;
}

const SETTINGS: readonly Setting[] = [
  {
    name: 'dev',
    heldOut: false,
    sim: { seed: 1, bank: 'A' },
    note: 'development: bank A, default mix, mixing 1–50%',
  },
  {
    name: 'dev-fp',
    heldOut: false,
    sim: {
      seed: 11,
      bank: 'A',
      mix: { chat: 5000, licensed: 30, bench: 120, cotLab: 200, support: 60, appUser: 3000 },
    },
    note: 'development: bank A, many of the usual false positives',
  },
  { name: 'heldout-seed', heldOut: true, sim: { seed: 1001, bank: 'A' }, note: 'new seed, bank A' },
  {
    name: 'heldout-bankB',
    heldOut: true,
    sim: { seed: 2002, bank: 'B' },
    note: 'text bank B (other phrasings, languages, app frames)',
  },
  {
    name: 'heldout-fp-heavy',
    heldOut: true,
    sim: {
      seed: 3003,
      bank: 'B',
      mix: { chat: 5000, licensed: 30, bench: 120, cotLab: 200, support: 60, appUser: 3000 },
    },
    note: 'bank B, 5× licensed jobs, benchmark runners, CoT labs and app users',
  },
  {
    name: 'heldout-hydra5',
    heldOut: true,
    sim: {
      seed: 4004,
      bank: 'B',
      attack: { mixing: [0.05], hydras: 10, sweeps: 2, pivots: 1, adaptive: 2 },
    },
    note: 'bank B, every hydra cluster at 5% mixing (the issue goal)',
  },
  {
    name: 'heldout-hydra1',
    heldOut: true,
    sim: { seed: 5005, bank: 'A', attack: { mixing: [0.01, 0.02], hydras: 8 } },
    note: 'hydra clusters at 1–2% mixing',
  },
  {
    name: 'heldout-adaptive',
    heldOut: true,
    sim: {
      seed: 6006,
      bank: 'B',
      attack: { adaptive: 10, hydras: 2, sweeps: 1, pivots: 1, mixing: [0.05, 0.1, 0.25] },
    },
    note: 'bank B, mostly adaptive campaigns (paraphrase, jitter, residential ranges, unique payments)',
  },
  {
    name: 'stress-students',
    heldOut: false,
    sim: { seed: 7007, bank: 'A', mix: { ...DEFAULT_MIX, student: 1000 }, attack: { adaptive: 6 } },
    note: 'stress: students asking step-by-step questions in wordings from one popular pool (written to test the extraction-wording link, which cannot tell them from an adaptive campaign: such groups are capped at watch)',
  },
  {
    name: 'stress-classroom',
    heldOut: false,
    sim: { seed: 8008, bank: 'B', mix: { ...DEFAULT_MIX, classroom: 1500 } },
    note: 'stress: classes of students behind one campus NAT, signed up in one session, meeting in weekly labs, asking a shared homework sheet step by step (a benign group with infrastructure, sign-up, timing and wording links)',
  },
];

const EMBED_DIM = 64;
const MAX_PER_ACCOUNT = 1000;
const FPR_TARGET = 0.001;

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
}

/** Score threshold giving FPR ≤ target on benign scores (higher score = more suspicious). */
function oracleThreshold(benign: readonly number[], target: number): number {
  const s = benign.filter(Number.isFinite).sort((a, b) => b - a);
  const allowed = Math.floor(target * benign.length);
  // flag strictly above the (allowed+1)-th largest benign score
  return s[allowed] ?? -Infinity;
}

interface DetectorOutcome {
  readonly name: string;
  /** Accounts flagged. */
  readonly flagged: Set<string>;
  /** Line number (1-based) at which each flagged account was first flagged. */
  readonly firstLine: Map<string, number>;
}

interface Metrics {
  detector: string;
  rule: string;
  benignAccounts: number;
  falsePositives: number;
  fpr: number;
  attackAccounts: number;
  truePositives: number;
  accountRecall: number;
  accountPrecision: number;
  campaigns: number;
  campaignRecallAny: number;
  campaignRecallMajority: number;
  byKind: Record<string, { campaigns: number; detected: number }>;
  /**
   * Extraction requests (as the truth file marks them) of all attack campaigns, and of the
   * campaigns detected: how much of what was harvested in the window came from campaigns found.
   */
  extractionRecords: number;
  extractionRecordsDetected: number;
  /** Attack campaigns with no member flagged, with their size and harvest. */
  missed: { id: string; kind: string; accounts: number; extractionRecords: number }[];
  medianRecordsToDetection: number | null;
  fpByPersona: Record<string, number>;
}

function metrics(
  truth: Truth,
  o: DetectorOutcome,
  rule: string,
  lineOwner: Int32Array,
  accIndex: Map<string, number>,
): Metrics {
  const benign = truth.accounts.filter((a) => a.label === 'benign');
  const attack = truth.accounts.filter((a) => a.label === 'attack');
  const fpByPersona: Record<string, number> = {};
  let fp = 0;
  for (const a of benign)
    if (o.flagged.has(a.account)) {
      fp++;
      fpByPersona[a.persona] = (fpByPersona[a.persona] ?? 0) + 1;
    }
  const tp = attack.filter((a) => o.flagged.has(a.account)).length;
  const camps = truth.campaigns.filter((c) => c.label === 'attack');
  const byKind: Record<string, { campaigns: number; detected: number }> = {};
  let any = 0;
  let maj = 0;
  let harvest = 0;
  let harvestDetected = 0;
  const missed: Metrics['missed'] = [];
  const rtd: number[] = [];
  for (const c of camps) {
    const k = `${c.kind}${c.mixing !== undefined && c.kind === 'hydra' ? `@${c.mixing}` : ''}`;
    const cur = byKind[k] ?? { campaigns: 0, detected: 0 };
    cur.campaigns++;
    const hits = c.accounts.filter((a) => o.flagged.has(a));
    harvest += c.extractionRecords;
    if (hits.length === 0)
      missed.push({
        id: c.id,
        kind: k,
        accounts: c.accounts.length,
        extractionRecords: c.extractionRecords,
      });
    else {
      any++;
      harvestDetected += c.extractionRecords;
      cur.detected++;
      // records of this campaign seen up to the first detection
      const first = Math.min(...hits.map((a) => o.firstLine.get(a) ?? Infinity));
      if (Number.isFinite(first)) {
        const members = new Set(c.accounts.map((a) => accIndex.get(a) ?? -1));
        let seen = 0;
        for (let l = 0; l < first && l < lineOwner.length; l++)
          if (members.has(lineOwner[l] ?? -2)) seen++;
        rtd.push(seen);
      }
    }
    if (hits.length * 2 >= c.accounts.length) maj++;
    byKind[k] = cur;
  }
  rtd.sort((a, b) => a - b);
  const flaggedTotal = o.flagged.size;
  return {
    detector: o.name,
    rule,
    benignAccounts: benign.length,
    falsePositives: fp,
    fpr: benign.length > 0 ? fp / benign.length : 0,
    attackAccounts: attack.length,
    truePositives: tp,
    accountRecall: attack.length > 0 ? tp / attack.length : 0,
    accountPrecision: flaggedTotal > 0 ? tp / flaggedTotal : 1,
    campaigns: camps.length,
    campaignRecallAny: camps.length > 0 ? any / camps.length : 0,
    campaignRecallMajority: camps.length > 0 ? maj / camps.length : 0,
    byKind,
    extractionRecords: harvest,
    extractionRecordsDetected: harvestDetected,
    missed,
    medianRecordsToDetection: rtd.length > 0 ? (rtd[Math.floor(rtd.length / 2)] ?? null) : null,
    fpByPersona,
  };
}

/**
 * How the shipped alerts are grouped, by campaign (linked component) and by operator: purity is
 * the share of alerted accounts whose unit's most common true campaign (or "benign") is their
 * own; spread is the mean number of units the alerted accounts of one true campaign fall into.
 */
interface Grouping {
  unit: 'campaign' | 'operator';
  units: number;
  purity: number;
  spread: number;
}

function grouping(truth: Truth, v: MonitorVerdict): Grouping[] {
  const label = new Map<string, string>();
  for (const c of truth.campaigns)
    if (c.label === 'attack') for (const a of c.accounts) label.set(a, c.id);
  return (['campaign', 'operator'] as const).map((unit) => {
    const units = new Map<string, string[]>();
    for (const a of v.alerts) {
      const u = (unit === 'campaign' ? a.campaign : a.operator) ?? `single:${a.account}`;
      const list = units.get(u) ?? [];
      list.push(label.get(a.account) ?? 'benign');
      units.set(u, list);
    }
    let pure = 0;
    const spread = new Map<string, Set<string>>();
    for (const [u, labels] of units) {
      const count = new Map<string, number>();
      for (const l of labels) count.set(l, (count.get(l) ?? 0) + 1);
      pure += Math.max(...count.values());
      for (const l of labels) {
        if (l === 'benign') continue;
        const set = spread.get(l) ?? new Set<string>();
        set.add(u);
        spread.set(l, set);
      }
    }
    const sizes = [...spread.values()].map((x) => x.size);
    return {
      unit,
      units: units.size,
      purity: v.alerts.length > 0 ? pure / v.alerts.length : 1,
      spread: sizes.length > 0 ? sizes.reduce((x, y) => x + y, 0) / sizes.length : 0,
    };
  });
}

async function runSetting(
  s: Setting,
  records: number,
  outDir: string,
): Promise<{
  setting: Setting;
  results: Metrics[];
  verdict: MonitorVerdict;
  grouping: Grouping[];
  seconds: Record<string, number>;
}> {
  const file = join(outDir, `${s.name}.jsonl`);
  const t0 = performance.now();
  const ws = createWriteStream(file);
  const truth = await simulateTraffic({ ...s.sim, records }, async (chunk) => {
    if (!ws.write(chunk)) await once(ws, 'drain');
  });
  ws.end();
  await once(ws, 'close');
  writeFileSync(join(outDir, `${s.name}.truth.json`), JSON.stringify(truth));
  const tSim = performance.now();

  // one pass: monitor state with checkpoints + per-account embeddings for the baselines
  const mapping = presetMapping('native');
  const state = createState();
  const feats = emptyFeatures();
  const accIndex = new Map<string, number>();
  const lineOwner = new Int32Array(truth.records + 10).fill(-1);
  const embs = new Map<string, Float32Array[]>();
  const embLines = new Map<string, number[]>();
  const sampleRng = mulberry32(s.sim.seed ^ 0x5eed);
  const refSample: Float32Array[] = [];
  const checkpoints = new Set<number>();
  for (let k = 1; k <= 10; k++) checkpoints.add(Math.floor((truth.records * k) / 10));
  const monitorFirst = new Map<string, number>();
  let verdict: MonitorVerdict | undefined;
  let line = 0;
  let tMon = 0;
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const text of rl) {
    line++;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      continue;
    }
    const v = toRecord(obj, mapping);
    if (!v.ok) continue;
    const r = v.record;
    const tm = performance.now();
    observe(state, r, featurize(r, feats));
    tMon += performance.now() - tm;
    let ai = accIndex.get(r.account);
    if (ai === undefined) {
      ai = accIndex.size;
      accIndex.set(r.account, ai);
    }
    lineOwner[line - 1] = ai;
    const list = embs.get(r.account) ?? [];
    if (list.length < MAX_PER_ACCOUNT) {
      const e = embed(r.text, EMBED_DIM);
      list.push(e);
      embs.set(r.account, list);
      const ll = embLines.get(r.account) ?? [];
      ll.push(line);
      embLines.set(r.account, ll);
      if (sampleRng() < 4000 / truth.records) refSample.push(e);
    }
    if (checkpoints.has(line)) {
      const ta = performance.now();
      verdict = analyze({ state });
      tMon += performance.now() - ta;
      for (const a of verdict.alerts)
        if (!monitorFirst.has(a.account)) monitorFirst.set(a.account, line);
    }
  }
  if (!verdict) verdict = analyze({ state });
  const tRead = performance.now();
  const results: Metrics[] = [];
  const monitorOutcome: DetectorOutcome = {
    name: 'monitor',
    flagged: new Set(verdict.alerts.map((a) => a.account)),
    firstLine: monitorFirst,
  };
  results.push(
    metrics(
      truth,
      monitorOutcome,
      'shipped rule (alerts ≥ verify, e-BH FDR 0.01)',
      lineOwner,
      accIndex,
    ),
  );
  const watch = analyze({ state, minTier: 'watch' });
  results.push(
    metrics(
      truth,
      {
        name: 'monitor',
        flagged: new Set(watch.alerts.map((a) => a.account)),
        firstLine: monitorFirst,
      },
      'any tier incl. watch',
      lineOwner,
      accIndex,
    ),
  );
  // continuous monitor score for the oracle operating point: campaign −log10 p for members of any
  // tested group, else the account's own cohort −log10 p
  const monScore = new Map<string, number>();
  for (const c of verdict.campaigns)
    for (const a of c.accounts) monScore.set(a, Math.max(monScore.get(a) ?? 0, -c.log10P));
  const benignIds = truth.accounts.filter((a) => a.label === 'benign').map((a) => a.account);
  const oracleOutcome = (
    name: string,
    score: (id: string) => number,
    firstLine: (id: string, thr: number) => number,
  ): DetectorOutcome => {
    const thr = oracleThreshold(benignIds.map(score), FPR_TARGET);
    const flagged = new Set<string>();
    const fl = new Map<string, number>();
    for (const a of truth.accounts) {
      const sc = score(a.account);
      if (sc > thr) {
        flagged.add(a.account);
        fl.set(a.account, firstLine(a.account, thr));
      }
    }
    return { name, flagged, firstLine: fl };
  };
  results.push(
    metrics(
      truth,
      oracleOutcome(
        'monitor',
        (id) => monScore.get(id) ?? 0,
        (id) => monitorFirst.get(id) ?? truth.records,
      ),
      'oracle threshold, FPR ≤ 0.1%',
      lineOwner,
      accIndex,
    ),
  );

  // baselines
  const tb0 = performance.now();
  const prada = new Map<string, ReturnType<typeof pradaAccount>>();
  for (const [id, list] of embs) prada.set(id, pradaAccount(list));
  // SEAT τ: 99.9th percentile of similarities between random queries of the traffic
  const rng = mulberry32(s.sim.seed ^ 0xa11ce);
  const sims: number[] = [];
  for (let k = 0; k < 20000 && refSample.length > 1; k++) {
    const a = refSample[Math.floor(rng() * refSample.length)];
    const b = refSample[Math.floor(rng() * refSample.length)];
    if (a && b && a !== b) sims.push(dot(a, b));
  }
  sims.sort((x, y) => x - y);
  const tau = sims[Math.floor(0.999 * (sims.length - 1))] ?? 0.99;
  const seat = new Map<string, ReturnType<typeof seatAccount>>();
  for (const [id, list] of embs) seat.set(id, seatAccount(list, tau));
  const ref = mmdReference(refSample, 100, 5, rng);
  const mmd = new Map<string, ReturnType<typeof mmdAccount>>();
  for (const [id, list] of embs) mmd.set(id, mmdAccount(list, ref, 100, 10));
  const tb1 = performance.now();
  const lineAt = (id: string, q: number): number => embLines.get(id)?.[q] ?? truth.records;
  results.push(
    metrics(
      truth,
      oracleOutcome(
        'PRADA',
        (id) => 1 - (prada.get(id)?.minW ?? Infinity),
        (id, thr) => lineAt(id, prada.get(id)?.checks.find(([, w]) => 1 - w > thr)?.[0] ?? -1),
      ),
      'oracle threshold, FPR ≤ 0.1%',
      lineOwner,
      accIndex,
    ),
  );
  results.push(
    metrics(
      truth,
      oracleOutcome(
        'SEAT',
        (id) => seat.get(id)?.pairs ?? 0,
        (id, thr) => lineAt(id, seat.get(id)?.steps.find(([, p]) => p > thr)?.[0] ?? -1),
      ),
      'oracle threshold, FPR ≤ 0.1%',
      lineOwner,
      accIndex,
    ),
  );
  results.push(
    metrics(
      truth,
      oracleOutcome(
        'windowed MMD',
        (id) => mmd.get(id)?.maxScore ?? -Infinity,
        (id, thr) => lineAt(id, mmd.get(id)?.windows.find(([, sc]) => sc > thr)?.[0] ?? -1),
      ),
      'oracle threshold, FPR ≤ 0.1%',
      lineOwner,
      accIndex,
    ),
  );
  return {
    setting: s,
    results,
    verdict,
    grouping: grouping(truth, verdict),
    seconds: {
      simulate: (tSim - t0) / 1000,
      monitor: tMon / 1000,
      readAndEmbed: (tRead - tSim - tMon) / 1000,
      baselines: (tb1 - tb0) / 1000,
    },
  };
}

function pct(x: number): string {
  return `${(100 * x).toFixed(x < 0.01 && x > 0 ? 2 : 1)}%`;
}

async function main(): Promise<void> {
  const records = Number(arg('records', '600000'));
  const outDir = arg('out', 'eval/out/monitor');
  const want = arg('settings', SETTINGS.map((s) => s.name).join(',')).split(',');
  mkdirSync(outDir, { recursive: true });
  const md: string[] = [];
  const all: unknown[] = [];
  md.push(
    `# Extraction monitor evaluation`,
    '',
    `Command: \`npm run eval:monitor -- --records ${records}\` (simulated logs of ${records} lines per setting).`,
    '',
  );
  for (const s of SETTINGS.filter((x) => want.includes(x.name))) {
    process.stderr.write(`eval: ${s.name} ...\n`);
    const r = await runSetting(s, records, outDir);
    all.push({
      setting: s.name,
      heldOut: s.heldOut,
      note: s.note,
      results: r.results,
      grouping: r.grouping,
      seconds: r.seconds,
    });
    md.push(`## ${s.name}${s.heldOut ? ' (held out)' : ' (development)'}`, '', s.note, '');
    md.push(
      '| detector | operating point | campaign recall (any / majority) | account recall | account precision | benign FPR (FP / benign) | median records to detection |',
    );
    md.push('|---|---|---|---|---|---|---|');
    for (const m of r.results)
      md.push(
        `| ${m.detector} | ${m.rule} | ${pct(m.campaignRecallAny)} / ${pct(m.campaignRecallMajority)} (${m.campaigns}) | ${pct(m.accountRecall)} | ${pct(m.accountPrecision)} | ${pct(m.fpr)} (${m.falsePositives} / ${m.benignAccounts}) | ${m.medianRecordsToDetection ?? '-'} |`,
      );
    const shipped = r.results[0];
    if (shipped) {
      md.push(
        '',
        'Campaigns detected by the shipped rule, by kind: ' +
          Object.entries(shipped.byKind)
            .map(([k, v]) => `${k} ${v.detected}/${v.campaigns}`)
            .join(', ') +
          '.',
      );
      md.push(
        '',
        `Extraction requests (as the truth marks them) in the campaigns it detected: ${shipped.extractionRecordsDetected} of ${shipped.extractionRecords} (${pct(shipped.extractionRecords > 0 ? shipped.extractionRecordsDetected / shipped.extractionRecords : 0)}). ` +
          (shipped.missed.length > 0
            ? `Missed: ${shipped.missed.map((c) => `${c.id} (${c.accounts} accounts, ${c.extractionRecords} extraction requests)`).join(', ')}.`
            : 'No campaign missed.'),
      );
      md.push(
        '',
        'Grouping of the shipped alerts: ' +
          r.grouping
            .map(
              (g) =>
                `${g.units} ${g.unit}s (purity ${pct(g.purity)}, a detected campaign's alerts in ${g.spread.toFixed(2)} ${g.unit}s on average)`,
            )
            .join('; ') +
          '.',
      );
      const fps = Object.entries(shipped.fpByPersona);
      md.push(
        fps.length > 0
          ? `False positives by persona: ${fps.map(([k, v]) => `${k} ${v}`).join(', ')}.`
          : 'No false positive.',
      );
    }
    md.push(
      '',
      `Time (s): ${Object.entries(r.seconds)
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join(', ')}.`,
      '',
    );
    process.stderr.write(`eval: ${s.name} done\n`);
  }
  writeFileSync(join(outDir, 'results.json'), JSON.stringify(all, null, 2));
  writeFileSync(join(outDir, 'results.md'), md.join('\n'));
  process.stdout.write(md.join('\n') + '\n');
}

await main();
