/**
 * Small dependency-free SVG charts for self-contained reports: line/scatter plots, bar charts,
 * heatmaps and node-link graphs. Output is deterministic for the same input.
 */
import { escapeHtml, raw, type RawHtml } from './html.js';

/** A named series of (x, y) points. */
export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
  readonly color?: string;
  /** Draw markers only (scatter) instead of a line. */
  readonly markers?: boolean;
  readonly dashed?: boolean;
}

/** Options shared by the charts. */
export interface ChartOptions {
  readonly width?: number;
  readonly height?: number;
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Horizontal reference lines (e.g. significance thresholds). */
  readonly hLines?: readonly { y: number; label: string; color?: string }[];
  readonly yMin?: number;
  readonly yMax?: number;
}

const PALETTE = [
  '#1f5fa8',
  '#b42318',
  '#1a7f37',
  '#9a6700',
  '#6f42c1',
  '#0e7c86',
  '#c2185b',
  '#5b6672',
];

/** Format a tick value compactly. */
function tick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-2) return v.toExponential(0);
  return Number(v.toPrecision(3)).toString();
}

function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step0 = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? step0;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

/** A line (or scatter) chart. */
export function lineChart(series: readonly Series[], opts: ChartOptions = {}): RawHtml {
  const W = opts.width ?? 640;
  const H = opts.height ?? 300;
  const m = { l: 56, r: 120, t: opts.title ? 28 : 12, b: 40 };
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series
    .flatMap((s) => s.points.map((p) => p[1]))
    .concat((opts.hLines ?? []).map((h) => h.y));
  const finite = (a: number[]): number[] => a.filter((v) => Number.isFinite(v));
  const fx = finite(xs);
  const fy = finite(ys);
  let x0 = fx.length ? Math.min(...fx) : 0;
  let x1 = fx.length ? Math.max(...fx) : 1;
  // Data-driven y range with 5% padding (a fixed [0, 1] squashes small-valued series).
  const dy0 = fy.length ? Math.min(...fy) : 0;
  const dy1 = fy.length ? Math.max(...fy) : 1;
  const pad = (dy1 - dy0) * 0.05 || Math.abs(dy1) * 0.05 || 1;
  let y0 = opts.yMin ?? dy0 - pad;
  let y1 = opts.yMax ?? dy1 + pad;
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) y1 = y0 + 1;
  if (!Number.isFinite(x0)) x0 = 0;
  if (!Number.isFinite(y0)) y0 = 0;
  const sx = (v: number): number => m.l + ((v - x0) / (x1 - x0)) * (W - m.l - m.r);
  const sy = (v: number): number =>
    H - m.b - ((Math.min(Math.max(v, y0), y1) - y0) / (y1 - y0)) * (H - m.t - m.b);
  const parts: string[] = [];
  parts.push(
    `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#d9dee3"/>`,
  );
  for (const t of niceTicks(y0, y1)) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eef1f4"/>`);
    parts.push(
      `<text x="${m.l - 6}" y="${sy(t) + 4}" text-anchor="end" font-size="11" fill="#5b6672">${tick(t)}</text>`,
    );
  }
  for (const t of niceTicks(x0, x1)) {
    parts.push(
      `<text x="${sx(t)}" y="${H - m.b + 14}" text-anchor="middle" font-size="11" fill="#5b6672">${tick(t)}</text>`,
    );
  }
  for (const h of opts.hLines ?? []) {
    parts.push(
      `<line x1="${m.l}" x2="${W - m.r}" y1="${sy(h.y)}" y2="${sy(h.y)}" stroke="${h.color ?? '#9a6700'}" stroke-dasharray="4 3"/>`,
    );
    parts.push(
      `<text x="${W - m.r + 4}" y="${sy(h.y) + 4}" font-size="11" fill="${h.color ?? '#9a6700'}">${escapeHtml(h.label)}</text>`,
    );
  }
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length] ?? '#000';
    const pts = s.points.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
    if (s.markers) {
      for (const p of pts)
        parts.push(`<circle cx="${sx(p[0])}" cy="${sy(p[1])}" r="3" fill="${color}"/>`);
    } else if (pts.length > 0) {
      const d = pts
        .map((p, j) => `${j === 0 ? 'M' : 'L'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`)
        .join('');
      parts.push(
        `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.8"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
      );
    }
    parts.push(
      `<rect x="${W - m.r + 8}" y="${m.t + 4 + i * 16}" width="10" height="10" fill="${color}"/>`,
    );
    parts.push(
      `<text x="${W - m.r + 22}" y="${m.t + 13 + i * 16}" font-size="11">${escapeHtml(s.name)}</text>`,
    );
  });
  if (opts.title)
    parts.push(
      `<text x="${m.l}" y="16" font-size="13" font-weight="600">${escapeHtml(opts.title)}</text>`,
    );
  if (opts.xLabel)
    parts.push(
      `<text x="${(m.l + W - m.r) / 2}" y="${H - 6}" text-anchor="middle" font-size="11" fill="#5b6672">${escapeHtml(opts.xLabel)}</text>`,
    );
  if (opts.yLabel)
    parts.push(
      `<text transform="translate(14 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle" font-size="11" fill="#5b6672">${escapeHtml(opts.yLabel)}</text>`,
    );
  return raw(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img">${parts.join('')}</svg>`,
  );
}

/** A vertical bar chart of labelled values. */
export function barChart(
  bars: readonly { label: string; value: number; color?: string }[],
  opts: ChartOptions = {},
): RawHtml {
  const W = opts.width ?? 640;
  const H = opts.height ?? 260;
  const m = { l: 56, r: 12, t: opts.title ? 28 : 12, b: 60 };
  const vals = bars.map((b) => b.value).filter(Number.isFinite);
  const y0 = opts.yMin ?? Math.min(0, ...vals);
  const y1 = opts.yMax ?? Math.max(1e-12, ...vals, ...(opts.hLines ?? []).map((h) => h.y));
  const sy = (v: number): number => H - m.b - ((v - y0) / (y1 - y0 || 1)) * (H - m.t - m.b);
  const bw = (W - m.l - m.r) / Math.max(1, bars.length);
  const parts: string[] = [];
  for (const t of niceTicks(y0, y1)) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eef1f4"/>`);
    parts.push(
      `<text x="${m.l - 6}" y="${sy(t) + 4}" text-anchor="end" font-size="11" fill="#5b6672">${tick(t)}</text>`,
    );
  }
  bars.forEach((b, i) => {
    const x = m.l + i * bw + bw * 0.1;
    const v = Number.isFinite(b.value) ? b.value : 0;
    const top = sy(Math.max(v, y0));
    const base = sy(Math.max(y0, Math.min(0, y1)));
    parts.push(
      `<rect x="${x}" y="${Math.min(top, base)}" width="${bw * 0.8}" height="${Math.abs(base - top)}" fill="${b.color ?? PALETTE[0] ?? '#000'}"><title>${escapeHtml(`${b.label}: ${b.value}`)}</title></rect>`,
    );
    parts.push(
      `<text transform="translate(${x + bw * 0.4} ${H - m.b + 12}) rotate(35)" font-size="10">${escapeHtml(b.label)}</text>`,
    );
  });
  for (const h of opts.hLines ?? []) {
    parts.push(
      `<line x1="${m.l}" x2="${W - m.r}" y1="${sy(h.y)}" y2="${sy(h.y)}" stroke="${h.color ?? '#9a6700'}" stroke-dasharray="4 3"/>`,
    );
    parts.push(
      `<text x="${m.l + 4}" y="${sy(h.y) - 4}" font-size="11" fill="${h.color ?? '#9a6700'}">${escapeHtml(h.label)}</text>`,
    );
  }
  if (opts.title)
    parts.push(
      `<text x="${m.l}" y="16" font-size="13" font-weight="600">${escapeHtml(opts.title)}</text>`,
    );
  if (opts.yLabel)
    parts.push(
      `<text transform="translate(14 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle" font-size="11" fill="#5b6672">${escapeHtml(opts.yLabel)}</text>`,
    );
  return raw(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img">${parts.join('')}</svg>`,
  );
}

/** A heatmap of a matrix with row/column labels; values are mapped to a blue scale over [min, max]. */
export function heatmap(
  matrix: readonly (readonly number[])[],
  opts: ChartOptions & {
    rowLabels?: readonly string[];
    colLabels?: readonly string[];
    min?: number;
    max?: number;
    highlight?: readonly (readonly [number, number])[];
  } = {},
): RawHtml {
  const rows = matrix.length;
  const cols = Math.max(0, ...matrix.map((r) => r.length));
  const cell = Math.max(8, Math.min(48, Math.floor(480 / Math.max(rows, cols, 1))));
  const m = { l: 60, t: opts.title ? 40 : 24, r: 20, b: 20 };
  const W = Math.max(m.l + cols * cell + m.r, opts.title ? 9 * opts.title.length : 0);
  const H = m.t + rows * cell + m.b;
  const flat = matrix.flat().filter(Number.isFinite);
  const lo = opts.min ?? Math.min(...flat, 0);
  const hi = opts.max ?? Math.max(...flat, 1);
  const color = (v: number): string => {
    if (!Number.isFinite(v)) return '#f0f0f0';
    const t = Math.max(0, Math.min(1, (v - lo) / (hi - lo || 1)));
    const r = Math.round(247 - t * (247 - 8));
    const g = Math.round(251 - t * (251 - 48));
    const b = Math.round(255 - t * (255 - 107));
    return `rgb(${r},${g},${b})`;
  };
  const parts: string[] = [];
  const hl = new Set((opts.highlight ?? []).map(([r, c]) => `${r},${c}`));
  matrix.forEach((row, i) =>
    row.forEach((v, j) => {
      parts.push(
        `<rect x="${m.l + j * cell}" y="${m.t + i * cell}" width="${cell}" height="${cell}" fill="${color(v)}"${hl.has(`${i},${j}`) ? ' stroke="#b42318" stroke-width="2"' : ''}><title>${escapeHtml(`${opts.rowLabels?.[i] ?? i} × ${opts.colLabels?.[j] ?? j}: ${Number.isFinite(v) ? v.toPrecision(3) : 'n/a'}`)}</title></rect>`,
      );
    }),
  );
  (opts.rowLabels ?? []).forEach((l, i) =>
    parts.push(
      `<text x="${m.l - 4}" y="${m.t + i * cell + cell / 2 + 4}" text-anchor="end" font-size="10">${escapeHtml(l)}</text>`,
    ),
  );
  (opts.colLabels ?? []).forEach((l, j) =>
    parts.push(
      `<text x="${m.l + j * cell + cell / 2}" y="${m.t - 4}" text-anchor="middle" font-size="10">${escapeHtml(l)}</text>`,
    ),
  );
  if (opts.title)
    parts.push(
      `<text x="${m.l}" y="14" font-size="13" font-weight="600">${escapeHtml(opts.title)}</text>`,
    );
  return raw(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img">${parts.join('')}</svg>`,
  );
}

/** A node-link diagram with nodes placed on a circle (deterministic; fine up to ~60 nodes). */
export function graphDiagram(
  nodes: readonly { id: string; label?: string; color?: string }[],
  edges: readonly { from: string; to: string; label?: string; weight?: number }[],
  opts: ChartOptions = {},
): RawHtml {
  const W = opts.width ?? 520;
  const H = opts.height ?? 420;
  const cx = W / 2;
  const cy = H / 2 + (opts.title ? 10 : 0);
  const R = Math.min(W, H) / 2 - 60;
  const pos = new Map<string, [number, number]>();
  nodes.forEach((n, i) => {
    const a = (2 * Math.PI * i) / Math.max(1, nodes.length) - Math.PI / 2;
    pos.set(n.id, [cx + R * Math.cos(a), cy + R * Math.sin(a)]);
  });
  const parts: string[] = [
    '<defs><marker id="arr" viewBox="0 0 10 10" refX="18" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#5b6672"/></marker></defs>',
  ];
  for (const e of edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) continue;
    parts.push(
      `<line x1="${a[0]}" y1="${a[1]}" x2="${b[0]}" y2="${b[1]}" stroke="#8c959f" stroke-width="${Math.max(1, Math.min(6, e.weight ?? 1.5))}" marker-end="url(#arr)"><title>${escapeHtml(e.label ?? `${e.from} → ${e.to}`)}</title></line>`,
    );
  }
  nodes.forEach((n, i) => {
    const p = pos.get(n.id);
    if (!p) return;
    parts.push(
      `<circle cx="${p[0]}" cy="${p[1]}" r="9" fill="${n.color ?? PALETTE[i % PALETTE.length] ?? '#000'}"/>`,
    );
    parts.push(
      `<text x="${p[0]}" y="${p[1] - 13}" text-anchor="middle" font-size="11">${escapeHtml(n.label ?? n.id)}</text>`,
    );
  });
  if (opts.title)
    parts.push(
      `<text x="12" y="16" font-size="13" font-weight="600">${escapeHtml(opts.title)}</text>`,
    );
  return raw(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img">${parts.join('')}</svg>`,
  );
}
