/**
 * Monitor test traffic: a validated record with every optional field empty, for tests that feed
 * `featurize` / `observe` directly, and simulated logs written to a file for tests that ingest.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrafficRecord } from '../../src/monitor/record.js';
import { simulateTraffic, type SimulateOptions, type Truth } from '../../src/monitor/index.js';

/** Simulate a log into `dir/name`; returns its path, ground truth and text. */
export async function simulateLog(
  dir: string,
  name: string,
  opts: SimulateOptions,
): Promise<{ file: string; truth: Truth; text: string }> {
  let text = '';
  const truth = await simulateTraffic(opts, (c) => {
    text += c;
  });
  const file = join(dir, name);
  writeFileSync(file, text);
  return { file, truth, text };
}

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
    toolTurns: 0,
    ...extra,
  };
}
