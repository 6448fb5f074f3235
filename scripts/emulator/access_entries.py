"""Patch 29: EKS access entries and a cluster's authentication mode.

moto has no access entry API at all and drops a cluster's accessConfig. AWS:

- CreateCluster keeps accessConfig: authenticationMode (CONFIG_MAP when the
  request gives none), bootstrapClusterCreatorAdminPermissions (true when
  none); a creator bootstrapped on a cluster whose mode takes the API gets
  an access entry of its own with the cluster admin policy (CREATOR);
  DescribeCluster answers accessConfig;
- UpdateClusterConfig changes authenticationMode one way only, CONFIG_MAP to
  API_AND_CONFIG_MAP to API (InvalidParameterException backwards, and for
  bootstrapClusterCreatorAdminPermissions, which only CreateCluster takes);
  a bootstrapped creator gets its entry when the mode first takes the API;
- CreateAccessEntry refuses a principal IAM does not have
  (InvalidParameterException, "invalid principal");
- CreateAccessEntry, DescribeAccessEntry, ListAccessEntries (paged),
  DeleteAccessEntry, AssociateAccessPolicy, ListAssociatedAccessPolicies and
  DisassociateAccessPolicy: refused on a cluster whose mode is CONFIG_MAP
  (InvalidRequestException), an entry made twice is ResourceInUseException
  (a repeated clientRequestToken answers the entry it made), an unknown
  entry or cluster ResourceNotFoundException, a policy EKS does not have
  ResourceNotFoundException; an entry keeps its tags.
"""

import datetime
import uuid
from urllib.parse import unquote

from clock import refused

CREATOR = "arn:aws:iam::{account}:user/moto"
POLICY_PREFIX = "arn:aws:eks::aws:cluster-access-policy/"
POLICIES = ["AmazonEKSAdminPolicy", "AmazonEKSClusterAdminPolicy", "AmazonEKSEditPolicy", "AmazonEKSViewPolicy"]
MODES = ["CONFIG_MAP", "API_AND_CONFIG_MAP", "API"]
PAGE = 100


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _entries(cluster) -> dict:
    return cluster.__dict__.setdefault("_wway_access_entries", {})


def _entry(cluster, principal, account, region, tags=None, kind="STANDARD"):
    return {
        "clusterName": cluster.name,
        "principalArn": principal,
        "kubernetesGroups": [],
        "accessEntryArn": f"arn:aws:eks:{region}:{account}:access-entry/{cluster.name}/role/{account}/"
                          f"{principal.rsplit('/', 1)[-1]}/{uuid.uuid4()}",
        "createdAt": _now(),
        "modifiedAt": _now(),
        "tags": tags or {},
        "username": principal,
        "type": kind,
        "_policies": {},
    }


def _admin_policy():
    return {"policyArn": POLICY_PREFIX + "AmazonEKSClusterAdminPolicy", "accessScope": {"type": "cluster"},
            "associatedAt": _now(), "modifiedAt": _now()}


def made(cluster, access_config, account, region) -> None:
    """CreateCluster's access configuration, with AWS's defaults."""
    config = dict(access_config or {})
    config.setdefault("authenticationMode", "CONFIG_MAP")
    config.setdefault("bootstrapClusterCreatorAdminPermissions", True)
    cluster.access_config = config
    _bootstrap(cluster, account, region)


def _bootstrap(cluster, account, region) -> None:
    config = cluster.access_config
    if config["bootstrapClusterCreatorAdminPermissions"] and config["authenticationMode"] != "CONFIG_MAP":
        creator = CREATOR.format(account=account)
        if creator not in _entries(cluster):
            entry = _entry(cluster, creator, account, region)
            entry["_policies"][_admin_policy()["policyArn"]] = _admin_policy()
            _entries(cluster)[creator] = entry


def check_update(cluster, access_config, error) -> None:
    """Refuses what UpdateClusterConfig cannot change of the access configuration."""
    if "bootstrapClusterCreatorAdminPermissions" in access_config:
        refused(f"eks:UpdateClusterConfig {cluster.name}: bootstrapClusterCreatorAdminPermissions")
        raise error(clusterName=cluster.name, nodegroupName=None, fargateProfileName=None, addonName=None,
                    message="bootstrapClusterCreatorAdminPermissions can only be set when the cluster is created")
    now = _config(cluster)["authenticationMode"]
    wanted = access_config.get("authenticationMode", now)
    if wanted not in MODES or MODES.index(wanted) < MODES.index(now):
        refused(f"eks:UpdateClusterConfig {cluster.name}: authentication mode {now} to {wanted}")
        raise error(clusterName=cluster.name, nodegroupName=None, fargateProfileName=None, addonName=None,
                    message=f"Unsupported authentication mode update from {now} to {wanted}")


def updated(cluster, access_config, account, region) -> None:
    """UpdateClusterConfig's access configuration, once the update is done."""
    cluster.access_config = {**_config(cluster), **access_config}
    _bootstrap(cluster, account, region)


def _principal_exists(account, arn) -> bool:
    """Whether IAM has the role or user `arn` names."""
    from moto.iam.models import iam_backends

    iam = iam_backends[account]["global"]
    kind, _, path = arn.split(":", 5)[-1].partition("/")
    name = path.rsplit("/", 1)[-1]
    try:
        if kind == "role":
            iam.get_role(name)
        elif kind == "user":
            iam.get_user(name)
        else:
            return False
    except Exception:
        return False
    return True


def _config(cluster) -> dict:
    if not hasattr(cluster, "access_config"):
        cluster.access_config = {"authenticationMode": "CONFIG_MAP",
                                 "bootstrapClusterCreatorAdminPermissions": True}
    return cluster.access_config


def _shown(entry) -> dict:
    return {k: v for k, v in entry.items() if not k.startswith("_")}


def patch() -> None:
    from moto.core.responses import ActionResult
    from moto.eks import urls
    from moto.eks.exceptions import (InvalidParameterException, InvalidRequestException,
                                     ResourceInUseException, ResourceNotFoundException)
    from moto.eks.responses import EKSResponse

    def not_found(message):
        return ResourceNotFoundException(clusterName=None, nodegroupName=None, fargateProfileName=None,
                                         addonName=None, message=message)

    def cluster_of(self, name, operation):
        cluster = self.eks_backend.clusters.get(name)
        if cluster is None:
            raise not_found(f"No cluster found for name: {name}.")
        if _config(cluster)["authenticationMode"] == "CONFIG_MAP":
            refused(f"eks:{operation} {name}: authentication mode CONFIG_MAP")
            raise InvalidRequestException(
                message="The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] "
                        "to perform this operation.")
        return cluster

    def principal(self):
        return unquote(self._get_param("principalArn") or "")

    def entry_of(self, operation):
        cluster = cluster_of(self, self._get_param("name"), operation)
        entry = _entries(cluster).get(principal(self))
        if entry is None:
            raise not_found(f"The specified principalArn could not be found. You can view your available "
                            f"access entries with 'list-access-entries'. ({principal(self)})")
        return cluster, entry

    def create_access_entry(self):
        cluster = cluster_of(self, self._get_param("name"), "CreateAccessEntry")
        arn, token = principal(self), self._get_param("clientRequestToken")
        tokens = cluster.__dict__.setdefault("_wway_access_tokens", {})
        if token and tokens.get(token) == arn and arn in _entries(cluster):
            return ActionResult({"accessEntry": _shown(_entries(cluster)[arn])})
        if not _principal_exists(self.current_account, arn):
            refused(f"eks:CreateAccessEntry {cluster.name}: no principal {arn}")
            raise InvalidParameterException(clusterName=cluster.name, nodegroupName=None, fargateProfileName=None,
                                            addonName=None, message="The specified principalArn is invalid: invalid principal")
        if arn in _entries(cluster):
            refused(f"eks:CreateAccessEntry {cluster.name}: {arn} exists")
            raise ResourceInUseException(clusterName=cluster.name, nodegroupName=None, addonName=None,
                                         message=f"The specified access entry resource is already in use on this cluster. ({arn})")
        entry = _entry(cluster, arn, self.current_account, self.region, self._get_param("tags"),
                       self._get_param("type") or "STANDARD")
        entry["kubernetesGroups"] = self._get_param("kubernetesGroups") or []
        _entries(cluster)[arn] = entry
        if token:
            tokens[token] = arn
        return ActionResult({"accessEntry": _shown(entry)})

    def describe_access_entry(self):
        _, entry = entry_of(self, "DescribeAccessEntry")
        return ActionResult({"accessEntry": _shown(entry)})

    def list_access_entries(self):
        cluster = cluster_of(self, self._get_param("name"), "ListAccessEntries")
        arns = sorted(_entries(cluster))
        start = int(self._get_param("nextToken") or 0)
        size = int(self._get_param("maxResults") or PAGE)
        page = {"accessEntries": arns[start:start + size]}
        if start + size < len(arns):
            page["nextToken"] = str(start + size)
        return ActionResult(page)

    def delete_access_entry(self):
        cluster, entry = entry_of(self, "DeleteAccessEntry")
        _entries(cluster).pop(entry["principalArn"], None)
        return ActionResult({})

    def associate_access_policy(self):
        cluster, entry = entry_of(self, "AssociateAccessPolicy")
        policy = self._get_param("policyArn")
        if not policy.startswith(POLICY_PREFIX) or policy[len(POLICY_PREFIX):] not in POLICIES:
            refused(f"eks:AssociateAccessPolicy {cluster.name}: {policy}")
            raise not_found(f"The specified policy could not be found. ({policy})")
        associated = {"policyArn": policy, "accessScope": self._get_param("accessScope") or {"type": "cluster"},
                      "associatedAt": _now(), "modifiedAt": _now()}
        entry["_policies"][policy] = associated
        return ActionResult({"clusterName": cluster.name, "principalArn": entry["principalArn"],
                             "associatedAccessPolicy": associated})

    def list_associated_access_policies(self):
        cluster, entry = entry_of(self, "ListAssociatedAccessPolicies")
        return ActionResult({"clusterName": cluster.name, "principalArn": entry["principalArn"],
                             "associatedAccessPolicies": list(entry["_policies"].values())})

    def disassociate_access_policy(self):
        _, entry = entry_of(self, "DisassociateAccessPolicy")
        entry["_policies"].pop(unquote(self._get_param("policyArn") or ""), None)
        return ActionResult({})

    for name, method in {
        "create_access_entry": create_access_entry,
        "describe_access_entry": describe_access_entry,
        "list_access_entries": list_access_entries,
        "delete_access_entry": delete_access_entry,
        "associate_access_policy": associate_access_policy,
        "list_associated_access_policies": list_associated_access_policies,
        "disassociate_access_policy": disassociate_access_policy,
    }.items():
        setattr(EKSResponse, name, method)
    urls.url_paths["{0}/clusters/(?P<name>[^/]+)/access-entries$"] = urls.response.dispatch
    urls.url_paths["{0}/clusters/(?P<name>[^/]+)/access-entries/(?P<entry>.+)$"] = urls.response.dispatch
