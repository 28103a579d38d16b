#!/usr/bin/env python3
"""Score detector alerts against gen.py ground truth.

  python3 score.py ALERTS_JSONL TRUTH_JSON [--only REC[,REC...]]

ALERTS_JSONL: one JSON object per line with at least "account", "campaign" and
"recommendation" (an "accounts" list is also accepted). Every listed account
counts as alerted unless --only restricts which recommendations count.
"""
import argparse
import collections
import json


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("alerts")
    ap.add_argument("truth")
    ap.add_argument("--only", help="comma-separated recommendation values that count as an alert")
    ap.add_argument("--max-list", type=int, default=200, help="max false positives to list individually")
    args = ap.parse_args()
    only = set(args.only.split(",")) if args.only else None

    truth = json.load(open(args.truth))
    acc = {a["account"]: a for a in truth["accounts"]}
    camps = {c["id"]: c for c in truth["campaigns"]}

    alerted = {}  # account -> set of recommendations
    det_campaigns = collections.defaultdict(set)  # alert's campaign field -> accounts
    recs = collections.Counter()
    n_lines = 0
    with open(args.alerts, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            n_lines += 1
            al = json.loads(line)
            rec = str(al.get("recommendation"))
            recs[rec] += 1
            if only is not None and rec not in only:
                continue
            ids = []
            if isinstance(al.get("account"), str):
                ids.append(al["account"])
            elif isinstance(al.get("account"), list):
                ids += al["account"]
            if isinstance(al.get("accounts"), list):
                ids += [x for x in al["accounts"] if isinstance(x, str)]
            for a in ids:
                alerted.setdefault(a, set()).add(rec)
                det_campaigns[str(al.get("campaign"))].add(a)

    unknown = [a for a in alerted if a not in acc]
    known = [a for a in alerted if a in acc]
    print(f"alert lines: {n_lines}   recommendations: {dict(recs)}" + (f"   counting only: {sorted(only)}" if only else ""))
    print(f"alerted accounts: {len(alerted)}  (unknown to truth: {len(unknown)})")
    print(f"detector campaign ids: {len(det_campaigns)}")

    # false positives
    fps = sorted((a for a in known if acc[a]["label"] == "benign"), key=lambda a: (acc[a]["persona"], a))
    benign_tot = collections.Counter(a["persona"] for a in truth["accounts"] if a["label"] == "benign")
    fp_by = collections.Counter(acc[a]["persona"] for a in fps)
    nb = sum(benign_tot.values())
    print(f"\nfalse positives (alerted benign accounts): {len(fps)} of {nb} benign ({100.0 * len(fps) / max(1, nb):.2f}%)")
    for p in sorted(benign_tot):
        print(f"  {p:18s} {fp_by[p]:5d} / {benign_tot[p]:5d}")
    if fps:
        print("  listing:" + ("" if len(fps) <= args.max_list else f" (first {args.max_list})"))
        for a in fps[:args.max_list]:
            t = acc[a]
            print(f"    {a}  persona={t['persona']}  group={t['campaign']}  recs={','.join(sorted(alerted[a]))}")

    # campaign recall
    attack = [c for c in camps.values() if c["label"] == "attack"]
    by_kind = collections.defaultdict(lambda: [0, 0])
    print("\nattack campaigns:")
    for c in sorted(attack, key=lambda c: (c["kind"], c["id"])):
        hit = [a for a in c["accounts"] if a in alerted]
        by_kind[c["kind"]][1] += 1
        if hit:
            by_kind[c["kind"]][0] += 1
        print(f"  {c['id']} {c['kind']:15s} {len(hit):4d}/{len(c['accounts']):4d} accounts alerted"
              f"{'  DETECTED' if hit else '  missed'}")
    det = sum(v[0] for v in by_kind.values())
    print(f"\ncampaign recall: {det}/{len(attack)} = {det / max(1, len(attack)):.3f}")
    for k in sorted(by_kind):
        d, n = by_kind[k]
        print(f"  {k:15s} {d}/{n} = {d / max(1, n):.3f}")

    # account recall
    att_accts = [a for a in acc.values() if a["label"] == "attack"]
    kind_of = {a: c["kind"] for c in attack for a in c["accounts"]}
    ak = collections.defaultdict(lambda: [0, 0])
    for a in att_accts:
        k = kind_of.get(a["account"], a["persona"])
        ak[k][1] += 1
        if a["account"] in alerted:
            ak[k][0] += 1
    tp = sum(v[0] for v in ak.values())
    print(f"\naccount recall: {tp}/{len(att_accts)} = {tp / max(1, len(att_accts)):.3f}")
    for k in sorted(ak):
        d, n = ak[k]
        print(f"  {k:15s} {d}/{n} = {d / max(1, n):.3f}")
    prec = tp / max(1, tp + len(fps))
    print(f"\naccount precision: {tp}/{tp + len(fps)} = {prec:.3f}")


if __name__ == "__main__":
    main()
