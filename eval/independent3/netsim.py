"""Network model: regions, ASNs, address pools and per-account egress behaviour.

ASN numbers are real-world-looking (many are the real operators' numbers) but the
address prefixes are synthetic, derived from a hash of the ASN, so nothing here
claims a real mapping.  Addresses avoid private and reserved ranges.
"""
import random

from textgen import hash_str

# region: (utc offset hours, weight, residential ASNs, mobile ASNs (CGNAT), language weights, ipv6 share)
REGIONS = {
    "US-W": (-7, 9, [7922, 20115, 7018, 22773], [21928, 6167], {"en": 0.93, "es": 0.07}, 0.45),
    "US-C": (-5, 6, [7018, 20115, 7922], [21928, 20057], {"en": 0.9, "es": 0.1}, 0.4),
    "US-E": (-4, 12, [7922, 701, 7018, 6128], [21928, 6167, 20057], {"en": 0.92, "es": 0.08}, 0.45),
    "CA": (-4, 3, [812, 577, 852], [812], {"en": 0.8, "fr": 0.2}, 0.3),
    "BR": (-3, 4, [28573, 18881, 26599], [26615], {"pt": 0.75, "en": 0.25}, 0.35),
    "MX": (-6, 2, [8151, 13999], [28403], {"es": 0.8, "en": 0.2}, 0.2),
    "UK": (1, 6, [2856, 5089, 5607], [12576, 25135], {"en": 1.0}, 0.35),
    "DE": (2, 5, [3320, 3209, 6830], [3209], {"de": 0.55, "en": 0.45}, 0.55),
    "FR": (2, 4, [3215, 12322, 5410], [51207], {"fr": 0.6, "en": 0.4}, 0.6),
    "ES": (2, 2, [3352, 12479], [12430], {"es": 0.7, "en": 0.3}, 0.2),
    "IT": (2, 2, [3269, 30722], [16232], {"it": 0.65, "en": 0.35}, 0.15),
    "PL": (2, 2, [5617, 12741], [29247], {"en": 0.6, "ru": 0.1, "de": 0.3}, 0.25),
    "TR": (3, 2, [9121, 34984], [16135], {"tr": 0.7, "en": 0.3}, 0.1),
    "KE": (3, 1, [33771, 36866], [33771], {"en": 1.0}, 0.05),
    "NG": (1, 2, [29465, 37148], [29465], {"en": 1.0}, 0.05),
    "EG": (2, 1, [8452, 24863], [36935], {"ar": 0.6, "en": 0.4}, 0.05),
    "IN": (5.5, 8, [24560, 9829, 45609], [55836, 45609], {"en": 0.75, "hi": 0.25}, 0.6),
    "PK": (5, 1, [17557, 45595], [24499], {"en": 0.8, "hi": 0.2}, 0.05),
    "ID": (7, 3, [7713, 23693], [23693, 24203], {"id": 0.7, "en": 0.3}, 0.2),
    "VN": (7, 2, [7552, 45899], [7552], {"vi": 0.7, "en": 0.3}, 0.4),
    "SG": (8, 2, [9506, 4773], [4773], {"en": 0.85, "zh": 0.15}, 0.2),
    "HK": (8, 1, [4760, 9269], [9304], {"zh": 0.5, "en": 0.5}, 0.2),
    "TW": (8, 1, [3462, 4780], [24158], {"zh": 0.6, "en": 0.4}, 0.2),
    "PH": (8, 2, [9299, 132199], [132199], {"en": 1.0}, 0.2),
    "JP": (9, 4, [2516, 4713, 17676], [2516, 9605], {"ja": 0.75, "en": 0.25}, 0.5),
    "KR": (9, 3, [4766, 9318], [4766], {"ko": 0.7, "en": 0.3}, 0.2),
    "AU": (10, 3, [1221, 4804, 7545], [1221], {"en": 1.0}, 0.3),
}
REGION_NAMES = list(REGIONS)
REGION_W = [REGIONS[r][1] for r in REGION_NAMES]

CLOUD = {"aws": [16509, 14618], "gcp": [15169, 396982], "azure": [8075], "hetzner": [24940], "ovh": [16276],
         "do": [14061], "linode": [63949], "vultr": [20473], "alibaba": [45102], "tencent": [132203], "oracle": [31898]}
VPN = {"m247": 9009, "datacamp": 60068, "nordish": 136787, "mullvadish": 39351, "surfish": 209854, "warp": 13335}
NREN = {"US": 11537, "UK": 786, "DE": 680, "NL": 1103, "FR": 2200, "AU": 7575, "JP": 2907, "IN": 55824, "BR": 1916, "KR": 17579}
ZSCALER = 53813

_FIRST_OCTETS = [23, 24, 31, 37, 45, 46, 50, 62, 64, 66, 67, 68, 71, 73, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88,
                 89, 90, 91, 92, 93, 94, 95, 98, 99, 101, 103, 104, 106, 108, 109, 110, 112, 113, 114, 115, 116, 117, 118,
                 119, 121, 122, 123, 124, 125, 128, 129, 130, 131, 134, 137, 138, 139, 141, 142, 143, 144, 146, 147, 148,
                 149, 150, 151, 152, 155, 156, 157, 158, 159, 160, 161, 162, 163, 164, 165, 166, 167, 168, 170, 171, 173,
                 174, 175, 176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 190, 191, 193, 194, 195,
                 196, 197, 199, 200, 201, 202, 204, 206, 207, 208, 209, 210, 211, 212, 213, 216, 217, 218, 219, 220, 221, 222]

_prefix_cache = {}


def prefixes(asn):
    """a handful of /16s per ASN, derived from a hash (stable across runs)"""
    p = _prefix_cache.get(asn)
    if p is None:
        r = random.Random(hash_str("asn%d" % asn))
        n = r.randint(3, 8)
        p = [(r.choice(_FIRST_OCTETS), r.randint(0, 255)) for _ in range(n)]
        v6 = "2%03x:%x" % (r.randint(0x400, 0xa0f), r.randint(0x1000, 0xffff))
        p = (p, v6)
        _prefix_cache[asn] = p
    return p


def rand_ip(rng, asn):
    p, _ = prefixes(asn)
    a, b = rng.choice(p)
    return "%d.%d.%d.%d" % (a, b, rng.randint(0, 255), rng.randint(1, 254))


def pool(rng, asn, n, same24=False):
    """n addresses in the ASN; same24 packs them into few /24s (NAT/egress ranges)"""
    p, _ = prefixes(asn)
    out = []
    if same24:
        a, b = rng.choice(p)
        c = rng.randint(0, 255)
        for i in range(n):
            out.append("%d.%d.%d.%d" % (a, b, (c + i // 250) % 256, 1 + i % 250))
    else:
        for _ in range(n):
            out.append(rand_ip(rng, asn))
    return out


def v6_prefix64(rng, asn):
    _, v6 = prefixes(asn)
    return "%s:%x:%x" % (v6, rng.randint(0, 0xffff), rng.randint(0, 0xffff) & 0xff00)


def v6_addr(rng, p64):
    return "%s:%x:%x:%x:%x" % (p64, rng.randint(0, 0xffff), rng.randint(0, 0xffff), rng.randint(0, 0xffff), rng.randint(1, 0xffff))


class Net:
    """per-account egress behaviour.  kind decides how ip/asn evolve per session/request.

    kinds: home, mobile, office, univ, cloud, vpn, resproxy, proxy (fixed egress pool), none (no ip fields)
    """
    __slots__ = ("kind", "asn", "ips", "p64", "cur", "alt", "sticky", "v6", "p_alt", "asn_str", "reg")

    def __init__(self, kind, asn=None, ips=None, p64=None, alt=None, sticky=1.0, p_alt=0.0):
        self.kind = kind
        self.asn = asn
        self.ips = ips or []
        self.p64 = p64
        self.cur = None
        self.alt = alt          # secondary Net (e.g. phone on mobile data, laptop at work)
        self.sticky = sticky    # probability of keeping the current address at a new session
        self.p_alt = p_alt
        self.asn_str = False
        self.reg = None

    def at(self, rng, new_session):
        """returns (ip, asn) or (None, None)"""
        if self.kind == "none":
            return None, None
        if self.alt is not None and new_session:
            if rng.random() < self.p_alt:
                self.cur = ("alt",)
            elif self.cur == ("alt",):
                self.cur = None
        if self.cur == ("alt",):
            return self.alt.at(rng, new_session)
        k = self.kind
        if k == "home":
            if self.cur is None or (new_session and rng.random() > self.sticky):
                if self.p64 and rng.random() < 0.7:
                    self.cur = (v6_addr(rng, self.p64), self.asn)
                else:
                    self.cur = (self.ips[0] if self.ips and rng.random() < 0.85 else rand_ip(rng, self.asn), self.asn)
                    if not self.ips:
                        self.ips = [self.cur[0]]
            return self.cur
        if k in ("mobile", "vpn"):
            if self.cur is None or new_session or rng.random() < 0.05:
                self.cur = (rng.choice(self.ips), self.asn if not isinstance(self.asn, list) else rng.choice(self.asn))
            return self.cur
        if k == "resproxy":
            if self.cur is None or rng.random() > self.sticky or (new_session and rng.random() < 0.7):
                region = self.reg or rng.choices(REGION_NAMES, REGION_W)[0]
                asn = rng.choice(REGIONS[region][2])
                self.cur = (rand_ip(rng, asn), asn)
            return self.cur
        # office / univ / cloud / proxy: pick from a fixed pool, mostly sticky
        if self.cur is None or (new_session and rng.random() > self.sticky) or rng.random() < 0.02:
            i = rng.randrange(len(self.ips))
            a = self.asn[i % len(self.asn)] if isinstance(self.asn, list) else self.asn
            self.cur = (self.ips[i], a)
        return self.cur


def home_net(rng, region, mobile_share=0.25):
    _, _, res, mob, _, v6 = REGIONS[region]
    asn = rng.choice(res)
    p64 = v6_prefix64(rng, asn) if rng.random() < v6 else None
    n = Net("home", asn, [rand_ip(rng, asn)], p64, sticky=0.97)
    if rng.random() < mobile_share:
        n.alt = mobile_net(rng, region)
        n.p_alt = rng.uniform(0.1, 0.5)
    return n


_CGNAT = {}


def cgnat_pool(asn):
    p = _CGNAT.get(asn)
    if p is None:
        r = random.Random(hash_str("cgnat%d" % asn))
        p = pool(r, asn, r.randint(16, 64), same24=True)
        _CGNAT[asn] = p
    return p


def mobile_net(rng, region):
    asn = rng.choice(REGIONS[region][3])
    return Net("mobile", asn, cgnat_pool(asn))


_VPN = {}


def vpn_pool(name):
    p = _VPN.get(name)
    if p is None:
        r = random.Random(hash_str("vpn" + name))
        asn = VPN[name]
        p = pool(r, asn, r.randint(40, 120))
        _VPN[name] = p
    return p


def vpn_net(rng, name=None):
    name = name or rng.choice(list(VPN))
    return Net("vpn", VPN[name], vpn_pool(name))


_ZS = []


def zscaler_ips():
    if not _ZS:
        r = random.Random(hash_str("zscaler"))
        _ZS.extend(pool(r, ZSCALER, 60))
    return _ZS


def cloud_net(rng, provider=None, n=None, ips=None):
    provider = provider or rng.choice(list(CLOUD))
    asn = rng.choice(CLOUD[provider])
    ips = ips or pool(rng, asn, n or rng.randint(1, 4))
    return Net("cloud", asn, ips, sticky=0.995)


# ASNs whose requests are logged by the APAC edge pipeline, which writes "AS<n>" strings
APAC_ASN = set()
for _r in ("IN", "PK", "ID", "VN", "SG", "HK", "TW", "PH", "JP", "KR", "AU"):
    APAC_ASN.update(REGIONS[_r][2])
    APAC_ASN.update(REGIONS[_r][3])
APAC_ASN.update([45102, 132203, 4760, 4773, 2907, 7575])


def region_pick(rng, prefer=None):
    if prefer:
        return rng.choice(prefer)
    return rng.choices(REGION_NAMES, REGION_W)[0]


def lang_pick(rng, region):
    d = REGIONS[region][4]
    return rng.choices(list(d), list(d.values()))[0]
