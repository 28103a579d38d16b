/**
 * Errors of the transparency-log area (`src/tlog`). One subclass of {@link CustomsError} with a
 * typed code union; the code decides the CLI exit code (1 for a verification failure, 2 for
 * malformed input) and the HTTP status the registry answers with.
 */
import { CustomsError } from '../errors.js';
import type { CustomsErrorOptions } from '../errors.js';

/** Machine-readable codes for log errors. */
export type LogErrorCode =
  | 'BAD_HASH'
  | 'BAD_PROOF'
  | 'BAD_NOTE'
  | 'BAD_CHECKPOINT'
  | 'BAD_KEY'
  | 'BAD_SIGNATURE'
  | 'UNKNOWN_KEY'
  | 'UNKNOWN_ORIGIN'
  | 'BAD_TILE_PATH'
  | 'BAD_RECEIPT'
  | 'BAD_POLICY'
  | 'QUORUM'
  | 'INCONSISTENT'
  | 'CONFLICT'
  | 'ENTRY_TOO_LARGE'
  | 'BAD_ENTRY'
  | 'DUPLICATE'
  | 'NOT_FOUND'
  | 'OUT_OF_RANGE'
  | 'LIMIT_EXCEEDED'
  | 'STORE'
  | 'CLOSED';

/** Codes that mean "the evidence does not verify" rather than "the input is malformed". */
const VERIFICATION_CODES: ReadonlySet<LogErrorCode> = new Set<LogErrorCode>([
  'BAD_PROOF',
  'BAD_SIGNATURE',
  'UNKNOWN_KEY',
  'QUORUM',
  'INCONSISTENT',
]);

const HTTP_STATUS: Partial<Record<LogErrorCode, number>> = {
  UNKNOWN_KEY: 403,
  BAD_SIGNATURE: 403,
  UNKNOWN_ORIGIN: 404,
  NOT_FOUND: 404,
  CONFLICT: 409,
  DUPLICATE: 409,
  ENTRY_TOO_LARGE: 413,
  LIMIT_EXCEEDED: 413,
  INCONSISTENT: 422,
  BAD_PROOF: 422,
  STORE: 503,
  CLOSED: 503,
};

/** A log structure (proof, note, checkpoint, tile path, receipt, policy) is malformed or fails. */
export class LogError extends CustomsError<LogErrorCode> {
  override readonly name = 'LogError';
  override readonly exitCode: 1 | 2;
  override readonly httpStatus: number;

  constructor(code: LogErrorCode, message: string, options: CustomsErrorOptions = {}) {
    super(code, message, options);
    this.exitCode = VERIFICATION_CODES.has(code) ? 1 : 2;
    this.httpStatus = HTTP_STATUS[code] ?? 400;
  }
}
