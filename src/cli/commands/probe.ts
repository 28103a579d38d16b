/**
 * `customs probe`: was a suspect model distilled or fine-tuned from ours, judged through its API?
 * Also `customs probe-commit` (make and publish a battery commitment before the run),
 * `customs probe-plan` (how many queries for a given effect) and `customs probe-audit` (check a
 * response cache). Exit codes as for `customs compare`: 0 no evidence / inconclusive, 1 derived
 * behaviour, 2 usage or input error (unreachable endpoint, bad spec, broken cache, ...).
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { formatP } from '../../stats/index.js';
import {
  DEFAULT_ALPHA,
  DEFAULT_BUDGET,
  DEFAULT_SPEC,
  FAMILIES,
  MAX_BUDGET,
  MAX_CANARY_FILE_BYTES,
  MIN_BUDGET,
  ProbeError,
  auditCache,
  batteryCommitment,
  parseCanaries,
  planAgreement,
  planMcNemar,
  planMeanShift,
  renderProbeHtml,
  renderProbeText,
  runProbe,
  sha256Hex,
  type FamilyName,
} from '../../probe/index.js';
import { EXIT, diag, out, parseIntOption, parseNumberOption, printJson, table } from '../io.js';

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

async function readSeed(o: { seed?: string; seedFile?: string }): Promise<string | undefined> {
  if (o.seed !== undefined && o.seedFile !== undefined)
    throw new ProbeError('BAD_OPTION', 'give --seed or --seed-file, not both', {
      where: { field: '--seed' },
    });
  if (o.seedFile !== undefined) {
    let text: string;
    try {
      text = await readFile(o.seedFile, 'utf8');
    } catch (e) {
      throw new ProbeError('BAD_BATTERY', `cannot read the seed file: ${(e as Error).message}`, {
        where: { file: o.seedFile },
        cause: e,
      });
    }
    return text.trim().slice(0, 200);
  }
  return o.seed;
}

function parseFamilies(v: string | undefined): FamilyName[] | undefined {
  if (v === undefined) return undefined;
  const out: FamilyName[] = [];
  for (const f of v.split(',').map((s) => s.trim())) {
    if (!(FAMILIES as readonly string[]).includes(f))
      throw new ProbeError('BAD_OPTION', `unknown family "${f}" (known: ${FAMILIES.join(', ')})`, {
        where: { field: '--families' },
      });
    out.push(f as FamilyName);
  }
  return out;
}

/** Register `customs probe`, `probe-commit`, `probe-plan` and `probe-audit`. */
export function register(program: Command): void {
  program
    .command('probe')
    .description(
      'black-box provenance: is the suspect closer to the teacher than independent controls are?',
    )
    .requiredOption(
      '--suspect <target>',
      'the suspect (model path, local:…, or http(s)://…/v1#model=…)',
    )
    .requiredOption('--teacher <target>', 'our model (the claimed source)')
    .option(
      '--control <target>',
      'an independently built model of comparable capability (repeat; two or more to calibrate)',
      collect,
      [],
    )
    .option('--budget <n>', 'most suspect queries', String(DEFAULT_BUDGET))
    .option('--seed <hex>', 'battery seed (64 hex digits) whose commitment was published')
    .option('--seed-file <file>', 'read the battery seed from a file')
    .option('--commitment <hex>', 'the commitment published before the run (checked)')
    .option('--canaries <file>', 'JSON Lines of {"prompt","canary"} served earlier (committed)')
    .option('--cache <file>', 'SQLite response cache (resume, replay, audit)')
    .option('--replay', 'answer only from the cache (offline, exact replay)')
    .option('--refresh', 'ask every target again and overwrite the cache')
    .option('--alpha <p>', 'level for a derived-behaviour verdict', String(DEFAULT_ALPHA))
    .option('--no-early-stop', 'spend the whole budget (fixed-design p-value)')
    .option('--families <list>', `families to run (${FAMILIES.join(',')})`)
    .option('--concurrency <n>', 'requests in flight at once', '4')
    .option('--html <file>', 'write a self-contained HTML report')
    .option('--json', 'print the verdict as JSON')
    .action(
      async (o: {
        suspect: string;
        teacher: string;
        control: string[];
        budget: string;
        seed?: string;
        seedFile?: string;
        commitment?: string;
        canaries?: string;
        cache?: string;
        replay?: boolean;
        refresh?: boolean;
        alpha: string;
        earlyStop: boolean;
        families?: string;
        concurrency: string;
        html?: string;
        json?: boolean;
      }) => {
        const budget = parseIntOption('--budget', o.budget, MIN_BUDGET, MAX_BUDGET);
        const alpha = parseNumberOption('--alpha', o.alpha, 1e-300, 0.49);
        const concurrency = parseIntOption('--concurrency', o.concurrency, 1, 64);
        if (o.control.length === 0)
          throw new ProbeError(
            'BAD_OPTION',
            'give at least one --control (two or more to calibrate)',
            {
              where: { field: '--control' },
            },
          );
        if (o.replay && o.refresh)
          throw new ProbeError('BAD_OPTION', '--replay and --refresh exclude each other', {
            where: { field: '--replay' },
          });
        if (o.replay && !o.cache)
          throw new ProbeError('BAD_OPTION', '--replay needs --cache', {
            where: { field: '--replay' },
          });
        const seed = await readSeed(o);
        let canaries: { items: ReturnType<typeof parseCanaries>; digest: string } | undefined;
        if (o.canaries) {
          let buf: Buffer;
          try {
            buf = await readFile(o.canaries);
          } catch (e) {
            throw new ProbeError('BAD_BATTERY', `cannot read canaries: ${(e as Error).message}`, {
              where: { file: o.canaries },
              cause: e,
            });
          }
          if (buf.length > MAX_CANARY_FILE_BYTES)
            throw new ProbeError(
              'LIMIT_EXCEEDED',
              `canary file over ${MAX_CANARY_FILE_BYTES} bytes`,
              {
                where: { file: o.canaries },
              },
            );
          canaries = {
            items: parseCanaries(buf.toString('utf8'), o.canaries),
            digest: sha256Hex(buf),
          };
        }
        const families = parseFamilies(o.families);
        const v = await runProbe({
          suspect: o.suspect,
          teacher: o.teacher,
          controls: o.control,
          budget,
          alpha,
          concurrency,
          stopping: o.earlyStop ? 'anytime' : 'fixed',
          cacheMode: o.replay ? 'replay' : o.refresh ? 'refresh' : 'use',
          ...(seed !== undefined ? { seed } : {}),
          ...(o.commitment !== undefined ? { commitment: o.commitment } : {}),
          ...(canaries ? { canaries } : {}),
          ...(o.cache !== undefined ? { cache: o.cache } : {}),
          ...(families ? { families } : {}),
          onProgress: (p) => {
            if (!o.json)
              diag(
                `round ${p.round}/${p.rounds}: ${p.queries} suspect queries, log10 E = ${p.log10E.toFixed(2)}, fixed p = ${formatP({ log10: p.log10PFixed })}`,
              );
          },
        });
        if (o.json) printJson(v);
        else out(renderProbeText(v));
        if (o.html) await writeFile(o.html, renderProbeHtml(v));
        process.exitCode = v.verdict === 'derived-behaviour' ? EXIT.FINDING : EXIT.OK;
      },
    );

  program
    .command('probe-commit')
    .description('make a battery seed and print the commitment to publish before probing')
    .requiredOption('--seed-file <file>', 'where to write the new secret seed (keep it private)')
    .option('--canaries <file>', 'commit to this canary file too')
    .option('--json', 'print JSON')
    .action(async (o: { seedFile: string; canaries?: string; json?: boolean }) => {
      const seed = randomBytes(32).toString('hex');
      let canaryDigest: string | null = null;
      const canaryFile = o.canaries;
      if (canaryFile !== undefined) {
        const buf = await readFile(canaryFile).catch((e: unknown) => {
          throw new ProbeError('BAD_BATTERY', `cannot read canaries: ${(e as Error).message}`, {
            where: { file: canaryFile },
            cause: e,
          });
        });
        parseCanaries(buf.toString('utf8'), canaryFile);
        canaryDigest = sha256Hex(buf);
      }
      const spec = { ...DEFAULT_SPEC, canaryDigest };
      const commitment = batteryCommitment(seed, spec);
      await writeFile(o.seedFile, `${seed}\n`, { mode: 0o600, flag: 'wx' }).catch((e: unknown) => {
        throw new ProbeError('BAD_OPTION', `cannot create ${o.seedFile}: ${(e as Error).message}`, {
          where: { file: o.seedFile },
          cause: e,
        });
      });
      if (o.json) printJson({ commitment, seedFile: o.seedFile, canaryDigest });
      else {
        out(`commitment ${commitment}`);
        out(`seed written to ${o.seedFile} (reveal it after the run)`);
      }
    });

  program
    .command('probe-plan')
    .description('how many prompts a probe family needs for a given effect size')
    .option('--discordance <r>', 'share of prompts where S agrees with exactly one of T and C')
    .option('--win <r>', 'share of those where S sides with T')
    .option('--p0 <r>', 'agreement rate of independent models (one-sample plan)')
    .option('--p1 <r>', 'agreement rate of a derived model (one-sample plan)')
    .option('--effect <d>', 'mean paired difference (graded families)')
    .option('--sd <s>', 'standard deviation of the paired differences')
    .option('--alpha <p>', 'level', String(DEFAULT_ALPHA))
    .option('--power <p>', 'power', '0.9')
    .option('--json', 'print JSON')
    .action(
      (o: {
        discordance?: string;
        win?: string;
        p0?: string;
        p1?: string;
        effect?: string;
        sd?: string;
        alpha: string;
        power: string;
        json?: boolean;
      }) => {
        const alpha = parseNumberOption('--alpha', o.alpha, 1e-300, 0.49);
        const power = parseNumberOption('--power', o.power, 0.01, 0.999);
        let plan;
        if (o.discordance !== undefined || o.win !== undefined) {
          if (o.discordance === undefined || o.win === undefined)
            throw new ProbeError('BAD_OPTION', '--discordance and --win go together', {
              where: { field: '--win' },
            });
          plan = planMcNemar({
            discordance: parseNumberOption('--discordance', o.discordance, 0, 1),
            win: parseNumberOption('--win', o.win, 0, 1),
            alpha,
            power,
          });
        } else if (o.p0 !== undefined || o.p1 !== undefined) {
          if (o.p0 === undefined || o.p1 === undefined)
            throw new ProbeError('BAD_OPTION', '--p0 and --p1 go together', {
              where: { field: '--p1' },
            });
          plan = planAgreement({
            p0: parseNumberOption('--p0', o.p0, 0, 1),
            p1: parseNumberOption('--p1', o.p1, 0, 1),
            alpha,
            power,
          });
        } else if (o.effect !== undefined && o.sd !== undefined) {
          plan = planMeanShift({
            effect: parseNumberOption('--effect', o.effect, -1, 1),
            sd: parseNumberOption('--sd', o.sd, 0, 10),
            alpha,
            power,
          });
        } else
          throw new ProbeError(
            'BAD_OPTION',
            'give --discordance and --win, or --p0 and --p1, or --effect and --sd',
            { where: { field: 'effect' } },
          );
        if (o.json) printJson({ ...plan, alpha, targetPower: power });
        else
          out(
            plan.prompts === null
              ? `not reachable within the planner's limit at α = ${alpha} (effect too small or in the wrong direction)`
              : `${plan.prompts} prompts for power ${plan.power.toFixed(3)} at α = ${alpha} (${plan.method})`,
          );
      },
    );

  program
    .command('probe-audit')
    .description('check a probe response cache: every key and response digest recomputed')
    .requiredOption('--cache <file>', 'the SQLite response cache')
    .option('--json', 'print JSON')
    .action((o: { cache: string; json?: boolean }) => {
      const a = auditCache(o.cache);
      if (o.json) printJson(a);
      else {
        out(`${a.path}: ${a.entries} cached answers`);
        out(
          table(
            a.targets.map((t) => [t.info?.label ?? '?', String(t.entries), t.id.slice(0, 80)]),
            ['target', 'answers', 'id'],
          ),
        );
        if (a.corrupt.length === 0) out('every key and response digest checks out');
        else for (const c of a.corrupt.slice(0, 50)) out(`CORRUPT ${c.key}: ${c.reason}`);
      }
      process.exitCode = a.corrupt.length === 0 ? EXIT.OK : EXIT.FINDING;
    });
}
