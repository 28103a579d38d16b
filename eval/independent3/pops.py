"""Populations: benign personas and groups, attack campaigns.  Builds Acct objects with
metadata, schedule parameters, model plans and behaviours, plus the campaign records
that go into truth.json."""
import math

import behave as B
import netsim as N
import textgen as T
from world import Acct, DAY, HOUR, iso_s

ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
SYL = ["lumen", "forge", "quill", "north", "harbor", "ember", "atlas", "pixel", "cinder", "maple", "nimbus", "orbit", "vertex",
       "sable", "tidal", "willow", "zephyr", "kite", "fable", "prism", "cobalt", "juniper", "onyx", "rivet", "saffron", "tandem",
       "umber", "vesper", "wren", "alder", "basil", "cairn", "delta", "fjord", "gale", "heron", "iris", "jasper", "larch", "mosaic"]
SUF = ["labs", "ai", "hq", "works", "systems", "analytics", "studio", "data", "io", "tech", "intelligence", "ml", "cloud"]
UNIS = ["tu-delft", "uni-heidelberg", "ucl", "iit-madras", "unsw", "kaist", "u-tokyo", "usp", "mcgill", "eth", "umich", "uw", "nus", "epfl"]

BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{c}.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{c}.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.{v} Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:{f}.0) Gecko/20100101 Firefox/{f}.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{f}.0) Gecko/20100101 Firefox/{f}.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_{v} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.{v} Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{c}.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{c}.0.0.0 Safari/537.36 Edg/{c}.0.0.0",
]
GENERIC_HTTP = ["python-requests/2.31.0", "python-requests/2.32.3", "python-httpx/0.27.0", "python-httpx/0.28.1", "curl/8.5.0", "curl/7.88.1",
                "Go-http-client/2.0", "okhttp/4.12.0", "axios/1.6.8", "axios/1.7.2", "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
                "aiohttp/3.9.5 Python/3.11", "Java-http-client/17.0.10", "reqwest/0.12.4", "litellm/1.40.8", "langchain-core/0.2.10"]
EVAL_UA = ["lm-eval-harness/0.4.3 python-httpx/0.27.0", "inspect_ai/0.3.22", "helm/0.5.2", "openbench/0.2.1", "evalkit/1.8.0 aiohttp/3.9.5"]
REDTEAM_UA = ["garak/0.9.0.16", "promptfoo/0.82.1", "pyrit/0.4.0"]
PROXY_UA = ["new-api/0.4.8", "one-api/v0.6.10", "go-resty/2.12.0 (https://github.com/go-resty/resty)", "relaygw/1.2.3", "Apifox/1.0.0 (https://apifox.com)"]


def lognorm(rng, mean, sig):
    return mean * math.exp(sig * rng.gauss(0, 1) - sig * sig / 2)


def logu(rng, lo, hi):
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


class Pop:
    def __init__(self, W, rng, nrec):
        self.W = W
        self.rng = rng
        self.s = nrec / 600000.0
        self.accts = []
        self.camps = []
        self.ids = set()
        self.kc = {}
        self.orgs = set()

    # ---------------------------------------------------------------- helpers
    def sc(self, x, power=1.0, lo=1):
        return max(lo, int(round(x * self.s ** power)))

    def asz(self, x, lo=2):
        """attack campaign size at this log size (roughly proportional below 600k records)"""
        f = self.s ** 0.8 if self.s < 1 else min(1.5, self.s ** 0.6)
        return max(lo, int(x * f))

    def newid(self):
        r = self.rng
        while True:
            i = "acct_" + "".join(r.choice(ALNUM) for _ in range(12))
            if i not in self.ids:
                self.ids.add(i)
                return i

    def org_name(self, style="slug"):
        r = self.rng
        while True:
            if style == "slug":
                o = "%s%s-%s" % (r.choice(SYL), r.choice(SYL) if r.random() < 0.4 else "", r.choice(SUF))
                if r.random() < 0.12:
                    o += str(r.randint(2, 99))
            elif style == "title":
                o = "%s %s" % (r.choice(SYL).capitalize(), r.choice(["Labs", "AI", "Analytics", "Technologies", "Studio", "Data", "Systems", "GmbH", "Ltd", "Inc."]))
            else:
                o = "%s-%d" % (r.choice(SYL), r.randint(2, 999))
            if o not in self.orgs:
                self.orgs.add(o)
                return o

    def camp(self, kind, label, **params):
        n = self.kc.get(kind, 0) + 1
        self.kc[kind] = n
        c = {"id": "%s-%02d" % (kind, n), "kind": kind, "label": label, "accounts": []}
        c.update(params)
        self.camps.append(c)
        return c

    def acct(self, persona, label, camp=None, region=None, lang=None):
        r = self.rng
        a = Acct(self.newid(), persona, label, camp["id"] if camp else None)
        if camp is not None:
            camp["accounts"].append(a.id)
        a.region = region or N.region_pick(r)
        a.tz = N.REGIONS[a.region][0]
        a.lang = lang or N.lang_pick(r, a.region)
        a.meta = {}
        a.st = {}
        self.accts.append(a)
        return a

    def ua_sdk(self):
        r = self.rng
        W = self.W
        x = r.random()
        if x < 0.35:
            return "%s-python/%d.%d.%d CPython/3.%d.%d (%s)" % (W.prov, 1, r.randint(20, 48), r.randint(0, 9), r.choice([9, 10, 11, 12]), r.randint(0, 9),
                                                               r.choice(["Linux", "Darwin", "Windows"]))
        if x < 0.6:
            return "%s-node/%d.%d.%d node/v%d.%d.0" % (W.prov, 2, r.randint(0, 14), r.randint(0, 9), r.choice([18, 20, 22]), r.randint(0, 12))
        if x < 0.67:
            return "%s-go/0.%d.%d" % (W.prov, r.randint(3, 9), r.randint(0, 9))
        return r.choice(GENERIC_HTTP)

    def ua_browser(self):
        r = self.rng
        return r.choice(BROWSERS).format(c=r.randint(120, 126), v=r.randint(0, 5), f=r.randint(122, 127))

    def ua_app(self):
        r = self.rng
        if r.random() < 0.55:
            return "%s/4.%d.%d (iPhone; iOS 17.%d; Scale/3.00)" % (self.W.Prov, r.randint(8, 14), r.randint(0, 5), r.randint(0, 5))
        return "%s/4.%d.%d (Android 14; %s)" % (self.W.Prov, r.randint(8, 14), r.randint(0, 5), r.choice(["SM-S918B", "Pixel 7", "M2101K6G", "CPH2449", "V2227A"]))

    def ua_agent(self):
        r = self.rng
        return r.choice(["%s-code/1.%d.%d" % (self.W.prov, r.randint(0, 9), r.randint(0, 30)), "aider/0.%d.%d" % (r.randint(50, 62), r.randint(0, 3)),
                         "Cline/3.%d.%d" % (r.randint(0, 9), r.randint(0, 9)), "continue/0.9.%d (vscode)" % r.randint(100, 250)])

    def signup_past(self, a, lo_d, hi_d, expo=None):
        r = self.rng
        if expo:
            d = min(hi_d, lo_d + r.expovariate(1.0 / expo))
        else:
            d = r.uniform(lo_d, hi_d)
        a.signup = self.W.start - int(d * DAY) - r.randint(0, DAY)

    def daymask(self, p):
        r = self.rng
        m = [r.random() < p for _ in range(self.W.days)]
        if not any(m):
            m[r.randrange(len(m))] = True
        return m

    def tiers(self, kind="consumer"):
        r = self.rng
        if kind == "consumer":
            return r.choice([(0.35, 0.6, 0.05, 0), (0.1, 0.8, 0.1, 0), (0.6, 0.4, 0, 0)])
        if kind == "dev":
            return r.choice([(0.2, 0.5, 0.3, 0), (0.05, 0.3, 0.4, 0.25), (0.5, 0.5, 0, 0), (0, 0.2, 0.8, 0)])
        if kind == "code":
            return r.choice([(0, 0.2, 0.4, 0.4), (0, 0.1, 0.2, 0.7), (0, 0.3, 0.7, 0)])
        return (0, 0.3, 0.7, 0)

    def human_sched(self, a, profile="human", L=3.0, gap=70_000, sig=0.9, pday=0.4, **kw):
        a.sched = dict(profile=profile, L=L, gap=gap, sig=sig, days=self.daymask(pday) if pday < 1 else None)
        a.sched.update(kw)
        if a.signup is not None and a.signup > self.W.start:
            a.sched["from"] = a.signup + self.rng.randint(60_000, 3 * HOUR)

    def consumer_plan(self, a, web=True):
        r = self.rng
        if web:
            a.plan = ("web", self.tiers(), r.uniform(0.7, 0.92))
        else:
            a.plan = ("gradual", self.tiers("dev"), r.uniform(0.2, 0.7), r.uniform(24, 200) * HOUR)

    def team_net(self, region, n=None, zscaler=False):
        r = self.rng
        if zscaler:
            ips = r.sample(N.zscaler_ips(), n or r.randint(3, 6))
            return ("office", N.ZSCALER, ips)
        asn = r.choice(N.REGIONS[region][2])
        return ("office", asn, N.pool(r, asn, n or r.randint(1, 4), same24=True))

    def net_from(self, spec, sticky=0.9):
        kind, asn, ips = spec
        return N.Net(kind, asn, list(ips), sticky=sticky)

    # ---------------------------------------------------------------- benign loners
    def casual(self, n, persona="casual_chat", vol=(8, 1.1), region=None, net=None, web=None):
        r = self.rng
        for _ in range(n):
            a = self.acct(persona, "benign", region=region(r) if callable(region) else region)
            a.net = net(a) if net else N.home_net(r, a.region, 0.3)
            x = r.random()
            a.ua = self.ua_browser() if x < 0.55 else self.ua_app() if x < 0.9 else self.ua_sdk()
            a.org = None if r.random() < 0.75 else "Personal"
            a.payment = None if r.random() < 0.5 else self.W.pay("card:" + a.id)
            if r.random() < 0.07:
                a.signup = self.W.start + r.randint(0, self.W.days * DAY - 2 * HOUR)
            else:
                self.signup_past(a, 1, 1100, expo=220)
            self.human_sched(a, r.choice(["human", "human", "student", "night"]), L=r.uniform(1.5, 5), pday=r.uniform(0.08, 0.6))
            self.consumer_plan(a, web=(x < 0.9) if web is None else web)
            a.beh = B.chat
            a.vol = lognorm(r, vol[0], vol[1])
        return a

    def developers(self, n):
        r = self.rng
        for _ in range(n):
            a = self.acct("developer", "benign")
            if r.random() < 0.6:
                a.net = N.home_net(r, a.region, 0.15)
            else:
                a.net = self.net_from(self.team_net(a.region, 1))
                a.net.alt = N.home_net(r, a.region, 0)
                a.net.p_alt = 0.3
            a.ua = self.ua_sdk()
            a.org = self.org_name() if r.random() < 0.5 else None
            a.payment = self.W.pay("card:" + a.id)
            self.signup_past(a, 20, 1200)
            self.human_sched(a, r.choice(["work", "work", "night", "human"]), L=r.uniform(4, 14), gap=25_000, sig=1.0, pday=r.uniform(0.3, 0.9))
            a.plan = ("adopt", self.tiers("dev"), r.randint(2, 120) * HOUR, r.uniform(0.3, 0.8)) if r.random() < 0.5 else ("gradual", self.tiers("dev"), r.uniform(0.2, 0.6), r.uniform(48, 240) * HOUR)
            a.meta = {"sys": r.choice(B.DEV_SYS), "prompt_api": r.random() < 0.2}
            a.beh = B.dev
            a.vol = lognorm(r, 60, 1.2)

    def cgnat(self, n):
        pref = ["IN", "IN", "IN", "NG", "US-E", "US-W", "ID", "BR", "PH", "MX", "KE", "EG", "PK", "VN", "TR"]

        def net(a):
            return N.mobile_net(self.rng, a.region)
        for _ in range(n):
            a = self.casual(1, "cgnat_mobile", vol=(10, 1.0), region=lambda r: r.choice(pref), net=net)
            a.ua = self.ua_app()

    def vpn_users(self, n):
        r = self.rng
        for _ in range(n):
            dev = r.random() < 0.4
            if dev:
                self.developers(1)
                a = self.accts[-1]
                a.persona = "vpn_user"
            else:
                a = self.casual(1, "vpn_user", vol=(25, 1.0))
            a.net = N.vpn_net(r)
            if r.random() < 0.25:
                a.net.alt = N.home_net(r, a.region, 0)
                a.net.p_alt = 0.2

    def early_adopters(self, n):
        r = self.rng
        W = self.W
        for _ in range(n):
            a = self.acct("early_adopter", "benign")
            a.net = N.home_net(r, a.region, 0.2)
            a.ua = self.ua_sdk() if r.random() < 0.6 else self.ua_browser()
            a.org = self.org_name() if r.random() < 0.3 else None
            a.payment = W.pay("card:" + a.id)
            self.signup_past(a, 60, 1100)
            self.human_sched(a, r.choice(["human", "night", "work"]), L=r.uniform(4, 12), gap=40_000, pday=r.uniform(0.3, 0.8),
                             mods=[(W.R, W.R + r.randint(24, 96) * HOUR, r.uniform(3, 8)), (W.R, W.end, 1.5)])
            a.plan = ("adopt", self.tiers("dev"), r.randint(0, 180) * 60_000, r.uniform(0.85, 0.98))
            a.meta = {"dev": r.random() < 0.5}
            a.beh = B.early
            a.vol = lognorm(r, 80, 0.9)

    def univ_nat(self, n):
        r = self.rng
        unis = []
        for _ in range(r.randint(2, 3)):
            region = r.choice(["UK", "DE", "US-E", "JP", "IN", "AU", "FR"])
            code = {"UK": "UK", "DE": "DE", "US-E": "US", "JP": "JP", "IN": "IN", "AU": "AU", "FR": "FR"}[region]
            asn = N.NREN.get(code, 11537)
            unis.append((region, asn, N.pool(r, asn, r.randint(2, 6), same24=True)))
        for _ in range(n):
            region, asn, ips = r.choice(unis)
            a = self.casual(1, "univ_nat_user", vol=(15, 1.0), region=region)
            a.net = N.Net("univ", asn, ips, sticky=0.8)
            a.net.alt = N.home_net(r, region, 0.3)
            a.net.p_alt = 0.4
            if r.random() < 0.5:
                a.beh = B.student
                a.meta = {"exercises": [T.dataset_item("math-u%d" % unis.index((region, asn, ips)), i)[0] for i in range(40)], "p_ex": 0.3, "para": 0.5}

    # ---------------------------------------------------------------- benign groups
    def coding_teams(self, nteams, nloners):
        r = self.rng
        W = self.W
        for _ in range(nteams):
            region = N.region_pick(r)
            size = max(2, int(r.randint(3, 25) * min(1.0, self.s ** 0.5)))
            ua = self.ua_agent()
            c = self.camp("coding_team", "benign", agent=ua.split("/")[0], region=region)
            org = self.org_name()
            pay = W.pay("corp:" + org)
            spec = self.team_net(region, zscaler=r.random() < 0.2)
            delay = r.randint(1, 48) * HOUR
            for _ in range(size):
                a = self.acct("coding_agent", "benign", c, region=region)
                a.net = self.net_from(spec)
                a.net.alt = N.home_net(r, region, 0)
                a.net.p_alt = r.uniform(0.05, 0.6)
                a.ua = ua
                a.org = org
                a.payment = pay
                self.signup_past(a, 10, 700)
                self.human_sched(a, "work", L=r.uniform(20, 60), gap=7_000, sig=1.0, pday=r.uniform(0.6, 0.95))
                a.plan = ("adopt", self.tiers("code"), delay + r.randint(0, 24) * HOUR, r.uniform(0.5, 0.9))
                a.meta = {"flavour": "You are %s, an AI pair programmer working in the user's repository." % ua.split("/")[0]}
                a.beh = B.agent
                a.vol = lognorm(r, 250, 1.0)
        for _ in range(nloners):
            a = self.acct("coding_agent", "benign")
            a.net = N.home_net(r, a.region, 0.1)
            a.ua = self.ua_agent()
            a.org = None
            a.payment = W.pay("card:" + a.id)
            self.signup_past(a, 5, 500)
            self.human_sched(a, r.choice(["night", "human", "work"]), L=r.uniform(15, 50), gap=8_000, sig=1.0, pday=r.uniform(0.3, 0.9))
            a.plan = ("adopt", self.tiers("code"), r.randint(0, 72) * HOUR, r.uniform(0.4, 0.9))
            a.meta = {"flavour": "You are a coding agent working in the user's repository."}
            a.beh = B.agent
            a.vol = lognorm(r, 200, 1.1)

    def ci_jobs(self, n):
        r = self.rng
        W = self.W
        for _ in range(n):
            a = self.acct("ci_job", "benign")
            a.net = N.cloud_net(r, r.choice(["azure", "aws", "gcp", "azure"]), n=r.randint(3, 20))
            a.net.sticky = 0.3
            a.ua = r.choice(GENERIC_HTTP[:4] + [self.ua_sdk()])
            a.org = self.org_name()
            a.payment = W.pay("corp:" + a.org)
            self.signup_past(a, 60, 900)
            a.sched = {"cron": r.choice([1, 2, 3, 4, 6, 8, 12, 24]) * HOUR, "gap": r.uniform(600, 3000), "sig": 0.2}
            a.plan = ("pin", r.choice([W.old["lite"], W.old["base"]])) if r.random() < 0.7 else ("adopt", (0, 1, 0, 0), 0, 1.0)
            a.beh = B.cron
            a.vol = lognorm(r, 500, 0.8)

    def eval_runners(self, ngroups):
        r = self.rng
        W = self.W
        for _ in range(ngroups):
            c = self.camp("eval_runner", "benign")
            org = self.org_name("title") if r.random() < 0.5 else "lab-" + r.choice(UNIS)
            pay = W.pay("corp:" + org)
            prov = r.choice(["aws", "gcp", "azure", "oracle"])
            ua = r.choice(EVAL_UA)
            suite = r.sample(["math", "code", "sci", "logic", "mlqa", "safety"], r.randint(2, 4))
            size = r.choice([100, 200, 250, 500])
            fmt = r.choice(B.EVAL_FMT)
            c.update(suite=suite, items_per_dataset=size, template=fmt)
            region = r.choice(["US-W", "US-E", "UK", "DE", "SG", "KR"])
            for _ in range(r.randint(1, 4)):
                a = self.acct("eval_runner", "benign", c, region=region, lang="en")
                a.net = N.cloud_net(r, prov, n=r.randint(1, 3))
                a.ua = ua
                a.org = org
                a.payment = pay
                self.signup_past(a, 30, 800)
                a.sched = dict(profile="flat", L=r.choice([100, 250, 500]), gap=r.uniform(400, 2500), sig=0.5, uneven=False,
                               mods=[(W.R, W.R + 36 * HOUR, r.uniform(10, 25)), (W.R + 36 * HOUR, W.R + 96 * HOUR, 3)])
                a.plan = ("eval",)
                a.meta = {"suite": suite, "size": size, "fmt": fmt, "chat": r.random() < 0.5}
                a.st["c"] = r.randrange(size)
                a.beh = B.evalrun
                a.vol = lognorm(r, 900, 0.7)

    def synth_licensed(self, ngroups):
        r = self.rng
        W = self.W
        for _ in range(ngroups):
            ds = r.choice(["math", "code", "logic", "sci"])
            tmpl = r.choice([T.COT_ATTACK_EN[5], T.COT_ATTACK_EN[4], T.COT_BENIGN_RESEARCH[0], T.COT_ATTACK_EN[2]])
            org = self.org_name("title")
            c = self.camp("licensed_synthetic_data", "benign", dataset=ds, template=tmpl, org=org, note="contracted data-generation partner")
            pay = W.pay("corp:" + org)
            prov = r.choice(["aws", "gcp", "azure"])
            n = r.randint(2, 6)
            base = r.randrange(0, 60000)
            region = r.choice(["US-W", "US-E", "UK", "SG", "DE"])
            for j in range(n):
                a = self.acct("licensed_synthetic_data", "benign", c, region=region, lang="en")
                a.j, a.n = j, n
                a.net = N.cloud_net(r, prov, n=r.randint(1, 2))
                a.ua = self.ua_sdk()
                a.org = org
                a.payment = pay
                self.signup_past(a, 200, 900)
                a.sched = dict(profile="flat", L=r.choice([200, 400]), gap=r.uniform(2500, 6000), sig=0.3, uneven=False)
                a.plan = ("adopt", (0, 0.2, 0.8, 0), r.randint(6, 72) * HOUR, r.uniform(0.4, 0.8))
                a.meta = {"ds": ds, "base": base, "tmpl": tmpl, "sys": "You are a meticulous tutor." if r.random() < 0.5 else None}
                a.beh = B.synth
                a.vol = lognorm(r, 2500, 0.4)

    def cot_labs(self, nlabs):
        r = self.rng
        W = self.W
        for _ in range(nlabs):
            uni = r.choice(UNIS)
            region = r.choice(["UK", "DE", "US-E", "US-W", "JP", "KR", "IN", "AU", "FR", "SG"])
            code = region.split("-")[0]
            asn = N.NREN.get(code, 11537)
            ips = N.pool(r, asn, r.randint(2, 6), same24=True)
            dl = W.start + r.randint(3, W.days - 1) * DAY + r.randint(0, 23) * HOUR if r.random() < 0.4 else None
            c = self.camp("cot_research_lab", "benign", university=uni, deadline=iso_s(dl) if dl else None)
            org = "lab-" + uni
            pay = W.pay("corp:" + org)
            ds = r.choice(["math", "logic", "math-gsm", "sci"])
            base, span = r.randrange(0, 3000), r.choice([300, 500, 1000, 2000])
            cloud = N.cloud_net(r, r.choice(["aws", "gcp"]), n=2)
            for _ in range(r.randint(2, 7)):
                a = self.acct("cot_researcher", "benign", c, region=region, lang="en")
                a.net = N.Net("univ", asn, ips, sticky=0.9)
                a.net.alt = cloud
                a.net.p_alt = r.uniform(0.1, 0.5)
                a.ua = r.choice(GENERIC_HTTP[:3] + [self.ua_sdk()])
                a.org = org
                a.payment = pay
                self.signup_past(a, 30, 700)
                mods = []
                if dl:
                    mods = [(dl - 96 * HOUR, dl, 3.0), (dl - 30 * HOUR, dl, 2.5), (dl, dl + 48 * HOUR, 0.1)]
                a.sched = dict(profile=r.choice(["work", "night"]), L=r.uniform(20, 80), gap=r.uniform(1500, 6000), sig=0.8,
                               days=self.daymask(r.uniform(0.3, 0.8)), mods=mods)
                a.plan = ("adopt", self.tiers("dev"), r.randint(3, 96) * HOUR, r.uniform(0.3, 0.7))
                a.meta = {"ds": ds, "base": base, "span": span, "reps": r.randint(1, 8), "perturb": r.uniform(0, 0.3)}
                a.beh = B.research
                a.vol = lognorm(r, 500, 0.9)

    def student_classes(self, nclasses):
        r = self.rng
        W = self.W
        for _ in range(nclasses):
            uni = r.choice(UNIS)
            region = r.choice(["US-E", "US-W", "UK", "IN", "DE", "BR", "KR", "AU", "CA"])
            code = region.split("-")[0]
            asn = N.NREN.get(code, 11537)
            ips = N.pool(r, asn, r.randint(2, 5), same24=True)
            dl = W.start + r.randint(2, W.days - 1) * DAY + r.choice([23 * HOUR + 59 * 60000, 17 * HOUR, 12 * HOUR]) - int(N.REGIONS[region][0] * HOUR)
            ex = [T.dataset_item(r.choice(["math-cls", "logic-cls"]), r.randrange(9999))[0] for _ in range(r.randint(2, 5))]
            c = self.camp("student_class", "benign", university=uni, deadline=iso_s(dl), exercises=len(ex))
            cls_signup = W.start - r.randint(15, 70) * DAY + r.randint(8, 18) * HOUR
            size = max(3, int(r.randint(20, 60) * min(1.0, self.s ** 0.5)))
            for _ in range(size):
                a = self.acct("student", "benign", c, region=region)
                a.net = N.Net("univ", asn, ips, sticky=0.7)
                a.net.alt = N.home_net(r, region, 0.4)
                a.net.p_alt = r.uniform(0.3, 0.8)
                a.ua = self.ua_browser()
                a.org = "edu-" + uni
                a.signup = cls_signup + r.randint(0, 3 * HOUR)
                self.human_sched(a, "student", L=r.uniform(2, 6), gap=90_000, pday=r.uniform(0.2, 0.6),
                                 mods=[(dl - 72 * HOUR, dl, 3.0), (dl - 12 * HOUR, dl, 3.0), (dl, W.end, 0.3)])
                self.consumer_plan(a)
                a.meta = {"exercises": ex, "p_ex": r.uniform(0.4, 0.8), "para": r.uniform(0.3, 0.9)}
                a.beh = B.student
                a.vol = lognorm(r, 25, 0.9)

    def annotation_teams(self, nteams):
        r = self.rng
        W = self.W
        for _ in range(nteams):
            region = r.choice(["PH", "KE", "IN", "PL", "NG", "VN"])
            org = self.org_name("title")
            crit = r.sample(T.RUBRIC_CRIT, r.randint(3, 5))
            tag = "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(3))
            c = self.camp("annotation_team", "benign", org=org, criteria=crit)
            pay = W.pay("corp:" + org)
            spec = self.team_net(region)
            ua = self.ua_browser() if r.random() < 0.5 else self.ua_sdk()
            ds = r.choice(["a", "b", "c"])
            for _ in range(max(2, int(r.randint(6, 20) * min(1.0, self.s ** 0.5)))):
                a = self.acct("annotation_team", "benign", c, region=region, lang="en")
                a.net = self.net_from(spec)
                a.ua = ua
                a.org = org
                a.payment = pay
                self.signup_past(a, 5, 300)
                self.human_sched(a, "work", L=r.uniform(15, 40), gap=40_000, sig=0.5, pday=r.uniform(0.6, 0.95))
                a.plan = ("old", (0, 0.3, 0.7, 0)) if r.random() < 0.6 else ("adopt", (0, 0, 1, 0), r.randint(24, 120) * HOUR, 0.9)
                a.meta = {"tmpl": T.RUBRIC_ANNOT, "crit": crit, "ds": ds, "base": 0, "span": 20000, "tag": tag, "web": r.random() < 0.5}
                a.beh = B.rubric_team
                a.vol = lognorm(r, 250, 0.5)

    def apps(self, n_support, n_npc, n_rag, n_market):
        r = self.rng
        W = self.W
        for kind, n in (("support_bot", n_support), ("game_npc", n_npc), ("rag_app", n_rag), ("cloud_marketplace_app", n_market)):
            for _ in range(n):
                region = N.region_pick(r)
                a = self.acct(kind, "benign", region=region, lang="en")
                a.org = self.org_name("title")
                a.payment = W.pay("corp:" + a.org)
                self.signup_past(a, 60, 1000)
                if kind == "cloud_marketplace_app":
                    a.net = N.Net("none")
                    a.ua = None if r.random() < 0.5 else self.ua_sdk()
                    a.payment = None
                else:
                    a.net = N.cloud_net(r, n=r.randint(1, 6))
                    a.ua = r.choice(["%s-node/2.%d.0 node/v20.11.0" % (W.prov, r.randint(0, 9)), self.ua_sdk(), "okhttp/4.12.0"])
                prof = "gamer" if kind == "game_npc" else "human"
                a.sched = dict(profile=prof, L=r.uniform(3, 8), gap=r.uniform(15_000, 60_000), sig=0.8)
                a.plan = ("old", (0.7, 0.3, 0, 0)) if r.random() < 0.6 else ("adopt", (0.5, 0.5, 0, 0), r.randint(24, 200) * HOUR, 0.6)
                if kind == "support_bot":
                    a.meta = {"sys": "You are the customer support assistant for %s. Be friendly, never promise refunds over $50, escalate legal questions." % a.org}
                    a.beh, a.vol = B.support, lognorm(r, 4000, 0.6)
                elif kind == "game_npc":
                    a.meta = {"sys": "You are Brannoc, a gruff blacksmith in the village of Eastmere. Stay in character. Reply in at most two sentences."}
                    a.beh, a.vol = B.npc, lognorm(r, 6000, 0.5)
                else:
                    a.meta = {"sys": "Answer using only the CONTEXT. If the answer is not there, say you don't know."}
                    a.beh, a.vol = B.rag, lognorm(r, 750, 0.8)

    def browser_ext(self, next_):
        r = self.rng
        W = self.W
        for _ in range(next_):
            name = r.choice(["PagePal", "TabSage", "Clipwise", "ReadLess", "Glance"])
            sysp = "You are %s, a browser assistant. Be brief. The user is looking at a web page; help with the selected text or the page." % name
            chrome = r.randint(121, 125)
            ua = BROWSERS[0].format(c=chrome, v=0, f=0)
            c = self.camp("browser_extension", "benign", extension=name, note="bring-your-own-key users, shared system prompt")
            for _ in range(self.sc(220, lo=3)):
                a = self.acct("browser_extension_user", "benign", c)
                a.net = N.home_net(r, a.region, 0.1)
                a.ua = ua if r.random() < 0.8 else BROWSERS[1].format(c=chrome, v=0, f=0)
                a.payment = W.pay("card:" + a.id)
                self.signup_past(a, 1, 400, expo=90)
                self.human_sched(a, "human", L=2, gap=120_000, pday=r.uniform(0.2, 0.8))
                a.plan = ("gradual", (0.8, 0.2, 0, 0), 0.3, 150 * HOUR)
                a.meta = {"sys": sysp}
                a.beh = B.extension
                a.vol = lognorm(r, 18, 1.0)

    def l10n(self, n):
        r = self.rng
        W = self.W
        for _ in range(n):
            region = r.choice(["PL", "UK", "DE", "ES", "FR", "IT"])
            org = self.org_name("title")
            langs = r.sample(T.TARGET_LANGS, r.randint(4, 10))
            tmpl = "Translate the following UI strings into {lang}. Keep placeholders such as {{count}} and {{name}} unchanged. Return a numbered list.\n\n{strings}"
            c = self.camp("localisation_agency", "benign", org=org, languages=langs)
            pay = W.pay("corp:" + org)
            spec = self.team_net(region)
            for _ in range(r.randint(3, 8)):
                a = self.acct("localisation", "benign", c, region=region, lang="en")
                a.net = self.net_from(spec)
                a.ua = self.ua_sdk()
                a.org, a.payment = org, pay
                self.signup_past(a, 30, 600)
                self.human_sched(a, "work", L=r.uniform(30, 90), gap=6_000, sig=0.4, pday=0.9)
                a.plan = ("old", (0.6, 0.4, 0, 0))
                a.meta = {"langs": langs, "tmpl": tmpl}
                a.beh = B.l10n
                a.vol = lognorm(r, 1200, 0.5)

    def redteam(self, n):
        r = self.rng
        W = self.W
        for _ in range(n):
            org = self.org_name("title")
            c = self.camp("redteam_vendor", "benign", org=org, note="safety evaluation vendor, jailbreak/refusal suites after releases")
            pay = W.pay("corp:" + org)
            prov = r.choice(["aws", "gcp", "hetzner"])
            ua = r.choice(REDTEAM_UA)
            for _ in range(r.randint(2, 4)):
                a = self.acct("redteam_vendor", "benign", c, region="US-E", lang="en")
                a.net = N.cloud_net(r, prov, n=2)
                a.ua, a.org, a.payment = ua, org, pay
                self.signup_past(a, 30, 500)
                a.sched = dict(profile="flat", L=r.choice([80, 200, 400]), gap=r.uniform(800, 3000), sig=0.4, uneven=False,
                               mods=[(W.R + HOUR, W.R + 48 * HOUR, r.uniform(10, 20))])
                a.plan = ("eval",)
                a.meta = {"size": len(T.SAFETY_CATS) * len(T.JB_FRAMES)}
                a.beh = B.redteam
                a.vol = lognorm(r, 1500, 0.5)

    def aggregator(self, n):
        r = self.rng
        W = self.W
        for _ in range(n):
            name = r.choice(["routerhub", "modelmux", "openrelay", "tokenpool"])
            org = name + "-" + r.choice(["inc", "hq", "io"])
            prov = r.choice(["aws", "gcp", "do"])
            asn = r.choice(N.CLOUD[prov])
            ips = N.pool(r, asn, r.randint(3, 6))
            pay = W.pay("corp:" + org)
            ua = "%s-gateway/3.%d.%d" % (name, r.randint(0, 9), r.randint(0, 9))
            c = self.camp("api_aggregator", "benign", org=org, note="legitimate reseller: one org/payment, few egress IPs, many end-user accounts")
            for _ in range(self.sc(900, lo=4)):
                a = self.acct("aggregator_end_user", "benign", c)
                a.net = N.Net("proxy", asn, ips, sticky=0.5)
                a.ua = ua if r.random() < 0.85 else self.ua_sdk()
                a.org, a.payment = org, pay
                self.signup_past(a, 0, 420)
                heavy = r.random()
                if heavy < 0.05:
                    mix, v = (0.1, 0.2, 0.3), lognorm(r, 500, 0.8)
                elif heavy < 0.1:
                    mix, v = (0.1, 0.2, 0.0), lognorm(r, 400, 0.8)  # CoT-heavy
                else:
                    mix, v = r.choice([(0.8, 0.15, 0.0), (0.5, 0.4, 0.05), (0.3, 0.5, 0.15)]), lognorm(r, 12, 1.2)
                self.human_sched(a, r.choice(["human", "night", "work"]), L=r.uniform(2, 10), pday=r.uniform(0.1, 0.9))
                a.plan = ("gradual", self.tiers("dev"), r.uniform(0.2, 0.8), r.uniform(12, 150) * HOUR)
                a.meta = {"mix": mix, "ds": r.choice(["math", "logic"]), "base": r.randrange(50000), "span": 5000, "reps": 2}
                a.beh = B.mixed
                a.vol = v

    def enterprise(self, n):
        r = self.rng
        W = self.W
        for _ in range(n):
            region = r.choice(["US-E", "US-W", "UK", "DE", "FR", "JP", "IN", "AU"])
            org = self.org_name("title")
            pay = W.pay("corp:" + org)
            when = W.start + r.randint(-5, W.days // 2) * DAY + int((9 - N.REGIONS[region][0]) * HOUR)
            zs = r.random() < 0.5
            spec = self.team_net(region, n=r.randint(3, 8), zscaler=zs)
            c = self.camp("enterprise_rollout", "benign", org=org, sso_provisioned_at=iso_s(when), egress="zscaler" if zs else "own")
            for _ in range(self.sc(300, 0.8, lo=5)):
                a = self.acct("enterprise_employee", "benign", c, region=region)
                a.net = self.net_from(spec, sticky=0.6)
                a.net.alt = N.home_net(r, region, 0.2)
                a.net.p_alt = r.uniform(0, 0.4)
                a.ua = self.ua_browser() if r.random() < 0.8 else self.ua_sdk()
                a.org, a.payment = org, pay
                a.signup = when + r.randint(0, 55 * 60000)
                self.human_sched(a, "work", L=r.uniform(2, 8), pday=r.uniform(0.3, 0.95))
                a.plan = ("web", self.tiers(), 0.8)
                power = r.random() < 0.06
                a.meta = {"mix": (0.55, 0.35, 0.1) if power else (0.75, 0.25, 0.0), "ds": "math", "base": 0, "span": 100}
                a.beh = B.mixed
                a.vol = lognorm(r, 300 if power else 22, 0.9)

    def promo(self):
        r = self.rng
        W = self.W
        P = W.R + r.randint(2, 30) * HOUR if r.random() < 0.7 else W.start + r.randint(1, W.days - 2) * DAY + r.randint(12, 20) * HOUR
        topic = r.choice(T.VIRAL_TOPICS)
        viral = r.choice(["Explain %s step by step like I'm 12", "explain %s step by step, simple words", "Walk me through %s step by step"]) % topic
        c = self.camp("viral_promo_signups", "benign", promo_at=iso_s(P), prompt=viral, note="free-tier promo code shared on social media")
        pref = ["US-E", "US-W", "IN", "BR", "PH", "NG", "ID", "UK", "MX", "TR", "VN"]
        for _ in range(self.sc(2600, lo=5)):
            a = self.acct("promo_signup", "benign", c, region=r.choice(pref))
            a.net = N.home_net(r, a.region, 0.0) if r.random() < 0.5 else N.mobile_net(r, a.region)
            a.ua = self.ua_app() if r.random() < 0.5 else self.ua_browser()
            a.signup = P + int(r.expovariate(1 / (2.5 * HOUR)))
            a.signup = min(a.signup, W.end - 3 * HOUR)
            self.human_sched(a, "human", L=2, gap=60_000, pday=0.25)
            a.sched["from"] = a.signup + r.randint(30_000, 20 * 60000)
            a.plan = ("adopt", (0, 1, 0, 0), 0, 0.97) if P >= W.R else self.consumer_plan(a) or a.plan
            a.meta = {"viral": viral}
            a.beh = B.promo
            a.vol = 1 + lognorm(r, 2.5, 1.0)
            a.scal = False

    def mooc(self, n):
        r = self.rng
        W = self.W
        for _ in range(n):
            dl = W.start + r.randint(3, W.days - 1) * DAY + 23 * HOUR
            ex = T.dataset_item("math-mooc", r.randrange(999))[0]
            c = self.camp("mooc_assignment", "benign", deadline=iso_s(dl), exercise=ex)
            for _ in range(self.sc(350, lo=4)):
                a = self.acct("mooc_student", "benign", c)
                a.net = N.home_net(r, a.region, 0.4)
                a.ua = self.ua_browser() if r.random() < 0.8 else self.ua_app()
                a.payment = None if r.random() < 0.6 else W.pay("card:" + a.id)
                self.signup_past(a, -3, 90, expo=20)
                self.human_sched(a, "student", L=3, gap=80_000, pday=0.5,
                                 mods=[(dl - 48 * HOUR, dl, 6.0), (dl - 8 * HOUR, dl, 3.0), (dl, W.end, 0.05), (W.start, dl - 120 * HOUR, 0.2)])
                self.consumer_plan(a)
                a.meta = {"exercises": [ex], "p_ex": 0.75, "para": 0.8}
                a.beh = B.student
                a.vol = 1 + lognorm(r, 7, 0.8)
                a.scal = False

    def crowd(self, n):
        r = self.rng
        W = self.W
        for _ in range(n):
            org = self.org_name("slug")
            pay = W.pay("corp:" + org)
            crit = r.sample(T.RUBRIC_CRIT, r.randint(2, 4))
            waves = sorted(W.start + r.randint(-5 * 24, (W.days - 2) * 24) * HOUR for _ in range(r.randint(3, 5)))
            c = self.camp("crowdwork_marketplace", "benign", org=org, waves=[iso_s(w) for w in waves], criteria=crit,
                          note="labelling marketplace: fresh accounts in waves, shared rubric template, marketplace card")
            pref = ["KE", "NG", "PH", "IN", "PK", "ID", "VN", "BR", "EG", "MX"]
            ds = r.choice(["d", "e"])
            for _ in range(self.sc(260, lo=4)):
                a = self.acct("crowd_worker", "benign", c, region=r.choice(pref))
                a.net = N.home_net(r, a.region, 0.4)
                a.ua = self.ua_browser()
                a.org, a.payment = org, pay
                a.signup = r.choice(waves) + r.randint(0, 6 * HOUR)
                self.human_sched(a, "shift", L=r.uniform(10, 40), gap=50_000, sig=0.5, pday=r.uniform(0.3, 0.9))
                a.sched["from"] = max(W.start, a.signup + r.randint(10 * 60000, 24 * HOUR))
                a.plan = ("pin", W.old["base"]) if r.random() < 0.8 else ("pin", W.old["max"])
                a.meta = {"tmpl": T.RUBRIC_CROWD, "crit": crit, "ds": ds, "base": 0, "span": 50000, "tag": org[:4].upper(), "gv": "4.%d" % r.randint(0, 3), "web": True}
                a.beh = B.crowd
                a.vol = lognorm(r, 60, 0.7)

    def hackathon(self):
        r = self.rng
        W = self.W
        region = r.choice(["US-W", "UK", "DE", "IN", "SG", "BR"])
        E = W.start + r.randint(1, W.days - 3) * DAY + int((9 - N.REGIONS[region][0]) * HOUR)
        name = r.choice(["buildweek", "hackmit", "devjam", "agentathon"])
        asn = r.choice(N.REGIONS[region][2])
        ips = N.pool(r, asn, 2, same24=True)
        c = self.camp("hackathon", "benign", event=name, start=iso_s(E), note="accounts created at the venue within two hours, free credits")
        for _ in range(self.sc(150, 0.8, lo=4)):
            a = self.acct("hackathon_participant", "benign", c, region=region)
            a.net = N.Net("office", asn, ips, sticky=0.95)
            a.net.alt = N.home_net(r, region, 0.2)
            a.net.p_alt = 0.15
            a.ua = self.ua_sdk() if r.random() < 0.6 else self.ua_agent()
            a.org = "hack-" + name
            a.signup = E - 2 * HOUR + r.randint(0, 4 * HOUR)
            a.sched = dict(profile="flat", L=r.uniform(5, 25), gap=20_000, sig=1.0, **{"from": a.signup + 10 * 60000, "to": E + 40 * HOUR})
            a.plan = ("adopt", self.tiers("code"), 0, 0.8)
            a.meta = {"mix": (0.1, 0.5, 0.4), "ds": "code", "base": 0, "span": 100, "flavour": "You are a hackathon coding agent."}
            a.beh = B.mixed
            a.vol = lognorm(r, 60, 1.0)

    def perturb_study(self):
        r = self.rng
        W = self.W
        uni = r.choice(UNIS)
        region = r.choice(["US-E", "UK", "DE", "NL" if False else "FR"])
        asn = N.NREN.get(region.split("-")[0], 11537)
        ips = N.pool(r, asn, 2, same24=True)
        bases = [T.dataset_item(r.choice(["sci-p", "logic-p", "math-p"]), i)[0] for i in range(r.randint(15, 40))]
        nper = r.randint(8, 24)
        c = self.camp("prompt_perturbation_study", "benign", university=uni, base_prompts=len(bases), perturbations_per_prompt=nper)
        cloud = N.cloud_net(r, "gcp", n=3)
        for _ in range(r.randint(2, 5)):
            a = self.acct("perturbation_study", "benign", c, region=region, lang="en")
            a.net = N.Net("univ", asn, ips)
            a.net.alt, a.net.p_alt = cloud, 0.5
            a.ua = "python-httpx/0.27.0"
            a.org = "lab-" + uni
            a.payment = W.pay("corp:lab-" + uni)
            self.signup_past(a, 20, 400)
            a.sched = dict(profile="night", L=r.choice([300, 600]), gap=r.uniform(600, 2000), sig=0.3)
            a.plan = ("eval",)
            a.meta = {"bases": bases, "nper": nper}
            a.st["c"] = r.randrange(len(bases) * nper)
            a.beh = B.perturb
            a.vol = lognorm(r, 2500, 0.5)

    def households(self, n):
        r = self.rng
        W = self.W
        for _ in range(n):
            region = N.region_pick(r)
            c = self.camp("household", "benign", note="family sharing one card and home connection")
            home = N.home_net(r, region, 0)
            pay = W.pay("card:hh%d" % len(self.camps))
            for _ in range(r.randint(2, 4)):
                a = self.casual(1, "household_member", region=region)
                c["accounts"].append(a.id)
                a.campaign = c["id"]
                a.net = N.Net("home", home.asn, list(home.ips), home.p64, sticky=0.97)
                a.net.alt, a.net.p_alt = N.mobile_net(r, region), r.uniform(0, 0.4)
                a.payment = pay

    def small_teams(self, n):
        r = self.rng
        W = self.W
        for _ in range(n):
            region = N.region_pick(r)
            org = self.org_name()
            pay = W.pay("corp:" + org)
            spec = self.team_net(region, 1)
            c = self.camp("small_company", "benign", org=org)
            for _ in range(r.randint(3, 10)):
                self.developers(1)
                a = self.accts[-1]
                a.persona = "small_company_dev"
                c["accounts"].append(a.id)
                a.campaign = c["id"]
                a.region, a.tz = region, N.REGIONS[region][0]
                a.net = self.net_from(spec)
                a.net.alt, a.net.p_alt = N.home_net(r, region, 0.2), 0.3
                a.org, a.payment = org, pay

    # ---------------------------------------------------------------- attack helpers
    def a_infra(self, kind, n, c):
        """returns a function(acct index) -> Net"""
        r = self.rng
        if kind == "cloud":
            prov = r.choice(["aws", "gcp", "azure", "hetzner", "ovh", "do", "vultr", "linode", "alibaba", "tencent", "oracle"])
            shared = r.random() < 0.4
            pool = None
            if shared:
                asn = r.choice(N.CLOUD[prov])
                pool = N.pool(r, asn, r.randint(2, 8))
            c["infra"] = "cloud:%s%s" % (prov, ":shared-pool" if shared else ":per-account")
            return lambda j: N.cloud_net(r, prov, ips=pool) if pool else N.cloud_net(r, prov, n=r.randint(1, 3))
        if kind == "vpn":
            names = r.sample(list(N.VPN), r.randint(1, 3))
            c["infra"] = "vpn:" + ",".join(names)
            return lambda j: N.vpn_net(r, r.choice(names))
        if kind == "resproxy":
            c["infra"] = "residential-proxy"
            sticky = r.choice([0.0, 0.6, 0.95])

            def f(j):
                n_ = N.Net("resproxy", sticky=sticky)
                if r.random() < 0.5:
                    n_.reg = N.region_pick(r)
                return n_
            return f
        # reseller proxy egress
        hosting = r.choice([("hetzner", 24940), ("ovh", 16276), ("alibaba", 45102), ("tencent", 132203), ("hk", 4760), ("vultr", 20473), ("sg", 4773)])
        ips = N.pool(r, hosting[1], r.randint(3, 16), same24=r.random() < 0.5)
        c["infra"] = "proxy-egress:%s(%d ips)" % (hosting[0], len(ips))
        return lambda j: N.Net("proxy", hosting[1], ips, sticky=0.3)

    def a_cards(self, mode, c):
        r = self.rng
        W = self.W
        c["payment_mode"] = mode
        if mode == "shared":
            cards = [W.pay("atk:%s:%d" % (c["id"], i)) for i in range(r.randint(1, 3))]
            return lambda j: cards[j % len(cards)]
        if mode == "pool":
            cards = [W.pay("atk:%s:%d" % (c["id"], i)) for i in range(r.randint(4, 40))]
            return lambda j: r.choice(cards)
        if mode == "none":
            return lambda j: None
        return lambda j: W.pay("atk:%s:u%d" % (c["id"], j))

    def a_signups(self, mode, n, c, ref=None):
        r = self.rng
        W = self.W
        ref = ref or W.start
        c["signup_mode"] = mode
        if mode == "burst":
            t0 = ref - r.randint(1, 12) * DAY + r.randint(0, 23) * HOUR
            gap = r.randint(20, 600) * 1000
            return [t0 + i * gap + r.randint(0, gap // 3) for i in range(n)]
        if mode == "spaced":
            t0 = ref - r.randint(14, 90) * DAY
            span = (ref + r.randint(0, 3) * DAY) - t0
            step = span / max(1, n)
            return [int(t0 + i * step + r.uniform(0, step * 0.6)) for i in range(n)]
        if mode == "fresh":
            return sorted(W.start + r.randint(0, int(W.days * 0.8) * DAY) for _ in range(n))
        return [ref - r.randint(90, 700) * DAY - r.randint(0, DAY) for _ in range(n)]  # aged

    def a_ua(self, mode, c):
        r = self.rng
        c["ua_mode"] = mode
        if mode == "fixed":
            u = r.choice(["python-httpx/0.27.0", "aiohttp/3.9.5 Python/3.11", "python-requests/2.31.0", self.ua_sdk(), "Go-http-client/2.0"])
            return lambda j: u
        if mode == "rotate":
            return lambda j: self.ua_sdk() if r.random() < 0.6 else self.ua_browser()
        return lambda j: self.ua_browser()

    def a_orgs(self, mode, c):
        r = self.rng
        c["org_mode"] = mode
        if mode == "variants":
            base = r.choice(SYL) + r.choice(SYL)
            return lambda j: "%s-%s%d" % (base, r.choice(SUF), r.randint(1, 99))
        if mode == "unique":
            return lambda j: self.org_name(r.choice(["slug", "title"]))
        if mode == "shared":
            o = self.org_name("title")
            return lambda j: o
        return lambda j: None

    def a_common(self, c, persona, n, infra, cards, signups, ua, orgs, lang=None, region=None):
        r = self.rng
        fnet = self.a_infra(infra, n, c)
        fpay = self.a_cards(cards, c)
        su = self.a_signups(signups, n, c)
        fua = self.a_ua(ua, c)
        forg = self.a_orgs(orgs, c)
        out = []
        for j in range(n):
            reg = region(r) if callable(region) else region
            a = self.acct(persona, "attack", c, region=reg, lang=lang(r) if callable(lang) else lang)
            a.j, a.n = j, n
            a.net = fnet(j)
            a.payment = fpay(j)
            a.signup = su[j]
            a.ua = fua(j)
            a.org = forg(j)
            out.append(a)
        return out

    def sync_starts(self, c, t0, t1, period):
        r = self.rng
        out = []
        t = t0 + r.randrange(0, period)
        while t < t1:
            out.append(int(t))
            t += period * r.uniform(0.9, 1.1)
        c["sync_period_h"] = round(period / HOUR, 2)
        return out

    def x_timing(self, c, accts, L, gap, sig, flat=True, sync=None, tz=None):
        r = self.rng
        W = self.W
        starts = None
        if sync:
            starts = self.sync_starts(c, W.start, W.end, sync)
        for a in accts:
            a.sched = dict(profile="flat" if flat else "human", L=L, gap=gap, sig=sig, uneven=r.random() < 0.5)
            if starts:
                a.sched["starts"] = starts
                a.sched["sync_jitter"] = r.choice([5_000, 60_000, 300_000])
            if a.signup is not None and a.signup > W.start:
                a.sched["from"] = a.signup + r.randint(5 * 60000, 6 * HOUR)
            if tz is not None:
                a.tz = tz

    def x_plan(self, c, accts, pivot_p=0.5, tier=(0, 0.2, 0.8, 0)):
        r = self.rng
        if r.random() < pivot_p:
            d, p = r.randint(1, 20) * HOUR, r.uniform(0.5, 0.95)
            c["pivot_delay_h"], c["pivot_share"] = d // HOUR, round(p, 2)
            for a in accts:
                a.plan = ("adopt", tier, d + r.randint(0, 3 * HOUR), p)
        else:
            c["pivot_delay_h"] = None
            for a in accts:
                a.plan = ("old", tier)

    # ---------------------------------------------------------------- attack campaigns
    def template_sweep(self):
        r = self.rng
        n = self.asz(logu(r, 3, 60), 2)
        ds = r.choice(["math", "code", "logic", "sci", "mlqa", "math-olymp", "code-contest"])
        tmpl = r.choice(T.COT_ATTACK_EN + [
            "Solve the following problem. Provide a detailed, well-structured solution.\n\n{x}", "{x}",
            "Answer the question below as an expert would, with a complete explanation.\n\n{x}", "Q: {x}\nA: Let's think step by step."])
        base = 0 if r.random() < 0.3 else r.randrange(0, 80000)
        c = self.camp("template_sweep", "attack", dataset=ds, template=tmpl, item_base=base, coverage="stride shards, disjoint per account")
        infra = r.choice(["cloud", "cloud", "vpn", "resproxy", "proxy"])
        acc = self.a_common(c, "sweep_worker", n, infra, r.choice(["shared", "pool", "unique"]), r.choice(["burst", "burst", "aged", "spaced"]),
                            r.choice(["fixed", "fixed", "rotate"]), r.choice(["variants", "unique", "none", "shared"]),
                            lang="en", region=lambda rr: rr.choice(["US-W", "US-E", "SG", "HK", "UK", "DE"]))
        spi = r.choice([1, 1, 2, 4])
        sysp = r.choice([None, None, "You are a helpful assistant.", "You are an expert tutor. Always show complete reasoning."])
        pa = r.random() < 0.3
        c.update(samples_per_item=spi, system_prompt=sysp, prompt_api=pa, size=n)
        sync = r.choice([None, r.randint(1, 6) * HOUR])
        self.x_timing(c, acc, L=r.choice([50, 150, 400]), gap=r.uniform(2000, 15000), sig=r.uniform(0.1, 0.4), sync=sync)
        self.x_plan(c, acc, 0.5)
        mv = r.uniform(400, 1500)
        c["mean_volume_design"] = round(mv)
        for a in acc:
            a.meta = {"ds": ds, "tmpl": tmpl, "base": base, "spi": spi, "sys": sysp, "prompt_api": pa}
            a.beh = B.sweep
            a.vol = lognorm(r, mv, 0.35)

    def hydra(self, mix):
        r = self.rng
        W = self.W
        n = self.asz(logu(r, 50, 400), 5)
        xk = r.choice(["sweep", "cot", "tool", "rubric", "cot", "sweep"])
        ds = r.choice(["math", "code", "logic", "sci", "mlqa", "agentic"])
        c = self.camp("hydra_cluster", "attack", extraction=xk, dataset=ds, mix_rate=round(mix, 4), size=n,
                      note="reseller proxy spreading resold customer traffic over many accounts; extraction mixed in")
        infra = "proxy" if r.random() < 0.75 else "resproxy"
        if infra == "proxy" and r.random() < 0.25 and getattr(self, "_last_proxy", None):
            c["shares_proxy_with"] = self._last_proxy[0]
        fnet = self.a_infra(infra, n, c)
        if c.get("shares_proxy_with"):
            fnet = self._last_proxy[1]
            c["infra"] = self._last_proxy[2]
        if infra == "proxy":
            self._last_proxy = (c["id"], fnet, c["infra"])
        fpay = self.a_cards(r.choice(["pool", "pool", "unique", "shared"]), c)
        su = self.a_signups("spaced", n, c)
        passthrough = r.random() < 0.5
        c["ua_mode"] = "passthrough" if passthrough else "proxy"
        pua = r.choice(PROXY_UA)
        forg = self.a_orgs(r.choice(["unique", "none", "variants"]), c)
        cust_tz = r.choice([8, 8, 9, 3, 5.5, 0])
        c["customer_tz"] = cust_tz
        langs = {8: ["zh", "zh", "en"], 9: ["ko", "ja", "en"], 3: ["ru", "en", "tr"], 5.5: ["en", "hi"], 0: ["en", "de", "fr"]}[cust_tz]
        tmpls = r.sample(T.COT_ATTACK_EN, 2)
        sysp = r.choice([None, "You are a helpful assistant."])
        tmpl = r.choice(T.COT_ATTACK_EN + ["{x}", "Solve step by step and give the final answer.\n\n{x}"])
        rub = r.choice(T.RUBRIC_TEMPLATES)
        crit = r.sample(T.RUBRIC_CRIT, 3)
        base = r.randrange(0, 90000)
        pivot = r.random() < 0.6
        d = r.randint(2, 20) * HOUR
        c["pivot_delay_h"] = d // HOUR if pivot else None
        mv = r.uniform(40, 160)
        c["mean_volume_design"] = round(mv)
        reg_pool = {8: ["HK", "SG", "TW"], 9: ["KR", "JP"], 3: ["TR", "PL"], 5.5: ["IN"], 0: ["UK", "DE"]}[cust_tz]
        ua_pool = [self.ua_sdk() for _ in range(12)] + [self.ua_browser() for _ in range(6)] + ["curl/8.5.0", "python-requests/2.31.0"]
        for j in range(n):
            a = self.acct("hydra_account", "attack", c, region=r.choice(reg_pool), lang=r.choice(langs))
            a.j, a.n = j, n
            a.net = fnet(j)
            a.payment = fpay(j)
            a.signup = su[j]
            a.ua = ua_pool if passthrough else pua
            a.org = forg(j)
            a.tz = cust_tz
            a.sched = dict(profile=r.choice(["human", "human", "flat"]), L=r.uniform(1.5, 4), gap=30_000, sig=1.0)
            if a.signup > W.start:
                a.sched["from"] = a.signup + r.randint(HOUR, 12 * HOUR)
            a.plan = ("adopt", self.tiers("dev"), d + r.randint(0, 4 * HOUR), r.uniform(0.4, 0.65)) if pivot else ("gradual", self.tiers("dev"), 0.3, 120 * HOUR)
            mr = min(0.6, max(0.005, mix * math.exp(0.25 * r.gauss(0, 1))))
            a.meta = {"mixrate": mr, "xkind": xk, "mix": (0.5, 0.3, 0.12), "ds": ds if xk != "tool" else "x", "base": base, "span": 5000,
                      "tmpl": tmpl, "tmpls": tmpls, "sys": sysp, "spi": 1, "flavour": "You are an autonomous agent. Complete the task using the tools.",
                      "crit": crit, "cand": 2, "depths": 3, "langs": langs,
                      "rds": r.choice(["math-c", "logic-c", "sci-c"]), "rbase": r.randrange(100000)}
            if xk == "rubric":
                a.meta["tmpl"] = rub
            a.beh = B.hydra
            a.vol = lognorm(r, mv, 0.3)

    def cot_farm(self):
        r = self.rng
        n = self.asz(r.randint(10, 80), 2)
        ds = r.choice(["mlqa", "sci", "math", "logic", "mlqa"])
        langs = r.sample(["zh", "ko", "ja", "ru", "es", "ar", "vi", "id", "tr", "de", "fr", "pt", "hi"], r.randint(2, 6)) + ["en"]
        tmpls = r.sample(T.COT_ATTACK_EN, 2)
        c = self.camp("cot_elicitation_farm", "attack", dataset=ds, languages=langs, templates=tmpls)
        acc = self.a_common(c, "cot_harvester", n, r.choice(["cloud", "vpn", "cloud", "resproxy"]), r.choice(["shared", "pool", "unique"]),
                            r.choice(["burst", "spaced", "aged"]), r.choice(["fixed", "rotate"]), r.choice(["variants", "unique", "none"]),
                            lang=lambda rr: rr.choice(langs), region=lambda rr: rr.choice(["SG", "HK", "US-W", "DE", "JP", "KR"]))
        self.x_timing(c, acc, L=r.choice([60, 120, 300]), gap=r.uniform(3000, 12000), sig=r.uniform(0.15, 0.5),
                      sync=r.choice([None, r.randint(2, 8) * HOUR]))
        self.x_plan(c, acc, 0.6)
        base = r.randrange(0, 50000)
        mv = r.uniform(250, 1200)
        c.update(mean_volume_design=round(mv), size=n)
        for a in acc:
            a.meta = {"ds": ds, "tmpls": tmpls, "base": base, "langs": langs, "p_en": r.uniform(0.1, 0.4)}
            a.beh = B.cotfarm
            a.vol = lognorm(r, mv, 0.4)

    def rubric_farm(self):
        r = self.rng
        n = self.asz(r.randint(5, 40), 2)
        tmpl = r.choice(T.RUBRIC_TEMPLATES)
        crit = r.sample(T.RUBRIC_CRIT, r.randint(2, 5))
        c = self.camp("rubric_grading_farm", "attack", template=tmpl, criteria=crit)
        acc = self.a_common(c, "rubric_harvester", n, r.choice(["cloud", "vpn", "proxy"]), r.choice(["shared", "pool", "unique"]),
                            r.choice(["burst", "aged", "spaced"]), r.choice(["fixed", "rotate"]), r.choice(["variants", "unique", "shared"]), lang="en")
        self.x_timing(c, acc, L=r.choice([50, 200]), gap=r.uniform(2000, 9000), sig=r.uniform(0.1, 0.5), sync=r.choice([None, 3 * HOUR]))
        self.x_plan(c, acc, 0.4)
        sysp = r.choice([None, "You are a reward model.", "You are an impartial judge."])
        vary = r.random() < 0.4
        base = r.randrange(0, 40000)
        mv = r.uniform(250, 1000)
        c.update(system_prompt=sysp, vary_criteria=vary, mean_volume_design=round(mv), size=n)
        for a in acc:
            a.meta = {"tmpl": tmpl, "crit": crit, "sys": sysp, "vary": vary, "ds": "z", "base": base, "cand": r.randint(1, 4)}
            a.beh = B.rubricfarm
            a.vol = lognorm(r, mv, 0.4)

    def tool_farm(self):
        r = self.rng
        n = self.asz(r.randint(5, 30), 2)
        flavour = r.choice(["You are an autonomous agent operating in a simulated environment. Complete the task.",
                            "You are a coding agent working in the user's repository.", "You are a computer-use agent. Operate the desktop to finish the task."])
        extra = r.choice([[], [("think", "note")], [("submit_answer", "text"), ("ask_user", "question")]])
        c = self.camp("tool_trace_harvest", "attack", system_flavour=flavour, extra_tools=[e[0] for e in extra])
        acc = self.a_common(c, "tooltrace_harvester", n, r.choice(["cloud", "proxy", "vpn"]), r.choice(["shared", "pool", "unique"]),
                            r.choice(["burst", "aged", "spaced"]), r.choice(["fixed", "rotate"]), r.choice(["variants", "unique", "none"]), lang="en")
        self.x_timing(c, acc, L=r.choice([40, 120]), gap=r.uniform(3000, 15000), sig=r.uniform(0.2, 0.6), sync=r.choice([None, 4 * HOUR]))
        self.x_plan(c, acc, 0.6, tier=(0, 0, 0.6, 0.4))
        base = r.randrange(0, 30000)
        mv = r.uniform(150, 800)
        depths = r.randint(2, 5)
        c.update(depths=depths, mean_volume_design=round(mv), size=n)
        for a in acc:
            a.meta = {"ds": "t", "flavour": flavour, "extra": extra, "base": base, "depths": depths}
            a.beh = B.toolfarm
            a.vol = lognorm(r, mv, 0.4)

    def release_pivot(self):
        r = self.rng
        W = self.W
        n = self.asz(r.randint(5, 30), 2)
        d = r.randint(1, 12) * HOUR
        p = r.uniform(0.8, 0.95)
        mult = r.uniform(2.5, 5)
        c = self.camp("release_pivot", "attack", pivot_delay_h=d // HOUR, pivot_share=round(p, 2), post_release_volume_mult=round(mult, 2))
        acc = self.a_common(c, "pivot_harvester", n, r.choice(["cloud", "proxy", "vpn"]), r.choice(["shared", "pool", "unique"]),
                            r.choice(["aged", "spaced"]), r.choice(["fixed", "rotate"]), r.choice(["variants", "unique", "none"]), lang="en")
        self.x_timing(c, acc, L=r.choice([50, 100]), gap=r.uniform(2000, 8000), sig=0.3)
        ds = r.choice(["code", "math", "logic", "code-contest"])
        w = r.choice([(0.4, 0.3), (0.2, 0.6), (0.6, 0.1)])
        tmpl = r.choice(T.COT_ATTACK_EN)
        base = r.randrange(0, 40000)
        mv = r.uniform(200, 1000)
        c.update(dataset=ds, mix=w, mean_volume_design=round(mv), size=n)
        for a in acc:
            a.sched["mods"] = [(W.R + d, W.end, mult)]
            a.plan = ("adopt", (0, 0.1, 0.6, 0.3), d + r.randint(0, 2 * HOUR), p)
            a.meta = {"w": w, "ds": ds, "tmpl": tmpl, "tmpls": [tmpl], "base": base, "spi": 1, "flavour": "You are an autonomous coding agent.",
                      "depths": 3, "langs": ["en"]}
            a.beh = B.pivot
            a.vol = lognorm(r, mv, 0.4)

    def slow_low(self):
        r = self.rng
        W = self.W
        n = self.asz(r.randint(80, 300), 5)
        ds = r.choice(["math", "code", "logic", "sci", "mlqa"])
        tmpls = r.sample(T.COT_ATTACK_EN, r.randint(1, 3))
        edu = r.random() < 0.4
        c = self.camp("slow_and_low", "attack", dataset=ds, templates=tmpls, entry="education-program" if edu else "free-tier", size=n)
        acc = self.a_common(c, "slowlow_account", n, "resproxy", "none", r.choice(["fresh", "spaced", "burst"]), "rotate",
                            "none", lang="en")
        uni = r.choice(UNIS)
        base = r.randrange(0, 90000)
        for a in acc:
            if edu:
                a.org = "edu-" + r.choice([uni, r.choice(UNIS)])
            self.human_sched(a, r.choice(["human", "flat"]), L=r.uniform(2, 6), gap=r.uniform(20_000, 90_000), sig=0.6, pday=r.uniform(0.1, 0.5))
            if a.signup > W.start:
                a.sched["from"] = a.signup + r.randint(5 * 60000, 2 * HOUR)
            a.tz = r.choice([-5, 0, 1, 8, 5.5])
            a.plan = ("adopt", (0, 0.3, 0.7, 0), r.randint(1, 10) * HOUR, 0.7) if r.random() < 0.5 else ("old", (0, 0.3, 0.7, 0))
            a.meta = {"ds": ds, "tmpls": tmpls, "base": base}
            a.beh = B.slowlow
            a.vol = r.randint(3, 25)
            a.scal = False

    def adaptive(self):
        r = self.rng
        n = self.asz(r.randint(5, 40), 2)
        ds = r.choice(["math", "code", "logic", "sci"])
        cover = r.uniform(0.2, 0.5)
        c = self.camp("adaptive_adversary", "attack", dataset=ds, cover_share=round(cover, 2), size=n,
                      note="aged accounts, unique cards, residential exits, human timing, paraphrased prompts, cover chat")
        regs = r.sample(["US-E", "US-W", "UK", "DE", "CA", "AU"], 2)
        acc = self.a_common(c, "adaptive_account", n, "resproxy", "unique", "aged", "browser", "none", lang="en",
                            region=lambda rr: rr.choice(regs))
        base = r.randrange(0, 90000)
        for a in acc:
            a.net.sticky = 0.97
            a.net.reg = a.region
            self.human_sched(a, r.choice(["human", "work", "night"]), L=r.uniform(3, 8), gap=r.uniform(40_000, 150_000), sig=1.0, pday=r.uniform(0.4, 0.9))
            a.plan = ("gradual", (0, 0.4, 0.6, 0), r.uniform(0.4, 0.8), r.uniform(24, 96) * HOUR)
            a.meta = {"ds": ds, "cover": cover, "base": base}
            a.beh = B.adaptive
            a.vol = lognorm(r, r.uniform(60, 250), 0.5)

    def rewrite_farm(self):
        r = self.rng
        n = self.asz(r.randint(5, 20), 2)
        tmpl = r.choice([
            "Rewrite the following answer about {topic} so that it avoids any statement that could be considered politically sensitive, while keeping a factual tone.\n\nQuestion: {q}\nAnswer: {r}",
            "Produce a version of this answer that would pass a strict content review in all markets. Remove or soften claims about {topic}.\n\n{r}",
        ])
        c = self.camp("censorship_rewrite_farm", "attack", template=tmpl)
        acc = self.a_common(c, "rewrite_harvester", n, r.choice(["vpn", "cloud"]), r.choice(["shared", "pool"]), r.choice(["burst", "spaced"]),
                            "fixed", r.choice(["variants", "none"]), lang="en")
        self.x_timing(c, acc, L=r.choice([40, 100]), gap=r.uniform(3000, 10000), sig=0.3)
        self.x_plan(c, acc, 0.3)
        mv = r.uniform(200, 800)
        c.update(mean_volume_design=round(mv), size=n)
        for a in acc:
            a.meta = {"tmpl": tmpl, "ds": "r", "base": 0}
            a.beh = B.rewrite
            a.vol = lognorm(r, mv, 0.4)


def build(W, rng, nrec):
    P = Pop(W, rng, nrec)
    r = rng
    sc = P.sc
    # ---- benign
    P.casual(sc(9000))
    P.developers(sc(650))
    P.coding_teams(sc(7, 0.5), sc(60))
    P.ci_jobs(sc(22, 0.5))
    P.eval_runners(sc(r.randint(4, 8), 0.3))
    P.synth_licensed(r.randint(1, 2))
    P.cot_labs(sc(r.randint(3, 5), 0.3))
    P.student_classes(sc(r.randint(3, 5), 0.3))
    P.annotation_teams(r.randint(2, 3))
    P.apps(sc(r.randint(3, 5), 0.3), r.randint(1, 2), sc(22, 0.5), sc(14, 0.5))
    P.browser_ext(r.randint(1, 2))
    P.l10n(r.randint(1, 2))
    P.redteam(r.randint(1, 2))
    P.aggregator(2 if r.random() < 0.3 else 1)
    P.enterprise(2 if r.random() < 0.4 else 1)
    P.promo()
    P.mooc(r.randint(1, 2))
    P.crowd(r.randint(1, 2))
    if r.random() < 0.75:
        P.hackathon()
    P.perturb_study()
    P.households(sc(60))
    P.small_teams(sc(25, 0.7))
    P.cgnat(sc(1400))
    P.vpn_users(sc(200))
    P.early_adopters(sc(120))
    P.univ_nat(sc(250))
    # ---- attack
    for _ in range(r.randint(2, 4)):
        P.template_sweep()
    nh = r.randint(3, 4)
    mixes = [r.uniform(0.04, 0.06) for _ in range(r.randint(2, 3))]
    while len(mixes) < nh:
        mixes.append(logu(r, 0.01, 0.5))
    r.shuffle(mixes)
    for m in mixes:
        P.hydra(m)
    for _ in range(r.randint(1, 2)):
        P.cot_farm()
    for _ in range(r.randint(1, 2)):
        P.rubric_farm()
    for _ in range(r.randint(1, 2)):
        P.tool_farm()
    for _ in range(r.randint(1, 2)):
        P.release_pivot()
    for _ in range(r.randint(1, 2)):
        P.slow_low()
    for _ in range(r.randint(1, 3)):
        P.adaptive()
    if r.random() < 0.5:
        P.rewrite_farm()
    return P
