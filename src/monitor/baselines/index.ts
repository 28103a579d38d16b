/** TypeScript baselines the monitor is evaluated against: PRADA, SEAT and windowed MMD. */
export { embed, dist2, dot, EMBED_CHARS } from './embed.js';
export { shapiroWilkW, SHAPIRO_MAX_N } from './shapiro.js';
export { pradaAccount, PRADA_DEFAULTS } from './prada.js';
export type { PradaOptions, PradaResult } from './prada.js';
export { seatAccount, SEAT_MAX_QUERIES } from './seat.js';
export type { SeatResult } from './seat.js';
export { mmdAccount, mmdReference, mmdScore, MMD_BANDWIDTHS } from './mmd.js';
export type { MmdReference, MmdResult } from './mmd.js';
