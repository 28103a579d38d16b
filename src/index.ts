/**
 * Public library API of `model-customs`.
 *
 * Each capability is a namespace (one folder's index) so that names never collide across
 * capabilities; the verbs a typical caller needs are also re-exported at the top level. The CLI
 * (`src/cli`) and the registry service (`src/server`) are thin layers over these same entry points.
 *
 * @example
 * ```ts
 * import { openModel, compareModels } from 'model-customs';
 * const model = await openModel('hf:meta-llama/Llama-3.2-1B');
 * ```
 */
export * as errors from './errors.js';
export * as sources from './sources/index.js';
export * as formats from './formats/index.js';
export * as model from './model/index.js';
export * as stats from './stats/index.js';
export * as forensics from './forensics/index.js';
export * as engine from './engine/index.js';
export * as watermark from './watermark/index.js';
export * as probe from './probe/index.js';
export * as monitor from './monitor/index.js';
export * as provenance from './provenance/index.js';
export * as tlog from './tlog/index.js';
export * as server from './server/index.js';
export * as report from './report/index.js';

export { CustomsError, UsageError, FormatError, SourceError } from './errors.js';
export { openModel, getModelInfo } from './model/index.js';
export {
  extractFingerprint,
  compareModels,
  compareFingerprints,
  rankCandidates,
} from './forensics/index.js';
export { generateWatermarked, detectWatermark, auditRadioactivity } from './watermark/index.js';
export { runProbe } from './probe/index.js';
export { monitorLogs, simulateTraffic } from './monitor/index.js';
export { buildManifest } from './provenance/index.js';
export { startRegistry, startWitness } from './server/index.js';
export { TOOL_NAME, TOOL_VERSION } from './version.js';
