/**
 * Reference inference engine for small Llama-family models (forward pass with KV cache,
 * sampling, teacher-forced scoring), tokenizers (bytes, Hugging Face BPE) and an
 * OpenAI-compatible HTTP client. API documented in docs/engine.md; keep it stable.
 */
export * from './errors.js';
export * from './weights.js';
export * from './forward.js';
export * from './sampling.js';
export * from './generate.js';
export * from './local.js';
export * from './tokenizer/index.js';
export * from './openai.js';
export * from './backend.js';
export * from './train.js';
