#!/usr/bin/env python3
"""Third independent synthetic LLM-API traffic generator (benign + distillation campaigns).

    python3 gen.py --records N --seed S --out traffic.jsonl --truth truth.json

Writes exactly N JSONL records in timestamp order, streamed (per-account timestamp arrays
plus a heap merge; record bodies are generated on the fly), and a truth file for score.py.
Standard library only.  See README.md.
"""
import argparse
import heapq
import json
import os
import random
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import pops  # noqa: E402
from netsim import APAC_ASN as APAC  # noqa: E402
from world import DAY, TsFormatter, World, iso_s, schedule  # noqa: E402

MAX_LINE = 60000


def assign_counts(P, nrec, f_attack):
    """per-account request counts summing to exactly nrec, attack share ~ f_attack"""
    acc = P.accts
    fixed = {"benign": 0.0, "attack": 0.0}
    scal = {"benign": 0.0, "attack": 0.0}
    for a in acc:
        if a.scal:
            scal[a.label] += a.vol
        else:
            a.k = max(1, int(round(a.vol)))
            fixed[a.label] += a.k
    target = {"attack": f_attack * nrec, "benign": (1 - f_attack) * nrec}
    fac = {}
    for lab in ("benign", "attack"):
        rest = target[lab] - fixed[lab]
        fac[lab] = max(rest, 0.05 * target[lab]) / max(1e-9, scal[lab])
    for a in acc:
        if a.scal:
            a.k = max(1, int(round(a.vol * fac[a.label])))
    diff = nrec - sum(a.k for a in acc)
    order = sorted(range(len(acc)), key=lambda i: (-acc[i].k, i))
    i = 0
    guard = 0
    while diff != 0 and guard < 50 * len(acc) + abs(diff) * 4:
        a = acc[order[i % len(order)]]
        guard += 1
        i += 1
        if diff > 0:
            a.k += 1
            diff -= 1
        elif a.k > 1:
            a.k -= 1
            diff += 1
    if diff != 0:
        raise SystemExit("cannot fit %d accounts into %d records" % (len(acc), nrec))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--truth", required=True)
    a = ap.parse_args()
    nrec = a.records
    if nrec < 2000:
        raise SystemExit("--records must be >= 2000")
    seed = a.seed
    t_start = time.time()
    W = World(random.Random("world:%d" % seed), seed)
    P = pops.build(W, random.Random("pop:%d" % seed), nrec)
    br = random.Random("budget:%d" % seed)
    # at tiny N the fixed minimum group sizes would crowd the log: thin benign loners
    if len(P.accts) > nrec // 3:
        loners = [i for i, x in enumerate(P.accts) if x.campaign is None]
        drop = set(br.sample(loners, min(len(loners), len(P.accts) - nrec // 3)))
        P.accts = [x for i, x in enumerate(P.accts) if i not in drop]
    for x in P.accts:
        if x.signup is not None and x.signup > W.end - 4 * 3600_000:
            x.signup = W.end - 4 * 3600_000 - br.randint(0, 3600_000)
            if x.sched.get("from"):
                x.sched["from"] = x.signup + 600_000
    f_attack = br.uniform(0.12, 0.22)
    assign_counts(P, nrec, f_attack)
    accts = P.accts
    # legacy accounts from before sign-up metadata was recorded
    for x in accts:
        x.uav = x.signup is not None and x.signup < W.start - 650 * DAY and br.random() < 0.25
    sig_iso = [None if (x.signup is None or x.uav) else iso_s(x.signup) for x in accts]

    srng = random.Random("sched:%d" % seed)
    TS, FL = [], []
    heap = []
    for i, x in enumerate(accts):
        ts, fl = schedule(W, x, srng)
        TS.append(ts)
        FL.append(fl)
        heap.append((ts[0], i))
        x.sched = None  # free
    heapq.heapify(heap)
    POS = [0] * len(accts)

    crng = random.Random("content:%d" % seed)
    fmt = TsFormatter()
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    written = 0
    tmp = a.out + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
        while heap:
            t, i = heap[0]
            x = accts[i]
            p = POS[i]
            new = FL[i][p] == 1
            p += 1
            POS[i] = p
            if p < len(TS[i]):
                heapq.heapreplace(heap, (TS[i][p], i))
            else:
                heapq.heappop(heap)
                TS[i] = FL[i] = None
            model, prompt, msgs, resp, otoks = x.beh(W, x, crng, t, new)
            if TS[i] is None:
                x.st = None
            rec = {"ts": fmt(t), "account": x.id, "model": model}
            if msgs is not None:
                rec["messages"] = msgs
                itok = sum(len(m["content"]) for m in msgs) // 4 + 4 * len(msgs)
            else:
                rec["prompt"] = prompt
                itok = len(prompt) // 4 + 3
            u = crng.random()
            if u < 0.006:
                rec["inputTokens"] = itok
                rec["outputTokens"] = 0
            else:
                rec["response"] = resp
                if u > 0.004 + 0.006:
                    rec["inputTokens"] = itok
                    rec["outputTokens"] = otoks
            if x.org:
                rec["org"] = x.org
            ip, asn = x.net.at(crng, new)
            if ip is not None:
                rec["ip"] = ip
                rec["asn"] = ("AS%d" % asn) if asn in APAC else asn
            if x.payment:
                rec["payment"] = x.payment
            ua = x.ua
            if ua is not None:
                rec["userAgent"] = ua if isinstance(ua, str) else crng.choice(ua)
            s = sig_iso[i]
            if s is not None:
                rec["signupAt"] = s
            line = dumps(rec)
            if len(line) > MAX_LINE // 3 and len(line.encode("utf-8")) > MAX_LINE:
                if msgs is not None:
                    keep = msgs[:1] + msgs[-3:] if len(msgs) > 4 else msgs
                    rec["messages"] = [{"role": m["role"], "content": m["content"][:4000]} for m in keep]
                else:
                    rec["prompt"] = prompt[:8000]
                line = dumps(rec)
            out.write(line)
            out.write("\n")
            written += 1
    os.replace(tmp, a.out)
    assert written == nrec, (written, nrec)

    attack_recs = sum(x.k for x in accts if x.label == "attack")
    truth = {
        "generator": {
            "name": "independent3", "seed": seed, "records": nrec, "window_start": iso_s(W.start), "window_end": iso_s(W.end),
            "days": W.days, "provider": W.prov, "attack_record_share_target": round(f_attack, 4),
            "attack_record_share": round(attack_recs / nrec, 4), "accounts": len(accts),
            "attack_accounts": sum(1 for x in accts if x.label == "attack"),
            "new_model": W.new_base, "release_at": iso_s(W.R), "second_release": W.new_lite if W.R2 else None,
            "web_default_switch_at": iso_s(W.webswitch), "models_old": W.old, "coder_model": W.coder,
        },
        "releases": W.releases,
        "accounts": [{"account": x.id, "label": x.label, "persona": x.persona, "campaign": x.campaign, "requests": x.k} for x in accts],
        "campaigns": [],
    }
    present = {x.id for x in accts}
    crec = {}
    for x in accts:
        if x.campaign:
            crec[x.campaign] = crec.get(x.campaign, 0) + x.k
    for c in P.camps:
        c = dict(c)
        c["accounts"] = [i for i in c["accounts"] if i in present]
        if c["accounts"]:
            c["records"] = crec.get(c["id"], 0)
            truth["campaigns"].append(c)
    with open(a.truth, "w", encoding="utf-8") as f:
        json.dump(truth, f, indent=1, ensure_ascii=False)
    sys.stderr.write("wrote %d records, %d accounts (%d attack), attack share %.3f, %.1fs\n" % (
        nrec, len(accts), truth["generator"]["attack_accounts"], attack_recs / nrec, time.time() - t_start))


if __name__ == "__main__":
    main()
