/** The canonical model view over any supported format and source, and `customs info`. */
export * from './types.js';
export * from './config.js';
export * from './roles.js';
export * from './tokenizer.js';
export * from './view.js';
export * from './info.js';
