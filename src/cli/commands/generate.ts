/**
 * `customs generate`: sample from a local model with the reference engine, watermarked with a
 * scheme and key (or plain with `--watermark none`). Prints the text, or with `--json` the text,
 * the exact token ids (detection on ids is exact even when the text is not valid UTF-8) and what
 * the watermark did. Exit 0, or 2 on a usage / input error.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { loadLocalModel } from '../../engine/index.js';
import {
  appendLedger,
  createLedgerWriter,
  generateWatermarked,
  loadKeyFile,
} from '../../watermark/index.js';
import { diag, out, parseIntOption, parseNumberOption, printJson } from '../io.js';
import { addSchemeOptions, paramsFromFlags, type SchemeFlags } from './watermark-shared.js';

interface Opts extends SchemeFlags {
  model: string;
  prompt?: string;
  promptFile?: string;
  watermark?: string;
  keyFile?: string;
  secondaryKeyFile?: string;
  maxTokens: string;
  temperature?: string;
  topK?: string;
  topP?: string;
  seed: string;
  tokenizer?: string;
  ledger?: string;
  noContextDedup?: boolean;
  json?: boolean;
}

/** Register `customs generate`. */
export function register(program: Command): void {
  const cmd = program
    .command('generate')
    .description(
      'generate text from a local model with the reference engine, optionally watermarked',
    )
    .requiredOption('--model <dir>', 'model directory, file, hf:org/name or URL')
    .option('--prompt <text>', 'prompt text')
    .option('--prompt-file <file>', 'read the prompt from a file')
    .option(
      '--watermark <scheme>',
      'gumbel | kgw | synthid | none (default gumbel when --key-file is given)',
    )
    .option('--key-file <file>', 'watermark key file (customs wm-keygen)')
    .option('--secondary-key-file <file>', 'gumbel dual key: key B')
    .option('--max-tokens <n>', 'new tokens to generate', '200')
    .option('--temperature <t>', 'softmax temperature (0 = greedy, never watermarked)')
    .option('--top-k <k>', 'keep the k most likely tokens')
    .option('--top-p <p>', 'nucleus sampling mass')
    .option('--seed <n>', 'sampling seed', '0')
    .option('--tokenizer <spec>', "bytes | tokenizer.json (default: the model's)")
    .option(
      '--ledger <file>',
      'append served-window fingerprints to this ledger (for radioactivity filters)',
    )
    .option('--no-context-dedup', 'watermark repeated windows too (default: sample them plainly)')
    .option('--json', 'print JSON');
  addSchemeOptions(cmd, null);
  cmd.action(async (o: Opts) => {
    if ((o.prompt === undefined) === (o.promptFile === undefined))
      throw new UsageError('USAGE', 'give exactly one of --prompt or --prompt-file');
    const prompt = o.prompt ?? (await readFile(o.promptFile ?? '', 'utf8'));
    const scheme = o.watermark ?? o.scheme ?? (o.keyFile ? 'gumbel' : 'none');
    if (o.watermark && o.scheme && o.watermark !== o.scheme)
      throw new UsageError('USAGE', '--watermark and --scheme disagree');
    const params = scheme === 'none' ? null : await paramsFromFlags({ ...o, scheme }, scheme);
    if (params && !o.keyFile)
      throw new UsageError('USAGE', `--watermark ${scheme} needs --key-file`);
    const key = o.keyFile ? await loadKeyFile(o.keyFile) : null;
    const secondaryKey = o.secondaryKeyFile ? await loadKeyFile(o.secondaryKeyFile) : null;
    const model = await loadLocalModel({
      model: o.model,
      ...(o.tokenizer ? { tokenizer: o.tokenizer } : {}),
    });
    const ledger = o.ledger && params && key ? createLedgerWriter(key, params) : null;
    const sampling = {
      ...(o.temperature !== undefined
        ? { temperature: parseNumberOption('--temperature', o.temperature, 0, 100) }
        : {}),
      ...(o.topK !== undefined ? { topK: parseIntOption('--top-k', o.topK, 0) } : {}),
      ...(o.topP !== undefined ? { topP: parseNumberOption('--top-p', o.topP, 0, 1) } : {}),
    };
    const g = generateWatermarked({
      model,
      prompt,
      maxNewTokens: parseIntOption('--max-tokens', o.maxTokens, 0, 1 << 20),
      params,
      key,
      secondaryKey,
      sampling,
      seed: BigInt(parseIntOption('--seed', o.seed, 0)),
      ...(o.noContextDedup ? { dedupContexts: false } : {}),
      ledger,
    });
    if (ledger && o.ledger) {
      const n = await appendLedger(o.ledger, ledger);
      diag(`ledger: ${n} served windows appended to ${o.ledger}`);
    }
    if (o.json) printJson(g);
    else {
      out(g.text);
      if (g.watermark) {
        const s = g.watermark.stats;
        diag(
          `watermark ${g.watermark.description} key ${g.watermark.keyId}: ${s.watermarked} of ${g.tokens.length} tokens keyed (${s.repeatedContext} repeated windows, ${s.noContext} without a full window, ${s.greedy} greedy)`,
        );
      }
    }
  });
}
