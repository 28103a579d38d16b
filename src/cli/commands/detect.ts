/**
 * `customs detect`: is this text watermarked with our key? Reads text from a file or stdin (or
 * token ids with `--input tokens`), prints a verdict with an exact p-value, `--json` the whole
 * verdict, `--html` a page highlighting the scored tokens. Exit 1 when the text is watermarked at
 * level α, 0 when not detected or the evidence is insufficient, 2 on a usage / input error.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { loadTokenizer } from '../../engine/index.js';
import { formatP } from '../../stats/index.js';
import {
  detectHfSynthId,
  detectWatermark,
  parseHfSynthIdConfig,
  loadKeyFile,
  renderDetectHtml,
  renderDetectText,
  WatermarkError,
} from '../../watermark/index.js';
import { diag, EXIT, out, parseIntOption, parseNumberOption, printJson } from '../io.js';
import {
  addSchemeOptions,
  collect,
  loadKeys,
  paramsFromFlags,
  readInput,
  type SchemeFlags,
} from './watermark-shared.js';

interface Opts extends SchemeFlags {
  keyFile?: string[];
  secondaryKeyFile?: string;
  tokenizer: string;
  input: string;
  promptFile?: string;
  alpha: string;
  minScored: string;
  dedup: string;
  eos?: boolean;
  html?: string;
  hfSynthidConfig?: string;
  json?: boolean;
}

function parseTokens(
  bytes: Uint8Array,
  name: string,
): { tokens: number[]; prompt: number[] | null } {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new WatermarkError('BAD_INPUT', 'token input is not JSON', {
      where: { file: name },
      cause: e,
    });
  }
  const ids = (v: unknown, field: string): number[] => {
    if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x) && (x as number) >= 0))
      throw new WatermarkError('BAD_INPUT', `${field} must be an array of non-negative integers`, {
        where: { file: name, field },
      });
    return v as number[];
  };
  if (Array.isArray(raw)) return { tokens: ids(raw, 'tokens'), prompt: null };
  const o = raw as { tokens?: unknown; promptTokens?: unknown } | null;
  if (!o || o.tokens === undefined)
    throw new WatermarkError(
      'BAD_INPUT',
      'expected a JSON array of ids or an object with "tokens"',
      { where: { file: name } },
    );
  return {
    tokens: ids(o.tokens, 'tokens'),
    prompt: o.promptTokens === undefined ? null : ids(o.promptTokens, 'promptTokens'),
  };
}

/** Register `customs detect`. */
export function register(program: Command): void {
  const cmd = program
    .command('detect')
    .description('detect a watermark in a text with an exact p-value')
    .argument('[file]', 'text file (default stdin)')
    .option(
      '--key-file <file>',
      'watermark key file (repeat to test several keys; corrected with Holm)',
      collect,
    )
    .option('--secondary-key-file <file>', 'gumbel dual key: key B')
    .option('--tokenizer <spec>', 'bytes | path to tokenizer.json (or its directory)', 'bytes')
    .option(
      '--input <kind>',
      'text | tokens (a JSON array of ids, or generate --json output)',
      'text',
    )
    .option(
      '--prompt-file <file>',
      'the prompt that preceded the text: context for the first windows, never scored',
    )
    .option('--alpha <α>', 'significance level of the verdict label', '1e-6')
    .option('--min-scored <n>', 'fewer scored tokens give "insufficient evidence"', '16')
    .option(
      '--dedup <mode>',
      'pair (each distinct window+token once) | context (each window once)',
      'pair',
    )
    .option('--no-eos', "keep scoring after the tokenizer's end-of-sequence token")
    .option('--html <file>', 'write an HTML page highlighting the scored tokens')
    .option(
      '--hf-synthid-config <file>',
      "detect text from transformers' SynthID-Text with this SynthIDTextWatermarkingConfig JSON (no --key-file)",
    )
    .option('--json', 'print the verdict as JSON');
  addSchemeOptions(cmd, 'gumbel');
  cmd.action(async (file: string | undefined, o: Opts) => {
    if (o.hfSynthidConfig) {
      const cfgFile = o.hfSynthidConfig;
      let raw: unknown;
      try {
        raw = JSON.parse(new TextDecoder().decode((await readInput(cfgFile)).bytes));
      } catch (e) {
        throw new WatermarkError('BAD_PARAMS', 'SynthID config is not JSON', {
          where: { file: cfgFile },
          cause: e,
        });
      }
      const config = parseHfSynthIdConfig(raw, cfgFile);
      const tok = await loadTokenizer(o.tokenizer);
      const input = await readInput(file);
      const tokens =
        o.input === 'tokens'
          ? parseTokens(input.bytes, input.name).tokens
          : tok.kind === 'bytes'
            ? Array.from(input.bytes)
            : tok.encode(new TextDecoder().decode(input.bytes));
      const r = detectHfSynthId({
        tokens,
        config,
        eosId: o.eos === false ? null : tok.eosId,
        alpha: parseNumberOption('--alpha', o.alpha, Number.MIN_VALUE, 0.5),
        minScored: parseIntOption('--min-scored', o.minScored, 1),
      });
      if (o.json) printJson(r);
      else
        out(
          `${r.verdict}  p = ${formatP({ log10: r.log10PValue })} (log10 p = ${r.log10PValue.toFixed(2)})\n` +
            `transformers SynthID: ${r.scoredNgrams} n-grams scored, mean g ${r.meanG.toFixed(4)}, ${r.onesInCells} ones in ${r.distinctCells} distinct table cells (table share ${r.tableOnes.toFixed(4)}) [${r.method}]`,
        );
      process.exitCode = r.verdict === 'watermarked' ? EXIT.FINDING : EXIT.OK;
      return;
    }
    const params = await paramsFromFlags(o, 'gumbel');
    const keys = await loadKeys(o.keyFile);
    const secondaryKey = o.secondaryKeyFile ? await loadKeyFile(o.secondaryKeyFile) : null;
    const tokenizer = await loadTokenizer(o.tokenizer);
    if (o.dedup !== 'pair' && o.dedup !== 'context')
      throw new UsageError('USAGE', '--dedup must be pair or context');
    if (o.input !== 'text' && o.input !== 'tokens')
      throw new UsageError('USAGE', '--input must be text or tokens');
    const input = await readInput(file);
    let prompt: string | readonly number[] | undefined;
    if (o.promptFile) prompt = new TextDecoder().decode((await readInput(o.promptFile)).bytes);
    let source: { tokens: number[] } | { bytes: Uint8Array };
    if (o.input === 'tokens') {
      const t = parseTokens(input.bytes, input.name);
      source = { tokens: t.tokens };
      if (t.prompt && prompt === undefined) prompt = t.prompt;
    } else source = { bytes: input.bytes };
    const v = detectWatermark({
      ...source,
      tokenizer,
      ...(prompt !== undefined ? { prompt } : {}),
      keys,
      secondaryKey,
      params,
      dedup: o.dedup,
      alpha: parseNumberOption('--alpha', o.alpha, Number.MIN_VALUE, 0.5),
      minScored: parseIntOption('--min-scored', o.minScored, 1),
      stopAtEos: o.eos !== false,
      detail: o.html !== undefined,
    });
    if (o.html) {
      await writeFile(o.html, renderDetectHtml(v, { generatedAt: new Date().toISOString() }));
      diag(`wrote ${o.html}`);
    }
    if (o.json) {
      const { tokens: _t, evidence: _e, ...rest } = v;
      printJson(rest);
    } else out(renderDetectText(v));
    process.exitCode = v.verdict === 'watermarked' ? EXIT.FINDING : EXIT.OK;
  });
}
