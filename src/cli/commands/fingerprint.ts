/** `customs fingerprint <model> -o fp.json`: a compact, storable lineage fingerprint. */
import type { Command } from 'commander';
import { extractFingerprint, saveFingerprint } from '../../forensics/index.js';
import { diag, out, printJson } from '../io.js';

/** Register `customs fingerprint`. */
export function register(program: Command): void {
  program
    .command('fingerprint')
    .description(
      'extract a lineage fingerprint (≤ 1% of the model, min 2 MiB) from a local or remote model',
    )
    .argument('<model>', 'model directory, file, hf:org/name, ollama:name or http(s) URL')
    .requiredOption('-o, --output <file>', 'where to write the fingerprint JSON')
    .option(
      '--no-digest',
      'skip SHA-256 of the model files (the fingerprint then names files by path and size only)',
    )
    .option('--json', 'print a JSON summary')
    .action(async (model: string, o: { output: string; digest: boolean; json?: boolean }) => {
      const fp = await extractFingerprint({
        model,
        digest: o.digest,
        onProgress: (stage, f) => {
          if (process.stderr.isTTY) process.stderr.write(`\r${stage} ${(f * 100).toFixed(0)}%   `);
        },
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
      const size = await saveFingerprint(fp, o.output);
      const summary = {
        output: o.output,
        bytes: size,
        fractionOfModel: size / fp.model.bytes,
        modelBytes: fp.model.bytes,
        bytesRead: fp.coverage.bytesRead,
        coverage: fp.coverage.mode,
        unitFraction: fp.coverage.unitFraction,
        poolTokens: fp.pool.tokens.length,
        layers: fp.layers.length,
        notes: fp.coverage.notes,
      };
      if (o.json) printJson(summary);
      else {
        out(
          `wrote ${o.output}: ${size} bytes (${((100 * size) / fp.model.bytes).toFixed(2)}% of the model's ${fp.model.bytes} bytes)`,
        );
        out(
          `read ${fp.coverage.bytesRead} bytes (${fp.coverage.mode}); ${(fp.coverage.unitFraction * 100).toFixed(0)}% of MLP units described over ${fp.pool.tokens.length} pool tokens`,
        );
        for (const n of fp.coverage.notes) diag(`note: ${n}`);
      }
    });
}
