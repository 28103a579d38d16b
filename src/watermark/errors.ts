/** Errors of watermark generation, detection and radioactivity audits. */
import { CustomsError } from '../errors.js';

/** Machine-readable codes for {@link WatermarkError}. */
export type WatermarkErrorCode =
  /** A key file is missing, malformed, or the key has the wrong length. */
  | 'BAD_KEY'
  /** Scheme parameters are out of range or inconsistent. */
  | 'BAD_PARAMS'
  /** The input text / token file is malformed (bad JSON, ids outside the vocabulary). */
  | 'BAD_INPUT'
  /** The tokenizer does not fit the scheme or the text (e.g. ids ≥ 2^24, vocabulary mismatch). */
  | 'TOKENIZER_MISMATCH'
  /** A ledger file is malformed or belongs to another key / scheme. */
  | 'BAD_LEDGER'
  /** An input is over a named limit. */
  | 'LIMIT_EXCEEDED';

/** Something wrong with a watermark key, parameters or input. */
export class WatermarkError extends CustomsError<WatermarkErrorCode> {
  override readonly name = 'WatermarkError';
}
