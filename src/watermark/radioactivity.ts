/**
 * Radioactivity audits: did a suspect model train on our watermarked outputs? (Sander, Fernandez,
 * Durmus, Douze, Furon, "Watermarking Makes Language Models Radioactive", NeurIPS 2024.)
 *
 * Open-model mode ("reading mode", their §5): feed audit texts to the suspect teacher-forced and
 * score its own top-k predictions at every position, with the window taken from the text.
 * API mode (closed model): send prompts, score the suspect's generations.
 *
 * What keeps the p-value exact (docs/watermark.md, "What a radioactivity p-value means"):
 * - one global tape: each effective PRF input is scored once across the whole audit;
 * - exclusion: a tuple equal to a (window, next token) pair the suspect could see — in the prompt
 *   (API mode) or earlier in the same audit text (open mode) — is never scored, because the text
 *   itself may be watermarked and a model that merely copies from its context would otherwise
 *   look radioactive;
 * - the optional ledger filter selects by window only, never by the served token;
 * - decoy keys (never used to generate) go through the identical pipeline; their p-values must
 *   look uniform, else the audit is reported as a failed control instead of a finding.
 */
import { createHash } from 'node:crypto';
import type { LocalModel, TextBackend, Tokenizer } from '../engine/index.js';
import { bonferroniMin, toP } from '../stats/index.js';
import { TOOL_VERSION } from '../version.js';
import { createAccumulator, keyResult, type KeyResult, type ScoreAccumulator } from './detect.js';
import { WatermarkError } from './errors.js';
import { decoyKey, type WatermarkKey } from './keys.js';
import type { Ledger } from './ledger.js';
import { windowFingerprinter } from './ledger.js';
import { describeParams, keyedScheme, type KeyedScheme, type SchemeParams } from './schemes.js';
import { MessageSet } from './tape.js';

/** Most audit prompts / texts one audit accepts. */
export const MAX_AUDIT_PROMPTS = 100_000;
/** Decoy p-values below this (Bonferroni over decoys) mark the audit's controls as failed (false alarm ≤ 0.1 %). */
export const DECOY_ALARM = 1e-3;

/** The suspect: open weights (a local model) or an endpoint. */
export type Suspect =
  | { readonly kind: 'open'; readonly model: LocalModel }
  | { readonly kind: 'api'; readonly backend: TextBackend };

/** Options of {@link auditRadioactivity}. */
export interface RadioactivityOptions {
  readonly params: SchemeParams;
  readonly key: WatermarkKey;
  readonly secondaryKey?: WatermarkKey | null;
  /** The tokenizer our watermark is defined over (the generator's). */
  readonly tokenizer: Tokenizer;
  readonly suspect: Suspect;
  /** Open mode: the texts read teacher-forced. API mode: the prompts sent. */
  readonly prompts: readonly string[];
  /** Open mode: score the k most likely predictions at each position (default 1). */
  readonly topK?: number;
  /** API mode: tokens per generation (default 256), sampling and base seed. */
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly seed?: number;
  /** Decoy keys to run as negative controls (default 8). */
  readonly decoys?: number;
  /** Score only windows recorded in this served-windows ledger. */
  readonly ledger?: Ledger | null;
  readonly alpha?: number;
  readonly minScored?: number;
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

/** The audit verdict. */
export interface RadioactivityVerdict {
  readonly kind: 'customs.watermark.radioactivity/v1';
  readonly verdict: 'radioactive' | 'not-detected' | 'insufficient-evidence' | 'control-failed';
  readonly mode: 'open' | 'api';
  readonly suspect: string;
  readonly params: SchemeParams;
  readonly description: string;
  readonly pValue: number;
  readonly log10PValue: number;
  readonly alpha: number;
  readonly key: KeyResult;
  readonly decoys: readonly KeyResult[];
  /** Bonferroni-adjusted smallest decoy p-value, and whether it stayed above {@link DECOY_ALARM}. */
  readonly decoyCheck: { readonly minAdjustedP: number; readonly passed: boolean };
  /** Positions read (open: predictions offered; API: generated tokens). */
  readonly tuplesOffered: number;
  readonly prompts: number;
  readonly promptsDigest: string;
  readonly ledgerWindows: number | null;
  readonly minScored: number;
  readonly toolVersion: string;
  readonly limitations: readonly string[];
}

interface Lane {
  readonly keyed: KeyedScheme;
  readonly acc: ScoreAccumulator;
  /** Exclusion set of the current text / prompt. */
  readonly state: { current: MessageSet };
}

/** Run a radioactivity audit. */
export async function auditRadioactivity(o: RadioactivityOptions): Promise<RadioactivityVerdict> {
  const p = o.params;
  const h = p.contextWidth;
  const alpha = o.alpha ?? 1e-6;
  const minScored = o.minScored ?? 100;
  const nDecoys = o.decoys ?? 8;
  if (!Number.isInteger(nDecoys) || nDecoys < 0 || nDecoys > 64)
    throw new WatermarkError('BAD_PARAMS', 'decoys must be in [0, 64]', {
      where: { field: 'decoys' },
    });
  if (o.prompts.length === 0)
    throw new WatermarkError('BAD_INPUT', 'the audit needs at least one prompt / text');
  if (o.prompts.length > MAX_AUDIT_PROMPTS)
    throw new WatermarkError(
      'LIMIT_EXCEEDED',
      `${o.prompts.length} prompts exceed ${MAX_AUDIT_PROMPTS}`,
    );
  const topK = o.topK ?? 1;
  const V = o.tokenizer.vocabSize;
  if (o.suspect.kind === 'open') {
    const st = o.suspect.model.tokenizer;
    if (st.digest !== o.tokenizer.digest || st.vocabSize !== V)
      throw new WatermarkError(
        'TOKENIZER_MISMATCH',
        `open-model mode needs the suspect to share the watermark's tokenizer (${o.tokenizer.kind} ${o.tokenizer.digest.slice(0, 12)} vs ${st.kind} ${st.digest.slice(0, 12)}); use API mode for other tokenizers`,
      );
  }
  const fp = o.ledger ? windowFingerprinter(o.key, p) : null;
  const windows = o.ledger?.windows ?? null;
  const filter =
    fp && windows ? (seq: ArrayLike<number>, i: number): boolean => windows.has(fp(seq, i)) : null;
  const keys = [o.key, ...Array.from({ length: nDecoys }, (_, i) => decoyKey(o.key, i + 1))];
  const lanes: Lane[] = keys.map((key) => {
    const keyed = keyedScheme({
      params: p,
      key,
      secondaryKey: key.decoy ? decoyKey(key, 1000) : (o.secondaryKey ?? null),
      vocabSize: V,
    });
    const state = { current: new MessageSet(keyed.messageBytes) };
    const exclude = { has: (b: Uint8Array, off: number) => state.current.has(b, off) };
    return { keyed, state, acc: createAccumulator({ keyed, exclude, filter }) };
  });
  const scratch = new Uint8Array(64);
  const see = (seq: ArrayLike<number>, i: number): void => {
    // (window before i, token at i) becomes visible context: exclude it from later scoring.
    if (i < h) return;
    for (const l of lanes) {
      l.keyed.pack(scratch, 0, seq, i, seq[i] as number);
      l.state.current.add(scratch, 0);
    }
  };
  let offered = 0;
  const total = o.prompts.length;
  for (let n = 0; n < total; n++) {
    if (o.signal?.aborted) throw new WatermarkError('BAD_INPUT', 'audit aborted');
    const text = o.prompts[n] as string;
    for (const l of lanes) l.state.current = new MessageSet(l.keyed.messageBytes);
    if (o.suspect.kind === 'open') {
      const m = o.suspect.model;
      const seq = m.encodePrompt(text);
      if (seq.length < 2) continue;
      const sc = m.score({ tokens: seq, topK });
      for (let t = 1; t < seq.length; t++) {
        if (t >= h) {
          for (let j = 0; j < topK; j++) {
            const v =
              topK === 1
                ? (sc.argmax[t - 1] as number)
                : (sc.topIds?.[(t - 1) * topK + j] as number);
            offered++;
            for (const l of lanes) l.acc.offer(seq, t, v);
          }
        }
        see(seq, t);
      }
    } else {
      const b = o.suspect.backend;
      const r = await b.complete(
        {
          prompt: text,
          maxTokens: o.maxTokens ?? 256,
          ...(o.temperature !== undefined ? { temperature: o.temperature } : {}),
          ...(o.topP !== undefined ? { topP: o.topP } : {}),
          seed: (o.seed ?? 0) + n,
        },
        o.signal,
      );
      // The prompt's own (window, next) pairs are visible to the suspect: exclude them.
      const promptIds = o.tokenizer.encode(text);
      for (let i = 0; i < promptIds.length; i++) see(promptIds, i);
      const outIds =
        b.kind === 'local' && r.tokenIds ? [...r.tokenIds] : o.tokenizer.encode(r.text);
      // Completions continue the prompt, so its tail is the first windows' context; chat answers
      // follow a template we cannot see, so their first h tokens are not scored.
      const ctx = b.kind === 'openai-chat' ? [] : promptIds;
      const seq = [...ctx, ...outIds];
      for (let i = ctx.length; i < seq.length; i++) {
        const t = seq[i] as number;
        if (o.tokenizer.isSpecial(t)) continue;
        offered++;
        for (const l of lanes) l.acc.offer(seq, i, t);
        see(seq, i);
      }
    }
    o.onProgress?.(n + 1, total);
  }
  for (const l of lanes) l.acc.flush();
  const results = lanes.map((l) => keyResult(l.acc));
  const main = results[0] as KeyResult;
  const decoys = results.slice(1);
  const decoyMin =
    decoys.length > 0 ? bonferroniMin(decoys.map((d) => ({ log10: d.log10PValue }))) : { log10: 0 };
  const passed = toP(decoyMin) >= DECOY_ALARM;
  const verdict: RadioactivityVerdict['verdict'] = !passed
    ? 'control-failed'
    : main.scoredTokens < minScored
      ? 'insufficient-evidence'
      : main.log10PValue <= Math.log10(alpha)
        ? 'radioactive'
        : 'not-detected';
  const limitations = [
    'H0: the suspect was built without access to text watermarked with this key; the p-value is exact under H0 with the PRF idealised as random',
    'a suspect may have removed an inherited watermark (paraphrasing or neutralisation attacks, Pan et al. 2025): "not detected" is not proof of innocence',
    o.suspect.kind === 'api'
      ? "API mode re-tokenizes the suspect's answers with the watermark's tokenizer; answers the server post-processed are scored as returned"
      : `open mode scores the suspect's top-${topK} predictions on the audit texts`,
  ];
  if (o.ledger)
    limitations.push(`only windows in the served ledger (${o.ledger.windows.size}) were scored`);
  if (main.scoredTokens < minScored)
    limitations.push(`only ${main.scoredTokens} distinct tuples scored; ${minScored} needed`);
  if (!passed)
    limitations.push(
      `a decoy key reached adjusted p = ${toP(decoyMin).toExponential(2)}: the audit's controls failed, no conclusion is drawn`,
    );
  return {
    kind: 'customs.watermark.radioactivity/v1',
    verdict,
    mode: o.suspect.kind,
    suspect: o.suspect.kind === 'open' ? o.suspect.model.spec : o.suspect.backend.name,
    params: p,
    description: describeParams(p),
    pValue: main.pValue,
    log10PValue: main.log10PValue,
    alpha,
    key: main,
    decoys,
    decoyCheck: { minAdjustedP: toP(decoyMin), passed },
    tuplesOffered: offered,
    prompts: total,
    promptsDigest: createHash('sha256').update(JSON.stringify(o.prompts)).digest('hex'),
    ledgerWindows: o.ledger ? o.ledger.windows.size : null,
    minScored,
    toolVersion: TOOL_VERSION,
    limitations,
  };
}

/** Parse an audit prompt file: JSONL (strings or objects with "prompt"/"text") or one prompt per line. */
export function parsePrompts(text: string, file = 'prompts'): string[] {
  const lines = text.split('\n');
  const nonEmpty = lines.map((l, i) => [l.trim(), i] as const).filter(([l]) => l.length > 0);
  const jsonl =
    nonEmpty.length > 0 && nonEmpty.every(([l]) => l.startsWith('{') || l.startsWith('"'));
  if (!jsonl) return nonEmpty.map(([l]) => l);
  return nonEmpty.map(([l, i]) => {
    let v: unknown;
    try {
      v = JSON.parse(l);
    } catch (e) {
      throw new WatermarkError('BAD_INPUT', 'line is not JSON', {
        where: { file, line: i + 1 },
        cause: e,
      });
    }
    if (typeof v === 'string') return v;
    const o = v as { prompt?: unknown; text?: unknown } | null;
    const s = o?.prompt ?? o?.text;
    if (typeof s !== 'string')
      throw new WatermarkError('BAD_INPUT', 'each line needs a "prompt" or "text" string', {
        where: { file, line: i + 1 },
      });
    return s;
  });
}
