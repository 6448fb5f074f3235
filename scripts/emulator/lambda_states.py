"""Patches 11, 12 and 14: a Lambda function and each version it publishes are Pending
before they are Active, and an update is InProgress for a while, on the
virtual clock, as on AWS; and CloudFront takes only what Lambda@Edge can run.

moto makes a function and every version Active at once, reports every update
Successful, and lets CloudFront name any ARN in a behavior. AWS:

- State is Pending after CreateFunction and for each newly published version
  until Lambda has set it up (seconds), then Active;
- LastUpdateStatus is InProgress after UpdateFunctionConfiguration or
  UpdateFunctionCode, then Successful; while a function is Pending or an
  update InProgress, a further update or PublishVersion is refused with
  ResourceConflictException;
- a CloudFront behavior's Lambda@Edge association must name a numbered
  version (not $LATEST, not the bare function) of a us-east-1 function that
  is Active and whose role trusts edgelambda.amazonaws.com, else
  InvalidLambdaFunctionAssociation;
- CreateFunction refuses a runtime on or after the day Lambda blocks new
  functions on it, and an update of a function on a runtime on or after the
  day it blocks updates (InvalidParameterValueException), by AWS's runtime
  calendar (RUNTIMES) on CALENDAR_DAY;
- a function's creation can fail (State Failed, with StateReasonCode and
  StateReason) and so can an update (LastUpdateStatus Failed, with its
  reason), as a test asks with `POST /_wway/fail?kind=function|function-update
  &name=N&code=C&message=M`;
- a function CloudFront runs at the edge is replicated, and DeleteFunction
  refuses it ("because it is a replicated function") while a distribution
  names one of its versions and for hours after the last one stopped
  (REPLICA_SECONDS: AWS removes the replicas "within a few hours").
"""

import functools
import inspect
import re

from clock import CALENDAR_DAY, CLOCK, failure_for, refused

# AWS's Lambda runtime calendar (the Lambda developer guide, "Lambda
# runtimes"), for the runtimes Lambda@Edge runs: the day Lambda blocks
# creating functions on each, and the day it blocks updating them.
RUNTIMES = {
    "nodejs18.x": ("2026-02-03", "2026-03-09"),
    "nodejs20.x": ("2026-08-31", "2026-09-30"),
    "nodejs22.x": ("2027-06-01", "2027-07-01"),
    "python3.9": ("2026-06-01", "2026-07-01"),
    "python3.10": ("2026-07-31", "2026-08-31"),
    "python3.11": ("2026-07-31", "2026-08-31"),
    "python3.12": ("2028-11-30", "2029-01-10"),
    "python3.13": ("2029-07-31", "2029-08-31"),
}


def refuse_blocked_runtime(runtime, operation, create) -> None:
    """InvalidParameterValueException for a runtime Lambda no longer takes."""
    from moto.awslambda.exceptions import InvalidParameterValueException

    blocked = RUNTIMES.get(runtime, ("9999-12-31", "9999-12-31"))[0 if create else 1]
    if blocked <= CALENDAR_DAY:
        refused(f"lambda:{operation}: runtime {runtime} blocked since {blocked}")
        raise InvalidParameterValueException(
            f"The runtime parameter of {runtime} is no longer supported for creating or updating "
            "AWS Lambda functions. We recommend you use a supported runtime while creating or "
            "updating functions.")

PENDING_SECONDS = 5
UPDATE_SECONDS = 5
REPLICA_SECONDS = 3 * 3600

# The Lambda@Edge ARNs each distribution names, and when each function's
# last association went (per emulator: each is a process of its own).
_edge_arns: dict[str, set[str]] = {}
_released: dict[str, float] = {}


def _function_name(arn: str) -> str:
    return arn.split(":function:")[-1].split(":")[0]


def _associations_changed(distribution_id: str, arns) -> None:
    """Notes what `distribution_id` names now (None: it is gone)."""
    before = {_function_name(a) for names in _edge_arns.values() for a in names}
    if arns is None:
        _edge_arns.pop(distribution_id, None)
    else:
        _edge_arns[distribution_id] = set(arns)
    after = {_function_name(a) for names in _edge_arns.values() for a in names}
    for name in before - after:
        _released[name] = CLOCK.now()


def replicated(function_name: str) -> bool:
    """Whether CloudFront still holds replicas of the function."""
    name = _function_name(function_name)
    if any(_function_name(a) == name for names in _edge_arns.values() for a in names):
        return True
    return CLOCK.now() < _released.get(name, float("-inf")) + REPLICA_SECONDS


def _until(resource, attribute, seconds) -> None:
    setattr(resource, attribute, CLOCK.now() + seconds)


def _busy(function):
    """Why Lambda refuses a change now, or None."""
    if CLOCK.now() < getattr(function, "_wway_active_at", 0):
        return "The function is currently in the following state: Pending"
    if CLOCK.now() < getattr(function, "_wway_updated_at", 0):
        return f"An update is in progress for resource: {function.function_arn}"
    return None


def patch() -> None:
    from moto.awslambda import models
    from moto.awslambda.exceptions import LambdaClientError

    backend = models.LambdaBackend
    original_config = models.LambdaFunction.get_configuration
    original_create = backend.create_function
    original_publish = models.LambdaStorage.publish_version

    def conflict(function, operation):
        why = _busy(function)
        if why is not None:
            refused(f"lambda:{operation} {function.function_name}: {why}")
            raise LambdaClientError(
                "ResourceConflictException", f"The operation cannot be performed at this time. {why}"
            )

    @functools.wraps(original_config)
    def get_configuration(self, on_create=False):
        config = original_config(self, on_create)
        config["State"] = "Pending" if CLOCK.now() < getattr(self, "_wway_active_at", 0) else "Active"
        failed = getattr(self, "_wway_failed", None)
        if failed and config["State"] == "Active":
            config.update(State="Failed", StateReasonCode=failed[0], StateReason=failed[1])
        if "LastUpdateStatus" in config and CLOCK.now() < getattr(self, "_wway_updated_at", 0):
            config["LastUpdateStatus"] = "InProgress"
        elif getattr(self, "_wway_update_failed", None):
            code, message = self._wway_update_failed
            config.update(LastUpdateStatus="Failed", LastUpdateStatusReasonCode=code,
                          LastUpdateStatusReason=message)
        return config

    def updating(method, operation):
        """An update: refused while the function is busy, then InProgress."""

        @functools.wraps(method)
        def wrapper(self, function_name, qualifier, body):
            function = self.get_function(function_name, qualifier)
            refuse_blocked_runtime(body.get("Runtime", function.run_time), operation, create=False)
            conflict(function, operation)
            answer = method(self, function_name, qualifier, body)
            _until(function, "_wway_updated_at", UPDATE_SECONDS)
            function._wway_update_failed = failure_for("function-update", function.function_name)
            return answer

        return wrapper

    @functools.wraps(original_create)
    def create_function(self, spec):
        refuse_blocked_runtime(spec.get("Runtime"), "CreateFunction", create=True)
        answer = original_create(self, spec)  # a copy when it published a version
        latest = self._lambdas.get_function_by_name_forbid_qualifier(answer.function_name)
        failure = failure_for("function", answer.function_name)
        for function in {answer, latest}:
            _until(function, "_wway_active_at", PENDING_SECONDS)
            function._wway_failed = failure
        return answer

    @functools.wraps(original_publish)
    def publish_version(self, name_or_arn, description=""):
        latest = self.get_function_by_name_or_arn_forbid_qualifier(name_or_arn)
        conflict(latest, "PublishVersion")
        known = list(self._functions.get(latest.function_name, {}).get("versions", []))
        version = original_publish(self, name_or_arn, description)
        if version is not None and version not in known:
            _until(version, "_wway_active_at", PENDING_SECONDS)
            version._wway_updated_at = 0
        return version

    models.LambdaFunction.get_configuration = get_configuration
    backend.update_function_code = updating(backend.update_function_code, "UpdateFunctionCode")
    backend.update_function_configuration = updating(
        backend.update_function_configuration, "UpdateFunctionConfiguration")
    backend.create_function = create_function
    models.LambdaStorage.publish_version = publish_version

    original_delete = backend.delete_function

    @functools.wraps(original_delete)
    def delete_function(self, function_name, qualifier=None):
        if self.region_name == "us-east-1" and replicated(function_name):
            arn = f"arn:aws:lambda:us-east-1:{self.account_id}:function:{_function_name(function_name)}"
            refused(f"lambda:DeleteFunction {function_name}: replicated")
            raise LambdaClientError(
                "InvalidParameterValueException",
                f"Lambda was unable to delete {arn} because it is a replicated function. Please see our "
                "documentation for Deleting Lambda@Edge Functions and Replicas.")
        return original_delete(self, function_name, qualifier)

    backend.delete_function = delete_function


def edge_association_problem(arn: str, lambda_backends):
    """Why CloudFront refuses to run `arn` at the edge, or None."""
    match = re.match(r"^arn:aws:lambda:([a-z0-9-]+):(\d+):function:([^:]+):(\d+)$", arn)
    if match is None:
        return "The function ARN must reference a specific function version (not $LATEST or an alias)"
    region, account, name, number = match.groups()
    if region != "us-east-1":
        return "The function must be in region us-east-1"
    try:
        storage = lambda_backends[account]["us-east-1"]._lambdas
        versions = storage._functions[name]["versions"]
        version = next(v for v in versions if str(v.version) == number)
    except (KeyError, StopIteration):
        return "The function does not exist or the caller does not have permission to access it"
    if CLOCK.now() < getattr(version, "_wway_active_at", 0):
        return "The function must be in an Active state. The current state is: Pending"
    from moto.iam.models import iam_backends

    try:
        role = iam_backends[account]["aws"].get_role_by_arn(version.role)
        trusted = "edgelambda.amazonaws.com" in role.assume_role_policy_document
    except Exception:
        trusted = False
    if not trusted:
        return ("The function execution role must be assumable with edgelambda.amazonaws.com "
                "as well as lambda.amazonaws.com principals")
    return None


def patch_cloudfront() -> None:
    """CloudFront refuses a Lambda@Edge association Lambda@Edge cannot run."""
    from moto.awslambda.models import lambda_backends
    from moto.cloudfront import models
    from moto.cloudfront.exceptions import CloudFrontException

    def associations(config):
        behaviors = [config.get("DefaultCacheBehavior") or {}]
        behaviors += (config.get("CacheBehaviors") or {}).get("Items") or []
        for behavior in behaviors:
            items = (behavior.get("LambdaFunctionAssociations") or {}).get("Items") or []
            for item in items:
                yield item.get("LambdaFunctionARN", "")

    def checked(method, parameter):
        """`method`, refusing a configuration (its argument `parameter`) that
        names an association Lambda@Edge cannot run."""
        signature = inspect.signature(method)

        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            config = signature.bind(self, *args, **kwargs).arguments[parameter] or {}
            for arn in associations(config):
                problem = edge_association_problem(arn, lambda_backends)
                if problem is not None:
                    refused(f"cloudfront:{method.__name__} {arn}: {problem}")
                    raise CloudFrontException("InvalidLambdaFunctionAssociation", f"{problem}: {arn}")
            return method(self, *args, **kwargs)

        return wrapper

    backend = models.CloudFrontBackend
    original_create = checked(backend.create_distribution_with_tags, "distribution_config")
    original_update = checked(backend.update_distribution, "dist_config")
    original_delete = backend.delete_distribution

    @functools.wraps(original_create)
    def create(self, distribution_config, tags):
        arns = list(associations(distribution_config or {}))  # moto changes the config it is given
        answer = original_create(self, distribution_config, tags)
        _associations_changed(answer[0].distribution_id, arns)
        return answer

    @functools.wraps(original_update)
    def update(self, dist_config, _id, if_match):
        arns = list(associations(dist_config or {}))
        answer = original_update(self, dist_config, _id, if_match)
        _associations_changed(_id, arns)
        return answer

    @functools.wraps(original_delete)
    def delete(self, distribution_id, if_match):
        answer = original_delete(self, distribution_id, if_match)
        _associations_changed(distribution_id, None)
        return answer

    backend.create_distribution_with_tags = create
    backend.update_distribution = update
    backend.delete_distribution = delete
