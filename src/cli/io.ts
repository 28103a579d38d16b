/**
 * Shared plumbing for CLI commands: output on stdout, diagnostics on stderr, colours that honour
 * NO_COLOR, and the one place errors become exit codes.
 */
import { CustomsError } from '../errors.js';

/** Exit codes documented in the README: 0 ok, 1 finding / verification failure, 2 usage or input error. */
export const EXIT = { OK: 0, FINDING: 1, INPUT: 2 } as const;

/** True when colour is allowed on the given stream (respects https://no-color.org). */
export function colorEnabled(stream: NodeJS.WriteStream = process.stdout): boolean {
  if (process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '') return false;
  if (process.env['FORCE_COLOR'] !== undefined) return true;
  return stream.isTTY;
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, bold: 1, dim: 2 } as const;

/** Wrap text in an ANSI colour when colour is enabled on stdout. */
export function paint(color: keyof typeof CODES, text: string): string {
  return colorEnabled() ? `\u001b[${CODES[color]}m${text}\u001b[0m` : text;
}

/** Write a line to stdout. */
export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Write a diagnostic line to stderr. */
export function diag(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Print a value as pretty JSON on stdout (bigints as strings). */
export function printJson(value: unknown): void {
  out(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2));
}

/** Render a simple aligned table. */
export function table(rows: readonly (readonly string[])[], header?: readonly string[]): string {
  const all = header ? [header, ...rows] : rows;
  const widths: number[] = [];
  for (const r of all) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  const fmt = (r: readonly string[]): string =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const lines = all.map(fmt);
  if (header) lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return lines.join('\n');
}

/** C0 controls, DEL and C1 controls. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * `s` with its control characters (C0, DEL, C1) written as `\xNN` escapes: error messages quote
 * input files (a parser's message names the offending token), and a hostile file must not be
 * able to drive the terminal that reads them.
 */
export function terminalSafe(s: string): string {
  return s.replace(CONTROL_CHARS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * Report an error and return the exit code. Deliberate errors print their code and location;
 * anything else is a bug and says so (exit 2 still, never a stack dump unless CUSTOMS_DEBUG).
 */
export function reportError(e: unknown, json: boolean): number {
  if (e instanceof CustomsError) {
    if (json) printJson(e.toJSON());
    diag(`${paint('red', 'error')} [${e.code}] ${terminalSafe(e.message)}`);
    if (process.env['CUSTOMS_DEBUG'] && e.stack) diag(e.stack);
    return e.exitCode;
  }
  const msg = e instanceof Error ? e.message : String(e);
  if (json) printJson({ error: 'InternalError', code: 'INTERNAL', message: msg });
  diag(`${paint('red', 'internal error')} ${terminalSafe(msg)}`);
  if (e instanceof Error && e.stack) diag(e.stack);
  return EXIT.INPUT;
}

/** Parse a positive integer option or throw a usage error naming it. */
export function parseIntOption(
  name: string,
  value: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new CustomsError(
      'USAGE',
      `option ${name}: expected an integer in [${min}, ${max}], got "${value}"`,
    );
  }
  return n;
}

/** Parse a number option or throw a usage error naming it. */
export function parseNumberOption(
  name: string,
  value: string,
  min = -Infinity,
  max = Infinity,
): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new CustomsError(
      'USAGE',
      `option ${name}: expected a number in [${min}, ${max}], got "${value}"`,
    );
  }
  return n;
}
