"""Start moto, patched where it differs from AWS, on a free loopback port.

    python launcher.py --url-file PATH [--port N] [--speed X]
    python launcher.py --forks

Writes the server's URL to PATH once it is listening, then serves until killed.
With --forks it loads moto once and starts emulators on request, each a fresh
process of its own (forks.py); the test suite starts its emulators so.
Time-taking behaviours run on a virtual clock, X times faster than real time
(600: ten AWS minutes in one second); clock.py has the routes that steer it.

Patches (each closes a gap in moto 5.2.5 that would make wway's tests lie;
wway itself is never changed to fit the emulator):

1. CloudFront drops LambdaFunctionAssociations: DefaultCacheBehaviour and
   CacheBehaviour always answer Quantity 0. We keep the associations the
   request sent, so a distribution read back shows its Lambda@Edge functions.
2. Route 53 ListResourceRecordSets ignores StartRecordIdentifier and never
   returns NextRecordIdentifier, so a page that ends inside a group of records
   with set identifiers (failover, geolocation, latency, weighted) is served
   again and again: a client following the pages loops forever. We order by
   name, type and set identifier and page on all three, as AWS does.
3. Route 53 CREATE of a record that exists (same name, type and set identifier)
   adds a duplicate; AWS rejects the whole batch with InvalidChangeBatch. We
   check every CREATE before any change of the batch is made. Likewise a
   DELETE of a record set that is not there (by name, type and set
   identifier), or whose TTL, values, alias target, health check or routing
   differ from the one there: moto deletes nothing, or the record anyway, and
   answers success; AWS refuses the batch. And the other
   way round: moto refuses to CREATE a record again that an earlier change
   created and a later one deleted (its check finds the old change in the
   zone's change history, then looks at every record sorted after the name,
   not at the name), which is what undoing a delete does; we drop such stale
   history entries before moto's own checks run.
5. Route 53 CreateHealthCheck ignores CallerReference. AWS returns the existing
   check for a reference it has seen with a live check, and refuses
   (HealthCheckAlreadyExists) a reference whose check was deleted; we do both,
   so a tool that reuses caller references across runs fails here as on AWS.
6. Route 53 CreateHostedZone with the caller reference of an existing zone
   answers ConflictingDomainExists; AWS answers HostedZoneAlreadyExists, which
   is what tells a retried create that its first attempt made the zone.
7. Lambda takes a role the moment IAM made it; on AWS a new role reaches
   Lambda seconds later, and CreateFunction answers InvalidParameterValueException
   ("The role defined for the function cannot be assumed by Lambda.") until
   then. We refuse a role younger than ROLE_PROPAGATION_SECONDS (10) on the
   virtual clock.
8. EKS clusters and node groups are ACTIVE at birth and gone at once; there is
   no UpdateClusterVersion or DescribeUpdate. eks_states.py gives them their
   real states and times, update ids, version rules and failures (its module
   note lists them).
9. CloudFront keeps one ETag, ignores If-Match, says Deployed after one read
   whatever was written, and deletes an enabled distribution.
   cloudfront_states.py gives every write a new ETag and a deployment on the
   clock, refuses a stale If-Match (PreconditionFailed) and a delete of a
   distribution that is not disabled and Deployed (DistributionNotDisabled).
10. Route 53 answers every change INSYNC at once under one fixed id, and
   GetChange INSYNC for any id. route53_states.py gives each change its own
   id, PENDING for 60 s on the clock, and NoSuchChange for an unknown id.
11. Lambda makes a function and each version Active at once and every update
   Successful at once. lambda_states.py makes them Pending (5 s), updates
   InProgress (5 s), and refuses a change meanwhile (ResourceConflictException).
12. CloudFront takes any ARN as a Lambda@Edge association. lambda_states.py
   refuses one that is not a numbered, Active version of a us-east-1
   function whose role trusts edgelambda.amazonaws.com
   (InvalidLambdaFunctionAssociation).
13. moto's EKS makes no network interface, and DeleteSubnet deletes a subnet
   whatever is in it. network_states.py gives a cluster an in-use interface
   in each subnet, leaves them behind for minutes after the cluster is gone,
   and refuses DeleteSubnet (DependencyViolation) while any interface is in
   the subnet, and DeleteNetworkInterface of one in use.
14. Lambda deletes a function CloudFront runs at the edge at once.
   lambda_states.py refuses it as AWS does ("replicated function") while a
   distribution names it and for hours after the last one stopped.
15. Route 53 finds a zone the moment CreateHostedZone made it; AWS can
   answer NoSuchHostedZone for a few seconds. route53_states.py does too.
16. Route 53 takes any number of tags on a zone or health check; AWS takes
   10 (InvalidInput). route53_states.py refuses more.
17. moto has no DescribeClusterVersions, and creates a cluster on any
   version. eks_states.py lists the versions AWS's calendar offers on
   clock.CALENDAR_DAY and refuses any other in CreateCluster and
   UpdateClusterVersion (InvalidParameterException).
18. Lambda takes any runtime. lambda_states.py refuses a create on a runtime
   past the day Lambda blocks new functions on it, and an update past the day
   it blocks updates (InvalidParameterValueException), by AWS's runtime
   calendar on clock.CALENDAR_DAY.
19. A node group stays ACTIVE whatever happens to its instances; AWS marks it
   DEGRADED with health issues. eks_states.py does so when a test asks
   (`/_wway/fail?kind=degrade`).
20. moto answers any number of requests. rates.py throttles Route 53 to its
   account rate (10 requests a second, CreateHealthCheck one every 2 s),
   answering 400 Throttling as AWS does.
21. moto's tagging API finds a resource the moment it is made; AWS's finds it
   a while later. tagging_lag.py hides a new function or distribution from
   GetResources for 120 s on the clock.
22. moto takes change batches for a zone as fast as they come; AWS refuses
   one while it still processes the zone's last (PriorRequestNotComplete).
   rates.py refuses a batch within 0.5 s of the zone's last.
23. GetFunction's Code.Location names a made-up host that serves nothing;
   AWS's is a presigned URL from which the package downloads.
   lambda_code.py answers a URL on the emulator that serves the code the
   function or version runs.
24. CloudFront refuses a create that repeats a caller reference; AWS refuses
   it only when the configuration differs, and answers a repeat of the same
   create (a retry after a lost answer) with the distribution it made.
   cloudfront_states.py does too.
25. EKS UpdateClusterConfig answers the cluster and changes it at once; AWS
   answers an update id, the cluster UPDATING until it is Successful, and
   only then the change. eks_states.py does so.
26. EKS CreateCluster drops the upgrade policy; AWS keeps it (EXTENDED when
   none is given) and answers it in DescribeCluster. eks_states.py does too.
27. EKS describes a cluster's endpoint access only as CreateCluster sent it,
   and UpdateClusterConfig replaces its whole network configuration; AWS
   answers its defaults (public from anywhere, not private) and changes only
   what the update names. eks_states.py does too.
28. moto makes a NAT gateway available at once whatever its VPC has, ignores
   its ClientToken and tag filters, deletes it at once leaving its address
   and interface behind, releases an address a NAT gateway holds, detaches an
   internet gateway while addresses are mapped, and lets nodes join a cluster
   from any subnet. gateway_states.py gives NAT gateways their states,
   tokens, tag filters and refusals, and fails a node group
   (NodeCreationFailure) whose subnets have no way out or whose VPC has DNS
   hostnames off (its module note lists them).
29. moto has no EKS access entry API and drops a cluster's accessConfig.
   access_entries.py keeps the authentication mode (changed one way, through
   an update) and the creator's bootstrap, and serves access entries and
   their access policies as EKS does (its module note lists them).
30. moto's CreateNodegroup drops updateConfig and makes a group on 1.19
   whatever its cluster runs, and there is no UpdateNodegroupVersion.
   eks_states.py keeps the update configuration (maxUnavailable 1 by
   default), makes a group on its cluster's version, and moves a group to
   its cluster's version through an update.
31. moto has no EKS add-on API. addons.py serves the add-on catalog
   (DescribeAddonVersions, with each version's Kubernetes versions and
   defaults) and add-ons through their states: made at the default version
   for the cluster, refused on a version that does not run there, updated
   through an update id, failed on a conflict unless resolved, coredns
   DEGRADED without nodes (its module note lists them).
32. moto's CreateCluster keeps any encryptionConfig and there is no
   AssociateEncryptionConfig. secrets_encryption.py refuses a key that is
   not an enabled symmetric key of the region, and turns encryption on
   through an update, once (its module note lists them); patch 21 covers
   KMS keys.
33. moto's Service Quotas knows the VPC's quotas only. quotas.py answers
   EC2's (an established account's values), and a test sets any quota.
34. moto makes a VPC endpoint available at once, a second one for a
   repeated ClientToken, takes private DNS without the VPC's DNS and two
   subnets of a zone, and deletes a security group an endpoint uses.
   private_endpoints.py gives endpoints their token and states, these
   refusals, and lets nodes without a way out join through endpoints for
   ec2, ecr.api, ecr.dkr, sts and s3 (its module note lists them).
35. moto's health checks report success whatever the endpoint does, keep
   `Inverted` as text ("false" counts as true), and there is no
   TestDNSAnswer. route53_health.py lets a test take an endpoint down,
   reports each checker's observation, changes Route 53's view of a check
   after interval x threshold and turns it over while inverted, and answers
   TestDNSAnswer by the record sets' routing and health from the client's
   location (its module note lists the rules).
4. EKS TagResource, UntagResource and ListTagsForResource know clusters only
   and answer 404 for a node group's ARN; AWS tags node groups too. We look
   the ARN up among node groups as well.

Not patches (no answer changes): speedups.py stops moto redoing per request
what never changes, and forks.py serves the test suite its emulators.
"""

import argparse
import os
import functools
import logging
import signal
import sys
import threading

import clock
import cloudfront_states
import eks_states
import forks
import lambda_code
import lambda_states
import access_entries
import addons
import gateway_states
import network_states
import private_endpoints
import quotas
import rates
import secrets_encryption
import route53_health
import route53_states
import speedups
import tagging_lag
from clock import CLOCK, refused

# moto is imported inside the functions below: importing this module (as the
# tests and forks.py do) loads nothing until an app is built.


def keep_lambda_function_associations() -> None:
    """Patch 1: CloudFront behaviours keep their Lambda@Edge associations."""
    from moto.cloudfront import models as cloudfront_models

    original = cloudfront_models.DefaultCacheBehaviour.__init__

    @functools.wraps(original)
    def init(self, config):
        original(self, config)
        associations = config.get("LambdaFunctionAssociations")
        if associations:
            self.lambda_function_associations = associations

    cloudfront_models.DefaultCacheBehaviour.__init__ = init


def record_key(record):
    from moto.route53.models import reverse_domain_name

    return (reverse_domain_name(record.name), record.type, record.set_identifier or "")


def page_record_sets_by_identifier() -> None:
    """Patch 2: ListResourceRecordSets pages on name, type and set identifier."""
    from moto.route53 import models as route53_models
    from moto.route53 import responses as route53_responses
    from moto.route53.models import reverse_domain_name

    def list_resource_record_sets(self, zone_id, start_type, start_name, max_items, start_identifier=None):
        zone = self.get_hosted_zone(zone_id)
        records = sorted(zone.rrsets, key=record_key)
        if start_name:
            start = (reverse_domain_name(start_name), start_type or "", start_identifier or "")
            records = [r for r in records if record_key(r) >= start]
        page, rest = records[:max_items], records[max_items:]
        following = rest[0] if rest else None
        return page, following

    def respond(self):
        zone_id = self._get_param("HostedZoneId")
        max_items = self._get_int_param("MaxItems", 300)
        page, following = self.backend.list_resource_record_sets(
            zone_id,
            start_type=self._get_param("StartRecordType"),
            start_name=self._get_param("StartRecordName"),
            max_items=max_items,
            start_identifier=self._get_param("StartRecordIdentifier"),
        )
        result = {"ResourceRecordSets": page, "IsTruncated": following is not None, "MaxItems": max_items}
        if following is not None:
            result["NextRecordName"] = following.name
            result["NextRecordType"] = following.type
            if following.set_identifier:
                result["NextRecordIdentifier"] = following.set_identifier
        return route53_responses.ActionResult(result)

    route53_models.Route53Backend.list_resource_record_sets = list_resource_record_sets
    route53_responses.Route53.list_resource_record_sets = respond


def stored(record_set) -> dict:
    """A record set moto holds, in the shape of a change's ResourceRecordSet."""
    return {"TTL": record_set.ttl, "ResourceRecords": record_set.records, "AliasTarget": record_set.alias_target,
            "HealthCheckId": record_set.health_check_id, "Weight": record_set.weight, "Region": record_set.region,
            "Failover": record_set.failover, "GeoLocation": record_set.geo_location}


def shape(record: dict) -> tuple:
    """What a DELETE must match of a record set: TTL, values, alias target,
    health check and routing (AWS compares them all)."""
    values = sorted(v["Value"] if isinstance(v, dict) else v for v in record.get("ResourceRecords") or [])
    alias = record.get("AliasTarget") or {}
    alias = (alias.get("HostedZoneId"), (alias.get("DNSName") or "").rstrip(".").lower()) if alias else None
    routing = tuple(str(record.get(k) or "") for k in ["Weight", "Region", "Failover"])
    geo = tuple(sorted((record.get("GeoLocation") or {}).items()))
    ttl = str(record["TTL"]) if record.get("TTL") is not None else None
    return (ttl, tuple(values), alias, record.get("HealthCheckId") or None, routing, geo)


def reject_duplicate_creates() -> None:
    """Patch 3: a CREATE of an existing record, or a DELETE of a missing one,
    fails the whole batch."""
    from moto.route53 import models as route53_models
    from moto.route53.exceptions import Route53ClientError
    from moto.route53.models import reverse_domain_name
    original = route53_models.Route53Backend.change_resource_record_sets

    @functools.wraps(original)
    def change_resource_record_sets(self, zoneid, change_list):
        zone = self.get_hosted_zone(zoneid)
        existing = {record_key(r): shape(stored(r)) for r in zone.rrsets}
        for change in change_list:
            record = change["ResourceRecordSet"]
            key = (reverse_domain_name(record["Name"]), record["Type"], record.get("SetIdentifier") or "")
            if change["Action"] == "CREATE":
                if key in existing:
                    raise Route53ClientError(
                        "InvalidChangeBatch",
                        f"Tried to create resource record set [name='{record['Name']}', "
                        f"type='{record['Type']}'] but it already exists"
                    )
                existing[key] = shape(record)
            elif change["Action"] == "DELETE":
                if key not in existing:
                    raise Route53ClientError(
                        "InvalidChangeBatch",
                        f"Tried to delete resource record set [name='{record['Name']}', "
                        f"type='{record['Type']}'] but it was not found"
                    )
                if existing[key] != shape(record):
                    refused(f"route53:ChangeResourceRecordSets DELETE {record['Name']}: values differ")
                    raise Route53ClientError(
                        "InvalidChangeBatch",
                        f"Tried to delete resource record set [name='{record['Name']}', "
                        f"type='{record['Type']}'] but the values provided do not match the current values"
                    )
                del existing[key]
        stale = []
        for change in change_list:
            while change["Action"] == "CREATE" and change in zone.rr_changes:
                zone.rr_changes.remove(change)
                stale.append(change)
        try:
            return original(self, zoneid, change_list)
        except Exception:
            zone.rr_changes.extend(stale)
            raise

    route53_models.Route53Backend.change_resource_record_sets = change_resource_record_sets


ROLE_PROPAGATION_SECONDS = 10.0


def delay_new_roles_for_lambda() -> None:
    """Patch 7: a role Lambda is given is usable some seconds after it was made."""
    from moto.awslambda import models as lambda_models
    from moto.awslambda.exceptions import InvalidParameterValueException
    from moto.iam import models as iam_models

    original_create_role = iam_models.IAMBackend.create_role
    original_create_function = lambda_models.LambdaBackend.create_function

    @functools.wraps(original_create_role)
    def create_role(self, *args, **kwargs):
        role = original_create_role(self, *args, **kwargs)
        role._wway_made_at = CLOCK.now()
        return role

    @functools.wraps(original_create_function)
    def create_function(self, spec):
        try:
            role = iam_models.iam_backends[self.account_id][self.partition].get_role_by_arn(spec.get("Role", ""))
        except Exception:
            role = None
        made_at = getattr(role, "_wway_made_at", None)
        if made_at is not None and CLOCK.now() - made_at < ROLE_PROPAGATION_SECONDS:
            refused(f"lambda:CreateFunction {spec.get('FunctionName')}: role {role.name} not propagated")
            raise InvalidParameterValueException("The role defined for the function cannot be assumed by Lambda.")
        return original_create_function(self, spec)

    iam_models.IAMBackend.create_role = create_role
    lambda_models.LambdaBackend.create_function = create_function


def tag_node_groups() -> None:
    """Patch 4: EKS tag calls accept node group ARNs."""
    from moto.eks import models as eks_models

    def node_group(backend, arn):
        for cluster in backend.clusters.values():
            for group in cluster.nodegroups.values():
                if group.arn == arn:
                    return group
        return None

    original_tag = eks_models.EKSBackend.tag_resource
    original_untag = eks_models.EKSBackend.untag_resource
    original_list = eks_models.EKSBackend.list_tags_for_resource

    @functools.wraps(original_tag)
    def tag_resource(self, resource_arn, tags):
        group = node_group(self, resource_arn)
        if group is None:
            return original_tag(self, resource_arn, tags)
        group.tags.update(tags)

    @functools.wraps(original_untag)
    def untag_resource(self, resource_arn, tag_keys):
        group = node_group(self, resource_arn)
        if group is None:
            return original_untag(self, resource_arn, tag_keys)
        for key in tag_keys if isinstance(tag_keys, list) else [tag_keys]:
            group.tags.pop(key, None)

    @functools.wraps(original_list)
    def list_tags_for_resource(self, resource_arn):
        group = node_group(self, resource_arn)
        return original_list(self, resource_arn) if group is None else group.tags

    eks_models.EKSBackend.tag_resource = tag_resource
    eks_models.EKSBackend.untag_resource = untag_resource
    eks_models.EKSBackend.list_tags_for_resource = list_tags_for_resource


def health_check_caller_references() -> None:
    """Patch 5: CreateHealthCheck honours CallerReference as AWS does."""
    from moto.route53 import models as route53_models
    from moto.route53.exceptions import Route53ClientError

    original = route53_models.Route53Backend.create_health_check

    @functools.wraps(original)
    def create_health_check(self, caller_reference, health_check_args):
        used = self.__dict__.setdefault("_wway_caller_references", {})
        if caller_reference in used:
            existing = self.health_checks.get(used[caller_reference])
            if existing is None:
                raise Route53ClientError(
                    "HealthCheckAlreadyExists",
                    f"A health check with caller reference {caller_reference} was created before and deleted",
                )
            return existing
        check = original(self, caller_reference, health_check_args)
        used[caller_reference] = check.id
        return check

    route53_models.Route53Backend.create_health_check = create_health_check


def zone_caller_references() -> None:
    """Patch 6: a reused CreateHostedZone caller reference is HostedZoneAlreadyExists."""
    from moto.route53 import models as route53_models
    from moto.route53.exceptions import Route53ClientError

    original = route53_models.Route53Backend.create_hosted_zone

    @functools.wraps(original)
    def create_hosted_zone(self, name, private_zone, caller_reference=None, *args, **kwargs):
        if caller_reference and any(z.caller_reference == caller_reference for z in self.zones.values()):
            raise Route53ClientError(
                "HostedZoneAlreadyExists",
                f"A hosted zone has already been created with the specified caller reference {caller_reference}",
            )
        return original(self, name, private_zone, caller_reference, *args, **kwargs)

    route53_models.Route53Backend.create_hosted_zone = create_hosted_zone


def patched_app():
    """moto's WSGI app with every patch above applied, behind the control routes."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    # One log line per request drowns the test output; errors still show.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    keep_lambda_function_associations()
    page_record_sets_by_identifier()
    reject_duplicate_creates()
    tag_node_groups()
    delay_new_roles_for_lambda()
    health_check_caller_references()
    zone_caller_references()
    eks_states.patch()
    cloudfront_states.patch()
    cloudfront_states.patch_caller_references()
    route53_states.patch()
    route53_states.patch_zone_lag()
    route53_states.patch_tag_limit()
    lambda_states.patch()
    lambda_states.patch_cloudfront()
    lambda_code.patch()
    network_states.patch()
    gateway_states.patch()
    access_entries.patch()
    addons.patch()
    secrets_encryption.patch()
    quotas.patch()
    private_endpoints.patch()
    route53_health.patch()
    tagging_lag.patch()
    speedups.patch()
    return lambda_code.serve(clock.control(rates.limit(DomainDispatcherApplication(create_backend_app))))


def serve(app, url_file: str, port: int) -> None:
    """Serves `app` on a loopback port until SIGTERM or SIGINT, once its URL is in `url_file`."""
    from moto.moto_api import recorder
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    # moto's request recorder writes to ./moto_recording unless told otherwise;
    # each emulator records beside its URL file, so emulators running in
    # parallel (one per test) do not write into each other's recording.
    recorder._location = os.path.join(os.path.dirname(os.path.abspath(url_file)), "moto_recording")
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    with open(url_file + ".tmp", "w") as f:
        f.write(f"http://{host}:{port}\n")
    # Renamed into place so a reader never sees a half-written URL.
    os.replace(url_file + ".tmp", url_file)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.shutdown()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url-file", help="where to write the server's URL")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--speed", type=float, default=600.0, help="virtual seconds per real second")
    parser.add_argument("--forks", action="store_true",
                        help="serve emulators on request instead of one (forks.py: the protocol on stdin)")
    args = parser.parse_args()
    if args.forks:
        return forks.serve(patched_app(), serve)
    if not args.url_file:
        parser.error("--url-file is required (or --forks)")
    CLOCK.restart(args.speed)
    serve(patched_app(), args.url_file, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
