import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ipPrefix, parseTime, toRecord, MAX_MESSAGES } from '../../src/monitor/record.js';
import { loadMapping, parseMapping, presetMapping } from '../../src/monitor/mapping.js';
import { MonitorError } from '../../src/monitor/errors.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const native = presetMapping('native');

test('a native record is validated and normalised', () => {
  const v = toRecord(
    {
      ts: '2026-03-02T10:00:00.5Z',
      account: 'acct1',
      model: 'model-a',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: [{ type: 'text', text: 'what is 2+2?' }] },
      ],
      inputTokens: 12,
      outputTokens: 3,
      ip: '203.0.113.77',
      asn: 13335,
      payment: 'pay_x',
      signupAt: 1767225600,
      n: 4,
    },
    native,
  );
  assert.ok(v.ok);
  if (!v.ok) return;
  assert.equal(v.record.ts, Date.UTC(2026, 2, 2, 10, 0, 0, 500));
  assert.equal(v.record.text, 'what is 2+2?');
  assert.equal(v.record.turns, 2);
  assert.equal(v.record.system, 'be brief');
  assert.equal(v.record.ipPrefix, '203.0.113');
  assert.equal(v.record.asn, 'AS13335');
  assert.equal(v.record.signupAt, 1767225600 * 1000);
  assert.equal(v.record.multiSample, true);
});

test('malformed records name the reason and the field', () => {
  const cases: [unknown, string | undefined, string | undefined][] = [
    [[1, 2], 'NOT_OBJECT', ''],
    [{ account: 'a', model: 'm', prompt: 'x' }, 'MISSING_FIELD', 'ts'],
    [{ ts: 'yesterday', account: 'a', model: 'm', prompt: 'x' }, 'BAD_FIELD', 'ts'],
    [{ ts: '2026-02-31T00:00:00Z', account: 'a', model: 'm', prompt: 'x' }, 'BAD_FIELD', 'ts'],
    [{ ts: 1e18, account: 'a', model: 'm', prompt: 'x' }, 'BAD_FIELD', 'ts'],
    [{ ts: '2026-03-01', model: 'm', prompt: 'x' }, 'MISSING_FIELD', 'account'],
    [{ ts: '2026-03-01', account: '', model: 'm', prompt: 'x' }, 'BAD_FIELD', 'account'],
    [{ ts: '2026-03-01', account: 'a', model: 'm' }, 'MISSING_FIELD', 'prompt'],
    [{ ts: '2026-03-01', account: 'a', model: 'm', prompt: 5 }, 'BAD_FIELD', 'prompt'],
    [
      { ts: '2026-03-01', account: 'a', model: 'm', messages: 'x', prompt: 'y' },
      undefined,
      undefined,
    ],
    [
      { ts: '2026-03-01', account: 'a', model: 'm', messages: [{ role: 'user', content: 7 }] },
      'BAD_FIELD',
      'messages.0.content',
    ],
    [
      { ts: '2026-03-01', account: 'a', model: 'm', prompt: 'x', inputTokens: -1 },
      'BAD_FIELD',
      'inputTokens',
    ],
    [
      { ts: '2026-03-01', account: 'a', model: 'm', prompt: 'x', ip: '300.1.1.1' },
      'BAD_FIELD',
      'ip',
    ],
    [{ ts: '2026-03-01', account: 'a', model: 'm', prompt: 'x', asn: 'ASXYZ' }, 'BAD_FIELD', 'asn'],
    [
      { ts: '2026-03-01', account: 'a', model: 'm', prompt: 'x', account2: 1, signupAt: {} },
      'BAD_FIELD',
      'signupAt',
    ],
    [
      { ts: '2026-03-01', account: 'a'.repeat(300), model: 'm', prompt: 'x' },
      'BAD_FIELD',
      'account',
    ],
  ];
  for (const [obj, reason, field] of cases) {
    const v = toRecord(obj, native);
    if (reason === undefined) {
      assert.ok(v.ok, JSON.stringify(obj));
      continue;
    }
    assert.equal(v.ok, false, JSON.stringify(obj));
    if (v.ok) continue;
    assert.equal(v.reason, reason, JSON.stringify(obj));
    assert.equal(v.field ?? '', field, JSON.stringify(obj));
  }
  const many = {
    ts: '2026-03-01',
    account: 'a',
    model: 'm',
    messages: new Array(MAX_MESSAGES + 1).fill({ role: 'user', content: 'x' }),
  };
  const v = toRecord(many, native);
  assert.equal(v.ok, false);
  if (!v.ok) assert.equal(v.reason, 'LIMIT_EXCEEDED');
});

test('the fast ISO path agrees with Date.parse', () => {
  fc.assert(
    fc.property(
      fc.date({ min: new Date('2000-01-02'), max: new Date('2099-12-30'), noInvalidDate: true }),
      (d) => {
        const s = d.toISOString();
        assert.equal(parseTime(s, 'auto'), Date.parse(s));
        assert.equal(
          parseTime(s.replace('.000Z', 'Z'), 'auto'),
          Date.parse(s.replace('.000Z', 'Z')),
        );
      },
    ),
    { numRuns: 500 },
  );
  assert.equal(
    parseTime('2026-03-02T10:00:00+02:00', 'auto'),
    Date.parse('2026-03-02T10:00:00+02:00'),
  );
  assert.equal(parseTime('2026-03-02', 'auto'), Date.UTC(2026, 2, 2));
  assert.ok(Number.isNaN(parseTime('2026-13-02T00:00:00Z', 'auto')));
  assert.equal(parseTime(1767225600, 'epoch-s'), 1767225600000);
  assert.equal(parseTime('1767225600000', 'epoch-ms'), 1767225600000);
});

test('IP prefixes: IPv4 /24 and IPv6 /48', () => {
  assert.equal(ipPrefix('10.1.2.3'), '10.1.2');
  assert.equal(ipPrefix('255.255.255.255'), '255.255.255');
  assert.equal(ipPrefix('1.2.3'), undefined);
  assert.equal(ipPrefix('1.2.3.256'), undefined);
  assert.equal(ipPrefix('01.2.3.4.5'), undefined);
  assert.equal(ipPrefix('2001:db8:abcd:12::1'), '2001:db8:abcd');
  assert.equal(ipPrefix('2001:db8::1'), '2001:db8:0');
  assert.equal(ipPrefix('::1'), '0:0:0');
  assert.equal(ipPrefix('not-an-ip'), undefined);
});

test('OpenAI-style gateway logs are read through the openai preset', () => {
  const v = toRecord(
    {
      created: 1772445600,
      user: 'user-42',
      request: {
        model: 'gpt-x',
        messages: [{ role: 'user', content: 'Explain your reasoning step by step' }],
        n: 1,
      },
      response: {
        choices: [{ message: { content: 'ok' } }],
        usage: { prompt_tokens: 9, completion_tokens: 1 },
      },
    },
    presetMapping('openai'),
  );
  assert.ok(v.ok);
  if (!v.ok) return;
  assert.equal(v.record.account, 'user-42');
  assert.equal(v.record.model, 'gpt-x');
  assert.equal(v.record.ts, 1772445600000);
  assert.equal(v.record.inputTokens, 9);
  assert.equal(v.record.responseChars, 2);
});

test('LiteLLM StandardLoggingPayload is read through the litellm preset', () => {
  const v = toRecord(
    {
      id: 'x',
      startTime: 1772445600.25,
      model: 'claude-x',
      prompt_tokens: 100,
      completion_tokens: 900,
      metadata: {
        user_api_key_hash: 'hash-abc',
        user_api_key_org_id: 'org-1',
        requester_ip_address: '198.51.100.9',
      },
      messages: [{ role: 'user', content: 'hello' }],
    },
    presetMapping('litellm'),
  );
  assert.ok(v.ok);
  if (!v.ok) return;
  assert.equal(v.record.account, 'hash-abc');
  assert.equal(v.record.org, 'org-1');
  assert.equal(v.record.ipPrefix, '198.51.100');
  assert.equal(v.record.ts, 1772445600250);
});

test('mapping files: overrides, alternatives, errors name the field', () => {
  const m = parseMapping({
    preset: 'native',
    fields: { account: ['meta.key', 'user'], ts: { path: 'when', format: 'epoch-ms' } },
  });
  const v = toRecord({ when: 1772445600000, user: 'u', model: 'm', prompt: 'p' }, m);
  assert.ok(v.ok);
  const bad = (doc: unknown, field: string): void => {
    assert.throws(
      () => parseMapping(doc, 'map.json'),
      (e: unknown) =>
        e instanceof MonitorError &&
        e.code === 'BAD_MAPPING' &&
        (e.where?.field ?? '').startsWith(field),
    );
  };
  bad({ fields: { acount: 'x' } }, 'fields.acount');
  bad({ preset: 'splunk' }, 'preset');
  bad({ fields: { ts: { path: 'a', format: 'unix' } } }, 'fields.ts.format');
  bad({ fields: { model: 'a..b' } }, 'fields.model');
  bad({ fields: { model: 7 } }, 'fields.model');
  bad({ extra: 1 }, 'extra');
  assert.throws(
    () => parseMapping({ fields: { account: null } }),
    (e: unknown) => e instanceof MonitorError && e.code === 'BAD_MAPPING',
  );
  const dir = mkdtempSync(join(tmpdir(), 'mon-map-'));
  writeFileSync(join(dir, 'bad.json'), '{not json');
  assert.throws(
    () => loadMapping(join(dir, 'bad.json')),
    (e: unknown) => e instanceof MonitorError && e.code === 'BAD_MAPPING',
  );
  assert.throws(
    () => loadMapping(join(dir, 'missing.json')),
    (e: unknown) => e instanceof MonitorError && e.code === 'NOT_FOUND',
  );
  assert.equal(loadMapping('litellm').name, 'litellm');
});

test('OpenAI-style tool traces are counted: tool and function messages, assistant tool_calls', () => {
  const base = { ts: '2026-03-02T10:00:00Z', account: 'a', model: 'm' };
  const v = toRecord(
    {
      ...base,
      messages: [
        { role: 'system', content: 'You can call: get_weather(city)' },
        { role: 'user', content: 'weather in Oslo?' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [{ type: 'function', function: { name: 'get_weather' } }],
        },
        { role: 'tool', content: '{"t": 3}' },
        { role: 'function', content: '{"t": 4}' },
      ],
    },
    native,
  );
  assert.ok(v.ok);
  if (!v.ok) return;
  assert.equal(v.record.toolTurns, 3);
  assert.equal(v.record.text, 'weather in Oslo?');
  const chat = toRecord(
    {
      ...base,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: 'bye' },
      ],
    },
    native,
  );
  assert.ok(chat.ok && chat.record.toolTurns === 0);
});
