"""Population: benign personas and groups, attack campaigns, and their planners.

Each builder creates accounts (identity, network, behaviour) once, and registers
a planner that produces the account's request timestamps.  Planners are
re-run with a volume multiplier until the total matches --records.
"""
import math

import behav
import net
from bank import ch
from content import ri
from world import (Acct, sub_rng, human_times, rate_times, cron_times, burst, pick_cum, cum, local_hour, local_weekday,
                   PROF, H, DAY, MIN, poisson)

SEC = 1000


# ------------------------------------------------------------------ helpers
class Ctx:
    def __init__(self, w):
        self.w = w
        self.r = sub_rng(w.seed, "population")
        self.ids = set()
        self.gid = {}
        self.family = []

    def n(self, base, mn):
        return max(mn, int(round(base * self.w.s)))

    def gname(self, prefix):
        k = self.gid.get(prefix, 0) + 1
        self.gid[prefix] = k
        return "%s-%d" % (prefix, k)


def new_acct(c, persona, label, campaign, beh, region=None, group=None):
    w = c.w
    a = Acct()
    a.idx = len(w.accounts)
    while True:
        i = net.account_id(c.r)
        if i not in c.ids:
            c.ids.add(i)
            break
    a.id = i
    a.persona = persona
    a.label = label
    a.campaign = campaign
    a.group = group
    a.beh = beh
    a.r = sub_rng(w.seed, "acct", a.idx)
    r = c.r
    a.region = region or r.choices(net.REGION_KEYS, net.REGION_W)[0]
    reg = net.REGIONS[a.region]
    a.tz = ch(r, reg[1])
    for lg, p in reg[4].items():
        if r.random() < p:
            a.lang = lg
    a.habits = (r.random() < 0.3, r.random() < 0.25, r.random() < 0.5)
    a.signup = None
    a.t0 = w.start_ms
    a.t1 = w.end_ms
    w.accounts.append(a)
    return a


def aged(c, a, med_days=150.0, sigma=1.1, lo=1.0, hi=1400.0, legacy_p=0.03):
    r = c.r
    d = min(hi, max(lo, med_days * r.lognormvariate(0, sigma)))
    a.signup = int(c.w.start_ms - d * DAY - r.random() * H)
    if r.random() < legacy_p and d > 400:
        a.signup = None


def signup_at(c, a, t):
    a.signup = int(t)
    a.t0 = max(a.t0, int(t) + int(MIN * (1 + 20 * c.r.random())))


def payment_personal(c, a, free_p):
    r = c.r
    if r.random() < free_p:
        return
    if c.family and r.random() < 0.04:
        a.payment = ch(r, c.family)
        return
    a.payment = net.payment_id(r)
    if r.random() < 0.05:
        c.family.append(a.payment)


def cloud_pool(c, n, asns=None, spread=1):
    r = c.r
    asn = ch(r, asns or [16509, 14618, 15169, 396982, 8075, 14061, 24940, 16276, 63949, 20473, 31898])
    return net.subnet_pool(asn, r, n, spread)


def add(w, a, times, aux=None):
    w.pt[a.idx].extend(times)
    if aux is not None:
        pa = w.pa[a.idx]
        if pa is None:
            pa = w.pa[a.idx] = [0] * (len(w.pt[a.idx]) - len(times))
        pa.extend(aux)
    elif w.pa[a.idx] is not None:
        w.pa[a.idx].extend([0] * len(times))


def e_draw(r, median, sigma, hi):
    return min(hi, max(1.0, median * r.lognormvariate(0, sigma)))


def human_planner(w, name, accts, prof, weekend, turns, gap, day_sigma=1.0, gap_sigma=0.9):
    def plan(mult):
        r = sub_rng(w.seed, "plan", name)
        for a in accts:
            p = prof if isinstance(prof, str) else prof(a)
            add(w, a, human_times(r, w, a.tz, a.E * mult, a.t0, a.t1, p, weekend, turns, gap, day_sigma, gap_sigma))
    w.planners.append(plan)


def campaign(w, cid, kind, label, accts, **params):
    d = {"id": cid, "kind": kind, "label": label, "accounts": [a.id for a in accts]}
    d.update(params)
    w.campaigns.append(d)
    return d


def dist(r, spec):
    return [(k, v) for k, v in spec]


M_CASUAL = [("flash", .5), ("pro", .4), ("legacy", .04), ("reason", .06)]
M_DEV = [("pro", .6), ("flash", .25), ("reason", .1), ("legacy", .05)]
M_FLAG = [("pro", .7), ("reason", .3)]
M_CHEAP = [("flash", .9), ("pro", .1)]


def general_adoption(r, a, p=0.35, hi=0.4, lag=120):
    if r.random() < p:
        a.adopt = 0.05 + r.random() * (hi - 0.05)
        a.lag = r.random() * lag
        a.ramp = 48.0


# ================================================================== benign
def build_casual(c):
    w, r = c.w, c.r
    accts = []
    for _ in range(c.n(2500, 40)):
        a = new_acct(c, "casual", "benign", None, None)
        cw = [("casual", 70), ("foreign", 15 if a.lang else 0), ("hw", 6), ("science", 5), ("cot", 1.5), ("dev", 4),
              ("work", 5), ("translate", 3)]
        a.beh = behav.ChatBeh(cw, cont=0.5 + 0.3 * r.random())
        a.set_models(w, M_CASUAL)
        general_adoption(r, a)
        a.net = net.Home(r, a.region, w, mobfrac=0.12)
        a.ua = net.ua_browser(r)
        if r.random() < 0.35:
            a.ua2 = net.ua_mobile_app(r, w.brand)
        payment_personal(c, a, 0.45)
        if r.random() < 0.2:
            a.org = net.org_id(r)
        a.E = e_draw(r, 9, 1.3, 2500)
        if r.random() < 0.08:
            signup_at(c, a, w.start_ms + r.random() * (w.end_ms - w.start_ms - 6 * H))
            a.E *= (a.t1 - a.t0) / (w.end_ms - w.start_ms)
        else:
            aged(c, a)
        accts.append(a)
    human_planner(w, "casual", accts, lambda a: "evening" if a.idx % 3 == 0 else "human", 1.2, 2.2, 60)


def build_mobile(c):
    w, r = c.w, c.r
    accts = []
    for _ in range(c.n(1000, 20)):
        a = new_acct(c, "mobile_user", "benign", None, None)
        a.beh = behav.ChatBeh([("casual", 80), ("foreign", 15 if a.lang else 0), ("hw", 4), ("translate", 4), ("science", 2)],
                              cont=0.45)
        a.set_models(w, [("flash", .8), ("pro", .2)])
        general_adoption(r, a, 0.2, 0.3)
        reg = net.REGIONS[a.region]
        if r.random() < 0.75:
            a.net = net.Pool(w.cgnat(ch(r, reg[3])))
        else:
            a.net = net.Home(r, a.region, w, mobfrac=0.7)
        a.ua = net.ua_mobile_app(r, w.brand)
        payment_personal(c, a, 0.6)
        a.E = e_draw(r, 7, 1.1, 800)
        if r.random() < 0.12:
            signup_at(c, a, w.start_ms + r.random() * (w.end_ms - w.start_ms - 6 * H))
            a.E *= (a.t1 - a.t0) / (w.end_ms - w.start_ms)
        else:
            aged(c, a, 90)
        accts.append(a)
    human_planner(w, "mobile", accts, "evening", 1.3, 1.8, 45)


def build_vpn(c):
    w, r = c.w, c.r
    accts = []
    pool = w.vpn_pool()
    for _ in range(c.n(220, 8)):
        a = new_acct(c, "vpn_user", "benign", None, None)
        a.beh = behav.ChatBeh([("casual", 55), ("dev", 20), ("foreign", 10 if a.lang else 0), ("work", 10), ("cot", 2), ("science", 5)])
        a.set_models(w, M_CASUAL)
        general_adoption(r, a)
        a.net = net.Mixed([net.Pool(pool, sticky=0.3), net.Home(r, a.region, w, 0.1)], [0.8, 0.2])
        a.ua = net.ua_browser(r) if r.random() < 0.7 else net.ua_sdk(r)
        payment_personal(c, a, 0.35)
        a.E = e_draw(r, 12, 1.2, 1500)
        aged(c, a, 200)
        accts.append(a)
    human_planner(w, "vpn", accts, "human", 1.1, 2.2, 70)


def build_early(c):
    w, r = c.w, c.r
    accts = []
    for _ in range(c.n(110, 6)):
        a = new_acct(c, "early_adopter", "benign", None, None)
        a.beh = behav.ChatBeh([("casual", 30), ("dev", 30), ("cot", 8), ("science", 10), ("work", 10), ("hw", 2),
                               ("foreign", 5 if a.lang else 0)])
        a.set_models(w, M_DEV)
        a.adopt = 0.8 + 0.18 * r.random()
        a.lag = r.random() * (1.0 if r.random() < 0.5 else 8.0)
        a.ramp = 1.0 + 2 * r.random()
        a.net = net.Home(r, a.region, w, 0.15) if r.random() < 0.8 else net.Pool(cloud_pool(c, 2))
        a.ua = net.ua_browser(r) if r.random() < 0.5 else net.ua_sdk(r)
        a.payment = net.payment_id(r)
        a.org = net.org_id(r) if r.random() < 0.4 else None
        a.E = e_draw(r, 70, 0.9, 3000)
        aged(c, a, 300, 0.8)
        accts.append(a)

    def plan(mult):
        rr = sub_rng(w.seed, "plan", "early")
        for a in accts:
            add(w, a, human_times(rr, w, a.tz, a.E * mult, a.t0, a.t1, "owl", 1.0, 2.5, 80))
            # release-day binge: extra sessions in the 48h after the release
            t0 = w.rel + int(a.lag * H)
            add(w, a, human_times(rr, w, a.tz, a.E * mult * 0.35, t0, min(w.end_ms, t0 + 48 * H), "flat", 1.0, 3.0, 60))
    w.planners.append(plan)


def build_developers(c):
    w, r = c.w, c.r
    accts = []
    for _ in range(c.n(480, 15)):
        a = new_acct(c, "developer", "benign", None, None)
        a.beh = behav.ChatBeh([("dev", 70), ("casual", 10), ("work", 10), ("cot", 3), ("science", 5), ("translate", 2)], cont=0.6)
        a.set_models(w, M_DEV)
        general_adoption(r, a, 0.5, 0.7, 72)
        nets = [net.Home(r, a.region, w, 0.05), net.Pool(cloud_pool(c, 1)), net.Pool(cloud_pool(c, 3))]
        a.net = net.Mixed(nets, [0.6, 0.25, 0.15])
        a.ua = net.ua_sdk(r)
        if r.random() < 0.4:
            a.ua2 = net.ua_browser(r)
        if r.random() < 0.4:
            a.sys = ch(r, ["You are a helpful assistant.", "You are a senior software engineer. Answer with code first.",
                           "You are a concise coding assistant.", "Answer in Markdown."])
        payment_personal(c, a, 0.15)
        a.org = net.org_id(r) if r.random() < 0.3 else None
        a.E = e_draw(r, 40, 1.2, 4000)
        aged(c, a, 250)
        accts.append(a)
    human_planner(w, "dev", accts, lambda a: "owl" if a.idx % 2 else "work", 0.6, 2.5, 90)


def build_ci(c):
    w, r = c.w, c.r
    n = c.n(36, 4)
    per = 22000 * c.w.s / n
    accts = []
    for i in range(n):
        legacy = r.random() < 0.3
        fx = behav.CIFixtures(r, ri(r, 5, 40), legacy)
        a = new_acct(c, "ci_pipeline", "benign", None, behav.TemplBeh(fx))
        a.state["nfx"] = len(fx.fx)
        a.set_models(w, ch(r, [[("flash", 1.0)], [("pro", 1.0)], [("flash", .5), ("pro", .5)]]))
        if r.random() < 0.25:  # adds the new model to the test matrix on release day
            a.adopt, a.lag, a.ramp = 0.5, r.random() * 20, 0.1
        a.net = net.Pool(cloud_pool(c, 40, [8075], spread=8)) if r.random() < 0.6 else net.Pool(cloud_pool(c, 1))
        a.ua = net.ua_sdk(r, ch(r, ["py", "node", "httpx", "go"]))
        a.org = net.org_id(r)
        a.payment = net.payment_id(r)
        a.notok = r.random() < 0.1
        a.E = per * r.lognormvariate(0, 0.7)
        a.state["mode"] = ch(r, ["push", "push", "monitor"])
        aged(c, a, 200, 0.8)
        accts.append(a)

    def plan(mult):
        rr = sub_rng(w.seed, "plan", "ci")
        for a in accts:
            nfx = a.state["nfx"]
            E = a.E * mult
            if a.state["mode"] == "monitor":
                k = ri(rr, 1, 2)
                period = max(2 * MIN, int((w.end_ms - w.start_ms) * k / max(E, 1)))
                ts, aux = [], []
                for t in cron_times(rr, a.t0, a.t1, period, jitter_ms=3 * SEC):
                    for j in range(k):
                        ts.append(t + j * 700)
                        aux.append(j)
                add(w, a, ts, aux)
            else:
                runs = max(1, int(E / nfx))
                nightly = min(runs // 3, w.days)
                ts, aux = [], []
                starts = human_times(rr, w, a.tz, runs - nightly, a.t0, a.t1, "work", 0.15, 1.0, 1.0)
                starts += cron_times(rr, a.t0, a.t1, DAY, jitter_ms=2 * MIN)[:nightly]
                for s in starts:
                    for j, t in enumerate(burst(rr, s, nfx, 2200)):
                        if t < a.t1:
                            ts.append(t)
                            aux.append(j)
                add(w, a, ts, aux)
    w.planners.append(plan)


def build_agents(c):
    w, r = c.w, c.r
    accts = []
    for _ in range(c.n(190, 8)):
        fw = ch(r, ["langchain", "autogen", "custom", "ide", "langchain"])
        envs = r.sample(list(behav.items.TOOLS), ri(r, 1, 3))
        a = new_acct(c, "agent_framework", "benign", None, behav.AgentBeh(envs, fw, think=0.2 + 0.5 * r.random()))
        a.set_models(w, M_DEV)
        general_adoption(r, a, 0.5, 0.8, 48)
        a.net = net.Mixed([net.Home(r, a.region, w, 0.05), net.Pool(cloud_pool(c, 2))], [0.5, 0.5])
        a.ua = net.ua_sdk(r, {"langchain": "langchain", "autogen": "autogen", "ide": "node"}.get(fw, ch(r, ["py", "llamaindex", "httpx"])))
        payment_personal(c, a, 0.1)
        a.org = net.org_id(r) if r.random() < 0.5 else None
        a.E = e_draw(r, 120, 1.0, 6000)
        a.state["sched"] = r.random() < 0.25
        aged(c, a, 200)
        accts.append(a)

    def plan(mult):
        rr = sub_rng(w.seed, "plan", "agents")
        for a in accts:
            E = a.E * mult
            if a.state["sched"]:
                steps = ri(rr, 3, 12)
                period = max(10 * MIN, int((a.t1 - a.t0) * steps / max(E, 1)))
                ts = []
                for s in cron_times(rr, a.t0, a.t1, period, jitter_ms=20 * SEC):
                    ts += burst(rr, s, ri(rr, max(1, steps - 3), steps + 3), 5000, 0.6)
                add(w, a, [t for t in ts if t < a.t1])
            else:
                add(w, a, human_times(rr, w, a.tz, E, a.t0, a.t1, "work", 0.5, 8.0, 6.0, 1.0, 0.6))
    w.planners.append(plan)


def build_enterprises(c):
    w, r = c.w, c.r
    n_org = c.n(5, 2)
    sizes = [max(4, int(r.lognormvariate(math.log(110), 0.6) * w.s)) for _ in range(n_org)]
    tool_org = max(range(n_org), key=lambda i: sizes[i])
    zscaler = [(ip, asn) for asn in (53813, 62044) for ip, asn in net.subnet_pool(asn, r, 6, 3)]
    for i in range(n_org):
        company = ch(r, behav.bank.COMPANY)
        gid = c.gname("enterprise")
        org = net.org_id(r)
        pay = net.payment_id(r)
        region = r.choices(net.REGION_KEYS, net.REGION_W)[0]
        if r.random() < 0.4:
            egress = net.Pool(zscaler)
        else:
            own = 394000 + int(r.random() * 5000)
            net.ASNS.setdefault(own, (company + " Corp", "corp"))
            egress = net.Pool(net.subnet_pool(own, r, ri(r, 2, 6)))
        gw_ua = ("%sGPT-gateway/%d.%d" % (company.split()[0], ri(r, 1, 3), ri(r, 0, 9))) if r.random() < 0.6 else None
        prov = w.start_ms - int((30 + r.random() * 500) * DAY)
        accts = []
        for k in range(sizes[i]):
            a = new_acct(c, "enterprise_employee", "benign", gid, None,
                         region=region if r.random() < 0.8 else None, group=gid)
            a.beh = behav.ChatBeh([("work", 55), ("dev", 15), ("casual", 15), ("translate", 5), ("cot", 2), ("science", 3),
                                   ("foreign", 5 if a.lang else 0)])
            a.set_models(w, [("pro", .7), ("flash", .3)])
            a.adopt, a.lag, a.ramp = (0.6, 24 * (3 + 4 * r.random()), 24.0) if r.random() < 0.5 else (0, 0, 1)
            a.net = egress if r.random() < 0.85 else net.Mixed([egress, net.Home(r, a.region, w, 0)], [0.6, 0.4])
            a.ua = gw_ua or net.ua_browser(r)
            a.org, a.payment = org, pay
            a.E = e_draw(r, 30, 1.0, 1500)
            if r.random() < 0.6:
                a.signup = prov + int(r.random() * 40 * MIN)  # SSO batch provisioning
            elif r.random() < 0.1:
                signup_at(c, a, w.start_ms + int(r.random() * 5) * DAY + 9 * H - int(a.tz * H) + int(r.random() * 30 * MIN))
            else:
                aged(c, a, 120, 0.8, legacy_p=0)
            accts.append(a)
        campaign(w, gid, "enterprise_team", "benign", accts, company=company, egress="zscaler" if egress.pool is zscaler else "own",
                 shared_ua=bool(gw_ua))
        human_planner(w, gid, accts, "work", 0.1, 2.0, 90)
        if i == tool_org:
            build_enterprise_tool(c, company, org, pay, egress, gw_ua, region, prov)


def build_enterprise_tool(c, company, org, pay, egress, gw_ua, region, prov):
    w, r = c.w, c.r
    gid = c.gname("enterprise-tool")
    tool = behav.TicketTool(r, company)
    lag = 3 + 27 * r.random()
    n_staff = c.n(20, 3)
    n_svc = c.n(4, 1)
    accts = []
    total = 22000 * w.s
    for k in range(n_staff + n_svc):
        svc = k >= n_staff
        a = new_acct(c, "enterprise_tool", "benign", gid, behav.TemplBeh(tool), region=region, group=gid)
        a.set_models(w, [("pro", 1.0)])
        a.adopt, a.lag, a.ramp = 1.0, lag, 0.2
        a.net = egress
        a.ua = gw_ua or "ticketrouter/3.2 python-httpx/0.27.0"
        a.org, a.payment = org, pay
        a.signup = prov + int(r.random() * 30 * MIN) if not svc else min(prov + 200 * DAY, w.start_ms - 3 * DAY) + k * 1500
        a.state["svc"] = svc
        a.E = total * (0.45 / n_staff if not svc else 0.55 / n_svc)
        accts.append(a)
    campaign(w, gid, "enterprise_internal_tool", "benign", accts, company=company, switch_to_new_model_after_h=round(lag, 1))

    def plan(mult):
        rr = sub_rng(w.seed, "plan", gid)
        for a in accts:
            E = a.E * mult
            if a.state["svc"]:
                nb = max(1, w.days)
                ts = []
                for t in cron_times(rr, a.t0, a.t1, DAY, jitter_ms=10 * MIN, phase=int((2 - a.tz) % 24 * H)):
                    ts += burst(rr, t, max(1, int(E / nb)), 1200, 0.5)
                add(w, a, [t for t in ts if t < a.t1])
            else:
                add(w, a, human_times(rr, w, a.tz, E, a.t0, a.t1, "work", 0.05, 6.0, 40.0, 0.5, 0.8))
    w.planners.append(plan)


def build_rag_apps(c):
    w, r = c.w, c.r
    for base_n in (1400, 500):
        n = c.n(base_n, 10)
        app = ch(r, ["Ava", "Max", "Sunny", "Pip", "Nova", "Kit", "Echo", "Robin"]) + ch(r, ["", "Bot", " Assist", "Help"])
        company = ch(r, behav.bank.COMPANY)
        gid = c.gname("rag-app")
        ra = behav.RagApp(r, app, company)
        org, pay = net.org_id(r), net.payment_id(r)
        backend = net.Pool(cloud_pool(c, ri(r, 4, 12), spread=2))
        ua = "%s-backend/%d.%d python-httpx/0.27.0" % (app.replace(" ", "").lower(), ri(r, 1, 4), ri(r, 0, 12))
        market = r.sample(net.REGION_KEYS, 3)
        accts = []
        for _ in range(n):
            a = new_acct(c, "rag_app_user", "benign", gid, behav.TemplBeh(ra), region=ch(r, market), group=gid)
            a.set_models(w, [("flash", 1.0)])
            a.net = backend
            a.ua = ua
            a.org, a.payment = org, pay
            a.E = e_draw(r, 6, 1.0, 400)
            if r.random() < 0.3:
                signup_at(c, a, w.start_ms + r.random() * (w.end_ms - w.start_ms - 3 * H))
                a.t0 = a.signup + 500
                a.E *= (a.t1 - a.t0) / (w.end_ms - w.start_ms)
            else:
                aged(c, a, 60, 0.9, legacy_p=0)
            accts.append(a)
        campaign(w, gid, "rag_support_app", "benign", accts, app=app, company=company, shared_system_prompt_chars=len(ra.sys))
        human_planner(w, gid, accts, "human", 1.0, 1.6, 40)


def build_services(c):
    w, r = c.w, c.r
    for kind, base_t in (("translation", 12000), ("translation", 8000), ("summarization", 10000), ("rewriting", 10000)):
        gid = c.gname(kind + "-service")
        svc = behav.Service(r, kind)
        na = ri(r, 1, 4)
        org, pay = net.org_id(r), net.payment_id(r)
        pool = net.Pool(cloud_pool(c, ri(r, 2, 6)))
        ua = net.ua_sdk(r)
        tz = ch(r, [-5, 0, 1, 8, 9, -8])
        accts = []
        for k in range(na):
            a = new_acct(c, kind + "_service", "benign", gid, behav.TemplBeh(svc), group=gid)
            a.tz = tz
            a.set_models(w, ch(r, [M_CHEAP, [("flash", .6), ("pro", .4)]]))
            a.net, a.ua, a.org, a.payment = pool, ua, org, pay
            a.notok = r.random() < 0.15
            a.E = base_t * w.s * (0.7 if k == 0 else 0.3 / max(1, na - 1)) if na > 1 else base_t * w.s
            aged(c, a, 300, 0.6, legacy_p=0)
            accts.append(a)
        campaign(w, gid, kind + "_service", "benign", accts)

        def plan(mult, accts=accts, gid=gid):
            rr = sub_rng(w.seed, "plan", gid)
            for a in accts:
                E = a.E * mult
                prof = PROF["service"]
                tot = sum(prof)

                def rate(h, a=a, E=E):
                    lh = local_hour(h, a.tz)
                    wd = local_weekday(w, h, a.tz)
                    return E / w.days * prof[lh] / tot * (0.7 if wd >= 5 else 1.08)
                add(w, a, rate_times(rr, a.t0, a.t1, rate))
        w.planners.append(plan)


def build_benchmarks(c):
    w, r = c.w, c.r
    for i in range(c.n(3, 1)):
        gid = c.gname("benchmark-org")
        size = ri(r, 300, 1500)
        suite = behav.BenchSuite(r, ri(r, 1, 10 ** 9), size, cot=r.random() < 0.6)
        org, pay = net.org_id(r), net.payment_id(r)
        pool = net.Pool(cloud_pool(c, ri(r, 1, 4)))
        ua = ch(r, ["lm-eval-harness/0.4.%d python-httpx/0.27.0" % ri(r, 0, 5), "inspect-ai/0.3.%d" % ri(r, 10, 60),
                    "helm/0.5.%d" % ri(r, 0, 4), net.ua_sdk(r, "py")])
        accts = []
        for k in range(ri(r, 2, 6)):
            a = new_acct(c, "benchmark_org", "benign", gid, behav.TemplBeh(suite), group=gid)
            a.set_models(w, M_FLAG)
            a.net, a.ua, a.org, a.payment = pool, ua, org, pay
            a.state["legacy"] = r.random() < 0.3
            aged(c, a, 400, 0.5, legacy_p=0)
            accts.append(a)
        tgt = 26000 * w.s / c.n(3, 1)
        campaign(w, gid, "benchmark_org", "benign", accts, suite_size=size, cot=suite.cot,
                 release_day_run_after_h=None)
        cdict = w.campaigns[-1]

        def plan(mult, accts=accts, suite=suite, gid=gid, tgt=tgt, cdict=cdict):
            rr = sub_rng(w.seed, "plan", gid)
            runs = []  # (start, model, n_items)
            lag = 1 + 7 * rr.random()
            cdict["release_day_run_after_h"] = round(lag, 1)
            runs.append((w.rel + int(lag * H), w.M["new"], suite.size))
            if w.rel2:
                runs.append((w.rel2 + int((1 + 10 * rr.random()) * H), w.M["new2"], suite.size))
            budget = tgt * mult - sum(n for _, _, n in runs)
            t = w.start_ms + int(rr.random() * 2 * DAY)
            while budget > 0 and t < w.end_ms:
                m = ch(rr, [w.M["pro"], w.M["flash"], w.M["reason"], w.M["legacy"]] + ([w.M["new"]] if t > w.rel else []))
                n = min(suite.size, int(budget)) if rr.random() < 0.5 else min(int(budget), ri(rr, 50, 200))
                runs.append((t, m, max(1, n)))
                budget -= n
                t += int((0.5 + 3 * rr.random()) * DAY)
            suite.runs = [m for _, m, _ in runs]
            for ri_, (t0, m, n) in enumerate(runs):
                rate = 0.5 + 4 * rr.random()  # requests per second across the org
                order = list(range(suite.size))[:n] if n < suite.size else list(range(suite.size))
                for j, k in enumerate(order):
                    tt = int(t0 + j * 1000 / rate + rr.random() * 800)
                    if tt >= w.end_ms:
                        break
                    a = accts[j % len(accts)]
                    if tt >= a.t0:
                        add(w, a, [tt], [ri_ * 100000 + k])
        w.planners.append(plan)


def build_synth(c):
    w, r = c.w, c.r
    for i in range(c.n(2, 1)):
        gid = c.gname("licensed-synthetic-data")
        job = behav.SynthJob(r)
        org, pay = net.org_id(r), net.payment_id(r)
        pool = net.Pool(cloud_pool(c, ri(r, 1, 6)))
        ua = net.ua_sdk(r, "py")
        accts = []
        for k in range(ri(r, 2, 5)):
            a = new_acct(c, "synthetic_data_vendor", "benign", gid, behav.TemplBeh(job), group=gid)
            a.set_models(w, ch(r, [M_FLAG, [("pro", 1.0)]]))
            a.net, a.ua, a.org, a.payment = pool, ua, org, pay
            a.E = 30000 * w.s / c.n(2, 1)
            aged(c, a, 250, 0.4, legacy_p=0)
            accts.append(a)
        for a in accts:
            a.E /= len(accts)
        campaign(w, gid, "licensed_synthetic_data", "benign", accts, licensed=True)

        def plan(mult, accts=accts, gid=gid):
            rr = sub_rng(w.seed, "plan", gid)
            for a in accts:
                E = a.E * mult
                off = set(rr.sample(range(w.days), ri(rr, 0, 2)))

                def rate(h, E=E, off=off):
                    d = int((h - w.start_ms) // DAY)
                    return 0 if d in off else E / (w.days - len(off)) / 24
                add(w, a, rate_times(rr, a.t0, a.t1, rate))
        w.planners.append(plan)


def build_cot_researchers(c):
    w, r = c.w, c.r
    pools = {}
    labs = []
    for i in range(c.n(2, 1)):
        labs.append((c.gname("research-lab"), ch(r, [3, 32, 25, 786, 680, 1103, 2200, 7575, 2907, 559]), net.payment_id(r), ri(r, 3, 4)))
    solo = c.n(8, 2)
    accts_all = []
    for gid, asn, pay, k in labs + [(None, None, None, 1)] * solo:
        asn = asn or ch(r, [3, 32, 25, 786, 680, 1103, 2200, 7575, 2907, 559])
        if asn not in pools:
            pools[asn] = net.Pool(net.subnet_pool(asn, r, 6, 2), sticky=0.7)
        accts = []
        for _ in range(k):
            extreme = gid is None and not any(x.state.get("extreme") for x in accts_all)
            a = new_acct(c, "cot_researcher", "benign", gid,
                         behav.TemplBeh(behav.CoTResearch(r, ri(r, 1, 10 ** 9), ri(r, 200, 800), extreme)), group=gid)
            a.state["extreme"] = extreme
            a.set_models(w, [("pro", .4), ("reason", .3), ("flash", .2), ("legacy", .1)])
            a.adopt, a.lag, a.ramp = 0.5, 24 * r.random() * 3, 6.0
            a.net = net.Mixed([pools[asn], net.Home(r, a.region, w, 0)], [0.8, 0.2])
            a.ua = net.ua_sdk(r, ch(r, ["py", "requests", "httpx"]))
            a.payment = pay or net.payment_id(r)
            a.E = e_draw(r, 700, 0.7, 5000)
            aged(c, a, 500, 0.6)
            accts.append(a)
            accts_all.append(a)
        if gid:
            campaign(w, gid, "research_lab", "benign", accts)

    def plan(mult):
        rr = sub_rng(w.seed, "plan", "cot")
        for a in accts_all:
            E = a.E * mult
            add(w, a, human_times(rr, w, a.tz, E * 0.5, a.t0, a.t1, "work", 0.3, 6.0, 15.0, 1.0, 0.7))
            # overnight batch scripts
            nb = max(1, int(E * 0.5 / 200))
            for _ in range(nb):
                d = ri(rr, 0, w.days - 1)
                s = w.local_day_start(d, a.tz) + int((19 + 5 * rr.random()) * H)
                add(w, a, [t for t in burst(rr, s, ri(rr, 120, 280), 4000, 0.6) if a.t0 <= t < a.t1])
    w.planners.append(plan)


def build_classes(c):
    w, r = c.w, c.r
    for i in range(c.n(3, 1)):
        gid = c.gname("university-class")
        asn = ch(r, [3, 32, 25, 786, 680, 1103, 2200, 7575, 2907, 559])
        region = {3: "us", 32: "us", 25: "us", 786: "gb", 680: "de", 1103: "nl", 2200: "fr", 7575: "au", 2907: "jp", 559: "de"}[asn]
        campus = net.Pool(net.subnet_pool(asn, r, ri(r, 3, 8)))
        hw = behav.ClassHW(r, 3, ri(r, 6, 10))
        tz = net.REGIONS[region][1][0]
        # lab session where everyone signs up: inside the window for the first class
        sd = ri(r, 0, 2) if i == 0 else ri(r, -20, 3)
        sess = w.local_day_start(sd, tz) + int((9 + 6 * r.random()) * H)
        free = r.random() < 0.6
        grant = None if free else net.payment_id(r)
        n = c.n(ri(r, 40, 120), 8)
        accts = []
        for k in range(n + 1):
            a = new_acct(c, "student" if k else "instructor", "benign", gid, behav.TemplBeh(hw), region=region, group=gid)
            a.tz = tz
            a.set_models(w, [("flash", .7), ("pro", .3)])
            a.net = net.Mixed([campus, net.Home(r, region, w, 0.3)], [0.5, 0.5])
            a.ua = net.ua_browser(r)
            a.payment = grant
            if k == 0:
                aged(c, a, 400, 0.5, legacy_p=0)
            else:
                signup_at(c, a, sess + r.random() * 75 * MIN)
            a.E = e_draw(r, 20, 0.8, 300)
            accts.append(a)
        due = []
        for j in range(3):
            d = sd + 5 + 6 * j + ri(r, 0, 1)
            due.append(w.local_day_start(d, tz) + 23 * H + 59 * MIN)
        hw.due = due
        campaign(w, gid, "university_class", "benign", accts, signup_session=_iso(sess), free_tier=free, campus_asn="AS%d" % asn)

        def plan(mult, accts=accts, gid=gid, due=due, sess=sess):
            rr = sub_rng(w.seed, "plan", gid)
            for a in accts:
                E = a.E * mult
                ts = []
                if a.t0 < w.end_ms and sess >= w.start_ms and a.persona == "student":
                    ts += [t for t in burst(rr, a.t0 + rr.random() * 20 * MIN, ri(rr, 1, 4), 90 * SEC) if t < w.end_ms]
                for dd in due:
                    lo = max(a.t0, dd - int(2.5 * DAY))
                    if lo < min(a.t1, dd):
                        ts += human_times(rr, w, a.tz, E * 0.28, lo, min(a.t1, dd + H), "owl", 1.0, 3.0, 120)
                ts += human_times(rr, w, a.tz, E * 0.16, a.t0, a.t1, "owl", 1.0, 2.0, 120)
                add(w, a, ts)
        w.planners.append(plan)


def build_hackathon(c):
    w, r = c.w, c.r
    gid = c.gname("hackathon")
    region = ch(r, ["us", "gb", "de", "in", "sg", "fr"])
    tz = net.REGIONS[region][1][0]
    venue = net.Pool(net.subnet_pool(ch(r, [174, 6461, 3356]), r, ri(r, 3, 6)))
    d = ri(r, 2, max(2, w.days - 4))
    start = w.local_day_start(d, tz) + 9 * H + int(r.random() * H)
    end = start + (36 + 12 * int(r.random() * 2)) * H
    n = c.n(ri(r, 80, 180), 8)
    accts = []
    for k in range(n):
        beh = behav.ChatBeh([("dev", 60), ("casual", 15), ("work", 10), ("cot", 3)], cont=0.6) if r.random() < 0.7 else \
            behav.AgentBeh(r.sample(list(behav.items.TOOLS), 2), ch(r, ["langchain", "autogen", "custom"]))
        a = new_acct(c, "hackathon_participant", "benign", gid, beh, region=region, group=gid)
        a.tz = tz
        a.set_models(w, M_DEV)
        general_adoption(r, a, 0.5, 0.6, 24)
        a.net = net.Switch(venue, net.Home(r, region, w, 0.2), start - 2 * H, end + H)
        a.ua = net.ua_sdk(r) if r.random() < 0.7 else net.ua_browser(r)
        if r.random() < 0.8:
            signup_at(c, a, start - 30 * MIN + r.random() * 3 * H)
        else:
            aged(c, a, 200)
            a.t0 = w.start_ms
        a.payment = None if r.random() < 0.8 else net.payment_id(r)
        a.E = e_draw(r, 45, 0.8, 600)
        a.state["cont"] = r.random() < 0.3
        accts.append(a)
    campaign(w, gid, "hackathon", "benign", accts, start=_iso(start), end=_iso(end))

    def plan(mult):
        rr = sub_rng(w.seed, "plan", gid)
        for a in accts:
            E = a.E * mult
            add(w, a, human_times(rr, w, a.tz, E * 0.85, max(a.t0, start), min(end, w.end_ms), "flat", 1.0, 4.0, 40))
            if a.state["cont"] and end < w.end_ms:
                add(w, a, human_times(rr, w, a.tz, E * 0.3, end, w.end_ms, "owl", 1.0, 2.0, 60))
    w.planners.append(plan)


def build_graders(c):
    w, r = c.w, c.r
    for i in range(c.n(2, 1)):
        gid = c.gname("annotation-team")
        g = behav.Grader(r)
        org, pay = net.org_id(r), net.payment_id(r)
        region = ch(r, ["in", "ke", "ng", "us", "br", "gb"])
        corp = i % 2 == 1
        egress = net.Pool(cloud_pool(c, 2)) if corp else None
        ua = "annotate-ui/%d.%d" % (ri(r, 1, 5), ri(r, 0, 20))
        accts = []
        for k in range(c.n(ri(r, 8, 20), 3)):
            a = new_acct(c, "annotator", "benign", gid, behav.TemplBeh(g), region=region, group=gid)
            a.set_models(w, [("pro", 1.0)])
            a.net = egress or net.Home(r, region, w, 0.1)
            a.ua, a.org, a.payment = ua, org, pay
            a.E = e_draw(r, 450, 0.6, 3000)
            aged(c, a, 100, 0.8, legacy_p=0)
            accts.append(a)
        campaign(w, gid, "annotation_team", "benign", accts, shared_template=True)
        human_planner(w, gid, accts, "work", 0.3, 20.0, 25, 0.6, 0.6)


# ================================================================== attacks
def _attack_ids(c, kind):
    return c.gname("atk-" + kind)


def _signups(c, accts, mode, first_use):
    w, r = c.w, c.r
    if mode == "burst":
        t = first_use - (0.2 + 8 * r.random()) * DAY
        for a in accts:
            a.signup = int(t + r.random() * (1 + 5 * r.random()) * H)
    elif mode == "batches":
        t = first_use - (14 + 40 * r.random()) * DAY
        for j, a in enumerate(accts):
            if j % ri(r, 10, 40) == 0:
                t += r.random() * 2.5 * DAY
                base = t
            a.signup = int(base + r.random() * 20 * MIN)
    elif mode == "spread":
        for a in accts:
            a.signup = int(first_use - (1 + 60 * r.random()) * DAY)
    else:  # aged (bought / long-dormant accounts)
        for a in accts:
            a.signup = int(w.start_ms - (90 + 600 * r.random()) * DAY)
    for a in accts:
        if a.signup is not None:
            a.t0 = max(a.t0, a.signup + 10 * MIN)


def _payments(c, accts, mode):
    r = c.r
    if mode == "one":
        p = net.payment_id(r)
        for a in accts:
            a.payment = p
    elif mode == "few":
        ps = [net.payment_id(r) for _ in range(max(2, len(accts) // 6))]
        for a in accts:
            a.payment = ch(r, ps)
    elif mode == "pool":
        ps = [net.payment_id(r) for _ in range(max(2, len(accts) // ri(r, 4, 12)))]
        for a in accts:
            a.payment = ch(r, ps)
    elif mode == "unique":
        for a in accts:
            a.payment = net.payment_id(r)
    # "none": free / education path, no payment


def _infra(c, accts, mode):
    w, r = c.w, c.r
    if mode == "cloud_subnet":
        pool = net.Pool(cloud_pool(c, ri(r, 3, 12), spread=ri(r, 1, 2)))
        for a in accts:
            a.net = pool
    elif mode == "cloud_spread":
        for a in accts:
            a.net = net.Pool(cloud_pool(c, 1))
    elif mode == "vpn":
        pool = w.vpn_pool()
        for a in accts:
            a.net = net.Pool(pool, sticky=0.5)
    elif mode == "resi_proxy":
        asns = [k for k, v in net.ASNS.items() if v[1] in ("res", "mob")]
        rot = net.Rotating(asns)
        for a in accts:
            a.net = rot
    elif mode == "reseller_proxy":
        pool = []
        for asn in r.sample([45102, 132203, 24940, 16276, 20473, 14061, 51167], ri(r, 2, 3)):
            pool += net.subnet_pool(asn, r, ri(r, 3, 12), 2)
        p = net.Pool(pool)
        for a in accts:
            a.net = p
    elif mode == "residential_home":
        for a in accts:
            a.net = net.Home(r, a.region, w, 0.15)
    return mode


def _uas(c, accts, mode):
    r = c.r
    if mode == "same":
        u = net.ua_sdk(r, ch(r, ["py", "httpx", "requests", "go"]))
        for a in accts:
            a.ua = u
    elif mode == "router":
        u = ch(r, ["one-api/0.6.%d" % ri(r, 0, 11), "new-api/0.3.%d" % ri(r, 0, 9), "openai-python/1.35.%d" % ri(r, 0, 9),
                   "LiteLLM/1.4%d.0" % ri(r, 0, 9)])
        for a in accts:
            a.ua = u
    elif mode == "varied_sdk":
        for a in accts:
            a.ua = net.ua_sdk(r)
    else:
        for a in accts:
            a.ua = net.ua_browser(r)


def _stream_plan(w, name, accts, total, assign="round_robin", active_frac=0.85, start=None, end=None, tz=None,
                 prof="flat", episode=None, pivot=None):
    """Campaign-level request stream split over accounts (load balancing)."""

    def plan(mult):
        rr = sub_rng(w.seed, "plan", name)
        t0 = start or w.start_ms
        t1 = end or w.end_ms
        days = max(1, int(math.ceil((t1 - t0) / DAY)))
        off = set(d for d in range(days) if rr.random() > active_frac)
        if len(off) >= days:
            off = set()
        pw = PROF[prof]
        ptot = sum(pw)
        E = total * mult
        ep = episode[1] if episode else 1
        base = E / ep / (days - len(off)) / 24

        def rate(h):
            d = int((h - t0) // DAY)
            if d in off:
                return 0
            x = base * (24 * pw[local_hour(h, tz or 0)] / ptot)
            if pivot and h >= w.rel + pivot[0] * H:
                x *= pivot[1]
            return x
        starts = rate_times(rr, t0, t1, rate)
        k = 0
        live = [a for a in accts]
        per = {a.idx: ([], []) for a in accts}
        wts = cum([a.state.get("wt", 1.0) for a in live])
        for j, t in enumerate(starts):
            if assign == "round_robin":
                a = live[j % len(live)]
            else:
                a = live[pick_cum(rr, wts)]
            tries = 0
            while (t < a.t0 or t >= a.t1) and tries < 12:
                a = live[pick_cum(rr, wts)]
                tries += 1
            if t < a.t0 or t >= a.t1:
                continue
            ts = burst(rr, t, ri(rr, *episode[0]), episode[2], 0.6) if episode else [t]
            for tt in ts:
                if tt < a.t1:
                    per[a.idx][0].append(tt)
                    per[a.idx][1].append(k)
            k += 1
        for a in accts:
            add(w, a, per[a.idx][0], per[a.idx][1])
    w.planners.append(plan)


def build_attacks(c):
    w, r = c.w, c.r
    s = w.s
    n_sweep = 2 + (r.random() < 0.5)
    n_hydra = 1 + (r.random() < 0.5)
    n_adv = 1 + (r.random() < 0.4)
    for _ in range(n_sweep):
        build_sweep(c)
    for j in range(n_hydra):
        build_hydra(c, j)
    build_cot(c)
    build_rubric(c)
    build_tooltrace(c)
    build_pivot(c)
    build_slowlow(c)
    for _ in range(n_adv):
        build_adversarial(c)


def _mk_accts(c, n, persona, cid, beh_fn, models, region=None):
    w = c.w
    out = []
    for _ in range(n):
        a = new_acct(c, persona, "attack", cid, None, region=region)
        a.beh = beh_fn(a)
        a.set_models(w, models)
        out.append(a)
    return out


def build_sweep(c):
    w, r = c.w, c.r
    cid = _attack_ids(c, "sweep")
    cap = ch(r, ["coding", "math", "data_analysis", "science", "censorship_rewrite", "agentic_coding", "math", "coding"])
    n = max(3, int(min(60, max(3, 12 * r.lognormvariate(0, 0.8))) * w.s))
    total = 12000 * w.s * r.lognormvariate(0, 0.35)
    sw = behav.Sweep(r, cap, ri(r, 1, 4), ri(r, 1, 10 ** 9), system=None if r.random() < 0.6 else
                     "You are an expert. Always show complete reasoning.", prompt_p=0.0 if r.random() < 0.6 else 0.7)
    accts = _mk_accts(c, n, "template_sweep", cid, lambda a: behav.TemplBeh(sw), M_FLAG)
    pay = r.choices(["one", "few", "unique"], [0.45, 0.3, 0.25])[0]
    sig = "burst" if r.random() < 0.7 else "spread"
    infra = r.choices(["cloud_subnet", "cloud_spread", "vpn", "resi_proxy"], [0.6, 0.15, 0.12, 0.13])[0]
    uam = "same" if r.random() < 0.75 else "varied_sdk"
    start = w.start_ms + int(r.random() * 0.4 * (w.end_ms - w.start_ms)) if r.random() < 0.5 else w.start_ms
    _signups(c, accts, sig, start)
    _payments(c, accts, pay)
    _infra(c, accts, infra)
    _uas(c, accts, uam)
    org = net.org_id(r) if r.random() < 0.35 else None
    for a in accts:
        a.org = org
        a.t0 = max(a.t0, start)
        if r.random() < 0.15:
            a.adopt, a.lag, a.ramp = 0.15, 48 * r.random(), 24.0
    assign = "round_robin" if r.random() < 0.6 else "random"
    prof, tz = ("flat", 0) if r.random() < 0.7 else (ch(r, ["work", "owl"]), ch(r, [8, 3, 5.5, -5, 1]))
    campaign(w, cid, "template_sweep", "attack", accts, capability=cap, wrappers=len(sw.wr), target_records=int(total),
             payment_sharing=pay, signup=sig, infra=infra, user_agent=uam, startup_org=bool(org), assignment=assign,
             start=_iso(start), uses_prompt_field=sw.prompt_p > 0, cadence="24/7" if prof == "flat" else "operator hours tz%+g" % tz)
    _stream_plan(w, cid, accts, total, assign, 0.8 + 0.2 * r.random(), start=start, tz=tz, prof=prof)


def build_hydra(c, j):
    w, r = c.w, c.r
    cid = _attack_ids(c, "hydra")
    n = max(20, int(min(600, max(80, 250 * r.lognormvariate(0, 0.4))) * w.s))
    total = 20000 * w.s * r.lognormvariate(0, 0.3)
    mix = (0.15 + 0.35 * r.random()) if j == 0 else (0.01 + 0.09 * r.random())
    ek = ch(r, ["sweep", "cot", "tool"])
    if ek == "sweep":
        ext = behav.TemplBeh(behav.Sweep(r, ch(r, ["coding", "math", "mixed_reasoning", "agentic_coding"]), ri(r, 1, 3),
                                         ri(r, 1, 10 ** 9)))
    elif ek == "cot":
        ext = behav.TemplBeh(behav.CotRecon(r, ri(r, 1, 10 ** 9), 0.3 * r.random(), ri(r, 1, 3)))
    else:
        ext = behav.AgentBeh([], "custom", synthetic=True, think=0.7, final_p=(0.3, 0.1))
    beh = behav.Resold(ext, mix)
    accts = _mk_accts(c, n, "hydra_proxy", cid, lambda a: beh, [("pro", .55), ("flash", .2), ("reason", .25)])
    for a in accts:
        a.state["p"] = min(1.0, mix * r.lognormvariate(0, 0.5))
        a.state["wt"] = r.lognormvariate(0, 0.6)
        a.adopt, a.lag, a.ramp = 0.3 * r.random(), 12 + 36 * r.random(), 12
        a.region = ch(r, ["hk", "sg", "tw", "us", "jp"])
    pay = "pool" if j == 0 or r.random() < 0.5 else "unique"
    _signups(c, accts, "batches", w.start_ms)
    _payments(c, accts, pay)
    _infra(c, accts, "reseller_proxy")
    uam = "router" if r.random() < 0.7 else "varied_sdk"
    _uas(c, accts, uam)
    # account rotation: each account is live for a sub-interval (ban evasion)
    rot = r.random() < 0.6
    if rot:
        for a in accts:
            span = (0.3 + 0.7 * r.random()) * (w.end_ms - w.start_ms)
            st = w.start_ms + r.random() * (w.end_ms - w.start_ms - span)
            a.t0 = max(a.t0, int(st))
            a.t1 = int(st + span)
    campaign(w, cid, "hydra", "attack", accts, extraction_share=round(mix, 3), extraction_kind=ek, payment_sharing=pay,
             signup="batches", infra="reseller_proxy", user_agent=uam, account_rotation=rot, target_records=int(total),
             traffic_tz=8)
    _stream_plan(w, cid, accts, total, "random", 1.0, tz=8, prof="service")


def build_cot(c):
    w, r = c.w, c.r
    cid = _attack_ids(c, "cot")
    n = max(3, int(ri(r, 5, 25) * w.s))
    total = 8500 * w.s * r.lognormvariate(0, 0.2)
    ml = 0.2 + 0.4 * r.random()
    cr = behav.CotRecon(r, ri(r, 1, 10 ** 9), ml, ri(r, 2, 4))
    accts = _mk_accts(c, n, "cot_elicitation", cid, lambda a: behav.TemplBeh(cr), M_FLAG)
    edu = r.random() < 0.4
    pay = "none" if edu else ch(r, ["few", "one", "unique"])
    infra = ch(r, ["cloud_subnet", "vpn", "cloud_spread"])
    _signups(c, accts, "burst" if r.random() < 0.7 else "spread", w.start_ms)
    _payments(c, accts, pay)
    _infra(c, accts, infra)
    _uas(c, accts, "same" if r.random() < 0.6 else "varied_sdk")
    if edu:
        o = net.org_id(r)
        for a in accts:
            a.org = o
    prof, tz = ("flat", 0) if r.random() < 0.6 else ("work", ch(r, [8, 3, 1]))
    campaign(w, cid, "cot_elicitation", "attack", accts, multilingual_share=round(ml, 2), education_path=edu,
             payment_sharing=pay, infra=infra, target_records=int(total), cadence="24/7" if prof == "flat" else "operator hours tz%+g" % tz)
    _stream_plan(w, cid, accts, total, "round_robin", 0.9, tz=tz, prof=prof)


def build_rubric(c):
    w, r = c.w, c.r
    cid = _attack_ids(c, "rubric")
    n = max(2, int(ri(r, 4, 18) * w.s))
    total = 7000 * w.s * r.lognormvariate(0, 0.2)
    rh = behav.RubricHarvest(r, ri(r, 1, 10 ** 9), ri(r, 2, 4))
    accts = _mk_accts(c, n, "rubric_grading", cid, lambda a: behav.TemplBeh(rh), M_FLAG)
    pay = ch(r, ["one", "few"])
    infra = ch(r, ["cloud_subnet", "cloud_spread"])
    _signups(c, accts, "burst", w.start_ms)
    _payments(c, accts, pay)
    _infra(c, accts, infra)
    _uas(c, accts, "same")
    campaign(w, cid, "rubric_grading", "attack", accts, payment_sharing=pay, infra=infra, target_records=int(total))
    _stream_plan(w, cid, accts, total, "random", 0.9)


def build_tooltrace(c):
    w, r = c.w, c.r
    cid = _attack_ids(c, "tooltrace")
    n = max(3, int(ri(r, 6, 28) * w.s))
    total = 8000 * w.s * r.lognormvariate(0, 0.2)
    ag = behav.AgentBeh([], "custom", synthetic=True, ntools=(10, 30), think=0.8, final_p=(0.04, 0.05))
    accts = _mk_accts(c, n, "tool_trace", cid, lambda a: ag, M_FLAG)
    pay = ch(r, ["few", "unique", "one"])
    infra = ch(r, ["cloud_subnet", "cloud_spread", "vpn"])
    _signups(c, accts, ch(r, ["burst", "spread"]), w.start_ms)
    _payments(c, accts, pay)
    _infra(c, accts, infra)
    _uas(c, accts, ch(r, ["same", "varied_sdk"]))
    campaign(w, cid, "tool_trace", "attack", accts, payment_sharing=pay, infra=infra, target_records=int(total))
    _stream_plan(w, cid, accts, total, "random", 0.9, episode=((4, 16), 9, 4000))


def build_pivot(c):
    w, r = c.w, c.r
    cid = _attack_ids(c, "pivot")
    n = max(3, int(ri(r, 8, 30) * w.s))
    total = 11000 * w.s * r.lognormvariate(0, 0.2)
    cap = ch(r, ["coding", "agentic_coding", "math", "mixed_reasoning"])
    sw = behav.Sweep(r, cap, ri(r, 2, 4), ri(r, 1, 10 ** 9))
    accts = _mk_accts(c, n, "release_pivot", cid, lambda a: behav.TemplBeh(sw), M_FLAG)
    share = 0.45 + 0.45 * r.random()
    lag = 1 + 19 * r.random()
    boost = 1.3 + 1.2 * r.random()
    for a in accts:
        a.adopt, a.lag, a.ramp = share, lag + r.random() * 2, 1.0
    pay = ch(r, ["few", "one", "unique"])
    infra = ch(r, ["cloud_subnet", "cloud_spread", "resi_proxy"])
    _signups(c, accts, "burst", w.start_ms)
    _payments(c, accts, pay)
    _infra(c, accts, infra)
    _uas(c, accts, "same")
    campaign(w, cid, "release_pivot", "attack", accts, capability=cap, pivot_share=round(share, 2), pivot_lag_h=round(lag, 1),
             post_release_volume_x=round(boost, 2), payment_sharing=pay, infra=infra, target_records=int(total))
    _stream_plan(w, cid, accts, total / (1 + 0.5 * (boost - 1)), "round_robin", 0.95, pivot=(lag, boost))


def build_slowlow(c):
    w, r = c.w, c.r
    cid = _attack_ids(c, "slowlow")
    n = max(8, int(min(250, max(50, 130 * r.lognormvariate(0, 0.5))) * w.s))
    total = 5500 * w.s * r.lognormvariate(0, 0.3)
    cap = ch(r, ["coding", "math", "science", "mixed_reasoning", "data_analysis"])
    sw = behav.Sweep(r, cap, ri(r, 1, 3), ri(r, 1, 10 ** 9), prompt_p=0.0)
    accts = _mk_accts(c, n, "slow_low", cid, lambda a: behav.TemplBeh(sw), M_FLAG)
    pay = r.choices(["unique", "pool", "none"], [0.6, 0.25, 0.15])[0]
    infra = r.choices(["resi_proxy", "vpn", "cloud_spread"], [0.6, 0.2, 0.2])[0]
    _signups(c, accts, "spread", w.start_ms)
    _payments(c, accts, pay)
    _infra(c, accts, infra)
    _uas(c, accts, "varied_sdk")
    campaign(w, cid, "slow_low", "attack", accts, capability=cap, payment_sharing=pay, infra=infra, target_records=int(total),
             per_account_daily_max=8)

    def plan(mult):
        rr = sub_rng(w.seed, "plan", cid)
        per = total * mult / n
        k = 0
        for i, a in enumerate(accts):
            ts = []
            days = [d for d in range(w.days) if rr.random() < 0.3 + 0.4 * rr.random()] or [0]
            lam = per / len(days)
            for d in days:
                for _ in range(min(8, poisson(rr, lam))):
                    t = w.start_ms + d * DAY + int(rr.random() * DAY)
                    if a.t0 <= t < a.t1:
                        ts.append(t)
            ts.sort()
            add(w, a, ts, list(range(k, k + len(ts))))
            k += len(ts)
    w.planners.append(plan)


def build_adversarial(c):
    w, r = c.w, c.r
    cid = _attack_ids(c, "adversarial")
    n = max(3, int(ri(r, 8, 35) * w.s))
    total = 6000 * w.s * r.lognormvariate(0, 0.3)
    cap = ch(r, ["math", "coding", "science", "mixed_reasoning"])
    cover = 0.1 + 0.25 * r.random()
    adv = behav.Adversarial(r, cap, cover, ri(r, 1, 10 ** 9))
    accts = _mk_accts(c, n, "adversarial", cid, lambda a: adv, [("pro", .6), ("reason", .3), ("flash", .1)])
    for a in accts:
        a.adopt, a.lag, a.ramp = 0.3 * r.random(), 24 + 72 * r.random(), 24
        a.E = total / n * r.lognormvariate(0, 0.4)
        a.habits = (r.random() < 0.3, r.random() < 0.3, r.random() < 0.5)
    _signups(c, accts, "aged", w.start_ms)
    _payments(c, accts, "unique")
    _infra(c, accts, "residential_home")
    _uas(c, accts, "browser")
    campaign(w, cid, "adversarial", "attack", accts, capability=cap, cover_traffic=round(cover, 2), paraphrase=True,
             payment_sharing="unique", infra="residential_home", signup="aged", target_records=int(total))

    def plan(mult):
        rr = sub_rng(w.seed, "plan", cid)
        for i, a in enumerate(accts):
            ts = human_times(rr, w, a.tz, a.E * mult, a.t0, a.t1, ch(rr, ["human", "evening", "work"]), 0.9, 2.0, 110, 0.8, 0.9)
            add(w, a, ts, [i * 100000 + j for j in range(len(ts))])
    w.planners.append(plan)


def _iso(ms):
    from world import iso
    return iso(int(ms))


def build_all(w):
    c = Ctx(w)
    build_casual(c)
    build_mobile(c)
    build_vpn(c)
    build_early(c)
    build_developers(c)
    build_ci(c)
    build_agents(c)
    build_enterprises(c)
    build_rag_apps(c)
    build_services(c)
    build_benchmarks(c)
    build_synth(c)
    build_cot_researchers(c)
    build_classes(c)
    build_hackathon(c)
    build_graders(c)
    build_attacks(c)
    return c
