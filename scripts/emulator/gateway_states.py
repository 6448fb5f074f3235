"""Patch 28: NAT gateways take time, hold their address and need an internet
gateway; nodes join a cluster only from subnets with a way out.

moto makes a NAT gateway available at once whatever the VPC has, ignores
its ClientToken and tag filters, marks it deleted at once and leaves its
network interface and address behind; it releases an address a NAT gateway
holds, detaches an internet gateway while the VPC has public addresses
mapped, and lets a node group's nodes join from any subnet. AWS:

- CreateNatGateway answers a repeated ClientToken with the gateway it made;
  the gateway is pending for NAT_CREATE_SECONDS, then available, or failed
  (Gateway.NotAttached) when its VPC has no internet gateway attached;
- DescribeNatGateways filters by tag;
- DeleteNatGateway leaves it deleting for NAT_DELETE_SECONDS, holding its
  address and its network interface, then deleted, both let go;
- ReleaseAddress of an address a NAT gateway holds answers
  InvalidIPAddress.InUse;
- DetachInternetGateway while an address is mapped in the VPC answers
  DependencyViolation;
- a node group's nodes fail to join (CREATE_FAILED, NodeCreationFailure)
  when the VPC has DNS hostnames off or a subnet's route table sends
  0.0.0.0/0 to no available NAT gateway or internet gateway
  (eks_states.py asks `cannot_join` when a node group is due), unless
  it reaches AWS through endpoints (private_endpoints.py).
"""

import functools

import clock
import private_endpoints
from clock import refused

NAT_CREATE_SECONDS = 90.0
NAT_DELETE_SECONDS = 60.0


def _ec2(account_id, region):
    from moto.ec2.models import ec2_backends

    return ec2_backends[account_id][region]


def _settle(ec2) -> None:
    """Every NAT gateway transition that is due."""
    for gateway in list(ec2.nat_gateways.values()):
        clock.run_due(gateway)


def _tokens(ec2) -> dict:
    """The NAT gateways a region made, by the ClientToken that asked."""
    return ec2.__dict__.setdefault("_wway_nat_tokens", {})


def _has_gateway(ec2, vpc_id) -> bool:
    return any(igw.vpc is not None and igw.vpc.id == vpc_id for igw in ec2.internet_gateways.values())


def _let_go(ec2, gateway) -> None:
    """A deleted (or failed) gateway's address and interface are free."""
    for address in ec2.addresses:
        if address.eni is not None and address.eni.id == gateway._eni.id:
            address.eni = None
            address.association_id = None
    ec2.enis.pop(gateway._eni.id, None)


def _table_of(ec2, subnet):
    """The route table a subnet uses: its own, else its VPC's main one."""
    tables = [t for t in ec2.route_tables.values() if t.vpc_id == subnet.vpc_id]
    for table in tables:
        if subnet.id in table._associations.values():
            return table
    return next((t for t in tables if t.main_association_id is not None), None)


def cannot_join(account_id, region, subnet_ids, private_api=False):
    """Why nodes in `subnet_ids` could not join a cluster (whose API answers
    privately if `private_api`), or None."""
    ec2 = _ec2(account_id, region)
    _settle(ec2)
    for subnet_id in subnet_ids:
        try:
            subnet = ec2.get_subnet(subnet_id)
        except Exception:
            continue
        vpc = ec2.get_vpc(subnet.vpc_id)
        if not vpc.enable_dns_hostnames:
            return f"VPC {vpc.id} has DNS hostnames off: instances failed to join the kubernetes cluster"
        table = _table_of(ec2, subnet)
        routes = table.routes if table is not None else []
        out = next((r for r in routes if r.destination_cidr_block == "0.0.0.0/0"), None)
        nat = out is not None and out.nat_gateway is not None and out.nat_gateway.state == "available"
        igw = out is not None and out.gateway is not None and _has_gateway(ec2, vpc.id) \
            and getattr(out.gateway, "id", "").startswith("igw-") and subnet.map_public_ip_on_launch in (True, "true")
        if nat or igw:
            continue
        inside = private_endpoints.private_way(ec2, subnet, table, private_api)
        if inside is not None:
            return (f"subnet {subnet_id} has no route to the internet and {inside}: "
                    "instances failed to join the kubernetes cluster")
    return None


def patch() -> None:
    from moto.ec2.exceptions import DependencyViolationError, EC2ClientError
    from moto.ec2.models import EC2Backend
    from moto.ec2.responses.nat_gateways import NatGateways
    from moto.ec2.utils import tag_filter_matches

    original_create = EC2Backend.create_nat_gateway
    original_describe = EC2Backend.describe_nat_gateways
    original_release = EC2Backend.release_address
    original_detach = EC2Backend.detach_internet_gateway
    original_create_response = NatGateways.create_nat_gateway

    @functools.wraps(original_create_response)
    def create_nat_gateway_response(self):
        token = self._get_param("ClientToken")
        made = _tokens(self.ec2_backend).get(token) if token else None
        if made is not None:
            from moto.core.responses import ActionResult

            return ActionResult({"NatGateway": made, "ClientToken": token})
        self.ec2_backend._wway_nat_token = token
        return original_create_response(self)

    @functools.wraps(original_create)
    def create_nat_gateway(self, *args, **kwargs):
        _settle(self)
        gateway = original_create(self, *args, **kwargs)
        token = getattr(self, "_wway_nat_token", None)
        if token:
            _tokens(self)[token] = gateway
            self._wway_nat_token = None
        gateway.state = "pending"
        attached = _has_gateway(self, gateway.vpc_id)

        def born():
            if attached and _has_gateway(self, gateway.vpc_id):
                gateway.state = "available"
                return
            gateway.state = "failed"
            gateway.failure_code = "Gateway.NotAttached"
            gateway.failure_message = f"Network {gateway.vpc_id} has no Internet gateway attached"
            _let_go(self, gateway)

        clock.then(gateway, clock.setting("nat_create", NAT_CREATE_SECONDS), born)
        return gateway

    @functools.wraps(original_describe)
    def describe_nat_gateways(self, filters, nat_gateway_ids):
        _settle(self)
        filters = dict(filters or {})
        tags = {k: v for k, v in filters.items() if k.startswith("tag")}
        for key in tags:
            filters.pop(key)
        found = original_describe(self, filters, nat_gateway_ids)
        return [g for g in found if all(tag_filter_matches(g, k, v) for k, v in tags.items())]

    def delete_nat_gateway(self, nat_gateway_id):
        _settle(self)
        gateway = self.nat_gateways.get(nat_gateway_id)
        if gateway is None:
            raise EC2ClientError("NatGatewayNotFound", f"NAT gateway {nat_gateway_id} was not found")
        if gateway.state in ("deleting", "deleted"):
            return gateway
        gateway.state = "deleting"

        def gone():
            gateway.state = "deleted"
            _let_go(self, gateway)

        clock.then(gateway, clock.setting("nat_delete", NAT_DELETE_SECONDS), gone)
        return gateway

    @functools.wraps(original_release)
    def release_address(self, address=None, allocation_id=None):
        _settle(self)
        for gateway in self.nat_gateways.values():
            held = [a.get("allocationId") for a in gateway.address_set]
            if gateway.state in ("pending", "available", "deleting") and allocation_id in held:
                refused(f"ec2:ReleaseAddress {allocation_id}: held by {gateway.id}")
                raise EC2ClientError("InvalidIPAddress.InUse", f"Address {allocation_id} is in use.")
        return original_release(self, address=address, allocation_id=allocation_id)

    @functools.wraps(original_detach)
    def detach_internet_gateway(self, internet_gateway_id, vpc_id):
        _settle(self)
        mapped = [a for a in self.addresses if a.eni is not None and
                  getattr(a.eni.subnet, "vpc_id", None) == vpc_id]
        if mapped:
            refused(f"ec2:DetachInternetGateway {internet_gateway_id}: addresses mapped in {vpc_id}")
            raise DependencyViolationError(
                f"Network {vpc_id} has some mapped public address(es). "
                "Please unmap those public address(es) before detaching the gateway.")
        return original_detach(self, internet_gateway_id, vpc_id)

    NatGateways.create_nat_gateway = create_nat_gateway_response
    EC2Backend.create_nat_gateway = create_nat_gateway
    EC2Backend.describe_nat_gateways = describe_nat_gateways
    EC2Backend.delete_nat_gateway = delete_nat_gateway
    EC2Backend.release_address = release_address
    EC2Backend.detach_internet_gateway = detach_internet_gateway
