import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ELICIT,
  emptyFeatures,
  featurize,
  type RequestFeatures,
} from '../../src/monitor/features.js';
import { CAPABILITIES } from '../../src/monitor/lexicon.js';
import type { TrafficRecord } from '../../src/monitor/record.js';
import { trafficRecord as rec } from '../helpers/traffic.js';

function f(text: string, extra: Partial<TrafficRecord> = {}): RequestFeatures {
  return { ...featurize(rec(text, extra), emptyFeatures()) };
}

test('template instances with masked slots share the skeleton and frame keys', () => {
  const a = f(
    'Solve for x: 3x + 7 = 22. The answer must be given to Maria in Paris by 2026-01-05.',
  );
  const b = f('Solve for x: 12x + 1 = 5. The answer must be given to Omar in Lagos by 2027-11-30.');
  assert.equal(a.skelKey, b.skelKey);
  assert.equal(a.headKey, b.headKey);
  assert.equal(a.tailKey, b.tailKey);
  assert.notEqual(a.contentKey, b.contentKey, 'different numbers are different content');
  const c = f('Tell me a story about a dragon who learns to cook pasta in the mountains.');
  assert.notEqual(a.skelKey, c.skelKey);
  assert.notEqual(a.headKey, c.headKey);
});

test('a fixed instruction frame survives a long free-text slot', () => {
  const frame = 'You are an expert grader. Using the rubric below, score the candidate response.';
  const a = f(`${frame}\nTask: explain photosynthesis in plants and the role of chlorophyll`);
  const b = f(`${frame}\nTask: describe how compilers optimise tail calls in functional languages`);
  assert.equal(a.headKey, b.headKey);
  assert.notEqual(a.skelKey, b.skelKey);
});

test('URLs, e-mail addresses, code blocks and quotes are masked', () => {
  const a = f('Summarize https://example.com/a?b=1 for bob@example.com: ```x = 1``` "first quote"');
  const b = f(
    'Summarize http://other.org/page for eve@test.io: ```y = [2, 3]``` "another quoted text"',
  );
  assert.equal(a.skelKey, b.skelKey);
});

test('identical text gives identical features (deterministic, no state leaks between calls)', () => {
  const t = 'Explain your reasoning step by step: why is the sky blue?';
  const x = f(t);
  f('something completely different with `code` and 42 numbers');
  assert.deepEqual(f(t), x);
});

test('elicitation: reasoning-trace requests, including paraphrases by lexical class', () => {
  for (const t of [
    'Think step by step and show your work.',
    'Imagine and articulate the internal reasoning behind a completed response.',
    'Before answering, write out your complete chain of thought.',
    'Lay out your full thought process, then answer.',
    'Resuelve paso a paso: 2 + 2',
    '请逐步思考：2+2',
  ])
    assert.ok(f(t).elicit & ELICIT.COT, t);
});

// Campaigns write their requests in any language (the 2025–26 cases were run by labs whose staff
// write Chinese, and a farm can rotate its templates over languages to stay under an English
// lexicon: on the third independent generator a CoT farm's accounts, whose templates rotate over
// Turkish, Korean, Indonesian and English, had a median of 16 % of requests detected). Each line
// is written from the language, not from any generator's templates.
test('elicitation: reasoning-trace and grading requests in other languages', () => {
  for (const t of [
    'Объясни свои рассуждения пошагово.',
    'Решай шаг за шагом и покажи ход мыслей.',
    'Soruyu adım adım çöz ve düşünce sürecini açıkla.',
    'Jelaskan penalaranmu langkah demi langkah.',
    'Giải thích từng bước một.',
    'Wyjaśnij swoje rozumowanie krok po kroku.',
    'Leg het stap voor stap uit.',
    '단계별로 추론 과정을 설명해 주세요.',
    '思考過程をステップバイステップで説明してください。',
    '请给出完整的思维链。',
  ])
    assert.ok(f(t).elicit & ELICIT.COT, t);
  for (const t of [
    'Сравни два ответа и оцени, какой ответ лучше.',
    'İki yanıtı karşılaştır ve 1-10 ölçeğinde puanla.',
  ])
    assert.ok(f(t).elicit & ELICIT.RUBRIC, t);
  // ordinary requests in the same languages
  for (const t of [
    'Привет! Напиши короткое стихотворение о весне.',
    'Yarın İstanbul’da hava nasıl olacak?',
    'Apa resep nasi goreng yang enak?',
    'Hôm nay thời tiết thế nào?',
    '오늘 저녁 메뉴 추천해 주세요.',
    '東京でおすすめのラーメン屋はどこですか？',
    'Какой фильм посмотреть вечером?',
    // "inference" in the machine-learning sense, the same word as "reasoning" in both languages
    '推論サーバーのレイテンシを下げる方法は？',
    '추론 서버 비용을 줄이는 방법이 있나요?',
  ])
    assert.equal(f(t).elicit, 0, t);
});

test('elicitation: rubric, tool traces, rewrites and sampling parameters', () => {
  assert.ok(
    f('Score the following response from 1 to 10 according to the rubric.').elicit & ELICIT.RUBRIC,
  );
  assert.ok(f('Which response is better? Rate each answer.').elicit & ELICIT.RUBRIC);
  assert.ok(f('You have access to the following tools: search, python.').elicit & ELICIT.TOOL);
  assert.ok(
    f('Thought: I should search. Action: search. Observation: nothing.').elicit & ELICIT.TOOL,
  );
  assert.ok(f('hello', { tools: 3 }).elicit & ELICIT.TOOL);
  assert.ok(f('Rewrite this so it avoids politically sensitive content.').elicit & ELICIT.REWRITE);
  assert.ok(f('hello', { multiSample: true }).elicit & ELICIT.MULTI);
});

test('elicitation: ordinary requests are not flagged', () => {
  for (const t of [
    'What is the weather like in Oslo in March?',
    'Write a haiku about autumn leaves.',
    'How do I install numpy on Windows?',
    'Give me three ideas for a birthday party.',
    'Can you recommend a good book about history?',
  ])
    assert.equal(f(t).elicit, 0, t);
});

test('capability tags follow the keyword taxonomy', () => {
  const cap = (t: string): string => CAPABILITIES[f(t).capability] ?? '?';
  assert.equal(
    cap('Why does my Python function throw a TypeError when I import this module?'),
    'coding',
  );
  assert.equal(cap('Solve the equation and find the derivative of the polynomial.'), 'math');
  assert.equal(cap('Translate this sentence into French and explain the grammar.'), 'language');
  assert.equal(cap('hello there'), 'general');
});

test('topic cells are within range and the analysed text is bounded', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 3000 }), (s) => {
      const x = f(s);
      assert.ok(x.cell >= 0 && x.cell < CAPABILITIES.length * 64);
      assert.ok(x.tokens <= 2048);
    }),
    { numRuns: 200 },
  );
  const huge = 'word '.repeat(200_000);
  const x = f(huge);
  assert.ok(x.tokens <= 2048);
});

test('short prompts have no exact-content key (everyone says "thanks")', () => {
  assert.equal(f('thanks!').contentKey, 0);
  assert.notEqual(
    f('please explain the difference between a list and a tuple in Python').contentKey,
    0,
  );
});
