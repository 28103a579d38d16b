/** Lineage, training-data and evaluation statements; HF, SPDX 3.0.1 and CycloneDX 1.6 exports. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ProvenanceError,
  evaluationStatement,
  generateSigningKey,
  lineageStatement,
  loadPrivateKey,
  loadPublicKey,
  parseBundle,
  provenanceView,
  signStatement,
  toCycloneDx,
  toHuggingFaceCard,
  toHuggingFaceEvalResults,
  toSpdx,
  trainingDataStatement,
  verifyStatementBundle,
} from '../../src/provenance/index.js';

const D = (c: string): string => c.repeat(64);
const subject = { name: 'acme/llama-ft', digest: `sha256:${D('a')}` };

test('lineage statement: SLSA v1 shape, sign, verify, tamper', () => {
  const st = lineageStatement({
    subject,
    parents: [
      {
        digest: D('b'),
        name: 'meta-llama/Llama-3.1-8B',
        uri: 'hf://meta-llama/Llama-3.1-8B',
        relation: 'distillation',
      },
    ],
    method: 'kd',
    hyperparameters: { temperature: 2 },
    datasets: [
      { name: 'acme/instructions', license: 'cc-by-4.0', collection: { basis: 'consent' } },
    ],
  });
  assert.equal(st.predicateType, 'https://slsa.dev/provenance/v1');
  const gen = generateSigningKey();
  const signed = signStatement({ statement: st, privateKey: loadPrivateKey(gen.privateKeyPem) });
  assert.match(signed.digest, /^[0-9a-f]{64}$/);
  const v = verifyStatementBundle(parseBundle(signed.bundleJson), {
    publicKeys: [loadPublicKey(gen.publicKeyPem)],
  });
  assert.deepEqual(v.statement, JSON.parse(JSON.stringify(st)));
  const other = loadPublicKey(generateSigningKey().publicKeyPem);
  assert.throws(
    () => verifyStatementBundle(parseBundle(signed.bundleJson), { publicKeys: [other] }),
    (e: unknown) => e instanceof ProvenanceError && e.code === 'KEY_MISMATCH',
  );
  const b = JSON.parse(signed.bundleJson) as { dsseEnvelope: { payload: string } };
  const p = Buffer.from(b.dsseEnvelope.payload, 'base64')
    .toString()
    .replace('distillation', 'finetune');
  b.dsseEnvelope.payload = Buffer.from(p).toString('base64');
  assert.throws(
    () =>
      verifyStatementBundle(parseBundle(JSON.stringify(b)), {
        publicKeys: [loadPublicKey(gen.publicKeyPem)],
      }),
    (e: unknown) => e instanceof ProvenanceError && e.code === 'BAD_SIGNATURE',
  );
});

test('statement inputs are validated with typed errors', () => {
  const bad = [
    () => lineageStatement({ subject, parents: [] }),
    () =>
      lineageStatement({
        subject,
        parents: [{ digest: D('b'), name: 'x', relation: 'cloned' as 'finetune' }],
      }),
    () =>
      lineageStatement({
        subject,
        parents: [{ digest: 'sha256:xyz', name: 'x', relation: 'finetune' }],
      }),
    () =>
      lineageStatement({
        subject,
        parents: [{ digest: D('a'), name: 'self', relation: 'finetune' }],
      }),
    () =>
      trainingDataStatement({
        subject,
        datasets: [{ name: 'd', collection: { basis: 'scraped' as 'consent' } }],
      }),
    () => evaluationStatement({ subject, evaluator: { id: 'x' }, result: 'MAYBE' as 'PASSED' }),
    () =>
      evaluationStatement({
        subject,
        evaluator: { id: 'x' },
        result: 'PASSED',
        metrics: [{ name: 'acc', value: 1, lowerBound: 2, upperBound: 1 }],
      }),
  ];
  for (const f of bad)
    assert.throws(f, (e: unknown) => e instanceof ProvenanceError && e.code === 'BAD_INPUT');
});

test('exports: Hugging Face card, eval results, SPDX 3.0.1 and CycloneDX 1.6 from one view', () => {
  const statements = [
    lineageStatement({
      subject,
      parents: [
        { digest: D('b'), name: 'meta-llama/Llama-3.1-8B', relation: 'merge' },
        { digest: D('c'), name: 'mistralai/Mistral-7B', relation: 'merge' },
      ],
    }),
    trainingDataStatement({
      subject,
      datasets: [
        {
          name: 'acme/instructions-v2',
          uri: 'hf://datasets/acme/instructions-v2',
          digest: D('d'),
          license: 'cc-by-4.0',
          collection: { basis: 'license', method: 'purchase' },
        },
      ],
    }),
    evaluationStatement(
      {
        subject,
        evaluator: { id: 'https://evals.example', name: 'Example Evals' },
        result: 'PASSED',
        metrics: [
          {
            name: 'accuracy',
            value: 0.71,
            task: 'mmlu',
            dataset: { name: 'cais/mmlu' },
            lowerBound: 0.69,
            upperBound: 0.73,
          },
        ],
      },
      new Date('2026-01-01T00:00:00Z'),
    ),
  ];
  const view = provenanceView(statements);
  assert.equal(view.parents.length, 2);
  assert.equal(view.datasets[0]?.collectionBasis, 'license');
  const card = toHuggingFaceCard(view);
  assert.match(
    card,
    /^---\nbase_model:\n- "meta-llama\/Llama-3.1-8B"\n- "mistralai\/Mistral-7B"\nbase_model_relation: merge\n/,
  );
  assert.match(card, /datasets:\n- "acme\/instructions-v2"/);
  assert.match(
    toHuggingFaceEvalResults(view),
    /id: "cais\/mmlu"\n {4}task_id: "mmlu"\n {2}value: 0.71/,
  );
  const distilled = provenanceView([
    lineageStatement({
      subject,
      parents: [{ digest: D('b'), name: 'teacher/model', relation: 'distillation' }],
    }),
  ]);
  assert.match(
    toHuggingFaceCard(distilled),
    /base_model_relation: finetune\n# relation \(model-customs\): distillation/,
  );
  const pruned = toHuggingFaceCard(
    provenanceView([
      lineageStatement({
        subject,
        parents: [{ digest: D('b'), name: 'x/y', relation: 'pruning' }],
      }),
    ]),
  );
  assert.equal(pruned.includes('base_model_relation:'), false);

  const spdx = toSpdx(view, { created: new Date('2026-01-01T00:00:00Z'), supplier: 'Acme' });
  const graph = spdx['@graph'] as Record<string, unknown>[];
  const types = graph.map((g) => g['type']);
  assert.ok(
    types.includes('ai_AIPackage') &&
      types.includes('dataset_DatasetPackage') &&
      types.includes('SpdxDocument'),
  );
  const rels = graph.filter((g) => g['type'] === 'Relationship').map((g) => g['relationshipType']);
  assert.equal(rels.filter((r) => r === 'descendantOf').length, 2);
  assert.equal(rels.filter((r) => r === 'trainedOn').length, 1);
  const ids = new Set(graph.map((g) => g['spdxId'] ?? g['@id']));
  for (const g of graph) {
    if (g['type'] !== 'Relationship') continue;
    assert.ok(ids.has(g['from']), 'relationship source exists');
    for (const t of g['to'] as string[]) assert.ok(ids.has(t), 'relationship target exists');
  }
  const cdx = toCycloneDx(view, { created: new Date('2026-01-01T00:00:00Z') });
  assert.equal(cdx['specVersion'], '1.6');
  const comp = (cdx['metadata'] as Record<string, unknown>)['component'] as Record<string, unknown>;
  assert.equal(comp['type'], 'machine-learning-model');
  assert.equal(((comp['pedigree'] as Record<string, unknown>)['ancestors'] as unknown[]).length, 2);
  const mc = comp['modelCard'] as Record<string, Record<string, unknown>>;
  assert.deepEqual(mc['modelParameters']?.['datasets'], [{ ref: `dataset:sha256:${D('d')}` }]);
  assert.match(
    String(cdx['serialNumber']),
    /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
  // A statement about another model is refused.
  assert.throws(
    () =>
      provenanceView([
        ...statements,
        lineageStatement({
          subject: { name: 'z', digest: D('e') },
          parents: [{ digest: D('b'), name: 'x', relation: 'finetune' }],
        }),
      ]),
    (e: unknown) => e instanceof ProvenanceError && e.code === 'BAD_INPUT',
  );
});
