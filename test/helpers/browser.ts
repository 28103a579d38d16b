/**
 * Browser checks for rendered reports: open an HTML file in Debian's chromium through
 * playwright-core (never a downloaded browser) and take a screenshot. Returns null when chromium
 * is not installed so callers can `t.skip()` with a reason.
 */
import { existsSync } from 'node:fs';

/** Chromium flags that work on a closed network as root (see the machine notes). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Path of the system chromium, or null. */
export function chromiumPath(): string | null {
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(p)) return p;
  return null;
}

/** Result of rendering a page. */
export interface RenderResult {
  /** Visible text of the page body. */
  readonly text: string;
  /** Number of <svg> elements that rendered with a non-zero box. */
  readonly svgCount: number;
  /** Console errors and page errors seen while loading. */
  readonly errors: readonly string[];
}

/** Render `htmlFile` headless, screenshot it to `pngFile`; null when chromium is absent. */
export async function renderPage(htmlFile: string, pngFile: string): Promise<RenderResult | null> {
  const exe = chromiumPath();
  if (!exe) return null;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: exe,
    args: CHROMIUM_ARGS,
    headless: true,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`file://${htmlFile}`);
    await page.screenshot({ path: pngFile, fullPage: true });
    const text = await page.innerText('body');
    let svgCount = 0;
    for (const svg of await page.locator('svg').all()) {
      const box = await svg.boundingBox();
      if (box && box.width > 0) svgCount++;
    }
    return { text, svgCount, errors };
  } finally {
    await browser.close();
  }
}
