import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createState, emptyFeatures, featurize, observe } from '../../src/monitor/index.js';
import {
  BALANCE_MIN_REQUESTS,
  balancedMembers,
  cappedOrShort,
  dailyCounts,
  dailyLevelness,
  loadBalanced,
  LOCKSTEP_DISPERSION,
  MIN_BALANCED,
  MIN_DAY_MEAN,
  type BalanceCandidate,
} from '../../src/monitor/balance.js';
import { attributeMembers, campaignTier, type TierInput } from '../../src/monitor/campaign.js';
import { mulberry32 } from '../../src/monitor/hash.js';
import type { AccountState } from '../../src/monitor/state.js';
import type { TrafficRecord } from '../../src/monitor/record.js';
import { trafficRecord } from '../helpers/traffic.js';
import { attributionContext, candidateOf, tierInput } from '../helpers/campaign.js';

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
function accountsByDay(
  perDay: readonly (readonly number[])[],
  extra: (a: number) => Partial<TrafficRecord> = () => ({}),
): AccountState[] {
  const state = createState();
  const feats = emptyFeatures();
  const t0 = Date.UTC(2026, 5, 1);
  perDay.forEach((days, a) => {
    days.forEach((count, d) => {
      for (let k = 0; k < count; k++) {
        const r = trafficRecord(`question ${a} ${d} ${k} about rivers and stones?`, {
          account: `b${String(a).padStart(3, '0')}`,
          ts: t0 + d * DAY + k * 60_000 + a * 1000,
          ...extra(a),
        });
        observe(state, r, featurize(r, feats));
      }
    });
  });
  return [...state.accounts.values()].sort((x, y) => (x.id < y.id ? -1 : 1));
}

/** Candidates from per-day counts (day index = position). */
function candidates(perDay: readonly (readonly number[])[]): BalanceCandidate[] {
  return perDay.map((days, i) => ({
    i,
    n: days.reduce((s, c) => s + c, 0),
    days: new Map(days.map((c, d) => [d, c] as const).filter(([, c]) => c > 0)),
  }));
}

/** `k` accounts dealt one job in turn: each day's Poisson total split as evenly as integers allow. */
function dealt(rng: () => number, k: number, days: number, perAccount: number): number[][] {
  const totals = Array.from({ length: days }, () => poisson(rng, k * perAccount));
  return Array.from({ length: k }, (_, j) =>
    totals.map((t, d) => Math.floor(t / k) + ((j + d) % k < t % k ? 1 : 0)),
  );
}

/** `k` independent Poisson accounts of one daily rate (the hardest null). */
function independent(rng: () => number, k: number, days: number, rate: number): number[][] {
  return Array.from({ length: k }, () => Array.from({ length: days }, () => poisson(rng, rate)));
}

test('load balancing: accounts dealt one job in turn are found, and only those', () => {
  const rng = mulberry32(5);
  // eight accounts kept level by a dispatcher (about 60 a day each), four independent ones
  const perDay = [
    ...dealt(rng, 8, 14, 60),
    ...[20, 60, 61, 150].map((r) => independent(rng, 1, 14, r)[0] ?? []),
  ];
  const set = loadBalanced(candidates(perDay));
  assert.ok(set !== null);
  assert.deepEqual(
    [...set.members].sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7],
  );
  assert.equal(set.candidates, 12);
  assert.equal(set.days, 14);
  assert.ok(set.dispersion < 0.1, `dispersion ${set.dispersion}`);
  assert.ok(set.logP / Math.LN10 < -20, `log10 p ${set.logP / Math.LN10}`);
  // identical days are not given probability zero (the lattice correction)
  const same = loadBalanced(
    candidates(Array.from({ length: 4 }, () => Array.from({ length: 10 }, () => 30))),
  );
  assert.ok(same !== null && Number.isFinite(same.logP) && same.logP < 0);
  // too few candidates: not tested
  assert.equal(loadBalanced(candidates(dealt(rng, MIN_BALANCED - 1, 10, 50))), null);
  // equal totals from independent schedules: four accounts of exactly 300 requests each, every
  // request on a random day (people who each did one fixed assignment in their own time): as
  // even as a dispatcher's in total, not day by day
  const own = Array.from({ length: 4 }, () => {
    const row = Array.from({ length: 12 }, () => 0);
    for (let k = 0; k < 300; k++) {
      const d = Math.floor(rng() * 12);
      row[d] = (row[d] ?? 0) + 1;
    }
    return row;
  });
  assert.equal(loadBalanced(candidates(own)), null);
  const t = dailyLevelness(candidates(own));
  assert.ok(t.dispersion > LOCKSTEP_DISPERSION, `dispersion ${t.dispersion}`);
});

test('load balancing: under independent Poisson accounts the daily bound holds its level', () => {
  // one fixed set of k accounts, no selection: the lower-tail bound of the day-by-day test (with
  // its lattice correction and per-day margin) must not fire more often than its level under the
  // hardest null, every account with the same daily rate, at the smallest daily mean it reads
  const rng = mulberry32(17);
  const trials = 4000;
  for (const alpha of [0.05, 0.2]) {
    let fired = 0;
    for (let t = 0; t < trials; t++) {
      const k = 3 + (t % 4);
      const rate = MIN_DAY_MEAN + (t % 3) * 15;
      const r = dailyLevelness(candidates(independent(rng, k, 3 + (t % 5), rate)));
      if (r.logTail <= Math.log(alpha)) fired++;
    }
    assert.ok(fired <= alpha * trials, `${fired} of ${trials} at ${alpha}`);
  }
  // the whole test (union over subsets, sizes, level condition) on groups of eight
  let found = 0;
  for (let t = 0; t < 1000; t++) {
    const set = loadBalanced(candidates(independent(rng, 8, 10, 10 + (t % 50))));
    if (set !== null && set.logP <= Math.log(0.2)) found++;
  }
  assert.ok(found <= 0.2 * 1000, `${found} of 1000 independent groups at 0.2`);
  // power: dispatcher sets of three to eight accounts at 15-100 requests a day over a week
  let hits = 0;
  for (let t = 0; t < 200; t++) {
    const set = loadBalanced(candidates(dealt(rng, 3 + (t % 6), 7, 15 + (t % 86))));
    if (set !== null && set.logP <= Math.log(0.01)) hits++;
  }
  assert.ok(hits >= 190, `${hits} of 200 dispatcher sets found`);
});

test('load balancing: accounts at a daily limit, and accounts of too few days, are not candidates', () => {
  const rng = mulberry32(9);
  const days = 12;
  const byDay = (row: readonly number[]): Map<number, number> =>
    new Map(row.map((c, d) => [d, c] as const).filter(([, c]) => c > 0));
  // a client at a limit of 80 a day sends 80 nearly every day
  assert.equal(
    cappedOrShort(byDay(Array.from({ length: days }, (_, d) => (d === 4 ? 61 : 80)))),
    true,
  );
  // a Poisson client of the same volume
  assert.equal(cappedOrShort(byDay(independent(rng, 1, days, 80)[0] ?? [])), false);
  // busy, but on two days only
  assert.equal(cappedOrShort(byDay([400, 380])), true);
  // three full days (five active), the largest reached once: judged, not capped
  assert.equal(cappedOrShort(byDay([50, 47, 52, 55, 49])), false);
  // ... reached twice of three: capped
  assert.equal(cappedOrShort(byDay([50, 55, 52, 55, 49])), true);
  // four independent users at the same daily limit are level without coordination: none of
  // them is a candidate; four accounts dealt one job are found (read from the log's state)
  const limited = accountsByDay(
    Array.from({ length: 4 }, () => Array.from({ length: days }, () => 80)),
  );
  assert.equal(balancedMembers(limited, [0, 1, 2, 3], Math.log(0.01)), null);
  const shares = accountsByDay(dealt(rng, 4, days, 80));
  const first = shares[0];
  assert.ok(first !== undefined && dailyCounts(first).size === days);
  const found = balancedMembers(shares, [0, 1, 2, 3], Math.log(0.01));
  assert.ok(found !== null && found.members.length === 4, JSON.stringify(found));
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
  const input = (b: typeof balanced | null): TierInput =>
    tierInput(accs, {
      links: [{ kinds: 'extraction-wording' }],
      linkSummary: [{ kinds: 'extraction-wording', groups: 7, log10P: -30 }],
      balanced: b,
    });
  // without the set: wording alone, capped at watch
  const capped = campaignTier(input(null));
  assert.equal(capped.tier, 'watch');
  assert.equal(capped.linkOnly, 'wording-only');
  assert.ok(capped.reasons.some((r) => r.code === 'wording-only'));
  // with it: the campaign keeps its tier, and says why
  const lifted = campaignTier(input(balanced));
  assert.equal(lifted.tier, 'throttle');
  assert.ok(!lifted.reasons.some((r) => r.code === 'wording-only'));
  assert.ok(lifted.reasons.some((r) => r.code === 'load-balanced' && r.value === 5));
  // a network and a sign-up hour alone are capped the same way, and lifted the same way
  const venue = (b: typeof balanced | null): ReturnType<typeof campaignTier> =>
    campaignTier(
      tierInput(accs, {
        links: [{ kinds: 'infrastructure+signup' }],
        linkSummary: [{ kinds: 'infrastructure+signup', groups: 3, log10P: -30 }],
        balanced: b,
      }),
    );
  // (the campaign is not capped: the link only stops attributing; a sign-up link is a control
  // attribute, so the campaign test alone would block)
  assert.equal(venue(null).tier, 'block');
  assert.equal(venue(null).linkOnly, 'place-and-time-only');
  const venueLifted = venue(balanced);
  assert.equal(venueLifted.tier, 'block');
  assert.ok(!venueLifted.reasons.some((r) => r.code === 'place-and-time-only'));
  assert.equal(venueLifted.linkOnly, 'place-and-time-only');
  // only the balanced set is accused, and on its own members: five at p = 0.01 verify only
  // (account 5, outside the set, is ordinary for its cohort: p = 0.5)
  const venueCandidate = candidateOf(accs, 0.01, -12, 20);
  (venueCandidate.ps as Map<number, number>).set(5, 0.5);
  const crowd = attributeMembers(
    attributionContext(accs, (i) => i),
    venueCandidate,
    'c-venue',
    venueLifted.tier,
    true,
    accs,
    balanced,
    venueLifted.linkOnly,
  );
  assert.equal(crowd.tier, 'verify');
  assert.deepEqual(
    crowd.members.map((x) => x.i).sort((a, b) => a - b),
    [0, 1, 2, 3, 4],
  );
  assert.ok(crowd.members.every((x) => x.tier === 'verify'));
  assert.ok(!crowd.reasons.some((r) => r.code === 'place-and-time-only'));
  // every member is at an end of a wording link (attributed by it), but only the balanced
  // ones are accused; the others are peripheral. Members' p-values against their cohorts: `p`
  // for everyone
  const attribute = (p: number): ReturnType<typeof attributeMembers> =>
    attributeMembers(
      // account 5 shares an operator with account 0 (say a range and a template)
      attributionContext(accs, (i) => (i === 5 ? 0 : i)),
      candidateOf(accs, p, -12, 20),
      'c-test',
      lifted.tier,
      true,
      accs,
      balanced,
      'wording-only',
    );
  const m = attribute(0.001);
  assert.deepEqual(
    m.members.map((x) => x.i).sort((a, b) => a - b),
    [0, 1, 2, 3, 4],
  );
  assert.ok(m.members.every((x) => x.tier === 'throttle'));
  // the balanced accounts are one operator, without account 0's operator-mate
  assert.equal(m.operators.length, 1);
  assert.equal(m.operators[0]?.attributed, 5);
  assert.ok(!m.operators[0]?.accounts.includes(accs[5]?.id ?? ''));
  // the set's own members judge throttling: five at p = 0.01 are 10^-7 together, verify only
  const weaker = attribute(0.01);
  assert.equal(weaker.tier, 'verify');
  assert.ok(weaker.members.length === 5 && weaker.members.every((x) => x.tier === 'verify'));
  // members ordinary for their cohorts: the party is weak, nobody is accused, the cap stands
  const ordinary = attribute(0.3);
  assert.equal(ordinary.tier, 'watch');
  assert.ok(ordinary.reasons.some((r) => r.code === 'wording-only'));
  assert.ok(ordinary.members.every((x) => x.tier === 'watch'));
});

test('an operator split by a load-balanced set is judged as one party by the one-organisation cap', () => {
  const rng = mulberry32(29);
  const days = 12;
  // one organisation's five accounts, a card each (five accounts on the organisation's one card
  // would be one paying customer, capped whatever their age: declared-organisation): three dealt
  // a job evenly, two on their own
  const perDay = [
    ...dealt(rng, 3, days, 120),
    ...[90, 160].map((rate) => Array.from({ length: days }, () => poisson(rng, rate))),
  ];
  const t0 = Date.UTC(2026, 5, 1);
  const judge = (
    balancedAge: number,
    otherAge: number,
    otherOrg = 'org-one',
  ): ReturnType<typeof attributeMembers> => {
    const accs = accountsByDay(perDay, (a) => ({
      org: a < 3 ? 'org-one' : otherOrg,
      payment: `pm-${a}`,
      signupAt: t0 - (a < 3 ? balancedAge : otherAge) * DAY,
    }));
    const idx = accs.map((_, i) => i);
    const balanced = balancedMembers(accs, idx, Math.log(0.01));
    assert.ok(balanced !== null);
    assert.deepEqual(
      [...balanced.members].sort((a, b) => a - b),
      [0, 1, 2],
    );
    return attributeMembers(
      // one operator: a range and a template tie all five
      attributionContext(accs, () => 0),
      candidateOf(accs, 1e-4, -20, 30),
      'c-org',
      'throttle',
      true,
      accs,
      balanced,
      null,
    );
  };
  // the three established, the two made since (alone, their median age is 10 days): the one
  // customer's job, capped; listed as two operators (the balanced set and the rest)
  const customer = judge(60, 10);
  assert.equal(customer.operators.length, 2);
  assert.equal(customer.members.length, 5);
  assert.ok(customer.members.every((x) => x.tier === 'watch' && x.org === 'org-one'));
  assert.ok(customer.reasons.some((r) => r.code === 'organisation-operators' && r.value === 5));
  // a young farm with two older accounts (alone, established): not one customer's job
  const farm = judge(10, 60);
  assert.equal(farm.members.length, 5);
  assert.ok(farm.members.every((x) => x.tier === 'throttle' && x.org === null));
  assert.ok(!farm.reasons.some((r) => r.code === 'organisation-operators'));
  // the evenly dealt job of one established customer, tied to another organisation's new
  // accounts (a card each: not a customer the provider can name): the job stays that
  // customer's (capped); the others are judged as the party, not capped
  const mixed = judge(60, 10, 'org-two');
  const tierOf = (i: number): string | undefined => mixed.members.find((x) => x.i === i)?.tier;
  assert.deepEqual([0, 1, 2, 3, 4].map(tierOf), [
    'watch',
    'watch',
    'watch',
    'throttle',
    'throttle',
  ]);
  assert.ok(mixed.reasons.some((r) => r.code === 'organisation-operators' && r.value === 3));
  // ... and tied to another established organisation's accounts: two named customers, both
  // capped (third independent generator seed 7: a marketplace and an annotation team)
  const two = judge(60, 60, 'org-two');
  assert.ok(two.members.every((x) => x.tier === 'watch'));
  assert.ok(two.reasons.some((r) => r.code === 'organisation-operators' && r.value === 5));
});
