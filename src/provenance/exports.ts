/**
 * Down-mapping signed statements to the formats registries and compliance tools read:
 *
 * - Hugging Face model-card YAML front matter (`base_model`, `base_model_relation`, `datasets`,
 *   `license`; huggingface/hub-docs `modelcard.md`) and `.eval_results/*.yaml` entries.
 * - SPDX 3.0.1 JSON-LD with the AI and Dataset profiles (`ai_AIPackage`, `dataset_DatasetPackage`,
 *   `descendantOf` / `trainedOn` / `testedOn` relationships, declared/concluded licences).
 * - CycloneDX 1.6 ML-BOM (`machine-learning-model` component, `pedigree.ancestors`,
 *   `modelCard.modelParameters.datasets`, `quantitativeAnalysis.performanceMetrics`).
 *
 * All three render one {@link ProvenanceView}, built once from the statements; renderers never
 * re-read the statements. Relations that a format cannot express are kept in a comment /
 * property rather than silently dropped (HF has no `distillation`; SPDX and CycloneDX have no
 * relation vocabulary at all).
 */
import { createHash } from 'node:crypto';
import { ProvenanceError } from './errors.js';
import { isObject } from './json.js';
import type { Statement } from './statement.js';
import { OMS_PREDICATE_TYPE } from './oms.js';
import {
  RELATIONS,
  SLSA_PROVENANCE_V1,
  TEST_RESULT_V01,
  TRAINING_DATA_V1,
} from './attestations.js';
import type { Relation } from './attestations.js';
import { MERKLE_DIGEST_KEY } from './manifest.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';

/** A base model in the view. */
export interface ParentView {
  readonly name: string;
  readonly digest: string;
  readonly uri?: string;
  readonly relation: Relation;
}

/** A dataset in the view. */
export interface DatasetView {
  readonly name: string;
  readonly uri?: string;
  readonly digest?: string;
  readonly license?: string;
  readonly split?: string;
  readonly collectionBasis?: string;
  readonly collectionMethod?: string;
  readonly collectionDetails?: string;
  readonly sensitivePersonalInformation?: boolean;
}

/** An evaluation or audit in the view. */
export interface EvaluationView {
  readonly kind: string;
  readonly evaluator: string;
  readonly result: string;
  readonly url?: string;
  readonly time?: string;
  readonly metrics: readonly {
    readonly name: string;
    readonly value: number;
    readonly task?: string;
    readonly dataset?: string;
    readonly lowerBound?: number;
    readonly upperBound?: number;
  }[];
}

/** Everything known about one model, gathered from its statements. */
export interface ProvenanceView {
  readonly subject: {
    readonly name: string;
    readonly digest: string;
    readonly merkleRoot?: string;
  };
  readonly parents: readonly ParentView[];
  readonly datasets: readonly DatasetView[];
  readonly evaluations: readonly EvaluationView[];
  readonly predicateTypes: readonly string[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Build the view of the model with subject digest `subjectDigest` (hex SHA-256; default: the
 * first statement's subject). Statements about other subjects are rejected.
 */
export function provenanceView(
  statements: readonly Statement[],
  subjectDigest?: string,
): ProvenanceView {
  if (statements.length === 0) throw new ProvenanceError('BAD_INPUT', 'no statements to export');
  const digest = subjectDigest ?? statements[0]?.subject[0]?.digest?.['sha256'];
  if (digest === undefined)
    throw new ProvenanceError('BAD_INPUT', 'cannot tell which model to export (no sha256 subject)');
  let name: string | undefined;
  let merkleRoot: string | undefined;
  const parents = new Map<string, ParentView>();
  const datasets = new Map<string, DatasetView>();
  const evaluations: EvaluationView[] = [];
  const types = new Set<string>();
  statements.forEach((st, i) => {
    const subj = st.subject.find((s) => s.digest?.['sha256'] === digest);
    if (!subj)
      throw new ProvenanceError(
        'BAD_INPUT',
        `statement ${i + 1} (${st.predicateType}) is about another model`,
        { where: { field: `statements[${i}]` } },
      );
    types.add(st.predicateType);
    if (name === undefined || st.predicateType === OMS_PREDICATE_TYPE) name = subj.name ?? name;
    merkleRoot ??= subj.digest?.[MERKLE_DIGEST_KEY];
    const p = st.predicate;
    if (st.predicateType === SLSA_PROVENANCE_V1) {
      const bd = p['buildDefinition'];
      const deps =
        isObject(bd) && Array.isArray(bd['resolvedDependencies'])
          ? (bd['resolvedDependencies'] as unknown[])
          : [];
      for (const d of deps) {
        if (!isObject(d)) continue;
        const ann = isObject(d['annotations']) ? d['annotations'] : {};
        const dg = isObject(d['digest']) ? str(d['digest']['sha256']) : undefined;
        if (ann['role'] === 'base_model' && dg !== undefined) {
          const rel = str(ann['relation']);
          if (rel === undefined || !(RELATIONS as readonly string[]).includes(rel)) continue;
          const uri = str(d['uri']);
          parents.set(dg, {
            name: str(d['name']) ?? dg,
            digest: dg,
            relation: rel as Relation,
            ...(uri !== undefined ? { uri } : {}),
          });
        } else if (ann['role'] === 'training_data') {
          addDataset(datasets, d);
        }
      }
    } else if (st.predicateType === TRAINING_DATA_V1) {
      const ds = Array.isArray(p['datasets']) ? (p['datasets'] as unknown[]) : [];
      for (const d of ds) if (isObject(d)) addDataset(datasets, d);
    } else if (st.predicateType === TEST_RESULT_V01) {
      const ev = isObject(p['evaluator']) ? p['evaluator'] : {};
      const metrics = (Array.isArray(p['metrics']) ? (p['metrics'] as unknown[]) : [])
        .filter(isObject)
        .flatMap((m) => {
          const value = m['value'];
          const mname = str(m['name']);
          if (typeof value !== 'number' || mname === undefined) return [];
          const ds = isObject(m['dataset']) ? str(m['dataset']['name']) : undefined;
          return [
            {
              name: mname,
              value,
              ...(str(m['task']) !== undefined ? { task: str(m['task']) as string } : {}),
              ...(ds !== undefined ? { dataset: ds } : {}),
              ...(typeof m['lowerBound'] === 'number' ? { lowerBound: m['lowerBound'] } : {}),
              ...(typeof m['upperBound'] === 'number' ? { upperBound: m['upperBound'] } : {}),
            },
          ];
        });
      evaluations.push({
        kind: str(p['kind']) ?? 'evaluation',
        evaluator: str(ev['name']) ?? str(ev['id']) ?? 'unknown',
        result: str(p['result']) ?? 'UNKNOWN',
        ...(str(p['url']) !== undefined ? { url: str(p['url']) as string } : {}),
        ...(str(p['timeCreated']) !== undefined ? { time: str(p['timeCreated']) as string } : {}),
        metrics,
      });
    }
  });
  return {
    subject: { name: name ?? digest, digest, ...(merkleRoot !== undefined ? { merkleRoot } : {}) },
    parents: [...parents.values()],
    datasets: [...datasets.values()],
    evaluations,
    predicateTypes: [...types].sort(),
  };
}

function addDataset(out: Map<string, DatasetView>, d: Record<string, unknown>): void {
  const name = str(d['name']);
  if (name === undefined) return;
  const ann = isObject(d['annotations']) ? d['annotations'] : d;
  const col = isObject(ann['collection'])
    ? ann['collection']
    : isObject(d['collection'])
      ? d['collection']
      : {};
  const digest = isObject(d['digest']) ? str(d['digest']['sha256']) : undefined;
  const v: DatasetView = {
    name,
    ...(str(d['uri']) !== undefined ? { uri: str(d['uri']) as string } : {}),
    ...(digest !== undefined ? { digest } : {}),
    ...(str(ann['license']) !== undefined ? { license: str(ann['license']) as string } : {}),
    ...(str(ann['split']) !== undefined ? { split: str(ann['split']) as string } : {}),
    ...(str(col['basis']) !== undefined ? { collectionBasis: str(col['basis']) as string } : {}),
    ...(str(col['method']) !== undefined ? { collectionMethod: str(col['method']) as string } : {}),
    ...(str(col['details']) !== undefined
      ? { collectionDetails: str(col['details']) as string }
      : {}),
    ...(typeof ann['sensitivePersonalInformation'] === 'boolean'
      ? { sensitivePersonalInformation: ann['sensitivePersonalInformation'] }
      : {}),
  };
  const key = digest ?? name;
  out.set(key, { ...(out.get(key) ?? {}), ...v });
}

/** HF `base_model_relation` for a relation; undefined where HF has no equivalent. */
export function hfRelation(
  r: Relation,
): 'finetune' | 'adapter' | 'quantized' | 'merge' | undefined {
  switch (r) {
    case 'finetune':
    case 'distillation':
    case 'continued-pretraining':
      return 'finetune';
    case 'adapter':
      return 'adapter';
    case 'quantized':
      return 'quantized';
    case 'merge':
      return 'merge';
    case 'pruning':
      return undefined;
  }
}

/** YAML scalar: JSON strings are valid YAML double-quoted scalars (YAML 1.2 §7.3.1). */
function y(s: string): string {
  return JSON.stringify(s);
}

/** Hugging Face hub id from a name or `hf://` URI, when it looks like one (`owner/name`). */
function hubId(name: string, uri?: string): string | undefined {
  const fromUri = uri?.startsWith('hf://')
    ? uri
        .slice(5)
        .replace(/^datasets\//, '')
        .split('@')[0]
    : undefined;
  const cand = fromUri ?? name;
  return /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/.test(cand) ? cand : undefined;
}

/** Render the model-card YAML front matter (between `---` lines). */
export function toHuggingFaceCard(view: ProvenanceView): string {
  const lines = ['---'];
  const bases = view.parents.map((p) => hubId(p.name, p.uri) ?? p.name);
  if (bases.length === 1) lines.push(`base_model: ${y(bases[0] as string)}`);
  else if (bases.length > 1) lines.push('base_model:', ...bases.map((b) => `- ${y(b)}`));
  const rels = [...new Set(view.parents.map((p) => p.relation))];
  const hf = [...new Set(rels.map(hfRelation))];
  if (rels.length > 0) {
    if (hf.length === 1 && hf[0] !== undefined) lines.push(`base_model_relation: ${hf[0]}`);
    lines.push(
      `# relation (model-customs): ${rels.join(', ')}${hf.includes(undefined) || rels.some((r) => hfRelation(r) !== r) ? ' (Hugging Face has no exact equivalent)' : ''}`,
    );
  }
  const ds = view.datasets
    .map((d) => hubId(d.name, d.uri))
    .filter((x): x is string => x !== undefined);
  if (ds.length > 0) lines.push('datasets:', ...ds.map((d) => `- ${y(d)}`));
  const licenses = [
    ...new Set(view.datasets.map((d) => d.license).filter((x): x is string => x !== undefined)),
  ];
  if (licenses.length > 0) lines.push(`# training data licences: ${licenses.join(', ')}`);
  lines.push(`# model digest (OMS root): sha256:${view.subject.digest}`);
  lines.push('---', '');
  return lines.join('\n');
}

/** Render `.eval_results/*.yaml` entries (hub-docs `eval-results.md`) for the evaluations. */
export function toHuggingFaceEvalResults(view: ProvenanceView): string {
  const lines: string[] = [];
  for (const e of view.evaluations) {
    for (const m of e.metrics) {
      lines.push(
        `- dataset:`,
        `    id: ${y(m.dataset ?? 'unknown')}`,
        `    task_id: ${y(m.task ?? m.name)}`,
        `  value: ${m.value}`,
      );
      if (e.time !== undefined) lines.push(`  date: ${y(e.time)}`);
      lines.push(`  source:`, `    name: ${y(e.evaluator)}`);
      if (e.url !== undefined) lines.push(`    url: ${y(e.url)}`);
      lines.push(`  notes: ${y(`${e.kind} ${e.result}; metric ${m.name}`)}`);
    }
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '[]\n';
}

/** Options shared by the SBOM exports. */
export interface ExportOptions {
  /** Creation time recorded in the document (default: now). */
  readonly created?: Date;
  /** Organisation or person credited as creator/supplier. */
  readonly supplier?: string;
}

function stableId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32);
}

/** Render an SPDX 3.0.1 JSON-LD document (AI + Dataset profiles). */
export function toSpdx(view: ProvenanceView, options: ExportOptions = {}): Record<string, unknown> {
  const created = (options.created ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const ns = `https://spdx.org/spdxdocs/model-customs-${stableId(view.subject.digest, created)}`;
  const ci = '_:creationinfo';
  const graph: Record<string, unknown>[] = [];
  const tool = `${ns}#tool`;
  const agent = `${ns}#supplier`;
  graph.push({
    type: 'CreationInfo',
    '@id': ci,
    specVersion: '3.0.1',
    created,
    createdBy: [agent],
    createdUsing: [tool],
  });
  graph.push({
    type: 'Tool',
    spdxId: tool,
    creationInfo: ci,
    name: `${TOOL_NAME} ${TOOL_VERSION}`,
  });
  graph.push({
    type: 'Organization',
    spdxId: agent,
    creationInfo: ci,
    name: options.supplier ?? 'NOASSERTION',
  });
  const elements: string[] = [tool, agent];
  let rel = 0;
  const relationship = (from: string, to: string[], type: string, comment?: string): void => {
    const id = `${ns}#Relationship${++rel}`;
    graph.push({
      type: 'Relationship',
      spdxId: id,
      creationInfo: ci,
      from,
      to,
      relationshipType: type,
      ...(comment !== undefined ? { comment } : {}),
    });
    elements.push(id);
  };
  let lic = 0;
  const licenses = new Map<string, string>();
  const license = (expr: string): string => {
    const have = licenses.get(expr);
    if (have) return have;
    const id = `${ns}#License${++lic}`;
    graph.push({
      type: 'simplelicensing_LicenseExpression',
      spdxId: id,
      creationInfo: ci,
      simplelicensing_licenseExpression: expr,
    });
    licenses.set(expr, id);
    elements.push(id);
    return id;
  };
  const hash = (d: string): Record<string, unknown>[] => [
    { type: 'Hash', algorithm: 'sha256', hashValue: d },
  ];
  const pkg = (
    id: string,
    type: string,
    name: string,
    digest: string | undefined,
    uri: string | undefined,
    extra: Record<string, unknown>,
  ): void => {
    graph.push({
      type,
      spdxId: id,
      creationInfo: ci,
      name,
      ...(digest !== undefined ? { verifiedUsing: hash(digest) } : {}),
      software_downloadLocation: uri ?? 'NOASSERTION',
      software_packageVersion: 'NOASSERTION',
      suppliedBy: agent,
      releaseTime: created,
      ...extra,
    });
    elements.push(id);
  };
  const modelId = `${ns}#model-${view.subject.digest.slice(0, 16)}`;
  const evalText = view.evaluations.flatMap((e) =>
    e.metrics.map((m) => ({
      type: 'DictionaryEntry',
      key: `${m.name}${m.dataset ? ` (${m.dataset})` : ''}`,
      value: String(m.value),
    })),
  );
  pkg(modelId, 'ai_AIPackage', view.subject.name, view.subject.digest, undefined, {
    software_primaryPurpose: 'model',
    ...(evalText.length > 0 ? { ai_metric: evalText } : {}),
    ...(view.datasets.length > 0
      ? {
          ai_informationAboutTraining: `Trained on: ${view.datasets.map((d) => d.name).join(', ')}`,
        }
      : {}),
  });
  relationship(modelId, [license('NOASSERTION')], 'hasDeclaredLicense');
  relationship(modelId, [license('NOASSERTION')], 'hasConcludedLicense');
  for (const p of view.parents) {
    const pid = `${ns}#model-${p.digest.slice(0, 16)}`;
    pkg(pid, 'ai_AIPackage', p.name, p.digest, p.uri, { software_primaryPurpose: 'model' });
    relationship(pid, [license('NOASSERTION')], 'hasDeclaredLicense');
    relationship(pid, [license('NOASSERTION')], 'hasConcludedLicense');
    relationship(modelId, [pid], 'descendantOf', `relation: ${p.relation}`);
  }
  view.datasets.forEach((d, i) => {
    const did = `${ns}#dataset-${i + 1}`;
    const process = [
      d.collectionBasis ? `basis: ${d.collectionBasis}` : '',
      d.collectionMethod ?? '',
      d.collectionDetails ?? '',
    ]
      .filter((x) => x !== '')
      .join('; ');
    pkg(did, 'dataset_DatasetPackage', d.name, d.digest, d.uri, {
      software_primaryPurpose: 'data',
      dataset_datasetType: ['noAssertion'],
      ...(process !== '' ? { dataset_dataCollectionProcess: process } : {}),
      ...(d.sensitivePersonalInformation !== undefined
        ? { dataset_hasSensitivePersonalInformation: d.sensitivePersonalInformation ? 'yes' : 'no' }
        : {}),
    });
    relationship(did, [license(d.license ?? 'NOASSERTION')], 'hasDeclaredLicense');
    relationship(did, [license('NOASSERTION')], 'hasConcludedLicense');
    relationship(modelId, [did], 'trainedOn');
  });
  const docId = `${ns}#document`;
  graph.push({
    type: 'SpdxDocument',
    spdxId: docId,
    creationInfo: ci,
    name: `Provenance of ${view.subject.name}`,
    profileConformance: ['core', 'software', 'ai', 'dataset', 'simpleLicensing'],
    rootElement: [modelId],
    element: elements,
  });
  return { '@context': 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld', '@graph': graph };
}

function uuidFrom(hex: string): string {
  const h = hex.slice(0, 32).split('');
  h[12] = '5';
  h[16] = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}

/** Render a CycloneDX 1.6 ML-BOM. */
export function toCycloneDx(
  view: ProvenanceView,
  options: ExportOptions = {},
): Record<string, unknown> {
  const created = (options.created ?? new Date()).toISOString();
  const modelRef = `model:sha256:${view.subject.digest}`;
  const datasetRef = (d: DatasetView, i: number): string =>
    d.digest !== undefined ? `dataset:sha256:${d.digest}` : `dataset:${i + 1}:${d.name}`;
  const metrics = view.evaluations.flatMap((e) =>
    e.metrics.map((m) => ({
      type: m.name,
      value: String(m.value),
      ...(m.dataset !== undefined || m.task !== undefined
        ? { slice: [m.task, m.dataset].filter((x) => x !== undefined).join(' / ') }
        : {}),
      ...(m.lowerBound !== undefined && m.upperBound !== undefined
        ? {
            confidenceInterval: {
              lowerBound: String(m.lowerBound),
              upperBound: String(m.upperBound),
            },
          }
        : {}),
    })),
  );
  const relations = [...new Set(view.parents.map((p) => p.relation))];
  const model: Record<string, unknown> = {
    type: 'machine-learning-model',
    'bom-ref': modelRef,
    name: view.subject.name,
    hashes: [{ alg: 'SHA-256', content: view.subject.digest }],
    ...(view.parents.length > 0
      ? {
          pedigree: {
            ancestors: view.parents.map((p) => ({
              type: 'machine-learning-model',
              'bom-ref': `model:sha256:${p.digest}`,
              name: p.name,
              hashes: [{ alg: 'SHA-256', content: p.digest }],
              ...(p.uri !== undefined
                ? { externalReferences: [{ type: 'distribution', url: p.uri }] }
                : {}),
              properties: [{ name: 'model-customs:relation', value: p.relation }],
            })),
            notes: `Derived by ${relations.join(', ')}`,
          },
        }
      : {}),
    modelCard: {
      modelParameters: { datasets: view.datasets.map((d, i) => ({ ref: datasetRef(d, i) })) },
      ...(metrics.length > 0 ? { quantitativeAnalysis: { performanceMetrics: metrics } } : {}),
    },
    properties: [
      ...relations.map((r) => ({ name: 'model-customs:relation', value: r })),
      ...(view.subject.merkleRoot !== undefined
        ? [{ name: 'model-customs:merkle-root', value: view.subject.merkleRoot }]
        : []),
    ],
  };
  const components = view.datasets.map((d, i) => ({
    type: 'data',
    'bom-ref': datasetRef(d, i),
    name: d.name,
    ...(d.digest !== undefined ? { hashes: [{ alg: 'SHA-256', content: d.digest }] } : {}),
    ...(d.license !== undefined ? { licenses: [{ license: { name: d.license } }] } : {}),
    data: [
      {
        type: 'dataset',
        name: d.name,
        ...(d.uri !== undefined ? { contents: { url: d.uri } } : {}),
        ...(d.collectionBasis !== undefined || d.collectionDetails !== undefined
          ? {
              description: [
                d.collectionBasis ? `collection basis: ${d.collectionBasis}` : '',
                d.collectionMethod ?? '',
                d.collectionDetails ?? '',
              ]
                .filter((x) => x !== '')
                .join('; '),
            }
          : {}),
        ...(d.sensitivePersonalInformation === true
          ? { sensitiveData: ['personal information'] }
          : {}),
      },
    ],
  }));
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${uuidFrom(stableId(view.subject.digest, created))}`,
    version: 1,
    metadata: {
      timestamp: created,
      tools: { components: [{ type: 'application', name: TOOL_NAME, version: TOOL_VERSION }] },
      component: model,
      ...(options.supplier !== undefined ? { supplier: { name: options.supplier } } : {}),
    },
    components,
    dependencies: [
      { ref: modelRef, dependsOn: components.map((c) => c['bom-ref']) },
      ...components.map((c) => ({ ref: c['bom-ref'] })),
    ],
  };
}
