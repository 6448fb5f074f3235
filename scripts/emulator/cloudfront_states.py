"""Patch 9: a CloudFront distribution deploys on the virtual clock, and its
ETag guards every write, as on AWS.

moto keeps one ETag for a distribution's whole life, accepts any If-Match,
answers Deployed after the first read whatever was written since, and deletes
an enabled distribution. AWS:

- every write (create, update) starts a deployment: the distribution is
  InProgress for minutes ("within 5 minutes"; users see 3 to 15), then
  Deployed; here DEPLOY_SECONDS on the clock (a test changes it with
  `POST /_wway/set?deploy_seconds=N`);
- every write gives the distribution a new ETag; a write with an If-Match
  that is not the current ETag is refused with PreconditionFailed (412), one
  without any with InvalidIfMatchVersion;
- DeleteDistribution is refused with DistributionNotDisabled (409) unless the
  distribution is disabled and that change is Deployed.

Patch 24: moto refuses every create that repeats a caller reference
(DistributionAlreadyExists). AWS refuses only one whose configuration
differs; a create that repeats the reference with the same configuration (a
retry whose first answer was lost) gets the distribution the first made.
"""

import functools

import clock
from clock import CLOCK, refused

DEPLOY_SECONDS = 300


def _deploying(distribution) -> None:
    from moto.cloudfront.models import random_id

    distribution.etag = random_id()
    distribution._wway_deployed_at = CLOCK.now() + clock.setting("deploy_seconds", DEPLOY_SECONDS)


def _status(distribution) -> str:
    return "InProgress" if CLOCK.now() < getattr(distribution, "_wway_deployed_at", 0) else "Deployed"


def patch() -> None:
    from moto.cloudfront import models
    from moto.cloudfront.exceptions import CloudFrontException, InvalidIfMatchVersion, NoSuchDistribution

    original_init = models.Distribution.__init__
    original_update = models.CloudFrontBackend.update_distribution
    original_delete = models.CloudFrontBackend.delete_distribution

    @functools.wraps(original_init)
    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        _deploying(self)

    def current(backend, distribution_id, if_match, operation):
        distribution = backend.distributions.get(distribution_id)
        if distribution is None:
            raise NoSuchDistribution
        if not if_match:
            raise InvalidIfMatchVersion
        if if_match != distribution.etag:
            refused(f"cloudfront:{operation} {distribution_id}: stale If-Match")
            raise CloudFrontException(
                "PreconditionFailed", "The precondition given in one or more of the request header fields evaluated to false."
            )
        return distribution

    @functools.wraps(original_update)
    def update_distribution(self, dist_config, _id, if_match):
        distribution = current(self, _id, if_match, "UpdateDistribution")
        answer = original_update(self, dist_config, _id, if_match)
        _deploying(distribution)
        return answer[0], answer[1], distribution.etag

    @functools.wraps(original_delete)
    def delete_distribution(self, distribution_id, if_match):
        distribution = current(self, distribution_id, if_match, "DeleteDistribution")
        enabled = str(getattr(distribution.distribution_config, "Enabled", False)).lower() == "true"
        if enabled or _status(distribution) != "Deployed":
            refused(f"cloudfront:DeleteDistribution {distribution_id}: not disabled and deployed")
            raise CloudFrontException(
                "DistributionNotDisabled", "The distribution you are trying to delete has not been disabled."
            )
        return original_delete(self, distribution_id, if_match)

    models.Distribution.__init__ = init
    models.Distribution.status = property(_status, lambda self, value: None)
    models.CloudFrontBackend.update_distribution = update_distribution
    models.CloudFrontBackend.delete_distribution = delete_distribution


def patch_caller_references() -> None:
    """Patch 24: a create repeated with the same caller reference and
    configuration answers the distribution the first made."""
    import copy

    from moto.cloudfront import models

    original = models.CloudFrontBackend.create_distribution_with_tags

    @functools.wraps(original)
    def create_distribution_with_tags(self, distribution_config, tags):
        reference = distribution_config.get("CallerReference")
        for distribution in self.distributions.values():
            if distribution.distribution_config.caller_reference != reference:
                continue
            if getattr(distribution, "_wway_request", None) == distribution_config:
                return distribution, distribution.location, distribution.etag
        request = copy.deepcopy(distribution_config)  # moto edits the one it gets
        answer = original(self, distribution_config, tags)
        answer[0]._wway_request = request
        return answer

    models.CloudFrontBackend.create_distribution_with_tags = create_distribution_with_tags
