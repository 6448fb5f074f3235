"""Patch 13: an EKS cluster's network interfaces outlive it, and a subnet with
network interfaces in it cannot be deleted.

moto's EKS makes no network interface, and DeleteSubnet deletes whatever is
in the subnet. AWS:

- an EKS cluster puts a requester-managed network interface ("Amazon EKS
  <cluster>", in-use) in each of its subnets;
- when the cluster is gone they are left behind, available, and AWS removes
  them itself minutes later (ENI_LINGER_SECONDS; a test changes it with
  `POST /_wway/linger?seconds=N`);
- DeleteSubnet answers DependencyViolation while any network interface is in
  the subnet (and DeleteVpc while a subnet is in the VPC, as moto does);
- DeleteNetworkInterface refuses one that is in use
  (InvalidNetworkInterface.InUse).
"""

import functools

import clock
from clock import CLOCK, refused

ENI_LINGER_SECONDS = 600.0


def _ec2(account_id, region):
    from moto.ec2.models import ec2_backends

    return ec2_backends[account_id][region]


def cluster_made(account_id, region, name, subnet_ids) -> None:
    """The cluster's interfaces, in use, one per subnet it was given."""
    ec2 = _ec2(account_id, region)
    for subnet_id in subnet_ids:
        try:
            subnet = ec2.get_subnet(subnet_id)
        except Exception:
            continue
        eni = ec2.create_network_interface(subnet, None, description=f"Amazon EKS {name}")
        eni.status = "in-use"
        eni.requester_managed = True
        eni._wway_cluster = name


def cluster_gone(account_id, region, name) -> None:
    """The cluster's interfaces are left behind, available, until AWS removes them."""
    for eni in _ec2(account_id, region).enis.values():
        if getattr(eni, "_wway_cluster", None) == name:
            eni.status = "available"
            eni._wway_removed_at = CLOCK.now() + clock.setting("eni_linger", ENI_LINGER_SECONDS)


def _remove_due(ec2) -> None:
    now = CLOCK.now()
    for eni_id, eni in list(ec2.enis.items()):
        due = getattr(eni, "_wway_removed_at", None)
        if due is not None and due <= now:
            ec2.enis.pop(eni_id, None)


def patch() -> None:
    from moto.ec2.exceptions import DependencyViolationError, EC2ClientError
    from moto.ec2.models import EC2Backend

    original_delete_subnet = EC2Backend.delete_subnet
    original_delete_eni = EC2Backend.delete_network_interface
    original_describe_enis = EC2Backend.describe_network_interfaces

    @functools.wraps(original_delete_subnet)
    def delete_subnet(self, subnet_id):
        _remove_due(self)
        inside = [eni.id for eni in self.enis.values() if eni.subnet.id == subnet_id]
        if inside:
            refused(f"ec2:DeleteSubnet {subnet_id}: network interfaces {', '.join(inside)}")
            raise DependencyViolationError(
                f"The subnet '{subnet_id}' has dependencies and cannot be deleted.")
        return original_delete_subnet(self, subnet_id)

    @functools.wraps(original_delete_eni)
    def delete_network_interface(self, eni_id):
        _remove_due(self)
        eni = self.enis.get(eni_id)
        if eni is not None and eni.status == "in-use":
            refused(f"ec2:DeleteNetworkInterface {eni_id}: in use")
            raise EC2ClientError("InvalidNetworkInterface.InUse", f"Interface: [{eni_id}] in use.")
        return original_delete_eni(self, eni_id)

    @functools.wraps(original_describe_enis)
    def describe_network_interfaces(self, *args, **kwargs):
        _remove_due(self)
        return original_describe_enis(self, *args, **kwargs)

    EC2Backend.delete_subnet = delete_subnet
    EC2Backend.delete_network_interface = delete_network_interface
    EC2Backend.describe_network_interfaces = describe_network_interfaces
