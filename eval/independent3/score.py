#!/usr/bin/env python3
"""Score detector alerts against a truth file.

    python3 score.py ALERTS_JSONL TRUTH_JSON [--min watch|verify|throttle|block] [--json OUT]

ALERTS_JSONL: one JSON object per line with at least "account" and
"recommendation" (watch < verify < throttle < block); "campaign" is the
detector's own cluster id and is reported, not scored.  An account counts as
alerted if any of its alerts reaches --min (default: watch).  A campaign counts
as found when at least one of its accounts is alerted.
"""
import argparse
import collections
import json
import sys

LEVELS = {"watch": 1, "verify": 2, "throttle": 3, "block": 4}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("alerts")
    ap.add_argument("truth")
    ap.add_argument("--min", default="watch", choices=list(LEVELS))
    ap.add_argument("--json", help="also write the summary as JSON here")
    ap.add_argument("--max-list", type=int, default=200, help="max false positives listed individually")
    a = ap.parse_args()
    truth = json.load(open(a.truth, encoding="utf-8"))
    acc = {x["account"]: x for x in truth["accounts"]}
    camps = {c["id"]: c for c in truth["campaigns"]}

    level = {}
    det_campaign = {}
    unknown = set()
    bad = 0
    with open(a.alerts, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                al = json.loads(line)
            except ValueError:
                bad += 1
                continue
            aid = al.get("account")
            lv = LEVELS.get(str(al.get("recommendation", "watch")).lower(), 1)
            if aid not in acc:
                unknown.add(aid)
                continue
            if lv > level.get(aid, 0):
                level[aid] = lv
                det_campaign[aid] = al.get("campaign")
    thr = LEVELS[a.min]
    alerted = {k for k, v in level.items() if v >= thr}

    benign = [x for x in truth["accounts"] if x["label"] == "benign"]
    attack = [x for x in truth["accounts"] if x["label"] == "attack"]
    fp = [x for x in benign if x["account"] in alerted]
    tp = [x for x in attack if x["account"] in alerted]
    inv = {v: k for k, v in LEVELS.items()}

    out = {"min_level": a.min, "alerts_accounts": len(level), "unknown_accounts": len(unknown), "bad_lines": bad}
    print("alerted accounts at >= %s: %d (of %d alerted at any level); unknown ids in alerts: %d; unparsable lines: %d"
          % (a.min, len(alerted), len(level), len(unknown), bad))

    # ---- false positives
    by_p = collections.Counter(x["persona"] for x in fp)
    tot_p = collections.Counter(x["persona"] for x in benign)
    by_lvl = collections.Counter(inv[level[x["account"]]] for x in fp)
    print("\nFALSE POSITIVES: %d of %d benign accounts (%.2f%%)  by level: %s"
          % (len(fp), len(benign), 100.0 * len(fp) / max(1, len(benign)), dict(by_lvl)))
    print("  %-26s %6s %8s" % ("persona", "alerted", "of"))
    for p in sorted(tot_p, key=lambda p: (-by_p[p], p)):
        if by_p[p]:
            print("  %-26s %6d %8d" % (p, by_p[p], tot_p[p]))
    grp = collections.Counter(x["campaign"] for x in fp if x["campaign"])
    if grp:
        print("  benign groups hit: " + ", ".join("%s (%s) %d/%d" % (g, camps[g]["kind"], n, len(camps[g]["accounts"]))
                                             for g, n in grp.most_common()))
    for x in sorted(fp, key=lambda x: (-level[x["account"]], x["persona"], x["account"]))[:a.max_list]:
        print("  FP %-18s %-8s persona=%-24s group=%-24s requests=%d detector_campaign=%s"
              % (x["account"], inv[level[x["account"]]], x["persona"], x["campaign"] or "-", x["requests"], det_campaign.get(x["account"])))
    if len(fp) > a.max_list:
        print("  ... %d more" % (len(fp) - a.max_list))
    out["false_positives"] = len(fp)
    out["benign_accounts"] = len(benign)
    out["fp_by_persona"] = dict(by_p)
    out["fp_list"] = [{"account": x["account"], "persona": x["persona"], "group": x["campaign"], "level": inv[level[x["account"]]]} for x in fp]

    # ---- attack campaigns
    print("\nATTACK CAMPAIGNS")
    print("  %-20s %-16s %6s %8s %9s %s" % ("campaign", "kind", "size", "alerted", "records", "found"))
    kinds = collections.defaultdict(lambda: [0, 0])
    rows = []
    for c in truth["campaigns"]:
        if c["label"] != "attack":
            continue
        n_al = sum(1 for x in c["accounts"] if x in alerted)
        recs = sum(acc[x]["requests"] for x in c["accounts"])
        found = n_al > 0
        kinds[c["kind"]][0] += found
        kinds[c["kind"]][1] += 1
        print("  %-20s %-16s %6d %8d %9d %s" % (c["id"], c["kind"], len(c["accounts"]), n_al, recs, "yes" if found else "NO"))
        rows.append({"id": c["id"], "kind": c["kind"], "size": len(c["accounts"]), "alerted": n_al, "found": found})
    print("\nCAMPAIGN RECALL BY KIND")
    f_all = sum(v[0] for v in kinds.values())
    n_all = sum(v[1] for v in kinds.values())
    for k in sorted(kinds):
        print("  %-18s %d/%d" % (k, kinds[k][0], kinds[k][1]))
    print("  %-18s %d/%d (%.1f%%)" % ("ALL", f_all, n_all, 100.0 * f_all / max(1, n_all)))
    print("\nACCOUNT RECALL: %d/%d attack accounts alerted (%.1f%%)" % (len(tp), len(attack), 100.0 * len(tp) / max(1, len(attack))))
    by_pa = collections.Counter(x["persona"] for x in tp)
    tot_pa = collections.Counter(x["persona"] for x in attack)
    for p in sorted(tot_pa):
        print("  %-18s %d/%d" % (p, by_pa[p], tot_pa[p]))
    prec = len(tp) / max(1, len(tp) + len(fp))
    print("\nACCOUNT PRECISION: %.3f" % prec)
    out.update({"campaigns": rows, "campaign_recall_by_kind": {k: {"found": v[0], "total": v[1]} for k, v in kinds.items()},
                "campaign_recall": f_all / max(1, n_all), "account_recall": len(tp) / max(1, len(attack)),
                "account_precision": prec})
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
