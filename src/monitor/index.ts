/**
 * Extraction monitor: find distillation campaigns in API traffic logs.
 *
 * `monitorLogs` streams JSONL logs (plain or gzip) into bounded per-account summaries and
 * returns a {@link MonitorVerdict}; `simulateTraffic` writes a labelled synthetic log for
 * evaluation. Renderers turn a verdict into the alerts file, a text summary or an HTML report.
 */
import { analyze, type AnalyzeOptions } from './analyze.js';
import { ingest, type IngestProgress } from './ingest.js';
import type { Mapping } from './mapping.js';
import type { MonitorVerdict } from './verdict.js';

export { analyze, DEFAULT_FDR, MAX_REFERENCE_ROUNDS } from './analyze.js';
export type { AnalyzeOptions } from './analyze.js';
export { accountFeatures, FEATURES, FEATURE_WEIGHTS, MIN_REQUESTS } from './cohorts.js';
export type { Feature } from './cohorts.js';
export { LIGHT_ACCOUNT_FACTOR, MIN_CAMPAIGN_REQUESTS } from './campaign.js';
export { formatLog10, TIERS } from './verdict.js';
export type {
  AccountFinding,
  AlertChange,
  AlertChanges,
  Allowlist,
  CampaignFinding,
  MonitorVerdict,
  Reason,
  Tier,
} from './verdict.js';
export { ingest, partitionOf, MAX_LINE_BYTES } from './ingest.js';
export type {
  FileProblem,
  IngestOptions,
  IngestProgress,
  IngestResult,
  Partition,
} from './ingest.js';
export { loadMapping, parseMapping, presetMapping, CANONICAL_FIELDS } from './mapping.js';
export type { Mapping, PresetName } from './mapping.js';
export { toRecord, parseTime, ipPrefix } from './record.js';
export type { MalformedLine, MalformedReason, TrafficRecord } from './record.js';
export { featurize, emptyFeatures, ELICIT } from './features.js';
export type { RequestFeatures } from './features.js';
export { createState, mergeState, observe } from './state.js';
export type { MonitorState, AccountState } from './state.js';
export { loadAllowlist, loadReleases, parseAllowlist, parseReleases } from './inputs.js';
export {
  compareAlerts,
  loadPreviousAlerts,
  MAX_DROPPED_LISTED,
  MAX_PREVIOUS_ALERTS,
} from './changes.js';
export type { PreviousAlerts } from './changes.js';
export {
  renderAlertsJsonl,
  renderHtml,
  renderText,
  campaignsSummary,
  alertLine,
  changesLine,
} from './report.js';
export type { AlertLine } from './report.js';
export { simulateTraffic, DEFAULT_MIX, DEFAULT_ATTACK, PERSONA_KEYS } from './sim/simulate.js';
export type {
  SimulateOptions,
  Truth,
  TruthAccount,
  TruthCampaign,
  PersonaMix,
  AttackSettings,
} from './sim/simulate.js';
export { MonitorError } from './errors.js';
export type { MonitorErrorCode } from './errors.js';

/**
 * Options of {@link monitorLogs}: what to read, and the options of {@link analyze} (all but the
 * state, problems and digests that reading produces).
 */
export interface MonitorOptions extends Omit<AnalyzeOptions, 'state' | 'problems' | 'digests'> {
  readonly files: readonly string[];
  readonly mapping?: Mapping;
  readonly workers?: number;
  readonly onProgress?: (p: IngestProgress) => void;
}

/** Read the logs and analyse them: the library verb behind `customs monitor`. */
export async function monitorLogs(opts: MonitorOptions): Promise<MonitorVerdict> {
  const { files, mapping, workers, onProgress, ...analysis } = opts;
  const { state, problems, digests } = await ingest({
    files,
    ...(mapping ? { mapping } : {}),
    ...(workers !== undefined ? { workers } : {}),
    ...(onProgress ? { onProgress } : {}),
  });
  return analyze({ ...analysis, state, problems, digests });
}
