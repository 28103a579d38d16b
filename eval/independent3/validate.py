#!/usr/bin/env python3
"""Validate a traffic log against its truth file and print population tables.

    python3 validate.py traffic.jsonl truth.json

Checks: JSON schema of every record, ISO timestamps in non-decreasing order, line size,
sign-up not after the request, no model used before its release, every account in the log
is in truth (with the right request count) and vice versa, campaign membership is
consistent, every attack account is in exactly one attack campaign.  Exits 1 on errors.
"""
import collections
import datetime as dt
import ipaddress
import json
import re
import sys

TS_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$")
ROLES = {"system", "user", "assistant", "tool"}
KEYS = {"ts", "account", "model", "prompt", "messages", "response", "inputTokens", "outputTokens", "org", "ip", "asn",
        "payment", "userAgent", "signupAt"}


def parse_ts(s):
    return dt.datetime.strptime(s.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z" if "." in s else "%Y-%m-%dT%H:%M:%S%z")


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    log, tpath = sys.argv[1], sys.argv[2]
    truth = json.load(open(tpath, encoding="utf-8"))
    rel = {m: parse_ts(t) for m, t in truth.get("releases", {}).items()}
    errors = collections.Counter()
    examples = {}

    def err(kind, n, msg):
        errors[kind] += 1
        if kind not in examples:
            examples[kind] = "line %d: %s" % (n, msg)

    counts = collections.Counter()
    models = collections.Counter()
    missing = collections.Counter()
    prev = ""
    n = 0
    maxlen = 0
    nbytes = 0
    with open(log, "rb") as f:
        for raw in f:
            n += 1
            nbytes += len(raw)
            maxlen = max(maxlen, len(raw))
            if len(raw) >= 65536:
                err("line_too_long", n, "%d bytes" % len(raw))
            try:
                r = json.loads(raw)
            except ValueError as e:
                err("bad_json", n, str(e))
                continue
            if not isinstance(r, dict):
                err("not_object", n, "")
                continue
            extra = set(r) - KEYS
            if extra:
                err("unknown_keys", n, str(sorted(extra)))
            ts = r.get("ts")
            if not isinstance(ts, str) or not TS_RE.match(ts):
                err("bad_ts", n, repr(ts))
                continue
            if ts < prev:
                err("ts_order", n, "%s < %s" % (ts, prev))
            prev = ts
            acc = r.get("account")
            if not isinstance(acc, str) or not acc:
                err("bad_account", n, repr(acc))
                continue
            counts[acc] += 1
            m = r.get("model")
            if not isinstance(m, str) or not m:
                err("bad_model", n, repr(m))
            else:
                models[m] += 1
                if m in rel and parse_ts(ts) < rel[m]:
                    err("model_before_release", n, "%s at %s" % (m, ts))
            hp, hm = "prompt" in r, "messages" in r
            if hp == hm:
                err("prompt_xor_messages", n, "")
            if hp and not isinstance(r["prompt"], str):
                err("bad_prompt", n, "")
            if hm:
                ms = r["messages"]
                if not isinstance(ms, list) or not ms:
                    err("bad_messages", n, "")
                else:
                    for x in ms:
                        if not isinstance(x, dict) or x.get("role") not in ROLES or not isinstance(x.get("content"), str):
                            err("bad_message", n, repr(x)[:80])
                            break
            for k in ("inputTokens", "outputTokens"):
                if k in r and (not isinstance(r[k], int) or isinstance(r[k], bool) or r[k] < 0):
                    err("bad_tokens", n, repr(r[k]))
            for k in ("response", "org", "payment", "userAgent"):
                if k in r and not isinstance(r[k], str):
                    err("bad_" + k, n, repr(r[k]))
            for k in ("response", "org", "ip", "asn", "payment", "userAgent", "signupAt", "inputTokens"):
                if k not in r:
                    missing[k] += 1
            if "ip" in r:
                try:
                    ipaddress.ip_address(r["ip"])
                except ValueError:
                    err("bad_ip", n, repr(r["ip"]))
            if "asn" in r and not isinstance(r["asn"], (int, str)):
                err("bad_asn", n, repr(r["asn"]))
            if "signupAt" in r:
                s = r["signupAt"]
                if not isinstance(s, str) or not TS_RE.match(s):
                    err("bad_signup", n, repr(s))
                elif parse_ts(s) > parse_ts(ts):
                    err("signup_after_request", n, "%s > %s" % (s, ts))

    # ---- truth consistency
    tacc = {a["account"]: a for a in truth["accounts"]}
    if len(tacc) != len(truth["accounts"]):
        err("truth_dup_accounts", 0, "")
    for a in set(counts) - set(tacc):
        err("log_account_not_in_truth", 0, a)
    for a in set(tacc) - set(counts):
        err("truth_account_not_in_log", 0, a)
    for a, c in counts.items():
        if a in tacc and tacc[a]["requests"] != c:
            err("request_count_mismatch", 0, "%s truth %d log %d" % (a, tacc[a]["requests"], c))
    camps = {c["id"]: c for c in truth["campaigns"]}
    member = collections.defaultdict(list)
    for c in truth["campaigns"]:
        if c["label"] not in ("benign", "attack"):
            err("bad_campaign_label", 0, c["id"])
        for a in c["accounts"]:
            member[a].append(c["id"])
            if a not in tacc:
                err("campaign_account_unknown", 0, a)
            elif tacc[a]["campaign"] != c["id"]:
                err("campaign_membership_mismatch", 0, a)
            elif tacc[a]["label"] != c["label"] and c["label"] == "attack":
                err("benign_account_in_attack_campaign", 0, a)
    for a, x in tacc.items():
        if x["label"] not in ("benign", "attack"):
            err("bad_label", 0, a)
        if x["label"] == "attack":
            cs = member.get(a, [])
            if len(cs) != 1 or camps[cs[0]]["label"] != "attack":
                err("attack_account_not_in_one_attack_campaign", 0, a)
        if x["campaign"] is not None and x["campaign"] not in camps:
            err("unknown_campaign", 0, a)
    if "records" in truth.get("generator", {}) and truth["generator"]["records"] != n:
        err("record_count", 0, "truth says %d, log has %d" % (truth["generator"]["records"], n))

    # ---- tables
    print("records %d, accounts %d, max line %d bytes, mean line %.0f bytes" % (n, len(counts), maxlen, nbytes / max(1, n)))
    g = truth.get("generator", {})
    print("window %s .. %s, release %s at %s" % (g.get("window_start"), g.get("window_end"), g.get("new_model"), g.get("release_at")))
    print("missing optional fields (records): " + ", ".join("%s %.1f%%" % (k, 100.0 * v / max(1, n)) for k, v in sorted(missing.items())))
    print("models: " + ", ".join("%s %d" % kv for kv in models.most_common()))
    per = collections.defaultdict(lambda: [0, 0, ""])
    for a, x in tacc.items():
        p = per[x["persona"]]
        p[0] += 1
        p[1] += counts.get(a, 0)
        p[2] = x["label"]
    tot_a = {"benign": [0, 0], "attack": [0, 0]}
    print("\n%-28s %-7s %8s %9s %7s" % ("persona", "label", "accounts", "records", "rec%"))
    for k in sorted(per, key=lambda k: (per[k][2], -per[k][1])):
        a_, r_, l_ = per[k]
        tot_a[l_][0] += a_
        tot_a[l_][1] += r_
        print("%-28s %-7s %8d %9d %6.2f%%" % (k, l_, a_, r_, 100.0 * r_ / max(1, n)))
    for l_ in ("benign", "attack"):
        print("%-28s %-7s %8d %9d %6.2f%%" % ("TOTAL", l_, tot_a[l_][0], tot_a[l_][1], 100.0 * tot_a[l_][1] / max(1, n)))
    kinds = collections.defaultdict(lambda: [0, 0, 0, ""])
    for c in truth["campaigns"]:
        k = kinds[c["kind"]]
        k[0] += 1
        k[1] += len(c["accounts"])
        k[2] += sum(counts.get(a, 0) for a in c["accounts"])
        k[3] = c["label"]
    print("\n%-28s %-7s %6s %8s %9s" % ("campaign kind", "label", "groups", "accounts", "records"))
    for k in sorted(kinds, key=lambda k: (kinds[k][3], -kinds[k][2])):
        x = kinds[k]
        print("%-28s %-7s %6d %8d %9d" % (k, x[3], x[0], x[1], x[2]))
    print("\nattack campaigns:")
    print("  %-26s %8s %9s  %s" % ("id", "accounts", "records", "details"))
    for c in truth["campaigns"]:
        if c["label"] != "attack":
            continue
        det = []
        for key in ("mix_rate", "dataset", "extraction", "infra", "payment_mode", "signup_mode", "pivot_delay_h", "cover_share", "entry"):
            if key in c and c[key] is not None:
                det.append("%s=%s" % (key, c[key]))
        print("  %-26s %8d %9d  %s" % (c["id"], len(c["accounts"]), sum(counts.get(a, 0) for a in c["accounts"]), " ".join(det)))

    if errors:
        print("\nERRORS:")
        for k, v in errors.most_common():
            print("  %-40s %d   e.g. %s" % (k, v, examples[k]))
        return 1
    print("\nOK: no errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
