import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  createOpenAIClient,
  EngineError,
  loadLocalModel,
  localBackend,
  openAIBackend,
  parseRetryAfter,
  type LocalModel,
} from '../../src/engine/index.js';
import { startStub } from './stub-server.js';

const ZOO = process.env['CUSTOMS_ZOO'] ?? join(import.meta.dirname, '../../../shared/zoo');
let model: LocalModel | null = null;
async function zooModel(): Promise<LocalModel | null> {
  const file = join(ZOO, 'base-x');
  if (!existsSync(file)) return null;
  model ??= await loadLocalModel({ model: file });
  return model;
}

const noSleep = (delays: number[]) => (ms: number) => {
  delays.push(ms);
  return Promise.resolve();
};

test('completions with logprobs round-trip through a real local server', async (t) => {
  const m = await zooModel();
  if (!m) return t.skip('zoo not found');
  const stub = await startStub(m);
  try {
    const client = createOpenAIClient({ baseUrl: stub.url, apiKey: 'sk-test', model: 'zoo' });
    const r = await client.complete({
      prompt: 'For God so',
      maxTokens: 12,
      seed: 3,
      logprobs: 2,
      temperature: 0.7,
    });
    assert.equal(r.attempts, 1);
    const c = r.choices[0];
    assert.ok(c);
    const local = m.generate({
      prompt: 'For God so',
      maxNewTokens: 12,
      seed: 3,
      sampling: { temperature: 0.7 },
    });
    assert.equal(c.text, local.text);
    assert.equal(c.logprobs?.length, 12);
    assert.equal(c.logprobs?.[0]?.top.length, 2);
    assert.ok((c.logprobs?.[0]?.top[0]?.logprob ?? 0) >= (c.logprobs?.[0]?.top[1]?.logprob ?? 0));
    assert.deepEqual(r.usage, { promptTokens: 10, completionTokens: 12 });
    const req = stub.requests[0];
    assert.equal(req?.auth, 'Bearer sk-test');
    assert.deepEqual(req?.body, {
      model: 'zoo',
      max_tokens: 12,
      temperature: 0.7,
      seed: 3,
      stream: false,
      prompt: 'For God so',
      logprobs: 2,
    });
    assert.deepEqual(await client.models(), ['zoo']);
  } finally {
    await stub.close();
  }
});

test('chat completions return per-token logprobs with bytes and alternatives', async (t) => {
  const m = await zooModel();
  if (!m) return t.skip('zoo not found');
  const stub = await startStub(m);
  try {
    const client = createOpenAIClient({ baseUrl: stub.url.replace(/\/v1$/, '') });
    assert.equal(client.baseUrl, stub.url);
    const r = await client.chat({
      messages: [{ role: 'user', content: 'import' }],
      maxTokens: 8,
      logprobs: true,
      topLogprobs: 3,
    });
    const lp = r.choices[0]?.logprobs;
    assert.equal(lp?.length, 8);
    assert.equal(lp?.[0]?.bytes?.length, 1);
    assert.equal(lp?.[0]?.top.length, 3);
    // Without logprobs the field is null, not an empty list.
    const r2 = await client.chat({ messages: [{ role: 'user', content: 'import' }], maxTokens: 4 });
    assert.equal(r2.choices[0]?.logprobs, null);
    // A server that does not offer logprobs → null even when asked.
    const stub2 = await startStub(m, { logprobs: false });
    try {
      const c2 = createOpenAIClient({ baseUrl: stub2.url });
      const r3 = await c2.chat({
        messages: [{ role: 'user', content: 'x' }],
        maxTokens: 3,
        logprobs: true,
      });
      assert.equal(r3.choices[0]?.logprobs, null);
    } finally {
      await stub2.close();
    }
  } finally {
    await stub.close();
  }
});

test('retries 429/503 and connection resets with backoff, honouring Retry-After', async (t) => {
  const m = await zooModel();
  if (!m) return t.skip('zoo not found');
  const stub = await startStub(m);
  try {
    const delays: number[] = [];
    const client = createOpenAIClient({
      baseUrl: stub.url,
      sleep: noSleep(delays),
      random: () => 1,
      initialBackoffMs: 100,
    });
    stub.faults = [
      { kind: 'status', status: 429, retryAfter: '3' },
      { kind: 'status', status: 503 },
      { kind: 'reset' },
    ];
    const r = await client.complete({ prompt: 'a', maxTokens: 2 });
    assert.equal(r.attempts, 4);
    assert.deepEqual(delays, [3000, 200, 400]);
    // Exhausted retries surface the last error with its status.
    stub.faults = Array.from({ length: 6 }, () => ({ kind: 'status' as const, status: 502 }));
    const c2 = createOpenAIClient({ baseUrl: stub.url, maxRetries: 2, sleep: noSleep([]) });
    await assert.rejects(c2.complete({ prompt: 'a', maxTokens: 1 }), (e: unknown) => {
      return e instanceof EngineError && e.code === 'HTTP_STATUS' && e.details?.['status'] === 502;
    });
    stub.faults = [];
  } finally {
    await stub.close();
  }
});

test('non-retryable statuses, bad JSON, schema violations, huge bodies and timeouts are typed errors', async (t) => {
  const m = await zooModel();
  if (!m) return t.skip('zoo not found');
  const stub = await startStub(m);
  try {
    const client = createOpenAIClient({
      baseUrl: stub.url,
      sleep: noSleep([]),
      maxRetries: 0,
      timeoutMs: 20_000,
    });
    const quick = createOpenAIClient({
      baseUrl: stub.url,
      sleep: noSleep([]),
      maxRetries: 0,
      timeoutMs: 300,
    });
    const cases: [Parameters<typeof stub.faults.push>[0], string][] = [
      [{ kind: 'status', status: 400 }, 'HTTP_STATUS'],
      [{ kind: 'status', status: 401 }, 'HTTP_STATUS'],
      [{ kind: 'garbage' }, 'BAD_RESPONSE'],
      [{ kind: 'schema' }, 'BAD_RESPONSE'],
      [{ kind: 'huge' }, 'LIMIT_EXCEEDED'],
      [{ kind: 'hang', ms: 2000 }, 'TIMEOUT'],
      [{ kind: 'reset' }, 'NETWORK'],
    ];
    for (const [fault, code] of cases) {
      stub.faults = [fault];
      await assert.rejects(
        (fault.kind === 'hang' ? quick : client).complete({ prompt: 'a', maxTokens: 1 }),
        (e: unknown) => e instanceof EngineError && e.code === code,
        `${fault.kind} → ${code}`,
      );
    }
    // A Retry-After beyond the cap is not waited for.
    const c2 = createOpenAIClient({ baseUrl: stub.url, sleep: noSleep([]) });
    stub.faults = [{ kind: 'status', status: 429, retryAfter: '86400' }];
    await assert.rejects(
      c2.complete({ prompt: 'a', maxTokens: 1 }),
      (e: unknown) => e instanceof EngineError && e.code === 'HTTP_STATUS',
    );
    // Caller abort.
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(
      c2.complete({ prompt: 'a', maxTokens: 1 }, ac.signal),
      (e: unknown) => e instanceof EngineError && e.code === 'TIMEOUT',
    );
  } finally {
    await stub.close();
  }
  assert.throws(
    () => createOpenAIClient({ baseUrl: 'ftp://x' }),
    (e: unknown) => e instanceof EngineError && e.code === 'BAD_OPTIONS',
  );
  assert.throws(
    () => createOpenAIClient({ baseUrl: 'not a url' }),
    (e: unknown) => e instanceof EngineError && e.code === 'BAD_OPTIONS',
  );
  await assert.rejects(
    createOpenAIClient({ baseUrl: 'http://127.0.0.1:9/v1', maxRetries: 0 }).complete({
      prompt: 'a',
      maxTokens: 1,
    }),
    (e: unknown) => e instanceof EngineError && e.code === 'NETWORK',
  );
});

test('Retry-After parsing: seconds and HTTP dates', () => {
  assert.equal(parseRetryAfter('5'), 5000);
  assert.equal(parseRetryAfter(null), null);
  assert.equal(parseRetryAfter('soon'), null);
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
  assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', now), 10000);
});

test('local and OpenAI backends give the same continuation for the same seed', async (t) => {
  const m = await zooModel();
  if (!m) return t.skip('zoo not found');
  const stub = await startStub(m);
  try {
    const local = localBackend(m);
    const remote = openAIBackend(createOpenAIClient({ baseUrl: stub.url }), {
      mode: 'completions',
    });
    const req = {
      prompt: 'In the beginning',
      maxTokens: 10,
      seed: 11,
      temperature: 0.9,
      topLogprobs: 1,
    };
    const a = await local.complete(req);
    const b = await remote.complete(req);
    assert.equal(a.text, b.text);
    assert.equal(a.tokenIds?.length, 10);
    assert.equal(b.tokenIds, null);
    for (let i = 0; i < 10; i++)
      assert.ok(Math.abs((a.logprobs?.[i]?.logprob ?? 0) - (b.logprobs?.[i]?.logprob ?? 1)) < 1e-9);
    const chat = openAIBackend(createOpenAIClient({ baseUrl: stub.url }));
    const c = await chat.complete(req);
    assert.equal(c.text, a.text);
  } finally {
    await stub.close();
  }
});
