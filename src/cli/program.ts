/**
 * `customs` command-line entry point. A thin shell: each command parses its arguments, calls one
 * library verb and renders the returned object. Exit codes: 0 ok, 1 finding, 2 usage/input error.
 */
import { Command, CommanderError } from 'commander';
import { TOOL_VERSION } from '../version.js';
import { registerAll } from './commands/index.js';
import { EXIT, reportError } from './io.js';

/** Build the commander program (exported for tests). */
export function buildProgram(): Command {
  const program = new Command('customs')
    .description(
      'Model Customs: provenance forensics, watermarking, extraction monitoring and signed papers for AI models',
    )
    .version(TOOL_VERSION)
    .showHelpAfterError()
    .exitOverride();
  registerAll(program);
  return program;
}

/** Run the CLI with the given argv (without node and script); resolves to the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  const wantsJson = argv.includes('--json');
  // Commands report findings through process.exitCode; start clean so in-process calls do not leak.
  process.exitCode = undefined;
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
      )
        return EXIT.OK;
      return EXIT.INPUT;
    }
    return reportError(e, wantsJson);
  }
}
