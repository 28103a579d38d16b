/**
 * Errors of the registry service and its clients (`src/server`). Each code maps to one HTTP
 * status; the CLI clients map them to exit codes (verification/authorisation failures 1,
 * malformed input 2).
 */
import { CustomsError } from '../errors.js';
import type { CustomsErrorOptions } from '../errors.js';

/** Machine-readable codes for registry errors. */
export type RegistryErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'UNKNOWN_KEY'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'DUPLICATE'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'NETWORK'
  | 'BAD_RESPONSE'
  | 'BAD_RECEIPT';

const STATUS: Record<RegistryErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  UNKNOWN_KEY: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  DUPLICATE: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED: 415,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  NETWORK: 502,
  BAD_RESPONSE: 502,
  BAD_RECEIPT: 422,
};

const VERIFICATION: ReadonlySet<RegistryErrorCode> = new Set([
  'UNKNOWN_KEY',
  'FORBIDDEN',
  'UNAUTHORIZED',
  'BAD_RECEIPT',
]);

/** A registry request was refused, or a client could not complete a call. */
export class RegistryError extends CustomsError<RegistryErrorCode> {
  override readonly name = 'RegistryError';
  override readonly exitCode: 1 | 2;
  override readonly httpStatus: number;

  constructor(code: RegistryErrorCode, message: string, options: CustomsErrorOptions = {}) {
    super(code, message, options);
    this.httpStatus = STATUS[code];
    this.exitCode = VERIFICATION.has(code) ? 1 : 2;
  }
}
