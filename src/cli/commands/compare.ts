/**
 * `customs compare <A> <B>`: was B derived from A's weights? Also `customs compare <B> --against
 * <dir>` to rank candidate parents. Exit codes: 0 independent/inconclusive, 1 derived,
 * 2 usage or input error.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  compareModels,
  listCandidates,
  rankCandidates,
  renderLineageHtml,
  type LineageVerdict,
} from '../../forensics/index.js';
import { formatP } from '../../stats/index.js';
import { UsageError } from '../../errors.js';
import { EXIT, out, paint, parseNumberOption, printJson, table } from '../io.js';

function render(v: LineageVerdict): string {
  const color = v.verdict === 'derived' ? 'red' : v.verdict === 'independent' ? 'green' : 'yellow';
  const lines = [
    `${paint('bold', 'verdict')}  ${paint(color, v.verdict)}   p = ${formatP({ log10: v.log10PValue })} (log10 ${v.log10PValue.toFixed(2)})`,
    v.summary,
    '',
    table(
      v.tests.map((t) => [
        t.name,
        t.kind,
        t.log10PValue === null ? '—' : formatP({ log10: t.log10PValue }),
        t.usedForVerdict ? 'yes' : 'no',
      ]),
      ['test', 'kind', 'p', 'verdict'],
    ),
  ];
  if (v.transformations.length) {
    lines.push('', 'transformations:');
    for (const t of v.transformations) lines.push(`  ${t.kind}: ${t.evidence}`);
  }
  if (v.layerMap.length)
    lines.push('', `layer map (A→B): ${v.layerMap.map((m) => `${m.a}→${m.b}`).join('  ')}`);
  lines.push('');
  for (const n of v.notes) lines.push(paint('dim', `note: ${n}`));
  return lines.join('\n');
}

/** Register `customs compare`. */
export function register(program: Command): void {
  program
    .command('compare')
    .description(
      'test whether model B was derived from model A’s weights (models or fingerprint files)',
    )
    .argument('<a>', 'candidate parent A (or, with --against, the suspect)')
    .argument('[b]', 'suspect B')
    .option(
      '--against <dir>',
      'rank every model / fingerprint in <dir> as a candidate parent of <a>',
    )
    .option('--alpha <p>', 'significance level for a "derived" verdict', '1e-6')
    .option(
      '--null-rate <r>',
      'assumed upper bound on the unit-agreement rate of independent models (assumption A2; raise it to be more conservative)',
      '0.25',
    )
    .option('--html <file>', 'write a self-contained HTML report')
    .option('--no-digest', 'skip SHA-256 of model files when fingerprinting on the fly')
    .option('--json', 'print JSON')
    .action(
      async (
        a: string,
        b: string | undefined,
        o: {
          against?: string;
          alpha: string;
          nullRate: string;
          html?: string;
          digest: boolean;
          json?: boolean;
        },
      ) => {
        const alpha = parseNumberOption('--alpha', o.alpha, 1e-300, 0.5);
        const nullRate = parseNumberOption('--null-rate', o.nullRate, 1e-6, 0.99);
        if (o.against) {
          if (b) throw new UsageError('USAGE', 'give either <b> or --against <dir>, not both');
          const res = await rankCandidates({
            suspect: a,
            candidates: listCandidates(o.against),
            alpha,
            nullRate,
            digest: o.digest,
          });
          if (o.json) printJson(res);
          else {
            out(`candidate parents of ${a}:`);
            out(
              table(
                res.ranking.map((r, i) => [
                  String(i + 1),
                  r.candidate,
                  r.verdict.verdict,
                  formatP({ log10: r.verdict.log10PValue }),
                  r.verdict.transformations.map((t) => t.kind).join(', '),
                ]),
                ['#', 'candidate', 'verdict', 'p', 'transformations'],
              ),
            );
            if (res.merge)
              out(
                `\nmerge: ${a} ≈ ${res.merge.weight.toFixed(2)} × ${res.merge.parents[0]} + ${(1 - res.merge.weight).toFixed(2)} × ${res.merge.parents[1]} (explains ${(res.merge.gain * 100).toFixed(0)}% more than either parent)`,
              );
          }
          if (o.html && res.ranking[0])
            await writeFile(o.html, renderLineageHtml(res.ranking[0].verdict));
          process.exitCode = res.ranking.some((r) => r.verdict.verdict === 'derived')
            ? EXIT.FINDING
            : EXIT.OK;
          return;
        }
        if (!b) throw new UsageError('USAGE', 'compare needs <a> and <b> (or --against <dir>)');
        const v = await compareModels({ a, b, alpha, nullRate, digest: o.digest });
        if (o.json) printJson(v);
        else out(render(v));
        if (o.html) await writeFile(o.html, renderLineageHtml(v));
        process.exitCode = v.verdict === 'derived' ? EXIT.FINDING : EXIT.OK;
      },
    );
}
