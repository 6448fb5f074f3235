"""Patch 32: EKS secrets encryption with a KMS key.

moto's CreateCluster keeps any encryptionConfig it is given, and there is no
AssociateEncryptionConfig. AWS:

- CreateCluster and AssociateEncryptionConfig take one configuration, for
  the resource `secrets`, whose provider's keyArn names a KMS key of the
  cluster's region that is Enabled, symmetric (SYMMETRIC_DEFAULT) and for
  ENCRYPT_DECRYPT; any other is InvalidParameterException (a key pending
  deletion, unknown, or of another region);
- AssociateEncryptionConfig (on an ACTIVE cluster, else
  ResourceInUseException; on one already encrypted InvalidRequestException:
  encryption cannot be changed or turned off) makes the cluster UPDATING and
  returns an update id, InProgress about ASSOCIATE_SECONDS, then the cluster
  has the configuration; DescribeUpdate follows it.

KMS's ScheduleKeyDeletion, EnableKey, DisableKey and CancelKeyDeletion take
a key's ARN as well as its id (moto: a KeyError, answered 500), and
ScheduleKeyDeletion of a key already pending deletion is
KMSInvalidStateException (moto: scheduled again).

And patch 21 (tagging_lag.py) covers KMS keys: GetResources finds a new key
only after the tagging API's lag, as it does functions and distributions.
"""

import clock
import eks_states
from clock import refused

ASSOCIATE_SECONDS = 600


def _key_problem(account, region, config):
    """Why EKS would refuse `config` (a list of encryption configurations), or None."""
    from moto.kms.models import kms_backends

    if not isinstance(config, list) or len(config) != 1 or config[0].get("resources") != ["secrets"]:
        return "encryptionConfig takes one configuration, for the resource secrets"
    arn = (config[0].get("provider") or {}).get("keyArn") or ""
    if f":kms:{region}:" not in arn:
        return f"Key ARN {arn} is not a KMS key of {region}"
    kms = kms_backends[account][region]
    try:
        key = kms.describe_key(arn)
    except Exception:
        return f"Key {arn} could not be found"
    if key.key_state != "Enabled":
        return f"Key {arn} is {key.key_state}"
    if key.key_spec != "SYMMETRIC_DEFAULT" or (key.key_usage or "ENCRYPT_DECRYPT") != "ENCRYPT_DECRYPT":
        return f"Key {arn} is not a symmetric encryption key"
    return None


def patch() -> None:
    from moto.core.responses import ActionResult
    from moto.eks import models, urls
    from moto.eks.exceptions import InvalidParameterException, InvalidRequestException, ResourceInUseException
    from moto.eks.responses import EKSResponse

    def invalid(name, message):
        refused(f"eks: {name}: {message}")
        return InvalidParameterException(clusterName=name, nodegroupName=None, fargateProfileName=None,
                                         addonName=None, message=message)

    backend_class = models.EKSBackend
    original_create = backend_class.create_cluster

    def create_cluster(self, name, *args, encryption_config=None, **kwargs):
        if encryption_config:
            problem = _key_problem(self.account_id, self.region_name, encryption_config)
            if problem:
                raise invalid(name, problem)
        return original_create(self, name, *args, encryption_config=encryption_config, **kwargs)

    backend_class.create_cluster = create_cluster

    def associate_encryption_config(self):
        with eks_states._lock:
            backend = self.eks_backend
            eks_states._settle(backend)
            name = self._get_param("name")
            cluster = backend.clusters.get(name)
            if cluster is None:
                backend.describe_cluster(name)  # moto's ResourceNotFoundException
            if cluster.status != "ACTIVE":
                refused(f"eks:AssociateEncryptionConfig {name}: {cluster.status}")
                raise ResourceInUseException(clusterName=name, nodegroupName=None, addonName=None,
                                             message=f"Cluster {name} is currently {cluster.status}")
            if cluster.encryption_config:
                refused(f"eks:AssociateEncryptionConfig {name}: already encrypted")
                raise InvalidRequestException(message=f"Encryption is already enabled on cluster {name}")
            config = self._get_param("encryptionConfig")
            problem = _key_problem(self.current_account, self.region, config)
            if problem:
                raise invalid(name, problem)
            update = eks_states._update("AssociateEncryptionConfig",
                                        [{"type": "EncryptionConfig", "value": str(config)}])
            cluster.status = "UPDATING"
            cluster.__dict__.setdefault("_wway_updates", {})[update["id"]] = update

            def done():
                cluster.encryption_config = config
                cluster.status = "ACTIVE"
                update["status"] = "Successful"

            clock.then(cluster, ASSOCIATE_SECONDS, done)
            return ActionResult({"update": update})

    EKSResponse.associate_encryption_config = associate_encryption_config
    _patch_kms()
    urls.url_paths["{0}/clusters/(?P<name>[^/]+)/encryption-config/associate$"] = urls.response.dispatch


def _patch_kms() -> None:
    from moto.core.exceptions import JsonRESTError
    from moto.kms import models as kms_models

    class KMSInvalidStateException(JsonRESTError):
        code = 400

        def __init__(self, message):
            super().__init__("KMSInvalidStateException", message)

    backend = kms_models.KmsBackend
    for name in ("schedule_key_deletion", "enable_key", "disable_key", "cancel_key_deletion"):
        original = getattr(backend, name)

        def by_any_id(self, key_id, *args, _original=original, _name=name, **kwargs):
            key_id = self.any_id_to_key_id(key_id)
            if _name == "schedule_key_deletion" and self.keys[key_id].key_state == "PendingDeletion":
                refused(f"kms:ScheduleKeyDeletion {key_id}: pending deletion")
                raise KMSInvalidStateException(f"{self.keys[key_id].arn} is pending deletion.")
            return _original(self, key_id, *args, **kwargs)

        setattr(backend, name, by_any_id)
