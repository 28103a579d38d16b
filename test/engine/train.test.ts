import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openModel } from '../../src/model/index.js';
import {
  cloneWeights,
  EngineError,
  loadWeights,
  parameters,
  scoreTokens,
  sequenceGradient,
  trainLanguageModel,
  zeroGradients,
  type LlamaWeights,
} from '../../src/engine/index.js';
import { tempDir, writeHfModel, type TinyShape } from '../helpers/fixtures.js';

const SHAPE: TinyShape = {
  hidden: 8,
  layers: 2,
  heads: 2,
  kvHeads: 1,
  headDim: 4,
  ffn: 12,
  vocab: 11,
};

async function tiny(family = 'llama', shape = SHAPE): Promise<LlamaWeights> {
  const { dir } = writeHfModel(join(tempDir(), family), family, shape);
  const view = await openModel(dir);
  try {
    return await loadWeights(view);
  } finally {
    await view.close();
  }
}

test('manual backprop matches central finite differences on every parameter array', async () => {
  const w = await tiny();
  // scale weights up so gradients are not tiny
  for (const p of parameters(w)) for (let i = 0; i < p.length; i++) p[i] = (p[i] ?? 0) * 4;
  const toks = [1, 4, 2, 9, 7, 7, 3, 0, 10];
  const g = zeroGradients(w);
  sequenceGradient(w, toks, g);
  const loss = (): number => sequenceGradient(w, toks, null).loss;
  let checked = 0;
  for (const p of parameters(w)) {
    const grad = g.get(p) as Float64Array;
    // a few coordinates per array, including the largest-gradient one
    let big = 0;
    for (let i = 0; i < p.length; i++)
      if (Math.abs(grad[i] ?? 0) > Math.abs(grad[big] ?? 0)) big = i;
    for (const i of [0, Math.floor(p.length / 2), p.length - 1, big]) {
      const old = p[i] ?? 0;
      // central difference at h and h/2, Richardson-extrapolated (truncation error O(h⁴));
      // the step is the float32-representable one since weights are stored as float32
      const cd = (h: number): number => {
        p[i] = old + h;
        const up = loss();
        p[i] = old - h;
        const down = loss();
        p[i] = old;
        return (up - down) / (Math.fround(old + h) - Math.fround(old - h));
      };
      const h = 4e-3;
      const fd = (4 * cd(h / 2) - cd(h)) / 3;
      const an = grad[i] ?? 0;
      assert.ok(
        Math.abs(fd - an) <= 1e-3 * Math.max(1, Math.abs(fd)),
        `FD ${fd} vs analytic ${an}`,
      );
      checked++;
    }
  }
  assert.ok(checked >= 4 * (3 + 2 * 9));
});

test("trainer loss equals the engine's teacher-forced scores; training lowers the loss; deterministic", async () => {
  const w = await tiny('llama', { ...SHAPE, hidden: 16, headDim: 8, ffn: 24 });
  const toks = [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 1, 2, 3, 4];
  const { loss, count } = sequenceGradient(w, toks, null);
  const sc = scoreTokens(w, { tokens: toks });
  const ref = -Array.from(sc.logprobs).reduce((a, b) => a + b, 0);
  assert.equal(count, toks.length - 1);
  assert.ok(Math.abs(loss - ref) < 1e-4 * Math.max(1, ref), `${loss} vs ${ref}`);
  const a = cloneWeights(w);
  const b = cloneWeights(w);
  const la = trainLanguageModel(a, {
    data: [toks.concat(toks)],
    seqLen: 12,
    batchSize: 2,
    epochs: 30,
    learningRate: 0.01,
    seed: 3,
  });
  const lb = trainLanguageModel(b, {
    data: [toks.concat(toks)],
    seqLen: 12,
    batchSize: 2,
    epochs: 30,
    learningRate: 0.01,
    seed: 3,
  });
  assert.deepEqual(la, lb);
  assert.ok(
    (la[la.length - 1] ?? 9) < (la[0] ?? 0) * 0.5,
    `losses ${la[0]} → ${la[la.length - 1]}`,
  );
  // the original is untouched by training a clone
  assert.equal(sequenceGradient(w, toks, null).loss, loss);
  const q = await tiny('qwen2', { ...SHAPE });
  assert.throws(
    () => trainLanguageModel(q, { data: [toks] }),
    (e: unknown) => e instanceof EngineError && e.code === 'UNSUPPORTED_MODEL',
  );
});
