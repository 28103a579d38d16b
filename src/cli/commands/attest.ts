/**
 * `customs attest lineage|data|eval`: create DSSE-signed in-toto statements about a model's
 * subject digest — lineage (SLSA Provenance v1 with base models and relations), training data
 * (name, URI, digest, licence, collection/consent basis) and third-party evaluations/audits
 * (in-toto Test Result v0.1). The subject comes from an OMS bundle or `sha256:<hex>`.
 */
import { existsSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import {
  COLLECTION_BASES,
  MERKLE_DIGEST_KEY,
  evaluationStatement,
  isObject,
  lineageStatement,
  parseBundle,
  parseJson,
  parseStatement,
  signStatement,
  trainingDataStatement,
} from '../../provenance/index.js';
import type { DatasetInput, Statement, SubjectInput } from '../../provenance/index.js';
import { out, printJson } from '../io.js';
import { collect, parseKv, privateKeyFrom, readInput } from './provenance-shared.js';

interface Common {
  subject?: string;
  name?: string;
  key: string;
  passwordEnv?: string;
  out?: string;
  input?: string;
  json?: boolean;
}

/** Resolve `--subject`: an OMS bundle file, or `sha256:<hex>` with `--name`. */
function subjectFrom(o: Common): SubjectInput {
  if (o.subject === undefined)
    throw new UsageError(
      'USAGE',
      '--subject is required (an OMS bundle such as model.sig, or sha256:<hex>)',
    );
  if (/^(sha256:)?[0-9a-f]{64}$/.test(o.subject)) {
    if (o.name === undefined)
      throw new UsageError('USAGE', '--name is required with a bare digest subject');
    return { name: o.name, digest: o.subject };
  }
  if (!existsSync(o.subject))
    throw new UsageError('USAGE', `--subject ${o.subject}: not a digest and no such file`);
  const b = parseBundle(readInput(o.subject, 'subject bundle'), o.subject);
  const st = parseStatement(b.envelope.payload, o.subject);
  const s = st.subject[0];
  const d = s?.digest?.['sha256'];
  if (!s || d === undefined)
    throw new UsageError('USAGE', `${o.subject}: the statement has no sha256 subject`);
  const merkle = s.digest?.[MERKLE_DIGEST_KEY];
  return {
    name: o.name ?? s.name ?? d,
    digest: d,
    ...(merkle !== undefined ? { merkleRoot: merkle } : {}),
  };
}

function datasetFrom(spec: string): DatasetInput {
  const kv = parseKv(spec, '--dataset');
  const allowed = [
    'name',
    'uri',
    'digest',
    'license',
    'split',
    'basis',
    'method',
    'details',
    'spi',
  ];
  for (const k of Object.keys(kv))
    if (!allowed.includes(k))
      throw new UsageError('USAGE', `--dataset: unknown key ${k} (allowed: ${allowed.join(', ')})`);
  if (kv['name'] === undefined) throw new UsageError('USAGE', '--dataset needs name=…');
  const basis = kv['basis'];
  if (basis !== undefined && !(COLLECTION_BASES as readonly string[]).includes(basis)) {
    throw new UsageError('USAGE', `--dataset basis must be one of ${COLLECTION_BASES.join(', ')}`);
  }
  return {
    name: kv['name'],
    ...(kv['uri'] !== undefined ? { uri: kv['uri'] } : {}),
    ...(kv['digest'] !== undefined ? { digest: kv['digest'] } : {}),
    ...(kv['license'] !== undefined ? { license: kv['license'] } : {}),
    ...(kv['split'] !== undefined ? { split: kv['split'] } : {}),
    ...(basis !== undefined
      ? {
          collection: {
            basis: basis as (typeof COLLECTION_BASES)[number],
            ...(kv['method'] !== undefined ? { method: kv['method'] } : {}),
            ...(kv['details'] !== undefined ? { details: kv['details'] } : {}),
          },
        }
      : {}),
    ...(kv['spi'] !== undefined
      ? { sensitivePersonalInformation: kv['spi'] === 'true' || kv['spi'] === 'yes' }
      : {}),
  };
}

function inputJson(o: Common): Record<string, unknown> | undefined {
  if (o.input === undefined) return undefined;
  const v = parseJson(readInput(o.input, 'input'), { file: o.input });
  if (!isObject(v)) throw new UsageError('USAGE', `${o.input}: expected a JSON object`);
  return v;
}

function emit(o: Common, statement: Statement): void {
  const signed = signStatement({ statement, privateKey: privateKeyFrom(o.key, o.passwordEnv) });
  const path =
    o.out ??
    `${statement.predicateType.includes('slsa') ? 'lineage' : statement.predicateType.includes('training-data') ? 'training-data' : 'evaluation'}.intoto.json`;
  writeFileSync(path, signed.bundleJson);
  const subject = statement.subject[0];
  if (o.json)
    printJson({
      bundle: path,
      statementDigest: signed.digest,
      predicateType: statement.predicateType,
      subject,
    });
  else
    out(
      `wrote ${path}\n  ${statement.predicateType}\n  subject ${subject?.name ?? ''} sha256:${subject?.digest?.['sha256'] ?? ''}\n  statement digest ${signed.digest}`,
    );
}

function common(c: Command): Command {
  return c
    .option('--subject <bundle|digest>', 'the model: an OMS bundle (model.sig) or sha256:<hex>')
    .option('--name <name>', 'subject name (required with a bare digest)')
    .requiredOption('--key <pem>', 'signing key (PEM)')
    .option('--password-env <var>', 'environment variable holding the key password')
    .option('-o, --out <file>', 'output bundle file')
    .option('--input <json>', 'read the full statement input from a JSON file (overrides flags)')
    .option('--json', 'print JSON');
}

/** Register `customs attest`. */
export function register(program: Command): void {
  const attest = program
    .command('attest')
    .description('create signed lineage, training-data and evaluation statements');

  common(
    attest
      .command('lineage')
      .description(
        'SLSA Provenance v1 statement: base models by digest with relation (finetune, adapter, quantized, merge, distillation, continued-pretraining, pruning)',
      )
      .option(
        '--base <spec>',
        'base model: digest=sha256:…,name=…,relation=…[,uri=…] (repeatable)',
        collect,
        [],
      )
      .option(
        '--dataset <spec>',
        'dataset: name=…[,uri=…][,digest=…][,license=…][,basis=…] (repeatable)',
        collect,
        [],
      )
      .option('--method <m>', 'derivation method (e.g. lora, gptq, kd)')
      .option('--param <k=v>', 'hyperparameter (repeatable)', collect, [])
      .option('--builder <id>', 'builder / trainer identity URI'),
  ).action(
    (
      o: Common & {
        base: string[];
        dataset: string[];
        method?: string;
        param: string[];
        builder?: string;
      },
    ) => {
      const subject = subjectFrom(o);
      const input = inputJson(o);
      if (input)
        return emit(
          o,
          lineageStatement({ subject, ...input } as Parameters<typeof lineageStatement>[0]),
        );
      if (o.base.length === 0) throw new UsageError('USAGE', 'at least one --base is required');
      const parents = o.base.map((b) => {
        const kv = parseKv(b, '--base');
        for (const k of Object.keys(kv))
          if (!['digest', 'name', 'relation', 'uri'].includes(k))
            throw new UsageError('USAGE', `--base: unknown key ${k}`);
        return {
          digest: kv['digest'] ?? '',
          name: kv['name'] ?? '',
          relation: (kv['relation'] ?? '') as 'finetune',
          ...(kv['uri'] !== undefined ? { uri: kv['uri'] } : {}),
        };
      });
      const hyper: Record<string, string | number> = {};
      for (const p of o.param) {
        const i = p.indexOf('=');
        if (i <= 0) throw new UsageError('USAGE', `--param expects k=v, got ${p}`);
        const v = p.slice(i + 1);
        hyper[p.slice(0, i)] = v !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
      }
      emit(
        o,
        lineageStatement({
          subject,
          parents,
          ...(o.dataset.length > 0 ? { datasets: o.dataset.map(datasetFrom) } : {}),
          ...(o.method !== undefined ? { method: o.method } : {}),
          ...(Object.keys(hyper).length > 0 ? { hyperparameters: hyper } : {}),
          ...(o.builder !== undefined ? { builder: o.builder } : {}),
        }),
      );
    },
  );

  common(
    attest
      .command('data')
      .description('training-data statement: datasets with licence and collection/consent basis')
      .option(
        '--dataset <spec>',
        `dataset: name=…[,uri=…][,digest=…][,license=…][,basis=${COLLECTION_BASES.join('|')}][,method=…][,details=…] (repeatable)`,
        collect,
        [],
      ),
  ).action((o: Common & { dataset: string[] }) => {
    const subject = subjectFrom(o);
    const input = inputJson(o);
    if (input)
      return emit(
        o,
        trainingDataStatement({ subject, ...input } as Parameters<typeof trainingDataStatement>[0]),
      );
    if (o.dataset.length === 0) throw new UsageError('USAGE', 'at least one --dataset is required');
    emit(o, trainingDataStatement({ subject, datasets: o.dataset.map(datasetFrom) }));
  });

  common(
    attest
      .command('eval')
      .description('evaluation or audit result (in-toto Test Result v0.1 with metrics)')
      .option('--evaluator <id>', 'evaluator identity (URI)')
      .option('--evaluator-name <name>', 'evaluator display name')
      .option('--kind <kind>', 'evaluation | audit', 'evaluation')
      .option('--result <r>', 'PASSED | WARNED | FAILED')
      .option(
        '--metric <spec>',
        'metric: name=…,value=…[,task=…][,dataset=…][,lower=…][,upper=…][,n=…] (repeatable)',
        collect,
        [],
      )
      .option('--harness <spec>', 'harness: name=…[,version=…][,uri=…][,digest=…]')
      .option('--url <url>', 'link to the full report'),
  ).action(
    (
      o: Common & {
        evaluator?: string;
        evaluatorName?: string;
        kind: string;
        result?: string;
        metric: string[];
        harness?: string;
        url?: string;
      },
    ) => {
      const subject = subjectFrom(o);
      const input = inputJson(o);
      if (input)
        return emit(
          o,
          evaluationStatement({ subject, ...input } as Parameters<typeof evaluationStatement>[0]),
        );
      if (o.evaluator === undefined || o.result === undefined)
        throw new UsageError('USAGE', '--evaluator and --result are required');
      const num = (name: string, v: string | undefined): number | undefined => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isFinite(n))
          throw new UsageError('USAGE', `--metric ${name}: not a number: ${v}`);
        return n;
      };
      const metrics = o.metric.map((m) => {
        const kv = parseKv(m, '--metric');
        const value = num('value', kv['value']);
        if (kv['name'] === undefined || value === undefined)
          throw new UsageError('USAGE', '--metric needs name=… and value=…');
        const lower = num('lower', kv['lower']);
        const upper = num('upper', kv['upper']);
        const n = num('n', kv['n']);
        return {
          name: kv['name'],
          value,
          ...(kv['task'] !== undefined ? { task: kv['task'] } : {}),
          ...(kv['dataset'] !== undefined ? { dataset: { name: kv['dataset'] } } : {}),
          ...(lower !== undefined ? { lowerBound: lower } : {}),
          ...(upper !== undefined ? { upperBound: upper } : {}),
          ...(n !== undefined ? { sampleSize: n } : {}),
        };
      });
      const h = o.harness !== undefined ? parseKv(o.harness, '--harness') : undefined;
      emit(
        o,
        evaluationStatement({
          subject,
          kind: o.kind as 'evaluation',
          evaluator: {
            id: o.evaluator,
            ...(o.evaluatorName !== undefined ? { name: o.evaluatorName } : {}),
          },
          result: o.result as 'PASSED',
          metrics,
          ...(h
            ? {
                harness: {
                  name: h['name'] ?? '',
                  ...(h['version'] !== undefined ? { version: h['version'] } : {}),
                  ...(h['uri'] !== undefined ? { uri: h['uri'] } : {}),
                  ...(h['digest'] !== undefined ? { digest: h['digest'] } : {}),
                },
              }
            : {}),
          ...(o.url !== undefined ? { url: o.url } : {}),
        }),
      );
    },
  );
}
