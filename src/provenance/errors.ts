/**
 * Errors of the provenance area (`src/provenance`): manifests, DSSE envelopes, Sigstore bundles,
 * statements and exports. Verification failures (a signature or digest that does not match)
 * exit 1 in the CLI and answer 422/403 over HTTP; malformed input exits 2 / answers 400.
 */
import { CustomsError } from '../errors.js';
import type { CustomsErrorOptions } from '../errors.js';

/** Machine-readable codes for provenance errors. */
export type ProvenanceErrorCode =
  | 'BAD_JSON'
  | 'BAD_BASE64'
  | 'BAD_PEM'
  | 'BAD_KEY'
  | 'UNSUPPORTED_KEY'
  | 'BAD_DSSE'
  | 'BAD_BUNDLE'
  | 'BAD_STATEMENT'
  | 'BAD_PREDICATE'
  | 'BAD_PATH'
  | 'SYMLINK'
  | 'EMPTY_MODEL'
  | 'NOT_FOUND'
  | 'IO'
  | 'LIMIT_EXCEEDED'
  | 'UNSUPPORTED'
  | 'BAD_INPUT'
  | 'BAD_SIGNATURE'
  | 'KEY_MISMATCH'
  | 'UNTRUSTED_CERTIFICATE'
  | 'DIGEST_MISMATCH'
  | 'MISSING_FILE'
  | 'EXTRA_FILE'
  | 'ROOT_MISMATCH';

const VERIFICATION_CODES: ReadonlySet<ProvenanceErrorCode> = new Set<ProvenanceErrorCode>([
  'BAD_SIGNATURE',
  'KEY_MISMATCH',
  'UNTRUSTED_CERTIFICATE',
  'DIGEST_MISMATCH',
  'MISSING_FILE',
  'EXTRA_FILE',
  'ROOT_MISMATCH',
]);

const HTTP_STATUS: Partial<Record<ProvenanceErrorCode, number>> = {
  BAD_SIGNATURE: 403,
  KEY_MISMATCH: 403,
  UNTRUSTED_CERTIFICATE: 403,
  NOT_FOUND: 404,
  LIMIT_EXCEEDED: 413,
  DIGEST_MISMATCH: 422,
  ROOT_MISMATCH: 422,
  UNSUPPORTED: 415,
};

/** A provenance document is malformed, over a limit, or fails verification. */
export class ProvenanceError extends CustomsError<ProvenanceErrorCode> {
  override readonly name = 'ProvenanceError';
  override readonly exitCode: 1 | 2;
  override readonly httpStatus: number;

  constructor(code: ProvenanceErrorCode, message: string, options: CustomsErrorOptions = {}) {
    super(code, message, options);
    this.exitCode = VERIFICATION_CODES.has(code) ? 1 : 2;
    this.httpStatus = HTTP_STATUS[code] ?? 400;
  }
}

/** True if the code denotes a verification failure (exit 1) rather than malformed input. */
export function isVerificationCode(code: string): boolean {
  return VERIFICATION_CODES.has(code as ProvenanceErrorCode);
}
