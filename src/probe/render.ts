/**
 * Renderings of a {@link ProbeVerdict}: terminal text and a self-contained HTML report. Both read
 * the verdict only; nothing is recomputed here.
 */
import { barChart, html, htmlPage, lineChart, type RawHtml } from '../report/index.js';
import { formatP } from '../stats/index.js';
import type { ProbeVerdict } from './verdict.js';

const p = (log10: number): string => formatP({ log10 });

/** Terminal rendering (plain text; colour is the CLI's business). */
export function renderProbeText(v: ProbeVerdict): string {
  const lines: string[] = [];
  lines.push(`verdict  ${v.verdict}   p = ${p(v.log10PValue)} (log10 ${v.log10PValue.toFixed(2)})`);
  lines.push(v.summary);
  lines.push(
    `queries  ${v.queries} suspect queries of a ${v.budget} budget${v.stoppedEarly ? ' (stopped early: evidence sufficed)' : ''}; fixed-design p = ${p(v.log10PFixed)}, anytime p = ${p(v.log10PAnytime)}`,
  );
  lines.push('');
  for (const f of v.families) {
    if (f.status === 'skipped') {
      lines.push(`${f.family.padEnd(8)} skipped: ${f.reason ?? ''}`);
      continue;
    }
    lines.push(
      `${f.family.padEnd(8)} ${f.status === 'ok' ? `p = ${p(f.log10PValue)}` : f.status}  (${f.usable}/${f.prompts} prompts usable${f.reason ? `; ${f.reason}` : ''})`,
    );
    for (const c of f.controls) {
      const rel = c.relative
        .map((r) => `vs ${r.via}'s preference p = ${p(r.log10PValue)}`)
        .join(', ');
      lines.push(
        `  ${c.adequate ? '·' : '×'} ${c.control}: sim(S,T) ${c.simSuspectTeacher.toFixed(3)} vs sim(S,C) ${c.simSuspectControl.toFixed(3)}, mean diff ${c.plain.meanDiff.toFixed(4)} ± ${c.plain.stdErr.toFixed(4)}, p = ${p(c.plain.log10PValue)}${rel ? `; ${rel}` : ''}${c.adequate ? '' : ` — set aside (${c.beatenBy?.control ?? '?'} is closer to T than to it, p = ${p(c.beatenBy?.log10PValue ?? 0)})`}`,
      );
    }
  }
  if (v.sameModel.tested || v.sameModel.exactAgreement > 0)
    lines.push(
      '',
      `same model?  exact greedy agreement ${(v.sameModel.exactAgreement * 100).toFixed(1)}%${v.sameModel.tested ? `, equality test p = ${p(v.sameModel.log10PValue)}` : ''}${v.sameModel.indistinguishable ? ' — indistinguishable from the teacher' : ''}`,
    );
  if (v.evidence.length > 0) {
    lines.push('', 'prompts that carried the most evidence:');
    for (const e of v.evidence.slice(0, 5))
      lines.push(
        `  [${e.family}] ${JSON.stringify(e.prompt)}  S: ${JSON.stringify(e.suspect.slice(0, 60))}  T: ${JSON.stringify(e.teacher.slice(0, 60))}  ${e.control}: ${JSON.stringify(e.controlAnswer.slice(0, 60))}`,
      );
  }
  const issues = v.dataIssues.filter((i) => i.blocking || i.kind !== 'empty-answers');
  if (issues.length > 0) {
    lines.push('', 'data quality:');
    for (const i of issues) lines.push(`  ${i.blocking ? '!' : '-'} ${i.target}: ${i.detail}`);
  }
  if (v.plan.budget !== null)
    lines.push(
      '',
      `plan: about ${v.plan.budget} suspect queries for 90% power at this effect (${v.plan.basis})`,
    );
  lines.push(
    '',
    `battery commitment ${v.battery.commitment}${v.battery.commitmentVerified ? ' (verified)' : ' (not published beforehand)'}`,
  );
  lines.push(`seed ${v.battery.seed}`);
  lines.push(`transcript ${v.transcriptDigest}`);
  for (const l of v.limitations) lines.push(`note: ${l}`);
  return lines.join('\n');
}

function badge(v: ProbeVerdict): RawHtml {
  const cls =
    v.verdict === 'derived-behaviour' ? 'bad' : v.verdict === 'no-evidence' ? 'good' : 'warn';
  return html`<span class="badge ${cls}">${v.verdict}</span>`;
}

/** Self-contained HTML report. */
export function renderProbeHtml(v: ProbeVerdict): string {
  const alphaLine = Math.log10(v.alpha);
  const history = lineChart(
    [
      {
        name: 'anytime log10 E',
        points: v.history.map((h) => [h.queries, h.log10E] as const),
      },
      {
        name: '−log10 p (fixed)',
        points: v.history.map((h) => [h.queries, -h.log10PFixed] as const),
        dashed: true,
      },
    ],
    {
      title: 'Evidence against the budget',
      xLabel: 'suspect queries',
      yLabel: 'log10 evidence',
      hLines: [{ y: -alphaLine, label: `α = ${v.alpha}` }],
    },
  );
  const families = v.families.filter((f) => f.status !== 'skipped');
  const bars = barChart(
    families.flatMap((f) =>
      f.controls.map((c) => ({
        label: `${f.family} vs ${c.control}`,
        value: c.plain.meanDiff,
        color: c.adequate ? '#1f5fa8' : '#9aa4ae',
      })),
    ),
    { title: 'Mean paired difference sim(S,T) − sim(S,C)', yLabel: 'similarity units' },
  );
  const familyRows = v.families.map(
    (f) =>
      html`<tr>
        <td>${f.family}</td>
        <td>${f.status}${f.reason ? html`<div class="muted">${f.reason}</div>` : ''}</td>
        <td class="num">${f.usable}/${f.prompts}</td>
        <td>${f.test}</td>
        <td class="num">${f.status === 'ok' ? p(f.log10PValue) : '—'}</td>
      </tr>`,
  );
  const controlRows = families.flatMap((f) =>
    f.controls.map(
      (c) =>
        html`<tr>
          <td>${f.family}</td>
          <td>
            ${c.control}${c.adequate ? '' : html`<div class="muted">set aside: ${c.beatenBy?.control ?? ''} is closer to T (p ${p(c.beatenBy?.log10PValue ?? 0)})</div>`}
          </td>
          <td class="num">${c.simSuspectTeacher.toFixed(3)}</td>
          <td class="num">${c.simSuspectControl.toFixed(3)}</td>
          <td class="num">
            ${Number.isFinite(c.simControlTeacher) ? c.simControlTeacher.toFixed(3) : '—'}
          </td>
          <td class="num">${c.plain.meanDiff.toFixed(4)} ± ${c.plain.stdErr.toFixed(4)}</td>
          <td class="num">${c.plain.wins}/${c.plain.losses}/${c.plain.ties}</td>
          <td class="num">${p(c.plain.log10PValue)}</td>
          <td>${c.relative.map((r) => html`<div>vs ${r.via}: ${p(r.log10PValue)}</div>`)}</td>
          <td class="num">${c.adequate ? p(c.log10PValueHolm) : '—'}</td>
        </tr>`,
    ),
  );
  const evidenceRows = v.evidence.map(
    (e) =>
      html`<tr>
        <td>${e.family}</td>
        <td>${e.prompt}</td>
        <td class="mono">${e.suspect}</td>
        <td class="mono">${e.teacher}</td>
        <td class="mono">${e.control}: ${e.controlAnswer}</td>
        <td class="num">${e.diff.toFixed(3)}</td>
      </tr>`,
  );
  const body = html`<h1>Black-box provenance probe</h1>
    <p>
      ${badge(v)} <strong>p = ${p(v.log10PValue)}</strong> (log10 ${v.log10PValue.toFixed(2)}) · α =
      ${v.alpha}
    </p>
    <p>${v.summary}</p>
    <p class="muted">
      Suspect <strong>${v.targets.suspect.label}</strong>, teacher
      <strong>${v.targets.teacher.label}</strong>, controls
      ${v.targets.controls.map((c) => c.label).join(', ')}. ${v.queries} suspect queries of a
      ${v.budget} budget${v.stoppedEarly ? ' (stopped early)' : ''}; fixed-design p
      ${p(v.log10PFixed)}, anytime p ${p(v.log10PAnytime)}.
    </p>
    ${v.reasons.map((r) => html`<div class="caveat">${r}</div>`)}
    <h2>Families</h2>
    <table>
      <tr>
        <th>family</th>
        <th>status</th>
        <th>usable</th>
        <th>test</th>
        <th>p (all controls)</th>
      </tr>
      ${familyRows}
    </table>
    <h2>Against each control</h2>
    <p class="muted">
      sim(S,T), sim(S,C) and sim(C,T) are mean similarities; the difference is per prompt, paired.
      "vs k" rows require S to prefer T over this control more than control k does. Holm across
      adequate controls.
    </p>
    <table>
      <tr>
        <th>family</th>
        <th>control</th>
        <th>sim(S,T)</th>
        <th>sim(S,C)</th>
        <th>sim(C,T)</th>
        <th>mean diff</th>
        <th>wins/losses/ties</th>
        <th>p</th>
        <th>relative</th>
        <th>Holm</th>
      </tr>
      ${controlRows}
    </table>
    <figure>
      ${bars}
      <figcaption>Adequate controls in blue; set-aside controls in grey.</figcaption>
    </figure>
    <figure>
      ${history}
      <figcaption>The run may stop when log10 E reaches log10(2/α).</figcaption>
    </figure>
    <h2>Same model?</h2>
    <p>
      Exact greedy agreement ${(v.sameModel.exactAgreement * 100).toFixed(1)}%.
      ${v.sameModel.tested ? html`Equality test (kernel MMD, permutation) p = ${p(v.sameModel.log10PValue)}.` : 'Equality test not run (kernel family absent).'}
      ${v.sameModel.indistinguishable ? html`<strong>Indistinguishable from the teacher.</strong>` : ''}
      Model-level rank of sim(S,T) among the controls: ${v.modelLevel.rank} of ${v.modelLevel.of} (a
      rank p-value, at least 1/${v.modelLevel.of} by construction).
    </p>
    <h2>Prompts that carried the most evidence</h2>
    <table>
      <tr>
        <th>family</th>
        <th>prompt</th>
        <th>suspect</th>
        <th>teacher</th>
        <th>control</th>
        <th>diff</th>
      </tr>
      ${evidenceRows}
    </table>
    <h2>Data quality</h2>
    ${
      v.dataIssues.length === 0
        ? html`<p>No issues.</p>`
        : html`<ul>
            ${v.dataIssues.map((i) => html`<li>${i.blocking ? html`<strong>blocking</strong> ` : ''}${i.target}: ${i.detail}</li>`)}
          </ul>`
    }
    <h2>What this probe could not see</h2>
    <ul>
      ${v.limitations.map((l) => html`<li>${l}</li>`)}
    </ul>
    <h2>Reproduce</h2>
    <p class="mono">
      battery commitment ${v.battery.commitment}
      (${v.battery.commitmentVerified ? 'published beforehand and verified' : 'made at run time'})<br />
      seed ${v.battery.seed}<br />battery digest ${v.battery.digest}<br />transcript
      ${v.transcriptDigest}
    </p>`;
  return htmlPage({
    title: `Probe: ${v.targets.suspect.label} vs ${v.targets.teacher.label}`,
    body,
    inputs: {
      suspect: v.targets.suspect.digest ?? v.targets.suspect.id,
      teacher: v.targets.teacher.digest ?? v.targets.teacher.id,
      ...Object.fromEntries(
        v.targets.controls.map((c, i) => [`control ${i + 1}`, c.digest ?? c.id]),
      ),
      commitment: v.battery.commitment,
      transcript: v.transcriptDigest,
    },
    generatedAt: v.finishedAt,
  });
}
