/** Untrusted model bytes → validated, typed views: safetensors, GGUF, element decoders, writers. */
export * from './limits.js';
export * from './dtypes.js';
export * from './safetensors.js';
export * from './safetensors-write.js';
export * from './gguf/index.js';
