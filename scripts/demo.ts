/**
 * `npm run demo` — the main job on the embedded default: the public model zoo (../shared/zoo) and
 * an embedded SQLite registry. Every step runs the real `customs` CLI, so what you see is what a
 * user gets. Outputs (reports, keys, bundles, the registry) go to demo-out/.
 *
 *  1. customs info        — what is this file?
 *  2. customs compare     — was a disguised fine-tune derived from base-x? was the distilled student?
 *  3. customs sign/verify — signed OMS manifest of a model directory
 *  4. customs attest / serve / submit / receipt / verify — lineage statement recorded in a
 *     transparency log (SQLite), offline receipt checked with no network
 *  5. customs generate / detect — watermark generated text, detect it with an exact p-value
 *  6. customs simulate-traffic / monitor — find extraction campaigns in API traffic, and what
 *     changed since the night before (--previous)
 *  7. customs probe       — black-box: is x-distilled closer to base-x than independent controls?
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const ZOO = join(ROOT, '../shared/zoo');
const OUT = join(ROOT, 'demo-out');
const CLI = join(ROOT, 'bin/customs.js');
const z = (n: string): string => relative(ROOT, join(ZOO, n));
const o = (n: string): string => relative(ROOT, join(OUT, n));

if (!existsSync(join(ZOO, 'TRUTH.json'))) {
  console.error(`the model zoo is expected at ${ZOO}`);
  process.exit(2);
}
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });

let failures = 0;
function step(title: string): void {
  console.log(`\n\u001b[1m== ${title}\u001b[0m`);
}
/** Run `customs …`, show the command and (trimmed) output; `expect` is the expected exit code. */
function customs(args: string[], expect = 0, show = 14): string {
  console.log(`$ customs ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  const lines = (r.stdout || '').trimEnd().split('\n');
  for (const l of lines.slice(0, show)) console.log(`  ${l}`);
  if (lines.length > show) console.log(`  … (${lines.length - show} more lines)`);
  if (r.status !== expect) {
    failures++;
    console.log(`  !! exit code ${r.status}, expected ${expect}\n${(r.stderr || '').trim()}`);
  }
  return r.stdout;
}

step('1. What is this file? (GGUF, Q/K rows un-permuted to the Hugging Face layout)');
customs(['info', z('x-finetune-q8_0.gguf')], 0, 12);

step(
  '2. Weight forensics: a disguised fine-tune (permuted, rescaled) vs its base — exit 1 = derived',
);
customs(
  ['compare', z('base-x'), z('x-finetune-obfuscated'), '--html', o('lineage-report.html')],
  1,
  18,
);
step('   … and the distilled student: behaviourally derived, weight-independent — exit 0');
customs(['compare', z('base-x'), z('x-distilled'), '--no-digest'], 0, 3);

step('3. Sign the model directory (OpenSSF model signing v1.0 bundle, ECDSA P-256) and verify it');
customs(['keygen', '-o', o('lab')], 0, 4);
customs(['sign', z('x-finetune'), '--key', o('lab.pem'), '--signature', o('x-finetune.sig')], 0, 6);
customs(
  ['verify', z('x-finetune'), '--signature', o('x-finetune.sig'), '--key', o('lab.pub')],
  0,
  6,
);

step(
  '4. Record the lineage in a transparency log (embedded SQLite registry) and verify a receipt offline',
);
customs(
  [
    'attest',
    'lineage',
    '--subject',
    o('x-finetune.sig'),
    '--base',
    `digest=sha256:${'0'.repeat(64)},name=base-x,relation=finetune`,
    '--key',
    o('lab.pem'),
    '-o',
    o('lineage.bundle.json'),
  ],
  0,
  4,
);
const dataDir = join(OUT, 'registry');
const server = spawn(
  process.execPath,
  [
    CLI,
    'serve',
    '--data-dir',
    dataDir,
    '--origin',
    'demo.model-customs.local/log',
    '--port',
    '0',
    '--quiet',
  ],
  { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } },
);
const url = await new Promise<string>((resolve, reject) => {
  let buf = '';
  const onData = (d: Buffer): void => {
    buf += d.toString();
    const m = /https?:\/\/[\d.:]+\d/.exec(buf);
    if (m) resolve(m[0]);
  };
  server.stdout.on('data', onData);
  server.stderr.on('data', onData);
  server.on('exit', (c) => reject(new Error(`registry exited with ${c}: ${buf}`)));
  setTimeout(() => reject(new Error(`registry did not start: ${buf}`)), 30_000);
});
try {
  console.log(`  (registry listening on ${url}, data in ${relative(ROOT, dataDir)})`);
  const token = readFileSync(join(dataDir, 'writer.token'), 'utf8').split('\n')[0]?.trim() ?? '';
  writeFileSync(join(OUT, 'writer.token'), token);
  customs(['keygen', '-o', o('lab2'), '--enroll', url, '--token-file', o('writer.token')], 0, 3);
  customs(
    [
      'attest',
      'lineage',
      '--subject',
      o('x-finetune.sig'),
      '--base',
      `digest=sha256:${'1'.repeat(64)},name=base-x,relation=finetune`,
      '--key',
      o('lab2.pem'),
      '-o',
      o('lineage2.bundle.json'),
    ],
    0,
    2,
  );
  customs(
    ['submit', o('lineage2.bundle.json'), '--server', url, '--receipts', o('receipts')],
    0,
    6,
  );
  customs(['lookup', o('x-finetune.sig'), '--server', url, '--lineage', 'ancestors'], 0, 8);
  customs(
    [
      'receipt',
      o('lineage2.bundle.json'),
      '--server',
      url,
      '--no-cosigned',
      '-o',
      o('lineage2.receipt'),
    ],
    0,
    3,
  );
} finally {
  server.kill('SIGTERM');
}
// The verifier trusts the log's public key (a real deployment adds witnesses and a quorum).
writeFileSync(
  join(OUT, 'policy.txt'),
  `log ${readFileSync(join(dataDir, 'log.vkey'), 'utf8').trim()}\nquorum none\n`,
);
customs(
  [
    'verify',
    o('lineage2.receipt'),
    '--policy',
    o('policy.txt'),
    '--statement',
    o('lineage2.bundle.json'),
  ],
  0,
  6,
);

step('5. Watermark generated text (Gumbel-max) and detect it with an exact p-value');
customs(['wm-keygen', '-o', o('wm.key.json')], 0, 2);
console.log(
  `$ customs generate --model ${z('base-x')} --prompt 'The ' --key-file ${o('wm.key.json')} --max-tokens 300 --temperature 1 --seed 7 --json`,
);
const gen = JSON.parse(
  spawnSync(
    process.execPath,
    [
      CLI,
      'generate',
      '--model',
      z('base-x'),
      '--prompt',
      'The ',
      '--key-file',
      o('wm.key.json'),
      '--max-tokens',
      '300',
      '--temperature',
      '1',
      '--seed',
      '7',
      '--json',
    ],
    { cwd: ROOT, encoding: 'utf8' },
  ).stdout,
) as { text: string };
writeFileSync(join(OUT, 'watermarked.txt'), gen.text);
console.log(`  generated: ${JSON.stringify(gen.text.slice(0, 90))}…`);
customs(
  [
    'detect',
    o('watermarked.txt'),
    '--key-file',
    o('wm.key.json'),
    '--tokenizer',
    'bytes',
    '--html',
    o('watermark.html'),
  ],
  1,
  6,
);
writeFileSync(join(OUT, 'plain.txt'), readFileSync(join(ZOO, 'README.md'), 'utf8').slice(0, 1500));
customs(['detect', o('plain.txt'), '--key-file', o('wm.key.json'), '--tokenizer', 'bytes'], 0, 4);

step('6. Find distillation campaigns in simulated API traffic');
customs(
  ['simulate-traffic', '--records', '40000', '--seed', '3', '--out', o('traffic.jsonl')],
  0,
  4,
);
// the night before saw the first half of the window; tonight's run is compared with its alerts
const traffic = readFileSync(join(OUT, 'traffic.jsonl'), 'utf8').split('\n');
writeFileSync(join(OUT, 'traffic-night1.jsonl'), `${traffic.slice(0, 20000).join('\n')}\n`);
customs(['monitor', o('traffic-night1.jsonl'), '--out', o('alerts-night1.jsonl')], 1, 2);
customs(
  [
    'monitor',
    o('traffic.jsonl'),
    '--previous',
    o('alerts-night1.jsonl'),
    '--out',
    o('alerts.jsonl'),
    '--html',
    o('monitor.html'),
  ],
  1,
  20,
);

step('7. Black-box probe: is x-distilled closer to base-x than independent controls are?');
customs(
  [
    'probe',
    '--suspect',
    z('x-distilled'),
    '--teacher',
    z('base-x'),
    '--control',
    z('base-y'),
    '--control',
    z('base-z'),
    '--budget',
    '600',
    '--cache',
    o('probe-cache.db'),
    '--html',
    o('probe.html'),
  ],
  1,
  14,
);

console.log(
  `\nreports in ${relative(ROOT, OUT)}/: lineage-report.html, watermark.html, monitor.html, probe.html`,
);
if (failures > 0) {
  console.log(`\n${failures} step(s) did not behave as expected`);
  process.exit(1);
}
console.log('\ndemo finished: every step behaved as expected');
