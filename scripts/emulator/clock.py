"""The emulator's virtual clock, its record of refusals, and the control routes
a test uses to steer both.

AWS takes minutes where moto takes nothing: a cluster is CREATING for about ten
minutes, a role reaches Lambda seconds after IAM made it. The patches measure
those times on this clock, which runs `speed` times faster than the wall clock
(600 by default: ten AWS minutes in one second), so resources pass through their
real states at a pace that keeps the suite fast. A test can stop the clock, start
it again and move it forward, and ask which refusals the emulator has made (to
know that a behaviour was exercised, not just that it could have been).

Routes (plain HTTP on the emulator's own port; AWS never sees them):
    GET  /_wway/clock                 {"now": virtual seconds, "frozen": bool}
    POST /_wway/clock/freeze          stop the clock
    POST /_wway/clock/resume          start it again
    POST /_wway/clock/advance?seconds=N
    GET  /_wway/refusals              ["what was refused and why", ...]
    POST /_wway/set?NAME=N            a patch's number (see `setting`)
    POST /_wway/fail?kind=K&name=N&code=C&message=M
                                      the next K named N that is made fails
                                      (see `failure_for`)
A patch adds routes of its own with `add_route` (route53_health.py: an
endpoint that goes down and comes back).
"""

import json
import threading
import time
from urllib.parse import parse_qs


class Clock:
    """Virtual seconds since the emulator started, `speed` times the wall clock's pace."""

    def __init__(self, speed: float):
        self.speed = speed
        self._lock = threading.Lock()
        self._base = 0.0
        self._since = time.monotonic()
        self._frozen = False

    def restart(self, speed: float) -> None:
        """Back to zero, unfrozen, at `speed` (an emulator's clock starts when it serves)."""
        with self._lock:
            self.speed = speed
            self._base = 0.0
            self._since = time.monotonic()
            self._frozen = False

    def now(self) -> float:
        with self._lock:
            if self._frozen:
                return self._base
            return self._base + (time.monotonic() - self._since) * self.speed

    def freeze(self) -> None:
        with self._lock:
            if not self._frozen:
                self._base += (time.monotonic() - self._since) * self.speed
                self._frozen = True

    def resume(self) -> None:
        with self._lock:
            if self._frozen:
                self._since = time.monotonic()
                self._frozen = False

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._base += seconds

    @property
    def frozen(self) -> bool:
        return self._frozen


CLOCK = Clock(600.0)

# The day the emulator's services live on for their calendars (the EKS
# versions they offer, the Lambda runtimes they take): fixed, so that nothing
# leaves the suite's emulator on a day nobody changed anything. It is the day
# the calendars (eks_states.VERSIONS, lambda_states.RUNTIMES) were last
# compared with AWS's.
CALENDAR_DAY = "2026-12-02"

_refusals: list[str] = []
_routes: dict = {}
_failures: dict[tuple[str, str], tuple[str, str]] = {}
_settings: dict[str, float] = {}
_lock = threading.Lock()


def setting(name: str, default: float) -> float:
    """A patch's number (e.g. "eni_linger", seconds) as a test set it, else `default`."""
    with _lock:
        return _settings.get(name, default)


def then(resource, seconds, action) -> None:
    """Runs `action` once the clock has moved `seconds` on (at the next
    `run_due` of `resource`)."""
    resource._wway_due = (CLOCK.now() + seconds, action)


def run_due(resource, now=None) -> None:
    """Runs `resource`'s transition if it is due."""
    due = getattr(resource, "_wway_due", None)
    if due is not None and due[0] <= (CLOCK.now() if now is None else now):
        resource._wway_due = None
        due[1]()


def refused(what: str) -> None:
    """Notes a refusal a patch made, for a test to read back."""
    with _lock:
        _refusals.append(what)


def failure_for(kind: str, name: str):
    """The (code, message) a test asked the next `kind` named `name` to fail with, once."""
    with _lock:
        return _failures.pop((kind, name), None)


def add_route(method: str, path: str, handler) -> None:
    """Serves `method path` with `handler(query)`, whose answer (JSON-able) is the reply."""
    _routes[(method, path)] = handler


def control(app):
    """Wraps moto's WSGI app with the routes above."""

    def answer(start_response, body, status="200 OK"):
        data = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]

    def wrapped(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/_wway/"):
            return app(environ, start_response)
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        method = environ.get("REQUEST_METHOD")
        if (method, path) in _routes:
            return answer(start_response, _routes[(method, path)](query))
        if path == "/_wway/clock" and method == "GET":
            return answer(start_response, {"now": CLOCK.now(), "frozen": CLOCK.frozen})
        if path == "/_wway/clock/freeze" and method == "POST":
            CLOCK.freeze()
        elif path == "/_wway/clock/resume" and method == "POST":
            CLOCK.resume()
        elif path == "/_wway/clock/advance" and method == "POST":
            CLOCK.advance(float(query.get("seconds", "0")))
        elif path == "/_wway/refusals" and method == "GET":
            with _lock:
                return answer(start_response, list(_refusals))
        elif path == "/_wway/set" and method == "POST":
            with _lock:
                _settings.update({k: float(v) for k, v in query.items()})
        elif path == "/_wway/fail" and method == "POST":
            with _lock:
                _failures[(query["kind"], query["name"])] = (query["code"], query.get("message", ""))
        else:
            return answer(start_response, {"error": f"no route {method} {path}"}, "404 Not Found")
        return answer(start_response, {"now": CLOCK.now(), "frozen": CLOCK.frozen})

    return wrapped
