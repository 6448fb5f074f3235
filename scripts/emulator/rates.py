"""Patches 20 and 22: Route 53 answers at most its account's rate, and one
change batch of a zone at a time, as AWS does.

moto answers every request. Route 53 allows an account 10 requests a second
(since 2026-07-30; 5 before) and CreateHealthCheck one every two seconds,
and answers more with HTTP 400 Throttling ("Rate exceeded"), which the SDKs
retry after a backoff. It also refuses a change batch for a zone while it
is still processing the zone's last one (HTTP 400 PriorRequestNotComplete;
PRIOR_REQUEST_SECONDS of wall time here; a test changes it with
`POST /_wway/set?prior_request=N`, and the checks' pace with
`check_create_every=N`, for a test of something else that makes many). This WSGI layer counts Route 53's
requests (its REST paths start with /2013-04-01/) in wall time: rates are
about how often a client asks, not about the virtual clock.
"""

import threading
import time
from collections import deque

import clock
from clock import refused

ACCOUNT_PER_SECOND = 10
HEALTH_CHECK_CREATES_EVERY = 2.0  # seconds
PRIOR_REQUEST_SECONDS = 0.5

_lock = threading.Lock()
_recent: deque = deque()
_last_check_create = [float("-inf")]
_last_batch: dict[str, float] = {}



def _error(code: str, message: str) -> bytes:
    return (f"<?xml version=\"1.0\"?>\n<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">"
            f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            f"<RequestId>wway-emulator</RequestId></ErrorResponse>").encode()


THROTTLED = _error("Throttling", "Rate exceeded")
PRIOR_REQUEST = _error("PriorRequestNotComplete",
                       "The request was rejected because Route 53 was still processing a prior request.")


def _admitted(creates_check: bool) -> str | None:
    """None when the request may go on, else why it is throttled."""
    now = time.monotonic()
    with _lock:
        while _recent and now - _recent[0] >= 1.0:
            _recent.popleft()
        if len(_recent) >= ACCOUNT_PER_SECOND:
            return f"more than {ACCOUNT_PER_SECOND} requests in a second"
        every = clock.setting("check_create_every", HEALTH_CHECK_CREATES_EVERY)
        if creates_check and now - _last_check_create[0] < every:
            return "CreateHealthCheck within 2 s of the last one"
        _recent.append(now)
        if creates_check:
            _last_check_create[0] = now
    return None


def _zone_free(path: str) -> bool:
    """Whether a change batch to the zone of `path` may start now: Route 53
    has done with the zone's last one (`_processed` says when)."""
    with _lock:
        last = _last_batch.get(path.split("/")[3], float("-inf"))
    return time.monotonic() - last >= clock.setting("prior_request", PRIOR_REQUEST_SECONDS)


def _processed(path: str) -> None:
    with _lock:
        _last_batch[path.split("/")[3]] = time.monotonic()


def _refusal(method: str, path: str, batch: bool):
    """(code, why, answer) when Route 53 refuses the request now, else None."""
    why = _admitted(method == "POST" and path.rstrip("/") == "/2013-04-01/healthcheck")
    if why is not None:
        return "Throttling", why, THROTTLED
    if batch and not _zone_free(path):
        return "PriorRequestNotComplete", "the zone's last batch is still being processed", PRIOR_REQUEST
    return None


def limit(app):
    """Wraps the emulator's WSGI app with Route 53's rates."""

    def wrapped(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/2013-04-01/"):
            return app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "")
        # ChangeResourceRecordSets; a GET of the same path only lists records.
        batch = method == "POST" and path.rstrip("/").endswith("/rrset")
        refusal = _refusal(method, path, batch)
        if refusal is None:
            answer = app(environ, start_response)
            if batch:
                _processed(path)
            return answer
        code, why, answer = refusal
        refused(f"route53:{code} {method} {path}: {why}")
        start_response("400 Bad Request", [("Content-Type", "text/xml"), ("Content-Length", str(len(answer)))])
        return [answer]

    return wrapped
