/**
 * Vocabulary extraction: Hugging Face `tokenizer.json` (model.vocab as a token → id map for
 * BPE/WordPiece/WordLevel, or a [token, score] list for Unigram, plus added_tokens) or GGUF
 * `tokenizer.ggml.tokens`. The byte vocabulary (token id = byte) is reported when a model has no
 * tokenizer file and exactly 256 embeddings.
 */
import { FormatError } from '../errors.js';
import { ggufGet, type GgufFile } from '../formats/gguf/parse.js';
import type { Vocabulary } from './types.js';

/** Largest vocabulary accepted (real ones are ≤ ~300k). */
export const MAX_VOCAB = 4_000_000;

/**
 * Byte-level token string for id b, written `<0xNN>` as SentencePiece byte fallback and llama.cpp's
 * GGUF export write it, so a safetensors model and its GGUF export share token strings.
 */
export function byteToken(b: number): string {
  return `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
}

/** The inferred byte vocabulary. */
export function byteVocabulary(): Vocabulary {
  return { source: 'bytes', tokens: Array.from({ length: 256 }, (_, i) => byteToken(i)) };
}

/** Vocabulary from a parsed tokenizer.json object. */
export function vocabFromTokenizerJson(raw: unknown, file: string): Vocabulary {
  const model = (raw as { model?: unknown } | null)?.model as { vocab?: unknown } | undefined;
  const vocab = model?.vocab;
  const tokens: (string | null)[] = [];
  const put = (id: unknown, tok: unknown, field: string): void => {
    if (
      typeof tok !== 'string' ||
      typeof id !== 'number' ||
      !Number.isInteger(id) ||
      id < 0 ||
      id >= MAX_VOCAB
    ) {
      throw new FormatError(
        'BAD_JSON',
        `invalid vocabulary entry ${JSON.stringify(tok)} → ${JSON.stringify(id)}`,
        { where: { file, field } },
      );
    }
    while (tokens.length <= id) tokens.push(null);
    tokens[id] = tok;
  };
  if (Array.isArray(vocab)) {
    vocab.forEach((e, i) => put(i, Array.isArray(e) ? e[0] : undefined, `model.vocab[${i}]`));
  } else if (typeof vocab === 'object' && vocab !== null) {
    const entries = Object.entries(vocab as Record<string, unknown>);
    if (entries.length > MAX_VOCAB)
      throw new FormatError(
        'LIMIT_EXCEEDED',
        `vocabulary of ${entries.length} exceeds ${MAX_VOCAB}`,
        { where: { file, field: 'model.vocab' } },
      );
    for (const [tok, id] of entries) put(id, tok, 'model.vocab');
  } else {
    throw new FormatError('BAD_JSON', 'tokenizer.json has no model.vocab', {
      where: { file, field: 'model.vocab' },
    });
  }
  const added = (raw as { added_tokens?: unknown }).added_tokens;
  if (Array.isArray(added)) {
    added.forEach((a, i) => {
      const o = a as { id?: unknown; content?: unknown };
      put(o.id, o.content, `added_tokens[${i}]`);
    });
  }
  return { source: 'tokenizer.json', tokens };
}

/** Vocabulary from GGUF metadata, or null when absent. */
export function vocabFromGguf(f: GgufFile): Vocabulary | null {
  const toks = ggufGet(f, 'tokenizer.ggml.tokens');
  if (!Array.isArray(toks)) return null;
  return { source: 'gguf', tokens: toks.map((t) => (typeof t === 'string' ? t : null)) };
}
