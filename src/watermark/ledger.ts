/**
 * The served-windows ledger: while generating, record a keyed fingerprint of every window whose
 * next token the watermark chose, so a later radioactivity audit can restrict scoring to windows
 * we actually served (Sander et al. 2024's filter φ), and prove when they were served.
 *
 * Fingerprint: first 8 bytes of the PRF under domain "ledger:<scheme domain>" on the message
 * (h, window, token 0): keyed, so the ledger does not reveal the texts. Only windows are recorded,
 * never the chosen tokens: restricting scoring by window is independent of the watermark's
 * values at that window, so the audit's null distribution is unchanged (docs/watermark.md).
 *
 * File: line 1 a JSON header {type, version, keyId, scheme, contextWidth}; then one 16-hex
 * fingerprint per line (append-only; duplicates are harmless).
 */
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { WatermarkError } from './errors.js';
import type { WatermarkKey } from './keys.js';
import { createPrf, packMessage, type Prf } from './prf.js';
import { describeParams, prfDomain, type SchemeParams } from './schemes.js';

/** Largest ledger read (about 60M windows). */
export const MAX_LEDGER_BYTES = 1 << 30;

/** Header of a ledger file. */
export interface LedgerHeader {
  readonly type: 'customs-watermark-ledger';
  readonly version: 1;
  readonly keyId: string;
  readonly scheme: string;
  readonly contextWidth: number;
}

function ledgerPrf(key: WatermarkKey, params: SchemeParams): Prf {
  return createPrf(key, `ledger:${prfDomain(params)}`, params.contextWidth, params.prf);
}

/** Fingerprint function of windows seq[i−h, i) for a key and scheme. */
export function windowFingerprinter(
  key: WatermarkKey,
  params: SchemeParams,
): (seq: ArrayLike<number>, i: number) => string {
  const prf = ledgerPrf(key, params);
  const h = params.contextWidth;
  const buf = new Uint8Array(prf.messageBytes);
  return (seq, i) => {
    packMessage(buf, 0, h, seq, i - h, 0);
    return Buffer.from(prf.evaluate(buf, 1).subarray(0, 8)).toString('hex');
  };
}

/** Collects served windows during generation. */
export interface LedgerWriter {
  readonly header: LedgerHeader;
  /** Record that the window before position i of `seq` was served with a watermarked choice. */
  record(seq: ArrayLike<number>, i: number, chosen: number): void;
  /** Fingerprints recorded since the last `drain`. */
  drain(): string[];
}

/** Create a ledger writer. */
export function createLedgerWriter(key: WatermarkKey, params: SchemeParams): LedgerWriter {
  const fp = windowFingerprinter(key, params);
  let pending: string[] = [];
  return {
    header: {
      type: 'customs-watermark-ledger',
      version: 1,
      keyId: key.id,
      scheme: describeParams(params),
      contextWidth: params.contextWidth,
    },
    record(seq, i) {
      pending.push(fp(seq, i));
    },
    drain() {
      const d = pending;
      pending = [];
      return d;
    },
  };
}

/** Append a writer's new fingerprints to a ledger file (creating it with its header). */
export async function appendLedger(path: string, w: LedgerWriter): Promise<number> {
  const lines = w.drain();
  let exists = true;
  try {
    await stat(path);
  } catch {
    exists = false;
  }
  if (!exists) await writeFile(path, `${JSON.stringify(w.header)}\n`);
  else {
    const head = (await readFile(path, 'utf8')).split('\n', 1)[0] ?? '';
    const h = parseHeader(head, path);
    if (h.keyId !== w.header.keyId || h.scheme !== w.header.scheme)
      throw new WatermarkError('BAD_LEDGER', `ledger belongs to key ${h.keyId} / ${h.scheme}`, {
        where: { file: path, line: 1 },
      });
  }
  if (lines.length > 0) await appendFile(path, `${lines.join('\n')}\n`);
  return lines.length;
}

function parseHeader(line: string, file: string): LedgerHeader {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (e) {
    throw new WatermarkError('BAD_LEDGER', 'first line is not a JSON header', {
      where: { file, line: 1 },
      cause: e,
    });
  }
  const o = raw as Partial<LedgerHeader> | null;
  if (
    !o ||
    o.type !== 'customs-watermark-ledger' ||
    o.version !== 1 ||
    typeof o.keyId !== 'string' ||
    typeof o.scheme !== 'string' ||
    typeof o.contextWidth !== 'number'
  )
    throw new WatermarkError('BAD_LEDGER', 'not a customs watermark ledger header', {
      where: { file, line: 1 },
    });
  return o as LedgerHeader;
}

/** A loaded ledger. */
export interface Ledger {
  readonly header: LedgerHeader;
  readonly windows: ReadonlySet<string>;
}

/** Read a ledger and check it belongs to this key and scheme. */
export async function loadLedger(
  path: string,
  key: WatermarkKey,
  params: SchemeParams,
): Promise<Ledger> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (e) {
    throw new WatermarkError('BAD_LEDGER', 'cannot read the ledger', {
      where: { file: path },
      cause: e,
    });
  }
  if (size > MAX_LEDGER_BYTES)
    throw new WatermarkError(
      'LIMIT_EXCEEDED',
      `ledger of ${size} bytes exceeds ${MAX_LEDGER_BYTES}`,
      { where: { file: path } },
    );
  const lines = (await readFile(path, 'utf8')).split('\n');
  const header = parseHeader(lines[0] ?? '', path);
  if (header.keyId !== key.id)
    throw new WatermarkError(
      'BAD_LEDGER',
      `ledger was written under key ${header.keyId}, not ${key.id}`,
      { where: { file: path, line: 1 } },
    );
  if (header.scheme !== describeParams(params))
    throw new WatermarkError(
      'BAD_LEDGER',
      `ledger is for "${header.scheme}", not "${describeParams(params)}"`,
      { where: { file: path, line: 1 } },
    );
  const windows = new Set<string>();
  for (let i = 1; i < lines.length; i++) {
    const l = (lines[i] as string).trim();
    if (l === '') continue;
    if (!/^[0-9a-f]{16}$/.test(l))
      throw new WatermarkError('BAD_LEDGER', `line is not a 16-hex fingerprint`, {
        where: { file: path, line: i + 1 },
      });
    windows.add(l);
  }
  return { header, windows };
}
