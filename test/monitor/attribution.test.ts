import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, ingest } from '../../src/monitor/index.js';
import { signupBurst, subBurstCentres } from '../../src/monitor/attribution.js';
import { attributes, dominates, EVIDENCE } from '../../src/monitor/linkage.js';
import { mulberry32 } from '../../src/monitor/hash.js';
import { simulateLog } from '../helpers/traffic.js';

const dir = mkdtempSync(join(tmpdir(), 'mon-attr-'));

// Regression: a reseller proxy carries a hydra campaign and the reseller's own legitimate
// customers. The gateway stamps every forwarded request with its system prompt, so customers share
// the campaign's /24 ranges, AS + user agent and system-prompt hash: three attribute values the
// campaign dominates, all of them properties of the path the traffic took. Counting them as
// three pieces of evidence alerted the customers; only attributes of who controls the accounts
// (payment, sign-up burst, synchronised activity, user-prompt templates) may attribute an account.
test('benign customers behind a hydra proxy are not alerted, the hydra is', async () => {
  const { file, truth } = await simulateLog(dir, 'proxy.jsonl', {
    records: 120_000,
    seed: 606,
    mix: { newcomer: 0 },
    attack: {
      sweeps: 0,
      pivots: 0,
      adaptive: 0,
      hydras: 2,
      mixing: [0.25],
      proxyCustomers: 1,
      gatewayPrompt: 1,
    },
  });
  const customers = truth.accounts.filter((a) => a.persona === 'proxy-customer');
  assert.ok(customers.length >= 20, `customers: ${customers.length}`);
  const { state } = await ingest({ files: [file], workers: 1 });
  const v = analyze({ state });
  const label = new Map(truth.accounts.map((a) => [a.account, a]));
  // the customers are linked into the campaign (so the test exercises attribution) ...
  const customerIds = new Set(customers.map((a) => a.account));
  const linkedCustomers = v.campaigns
    .filter((c) => c.flagged)
    .flatMap((c) => c.accounts.filter((id) => customerIds.has(id)));
  assert.ok(linkedCustomers.length > 0, 'customers share the campaign component');
  // ... yet none is alerted, while the hydra is found
  const fp = v.alerts.filter((a) => label.get(a.account)?.label !== 'attack');
  assert.deepEqual(
    fp.map((a) => `${a.account}:${label.get(a.account)?.persona}`),
    [],
    'no benign account alerted',
  );
  const found = new Set(v.alerts.map((a) => label.get(a.account)?.campaign));
  assert.ok(found.size >= 1, 'the hydra is found');
});

test('attribution rule: path and ordinary prompts never attribute, control attributes do', () => {
  const k = (...kinds: number[]): number => kinds.reduce((b, x) => b | (1 << x), 0);
  const { PATH, PAYMENT, SIGNUP, TIMING, PROMPT } = EVIDENCE;
  assert.equal(attributes(k(PATH)), false);
  assert.equal(attributes(k(PATH, PROMPT)), false, 'a reseller forwards ordinary prompts');
  assert.equal(attributes(k(SIGNUP)), false, 'one coincidence');
  assert.equal(attributes(k(TIMING)), false);
  assert.equal(attributes(k(PAYMENT)), true, 'a shared payment method is an identity');
  assert.equal(attributes(k(PATH, SIGNUP)), true);
  assert.equal(attributes(k(PROMPT, TIMING)), true);
  assert.equal(attributes(k(SIGNUP, TIMING)), true);
});

// A value counts as a campaign's only when it says something about this campaign. In a run of
// 100,000 accounts at a level of 0.01 / 10,000 values: a chat frame held by three accounts, two of
// them members of a 5,000-account component, is what any account sharing one of its frames sees;
// the same frame in a 10-account sweep, or a template 300 of whose 320 holders are members, is
// the campaign's. A shared payment method is a tie whatever the campaign's size.
test("dominance: a value counts as the campaign's only when its member count is improbable", () => {
  const { PATH, PAYMENT, SIGNUP, PROMPT } = EVIDENCE;
  const n = 100_000;
  const level = Math.log(0.01 / 10_000);
  assert.equal(dominates(PROMPT, 2, 3, 5_000, n, level), false, 'chat frame in a big component');
  assert.equal(dominates(PROMPT, 2, 3, 10, n, level), true, 'the same frame in a small sweep');
  assert.equal(dominates(PROMPT, 300, 320, 5_000, n, level), true, "the campaign's template");
  assert.equal(dominates(PROMPT, 300, 700, 5_000, n, level), false, 'less than half are members');
  assert.equal(dominates(PATH, 2, 3, 5_000, n, level), false);
  assert.equal(dominates(PATH, 500, 900, 5_000, n, level), true, "a proxy range of the hydra's");
  assert.equal(dominates(PAYMENT, 2, 2, 5_000, n, level), true, 'a shared card is a tie');
  assert.equal(dominates(PAYMENT, 1, 2, 10, n, level), false, 'one member holder is no tie');
  // a sign-up hour: improbable many members counts even when they are not half of the holders
  assert.equal(dominates(SIGNUP, 40, 200, 5_000, n, level), true, 'a burst inside a busy hour');
  assert.equal(dominates(SIGNUP, 2, 2, 5_000, n, level), false, 'two sign-ups: a coincidence');
});

test("sign-up burst: a member's sign-up counts only when it stands out against the members' pace", () => {
  // the level analyze() uses: family-wise 0.01 over the members tried as centres
  const level = (members: number): number => Math.log(0.01 / members);
  const H = 3_600_000;
  const t0 = Date.UTC(2026, 2, 1);
  const sorted = (xs: number[]): number[] => xs.sort((a, b) => a - b);
  // a class of 38 joining evenly over its first week, three of them within minutes of t0
  const cls = sorted([
    ...Array.from({ length: 35 }, (_, i) => t0 - 84 * H + Math.floor((i * 168 * H) / 35) + 1),
    t0,
    t0 + 5 * 60_000,
    t0 + 20 * 60_000,
  ]);
  assert.ok(signupBurst(t0, cls) > level(38), 'three classmates in one hour of a week of sign-ups');
  // a farm: nine accounts within 75 minutes (straddling three clock hours), a few others that day
  const farm = sorted([
    t0 - 20 * H,
    t0 + 9 * H,
    ...Array.from({ length: 9 }, (_, i) => t0 + i * 9 * 60_000),
  ]);
  for (const at of farm.slice(1, -1))
    assert.ok(signupBurst(at, farm) <= level(11), `farm member at ${(at - t0) / 60_000} min`);
  // two accounts alone in their day: a coincidence
  assert.ok(signupBurst(t0, [t0, t0 + 60_000]) > level(2), 'a pair');
  // people sign up in the daytime: a class of 40 over a week, all between 09:00 and 12:00, with
  // several in some hours (deterministic pseudo-random spread); no member is a burst centre
  const rand = mulberry32(12345);
  const day0 = Date.UTC(2026, 2, 2);
  const daytime = sorted(
    Array.from(
      { length: 40 },
      () => day0 + Math.floor(rand() * 7) * 24 * H + 9 * H + Math.floor(rand() * 3 * H),
    ),
  );
  const centres = daytime.filter((t) => signupBurst(t, daytime) <= level(40));
  assert.deepEqual(centres, [], 'a class signing up in the daytime over a week');
  // sign-up times given to the day (midnight): a week of a class is no burst, a farm's day is
  const dated = sorted(Array.from({ length: 40 }, (_, i) => day0 + (i % 7) * 24 * H));
  assert.ok(
    dated.every((t) => signupBurst(t, dated) > level(40)),
    'a class, dates only',
  );
  const farmDay = sorted([
    ...Array.from({ length: 12 }, () => day0 + 3 * 24 * H),
    day0,
    day0 + 24 * H,
    day0 + 5 * 24 * H,
  ]);
  assert.ok(signupBurst(day0 + 3 * 24 * H, farmDay) <= level(15), 'twelve on one date');
});

// Regression (independent generator, seed 10 at 1.2M lines): a six-account sweep behind its own
// cloud range sat inside a 112-account hydra component whose farm signs accounts up every day in
// the same hours. Against the component's pace its 80-minute burst was p = 1e-3.3, short of the
// level over 112 centres; among the holders of its own range it is unmistakable.
test('sign-up burst inside a campaign: a few accounts behind one range, against the campaign', () => {
  const H = 3_600_000;
  const M = 60_000;
  const day0 = Date.UTC(2026, 2, 1);
  const rand = mulberry32(2024);
  // the hydra: 106 sign-ups over 25 days, most between 08:00 and 12:00
  const hydra = Array.from(
    { length: 106 },
    () => day0 + Math.floor(rand() * 25) * 24 * H + 8 * H + Math.floor(rand() * 4 * H),
  );
  const at = day0 + 9 * 24 * H + 9 * H;
  const farm = [0, 6, 12, 42, 74, 83].map((m) => at + m * M);
  const signups = [...hydra, ...farm].sort((a, b) => a - b);
  const level = Math.log(0.01 / signups.length);
  // the component-level test cannot see it: the hydra signs up in those hours every day
  assert.ok(
    farm.some((t) => signupBurst(t, signups) > level),
    'some farm member is not a burst against the component',
  );
  const centres = subBurstCentres([...farm], signups, Math.log(0.01 / farm.length));
  assert.ok(centres.length >= 3, `centres: ${centres.length}`);
  // the null: a range held by members drawn at random from the campaign, daily rhythm and all, is
  // a burst (family-wise 0.01 over its holders) in about 1% of draws at most
  let bursts = 0;
  const draws = 400;
  for (let d = 0; d < draws; d++) {
    const holders: number[] = [];
    const used = new Set<number>();
    while (holders.length < 6) {
      const i = Math.floor(rand() * signups.length);
      if (used.has(i)) continue;
      used.add(i);
      holders.push(signups[i] ?? 0);
    }
    if (subBurstCentres(holders, signups, Math.log(0.01 / holders.length)).length > 0) bursts++;
  }
  assert.ok(bursts <= 8, `random holders found a burst in ${bursts} of ${draws} draws`);
  // a pair is never a burst
  assert.deepEqual(subBurstCentres([at, at + M], signups, -1), []);
});

// Regression: classes of students on one campus NAT who signed up in one session, meet in weekly
// labs and ask a shared homework sheet step by step are linked by infrastructure, sign-up, timing
// and content, and their elicitation share is far above their cohort's: the campaign test rejects
// (its null, "being linked says nothing about behaviour", is false for a cohesive group). Before
// the materiality caps, 1,434 such students (and two proxy customers drawn in by a sign-up-hour
// coincidence) were recommended for blocking in eval setting stress-classroom.
test('classes of students are linked and tested, but never accused', async () => {
  const { file, truth } = await simulateLog(dir, 'classes.jsonl', {
    records: 80_000,
    seed: 808,
    mix: { chat: 3000, dev: 500, classroom: 2500, newcomer: 500 },
    attack: { sweeps: 0, pivots: 0, adaptive: 0, hydras: 0 },
  });
  const students = new Set(
    truth.accounts.filter((a) => a.persona === 'classroom-student').map((a) => a.account),
  );
  assert.ok(students.size >= 100, `students: ${students.size}`);
  const { state } = await ingest({ files: [file], workers: 1 });
  const v = analyze({ state, minTier: 'watch' });
  // the classes are linked and pass the campaign test (so the caps are exercised) ...
  const flaggedClasses = v.campaigns.filter(
    (c) => c.flagged && c.accounts.some((id) => students.has(id)),
  );
  assert.ok(flaggedClasses.length >= 2, `flagged classes: ${flaggedClasses.length}`);
  const capped = v.alerts.filter(
    (a) =>
      students.has(a.account) &&
      a.reasons.some((r) => r.code === 'immaterial' || r.code === 'light-account'),
  );
  assert.ok(capped.length > 0, 'students are listed at watch with the reason for the cap');
  // ... and none is recommended above watch
  const accused = v.alerts.filter((a) => a.tier !== 'watch').map((a) => a.account);
  assert.deepEqual(accused, [], 'no account recommended above watch');
});
