import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createState, emptyFeatures, featurize, observe } from '../../src/monitor/index.js';
import {
  BALANCE_MIN_REQUESTS,
  balancedMembers,
  cappedOrShort,
  loadBalanced,
  LOCKSTEP_DISPERSION,
  lockstepDispersion,
  MIN_BALANCED,
} from '../../src/monitor/balance.js';
import { attributeMembers, campaignTier, type TierInput } from '../../src/monitor/campaign.js';
import { mulberry32 } from '../../src/monitor/hash.js';
import type { AccountState } from '../../src/monitor/state.js';
import { trafficRecord } from '../helpers/traffic.js';

const DAY = 86_400_000;

/** A Poisson draw (Knuth's product of uniforms, in chunks of 500 to stay above underflow). */
function poisson(rng: () => number, lambda: number): number {
  let n = 0;
  for (let left = lambda; left > 0; left -= 500) {
    const l = Math.exp(-Math.min(500, left));
    let p = 1;
    for (;;) {
      p *= rng();
      if (p <= l) break;
      n++;
    }
  }
  return n;
}

/** Accounts whose day d sends `perDay[a][d]` requests (new prompts, ten minutes apart). */
function accountsByDay(perDay: readonly (readonly number[])[]): AccountState[] {
  const state = createState();
  const feats = emptyFeatures();
  const t0 = Date.UTC(2026, 5, 1);
  perDay.forEach((days, a) => {
    days.forEach((count, d) => {
      for (let k = 0; k < count; k++) {
        const r = trafficRecord(`question ${a} ${d} ${k} about rivers and stones?`, {
          account: `b${String(a).padStart(3, '0')}`,
          ts: t0 + d * DAY + k * 60_000 + a * 1000,
        });
        observe(state, r, featurize(r, feats));
      }
    });
  });
  return [...state.accounts.values()].sort((x, y) => (x.id < y.id ? -1 : 1));
}

test('load balancing: counts split evenly over accounts are found, and only those', () => {
  // eight accounts within ±2 of 2,000 requests (Poisson noise alone would spread them ±45), four
  // ordinary ones far from them and from each other
  const even = [2000, 2002, 1998, 2001, 1999, 2000, 2001, 1999];
  const others = [310, 640, 2200, 4100];
  const set = loadBalanced([...even, ...others].map((n, i) => ({ i, n })));
  assert.ok(set !== null);
  assert.deepEqual(
    [...set.members].sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7],
  );
  assert.equal(set.lo, 1998);
  assert.equal(set.hi, 2002);
  assert.equal(set.candidates, 12);
  assert.ok(set.dispersion < 0.01, `dispersion ${set.dispersion}`);
  assert.ok(set.logP / Math.LN10 < -4, `log10 p ${set.logP / Math.LN10}`);
  // the same counts spread as independent Poisson accounts of one rate are: nothing found
  const rng = mulberry32(3);
  const spread = Array.from({ length: 10 }, (_, i) => ({ i, n: poisson(rng, 1000) }));
  const none = loadBalanced(spread);
  assert.ok(none === null || none.logP > Math.log(0.01), `log p ${none?.logP}`);
  // identical counts are not given probability zero (the lattice correction)
  const same = loadBalanced(Array.from({ length: 4 }, (_, i) => ({ i, n: 500 })));
  assert.ok(same !== null && Number.isFinite(same.logP) && same.logP < 0);
  // too few or too many candidates: not tested
  assert.equal(
    loadBalanced(Array.from({ length: MIN_BALANCED - 1 }, (_, i) => ({ i, n: 100 }))),
    null,
  );
});

test('load balancing: under independent Poisson accounts the bound holds its level', () => {
  // the hardest null: every account has the same rate, so only Poisson noise separates them.
  // 2,000 groups of 8; at level 0.01 at most 1% may be found (the union bound makes it far
  // fewer), and at level 0.2 at most 20%
  const rng = mulberry32(17);
  let at01 = 0;
  let at20 = 0;
  const trials = 2000;
  for (let t = 0; t < trials; t++) {
    const lambda = 60 + Math.floor(rng() * 900);
    const set = loadBalanced(Array.from({ length: 8 }, (_, i) => ({ i, n: poisson(rng, lambda) })));
    if (set !== null && set.logP <= Math.log(0.01)) at01++;
    if (set !== null && set.logP <= Math.log(0.2)) at20++;
  }
  assert.ok(at01 <= 0.01 * trials, `${at01} of ${trials} at 0.01`);
  assert.ok(at20 <= 0.2 * trials, `${at20} of ${trials} at 0.2`);
  // and the test has power where the counts are far tighter than Poisson: a load balancer
  // splitting ~800 requests a day evenly, accounts within ±2 of each other
  let found = 0;
  for (let t = 0; t < 200; t++) {
    const base = 500 + Math.floor(rng() * 1000);
    const set = loadBalanced(
      Array.from({ length: 8 }, (_, i) => ({ i, n: base + Math.floor(rng() * 5) - 2 })),
    );
    if (set !== null && set.logP <= Math.log(0.01)) found++;
  }
  assert.ok(found >= 190, `${found} of 200 load-balanced groups found`);
});

test('load balancing: accounts at a daily limit, and accounts of too few days, are not candidates', () => {
  const rng = mulberry32(9);
  const days = 12;
  // a client at a limit of 80 a day sends 80 nearly every day
  const capped = Array.from({ length: days }, (_, d) => (d === 4 ? 61 : 80));
  // a Poisson client of the same volume
  const poissonDays = Array.from({ length: days }, () => poisson(rng, 80));
  // busy, but on two days only
  const short = [400, 380];
  const [a, b, c] = accountsByDay([capped, poissonDays, short]);
  assert.ok(a && b && c);
  assert.equal(cappedOrShort(a), true);
  assert.equal(cappedOrShort(b), false);
  assert.equal(cappedOrShort(c), true);
  // four independent users at the same daily limit have equal totals: not load-balanced,
  // because none of them is a candidate; four Poisson accounts split evenly are
  const limited = accountsByDay(
    Array.from({ length: 4 }, () => Array.from({ length: days }, () => 80)),
  );
  const all = limited.map((_, i) => i);
  assert.equal(balancedMembers(limited, all, Math.log(0.01)), null);
  const split = Array.from({ length: days }, () => poisson(rng, 320));
  const shares = accountsByDay(
    Array.from({ length: 4 }, (_, k) =>
      split.map((total, d) => Math.floor(total / 4) + (d % 4 === k && total % 4 > 0 ? 1 : 0)),
    ),
  );
  const found = balancedMembers(
    shares,
    shares.map((_, i) => i),
    Math.log(0.01),
  );
  assert.ok(found !== null && found.members.length === 4, JSON.stringify(found));
  // equal totals from independent schedules: four accounts of exactly 300 requests each, every
  // request on a random day (people who each did one fixed assignment in their own time). The
  // totals are as even as a balancer's, the days are not: not load-balanced
  const own = accountsByDay(
    Array.from({ length: 4 }, () => {
      const perDay = Array.from({ length: days }, () => 0);
      for (let k = 0; k < 300; k++) {
        const d = Math.floor(rng() * days);
        perDay[d] = (perDay[d] ?? 0) + 1;
      }
      return perDay;
    }),
  );
  const totals = loadBalanced(own.map((a, i) => ({ i, n: a.n })));
  assert.ok(totals !== null && totals.logP < Math.log(1e-3), 'the totals alone look balanced');
  assert.ok(lockstepDispersion(own, [0, 1, 2, 3]) > LOCKSTEP_DISPERSION);
  assert.equal(balancedMembers(own, [0, 1, 2, 3], Math.log(0.01)), null);
  assert.ok(found.lockstep !== undefined && found.lockstep <= LOCKSTEP_DISPERSION);
  // light accounts are never candidates
  const light = accountsByDay(
    Array.from({ length: 5 }, () =>
      Array.from({ length: 5 }, (_, d) => (d < 4 ? Math.floor((BALANCE_MIN_REQUESTS - 1) / 4) : 1)),
    ),
  );
  assert.equal(balancedMembers(light, [0, 1, 2, 3, 4], 0), null);
});

test('load balancing lifts the wording-only cap for the balanced members only', () => {
  const rng = mulberry32(23);
  const days = 10;
  const split = Array.from({ length: days }, () => poisson(rng, 400));
  // five accounts splitting one job evenly, three wording-linked accounts of their own volumes
  const perDay = [
    ...Array.from({ length: 5 }, (_, k) =>
      split.map((total, d) => Math.floor(total / 5) + (d % 5 === k && total % 5 > 0 ? 1 : 0)),
    ),
    ...[30, 55, 140].map((rate) => Array.from({ length: days }, () => poisson(rng, rate))),
  ];
  const accs = accountsByDay(perDay);
  const idx = accs.map((_, i) => i);
  const balanced = balancedMembers(accs, idx, Math.log(0.01));
  assert.ok(balanced !== null);
  assert.deepEqual(
    [...balanced.members].sort((a, b) => a - b),
    [0, 1, 2, 3, 4],
  );
  const input = (b: typeof balanced | null): TierInput => ({
    accs,
    cohort: accs.map(() => 0),
    controlPool: [],
    candidate: { root: 0, members: idx, scored: idx, ps: new Map(), log10P: -12, logE: 0 },
    memberAccs: accs,
    flagged: true,
    links: [{ kinds: 'extraction-wording' }],
    linkSummary: [{ kinds: 'extraction-wording', groups: 7, log10P: -30 }],
    medianPercentile: 0.9,
    requests: accs.reduce((s, a) => s + a.n, 0),
    elicit: 0,
    minCampaignRequests: 1000,
    licenceList: false,
    balanced: b,
  });
  // without the set: wording alone, capped at watch
  const capped = campaignTier(input(null));
  assert.equal(capped.tier, 'watch');
  assert.ok(capped.wordingOnly);
  assert.ok(capped.reasons.some((r) => r.code === 'wording-only'));
  // with it: the campaign keeps its tier, and says why
  const lifted = campaignTier(input(balanced));
  assert.equal(lifted.tier, 'throttle');
  assert.ok(!lifted.reasons.some((r) => r.code === 'wording-only'));
  assert.ok(lifted.reasons.some((r) => r.code === 'load-balanced' && r.value === 5));
  // every member is at an end of a wording link (attributed by it), but only the balanced
  // ones are accused; the others are peripheral
  const ps = new Map(idx.map((i) => [i, 0.001] as const));
  const m = attributeMembers(
    {
      accs,
      eligible: accs.map(() => true),
      op: { parent: new Int32Array(accs.length), find: (i: number) => i, union: () => undefined },
      attributedOf: () => new Set(idx),
      fdr: 0.01,
      licenceList: false,
      medianAccount: 10,
    },
    { root: 0, members: idx, scored: idx, ps, log10P: -12, logE: 20 },
    'c-test',
    lifted.tier,
    true,
    accs,
    balanced,
    true,
  );
  assert.deepEqual(
    m.members.map((x) => x.i).sort((a, b) => a - b),
    [0, 1, 2, 3, 4],
  );
  assert.ok(m.members.every((x) => x.tier === 'throttle'));
  // the balanced accounts are one operator
  assert.equal(m.operators.length, 1);
  assert.equal(m.operators[0]?.attributed, 5);
});
