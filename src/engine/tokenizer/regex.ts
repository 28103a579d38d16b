/**
 * Translate the Oniguruma / fancy-regex patterns found in Hugging Face `tokenizer.json` files into
 * JavaScript `RegExp` (with the `u` flag for `\p{…}`). Node 20's V8 has no inline modifier
 * groups, so `(?i:…)` (Llama 3, Qwen2 pre-tokenizers) is rewritten by expanding each ASCII letter
 * inside the group into a two-case class. Anything else the translator does not understand is
 * rejected rather than silently changing the split.
 */
import { EngineError } from '../errors.js';

/** Longest pattern accepted (real pre-tokenizer patterns are a few hundred characters). */
export const MAX_PATTERN_LENGTH = 4096;

/** Length of the escape starting at `i` (`\\p{…}` / `\\P{…}` whole, otherwise two characters). */
function escapeLength(s: string, i: number): number {
  const n = s[i + 1];
  if ((n === 'p' || n === 'P') && s[i + 2] === '{') {
    const close = s.indexOf('}', i + 3);
    if (close > 0) return close - i + 1;
  }
  return 2;
}

function caseExpand(body: string, file: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch === '\\') {
      const len = escapeLength(body, i);
      out += body.slice(i, i + len);
      i += len - 1;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      else if (/[A-Za-z]/.test(ch)) {
        if (body[i + 1] === '-')
          throw new EngineError(
            'BAD_TOKENIZER',
            'case-insensitive character ranges are not supported',
            {
              where: { file, field: 'pattern' },
            },
          );
        out += ch.toLowerCase() + ch.toUpperCase();
        continue;
      }
      out += ch;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      out += ch;
      continue;
    }
    if (/[A-Za-z]/.test(ch)) {
      out += `[${ch.toLowerCase()}${ch.toUpperCase()}]`;
      continue;
    }
    out += ch;
  }
  return out;
}

/** Translate a tokenizer.json regex to a global, unicode JavaScript RegExp. */
export function translateRegex(pattern: string, file: string): RegExp {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new EngineError('LIMIT_EXCEEDED', `regex of ${pattern.length} characters`, {
      where: { file, field: 'pattern' },
    });
  }
  let src = '';
  for (let i = 0; i < pattern.length;) {
    if (pattern.startsWith('(?i:', i)) {
      // Find the matching parenthesis, honouring escapes and classes.
      let depth = 1;
      let j = i + 4;
      let inClass = false;
      for (; j < pattern.length && depth > 0; j++) {
        const ch = pattern[j];
        if (ch === '\\') {
          j++;
          continue;
        }
        if (inClass) {
          if (ch === ']') inClass = false;
          continue;
        }
        if (ch === '[') inClass = true;
        else if (ch === '(') depth++;
        else if (ch === ')') depth--;
      }
      if (depth !== 0)
        throw new EngineError('BAD_TOKENIZER', 'unbalanced (?i: group in regex', {
          where: { file, field: 'pattern' },
        });
      src += `(?:${caseExpand(pattern.slice(i + 4, j - 1), file)})`;
      i = j;
      continue;
    }
    const ch = pattern[i] as string;
    if (ch === '\\') {
      const len = escapeLength(pattern, i);
      src += pattern.slice(i, i + len);
      i += len;
      continue;
    }
    // Possessive quantifiers and atomic groups have no JavaScript equivalent.
    if ((ch === '+' || ch === '*' || ch === '?' || ch === '}') && pattern[i + 1] === '+') {
      throw new EngineError('BAD_TOKENIZER', 'possessive quantifiers are not supported', {
        where: { file, field: 'pattern', offset: i },
      });
    }
    if (pattern.startsWith('(?>', i)) {
      throw new EngineError('BAD_TOKENIZER', 'atomic groups are not supported', {
        where: { file, field: 'pattern', offset: i },
      });
    }
    src += ch;
    i++;
  }
  try {
    return new RegExp(src, 'gu');
  } catch (e) {
    throw new EngineError('BAD_TOKENIZER', `regex does not compile: ${(e as Error).message}`, {
      where: { file, field: 'pattern' },
      cause: e,
    });
  }
}

/** Escape a literal string for use in a RegExp. */
export function escapeRegex(s: string): string {
  // Only syntax characters: the `u` flag rejects identity escapes of anything else.
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
