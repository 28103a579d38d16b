/**
 * The list of CLI commands. Each command lives in its own file and exports `register(program)`.
 * Add one import and one call per command; keep the list alphabetical.
 */
import type { Command } from 'commander';
import { register as registerAttest } from './attest.js';
import { register as registerCompare } from './compare.js';
import { register as registerDetect } from './detect.js';
import { register as registerExport } from './export.js';
import { register as registerFingerprint } from './fingerprint.js';
import { register as registerGenerate } from './generate.js';
import { register as registerInfo } from './info.js';
import { register as registerKeygen } from './keygen.js';
import { register as registerLookup } from './lookup.js';
import { register as registerMonitor } from './monitor.js';
import { register as registerProbe } from './probe.js';
import { register as registerRadioactivity } from './radioactivity.js';
import { register as registerReceipt } from './receipt.js';
import { register as registerServe } from './serve.js';
import { register as registerSign } from './sign.js';
import { register as registerSimulateTraffic } from './simulate-traffic.js';
import { register as registerSubmit } from './submit.js';
import { register as registerVerify } from './verify.js';
import { register as registerWitness } from './witness.js';
import { register as registerWmKeygen } from './wm-keygen.js';

/** Register every command on the program. */
export function registerAll(program: Command): void {
  registerAttest(program);
  registerCompare(program);
  registerDetect(program);
  registerExport(program);
  registerFingerprint(program);
  registerGenerate(program);
  registerInfo(program);
  registerKeygen(program);
  registerLookup(program);
  registerMonitor(program);
  registerProbe(program);
  registerRadioactivity(program);
  registerReceipt(program);
  registerServe(program);
  registerSign(program);
  registerSimulateTraffic(program);
  registerSubmit(program);
  registerVerify(program);
  registerWitness(program);
  registerWmKeygen(program);
}
