/**
 * `customs monitor <logs...>`: find extraction campaigns in API traffic logs.
 * Exit codes: 0 no alert, 1 alerts written, 2 usage or input error (including no readable record
 * and a `--previous` file that is not an alerts file).
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CustomsError } from '../../errors.js';
import {
  campaignsSummary,
  compareAlerts,
  loadPreviousAlerts,
  loadAllowlist,
  loadMapping,
  loadReleases,
  MIN_CAMPAIGN_REQUESTS,
  MonitorError,
  monitorLogs,
  renderAlertsJsonl,
  renderHtml,
  renderText,
  TIERS,
  MAX_REFERENCE_ROUNDS,
  type Tier,
} from '../../monitor/index.js';
import { diag, EXIT, out, paint, parseIntOption, parseNumberOption, printJson } from '../io.js';

interface MonitorFlags {
  out?: string;
  summary?: string;
  html?: string;
  mapping: string;
  fdr: string;
  minRequests: string;
  minTier: string;
  minCampaignRequests: string;
  includeSingletons?: boolean;
  rounds: string;
  allow?: string;
  releases?: string;
  previous?: string;
  workers?: string;
  json?: boolean;
  quiet?: boolean;
}

function isTier(s: string): s is Tier {
  return (TIERS as readonly string[]).includes(s);
}

/** Register the command. */
export function register(program: Command): void {
  program
    .command('monitor')
    .description(
      'find distillation / extraction campaigns in API traffic logs (JSONL, plain or gzip)',
    )
    .argument('<logs...>', 'log files, one JSON record per line')
    .option('--out <file>', 'write alerts, one JSON line per flagged account')
    .option('--summary <file>', 'write the campaigns summary (JSON)')
    .option(
      '--html <file>',
      'write a self-contained HTML report with campaign graphs and timelines',
    )
    .option(
      '--mapping <preset|file>',
      'schema mapping: native, openai, litellm or a mapping file',
      'native',
    )
    .option('--fdr <alpha>', 'false discovery rate across campaigns (e-BH)', '0.01')
    .option('--min-requests <n>', 'accounts with fewer requests are not scored', '5')
    .option(
      '--min-tier <tier>',
      'lowest recommendation written as an alert: watch, verify, throttle, block',
      'verify',
    )
    .option(
      '--min-campaign-requests <n>',
      'campaigns with fewer requests in the window stay at watch (too few to have harvested a distillation set)',
      String(MIN_CAMPAIGN_REQUESTS),
    )
    .option(
      '--include-singletons',
      'also alert on unlinked accounts with extreme profiles (at "verify")',
    )
    .option(
      '--rounds <n>',
      'most decision rounds; each leaves the accounts the last one alerted out of the cohort references (1 = one round)',
      String(MAX_REFERENCE_ROUNDS),
    )
    .option('--allow <file>', 'allow-list JSON {accounts, orgs, payments} of licensed bulk users')
    .option('--releases <file>', 'model release times JSON {model: ISO time} (default: inferred)')
    .option(
      '--previous <alerts>',
      "a previous run's alerts file (--out): mark each alert new, raised, lowered or unchanged and list the accounts no longer alerted",
    )
    .option('--workers <n>', 'worker threads (default: CPU count or CUSTOMS_WORKERS)')
    .option('--json', 'print the full verdict as JSON on stdout')
    .option('--quiet', 'no progress on stderr')
    .action(async (logs: string[], flags: MonitorFlags) => {
      const fdr = parseNumberOption('--fdr', flags.fdr, 1e-12, 0.5);
      const minRequests = parseIntOption('--min-requests', flags.minRequests, 1, 1_000_000);
      const minCampaignRequests = parseIntOption(
        '--min-campaign-requests',
        flags.minCampaignRequests,
        0,
        1_000_000_000,
      );
      if (!isTier(flags.minTier))
        throw new CustomsError(
          'USAGE',
          `option --min-tier: expected one of ${TIERS.join(', ')}, got "${flags.minTier}"`,
        );
      const maxRounds = parseIntOption('--rounds', flags.rounds, 1, 10);
      const workers =
        flags.workers !== undefined ? parseIntOption('--workers', flags.workers, 0, 64) : undefined;
      const mapping = loadMapping(flags.mapping);
      const allow = flags.allow ? loadAllowlist(flags.allow) : undefined;
      const releases = flags.releases ? loadReleases(flags.releases) : undefined;
      // read before the (long) run so that a wrong file fails at once
      const previous = flags.previous ? await loadPreviousAlerts(flags.previous) : undefined;
      let records = 0;
      let lastReport = Date.now();
      const run = await monitorLogs({
        files: logs,
        mapping,
        fdr,
        minRequests,
        minTier: flags.minTier,
        minCampaignRequests,
        includeSingletons: flags.includeSingletons === true,
        maxRounds,
        generatedAt: new Date().toISOString(),
        ...(workers !== undefined ? { workers } : {}),
        ...(allow ? { allow } : {}),
        ...(releases ? { releases } : {}),
        onProgress: (p) => {
          records += p.records;
          if (!flags.quiet && Date.now() - lastReport > 2000) {
            lastReport = Date.now();
            diag(`monitor: ${records} records read`);
          }
        },
      });
      const verdict = previous ? compareAlerts(run, previous) : run;
      if (verdict.records === 0)
        throw new MonitorError(
          'NO_RECORDS',
          `no valid record in the input (${verdict.malformed.count} malformed lines)`,
          {
            details: { malformed: verdict.malformed.lines.slice(0, 20) },
          },
        );
      if (flags.out) writeFileSync(flags.out, renderAlertsJsonl(verdict));
      if (flags.summary)
        writeFileSync(flags.summary, `${JSON.stringify(campaignsSummary(verdict), null, 2)}\n`);
      if (flags.html) writeFileSync(flags.html, renderHtml(verdict));
      if (flags.json) printJson(verdict);
      else {
        out(renderText(verdict));
        if (verdict.counts.flaggedAccounts > 0)
          out(
            paint(
              'red',
              `${verdict.counts.flaggedAccounts} accounts alerted${flags.out ? ` (written to ${flags.out})` : ''}`,
            ),
          );
        else out(paint('green', 'no alert'));
      }
      process.exitCode = verdict.counts.flaggedAccounts > 0 ? EXIT.FINDING : EXIT.OK;
    });
}
