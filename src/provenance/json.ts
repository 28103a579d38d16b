/**
 * JSON helpers for signed documents: bounded parsing (size and nesting limits checked before
 * `JSON.parse` allocates), RFC 8785 canonical JSON (JCS) for everything we hash as JSON, and a
 * serialiser that reproduces Python's `json.dumps(indent=2, ensure_ascii=True)` as emitted by
 * protobuf's `json_format.MessageToJson`, so OMS payloads are byte-compatible with the
 * `model_signing` tool.
 */
import { ProvenanceError } from './errors.js';

/** Default byte limit for a JSON document (bundles and statements are small). */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;
/** Deepest nesting accepted; real statements nest < 10 levels, this stops stack-exhaustion input. */
export const MAX_JSON_DEPTH = 64;

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Parse options. */
export interface ParseJsonOptions {
  readonly file?: string;
  readonly maxBytes?: number;
  readonly maxDepth?: number;
}

function checkDepth(text: string, maxDepth: number, file: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > maxDepth) {
        throw new ProvenanceError('LIMIT_EXCEEDED', `JSON nests deeper than ${maxDepth} levels`, {
          where: { file, offset: i },
        });
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}

/** Decode UTF-8 strictly (invalid sequences are an error, not U+FFFD). */
export function decodeUtf8(bytes: Uint8Array, file = 'input'): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (e) {
    throw new ProvenanceError('BAD_JSON', 'not valid UTF-8', { where: { file }, cause: e });
  }
}

/** Parse JSON with byte and depth limits; errors name the file and, when known, the offset. */
export function parseJson(input: string | Uint8Array, options: ParseJsonOptions = {}): unknown {
  const file = options.file ?? 'input';
  const maxBytes = options.maxBytes ?? MAX_JSON_BYTES;
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (size > maxBytes) {
    throw new ProvenanceError('LIMIT_EXCEEDED', `JSON of ${size} bytes exceeds ${maxBytes}`, {
      where: { file },
      details: { size, limit: maxBytes },
    });
  }
  const text = typeof input === 'string' ? input : decodeUtf8(input, file);
  checkDepth(text, options.maxDepth ?? MAX_JSON_DEPTH, file);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const m = /position (\d+)/.exec(e instanceof Error ? e.message : '');
    const where = m ? { file, offset: Number(m[1]) } : { file };
    throw new ProvenanceError(
      'BAD_JSON',
      `malformed JSON (${e instanceof Error ? e.message : String(e)})`,
      {
        where,
        cause: e,
      },
    );
  }
}

/** True for a plain JSON object. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * RFC 8785 JSON Canonicalization Scheme: object keys sorted by UTF-16 code units, no whitespace,
 * ECMAScript number and string serialisation. Non-finite numbers are rejected.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new ProvenanceError('BAD_JSON', 'non-finite number in canonical JSON');
    return JSON.stringify(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  throw new ProvenanceError('BAD_JSON', `cannot canonicalise a ${typeof value}`);
}

function pyString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += s[i];
  }
  return `${out}"`;
}

/** A number that Python's json module prints with a trailing `.0` (a protobuf Struct double). */
export class PyFloat {
  constructor(readonly value: number) {}
}

function pyNumber(n: number | PyFloat): string {
  if (n instanceof PyFloat) {
    const v = n.value;
    if (!Number.isFinite(v)) throw new ProvenanceError('BAD_JSON', 'non-finite number');
    // Python's float repr: integers print as "N.0" below 1e16, which covers shard sizes.
    return Number.isInteger(v) && Math.abs(v) < 1e16 ? `${v}.0` : String(v);
  }
  if (!Number.isFinite(n)) throw new ProvenanceError('BAD_JSON', 'non-finite number');
  return String(n);
}

/**
 * Serialise like Python `json.dumps(value, indent=2, ensure_ascii=True)` (separators `,` / `: `,
 * empty containers as `[]` / `{}`), preserving object key order. {@link PyFloat} values print as
 * Python floats.
 */
export function pythonJson(value: unknown, indent = 2, level = 0): string {
  if (value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'number' || value instanceof PyFloat) return pyNumber(value);
  if (typeof value === 'string') return pyString(value);
  const pad = ' '.repeat(indent * (level + 1));
  const end = ' '.repeat(indent * level);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => pad + pythonJson(v, indent, level + 1)).join(',\n')}\n${end}]`;
  }
  if (isObject(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined);
    if (keys.length === 0) return '{}';
    return `{\n${keys.map((k) => `${pad}${pyString(k)}: ${pythonJson(value[k], indent, level + 1)}`).join(',\n')}\n${end}}`;
  }
  throw new ProvenanceError('BAD_JSON', `cannot serialise a ${typeof value}`);
}

/** Strict base64 decoding accepting the standard and URL-safe alphabets (DSSE requires both). */
export function decodeBase64(s: unknown, what: string, file?: string): Buffer {
  const where = file !== undefined ? { file, field: what } : { field: what };
  if (typeof s !== 'string')
    throw new ProvenanceError('BAD_BASE64', `${what} must be a base64 string`, { where });
  const std = s.replace(/-/g, '+').replace(/_/g, '/');
  if (
    !/^[A-Za-z0-9+/]*={0,2}$/.test(std) ||
    (std.includes('=') && std.length % 4 !== 0) ||
    std.length % 4 === 1
  ) {
    throw new ProvenanceError('BAD_BASE64', `${what} is not base64`, { where });
  }
  return Buffer.from(std, 'base64');
}
