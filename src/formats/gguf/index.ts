/** GGUF: header parsing, lazy dequantized reads, quantizers and a writer. */
export * from './types.js';
export * from './parse.js';
export * from './read.js';
export * from './dequant.js';
export * from './quantize.js';
export * from './write.js';
