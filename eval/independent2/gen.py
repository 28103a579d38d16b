#!/usr/bin/env python3
"""Held-out traffic generator for an LLM-API extraction monitor.

    python3 gen.py --records N --seed S --out traffic.jsonl --truth truth.json

Deterministic given --seed (and --records).  Standard library only.
Phase 1 builds the population (accounts, groups, campaigns) and a per-account
plan of timestamps; phase 2 walks all timestamps in global time order and
generates each record lazily from the account's own RNG and state, so record
contents are never held in memory.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from world import World, iso, sub_rng, MIN, DAY  # noqa: E402
import personas  # noqa: E402


def plan_all(w, N):
    nA = len(w.accounts)
    mult = 1.0
    T = 0
    for attempt in range(10):
        w.pt = [[] for _ in range(nA)]
        w.pa = [None] * nA
        for p in w.planners:
            p(mult)
        T = sum(len(x) for x in w.pt)
        if N <= T <= N * 1.06:
            break
        mult *= (N * 1.025 / T) if T else 10.0
    if T < N:
        raise SystemExit("planning failed to reach %d records (got %d)" % (N, T))
    return T


def finalize(w, N):
    """Trim uniformly to exactly N events, keep every planned-active account,
    sort each account's events and make its timestamps strictly increasing."""
    r = sub_rng(w.seed, "trim")
    nA = len(w.accounts)
    per = []
    for i in range(nA):
        ts = w.pt[i]
        aux = w.pa[i]
        if aux is None:
            pairs = sorted((t, 0) for t in ts)
        else:
            pairs = sorted(zip(ts, aux))
        # drop events outside the account's life (before signup) and the window
        a = w.accounts[i]
        lo = max(w.start_ms, a.signup + MIN if a.signup is not None else w.start_ms)
        pairs = [p for p in pairs if lo <= p[0] < w.end_ms]
        per.append(pairs)
    T = sum(len(p) for p in per)
    excess = T - N
    if excess < 0:
        raise SystemExit("not enough events after filtering")
    if excess:
        owners = []
        for i, p in enumerate(per):
            owners.extend([i] * (len(p) - 1))  # never remove an account's last event
        drop = r.sample(range(len(owners)), excess)
        cnt = {}
        for d in drop:
            o = owners[d]
            cnt[o] = cnt.get(o, 0) + 1
        for i, k in cnt.items():
            p = per[i]
            idxs = set(r.sample(range(len(p)), k))
            per[i] = [x for j, x in enumerate(p) if j not in idxs]
    out_t, out_a = [], []
    for i, p in enumerate(per):
        last = -1
        ts, ax = [], []
        for t, x in p:
            if t <= last:
                t = last + 1 + int(r.random() * 400)
            last = t
            ts.append(t)
            ax.append(x)
        out_t.append(ts)
        out_a.append(ax)
    # bumping may push a few past the end; pull them back inside, keeping order
    for ts in out_t:
        lim = w.end_ms - 1
        for k in range(len(ts) - 1, -1, -1):
            if ts[k] <= lim:
                break
            ts[k] = lim
            lim -= 1
    return out_t, out_a


_DAYS = {}


def ts_str(t):
    d, rem = divmod(t, 86_400_000)
    pre = _DAYS.get(d)
    if pre is None:
        pre = _DAYS[d] = iso(d * 86_400_000)[:11]
    h, rem = divmod(rem, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return "%s%02d:%02d:%02d.%03dZ" % (pre, h, m, s, ms)


SESSION_GAP = 25 * MIN


def emit(w, a, t, aux):
    r = a.r
    newsess = t - a.last_t > SESSION_GAP
    if newsess:
        a.ip, a.asn = a.net.session(r, t)
        a.state["u2"] = a.ua2 is not None and r.random() < 0.3
    a.last_t = t
    model, key, payload, resp, itok, otok = a.beh.emit(w, a, t, aux, newsess)
    rec = {"ts": ts_str(t), "account": a.id, "model": model, key: payload}
    x = r.random()
    if x > 0.01:
        rec["response"] = resp
    if not a.notok and r.random() > 0.004:
        rec["inputTokens"] = itok
        rec["outputTokens"] = otok if x > 0.01 else min(otok, 1 + int(otok * r.random() * 0.3))
    if a.org:
        rec["org"] = a.org
    if r.random() > 0.002:
        rec["ip"] = a.ip
        rec["asn"] = a.asn
    if a.payment:
        rec["payment"] = a.payment
    ua = a.ua2 if a.state.get("u2") else a.ua
    if ua:
        rec["userAgent"] = ua
    if a.signup is not None:
        rec["signupAt"] = a.state["sig"]
    return rec


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    N = args.records
    if N < 2000:
        raise SystemExit("--records must be at least 2000")
    t_start = time.time()
    w = World(args.seed, N)
    personas.build_all(w)
    plan_all(w, N)
    pt, pa = finalize(w, N)
    accts = w.accounts
    nA = len(accts)
    for a in accts:
        if a.signup is not None:
            a.state["sig"] = iso(a.signup)
    bits = max(1, (nA - 1).bit_length())
    mask = (1 << bits) - 1
    keys = []
    for i in range(nA):
        keys.extend((t << bits) | i for t in pt[i])
    keys.sort()
    assert len(keys) == N
    t_plan = time.time()
    ptr = [0] * nA
    counts = [len(x) for x in pt]
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    buf = []
    with open(args.out, "w", encoding="utf-8") as f:
        for key in keys:
            i = key & mask
            t = key >> bits
            j = ptr[i]
            ptr[i] = j + 1
            buf.append(dumps(emit(w, accts[i], t, pa[i][j])))
            if len(buf) >= 4000:
                buf.append("")
                f.write("\n".join(buf))
                buf = []
        if buf:
            buf.append("")
            f.write("\n".join(buf))
    # truth
    present = set(i for i in range(nA) if counts[i] > 0)
    tacc = []
    for i in sorted(present, key=lambda i: accts[i].id):
        a = accts[i]
        tacc.append({"account": a.id, "label": a.label, "persona": a.persona, "campaign": a.campaign,
                     "signupAt": iso(a.signup) if a.signup is not None else None, "requests": counts[i]})
    ids = {accts[i].id for i in present}
    camps = []
    for cdict in w.campaigns:
        cd = dict(cdict)
        cd["accounts"] = [x for x in cd["accounts"] if x in ids]
        if cd["accounts"]:
            camps.append(cd)
    truth = {"window": {"start": iso(w.start_ms), "end": iso(w.end_ms)},
             "releases": {m: iso(t) for m, t in w.releases.items()},
             "accounts": tacc, "campaigns": camps,
             "generator": {"name": "independent2", "seed": args.seed, "records": N, "days": w.days,
                           "models": sorted(set(w.M.values()) - ({w.M["new2"]} if w.rel2 is None else set()))}}
    with open(args.truth, "w", encoding="utf-8") as f:
        json.dump(truth, f, ensure_ascii=False, indent=1)
    if not args.quiet:
        print("wrote %d records, %d accounts, %d campaigns/groups in %.1fs (plan %.1fs)"
              % (N, len(tacc), len(camps), time.time() - t_start, t_plan - t_start), file=sys.stderr)


if __name__ == "__main__":
    main()
