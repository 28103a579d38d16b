import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, ingest, simulateTraffic } from '../../src/monitor/index.js';
import { attributes, EVIDENCE } from '../../src/monitor/analyze.js';

const dir = mkdtempSync(join(tmpdir(), 'mon-attr-'));

// Regression: a reseller proxy carries a hydra campaign and the reseller's own legitimate
// customers. The gateway stamps every forwarded request with its system prompt, so customers share
// the campaign's /24 ranges, AS + user agent and system-prompt hash: three attribute values the
// campaign dominates, all of them properties of the path the traffic took. Counting them as
// three pieces of evidence alerted the customers; only attributes of who controls the accounts
// (payment, sign-up burst, synchronised activity, user-prompt templates) may attribute an account.
test('benign customers behind a hydra proxy are not alerted, the hydra is', async () => {
  let text = '';
  const truth = await simulateTraffic(
    {
      records: 120_000,
      seed: 606,
      attack: {
        sweeps: 0,
        pivots: 0,
        adaptive: 0,
        hydras: 2,
        mixing: [0.25],
        proxyCustomers: 1,
        gatewayPrompt: 1,
      },
    },
    (c) => {
      text += c;
    },
  );
  const file = join(dir, 'proxy.jsonl');
  writeFileSync(file, text);
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
