"""Patch 21: the Resource Groups Tagging API finds a new resource only a while
after it was made, as on AWS.

moto's GetResources finds a function, a distribution or a KMS key the moment
it exists.
AWS's tagging API is eventually consistent: a resource made moments ago, with
its tags, is missing from GetResources for a while (TAGGING_LAG_SECONDS on
the virtual clock; a test changes it with `POST /_wway/set?tagging_lag=N`),
while the service's own API (GetFunction, GetDistribution, ListTagsForResource)
already has it. And moto's walk of every service's resources fails when another
request changes them meanwhile (a 500 AWS never gives): it is taken again.
"""

import functools

import clock
from clock import CLOCK

TAGGING_LAG_SECONDS = 120

_born: dict[str, float] = {}


def _made(arn: str) -> None:
    _born[arn] = CLOCK.now()


def _visible(arn: str) -> bool:
    return CLOCK.now() - _born.get(arn, float("-inf")) >= clock.setting("tagging_lag", TAGGING_LAG_SECONDS)


def patch() -> None:
    from moto.awslambda import models as lambda_models
    from moto.cloudfront import models as cloudfront_models
    from moto.kms import models as kms_models
    from moto.resourcegroupstaggingapi import models as tagging_models

    original_function = lambda_models.LambdaBackend.create_function
    original_distribution = cloudfront_models.CloudFrontBackend.create_distribution_with_tags
    original_key = kms_models.KmsBackend.create_key
    original_resources = tagging_models.ResourceGroupsTaggingAPIBackend._get_resources_generator

    @functools.wraps(original_function)
    def create_function(self, spec):
        function = original_function(self, spec)
        # The unqualified ARN, as GetResources names a function.
        _made(lambda_models.make_function_arn(function.region, function.account_id, function.function_name))
        return function

    @functools.wraps(original_distribution)
    def create_distribution_with_tags(self, *args, **kwargs):
        made = original_distribution(self, *args, **kwargs)
        _made(made[0].arn)
        return made

    @functools.wraps(original_key)
    def create_key(self, *args, **kwargs):
        key = original_key(self, *args, **kwargs)
        _made(key.arn)
        return key

    @functools.wraps(original_resources)
    def resources(self, *args, **kwargs):
        # moto walks every service's resources while other requests of the
        # threaded server change them ("dictionary changed size during
        # iteration", answered 500); AWS answers GetResources whatever else
        # goes on. The walk is taken whole, again until it holds still.
        for attempt in range(10):
            try:
                found = list(original_resources(self, *args, **kwargs))
                break
            except RuntimeError:
                if attempt == 9:
                    raise
        return (r for r in found if _visible(r.arn))

    lambda_models.LambdaBackend.create_function = create_function
    cloudfront_models.CloudFrontBackend.create_distribution_with_tags = create_distribution_with_tags
    kms_models.KmsBackend.create_key = create_key
    tagging_models.ResourceGroupsTaggingAPIBackend._get_resources_generator = resources
