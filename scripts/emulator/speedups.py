"""Speed-ups: moto work that is the same on every request, done once.

These change no answer the emulator gives; they only stop moto from redoing
per request what never changes while it runs. Measured with py-spy on the
test `real_aws::a_replaced_vpc_is_a_new_vpc`: of the launcher's CPU time,
about a sixth went to the two lookups below.

- `moto.backends.list_of_moto_modules` lists moto's package folder (a
  listdir and an isdir per entry) for every request that names its host, to
  ask whether the host is a service name. The folder does not change.
- EKS `validate_role_arn` builds a new boto3 Session for every CreateCluster
  and CreateNodegroup to learn the partition names (the Session scans
  botocore's data folders). We ask once.
"""

import functools


def patch() -> None:
    from boto3 import Session
    from moto import backends
    from moto.eks import utils as eks_utils

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules

    class PartitionsOnce:
        """What `validate_role_arn` asks of a Session, asked of botocore once."""

        @staticmethod
        @functools.cache
        def get_available_partitions():
            return Session().get_available_partitions()

    eks_utils.Session = PartitionsOnce
