#!/usr/bin/env python3
"""Validate a generated log against its truth file and print summary tables.

    python3 validate.py traffic.jsonl truth.json [--records N]
"""
import argparse
import collections
import json
import re
import sys

TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
ROLES = {"system", "user", "assistant", "tool"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("truth")
    ap.add_argument("--records", type=int)
    a = ap.parse_args()
    truth = json.load(open(a.truth, encoding="utf-8"))
    errors = []
    n = 0
    prev = ""
    per_acct = collections.Counter()
    models = collections.Counter()
    first_new = {}
    missing = collections.Counter()
    with_tool = 0
    prompt_field = 0
    rel = truth["releases"]
    w0, w1 = truth["window"]["start"], truth["window"]["end"]
    with open(a.log, encoding="utf-8") as f:
        for line in f:
            n += 1
            try:
                r = json.loads(line)
            except Exception as e:  # noqa
                errors.append("line %d: bad json %s" % (n, e))
                continue
            ts = r.get("ts", "")
            if not TS.match(ts):
                errors.append("line %d: bad ts %r" % (n, ts))
            if ts < prev:
                errors.append("line %d: ts out of order" % n)
            if not (w0 <= ts < w1):
                errors.append("line %d: ts outside window" % n)
            prev = ts
            per_acct[r["account"]] += 1
            m = r["model"]
            models[m] += 1
            if m in rel and ts < rel[m]:
                errors.append("line %d: model %s used before release" % (n, m))
            if ("prompt" in r) == ("messages" in r):
                errors.append("line %d: exactly one of prompt/messages required" % n)
            if "messages" in r:
                for msg in r["messages"]:
                    if msg.get("role") not in ROLES or not isinstance(msg.get("content"), str):
                        errors.append("line %d: bad message" % n)
                    if msg.get("role") == "tool":
                        with_tool += 1
                        break
            else:
                prompt_field += 1
            for k in ("response", "inputTokens", "outputTokens", "org", "ip", "asn", "payment", "userAgent", "signupAt"):
                if k not in r:
                    missing[k] += 1
            if "signupAt" in r and r["signupAt"] > ts:
                errors.append("line %d: request before signup" % n)
            if len(errors) > 20:
                break
    if a.records is not None and n != a.records:
        errors.append("expected %d lines, got %d" % (a.records, n))
    tacc = {x["account"]: x for x in truth["accounts"]}
    if set(tacc) != set(per_acct):
        errors.append("account sets differ: %d in log only, %d in truth only" % (len(set(per_acct) - set(tacc)), len(set(tacc) - set(per_acct))))
    for k, x in tacc.items():
        if per_acct.get(k, 0) != x["requests"]:
            errors.append("requests mismatch for %s" % k)
            break
    cids = {}
    for c in truth["campaigns"]:
        for acc in c["accounts"]:
            if acc in cids:
                errors.append("account %s in two campaigns" % acc)
            cids[acc] = c["id"]
    for k, x in tacc.items():
        if x["campaign"] != cids.get(k):
            errors.append("campaign mismatch for %s" % k)
            break
        if x["label"] == "attack" and x["campaign"] is None:
            errors.append("attack account without campaign: %s" % k)
    print("lines %d, accounts %d, campaigns/groups %d, errors %d" % (n, len(per_acct), len(truth["campaigns"]), len(errors)))
    for e in errors[:20]:
        print("  ERROR", e)
    print("window %s .. %s, releases %s" % (w0, w1, rel))
    print("models:", dict(models.most_common()))
    print("records with a tool message %d, with prompt field %d; missing-field counts %s" % (with_tool, prompt_field, dict(missing)))
    rows = collections.defaultdict(lambda: [0, 0, set()])
    for k, x in tacc.items():
        key = (x["label"], x["persona"])
        rows[key][0] += 1
        rows[key][1] += x["requests"]
    print("\n%-7s %-26s %8s %9s" % ("label", "persona", "accounts", "records"))
    for (lab, p), (na, nr, _) in sorted(rows.items(), key=lambda kv: (kv[0][0] != "benign", -kv[1][1])):
        print("%-7s %-26s %8d %9d" % (lab, p, na, nr))
    print("\nattack campaigns:")
    for c in truth["campaigns"]:
        if c["label"] == "attack":
            nr = sum(tacc[x]["requests"] for x in c["accounts"])
            extra = {k: v for k, v in c.items() if k not in ("id", "kind", "label", "accounts")}
            print("  %-18s %-16s accounts %4d records %6d  %s" % (c["id"], c["kind"], len(c["accounts"]), nr, json.dumps(extra)))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
