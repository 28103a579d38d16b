/**
 * Renderings of a {@link MonitorVerdict}: the alerts file (one JSON line per flagged account),
 * a plain-text summary and a self-contained HTML report with campaign graphs and timelines.
 * Renderers only format what the verdict holds; they never recompute evidence.
 */
import {
  barChart,
  graphDiagram,
  html,
  htmlPage,
  lineChart,
  type RawHtml,
} from '../report/index.js';
import {
  formatLog10,
  type AccountFinding,
  type AlertChange,
  type CampaignFinding,
  type MonitorVerdict,
  type Tier,
} from './verdict.js';

/** One line of the alerts file. */
export interface AlertLine {
  readonly account: string;
  readonly campaign: string | null;
  /** The operator within the campaign (`<campaign>/<n>`), or null. */
  readonly operator: string | null;
  readonly score: number;
  readonly recommendation: Tier;
  readonly reasons: readonly {
    readonly code: string;
    readonly text: string;
    readonly value?: number;
    readonly reference?: number;
    readonly log10E?: number;
  }[];
  readonly requests: number;
  readonly log10P: number;
  /** Against the previous run's alerts (`--previous`), when given. */
  readonly change?: AlertChange;
  /** The account's recommendation in the previous alerts (null: not alerted then), when given. */
  readonly previousRecommendation?: Tier | null;
}

/** The alert line for a finding. */
export function alertLine(f: AccountFinding): AlertLine {
  return {
    account: f.account,
    campaign: f.campaign,
    operator: f.operator,
    score: f.score,
    recommendation: f.tier,
    reasons: f.reasons,
    requests: f.requests,
    log10P: Number(f.log10P.toFixed(3)),
    ...(f.change ? { change: f.change.kind, previousRecommendation: f.change.previous } : {}),
  };
}

/** The alerts file: one JSON object per line, strongest first. */
export function renderAlertsJsonl(v: MonitorVerdict): string {
  return (
    v.alerts.map((a) => JSON.stringify(alertLine(a))).join('\n') + (v.alerts.length > 0 ? '\n' : '')
  );
}

/** Campaigns summary (flagged campaigns with members, tier and reasons) for `--summary`. */
export function campaignsSummary(v: MonitorVerdict): object {
  return {
    kind: 'extraction-monitor-campaigns',
    tool: v.tool,
    window: v.window,
    records: v.records,
    accounts: v.accounts,
    counts: v.counts,
    settings: v.settings,
    campaigns: v.campaigns
      .filter((c) => c.tier !== null)
      .map((c) => ({
        id: c.id,
        recommendation: c.tier,
        flagged: c.flagged,
        accounts: c.accounts,
        requests: c.requests,
        log10P: c.log10P,
        log10E: c.log10E,
        links: c.links,
        reasons: c.reasons,
        operators: c.operators,
        first: c.first,
        last: c.last,
      })),
    caveats: v.caveats,
    malformed: { count: v.malformed.count, byReason: v.malformed.byReason },
    ...(v.changes ? { changes: v.changes } : {}),
  };
}

/** One line on the alerts against a previous run's (`--previous`), or null without one. */
export function changesLine(v: MonitorVerdict): string | null {
  const c = v.changes;
  if (!c) return null;
  const n = c.counts;
  const continuing = c.campaigns.filter((x) => x.previous.length > 0).length;
  return `since ${c.previous.file} (${c.previous.alerts} accounts alerted): ${n.new} new, ${n.raised} raised, ${n.lowered} lowered, ${n.same} unchanged; ${n.dropped} no longer alerted; campaigns: ${continuing} continuing a previous one, ${c.campaigns.length - continuing} new`;
}

/** Plain-text summary for the terminal. */
export function renderText(v: MonitorVerdict): string {
  const lines: string[] = [];
  lines.push(
    `${v.records} records from ${v.accounts} accounts (${v.scoredAccounts} scored), ${v.window.from ?? '-'} .. ${v.window.to ?? '-'}`,
  );
  if (v.malformed.count > 0) {
    const by = Object.entries(v.malformed.byReason)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    lines.push(
      `${v.malformed.count} malformed lines skipped (${by}); first: ${v.malformed.lines
        .slice(0, 5)
        .map((m) => `${m.file}:${m.line}`)
        .join(', ')}`,
    );
  }
  for (const p of v.problems)
    lines.push(`problem: ${p.file}: ${p.code} after line ${p.afterLine}: ${p.message}`);
  lines.push(
    `${v.counts.candidateCampaigns} linked groups tested${v.settings.referenceRounds > 1 ? ` (${v.settings.referenceRounds} decision rounds)` : ''}; ${v.counts.flaggedCampaigns} campaigns pass e-BH at FDR ${v.settings.fdr}; ${v.counts.flaggedAccounts} accounts alerted (block ${v.counts.byTier.block}, throttle ${v.counts.byTier.throttle}, verify ${v.counts.byTier.verify}, watch ${v.counts.byTier.watch})`,
  );
  for (const c of v.campaigns.filter((x) => x.tier !== null).slice(0, 20)) {
    lines.push(
      `  ${c.id}  ${(c.tier ?? '').padEnd(8)} ${String(c.accounts.length).padStart(5)} accounts ${String(c.requests).padStart(8)} requests  p=${formatLog10(c.log10P)}  ${c.links.map((l) => l.kinds).join(', ')}${c.operators.length > 1 ? `  (${c.operators.length} operators)` : ''}`,
    );
  }
  if (v.watchlist.length > 0)
    lines.push(`${v.watchlist.length} accounts on the watch list (not alerted)`);
  const since = changesLine(v);
  if (since !== null) lines.push(since);
  for (const c of v.caveats) lines.push(`note: ${c}`);
  return lines.join('\n');
}

/** "new", or "raised from verify" / "lowered from block" (empty when unchanged or not compared). */
function changeText(a: AccountFinding): string {
  const c = a.change;
  if (!c || c.kind === 'same') return '';
  return c.kind === 'new' ? 'new' : `${c.kind} from ${c.previous ?? '-'}`;
}

/** Most rows of new or raised alerts, and of dropped accounts, in the HTML report. */
const MAX_CHANGE_ROWS = 300;

function changesSection(v: MonitorVerdict): RawHtml | string {
  const c = v.changes;
  if (!c) return '';
  const moved = v.alerts.filter((a) => a.change?.kind === 'new' || a.change?.kind === 'raised');
  const shown = c.dropped.slice(0, MAX_CHANGE_ROWS);
  const tierOf = new Map(v.campaigns.map((x) => [x.id, x.tier]));
  const more = c.counts.dropped - shown.length;
  return html`<h2>Since the previous run</h2>
    <p>
      ${changesLine(v) ?? ''} · previous alerts file sha256
      <code>${c.previous.digest.slice(0, 16)}…</code>
    </p>
    ${
      moved.length > 0
        ? html`<table>
              <tr>
                <th>account</th>
                <th>campaign / operator</th>
                <th>recommendation</th>
                <th>change</th>
              </tr>
              ${moved.slice(0, MAX_CHANGE_ROWS).map(
                (a) =>
                  html`<tr>
                    <td class="mono">${a.account}</td>
                    <td class="mono">${a.operator ?? a.campaign ?? '-'}</td>
                    <td><span class="badge ${TIER_CLASS[a.tier]}">${a.tier}</span></td>
                    <td>${changeText(a)}</td>
                  </tr>`,
              )}
            </table>
            ${moved.length > MAX_CHANGE_ROWS ? html`<p class="muted">${moved.length - MAX_CHANGE_ROWS} more in the alerts file.</p>` : ''}`
        : html`<p>No new or raised alert.</p>`
    }
    ${
      c.campaigns.length > 0
        ? html`<table>
            <tr>
              <th>campaign</th>
              <th>recommendation</th>
              <th>previous run: campaigns its accounts were alerted in</th>
            </tr>
            ${c.campaigns.slice(0, MAX_CHANGE_ROWS).map(
              (x) =>
                html`<tr>
                  <td><code>${x.id}</code></td>
                  <td>${tierOf.get(x.id) ?? ''}</td>
                  <td>
                    ${
                      x.previous.length === 0
                        ? 'new'
                        : x.previous.map((p) => `${p.id} (${p.accounts})`).join(', ')
                    }
                  </td>
                </tr>`,
            )}
          </table>`
        : ''
    }
    ${
      shown.length > 0
        ? html`<p>
            No longer alerted:
            ${shown.map((d) => `${d.account} (was ${d.previous}${d.now ? `, now ${d.now}` : ''})`).join(', ')}${more > 0 ? ` and ${more} more` : ''}
          </p>`
        : ''
    }`;
}

const TIER_CLASS: Readonly<Record<Tier, string>> = {
  block: 'bad',
  throttle: 'bad',
  verify: 'warn',
  watch: 'info',
};

const KIND_COLOR: Readonly<Record<string, string>> = {
  account: '#1f5fa8',
  payment: '#b42318',
  infrastructure: '#9a6700',
  signup: '#6f42c1',
  content: '#1a7f37',
  timing: '#0e7c86',
};

/** Operators shown per campaign in the HTML report (all are in the summary file). */
const MAX_OPERATOR_ROWS = 30;

const TIE_LABEL: Readonly<Record<string, string>> = {
  payment: 'payment',
  infrastructure: 'range',
  signup: 'sign-up hour',
};

function campaignSection(c: CampaignFinding): RawHtml {
  const models = [...new Set(c.timeline.map((t) => t.model))].sort();
  const days = [...new Set(c.timeline.map((t) => t.day))].sort();
  const dayIndex = new Map(days.map((d, i) => [d, i]));
  const series = models.map((m) => ({
    name: m,
    points: days.map(
      (d) =>
        [
          dayIndex.get(d) ?? 0,
          c.timeline.filter((t) => t.model === m && t.day === d).reduce((s, t) => s + t.count, 0),
        ] as const,
    ),
  }));
  const graph =
    c.graph.nodes.length > 0
      ? graphDiagram(
          c.graph.nodes.map((n) => ({
            id: n.id,
            label: n.label,
            color: KIND_COLOR[n.kind] ?? '#5b6672',
          })),
          c.graph.edges.map((e) => ({ from: e.from, to: e.to, weight: 1 })),
          { title: 'Members and shared attributes', width: 560, height: 440 },
        )
      : html`<p class="muted">no shared attribute among the drawn members</p>`;
  return html`<section>
    <h2>
      Campaign <code>${c.id}</code>
      <span class="badge ${TIER_CLASS[c.tier ?? 'watch']}">${c.tier ?? 'not flagged'}</span>
    </h2>
    <p>
      ${c.accounts.length} accounts · ${c.requests} requests · ${c.first.slice(0, 16)} ..
      ${c.last.slice(0, 16)} · p = ${formatLog10(c.log10P)} · e =
      10^${c.log10E.toFixed(1)}${c.flagged ? ' · passes e-BH' : ''}
    </p>
    <ul>
      ${c.reasons.map((r) => html`<li><code>${r.code}</code> ${r.text}</li>`)}
    </ul>
    <div class="row">
      <figure>
        ${graph}
        <figcaption>
          Blue: accounts; red: payment; ochre: network; violet: sign-up hour; green: shared
          template. Showing up to 24 members.
        </figcaption>
      </figure>
      <figure>
        ${lineChart(series, { title: 'Requests per day by model', xLabel: `days from ${days[0] ?? ''}`, yLabel: 'requests', width: 520, height: 260 })}
        ${barChart(
          c.hours.map((h, i) => ({ label: String(i), value: h })),
          { title: 'Requests by UTC hour', width: 520, height: 200 },
        )}
      </figure>
    </div>
    ${
      c.operators.length > 0
        ? html`<table>
              <tr>
                <th>operator</th>
                <th class="num">accounts</th>
                <th class="num">alerted</th>
                <th class="num">requests</th>
                <th>shared by its accounts</th>
              </tr>
              ${c.operators.slice(0, MAX_OPERATOR_ROWS).map(
                (o) =>
                  html`<tr>
                    <td class="nowrap"><code>${o.id}</code></td>
                    <td class="num">${o.accounts.length}</td>
                    <td class="num">${o.attributed}</td>
                    <td class="num">${o.requests}</td>
                    <td>
                      ${
                        o.ties.length > 0
                          ? o.ties
                              .map(
                                (t) => `${TIE_LABEL[t.kind] ?? t.kind} ${t.value} (${t.accounts})`,
                              )
                              .join('; ')
                          : 'linked by shared wordings only'
                      }
                    </td>
                  </tr>`,
              )}
            </table>
            ${c.operators.length > MAX_OPERATOR_ROWS ? html`<p class="muted">${c.operators.length - MAX_OPERATOR_ROWS} more operators in the summary file.</p>` : ''}`
        : ''
    }
    <details>
      <summary>members (${c.accounts.length})</summary>
      <p class="mono">${c.accounts.join(' ')}</p>
    </details>
  </section>`;
}

/** The self-contained HTML report. */
export function renderHtml(v: MonitorVerdict): string {
  const flagged = v.campaigns.filter((c) => c.tier !== null);
  const body = html`
    <h1>Extraction monitor</h1>
    <p>
      <span class="badge ${v.counts.flaggedAccounts > 0 ? 'bad' : 'good'}"
        >${v.counts.flaggedAccounts} accounts alerted</span
      >
      <span class="badge ${v.counts.flaggedCampaigns > 0 ? 'warn' : 'good'}"
        >${v.counts.flaggedCampaigns} campaigns (FDR ${v.settings.fdr})</span
      >
    </p>
    <p>
      ${v.records} records from ${v.accounts} accounts (${v.scoredAccounts} with ≥
      ${v.settings.minRequests} requests scored) · ${v.window.from ?? '-'} .. ${v.window.to ?? '-'}
      · ${v.counts.candidateCampaigns} linked groups
      tested${v.settings.referenceRounds > 1 ? ` in ${v.settings.referenceRounds} decision rounds` : ''}
      · alerts at tier ≥ ${v.settings.minTier}
    </p>
    ${v.caveats.map((c) => html`<div class="caveat">${c}</div>`)} ${changesSection(v)}
    <h2>Campaigns</h2>
    ${
      flagged.length === 0
        ? html`<p>No linked group is improbable enough to report.</p>`
        : html`<table>
            <tr>
              <th>campaign</th>
              <th>recommendation</th>
              <th class="num">accounts</th>
              <th class="num">requests</th>
              <th class="num">p</th>
              <th>linked by</th>
            </tr>
            ${flagged.map(
              (c) =>
                html`<tr>
                  <td><code>${c.id}</code></td>
                  <td>
                    <span class="badge ${TIER_CLASS[c.tier ?? 'watch']}">${c.tier ?? ''}</span
                    >${c.flagged ? '' : ' (below FDR)'}
                  </td>
                  <td class="num">${c.accounts.length}</td>
                  <td class="num">${c.requests}</td>
                  <td class="num">${formatLog10(c.log10P)}</td>
                  <td>${c.links.map((l) => l.kinds).join(', ')}</td>
                </tr>`,
            )}
          </table>`
    }
    ${
      flagged.length > 0
        ? barChart(
            flagged
              .slice(0, 20)
              .map((c) => ({ label: c.id.slice(2, 8), value: Math.min(60, -c.log10P) })),
            { title: '−log10 p by campaign', width: 640, height: 220 },
          )
        : ''
    }
    ${flagged.slice(0, 12).map(campaignSection)}
    <h2>Alerts</h2>
    ${
      v.alerts.length === 0
        ? html`<p>None.</p>`
        : html`<table>
              <tr>
                <th>account</th>
                <th>campaign / operator</th>
                <th>recommendation</th>
                <th class="num">score</th>
                <th class="num">requests</th>
                <th>top reasons</th>
              </tr>
              ${v.alerts.slice(0, 300).map(
                (a) =>
                  html`<tr>
                    <td class="mono">${a.account}</td>
                    <td class="mono">${a.operator ?? a.campaign ?? '-'}</td>
                    <td>
                      ${a.tier}${a.change && a.change.kind !== 'same' ? ` (${changeText(a)})` : ''}
                    </td>
                    <td class="num">${a.score.toFixed(1)}</td>
                    <td class="num">${a.requests}</td>
                    <td>
                      ${a.reasons
                        .filter((r) => !r.code.startsWith('linked') && r.code !== 'campaign')
                        .slice(0, 3)
                        .map((r) => r.code)
                        .join(', ')}
                    </td>
                  </tr>`,
              )}
            </table>
            ${v.alerts.length > 300 ? html`<p class="muted">${v.alerts.length - 300} more in the alerts file.</p>` : ''}`
    }
    ${
      v.watchlist.length > 0
        ? html`<h2>Watch list (not alerted)</h2>
            <table>
              <tr>
                <th>account</th>
                <th>tier</th>
                <th class="num">requests</th>
                <th>why</th>
              </tr>
              ${v.watchlist.slice(0, 50).map(
                (a) =>
                  html`<tr>
                    <td class="mono">${a.account}</td>
                    <td>${a.tier}</td>
                    <td class="num">${a.requests}</td>
                    <td>${a.reasons[0]?.text ?? ''}</td>
                  </tr>`,
              )}
            </table>`
        : ''
    }
    <h2>Input</h2>
    <table>
      <tr>
        <th>file</th>
        <th class="num">lines</th>
        <th class="num">records</th>
        <th class="num">malformed</th>
      </tr>
      ${v.inputs.map(
        (f) =>
          html`<tr>
            <td class="mono">${f.file}</td>
            <td class="num">${f.lines}</td>
            <td class="num">${f.records}</td>
            <td class="num">${f.malformed}</td>
          </tr>`,
      )}
    </table>
    ${
      v.malformed.count > 0
        ? html`<details>
            <summary>${v.malformed.count} malformed lines</summary>
            <table>
              <tr>
                <th>file</th>
                <th class="num">line</th>
                <th>reason</th>
                <th>field</th>
                <th>message</th>
              </tr>
              ${v.malformed.lines.slice(0, 100).map(
                (m) =>
                  html`<tr>
                    <td class="mono">${m.file}</td>
                    <td class="num">${m.line}</td>
                    <td>${m.reason}</td>
                    <td>${m.field ?? ''}</td>
                    <td>${m.message}</td>
                  </tr>`,
              )}
            </table>
          </details>`
        : ''
    }
    ${v.problems.map((p) => html`<div class="caveat">${p.file}: ${p.code} after line ${p.afterLine}: ${p.message}</div>`)}
    <p class="muted">
      Cohorts:
      ${v.cohorts.map((c) => `${c.minRequests}–${c.maxRequests} requests (${c.accounts} accounts)`).join('; ')}.
      Releases:
      ${
        v.releases.length > 0
          ? v.releases
              .map((r) => `${r.model} at ${r.at}${r.inferred ? ' (inferred)' : ''}`)
              .join('; ')
          : 'none seen'
      }.
    </p>
  `;
  const inputs: Record<string, string> = {};
  for (const f of v.inputs) if (f.digest) inputs[f.file] = f.digest;
  return htmlPage({
    title: 'Extraction monitor report',
    body,
    css: '.row { display: flex; flex-wrap: wrap; gap: 12px; } section { margin-bottom: 24px; } td.nowrap { white-space: nowrap; }',
    inputs,
    ...(v.generatedAt ? { generatedAt: v.generatedAt } : {}),
  });
}
