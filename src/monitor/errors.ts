/**
 * Errors raised by the extraction monitor. Malformed *lines* in a traffic log are not errors:
 * they are counted and reported with their line numbers (see `MalformedLine` in `record.ts`).
 * These codes are for problems that stop a run: an unreadable file, a bad mapping, a hostile
 * gzip stream, a bad option, a ground-truth file that does not parse or a previous run's alerts
 * file (`--previous`) that is not one.
 */
import { CustomsError } from '../errors.js';

/** Codes for the monitor area. */
export type MonitorErrorCode =
  | 'NOT_FOUND'
  | 'IO'
  | 'BAD_GZIP'
  | 'BAD_MAPPING'
  | 'BAD_OPTION'
  | 'BAD_TRUTH'
  | 'BAD_ALLOWLIST'
  | 'BAD_RELEASES'
  | 'BAD_PREVIOUS'
  | 'LIMIT_EXCEEDED'
  | 'NO_RECORDS';

/** A monitor input (log, mapping, allow-list, truth file) or option is unusable. Exit code 2. */
export class MonitorError extends CustomsError<MonitorErrorCode> {
  override readonly name = 'MonitorError';
}
