import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createState, emptyFeatures, featurize, observe } from '../../src/monitor/index.js';
import {
  campaignTier,
  EVALUATION_NOVELTY,
  ESTABLISHED_DAYS,
  type TierInput,
} from '../../src/monitor/campaign.js';
import { mulberry32 } from '../../src/monitor/hash.js';
import type { AccountState } from '../../src/monitor/state.js';
import { trafficRecord } from '../helpers/traffic.js';

const DAY = 86_400_000;
const WORDS =
  'apple river stone cloud garden window music paper silver forest engine market winter candle planet bridge orange letter mirror ocean pencil shadow ticket valley'.split(
    ' ',
  );

/**
 * Four accounts of 300 requests each: new prompts every time, or the same 20 prompts re-sent by
 * all of them (an evaluation set); signed up `ageDays` before their first request (undefined:
 * no sign-up time); all under `org` when given.
 */
function members(opts: {
  repeat: boolean;
  ageDays: number | undefined;
  org?: string;
}): AccountState[] {
  const rng = mulberry32(11);
  const words = (n: number): string =>
    Array.from({ length: n }, () => WORDS[Math.floor(rng() * WORDS.length)] ?? 'x').join(' ');
  const evaluation = Array.from({ length: 20 }, () => `${words(9)}?`);
  const state = createState();
  const feats = emptyFeatures();
  const t0 = Date.UTC(2026, 5, 1);
  for (let a = 0; a < 4; a++)
    for (let k = 0; k < 300; k++) {
      const text = opts.repeat ? (evaluation[k % 20] ?? '') : `${words(9)}?`;
      const r = trafficRecord(text, {
        account: `m${a}`,
        ts: t0 + k * 60_000 + a * 1000,
        signupAt: opts.ageDays === undefined ? undefined : t0 - opts.ageDays * DAY,
        org: opts.org,
      });
      observe(state, r, featurize(r, feats));
    }
  return [...state.accounts.values()].sort((x, y) => (x.id < y.id ? -1 : 1));
}

/** A flagged campaign of those accounts, p = 1e-12, tied by a shared payment method. */
function input(accs: readonly AccountState[], over: Partial<TierInput> = {}): TierInput {
  const idx = accs.map((_, i) => i);
  return {
    accs,
    cohort: accs.map(() => 0),
    controlPool: [],
    candidate: { root: 0, members: idx, scored: idx, ps: new Map(), log10P: -12, logE: 0 },
    memberAccs: accs,
    flagged: true,
    links: [{ kinds: 'payment' }],
    linkSummary: [{ kinds: 'payment', groups: 1, log10P: -6 }],
    medianPercentile: 0.9,
    requests: accs.reduce((s, a) => s + a.n, 0),
    elicit: 0,
    minCampaignRequests: 1000,
    licenceList: false,
    ...over,
  };
}

const codes = (r: { reasons: readonly { code: string }[] }): string[] =>
  r.reasons.map((x) => x.code);

test('campaign tier: a strongly tied, extreme, harvesting campaign is blocked; weaker ones step down', () => {
  const fresh = members({ repeat: false, ageDays: 1 });
  const block = campaignTier(input(fresh));
  assert.equal(block.tier, 'block');
  assert.deepEqual(codes(block), ['campaign', 'linked-by-payment', 'pooled-elicitation']);
  // tied only by a path and templates: throttled, not blocked
  const path = campaignTier(
    input(fresh, {
      links: [{ kinds: 'content+infrastructure' }],
      linkSummary: [{ kinds: 'content+infrastructure', groups: 2, log10P: -8 }],
    }),
  );
  assert.equal(path.tier, 'throttle');
  // members not extreme for their cohorts, or a weaker p-value: verify
  assert.equal(campaignTier(input(fresh, { medianPercentile: 0.6 })).tier, 'verify');
  const weak = input(fresh);
  assert.equal(
    campaignTier({ ...weak, candidate: { ...weak.candidate, log10P: -5 } }).tier,
    'verify',
  );
  // not selected by e-BH: watch, and no cap is needed to say so
  const near = campaignTier({
    ...weak,
    flagged: false,
    candidate: { ...weak.candidate, log10P: -4 },
  });
  assert.equal(near.tier, 'watch');
  assert.ok(!codes(near).includes('immaterial'));
});

test('campaign tier caps: wording alone, too few requests, one established organisation', () => {
  const fresh = members({ repeat: false, ageDays: 1 });
  const wording = campaignTier(
    input(fresh, {
      links: [{ kinds: 'extraction-wording' }],
      linkSummary: [{ kinds: 'extraction-wording', groups: 1, log10P: -14 }],
    }),
  );
  assert.equal(wording.tier, 'watch');
  assert.ok(codes(wording).includes('wording-only'));
  // wording beside another kind of link is not capped
  assert.equal(
    campaignTier(input(fresh, { links: [{ kinds: 'extraction-wording' }, { kinds: 'payment' }] }))
      .tier,
    'block',
  );
  const few = campaignTier(input(fresh, { minCampaignRequests: 1201 }));
  assert.equal(few.tier, 'watch');
  assert.ok(codes(few).includes('immaterial'));
  assert.equal(campaignTier(input(fresh, { minCampaignRequests: 1200 })).tier, 'block');

  const org = members({ repeat: false, ageDays: ESTABLISHED_DAYS + 30, org: 'acme' });
  const oneOrg = campaignTier(input(org));
  assert.equal(oneOrg.tier, 'watch');
  assert.ok(codes(oneOrg).includes('one-organisation'));
  // with a licence list, an organisation not on it is judged like any other group
  assert.equal(campaignTier(input(org, { licenceList: true })).tier, 'block');
  // fresh accounts of one org are not an established customer
  assert.equal(
    campaignTier(input(members({ repeat: false, ageDays: 2, org: 'acme' }))).tier,
    'block',
  );
});

test('campaign tier caps: an evaluation re-sending its set from established accounts stays at watch', () => {
  const evaluation = campaignTier(input(members({ repeat: true, ageDays: ESTABLISHED_DAYS + 5 })));
  assert.equal(evaluation.tier, 'watch');
  const reason = evaluation.reasons.find((r) => r.code === 'evaluation-like');
  assert.ok(reason?.value !== undefined && reason.value < EVALUATION_NOVELTY, 'pooled novelty');
  assert.ok(codes(evaluation).includes('shared-prompts'), 'members send the same prompts');
  assert.ok(evaluation.overlap > 0.5, `overlap ${evaluation.overlap}`);
  // no sign-up dates: the conservative reading (an evaluation) is taken
  assert.equal(campaignTier(input(members({ repeat: true, ageDays: undefined }))).tier, 'watch');
  // fresh accounts re-sending prompts: what a fraud campaign runs on, not capped
  assert.equal(campaignTier(input(members({ repeat: true, ageDays: 2 }))).tier, 'block');
  // established accounts sending new prompts: a harvest, not an evaluation
  const harvest = campaignTier(input(members({ repeat: false, ageDays: ESTABLISHED_DAYS + 5 })));
  assert.equal(harvest.tier, 'block');
  assert.ok(harvest.overlap < 0.05, `overlap ${harvest.overlap}`);
});
