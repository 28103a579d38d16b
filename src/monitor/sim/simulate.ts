/**
 * Traffic simulator: benign personas (the usual false positives included) and extraction
 * campaigns, written as a time-ordered JSONL log in the native schema, with ground truth kept
 * apart. Deterministic for a given seed and options.
 *
 * Benign: chat users, developers, users of popular third-party apps that wrap their prompts in a
 * shared frame (one of them asks for step-by-step explanations), support / RAG bots, enterprise
 * teams behind one NAT and one payment method, benchmark runners (fixed item sets re-run on
 * several models), research labs running chain-of-thought evaluations on several accounts (and on
 * a new model the day it is released), and licensed synthetic-data jobs.
 *
 * Attacks (research note §1): template sweeps over a capability with reasoning / rubric /
 * tool-trace elicitation on a few fresh accounts; hydra clusters behind reseller proxies mixing
 * extraction into resold benign traffic at a given rate; release pivots; and adaptive campaigns
 * that paraphrase every request, jitter timing per account, spread over residential ranges and
 * aged accounts, and use unique payment methods.
 */
import { mulberry32 } from '../hash.js';
import {
  bank,
  fakeResponse,
  fill,
  int,
  pick,
  type Bank,
  type Rng,
  type SweepCapability,
} from './banks.js';

/** Relative account weights of the benign personas. */
export interface PersonaMix {
  chat: number;
  dev: number;
  appUser: number;
  support: number;
  team: number;
  bench: number;
  cotLab: number;
  licensed: number;
  /**
   * Students who ask for step-by-step explanations of study questions in a share of their
   * traffic, in wordings drawn from one popular pool (default 0: a stress persona for the
   * extraction-wording linkage, see eval setting `stress-students`).
   */
  student?: number;
  /**
   * Students in classes (per 25 students one class): a campus NAT, sign-ups in one session at the
   * start of term, weekly lab sessions at the same hours, one subject, a shared homework sheet
   * asked step by step (default 0: a stress persona for infrastructure + sign-up + timing +
   * wording linkage of benign groups, see eval setting `stress-classroom`).
   */
  classroom?: number;
  /**
   * Chat and code users who sign up during the window (half of them on one launch day, when
   * sign-ups spike): fresh accounts are not only fraud.
   */
  newcomer?: number;
}

/** Attack settings. */
export interface AttackSettings {
  /** Mixing rates used by hydra / adaptive campaigns, cycled over campaigns. */
  mixing: readonly number[];
  /** Campaign counts per kind at 1M records (scaled with the log size, at least 1 each when > 0). */
  sweeps: number;
  hydras: number;
  pivots: number;
  adaptive: number;
  /** Accounts per hydra campaign [min, max]. */
  hydraAccounts: readonly [number, number];
  /**
   * Benign accounts of the reseller's own customers behind each hydra's proxy, as a share of the
   * hydra's size: same ranges, same gateway user agent, ordinary chat traffic (persona
   * `proxy-customer`). They share infrastructure with the campaign and must not be alerted.
   */
  proxyCustomers: number;
  /**
   * Probability that a hydra's reseller gateway prepends its own system prompt to every request
   * it forwards, the campaign's and its customers' alike (a proxy-level fingerprint).
   */
  gatewayPrompt: number;
}

/** Options of {@link simulateTraffic}. */
export interface SimulateOptions {
  readonly records: number;
  readonly seed: number;
  /** ISO start time (default 2026-03-02T00:00:00Z). */
  readonly start?: string;
  /** Length of the log in days (default 14). */
  readonly days?: number;
  /** Text bank: "A" for development, "B" held out. */
  readonly bank?: 'A' | 'B';
  readonly mix?: Partial<PersonaMix>;
  readonly attack?: Partial<AttackSettings>;
  /** Day (from start) the new model is released (default 60% of the window). */
  readonly releaseDay?: number;
  /** Fraction of lines written malformed (bad JSON, missing or bad fields). */
  readonly malformed?: number;
  /** Write `response` text and token counts (default true). */
  readonly withTokens?: boolean;
}

/** Ground truth for one account. */
export interface TruthAccount {
  account: string;
  label: 'benign' | 'attack';
  persona: string;
  campaign?: string;
  mixing?: number;
  records: number;
  extractionRecords: number;
}

/** Ground truth for one campaign (attack) or benign group. */
export interface TruthCampaign {
  id: string;
  kind: string;
  label: 'benign' | 'attack';
  accounts: string[];
  mixing?: number;
  records: number;
  extractionRecords: number;
}

/** The ground-truth file written beside a simulated log. */
export interface Truth {
  generator: 'model-customs simulate-traffic';
  seed: number;
  records: number;
  bank: 'A' | 'B';
  start: string;
  end: string;
  releases: { model: string; at: string }[];
  malformedLines: number[];
  accounts: TruthAccount[];
  campaigns: TruthCampaign[];
}

/** The default benign mix. */
export const DEFAULT_MIX: PersonaMix = {
  chat: 8000,
  dev: 2000,
  appUser: 1200,
  support: 12,
  team: 600,
  bench: 25,
  cotLab: 40,
  licensed: 6,
  newcomer: 1500,
};

/** Every persona weight name of {@link PersonaMix} (the keys `--mix` accepts). */
export const PERSONA_KEYS: readonly (keyof PersonaMix)[] = [
  'chat',
  'dev',
  'appUser',
  'support',
  'team',
  'bench',
  'cotLab',
  'licensed',
  'student',
  'classroom',
  'newcomer',
];

/** The default attack settings. */
export const DEFAULT_ATTACK: AttackSettings = {
  mixing: [0.05, 0.02, 0.1, 0.01, 0.25, 0.5],
  sweeps: 4,
  hydras: 6,
  pivots: 2,
  adaptive: 3,
  hydraAccounts: [20, 120],
  proxyCustomers: 0.5,
  gatewayPrompt: 0.5,
};

const DAY = 86_400_000;
const HOUR = 3_600_000;

const RESIDENTIAL_ASNS = [
  'AS7922',
  'AS3320',
  'AS4134',
  'AS9121',
  'AS12322',
  'AS2856',
  'AS3215',
  'AS7018',
  'AS4837',
  'AS17676',
  'AS6830',
  'AS5089',
];
const CLOUD_ASNS = ['AS16509', 'AS15169', 'AS8075'];
const HOSTING_ASNS = ['AS24940', 'AS14061', 'AS16276', 'AS9009', 'AS51167'];
const UNIVERSITY_ASNS = ['AS1103', 'AS786', 'AS2200', 'AS11537'];
const BROWSER_UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148',
];
const SDK_UAS = [
  'openai-python/1.40.0',
  'openai-node/4.52.0',
  'anthropic-sdk-python/0.30',
  'langchain/0.2',
  'python-httpx/0.27.0',
  'curl/8.5.0',
];

/** A /24 prefix deterministic in (asn index, k). */
function prefixFor(asnIdx: number, k: number, salt: number): string {
  const a = ((asnIdx * 37 + salt * 11) % 200) + 20;
  const b = (k * 131 + asnIdx * 7) % 256;
  const c = (k * 29 + salt * 3 + Math.floor(k / 256)) % 256;
  return `${a}.${b}.${c}`;
}

interface Network {
  asn: string;
  prefixes: string[];
}

interface Account {
  id: string;
  label: 'benign' | 'attack';
  persona: string;
  campaign?: string;
  mixing?: number;
  records: number;
  extraction: number;
  signupAt: number;
  payment?: string;
  org?: string;
  ua: string;
  net: Network;
  /** System prompt a gateway adds to every request of this account. */
  gateway?: string;
  /** Adopts the new model after release, with this share. */
  adopt: number;
  /** Preferred legacy model. */
  legacy: string;
  tz: number;
  history: string[];
}

type Schedule = (t: number) => number;

interface Actor {
  t: number;
  quota: number;
  next: Schedule;
  emit: (t: number) => void;
}

/** Binary min-heap of actors by next event time. */
class ActorHeap {
  private readonly a: Actor[] = [];
  get size(): number {
    return this.a.length;
  }
  push(x: Actor): void {
    const a = this.a;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const ap = a[p];
      if (!ap || ap.t <= x.t) break;
      a[i] = ap;
      i = p;
    }
    a[i] = x;
  }
  pop(): Actor | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const r = l + 1;
      const al = a[l];
      const ar = a[r];
      const c = ar && al && ar.t < al.t ? r : l;
      const ac = a[c];
      if (!ac || ac.t >= last.t) break;
      a[i] = ac;
      i = c;
    }
    a[i] = last;
    return top;
  }
}

function expo(rng: Rng, mean: number): number {
  return -Math.log(1 - rng()) * mean;
}

function lognormal(rng: Rng, median: number, sigma: number): number {
  const u1 = Math.max(1e-12, rng());
  const u2 = rng();
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  return median * Math.exp(sigma * z);
}

/** Diurnal activity weight for local hour h (humans). */
function humanHourWeight(h: number): number {
  if (h < 7) return 0.05;
  if (h < 9) return 0.5;
  if (h < 18) return 1;
  if (h < 23) return 0.8;
  return 0.2;
}

function businessHourWeight(h: number, dow: number): number {
  const weekend = dow === 0 || dow === 6;
  const base = h >= 9 && h < 18 ? 1 : h >= 7 && h < 21 ? 0.25 : 0.02;
  return weekend ? base * 0.15 : base;
}

/**
 * Generate a simulated log. `sink` receives JSONL text in chunks (awaited, so a file stream's
 * back-pressure is respected). Returns the ground truth.
 */
export async function simulateTraffic(
  opts: SimulateOptions,
  sink: (chunk: string) => void | Promise<void>,
): Promise<Truth> {
  const rng = mulberry32(opts.seed);
  const B: Bank = bank(opts.bank ?? 'A');
  const start = Date.parse(opts.start ?? '2026-03-02T00:00:00Z');
  const days = opts.days ?? 14;
  const end = start + days * DAY;
  const release =
    start + (opts.releaseDay ?? Math.round(days * 0.6)) * DAY + int(rng, 1, 20) * HOUR;
  const mix: PersonaMix = { ...DEFAULT_MIX, ...(opts.mix ?? {}) };
  const attack: AttackSettings = { ...DEFAULT_ATTACK, ...(opts.attack ?? {}) };
  const withTokens = opts.withTokens ?? true;
  const N = opts.records;
  // populations scale sub-linearly above 1M records (more records per account, as in the reports)
  // (the 1.5 factor: persona quotas below sum to about two thirds of the nominal size)
  const scale = 1.5 * (N <= 1e6 ? N / 1e6 : Math.pow(N / 1e6, 0.75));
  const perAccount = N <= 1e6 ? 1 : N / 1e6 / (scale / 1.5);
  const count = (x: number, min = 0): number => Math.max(min, Math.round(x * scale));

  const accounts: Account[] = [];
  const campaigns: TruthCampaign[] = [];
  const heap = new ActorHeap();
  let idCounter = 0;
  const newId = (): string => {
    idCounter++;
    return `acct_${Math.floor(rng() * 36 ** 6)
      .toString(36)
      .padStart(6, '0')}${idCounter.toString(36)}`;
  };
  const payId = (): string => `pay_${Math.floor(rng() * 2 ** 48).toString(16)}`;
  const residential = (): Network => {
    const ai = int(rng, 0, RESIDENTIAL_ASNS.length - 1);
    const home = prefixFor(ai, int(rng, 0, 4000), 1);
    return {
      asn: RESIDENTIAL_ASNS[ai] ?? 'AS0',
      prefixes: rng() < 0.3 ? [home, prefixFor(ai, int(rng, 0, 4000), 1)] : [home],
    };
  };
  const cloud = (): Network => {
    const ai = int(rng, 0, CLOUD_ASNS.length - 1);
    // popular cloud egress ranges: many unrelated customers share them
    return {
      asn: CLOUD_ASNS[ai] ?? 'AS0',
      prefixes: [prefixFor(ai, int(rng, 0, 150), 2), prefixFor(ai, int(rng, 0, 150), 2)],
    };
  };
  const ipOf = (a: Account): string => `${pick(rng, a.net.prefixes)}.${int(rng, 1, 254)}`;
  const oldSignup = (): number => start - int(rng, 30, 900) * DAY - int(rng, 0, 86_399) * 1000;
  const modelFor = (a: Account, t: number): string => {
    if (t >= release && a.adopt > 0) {
      const ramp = Math.min(
        1,
        (t - release) / (a.persona.startsWith('attack-pivot') ? 3 * HOUR : 4 * DAY),
      );
      if (rng() < a.adopt * ramp) return 'model-c';
    }
    return a.legacy;
  };

  const baseAccount = (
    label: 'benign' | 'attack',
    persona: string,
    net: Network,
    ua: string,
  ): Account => {
    const a: Account = {
      id: newId(),
      label,
      persona,
      records: 0,
      extraction: 0,
      signupAt: oldSignup(),
      ua,
      net,
      adopt: rng() < 0.35 ? 0.2 + 0.5 * rng() : 0,
      legacy: rng() < 0.6 ? 'model-b' : 'model-a',
      tz: int(rng, -8, 9),
      history: [],
    };
    accounts.push(a);
    return a;
  };

  // Farms sign up at their operator's hour of the day, not at the window's start time. Drawn from
  // a stream of its own so that every other draw (and so the rest of each log) is unchanged.
  const clockRng = mulberry32((opts.seed ^ 0x9e3779b9) >>> 0);
  /** How long before the clock time of the window start (00:00) a farm operator creates accounts. */
  const farmClock = (): number => int(clockRng, 1, 23) * HOUR + int(clockRng, 0, 59) * 60_000;

  /** A fresh account: signed up in a burst at `burstAt`, before its first use. */
  const fresh = (a: Account, firstUse: number, burstAt: number): void => {
    a.signupAt = burstAt + int(rng, 0, 3000) * 1000;
    if (a.signupAt > firstUse) a.signupAt = firstUse - 60_000;
  };

  /** Ground truth for a benign group (team, lab, class, a proxy's customers): never alerted. */
  const benignGroup = (id: string, kind: string, accounts: string[]): void => {
    campaigns.push({ id, kind, label: 'benign', accounts, records: 0, extractionRecords: 0 });
  };

  // output buffering
  let buf = '';
  let written = 0;
  const malformedLines: number[] = [];
  const malformedRate = opts.malformed ?? 0;
  const flushIfBig = async (): Promise<void> => {
    if (buf.length >= 1 << 19) {
      const c = buf;
      buf = '';
      await sink(c);
    }
  };
  const write = (obj: Record<string, unknown>): void => {
    written++;
    if (malformedRate > 0 && rng() < malformedRate) {
      malformedLines.push(written);
      const kind = int(rng, 0, 4);
      if (kind === 0) buf += `${JSON.stringify(obj).slice(0, 40)}\n`;
      else if (kind === 1) buf += `${JSON.stringify({ ...obj, ts: 'yesterday' })}\n`;
      else if (kind === 2) buf += `${JSON.stringify({ ...obj, account: undefined })}\n`;
      else if (kind === 3) buf += `${JSON.stringify({ ...obj, inputTokens: -5 })}\n`;
      else buf += '[1,2,3]\n';
      return;
    }
    buf += `${JSON.stringify(obj)}\n`;
  };

  const record = (
    a: Account,
    t: number,
    text: string,
    o: {
      turns?: string[];
      out?: number;
      system?: string;
      tools?: number;
      extraction?: boolean;
      model?: string;
    },
  ): void => {
    a.records++;
    if (o.extraction) a.extraction++;
    const system = o.system ?? a.gateway;
    const rec: Record<string, unknown> = {
      ts: new Date(t).toISOString(),
      account: a.id,
      model: o.model ?? modelFor(a, t),
    };
    if (o.turns && o.turns.length > 0) {
      const msgs: { role: string; content: string }[] = [];
      if (system) msgs.push({ role: 'system', content: system });
      o.turns.forEach((m, i) =>
        msgs.push({ role: i % 2 === 0 ? 'user' : 'assistant', content: m }),
      );
      msgs.push({ role: 'user', content: text });
      rec['messages'] = msgs;
    } else if (system)
      rec['messages'] = [
        { role: 'system', content: system },
        { role: 'user', content: text },
      ];
    else rec['prompt'] = text;
    if (withTokens) {
      rec['inputTokens'] =
        Math.ceil(text.length / 4) +
        (o.turns ? o.turns.reduce((s, m) => s + Math.ceil(m.length / 4), 0) : 0);
      rec['outputTokens'] = Math.max(1, Math.round(lognormal(rng, o.out ?? 250, 0.5)));
    }
    rec['ip'] = ipOf(a);
    rec['asn'] = a.net.asn;
    if (a.payment) rec['payment'] = a.payment;
    rec['userAgent'] = a.ua;
    rec['signupAt'] = new Date(a.signupAt).toISOString();
    if (a.org) rec['org'] = a.org;
    if (o.tools) rec['tools'] = o.tools;
    write(rec);
  };

  // ------------------------------------------------------------ schedules
  const humanSchedule = (a: Account, perDay: number, business: boolean): Schedule => {
    let left = 0;
    const sessionLen = Math.max(1, Math.round(lognormal(rng, 3, 0.6)));
    const sessionsPerDay = Math.max(0.05, perDay / sessionLen);
    return (t: number) => {
      if (left > 0) {
        left--;
        return t + 15_000 + expo(rng, 70_000);
      }
      let x = t;
      for (let guard = 0; guard < 10_000; guard++) {
        x += expo(rng, DAY / sessionsPerDay / 2);
        const local = new Date(x + a.tz * HOUR);
        const wgt = business
          ? businessHourWeight(local.getUTCHours(), local.getUTCDay())
          : humanHourWeight(local.getUTCHours());
        if (rng() < wgt * 0.5) break;
      }
      left = Math.max(0, Math.round(expo(rng, sessionLen)) - 1);
      return x;
    };
  };
  const botSchedule =
    (perDay: number): Schedule =>
    (t: number) => {
      let x = t;
      for (;;) {
        x += expo(rng, DAY / perDay / 1.3);
        const h = new Date(x).getUTCHours();
        if (rng() < (1 + 0.3 * Math.sin((h / 24) * 2 * Math.PI)) / 1.3) return x;
      }
    };
  const add = (quota: number, t0: number, next: Schedule, emit: (t: number) => void): void => {
    if (quota <= 0) return;
    const t = Math.max(start, t0);
    heap.push({ t: next(t), quota, next, emit });
  };

  // ------------------------------------------------------------ benign personas
  const chatEmit =
    (a: Account, devMode: boolean) =>
    (t: number): void => {
      const continuing = a.history.length > 0 && rng() < 0.55;
      if (!continuing) a.history = [];
      const text = continuing ? B.followUp(rng) : devMode ? B.dev(rng) : B.chat(rng);
      record(a, t, text, { turns: a.history.slice(-6), out: devMode ? 400 : 250 });
      a.history.push(text, 'Sure - here is a helpful answer.');
    };
  for (let i = 0; i < count(mix.chat, mix.chat > 0 ? 1 : 0); i++) {
    const a = baseAccount('benign', 'chat', residential(), pick(rng, BROWSER_UAS));
    if (rng() < 0.4) a.payment = payId();
    const quota = Math.min(3000, Math.round(lognormal(rng, 18, 1.0) * perAccount));
    add(quota, start, humanSchedule(a, quota / days, false), chatEmit(a, false));
  }
  for (let i = 0; i < count(mix.dev, mix.dev > 0 ? 1 : 0); i++) {
    const a = baseAccount(
      'benign',
      'dev',
      rng() < 0.5 ? residential() : cloud(),
      pick(rng, SDK_UAS),
    );
    a.payment = payId();
    const quota = Math.min(5000, Math.round(lognormal(rng, 60, 0.9) * perAccount));
    add(quota, start, humanSchedule(a, quota / days, true), chatEmit(a, true));
  }
  // newcomers: sign-ups during the window, half of them on a launch day
  const newcomers = count(mix.newcomer ?? 0, 0);
  const launchDay = newcomers > 0 ? start + int(rng, 0, Math.max(0, days - 2)) * DAY : start;
  for (let i = 0; i < newcomers; i++) {
    const devMode = rng() < 0.3;
    const a = baseAccount(
      'benign',
      'newcomer',
      devMode && rng() < 0.5 ? cloud() : residential(),
      pick(rng, devMode ? SDK_UAS : BROWSER_UAS),
    );
    if (rng() < 0.3) a.payment = payId();
    a.signupAt = rng() < 0.5 ? launchDay + rng() * DAY : start - 2 * DAY + rng() * (days + 1) * DAY;
    const left = Math.max(1, (end - a.signupAt) / DAY);
    const quota = Math.min(3000, Math.round(lognormal(rng, devMode ? 40 : 15, 1.0) * perAccount));
    add(quota, a.signupAt + 60_000, humanSchedule(a, quota / left, devMode), chatEmit(a, devMode));
  }
  // students: ordinary chat plus study questions in one subject, asked for step-by-step
  // explanations in wordings everyone uses (a small popular pool: the hard case for linking
  // accounts by shared extraction wordings)
  const studyPhrases = [
    'Explain step by step: {q}',
    '{q} Show your work.',
    '{q} Please explain the reasoning step by step.',
    'Walk me through how to solve this: {q}',
    'Can you break this down for me step by step? {q}',
    '{q} Explain each step so I can follow it.',
    'Help me understand the reasoning behind this: {q}',
    '{q} Why? Explain your thinking in detail.',
    ...B.cotSuffixes.map((c) => `{q} ${c}`),
  ];
  const subjects: SweepCapability[] = ['math', 'science', 'coding', 'reasoning'];
  for (let i = 0; i < count(mix.student ?? 0, 0); i++) {
    const a = baseAccount('benign', 'student', residential(), pick(rng, BROWSER_UAS));
    if (rng() < 0.3) a.payment = payId();
    const subject = pick(rng, subjects);
    const share = 0.1 + 0.5 * rng();
    const quota = Math.min(3000, Math.round(lognormal(rng, 40, 1.0) * perAccount));
    const plain = chatEmit(a, false);
    add(quota, start, humanSchedule(a, quota / days, false), (t) => {
      if (rng() >= share) return plain(t);
      const text = fill(rng, pick(rng, studyPhrases), { q: (r) => B.sweepItem(r, subject) });
      record(a, t, text, { out: 700 });
    });
  }
  // classes: one campus NAT, one sign-up session, lab sessions at fixed weekly hours, a homework
  // sheet everyone asks about plus questions of their own, step by step in popular wordings
  for (let c = 0; c < count((mix.classroom ?? 0) / 25, 0); c++) {
    const ai = int(rng, 0, RESIDENTIAL_ASNS.length - 1);
    const campus: Network = {
      asn: RESIDENTIAL_ASNS[ai] ?? 'AS0',
      prefixes: [prefixFor(ai, 9000 + c, 4)],
    };
    const subject = pick(rng, subjects);
    const sheet: string[] = [];
    for (let k = 0; k < int(rng, 10, 40); k++) sheet.push(B.sweepItem(rng, subject));
    const termStart = start - int(rng, 1, 20) * DAY;
    const tz = int(rng, -8, 9);
    // two weekly lab sessions of two hours (local time), from the first day of the window
    const labs = [int(rng, 0, 4), int(rng, 0, 4)].map((d, i) => ({
      day: (d + 2 * i) % 7,
      hour: int(rng, 8, 16),
    }));
    const nextLab = (t: number): number => {
      for (let d = 0; d < 8; d++) {
        const day = Math.floor((t + tz * HOUR) / DAY) + d;
        for (const l of labs) {
          if ((day + 4) % 7 !== l.day) continue; // 1970-01-01 was a Thursday
          const from = day * DAY + l.hour * HOUR - tz * HOUR;
          const at = from + rng() * 2 * HOUR;
          if (at > t) return at;
        }
      }
      return t + DAY;
    };
    // most classes are sections of 15–40; one in five is a large lecture course
    const size = rng() < 0.2 ? int(rng, 100, 250) : int(rng, 15, 40);
    const ids: string[] = [];
    for (let m = 0; m < size; m++) {
      const a = baseAccount('benign', 'classroom-student', campus, pick(rng, BROWSER_UAS));
      a.tz = tz;
      fresh(a, start, termStart + int(rng, 0, 90) * 60_000);
      ids.push(a.id);
      const home = humanSchedule(a, 2, false);
      const quota = Math.min(1000, Math.round(lognormal(rng, 40, 0.8) * perAccount));
      const share = 0.3 + 0.5 * rng();
      const plain = chatEmit(a, false);
      add(
        quota,
        start,
        (t) => (rng() < 0.5 ? nextLab(t) : home(t)),
        (t) => {
          if (rng() >= share) return plain(t);
          const q = rng() < 0.6 ? pick(rng, sheet) : B.sweepItem(rng, subject);
          record(a, t, fill(rng, pick(rng, studyPhrases), { q: () => q }), { out: 700 });
        },
      );
    }
    benignGroup(`benign-class-${c}`, 'classroom', ids);
  }
  // users of third-party apps sharing a frame (bring-your-own-key apps: calls from user devices)
  const nApps = B.appFrames.length;
  for (let i = 0; i < count(mix.appUser, mix.appUser > 0 ? 1 : 0); i++) {
    const frame = B.appFrames[i % nApps] ?? '{q}';
    const a = baseAccount('benign', 'app-user', residential(), pick(rng, BROWSER_UAS));
    const quota = Math.min(2000, Math.round(lognormal(rng, 25, 0.9) * perAccount));
    add(quota, start, humanSchedule(a, quota / days, false), (t) =>
      record(a, t, fill(rng, frame, { q: (r) => (r() < 0.5 ? B.chat(r) : B.dev(r)) }), {
        out: 300,
      }),
    );
  }
  for (let i = 0; i < count(mix.support, mix.support > 0 ? 1 : 0); i++) {
    const company = `${pick(rng, B.companies)} ${i}`;
    const a = baseAccount('benign', 'support-bot', cloud(), pick(rng, SDK_UAS));
    a.payment = payId();
    a.org = `org_${company.replace(/\W+/g, '').toLowerCase()}`;
    const system = B.supportSystem(company);
    const quota = Math.round(lognormal(rng, 4000, 0.7) * perAccount);
    add(quota, start, botSchedule(quota / days), (t) => {
      const multi = rng() < 0.4;
      record(a, t, B.support(rng, company), {
        system,
        turns: multi ? [B.support(rng, company), 'Let me check that for you.'] : [],
        out: 120,
      });
    });
  }
  // enterprise teams: shared NAT, payment and org; one internal tool system prompt for some
  for (let i = 0; i < count(mix.team / 15, mix.team > 0 ? 1 : 0); i++) {
    const ai = int(rng, 0, RESIDENTIAL_ASNS.length - 1);
    const net: Network = {
      asn: RESIDENTIAL_ASNS[ai] ?? 'AS0',
      prefixes: [prefixFor(ai, 5000 + i, 3)],
    };
    const pay = payId();
    const org = `org_team${i}`;
    const size = int(rng, 5, 30);
    const tz = int(rng, -8, 9);
    const internal =
      rng() < 0.5
        ? `Internal assistant for ${pick(rng, B.companies)} engineering. Follow the style guide.`
        : undefined;
    const ids: string[] = [];
    for (let k = 0; k < size; k++) {
      const a = baseAccount('benign', 'team-member', net, pick(rng, SDK_UAS.concat(BROWSER_UAS)));
      a.payment = pay;
      a.org = org;
      a.tz = tz;
      ids.push(a.id);
      const quota = Math.min(3000, Math.round(lognormal(rng, 70, 0.9) * perAccount));
      const dev = rng() < 0.6;
      add(quota, start, humanSchedule(a, quota / days, true), (t) => {
        const text = dev ? B.dev(rng) : B.chat(rng);
        record(a, t, text, internal && rng() < 0.7 ? { system: internal, out: 350 } : { out: 300 });
      });
    }
    benignGroup(`benign-team-${i}`, 'team', ids);
  }
  // benchmark runners: fixed item set, runs on several models, some with CoT suffix
  for (let i = 0; i < count(mix.bench, mix.bench > 0 ? 1 : 0); i++) {
    const a = baseAccount('benign', 'bench-runner', cloud(), pick(rng, SDK_UAS));
    a.payment = payId();
    const items: string[] = [];
    const nItems = Math.round(int(rng, 200, 1000) * Math.min(3, perAccount));
    for (let k = 0; k < nItems; k++) items.push(B.benchItem(rng));
    const suffix = rng() < 0.5 ? ` ${pick(rng, B.cotSuffixes)}` : '';
    const runs = int(rng, 2, 6);
    let k = 0;
    let runStart = start + rng() * DAY * Math.max(1, days - 3);
    let model = 'model-b';
    const interval = 300 + rng() * 2000;
    add(
      nItems * runs,
      start,
      (t) => {
        if (k === 0 && t < runStart) return runStart;
        if (k < nItems) return t + interval * (0.8 + 0.4 * rng());
        // next run: another model, another day; a new release gets a run within days
        k = 0;
        runStart = t + DAY * (0.5 + rng() * 3);
        if (runStart > release && rng() < 0.7) model = 'model-c';
        else model = pick(rng, ['model-a', 'model-b']);
        return runStart;
      },
      (t) => {
        const item = items[k % nItems] ?? '';
        k++;
        record(a, t, item + suffix, { model, out: suffix ? 500 : 20 });
      },
    );
  }
  // research labs running CoT evaluations from several accounts, on the new model at release
  for (let i = 0; i < count(mix.cotLab / 5, mix.cotLab > 0 ? 1 : 0); i++) {
    const ai = int(rng, 0, UNIVERSITY_ASNS.length - 1);
    const net: Network = {
      asn: UNIVERSITY_ASNS[ai] ?? 'AS0',
      prefixes: [prefixFor(ai, 100 + i, 4), prefixFor(ai, 300 + i, 4)],
    };
    const org = `org_lab${i}`;
    const items: string[] = [];
    const nItems = int(rng, 100, 300);
    for (let k = 0; k < nItems; k++) items.push(`${B.benchItem(rng)} ${pick(rng, B.cotSuffixes)}`);
    const size = int(rng, 3, 8);
    const ids: string[] = [];
    for (let m = 0; m < size; m++) {
      const a = baseAccount('benign', 'cot-lab', net, pick(rng, SDK_UAS));
      a.org = org;
      if (rng() < 0.5) a.payment = payId();
      ids.push(a.id);
      let k = 0;
      const runs = int(rng, 2, 5);
      let model = pick(rng, ['model-a', 'model-b']);
      let runStart = start + rng() * DAY * Math.max(1, days / 2);
      let releaseRunDone = false;
      add(
        nItems * runs,
        start,
        (t) => {
          if (k === 0 && t < runStart) return runStart;
          if (k < nItems) return t + 500 + rng() * 1500;
          k = 0;
          if (!releaseRunDone && t < release) {
            releaseRunDone = true;
            model = 'model-c';
            runStart = release + rng() * 12 * HOUR;
          } else {
            model = pick(rng, ['model-a', 'model-b', 'model-c']);
            runStart = t + DAY * (1 + rng() * 3);
            if (model === 'model-c' && runStart < release) model = 'model-b';
          }
          return runStart;
        },
        (t) => {
          const item = items[k % nItems] ?? '';
          k++;
          record(a, t, item, { model, out: 600 });
        },
      );
    }
    benignGroup(`benign-lab-${i}`, 'cot-lab', ids);
  }
  // licensed synthetic-data jobs: verified org, long-standing, dedicated range, CoT templates
  for (let i = 0; i < count(mix.licensed, mix.licensed > 0 ? 1 : 0); i++) {
    const ai = int(rng, 0, CLOUD_ASNS.length - 1);
    const net: Network = { asn: CLOUD_ASNS[ai] ?? 'AS0', prefixes: [prefixFor(ai, 900 + i, 5)] };
    const a = baseAccount('benign', 'licensed-synthetic', net, pick(rng, SDK_UAS));
    a.payment = payId();
    a.org = `org_licensed${i}`;
    a.signupAt = start - int(rng, 200, 900) * DAY;
    const tpl = B.licensedTemplates;
    const caps: SweepCapability[] = ['math', 'science', 'coding', 'reasoning'];
    const quota = Math.round(lognormal(rng, 12000, 0.5) * perAccount);
    add(quota, start + rng() * DAY, botSchedule(quota / days), (t) =>
      record(a, t, fill(rng, pick(rng, tpl), { topic: (r) => B.sweepItem(r, pick(r, caps)) }), {
        out: 900,
      }),
    );
  }

  // ------------------------------------------------------------ attacks
  const benignRecordsEstimate = accounts.reduce((s, a) => s + (a.label === 'benign' ? 1 : 0), 0);
  void benignRecordsEstimate;
  let campaignNo = 0;
  const elicitedText =
    (
      kinds: readonly ('cot' | 'rubric' | 'tool' | 'rewrite' | 'agentic')[],
      cap: SweepCapability,
      templates: string[],
    ) =>
    (r: Rng): { text: string; out: number; tools: number } => {
      const tpl = pick(r, templates);
      const kind = kinds.find((k) => B.extraction[k].includes(tpl)) ?? 'cot';
      const text = fill(r, tpl, {
        item: (rr) => B.sweepItem(rr, cap),
        resp: (rr) => fakeResponse(rr),
      });
      return {
        text,
        out: kind === 'rubric' ? 300 : 1400,
        tools: kind === 'tool' && r() < 0.5 ? int(r, 3, 12) : 0,
      };
    };
  const campaignTemplates = (
    kinds: readonly ('cot' | 'rubric' | 'tool' | 'rewrite' | 'agentic')[],
  ): string[] => {
    const out: string[] = [];
    for (const k of kinds) {
      const list = B.extraction[k];
      out.push(pick(rng, list));
      if (rng() < 0.5) out.push(pick(rng, list));
    }
    return [...new Set(out)];
  };
  const kindsFor = (cap: SweepCapability): ('cot' | 'rubric' | 'tool' | 'rewrite' | 'agentic')[] =>
    cap === 'agentic'
      ? ['tool', 'agentic']
      : cap === 'politics'
        ? ['rewrite', 'cot']
        : cap === 'coding'
          ? ['agentic', 'cot']
          : rng() < 0.5
            ? ['cot', 'rubric']
            : ['cot'];
  const registerCampaign = (
    id: string,
    kind: string,
    members: Account[],
    mixing?: number,
  ): void => {
    const c: TruthCampaign = {
      id,
      kind,
      label: 'attack',
      accounts: members.map((m) => m.id),
      records: 0,
      extractionRecords: 0,
    };
    if (mixing !== undefined) c.mixing = mixing;
    campaigns.push(c);
  };
  // a driver that spreads extraction requests round-robin over members during job sessions
  const driver = (
    members: Account[],
    quota: number,
    gen: (r: Rng) => { text: string; out: number; tools: number },
    sync: boolean,
  ): void => {
    let rr = 0;
    let sessionEnd = 0;
    const perDay = quota / days;
    const sessionHours = sync ? 6 : 24;
    const rate = perDay / (sessionHours / 24) / DAY; // per ms inside sessions
    add(
      quota,
      start + rng() * 6 * HOUR,
      (t) => {
        let x = t + expo(rng, 1 / rate);
        if (sync && x > sessionEnd) {
          const dayStart = Math.floor(x / DAY) * DAY;
          const s = dayStart + int(rng, 0, 18) * HOUR;
          const st = s < x ? x : s;
          sessionEnd = st + sessionHours * HOUR;
          x = st;
        }
        return x;
      },
      (t) => {
        const a = members[rr % members.length];
        rr++;
        if (!a) return;
        const g = gen(rng);
        record(a, t, g.text, { out: g.out, tools: g.tools, extraction: true });
      },
    );
  };
  const caps: SweepCapability[] = ['math', 'coding', 'science', 'agentic', 'politics', 'reasoning'];
  const nSweeps = attack.sweeps > 0 ? Math.max(1, Math.round(attack.sweeps * Math.sqrt(scale))) : 0;
  const nHydras = attack.hydras > 0 ? Math.max(1, Math.round(attack.hydras * Math.sqrt(scale))) : 0;
  const nPivots = attack.pivots > 0 ? Math.max(1, Math.round(attack.pivots * Math.sqrt(scale))) : 0;
  const nAdaptive =
    attack.adaptive > 0 ? Math.max(1, Math.round(attack.adaptive * Math.sqrt(scale))) : 0;
  const accScale = Math.max(0.25, Math.sqrt(scale));
  const hostingNet = (size: number): Network => {
    const ai = int(rng, 0, HOSTING_ASNS.length - 1);
    const prefixes: string[] = [];
    for (let k = 0; k < size; k++) prefixes.push(prefixFor(ai, int(rng, 0, 60000), 6));
    return { asn: HOSTING_ASNS[ai] ?? 'AS0', prefixes };
  };

  // template sweeps: a few fresh accounts, shared payment, VPS ranges
  for (let c = 0; c < nSweeps; c++) {
    const id = `campaign-${++campaignNo}-sweep`;
    const cap = caps[c % caps.length] ?? 'math';
    const kinds = kindsFor(cap);
    const size = int(rng, 2, 12);
    const pool = hostingNet(int(rng, 1, 3));
    const pay = rng() < 0.7 ? payId() : undefined;
    const ua = pick(rng, ['python-requests/2.31.0', 'aiohttp/3.9.5', 'sweeper/0.3']);
    const burst = start - int(rng, 0, 3) * DAY - farmClock();
    const members: Account[] = [];
    for (let m = 0; m < size; m++) {
      const a = baseAccount(
        'attack',
        'attack-sweep',
        { asn: pool.asn, prefixes: [pick(rng, pool.prefixes)] },
        ua,
      );
      a.campaign = id;
      a.payment = pay ?? payId();
      a.adopt = 0.3;
      fresh(a, start, burst);
      members.push(a);
    }
    const quota = Math.round(int(rng, 4000, 12000) * scale * perAccount);
    driver(members, quota, elicitedText(kinds, cap, campaignTemplates(kinds)), rng() < 0.5);
    registerCampaign(id, 'sweep', members);
  }
  // hydra clusters behind reseller proxies mixing extraction into resold benign traffic
  for (let c = 0; c < nHydras; c++) {
    const id = `campaign-${++campaignNo}-hydra`;
    const mixing = attack.mixing[c % attack.mixing.length] ?? 0.05;
    const cap = caps[(c + 2) % caps.length] ?? 'math';
    const kinds = kindsFor(cap);
    const size = Math.round(int(rng, attack.hydraAccounts[0], attack.hydraAccounts[1]) * accScale);
    const pool = hostingNet(int(rng, 4, 16));
    const ua = pick(rng, ['relay-gateway/2.1', 'openai-python/1.40.0', 'oneapi/0.6']);
    const members: Account[] = [];
    let benignQuota = 0;
    const clock = farmClock();
    const gateway =
      rng() < attack.gatewayPrompt
        ? `You are a helpful assistant served by ${pick(rng, ['RelayHub', 'OneAPI Pro', 'GPT-Bridge', 'TokenMart'])} (node ${int(rng, 1, 99)}).`
        : undefined;
    for (let m = 0; m < size; m++) {
      const prefs = [pick(rng, pool.prefixes), pick(rng, pool.prefixes)];
      const a = baseAccount('attack', 'attack-hydra', { asn: pool.asn, prefixes: prefs }, ua);
      a.campaign = id;
      if (gateway !== undefined) a.gateway = gateway;
      a.mixing = mixing;
      a.payment = rng() < 0.5 ? `pay_hydra${c}_${m % int(rng, 5, 20)}` : payId();
      const burst = start - int(rng, 1, 30) * DAY - clock;
      fresh(a, start, burst - (m % 7) * HOUR);
      members.push(a);
      const quota = Math.max(3, Math.round(lognormal(rng, 150, 0.6) * perAccount));
      benignQuota += quota;
      // resold benign traffic from the reseller's customers: worldwide, around the clock
      add(quota, start, botSchedule(quota / days), chatEmit(a, rng() < 0.4));
    }
    const eq = Math.round((benignQuota * mixing) / (1 - mixing));
    driver(members, eq, elicitedText(kinds, cap, campaignTemplates(kinds)), true);
    registerCampaign(id, 'hydra', members, mixing);
    // the reseller's legitimate customers with their own accounts behind the same proxy: same
    // ranges and gateway agent, ordinary chat and code traffic, sign-ups spread over years
    const customers: string[] = [];
    for (let m = 0; m < Math.round(size * attack.proxyCustomers); m++) {
      const prefs = [pick(rng, pool.prefixes), pick(rng, pool.prefixes)];
      const a = baseAccount('benign', 'proxy-customer', { asn: pool.asn, prefixes: prefs }, ua);
      if (gateway !== undefined) a.gateway = gateway;
      if (rng() < 0.5) a.payment = payId();
      customers.push(a.id);
      const quota = Math.min(3000, Math.round(lognormal(rng, 40, 0.9) * perAccount));
      add(quota, start, humanSchedule(a, quota / days, rng() < 0.5), chatEmit(a, rng() < 0.4));
    }
    if (customers.length > 0) benignGroup(`benign-proxy-${c}`, 'proxy-customers', customers);
  }
  // release pivots: campaign moves half its traffic to the new model within hours
  for (let c = 0; c < nPivots; c++) {
    const id = `campaign-${++campaignNo}-pivot`;
    const cap = caps[(c + 4) % caps.length] ?? 'coding';
    const kinds = kindsFor(cap);
    const size = Math.round(int(rng, 5, 40) * accScale);
    const pool = hostingNet(int(rng, 2, 6));
    const ua = pick(rng, SDK_UAS);
    const pay = payId();
    const members: Account[] = [];
    let benignQuota = 0;
    const mixing = 0.3;
    const clock = farmClock();
    for (let m = 0; m < size; m++) {
      const a = baseAccount(
        'attack',
        'attack-pivot',
        { asn: pool.asn, prefixes: [pick(rng, pool.prefixes)] },
        ua,
      );
      a.campaign = id;
      a.mixing = mixing;
      a.adopt = 0.55;
      a.payment = m % 4 === 0 ? pay : payId();
      fresh(a, start, start - int(rng, 2, 40) * DAY - clock);
      members.push(a);
      const quota = Math.max(3, Math.round(lognormal(rng, 200, 0.5) * perAccount));
      benignQuota += quota;
      add(quota, start, botSchedule(quota / days), chatEmit(a, true));
    }
    driver(
      members,
      Math.round((benignQuota * mixing) / (1 - mixing)),
      elicitedText(kinds, cap, campaignTemplates(kinds)),
      true,
    );
    registerCampaign(id, 'pivot', members, mixing);
  }
  // adaptive: paraphrase, jitter, residential ranges, aged accounts, unique payments, cover traffic
  for (let c = 0; c < nAdaptive; c++) {
    const id = `campaign-${++campaignNo}-adaptive`;
    const mixing = Math.max(0.05, attack.mixing[(c + 1) % attack.mixing.length] ?? 0.1);
    const cap = caps[(c + 1) % caps.length] ?? 'reasoning';
    const size = Math.round(int(rng, 10, 60) * accScale);
    const members: Account[] = [];
    for (let m = 0; m < size; m++) {
      const a = baseAccount(
        'attack',
        'attack-adaptive',
        residential(),
        pick(rng, BROWSER_UAS.concat(SDK_UAS)),
      );
      a.campaign = id;
      a.mixing = mixing;
      a.payment = payId();
      a.signupAt = start - int(rng, 20, 400) * DAY;
      members.push(a);
      const quota = Math.max(3, Math.round(lognormal(rng, 120, 0.6) * perAccount));
      const eq = Math.round((quota * mixing) / (1 - mixing));
      add(quota, start, humanSchedule(a, quota / days, false), chatEmit(a, false));
      add(eq, start, humanSchedule(a, eq / days, false), (t) => {
        let text = fill(rng, pick(rng, B.paraphrases), { item: (r) => B.sweepItem(r, cap) });
        if (rng() < 0.5) text = `${pick(rng, B.fillers)} ${text}`;
        if (rng() < 0.5) text = `${text} ${pick(rng, B.fillers)}`;
        const turns = rng() < 0.3 ? [B.chat(rng), 'Happy to help.'] : [];
        record(a, t, text, { turns, out: 1200, extraction: true });
      });
    }
    registerCampaign(id, 'adaptive', members, mixing);
  }

  // ------------------------------------------------------------ run
  while (heap.size > 0 && written < N) {
    const act = heap.pop();
    if (!act) break;
    if (act.t >= end) continue;
    act.emit(act.t);
    act.quota--;
    if (act.quota > 0) {
      act.t = act.next(act.t);
      heap.push(act);
    }
    await flushIfBig();
  }
  if (buf.length > 0) await sink(buf);

  const byId = new Map(accounts.map((a) => [a.id, a]));
  for (const c of campaigns) {
    c.records = c.accounts.reduce((s, id) => s + (byId.get(id)?.records ?? 0), 0);
    c.extractionRecords = c.accounts.reduce((s, id) => s + (byId.get(id)?.extraction ?? 0), 0);
    c.accounts = c.accounts.filter((id) => (byId.get(id)?.records ?? 0) > 0);
  }
  const truthAccounts: TruthAccount[] = accounts
    .filter((a) => a.records > 0)
    .map((a) => {
      const t: TruthAccount = {
        account: a.id,
        label: a.label,
        persona: a.persona,
        records: a.records,
        extractionRecords: a.extraction,
      };
      if (a.campaign !== undefined) t.campaign = a.campaign;
      if (a.mixing !== undefined) t.mixing = a.mixing;
      return t;
    });
  return {
    generator: 'model-customs simulate-traffic',
    seed: opts.seed,
    records: written,
    bank: B.name,
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    releases: [{ model: 'model-c', at: new Date(release).toISOString() }],
    malformedLines,
    accounts: truthAccounts,
    campaigns: campaigns.filter((c) => c.accounts.length > 0),
  };
}
