/** Self-contained HTML and SVG rendering shared by every report. */
export * from './html.js';
export * from './svg.js';
