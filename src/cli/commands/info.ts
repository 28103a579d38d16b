/** `customs info <model>`: family, sizes, dtypes, files (and SHA-256 with --digest). */
import type { Command } from 'commander';
import { getModelInfo, type ModelInfo } from '../../model/index.js';
import { out, printJson, table } from '../io.js';

function human(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

function bytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(2)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} B`;
}

/** Render the info object for humans. */
export function renderInfo(i: ModelInfo): string {
  const rows: string[][] = [
    ['model', i.spec],
    ['format', `${i.format} (${i.resolvedFrom})`],
    ['family', `${i.family} (${i.architecture})`],
    ['parameters', `${human(i.parameters)} (${i.parameters})`],
    [
      'dtypes',
      Object.entries(i.dtypes)
        .map(([k, v]) => `${k}: ${human(v)}`)
        .join(', '),
    ],
    ['layers', String(i.layers)],
    ['hidden / ffn', `${i.hiddenSize} / ${i.intermediateSize}`],
    ['heads / kv heads', `${i.heads} / ${i.kvHeads} (head dim ${i.headDim})`],
    ['vocab', `${i.vocabSize}${i.tokenizer ? ` (${i.tokenizer})` : ''}`],
    ['lm_head', i.tiedEmbeddings ? 'tied to embeddings' : 'separate'],
  ];
  if (i.experts > 0) rows.push(['experts', String(i.experts)]);
  rows.push(['tensors', String(i.tensors)]);
  const lines = [
    table(rows),
    '',
    table(
      i.files.map((f) => [f.role, bytes(f.size), f.sha256 ?? '', f.path]),
      ['file', 'size', i.files.some((f) => f.sha256) ? 'sha256' : '', 'path'],
    ),
  ];
  for (const w of i.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

/** Register `customs info`. */
export function register(program: Command): void {
  program
    .command('info')
    .description(
      'describe a model: family, parameters, dtypes, shapes, files (local path, hf:org/name, ollama:name, or http(s) URL)',
    )
    .argument('<model>', 'model directory, file, hf:org/name[@rev], ollama:name[:tag] or URL')
    .option('--digest', 'compute the SHA-256 of every file (reads all bytes)')
    .option('--json', 'print JSON')
    .action(async (model: string, o: { digest?: boolean; json?: boolean }) => {
      const info = await getModelInfo({ model, digest: o.digest === true });
      if (o.json) printJson(info);
      else out(renderInfo(info));
    });
}
