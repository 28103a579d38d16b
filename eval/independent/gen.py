#!/usr/bin/env python3
"""Independent synthetic API-traffic generator (standard library only).

Writes one JSON object per API exchange, in time order, over a 14-day window,
plus a ground-truth file describing every account and every campaign.

  python3 gen.py --records 600000 --seed 1 --out traffic.jsonl --truth truth.json

Design: accounts (with persona, network, payment, schedule) are built first;
per-account/per-day request counts are drawn and adjusted so that the total is
exactly --records; then the window is emitted day by day (only one day's events
are held in memory), each day's events sorted by time.
"""
import argparse
import hashlib
import json
import math
import os
import random
import sys
import time
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import texts as T  # noqa: E402

DAY = 86400.0
DAYS = 14
WSTART = datetime(2025, 3, 3, tzinfo=timezone.utc).timestamp()  # a Monday
WEND = WSTART + DAYS * DAY
RELEASE_B = WSTART + 7 * DAY + 16 * 3600  # model-b: day 8, 16:00 UTC

# ---------------------------------------------------------------- networks
# (asn, first octets, utc offsets)
RESI = [(7922, [73, 98, 24, 67], [-5, -6, -8]), (701, [71, 108, 72], [-5]), (7018, [99, 76, 107], [-5, -6, -8]),
        (20115, [47, 97, 174], [-5, -6, -7]), (6327, [70, 24], [-7, -8]), (3320, [79, 87, 91], [1]),
        (2856, [86, 81, 109], [0]), (5089, [82, 86], [0]), (12322, [88, 78], [1]), (3215, [90, 92], [1]),
        (3352, [83, 88], [1]), (4713, [153, 180], [9]), (4766, [211, 121], [9]), (1221, [110, 101], [10]),
        (9299, [112, 49], [8]), (28573, [177, 189], [-3]), (8151, [187, 189], [-6]), (4134, [113, 117], [8]),
        (24560, [122, 106], [5.5]), (6830, [84, 62], [1]), (1136, [145, 77], [1]), (852, [68, 142], [-7])]
RESI_W = [10, 8, 8, 7, 3, 5, 4, 3, 3, 3, 2, 2, 2, 2, 1, 2, 1, 1, 2, 1, 1, 2]
MOBILE = [(21928, [172, 208], [-5, -8]), (22394, [174, 97], [-5, -6]), (20057, [166, 107], [-6, -8]),
          (55836, [49, 157], [5.5]), (45609, [106, 223], [5.5]), (12430, [37, 188], [1]),
          (3209, [109, 94], [1]), (26599, [179, 177], [-3]), (9506, [118, 175], [8])]
MOBILE_W = [8, 7, 6, 5, 3, 2, 2, 3, 1]
CLOUD = {"aws": (16509, [3, 18, 52, 54, 35]), "gcp": (396982, [34, 35]), "azure": (8075, [20, 40, 52]),
         "do": (14061, [104, 138, 159, 167]), "hetzner": (24940, [65, 88, 95, 135]),
         "ovh": (16276, [51, 54, 141, 145]), "vultr": (20473, [45, 64, 149]), "linode": (63949, [172, 139, 45]),
         "contabo": (51167, [62, 161, 173])}
BIGCLOUD = ["aws", "aws", "gcp", "azure"]
VPS = ["do", "hetzner", "ovh", "vultr", "linode", "contabo", "aws"]
BUSINESS = [(3356, [4, 8, 63]), (174, [38, 66]), (6461, [64, 208]), (1299, [62, 80]), (3257, [77, 89]),
            (7843, [24, 65])]
CAMPUS = [(3, [18], [-5]), (88, [128], [-5]), (7377, [132], [-8]), (2152, [130, 134], [-8]), (786, [131, 193], [0]),
          (680, [141, 134], [1]), (1248, [129], [-6]), (2200, [193, 194], [1]), (7575, [203, 130], [10]),
          (2907, [133, 150], [9])]
HOSTING = [(9009, [89, 185, 194]), (212238, [146, 156]), (62240, [45, 185]), (60068, [89, 185]), (44477, [5, 185])]
OFFSETS = [-8, -7, -6, -5, -3, 0, 1, 2, 5.5, 8, 9, 10]

# ---------------------------------------------------------------- schedules (local-hour weights)
PROF = {
    "human": [2, 1, .5, .3, .3, .5, 1, 2, 3, 4, 4, 4, 4, 4, 4, 4, 4, 5, 6, 7, 7, 6, 5, 3],
    "work": [.2, .1, .1, .1, .1, .2, .5, 2, 6, 9, 10, 9, 6, 8, 9, 9, 8, 6, 3, 2, 2, 1.5, 1, .5],
    "student": [3, 2, 1, .5, .2, .2, .5, 1, 2, 3, 3, 3, 3, 4, 5, 6, 6, 6, 7, 8, 9, 9, 7, 5],
    "broad": [4, 3.5, 3, 3, 3, 3.5, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 5, 4.5],
}
PROF_CW = {}
for _k, _v in PROF.items():
    _c, _s = [], 0.0
    for _x in _v:
        _s += _x
        _c.append(_s)
    PROF_CW[_k] = _c
HOURS = list(range(24))


class Acct:
    __slots__ = ("id", "persona", "label", "campaign", "signup", "signup_s", "a_start", "a_end", "tz", "style",
                 "prof", "sess", "gap", "weight", "dayw", "counts", "ips", "ipcw", "uas", "uacw", "payment",
                 "org", "content", "b_from", "b_share", "st")


class Gen:
    def __init__(self, seed, records, acct_scale):
        self.r = random.Random(seed)
        self.seed = seed
        self.records = records
        self.k = acct_scale
        self.accts = []
        self.campaigns = []
        self.ids = set()
        self.npay = 0

    # ------------------------------------------------------------ helpers
    def n(self, x):
        return max(1, int(round(x * self.k)))

    def uid(self, prefix):
        while True:
            s = prefix + "%012x" % self.r.getrandbits(48)
            if s not in self.ids:
                self.ids.add(s)
                return s

    def pay(self):
        self.npay += 1
        return "pay_" + hashlib.sha256(f"{self.seed}:card:{self.npay}".encode()).hexdigest()[:24]

    def org(self):
        return self.uid("org_")

    def ip(self, octs):
        r = self.r
        return f"{r.choice(octs)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"

    def slash24(self, octs):
        r = self.r
        return f"{r.choice(octs)}.{r.randint(0, 255)}.{r.randint(0, 255)}."

    def resi(self):
        asn, octs, tzs = self.r.choices(RESI, weights=RESI_W)[0]
        return self.ip(octs), f"AS{asn}", self.r.choice(tzs)

    def cloud_ips(self, prov, k):
        asn, octs = CLOUD[prov]
        return [(self.ip(octs), f"AS{asn}", None) for _ in range(k)]

    def browser_ua(self):
        r = self.r
        os_ = r.choice(["Windows NT 10.0; Win64; x64", "Windows NT 10.0; Win64; x64", "Macintosh; Intel Mac OS X 10_15_7",
                        "X11; Linux x86_64"])
        v = r.randint(118, 134)
        k = r.random()
        if k < 0.62:
            return f"Mozilla/5.0 ({os_}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36"
        if k < 0.77:
            return f"Mozilla/5.0 ({os_}; rv:{v}.0) Gecko/20100101 Firefox/{v}.0"
        if k < 0.9:
            return (f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                    f"Version/17.{r.randint(0, 5)} Safari/605.1.15")
        return (f"Mozilla/5.0 ({os_}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36 "
                f"Edg/{v}.0.0.0")

    def mobile_ua(self):
        r = self.r
        k = r.random()
        if k < 0.35:
            return f"ModelChat/3.{r.randint(2, 9)}.{r.randint(0, 4)} (iPhone; iOS 17.{r.randint(0, 5)}; Scale/3.00)"
        if k < 0.65:
            return (f"ModelChat/3.{r.randint(2, 9)}.{r.randint(0, 4)} (Android {r.choice([12, 13, 14])}; "
                    f"{r.choice(['Pixel 7', 'Pixel 8', 'SM-S918B', 'SM-A536B', '2201116SG', 'CPH2451'])})")
        if k < 0.85:
            v = r.choice(["17_3", "17_4", "17_5", "16_6"])
            return (f"Mozilla/5.0 (iPhone; CPU iPhone OS {v} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                    f"Version/{v.replace('_', '.')} Mobile/15E148 Safari/604.1")
        return (f"Mozilla/5.0 (Linux; Android {r.choice([12, 13, 14])}; {r.choice(['SM-G991B', 'Pixel 6a', 'M2101K6G'])}) "
                f"AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{r.randint(120, 134)}.0.0.0 Mobile Safari/537.36")

    def sdk_ua(self):
        r = self.r
        k = r.random()
        if k < 0.5:
            return (f"modelapi-python/1.{r.randint(20, 45)}.{r.randint(0, 9)} (CPython 3.{r.choice([9, 10, 11, 12])}."
                    f"{r.randint(0, 9)}; {r.choice(['Linux x86_64', 'Darwin arm64', 'Windows AMD64'])})")
        if k < 0.78:
            return f"modelapi-node/4.{r.randint(30, 60)}.{r.randint(0, 9)} node/v{r.choice([18, 20, 22])}.{r.randint(0, 15)}.0"
        if k < 0.86:
            return f"modelapi-go/0.{r.randint(5, 14)}.{r.randint(0, 4)}"
        if k < 0.95:
            return (f"langchain/0.{r.randint(1, 3)}.{r.randint(0, 20)} modelapi-python/1.{r.randint(20, 45)}."
                    f"{r.randint(0, 9)}")
        return f"llama-index/0.10.{r.randint(10, 40)} modelapi-python/1.{r.randint(20, 45)}.0"

    def scripted_ua(self):
        return self.r.choice(["python-requests/2.31.0", "python-requests/2.32.3", "python-httpx/0.27.0",
                              "aiohttp/3.9.5", "Go-http-client/2.0", "Go-http-client/1.1", "curl/8.5.0",
                              "okhttp/4.12.0", "axios/1.6.8", "node-fetch/1.0"])

    def cw(self, ws):
        out, s = [], 0.0
        for w in ws:
            s += w
            out.append(s)
        return out

    def new(self, persona, label="benign", campaign=None):
        a = Acct()
        a.id = self.uid("acct_")
        a.persona, a.label, a.campaign = persona, label, campaign
        a.tz, a.style, a.prof, a.sess, a.gap = 0, "human", "human", 3.0, 90.0
        a.ips, a.ipcw, a.uas, a.uacw = [], None, [], None
        a.payment = a.org = None
        a.b_from, a.b_share = WEND + 1, 0.0
        a.st = {}
        a.a_end = WEND
        self.accts.append(a)
        return a

    def set_signup(self, a, ts, delay=None):
        a.signup = ts
        a.signup_s = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
        d = delay if delay is not None else self.r.uniform(30, 1800)
        a.a_start = max(WSTART, ts + d)

    def aged_signup(self, a, mean_days=220, max_days=1100, p_new=0.0):
        r = self.r
        if r.random() < p_new:
            self.set_signup(a, r.uniform(WSTART, WEND - 1.5 * DAY))
        else:
            self.set_signup(a, WSTART - min(max_days, 2 + r.expovariate(1 / mean_days)) * DAY)

    def adopt(self, a, p, mean_delay_days, share_lo, share_hi):
        r = self.r
        if r.random() < p:
            a.b_from = RELEASE_B + r.expovariate(1 / (mean_delay_days * DAY))
            a.b_share = r.uniform(share_lo, share_hi)

    def overlap(self, a, d):
        d0 = WSTART + d * DAY
        lo, hi = max(d0, a.a_start), min(d0 + DAY, a.a_end)
        return max(0.0, (hi - lo) / DAY)

    def dayw(self, a, p, weekend=1.0, sigma=0.6, boost=None):
        r = self.r
        w = []
        for d in range(DAYS):
            ov = self.overlap(a, d)
            pp = p if d % 7 < 5 else p * weekend
            if ov > 0 and r.random() < pp:
                w.append(ov * r.lognormvariate(0, sigma) * (boost[d] if boost else 1.0))
            else:
                w.append(0.0)
        if sum(w) == 0:
            cand = [d for d in range(DAYS) if self.overlap(a, d) > 0] or [DAYS - 1]
            w[r.choice(cand)] = 1.0
        a.dayw = w

    def campaign(self, kind, label, members, **extra):
        cid = "camp-%03d" % (len(self.campaigns) + 1)
        c = {"id": cid, "kind": kind, "label": label, "accounts": []}
        c.update(extra)
        self.campaigns.append(c)
        return c

    # ------------------------------------------------------------ benign personas
    def build_casual(self, n):
        r = self.r
        for _ in range(self.n(n)):
            a = self.new("casual")
            self.aged_signup(a, p_new=0.12)
            ip, asn, a.tz = self.resi()
            a.ips = [(ip, asn, None)]
            if r.random() < 0.3:
                ip2, asn2, _ = self.resi()
                a.ips.append((ip2, asn2, None))
                a.ipcw = [0.85, 1.0]
            a.uas = [self.browser_ua()]
            if r.random() < 0.25:
                a.uas.append(self.mobile_ua())
                a.uacw = [0.75, 1.0]
            a.payment = self.pay() if r.random() < 0.45 else None
            a.weight = r.lognormvariate(math.log(18), 0.9)
            a.content = "casual"
            a.sess, a.gap = r.uniform(1.5, 4), r.uniform(40, 180)
            self.dayw(a, r.uniform(0.15, 0.8))
            self.adopt(a, 0.5, 2.5, 0.3, 0.9)

    def build_mobile(self, n, pools):
        r = self.r
        for _ in range(self.n(n)):
            a = self.new("mobile")
            self.aged_signup(a, p_new=0.15)
            pool, tzs = r.choices(pools, weights=MOBILE_W)[0]
            a.ips, a.tz = pool, r.choice(tzs)
            a.uas = [self.mobile_ua()]
            a.payment = self.pay() if r.random() < 0.3 else None
            a.weight = r.lognormvariate(math.log(15), 0.8)
            a.content = "mobile"
            a.sess, a.gap = r.uniform(1.2, 3), r.uniform(30, 120)
            self.dayw(a, r.uniform(0.2, 0.8))
            # the provider's own app switches its default to model-b after release
            a.b_from, a.b_share = RELEASE_B + r.uniform(0.3, 2.5) * DAY, r.uniform(0.5, 0.9)

    def build_developers(self, n):
        r = self.r
        for _ in range(self.n(n)):
            a = self.new("developer")
            self.aged_signup(a, p_new=0.1)
            hip, hasn, a.tz = self.resi()
            sdk = self.sdk_ua()
            a.ips = [(hip, hasn, self.browser_ua() if r.random() < 0.5 else sdk)]
            a.ips += self.cloud_ips(r.choice(BIGCLOUD + ["do", "hetzner"]), r.randint(1, 4))
            home = r.uniform(0.1, 0.45)
            a.ipcw = self.cw([home] + [(1 - home) / (len(a.ips) - 1)] * (len(a.ips) - 1))
            a.uas = [sdk]
            a.payment = self.pay() if r.random() < 0.85 else None
            a.org = self.org() if r.random() < 0.3 else None
            a.weight = r.lognormvariate(math.log(110), 1.0)
            a.content = "dev"
            if r.random() < 0.35:
                sysp, tmpl = r.choice(DEV_SYS)
                a.st["sys"] = (T.fill(r, sysp), tmpl)
            else:
                a.st["sys"] = None
            a.style, a.prof, a.sess, a.gap = "session", "work", r.uniform(4, 15), r.uniform(8, 60)
            self.dayw(a, r.uniform(0.35, 0.9), weekend=0.3)
            self.adopt(a, 0.75, 1.0, 0.3, 1.0)

    def build_companies(self, nteams):
        r = self.r
        for _ in range(self.n(nteams)):
            co = r.choice(T.COMPANY_NAMES)
            size = r.randint(5, 40)
            asn, octs = r.choice(BUSINESS)
            base = self.slash24(octs)
            start = r.randrange(0, 240, 16)
            office = [(f"{base}{start + i + 1}", f"AS{asn}", None) for i in range(14)]
            tz = r.choice(OFFSETS)
            pay, org = self.pay(), self.org()
            tools = r.sample(T.COMPANY_TOOLS, r.randint(1, 3))
            sysps = [T.COMPANY_SYS.format(co=co, tool=t) for t in tools]
            onboard = WSTART - r.uniform(30, 400) * DAY
            sdk = self.sdk_ua()
            adopt = r.random() < 0.4
            b_from, b_share = RELEASE_B + r.expovariate(1 / (3 * DAY)), r.uniform(0.5, 1.0)
            c = self.campaign("company_team", "benign", [], org=org)
            for _ in range(size):
                a = self.new("company_team", campaign=c["id"])
                c["accounts"].append(a.id)
                self.set_signup(a, min(WEND - 1.5 * DAY, onboard + r.expovariate(1 / (60 * DAY))))
                a.tz = tz
                a.ips = list(office)
                if r.random() < 0.4:  # some remote work from home
                    hip, hasn, _ = self.resi()
                    a.ips.append((hip, hasn, self.browser_ua()))
                    a.ipcw = self.cw([1.0] * 14 + [3.0])
                a.uas = [sdk, self.browser_ua()]
                a.uacw = [0.6, 1.0]
                a.payment, a.org = pay, org
                a.weight = r.lognormvariate(math.log(70), 0.8)
                a.content = "company"
                a.st["sys"] = sysps
                a.style, a.prof, a.sess, a.gap = "session", "work", r.uniform(2, 6), r.uniform(30, 200)
                self.dayw(a, r.uniform(0.5, 0.95), weekend=0.1)
                if adopt:
                    a.b_from, a.b_share = b_from, b_share

    def build_power(self, n):
        r = self.r
        for _ in range(self.n(n)):
            a = self.new("power_user")
            self.aged_signup(a, mean_days=300)
            ip, asn, a.tz = self.resi()
            a.ips = [(ip, asn, None)]
            a.uas = [self.browser_ua()]
            if r.random() < 0.4:
                a.uas.append(self.sdk_ua())
                a.uacw = [0.7, 1.0]
            a.payment = self.pay()
            a.org = self.org() if r.random() < 0.2 else None
            a.weight = r.lognormvariate(math.log(1600), 0.5)
            a.content = "power"
            a.sess, a.gap = r.uniform(10, 40), r.uniform(15, 70)
            self.dayw(a, r.uniform(0.75, 1.0), sigma=0.4)
            self.adopt(a, 0.85, 0.7, 0.4, 1.0)

    def build_benchmarks(self, norgs):
        r = self.r
        for _ in range(self.n(norgs)):
            style = r.choice(["mcq", "gsm", "code", "qa", "gsm", "mcq"])
            evalset = T.build_eval_set(r, style, r.choice([100, 164, 250, 400]))
            sysp = r.choice(T.EVAL_SYSTEM) if r.random() < 0.6 else None
            prov = r.choice(BIGCLOUD)
            ips = self.cloud_ips(prov, r.randint(1, 3))
            pay, org = self.pay(), self.org()
            ua = self.sdk_ua() if r.random() < 0.8 else self.scripted_ua()
            tz = r.choice(OFFSETS)
            c = self.campaign("benchmark_org", "benign", [], org=org, eval_style=style)
            for _ in range(r.randint(2, 5)):
                a = self.new("benchmark", campaign=c["id"])
                c["accounts"].append(a.id)
                self.aged_signup(a, mean_days=150)
                a.tz, a.ips, a.uas, a.payment, a.org = tz, ips, [ua], pay, org
                a.weight = r.lognormvariate(math.log(1400), 0.5)
                a.content = "bench"
                a.st.update(evalset=evalset, style=style, sys=sysp, idx=r.randrange(len(evalset)))
                a.style, a.prof = "bench", "work"
                w = []
                for d in range(DAYS):
                    d0 = WSTART + d * DAY
                    p = 0.35 if d % 7 < 5 else 0.05
                    if d0 <= RELEASE_B < d0 + 2 * DAY or d0 - DAY <= RELEASE_B < d0:
                        p = 0.9  # everybody evaluates the new model right away
                    w.append(r.lognormvariate(0, 0.3) if r.random() < p and self.overlap(a, d) > 0 else 0.0)
                if sum(w) == 0:
                    w[r.randrange(DAYS)] = 1.0
                a.dayw = w
                a.b_from, a.b_share = RELEASE_B + r.uniform(0.5, 20) * 3600, r.uniform(0.4, 0.7)

    def build_synthetic(self, norgs):
        r = self.r
        for _ in range(self.n(norgs)):
            tmpls = r.sample(T.SYNTH_TEMPLATES, r.randint(1, 2))
            ds = (r.choice(["mathtutor", "stepwise", "edu-solutions", "worked-ex", "k12-reason"]) +
                  "-" + str(r.randint(1, 9)), r.randint(1, 12))
            prov = r.choice(BIGCLOUD)
            pay, org = self.pay(), self.org()
            ua = self.sdk_ua() if r.random() < 0.6 else self.scripted_ua()
            adopt = r.random() < 0.35
            c = self.campaign("synthetic_data_job", "benign", [], org=org)
            shared_ips = self.cloud_ips(prov, r.randint(2, 8))
            for _ in range(r.randint(3, 6)):
                a = self.new("synthetic_data", campaign=c["id"])
                c["accounts"].append(a.id)
                self.set_signup(a, WSTART - r.uniform(300, 1000) * DAY)
                a.ips, a.uas, a.payment, a.org = shared_ips, [ua], pay, org
                a.weight = r.lognormvariate(math.log(2800), 0.4)
                a.content = "synth"
                a.st.update(tmpls=tmpls, ds=ds)
                a.style = "uniform"
                self.dayw(a, 1.0, sigma=0.15)
                if adopt:
                    a.b_from, a.b_share = RELEASE_B + r.uniform(2, 5) * DAY, 0.5

    def build_cot(self, n, campuses):
        r = self.r
        for _ in range(self.n(n)):
            a = self.new("cot_researcher")
            self.aged_signup(a, mean_days=250)
            if r.random() < 0.4:
                pool, a.tz = r.choice(campuses)
                a.ips = pool
            else:
                ip, asn, a.tz = self.resi()
                a.ips = [(ip, asn, None)]
            a.uas = [self.browser_ua() if r.random() < 0.5 else self.sdk_ua()]
            a.payment = self.pay() if r.random() < 0.7 else None
            a.org = self.org() if r.random() < 0.25 else None
            a.weight = r.lognormvariate(math.log(140), 1.0)
            a.content = "cot"
            a.st["sys"] = r.choice([None, None, "You are a careful reasoner.", "Show your work."])
            a.style, a.prof, a.sess, a.gap = "session", "work", r.uniform(3, 20), r.uniform(10, 120)
            self.dayw(a, r.uniform(0.3, 0.8), weekend=0.4)
            self.adopt(a, 0.8, 0.8, 0.3, 0.9)

    def build_apps(self, sizes, mobile_pools):
        r = self.r
        devices = ["iPhone; iOS 17.4", "iPhone; iOS 17.5", "Android 14; Pixel 7", "Android 13; SM-A536B",
                   "macOS 14.4", "Windows 11", "iPad; iPadOS 17.3", "Android 14; SM-S918B"]
        for app, size in zip(T.APPS, sizes):
            ver = f"{r.randint(1, 6)}.{r.randint(0, 9)}.{r.randint(0, 9)}"
            sysp = app["sys"].format(v=ver)
            c = self.campaign("third_party_app", "benign", [], app=app["name"])
            switch = app["name"] in ("WriteMate", "TripPal")
            sw_at = RELEASE_B + r.uniform(0.3, 1.5) * DAY
            for _ in range(self.n(size)):
                a = self.new("third_party_app", campaign=c["id"])
                c["accounts"].append(a.id)
                self.aged_signup(a, mean_days=120, p_new=0.15)
                dev = r.choice(devices)
                if ("iPhone" in dev or "Android" in dev) and r.random() < 0.5:
                    pool, tzs = r.choice(mobile_pools)
                    a.ips, a.tz = pool, r.choice(tzs)
                else:
                    ip, asn, a.tz = self.resi()
                    a.ips = [(ip, asn, None)]
                a.uas = [app["ua"].format(v=ver, dev=dev)]
                a.payment = self.pay() if r.random() < 0.6 else None
                a.weight = r.lognormvariate(math.log(28), 0.9)
                a.content = "app"
                a.st.update(sys=sysp, kind=app["content"])
                a.prof = "student" if app["content"] == "homework" else "human"
                a.sess, a.gap = r.uniform(1.5, 5), r.uniform(30, 150)
                self.dayw(a, r.uniform(0.2, 0.8))
                if switch:
                    a.b_from, a.b_share = sw_at, 1.0

    def build_students(self, nclasses, nsolo, campuses):
        r = self.r

        def student(a, tz):
            a.tz = tz
            a.uas = [self.browser_ua() if r.random() < 0.6 else self.mobile_ua()]
            a.payment = self.pay() if r.random() < 0.1 else None
            a.weight = r.lognormvariate(math.log(28), 0.8)
            a.content = "student"
            a.prof, a.sess, a.gap = "student", r.uniform(2, 8), r.uniform(40, 240)
            self.dayw(a, r.uniform(0.2, 0.7), weekend=0.7)
            self.adopt(a, 0.3, 3, 0.2, 0.7)

        for _ in range(self.n(nclasses)):
            pool, tz = r.choice(campuses)
            week = r.uniform(WSTART - 10 * DAY, WSTART + 6 * DAY)
            c = self.campaign("student_class", "benign", [])
            for _ in range(r.randint(20, 40)):
                a = self.new("student", campaign=c["id"])
                c["accounts"].append(a.id)
                self.set_signup(a, week + r.uniform(0, 7 * DAY))
                a.ips = pool
                if r.random() < 0.5:  # also studies from home
                    ip, asn, _ = self.resi()
                    a.ips = pool + [(ip, asn, None)]
                    a.ipcw = self.cw([1.0] * len(pool) + [len(pool) * 0.6])
                student(a, tz)
        for _ in range(self.n(nsolo)):
            a = self.new("student")
            self.aged_signup(a, mean_days=120, p_new=0.2)
            ip, asn, tz = self.resi()
            a.ips = [(ip, asn, None)]
            student(a, tz)

    # ------------------------------------------------------------ attack campaigns
    def build_sweeps(self, ncamp):
        r = self.r
        for _ in range(self.n(ncamp)):
            cap = r.choice(["math", "coding", "reasoning"])
            tmpls = r.sample(T.SWEEP_TEMPLATES[cap], r.randint(2, 4))
            tag = "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(3))
            t0 = r.uniform(WSTART + 0.3 * DAY, WEND - 2.5 * DAY)
            provs = r.sample(VPS, r.randint(1, 2))
            mode = r.random()
            shared_pays = [self.pay()] if mode < 0.6 else [self.pay() for _ in range(r.randint(2, 3))] \
                if mode < 0.75 else None
            ua = self.scripted_ua() if r.random() < 0.6 else self.sdk_ua()
            shared_ips = [ip for p in provs for ip in self.cloud_ips(p, r.randint(2, 6))] if r.random() < 0.35 else None
            sysp = "You are an expert problem solver. Always show complete, detailed reasoning." \
                if r.random() < 0.4 else None
            span = r.choice([1.0, 2.0]) * 3600
            dur = r.uniform(1.5, 5) * DAY
            metronome = r.random() < 0.5
            state = {"cap": cap, "tmpls": tmpls, "tag": tag, "ctr": [r.randint(0, 500)], "sys": sysp}
            c = self.campaign("template_sweep", "attack", [], capability=cap)
            for _ in range(r.randint(3, 15)):
                a = self.new("template_sweep", "attack", c["id"])
                c["accounts"].append(a.id)
                self.set_signup(a, t0 + r.uniform(0, span), delay=r.uniform(300, 3 * 3600))
                a.a_end = min(WEND, a.a_start + dur * r.uniform(0.8, 1.1))
                a.ips = shared_ips or [ip for p in provs for ip in self.cloud_ips(p, r.randint(1, 2))]
                a.uas = [ua]
                a.payment = r.choice(shared_pays) if shared_pays else self.pay()
                a.weight = r.lognormvariate(math.log(650), 0.4)
                a.content = "sweep"
                a.st = state
                a.style = "metronome" if metronome else "scripted"
                self.dayw(a, 1.0, sigma=0.25)
                a.b_from, a.b_share = RELEASE_B + r.uniform(0, 2) * DAY, 0.3

    def build_hydras(self, ncamp):
        r = self.r
        for _ in range(self.n(ncamp)):
            cap = r.choice(["math", "coding", "reasoning"])
            tmpls = r.sample(T.SWEEP_TEMPLATES[cap], r.randint(2, 3))
            proxies = []
            for _ in range(r.randint(2, 4)):
                asn, octs = r.choice(HOSTING)
                base = self.slash24(octs)
                proxies += [(f"{base}{i}", f"AS{asn}", None) for i in range(1, 255)]
            uas = [self.sdk_ua()] + ([self.scripted_ua()] if r.random() < 0.5 else [])
            pays = [self.pay() for _ in range(r.randint(3, 12))]
            brand = r.choice(T.RESELLER_BRANDS)
            sysp = r.choice(T.RESELLER_SYS).format(brand=brand) if r.random() < 0.6 else None
            cstart = WSTART - r.uniform(7, 21) * DAY
            state = {"cap": cap, "tmpls": tmpls, "tag": brand[:3].upper(), "ctr": [0], "sys": sysp,
                     "rate": 0.05}
            c = self.campaign("hydra", "attack", [], capability=cap)
            for _ in range(r.randint(30, 150)):
                a = self.new("hydra", "attack", c["id"])
                c["accounts"].append(a.id)
                self.set_signup(a, min(WEND - 1.5 * DAY, cstart + r.uniform(0, 28) * DAY))
                a.ips, a.uas = proxies, uas
                a.payment = r.choice(pays) if r.random() < 0.6 else self.pay()
                a.weight = r.lognormvariate(math.log(230), 0.5)
                a.content = "hydra"
                a.st = state
                a.prof, a.sess, a.gap = "broad", 1.5, 60.0
                self.dayw(a, 1.0, sigma=0.3)
                a.b_from, a.b_share = RELEASE_B + r.uniform(0.5, 3) * DAY, r.uniform(0.3, 0.6)

    def build_pivots(self, ncamp):
        r = self.r
        for _ in range(self.n(ncamp)):
            cap = r.choice(["math", "coding", "reasoning"])
            tmpls = r.sample(T.SWEEP_TEMPLATES[cap], r.randint(2, 4))
            prov = r.choice(BIGCLOUD + VPS)
            pays = [self.pay() for _ in range(r.randint(2, 3))]
            ua = self.sdk_ua()
            t0 = WSTART - r.uniform(20, 60) * DAY
            pivot = RELEASE_B + r.uniform(1, 18) * 3600
            state = {"cap": cap, "tmpls": tmpls, "tag": "".join(r.choice("QRSTUVWXYZ") for _ in range(3)),
                     "ctr": [0], "sys": None, "rate": 0.75}
            tz = r.choice(OFFSETS)
            c = self.campaign("release_pivot", "attack", [], capability=cap)
            for _ in range(r.randint(6, 20)):
                a = self.new("release_pivot", "attack", c["id"])
                c["accounts"].append(a.id)
                self.set_signup(a, t0 + r.uniform(0, 3) * DAY)
                a.ips = self.cloud_ips(prov, r.randint(1, 2))
                a.uas = [ua]
                a.payment = r.choice(pays)
                a.weight = r.lognormvariate(math.log(550), 0.4)
                a.content = "pivot"
                a.st = state
                a.tz, a.style, a.prof, a.sess, a.gap = tz, "session", "broad", 30.0, 6.0
                w = []
                for d in range(DAYS):
                    d0 = WSTART + d * DAY
                    if d0 + DAY <= RELEASE_B:  # before release: moderate, intermittent
                        w.append(r.lognormvariate(0, 0.3) if r.random() < 0.55 else 0.0)
                    elif d0 <= RELEASE_B:  # release day: business as usual until the pivot
                        w.append(1.2)
                    else:
                        w.append(7.0 * r.lognormvariate(0, 0.3))
                a.dayw = w
                a.b_from, a.b_share = pivot, 0.92

    def build_adaptive(self, ncamp):
        r = self.r
        for _ in range(self.n(ncamp)):
            cap = r.choice(["math", "coding", "reasoning", "mixed"])
            rate = r.uniform(0.10, 0.20)
            c = self.campaign("adaptive", "attack", [], capability=cap, extraction_rate=round(rate, 3))
            for _ in range(r.randint(10, 40)):
                a = self.new("adaptive", "attack", c["id"])
                c["accounts"].append(a.id)
                self.set_signup(a, WSTART - r.uniform(90, 540) * DAY)
                ip, asn, a.tz = self.resi()
                a.ips = [(ip, asn, None)]
                a.uas = [self.browser_ua()]
                a.payment = self.pay()
                a.weight = r.lognormvariate(math.log(70), 0.5)
                a.content = "adaptive"
                a.st = {"cap": cap, "rate": rate}
                a.sess, a.gap = r.uniform(2, 6), r.uniform(40, 200)
                self.dayw(a, r.uniform(0.35, 0.75))
                self.adopt(a, 0.5, 2, 0.3, 0.8)

    def build_all(self):
        r = self.r
        campuses = []
        for asn, octs, tzs in CAMPUS:
            campuses.append(([(self.ip(octs), f"AS{asn}", None) for _ in range(r.randint(2, 8))], r.choice(tzs)))
        mobile_pools = []
        for asn, octs, tzs in MOBILE:
            mobile_pools.append(([(self.ip(octs), f"AS{asn}", None) for _ in range(r.randint(30, 90))], tzs))
        self.build_casual(2500)
        self.build_mobile(900, mobile_pools)
        self.build_developers(550)
        self.build_companies(20)
        self.build_power(45)
        self.build_benchmarks(8)
        self.build_synthetic(6)
        self.build_cot(120, campuses)
        self.build_apps([200, 150, 100, 60], mobile_pools[:5])
        self.build_students(8, 170, campuses)
        self.build_sweeps(8)
        self.build_hydras(3)
        self.build_pivots(2)
        self.build_adaptive(4)

    # ------------------------------------------------------------ counts
    def poisson(self, lam):
        r = self.r
        if lam <= 0:
            return 0
        if lam > 40:
            return max(0, int(round(r.gauss(lam, math.sqrt(lam)))))
        L, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= r.random()
            if p <= L:
                return k
            k += 1

    def draw_counts(self):
        r = self.r
        tot_w = sum(a.weight for a in self.accts)
        scale = self.records / tot_w
        cells, exp = [], []
        total = 0
        for i, a in enumerate(self.accts):
            sw = sum(a.dayw)
            a.counts = [0] * DAYS
            for d in range(DAYS):
                if a.dayw[d] > 0:
                    e = a.weight * scale * a.dayw[d] / sw
                    a.counts[d] = self.poisson(e)
                    cells.append((i, d))
                    exp.append(e)
            if sum(a.counts) == 0 and self.records >= len(self.accts):
                d = max(range(DAYS), key=lambda x: a.dayw[x])
                a.counts[d] = 1
            total += sum(a.counts)
        diff = self.records - total
        if diff > 0:
            cw = self.cw(exp)
            for i, d in r.choices(cells, cum_weights=cw, k=diff):
                self.accts[i].counts[d] += 1
        while diff < 0:
            cw = self.cw([self.accts[i].counts[d] for i, d in cells])
            for i, d in r.choices(cells, cum_weights=cw, k=min(-diff, 5000)):
                a = self.accts[i]
                if a.counts[d] > 0 and (sum(a.counts) > 1 or self.records < len(self.accts)):
                    a.counts[d] -= 1
                    diff += 1
                    if diff == 0:
                        break

    # ------------------------------------------------------------ timing
    def times(self, a, n, d):
        r = self.r
        d0 = WSTART + d * DAY
        lo, hi = max(d0, a.a_start), min(d0 + DAY, a.a_end)
        if hi <= lo:
            lo, hi = d0, d0 + DAY
        out = []
        st = a.style
        if st == "uniform":
            return [r.uniform(lo, hi) for _ in range(n)]
        if st in ("scripted", "metronome"):
            L = min(hi - lo, r.uniform(3, 14) * 3600)
            s = r.uniform(lo, hi - L)
            if st == "metronome":
                step = L / n
                out = [s + i * step + r.uniform(0, 0.3 * step) for i in range(n)]
            else:
                out = [r.uniform(s, s + L) for _ in range(n)]
        elif st == "bench":
            runs = 1 if n < 120 else r.randint(1, 3)
            per = [n // runs] * runs
            per[0] += n - sum(per)
            for k in per:
                h = r.choices(HOURS, cum_weights=PROF_CW["work"])[0]
                t = d0 + ((h - a.tz) * 3600 + r.uniform(0, 3600)) % DAY
                for _ in range(k):
                    out.append(t)
                    t += r.uniform(0.4, 3.5)
        else:  # session-based (human, work, student, broad)
            cw = PROF_CW[a.prof]
            tz = 0 if a.prof == "broad" else a.tz
            while len(out) < n:
                k = min(n - len(out), 1 + int(r.expovariate(1 / max(0.01, a.sess - 1))))
                h = r.choices(HOURS, cum_weights=cw)[0]
                t = d0 + ((h - tz) * 3600 + r.uniform(0, 3600)) % DAY
                for _ in range(k):
                    out.append(t)
                    t += r.expovariate(1 / a.gap) + 2
        span = hi - lo
        return [t if lo <= t < hi else lo + (t - lo) % span for t in out]

    # ------------------------------------------------------------ content
    def content(self, a, t):
        """Return (prompt_or_messages, output_kind)."""
        r = self.r
        c = a.content
        if c == "casual" or c == "mobile":
            x = r.random()
            lvl = 1.3 if c == "mobile" else 1.0
            if x < 0.8:
                p = T.casual_prompt(r, lvl)
            elif x < 0.88:
                p = T.writing_prompt(r)
            elif x < 0.95:
                p = T.code_prompt(r, 1.0)
            else:
                p = T.homework_prompt(r)
            if r.random() < (0.15 if c == "casual" else 0.08):
                return T.multi_turn(r, p), "chat"
            return p, "chat"
        if c == "dev":
            if a.st["sys"] and r.random() < 0.5:
                sysp, tmpl = a.st["sys"]
                return [{"role": "system", "content": sysp},
                        {"role": "user", "content": T.fill(r, tmpl)}], "short"
            if r.random() < 0.85:
                p = T.code_prompt(r)
                if r.random() < 0.2:
                    return T.multi_turn(r, p), "code"
                return p, "code"
            return T.casual_prompt(r, 0.5), "chat"
        if c == "company":
            return T.company_messages(r, r.choice(a.st["sys"])), "chat"
        if c == "power":
            x = r.random()
            if x < 0.35:
                p, k = T.casual_prompt(r, 0.6), "chat"
            elif x < 0.65:
                p, k = T.writing_prompt(r), "chat"
            elif x < 0.88:
                p, k = T.code_prompt(r), "code"
            else:
                p, k = T.cot_prompt(r), "reason"
            if r.random() < 0.35:
                return T.multi_turn(r, p, r.randint(1, 6)), k
            return p, k
        if c == "bench":
            st = a.st
            item = st["evalset"][st["idx"] % len(st["evalset"])]
            st["idx"] += 1
            k = {"mcq": "mcq", "gsm": "reason", "code": "code", "qa": "short"}[st["style"]]
            if st["sys"]:
                return [{"role": "system", "content": st["sys"]}, {"role": "user", "content": item}], k
            return item, k
        if c == "synth":
            return T.synth_prompt(r, r.choice(a.st["tmpls"]), a.st["ds"]), "reason"
        if c == "cot":
            p = T.cot_prompt(r)
            if a.st["sys"]:
                return [{"role": "system", "content": a.st["sys"]}, {"role": "user", "content": p}], "reason"
            return p, "reason"
        if c == "app":
            kind = a.st["kind"]
            if kind == "writing":
                p, k = (T.writing_prompt(r) if r.random() < 0.6 else T.casual_prompt(r)), "chat"
            elif kind == "homework":
                p, k = T.homework_prompt(r), "reason"
            elif kind == "code":
                p, k = T.code_prompt(r), "code"
            else:
                p, k = T.casual_prompt(r), "chat"
            return [{"role": "system", "content": a.st["sys"]}, {"role": "user", "content": p}], k
        if c == "student":
            p = T.homework_prompt(r)
            if r.random() < 0.12:
                return T.multi_turn(r, p, followups=T.HW_FOLLOWUPS), "reason"
            return p, "reason"
        if c in ("sweep", "hydra", "pivot"):
            st = a.st
            extract = c == "sweep" or r.random() < st["rate"]
            if extract:
                st["ctr"][0] += 1
                tmpl = r.choice(st["tmpls"])
                p = T.sweep_prompt(r, st["cap"], tmpl, st["tag"], st["ctr"][0])
                k = "grade" if ("Grade" in tmpl or "rubric" in tmpl) else "reason_long"
            elif c == "pivot":
                p, k = T.code_prompt(r, 0.2), "code"
            else:  # hydra: resold customer chat
                x = r.random()
                if x < 0.6:
                    p, k = T.casual_prompt(r), "chat"
                elif x < 0.75:
                    p, k = T.code_prompt(r), "code"
                elif x < 0.87:
                    p, k = T.multilingual_prompt(r), "chat"
                elif x < 0.95:
                    p, k = T.writing_prompt(r), "chat"
                else:
                    p, k = T.homework_prompt(r), "reason"
                if r.random() < 0.25:
                    p = T.multi_turn(r, p)
            if st["sys"] and (not extract or c != "hydra" or r.random() < 0.5):
                msgs = p if isinstance(p, list) else [{"role": "user", "content": p}]
                return [{"role": "system", "content": st["sys"]}] + msgs, k
            return p, k
        if c == "adaptive":
            if r.random() < a.st["rate"]:
                cap = a.st["cap"]
                if cap == "mixed":
                    cap = r.choice(["math", "coding", "reasoning"])
                p = T.adaptive_prompt(r, cap)
                return p, "reason_long"
            x = r.random()
            if x < 0.6:
                p, k = T.casual_prompt(r), "chat"
            elif x < 0.8:
                p, k = T.writing_prompt(r), "chat"
            else:
                p, k = T.code_prompt(r), "code"
            if r.random() < 0.15:
                return T.multi_turn(r, p), k
            return p, k
        raise ValueError(c)

    OUT_MED = {"chat": (250, 0.6), "code": (420, 0.6), "reason": (650, 0.5), "reason_long": (1400, 0.45),
               "grade": (650, 0.4), "short": (25, 0.8)}

    def out_tokens(self, k):
        r = self.r
        if k == "mcq":
            return r.randint(1, 3)
        med, s = self.OUT_MED[k]
        return max(1, min(16000, int(r.lognormvariate(math.log(med), s))))

    # ------------------------------------------------------------ emit
    def emit(self, out_path):
        r = self.r
        n_written = 0
        last_ts = -1.0
        with open(out_path, "w", encoding="utf-8") as f:
            for d in range(DAYS):
                evs = []
                for i, a in enumerate(self.accts):
                    k = a.counts[d]
                    if k:
                        for t in self.times(a, k, d):
                            evs.append((t, i))
                evs.sort()
                buf = []
                for t, i in evs:
                    a = self.accts[i]
                    if t <= last_ts:
                        t = last_ts + 0.001
                    last_ts = t
                    payload, kind = self.content(a, t)
                    model = "model-b" if t >= a.b_from and t >= RELEASE_B and r.random() < a.b_share else "model-a"
                    if a.ipcw:
                        ip, asn, ua = r.choices(a.ips, cum_weights=a.ipcw)[0]
                    else:
                        ip, asn, ua = r.choice(a.ips)
                    if ua is None:
                        ua = r.choices(a.uas, cum_weights=a.uacw)[0] if a.uacw else a.uas[0]
                    if isinstance(payload, list):
                        chars = sum(len(m["content"]) for m in payload)
                        itok = int(chars / 3.9) + 4 * len(payload) + 3
                    else:
                        chars = len(payload)
                        itok = int(chars / 3.9) + 7
                    ms = int((t - int(t)) * 1000)
                    rec = {"ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(t))) + ".%03dZ" % ms,
                           "account": a.id, "model": model}
                    if isinstance(payload, list):
                        rec["messages"] = payload
                    else:
                        rec["prompt"] = payload
                    rec["response"] = T.response(r, "reason" if kind == "reason_long" else kind)
                    rec["inputTokens"] = itok
                    rec["outputTokens"] = self.out_tokens(kind)
                    if a.org:
                        rec["org"] = a.org
                    rec["ip"] = ip
                    rec["asn"] = asn
                    if a.payment:
                        rec["payment"] = a.payment
                    rec["userAgent"] = ua
                    rec["signupAt"] = a.signup_s
                    buf.append(json.dumps(rec, ensure_ascii=False))
                    if len(buf) >= 5000:
                        f.write("\n".join(buf) + "\n")
                        buf = []
                if buf:
                    f.write("\n".join(buf) + "\n")
                n_written += len(evs)
                print(f"day {d + 1}/{DAYS}: {len(evs)} records", file=sys.stderr)
        return n_written

    def truth(self, path):
        accts = [{"account": a.id, "label": a.label, "persona": a.persona, "campaign": a.campaign,
                  "signupAt": a.signup_s, "requests": sum(a.counts)} for a in self.accts]
        with open(path, "w") as f:
            json.dump({"window": {"start": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(WSTART)),
                                  "end": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(WEND)),
                                  "model_b_release": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(RELEASE_B))},
                       "accounts": accts, "campaigns": self.campaigns}, f, indent=1)


DEV_SYS = [
    ("You are a JSON extraction service. Return only valid JSON with keys name, date, amount.",
     "Extract the fields from this text: Invoice from {name} dated {month} {n}, total due ${num}."),
    ("You classify customer messages into one of: billing, technical, account, other. Reply with the label only.",
     "{feedback}"),
    ("You are a commit message generator. Write a one-line conventional commit message.",
     "diff: updated code to {code_task}"),
    ("Summarize the user's text in one sentence.", "{para}"),
    ("You are a SQL assistant for a Postgres database. Schema: {tables}", "{sql_task}"),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=600000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="traffic.jsonl")
    ap.add_argument("--truth", default="truth.json")
    ap.add_argument("--account-scale", type=float, default=1.0,
                    help="multiply the number of accounts/campaigns (default 1.0 = about 6,000 accounts)")
    args = ap.parse_args()
    t0 = time.time()
    g = Gen(args.seed, args.records, args.account_scale)
    g.build_all()
    g.draw_counts()
    n = g.emit(args.out)
    g.truth(args.truth)
    print(f"wrote {n} records for {len(g.accts)} accounts, {len(g.campaigns)} groups in {time.time() - t0:.1f}s",
          file=sys.stderr)


if __name__ == "__main__":
    main()
