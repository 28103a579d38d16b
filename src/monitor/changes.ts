/**
 * Night-over-night changes: a run's alerts against the alerts file of a previous run
 * (`customs monitor --previous alerts-yesterday.jsonl`). A trust & safety team that runs the
 * monitor every night acts on what is new or raised; what it already handled shows as unchanged,
 * and accounts alerted last time and not now are listed as dropped. Accounts are matched by id
 * (campaign ids are digests of their member lists and change whenever one member does).
 *
 * The previous file is streamed line by line (plain or gzip) and only each account's strongest
 * recommendation is kept, so memory grows with the number of alerted accounts, not the file's
 * size (its lines carry every reason's text). A line that is not an alert line of this tool is
 * a typed error naming the file and line: a wrong or truncated file must not silently make
 * every alert "new".
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { MonitorError } from './errors.js';
import { CHUNK_BYTES, isGzip, MAX_LINE_BYTES } from './ingest.js';
import { MAX_ID_CHARS } from './record.js';
import {
  compareText,
  tierIndex,
  TIERS,
  type AccountFinding,
  type AlertChange,
  type AlertChanges,
  type MonitorVerdict,
  type Tier,
} from './verdict.js';

/**
 * Most distinct accounts read from a previous alerts file. A night of the 16M-record benchmark
 * alerts about 6,000 accounts and the largest reported extraction case used about 24,000; a
 * million is 40 times that, and with account and campaign ids at their
 * {@link MAX_ID_CHARS}-character limit, every campaign id distinct, the maps hold about 730 MiB
 * (measured), which the run holds alongside its own state.
 */
export const MAX_PREVIOUS_ALERTS = 1_000_000;

/** Most dropped accounts listed by id in a verdict's changes (all are counted). */
export const MAX_DROPPED_LISTED = 1000;

/** Most previous campaigns listed for one campaign of this run (the largest shares first). */
export const MAX_PREVIOUS_CAMPAIGNS = 5;

/**
 * A previous run's alerts: each account's strongest recommendation and the campaign it was
 * alerted in then, and the file's digest.
 */
export interface PreviousAlerts {
  readonly file: string;
  /** sha256 of the file as stored (compressed bytes for a gzip file), hex. */
  readonly digest: string;
  readonly lines: number;
  readonly tiers: ReadonlyMap<string, Tier>;
  /** Campaign of each account's strongest line (accounts alerted on their own are absent). */
  readonly campaigns: ReadonlyMap<string, string>;
}

function isTier(s: unknown): s is Tier {
  return typeof s === 'string' && (TIERS as readonly string[]).includes(s);
}

/** An account or campaign id as the logs' are (`record.ts`): an alerts file of ours holds no other. */
function isId(x: unknown): x is string {
  return typeof x === 'string' && x !== '' && x.length <= MAX_ID_CHARS;
}

/** A value for an error message: a string's first characters, else its type (never rendered whole). */
function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.slice(0, 40));
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/** Parse one line of an alerts file (as `renderAlertsJsonl` writes it): account, tier, campaign. */
function parseAlertLine(
  text: string,
  file: string,
  line: number,
): { account: string; tier: Tier; campaign: string | null } {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new MonitorError('BAD_PREVIOUS', `not JSON: ${(e as Error).message.slice(0, 120)}`, {
      where: { file, line },
    });
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
    throw new MonitorError('BAD_PREVIOUS', 'not a JSON object (an alert line)', {
      where: { file, line },
    });
  const o = obj as Record<string, unknown>;
  if (!isId(o.account))
    throw new MonitorError(
      'BAD_PREVIOUS',
      `account must be an id of 1-${MAX_ID_CHARS} characters`,
      {
        where: { file, line, field: 'account' },
      },
    );
  if (!isTier(o.recommendation))
    throw new MonitorError(
      'BAD_PREVIOUS',
      `recommendation must be one of ${TIERS.join(', ')}, got ${describe(o.recommendation)}`,
      { where: { file, line, field: 'recommendation' } },
    );
  const campaign = o.campaign ?? null;
  if (campaign !== null && !isId(campaign))
    throw new MonitorError(
      'BAD_PREVIOUS',
      `campaign must be null or an id of 1-${MAX_ID_CHARS} characters`,
      { where: { file, line, field: 'campaign' } },
    );
  return { account: o.account, tier: o.recommendation, campaign };
}

function openError(e: unknown, file: string): MonitorError {
  if (e instanceof MonitorError) return e;
  const code = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'NOT_FOUND' : 'IO';
  return new MonitorError(code, `cannot read previous alerts: ${(e as Error).message}`, {
    where: { file },
    cause: e,
  });
}

/** Whether a regular, readable file is gzip; typed errors for anything else. */
function gzipped(file: string): boolean {
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new MonitorError('IO', 'not a regular file', { where: { file } });
    return st.size >= 2 && isGzip(file);
  } catch (e) {
    throw openError(e, file);
  }
}

/**
 * Read a previous run's alerts file (JSONL as written by `--out`, plain or gzip). Blank lines are
 * skipped; an account listed twice (files of several runs concatenated) keeps its strongest
 * recommendation. Throws {@link MonitorError} `NOT_FOUND` / `IO` when the file cannot be read,
 * `BAD_GZIP` when its gzip stream is corrupt, `BAD_PREVIOUS` (with the line) for a line that is
 * not an alert line, and `LIMIT_EXCEEDED` for a line over `MAX_LINE_BYTES` or more than
 * {@link MAX_PREVIOUS_ALERTS} accounts.
 */
export async function loadPreviousAlerts(file: string): Promise<PreviousAlerts> {
  const gzip = gzipped(file);
  const raw = createReadStream(file, { highWaterMark: CHUNK_BYTES });
  const hash = createHash('sha256');
  raw.on('data', (c: Buffer | string) => hash.update(c));
  let src: Readable = raw;
  if (gzip) {
    const gunzip = createGunzip();
    raw.on('error', (e) => gunzip.destroy(e));
    src = raw.pipe(gunzip);
  }
  const tiers = new Map<string, Tier>();
  const campaigns = new Map<string, string>();
  /** One string per campaign id (many accounts share one). */
  const ids = new Map<string, string>();
  let lines = 0;
  let carry: Buffer[] = [];
  let carryLen = 0;
  const take = (text: string): void => {
    lines++;
    const t = text.trim();
    if (t === '') return;
    const { account, tier, campaign } = parseAlertLine(t, file, lines);
    const prev = tiers.get(account);
    if (prev === undefined && tiers.size >= MAX_PREVIOUS_ALERTS)
      throw new MonitorError(
        'LIMIT_EXCEEDED',
        `more than ${MAX_PREVIOUS_ALERTS} accounts in the previous alerts file`,
        { where: { file, line: lines } },
      );
    // the strongest recommendation; at equal ones the later line (nights concatenated oldest
    // first: the latest campaign id)
    if (prev !== undefined && tierIndex(tier) < tierIndex(prev)) return;
    tiers.set(account, tier);
    if (campaign === null) campaigns.delete(account);
    else {
      let id = ids.get(campaign);
      if (id === undefined) ids.set(campaign, (id = campaign));
      campaigns.set(account, id);
    }
  };
  try {
    for await (const chunk of src as AsyncIterable<Buffer>) {
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(10, start);
        if (nl < 0) break;
        const part = chunk.subarray(start, nl);
        if (carryLen + part.length > MAX_LINE_BYTES)
          throw new MonitorError('LIMIT_EXCEEDED', `line longer than ${MAX_LINE_BYTES} bytes`, {
            where: { file, line: lines + 1 },
          });
        if (carryLen > 0) {
          take(Buffer.concat([...carry, part]).toString('utf8'));
          carry = [];
          carryLen = 0;
        } else take(part.toString('utf8'));
        start = nl + 1;
      }
      if (start < chunk.length) {
        const rest = chunk.subarray(start);
        carryLen += rest.length;
        if (carryLen > MAX_LINE_BYTES)
          throw new MonitorError('LIMIT_EXCEEDED', `line longer than ${MAX_LINE_BYTES} bytes`, {
            where: { file, line: lines + 1 },
          });
        carry.push(Buffer.from(rest));
      }
    }
    if (carryLen > 0) take(Buffer.concat(carry).toString('utf8'));
  } catch (e) {
    raw.destroy();
    if (e instanceof MonitorError) throw e;
    const zlibError = typeof (e as { errno?: unknown }).errno === 'number' && gzip;
    if (zlibError && (e as NodeJS.ErrnoException).code?.startsWith('Z_'))
      throw new MonitorError('BAD_GZIP', `corrupt gzip stream: ${(e as Error).message}`, {
        where: { file },
        cause: e,
      });
    throw openError(e, file);
  }
  return { file, digest: hash.digest('hex'), lines, tiers, campaigns };
}

function changeOf(now: Tier, previous: Tier | undefined): AlertChange {
  if (previous === undefined) return 'new';
  const d = tierIndex(now) - tierIndex(previous);
  return d > 0 ? 'raised' : d < 0 ? 'lowered' : 'same';
}

/**
 * The verdict with each alert marked against a previous run's alerts (`change`: new, raised,
 * lowered or same, with the previous recommendation) and `changes` summarising them, including
 * the accounts alerted before and not now (`dropped`, with their tier now when they are on the
 * watch list) and, for each campaign of this run, the campaigns its accounts were alerted in
 * then (campaign ids are digests of member lists, so a campaign that gained or lost a member
 * has a new id: this is how it is followed from night to night). Pure: evidence and
 * recommendations are untouched.
 */
export function compareAlerts(v: MonitorVerdict, previous: PreviousAlerts): MonitorVerdict {
  const counts = { new: 0, raised: 0, lowered: 0, same: 0, dropped: 0 };
  const alerts: AccountFinding[] = v.alerts.map((a) => {
    const before = previous.tiers.get(a.account);
    const kind = changeOf(a.tier, before);
    counts[kind]++;
    return { ...a, change: { kind, previous: before ?? null } };
  });
  const alerted = new Set(v.alerts.map((a) => a.account));
  const watched = new Map(v.watchlist.map((w) => [w.account, w.tier]));
  const dropped: { account: string; previous: Tier; now: Tier | null }[] = [];
  const gone = [...previous.tiers]
    .filter(([id]) => !alerted.has(id))
    .sort((x, y) => compareText(x[0], y[0]));
  counts.dropped = gone.length;
  for (const [id, was] of gone.slice(0, MAX_DROPPED_LISTED))
    dropped.push({
      account: id,
      previous: was,
      now: watched.get(id) ?? null,
    });
  // each campaign of this run against the campaigns its accounts were alerted in then
  const continues: AlertChanges['campaigns'][number][] = [];
  for (const c of v.campaigns) {
    if (c.tier === null) continue;
    const share = new Map<string, number>();
    for (const id of c.accounts) {
      const was = previous.campaigns.get(id);
      if (was !== undefined) share.set(was, (share.get(was) ?? 0) + 1);
    }
    const list = [...share]
      .sort((x, y) => y[1] - x[1] || compareText(x[0], y[0]))
      .slice(0, MAX_PREVIOUS_CAMPAIGNS)
      .map(([id, accounts]) => ({ id, accounts }));
    continues.push({ id: c.id, previous: list });
  }
  const changes: AlertChanges = {
    previous: { file: previous.file, digest: previous.digest, alerts: previous.tiers.size },
    counts,
    dropped,
    campaigns: continues,
  };
  return { ...v, alerts, changes };
}
