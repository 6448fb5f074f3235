"""Patch 10: a Route 53 change is PENDING before it is INSYNC, on the virtual
clock, and each change has its own id, as on AWS.

moto answers every change (a record batch, a zone made or deleted) INSYNC at
once, under one fixed change id, and GetChange says INSYNC for any id, even one
it never gave. AWS gives each change its own id, reports it PENDING until
every Route 53 name server has it ("generally within 60 seconds"), then
INSYNC, and answers NoSuchChange for an id it does not know.
"""

import functools
import threading
import uuid

from clock import CLOCK

INSYNC_SECONDS = 60

_changes: dict[str, float] = {}
_lock = threading.Lock()


def _status(change_id: str):
    with _lock:
        insync_at = _changes.get(change_id.rsplit("/", 1)[-1])
    if insync_at is None:
        return None
    return "PENDING" if CLOCK.now() < insync_at else "INSYNC"


def patch() -> None:
    from moto.route53 import responses
    from moto.route53.exceptions import Route53ClientError

    def pending(method):
        """The change this request made gets its own id and is PENDING."""

        @functools.wraps(method)
        def wrapper(self):
            answer = method(self)
            info = answer.result.get("ChangeInfo") if isinstance(answer.result, dict) else None
            if info is not None:
                change = "C" + uuid.uuid4().hex[:12].upper()
                with _lock:
                    _changes[change] = CLOCK.now() + INSYNC_SECONDS
                info["Id"], info["Status"] = f"/change/{change}", "PENDING"
            return answer

        return wrapper

    for name in ["create_hosted_zone", "delete_hosted_zone", "change_resource_record_sets"]:
        setattr(responses.Route53, name, pending(getattr(responses.Route53, name)))

    original_get_change = responses.Route53.get_change

    @functools.wraps(original_get_change)
    def get_change(self):
        answer = original_get_change(self)
        status = _status(self._get_param("Id"))
        if status is None:
            raise Route53ClientError("NoSuchChange", f"A change with the specified change ID does not exist: {self._get_param('Id')}")
        answer.result["ChangeInfo"]["Status"] = status
        return answer

    responses.Route53.get_change = get_change
