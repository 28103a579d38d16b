/** Self-contained HTML report of a lineage verdict (reads only the verdict object). */
import { formatP } from '../stats/index.js';
import { barChart, heatmap, html, htmlPage, lineChart, raw, type Series } from '../report/index.js';
import type { LineageVerdict } from './compare.js';

const BADGE: Record<LineageVerdict['verdict'], string> = {
  derived: 'bad',
  independent: 'good',
  inconclusive: 'warn',
};

function p(log10: number | null): string {
  return log10 === null ? '—' : formatP({ log10 });
}

/** Render the verdict as a complete HTML document. */
export function renderLineageHtml(v: LineageVerdict): string {
  const la = v.similarity.matrix.length;
  const lb = v.similarity.matrix[0]?.length ?? 0;
  const hm = heatmap(v.similarity.matrix, {
    title: 'Layer × layer evidence (−log10 p; A rows, B columns; red boxes = layer map)',
    rowLabels: Array.from({ length: la }, (_, i) => `A${i}`),
    colLabels: Array.from({ length: lb }, (_, j) => `B${j}`),
    min: 0,
    highlight: v.layerMap.map((m) => [m.a, m.b] as const),
  });
  const bars = barChart(
    v.layerMap.map((m) => ({
      label: `A${m.a}→B${m.b}`,
      value: Math.min(350, -m.log10PValue),
      color: -m.log10PValue > 6 ? '#b42318' : '#1f5fa8',
    })),
    {
      title: 'Per-layer evidence on the layer map (−log10 p, capped at 350)',
      yLabel: '−log10 p',
      hLines: [
        { y: 6, label: 'p = 1e-6' },
        { y: 2, label: 'p = 0.01', color: '#1a7f37' },
      ],
    },
  );
  const roles = ['q', 'k', 'v', 'o', 'gate', 'up'];
  const sigmaSeries: Series[] = [];
  roles.forEach((role, ri) => {
    const color = ['#1f5fa8', '#b42318', '#1a7f37', '#9a6700', '#6f42c1', '#0e7c86'][ri] ?? '#000';
    const pts = (arr: readonly Readonly<Record<string, number>>[]): [number, number][] =>
      arr.flatMap((s, i) => (s[role] !== undefined ? [[i, s[role] ?? 0] as [number, number]] : []));
    const a = pts(v.sigma.a);
    const b = pts(v.sigma.b);
    if (a.length) sigmaSeries.push({ name: `A ${role}`, points: a, color });
    if (b.length) sigmaSeries.push({ name: `B ${role}`, points: b, color, dashed: true });
  });
  const sigmaChart = sigmaSeries.length
    ? lineChart(sigmaSeries, {
        title: 'σ-curves: std of each role per layer (A solid, B dashed)',
        xLabel: 'layer',
        yLabel: 'σ',
        height: 280,
      })
    : raw('<p class="muted">no σ data</p>');
  const input = (name: string, x: LineageVerdict['inputs']['a']): ReturnType<typeof html> =>
    html`<tr>
      <td>${name}</td>
      <td><code>${x.spec}</code></td>
      <td>${x.format}</td>
      <td>${x.family}</td>
      <td class="num">${x.parameters.toLocaleString('en-US')}</td>
      <td>
        ${x.coverage.mode}, ${(x.coverage.unitFraction * 100).toFixed(0)}% of units,
        ${(x.coverage.bytesRead / 1e6).toFixed(1)} MB read
      </td>
      <td>
        ${x.files.map((f) => html`<div><code>${f.sha256 ?? 'no digest'}</code> <span class="muted">${f.path.split('/').pop() ?? ''} (${f.size} B)</span></div>`)}
      </td>
    </tr>`;
  const body = html`
    <h1>Lineage report</h1>
    <p class="muted">${v.question}</p>
    <p>
      <span class="badge ${BADGE[v.verdict]}">${v.verdict}</span> &nbsp; p =
      <b>${formatP({ log10: v.log10PValue })}</b> (log10 p = ${v.log10PValue.toFixed(2)}; alpha
      ${v.alpha})
    </p>
    <p>${v.summary}</p>
    <h2>Inputs</h2>
    <table>
      <tr>
        <th></th>
        <th>model</th>
        <th>format</th>
        <th>family</th>
        <th>parameters</th>
        <th>coverage</th>
        <th>files (SHA-256)</th>
      </tr>
      ${input('A (candidate parent)', v.inputs.a)}${input('B (suspect)', v.inputs.b)}
    </table>
    <h2>Tests</h2>
    <table>
      <tr>
        <th>test</th>
        <th>kind</th>
        <th>p-value</th>
        <th>statistic</th>
        <th>assumption</th>
        <th>verdict</th>
      </tr>
      ${v.tests.map(
        (t) =>
          html`<tr>
            <td>${t.name}</td>
            <td>${t.kind}</td>
            <td class="num">${p(t.log10PValue)}</td>
            <td>${t.statistic}</td>
            <td class="muted">${t.assumption}</td>
            <td>${t.usedForVerdict ? 'used' : 'not used'}</td>
          </tr>`,
      )}
    </table>
    <h2>Detected transformations</h2>
    ${
      v.transformations.length
        ? html`<ul>
            ${v.transformations.map((t) => html`<li><b>${t.kind}</b>: ${t.evidence}</li>`)}
          </ul>`
        : html`<p class="muted">none (reported only for derived pairs)</p>`
    }
    <h2>Layer map</h2>
    ${
      v.layerMap.length
        ? html`<table>
            <tr>
              <th>A layer</th>
              <th>B layer</th>
              <th>p</th>
              <th>unit agreement</th>
              <th>same-index p</th>
              <th>matched cos</th>
              <th>attention CKA</th>
            </tr>
            ${v.layerMap.map(
              (m) =>
                html`<tr>
                  <td>${m.a}</td>
                  <td>${m.b}</td>
                  <td class="num">${p(m.log10PValue)}</td>
                  <td class="num">
                    ${m.agreement === null ? '—' : `${(m.agreement * 100).toFixed(1)}%`}
                  </td>
                  <td class="num">${p(m.identityLog10P)}</td>
                  <td class="num">${m.matchedCos?.toFixed(3) ?? '—'}</td>
                  <td class="num">${m.cka?.toFixed(3) ?? '—'}</td>
                </tr>`,
            )}
          </table>`
        : html`<p class="muted">no layer of B matches a layer of A (p &lt; 1e-3)</p>`
    }
    <figure>
      ${hm}
      <figcaption>${v.similarity.metric}</figcaption>
    </figure>
    <figure>${bars}</figure>
    <h2>σ-curves (weak evidence)</h2>
    <div class="caveat">
      σ-curves are shown because they are popular, not because they are evidence: independent models
      can correlate at r ≈ 0.9, and a per-layer rescaling (which leaves the function unchanged)
      forges any curve. They are never used for the verdict.
    </div>
    <figure>${sigmaChart}</figure>
    <h2>Notes and limits</h2>
    <ul>
      ${v.notes.map((n) => html`<li>${n}</li>`)}
    </ul>
  `;
  const inputs: Record<string, string> = {};
  for (const [k, x] of [
    ['A', v.inputs.a],
    ['B', v.inputs.b],
  ] as const)
    x.files.forEach(
      (f, i) =>
        (inputs[`${k}${x.files.length > 1 ? `[${i}]` : ''} ${f.path.split('/').pop() ?? ''}`] =
          f.sha256 ?? `size ${f.size} (no digest)`),
    );
  return htmlPage({ title: `Lineage: ${v.verdict}`, body, inputs });
}
