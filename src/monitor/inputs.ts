/**
 * Small side inputs of a monitor run: the allow-list of licensed accounts and known model
 * release times. Both are JSON files read whole (they are small: limits below) and validated
 * with zod so a typo is a typed error naming the file and field, never a silent no-op.
 */
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import type { Allowlist } from './verdict.js';
import { MonitorError, type MonitorErrorCode } from './errors.js';
import { parseTime } from './record.js';

/** Largest allow-list / releases file read (64 MiB: a million ids). */
export const MAX_SIDE_FILE_BYTES = 64 * 1024 * 1024;

const ID = z.string().min(1).max(256);
const AllowSchema = z
  .object({
    accounts: z.array(ID).max(10_000_000).optional(),
    orgs: z.array(ID).max(10_000_000).optional(),
    payments: z.array(ID).max(10_000_000).optional(),
  })
  .strict();
const ReleasesSchema = z.record(
  z.string().min(1).max(256),
  z.union([z.string().max(40), z.number()]),
);

function readJson(file: string, code: MonitorErrorCode): unknown {
  let text: string;
  try {
    const st = statSync(file);
    if (st.size > MAX_SIDE_FILE_BYTES)
      throw new MonitorError('LIMIT_EXCEEDED', `${st.size} bytes; limit ${MAX_SIDE_FILE_BYTES}`, {
        where: { file },
      });
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof MonitorError) throw e;
    const c = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'NOT_FOUND' : 'IO';
    throw new MonitorError(c, (e as Error).message, { where: { file }, cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new MonitorError(code, `not JSON: ${(e as Error).message}`, {
      where: { file },
      cause: e,
    });
  }
}

function zodWhere(e: z.ZodError): string {
  const first = e.issues[0];
  return first ? first.path.map(String).join('.') : '';
}

/** Parse an allow-list document: `{ "accounts": [...], "orgs": [...], "payments": [...] }`. */
export function parseAllowlist(doc: unknown, file = 'allow-list'): Allowlist {
  const r = AllowSchema.safeParse(doc);
  if (!r.success)
    throw new MonitorError('BAD_ALLOWLIST', r.error.issues[0]?.message ?? 'invalid allow-list', {
      where: { file, field: zodWhere(r.error) },
    });
  const out: { accounts?: string[]; orgs?: string[]; payments?: string[] } = {};
  if (r.data.accounts) out.accounts = r.data.accounts;
  if (r.data.orgs) out.orgs = r.data.orgs;
  if (r.data.payments) out.payments = r.data.payments;
  return out;
}

/** Read an allow-list file. */
export function loadAllowlist(file: string): Allowlist {
  return parseAllowlist(readJson(file, 'BAD_ALLOWLIST'), file);
}

/** Parse release times: `{ "model-name": "2026-03-10T12:00:00Z" | epoch }` → epoch ms. */
export function parseReleases(doc: unknown, file = 'releases'): Record<string, number> {
  const r = ReleasesSchema.safeParse(doc);
  if (!r.success)
    throw new MonitorError('BAD_RELEASES', r.error.issues[0]?.message ?? 'invalid releases', {
      where: { file, field: zodWhere(r.error) },
    });
  const out: Record<string, number> = {};
  for (const [model, v] of Object.entries(r.data)) {
    const t = parseTime(v, 'auto');
    if (!Number.isFinite(t))
      throw new MonitorError('BAD_RELEASES', `bad time for ${model}`, {
        where: { file, field: model },
      });
    out[model] = t;
  }
  return out;
}

/** Read a releases file. */
export function loadReleases(file: string): Record<string, number> {
  return parseReleases(readJson(file, 'BAD_RELEASES'), file);
}
