/**
 * `customs verify <input>`: one verb, dispatched by what the input is —
 * - a model directory (or a model file with `--signature`): verify an OMS bundle against it,
 *   including bundles written by the Python `model_signing` tool;
 * - a DSSE statement bundle (`*.json`): verify its signature and show the statement;
 * - an offline receipt (`c2sp.org/tlog-proof@v1`): verify inclusion and witness quorum against a
 *   tlog-policy with no network (optionally binding it to the statement bundle).
 * Exit 0 verified, 1 verification failed, 2 malformed input or usage error.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import {
  OMS_PREDICATE_TYPE,
  ProvenanceError,
  isVerificationCode,
  parseBundle,
  parseCertificates,
  parseStatement,
  verifyModel,
  verifyStatementBundle,
} from '../../provenance/index.js';
import type { ModelVerdict } from '../../provenance/index.js';
import { verifyReceipt } from '../../server/index.js';
import type { ReceiptVerdict } from '../../server/index.js';
import { TLOG_PROOF_HEADER } from '../../tlog/index.js';
import { EXIT, out, paint, printJson } from '../io.js';
import {
  collect,
  intOption,
  progressPrinter,
  publicKeysFrom,
  readInput,
} from './provenance-shared.js';

interface Opts {
  signature?: string;
  key: string[];
  certificateChain: string[];
  ignoreUnsignedFiles?: boolean;
  ignorePaths?: string[];
  only?: string;
  model?: string;
  policy?: string;
  statement?: string;
  workers?: string;
  json?: boolean;
}

/** Verdict of verifying a statement bundle on its own. */
interface StatementVerdict {
  readonly kind: 'statement';
  readonly ok: boolean;
  readonly error?: { readonly code: string; readonly message: string };
  readonly keyFingerprint?: string;
  readonly predicateType?: string;
  readonly subjects?: readonly string[];
}

type Verdict = ModelVerdict | StatementVerdict | ReceiptVerdict;

function renderModel(v: ModelVerdict): string {
  const lines: string[] = [];
  if (v.error) return `${paint('red', 'FAILED')} ${v.error.code}: ${v.error.message}`;
  lines.push(
    `${v.ok ? paint('green', 'VERIFIED') : paint('red', 'FAILED')} ${v.modelName ?? ''} (sha256:${v.rootDigest ?? ''})`,
  );
  lines.push(
    `  signer:    ${v.method ?? ''} ${v.keyFingerprint ?? ''}${v.certificateSubject ? ` (${v.certificateSubject})` : ''}`,
  );
  lines.push(
    `  checked:   ${v.checked} resources, ${v.bytesHashed} bytes hashed${v.partial ? ' (partial verification)' : ''}`,
  );
  if (v.merkleRoot) lines.push(`  merkle:    ${v.merkleRoot}`);
  if (v.legacyPredicate)
    lines.push('  note:      legacy v0.2 predicate (accepted for compatibility)');
  for (const f of v.failures.slice(0, 50))
    lines.push(
      `  ${paint('red', f.code)} ${f.name}${f.expected ? ` expected ${f.expected.slice(0, 16)}… got ${(f.actual ?? '').slice(0, 16)}…` : ''}`,
    );
  if (v.failures.length > 50) lines.push(`  … ${v.failures.length - 50} more`);
  for (const u of v.ignoredUnsigned.slice(0, 20)) lines.push(`  unsigned (tolerated): ${u}`);
  for (const w of v.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}

function renderReceipt(v: ReceiptVerdict): string {
  const head = v.ok ? paint('green', 'VERIFIED') : paint('red', 'FAILED');
  const lines = [
    `${head} receipt for entry ${v.index}${v.origin ? ` in ${v.origin}` : ''}${v.treeSize !== undefined ? ` (tree size ${v.treeSize})` : ''}`,
  ];
  if (v.error) lines.push(`  ${v.error.code}: ${v.error.message}`);
  lines.push(
    `  witnesses: ${v.witnesses.length > 0 ? v.witnesses.join(', ') : 'none'}; quorum ${v.quorumMet ? 'met' : 'not met'}`,
  );
  if (v.signer) lines.push(`  signer:    ${v.signer}`);
  if (v.statement)
    lines.push(
      `  statement: ${v.statement.predicateType} about ${v.statement.subjects.join(', ')}`,
    );
  else
    lines.push(
      '  statement: not checked (pass --statement <bundle.json> to bind the receipt to it)',
    );
  return lines.join('\n');
}

function renderStatement(v: StatementVerdict): string {
  if (!v.ok) return `${paint('red', 'FAILED')} ${v.error?.code ?? ''}: ${v.error?.message ?? ''}`;
  return `${paint('green', 'VERIFIED')} ${v.predicateType ?? ''}\n  signer:   ${v.keyFingerprint ?? ''}\n  subjects: ${(v.subjects ?? []).join(', ')}`;
}

/** Accept ignore paths given relative to the model or as paths that point inside it. */
function relativeToModel(modelPath: string, p: string): string {
  const abs = resolve(p);
  const root = resolve(modelPath);
  return abs.startsWith(`${root}/`) && existsSync(abs) ? abs.slice(root.length + 1) : p;
}

async function dispatch(input: string, o: Opts): Promise<Verdict> {
  const publicKeys = publicKeysFrom(o.key);
  const trustedCertificates = o.certificateChain.flatMap((p) =>
    parseCertificates(readInput(p, 'certificate chain').toString('utf8'), p),
  );
  const only = o.only
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const workers =
    o.workers !== undefined ? { workers: intOption('--workers', o.workers, 0, 64) } : {};
  if (!existsSync(input))
    throw new ProvenanceError('NOT_FOUND', 'no such file or directory', { where: { file: input } });
  const st = statSync(input);
  const model = async (modelPath: string, signature: string): Promise<ModelVerdict> =>
    verifyModel({
      modelPath,
      bundle: signature,
      publicKeys,
      trustedCertificates,
      ignoreUnsignedFiles: o.ignoreUnsignedFiles === true,
      ...(o.ignorePaths
        ? { ignorePaths: o.ignorePaths.map((p) => relativeToModel(modelPath, p)) }
        : {}),
      ...(only ? { only } : {}),
      ...workers,
      onProgress: progressPrinter('hashing'),
    });
  if (st.isDirectory()) {
    const sig =
      o.signature ?? (existsSync('model.sig') ? 'model.sig' : resolve(input, 'model.sig'));
    return model(input, sig);
  }
  const head = readInput(input, 'input').subarray(0, 4096).toString('utf8');
  if (head.startsWith(TLOG_PROOF_HEADER)) {
    if (o.policy === undefined)
      throw new UsageError('USAGE', 'verifying a receipt needs --policy <tlog-policy file>');
    return verifyReceipt({
      receipt: readInput(input, 'receipt'),
      policy: readInput(o.policy, 'policy').toString('utf8'),
      ...(o.statement !== undefined ? { bundle: readInput(o.statement, 'statement bundle') } : {}),
      ...(publicKeys.length > 0 ? { publicKeys } : {}),
      file: input,
    });
  }
  if (head.trimStart().startsWith('{')) {
    const bundle = parseBundle(readInput(input, 'bundle'), input);
    const statement = parseStatement(bundle.envelope.payload, input);
    if (
      statement.predicateType === OMS_PREDICATE_TYPE ||
      statement.predicateType === 'https://model_signing/Digests/v0.1'
    ) {
      if (o.model === undefined)
        throw new UsageError(
          'USAGE',
          `${input} is an OMS model signature: pass --model <dir> (or run customs verify <dir> --signature ${input})`,
        );
      return model(o.model, input);
    }
    try {
      const v = verifyStatementBundle(bundle, { publicKeys, trustedCertificates }, input);
      return {
        kind: 'statement',
        ok: true,
        keyFingerprint: v.keyFingerprint,
        predicateType: v.statement.predicateType,
        subjects: v.statement.subject.map(
          (s) => `${s.name ?? ''}@sha256:${s.digest?.['sha256'] ?? ''}`,
        ),
      };
    } catch (e) {
      if (e instanceof ProvenanceError && isVerificationCode(e.code))
        return { kind: 'statement', ok: false, error: { code: e.code, message: e.message } };
      throw e;
    }
  }
  // Any other file is a single-file model.
  if (o.signature === undefined)
    throw new UsageError(
      'USAGE',
      `${input} is not a bundle or receipt; to verify it as a single-file model pass --signature <model.sig>`,
    );
  return model(input, o.signature);
}

/** Register `customs verify`. */
export function register(program: Command): void {
  program
    .command('verify')
    .description(
      'verify an OMS model signature, a signed statement, or an offline log receipt (dispatched by input)',
    )
    .argument('<input>', 'model directory/file, statement bundle (.json) or receipt (.tlog-proof)')
    .option(
      '--signature <file>',
      'OMS bundle for a model (default: ./model.sig, else <dir>/model.sig)',
    )
    .option('--key <pem>', 'trusted public key (repeatable)', collect, [])
    .option(
      '--certificate-chain <pem>',
      'trusted CA certificates for certificate-method bundles (repeatable)',
      collect,
      [],
    )
    .option('--ignore-unsigned-files', 'tolerate files that are not in the signed manifest')
    .option(
      '--ignore-paths <paths...>',
      'extra paths to exclude (relative to the model, or paths inside it)',
    )
    .option('--only <files>', 'partial verification: comma-separated files to check')
    .option('--model <path>', 'model to check when <input> is an OMS bundle')
    .option('--policy <file>', 'tlog-policy (trusted log, witnesses, quorum) for receipts')
    .option('--statement <bundle>', 'statement bundle a receipt must match')
    .option('--workers <n>', 'hashing worker threads')
    .option('--json', 'print the verdict as JSON')
    .action(async (input: string, o: Opts) => {
      const v = await dispatch(input, o);
      if (o.json) printJson(v);
      else
        out(
          v.kind === 'oms'
            ? renderModel(v)
            : v.kind === 'receipt'
              ? renderReceipt(v)
              : renderStatement(v),
        );
      process.exitCode = v.ok ? EXIT.OK : EXIT.FINDING;
    });
}
