"""Patch 35: Route 53 health checks that see an endpoint go down, follow
`Inverted`, and take interval x threshold to change; and TestDNSAnswer, which
answers a query as Route 53's name servers would, routing by health.

moto keeps `Inverted` as whatever text the request sent ("false" is true to
Python), answers GetHealthCheckStatus with one checker reporting success
whatever the endpoint does, and has no TestDNSAnswer (nor any way to ask how
a name resolves). AWS:
- A health check's endpoint is checked every RequestInterval seconds by
  checkers in eight regions; GetHealthCheckStatus gives each checker's last
  observation ("Success: HTTP Status Code 200, OK", "Failure: ..."), which is
  what the endpoint did, not inverted.
- Route 53 changes its view of a check (what routing uses) once the result
  has held for FailureThreshold checks in a row; `Inverted` turns the view
  over; a disabled check is healthy.
- TestDNSAnswer (GET /2013-04-01/testdnsanswer) answers the record set for a
  name and type from the client's location (EDNS0ClientSubnetIP, else the
  resolver's): failover gives the primary unless its check is unhealthy and
  the secondary's is not; latency the nearest healthy region; weighted a
  healthy record at random by weight; geolocation the most specific location
  (country, continent, default) whose record is healthy, and when none is,
  the most specific one. Where every record of latency or weighted is
  unhealthy, all count as healthy. A name with no record of the type answers
  NOERROR and no data; a name the zone lacks, NXDOMAIN.
The client's location comes from a small table of address blocks
(`BLOCKS`: national carriers' allocations with their capital); an address
outside them is located in the US.

A test marks an endpoint down and up again (on the clock):
    POST /_wway/endpoint?fqdn=F&down=1      (down=0: up again)
"""

import functools
import ipaddress
import math
import random
import threading

import clock
from clock import CLOCK

# The eight regions Route 53's checkers run from.
CHECKER_REGIONS = ["us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1",
                   "ap-southeast-2", "ap-northeast-1", "sa-east-1"]

SUCCESS = "Success: HTTP Status Code 200, OK"
FAILURE = "Failure: Connection timed out. The endpoint or the internet connection is down, or requests are being blocked by your firewall."

# Address blocks of national carriers, with the country, its continent
# (Route 53's codes) and where the block's users are.
BLOCKS = [
    ("12.0.0.0/8", "US", "NA", 38.9, -77.0),
    ("99.224.0.0/11", "CA", "NA", 43.7, -79.4),
    ("189.128.0.0/11", "MX", "NA", 19.4, -99.1),
    ("86.128.0.0/10", "GB", "EU", 51.5, -0.1),
    ("86.40.0.0/13", "IE", "EU", 53.3, -6.3),
    ("84.128.0.0/10", "DE", "EU", 52.5, 13.4),
    ("90.0.0.0/9", "FR", "EU", 48.9, 2.4),
    ("79.0.0.0/10", "IT", "EU", 41.9, 12.5),
    ("88.0.0.0/11", "ES", "EU", 40.4, -3.7),
    ("84.24.0.0/13", "NL", "EU", 52.4, 4.9),
    ("84.192.0.0/11", "BE", "EU", 50.8, 4.4),
    ("89.160.0.0/16", "SE", "EU", 59.3, 18.1),
    ("126.0.0.0/8", "JP", "AS", 35.7, 139.7),
    ("121.128.0.0/10", "KR", "AS", 37.6, 127.0),
    ("116.86.0.0/15", "SG", "AS", 1.35, 103.8),
    ("117.192.0.0/10", "IN", "AS", 28.6, 77.2),
    ("1.0.128.0/17", "TH", "AS", 13.8, 100.5),
    ("14.160.0.0/11", "VN", "AS", 21.0, 105.8),
    ("1.120.0.0/13", "AU", "OC", -33.9, 151.2),
    ("200.147.0.0/16", "BR", "SA", -23.5, -46.6),
]

# Where each AWS region is (the latency records' regions).
REGION_PLACES = {
    "us-east-1": (38.9, -77.4), "us-east-2": (40.0, -83.0), "us-west-1": (37.4, -121.9),
    "us-west-2": (45.6, -122.7), "ca-central-1": (45.5, -73.6), "sa-east-1": (-23.5, -46.6),
    "eu-west-1": (53.3, -6.3), "eu-west-2": (51.5, -0.1), "eu-west-3": (48.9, 2.4),
    "eu-central-1": (50.1, 8.7), "eu-north-1": (59.3, 18.1), "eu-south-1": (45.5, 9.2),
    "ap-northeast-1": (35.7, 139.7), "ap-northeast-2": (37.6, 127.0), "ap-northeast-3": (34.7, 135.5),
    "ap-southeast-1": (1.35, 103.8), "ap-southeast-2": (-33.9, 151.2), "ap-south-1": (19.1, 72.9),
    "ap-east-1": (22.3, 114.2), "me-south-1": (26.1, 50.6), "af-south-1": (-33.9, 18.4),
}

_lock = threading.Lock()
# fqdn -> [(virtual time, up)], the endpoint's changes as a test made them.
_endpoints: dict[str, list[tuple[float, bool]]] = {}


def _endpoint_up(fqdn: str, at: float) -> bool:
    with _lock:
        changes = _endpoints.get((fqdn or "").lower(), [])
    up = True
    for when, value in changes:
        if when <= at:
            up = value
    return up


def _set_endpoint(query) -> dict:
    down = query.get("down", "1") not in ("0", "false")
    with _lock:
        _endpoints.setdefault(query["fqdn"].lower(), []).append((CLOCK.now(), not down))
    return {"fqdn": query["fqdn"], "down": down}


def _settled(changes: list[tuple[float, bool]], at: float, hold: float) -> bool:
    """The value that last held for `hold` seconds without a change, by `at`
    (the first value counts from the start)."""
    view = changes[0][1]
    for i, (when, value) in enumerate(changes):
        if when > at:
            break
        until = changes[i + 1][0] if i + 1 < len(changes) else math.inf
        if i == 0 or min(until, at) - when >= hold:
            view = value
    return view


def _truth(value) -> bool:
    return value is True or str(value).lower() == "true"


def _raw_changes(check) -> list[tuple[float, bool]]:
    """What the checkers find, turned over while inverted: each change on the clock."""
    with _lock:
        endpoint = list(_endpoints.get((check.fqdn or "").lower(), []))
    flags = getattr(check, "_wway_flags", [(0.0, False, False)])
    times = sorted({0.0} | {t for t, _ in endpoint} | {t for t, _, _ in flags})
    changes = []
    for t in times:
        inverted, disabled = [(i, d) for when, i, d in flags if when <= t][-1]
        up = _endpoint_up(check.fqdn, t)
        changes.append((t, True if disabled else up != inverted))
    return changes


def healthy(check, at=None) -> bool:
    """Route 53's view of `check`: what has held for interval x threshold."""
    at = CLOCK.now() if at is None else at
    hold = int(check.request_interval) * int(check.failure_threshold)
    return _settled(_raw_changes(check), at, hold)


def _observations(check):
    """Each checker's last look at the endpoint (one interval old at most), not inverted."""
    now = CLOCK.now()
    with _lock:
        endpoint = [(0.0, True)] + list(_endpoints.get((check.fqdn or "").lower(), []))
    up = _settled(endpoint, now, int(check.request_interval))
    return [{"Region": region, "IPAddress": f"15.177.{i}.1",
             "StatusReport": {"Status": SUCCESS if up else FAILURE, "CheckedTime": clock_time()}}
            for i, region in enumerate(CHECKER_REGIONS)]


def clock_time():
    from moto.core.utils import utcnow
    return utcnow()


def locate(address: str):
    """(country, continent, lat, lon) of an address, by `BLOCKS`; the US when unknown."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        ip = None
    for block, country, continent, lat, lon in BLOCKS:
        if ip is not None and ip in ipaddress.ip_network(block):
            return country, continent, lat, lon
    return "US", "NA", 38.9, -77.0


def _distance(a, b) -> float:
    (la1, lo1), (la2, lo2) = a, b
    p1, p2 = math.radians(la1), math.radians(la2)
    dp, dl = math.radians(la2 - la1), math.radians(lo2 - lo1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


def choose(backend, records, client):
    """The record Route 53 answers from a group of record sets of one name and type."""
    def ok(r):
        check = backend.health_checks.get(r.health_check_id) if r.health_check_id else None
        return check is None or healthy(check)

    simple = [r for r in records if not r.set_identifier]
    if simple:
        return simple[0]
    failover = {r.failover: r for r in records if r.failover}
    if failover:
        primary, secondary = failover.get("PRIMARY"), failover.get("SECONDARY")
        if primary is not None and (ok(primary) or secondary is None or not ok(secondary)):
            return primary
        return secondary
    geo = [r for r in records if r.geo_location]
    if geo:
        country, continent = client[0], client[1]

        def matches(r, key, value):
            return (r.geo_location or {}).get(key) == value

        order = [r for r in geo if matches(r, "CountryCode", country)]
        order += [r for r in geo if matches(r, "ContinentCode", continent)]
        order += [r for r in geo if matches(r, "CountryCode", "*")]
        healthy_ones = [r for r in order if ok(r)]
        return (healthy_ones or order or [None])[0]
    latency = [r for r in records if r.region]
    if latency:
        pool = [r for r in latency if ok(r)] or latency
        here = (client[2], client[3])
        return min(pool, key=lambda r: _distance(here, REGION_PLACES.get(r.region, (0.0, 0.0))))
    weighted = [r for r in records if r.weight is not None]
    pool = [r for r in weighted if ok(r) and int(r.weight) > 0] or [r for r in weighted if int(r.weight) > 0]
    if not pool:
        return None
    return random.choices(pool, weights=[int(r.weight) for r in pool])[0]


def _values(record) -> list[str]:
    if record.alias_target:
        return ["192.0.2.1"]
    return [v["Value"] if isinstance(v, dict) else v for v in record.records or []]


def patch() -> None:
    from moto.core.responses import ActionResult
    from moto.route53 import models, responses, urls

    original_update = models.Route53Backend.update_health_check

    @functools.wraps(original_update)
    def update_health_check(self, health_check_id, health_check_args):
        check = original_update(self, health_check_id, health_check_args)
        check.inverted = _truth(check.inverted)
        check.disabled = _truth(check.disabled)
        flags = getattr(check, "_wway_flags", [(0.0, False, False)])
        if (flags[-1][1], flags[-1][2]) != (check.inverted, check.disabled):
            check._wway_flags = flags + [(CLOCK.now(), check.inverted, check.disabled)]
        return check

    models.Route53Backend.update_health_check = update_health_check

    original_create = models.Route53Backend.create_health_check

    @functools.wraps(original_create)
    def create_health_check(self, caller_reference, health_check_args):
        check = original_create(self, caller_reference, health_check_args)
        if not hasattr(check, "_wway_flags"):
            check.inverted, check.disabled = _truth(check.inverted), _truth(check.disabled)
            check._wway_flags = [(0.0, check.inverted, check.disabled)]
        return check

    models.Route53Backend.create_health_check = create_health_check

    def get_health_check_status(self):
        check = self.backend.get_health_check(self._get_param("HealthCheckId"))
        return ActionResult({"HealthCheckObservations": _observations(check)})

    def test_dns_answer(self):
        zone = self.backend.get_hosted_zone(self._get_param("HostedZoneId"))
        name = self._get_param("RecordName").rstrip(".").lower() + "."
        kind = self._get_param("RecordType")
        address = self._get_param("EDNS0ClientSubnetIP") or self._get_param("ResolverIP") or ""
        named = [r for r in zone.rrsets if r.name.rstrip(".").lower() + "." == name]
        chosen = choose(self.backend, [r for r in named if r.type == kind], locate(address))
        return ActionResult({
            "Nameserver": "ns-0.awsdns-00.com",
            "RecordName": name,
            "RecordType": kind,
            "RecordData": _values(chosen) if chosen is not None else [],
            "ResponseCode": "NOERROR" if named else "NXDOMAIN",
            "Protocol": "UDP",
        })

    responses.Route53.get_health_check_status = get_health_check_status
    responses.Route53.test_dns_answer = test_dns_answer
    urls.url_paths["{0}/(?P<api_version>[\\d_-]+)/testdnsanswer$"] = responses.Route53.dispatch
    clock.add_route("POST", "/_wway/endpoint", _set_endpoint)
