"""Network, device and identity attributes: ASNs, IP pools, user agents, ids."""
import hashlib

from bank import ch

# asn -> (name, kind)
ASNS = {
    # residential / fixed broadband
    7922: ("Comcast", "res"), 701: ("Verizon Fios", "res"), 7018: ("AT&T", "res"), 20115: ("Charter", "res"),
    22773: ("Cox", "res"), 812: ("Rogers", "res"), 577: ("Bell Canada", "res"), 28573: ("Claro BR", "res"),
    18881: ("Vivo BR", "res"), 8151: ("Telmex", "res"), 2856: ("BT", "res"), 5089: ("Virgin Media", "res"),
    5607: ("Sky UK", "res"), 3320: ("Deutsche Telekom", "res"), 3209: ("Vodafone DE", "res"),
    3215: ("Orange FR", "res"), 12322: ("Free SAS", "res"), 3352: ("Telefonica ES", "res"),
    24560: ("Bharti Airtel", "res"), 2516: ("KDDI", "res"), 4713: ("NTT OCN", "res"), 4766: ("Korea Telecom", "res"),
    9506: ("Singtel", "res"), 1221: ("Telstra", "res"), 4760: ("HKT", "res"), 3462: ("HiNet", "res"),
    5432: ("Proximus", "res"), 1136: ("KPN", "res"), 6830: ("Liberty Global", "res"), 8452: ("TE Data", "res"),
    12389: ("Rostelecom", "res"), 5617: ("Orange Polska", "res"), 33771: ("Safaricom", "res"),
    # mobile carriers (CGNAT)
    21928: ("T-Mobile US", "mob"), 6167: ("Verizon Wireless", "mob"), 20057: ("AT&T Mobility", "mob"),
    12576: ("EE", "mob"), 6805: ("Telefonica DE", "mob"), 55836: ("Reliance Jio", "mob"), 26599: ("Vivo Mobile", "mob"),
    9605: ("NTT Docomo", "mob"), 29465: ("MTN Nigeria", "mob"), 51207: ("Free Mobile", "mob"),
    9644: ("SK Telecom", "mob"), 10030: ("Celcom", "mob"), 7303: ("Telecom Argentina", "mob"),
    # cloud / hosting
    16509: ("Amazon", "cloud"), 14618: ("Amazon AES", "cloud"), 15169: ("Google", "cloud"),
    396982: ("Google Cloud", "cloud"), 8075: ("Microsoft", "cloud"), 14061: ("DigitalOcean", "cloud"),
    24940: ("Hetzner", "cloud"), 16276: ("OVH", "cloud"), 63949: ("Akamai Linode", "cloud"),
    20473: ("Vultr", "cloud"), 45102: ("Alibaba Cloud", "cloud"), 132203: ("Tencent Cloud", "cloud"),
    31898: ("Oracle Cloud", "cloud"), 51167: ("Contabo", "cloud"), 13335: ("Cloudflare", "cloud"),
    # vpn / proxy hosting
    9009: ("M247", "vpn"), 60068: ("Datacamp", "vpn"), 212238: ("Datacamp CDN77", "vpn"),
    136787: ("TEFINCOM", "vpn"), 39351: ("31173 Services", "vpn"), 62240: ("Clouvider", "vpn"),
    # enterprise security edge
    53813: ("Zscaler", "corp"), 62044: ("Zscaler", "corp"),
    # universities / research networks
    3: ("MIT", "edu"), 32: ("Stanford", "edu"), 25: ("UC Berkeley", "edu"), 786: ("Jisc", "edu"),
    680: ("DFN", "edu"), 1103: ("SURF", "edu"), 2200: ("Renater", "edu"), 7575: ("AARNet", "edu"),
    2907: ("SINET", "edu"), 559: ("SWITCH", "edu"),
    # transit used by venues / small business
    174: ("Cogent", "transit"), 6461: ("Zayo", "transit"), 3356: ("Lumen", "transit"),
}

REGIONS = {
    # key: (weight, tz offsets, residential asns, mobile asns, languages with weights)
    "us": (30, [-8, -7, -6, -5, -5, -5, -8], [7922, 701, 7018, 20115, 22773], [21928, 6167, 20057], {}),
    "ca": (4, [-5, -5, -8, -7], [812, 577], [21928], {"fr": 0.1}),
    "br": (5, [-3], [28573, 18881], [26599], {"pt": 0.7}),
    "mx": (3, [-6], [8151], [7303], {"es": 0.7}),
    "ar": (1, [-3], [8151], [7303], {"es": 0.7}),
    "gb": (8, [0], [2856, 5089, 5607], [12576], {}),
    "de": (7, [1], [3320, 3209], [6805], {"de": 0.5}),
    "fr": (5, [1], [3215, 12322], [51207], {"fr": 0.55}),
    "es": (3, [1], [3352], [6805], {"es": 0.6}),
    "nl": (2, [1], [1136, 6830], [6805], {}),
    "be": (1, [1], [5432], [51207], {"fr": 0.3}),
    "pl": (2, [1], [5617], [6805], {}),
    "in": (10, [5.5], [24560], [55836], {"hi": 0.08}),
    "jp": (4, [9], [2516, 4713], [9605], {"ja": 0.6}),
    "kr": (2, [9], [4766], [9644], {"ko": 0.5}),
    "sg": (2, [8], [9506], [10030], {"zh": 0.1}),
    "hk": (1, [8], [4760], [10030], {"zh": 0.4}),
    "tw": (1, [8], [3462], [10030], {"zh": 0.5}),
    "au": (3, [10, 10, 8], [1221], [21928], {}),
    "ng": (2, [1], [29465], [29465], {}),
    "ke": (1, [3], [33771], [33771], {}),
    "eg": (1, [2], [8452], [8452], {"ar": 0.5}),
    "ru": (1, [3], [12389], [12389], {"ru": 0.7}),
}
REGION_KEYS = list(REGIONS)
REGION_W = [REGIONS[k][0] for k in REGION_KEYS]

_PREFIX_CACHE = {}


def _prefixes(asn):
    p = _PREFIX_CACHE.get(asn)
    if p is None:
        h = hashlib.sha256(b"asn%d" % asn).digest()
        p = []
        for i in range(4):
            a = h[2 * i]
            a = 11 + a % 212  # 11..222
            if a in (100, 127, 169, 172, 192, 198, 203):
                a += 1
            b = h[2 * i + 1]
            p.append((a, b))
        v6 = "2%03x:%x" % (0x400 + h[10] % 0x200, h[11] * 256 + h[12])
        _PREFIX_CACHE[asn] = p = (p, v6)
    return p


def ip_in(asn, r, v6=False):
    p4, p6 = _prefixes(asn)
    if v6:
        return "%s:%x:%x::%x" % (p6, int(r.random() * 65535), int(r.random() * 65535), 1 + int(r.random() * 65534))
    a, b = ch(r, p4)
    return "%d.%d.%d.%d" % (a, b, int(r.random() * 256), 1 + int(r.random() * 254))


def subnet_pool(asn, r, size, spread=1):
    """IPs from `spread` random /24s inside one ASN."""
    p4, _ = _prefixes(asn)
    nets = []
    for _ in range(spread):
        a, b = ch(r, p4)
        nets.append((a, b, int(r.random() * 256)))
    out = []
    base = 2 + int(r.random() * 150)
    for i in range(size):
        a, b, c = nets[i % spread]
        out.append(("%d.%d.%d.%d" % (a, b, c, base + i // spread), "AS%d" % asn))
    return out


def asn_str(asn):
    return "AS%d" % asn


# ------------------------------------------------------------------ network profiles
class Net:
    """Base: returns (ip, asn) for a new session."""

    def session(self, r, t=0):
        raise NotImplementedError


class Home(Net):
    __slots__ = ("asn", "ip", "v6", "mob", "mobfrac", "change")

    def __init__(self, r, region, world, mobfrac=0.15):
        reg = REGIONS[region]
        self.asn = ch(r, reg[2])
        self.v6 = r.random() < 0.18
        self.ip = ip_in(self.asn, r, self.v6)
        self.mob = world.cgnat(ch(r, reg[3])) if mobfrac > 0 else None
        self.mobfrac = mobfrac
        self.change = 0.04

    def session(self, r, t=0):
        if self.mob is not None and r.random() < self.mobfrac:
            return ch(r, self.mob)
        if r.random() < self.change:
            self.ip = ip_in(self.asn, r, self.v6)
        return self.ip, "AS%d" % self.asn


class Pool(Net):
    __slots__ = ("pool", "sticky", "cur")

    def __init__(self, pool, sticky=0.0):
        self.pool = pool
        self.sticky = sticky
        self.cur = None

    def session(self, r, t=0):
        if self.cur is not None and r.random() < self.sticky:
            return self.cur
        self.cur = ch(r, self.pool)
        return self.cur


class Rotating(Net):
    """Residential proxy network: a fresh residential IP from many ISPs per session."""
    __slots__ = ("asns",)

    def __init__(self, asns):
        self.asns = asns

    def session(self, r, t=0):
        a = ch(r, self.asns)
        return ip_in(a, r, r.random() < 0.1), "AS%d" % a


class Mixed(Net):
    __slots__ = ("nets", "cum")

    def __init__(self, nets, weights):
        self.nets = nets
        t = 0.0
        self.cum = []
        for w in weights:
            t += w
            self.cum.append(t)

    def session(self, r, t=0):
        x = r.random() * self.cum[-1]
        for n, c in zip(self.nets, self.cum):
            if x <= c:
                return n.session(r, t)
        return self.nets[-1].session(r, t)


class Switch(Net):
    """Network `a` during [t0, t1), `b` otherwise (e.g. a venue during an event)."""
    __slots__ = ("a", "b", "t0", "t1")

    def __init__(self, a, b, t0, t1):
        self.a, self.b, self.t0, self.t1 = a, b, t0, t1

    def session(self, r, t=0):
        return (self.a if self.t0 <= t < self.t1 else self.b).session(r, t)


# ------------------------------------------------------------------ user agents
def ua_browser(r):
    v = 118 + int(r.random() * 9)
    os_ = ch(r, ["Windows NT 10.0; Win64; x64", "Macintosh; Intel Mac OS X 10_15_7", "X11; Linux x86_64",
                 "Windows NT 10.0; Win64; x64", "Macintosh; Intel Mac OS X 14_4"])
    k = r.random()
    if k < 0.7:
        return "Mozilla/5.0 (%s) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.0.0 Safari/537.36" % (os_, v)
    if k < 0.85:
        return "Mozilla/5.0 (%s; rv:%d.0) Gecko/20100101 Firefox/%d.0" % (os_, v + 2, v + 2)
    return "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.%d Safari/605.1.15" % int(r.random() * 5)


def ua_mobile_app(r, brand):
    if r.random() < 0.55:
        return "%sChat/%d.%d.%d (iPhone; iOS 17.%d; Scale/3.00)" % (brand, 3, int(r.random() * 9), int(r.random() * 4), int(r.random() * 6))
    dev = ch(r, ["Pixel 8", "SM-S918B", "SM-A546E", "Redmi Note 12", "Pixel 7a", "CPH2451", "moto g84"])
    return "%sChat/%d.%d.%d (Android 1%d; %s)" % (brand, 3, int(r.random() * 9), int(r.random() * 4), 3 + int(r.random() * 2), dev)


def ua_sdk(r, kind=None):
    k = kind or ch(r, ["py", "py", "py", "node", "node", "httpx", "curl", "go", "requests", "java"])
    if k == "py":
        return "%s-python/1.%d.%d" % (ch(r, ["openai", "provider", "openai"]), 30 + int(r.random() * 28), int(r.random() * 4))
    if k == "node":
        return "%s-node/4.%d.%d" % (ch(r, ["openai", "provider"]), 40 + int(r.random() * 30), int(r.random() * 5))
    if k == "httpx":
        return "python-httpx/0.2%d.%d" % (5 + int(r.random() * 3), int(r.random() * 3))
    if k == "curl":
        return "curl/8.%d.%d" % (int(r.random() * 9), int(r.random() * 2))
    if k == "go":
        return "Go-http-client/%s" % ch(r, ["1.1", "2.0"])
    if k == "requests":
        return "python-requests/2.3%d.0" % int(r.random() * 3)
    if k == "java":
        return "okhttp/4.%d.0" % (9 + int(r.random() * 4))
    if k == "langchain":
        return "langchain-python/0.%d.%d" % (1 + int(r.random() * 3), int(r.random() * 20))
    if k == "llamaindex":
        return "llama-index/0.1%d.%d" % (int(r.random() * 2), int(r.random() * 40))
    if k == "autogen":
        return "autogen/0.%d.%d (python-httpx/0.27.0)" % (2 + int(r.random() * 2), int(r.random() * 30))
    return "%s/1.0" % k


# ------------------------------------------------------------------ ids
_B32 = "abcdefghijkmnpqrstuvwxyz23456789"


def rid(r, n):
    return "".join(_B32[int(r.random() * 32)] for _ in range(n))


def account_id(r):
    return "acct_" + rid(r, 12)


def org_id(r):
    return "org-" + rid(r, 14)


def payment_id(r):
    return "pm_" + hashlib.sha256(rid(r, 20).encode()).hexdigest()[:24]
