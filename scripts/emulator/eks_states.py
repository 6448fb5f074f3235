"""Patch 8: EKS clusters and node groups pass through their real states, on the
virtual clock, and versions change through UpdateClusterVersion as on AWS.

moto makes a cluster or node group ACTIVE at birth and deletes it at once, has
no UpdateClusterVersion or DescribeUpdate route, and answers every node group
update Successful at once. AWS:

- CreateCluster refuses a subnet in a zone whose ID EKS does not serve
  (UnsupportedAvailabilityZoneException, naming the zones it takes);
- a cluster is CREATING about 10 minutes, then ACTIVE (or FAILED, with
  `health.issues`); DELETING about 5 minutes, and its name stays taken until it
  is gone; DeleteCluster is refused while node groups (even DELETING ones) exist;
- a node group is CREATING about 5 minutes, then ACTIVE (or CREATE_FAILED with
  `health.issues`); DELETING about 5 minutes; UpdateNodegroupConfig makes it
  UPDATING and returns an update id, InProgress until it is Successful; an update
  of a group that is not ACTIVE is ResourceInUseException;
- DescribeClusterVersions lists the Kubernetes versions EKS offers: those whose
  extended support has not ended on CALENDAR_DAY (AWS's calendar below);
  CreateCluster and UpdateClusterVersion refuse any other version
  (InvalidParameterException), as AWS does once a version's support ended;
- UpdateClusterVersion (one minor version up, never down, on an ACTIVE cluster
  whose node groups are on its version, else InvalidRequestException)
  makes the cluster UPDATING and returns an update id, InProgress about 25
  minutes; the version changes when the update is Successful; a failed upgrade
  leaves the cluster ACTIVE on its old version; DescribeUpdate follows either kind;
- UpdateClusterConfig (patch 25: moto answers the cluster and applies the change
  at once) makes an ACTIVE cluster UPDATING and returns an update id, InProgress
  about CLUSTER_CONFIG_SECONDS; its logging takes effect when it is Successful,
  each type as the request sets it and the others as they were, and so does
  its upgrade policy;
- CreateCluster keeps its upgrade policy (patch 26: moto drops it), EXTENDED
  when the request gives none, and DescribeCluster answers it; and its
  endpoint access (patch 27: moto answers only what the request sent) is
  public from anywhere and not private unless the request says otherwise;
  UpdateClusterConfig changes the access and keeps the subnets; and its
  access configuration (patch 29, access_entries.py) through an update;
- a node group keeps its updateConfig (patch 30: moto drops it;
  maxUnavailable 1 when none is given) and is made on its cluster's version
  when the request names none (moto: 1.19), never above it
  (InvalidParameterException); UpdateNodegroupVersion (moto has none) moves an
  ACTIVE group to its cluster's version through an update, UPDATING about
  NODEGROUP_UPGRADE_SECONDS.

A test makes the next cluster, node group or version update of a name fail with
`POST /_wway/fail?kind=cluster|nodegroup|upgrade&name=N&code=C&message=M`, and an
ACTIVE node group of a name DEGRADED (as AWS marks a group whose instances it can
no longer launch, with `health.issues`; it still exists and runs) with
`kind=degrade`.
"""

import functools
import threading
import uuid

import access_entries
import clock
import gateway_states
import network_states
from clock import CALENDAR_DAY, CLOCK, failure_for, refused

CLUSTER_CREATE_SECONDS = 600
CLUSTER_DELETE_SECONDS = 300
CLUSTER_UPGRADE_SECONDS = 1500
NODEGROUP_CREATE_SECONDS = 300
NODEGROUP_DELETE_SECONDS = 300
NODEGROUP_UPDATE_SECONDS = 120
NODEGROUP_UPGRADE_SECONDS = 900
CLUSTER_CONFIG_SECONDS = 90
# Where a cluster's API answers unless CreateCluster says: on the internet,
# from anywhere, and not from inside the VPC (the EKS API reference).
ENDPOINT_DEFAULTS = {"endpointPublicAccess": True, "endpointPrivateAccess": False,
                     "publicAccessCidrs": ["0.0.0.0/0"]}
# Zone IDs where EKS does not place control planes (AWS's EKS user guide,
# "Cluster VPC and subnet requirements"): CreateCluster refuses their subnets.
EKS_REFUSED_ZONE_IDS = {"use1-az3", "usw1-az2", "cac1-az3"}

# AWS's Kubernetes release calendar for EKS (the EKS user guide, "Understand
# the Kubernetes version lifecycle on EKS"): version, release, end of standard
# support, end of extended support. Refresh it when AWS adds a version.
VERSIONS = [
    ("1.29", "2024-01-23", "2025-03-23", "2026-03-23"),
    ("1.30", "2024-05-23", "2025-07-23", "2026-07-23"),
    ("1.31", "2024-09-26", "2025-11-26", "2026-11-26"),
    ("1.32", "2025-01-23", "2026-03-23", "2027-03-23"),
    ("1.33", "2025-05-29", "2026-07-29", "2027-07-29"),
    ("1.34", "2025-10-02", "2026-12-02", "2027-12-02"),
    ("1.35", "2026-01-27", "2027-03-27", "2028-03-27"),
]

_lock = threading.RLock()


def offered_versions() -> list[dict]:
    """DescribeClusterVersions' entries for the versions EKS offers on CALENDAR_DAY."""
    import datetime

    def stamp(day):
        return datetime.datetime.fromisoformat(day).replace(tzinfo=datetime.timezone.utc).timestamp()

    offered = [v for v in VERSIONS if v[3] > CALENDAR_DAY]
    newest_standard = max(v[0] for v in offered if v[2] > CALENDAR_DAY)
    return [{
        "clusterVersion": version,
        "clusterType": "eks",
        "defaultPlatformVersion": "eks.1",
        "defaultVersion": version == newest_standard,
        "releaseDate": stamp(released),
        "endOfStandardSupportDate": stamp(standard),
        "endOfExtendedSupportDate": stamp(extended),
        "status": "STANDARD_SUPPORT" if standard > CALENDAR_DAY else "EXTENDED_SUPPORT",
        "versionStatus": "STANDARD_SUPPORT" if standard > CALENDAR_DAY else "EXTENDED_SUPPORT",
    } for version, released, standard, extended in offered]


def refuse_unoffered_version(name, version, error) -> None:
    """InvalidParameterException for a version DescribeClusterVersions does not list."""
    offered = [v["clusterVersion"] for v in offered_versions()]
    if version is not None and version not in offered:
        refused(f"eks: {name}: version {version} not offered")
        raise error(
            clusterName=name, nodegroupName=None, fargateProfileName=None, addonName=None,
            message=f"unsupported Kubernetes version {version}; supported versions: {', '.join(offered)}",
        )


def _settle(backend) -> None:
    """Runs every transition that is due, node groups before their clusters."""
    now = CLOCK.now()
    for cluster in list(backend.clusters.values()):
        for group in list(cluster.nodegroups.values()):
            clock.run_due(group, now)
            if group.status == "ACTIVE":
                _degrade(group)
        clock.run_due(cluster, now)


def _degrade(group) -> None:
    """DEGRADED, with the issue a test asked for (`kind=degrade`)."""
    failure = failure_for("degrade", group.nodegroup_name)
    if failure:
        code, message = failure
        group.status = "DEGRADED"
        group.health = {"issues": [{"code": code, "message": message, "resourceIds": [group.nodegroup_name]}]}


def _creating(resource, kind, name, seconds, failed_status, why_not=None):
    """CREATING for `seconds`, then ACTIVE, or failed as a test asked, or
    as `why_not` finds then (NodeCreationFailure with its reason)."""
    resource.status = "CREATING"
    asked = failure_for(kind, name)

    def born():
        reason = why_not() if why_not is not None and not asked else None
        failure = asked or (reason and ("NodeCreationFailure", reason))
        if failure:
            resource.status = failed_status
            code, message = failure
            resource.health = {"issues": [{"code": code, "message": message, "resourceIds": [name]}]}
        else:
            resource.status = "ACTIVE"

    clock.then(resource, seconds, born)
    return resource


def _update(kind, params):
    from moto.core.utils import utcnow

    return {"id": str(uuid.uuid4()), "status": "InProgress", "type": kind, "params": params,
            "createdAt": utcnow(), "errors": []}


def _merged(logging, change):
    """A cluster's logging after an UpdateClusterConfig: each type the change
    names set as it says, the others as they were; one setup on, one off."""
    enabled = {}
    for setups in (logging or {}).get("clusterLogging", []), (change or {}).get("clusterLogging", []):
        for setup in setups:
            for kind in setup.get("types", []):
                enabled[kind] = bool(setup.get("enabled"))
    setups = [{"types": sorted(k for k, on in enabled.items() if on == state), "enabled": state}
              for state in (True, False)]
    return {"clusterLogging": [s for s in setups if s["types"]]}


def refuse_unsupported_zones(backend, name, subnet_ids) -> None:
    """CreateCluster with a subnet in a zone ID whose EKS control plane has no
    capacity is refused, naming the zones it would take."""
    from moto.ec2.models import ec2_backends
    from moto.eks.exceptions import EKSError

    ec2 = ec2_backends[backend.account_id][backend.region_name]
    zones = {z.zone_id: z.name for z in ec2.describe_availability_zones()}
    for subnet_id in subnet_ids:
        try:
            subnet = ec2.get_subnet(subnet_id)
        except Exception:
            continue  # moto's own check answers for unknown subnets
        zone_id = subnet.availability_zone_id
        if zone_id in EKS_REFUSED_ZONE_IDS:
            refused(f"eks:CreateCluster {name}: zone {subnet.availability_zone} ({zone_id})")
            taken = sorted(n for i, n in zones.items() if i not in EKS_REFUSED_ZONE_IDS)

            class Unsupported(EKSError):
                TYPE = "UnsupportedAvailabilityZoneException"
                STATUS = 400

            raise Unsupported(
                message=f"Cannot create cluster '{name}' because {subnet.availability_zone}, the targeted "
                        "availability zone, does not currently have sufficient capacity to support the "
                        f"cluster. Retry and choose from these availability zones: {', '.join(taken)}",
                clusterName=name, validZones=taken)


def _minor(version: str) -> tuple[int, int]:
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


def patch() -> None:
    from moto.eks import models, urls
    from moto.eks.exceptions import InvalidParameterException, InvalidRequestException, ResourceInUseException
    from moto.eks.responses import EKSResponse

    backend_class = models.EKSBackend

    def settled(method):
        """Every backend call first lets the clock's transitions happen."""

        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            with _lock:
                _settle(self)
                return method(self, *args, **kwargs)

        return wrapper

    original_create_cluster = backend_class.create_cluster
    original_delete_cluster = backend_class.delete_cluster
    original_create_nodegroup = backend_class.create_nodegroup
    original_delete_nodegroup = backend_class.delete_nodegroup
    original_update_nodegroup = backend_class.update_nodegroup_config

    def create_cluster(self, name, role_arn, resources_vpc_config, *args, **kwargs):
        refuse_unoffered_version(name, kwargs.get("version"), InvalidParameterException)
        refuse_unsupported_zones(self, name, resources_vpc_config.get("subnetIds") or [])
        cluster = original_create_cluster(self, name, role_arn, resources_vpc_config, *args, **kwargs)
        network_states.cluster_made(self.account_id, self.region_name, name,
                                    resources_vpc_config.get("subnetIds") or [])
        return _creating(cluster, "cluster", cluster.name, CLUSTER_CREATE_SECONDS, "FAILED")

    def delete_cluster(self, name):
        cluster = self.clusters.get(name)
        if cluster is not None and cluster.nodegroups:
            refused(f"eks:DeleteCluster {name}: node groups attached")
            raise ResourceInUseException(
                clusterName=name, nodegroupName=None, addonName=None,
                message=f"Cluster has nodegroups attached: {', '.join(sorted(cluster.nodegroups))}",
            )
        if cluster is not None and cluster.status == "DELETING":
            return cluster
        cluster = original_delete_cluster(self, name)
        self.clusters[name] = cluster
        cluster.status = "DELETING"
        def gone():
            self.clusters.pop(name, None)
            network_states.cluster_gone(self.account_id, self.region_name, name)

        clock.then(cluster, CLUSTER_DELETE_SECONDS, gone)
        return cluster

    def create_nodegroup(self, *args, update_config=None, **kwargs):
        cluster = self.clusters.get(kwargs.get("cluster_name"))
        version = kwargs.get("version")
        if cluster is not None and version and _minor(version) > _minor(cluster.version):
            refused(f"eks:CreateNodegroup {kwargs.get('nodegroup_name')}: {version} over {cluster.version}")
            raise InvalidParameterException(
                clusterName=cluster.name, nodegroupName=kwargs.get("nodegroup_name"), fargateProfileName=None,
                addonName=None, message=f"Requested Nodegroup Kubernetes version {version} is not supported; "
                                        f"the cluster is {cluster.version}")
        if cluster is not None and not version:
            kwargs["version"] = cluster.version  # AWS: the cluster's version
        group = original_create_nodegroup(self, *args, **kwargs)
        group.update_config = update_config or {"maxUnavailable": 1}  # AWS's default
        account, region = self.account_id, self.region_name

        def why_not():
            private_api = cluster is not None and \
                cluster.resources_vpc_config.get("endpointPrivateAccess") in (True, "true")
            return gateway_states.cannot_join(account, region, group.subnets or [], private_api)

        return _creating(group, "nodegroup", group.nodegroup_name, NODEGROUP_CREATE_SECONDS,
                         "CREATE_FAILED", why_not)

    def delete_nodegroup(self, cluster_name, nodegroup_name):
        cluster = self.clusters.get(cluster_name)
        group = cluster.nodegroups.get(nodegroup_name) if cluster else None
        if group is not None and group.status == "DELETING":
            return group
        group = original_delete_nodegroup(self, cluster_name, nodegroup_name)
        cluster.nodegroups[nodegroup_name] = group
        group.status = "DELETING"
        clock.then(group, NODEGROUP_DELETE_SECONDS, lambda: cluster.nodegroups.pop(nodegroup_name, None))
        return group

    def update_nodegroup_config(self, cluster_name, nodegroup_name, *args, **kwargs):
        cluster = self.clusters.get(cluster_name)
        group = cluster.nodegroups.get(nodegroup_name) if cluster else None
        if group is not None and group.status != "ACTIVE":
            refused(f"eks:UpdateNodegroupConfig {nodegroup_name}: {group.status}")
            raise ResourceInUseException(
                clusterName=cluster_name, nodegroupName=nodegroup_name, addonName=None,
                message=f"Nodegroup cannot be updated as it is currently not in Active State ({group.status})",
            )
        answer = original_update_nodegroup(self, cluster_name, nodegroup_name, *args, **kwargs)
        update = _update("ConfigUpdate", answer["params"])
        group.status = "UPDATING"
        group.__dict__.setdefault("_wway_updates", {})[update["id"]] = update

        def done():
            group.status = "ACTIVE"
            update["status"] = "Successful"

        clock.then(group, NODEGROUP_UPDATE_SECONDS, done)
        return update

    def update_nodegroup_version(self, cluster_name, nodegroup_name, version=None, **_):
        cluster = self.clusters.get(cluster_name)
        group = cluster.nodegroups.get(nodegroup_name) if cluster else None
        if group is None:
            raise ResourceNotFoundException(clusterName=cluster_name, nodegroupName=nodegroup_name,
                                            fargateProfileName=None, addonName=None,
                                            message=f"No node group found for name: {nodegroup_name}.")
        if group.status != "ACTIVE":
            refused(f"eks:UpdateNodegroupVersion {nodegroup_name}: {group.status}")
            raise ResourceInUseException(
                clusterName=cluster_name, nodegroupName=nodegroup_name, addonName=None,
                message=f"Nodegroup cannot be updated as it is currently not in Active State ({group.status})")
        wanted = version or cluster.version
        if wanted not in (cluster.version, group.version):
            refused(f"eks:UpdateNodegroupVersion {nodegroup_name}: {wanted}, cluster {cluster.version}")
            raise InvalidParameterException(
                clusterName=cluster_name, nodegroupName=nodegroup_name, fargateProfileName=None, addonName=None,
                message=f"Nodegroup Kubernetes version should be equal to Cluster kubernetes version "
                        f"{cluster.version} or NodeGroup kubernetes version {group.version}")
        update = _update("VersionUpdate", [{"type": "Version", "value": wanted}])
        group.status = "UPDATING"
        group.__dict__.setdefault("_wway_updates", {})[update["id"]] = update

        def done():
            group.version = wanted
            group.status = "ACTIVE"
            update["status"] = "Successful"

        clock.then(group, NODEGROUP_UPGRADE_SECONDS, done)
        return update

    def updatable(backend, name, operation):
        """The cluster `name`, ACTIVE, for an update to start on."""
        cluster = backend.clusters.get(name)
        if cluster is None:
            backend.describe_cluster(name)  # moto's ResourceNotFoundException
        if cluster.status != "ACTIVE":
            refused(f"eks:{operation} {name}: {cluster.status}")
            raise ResourceInUseException(
                clusterName=name, nodegroupName=None, addonName=None,
                message=f"Cluster {name} is currently {cluster.status}; an update cannot start",
            )
        return cluster

    def started(cluster, kind, params):
        """An update of `cluster` begun: it is UPDATING, DescribeUpdate finds it."""
        update = _update(kind, params)
        cluster.status = "UPDATING"
        cluster.__dict__.setdefault("_wway_updates", {})[update["id"]] = update
        return update

    def update_cluster_version(self, name, version):
        cluster = updatable(self, name, "UpdateClusterVersion")
        refuse_unoffered_version(name, version, InvalidParameterException)
        (old_major, old_minor), (new_major, new_minor) = _minor(cluster.version), _minor(version)
        if (new_major, new_minor) != (old_major, old_minor + 1):
            refused(f"eks:UpdateClusterVersion {name}: {cluster.version} to {version}")
            raise InvalidParameterException(
                clusterName=name, nodegroupName=None, fargateProfileName=None, addonName=None,
                message=f"Unsupported Kubernetes minor version update from {cluster.version} to {version}",
            )
        behind = sorted(g.nodegroup_name for g in cluster.nodegroups.values()
                        if g.status != "DELETING" and g.version != cluster.version)
        if behind:
            refused(f"eks:UpdateClusterVersion {name}: node groups {behind} behind {cluster.version}")
            raise InvalidRequestException(
                message=f"Nodegroups {', '.join(behind)} must be updated to match cluster version "
                        f"{cluster.version} before updating cluster version",
            )
        update = started(cluster, "VersionUpdate", [{"type": "Version", "value": version},
                                                    {"type": "PlatformVersion", "value": "eks.1"}])
        failure = failure_for("upgrade", name)

        def done():
            cluster.status = "ACTIVE"
            if failure:
                update["status"] = "Failed"
                update["errors"] = [{"errorCode": failure[0], "errorMessage": failure[1], "resourceIds": [name]}]
            else:
                cluster.version = version
                update["status"] = "Successful"

        clock.then(cluster, CLUSTER_UPGRADE_SECONDS, done)
        return update

    def update_cluster_config(self, name, resources_vpc_config=None, logging=None, upgrade_policy=None,
                              access_config=None, **_):
        cluster = updatable(self, name, "UpdateClusterConfig")
        if access_config:
            access_entries.check_update(cluster, access_config, InvalidParameterException)
            update = started(cluster, "AccessConfigUpdate",
                             [{"type": "AuthenticationMode", "value": access_config.get("authenticationMode")}])
        elif logging:
            update = started(cluster, "LoggingUpdate", [{"type": "ClusterLogging", "value": str(logging)}])
        elif upgrade_policy:
            update = started(cluster, "UpgradePolicyUpdate",
                             [{"type": "UpgradePolicy", "value": upgrade_policy.get("supportType")}])
        else:
            update = started(cluster, "EndpointAccessUpdate", [])

        def done():
            if logging:
                cluster.logging = _merged(cluster.logging, logging)
            if resources_vpc_config:
                cluster.resources_vpc_config = {**cluster.resources_vpc_config, **resources_vpc_config}
            if upgrade_policy:
                cluster.upgrade_policy = upgrade_policy
            if access_config:
                access_entries.updated(cluster, access_config, self.account_id, self.region_name)
            cluster.status = "ACTIVE"
            update["status"] = "Successful"

        clock.then(cluster, CLUSTER_CONFIG_SECONDS, done)
        return update

    def describe_update(self, name, update_id, nodegroup_name=None):
        cluster = self.clusters.get(name)
        owner = cluster.nodegroups.get(nodegroup_name) if cluster and nodegroup_name else cluster
        update = getattr(owner, "_wway_updates", {}).get(update_id) if owner else None
        if update is None:
            raise InvalidRequestException(message=f"No update found for ID: {update_id}")
        return update

    for name, method in {
        "create_cluster": create_cluster,
        "delete_cluster": delete_cluster,
        "create_nodegroup": create_nodegroup,
        "delete_nodegroup": delete_nodegroup,
        "update_nodegroup_config": update_nodegroup_config,
        "update_nodegroup_version": update_nodegroup_version,
        "update_cluster_version": update_cluster_version,
        "update_cluster_config": update_cluster_config,
        "describe_update": describe_update,
    }.items():
        setattr(backend_class, name, method)
    for name, method in list(vars(backend_class).items()):
        if callable(method) and not name.startswith("_"):
            setattr(backend_class, name, settled(method))

    def update_cluster_version_response(self):
        update = self.eks_backend.update_cluster_version(self._get_param("name"), self._get_param("version"))
        from moto.core.responses import ActionResult

        return ActionResult({"update": update})

    def update_cluster_config_response(self):
        update = self.eks_backend.update_cluster_config(
            self._get_param("name"), self._get_param("resourcesVpcConfig"), self._get_param("logging"),
            self._get_param("upgradePolicy"), self._get_param("accessConfig"))
        from moto.core.responses import ActionResult

        return ActionResult({"update": update})

    def describe_update_response(self):
        update = self.eks_backend.describe_update(
            self._get_param("name"), self._get_param("updateId"), self._get_param("nodegroupName"))
        from moto.core.responses import ActionResult

        return ActionResult({"update": update})

    def create_nodegroup_response(self):
        answer = original_create_nodegroup_response(self)  # the group, serialized later
        cluster = self.eks_backend.clusters.get(self._get_param("name"))
        group = cluster.nodegroups.get(self._get_param("nodegroupName")) if cluster else None
        if group is not None and self._get_param("updateConfig"):
            group.update_config = self._get_param("updateConfig")
        return answer

    def update_nodegroup_version_response(self):
        update = self.eks_backend.update_nodegroup_version(
            self._get_param("name"), self._get_param("nodegroupName"), self._get_param("version"))
        from moto.core.responses import ActionResult

        return ActionResult({"update": update})

    def describe_cluster_versions_response(self):
        from moto.core.responses import ActionResult

        wanted = self.querystring.get("clusterVersions") or []
        versions = [v for v in offered_versions() if not wanted or v["clusterVersion"] in wanted]
        return ActionResult({"clusterVersions": versions})

    original_create_nodegroup_response = EKSResponse.create_nodegroup
    EKSResponse.create_nodegroup = create_nodegroup_response
    EKSResponse.update_nodegroup_version = update_nodegroup_version_response
    urls.url_paths["{0}/clusters/(?P<name>[^/]+)/node-groups/(?P<nodegroupName>[^/]+)/update-version$"] = \
        urls.response.dispatch
    EKSResponse.describe_cluster_versions = describe_cluster_versions_response
    urls.url_paths["{0}/cluster-versions$"] = urls.response.dispatch
    EKSResponse.update_cluster_version = update_cluster_version_response
    EKSResponse.update_cluster_config = update_cluster_config_response
    original_create_response = EKSResponse.create_cluster

    def create_cluster_response(self):
        answer = original_create_response(self)  # the cluster, serialized later
        cluster = self.eks_backend.clusters.get(self._get_param("name"))
        if cluster is not None and not hasattr(cluster, "upgrade_policy"):
            cluster.upgrade_policy = self._get_param("upgradePolicy") or {"supportType": "EXTENDED"}
            for key, default in ENDPOINT_DEFAULTS.items():
                cluster.resources_vpc_config.setdefault(key, default)
            access_entries.made(cluster, self._get_param("accessConfig"), self.current_account, self.region)
        return answer

    EKSResponse.create_cluster = create_cluster_response
    EKSResponse.describe_update = describe_update_response
    urls.url_paths["{0}/clusters/(?P<name>[^/]+)/updates$"] = urls.response.dispatch
    urls.url_paths["{0}/clusters/(?P<name>[^/]+)/updates/(?P<updateId>[^/]+)$"] = urls.response.dispatch
