/** Tokenizers: the zoo's byte tokenizer and Hugging Face `tokenizer.json` BPE. */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../errors.js';
import { byteTokenizer } from './bytes.js';
import { parseHfTokenizer } from './hf-bpe.js';
import type { Tokenizer } from './types.js';

export type { Tokenizer } from './types.js';
export { byteTokenizer } from './bytes.js';
export { parseHfTokenizer, bytesToUnicode, splitBy, type HfTokenizerOptions } from './hf-bpe.js';
export { translateRegex } from './regex.js';

/** Largest tokenizer.json read (the biggest real ones are ~20 MB). */
export const MAX_TOKENIZER_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Load a tokenizer by spec: `bytes`, a `tokenizer.json` file, or a directory holding one.
 * Errors: `BAD_TOKENIZER` (unreadable, malformed or unsupported), `LIMIT_EXCEEDED` (too large).
 */
export async function loadTokenizer(spec: string): Promise<Tokenizer> {
  if (spec === 'bytes') return byteTokenizer();
  let path = spec;
  try {
    if ((await stat(spec)).isDirectory()) path = join(spec, 'tokenizer.json');
  } catch (e) {
    throw new EngineError('BAD_TOKENIZER', `cannot read tokenizer "${spec}"`, {
      where: { file: spec },
      cause: e,
    });
  }
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (e) {
    throw new EngineError('BAD_TOKENIZER', 'no tokenizer.json here', {
      where: { file: path },
      cause: e,
    });
  }
  if (size > MAX_TOKENIZER_FILE_BYTES) {
    throw new EngineError(
      'LIMIT_EXCEEDED',
      `tokenizer file of ${size} bytes exceeds ${MAX_TOKENIZER_FILE_BYTES}`,
      { where: { file: path } },
    );
  }
  const bytes = await readFile(path);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new EngineError('BAD_TOKENIZER', 'tokenizer.json is not valid UTF-8 JSON', {
      where: { file: path },
      cause: e,
    });
  }
  return parseHfTokenizer(raw, {
    file: path,
    digest: createHash('sha256').update(bytes).digest('hex'),
  });
}
