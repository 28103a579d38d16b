"""Timeline, models, accounts and schedule (timestamp) generators."""
import bisect
import math
import random
import zlib
from datetime import datetime, timezone, timedelta

import net

H = 3_600_000
DAY = 24 * H
MIN = 60_000

# local-hour activity profiles (index = local hour)
PROF = {
    "human": [1.0, .6, .4, .3, .3, .4, .8, 1.5, 2.5, 3.2, 3.6, 3.6, 3.2, 3.4, 3.6, 3.5, 3.3, 3.1, 3.0, 3.2, 3.4, 3.2, 2.6, 1.8],
    "work": [.15, .1, .1, .1, .1, .2, .5, 1.5, 3.5, 5, 5.5, 5, 3.5, 4.5, 5, 5, 4.5, 3.5, 2, 1.2, 1, .8, .6, .3],
    "owl": [2.5, 2, 1.5, .8, .4, .3, .3, .5, 1, 1.8, 2.5, 3, 3, 3, 3.2, 3.4, 3.5, 3.5, 3.6, 3.8, 4, 4.2, 4, 3.5],
    "evening": [.8, .4, .2, .1, .1, .2, .6, 1.2, 1.5, 1.5, 1.6, 1.8, 2.2, 1.8, 1.6, 1.6, 1.8, 2.4, 3.2, 3.8, 4.2, 4.0, 3.0, 1.8],
    "service": [1.2, 1.0, .9, .8, .8, .9, 1.1, 1.5, 2.0, 2.3, 2.4, 2.4, 2.3, 2.4, 2.4, 2.3, 2.2, 2.0, 1.8, 1.7, 1.6, 1.5, 1.4, 1.3],
    "flat": [1.0] * 24,
}


def cum(ws):
    out = []
    t = 0.0
    for w in ws:
        t += w
        out.append(t)
    return out


PROF_CUM = {k: cum(v) for k, v in PROF.items()}


def pick_cum(r, c):
    return bisect.bisect_left(c, r.random() * c[-1])


def poisson(r, lam):
    if lam <= 0:
        return 0
    if lam < 30:
        L = math.exp(-lam)
        k = 0
        p = r.random()
        while p > L:
            k += 1
            p *= r.random()
        return k
    return max(0, int(round(r.gauss(lam, math.sqrt(lam)))))


def sub_rng(seed, *parts):
    key = ("%d|" % seed + "|".join(str(p) for p in parts)).encode()
    return random.Random(zlib.crc32(key) * 1_000_003 + len(key))


def iso(ms):
    dt = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=ms)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


class World:
    def __init__(self, seed, n_records):
        self.seed = seed
        self.N = n_records
        self.s = n_records / 600_000.0
        r = sub_rng(seed, "world")
        self.r = r
        base = datetime(2026, 2, 2, tzinfo=timezone.utc) + timedelta(days=int(r.random() * 120))
        self.start_ms = int(base.timestamp() * 1000)
        self.days = 14 + int(r.random() * 8)  # 14..21
        self.end_ms = self.start_ms + self.days * DAY
        self.start_weekday = base.weekday()
        fam = r.choice(["nova", "atlas", "sable", "quill", "lumen", "orca"])
        self.brand = fam.capitalize()
        self.M = {
            "legacy": fam + "-1.5-pro",
            "pro": fam + "-2-pro",
            "flash": fam + "-2-flash",
            "reason": fam + "-2-reasoner",
            "new": fam + "-3-pro",
            "new2": fam + "-3-flash",
        }
        rel_frac = 0.35 + r.random() * 0.3
        rel = self.start_ms + int(rel_frac * self.days) * DAY + int((15 + r.random() * 4) * H + r.random() * H)
        self.rel = rel
        self.releases = {self.M["new"]: rel}
        self.rel2 = None
        gap = int((2 + r.random() * 3) * DAY)
        if r.random() < 0.6 and rel + gap < self.end_ms - 2 * DAY:
            self.rel2 = rel + gap
            self.releases[self.M["new2"]] = self.rel2
        self._cgnat = {}
        self.accounts = []
        self.campaigns = []
        self.planners = []

    # ---- infrastructure shared by unrelated accounts
    def cgnat(self, asn):
        p = self._cgnat.get(asn)
        if p is None:
            rr = sub_rng(self.seed, "cgnat", asn)
            size = max(8, int(40 * min(1.0, self.s) ** 0.5))
            p = [(net.ip_in(asn, rr), "AS%d" % asn) for _ in range(size)]
            self._cgnat[asn] = p
        return p

    def vpn_pool(self):
        p = self._cgnat.get("vpn")
        if p is None:
            rr = sub_rng(self.seed, "vpn")
            p = []
            for asn in (9009, 60068, 212238, 136787, 39351, 62240):
                p += net.subnet_pool(asn, rr, 8, spread=4)
            self._cgnat["vpn"] = p
        return p

    def local_day_start(self, d, tz):
        return self.start_ms + d * DAY - int(tz * H)

    def weekday(self, d):
        return (self.start_weekday + d) % 7


class Acct:
    __slots__ = ("idx", "id", "persona", "label", "campaign", "signup", "org", "payment", "ua", "ua2", "net", "tz",
                 "region", "lang", "habits", "r", "beh", "mcum", "mnames", "adopt", "lag", "ramp", "notok", "state",
                 "last_t", "ip", "asn", "E", "t0", "t1", "group", "sys")

    def __init__(self):
        self.org = None
        self.payment = None
        self.ua = None
        self.ua2 = None
        self.lang = None
        self.habits = (False, False, False)
        self.adopt = 0.0
        self.lag = 0.0
        self.ramp = 1.0
        self.notok = False
        self.state = {}
        self.last_t = -10 ** 15
        self.ip = None
        self.asn = None
        self.E = 1.0
        self.group = None
        self.sys = None

    def set_models(self, w, dist):
        self.mnames = [w.M[k] for k, _ in dist]
        self.mcum = cum([v for _, v in dist])


def pick_model(w, a, t):
    r = a.r
    m = a.mnames[pick_cum(r, a.mcum)]
    if a.adopt > 0 and t >= w.rel:
        age = (t - w.rel) / H - a.lag
        if age > 0:
            p = a.adopt * min(1.0, age / a.ramp)
            if r.random() < p:
                if w.rel2 is not None and t >= w.rel2 and m == w.M["flash"]:
                    return w.M["new2"]
                return w.M["new"]
    return m


# ------------------------------------------------------------------ schedules
def human_times(r, w, tz, E, t0, t1, prof="human", weekend=1.0, turns=2.0, gap_s=70.0, day_sigma=1.0, gap_sigma=0.9):
    """Sessions of human activity in the account's own time zone."""
    out = []
    S = poisson(r, E / turns)
    if S <= 0:
        return out
    d0 = int((t0 - w.start_ms) // DAY) - 1
    d1 = int((t1 - w.start_ms) // DAY) + 1
    days = []
    wts = []
    for d in range(d0, d1 + 1):
        ds = w.local_day_start(d, tz)
        if ds + DAY <= t0 or ds >= t1:
            continue
        wd = w.weekday(d)
        f = weekend if wd >= 5 else 1.0
        days.append(ds)
        wts.append(f * r.lognormvariate(0.0, day_sigma))
    if not days:
        return out
    dc = cum(wts)
    pc = PROF_CUM[prof]
    gmed = gap_s * 1000.0
    for _ in range(S):
        ds = days[pick_cum(r, dc)]
        t = ds + pick_cum(r, pc) * H + int(r.random() * H)
        n = 1 + (int(r.expovariate(1.0 / (turns - 1.0))) if turns > 1.0 else 0)
        for _k in range(n):
            if t0 <= t < t1:
                out.append(t)
            t += int(gmed * r.lognormvariate(0.0, gap_sigma)) + 800
    out.sort()
    return out


def rate_times(r, t0, t1, rate_fn):
    """Inhomogeneous Poisson by the hour; rate_fn(hour_start_ms) -> expected events in that hour."""
    out = []
    h = t0 - (t0 % H)
    while h < t1:
        lam = rate_fn(h)
        if lam > 0:
            n = poisson(r, lam)
            if n:
                ts = sorted(h + int(r.random() * H) for _ in range(n))
                out.extend(t for t in ts if t0 <= t < t1)
        h += H
    return out


def local_hour(t, tz):
    return int(((t + tz * H) // H) % 24)


def local_weekday(w, t, tz):
    return w.weekday(int((t + tz * H - w.start_ms) // DAY))


def cron_times(r, t0, t1, period_ms, jitter_ms=0, phase=None):
    out = []
    t = t0 + (int(r.random() * period_ms) if phase is None else phase)
    while t < t1:
        out.append(t + (int(r.random() * jitter_ms) if jitter_ms else 0))
        t += period_ms
    return [x for x in out if t0 <= x < t1]


def burst(r, t, n, gap_ms, jitter=0.3):
    out = []
    for _ in range(n):
        out.append(int(t))
        t += gap_ms * (1.0 + jitter * (r.random() * 2 - 1))
    return out
