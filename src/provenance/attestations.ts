/**
 * Statements about a model's subject digest (the OMS root digest), signed as DSSE envelopes in
 * Sigstore bundles like OMS manifests:
 *
 * - **lineage** — SLSA Provenance v1 (`https://slsa.dev/provenance/v1`): base models by digest and
 *   name in `buildDefinition.resolvedDependencies` with `annotations.relation` ∈ {@link RELATIONS};
 *   datasets may be listed there too (`annotations.role = "training_data"`).
 * - **training data** — `https://model-customs.dev/attestation/training-data/v1`: dataset name,
 *   URI, digest, license and collection / consent basis.
 * - **evaluation / audit** — in-toto Test Result v0.1 (`https://in-toto.io/attestation/test-result/v0.1`)
 *   with `result` and `configuration`, extended (in-toto consumers ignore unknown fields) with the
 *   evaluator, the kind (evaluation or audit) and metric values.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { KeyObject } from 'node:crypto';
import { ProvenanceError } from './errors.js';
import { IN_TOTO_PAYLOAD_TYPE, signEnvelope } from './dsse.js';
import { buildKeyBundle, parseBundle, serializeBundle, verifyBundleSignature } from './bundle.js';
import type { BundleTrust, ParsedBundle } from './bundle.js';
import { canonicalJson } from './json.js';
import { STATEMENT_TYPE, parseStatement } from './statement.js';
import type { Statement } from './statement.js';
import { publicOf } from './keys.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';

/** SLSA Provenance v1 predicate type. */
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
/** buildType of our derivation statements. */
export const DERIVATION_BUILD_TYPE = 'https://model-customs.dev/ml/derivation/v1';
/** Predicate type of training-data statements. */
export const TRAINING_DATA_V1 = 'https://model-customs.dev/attestation/training-data/v1';
/** in-toto Test Result predicate type (used for evaluations and audits). */
export const TEST_RESULT_V01 = 'https://in-toto.io/attestation/test-result/v0.1';

/** How a model was derived from a base model. */
export const RELATIONS = [
  'finetune',
  'adapter',
  'quantized',
  'merge',
  'distillation',
  'continued-pretraining',
  'pruning',
] as const;
/** A derivation relation. */
export type Relation = (typeof RELATIONS)[number];

/** Legal bases under which training data was collected. */
export const COLLECTION_BASES = [
  'consent',
  'contract',
  'license',
  'public-domain',
  'legitimate-interest',
  'legal-obligation',
  'synthetic',
  'first-party',
  'unknown',
] as const;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits');
const digestRef = z
  .string()
  .regex(/^(sha256:)?[0-9a-f]{64}$/, 'expected sha256:<64 hex digits>')
  .transform((s) => (s.startsWith('sha256:') ? s.slice(7) : s));
const text = (max: number) => z.string().min(1).max(max);

/** The model a statement is about. */
export const SubjectSchema = z.object({
  name: text(512),
  digest: digestRef,
  merkleRoot: hex64.optional(),
});
/** Subject input. */
export type SubjectInput = z.input<typeof SubjectSchema>;

/** A base model of a derivation. */
export const ParentSchema = z.object({
  digest: digestRef,
  name: text(512),
  uri: text(2048).optional(),
  relation: z.enum(RELATIONS),
});

/** A dataset used for training. */
export const DatasetSchema = z.object({
  name: text(512),
  uri: text(2048).optional(),
  digest: digestRef.optional(),
  license: text(256).optional(),
  split: text(64).optional(),
  collection: z
    .object({
      basis: z.enum(COLLECTION_BASES),
      method: text(1024).optional(),
      details: text(4096).optional(),
    })
    .optional(),
  sensitivePersonalInformation: z.boolean().optional(),
});
/** Dataset input. */
export type DatasetInput = z.input<typeof DatasetSchema>;

/** Lineage statement input. */
export const LineageSchema = z.object({
  subject: SubjectSchema,
  parents: z.array(ParentSchema).min(1).max(64),
  method: text(256).optional(),
  hyperparameters: z
    .record(z.string().max(128), z.union([z.string().max(1024), z.number(), z.boolean()]))
    .optional(),
  datasets: z.array(DatasetSchema).max(1024).optional(),
  builder: text(1024).optional(),
  invocationId: text(256).optional(),
  startedOn: z.iso.datetime().optional(),
  finishedOn: z.iso.datetime().optional(),
});
/** Lineage input. */
export type LineageInput = z.input<typeof LineageSchema>;

/** Training-data statement input. */
export const TrainingDataSchema = z.object({
  subject: SubjectSchema,
  datasets: z.array(DatasetSchema).min(1).max(1024),
});
/** Training-data input. */
export type TrainingDataInput = z.input<typeof TrainingDataSchema>;

/** A metric value. */
export const MetricSchema = z.object({
  name: text(256),
  value: z.number().finite(),
  task: text(256).optional(),
  dataset: z
    .object({ name: text(512), uri: text(2048).optional(), digest: digestRef.optional() })
    .optional(),
  lowerBound: z.number().finite().optional(),
  upperBound: z.number().finite().optional(),
  sampleSize: z.number().int().nonnegative().optional(),
});

/** Evaluation / audit input. */
export const EvaluationSchema = z.object({
  subject: SubjectSchema,
  kind: z.enum(['evaluation', 'audit']).default('evaluation'),
  evaluator: z.object({ id: text(1024), name: text(256).optional() }),
  result: z.enum(['PASSED', 'WARNED', 'FAILED']),
  harness: z
    .object({
      name: text(256),
      version: text(64).optional(),
      uri: text(2048).optional(),
      digest: digestRef.optional(),
    })
    .optional(),
  metrics: z.array(MetricSchema).max(4096).default([]),
  passedTests: z.array(text(512)).max(100_000).default([]),
  warnedTests: z.array(text(512)).max(100_000).default([]),
  failedTests: z.array(text(512)).max(100_000).default([]),
  url: text(2048).optional(),
  notes: text(8192).optional(),
  timeCreated: z.iso.datetime().optional(),
});
/** Evaluation input. */
export type EvaluationInput = z.input<typeof EvaluationSchema>;

function parseInput<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue ? issue.path.map(String).join('.') : '';
    throw new ProvenanceError(
      'BAD_INPUT',
      `${what}: ${field ? `${field}: ` : ''}${issue?.message ?? 'invalid'}`,
      {
        where: { field },
        details: {
          issues: r.error.issues
            .slice(0, 10)
            .map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
        },
      },
    );
  }
  return r.data;
}

function subjectDescriptor(s: z.output<typeof SubjectSchema>): Record<string, unknown> {
  const digest: Record<string, string> = { sha256: s.digest };
  if (s.merkleRoot !== undefined) digest['customs_merkle_v1'] = s.merkleRoot;
  return { name: s.name, digest };
}

function datasetDescriptor(
  d: z.output<typeof DatasetSchema>,
  role: string | undefined,
): Record<string, unknown> {
  const annotations: Record<string, unknown> = {};
  if (role !== undefined) annotations['role'] = role;
  if (d.license !== undefined) annotations['license'] = d.license;
  if (d.split !== undefined) annotations['split'] = d.split;
  if (d.collection !== undefined) annotations['collection'] = d.collection;
  if (d.sensitivePersonalInformation !== undefined)
    annotations['sensitivePersonalInformation'] = d.sensitivePersonalInformation;
  return {
    name: d.name,
    ...(d.uri !== undefined ? { uri: d.uri } : {}),
    ...(d.digest !== undefined ? { digest: { sha256: d.digest } } : {}),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  };
}

/** Build a lineage (SLSA Provenance v1) statement. */
export function lineageStatement(input: LineageInput): Statement {
  const v = parseInput(LineageSchema, input, 'lineage');
  const relations = [...new Set(v.parents.map((p) => p.relation))];
  if (v.parents.some((p) => p.digest === v.subject.digest)) {
    throw new ProvenanceError('BAD_INPUT', 'lineage: a model cannot be its own base model', {
      where: { field: 'parents' },
    });
  }
  const deps: Record<string, unknown>[] = v.parents.map((p) => ({
    name: p.name,
    ...(p.uri !== undefined ? { uri: p.uri } : {}),
    digest: { sha256: p.digest },
    annotations: { role: 'base_model', relation: p.relation },
  }));
  for (const d of v.datasets ?? []) deps.push(datasetDescriptor(d, 'training_data'));
  const externalParameters: Record<string, unknown> = {
    relation: relations.length === 1 ? relations[0] : relations,
  };
  if (v.method !== undefined) externalParameters['method'] = v.method;
  if (v.hyperparameters !== undefined) externalParameters['hyperparameters'] = v.hyperparameters;
  const metadata: Record<string, unknown> = {};
  if (v.invocationId !== undefined) metadata['invocationId'] = v.invocationId;
  if (v.startedOn !== undefined) metadata['startedOn'] = v.startedOn;
  if (v.finishedOn !== undefined) metadata['finishedOn'] = v.finishedOn;
  return {
    _type: STATEMENT_TYPE,
    subject: [subjectDescriptor(v.subject)],
    predicateType: SLSA_PROVENANCE_V1,
    predicate: {
      buildDefinition: {
        buildType: DERIVATION_BUILD_TYPE,
        externalParameters,
        resolvedDependencies: deps,
      },
      runDetails: {
        builder: { id: v.builder ?? `https://model-customs.dev/tool/${TOOL_NAME}@${TOOL_VERSION}` },
        ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
      },
    },
  };
}

/** Build a training-data statement. */
export function trainingDataStatement(input: TrainingDataInput): Statement {
  const v = parseInput(TrainingDataSchema, input, 'training data');
  return {
    _type: STATEMENT_TYPE,
    subject: [subjectDescriptor(v.subject)],
    predicateType: TRAINING_DATA_V1,
    predicate: { datasets: v.datasets.map((d) => datasetDescriptor(d, undefined)) },
  };
}

/** Build an evaluation / audit statement (in-toto Test Result v0.1, extended). */
export function evaluationStatement(input: EvaluationInput, now: Date = new Date()): Statement {
  const v = parseInput(EvaluationSchema, input, 'evaluation');
  const configuration: Record<string, unknown>[] = [];
  if (v.harness) {
    configuration.push({
      name: v.harness.name,
      ...(v.harness.uri !== undefined ? { uri: v.harness.uri } : {}),
      ...(v.harness.digest !== undefined ? { digest: { sha256: v.harness.digest } } : {}),
      annotations: {
        role: 'harness',
        ...(v.harness.version !== undefined ? { version: v.harness.version } : {}),
      },
    });
  }
  const seen = new Set<string>();
  for (const m of v.metrics) {
    if (!m.dataset || seen.has(m.dataset.name)) continue;
    seen.add(m.dataset.name);
    configuration.push({
      name: m.dataset.name,
      ...(m.dataset.uri !== undefined ? { uri: m.dataset.uri } : {}),
      ...(m.dataset.digest !== undefined ? { digest: { sha256: m.dataset.digest } } : {}),
      annotations: { role: 'dataset' },
    });
  }
  if (configuration.length === 0)
    configuration.push({ name: v.evaluator.id, annotations: { role: 'evaluator' } });
  for (const m of v.metrics) {
    if (m.lowerBound !== undefined && m.upperBound !== undefined && m.lowerBound > m.upperBound) {
      throw new ProvenanceError(
        'BAD_INPUT',
        `evaluation: metric ${m.name} has lowerBound > upperBound`,
        { where: { field: 'metrics' } },
      );
    }
  }
  return {
    _type: STATEMENT_TYPE,
    subject: [subjectDescriptor(v.subject)],
    predicateType: TEST_RESULT_V01,
    predicate: {
      result: v.result,
      configuration,
      ...(v.url !== undefined ? { url: v.url } : {}),
      passedTests: v.passedTests,
      warnedTests: v.warnedTests,
      failedTests: v.failedTests,
      kind: v.kind,
      evaluator: v.evaluator,
      metrics: v.metrics.map((m) => ({
        ...m,
        ...(m.dataset ? { dataset: { ...m.dataset } } : {}),
      })),
      ...(v.notes !== undefined ? { notes: v.notes } : {}),
      timeCreated: v.timeCreated ?? now.toISOString(),
    },
  };
}

/** A signed statement bundle. */
export interface SignedStatement {
  readonly bundle: Record<string, unknown>;
  readonly bundleJson: string;
  readonly statement: Statement;
  /** Hex SHA-256 of the canonical (JCS) bundle JSON: the statement's address in the registry. */
  readonly digest: string;
}

/** Sign a statement into a Sigstore bundle (DSSE, in-toto payload as canonical JSON). */
export function signStatement(args: {
  statement: Statement;
  privateKey: KeyObject;
}): SignedStatement {
  const payload = Buffer.from(canonicalJson(args.statement), 'utf8');
  const envelope = signEnvelope({
    payload,
    payloadType: IN_TOTO_PAYLOAD_TYPE,
    privateKey: args.privateKey,
  });
  const bundle = buildKeyBundle(envelope, publicOf(args.privateKey));
  return {
    bundle,
    bundleJson: serializeBundle(bundle),
    statement: args.statement,
    digest: bundleDigest(bundle),
  };
}

/** The registry address of a bundle: hex SHA-256 of its RFC 8785 canonical JSON. */
export function bundleDigest(bundle: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(bundle), 'utf8').digest('hex');
}

/** Result of verifying a statement bundle. */
export interface VerifiedStatement {
  readonly statement: Statement;
  readonly keyFingerprint: string;
  readonly method: 'key' | 'certificate';
}

/** Verify a statement bundle's signature and parse its in-toto payload. */
export function verifyStatementBundle(
  bundle: ParsedBundle,
  trust: BundleTrust,
  file = 'statement',
): VerifiedStatement {
  const sig = verifyBundleSignature(bundle, trust, file);
  if (bundle.envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw new ProvenanceError(
      'BAD_DSSE',
      `payloadType ${bundle.envelope.payloadType} is not ${IN_TOTO_PAYLOAD_TYPE}`,
      { where: { file } },
    );
  }
  const statement = parseStatement(bundle.envelope.payload, file);
  return { statement, keyFingerprint: sig.keyFingerprint, method: sig.method };
}

/** Parse a statement bundle file without verifying (for inspection). */
export function readStatementBundle(
  input: string | Uint8Array,
  file = 'statement',
): { bundle: ParsedBundle; statement: Statement } {
  const bundle = parseBundle(input, file);
  return { bundle, statement: parseStatement(bundle.envelope.payload, file) };
}
