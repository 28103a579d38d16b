/**
 * Options and input handling shared by `customs generate`, `detect` and `radioactivity`: scheme
 * parameters from flags or a config file, key files, and bounded reads of text from a file or
 * stdin.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import {
  loadKeyFile,
  normalizeParams,
  WatermarkError,
  type SchemeParams,
  type WatermarkKey,
} from '../../watermark/index.js';
import { parseIntOption, parseNumberOption } from '../io.js';

/** Largest text read from a file or stdin (64 MiB ≈ 16M tokens). */
export const MAX_TEXT_BYTES = 64 * 1024 * 1024;

/** Scheme flags as commander parses them. */
export interface SchemeFlags {
  scheme?: string;
  config?: string;
  contextWidth?: string;
  gamma?: string;
  delta?: string;
  seeding?: string;
  depth?: string;
  weighted?: boolean;
  dualKey?: boolean;
  dualKeyRate?: string;
  prf?: string;
}

/** Add the scheme flags to a command. */
export function addSchemeOptions(cmd: Command, defaultScheme: string | null): Command {
  return cmd
    .option(
      '--scheme <name>',
      `gumbel | kgw | synthid${defaultScheme ? ` (default ${defaultScheme})` : ''}`,
    )
    .option(
      '--config <file>',
      'scheme parameters as JSON (e.g. the "watermark.params" of generate --json)',
    )
    .option(
      '--context-width <h>',
      'context window h (gumbel 4, kgw lefthash 1 / selfhash 4, synthid 4)',
    )
    .option('--gamma <γ>', 'kgw green fraction (default 0.25)')
    .option('--delta <δ>', 'kgw green logit bias (default 2)')
    .option('--seeding <s>', 'kgw seeding: selfhash (default) | lefthash')
    .option('--depth <m>', 'synthid tournament layers (default 30)')
    .option('--weighted', 'synthid: weighted detection score (Chernoff-bounded p-value)')
    .option('--dual-key', 'gumbel: a keyed coin selects the secondary key on a fraction of windows')
    .option(
      '--dual-key-rate <α>',
      'gumbel dual key: probability of the secondary key (default 0.1)',
    )
    .option('--prf <kind>', 'aes (default) | hmac');
}

/** Scheme parameters from flags (or `--config`), validated. */
export async function paramsFromFlags(
  o: SchemeFlags,
  defaultScheme: string,
): Promise<SchemeParams> {
  let raw: Record<string, unknown> = {};
  if (o.config) {
    let text: string;
    try {
      text = await readFile(o.config, 'utf8');
    } catch (e) {
      throw new UsageError('NOT_FOUND', `cannot read --config ${o.config}`, { cause: e });
    }
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      throw new WatermarkError('BAD_PARAMS', 'config is not JSON', {
        where: { file: o.config },
        cause: e,
      });
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new WatermarkError('BAD_PARAMS', 'config must be a JSON object', {
        where: { file: o.config },
      });
  }
  const set = (k: string, v: unknown): void => {
    if (v !== undefined) raw[k] = v;
  };
  set('scheme', o.scheme ?? (raw['scheme'] === undefined ? defaultScheme : undefined));
  if (o.contextWidth !== undefined)
    set('contextWidth', parseIntOption('--context-width', o.contextWidth, 1, 16));
  if (o.gamma !== undefined) set('gamma', parseNumberOption('--gamma', o.gamma, 0, 1));
  if (o.delta !== undefined) set('delta', parseNumberOption('--delta', o.delta, 0, 100));
  set('seeding', o.seeding);
  if (o.depth !== undefined) set('depth', parseIntOption('--depth', o.depth, 1, 64));
  if (o.weighted) set('weighted', true);
  if (o.dualKey) set('dualKey', true);
  if (o.dualKeyRate !== undefined)
    set('alpha', parseNumberOption('--dual-key-rate', o.dualKeyRate, 0, 1));
  set('prf', o.prf);
  return normalizeParams(raw);
}

/** Load every `--key-file`. */
export async function loadKeys(files: readonly string[] | undefined): Promise<WatermarkKey[]> {
  if (!files || files.length === 0) throw new UsageError('USAGE', '--key-file is required');
  return Promise.all(files.map((f) => loadKeyFile(f)));
}

/** Collect a repeatable option into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Read a whole file (or stdin for undefined / "-"), bounded by {@link MAX_TEXT_BYTES}. */
export async function readInput(
  file: string | undefined,
): Promise<{ bytes: Uint8Array; name: string }> {
  if (file !== undefined && file !== '-') {
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch (e) {
      throw new UsageError('NOT_FOUND', `cannot read ${file}`, { cause: e });
    }
    if (size > MAX_TEXT_BYTES)
      throw new WatermarkError('LIMIT_EXCEEDED', `${size} bytes exceed ${MAX_TEXT_BYTES}`, {
        where: { file },
      });
    return { bytes: await readFile(file), name: file };
  }
  // An interactive terminal would wait forever for text that is not coming.
  if (process.stdin.isTTY)
    throw new UsageError('USAGE', 'no input: give a file or pipe text on stdin');
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const c of process.stdin) {
    const b = c as Buffer;
    total += b.length;
    if (total > MAX_TEXT_BYTES)
      throw new WatermarkError('LIMIT_EXCEEDED', `stdin exceeds ${MAX_TEXT_BYTES} bytes`, {
        where: { file: 'stdin' },
      });
    chunks.push(b);
  }
  return { bytes: Buffer.concat(chunks), name: 'stdin' };
}
