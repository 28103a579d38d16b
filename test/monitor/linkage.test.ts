import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  analyze,
  createState,
  emptyFeatures,
  featurize,
  observe,
} from '../../src/monitor/index.js';
import { behaviourAttributed } from '../../src/monitor/analyze.js';
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
  assert.equal(shipped.alerts.filter((a) => a.account.startsWith('acct')).length, 0);
  assert.ok(v.alerts.some((a) => a.account.startsWith('acct') && a.tier === 'watch'));
});
