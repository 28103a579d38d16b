"""The world: window, models and releases, time-of-day profiles, account objects and the
per-account schedule sampler (exactly k timestamps per account)."""
import array
import bisect
import datetime as dt
import hashlib
import math

HOUR = 3600_000
DAY = 86400_000

# local-hour weights (0..23)
PROFILES = {
    "human": [.30, .16, .08, .05, .04, .07, .18, .40, .65, .80, .88, .92, .90, .90, .93, .95, .92, .88, .92, 1.0, 1.0, .92, .72, .50],
    "work": [.02, .01, .01, .01, .01, .02, .06, .25, .65, 1.0, 1.0, .95, .70, .90, 1.0, 1.0, .92, .65, .30, .16, .12, .10, .07, .04],
    "student": [.55, .35, .18, .08, .04, .03, .05, .12, .30, .45, .50, .55, .60, .62, .60, .58, .60, .65, .75, .90, 1.0, 1.0, .95, .80],
    "night": [.80, .70, .55, .35, .18, .08, .06, .10, .20, .40, .60, .70, .70, .75, .80, .85, .85, .85, .90, .95, 1.0, 1.0, .95, .90],
    "flat": [1.0] * 24,
    "gamer": [.50, .30, .15, .07, .04, .04, .06, .10, .15, .20, .25, .30, .35, .40, .45, .55, .65, .75, .85, .95, 1.0, 1.0, .90, .70],
    "shift": [.35, .30, .30, .30, .35, .45, .70, .90, 1.0, 1.0, 1.0, .95, .90, 1.0, 1.0, 1.0, .95, .90, .85, .80, .75, .65, .50, .40],
}
# weekday factors Mon..Sun
WEEK = {
    "human": [1.0, 1.0, 1.0, 1.0, 1.0, 1.1, 1.15],
    "work": [1.0, 1.0, 1.0, 1.0, .92, .10, .06],
    "student": [1.0, 1.0, 1.0, 1.0, .85, .60, 1.10],
    "flat": [1.0] * 7,
    "gamer": [.85, .85, .85, .9, 1.1, 1.35, 1.3],
}


def iso_ms(ms):
    return dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def iso_s(ms):
    return dt.datetime.fromtimestamp(ms // 1000, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class TsFormatter:
    """fast ISO formatting for increasing timestamps (caches the date part)"""

    def __init__(self):
        self.day = None
        self.prefix = ""

    def __call__(self, ms):
        d, r = divmod(ms, DAY)
        if d != self.day:
            self.day = d
            self.prefix = dt.datetime.fromtimestamp(d * 86400, dt.timezone.utc).strftime("%Y-%m-%dT")
        s, msr = divmod(r, 1000)
        h, s = divmod(s, 3600)
        m, s = divmod(s, 60)
        return "%s%02d:%02d:%02d.%03dZ" % (self.prefix, h, m, s, msr)


class World:
    def __init__(self, rng, seed):
        self.seed = seed
        # provider / family names vary by seed
        prov = rng.choice([("corvid", "Corvid", "halcyon", 2), ("tern", "Tern", "meridian", 4), ("lyra", "Lyra", "quasar", 3),
                           ("osprey", "Osprey", "talon", 5)])
        self.prov, self.Prov, fam, v = prov
        y = 2026
        month = rng.choice([3, 4, 5, 9, 10])
        startd = dt.datetime(y, month, rng.randint(1, 20), tzinfo=dt.timezone.utc)
        self.days = rng.randint(11, 19)
        self.start = int(startd.timestamp() * 1000)
        self.end = self.start + self.days * DAY
        self.start_wd = startd.weekday()
        nv = v + 1 if rng.random() < 0.5 else v + 0.5
        nvs = ("%g" % nv)
        self.old = {"lite": "%s-%d-lite" % (fam, v), "base": "%s-%d" % (fam, v), "max": "%s-%d-max" % (fam, v)}
        self.coder = "%s-coder-%d" % (fam, v)
        self.new_base = "%s-%s" % (fam, nvs)
        self.new_lite = "%s-%s-lite" % (fam, nvs)
        rel_day = rng.uniform(0.38, 0.6) * self.days
        self.R = self.start + int(rel_day * DAY) // HOUR * HOUR + rng.choice([0, 15, 30]) * 60000  # release (new base)
        # hour of day of the release (UTC), typically US morning
        self.R = self.R - (self.R % DAY) + rng.choice([14, 15, 16, 17, 18]) * HOUR + rng.choice([0, 30]) * 60000
        r2 = self.R + rng.randint(2, 5) * DAY + rng.randint(-3, 3) * HOUR
        self.R2 = r2 if r2 < self.end - DAY and rng.random() < 0.7 else None
        # consumer web/app default switches to the new model some hours after release
        self.webswitch = self.R + rng.randint(2, 30) * HOUR
        self.releases = {
            self.old["lite"]: iso_s(self.start - rng.randint(60, 200) * DAY),
            self.old["base"]: iso_s(self.start - rng.randint(90, 260) * DAY),
            self.old["max"]: iso_s(self.start - rng.randint(40, 150) * DAY),
            self.coder: iso_s(self.start - rng.randint(20, 120) * DAY),
            self.new_base: iso_s(self.R),
        }
        if self.R2:
            self.releases[self.new_lite] = iso_s(self.R2)
        self._cum = {}
        self.salt = hashlib.sha256(("pay%s" % seed).encode()).hexdigest()[:16]

    # ---- time helpers
    def cum(self, profile, tz, week=None):
        key = (profile, tz, week)
        c = self._cum.get(key)
        if c is None:
            prof = PROFILES[profile]
            wk = WEEK.get(week or profile, WEEK["human"])
            c = []
            acc = 0.0
            for b in range(self.days * 24):
                lt = b + tz  # local hour offset from window start (window starts 00:00 UTC)
                lh = int(math.floor(lt)) % 24
                ld = int(math.floor(lt / 24.0))
                wd = (self.start_wd + ld) % 7
                acc += prof[lh] * wk[wd] + 1e-4
                c.append(acc)
            self._cum[key] = c
        return c

    def pay(self, key):
        return "pm_" + hashlib.sha256((self.salt + key).encode()).hexdigest()[:24]

    # ---- models
    def pick_model(self, plan, t, rng):
        kind = plan[0]
        if kind == "pin":
            return plan[1]
        if kind == "eval":
            avail = [self.old["lite"], self.old["base"], self.old["max"]]
            if t >= self.R:
                if rng.random() < 0.6:
                    return self.new_lite if (self.R2 and t >= self.R2 and rng.random() < 0.4) else self.new_base
            return rng.choice(avail)
        tier = plan[1]
        if isinstance(tier, tuple):  # weights lite/base/max/coder
            x = rng.random() * sum(tier)
            if x < tier[0]:
                tier = "lite"
            elif x < tier[0] + tier[1]:
                tier = "base"
            elif x < tier[0] + tier[1] + tier[2]:
                tier = "max"
            else:
                tier = "coder"
        p = 0.0
        if kind == "old":
            p = 0.0
        elif kind == "web":
            if t >= self.webswitch:
                p = plan[2]
        elif kind == "adopt":  # ("adopt", tier, delay_ms, p)
            if t >= self.R + plan[2]:
                p = plan[3]
        elif kind == "gradual":  # ("gradual", tier, pmax, ramp_ms)
            if t >= self.R:
                p = min(plan[2], plan[2] * (t - self.R) / plan[3])
        if p and rng.random() < p:
            if tier == "lite" and self.R2 and t >= self.R2:
                return self.new_lite
            return self.new_base
        if tier == "coder":
            return self.coder
        return self.old[tier]


class Acct:
    __slots__ = ("id", "persona", "label", "campaign", "region", "tz", "lang", "signup", "org", "payment", "ua", "net",
                 "k", "scal", "vol", "sched", "plan", "beh", "st", "j", "n", "meta", "idx", "uav")

    def __init__(self, aid, persona, label, campaign=None):
        self.id = aid
        self.persona = persona
        self.label = label
        self.campaign = campaign
        self.region = None
        self.tz = 0
        self.lang = "en"
        self.signup = None
        self.org = None
        self.payment = None
        self.ua = None
        self.uav = None
        self.net = None
        self.k = 0
        self.scal = True
        self.vol = 1.0
        self.sched = {}
        self.plan = ("old", "base")
        self.beh = None
        self.st = None
        self.j = 0
        self.n = 1
        self.meta = None


def _gap(rng, med, sig):
    return med * math.exp(sig * rng.gauss(0.0, 1.0)) if sig else med


def schedule(W, a, rng):
    """exactly a.k timestamps (ms, sorted) and new-session flags for account a"""
    p = a.sched
    k = a.k
    t0 = max(W.start, p.get("from", W.start))
    t1 = min(W.end - 1000, p.get("to", W.end))
    t0 = min(t0, W.end - 20 * 60000)
    if t1 - t0 < 10 * 60000:
        t1 = min(W.end - 1000, t0 + 2 * HOUR)
    if t1 - t0 < 10 * 60000:
        t0 = max(W.start, t1 - 2 * HOUR)
    med = p.get("gap", 60_000)
    sig = p.get("sig", 0.8)
    L = max(1.0, p.get("L", 3.0))
    starts = None
    if p.get("cron"):
        period = p["cron"]
        runs = max(1, min(k, int((t1 - t0) // period)))
        per = max(1, int(math.ceil(k / runs)))
        runs = int(math.ceil(k / per))
        phase = t0 + rng.randrange(0, max(1, int(period)))
        starts = []
        for i in range(runs):
            s = phase + i * period + rng.randint(-20_000, 60_000)
            if s >= t1:
                s = t0 + rng.randrange(0, max(1, t1 - t0))
            starts.append(int(s))
        lens = [per] * runs
        lens[-1] = k - per * (runs - 1)
        if lens[-1] <= 0:
            lens = [k // runs + (1 if i < k % runs else 0) for i in range(runs)]
    else:
        if p.get("starts"):
            cand = [s for s in p["starts"] if t0 <= s < t1] or [t0]
            m = max(1, min(k, len(cand), int(round(k / L)) or 1))
            if m < len(cand):
                cand = sorted(rng.sample(cand, m))
            starts = [s + rng.randint(0, p.get("sync_jitter", 90_000)) for s in cand]
        else:
            m = max(1, min(k, int(round(k / L * math.exp(0.3 * rng.gauss(0, 1)))) or 1))
            starts = sample_starts(W, a, rng, m, t0, t1)
        m = len(starts)
        lens = [1] * m
        extra = k - m
        if extra > 0:
            if m == 1:
                lens[0] += extra
            else:
                ws = [rng.expovariate(1.0) + 0.05 for _ in range(m)] if p.get("uneven", True) else [1.0] * m
                for i in rng.choices(range(m), weights=ws, k=extra):
                    lens[i] += 1
    out = []
    for s, n in zip(starts, lens):
        gaps = [_gap(rng, med, sig) for _ in range(n - 1)]
        span = sum(gaps)
        if s + span >= t1:
            s = max(t0, t1 - span - 1000)
            if s + span >= t1:
                f = (t1 - t0 - 2000) / max(1.0, span)
                gaps = [g * f for g in gaps]
                s = t0
        t = float(s)
        out.append((int(t), 1))
        for g in gaps:
            t += g
            out.append((int(t), 0))
    out.sort()
    ts = array.array("q", (x[0] for x in out))
    fl = bytes(x[1] for x in out)
    return ts, fl


def sample_starts(W, a, rng, m, t0, t1):
    p = a.sched
    cum = W.cum(p.get("profile", "human"), a.tz, p.get("week"))
    b0 = max(0, (t0 - W.start) // HOUR)
    b1 = min(len(cum) - 1, (t1 - W.start) // HOUR)
    lo = cum[b0 - 1] if b0 > 0 else 0.0
    hi = cum[b1]
    mods = p.get("mods") or ()
    daymask = p.get("days")
    maxw = 1.0
    for (_, _, f) in mods:
        if f > 1:
            maxw *= f
    out = []
    for _ in range(m):
        for _try in range(80):
            u = lo + rng.random() * (hi - lo)
            b = bisect.bisect_left(cum, u)
            t = W.start + b * HOUR + int(rng.random() * HOUR)
            if t < t0 or t >= t1:
                continue
            if daymask is not None and not daymask[(t - W.start) // DAY]:
                continue
            if mods:
                w = 1.0
                for (ta, tb, f) in mods:
                    if ta <= t < tb:
                        w *= f
                if rng.random() * maxw > w:
                    continue
            break
        else:
            t = t0 + int(rng.random() * (t1 - t0))
        out.append(t)
    return out
