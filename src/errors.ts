/**
 * One error hierarchy for the whole toolkit.
 *
 * Every error the library throws on purpose is a {@link CustomsError} with a machine-readable
 * `code` (a string union per area), a `where` that names the file / field / offset / line at
 * fault, and the exit code and HTTP status the CLI and server map it to. Tests assert `code` and
 * class, never message text. Areas declare their own subclass with their own code union in their
 * folder (e.g. `FormatError` below, `LogError` in `tlog/`), so adding a code never touches a
 * shared file.
 */

/** Where in the input an error was found. Every field is optional; fill what is known. */
export interface ErrorLocation {
  /** File path, URL or logical input name. */
  readonly file?: string;
  /** Field, tensor, key or JSON path at fault. */
  readonly field?: string;
  /** Byte offset in the file. */
  readonly offset?: number | bigint;
  /** 1-based line number for line-oriented inputs. */
  readonly line?: number;
}

/** Options accepted by every {@link CustomsError} constructor. */
export interface CustomsErrorOptions {
  readonly where?: ErrorLocation;
  readonly cause?: unknown;
  /** Extra structured context (values, limits) for JSON output. */
  readonly details?: Readonly<Record<string, unknown>>;
}

function describeLocation(where: ErrorLocation | undefined): string {
  if (!where) return '';
  const parts: string[] = [];
  if (where.file !== undefined) parts.push(where.file);
  if (where.line !== undefined) parts.push(`line ${where.line}`);
  if (where.field !== undefined) parts.push(where.field);
  if (where.offset !== undefined) parts.push(`offset ${where.offset.toString()}`);
  return parts.length > 0 ? `${parts.join(': ')}: ` : '';
}

/**
 * Base class of every deliberate error. `C` is the area's code union.
 * `exitCode` is 2 for input/usage errors (the default) and 1 for verification failures.
 */
export class CustomsError<C extends string = string> extends Error {
  override readonly name: string = 'CustomsError';
  readonly code: C;
  readonly where: ErrorLocation | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  /** CLI exit code: 2 = usage or input error, 1 = a verification / finding failure. */
  readonly exitCode: 1 | 2 = 2;
  /** HTTP status the server answers with. */
  readonly httpStatus: number = 400;

  constructor(code: C, message: string, options: CustomsErrorOptions = {}) {
    super(`${describeLocation(options.where)}${message}`, { cause: options.cause });
    this.code = code;
    this.where = options.where;
    this.details = options.details;
  }

  /** A plain object for `--json` output and HTTP error bodies. */
  toJSON(): Record<string, unknown> {
    return {
      error: this.name,
      code: this.code,
      message: this.message,
      ...(this.where ? { where: jsonSafe(this.where) } : {}),
      ...(this.details ? { details: jsonSafe(this.details) } : {}),
    };
  }
}

function jsonSafe(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
  );
}

/** Bad command-line usage or bad options passed to a library verb. */
export class UsageError extends CustomsError<'USAGE' | 'NOT_FOUND' | 'UNSUPPORTED'> {
  override readonly name = 'UsageError';
}

/** Codes for malformed or hostile model files (safetensors, GGUF, config, tokenizer, index). */
export type FormatErrorCode =
  | 'TRUNCATED'
  | 'BAD_MAGIC'
  | 'BAD_VERSION'
  | 'HEADER_TOO_LARGE'
  | 'BAD_HEADER'
  | 'BAD_JSON'
  | 'BAD_UTF8'
  | 'LIMIT_EXCEEDED'
  | 'OUT_OF_BOUNDS'
  | 'OVERLAP'
  | 'SHAPE_MISMATCH'
  | 'UNKNOWN_DTYPE'
  | 'DUPLICATE_NAME'
  | 'MISSING_FILE'
  | 'MISSING_TENSOR'
  | 'BAD_ALIGNMENT'
  | 'BAD_SPLIT'
  | 'UNKNOWN_ARCHITECTURE';

/** A model file (or its companion JSON) is malformed, truncated, inconsistent or over a limit. */
export class FormatError extends CustomsError<FormatErrorCode> {
  override readonly name = 'FormatError';
}

/** Codes for byte sources (files, HTTP, caches). */
export type SourceErrorCode =
  | 'NOT_FOUND'
  | 'IO'
  | 'HTTP_STATUS'
  | 'RANGE_IGNORED'
  | 'SIZE_MISMATCH'
  | 'SHORT_READ'
  | 'TIMEOUT'
  | 'NETWORK';

/** A byte source could not deliver what was asked, or lied about it. */
export class SourceError extends CustomsError<SourceErrorCode> {
  override readonly name = 'SourceError';
}

/** True for errors thrown deliberately by this library. */
export function isCustomsError(e: unknown): e is CustomsError {
  return e instanceof CustomsError;
}
