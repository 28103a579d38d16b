/** HTML page of the watermark evaluation (self-contained, SVG charts from the report kit). */
import { barChart, html, htmlPage, lineChart, type Series } from '../src/report/index.js';

/** The evaluation result as eval/watermark.ts writes it. */
export interface EvalResult {
  readonly quick: boolean;
  readonly seconds: number;
  readonly machine: string;
  readonly fpr: {
    readonly perScheme: readonly {
      scheme: string;
      trials: number;
      fpr1e2: number;
      fpr1e2Upper95: number;
      fpr1e3: number;
      fpr1e3Upper95: number;
    }[];
    readonly cells: readonly {
      scheme: string;
      source: string;
      length: number;
      trials: number;
      at1e2: number;
      at1e3: number;
    }[];
  };
  readonly tpr: readonly {
    scheme: string;
    attack: string;
    texts: number;
    detected: number;
    medianLog10P: number;
  }[];
  readonly quality: readonly {
    scheme: string;
    texts: number;
    tokens: number;
    meanNll: number;
    ci95: number;
    perplexity: number;
  }[];
  readonly radioactivity: {
    readonly rows: readonly {
      suspect: string;
      mode: string;
      verdict: string;
      log10P: number;
      scored: number;
      effect: number;
      decoyMinAdjustedP: number;
    }[];
    readonly setup: Readonly<Record<string, unknown>>;
  };
}

/** Render the evaluation page. */
export function renderEvalHtml(r: EvalResult): string {
  const schemes = [...new Set(r.tpr.map((t) => t.scheme))];
  const editSeries: Series[] = schemes.map((s) => ({
    name: s,
    points: [0, 10, 20, 30].map((rate) => {
      const row = r.tpr.find(
        (t) => t.scheme === s && t.attack === (rate === 0 ? 'none' : `${rate}% edits`),
      );
      return [rate, row ? row.detected / row.texts : 0] as const;
    }),
  }));
  const fprByLength: Series[] = [...new Set(r.fpr.cells.map((c) => c.scheme))].map((s) => ({
    name: s,
    markers: true,
    points: [...new Set(r.fpr.cells.map((c) => c.length))].map((L) => {
      const cs = r.fpr.cells.filter((c) => c.scheme === s && c.length === L);
      const n = cs.reduce((a, c) => a + c.trials, 0);
      return [Math.log10(L), cs.reduce((a, c) => a + c.at1e2, 0) / Math.max(1, n)] as const;
    }),
  }));
  const body = html` <h1>Watermark evaluation${r.quick ? ' (quick run)' : ''}</h1>
    <p class="muted">
      ${r.machine}; ${r.seconds.toFixed(0)} s. Reproduce with <code>npm run eval:watermark</code>.
    </p>
    <h2>False-positive rate on unwatermarked text</h2>
    <table>
      <tr>
        <th>scheme</th>
        <th>trials</th>
        <th>FPR at 1e-2</th>
        <th>95% upper</th>
        <th>FPR at 1e-3</th>
        <th>95% upper</th>
      </tr>
      ${r.fpr.perScheme.map(
        (s) =>
          html`<tr>
            <td>${s.scheme}</td>
            <td class="num">${s.trials}</td>
            <td class="num">${s.fpr1e2.toExponential(2)}</td>
            <td class="num">${s.fpr1e2Upper95.toExponential(2)}</td>
            <td class="num">${s.fpr1e3.toExponential(2)}</td>
            <td class="num">${s.fpr1e3Upper95.toExponential(2)}</td>
          </tr>`,
      )}
    </table>
    <figure>
      ${lineChart(fprByLength, { title: 'FPR at nominal 1e-2 by text length', xLabel: 'log10 length (tokens)', yLabel: 'false-positive rate', hLines: [{ y: 0.01, label: 'nominal 1e-2' }] })}
    </figure>
    <h2>True-positive rate at 1e-3 after random edits</h2>
    <figure>
      ${lineChart(editSeries, { title: 'Detected at p ≤ 1e-3', xLabel: 'edited tokens (%)', yLabel: 'TPR', yMin: 0, yMax: 1 })}
    </figure>
    <table>
      <tr>
        <th>scheme</th>
        <th>attack</th>
        <th>detected</th>
        <th>median log10 p</th>
      </tr>
      ${r.tpr.map(
        (t) =>
          html`<tr>
            <td>${t.scheme}</td>
            <td>${t.attack}</td>
            <td class="num">${t.detected}/${t.texts}</td>
            <td class="num">${t.medianLog10P.toFixed(1)}</td>
          </tr>`,
      )}
    </table>
    <h2>Quality: perplexity under the generating model</h2>
    <figure>
      ${barChart(
        r.quality.map((q) => ({ label: q.scheme, value: q.perplexity })),
        { title: 'Perplexity (T = 1)', yLabel: 'perplexity' },
      )}
    </figure>
    <table>
      <tr>
        <th>generation</th>
        <th>texts</th>
        <th>tokens</th>
        <th>mean NLL (nats)</th>
        <th>± 95%</th>
        <th>perplexity</th>
      </tr>
      ${r.quality.map(
        (q) =>
          html`<tr>
            <td>${q.scheme}</td>
            <td class="num">${q.texts}</td>
            <td class="num">${q.tokens}</td>
            <td class="num">${q.meanNll.toFixed(4)}</td>
            <td class="num">${q.ci95.toFixed(4)}</td>
            <td class="num">${q.perplexity.toFixed(3)}</td>
          </tr>`,
      )}
    </table>
    <h2>Radioactivity</h2>
    <p class="muted">${JSON.stringify(r.radioactivity.setup)}</p>
    <table>
      <tr>
        <th>suspect</th>
        <th>mode</th>
        <th>verdict</th>
        <th>log10 p</th>
        <th>scored</th>
        <th>green rate</th>
        <th>decoys (min adj. p)</th>
      </tr>
      ${r.radioactivity.rows.map(
        (x) =>
          html`<tr>
            <td>${x.suspect}</td>
            <td>${x.mode}</td>
            <td>${x.verdict}</td>
            <td class="num">${x.log10P.toFixed(2)}</td>
            <td class="num">${x.scored}</td>
            <td class="num">${x.effect.toFixed(3)}</td>
            <td class="num">${x.decoyMinAdjustedP.toFixed(3)}</td>
          </tr>`,
      )}
    </table>`;
  return htmlPage({ title: 'Watermark evaluation', body });
}
