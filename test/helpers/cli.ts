/**
 * Runs the `customs` CLI (bin/customs.js) in a child process, as a user would.
 *
 * Node 20 very rarely aborts a process while it evaluates an async ES module graph (V8 fatal
 * "Check failed: (location_) != nullptr" in SourceTextModule::ExecuteAsyncModule; an upstream
 * bug, nodejs/node#53238 and #60755, seen once in a CI run of this suite while a child's modules
 * were being evaluated). Such a child is run once more, and the retry is reported on stderr;
 * any other failure, and a second abort, is returned as it is.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');

/** Exit status and output of one CLI run. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const V8_MODULE_ABORT = /Fatal error in , line 0\s*\n# Check failed: \(location_\) != nullptr/;

/** Run `customs ...args` with `input` on stdin (if given) and NO_COLOR set. */
export function runCustoms(args: readonly string[], input?: string): CliResult {
  const once = (): CliResult => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/customs.js'), ...args], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      ...(input !== undefined ? { input } : {}),
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const first = once();
  if (first.code === 0 || first.code === 1 || !V8_MODULE_ABORT.test(first.stderr)) return first;
  process.stderr.write(
    `runCustoms: V8 aborted while loading modules (customs ${args.join(' ')}); running once more\n`,
  );
  return once();
}
