/**
 * The canonical traffic record and its validation. One JSON line per exchange (the native
 * schema below, or any schema adapted by a {@link Mapping}):
 *
 * ```
 * { "ts": ISO-8601 | epoch, "account": string, "model": string,
 *   "prompt": string | "messages": [{ "role", "content": string | [{ "type": "text", "text" }] }],
 *   "response"?: string, "inputTokens"?: n, "outputTokens"?: n, "org"?: string, "ip"?: string,
 *   "asn"?: string | n, "payment"?: string (hashed id), "userAgent"?: string,
 *   "signupAt"?: ISO-8601 | epoch, "system"?: string, "tools"?: [..] | n, "n"?: n, "logprobs"?: bool | n }
 * ```
 *
 * A line that breaks the schema becomes a {@link MalformedLine} with a reason code and the field
 * at fault; it is counted and skipped and never stops the run.
 */
import { resolveField, type Mapping } from './mapping.js';

/** A validated exchange. Times are epoch milliseconds. */
export interface TrafficRecord {
  readonly ts: number;
  readonly account: string;
  readonly model: string;
  /** Text analysed: the prompt, or the last user message of a conversation. */
  readonly text: string;
  /** System / developer instructions, if any (hashed for linkage, not analysed for content). */
  readonly system: string | undefined;
  /** Conversation turns before the analysed message (0 = single-shot). */
  readonly turns: number;
  readonly responseChars: number | undefined;
  readonly inputTokens: number | undefined;
  readonly outputTokens: number | undefined;
  readonly org: string | undefined;
  /** Network prefix of the caller: IPv4 /24 ("a.b.c") or IPv6 /48. */
  readonly ipPrefix: string | undefined;
  readonly asn: string | undefined;
  readonly payment: string | undefined;
  readonly userAgent: string | undefined;
  readonly signupAt: number | undefined;
  /** Number of tool definitions sent with the request. */
  readonly tools: number;
  /**
   * Tool turns in the conversation: `tool` / `function` messages and assistant messages carrying
   * `tool_calls` (OpenAI-style agent traces; ReAct-style traces in text are read by `features.ts`).
   */
  readonly toolTurns: number;
  /** The request asked for several samples or for log-probabilities (n > 1, logprobs). */
  readonly multiSample: boolean;
}

/** Why a line was rejected. */
export type MalformedReason =
  'BAD_JSON' | 'NOT_OBJECT' | 'MISSING_FIELD' | 'BAD_FIELD' | 'LINE_TOO_LONG' | 'LIMIT_EXCEEDED';

/** A rejected line: where it is and why. `line` is 1-based within `file`. */
export interface MalformedLine {
  readonly file: string;
  readonly line: number;
  readonly reason: MalformedReason;
  readonly field?: string;
  readonly message: string;
}

/** Longest identifier kept (account, model, org, payment, ASN): longer is not an id. */
export const MAX_ID_CHARS = 256;
/** Longest user-agent kept (real ones are < 512 characters). */
export const MAX_UA_CHARS = 1024;
/** Most messages in one conversation (bounds the work per line; real requests have far fewer). */
export const MAX_MESSAGES = 4096;
/** Most content parts in one message. */
export const MAX_PARTS = 256;
/** Earliest and latest plausible timestamps (2000-01-01 .. 2100-01-01): anything else is a unit error. */
export const MIN_TS = Date.UTC(2000, 0, 1);
/** See {@link MIN_TS}. */
export const MAX_TS = Date.UTC(2100, 0, 1);
/** Largest token count believed (a single exchange above 100M tokens is corrupt). */
export const MAX_TOKENS = 100_000_000;

const ISO_RE =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|z|[+-]\d{2}:?\d{2})?)?$/;

/** Result of validating one decoded line. */
export type Validation =
  | { readonly ok: true; readonly record: TrafficRecord }
  | {
      readonly ok: false;
      readonly reason: MalformedReason;
      readonly field?: string;
      readonly message: string;
    };

function bad(reason: MalformedReason, field: string, message: string): Validation {
  return { ok: false, reason, field, message };
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Fast path for the common "YYYY-MM-DDTHH:MM:SS[.fff]Z" form (what loggers write); NaN when the
 * string has any other shape, so the caller falls back to the general ISO-8601 parser.
 */
function fastIsoUtc(s: string): number {
  const L = s.length;
  if (
    L < 20 ||
    L > 24 ||
    s.charCodeAt(L - 1) !== 90 ||
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45
  )
    return NaN;
  if (s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return NaN;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const se = digits(s, 17, 2);
  if (
    y < 0 ||
    mo < 1 ||
    mo > 12 ||
    d < 1 ||
    d > 31 ||
    h < 0 ||
    h > 23 ||
    mi < 0 ||
    mi > 59 ||
    se < 0 ||
    se > 60
  )
    return NaN;
  let ms = 0;
  if (L > 20) {
    if (s.charCodeAt(19) !== 46) return NaN;
    const frac = s.slice(20, L - 1);
    const f = digits(frac, 0, frac.length);
    if (f < 0 || frac.length === 0) return NaN;
    ms = Math.floor(f * 10 ** (3 - frac.length));
  }
  // reject days that do not exist (Date.UTC would roll 2026-02-31 over into March)
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (d > (mo === 2 ? (leap ? 29 : 28) : (DAYS_IN_MONTH[mo - 1] ?? 31))) return NaN;
  return Date.UTC(y, mo - 1, d, h, mi, se, ms);
}

/** Parse a time value per the field's format; NaN when it is not a valid time. */
export function parseTime(v: unknown, format: string | undefined): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return NaN;
    if (format === 'epoch-s') return v * 1000;
    if (format === 'epoch-ms') return v;
    if (format === 'iso') return NaN;
    // auto: seconds below 1e11 (year 5138 in seconds, 1973 in milliseconds)
    return v < 1e11 ? v * 1000 : v;
  }
  if (typeof v === 'string') {
    if (format === 'epoch-s' || format === 'epoch-ms') {
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n)) return NaN;
      return format === 'epoch-s' ? n * 1000 : n;
    }
    const fast = fastIsoUtc(v);
    if (!Number.isNaN(fast)) return fast;
    if (v.length > 40 || !ISO_RE.test(v)) return NaN;
    // Date.parse rolls impossible days (02-31) into the next month: check the calendar first
    const y = digits(v, 0, 4);
    const mo = digits(v, 5, 2);
    const d = digits(v, 8, 2);
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    if (
      mo < 1 ||
      mo > 12 ||
      d < 1 ||
      d > (mo === 2 ? (leap ? 29 : 28) : (DAYS_IN_MONTH[mo - 1] ?? 31))
    )
      return NaN;
    return Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
  }
  return NaN;
}

/** Reduce an IP address to its network prefix (IPv4 /24, IPv6 /48); undefined if unparsable. */
export function ipPrefix(ip: string): string | undefined {
  if (ip.length > 64) return undefined;
  // IPv4 by hand (hot path): four decimal octets ≤ 255, no leading '+'/'-'
  let octet = 0;
  let len = 0;
  let dots = 0;
  let third = -1;
  let ok = ip.length >= 7 && ip.length <= 15;
  for (let i = 0; ok && i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (len === 0) ok = false;
      dots++;
      if (dots === 3) third = i;
      octet = 0;
      len = 0;
    } else if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      len++;
      if (len > 3 || octet > 255) ok = false;
    } else ok = false;
  }
  if (ok && dots === 3 && len > 0 && third > 0) return ip.slice(0, third);
  if (!ip.includes(':') || !/^[0-9a-fA-F:.]+$/.test(ip)) return undefined;
  const halves = ip.split('::');
  if (halves.length > 2) return undefined;
  const head = (halves[0] ?? '').split(':').filter((s) => s.length > 0);
  const tail = halves.length === 2 ? (halves[1] ?? '').split(':').filter((s) => s.length > 0) : [];
  if (head.some((h) => h.length > 4) || tail.some((h) => h.length > 4)) return undefined;
  const groups =
    halves.length === 2
      ? [
          ...head,
          ...new Array<string>(Math.max(0, 8 - head.length - tail.length)).fill('0'),
          ...tail,
        ]
      : head;
  if (groups.length < 3) return undefined;
  return groups
    .slice(0, 3)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':');
}

function optString(v: unknown, max: number): string | undefined | null {
  if (v === undefined) return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string' || v.length > max) return null;
  return v.length === 0 ? undefined : v;
}

function optCount(v: unknown): number | undefined | null {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_TOKENS) return null;
  return v;
}

function contentText(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (!Array.isArray(content) || content.length > MAX_PARTS) return null;
  let out = '';
  for (const part of content) {
    if (typeof part === 'string') out += (out ? '\n' : '') + part;
    else if (typeof part === 'object' && part !== null) {
      const t = (part as Record<string, unknown>)['text'];
      if (typeof t === 'string') out += (out ? '\n' : '') + t;
    }
  }
  return out;
}

/**
 * Validate one decoded JSON value against the schema (through `mapping`) and build the record.
 * Pure and allocation-light: this runs once per line on the hot path.
 */
export function toRecord(obj: unknown, mapping: Mapping): Validation {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
    return bad('NOT_OBJECT', '', 'line is not a JSON object');
  const f = mapping.fields;
  const tsRaw = resolveField(obj, f.ts);
  if (tsRaw === undefined) return bad('MISSING_FIELD', 'ts', 'missing timestamp');
  const ts = parseTime(tsRaw, f.ts?.format);
  if (!(ts >= MIN_TS && ts < MAX_TS))
    return bad('BAD_FIELD', 'ts', `bad timestamp ${JSON.stringify(tsRaw).slice(0, 60)}`);
  const account = resolveField(obj, f.account);
  if (account === undefined) return bad('MISSING_FIELD', 'account', 'missing account');
  const acc = optString(account, MAX_ID_CHARS);
  if (acc === null || acc === undefined)
    return bad('BAD_FIELD', 'account', 'account must be a non-empty string');
  const modelRaw = resolveField(obj, f.model);
  if (modelRaw === undefined) return bad('MISSING_FIELD', 'model', 'missing model');
  const model = optString(modelRaw, MAX_ID_CHARS);
  if (model === null || model === undefined)
    return bad('BAD_FIELD', 'model', 'model must be a non-empty string');

  let text: string | null = null;
  let turns = 0;
  let toolTurns = 0;
  let system: string | undefined;
  const messages = resolveField(obj, f.messages);
  if (messages !== undefined) {
    if (typeof messages === 'string') text = messages;
    else {
      if (!Array.isArray(messages))
        return bad('BAD_FIELD', 'messages', 'messages must be an array');
      if (messages.length > MAX_MESSAGES)
        return bad(
          'LIMIT_EXCEEDED',
          'messages',
          `${messages.length} messages; limit ${MAX_MESSAGES}`,
        );
      let lastUser = -1;
      for (let i = 0; i < messages.length; i++) {
        const m: unknown = messages[i];
        if (typeof m !== 'object' || m === null)
          return bad('BAD_FIELD', `messages.${i}`, 'message is not an object');
        const role = (m as Record<string, unknown>)['role'];
        if (role !== undefined && typeof role !== 'string')
          return bad('BAD_FIELD', `messages.${i}.role`, 'role must be a string');
        if (role === 'user' || role === undefined) lastUser = i;
        if (
          role === 'tool' ||
          role === 'function' ||
          (role === 'assistant' && Array.isArray((m as Record<string, unknown>)['tool_calls']))
        )
          toolTurns++;
      }
      if (lastUser < 0) lastUser = messages.length - 1;
      for (let i = 0; i < messages.length; i++) {
        const m = messages[i] as Record<string, unknown>;
        const role = m['role'];
        const c = contentText(m['content']);
        if (c === null)
          return bad(
            'BAD_FIELD',
            `messages.${i}.content`,
            'content must be a string or a list of parts',
          );
        if (role === 'system' || role === 'developer')
          system = system === undefined ? c : `${system}\n${c}`;
        else if (i < lastUser) turns++;
        if (i === lastUser) text = c;
      }
    }
  }
  if (text === null) {
    const prompt = resolveField(obj, f.prompt);
    if (prompt === undefined) return bad('MISSING_FIELD', 'prompt', 'missing prompt or messages');
    if (typeof prompt === 'string') text = prompt;
    else if (Array.isArray(prompt) && prompt.length > 0 && typeof prompt[0] === 'string')
      text = prompt[0];
    else return bad('BAD_FIELD', 'prompt', 'prompt must be a string');
  }
  const sysField = resolveField(obj, f.system);
  if (sysField !== undefined) {
    if (typeof sysField !== 'string') return bad('BAD_FIELD', 'system', 'system must be a string');
    system = system === undefined ? sysField : `${sysField}\n${system}`;
  }

  const response = resolveField(obj, f.response);
  let responseChars: number | undefined;
  if (response !== undefined) {
    if (typeof response === 'string') responseChars = response.length;
    else if (typeof response === 'object') responseChars = undefined;
    else return bad('BAD_FIELD', 'response', 'response must be a string');
  }
  const inputTokens = optCount(resolveField(obj, f.inputTokens));
  if (inputTokens === null)
    return bad('BAD_FIELD', 'inputTokens', `inputTokens must be an integer in [0, ${MAX_TOKENS}]`);
  const outputTokens = optCount(resolveField(obj, f.outputTokens));
  if (outputTokens === null)
    return bad(
      'BAD_FIELD',
      'outputTokens',
      `outputTokens must be an integer in [0, ${MAX_TOKENS}]`,
    );
  const org = optString(resolveField(obj, f.org), MAX_ID_CHARS);
  if (org === null) return bad('BAD_FIELD', 'org', 'org must be a string');
  const ipRaw = optString(resolveField(obj, f.ip), 64);
  if (ipRaw === null) return bad('BAD_FIELD', 'ip', 'ip must be a string');
  let prefix: string | undefined;
  if (ipRaw !== undefined) {
    prefix = ipPrefix(ipRaw);
    if (prefix === undefined)
      return bad('BAD_FIELD', 'ip', `not an IPv4/IPv6 address: ${ipRaw.slice(0, 64)}`);
  }
  const asnRaw = optString(resolveField(obj, f.asn), 32);
  if (asnRaw === null) return bad('BAD_FIELD', 'asn', 'asn must be a string or number');
  let asn: string | undefined;
  if (asnRaw !== undefined) {
    const m = /^(?:AS)?(\d{1,10})$/i.exec(asnRaw.trim());
    if (!m) return bad('BAD_FIELD', 'asn', `not an AS number: ${asnRaw}`);
    asn = `AS${Number(m[1])}`;
  }
  const payment = optString(resolveField(obj, f.payment), MAX_ID_CHARS);
  if (payment === null) return bad('BAD_FIELD', 'payment', 'payment must be a string');
  const userAgent = optString(resolveField(obj, f.userAgent), MAX_UA_CHARS);
  if (userAgent === null) return bad('BAD_FIELD', 'userAgent', 'userAgent must be a string');
  const signupRaw = resolveField(obj, f.signupAt);
  let signupAt: number | undefined;
  if (signupRaw !== undefined) {
    signupAt = parseTime(signupRaw, f.signupAt?.format);
    if (!(signupAt >= MIN_TS && signupAt < MAX_TS))
      return bad('BAD_FIELD', 'signupAt', 'bad signupAt time');
  }
  const toolsRaw = resolveField(obj, f.tools);
  let tools = 0;
  if (toolsRaw !== undefined) {
    if (Array.isArray(toolsRaw)) tools = toolsRaw.length;
    else if (
      typeof toolsRaw === 'number' &&
      Number.isInteger(toolsRaw) &&
      toolsRaw >= 0 &&
      toolsRaw < 1e6
    )
      tools = toolsRaw;
    else return bad('BAD_FIELD', 'tools', 'tools must be a list or a count');
  }
  const nRaw = resolveField(obj, f.n);
  if (
    nRaw !== undefined &&
    (typeof nRaw !== 'number' || !Number.isInteger(nRaw) || nRaw < 0 || nRaw > 1e6)
  )
    return bad('BAD_FIELD', 'n', 'n must be a non-negative integer');
  const lp = resolveField(obj, f.logprobs);
  const multiSample =
    (typeof nRaw === 'number' && nRaw > 1) || lp === true || (typeof lp === 'number' && lp > 0);

  return {
    ok: true,
    record: {
      ts,
      account: acc,
      model,
      text,
      system,
      turns,
      responseChars,
      inputTokens,
      outputTokens,
      org,
      ipPrefix: prefix,
      asn,
      payment,
      userAgent,
      signupAt,
      tools,
      toolTurns,
      multiSample,
    },
  };
}
