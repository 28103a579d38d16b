import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { byteTokenizer, createRng, createSession, loadLocalModel } from '../../src/engine/index.js';
import {
  createNodeLlamaCppKgwBias,
  createTransformersJsWatermark,
  detectWatermark,
  keyFromSecret,
  keyedScheme,
  normalizeParams,
} from '../../src/watermark/index.js';

const ZOO = process.env['CUSTOMS_ZOO'] ?? join(import.meta.dirname, '../../../shared/zoo');
const KEY = keyFromSecret(Uint8Array.from({ length: 32 }, (_, i) => i * 5));

/**
 * transformers.js' `Callable` (src/utils/generic.js): instances are functions that call `_call`.
 * The real `LogitsProcessor` is this class with a throwing `_call`; the package is not installed
 * here (it pulls native ONNX runtimes), so the test uses the same five-line mechanism.
 */
const Callable = class {
  constructor() {
    const closure = function (...args: unknown[]): unknown {
      return (closure as unknown as { _call(...a: unknown[]): unknown })._call(...args);
    };
    return Object.setPrototypeOf(closure, new.target.prototype) as object;
  }
};
class LogitsProcessor extends Callable {}

test('transformers.js processor: Gumbel/SynthID terminal choice and KGW bias produce detectable text', async (t) => {
  if (!existsSync(join(ZOO, 'base-x'))) return t.skip('zoo not found');
  const m = await loadLocalModel({ model: join(ZOO, 'base-x') });
  for (const raw of [{ scheme: 'gumbel' }, { scheme: 'synthid' }, { scheme: 'kgw', delta: 3 }]) {
    const params = normalizeParams(raw);
    const P = createTransformersJsWatermark(LogitsProcessor, {
      params,
      key: KEY,
      vocabSize: 256,
      seed: 1,
    });
    const proc = new P() as unknown as ((
      ids: bigint[][],
      l: { data: Float32Array }[],
    ) => { data: Float32Array }[]) & { reset(): void };
    assert.equal(typeof proc, 'function', 'callable like a transformers.js processor');
    const ids: bigint[] = Array.from(new TextEncoder().encode('In the beginning'), (b) =>
      BigInt(b),
    );
    const s = createSession(m.weights, { slide: true });
    let logits = Float32Array.from(s.prefill(ids.map(Number)));
    const rng = createRng(9);
    for (let k = 0; k < 150; k++) {
      const out = proc([ids], [{ data: logits }]);
      const l = out[0]?.data ?? logits;
      let next: number;
      if (params.scheme === 'kgw') {
        // do_sample: true — multinomial over softmax of the biased logits
        const mx = Math.max(...l);
        const e = Array.from(l, (x) => Math.exp(x - mx));
        let u = rng.nextFloat() * e.reduce((a, b) => a + b, 0);
        next = e.findIndex((x) => (u -= x) < 0);
      } else {
        // do_sample: false — greedy returns the keyed choice (every other logit is −∞)
        next = l.indexOf(Math.max(...l));
        assert.equal(l.filter((x) => x > -Infinity).length, 1);
      }
      ids.push(BigInt(next));
      logits = Float32Array.from(s.step(next));
    }
    const tokens = ids.map(Number);
    const v = detectWatermark({
      tokens: tokens.slice(16),
      prompt: tokens.slice(0, 16),
      tokenizer: byteTokenizer(),
      keys: [KEY],
      params,
    });
    assert.equal(v.verdict, 'watermarked', `${params.scheme}: p=${v.pValue}`);
  }
});

test('node-llama-cpp token bias: δ on exactly the green ids of the current window', () => {
  const params = normalizeParams({
    scheme: 'kgw',
    seeding: 'lefthash',
    contextWidth: 2,
    delta: 2.5,
  });
  const sets: { ids: number[]; logit: number }[] = [];
  class TokenBias {
    set(input: number | readonly number[], bias: { logit: number }): this {
      sets.push({ ids: typeof input === 'number' ? [input] : [...input], logit: bias.logit });
      return this;
    }
  }
  let ctx = [104, 105];
  const fn = createNodeLlamaCppKgwBias(
    () => new TokenBias(),
    () => ctx,
    { params, key: KEY, vocabSize: 256 },
  );
  assert.ok(fn() instanceof TokenBias);
  const ks = keyedScheme({ params, key: KEY, vocabSize: 256 });
  const want: number[] = [];
  const buf = new Uint8Array(ks.messageBytes);
  const o = new Float64Array(1);
  for (let v = 0; v < 256; v++) {
    ks.pack(buf, 0, ctx, 2, v);
    ks.score(buf, 1, o);
    if (o[0] === 1) want.push(v);
  }
  assert.deepEqual(sets[0]?.ids, want);
  assert.equal(sets[0]?.logit, 2.5);
  assert.ok(want.length > 30 && want.length < 100, `${want.length} green of 256 (γ = 0.25)`);
  ctx = [104, 106];
  fn();
  assert.notDeepEqual(sets[1]?.ids, want, 'a new window gives a new green list');
});
