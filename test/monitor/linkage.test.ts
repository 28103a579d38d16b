import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  analyze,
  createState,
  emptyFeatures,
  featurize,
  observe,
} from '../../src/monitor/index.js';
import { TIERS } from '../../src/monitor/verdict.js';
import { behaviourAttributed } from '../../src/monitor/attribution.js';
import { mulberry32 } from '../../src/monitor/hash.js';
import { trafficRecord } from '../helpers/traffic.js';

const WORDS =
  'apple river stone cloud garden window music paper silver forest engine market winter candle planet bridge orange letter mirror ocean pencil shadow ticket valley'.split(
    ' ',
  );

test('BH attribution: a few extreme members are attributed, uniform null p-values rarely any', () => {
  const ps = new Map<number, number>();
  for (let i = 0; i < 5; i++) ps.set(i, 0.001);
  for (let i = 5; i < 25; i++) ps.set(i, 0.2 + 0.03 * i);
  const ids = [...ps.keys()];
  assert.deepEqual(
    [...behaviourAttributed(ids, new Set(), ps, 0.01)].sort((a, b) => a - b),
    [0, 1, 2, 3, 4],
  );
  // members already attributed by a control attribute are not re-tested
  assert.equal(behaviourAttributed(ids, new Set([0, 1, 2, 3, 4]), ps, 0.01).size, 0);
  // under the null (uniform p-values) the chance of any attribution is at most q
  const rng = mulberry32(7);
  let any = 0;
  const trials = 2000;
  for (let t = 0; t < trials; t++) {
    const null30 = new Map<number, number>();
    for (let i = 0; i < 30; i++) null30.set(i, rng());
    if (behaviourAttributed([...null30.keys()], new Set(), null30, 0.05).size > 0) any++;
  }
  assert.ok(any / trials <= 0.05 + 3 * Math.sqrt((0.05 * 0.95) / trials), `rate ${any / trials}`);
  assert.ok(any > 0, 'the test can attribute under the null at its nominal rate');
});

test('accounts sharing many rare extraction wordings are linked, but only to the watch list', () => {
  const rng = mulberry32(42);
  const words = (n: number): string =>
    Array.from({ length: n }, () => WORDS[Math.floor(rng() * WORDS.length)] ?? 'x').join(' ');
  const state = createState();
  const feats = emptyFeatures();
  const t0 = Date.UTC(2026, 5, 1);
  const put = (account: string, text: string): void => {
    const r = trafficRecord(text, { account, ts: t0 + Math.floor(rng() * 14 * 86_400_000) });
    observe(state, r, featurize(r, feats));
  };
  // 600 ordinary accounts; 60 of them sometimes use one popular elicitation phrase
  for (let a = 0; a < 600; a++) {
    const n = 20 + Math.floor(rng() * 20);
    for (let k = 0; k < n; k++) put(`user${a}`, `${words(6 + Math.floor(rng() * 10))}?`);
    if (a < 60)
      for (let k = 0; k < 3; k++)
        put(`user${a}`, `Think step by step and show your work. ${words(8)}`);
  }
  // a campaign of 12 accounts sharing nothing but a private pool of ten extraction wordings
  const pool = Array.from(
    { length: 10 },
    (_, w) =>
      `Variant ${'abcdefghij'[w]} : lay out your complete reasoning process in detail for the task below, then answer. {item} Write every intermediate step you used in order, number ${w}.`,
  );
  const campaign = Array.from({ length: 12 }, (_, i) => `acct${i}`);
  for (const id of campaign) {
    for (let k = 0; k < 40; k++) put(id, `${words(6 + Math.floor(rng() * 10))}?`);
    for (let k = 0; k < 20; k++) put(id, (pool[k % 10] ?? '').replace('{item}', words(12)));
  }
  const v = analyze({ state, minTier: 'watch' });
  assertCampaignTiers(v);
  const wordingCamps = v.campaigns.filter((c) =>
    c.links.some((l) => l.kinds === 'extraction-wording'),
  );
  const linked = new Set(wordingCamps.flatMap((c) => c.accounts));
  assert.ok(
    campaign.filter((id) => linked.has(id)).length >= 10,
    `campaign accounts linked: ${campaign.filter((id) => linked.has(id)).length}`,
  );
  assert.deepEqual(
    [...linked].filter((id) => !id.startsWith('acct')),
    [],
    'users of the popular phrase are not linked',
  );
  // never an accusation on wording alone: capped at watch, nothing at verify or above
  for (const c of wordingCamps) assert.ok(c.tier === null || c.tier === 'watch', c.tier ?? '');
  assert.ok(
    wordingCamps.some((c) => c.tier === 'watch'),
    'the group reaches the watch list',
  );
  const shipped = analyze({ state });
  assertCampaignTiers(shipped);
  assert.equal(shipped.alerts.filter((a) => a.account.startsWith('acct')).length, 0);
  assert.ok(v.alerts.some((a) => a.account.startsWith('acct') && a.tier === 'watch'));
});

type Extra = Parameters<typeof trafficRecord>[1];

/** An empty 14-day log and the helpers to fill it, as {@link ordinaryWorld} returns them. */
function emptyWorld(seed: number): {
  state: ReturnType<typeof createState>;
  t0: number;
  words: (n: number) => string;
  rng: () => number;
  put: (account: string, text: string, extra: Extra) => void;
} {
  const rng = mulberry32(seed);
  const words = (n: number): string =>
    Array.from({ length: n }, () => WORDS[Math.floor(rng() * WORDS.length)] ?? 'x').join(' ');
  const state = createState();
  const feats = emptyFeatures();
  const t0 = Date.UTC(2026, 5, 1);
  const put = (account: string, text: string, extra: Extra): void => {
    const r = trafficRecord(text, {
      account,
      ts: t0 + Math.floor(rng() * 14 * 86_400_000),
      ...extra,
    });
    observe(state, r, featurize(r, feats));
  };
  return { state, t0, words, rng, put };
}

/**
 * A 14-day log of 500 ordinary accounts (own /24s, 40 ASes, two agents, 20–220 requests of
 * random words) into which a test adds its groups with `put`. `freshShare`: share of the users
 * who signed up this month instead of months ago.
 */
function ordinaryWorld(seed: number, freshShare = 0): ReturnType<typeof emptyWorld> {
  const world = emptyWorld(seed);
  const { t0, words, rng, put } = world;
  const fresh = Math.round(freshShare * 500);
  for (let a = 0; a < 500; a++) {
    const n = 20 + Math.floor(rng() * 200);
    const extra = {
      ipPrefix: `10.${a % 200}.${Math.floor(a / 200)}`,
      asn: `AS${64512 + (a % 40)}`,
      userAgent: a % 2 === 0 ? 'Mozilla/5.0' : 'curl/8.0',
      signupAt: t0 - (a < fresh ? 1 + (a % 20) : 100 + a) * 86_400_000,
    };
    for (let k = 0; k < n; k++) put(`user${a}`, `${words(6 + Math.floor(rng() * 10))}?`, extra);
  }
  return world;
}

/**
 * Alerts that may list an account, or put it up for review by its own profile (verify, reason
 * `own-profile`), but never accuse it through a tie to the campaign (throttle, block, or verify
 * without that reason).
 */
function assertNoTieAccusation(alerts: ReturnType<typeof analyze>['alerts']): void {
  for (const a of alerts) {
    assert.ok(a.tier === 'watch' || a.tier === 'verify', `${a.account}: ${a.tier}`);
    if (a.tier === 'verify')
      assert.ok(
        a.reasons.some((r) => r.code === 'own-profile'),
        `${a.account} accused by its own profile only`,
      );
  }
}

/**
 * A campaign never recommends more than is recommended for any of its accounts: a flagged group
 * whose members are all peripheral must not read "block" in the summary.
 */
function assertCampaignTiers(v: ReturnType<typeof analyze>): void {
  const top = new Map<string, number>();
  for (const f of [...v.alerts, ...v.watchlist])
    if (f.campaign !== null)
      top.set(f.campaign, Math.max(top.get(f.campaign) ?? 0, TIERS.indexOf(f.tier)));
  for (const c of v.campaigns)
    if (c.tier !== null)
      assert.ok(
        TIERS.indexOf(c.tier) <= (top.get(c.id) ?? 0),
        `${c.id} recommends ${c.tier}, its accounts at most ${TIERS[top.get(c.id) ?? 0]}`,
      );
}

// Two sweeps run by different parties on one cloud with one client library draw their prompts
// from the same public template set: the AS + agent value and the templates coincide, so they
// form one linked component, but nothing that identifies a party (card, range, sign-up burst)
// joins them. The verdict lists them as two operators of the campaign, each with its own card.
test('a component joined only through AS + agent splits into its operators', () => {
  for (const gammas of [1, 2]) splitsIntoOperators(gammas);
});

/** The world of the test above with `gammas` lone accounts signed up in alpha's hour. */
function splitsIntoOperators(gammas: number): void {
  const { state, t0, words, put } = ordinaryWorld(9);
  const templates = [
    'Solve the following problem. Show every step of your reasoning before the final answer: {item}',
    'You are an expert grader. Score the answer below from 1 to 10 and justify the score: {item}',
    'Rewrite the passage below in a formal register, then explain each change you made: {item}',
  ];
  const sweep = (name: string, party: number): string[] => {
    const ids = Array.from({ length: 6 }, (_, i) => `${name}${i}`);
    for (const id of ids) {
      const extra = {
        ipPrefix: `203.0.${party}`,
        asn: 'AS16509',
        userAgent: 'python-requests/2.31.0',
        payment: `card-${name}`,
        signupAt: t0 - (party + 1) * 86_400_000 - 3_600_000 * party,
      };
      for (let k = 0; k < 400; k++)
        put(id, (templates[k % 3] ?? '').replace('{item}', words(14)), extra);
    }
    return ids;
  };
  const a = sweep('alpha', 1);
  const b = sweep('beta', 7);
  // a burst that is a party of its own: 8 accounts made within 8 minutes, each with its own card
  // and range (so each is alone in its operator), sharing their hour with nobody else
  const burst = Array.from({ length: 8 }, (_, i) => `delta${i}`);
  burst.forEach((id, i) => {
    for (let k = 0; k < 400; k++)
      put(id, (templates[k % 3] ?? '').replace('{item}', words(14)), {
        ipPrefix: `198.18.${i}`,
        asn: 'AS16509',
        userAgent: 'python-requests/2.31.0',
        payment: `card-${id}`,
        signupAt: t0 - 4 * 86_400_000 + 60_000 * i,
      });
  });
  // accounts on the same cloud and SDK with the same templates that signed up in alpha's hour,
  // but share no card, range or schedule with anyone: attributed, each its own operator, never
  // blocked; one alone is a coincidence (watch), two that signed up together are not (verify)
  const gammaIds = Array.from({ length: gammas }, (_, g) => `gamma${g}`);
  gammaIds.forEach((id, g) => {
    for (let k = 0; k < 400; k++)
      put(id, (templates[k % 3] ?? '').replace('{item}', words(14)), {
        ipPrefix: `198.51.${100 + g}`,
        asn: 'AS16509',
        userAgent: 'python-requests/2.31.0',
        payment: `card-${id}`,
        signupAt: t0 - 2 * 86_400_000 - 3_600_000 + 1_200_000 + 300_000 * g,
      });
  });
  const v = analyze({ state, minTier: 'watch' });
  assertCampaignTiers(v);
  const camp = v.campaigns.find((c) => c.accounts.includes('alpha0'));
  assert.ok(camp?.tier, 'the sweeps are reported');
  assert.deepEqual(
    camp.accounts.filter((id) => id.startsWith('user')),
    [],
    'no ordinary account',
  );
  assert.ok(camp.accounts.includes('beta0'), 'one component: the two sweeps share AS + agent');
  assert.ok(camp.tier === 'block' || camp.tier === 'throttle', `campaign tier ${camp.tier}`);
  const ops = camp.operators.map((o) => [...o.accounts].sort().join(','));
  assert.deepEqual(ops.sort(), [a.join(','), b.join(','), ...gammaIds, ...burst].sort());
  const sizes = camp.operators.map((o) => o.accounts.length);
  assert.deepEqual(
    sizes,
    [...sizes].sort((x, y) => y - x),
    'largest first',
  );
  for (const id of gammaIds) {
    const gamma = v.alerts.find((x) => x.account === id);
    assert.ok(gamma, `the lone account ${id} is attributed`);
    assert.equal(gamma.tier, gammas === 1 ? 'watch' : 'verify', id);
    assert.ok(gamma.reasons.some((r) => r.code === 'lone-member'));
  }
  // the burst's members are each alone in their operator, but their hour is their own
  for (const id of burst) {
    const x = v.alerts.find((y) => y.account === id);
    assert.ok(x, `${id} alerted`);
    assert.equal(x.tier, camp.tier, id);
  }
  assert.ok(
    camp.reasons.some(
      (r) => r.code === (gammas === 1 ? 'solo-members' : 'lone-members') && r.value === gammas,
    ),
  );
  for (const x of v.alerts.filter((y) => y.campaign === camp.id && !gammaIds.includes(y.account)))
    assert.ok(!x.reasons.some((r) => r.code === 'lone-member'), x.account);
  for (const o of camp.operators.filter((y) => y.accounts.length === 6)) {
    assert.equal(o.attributed, 6);
    assert.ok(o.ties.some((t) => t.kind === 'payment' && t.accounts === 6));
    assert.ok(o.ties.some((t) => t.kind === 'infrastructure' && t.value.endsWith('.0/24')));
  }
  // every alert names its operator, and the operator is one of the campaign's
  const opIds = new Set(camp.operators.map((o) => o.id));
  const alerted = v.alerts.filter((x) => x.campaign === camp.id);
  assert.equal(alerted.length, 20 + gammas);
  for (const x of alerted)
    assert.ok(x.operator !== null && opIds.has(x.operator), x.operator ?? '');
}

// A customer's bulk job: six long-standing accounts of one organisation, one card, one range,
// templated step-by-step requests around the clock (a licensed synthetic-data job looks exactly
// so, and so would an unlicensed one). Without a licence list it is listed at watch, never
// alerted; with a licence list that does not name the organisation, or with fresh accounts, it
// is judged like any other linked group.
test('one established organisation is capped at watch unless a licence list is given', () => {
  const build = (
    ageDays: number,
    sweep = false,
    cardEach = false,
  ): ReturnType<typeof createState> => {
    const { state, t0, words, put } = ordinaryWorld(21);
    const templates = [
      'Solve the following problem. Show every step of your reasoning before the final answer: {item}',
      'You are an expert grader. Score the answer below from 1 to 10 and justify the score: {item}',
      'Translate the following sentence into French, keeping its tone: {item}',
    ];
    for (let i = 0; i < 6; i++)
      for (let k = 0; k < 500; k++)
        put(`job${i}`, (templates[k % 3] ?? '').replace('{item}', words(14)), {
          org: 'org-acme',
          ipPrefix: '203.0.113',
          asn: 'AS16509',
          userAgent: 'python-requests/2.31.0',
          payment: cardEach ? `card-acme-${i}` : 'card-acme',
          signupAt: t0 - ageDays * 86_400_000 - i * 3_600_000,
        });
    // a sweep of four fresh accounts on the same cloud and client library with the same public
    // templates: one component with the job, a separate operator (its own card and range)
    if (sweep)
      for (let i = 0; i < 4; i++)
        for (let k = 0; k < 500; k++)
          put(`raid${i}`, (templates[k % 3] ?? '').replace('{item}', words(14)), {
            ipPrefix: '198.18.0',
            asn: 'AS16509',
            userAgent: 'python-requests/2.31.0',
            payment: 'card-raid',
            signupAt: t0 - 2 * 86_400_000 + i * 60_000,
          });
    return state;
  };
  const established = build(400);
  const v = analyze({ state: established, minTier: 'watch' });
  assertCampaignTiers(v);
  const camp = v.campaigns.find((c) => c.accounts.includes('job0'));
  assert.ok(camp, 'the job is linked and tested');
  assert.equal(camp.tier, 'watch');
  assert.ok(camp.reasons.some((r) => r.code === 'one-organisation'));
  assert.equal(analyze({ state: established }).alerts.length, 0, 'nothing alerted');
  // a licence list that does not name org-acme: judged like any other group
  const licensed = analyze({ state: established, allow: { orgs: ['org-other'] } });
  assertCampaignTiers(licensed);
  assert.ok(licensed.alerts.filter((a) => a.account.startsWith('job')).length >= 2);
  // fresh accounts of one organisation paying with a card each: not an established customer,
  // nor one that pays as one
  const fresh = analyze({ state: build(2, false, true) });
  assertCampaignTiers(fresh);
  assert.ok(fresh.alerts.filter((a) => a.account.startsWith('job')).length >= 2);
  // fresh accounts of one organisation on its one card: one customer (declared-organisation)
  const declared = analyze({ state: build(2), minTier: 'watch' });
  assertCampaignTiers(declared);
  assert.equal(
    declared.alerts.filter((a) => a.account.startsWith('job') && a.tier !== 'watch').length,
    0,
  );
  assert.ok(
    declared.campaigns.some(
      (c) =>
        c.accounts.includes('job0') && c.reasons.some((r) => r.code === 'declared-organisation'),
    ),
  );
  // the job and a sweep in one campaign: the job's operator is capped, the sweep is alerted
  const mixed = analyze({ state: build(400, true), minTier: 'watch' });
  assertCampaignTiers(mixed);
  const both = mixed.campaigns.find((c) => c.accounts.includes('job0'));
  assert.ok(both && both.accounts.includes('raid0'), 'one component');
  assert.ok(both.reasons.some((r) => r.code === 'organisation-operators' && r.value === 6));
  const alerted = (id: string): string | undefined =>
    mixed.alerts.find((a) => a.account === id)?.tier;
  for (let i = 0; i < 6; i++) assert.equal(alerted(`job${i}`), 'watch', `job${i}`);
  for (let i = 0; i < 4; i++) {
    assert.notEqual(alerted(`raid${i}`), 'watch', `raid${i}`);
    assert.ok(alerted(`raid${i}`) !== undefined, `raid${i} alerted`);
  }
});

// A company team (one card, one office range) on the same cloud and client library as a sweep,
// its accounts made in the sweep's sign-up hour: the AS + agent and the sign-up hour join the two
// into one component, and the team's card, held only by members, used to attribute every team
// account to the campaign. The team is one operator whose own members are ordinary for their
// cohorts, so its card attributes nothing; the sweep is still alerted.
test('an operator of ordinary accounts joined only through shared values is not attributed', () => {
  // a third of the users are new this month: a new account is nothing unusual
  const { state, t0, words, rng, put } = ordinaryWorld(33, 1 / 3);
  const hour = t0 - 3 * 86_400_000;
  const cloud = { asn: 'AS16509', userAgent: 'python-requests/2.31.0' };
  const template =
    'Solve the following problem. Show every step of your reasoning before the final answer: {item}';
  for (let i = 0; i < 6; i++)
    for (let k = 0; k < 400; k++)
      put(`sweep${i}`, template.replace('{item}', words(14)), {
        ...cloud,
        ipPrefix: '203.0.113',
        payment: 'card-sweep',
        signupAt: hour + i * 60_000,
      });
  for (let i = 0; i < 8; i++) {
    // busy accounts (not capped as light), asking what everyone asks
    const n = 300 + Math.floor(rng() * 100);
    for (let k = 0; k < n; k++)
      put(`team${i}`, `${words(6 + Math.floor(rng() * 10))}?`, {
        ...cloud,
        ipPrefix: '198.51.100',
        payment: 'card-team',
        signupAt: hour + 600_000 + i * 60_000,
      });
  }
  const v = analyze({ state });
  assertCampaignTiers(v);
  const camp = v.campaigns.find((c) => c.accounts.includes('sweep0'));
  assert.ok(camp?.flagged, 'the sweep is a flagged campaign');
  assert.ok(camp.accounts.includes('team0'), 'the team shares its component');
  assert.deepEqual(
    v.alerts.filter((a) => a.account.startsWith('team')).map((a) => a.account),
    [],
    'no team account alerted',
  );
  assert.ok(v.alerts.filter((a) => a.account.startsWith('sweep')).length >= 5);
  assert.ok(camp.reasons.some((r) => r.code === 'weak-operators' && r.value === 8));
});

// Second independent generator, seed 45: a developer whose dev box sat in the cloud /24 of a
// sweep asked, among ordinary questions, a "Write a … function that …" question many accounts
// ask. The /24 and that template coincide on the sweep's accounts, so the developer joined the
// sweep's component, and the card it shares with a relative on a phone (in the component through
// that card alone) attributed it. A card ties its holders to each other; it ties them to a
// campaign only when two of them are tied to it otherwise too, or they are half of it.
test("a household's card does not attribute a developer joined to a sweep through its cloud range", () => {
  const { state, t0, words, rng, put } = ordinaryWorld(45);
  const popular = (): string =>
    `Write a Python function that returns the median of ${2 + Math.floor(rng() * 90)} sorted arrays in ${1 + Math.floor(rng() * 9)} passes.`;
  // 60 ordinary users ask the popular question now and then
  for (let a = 0; a < 60; a++)
    for (let k = 0; k < 2; k++)
      put(`user${a}`, popular(), {
        ipPrefix: `10.${a % 200}.${Math.floor(a / 200)}`,
        asn: `AS${64512 + (a % 40)}`,
      });
  const cloud = { asn: 'AS20473', userAgent: 'python-requests/2.31.0', ipPrefix: '203.0.113' };
  const farm =
    'Task: {item}\nOutput the full implementation followed by a line-by-line explanation of your reasoning.';
  for (let i = 0; i < 8; i++) {
    const signupAt = t0 - 5 * 86_400_000 + i * 600_000;
    for (let k = 0; k < 400; k++)
      put(`sweep${i}`, farm.replace('{item}', words(12)), {
        ...cloud,
        payment: 'card-sweep',
        signupAt,
      });
    for (let k = 0; k < 20; k++)
      put(`sweep${i}`, popular(), { ...cloud, payment: 'card-sweep', signupAt });
  }
  // the developer (busier than 2× the median account, so not held by the light-account cap):
  // most requests from home, some from its dev box in the same cloud /24
  const dev = { payment: 'card-home', signupAt: t0 - 900 * 86_400_000 };
  for (let k = 0; k < 400; k++) {
    const box = k % 3 === 0;
    put('dev', k % 20 === 0 ? popular() : `${words(6 + Math.floor(rng() * 10))}?`, {
      ...dev,
      ipPrefix: box ? '203.0.113' : '192.0.2',
      asn: box ? 'AS20473' : 'AS3320',
      userAgent: 'node-sdk/4.0',
    });
  }
  // a relative on the same card, on a phone
  for (let k = 0; k < 40; k++)
    put('relative', `${words(5 + Math.floor(rng() * 8))}?`, {
      ...dev,
      ipPrefix: '100.64.7',
      asn: 'AS21928',
      userAgent: 'ChatApp/3.7 (iPhone)',
    });
  const v = analyze({ state });
  assertCampaignTiers(v);
  const camp = v.campaigns.find((c) => c.accounts.includes('sweep0'));
  assert.ok(camp?.flagged, 'the sweep is a flagged campaign');
  assert.ok(camp.accounts.includes('dev'), 'the developer shares its component');
  assert.ok(v.alerts.filter((a) => a.account.startsWith('sweep')).length >= 6);
  assert.deepEqual(
    v.alerts.filter((a) => a.account === 'dev' || a.account === 'relative').map((a) => a.account),
    [],
    'neither the developer nor the relative is alerted',
  );
});

// Third independent generator, seeds 1–3: enterprises whose accounts an SSO rollout created in
// one hour, classes registered in one lab session and hackathon crowds were alerted because the
// campaign test counted, for every member, the freshness they share *because* they signed up
// together. A group linked through its sign-up times is tested without freshness.
test('accounts provisioned together are not accused for being new together', () => {
  const { state, t0, words, rng, put } = ordinaryWorld(61);
  // ordinary users reuse a phrasing of their own now and then, as staff reuse the company's
  for (let a = 0; a < 500; a++)
    for (let k = 0; k < 30; k++)
      put(`user${a}`, `Note ${a} for my records, tidy it up: ${words(12)}`, {
        ipPrefix: `10.${a % 200}.${Math.floor(a / 200)}`,
        asn: `AS${64512 + (a % 40)}`,
        userAgent: a % 2 === 0 ? 'Mozilla/5.0' : 'curl/8.0',
        signupAt: t0 - (100 + a) * 86_400_000,
      });
  const office = { ipPrefix: '198.51.100', asn: 'AS64999', userAgent: 'Mozilla/5.0' };
  const memo = (): string => `Summarize this ticket for the weekly report: ${words(12)}`;
  for (let i = 0; i < 40; i++) {
    const signupAt = t0 - 3_600_000 + i * 60_000;
    const n = 300 + Math.floor(rng() * 100);
    for (let k = 0; k < n; k++)
      put(`staff${i}`, k % 8 === 0 ? memo() : `${words(6 + Math.floor(rng() * 10))}?`, {
        ...office,
        signupAt,
      });
  }
  const v = analyze({ state });
  assertCampaignTiers(v);
  const camp = v.campaigns.find((c) => c.accounts.includes('staff0'));
  assert.ok(camp, 'the staff are linked');
  assert.ok(
    camp.links.some((l) => l.kinds.includes('signup')),
    'through their sign-up times among other ties',
  );
  assert.deepEqual(
    v.alerts.filter((a) => a.account.startsWith('staff')).map((a) => a.account),
    [],
    'no staff account alerted',
  );
});

// The busiest cohort of a real log can be mostly linked accounts: company teams on one card, and
// the campaigns themselves. With too few unlinked accounts for a reference, a big sweep sits in
// the yardstick of a small one and hides it; the second decision round leaves the accounts the
// first alerted out of the reference and finds the small sweep. One round alone misses it.
test('a second decision round finds a small campaign hidden behind a big one in its cohort', () => {
  const { state, t0, words, rng, put } = emptyWorld(23);
  const day = 86_400_000;
  const chat = (id: string, n: number, extra: Extra): void => {
    for (let k = 0; k < n; k++) put(id, `${words(6 + Math.floor(rng() * 10))}?`, extra);
  };
  // 60 unlinked ordinary accounts (too few to be a reference on their own: MIN_REFERENCE)
  for (let a = 0; a < 60; a++)
    chat(`user${a}`, 40 + Math.floor(rng() * 80), {
      ipPrefix: `10.${a}.0`,
      asn: `AS${64512 + (a % 40)}`,
      userAgent: 'Mozilla/5.0',
      signupAt: t0 - (100 + a) * day,
    });
  // 30 company teams of four on one card each, ordinary behaviour
  for (let t = 0; t < 30; t++)
    for (let m = 0; m < 4; m++)
      chat(`team${t}-${m}`, 40 + Math.floor(rng() * 80), {
        ipPrefix: `10.${100 + t}.${m}`,
        asn: `AS${64600 + t}`,
        userAgent: 'Mozilla/5.0',
        payment: `card-team${t}`,
        signupAt: t0 - (200 + t) * day,
      });
  // a sweep: `every`-th request from its templates, the others ordinary chat
  const sweep = (
    name: string,
    size: number,
    every: number,
    templates: readonly string[],
  ): string[] => {
    const ids = Array.from({ length: size }, (_, i) => `${name}${i}`);
    for (const id of ids)
      for (let k = 0; k < 300; k++)
        put(
          id,
          k % every === 0
            ? (templates[(k / every) % templates.length] ?? '').replace('{item}', words(14))
            : `${words(6 + Math.floor(rng() * 10))}?`,
          {
            ipPrefix: name === 'big' ? '203.0.113' : '198.51.100',
            asn: name === 'big' ? 'AS16509' : 'AS14061',
            userAgent: name === 'big' ? 'python-requests/2.31.0' : 'Go-http-client/1.1',
            payment: `card-${name}`,
            signupAt: t0 - (name === 'big' ? 1 : 5) * day,
          },
        );
    return ids;
  };
  const big = sweep('big', 30, 1, [
    'Solve the following problem. Show every step of your reasoning before the final answer: {item}',
    'You are an expert grader. Score the answer below from 1 to 10 and justify the score: {item}',
  ]);
  const small = sweep('small', 4, 2, [
    'Explain your full chain of thought in detail, step by step, then give the answer: {item}',
    'Write a detailed rubric and grade this response against it, criterion by criterion: {item}',
  ]);
  const one = analyze({ state, maxRounds: 1 });
  assertCampaignTiers(one);
  const v = analyze({ state });
  assertCampaignTiers(v);
  const alerted = (x: typeof v): Set<string> => new Set(x.alerts.map((a) => a.account));
  assert.equal(one.settings.referenceRounds, 1);
  assert.ok(
    big.every((id) => alerted(one).has(id)),
    'round 1 finds the big sweep',
  );
  assert.ok(
    small.every((id) => !alerted(one).has(id)),
    'one round: the small sweep hides behind the big one',
  );
  assert.ok(v.settings.referenceRounds >= 2, `rounds ${v.settings.referenceRounds}`);
  assert.ok(big.every((id) => alerted(v).has(id)));
  assert.ok(
    small.every((id) => alerted(v).has(id)),
    'round 2 finds the small sweep',
  );
  // no ordinary account or team member is alerted in either round
  for (const x of [one, v])
    assert.deepEqual(
      x.alerts.filter((a) => !/^(big|small)\d/.test(a.account)).map((a) => a.account),
      [],
    );
});

// A research lab on its institute's ranges running one evaluation harness: extraction-like as a
// group (every request asks for step-by-step reasoning from shared templates), its busiest
// members extreme for their cohorts, but nothing ties the accounts to one party — no shared card,
// sign-up burst or synchronised activity. Its members are listed at watch ('no-party'); the same
// accounts paying with one card are one party and are alerted.
test('a group of established accounts tied by nothing that identifies a party is listed at watch', () => {
  const run = (oneCard: boolean, fresh = false): ReturnType<typeof analyze> => {
    const { state, t0, words, rng, put } = ordinaryWorld(31);
    const templates = [
      'Solve the following problem. Show every step of your reasoning before the final answer: {item}',
      'Think step by step and explain your full chain of thought, then answer: {item}',
    ];
    for (let m = 0; m < 8; m++) {
      const n = 150 + Math.floor(rng() * 250);
      for (let k = 0; k < n; k++)
        put(`lab${m}`, (templates[k % 2] ?? '').replace('{item}', words(14)), {
          ipPrefix: '192.0.2',
          asn: 'AS64999',
          userAgent: 'python-httpx/0.27',
          system: 'You are evaluated by the reasoning benchmark harness v2. Follow the format.',
          payment: oneCard ? 'card-lab' : `card-lab${m}`,
          signupAt: t0 - (fresh ? 1 + m : 60 + 37 * m) * 86_400_000,
        });
    }
    return analyze({ state, minTier: 'watch' });
  };
  const v = run(false);
  const camp = v.campaigns.find((c) => c.accounts.includes('lab0'));
  assert.ok(camp?.flagged, 'the lab is a flagged campaign (extraction-like as a whole)');
  assert.equal(camp.tier, 'watch');
  const lab = v.alerts.filter((a) => a.account.startsWith('lab'));
  assert.ok(lab.length > 0, 'the lab is listed');
  for (const a of lab) {
    assert.equal(a.tier, 'watch', a.account);
    assert.ok(
      v.campaigns.find((c) => c.id === a.campaign)?.reasons.some((r) => r.code === 'no-party'),
    );
  }
  // the same group of fresh accounts (made for the job, like a hydra's behind a proxy) keeps
  // attribution by behaviour
  const young = run(false, true);
  const byProfile = young.alerts.filter((a) => a.account.startsWith('lab'));
  assert.ok(byProfile.length > 0, 'fresh accounts: attributed by their own profile');
  assert.ok(byProfile.some((a) => a.tier === 'verify'));
  for (const a of byProfile) {
    assert.ok(!a.reasons.some((r) => r.code === 'no-party'), a.account);
    if (a.tier !== 'verify') assert.equal(a.reasons[0]?.code, 'light-account', a.account);
  }
  const paid = run(true);
  const alerted = paid.alerts.filter((a) => a.account.startsWith('lab') && a.tier !== 'watch');
  assert.ok(alerted.length >= 4, `one card: ${alerted.length} alerted`);
});

// A class of students behind one campus range who joined over the first week of term and ask the
// homework's templates step by step; its busiest students spend one deadline day on it, filling
// most of that day's 10-minute slots. Neither their sign-up hours (several classmates a day) nor
// their activity on that day (any two accounts busy all day agree on it) ties them to one party:
// they may be listed, never accused. Created in one hour, at a class's volume, they are still a
// crowd of ordinary users (light-crowd); created in one hour and all as busy as a farm's
// accounts, they are a farm's burst.
test('a class that joined over a week and crams on one day is not accused; a sign-up burst is', () => {
  const run = (burst: boolean, allBusy = false): ReturnType<typeof analyze> => {
    const { state, t0, words, rng, put } = ordinaryWorld(47);
    const sheet = [
      'Homework 4: explain step by step how to solve this and show all your reasoning: {item}',
      'Walk me through the solution to this exercise, every step of the working please: {item}',
    ];
    const deadline = t0 + 9 * 86_400_000;
    for (let m = 0; m < 40; m++) {
      const busy = allBusy || m < 8;
      const n = busy ? 300 + Math.floor(rng() * 100) : 20 + Math.floor(rng() * 40);
      const signupAt = burst
        ? t0 - 3 * 86_400_000 + Math.floor(rng() * 3_600_000)
        : t0 - 10 * 86_400_000 + Math.floor(rng() * 7 * 86_400_000);
      // a busy student's requests on the deadline day, in time order as a log has them
      const times = Array.from({ length: n }, () => deadline + Math.floor(rng() * 86_400_000));
      times.sort((x, y) => x - y);
      for (let k = 0; k < n; k++) {
        const extra: Extra = {
          ipPrefix: '198.51.100',
          asn: 'AS64998',
          userAgent: 'Mozilla/5.0 (campus browser)',
          signupAt,
          ...(busy ? { ts: times[k] } : {}),
        };
        put(`student${m}`, (sheet[k % 2] ?? '').replace('{item}', words(12)), extra);
      }
    }
    return analyze({ state, minTier: 'watch' });
  };
  // their own profile (all homework, against ordinary chat) may still put them up for review, at
  // verify; what must not happen is an accusation through timing or sign-up ties
  const term = run(false);
  const students = term.alerts.filter((a) => a.account.startsWith('student'));
  assertNoTieAccusation(students);
  const session = run(true);
  assertNoTieAccusation(session.alerts.filter((a) => a.account.startsWith('student')));
  const crowd = session.campaigns.find((c) => c.accounts.includes('student0'));
  assert.ok(
    crowd?.reasons.some((r) => r.code === 'light-crowd'),
    'a class created in one hour is a light crowd',
  );
  const farm = run(true, true);
  const blocked = farm.alerts.filter(
    (a) => a.account.startsWith('student') && (a.tier === 'throttle' || a.tier === 'block'),
  );
  assert.ok(blocked.length >= 4, `created in one hour: ${blocked.length} above verify`);
});

// A farm signs twelve accounts up within half an hour; a student signs up in the same half hour.
// The farm and the student's class reach one campaign through an AS + agent value (one ISP, one
// browser build) and the burst hour. The hour is the campaign's and the student's sign-up is in
// the burst, but the only members sharing it are the farm's, another operator than the student's
// (its class: campus range and homework): that burst is the farm's, not evidence about the student.
test("a sign-up in a farm's burst does not attribute an account that shares nothing else with the farm", () => {
  const { state, t0, words, rng, put } = ordinaryWorld(53);
  const shared = { asn: 'AS64990', userAgent: 'Mozilla/5.0 (X11; campus build)' };
  const burst = t0 - 2 * 86_400_000 + 9 * 3_600_000;
  const homework = [
    'Homework 7: explain step by step how to solve this and show all your reasoning: {item}',
    'Walk me through the solution to this exercise, every step of the working please: {item}',
  ];
  const student = (id: string, signupAt: number, n: number): void => {
    for (let k = 0; k < n; k++) {
      const text =
        k % 2 === 0
          ? (homework[k % 4 === 0 ? 0 : 1] ?? '').replace('{item}', words(12))
          : `${words(8)}?`;
      put(id, text, { ...shared, ipPrefix: '198.51.100', signupAt });
    }
  };
  for (let m = 0; m < 30; m++)
    student(`student${m}`, t0 - 10 * 86_400_000 + Math.floor(rng() * 7 * 86_400_000), 150);
  student('hitchhiker', burst + 10 * 60_000, 320);
  for (let f = 0; f < 12; f++)
    for (let k = 0; k < 320; k++)
      put(
        `farm${f}`,
        `Grade the following answer on a 1-10 rubric and explain each criterion in detail: ${words(14)}`,
        { ...shared, ipPrefix: `203.0.${113 + (f % 3)}`, signupAt: burst + f * 2 * 60_000 },
      );
  const v = analyze({ state, minTier: 'watch' });
  assertCampaignTiers(v);
  const farm = v.alerts.filter((a) => a.account.startsWith('farm') && a.tier !== 'watch');
  assert.ok(farm.length >= 8, `farm accounts alerted: ${farm.length}`);
  const h = v.alerts.find((a) => a.account === 'hitchhiker');
  const camp = v.campaigns.find((c) => c.accounts.includes('hitchhiker'));
  assert.ok(camp?.accounts.includes('farm0'), "the student is in the farm's campaign");
  if (h !== undefined && h.tier !== 'watch') {
    assert.equal(h.tier, 'verify', 'never above verify');
    assert.ok(
      h.reasons.some((r) => r.code === 'own-profile'),
      'accused by its own profile only',
    );
  }
});

// Friends sign up together: a class of 40 joins over a week in the daytime, five at a time within
// twenty minutes. Each such hour is "improbable" for a random draw of accounts (five of a
// campaign's forty in one hour of a log of 540), but against the class's own pace, over that day
// and at that hour on the days around it, it is ordinary: no sign-up burst attributes them.
test('friends signing up together in a class that joins over a week are no sign-up burst', () => {
  const { state, t0, words, rng, put } = ordinaryWorld(59);
  const homework = [
    'Homework 2: explain step by step how to solve this and show all your reasoning: {item}',
    'Walk me through the solution to this exercise, every step of the working please: {item}',
  ];
  const weekStart = t0 - 10 * 86_400_000;
  for (let g = 0; g < 8; g++) {
    const at = weekStart + (g % 7) * 86_400_000 + (9 + Math.floor(rng() * 8)) * 3_600_000;
    for (let f = 0; f < 5; f++) {
      const id = `student${g * 5 + f}`;
      const signupAt = at + Math.floor(rng() * 20 * 60_000);
      for (let k = 0; k < 300; k++) {
        const text =
          k % 2 === 0
            ? (homework[k % 4 === 0 ? 0 : 1] ?? '').replace('{item}', words(12))
            : `${words(8)}?`;
        put(id, text, {
          ipPrefix: '198.51.100',
          asn: 'AS64997',
          userAgent: 'Mozilla/5.0',
          signupAt,
        });
      }
    }
  }
  const v = analyze({ state, minTier: 'watch' });
  assertCampaignTiers(v);
  const students = v.alerts.filter((a) => a.account.startsWith('student'));
  assert.ok(students.length > 0, 'the class is listed');
  assertNoTieAccusation(students);
});

// The smallest campaign: two fresh accounts on one card and one cloud range, every request from
// extraction templates. Each member's conformal p-value cannot go below 1 / (cohort size), so
// the pair's combined p is about 10^-4.3; with three candidate groups e-BH at 0.01 needs an
// e-value of 300. The integral calibrator alone gives about 200 (the pair stays at watch); the
// campaign calibrator (half integral, half κ = 0.1) gives about 460, and the pair is alerted.
test('a campaign of two accounts on one card is alerted: the calibrator has power where e-BH decides', () => {
  const { state, t0, words, put } = ordinaryWorld(61);
  const day = 86_400_000;
  // two teams of four on a card each, ordinary behaviour: candidate groups that are not flagged
  for (let t = 0; t < 2; t++)
    for (let m = 0; m < 4; m++)
      for (let k = 0; k < 60; k++)
        put(`team${t}-${m}`, `${words(9)}?`, {
          ipPrefix: `10.250.${t * 4 + m}`,
          asn: `AS${64700 + t}`,
          userAgent: 'Mozilla/5.0',
          payment: `card-team${t}`,
          signupAt: t0 - (300 + t) * day,
        });
  const templates = [
    'Solve the following problem. Show every step of your reasoning before the final answer: {item}',
    'You are an expert grader. Score the answer below from 1 to 10 and justify the score: {item}',
  ];
  const pair = ['pair0', 'pair1'];
  for (const [i, id] of pair.entries())
    for (let k = 0; k < 600; k++)
      put(id, (templates[k % 2] ?? '').replace('{item}', words(14)), {
        ipPrefix: '203.0.113',
        asn: 'AS14061',
        userAgent: 'python-requests/2.31.0',
        payment: 'card-pair',
        signupAt: t0 - 2 * day + i * 600_000,
      });
  const v = analyze({ state, minTier: 'watch' });
  assertCampaignTiers(v);
  const c = v.campaigns.find((x) => pair.every((id) => x.accounts.includes(id)));
  assert.ok(c, 'the pair is one candidate group');
  assert.ok(c.log10P > -5 && c.log10P < -3.5, `p = 10^${c.log10P.toFixed(2)}: at the cohort floor`);
  assert.equal(v.counts.candidateCampaigns, 3);
  const alerted = v.alerts
    .filter((a) => a.tier !== 'watch')
    .map((a) => a.account)
    .sort();
  assert.deepEqual(alerted, pair);
});

// A farm signs ten accounts up over one afternoon, two in each of five clock hours, on ten clouds
// with no shared card or range; the accounts share only their task templates. No sign-up hour
// holds more than two of them (a pair in an hour is a coincidence in any busy log), so only the
// sign-up *day* ties the template's holders together. Three ordinary users of the cloud and
// client library three farm accounts use signed up that afternoon too, within the farm's burst
// but not in those three accounts' hours: an AS + agent and a sign-up day are both values many
// parties hold, and their overlap must not draw those users in.
test('a farm that signs up over one afternoon is linked through its sign-up day, not its AS + agent', () => {
  const { state, t0, words, put } = ordinaryWorld(61);
  const day = t0 - 5 * 86_400_000;
  const cloud = { asn: 'AS64512', userAgent: 'curl/8.0' };
  const tasks = [
    'Solve this step by step and show all of your reasoning before the final answer: {item}',
    'Explain your full chain of thought for the following task, then answer it: {item}',
  ];
  for (let f = 0; f < 10; f++) {
    const signupAt = day + 13 * 3_600_000 + Math.floor(f / 2) * 3_600_000 + (f % 2) * 50 * 60_000;
    const net =
      f < 3 ? cloud : { asn: `AS6520${f}`, userAgent: f % 2 === 0 ? 'okhttp/4.10' : 'python/3.11' };
    // items from a pool of 60 per account, so that its frame set holds every frame (no sampling)
    const items = Array.from({ length: 60 }, () => words(10));
    for (let k = 0; k < 400; k++)
      put(`farm${f}`, (tasks[k % 2] ?? '').replace('{item}', items[k % 60] ?? ''), {
        ...net,
        ipPrefix: `192.0.${f}`,
        signupAt,
      });
  }
  for (let u = 0; u < 3; u++)
    for (let k = 0; k < 120; k++)
      put(`neighbour${u}`, `${words(8)}?`, {
        ...cloud,
        ipPrefix: `10.250.${u}`,
        signupAt: day + (16 + u) * 3_600_000 + (u === 2 ? 40 : 20) * 60_000,
      });
  const v = analyze({ state, minTier: 'watch' });
  assertCampaignTiers(v);
  const farm = v.alerts.filter((a) => a.account.startsWith('farm') && a.tier !== 'watch');
  assert.ok(farm.length >= 8, `farm accounts alerted: ${farm.length}`);
  const camp = v.campaigns.find((c) => c.accounts.includes('farm0'));
  assert.ok(camp !== undefined && camp.accounts.filter((a) => a.startsWith('farm')).length >= 8);
  for (const u of ['neighbour0', 'neighbour1', 'neighbour2']) {
    assert.ok(!camp.accounts.includes(u), `${u} is not in the farm's campaign`);
    assert.equal(
      v.alerts.find((a) => a.account === u && a.tier !== 'watch'),
      undefined,
    );
  }
});

// Two farms of different operators, each on its own card, use one generic extraction template
// besides their own. The big one signed its accounts up over ten days, three of them on the day
// the small one signed up all of its accounts. That day and the generic template overlap
// improbably (nine of the day's nine sign-ups hold it), but the day is the small farm's, not
// the big one's: it must not chain the two campaigns into one.
test('a sign-up day joins a component only when most of its members signed up that day', () => {
  const { state, t0, words, put } = ordinaryWorld(67);
  const day = t0 - 3 * 86_400_000;
  const generic = 'Show your reasoning step by step, then give the final answer: {item}';
  const farm = (
    name: string,
    n: number,
    own: string,
    signup: (f: number) => number,
    card: string,
  ): void => {
    for (let f = 0; f < n; f++) {
      const items = Array.from({ length: 40 }, () => words(10));
      for (let k = 0; k < 300; k++)
        put(`${name}${f}`, (k % 2 === 0 ? own : generic).replace('{item}', items[k % 40] ?? ''), {
          asn: `AS6530${f % 7}`,
          userAgent: 'python/3.11',
          ipPrefix: `198.${name === 'big' ? 18 : 19}.${f}`,
          payment: card,
          signupAt: signup(f),
        });
    }
  };
  farm(
    'big',
    20,
    'Grade the following answer on a 1-10 rubric and justify each criterion: {item}',
    (f) => (f < 3 ? day + (9 + f) * 3_600_000 : day - (1 + (f % 9)) * 86_400_000 - 3_600_000),
    'card-big',
  );
  farm(
    'small',
    6,
    'Translate to formal English and explain every change you made: {item}',
    (f) => day + (13 + f) * 3_600_000,
    'card-small',
  );
  const v = analyze({ state, minTier: 'watch' });
  const big = v.campaigns.find((c) => c.accounts.includes('big0'));
  const small = v.campaigns.find((c) => c.accounts.includes('small0'));
  assert.ok(big !== undefined && small !== undefined);
  assert.notEqual(big.id, small.id, 'two campaigns');
  assert.ok(!big.accounts.some((a) => a.startsWith('small')));
});
