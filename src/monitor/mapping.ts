/**
 * Field mappings: how a log line of some schema becomes a canonical traffic record.
 *
 * A mapping names, for each canonical field, one or more JSON paths tried in order (the first
 * that is present wins) and, for times, how to read them. Presets cover the native schema of
 * this monitor, OpenAI-style request/response logs written by gateways, and LiteLLM's
 * `StandardLoggingPayload` (https://docs.litellm.ai/docs/proxy/logging_spec). A mapping file
 * (JSON) may start from a preset and override any field:
 *
 * ```json
 * { "preset": "litellm", "fields": { "account": "metadata.user_api_key_team_id" } }
 * ```
 *
 * Paths are dot-separated; a numeric segment indexes an array and `-1` means its last element.
 */
import { readFileSync } from 'node:fs';
import { MonitorError } from './errors.js';

/** Canonical fields a mapping can fill. */
export const CANONICAL_FIELDS = [
  'ts',
  'account',
  'model',
  'prompt',
  'messages',
  'system',
  'response',
  'inputTokens',
  'outputTokens',
  'org',
  'ip',
  'asn',
  'payment',
  'userAgent',
  'signupAt',
  'tools',
  'n',
  'logprobs',
] as const;

/** One canonical field name. */
export type CanonicalField = (typeof CANONICAL_FIELDS)[number];

/** How a time field is written: ISO-8601 text, epoch seconds, epoch milliseconds, or either. */
export type TimeFormat = 'iso' | 'epoch-s' | 'epoch-ms' | 'auto';

/** A compiled field: candidate paths (each a list of segments) and an optional time format. */
export interface FieldSpec {
  readonly paths: readonly (readonly string[])[];
  readonly format?: TimeFormat;
}

/** A compiled mapping. */
export interface Mapping {
  readonly name: string;
  readonly fields: Readonly<Partial<Record<CanonicalField, FieldSpec>>>;
}

/** Names of the built-in presets. */
export type PresetName = 'native' | 'openai' | 'litellm';

/** Longest path accepted in a mapping file (a path deeper than this is a typo or an attack). */
export const MAX_PATH_SEGMENTS = 16;
/** Most alternative paths for one field. */
export const MAX_ALTERNATIVES = 8;
/** Largest mapping file read (a mapping is a few hundred bytes; more is not a mapping). */
export const MAX_MAPPING_BYTES = 64 * 1024;

function spec(paths: readonly string[], format?: TimeFormat): FieldSpec {
  const compiled = paths.map((p) => p.split('.'));
  return format === undefined ? { paths: compiled } : { paths: compiled, format };
}

const NATIVE: Mapping = {
  name: 'native',
  fields: {
    ts: spec(['ts'], 'auto'),
    account: spec(['account']),
    model: spec(['model']),
    prompt: spec(['prompt']),
    messages: spec(['messages']),
    system: spec(['system']),
    response: spec(['response']),
    inputTokens: spec(['inputTokens']),
    outputTokens: spec(['outputTokens']),
    org: spec(['org']),
    ip: spec(['ip']),
    asn: spec(['asn']),
    payment: spec(['payment']),
    userAgent: spec(['userAgent']),
    signupAt: spec(['signupAt'], 'auto'),
    tools: spec(['tools']),
    n: spec(['n']),
    logprobs: spec(['logprobs']),
  },
};

/**
 * OpenAI-style gateway logs: one object per call holding the Chat Completions request body and
 * the response body (https://platform.openai.com/docs/api-reference/chat), plus the caller.
 */
const OPENAI: Mapping = {
  name: 'openai',
  fields: {
    ts: spec(['created_at', 'timestamp', 'created', 'response.created', 'request.created'], 'auto'),
    account: spec(['user', 'request.user', 'body.user', 'api_key_id', 'organization']),
    model: spec(['request.model', 'body.model', 'model', 'response.model']),
    prompt: spec(['request.prompt', 'body.prompt', 'prompt']),
    messages: spec(['request.messages', 'body.messages', 'messages', 'request.input', 'input']),
    response: spec([
      'response.choices.0.message.content',
      'response.choices.0.text',
      'response.output_text',
    ]),
    inputTokens: spec([
      'response.usage.prompt_tokens',
      'response.usage.input_tokens',
      'usage.prompt_tokens',
    ]),
    outputTokens: spec([
      'response.usage.completion_tokens',
      'response.usage.output_tokens',
      'usage.completion_tokens',
    ]),
    org: spec(['organization', 'org_id', 'project']),
    ip: spec(['ip', 'client_ip', 'remote_addr']),
    asn: spec(['asn']),
    payment: spec(['payment', 'billing_id']),
    userAgent: spec(['user_agent', 'headers.user-agent', 'request_headers.user-agent']),
    signupAt: spec(['signup_at', 'account_created_at'], 'auto'),
    tools: spec(['request.tools', 'body.tools', 'tools']),
    n: spec(['request.n', 'body.n', 'n']),
    logprobs: spec(['request.logprobs', 'body.logprobs', 'request.top_logprobs', 'logprobs']),
  },
};

/**
 * LiteLLM proxy logs: the `StandardLoggingPayload` written by its logging callbacks
 * (https://docs.litellm.ai/docs/proxy/logging_spec); `startTime` is epoch seconds and the
 * caller is the hashed virtual key (or its user / team id).
 */
const LITELLM: Mapping = {
  name: 'litellm',
  fields: {
    ts: spec(['startTime', 'endTime'], 'auto'),
    account: spec([
      'metadata.user_api_key_hash',
      'metadata.user_api_key_user_id',
      'metadata.user_api_key_team_id',
      'end_user',
    ]),
    model: spec(['model', 'model_group']),
    prompt: spec(['prompt']),
    messages: spec(['messages']),
    response: spec(['response.choices.0.message.content', 'response']),
    inputTokens: spec(['prompt_tokens']),
    outputTokens: spec(['completion_tokens']),
    org: spec(['metadata.user_api_key_org_id', 'metadata.user_api_key_team_id']),
    ip: spec(['metadata.requester_ip_address', 'requester_ip_address']),
    userAgent: spec(['metadata.requester_metadata.user_agent', 'metadata.user_agent']),
    tools: spec(['model_parameters.tools']),
    n: spec(['model_parameters.n']),
    logprobs: spec(['model_parameters.logprobs']),
  },
};

const PRESETS: Readonly<Record<PresetName, Mapping>> = {
  native: NATIVE,
  openai: OPENAI,
  litellm: LITELLM,
};

/** The built-in mapping with this name. */
export function presetMapping(name: PresetName): Mapping {
  return PRESETS[name];
}

function isPreset(s: string): s is PresetName {
  return s === 'native' || s === 'openai' || s === 'litellm';
}

function isCanonical(s: string): s is CanonicalField {
  return (CANONICAL_FIELDS as readonly string[]).includes(s);
}

function isTimeFormat(s: unknown): s is TimeFormat {
  return s === 'iso' || s === 'epoch-s' || s === 'epoch-ms' || s === 'auto';
}

function compilePath(p: unknown, file: string, field: string): string[] {
  if (typeof p !== 'string' || p.length === 0 || p.length > 512)
    throw new MonitorError(
      'BAD_MAPPING',
      'a path must be a non-empty string of at most 512 characters',
      {
        where: { file, field },
      },
    );
  const segs = p.split('.');
  if (segs.length > MAX_PATH_SEGMENTS || segs.some((s) => s.length === 0))
    throw new MonitorError(
      'BAD_MAPPING',
      `path "${p}" has an empty segment or more than ${MAX_PATH_SEGMENTS} segments`,
      { where: { file, field } },
    );
  return segs;
}

/**
 * Parse a mapping document (already JSON-decoded). `file` names it in errors. Unknown fields,
 * unknown presets, bad paths and bad time formats are errors, never silently ignored: a mapping
 * that reads the wrong field would make every verdict wrong.
 */
export function parseMapping(doc: unknown, file = 'mapping'): Mapping {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new MonitorError('BAD_MAPPING', 'a mapping must be a JSON object', { where: { file } });
  const obj = doc as Record<string, unknown>;
  for (const k of Object.keys(obj))
    if (k !== 'preset' && k !== 'fields' && k !== 'name')
      throw new MonitorError('BAD_MAPPING', `unknown key "${k}" (expected preset, fields, name)`, {
        where: { file, field: k },
      });
  const presetRaw = obj['preset'] ?? 'native';
  if (typeof presetRaw !== 'string' || !isPreset(presetRaw))
    throw new MonitorError(
      'BAD_MAPPING',
      `unknown preset ${JSON.stringify(presetRaw)} (native, openai, litellm)`,
      {
        where: { file, field: 'preset' },
      },
    );
  const base = PRESETS[presetRaw];
  const fields: Partial<Record<CanonicalField, FieldSpec>> = { ...base.fields };
  const rawFields = obj['fields'] ?? {};
  if (typeof rawFields !== 'object' || rawFields === null || Array.isArray(rawFields))
    throw new MonitorError('BAD_MAPPING', '"fields" must be an object', {
      where: { file, field: 'fields' },
    });
  for (const [name, value] of Object.entries(rawFields as Record<string, unknown>)) {
    if (!isCanonical(name))
      throw new MonitorError('BAD_MAPPING', `unknown canonical field "${name}"`, {
        where: { file, field: `fields.${name}` },
        details: { known: CANONICAL_FIELDS },
      });
    const where = `fields.${name}`;
    if (value === null) {
      delete fields[name];
      continue;
    }
    let paths: unknown[];
    let format: TimeFormat | undefined;
    if (typeof value === 'string') paths = [value];
    else if (Array.isArray(value)) paths = value;
    else if (typeof value === 'object') {
      const v = value as Record<string, unknown>;
      const p = v['path'];
      paths = Array.isArray(p) ? p : [p];
      if (v['format'] !== undefined) {
        if (!isTimeFormat(v['format']))
          throw new MonitorError('BAD_MAPPING', 'format must be iso, epoch-s, epoch-ms or auto', {
            where: { file, field: `${where}.format` },
          });
        format = v['format'];
      }
    } else
      throw new MonitorError(
        'BAD_MAPPING',
        'a field maps to a path, a list of paths or {path, format}',
        {
          where: { file, field: where },
        },
      );
    if (paths.length === 0 || paths.length > MAX_ALTERNATIVES)
      throw new MonitorError('BAD_MAPPING', `between 1 and ${MAX_ALTERNATIVES} paths per field`, {
        where: { file, field: where },
      });
    const compiled = paths.map((p) => compilePath(p, file, where));
    const fmt = format ?? (name === 'ts' || name === 'signupAt' ? 'auto' : undefined);
    fields[name] = fmt === undefined ? { paths: compiled } : { paths: compiled, format: fmt };
  }
  if (!fields.ts || !fields.account || !fields.model || (!fields.prompt && !fields.messages))
    throw new MonitorError(
      'BAD_MAPPING',
      'the mapping must provide ts, account, model and prompt or messages',
      {
        where: { file },
      },
    );
  const name = typeof obj['name'] === 'string' ? obj['name'] : `${presetRaw}+${file}`;
  return { name, fields };
}

/** Read and parse a mapping file, or return a preset when `pathOrPreset` names one. */
export function loadMapping(pathOrPreset: string): Mapping {
  if (isPreset(pathOrPreset)) return PRESETS[pathOrPreset];
  let text: string;
  try {
    const buf = readFileSync(pathOrPreset);
    if (buf.length > MAX_MAPPING_BYTES)
      throw new MonitorError(
        'LIMIT_EXCEEDED',
        `mapping file is ${buf.length} bytes; limit ${MAX_MAPPING_BYTES}`,
        {
          where: { file: pathOrPreset },
        },
      );
    text = buf.toString('utf8');
  } catch (e) {
    if (e instanceof MonitorError) throw e;
    const code = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'NOT_FOUND' : 'IO';
    throw new MonitorError(code, `cannot read mapping: ${(e as Error).message}`, {
      where: { file: pathOrPreset },
      cause: e,
    });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new MonitorError('BAD_MAPPING', `not JSON: ${(e as Error).message}`, {
      where: { file: pathOrPreset },
      cause: e,
    });
  }
  return parseMapping(doc, pathOrPreset);
}

/** Resolve one path in a decoded JSON value; undefined when any step is missing. */
export function resolvePath(root: unknown, path: readonly string[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || cur === undefined) return undefined;
    if (Array.isArray(cur)) {
      const i = seg === '-1' ? cur.length - 1 : Number(seg);
      if (!Number.isInteger(i) || i < 0 || i >= cur.length) return undefined;
      cur = cur[i];
    } else if (typeof cur === 'object') {
      if (!Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
      cur = (cur as Record<string, unknown>)[seg];
    } else return undefined;
  }
  return cur;
}

/** The first present value among a field's alternative paths. */
export function resolveField(root: unknown, spec: FieldSpec | undefined): unknown {
  if (!spec) return undefined;
  const only = spec.paths.length === 1 ? spec.paths[0] : undefined;
  if (
    only !== undefined &&
    only.length === 1 &&
    typeof root === 'object' &&
    root !== null &&
    !Array.isArray(root)
  ) {
    // hot path (native schema): one top-level key; own properties only, as in resolvePath
    const key = only[0] ?? '';
    if (!Object.prototype.hasOwnProperty.call(root, key)) return undefined;
    const v = (root as Record<string, unknown>)[key];
    return v === null ? undefined : v;
  }
  for (const p of spec.paths) {
    const v = resolvePath(root, p);
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}
