#!/usr/bin/env python3
"""Validate a generated traffic file against its truth file: python3 check.py TRAFFIC TRUTH"""
import json, re, sys, collections, ipaddress
traffic, truthp = sys.argv[1], sys.argv[2]
truth = json.load(open(truthp))
acc = {a["account"]: a for a in truth["accounts"]}
seen = collections.Counter(); last = ""; n = 0
req = {"ts", "account", "model", "response", "inputTokens", "outputTokens", "ip", "asn", "userAgent", "signupAt"}
models = collections.Counter(); bad = 0
with open(traffic, encoding="utf-8") as f:
    for line in f:
        r = json.loads(line); n += 1
        assert req <= r.keys(), r.keys()
        assert ("prompt" in r) != ("messages" in r)
        assert r["ts"] >= last, (last, r["ts"]); last = r["ts"]
        assert r["ts"] >= r["signupAt"].replace("Z", ".000Z"), r
        ipaddress.IPv4Address(r["ip"]); assert re.fullmatch(r"AS\d+", r["asn"])
        assert r["account"] in acc
        seen[r["account"]] += 1; models[r["model"]] += 1
        if r["model"] == "model-b" and r["ts"] < truth["window"]["model_b_release"]: bad += 1
missing = [a for a in acc if seen[a] == 0]
mism = [a for a in acc if seen[a] != acc[a]["requests"]]
for c in truth["campaigns"]:
    for a in c["accounts"]: assert acc[a]["campaign"] == c["id"]
print(f"records {n}, accounts seen {len(seen)}/{len(acc)}, missing {len(missing)}, count mismatches {len(mism)}")
print("models", dict(models), "model-b before release:", bad, "first", truth["window"])
