/**
 * Renderings of watermark verdicts: terminal text and a self-contained HTML page that highlights
 * which tokens were scored. Renderers only read the verdict object; they never recompute.
 */
import { formatP } from '../stats/index.js';
import { html, htmlPage, lineChart, raw, type RawHtml } from '../report/index.js';
import type { DetectVerdict, TokenRecord } from './detect.js';

const LABEL: Record<DetectVerdict['verdict'], string> = {
  watermarked: 'WATERMARKED',
  'not-detected': 'no watermark detected',
  'insufficient-evidence': 'INSUFFICIENT EVIDENCE',
};

function pStr(log10: number): string {
  return formatP({ log10 });
}

/** Human-readable summary of a detection verdict. */
export function renderDetectText(v: DetectVerdict): string {
  const lines = [
    `${LABEL[v.verdict]}  p = ${pStr(v.log10PValue)} (log10 p = ${v.log10PValue.toFixed(2)}, α = ${v.alpha})`,
    `scheme        ${v.description}`,
    `scored tokens ${v.scoredTokens} of ${v.totalTokens} (minimum ${v.minScored}; dedup ${v.dedup})`,
    `keys tested   ${v.keysTested}${v.keysTested > 1 ? ` (Holm-corrected; best ${v.bestKeyId ?? '-'})` : ` (${v.bestKeyId ?? '-'})`}`,
  ];
  for (const k of v.keys) {
    const sk = Object.entries(k.skipped)
      .filter(([, n]) => n > 0)
      .map(([r, n]) => `${r} ${n}`)
      .join(', ');
    lines.push(
      `  key ${k.keyId}${k.decoy ? ' (decoy)' : ''}: n=${k.scoredTokens} ${k.effect.name} ${Number.isNaN(k.effect.value) ? '-' : k.effect.value.toFixed(4)} (null ${k.effect.null}) p=${pStr(k.log10PValue)} [${k.method}]${sk ? `; skipped: ${sk}` : ''}`,
    );
  }
  for (const l of v.limitations) lines.push(`note: ${l}`);
  return lines.join('\n');
}

function tokenStyle(
  r: TokenRecord,
  v: DetectVerdict,
): { cls: string; title: string; style: string } {
  if (r.status !== 'scored' || r.score === null) return { cls: 'skip', title: r.status, style: '' };
  const p = v.params;
  let strength: number;
  if (p.scheme === 'gumbel') strength = Math.min(1, r.score / 5);
  else if (p.scheme === 'kgw') strength = r.score;
  else strength = r.score / p.depth;
  const hue = p.scheme === 'kgw' ? (r.score > 0 ? 130 : 0) : 130;
  const alpha = p.scheme === 'kgw' ? 0.35 : Math.max(0.05, strength * 0.6);
  return {
    cls: 'tok',
    title: `score ${r.score.toFixed(3)}`,
    style: `background: hsla(${hue}, 70%, 45%, ${alpha.toFixed(3)})`,
  };
}

function showToken(t: string): string {
  return t.replace(/\n/g, '↵\n').replace(/\t/g, '→');
}

/** A self-contained HTML page for a detection verdict (needs the verdict's per-token records). */
export function renderDetectHtml(v: DetectVerdict, opts: { generatedAt?: string } = {}): string {
  const badge =
    v.verdict === 'watermarked' ? 'bad' : v.verdict === 'not-detected' ? 'good' : 'warn';
  const toks: RawHtml[] = (v.tokens ?? []).map((r) => {
    const s = tokenStyle(r, v);
    return html`<span class="${s.cls}" title="${s.title}" style="${s.style}"
      >${showToken(r.text)}</span
    >`;
  });
  const chart =
    v.evidence && v.evidence.length > 1
      ? lineChart([{ name: '−log10 p (first key)', points: v.evidence }], {
          title: 'Evidence accumulated along the text',
          xLabel: 'scored tokens',
          yLabel: '−log10 p',
          hLines: [{ y: -Math.log10(v.alpha), label: `α = ${v.alpha}` }],
        })
      : raw('');
  const body = html` <h1>Watermark detection</h1>
    <p>
      <span class="badge ${badge}">${LABEL[v.verdict]}</span> p = <b>${pStr(v.log10PValue)}</b>
      <span class="muted">(log10 p = ${v.log10PValue.toFixed(2)}, α = ${v.alpha})</span>
    </p>
    <table>
      <tr>
        <th>scheme</th>
        <td>${v.description}</td>
      </tr>
      <tr>
        <th>scored tokens</th>
        <td>${v.scoredTokens} of ${v.totalTokens} (minimum ${v.minScored}, dedup ${v.dedup})</td>
      </tr>
      <tr>
        <th>keys tested</th>
        <td>${v.keysTested}${v.keysTested > 1 ? ' (Holm correction)' : ''}</td>
      </tr>
      <tr>
        <th>tokenizer</th>
        <td>${v.tokenizer.kind} <code>${v.tokenizer.digest}</code></td>
      </tr>
    </table>
    <h2>Per key</h2>
    <table>
      <tr>
        <th>key id</th>
        <th>scored</th>
        <th>statistic</th>
        <th>expected (H0)</th>
        <th>effect</th>
        <th>p</th>
        <th>method</th>
      </tr>
      ${v.keys.map(
        (k) =>
          html`<tr>
            <td><code>${k.keyId}</code>${k.decoy ? ' (decoy)' : ''}</td>
            <td class="num">${k.scoredTokens}</td>
            <td class="num">${k.statistic.toFixed(2)}</td>
            <td class="num">${k.expected.toFixed(2)}</td>
            <td>
              ${k.effect.name} ${Number.isNaN(k.effect.value) ? '-' : k.effect.value.toFixed(4)}
              (null ${k.effect.null})
            </td>
            <td class="num">${pStr(k.log10PValue)}</td>
            <td>${k.method}</td>
          </tr>`,
      )}
    </table>
    ${v.limitations.map((l) => html`<div class="caveat">${l}</div>`)}
    <h2>Tokens</h2>
    <p class="muted">
      Coloured tokens were scored under the first key (darker = stronger
      evidence${v.scheme === 'kgw' ? '; green = in the green list, red = not' : ''}); grey tokens
      were not scored (hover for the reason: prompt, no full window, repeated pair, …).
    </p>
    <div class="text mono">${toks}</div>
    <figure>${chart}</figure>`;
  return htmlPage({
    title: `Watermark detection: ${LABEL[v.verdict]}`,
    body,
    css: `.text { white-space: pre-wrap; word-break: break-all; border: 1px solid var(--line); padding: 8px; line-height: 1.9; }
      .tok { border-radius: 2px; } .skip { color: #8a939c; background: #f1f3f5; }`,
    inputs: { tokens: v.inputDigest, tokenizer: v.tokenizer.digest },
    ...(opts.generatedAt ? { generatedAt: opts.generatedAt } : {}),
  });
}
