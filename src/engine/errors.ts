/** Errors of the inference engine, its tokenizers and the OpenAI-compatible client. */
import { CustomsError } from '../errors.js';

/** Machine-readable codes for {@link EngineError}. */
export type EngineErrorCode =
  /** The model's architecture or a tensor the engine would need is not supported. */
  | 'UNSUPPORTED_MODEL'
  /** A token id is outside the vocabulary. */
  | 'BAD_TOKEN'
  /** Options passed to a verb are out of range or inconsistent. */
  | 'BAD_OPTIONS'
  /** A tokenizer file is malformed or of an unsupported kind. */
  | 'BAD_TOKENIZER'
  /** The text cannot be tokenized (e.g. a character with no token and no byte fallback). */
  | 'UNKNOWN_TOKEN'
  /** An input is over a named limit. */
  | 'LIMIT_EXCEEDED'
  /** A server answered with a non-retryable HTTP status, or retries were exhausted. */
  | 'HTTP_STATUS'
  /** A server's answer is not the JSON the OpenAI API specifies. */
  | 'BAD_RESPONSE'
  /** A request took longer than its timeout. */
  | 'TIMEOUT'
  /** The network failed (connection refused, reset, DNS). */
  | 'NETWORK';

/** Something the engine cannot do with the given model, tokens, tokenizer or server. */
export class EngineError extends CustomsError<EngineErrorCode> {
  override readonly name = 'EngineError';
}
