/**
 * A validated monitor traffic record with every optional field empty, for tests that feed
 * `featurize` / `observe` directly instead of going through JSON and a mapping.
 */
import type { TrafficRecord } from '../../src/monitor/record.js';

/** A single-shot request by account "a" at 2026-03-02; `extra` overrides any field. */
export function trafficRecord(text: string, extra: Partial<TrafficRecord> = {}): TrafficRecord {
  return {
    ts: Date.UTC(2026, 2, 2),
    account: 'a',
    model: 'm',
    text,
    system: undefined,
    turns: 0,
    responseChars: undefined,
    inputTokens: undefined,
    outputTokens: undefined,
    org: undefined,
    ipPrefix: undefined,
    asn: undefined,
    payment: undefined,
    userAgent: undefined,
    signupAt: undefined,
    tools: 0,
    multiSample: false,
    ...extra,
  };
}
