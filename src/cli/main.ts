#!/usr/bin/env node
/** `customs` executable: run the CLI on process.argv and set the exit code. */
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2));
