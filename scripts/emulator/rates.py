"""Patch 20: Route 53 answers at most its account's rate, as AWS does.

moto answers every request. Route 53 allows an account 10 requests a second
(since 2026-07-30; 5 before) and CreateHealthCheck one every two seconds,
and answers more with HTTP 400 Throttling ("Rate exceeded"), which the SDKs
retry after a backoff. This WSGI layer counts Route 53's requests (its REST
paths start with /2013-04-01/) over the last second of wall time: rates are
about how often a client asks, not about the virtual clock.
"""

import threading
import time
from collections import deque

from clock import refused

ACCOUNT_PER_SECOND = 10
HEALTH_CHECK_CREATES_EVERY = 2.0  # seconds

_lock = threading.Lock()
_recent: deque = deque()
_last_check_create = [float("-inf")]

THROTTLED = (b"<?xml version=\"1.0\"?>\n<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">"
             b"<Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
             b"<RequestId>wway-emulator</RequestId></ErrorResponse>")


def _admitted(creates_check: bool) -> str | None:
    """None when the request may go on, else why it is throttled."""
    now = time.monotonic()
    with _lock:
        while _recent and now - _recent[0] >= 1.0:
            _recent.popleft()
        if len(_recent) >= ACCOUNT_PER_SECOND:
            return f"more than {ACCOUNT_PER_SECOND} requests in a second"
        if creates_check and now - _last_check_create[0] < HEALTH_CHECK_CREATES_EVERY:
            return "CreateHealthCheck within 2 s of the last one"
        _recent.append(now)
        if creates_check:
            _last_check_create[0] = now
    return None


def limit(app):
    """Wraps the emulator's WSGI app with Route 53's rates."""

    def wrapped(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/2013-04-01/"):
            return app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "")
        why = _admitted(method == "POST" and path.rstrip("/") == "/2013-04-01/healthcheck")
        if why is None:
            return app(environ, start_response)
        refused(f"route53:Throttling {method} {path}: {why}")
        start_response("400 Bad Request", [("Content-Type", "text/xml"), ("Content-Length", str(len(THROTTLED)))])
        return [THROTTLED]

    return wrapped
