/**
 * `customs radioactivity`: did a suspect model train on our watermarked outputs? Open-model mode
 * reads audit texts through a local suspect (model directory/file) and scores its predictions;
 * API mode (a URL) sends the prompts to an OpenAI-compatible endpoint and scores its answers.
 * Exit 1 when radioactive at level α with passing controls, 0 otherwise (not detected,
 * insufficient evidence, or failed controls — never a finding), 2 on a usage / input error.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import {
  createOpenAIClient,
  loadLocalModel,
  loadTokenizer,
  openAIBackend,
} from '../../engine/index.js';
import {
  auditRadioactivity,
  loadKeyFile,
  loadLedger,
  parsePrompts,
  type RadioactivityVerdict,
  type Suspect,
} from '../../watermark/index.js';
import { formatP } from '../../stats/index.js';
import { diag, EXIT, out, parseIntOption, parseNumberOption, printJson } from '../io.js';
import {
  addSchemeOptions,
  paramsFromFlags,
  readInput,
  type SchemeFlags,
} from './watermark-shared.js';

interface Opts extends SchemeFlags {
  keyFile?: string;
  secondaryKeyFile?: string;
  suspect: string;
  prompts: string;
  tokenizer?: string;
  mode?: string;
  apiMode: string;
  modelName?: string;
  apiKeyFile?: string;
  maxTokens: string;
  temperature?: string;
  predictions: string;
  decoys: string;
  ledger?: string;
  alpha: string;
  minScored: string;
  json?: boolean;
}

/** Human-readable audit summary. */
export function renderRadioactivity(v: RadioactivityVerdict): string {
  const label = {
    radioactive: 'RADIOACTIVE',
    'not-detected': 'not detected',
    'insufficient-evidence': 'INSUFFICIENT EVIDENCE',
    'control-failed': 'CONTROLS FAILED (no conclusion)',
  }[v.verdict];
  const lines = [
    `${label}  p = ${formatP({ log10: v.log10PValue })} (log10 p = ${v.log10PValue.toFixed(2)}, α = ${v.alpha})`,
    `suspect       ${v.suspect} (${v.mode} mode)`,
    `scheme        ${v.description}`,
    `scored        ${v.key.scoredTokens} distinct tuples of ${v.tuplesOffered} offered (${v.key.effect.name} ${v.key.effect.value.toFixed(4)}, null ${v.key.effect.null})`,
    `skipped       ${Object.entries(v.key.skipped)
      .filter(([, n]) => n > 0)
      .map(([r, n]) => `${r} ${n}`)
      .join(', ')}`,
    `decoys        ${v.decoys.length} keys, smallest adjusted p = ${v.decoyCheck.minAdjustedP.toPrecision(3)} (${v.decoyCheck.passed ? 'ok' : 'FAILED'})`,
  ];
  for (const l of v.limitations) lines.push(`note: ${l}`);
  return lines.join('\n');
}

/** Register `customs radioactivity`. */
export function register(program: Command): void {
  const cmd = program
    .command('radioactivity')
    .description('audit whether a suspect model was trained on our watermarked outputs')
    .option('--key-file <file>', 'watermark key file')
    .option('--secondary-key-file <file>', 'gumbel dual key: key B')
    .requiredOption(
      '--suspect <model|url>',
      'model directory/file (open mode) or OpenAI-compatible base URL (API mode)',
    )
    .requiredOption(
      '--prompts <file>',
      'audit texts (open mode) or prompts (API mode): JSONL or one per line',
    )
    .option(
      '--tokenizer <spec>',
      "the watermark's tokenizer: bytes | tokenizer.json (default: the suspect's in open mode, bytes in API mode)",
    )
    .option('--mode <mode>', 'open | api (default: api for http(s) URLs)')
    .option('--api-mode <mode>', 'chat | completions', 'chat')
    .option('--model-name <name>', 'model name sent to the endpoint')
    .option('--api-key-file <file>', 'file holding the API key (or set CUSTOMS_API_KEY)')
    .option('--max-tokens <n>', 'API mode: tokens per answer', '256')
    .option('--temperature <t>', 'API mode: sampling temperature')
    .option('--predictions <k>', 'open mode: score the top-k predictions per position', '1')
    .option('--decoys <n>', 'decoy keys run as negative controls', '8')
    .option('--ledger <file>', 'score only windows recorded in this served-windows ledger')
    .option('--alpha <α>', 'significance level of the verdict label', '1e-6')
    .option('--min-scored <n>', 'fewer scored tuples give "insufficient evidence"', '100')
    .option('--json', 'print the verdict as JSON');
  addSchemeOptions(cmd, 'gumbel');
  cmd.action(async (o: Opts) => {
    if (!o.keyFile) throw new UsageError('USAGE', '--key-file is required');
    const params = await paramsFromFlags(o, 'gumbel');
    const key = await loadKeyFile(o.keyFile);
    const secondaryKey = o.secondaryKeyFile ? await loadKeyFile(o.secondaryKeyFile) : null;
    const isUrl = /^https?:\/\//i.test(o.suspect);
    const mode = o.mode ?? (isUrl ? 'api' : 'open');
    if (mode !== 'open' && mode !== 'api')
      throw new UsageError('USAGE', '--mode must be open or api');
    if (mode === 'open' && isUrl)
      throw new UsageError('USAGE', "open mode needs the suspect's weights, not a URL");
    if (o.apiMode !== 'chat' && o.apiMode !== 'completions')
      throw new UsageError('USAGE', '--api-mode must be chat or completions');
    const prompts = parsePrompts(
      new TextDecoder().decode((await readInput(o.prompts)).bytes),
      o.prompts,
    );
    let suspect: Suspect;
    let tokenizer;
    if (mode === 'open') {
      const model = await loadLocalModel({
        model: o.suspect,
        ...(o.tokenizer ? { tokenizer: o.tokenizer } : {}),
      });
      suspect = { kind: 'open', model };
      tokenizer = model.tokenizer;
    } else {
      const apiKey = o.apiKeyFile
        ? (await readFile(o.apiKeyFile, 'utf8')).trim()
        : process.env['CUSTOMS_API_KEY'];
      const client = createOpenAIClient({
        baseUrl: o.suspect,
        ...(apiKey ? { apiKey } : {}),
        ...(o.modelName ? { model: o.modelName } : {}),
      });
      suspect = {
        kind: 'api',
        backend: openAIBackend(client, {
          mode: o.apiMode,
          ...(o.modelName ? { model: o.modelName } : {}),
        }),
      };
      tokenizer = await loadTokenizer(o.tokenizer ?? 'bytes');
    }
    const ledger = o.ledger ? await loadLedger(o.ledger, key, params) : null;
    const v = await auditRadioactivity({
      params,
      key,
      secondaryKey,
      tokenizer,
      suspect,
      prompts,
      topK: parseIntOption('--predictions', o.predictions, 1, 64),
      maxTokens: parseIntOption('--max-tokens', o.maxTokens, 1, 1 << 16),
      ...(o.temperature !== undefined
        ? { temperature: parseNumberOption('--temperature', o.temperature, 0, 100) }
        : {}),
      decoys: parseIntOption('--decoys', o.decoys, 0, 64),
      ledger,
      alpha: parseNumberOption('--alpha', o.alpha, Number.MIN_VALUE, 0.5),
      minScored: parseIntOption('--min-scored', o.minScored, 1),
      onProgress: (d, n) => {
        if (!o.json && (d === n || d % 50 === 0)) diag(`  ${d}/${n} prompts`);
      },
    });
    if (o.json) printJson(v);
    else out(renderRadioactivity(v));
    process.exitCode = v.verdict === 'radioactive' ? EXIT.FINDING : EXIT.OK;
  });
}
