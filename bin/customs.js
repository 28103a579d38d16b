#!/usr/bin/env node
// Launch the TypeScript CLI through tsx's loader (no build step). Worker threads started by the
// library register the same loader themselves (src/util/workers.ts).
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
