/**
 * `customs keygen`: make keys. ECDSA P-256 (default) signing keys for statements and OMS
 * bundles as PKCS#8/SPKI PEM; Ed25519 note keys for a log (`--type log`, signature type 0x01)
 * or a witness (`--type witness`, cosignature type 0x04) in the Go note format. Optionally enrols
 * the new public key with a registry (`--enroll URL`).
 */
import { writeFileSync, existsSync, chmodSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { generateSigningKey } from '../../provenance/index.js';
import type { KeyAlgorithm } from '../../provenance/index.js';
import { SIG_TYPE_COSIGNATURE_V1, SIG_TYPE_ED25519, generateNoteKey } from '../../tlog/index.js';
import { RegistryClient } from '../../server/index.js';
import { diag, out, printJson } from '../io.js';
import { writerToken } from './provenance-shared.js';

interface Opts {
  type: string;
  name?: string;
  out?: string;
  force?: boolean;
  enroll?: string;
  tokenFile?: string;
  json?: boolean;
}

function writeNew(path: string, text: string, secret: boolean, force: boolean): void {
  if (existsSync(path) && !force)
    throw new UsageError('USAGE', `${path} exists (use --force to overwrite)`);
  writeFileSync(path, text, { mode: secret ? 0o600 : 0o644 });
  if (secret) chmodSync(path, 0o600);
}

/** Register `customs keygen`. */
export function register(program: Command): void {
  program
    .command('keygen')
    .description('generate a signing key (ECDSA P-256 PEM) or a log/witness note key (Ed25519)')
    .option('--type <type>', 'ecdsa-p256 | ecdsa-p384 | ecdsa-p521 | log | witness', 'ecdsa-p256')
    .option(
      '--name <name>',
      'key name for log/witness keys (the log origin, e.g. registry.example/log)',
    )
    .option('-o, --out <prefix>', 'output file prefix (default: customs-signing, or the --type)')
    .option('--force', 'overwrite existing files')
    .option('--enroll <url>', 'enrol the new public key with this registry (needs a writer token)')
    .option('--token-file <file>', 'writer token file for --enroll (or CUSTOMS_WRITER_TOKEN)')
    .option('--json', 'print JSON')
    .action(async (o: Opts) => {
      const force = o.force === true;
      if (o.type === 'log' || o.type === 'witness') {
        if (o.name === undefined)
          throw new UsageError('USAGE', `--name is required for --type ${o.type}`);
        const k = generateNoteKey(
          o.name,
          o.type === 'log' ? SIG_TYPE_ED25519 : SIG_TYPE_COSIGNATURE_V1,
        );
        const prefix = o.out ?? o.type;
        writeNew(`${prefix}.key`, `${k.skey}\n`, true, force);
        writeNew(`${prefix}.vkey`, `${k.vkey}\n`, false, force);
        if (o.json)
          printJson({
            type: o.type,
            name: o.name,
            vkey: k.vkey,
            privateKey: `${prefix}.key`,
            verifierKey: `${prefix}.vkey`,
          });
        else
          out(
            `${o.type} key ${o.name}\n  private: ${prefix}.key (keep secret)\n  vkey:    ${k.vkey}`,
          );
        return;
      }
      if (!['ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521'].includes(o.type))
        throw new UsageError('USAGE', `unknown --type ${o.type}`);
      const k = generateSigningKey({ algorithm: o.type as KeyAlgorithm });
      const prefix = o.out ?? 'customs-signing';
      writeNew(`${prefix}.pem`, k.privateKeyPem, true, force);
      writeNew(`${prefix}.pub`, k.publicKeyPem, false, force);
      let enrolled: { fingerprint: string } | undefined;
      if (o.enroll !== undefined) {
        const token = writerToken(o.tokenFile);
        enrolled = await new RegistryClient(o.enroll, token !== undefined ? { token } : {}).enroll(
          k.publicKeyPem,
          o.name,
        );
      }
      if (o.json)
        printJson({
          type: o.type,
          fingerprint: k.fingerprint,
          privateKey: `${prefix}.pem`,
          publicKey: `${prefix}.pub`,
          enrolled: enrolled !== undefined,
        });
      else {
        out(
          `${o.type} signing key\n  private:     ${prefix}.pem (keep secret)\n  public:      ${prefix}.pub\n  fingerprint: ${k.fingerprint}`,
        );
        if (enrolled) diag(`enrolled with ${o.enroll ?? ''}`);
      }
    });
}
