/**
 * The byte tokenizer of the zoo models: token id = UTF-8 byte value (0–255), no special tokens.
 */
import { EngineError } from '../errors.js';
import type { Tokenizer } from './types.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/** Display text of a byte token: printable ASCII as itself, anything else as `<0xNN>`. */
export function byteText(b: number): string {
  return b >= 0x20 && b <= 0x7e
    ? String.fromCharCode(b)
    : `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
}

/** The byte tokenizer (vocabulary of 256, id = byte). */
export function byteTokenizer(): Tokenizer {
  return {
    kind: 'bytes',
    vocabSize: 256,
    bosId: null,
    eosId: null,
    digest: 'bytes',
    encode: (text) => Array.from(encoder.encode(text)),
    decode: (ids) =>
      decoder.decode(
        Uint8Array.from(ids, (b, i) => {
          if (!Number.isInteger(b) || b < 0 || b > 255)
            throw new EngineError('BAD_TOKEN', `token id ${b} is not a byte`, {
              where: { field: 'ids', offset: i },
            });
          return b;
        }),
      ),
    tokenText: (id) => (Number.isInteger(id) && id >= 0 && id < 256 ? byteText(id) : null),
    isSpecial: () => false,
  };
}
