/** Byte sources (file, HTTP Range, memory) and model spec resolution (paths, HF cache, Ollama, URLs). */
export * from './byte-source.js';
export * from './file-source.js';
export * from './http-source.js';
export * from './resolve.js';
