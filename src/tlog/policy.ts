/**
 * C2SP tlog-policy (https://c2sp.org/tlog-policy): which logs are trusted, which witnesses, and
 * the quorum (a k-of-n tree of witness groups) a checkpoint's cosignatures must satisfy. This is
 * what an offline verifier loads instead of a TUF root.
 */
import { LogError } from './errors.js';
import { cosignatureVerifier } from './cosignature.js';
import { ed25519Verifier, parseNote, parseVKey } from './note.js';
import type { NoteVerifier, VKey } from './note.js';
import { parseCheckpointBody } from './checkpoint.js';
import type { CheckpointBody } from './checkpoint.js';

/** Lines accepted in a policy file (a policy is hand-written; this bounds hostile input). */
export const MAX_POLICY_LINES = 10_000;
/** Group nesting depth accepted. */
export const MAX_GROUP_DEPTH = 32;

/** A witness or a group of members with a threshold. */
export type PolicyMember =
  | { readonly kind: 'witness'; readonly name: string; readonly vkey: VKey; readonly url?: string }
  | {
      readonly kind: 'group';
      readonly name: string;
      readonly threshold: number;
      readonly members: readonly string[];
    };

/** A parsed policy. */
export interface Policy {
  readonly logs: readonly { readonly vkey: VKey; readonly url?: string }[];
  readonly members: ReadonlyMap<string, PolicyMember>;
  /** Name of the quorum member, or `'none'`. */
  readonly quorum: string;
}

/** Parse a tlog-policy text. Errors name the line. */
export function parsePolicy(text: string, file = 'policy'): Policy {
  const lines = text.split('\n');
  if (lines.length > MAX_POLICY_LINES)
    throw new LogError('LIMIT_EXCEEDED', `${file}: more than ${MAX_POLICY_LINES} lines`);
  const logs: { vkey: VKey; url?: string }[] = [];
  const members = new Map<string, PolicyMember>();
  const seenKeys = new Set<string>();
  const depth = new Map<string, number>();
  let quorum: string | undefined;
  lines.forEach((raw, i) => {
    const where = { file, line: i + 1 };
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const f = line.split(/[ \t]+/);
    const bad = (msg: string): never => {
      throw new LogError('BAD_POLICY', msg, { where });
    };
    let vk: VKey;
    switch (f[0]) {
      case 'log':
        if (f.length < 2 || f.length > 3) bad('expected: log <vkey> [<url>]');
        vk = parseVKey(f[1] as string);
        if (seenKeys.has(vk.publicKey.toString('hex'))) bad('duplicate key');
        seenKeys.add(vk.publicKey.toString('hex'));
        logs.push(f[2] !== undefined ? { vkey: vk, url: f[2] } : { vkey: vk });
        return;
      case 'witness': {
        if (f.length < 3 || f.length > 4) bad('expected: witness <name> <vkey> [<url>]');
        const name = f[1] as string;
        if (name === 'none' || members.has(name))
          bad(`name ${name} is reserved or already defined`);
        vk = parseVKey(f[2] as string);
        if (seenKeys.has(vk.publicKey.toString('hex'))) bad('duplicate key');
        seenKeys.add(vk.publicKey.toString('hex'));
        members.set(
          name,
          f[3] !== undefined
            ? { kind: 'witness', name, vkey: vk, url: f[3] }
            : { kind: 'witness', name, vkey: vk },
        );
        depth.set(name, 0);
        return;
      }
      case 'group': {
        if (f.length < 4) bad('expected: group <name> <k|any|all> <member>...');
        const name = f[1] as string;
        if (name === 'none' || members.has(name))
          bad(`name ${name} is reserved or already defined`);
        const names = f.slice(3);
        if (new Set(names).size !== names.length) bad('duplicate group member');
        let d = 0;
        for (const m of names) {
          if (!members.has(m)) bad(`group member ${m} is not defined on an earlier line`);
          d = Math.max(d, (depth.get(m) ?? 0) + 1);
        }
        if (d > MAX_GROUP_DEPTH) bad('groups nested too deeply');
        const t = f[2] as string;
        let threshold: number;
        if (t === 'all') threshold = names.length;
        else if (t === 'any') threshold = 1;
        else if (/^[1-9][0-9]{0,5}$/.test(t)) threshold = Number(t);
        else return bad(`threshold ${t} is not a positive integer, any or all`);
        if (threshold > names.length) bad(`threshold ${threshold} exceeds ${names.length} members`);
        members.set(name, { kind: 'group', name, threshold, members: names });
        depth.set(name, d);
        return;
      }
      case 'quorum':
        if (f.length !== 2) bad('expected: quorum <name>');
        if (quorum !== undefined) bad('more than one quorum line');
        quorum = f[1] ?? '';
        if (quorum !== 'none' && !members.has(quorum))
          bad(`quorum ${quorum} is not defined on an earlier line`);
        return;
      default:
        bad(`unknown keyword ${JSON.stringify((f[0] ?? '').slice(0, 20))}`);
    }
  });
  if (quorum === undefined) throw new LogError('BAD_POLICY', `${file}: no quorum line`);
  return { logs, members, quorum };
}

/** Build a policy in code (k-of-n over named witnesses) — convenient for tests and servers. */
export function simplePolicy(args: {
  logVKeys: readonly string[];
  witnessVKeys: readonly string[];
  threshold: number;
}): string {
  const lines = args.logVKeys.map((k) => `log ${k}`);
  args.witnessVKeys.forEach((k, i) => lines.push(`witness w${i} ${k}`));
  if (args.threshold === 0 || args.witnessVKeys.length === 0) lines.push('quorum none');
  else {
    lines.push(`group q ${args.threshold} ${args.witnessVKeys.map((_k, i) => `w${i}`).join(' ')}`);
    lines.push('quorum q');
  }
  return lines.join('\n') + '\n';
}

/** Outcome of checking a checkpoint against a policy. */
export interface PolicyResult {
  readonly checkpoint: CheckpointBody;
  readonly logKey: string;
  /** Names (policy names) of witnesses whose cosignature verified. */
  readonly witnesses: readonly string[];
  readonly quorumMet: boolean;
}

function satisfied(
  name: string,
  members: ReadonlyMap<string, PolicyMember>,
  ok: ReadonlySet<string>,
): boolean {
  if (name === 'none') return true;
  const m = members.get(name);
  if (!m) return false;
  if (m.kind === 'witness') return ok.has(name);
  let c = 0;
  for (const x of m.members) if (satisfied(x, members, ok)) c++;
  return c >= m.threshold;
}

/**
 * Verify a signed checkpoint against a policy: a signature from one of the policy's logs (whose
 * key name equals the origin) and cosignatures meeting the quorum. Throws `UNKNOWN_KEY` /
 * `BAD_SIGNATURE` for log-signature problems and `QUORUM` when witnesses fall short.
 */
export function verifyCheckpointWithPolicy(
  checkpoint: string | Uint8Array,
  policy: Policy,
): PolicyResult {
  const note = parseNote(checkpoint, 'checkpoint');
  const body = parseCheckpointBody(note.text);
  const logVerifiers: NoteVerifier[] = [];
  for (const l of policy.logs)
    if (l.vkey.name === body.origin) logVerifiers.push(ed25519Verifier(l.vkey));
  if (logVerifiers.length === 0)
    throw new LogError(
      'UNKNOWN_ORIGIN',
      `no log in the policy has origin ${JSON.stringify(body.origin)}`,
    );
  const text = Buffer.from(note.text, 'utf8');
  let logKey: string | undefined;
  const witnessOk = new Set<string>();
  const witnessVerifiers: { name: string; v: NoteVerifier }[] = [];
  for (const m of policy.members.values())
    if (m.kind === 'witness')
      witnessVerifiers.push({ name: m.name, v: cosignatureVerifier(m.vkey) });
  for (const sig of note.signatures) {
    const lv = logVerifiers.find((v) => v.name === sig.name && v.keyId === sig.keyId);
    if (lv) {
      if (!lv.verify(text, sig.signature))
        throw new LogError('BAD_SIGNATURE', `log signature by ${sig.name} does not verify`);
      logKey = sig.name;
      continue;
    }
    for (const w of witnessVerifiers) {
      if (w.v.name === sig.name && w.v.keyId === sig.keyId) {
        if (!w.v.verify(text, sig.signature))
          throw new LogError('BAD_SIGNATURE', `cosignature by ${sig.name} does not verify`);
        witnessOk.add(w.name);
      }
    }
  }
  if (logKey === undefined)
    throw new LogError('UNKNOWN_KEY', 'checkpoint carries no signature from a log in the policy');
  const quorumMet = satisfied(policy.quorum, policy.members, witnessOk);
  const result = { checkpoint: body, logKey, witnesses: [...witnessOk].sort(), quorumMet };
  if (!quorumMet) {
    throw new LogError(
      'QUORUM',
      `witness quorum ${policy.quorum} not met (verified: ${result.witnesses.join(', ') || 'none'})`,
      {
        details: { verifiedWitnesses: result.witnesses },
      },
    );
  }
  return result;
}
