"""Patch 34: VPC endpoints take time and their token, interface endpoints
need the VPC's DNS and hold their security groups, and nodes without a way
out join through endpoints.

moto makes an endpoint available at once, makes a second one for a repeated
ClientToken, describes a gateway endpoint with private DNS on, takes private
DNS in a VPC without DNS hostnames and two subnets of one zone, deletes an
interface endpoint's network interfaces at once, and deletes a security
group whatever uses it. AWS:

- CreateVpcEndpoint answers a repeated ClientToken with the endpoint it
  made; a gateway endpoint has private DNS off;
- an interface endpoint is pending for INTERFACE_CREATE_SECONDS, then
  available; DeleteVpcEndpoints leaves it deleting for
  INTERFACE_DELETE_SECONDS, its network interfaces still there, then gone;
- an interface endpoint with private DNS in a VPC without DNS support or
  DNS hostnames is refused (InvalidParameter), as is one with two subnets
  in one zone (DuplicateSubnetsInSameZone);
- DeleteSecurityGroup of a group an endpoint that is not gone uses answers
  DependencyViolation;
- nodes in a subnet with no route to a NAT or internet gateway join their
  cluster when the cluster's API answers privately and the VPC has, with
  private DNS and available, interface endpoints for ec2, ecr.api, ecr.dkr
  and sts, and an S3 gateway endpoint in the subnet's route table (EKS user
  guide, private clusters); gateway_states.cannot_join asks `private_way`.
"""

import functools

import clock
from clock import refused

INTERFACE_CREATE_SECONDS = 60.0
INTERFACE_DELETE_SECONDS = 30.0

# What nodes without a way out call, by the service's last name parts.
NODE_INTERFACES = ("ec2", "ecr.api", "ecr.dkr", "sts")


def _settle(ec2) -> None:
    """Every endpoint transition that is due."""
    for endpoint in list(ec2.vpc_end_points.values()):
        clock.run_due(endpoint)


def _service(endpoint) -> str:
    """`ecr.api` of `com.amazonaws.<region>.ecr.api`."""
    return endpoint.service_name.split(".", 3)[-1]


def _is_interface(endpoint_type) -> bool:
    return (endpoint_type or "").lower() == "interface"


def _interface(endpoint) -> bool:
    return _is_interface(endpoint.vpc_endpoint_type)


def private_way(ec2, subnet, table, private_api) -> str | None:
    """Why nodes in `subnet` (routed by `table`) cannot join through
    endpoints, or None when they can."""
    _settle(ec2)
    if not private_api:
        return "the cluster's API does not answer privately"
    living = [e for e in ec2.vpc_end_points.values() if e.vpc_id == subnet.vpc_id and e.state == "available"]
    reached = {_service(e) for e in living if _interface(e) and e.private_dns_enabled}
    missing = [s for s in NODE_INTERFACES if s not in reached]
    s3 = any(_service(e) == "s3" and not _interface(e) and table is not None and table.id in e.route_table_ids
             for e in living)
    if not s3:
        missing.append("s3 (gateway)")
    if missing:
        return f"no endpoint for {', '.join(missing)}"
    return None


def patch() -> None:
    from moto.ec2.exceptions import DependencyViolationError, EC2ClientError
    from moto.ec2.models import EC2Backend

    original_create = EC2Backend.create_vpc_endpoint
    original_delete = EC2Backend.delete_vpc_endpoints
    original_describe = EC2Backend.describe_vpc_endpoints
    original_delete_group = EC2Backend.delete_security_group

    @functools.wraps(original_create)
    def create_vpc_endpoint(self, vpc_id, service_name, endpoint_type, *args, **kwargs):
        _settle(self)
        tokens = self.__dict__.setdefault("_wway_endpoint_tokens", {})
        token = kwargs.get("client_token")
        if token and token in tokens:
            return tokens[token]
        interface = _is_interface(endpoint_type)
        if interface and kwargs.get("private_dns_enabled") is not False:
            vpc = self.get_vpc(vpc_id)
            if not (vpc.enable_dns_support in (True, "true") and vpc.enable_dns_hostnames in (True, "true")):
                refused(f"ec2:CreateVpcEndpoint {service_name}: private DNS in {vpc_id} without DNS")
                raise EC2ClientError(
                    "InvalidParameter",
                    "Enabling private DNS requires both enableDnsSupport and enableDnsHostnames "
                    f"VPC attributes set to true for {vpc_id}")
        if interface:
            zones = [self.get_subnet(s).availability_zone for s in kwargs.get("subnet_ids") or []]
            if len(zones) != len(set(zones)):
                refused(f"ec2:CreateVpcEndpoint {service_name}: two subnets in one zone")
                raise EC2ClientError("DuplicateSubnetsInSameZone",
                                     "Found another VPC endpoint subnet in the availability zone")
        endpoint = original_create(self, vpc_id, service_name, endpoint_type, *args, **kwargs)
        if not interface:
            endpoint.private_dns_enabled = False  # a gateway has no DNS name of its own
        if token:
            tokens[token] = endpoint
        if interface:
            endpoint.state = "pending"

            def born():
                endpoint.state = "available"

            clock.then(endpoint, clock.setting("interface_create", INTERFACE_CREATE_SECONDS), born)
        return endpoint

    @functools.wraps(original_delete)
    def delete_vpc_endpoints(self, vpce_ids=None):
        _settle(self)
        for vpce_id in vpce_ids or []:
            endpoint = self.vpc_end_points.get(vpce_id)
            if endpoint is None or not _interface(endpoint):
                original_delete(self, [vpce_id])
                continue
            if endpoint.state in ("deleting", "deleted"):
                continue
            endpoint.state = "deleting"

            def gone(vpce_id=vpce_id):
                original_delete(self, [vpce_id])

            clock.then(endpoint, clock.setting("interface_delete", INTERFACE_DELETE_SECONDS), gone)

    @functools.wraps(original_describe)
    def describe_vpc_endpoints(self, *args, **kwargs):
        _settle(self)
        return original_describe(self, *args, **kwargs)

    @functools.wraps(original_delete_group)
    def delete_security_group(self, name=None, group_id=None):
        _settle(self)
        users = [e.id for e in self.vpc_end_points.values()
                 if e.state != "deleted" and group_id in (e.security_group_ids or [])]
        if group_id and users:
            refused(f"ec2:DeleteSecurityGroup {group_id}: used by {', '.join(users)}")
            raise DependencyViolationError(f"resource {group_id} has a dependent object")
        return original_delete_group(self, name=name, group_id=group_id)

    EC2Backend.create_vpc_endpoint = create_vpc_endpoint
    EC2Backend.delete_vpc_endpoints = delete_vpc_endpoints
    EC2Backend.describe_vpc_endpoints = describe_vpc_endpoints
    EC2Backend.delete_security_group = delete_security_group
