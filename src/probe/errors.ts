/**
 * Errors of the black-box probe (`src/probe`). Broken data never becomes a verdict: an endpoint
 * that cannot be reached, keeps rate-limiting, answers garbage or changes mid-run raises one of
 * these (or, where the run can still say something honest, turns the verdict `inconclusive`).
 */
import { CustomsError } from '../errors.js';

/** Machine-readable codes for the probe area. */
export type ProbeErrorCode =
  /** A target spec (`--suspect`, `--teacher`, `--control`) does not parse. */
  | 'BAD_TARGET'
  /** Options passed to a probe verb are inconsistent or out of range. */
  | 'BAD_OPTION'
  /** The endpoint could not be reached after every retry (DNS, refused, timeout). */
  | 'UNREACHABLE'
  /** The endpoint kept answering 429 after every retry. */
  | 'RATE_LIMITED'
  /** The endpoint answered a non-retryable HTTP status (400, 401, 404, ...). */
  | 'HTTP_STATUS'
  /** The endpoint answered something that is not an OpenAI-compatible response. */
  | 'BAD_RESPONSE'
  /** The endpoint served a different model part-way through the run. */
  | 'TARGET_CHANGED'
  /** The response cache is unreadable, corrupt or lacks an entry a replay needs. */
  | 'CACHE'
  /** A battery file, canary file or commitment is malformed. */
  | 'BAD_BATTERY'
  /** The revealed seed does not hash to the published commitment. */
  | 'COMMITMENT_MISMATCH'
  /** A named limit was exceeded (response size, prompt count, budget). */
  | 'LIMIT_EXCEEDED'
  /** The local model could not be loaded or run. */
  | 'MODEL';

/** A probe input, target or run failed. Exit code 2 (input / environment), never a finding. */
export class ProbeError extends CustomsError<ProbeErrorCode> {
  override readonly name = 'ProbeError';
}
