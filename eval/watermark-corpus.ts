/**
 * Human-written text for the false-positive evaluation, from files every Debian machine has:
 * the license texts in /usr/share/common-licenses, copyright files under /usr/share/doc, and the
 * Python standard library sources under /usr/lib/python3*. Real human writing (legal prose,
 * documentation, code) with the repetition real text has.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Rng } from '../src/engine/index.js';

/** Most bytes taken from one file (keeps the pool varied). */
const MAX_FILE_BYTES = 200_000;

function list(dir: string, accept: (name: string) => boolean, max: number): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number): void => {
    if (out.length >= max || depth > 3) return;
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const n of names) {
      if (out.length >= max) return;
      const p = join(d, n);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p, depth + 1);
      else if (st.isFile() && st.size >= 2000 && accept(n)) out.push(p);
    }
  };
  walk(dir, 0);
  return out;
}

/** A pool of human documents (bytes) and where they came from. */
export interface HumanCorpus {
  readonly docs: readonly Uint8Array[];
  readonly sources: Readonly<Record<string, number>>;
}

/** Load the pool (deterministic order). */
export function loadHumanCorpus(): HumanCorpus {
  const files = [
    ...list('/usr/share/common-licenses', () => true, 60).map((f) => ['licenses', f] as const),
    ...list('/usr/share/doc', (n) => n === 'copyright', 150).map(
      (f) => ['doc copyright', f] as const,
    ),
    ...(['/usr/lib/python3.11', '/usr/lib/python3.12', '/usr/lib/python3.13'] as const).flatMap(
      (d) => list(d, (n) => n.endsWith('.py'), 250).map((f) => ['python stdlib', f] as const),
    ),
  ];
  const docs: Uint8Array[] = [];
  const sources: Record<string, number> = {};
  for (const [kind, f] of files) {
    try {
      const b = readFileSync(f);
      docs.push(b.subarray(0, Math.min(b.length, MAX_FILE_BYTES)));
      sources[kind] = (sources[kind] ?? 0) + 1;
    } catch {
      /* unreadable file: skip */
    }
  }
  return { docs, sources };
}

/** A random segment of `len` bytes from a random document long enough. */
export function humanSegment(c: HumanCorpus, len: number, rng: Rng): number[] {
  const fit = c.docs.filter((d) => d.length >= len);
  const pool = fit.length > 0 ? fit : c.docs;
  const d = pool[rng.nextU32() % pool.length] as Uint8Array;
  const start = d.length > len ? rng.nextU32() % (d.length - len) : 0;
  return Array.from(d.subarray(start, start + len));
}
