/**
 * What a campaign finding shows an analyst: its activity (first and last request, requests per
 * day and model, per hour of day), the values its operators share, and a bipartite graph of
 * members and shared attribute values (drawn by the HTML report, `report.ts`).
 */
import { signupHour, type LinkKind } from './linkage.js';
import { accountDays, U, type AccountState } from './state.js';
import { compareText, type CampaignFinding } from './verdict.js';

const DAY = 86_400_000;

/** Most member accounts drawn in a campaign graph. */
export const MAX_GRAPH_MEMBERS = 24;

/** Shared values listed per operator: enough to act on (a card, a range, a burst) at a glance. */
export const MAX_OPERATOR_TIES = 6;

/** First and last request, requests per day and model, and per hour of day of a campaign. */
export function campaignActivity(memberAccs: readonly AccountState[]): {
  first: number;
  last: number;
  timeline: { day: string; model: string; count: number }[];
  hours: number[];
} {
  const days = new Map<string, number>();
  const hours = new Array<number>(24).fill(0);
  let first = Infinity;
  let last = -Infinity;
  for (const a of memberAccs) {
    first = Math.min(first, a.first);
    last = Math.max(last, a.last);
    for (const d of accountDays(a)) {
      const key = `${new Date(d.day * DAY).toISOString().slice(0, 10)}|${d.model}`;
      days.set(key, (days.get(key) ?? 0) + d.count);
    }
    for (let h = 0; h < 24; h++) hours[h] = (hours[h] ?? 0) + (a.u[U.HOURS + h] ?? 0);
  }
  const timeline = [...days.entries()]
    .map(([k, count]) => {
      const [day = '', model = ''] = k.split('|');
      return { day, model, count };
    })
    .sort((x, y) => (x.day === y.day ? (x.model < y.model ? -1 : 1) : x.day < y.day ? -1 : 1));
  return { first, last, timeline, hours };
}

type CampaignGraph = CampaignFinding['graph'];

/**
 * Bipartite graphs of (some) members of each campaign and the attribute values at least two of
 * them share. Campaigns are disjoint, so the shared-template table is read once for all of them
 * (a pass per campaign cost 25 s of the 16M-record benchmark).
 */
export function campaignGraphs(
  accs: readonly AccountState[],
  campaigns: readonly (readonly number[])[],
  shared: ReadonlyMap<number, readonly number[]>,
): CampaignGraph[] {
  const shownOf = campaigns.map((members) =>
    [...members].sort((a, b) => (accs[b]?.n ?? 0) - (accs[a]?.n ?? 0)).slice(0, MAX_GRAPH_MEMBERS),
  );
  const campaignOf = new Int32Array(accs.length).fill(-1);
  shownOf.forEach((shown, k) => {
    for (const i of shown) campaignOf[i] = k;
  });
  const tpls: { key: number; m: string[] }[][] = campaigns.map(() => []);
  const byCampaign = new Map<number, string[]>();
  for (const [key, list] of shared) {
    byCampaign.clear();
    for (const i of list) {
      const k = campaignOf[i] ?? -1;
      if (k < 0) continue;
      const id = accs[i]?.id ?? '';
      const m = byCampaign.get(k);
      if (m === undefined) byCampaign.set(k, [id]);
      else m.push(id);
    }
    for (const [k, m] of byCampaign) if (m.length >= 2) tpls[k]?.push({ key, m });
  }
  return shownOf.map((shown, k) =>
    graphOf(
      shown.map((i) => accs[i]).filter((a): a is AccountState => a !== undefined),
      tpls[k] ?? [],
    ),
  );
}

function graphOf(
  shown: readonly AccountState[],
  tpl: { key: number; m: string[] }[],
): CampaignGraph {
  const attrs = new Map<string, { kind: LinkKind; label: string; members: string[] }>();
  const add = (key: string, kind: LinkKind, label: string, id: string): void => {
    const cur = attrs.get(key) ?? { kind, label, members: [] };
    if (!cur.members.includes(id)) cur.members.push(id);
    attrs.set(key, cur);
  };
  for (const a of shown) {
    for (const p of a.payments) add(`pay:${p}`, 'payment', `payment ${p.slice(0, 10)}`, a.id);
    for (const ip of a.ips) add(`ip:${ip}`, 'infrastructure', prefixLabel(ip), a.id);
    const hour = signupHour(a);
    if (hour !== undefined) {
      const h = hourLabel(hour);
      add(`signup:${h}`, 'signup', `sign-up ${h.replace('T', ' ')}h`, a.id);
    }
  }
  tpl.sort((x, y) => y.m.length - x.m.length);
  for (const t of tpl.slice(0, 4))
    for (const id of t.m)
      add(`tpl:${t.key}`, 'content', `template #${(t.key >>> 0).toString(16)}`, id);
  const nodes: { id: string; kind: 'account' | LinkKind; label: string }[] = shown.map((a) => ({
    id: a.id,
    kind: 'account',
    label: a.id.length > 14 ? `${a.id.slice(0, 13)}…` : a.id,
  }));
  const edges: { from: string; to: string }[] = [];
  for (const [key, v] of attrs) {
    if (v.members.length < 2) continue;
    nodes.push({ id: key, kind: v.kind, label: v.label });
    for (const m of v.members) edges.push({ from: m, to: key });
  }
  return { nodes, edges };
}

/**
 * Values that two or more of an operator's accounts share: payment ids, /24 ranges (or /48
 * prefixes) and sign-up hours, most shared first.
 */
export function operatorTies(
  members: readonly AccountState[],
): CampaignFinding['operators'][number]['ties'] {
  const count = new Map<string, { kind: LinkKind; value: string; accounts: number }>();
  const add = (kind: LinkKind, value: string): void => {
    const key = `${kind}|${value}`;
    const cur = count.get(key);
    if (cur) cur.accounts++;
    else count.set(key, { kind, value, accounts: 1 });
  };
  for (const a of members) {
    for (const p of new Set(a.payments)) add('payment', p);
    for (const ip of new Set(a.ips)) add('infrastructure', prefixLabel(ip));
    const hour = signupHour(a);
    if (hour !== undefined) add('signup', hourLabel(hour));
  }
  return [...count.values()]
    .filter((t) => t.accounts >= 2)
    .sort((x, y) => y.accounts - x.accounts || compareText(x.value, y.value))
    .slice(0, MAX_OPERATOR_TIES);
}

/** A sign-up hour as ISO text to the hour ("2026-03-01T14"). */
function hourLabel(hour: number): string {
  return new Date(hour * 3_600_000).toISOString().slice(0, 13);
}

/** A network prefix as CIDR text: "a.b.c" → "a.b.c.0/24", "2001:db8:1" → "2001:db8:1::/48". */
function prefixLabel(prefix: string): string {
  return prefix.includes(':') ? `${prefix}::/48` : `${prefix}.0/24`;
}
