/**
 * Black-box provenance probe: was a suspect model distilled or fine-tuned from ours? Targets
 * (local models, OpenAI-compatible endpoints), the committed battery, the response cache, the
 * paired relative tests with e-values, the budget planner, the verdict and its renderings.
 */
export * from './errors.js';
export * from './target.js';
export * from './targets.js';
export * from './hash.js';
export * from './battery.js';
export * from './cache.js';
export * from './similarity.js';
export * from './families.js';
export * from './statistics.js';
export * from './planner.js';
export * from './verdict.js';
export * from './run.js';
export * from './render.js';
