/**
 * Self-contained HTML pages (no external scripts, fonts or styles) for reports. Every page
 * declares UTF-8 (Chromium shows mojibake for minus signs and arrows otherwise) and embeds the
 * inputs' digests and the tool version in its footer.
 */
import { TOOL_NAME, TOOL_VERSION } from '../version.js';

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Tagged template that escapes every interpolated value unless it is {@link RawHtml}. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): RawHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += renderValue(v) + (strings[i + 1] ?? '');
  });
  return new RawHtml(out);
}

/** Markup that is already safe and must not be escaped again. */
export class RawHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

function renderValue(v: unknown): string {
  if (v instanceof RawHtml) return v.value;
  if (Array.isArray(v)) return v.map(renderValue).join('');
  if (v === null || v === undefined || v === false) return '';
  if (typeof v === 'string') return escapeHtml(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint')
    return escapeHtml(String(v));
  return escapeHtml(JSON.stringify(v));
}

/** Mark a trusted string as raw HTML. */
export function raw(s: string): RawHtml {
  return new RawHtml(s);
}

const BASE_CSS = `
:root { --fg:#1d232a; --muted:#5b6672; --bg:#ffffff; --line:#d9dee3; --accent:#1f5fa8; --bad:#b42318; --good:#1a7f37; --warn:#9a6700; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; } th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 12px; font-weight: 600; color: #fff; }
.badge.bad { background: var(--bad); } .badge.good { background: var(--good); } .badge.warn { background: var(--warn); } .badge.info { background: var(--accent); }
.muted { color: var(--muted); } .caveat { border-left: 3px solid var(--warn); padding: 6px 10px; background: #fff8e6; margin: 8px 0; }
figure { margin: 12px 0; } figcaption { color: var(--muted); font-size: 12px; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
`;

/** Options for {@link htmlPage}. */
export interface PageOptions {
  readonly title: string;
  readonly body: RawHtml;
  /** Extra CSS appended to the base style. */
  readonly css?: string;
  /** Input digests to list in the footer (name → digest). */
  readonly inputs?: Readonly<Record<string, string>>;
  /** When the report was generated (ISO-8601); omitted for byte-reproducible output. */
  readonly generatedAt?: string;
}

/** A complete self-contained HTML document. */
export function htmlPage(opts: PageOptions): string {
  const inputs = opts.inputs ?? {};
  const footer = html`<footer>
    ${TOOL_NAME} ${TOOL_VERSION}${opts.generatedAt ? html` · generated ${opts.generatedAt}` : ''}
    ${
      Object.keys(inputs).length > 0
        ? html`<div>
            inputs:
            ${Object.entries(inputs).map(([k, v]) => html`<div><span>${k}</span> <code>${v}</code></div>`)}
          </div>`
        : ''
    }
  </footer>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(opts.title)}</title><style>${BASE_CSS}${opts.css ?? ''}</style></head>
<body>${opts.body.value}${footer.value}</body></html>
`;
}
