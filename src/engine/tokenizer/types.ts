/** The tokenizer interface shared by the byte tokenizer and Hugging Face `tokenizer.json`. */

/** Turns text into token ids and back. */
export interface Tokenizer {
  /** `bytes` (token id = UTF-8 byte) or `hf-bpe` (a Hugging Face tokenizer.json BPE model). */
  readonly kind: 'bytes' | 'hf-bpe';
  /** Number of token ids (highest id + 1). */
  readonly vocabSize: number;
  /** Beginning-of-sequence id when the tokenizer declares one. */
  readonly bosId: number | null;
  /** End-of-sequence id when the tokenizer declares one. */
  readonly eosId: number | null;
  /** SHA-256 of the tokenizer definition (hex), recorded in verdicts; "bytes" for the byte tokenizer. */
  readonly digest: string;
  /** Encode text without adding special tokens (BOS/EOS are the caller's business). */
  encode(text: string): number[];
  /** Decode ids to text. Invalid UTF-8 becomes U+FFFD (lossy; keep ids when exactness matters). */
  decode(ids: readonly number[]): string;
  /** The vocabulary entry of one id for display (`<0x0A>`-style for bytes); null if unused. */
  tokenText(id: number): string | null;
  /** True for ids that are special/control tokens (never watermarked or scored as text). */
  isSpecial(id: number): boolean;
}
