"""Patches 10, 15 and 16: a Route 53 change is PENDING before it is INSYNC, on
the virtual clock, and each change has its own id, as on AWS; a hosted zone
is not found for a few seconds after it was made; a zone or health check
takes at most 10 tags.

moto answers every change (a record batch, a zone made or deleted) INSYNC at
once, under one fixed change id, and GetChange says INSYNC for any id, even one
it never gave. AWS gives each change its own id, reports it PENDING until
every Route 53 name server has it ("generally within 60 seconds"), then
INSYNC, and answers NoSuchChange for an id it does not know. Right
after CreateHostedZone the zone's own id can still answer NoSuchHostedZone
(ZONE_LAG_SECONDS here; a test changes it with `POST /_wway/set?zone_lag=N`).
"""

import functools
import threading
import uuid

import clock
from clock import CLOCK, refused

INSYNC_SECONDS = 60
ZONE_LAG_SECONDS = 5
TAGS_PER_RESOURCE = 10

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


def patch_zone_lag() -> None:
    """Patch 15: a zone is found only seconds after CreateHostedZone made it."""
    from moto.route53 import models
    from moto.route53.exceptions import NoSuchHostedZone

    original_create = models.Route53Backend.create_hosted_zone
    original_get = models.Route53Backend.get_hosted_zone

    @functools.wraps(original_create)
    def create_hosted_zone(self, *args, **kwargs):
        zone = original_create(self, *args, **kwargs)
        zone._wway_found_from = CLOCK.now() + clock.setting("zone_lag", ZONE_LAG_SECONDS)
        return zone

    @functools.wraps(original_get)
    def get_hosted_zone(self, id_):
        zone = original_get(self, id_)
        if CLOCK.now() < getattr(zone, "_wway_found_from", 0):
            refused(f"route53: NoSuchHostedZone {id_}: made moments ago")
            raise NoSuchHostedZone(id_)
        return zone

    models.Route53Backend.create_hosted_zone = create_hosted_zone
    models.Route53Backend.get_hosted_zone = get_hosted_zone


def patch_tag_limit() -> None:
    """Patch 16: ChangeTagsForResource refuses to leave more than 10 tags."""
    from moto.route53 import models
    from moto.route53.exceptions import InvalidInput

    original = models.Route53Backend.change_tags_for_resource

    @functools.wraps(original)
    def change_tags_for_resource(self, resource_type, resource_id, add_tags, remove_tag_keys):
        keys = set(self.resource_tags.get(resource_id, {}))
        keys |= {tag["Key"] for tag in add_tags or []}
        keys -= set(remove_tag_keys or [])
        if len(keys) > TAGS_PER_RESOURCE:
            refused(f"route53:ChangeTagsForResource {resource_id}: {len(keys)} tags")
            raise InvalidInput(f"Number of tags for the resource exceeds the limit of {TAGS_PER_RESOURCE}")
        return original(self, resource_type, resource_id, add_tags, remove_tag_keys)

    models.Route53Backend.change_tags_for_resource = change_tags_for_resource
