"""Patch 31: EKS managed add-ons.

moto has no add-on API at all. AWS:

- DescribeAddonVersions answers the add-ons EKS offers (CATALOG), each with its
  versions newest first and, per version, the Kubernetes versions it runs on and
  whether it is the default for that version; filtered by addonName and by
  kubernetesVersion (only the versions that run on it), paged by add-on
  (maxResults, 10 when none is given);
- CreateAddon takes an add-on the catalog has on an ACTIVE cluster
  (ResourceNotFoundException for an unknown cluster, InvalidRequestException
  for one that is not ACTIVE, InvalidParameterException for an unknown add-on
  or a version that does not run on the cluster's Kubernetes version), at the
  default version for the cluster's version when the request names none; a
  second CreateAddon of the name is ResourceInUseException (a repeated
  clientRequestToken answers the add-on it made); the add-on is CREATING
  about CREATE_SECONDS, then ACTIVE; keeps its tags (TagResource and
  ListTagsForResource take its ARN);
- conflicts: a test marks the self-managed copy of an add-on on a cluster as
  edited (`POST /_wway/fail?kind=addon-conflict&name=CLUSTER/ADDON`); then a
  create with resolveConflicts NONE or PRESERVE ends CREATE_FAILED with a
  ConfigurationConflict issue, and an update with NONE ends Failed with the
  same error; OVERWRITE replaces the edited values, and an update with
  PRESERVE keeps them;
- coredns runs as pods: made on a cluster without an ACTIVE node group it
  ends DEGRADED (InsufficientNumberOfReplicas) and heals to ACTIVE once a
  group is ACTIVE;
- UpdateAddon (on an ACTIVE add-on, else ResourceInUseException; a version
  that does not run on the cluster's version is InvalidParameterException)
  makes it UPDATING and returns an update id, InProgress about UPDATE_SECONDS;
  the version changes when it is Successful; DescribeUpdate with addonName
  follows it;
- ListAddons (paged), DescribeAddon (ResourceNotFoundException when there is
  none), DeleteAddon: DELETING about DELETE_SECONDS, then gone. A cluster's
  add-ons go with it.
"""

import uuid

import clock
import eks_states
from clock import CLOCK, failure_for, refused

CREATE_SECONDS = 90
UPDATE_SECONDS = 90
DELETE_SECONDS = 60
PAGE = 100
VERSIONS_PAGE = 10
# The Kubernetes minor versions the catalog's add-on versions are made for.
MINORS = range(29, 36)


def _version(family: str, minor: int) -> str:
    """The add-on version of `family` that is the default on 1.`minor`."""
    return {
        "vpc-cni": f"v1.{minor - 10}.0-eksbuild.1",
        "coredns": f"v1.11.{minor - 28}-eksbuild.1",
        "kube-proxy": f"v1.{minor}.0-eksbuild.1",
        "eks-pod-identity-agent": f"v1.3.{minor - 25}-eksbuild.1",
        "aws-ebs-csi-driver": f"v1.{minor + 8}.0-eksbuild.1",
    }[family]


def _catalog() -> dict:
    """Add-on, version: the Kubernetes minors it runs on (kube-proxy only on its
    own, the others on theirs and the neighbours), default on its own minor."""
    catalog = {}
    for family in ["vpc-cni", "coredns", "kube-proxy", "eks-pod-identity-agent", "aws-ebs-csi-driver"]:
        versions = {}
        for minor in MINORS:
            runs = [minor] if family == "kube-proxy" else [m for m in (minor - 1, minor, minor + 1) if m in MINORS]
            versions[_version(family, minor)] = {"runs": [f"1.{m}" for m in runs], "default": f"1.{minor}"}
        catalog[family] = versions
    return catalog


CATALOG = _catalog()
TYPES = {"vpc-cni": "networking", "coredns": "networking", "kube-proxy": "networking",
         "eks-pod-identity-agent": "security", "aws-ebs-csi-driver": "storage"}


def default_version(addon: str, kubernetes: str):
    """The version EKS installs on `kubernetes` when none is asked for."""
    return next((v for v, about in CATALOG.get(addon, {}).items() if about["default"] == kubernetes), None)


def _offered(addon: str, kubernetes=None) -> dict:
    versions = [{
        "addonVersion": version,
        "architecture": ["amd64", "arm64"],
        "compatibilities": [{"clusterVersion": k, "platformVersions": ["*"], "defaultVersion": about["default"] == k}
                            for k in about["runs"] if kubernetes in (None, k)],
        "requiresConfiguration": False,
        "requiresIamPermissions": addon == "aws-ebs-csi-driver",
    } for version, about in reversed(list(CATALOG[addon].items())) if kubernetes is None or kubernetes in about["runs"]]
    return {"addonName": addon, "type": TYPES[addon], "addonVersions": versions, "publisher": "eks", "owner": "aws"}


def _now():
    from moto.core.utils import utcnow

    return utcnow()


def _addons(cluster) -> dict:
    return cluster.__dict__.setdefault("_wway_addons", {})


def _settle(backend) -> None:
    """Runs the add-ons' due transitions; coredns heals once a node group runs."""
    now = CLOCK.now()
    for cluster in list(backend.clusters.values()):
        for addon in list(_addons(cluster).values()):
            clock.run_due(addon, now)
            if addon.status == "DEGRADED" and _has_nodes(cluster):
                addon.status, addon.health = "ACTIVE", {"issues": []}


def _has_nodes(cluster) -> bool:
    return any(g.status == "ACTIVE" for g in cluster.nodegroups.values())


class Addon:
    def __init__(self, cluster, name, version, account, region, tags, role):
        self.cluster, self.name, self.version = cluster, name, version
        self.arn = f"arn:aws:eks:{region}:{account}:addon/{cluster.name}/{name}/{uuid.uuid4()}"
        self.status, self.health, self.tags, self.role = "CREATING", {"issues": []}, dict(tags or {}), role
        self.created = self.modified = _now()
        self.updates = {}

    def shown(self) -> dict:
        shown = {"addonName": self.name, "clusterName": self.cluster.name, "status": self.status,
                 "addonVersion": self.version, "health": self.health, "addonArn": self.arn,
                 "createdAt": self.created, "modifiedAt": self.modified, "tags": self.tags}
        if self.role:
            shown["serviceAccountRoleArn"] = self.role
        return shown

    def fail(self, status, code, message) -> None:
        self.status = status
        self.health = {"issues": [{"code": code, "message": message, "resourceIds": [self.name]}]}


def _conflict(cluster, addon, mode, operation):
    """The ConfigurationConflict a test set up for this add-on, unless `mode` resolves it."""
    asked = failure_for("addon-conflict", f"{cluster.name}/{addon}")
    if asked is None or mode == "OVERWRITE" or (mode == "PRESERVE" and operation == "update"):
        return None
    refused(f"eks:{operation} {cluster.name}/{addon}: conflicts, resolveConflicts {mode or 'NONE'}")
    return ("ConfigurationConflict",
            f"Conflicts found when trying to apply. Will not continue due to resolve conflicts mode. "
            f"Conflicts: ConfigMap {addon} - .data (edited by hand; resolveConflicts is {mode or 'NONE'})")


def patch() -> None:
    from moto.core.responses import ActionResult
    from moto.eks import models, urls
    from moto.eks.exceptions import (InvalidParameterException, InvalidRequestException,
                                     ResourceInUseException, ResourceNotFoundException)
    from moto.eks.responses import EKSResponse

    def error(kind, cluster, addon, message):
        if kind is ResourceInUseException:
            return kind(clusterName=cluster, nodegroupName=None, addonName=addon, message=message)
        if kind is InvalidRequestException:
            return kind(message=message)
        return kind(clusterName=cluster, nodegroupName=None, fargateProfileName=None, addonName=addon,
                    message=message)

    def settled(method):
        def wrapper(self):
            with eks_states._lock:
                eks_states._settle(self.eks_backend)
                _settle(self.eks_backend)
                return method(self)
        return wrapper

    def cluster_of(self):
        name = self._get_param("name")
        cluster = self.eks_backend.clusters.get(name)
        if cluster is None:
            raise error(ResourceNotFoundException, name, None, f"No cluster found for name: {name}.")
        return cluster

    def addon_of(self, operation):
        cluster = cluster_of(self)
        name = self._get_param("addonName")
        addon = _addons(cluster).get(name)
        if addon is None:
            raise error(ResourceNotFoundException, cluster.name, name,
                        f"No addon: {name} found in cluster: {cluster.name}")
        return cluster, addon

    def check_version(cluster, name, version, operation):
        about = CATALOG[name].get(version)
        if about is None or cluster.version not in about["runs"]:
            refused(f"eks:{operation} {cluster.name}/{name}: {version} on {cluster.version}")
            raise error(InvalidParameterException, cluster.name, name,
                        f"Addon version specified is not supported for the cluster version {cluster.version}: "
                        f"{name} {version}")

    def create_addon(self):
        cluster = cluster_of(self)
        name, token = self._get_param("addonName"), self._get_param("clientRequestToken")
        tokens = cluster.__dict__.setdefault("_wway_addon_tokens", {})
        if token and tokens.get(token) == name and name in _addons(cluster):
            return ActionResult({"addon": _addons(cluster)[name].shown()})
        if cluster.status != "ACTIVE":
            refused(f"eks:CreateAddon {cluster.name}/{name}: cluster {cluster.status}")
            raise error(InvalidRequestException, cluster.name, name,
                        f"Cluster {cluster.name} is not ACTIVE ({cluster.status})")
        if name not in CATALOG:
            refused(f"eks:CreateAddon {cluster.name}/{name}: no such add-on")
            raise error(InvalidParameterException, cluster.name, name,
                        f"Addon {name} specified is not supported in {cluster.version} Kubernetes version")
        if name in _addons(cluster):
            refused(f"eks:CreateAddon {cluster.name}/{name}: exists")
            raise error(ResourceInUseException, cluster.name, name, f"Addon already exists: {name}")
        version = self._get_param("addonVersion") or default_version(name, cluster.version)
        check_version(cluster, name, version, "CreateAddon")
        addon = Addon(cluster, name, version, self.current_account, self.region, self._get_param("tags"),
                      self._get_param("serviceAccountRoleArn"))
        _addons(cluster)[name] = addon
        if token:
            tokens[token] = name
        conflict = _conflict(cluster, name, self._get_param("resolveConflicts"), "CreateAddon")

        def born():
            if conflict:
                addon.fail("CREATE_FAILED", *conflict)
            elif name == "coredns" and not _has_nodes(cluster):
                addon.fail("DEGRADED", "InsufficientNumberOfReplicas",
                           "The add-on is unhealthy because it doesn't have the desired number of replicas.")
            else:
                addon.status = "ACTIVE"

        clock.then(addon, CREATE_SECONDS, born)
        return ActionResult({"addon": addon.shown()})

    def describe_addon(self):
        return ActionResult({"addon": addon_of(self, "DescribeAddon")[1].shown()})

    def list_addons(self):
        names = sorted(_addons(cluster_of(self)))
        start = int(self._get_param("nextToken") or 0)
        size = int(self._get_param("maxResults") or PAGE)
        page = {"addons": names[start:start + size]}
        if start + size < len(names):
            page["nextToken"] = str(start + size)
        return ActionResult(page)

    def update_addon(self):
        cluster, addon = addon_of(self, "UpdateAddon")
        if addon.status != "ACTIVE":
            refused(f"eks:UpdateAddon {cluster.name}/{addon.name}: {addon.status}")
            raise error(ResourceInUseException, cluster.name, addon.name,
                        f"Addon {addon.name} cannot be updated as it is currently {addon.status}")
        version = self._get_param("addonVersion") or addon.version
        check_version(cluster, addon.name, version, "UpdateAddon")
        update = eks_states._update("AddonUpdate", [{"type": "AddonVersion", "value": version}])
        addon.updates[update["id"]] = update
        addon.status = "UPDATING"
        conflict = _conflict(cluster, addon.name, self._get_param("resolveConflicts"), "UpdateAddon")

        def done():
            addon.status = "ACTIVE"
            if conflict:
                update["status"] = "Failed"
                update["errors"] = [{"errorCode": conflict[0], "errorMessage": conflict[1],
                                     "resourceIds": [addon.name]}]
            else:
                addon.version = version
                addon.modified = _now()
                update["status"] = "Successful"

        clock.then(addon, UPDATE_SECONDS, done)
        return ActionResult({"update": update})

    def delete_addon(self):
        cluster, addon = addon_of(self, "DeleteAddon")
        if addon.status != "DELETING":
            addon.status = "DELETING"
            clock.then(addon, DELETE_SECONDS, lambda: _addons(cluster).pop(addon.name, None))
        return ActionResult({"addon": addon.shown()})

    def describe_addon_versions(self):
        wanted = self._get_param("addonName")
        kubernetes = self._get_param("kubernetesVersion")
        offered = [_offered(name, kubernetes) for name in sorted(CATALOG) if wanted in (None, name)]
        offered = [o for o in offered if o["addonVersions"]]
        start = int(self._get_param("nextToken") or 0)
        size = int(self._get_param("maxResults") or VERSIONS_PAGE)
        page = {"addons": offered[start:start + size]}
        if start + size < len(offered):
            page["nextToken"] = str(start + size)
        return ActionResult(page)

    original_describe_update = EKSResponse.describe_update

    def describe_update(self):
        name = self._get_param("addonName")
        if not name:
            return original_describe_update(self)
        _, addon = addon_of(self, "DescribeUpdate")
        update = addon.updates.get(self._get_param("updateId"))
        if update is None:
            raise error(InvalidRequestException, None, name, f"No update found for ID: {self._get_param('updateId')}")
        return ActionResult({"update": update})

    for name, method in {
        "create_addon": create_addon,
        "describe_addon": describe_addon,
        "list_addons": list_addons,
        "update_addon": update_addon,
        "delete_addon": delete_addon,
        "describe_addon_versions": describe_addon_versions,
        "describe_update": describe_update,
    }.items():
        setattr(EKSResponse, name, settled(method))
    urls.url_paths["{0}/clusters/(?P<name>[^/]+)/addons$"] = urls.response.dispatch
    urls.url_paths["{0}/clusters/(?P<name>[^/]+)/addons/(?P<addonName>[^/]+)$"] = urls.response.dispatch
    urls.url_paths["{0}/clusters/(?P<name>[^/]+)/addons/(?P<addonName>[^/]+)/update$"] = urls.response.dispatch
    urls.url_paths["{0}/addons/supported-versions$"] = urls.response.dispatch

    # TagResource, UntagResource and ListTagsForResource take an add-on's ARN.
    backend = models.EKSBackend
    originals = {n: getattr(backend, n) for n in ("tag_resource", "untag_resource", "list_tags_for_resource")}

    def addon_by_arn(self, arn):
        for cluster in self.clusters.values():
            for addon in _addons(cluster).values():
                if addon.arn == arn:
                    return addon
        return None

    def tag_resource(self, resource_arn, tags):
        addon = addon_by_arn(self, resource_arn)
        return originals["tag_resource"](self, resource_arn, tags) if addon is None else addon.tags.update(tags)

    def untag_resource(self, resource_arn, tag_keys):
        addon = addon_by_arn(self, resource_arn)
        if addon is None:
            return originals["untag_resource"](self, resource_arn, tag_keys)
        for key in tag_keys if isinstance(tag_keys, list) else [tag_keys]:
            addon.tags.pop(key, None)

    def list_tags_for_resource(self, resource_arn):
        addon = addon_by_arn(self, resource_arn)
        return originals["list_tags_for_resource"](self, resource_arn) if addon is None else addon.tags

    backend.tag_resource = tag_resource
    backend.untag_resource = untag_resource
    backend.list_tags_for_resource = list_tags_for_resource
