"""Tests that the launcher's patches close moto's gaps, through boto3 against a
launched server. Run: .emulator/venv/bin/python -m unittest discover scripts/emulator
"""

import contextlib
import os
import subprocess
import sys
import tempfile
import time
import unittest

import boto3

HERE = os.path.dirname(os.path.abspath(__file__))


def distribution_config(reference, **behavior):
    """A small distribution: one custom origin, `behavior` added to its default behavior."""
    return {
        "CallerReference": reference, "Comment": "", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "api", "DomainName": "api.example.com",
                                              "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}]},
        "DefaultCacheBehavior": dict({"TargetOriginId": "api", "ViewerProtocolPolicy": "redirect-to-https",
                                      "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}, "MinTTL": 0},
                                     **behavior),
    }


class LaunchedEmulator(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        url_file = os.path.join(cls.dir.name, "url")
        cls.process = subprocess.Popen([sys.executable, os.path.join(HERE, "launcher.py"), "--url-file", url_file])
        deadline = time.monotonic() + 30
        while not os.path.exists(url_file):
            if time.monotonic() > deadline or cls.process.poll() is not None:
                raise RuntimeError("the launcher did not start")
            time.sleep(0.05)
        with open(url_file) as f:
            cls.url = f.read().strip()

    @classmethod
    def tearDownClass(cls):
        cls.process.terminate()
        cls.process.wait(timeout=10)
        cls.dir.cleanup()

    def client(self, service, attempts=10):
        """A client that retries throttling as the SDKs do (Route 53 throttles, rates.py)."""
        import botocore.config
        config = botocore.config.Config(retries={"mode": "standard", "max_attempts": attempts})
        return boto3.client(service, endpoint_url=self.url, region_name="us-east-1", config=config,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    def control(self, method, path):
        """A call to the launcher's own routes (clock.py)."""
        import json, urllib.request
        with urllib.request.urlopen(urllib.request.Request(self.url + path, method=method)) as answer:
            return json.loads(answer.read())

    def advance(self, seconds):
        self.control("POST", f"/_wway/clock/advance?seconds={seconds}")

    @contextlib.contextmanager
    def frozen(self):
        """The virtual clock stands still inside, so a test moves it by hand."""
        self.control("POST", "/_wway/clock/freeze")
        try:
            yield
        finally:
            self.control("POST", "/_wway/clock/resume")

    def zone(self, name):
        """A zone made and, on the clock, found (see route53_states.ZONE_LAG_SECONDS)."""
        r53 = self.client("route53")
        zone = r53.create_hosted_zone(Name=name, CallerReference=name)["HostedZone"]["Id"]
        self.advance(5)
        return r53, zone

    def test_url_is_loopback(self):
        self.assertRegex(self.url, r"^http://127\.0\.0\.1:\d+$")

    def test_paging_through_set_identifiers_ends(self):
        r53, zone = self.zone("paging.example")
        changes = [{"Action": "CREATE", "ResourceRecordSet": {
            "Name": "api.paging.example", "Type": "A", "SetIdentifier": f"w{i:02}", "Weight": 1, "TTL": 60,
            "ResourceRecords": [{"Value": f"192.0.2.{i}"}]}} for i in range(25)]
        r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": changes})
        seen, kwargs, pages = [], {"HostedZoneId": zone, "MaxItems": "10"}, 0
        while True:
            pages += 1
            self.assertLess(pages, 10, "pagination does not end")
            page = r53.list_resource_record_sets(**kwargs)
            seen += [(r["Name"], r["Type"], r.get("SetIdentifier")) for r in page["ResourceRecordSets"]]
            if not page["IsTruncated"]:
                break
            kwargs.update(StartRecordName=page["NextRecordName"], StartRecordType=page["NextRecordType"])
            if "NextRecordIdentifier" in page:
                kwargs["StartRecordIdentifier"] = page["NextRecordIdentifier"]
        self.assertEqual(len(seen), len(set(seen)))
        self.assertEqual(sum(1 for s in seen if s[2]), 25)

    def test_create_of_existing_record_fails_the_batch(self):
        r53, zone = self.zone("dupe.example")
        record = {"Name": "www.dupe.example", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.1"}]}
        r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": record}]})
        other = dict(record, Name="other.dupe.example")
        with self.assertRaises(r53.exceptions.InvalidChangeBatch):
            r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
                {"Action": "CREATE", "ResourceRecordSet": other},
                {"Action": "CREATE", "ResourceRecordSet": record}]})
        names = [r["Name"] for r in r53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]]
        self.assertEqual(names.count("www.dupe.example."), 1)
        self.assertNotIn("other.dupe.example.", names, "the batch must fail as a whole")

    def test_delete_of_a_missing_record_fails_the_batch(self):
        r53, zone = self.zone("gone.example")
        record = {"Name": "www.gone.example", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.1"}]}
        kept = dict(record, Name="kept.gone.example")
        r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
            {"Action": "CREATE", "ResourceRecordSet": record},
            {"Action": "CREATE", "ResourceRecordSet": kept}]})
        r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": record}]})
        with self.assertRaises(r53.exceptions.InvalidChangeBatch) as refused:
            r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
                {"Action": "DELETE", "ResourceRecordSet": kept},
                {"Action": "DELETE", "ResourceRecordSet": record}]})
        self.assertIn("but it was not found", str(refused.exception))
        names = [r["Name"] for r in r53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]]
        self.assertIn("kept.gone.example.", names, "the batch must fail as a whole")

    def test_a_delete_must_match_the_record_exactly(self):
        r53, zone = self.zone("exact.example")
        record = {"Name": "www.exact.example", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.1"}]}
        r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": record}]})
        for wrong in [dict(record, TTL=300), dict(record, ResourceRecords=[{"Value": "192.0.2.2"}])]:
            with self.assertRaises(r53.exceptions.InvalidChangeBatch) as refused:
                r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": wrong}]})
            self.assertIn("do not match the current values", str(refused.exception))
        r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": record}]})

    def role(self, name, services=("lambda.amazonaws.com", "edgelambda.amazonaws.com")):
        import json
        trust = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": list(services)}}]})
        return self.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]

    def create_function(self, name, role, runtime="nodejs22.x", **extra):
        import io, zipfile
        code = io.BytesIO()
        with zipfile.ZipFile(code, "w") as z:
            z.writestr("index.js", "exports.handler = async () => 1;")
        return self.client("lambda").create_function(FunctionName=name, Runtime=runtime, Role=role,
                                                     Handler="index.handler", Code={"ZipFile": code.getvalue()},
                                                     **extra)

    def test_lambda_takes_no_new_function_on_a_blocked_runtime(self):
        awslambda = self.client("lambda")
        role = self.role("runtimes")
        self.advance(60)
        with self.assertRaises(awslambda.exceptions.InvalidParameterValueException) as refusal:
            self.create_function("old", role, runtime="nodejs20.x")
        self.assertIn("nodejs20.x is no longer supported", str(refusal.exception))
        self.create_function("new", role, runtime="nodejs22.x")
        self.advance(10)
        with self.assertRaises(awslambda.exceptions.InvalidParameterValueException):
            awslambda.update_function_configuration(FunctionName="new", Runtime="nodejs18.x")

    def test_a_new_role_reaches_lambda_seconds_later(self):
        awslambda = self.client("lambda")
        with self.frozen():
            role = self.role("fresh")
            create = lambda: self.create_function("fresh", role)
            with self.assertRaises(awslambda.exceptions.InvalidParameterValueException) as refused:
                create()
            self.assertIn("cannot be assumed by Lambda", str(refused.exception))
            self.assertIn("lambda:CreateFunction fresh: role fresh not propagated", self.control("GET", "/_wway/refusals"))
            self.advance(10)
            self.assertEqual(create()["FunctionName"], "fresh")

    def test_a_deleted_record_can_be_created_again(self):
        r53, zone = self.zone("again.example")
        record = {"Name": "a.again.example", "Type": "CNAME", "SetIdentifier": "w1", "Weight": 1, "TTL": 60,
                  "ResourceRecords": [{"Value": "b.again.example"}]}
        later = dict(record, Name="z.again.example")
        for action in ["CREATE", "DELETE", "CREATE"]:
            changes = [{"Action": action, "ResourceRecordSet": dict(record)}]
            if action == "DELETE":
                changes.append({"Action": "CREATE", "ResourceRecordSet": later})
            r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": changes})
        names = [r["Name"] for r in r53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]]
        self.assertIn("a.again.example.", names)

    def test_health_check_caller_references_are_honoured(self):
        r53 = self.client("route53")
        config = {"Type": "HTTPS", "FullyQualifiedDomainName": "hc.example", "Port": 443, "ResourcePath": "/"}
        first = r53.create_health_check(CallerReference="ref-1", HealthCheckConfig=config)["HealthCheck"]["Id"]
        again = r53.create_health_check(CallerReference="ref-1", HealthCheckConfig=config)["HealthCheck"]["Id"]
        self.assertEqual(first, again, "the same reference returns the same check")
        r53.delete_health_check(HealthCheckId=first)
        with self.assertRaises(r53.exceptions.ClientError) as refused:
            r53.create_health_check(CallerReference="ref-1", HealthCheckConfig=config)
        self.assertEqual(refused.exception.response["Error"]["Code"], "HealthCheckAlreadyExists")

    def health_routed(self, zone_name, sets):
        """A zone holding `sets` (name -> [(set id, value, routing, check fqdn)]), each
        record with a check of its own (interval 30, threshold 3); gives the client,
        the zone and the checks by fqdn."""
        r53, zone = self.zone(zone_name)
        checks, changes = {}, []
        # These tests are of health, not of CreateHealthCheck's pace.
        self.control("POST", "/_wway/set?check_create_every=0")
        self.addCleanup(self.control, "POST", "/_wway/set?check_create_every=2")
        for name, records in sets.items():
            for set_id, value, routing, fqdn in records:
                if fqdn not in checks:
                    config = {"Type": "HTTPS", "FullyQualifiedDomainName": fqdn, "Port": 443,
                              "ResourcePath": "/health", "RequestInterval": 30, "FailureThreshold": 3}
                    checks[fqdn] = r53.create_health_check(CallerReference=f"{zone_name}-{fqdn}",
                                                           HealthCheckConfig=config)["HealthCheck"]["Id"]
                record = dict({"Name": f"{name}.{zone_name}", "Type": "CNAME", "TTL": 60, "SetIdentifier": set_id,
                               "ResourceRecords": [{"Value": value}], "HealthCheckId": checks[fqdn]}, **routing)
                changes.append({"Action": "CREATE", "ResourceRecordSet": record})
        r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": changes})
        return r53, zone, checks

    def answer(self, r53, zone, name, client=None):
        """What Route 53 answers for the CNAME `name` (from `client`'s address)."""
        extra = {"EDNS0ClientSubnetIP": client, "EDNS0ClientSubnetMask": "24"} if client else {}
        answer = r53.test_dns_answer(HostedZoneId=zone, RecordName=name, RecordType="CNAME", **extra)
        return answer["RecordData"][0] if answer["RecordData"] else None

    def test_an_inverted_check_moves_failover_after_interval_times_threshold(self):
        r53, zone, checks = self.health_routed("drill.example", {"api": [
            ("p", "use1.drill.example", {"Failover": "PRIMARY"}, "use1.drill.example"),
            ("s", "euw1.drill.example", {"Failover": "SECONDARY"}, "euw1.drill.example")]})
        primary = checks["use1.drill.example"]
        with self.frozen():
            self.assertEqual(self.answer(r53, zone, "api.drill.example"), "use1.drill.example")
            r53.update_health_check(HealthCheckId=primary, Inverted=True)
            self.advance(89)
            self.assertEqual(self.answer(r53, zone, "api.drill.example"), "use1.drill.example",
                             "Route 53 changes its view after 3 checks of 30 s")
            self.advance(2)
            self.assertEqual(self.answer(r53, zone, "api.drill.example"), "euw1.drill.example")
            observed = r53.get_health_check_status(HealthCheckId=primary)["HealthCheckObservations"]
            self.assertEqual(len(observed), 8, "eight checkers")
            self.assertTrue(all(o["StatusReport"]["Status"].startswith("Success") for o in observed),
                            "the checkers report what the endpoint did, not inverted")
            r53.update_health_check(HealthCheckId=primary, Inverted=False)
            self.assertEqual(r53.get_health_check(HealthCheckId=primary)["HealthCheck"]["HealthCheckConfig"]["Inverted"], False)
            self.advance(91)
            self.assertEqual(self.answer(r53, zone, "api.drill.example"), "use1.drill.example")

    def test_an_endpoint_down_fails_its_check_and_both_down_answers_the_primary(self):
        r53, zone, checks = self.health_routed("down.example", {"api": [
            ("p", "use1.down.example", {"Failover": "PRIMARY"}, "use1.down.example"),
            ("s", "euw1.down.example", {"Failover": "SECONDARY"}, "euw1.down.example")]})
        with self.frozen():
            self.control("POST", "/_wway/endpoint?fqdn=use1.down.example&down=1")
            self.advance(31)
            observed = r53.get_health_check_status(HealthCheckId=checks["use1.down.example"])["HealthCheckObservations"]
            self.assertTrue(all(o["StatusReport"]["Status"].startswith("Failure") for o in observed))
            self.advance(60)
            self.assertEqual(self.answer(r53, zone, "api.down.example"), "euw1.down.example")
            self.control("POST", "/_wway/endpoint?fqdn=euw1.down.example&down=1")
            self.advance(91)
            self.assertEqual(self.answer(r53, zone, "api.down.example"), "use1.down.example",
                             "with both unhealthy Route 53 answers the primary")
        self.assertIsNone(self.answer(r53, zone, "nothing.down.example"))

    def test_geolocation_and_latency_answer_by_the_clients_location_and_health(self):
        # One check per region, as wway makes them (CreateHealthCheck is one every 2 s).
        vietnam, brazil, japan = "14.160.0.1", "200.147.0.1", "126.0.0.1"
        region = {r: f"{r}.geo.example" for r in ["us-east-1", "eu-west-1", "ap-southeast-1", "ap-northeast-1"]}
        r53, zone, checks = self.health_routed("geo.example", {
            "geo": [("vn", region["ap-southeast-1"], {"GeoLocation": {"CountryCode": "VN"}}, region["ap-southeast-1"]),
                    ("as", region["ap-northeast-1"], {"GeoLocation": {"ContinentCode": "AS"}}, region["ap-northeast-1"]),
                    ("default", region["us-east-1"], {"GeoLocation": {"CountryCode": "*"}}, region["us-east-1"])],
            "fast": [(r, region[r], {"Region": r}, region[r]) for r in ["us-east-1", "eu-west-1", "ap-southeast-1"]],
            "weighted": [("a", region["ap-southeast-1"], {"Weight": 1}, region["ap-southeast-1"]),
                         ("b", region["eu-west-1"], {"Weight": 1}, region["eu-west-1"])]})
        with self.frozen():
            self.assertEqual(self.answer(r53, zone, "geo.geo.example", vietnam), region["ap-southeast-1"])
            self.assertEqual(self.answer(r53, zone, "geo.geo.example", japan), region["ap-northeast-1"])
            self.assertEqual(self.answer(r53, zone, "geo.geo.example", brazil), region["us-east-1"])
            self.assertEqual(self.answer(r53, zone, "fast.geo.example", vietnam), region["ap-southeast-1"])
            self.assertEqual(self.answer(r53, zone, "fast.geo.example", brazil), region["us-east-1"])
            r53.update_health_check(HealthCheckId=checks[region["ap-southeast-1"]], Inverted=True)
            self.advance(91)
            self.assertEqual(self.answer(r53, zone, "geo.geo.example", vietnam), region["ap-northeast-1"],
                             "an unhealthy country record gives way to its continent's")
            self.assertEqual(self.answer(r53, zone, "fast.geo.example", vietnam), region["eu-west-1"],
                             "the nearest healthy region")
            self.assertEqual({self.answer(r53, zone, "weighted.geo.example") for _ in range(20)}, {region["eu-west-1"]})
            for r in ["ap-northeast-1", "us-east-1"]:
                r53.update_health_check(HealthCheckId=checks[region[r]], Inverted=True)
            self.advance(91)
            self.assertEqual(self.answer(r53, zone, "geo.geo.example", vietnam), region["ap-southeast-1"],
                             "none healthy: the most specific")

    def test_a_zone_caller_reference_is_used_once(self):
        r53 = self.client("route53")
        r53.create_hosted_zone(Name="once.example", CallerReference="zone-ref")
        with self.assertRaises(r53.exceptions.ClientError) as refused:
            r53.create_hosted_zone(Name="once.example", CallerReference="zone-ref")
        self.assertEqual(refused.exception.response["Error"]["Code"], "HostedZoneAlreadyExists")

    def test_cloudfront_keeps_lambda_function_associations(self):
        cf = self.client("cloudfront")
        role = self.role("edge-router")
        self.advance(60)
        created = self.create_function("edge-router", role, Publish=True)
        arn = f"{created['FunctionArn']}:{created['Version']}"
        self.advance(60)
        config = distribution_config("lfa", LambdaFunctionAssociations={"Quantity": 1, "Items": [
            {"LambdaFunctionARN": arn, "EventType": "origin-request", "IncludeBody": False}]})
        created = cf.create_distribution(DistributionConfig=config)["Distribution"]
        read = cf.get_distribution_config(Id=created["Id"])["DistributionConfig"]
        associations = read["DefaultCacheBehavior"]["LambdaFunctionAssociations"]
        self.assertEqual(associations["Quantity"], 1)
        self.assertEqual(associations["Items"][0]["LambdaFunctionARN"], arn)
        self.assertEqual(associations["Items"][0]["EventType"], "origin-request")

    def test_the_clock_stops_moves_and_runs_fast(self):
        with self.frozen():
            before = self.control("GET", "/_wway/clock")
            self.assertTrue(before["frozen"])
            time.sleep(0.05)
            self.assertEqual(self.control("GET", "/_wway/clock")["now"], before["now"])
            self.advance(90)
            self.assertEqual(self.control("GET", "/_wway/clock")["now"], before["now"] + 90)
        started = self.control("GET", "/_wway/clock")["now"]
        time.sleep(0.1)
        self.assertGreaterEqual(self.control("GET", "/_wway/clock")["now"] - started, 30, "600 times real time")

    def eks_cluster(self, name, version="1.34"):
        eks = self.client("eks")
        eks.create_cluster(name=name, version=version, roleArn="arn:aws:iam::123456789012:role/c",
                           resourcesVpcConfig={"subnetIds": ["subnet-1", "subnet-2"]})
        return eks

    def node_group(self, eks, cluster, name, subnets=("subnet-1",)):
        eks.create_nodegroup(clusterName=cluster, nodegroupName=name, subnets=list(subnets),
                             nodeRole="arn:aws:iam::123456789012:role/n")

    def test_an_eks_cluster_and_its_node_groups_take_their_time(self):
        with self.frozen():
            eks = self.eks_cluster("lifecycle")
            status = lambda: eks.describe_cluster(name="lifecycle")["cluster"]["status"]
            group = lambda: eks.describe_nodegroup(clusterName="lifecycle", nodegroupName="g")["nodegroup"]["status"]
            self.assertEqual(status(), "CREATING")
            with self.assertRaises(eks.exceptions.InvalidRequestException):
                self.node_group(eks, "lifecycle", "g")
            self.advance(599)
            self.assertEqual(status(), "CREATING")
            self.advance(1)
            self.assertEqual(status(), "ACTIVE")
            self.node_group(eks, "lifecycle", "g")
            self.assertEqual(group(), "CREATING")
            with self.assertRaises(eks.exceptions.ResourceInUseException):
                eks.delete_cluster(name="lifecycle")
            self.advance(300)
            self.assertEqual(group(), "ACTIVE")
            update = eks.update_nodegroup_config(clusterName="lifecycle", nodegroupName="g",
                                                 scalingConfig={"minSize": 1, "maxSize": 4, "desiredSize": 2})["update"]
            self.assertEqual((update["status"], group()), ("InProgress", "UPDATING"))
            with self.assertRaises(eks.exceptions.ResourceInUseException):
                eks.update_nodegroup_config(clusterName="lifecycle", nodegroupName="g",
                                            scalingConfig={"minSize": 1, "maxSize": 5, "desiredSize": 2})
            self.advance(120)
            described = eks.describe_update(name="lifecycle", nodegroupName="g", updateId=update["id"])["update"]
            self.assertEqual((described["status"], group()), ("Successful", "ACTIVE"))
            eks.delete_nodegroup(clusterName="lifecycle", nodegroupName="g")
            self.assertEqual(group(), "DELETING")
            with self.assertRaises(eks.exceptions.ResourceInUseException):
                eks.delete_cluster(name="lifecycle")
            self.advance(300)
            with self.assertRaises(eks.exceptions.ResourceNotFoundException):
                group()
            eks.delete_cluster(name="lifecycle")
            self.assertEqual(status(), "DELETING")
            with self.assertRaises(eks.exceptions.ResourceInUseException):
                self.eks_cluster("lifecycle")
            self.advance(300)
            with self.assertRaises(eks.exceptions.ResourceNotFoundException):
                status()

    def test_a_cluster_in_a_zone_eks_does_not_serve_is_refused(self):
        ec2 = self.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
        zones = {z["ZoneId"]: z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]}
        subnet = lambda zone_id, block: ec2.create_subnet(VpcId=vpc, CidrBlock=block,
                                                         AvailabilityZoneId=zone_id)["Subnet"]["SubnetId"]
        served, unserved = subnet("use1-az1", "10.40.1.0/24"), subnet("use1-az3", "10.40.2.0/24")
        eks = self.client("eks")
        with self.assertRaises(eks.exceptions.UnsupportedAvailabilityZoneException) as refused:
            eks.create_cluster(name="az3", roleArn="arn:aws:iam::123456789012:role/c",
                               resourcesVpcConfig={"subnetIds": [served, unserved]})
        message = refused.exception.response["Error"]["Message"]
        self.assertIn(zones["use1-az3"], message.split("choose from")[0])
        self.assertNotIn(zones["use1-az3"], message.split("choose from")[1])
        eks.create_cluster(name="az1", roleArn="arn:aws:iam::123456789012:role/c",
                           resourcesVpcConfig={"subnetIds": [served, subnet("use1-az2", "10.40.3.0/24")]})

    def test_a_clusters_network_interfaces_keep_its_subnet_until_they_go(self):
        ec2 = self.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.41.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.41.{i}.0/24", AvailabilityZoneId=f"use1-az{i}")
                   ["Subnet"]["SubnetId"] for i in (1, 2)]
        eks = self.client("eks")
        interfaces = lambda: ec2.describe_network_interfaces(
            Filters=[{"Name": "subnet-id", "Values": [subnets[0]]}])["NetworkInterfaces"]
        with self.frozen():
            eks.create_cluster(name="enis", roleArn="arn:aws:iam::123456789012:role/c",
                               resourcesVpcConfig={"subnetIds": subnets})
            [eni] = interfaces()
            self.assertEqual((eni["Description"], eni["Status"]), ("Amazon EKS enis", "in-use"))
            with self.assertRaises(ec2.exceptions.ClientError) as in_use:
                ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
            self.assertEqual(in_use.exception.response["Error"]["Code"], "InvalidNetworkInterface.InUse")
            self.advance(600)
            eks.delete_cluster(name="enis")
            self.advance(300)
            with self.assertRaises(eks.exceptions.ResourceNotFoundException):
                eks.describe_cluster(name="enis")
            [eni] = interfaces()
            self.assertEqual(eni["Status"], "available")
            with self.assertRaises(ec2.exceptions.ClientError) as violation:
                ec2.delete_subnet(SubnetId=subnets[0])
            self.assertEqual(violation.exception.response["Error"]["Code"], "DependencyViolation")
            ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
            ec2.delete_subnet(SubnetId=subnets[0])
            self.advance(599)
            with self.assertRaises(ec2.exceptions.ClientError):
                ec2.delete_subnet(SubnetId=subnets[1])
            self.advance(1)
            ec2.delete_subnet(SubnetId=subnets[1])  # AWS removed the interface itself

    def test_a_nat_gateway_takes_its_time_holds_its_address_and_needs_a_gateway(self):
        ec2 = self.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
        public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.42.0.0/24",
                                   AvailabilityZoneId="use1-az1")["Subnet"]["SubnetId"]
        nat = lambda id: ec2.describe_nat_gateways(NatGatewayIds=[id])["NatGateways"][0]
        code = lambda raised: raised.exception.response["Error"]["Code"]
        tags = [{"ResourceType": "natgateway", "Tags": [{"Key": "team", "Value": "net"}]}]
        with self.frozen():
            ip = ec2.allocate_address(Domain="vpc")["AllocationId"]
            lonely = ec2.create_nat_gateway(SubnetId=public, AllocationId=ip, ClientToken="t-1")
            lonely = lonely["NatGateway"]["NatGatewayId"]
            self.assertEqual(nat(lonely)["State"], "pending")
            again = ec2.create_nat_gateway(SubnetId=public, AllocationId=ip, ClientToken="t-1")
            self.assertEqual(again["NatGateway"]["NatGatewayId"], lonely, "a repeated token is the same gateway")
            self.advance(90)
            self.assertEqual((nat(lonely)["State"], nat(lonely)["FailureCode"]), ("failed", "Gateway.NotAttached"))
            igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
            ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
            made = ec2.create_nat_gateway(SubnetId=public, AllocationId=ip, ClientToken="t-2", TagSpecifications=tags)
            made = made["NatGateway"]["NatGatewayId"]
            self.advance(89)
            self.assertEqual(nat(made)["State"], "pending")
            self.advance(1)
            self.assertEqual(nat(made)["State"], "available")
            tagged = ec2.describe_nat_gateways(Filters=[{"Name": "tag:team", "Values": ["net"]}])["NatGateways"]
            self.assertEqual([g["NatGatewayId"] for g in tagged], [made])
            with self.assertRaises(ec2.exceptions.ClientError) as held:
                ec2.release_address(AllocationId=ip)
            self.assertEqual(code(held), "InvalidIPAddress.InUse")
            with self.assertRaises(ec2.exceptions.ClientError) as mapped:
                ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
            self.assertEqual(code(mapped), "DependencyViolation")
            ec2.delete_nat_gateway(NatGatewayId=made)
            self.assertEqual(nat(made)["State"], "deleting")
            with self.assertRaises(ec2.exceptions.ClientError):
                ec2.release_address(AllocationId=ip)
            self.advance(60)
            self.assertEqual(nat(made)["State"], "deleted")
            ec2.release_address(AllocationId=ip)
            ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
            ec2.delete_subnet(SubnetId=public)  # the gateway's interface went with it

    def test_nodes_join_only_from_subnets_with_a_way_out(self):
        ec2, eks = self.client("ec2"), self.client("eks")
        vpc = ec2.create_vpc(CidrBlock="10.43.0.0/16")["Vpc"]["VpcId"]
        subnet = lambda block, zone: ec2.create_subnet(VpcId=vpc, CidrBlock=block,
                                                       AvailabilityZoneId=zone)["Subnet"]["SubnetId"]
        public, private, other = (subnet("10.43.0.0/24", "use1-az1"), subnet("10.43.1.0/24", "use1-az1"),
                                  subnet("10.43.2.0/24", "use1-az2"))
        group = lambda name: eks.describe_nodegroup(clusterName="joins", nodegroupName=name)["nodegroup"]
        with self.frozen():
            eks.create_cluster(name="joins", roleArn="arn:aws:iam::123456789012:role/c",
                               resourcesVpcConfig={"subnetIds": [private, other]})
            self.advance(600)
            joined = lambda name: (self.node_group(eks, "joins", name, [private]), self.advance(300), group(name))[2]
            stranded = joined("no-dns")
            self.assertEqual(stranded["status"], "CREATE_FAILED")
            [issue] = stranded["health"]["issues"]
            self.assertEqual(issue["code"], "NodeCreationFailure")
            self.assertIn("DNS hostnames off", issue["message"])
            ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
            [issue] = joined("no-route")["health"]["issues"]
            self.assertIn(f"subnet {private} has no route to the internet", issue["message"])
            igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
            ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
            ip = ec2.allocate_address(Domain="vpc")["AllocationId"]
            nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=ip)["NatGateway"]["NatGatewayId"]
            table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
            ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
            ec2.associate_route_table(RouteTableId=table, SubnetId=private)
            self.assertEqual(joined("through-nat")["status"], "ACTIVE")

    def test_interface_endpoints_take_time_need_dns_hold_their_group_and_let_private_nodes_join(self):
        ec2, eks = self.client("ec2"), self.client("eks")
        code = lambda raised: raised.exception.response["Error"]["Code"]
        vpc = ec2.create_vpc(CidrBlock="10.44.0.0/16")["Vpc"]["VpcId"]
        subnet = lambda block, zone: ec2.create_subnet(VpcId=vpc, CidrBlock=block,
                                                       AvailabilityZoneId=zone)["Subnet"]["SubnetId"]
        private, other = subnet("10.44.1.0/24", "use1-az1"), subnet("10.44.2.0/24", "use1-az2")
        same_zone = subnet("10.44.3.0/24", "use1-az1")
        table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=table, SubnetId=private)
        group = ec2.create_security_group(GroupName="endpoints", Description="443", VpcId=vpc)["GroupId"]
        state = lambda id: ec2.describe_vpc_endpoints(VpcEndpointIds=[id])["VpcEndpoints"][0]["State"]

        def interface(service, subnets=(private, other), token=None):
            return ec2.create_vpc_endpoint(
                VpcId=vpc, ServiceName=f"com.amazonaws.us-east-1.{service}", VpcEndpointType="Interface",
                SubnetIds=list(subnets), SecurityGroupIds=[group], PrivateDnsEnabled=True,
                **({"ClientToken": token} if token else {}))["VpcEndpoint"]["VpcEndpointId"]

        node = lambda name: (self.node_group(eks, "inside", name, [private]), self.advance(300),
                             eks.describe_nodegroup(clusterName="inside", nodegroupName=name)["nodegroup"])[2]
        with self.frozen():
            eks.create_cluster(name="inside", roleArn="arn:aws:iam::123456789012:role/c",
                               resourcesVpcConfig={"subnetIds": [private, other], "endpointPrivateAccess": True})
            with self.assertRaises(ec2.exceptions.ClientError) as no_dns:
                interface("sts")
            self.assertEqual(code(no_dns), "InvalidParameter")
            ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
            with self.assertRaises(ec2.exceptions.ClientError) as one_zone:
                interface("sts", (private, same_zone))
            self.assertEqual(code(one_zone), "DuplicateSubnetsInSameZone")
            sts = interface("sts", token="e-1")
            self.assertEqual(interface("sts", token="e-1"), sts, "a repeated token is the same endpoint")
            self.assertEqual(state(sts), "pending")
            self.advance(600)
            [issue] = node("no-endpoints")["health"]["issues"]
            self.assertIn("no endpoint for ec2, ecr.api, ecr.dkr, s3 (gateway)", issue["message"])
            for service in ("ec2", "ecr.api", "ecr.dkr"):
                interface(service)
            s3 = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.s3",
                                         VpcEndpointType="Gateway", RouteTableIds=[table])["VpcEndpoint"]
            self.assertFalse(s3["PrivateDnsEnabled"], "a gateway has no private DNS")
            self.advance(60)
            self.assertEqual(state(sts), "available")
            self.assertEqual(node("through-endpoints")["status"], "ACTIVE")
            ec2.delete_vpc_endpoints(VpcEndpointIds=[sts])
            self.assertEqual(state(sts), "deleting")
            self.advance(29)
            with self.assertRaises(ec2.exceptions.ClientError) as used:
                ec2.delete_security_group(GroupId=group)
            self.assertEqual(code(used), "DependencyViolation")
            for endpoint in ec2.describe_vpc_endpoints(
                    Filters=[{"Name": "vpc-id", "Values": [vpc]}])["VpcEndpoints"]:
                ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint["VpcEndpointId"]])
            self.advance(30)
            ec2.delete_security_group(GroupId=group)

    def test_add_ons_come_from_the_catalog_at_the_clusters_default_and_follow_its_upgrades(self):
        eks = self.client("eks")
        code = lambda raised: raised.exception.response["Error"]["Code"]
        addon = lambda name: eks.describe_addon(clusterName="addons", addonName=name)["addon"]
        with self.frozen():
            eks.create_cluster(name="addons", roleArn="arn:aws:iam::123456789012:role/c", version="1.32",
                               resourcesVpcConfig={"subnetIds": ["subnet-1", "subnet-2"]})
            with self.assertRaises(eks.exceptions.InvalidRequestException):
                eks.create_addon(clusterName="addons", addonName="vpc-cni")
            self.advance(600)
            pages, token, names = 0, None, []
            while True:
                page = eks.describe_addon_versions(kubernetesVersion="1.33", maxResults=2,
                                                   **({"nextToken": token} if token else {}))
                pages += 1
                names += [a["addonName"] for a in page["addons"]]
                token = page.get("nextToken")
                if not token:
                    break
            self.assertEqual((pages, sorted(names)), (3, ["aws-ebs-csi-driver", "coredns", "eks-pod-identity-agent",
                                                          "kube-proxy", "vpc-cni"]))
            [cni] = eks.describe_addon_versions(addonName="vpc-cni", kubernetesVersion="1.32")["addons"]
            default = [v["addonVersion"] for v in cni["addonVersions"]
                       if any(c["defaultVersion"] for c in v["compatibilities"])]
            self.assertEqual(len(default), 1)
            with self.assertRaises(eks.exceptions.InvalidParameterException):
                eks.create_addon(clusterName="addons", addonName="no-such-addon")
            with self.assertRaises(eks.exceptions.InvalidParameterException):
                eks.create_addon(clusterName="addons", addonName="kube-proxy", addonVersion="v1.29.0-eksbuild.1")
            made = eks.create_addon(clusterName="addons", addonName="vpc-cni", tags={"team": "p"},
                                    clientRequestToken="a-1")["addon"]
            self.assertEqual((made["status"], made["addonVersion"]), ("CREATING", default[0]))
            again = eks.create_addon(clusterName="addons", addonName="vpc-cni", clientRequestToken="a-1")["addon"]
            self.assertEqual(again["addonArn"], made["addonArn"], "a repeated token")
            with self.assertRaises(eks.exceptions.ResourceInUseException):
                eks.create_addon(clusterName="addons", addonName="vpc-cni")
            eks.create_addon(clusterName="addons", addonName="coredns")
            self.control("POST", "/_wway/fail?kind=addon-conflict&name=addons/kube-proxy&code=C&message=M")
            eks.create_addon(clusterName="addons", addonName="kube-proxy", resolveConflicts="NONE")
            self.advance(90)
            self.assertEqual(addon("vpc-cni")["status"], "ACTIVE")
            self.assertEqual(eks.list_tags_for_resource(resourceArn=made["addonArn"])["tags"], {"team": "p"})
            degraded = addon("coredns")
            self.assertEqual((degraded["status"], degraded["health"]["issues"][0]["code"]),
                             ("DEGRADED", "InsufficientNumberOfReplicas"), "coredns needs nodes")
            conflicted = addon("kube-proxy")
            self.assertEqual((conflicted["status"], conflicted["health"]["issues"][0]["code"]),
                             ("CREATE_FAILED", "ConfigurationConflict"))
            self.assertEqual(eks.list_addons(clusterName="addons")["addons"], ["coredns", "kube-proxy", "vpc-cni"])
            self.node_group(eks, "addons", "workers")
            self.advance(300)
            self.assertEqual(addon("coredns")["status"], "ACTIVE", "coredns heals once nodes run")
            upgrade = eks.update_cluster_version(name="addons", version="1.33")["update"]
            self.advance(1500)
            self.assertEqual(eks.describe_update(name="addons", updateId=upgrade["id"])["update"]["status"],
                             "Successful")
            newer = eks.describe_addon_versions(addonName="vpc-cni", kubernetesVersion="1.33")["addons"][0]
            target = next(v["addonVersion"] for v in newer["addonVersions"]
                          if any(c["defaultVersion"] for c in v["compatibilities"]))
            self.assertNotEqual(target, default[0])
            update = eks.update_addon(clusterName="addons", addonName="vpc-cni", addonVersion=target)["update"]
            self.assertEqual(addon("vpc-cni")["status"], "UPDATING")
            with self.assertRaises(eks.exceptions.ResourceInUseException):
                eks.update_addon(clusterName="addons", addonName="vpc-cni", addonVersion=target)
            self.advance(90)
            followed = eks.describe_update(name="addons", updateId=update["id"], addonName="vpc-cni")["update"]
            self.assertEqual((followed["status"], addon("vpc-cni")["addonVersion"]), ("Successful", target))
            eks.delete_addon(clusterName="addons", addonName="vpc-cni")
            self.assertEqual(addon("vpc-cni")["status"], "DELETING")
            self.advance(60)
            with self.assertRaises(eks.exceptions.ResourceNotFoundException):
                addon("vpc-cni")

    def test_secrets_encryption_takes_an_enabled_key_of_the_region_and_is_turned_on_once(self):
        eks, kms = self.client("eks"), self.client("kms")
        key = kms.create_key(Description="secrets", Tags=[{"TagKey": "wway:id", "TagValue": "k"}])["KeyMetadata"]
        gone = kms.create_key()["KeyMetadata"]
        kms.schedule_key_deletion(KeyId=gone["KeyId"], PendingWindowInDays=7)
        config = lambda arn: [{"resources": ["secrets"], "provider": {"keyArn": arn}}]
        vpc = {"subnetIds": ["subnet-1", "subnet-2"]}
        role = "arn:aws:iam::123456789012:role/c"
        with self.frozen():
            for arn in (gone["Arn"], key["Arn"].replace("us-east-1", "eu-west-1"), key["Arn"] + "0"):
                with self.assertRaises(eks.exceptions.InvalidParameterException):
                    eks.create_cluster(name="sealed", roleArn=role, resourcesVpcConfig=vpc,
                                       encryptionConfig=config(arn))
            eks.create_cluster(name="sealed", roleArn=role, resourcesVpcConfig=vpc, encryptionConfig=config(key["Arn"]))
            eks.create_cluster(name="open", roleArn=role, resourcesVpcConfig=vpc)
            self.advance(600)
            described = eks.describe_cluster(name="sealed")["cluster"]["encryptionConfig"]
            self.assertEqual(described[0]["provider"]["keyArn"], key["Arn"])
            with self.assertRaises(eks.exceptions.InvalidRequestException):
                eks.associate_encryption_config(clusterName="sealed", encryptionConfig=config(key["Arn"]))
            update = eks.associate_encryption_config(clusterName="open", encryptionConfig=config(key["Arn"]))["update"]
            self.assertEqual(eks.describe_cluster(name="open")["cluster"]["status"], "UPDATING")
            self.assertNotIn("encryptionConfig", {k: v for k, v in eks.describe_cluster(name="open")["cluster"].items() if v})
            self.advance(600)
            self.assertEqual(eks.describe_update(name="open", updateId=update["id"])["update"]["status"], "Successful")
            self.assertEqual(eks.describe_cluster(name="open")["cluster"]["encryptionConfig"], config(key["Arn"]))
            kms.schedule_key_deletion(KeyId=key["Arn"], PendingWindowInDays=7)
            with self.assertRaises(kms.exceptions.KMSInvalidStateException):
                kms.schedule_key_deletion(KeyId=key["Arn"], PendingWindowInDays=7)
            tagging = self.client("resourcegroupstaggingapi")
            found = lambda: [r["ResourceARN"] for r in tagging.get_resources(ResourceTypeFilters=["kms:key"])["ResourceTagMappingList"]]
            fresh = kms.create_key(Tags=[{"TagKey": "wway:id", "TagValue": "fresh"}])["KeyMetadata"]["Arn"]
            self.assertNotIn(fresh, found(), "the tagging API lags")
            self.advance(120)
            self.assertIn(fresh, found())

    def test_service_quotas_answers_ec2s_quotas_and_a_test_sets_them(self):
        quotas = self.client("service-quotas")
        value = lambda service, code: quotas.get_service_quota(ServiceCode=service, QuotaCode=code)["Quota"]["Value"]
        self.assertEqual(value("ec2", "L-1216C47A"), 1152.0)
        self.assertEqual(value("ec2", "L-0263D0A3"), 5.0)
        self.assertEqual(value("vpc", "L-FE5A380F"), 5.0)
        self.control("POST", "/_wway/set?quota_L-1216C47A=64")
        self.control("POST", "/_wway/set?quota_L-FE5A380F=1")
        try:
            self.assertEqual((value("ec2", "L-1216C47A"), value("vpc", "L-FE5A380F")), (64.0, 1.0))
        finally:
            self.control("POST", "/_wway/set?quota_L-1216C47A=1152")
            self.control("POST", "/_wway/set?quota_L-FE5A380F=5")
        with self.assertRaises(quotas.exceptions.NoSuchResourceException):
            quotas.get_service_quota(ServiceCode="ec2", QuotaCode="L-00000000")

    def test_a_clusters_access_entries_and_authentication_mode_are_kept_as_eks_keeps_them(self):
        eks = self.client("eks")
        admin = "arn:aws:iam::123456789012:role/platform-admins"
        policy = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
        code = lambda raised: raised.exception.response["Error"]["Code"]
        with self.frozen():
            eks.create_cluster(name="old-style", roleArn="arn:aws:iam::123456789012:role/c",
                               resourcesVpcConfig={"subnetIds": ["subnet-1", "subnet-2"]})
            eks.create_cluster(name="access", roleArn="arn:aws:iam::123456789012:role/c",
                               resourcesVpcConfig={"subnetIds": ["subnet-1", "subnet-2"]},
                               accessConfig={"authenticationMode": "API_AND_CONFIG_MAP",
                                             "bootstrapClusterCreatorAdminPermissions": False})
            self.advance(600)
            config = lambda name: eks.describe_cluster(name=name)["cluster"]["accessConfig"]
            self.assertEqual(config("old-style"), {"authenticationMode": "CONFIG_MAP",
                                                   "bootstrapClusterCreatorAdminPermissions": True})
            with self.assertRaises(eks.exceptions.InvalidRequestException):
                eks.create_access_entry(clusterName="old-style", principalArn=admin)
            self.assertEqual(eks.list_access_entries(clusterName="access")["accessEntries"], [],
                             "the creator is not an admin unless asked")
            with self.assertRaises(eks.exceptions.InvalidParameterException) as invalid:
                eks.create_access_entry(clusterName="access", principalArn=admin)
            self.assertIn("invalid principal", str(invalid.exception))
            self.client("iam").create_role(RoleName="platform-admins", AssumeRolePolicyDocument="{}")
            made = eks.create_access_entry(clusterName="access", principalArn=admin, tags={"team": "p"},
                                           clientRequestToken="t-1")["accessEntry"]
            again = eks.create_access_entry(clusterName="access", principalArn=admin,
                                            clientRequestToken="t-1")["accessEntry"]
            self.assertEqual(again["accessEntryArn"], made["accessEntryArn"], "a repeated token")
            with self.assertRaises(eks.exceptions.ResourceInUseException):
                eks.create_access_entry(clusterName="access", principalArn=admin)
            eks.associate_access_policy(clusterName="access", principalArn=admin, policyArn=policy,
                                        accessScope={"type": "cluster"})
            with self.assertRaises(eks.exceptions.ResourceNotFoundException):
                eks.associate_access_policy(clusterName="access", principalArn=admin, accessScope={"type": "cluster"},
                                            policyArn="arn:aws:eks::aws:cluster-access-policy/Root")
            described = eks.describe_access_entry(clusterName="access", principalArn=admin)["accessEntry"]
            self.assertEqual(described["tags"], {"team": "p"})
            associated = eks.list_associated_access_policies(clusterName="access", principalArn=admin)
            self.assertEqual([p["policyArn"] for p in associated["associatedAccessPolicies"]], [policy])
            eks.disassociate_access_policy(clusterName="access", principalArn=admin, policyArn=policy)
            associated = eks.list_associated_access_policies(clusterName="access", principalArn=admin)
            self.assertEqual(associated["associatedAccessPolicies"], [])
            eks.delete_access_entry(clusterName="access", principalArn=admin)
            with self.assertRaises(eks.exceptions.ResourceNotFoundException):
                eks.describe_access_entry(clusterName="access", principalArn=admin)
            update = eks.update_cluster_config(name="old-style",
                                               accessConfig={"authenticationMode": "API_AND_CONFIG_MAP"})["update"]
            self.advance(600)
            done = eks.describe_update(name="old-style", updateId=update["id"])["update"]["status"]
            self.assertEqual((done, config("old-style")["authenticationMode"]), ("Successful", "API_AND_CONFIG_MAP"))
            creator = eks.list_access_entries(clusterName="old-style")["accessEntries"]
            self.assertEqual(creator, ["arn:aws:iam::123456789012:user/moto"], "the bootstrapped creator")
            with self.assertRaises(eks.exceptions.InvalidParameterException) as backwards:
                eks.update_cluster_config(name="old-style", accessConfig={"authenticationMode": "CONFIG_MAP"})
            self.assertIn("Unsupported authentication mode update", str(backwards.exception))

    def test_a_node_group_keeps_its_update_config_and_follows_its_clusters_version(self):
        with self.frozen():
            eks = self.eks_cluster("follows", version="1.33")
            self.advance(600)
            group = lambda name: eks.describe_nodegroup(clusterName="follows", nodegroupName=name)["nodegroup"]
            self.node_group(eks, "follows", "plain")
            eks.create_nodegroup(clusterName="follows", nodegroupName="careful", subnets=["subnet-1"],
                                 nodeRole="arn:aws:iam::123456789012:role/n", version="1.33",
                                 updateConfig={"maxUnavailablePercentage": 33})
            with self.assertRaises(eks.exceptions.InvalidParameterException):
                eks.create_nodegroup(clusterName="follows", nodegroupName="ahead", subnets=["subnet-1"],
                                     nodeRole="arn:aws:iam::123456789012:role/n", version="1.34")
            self.advance(300)
            self.assertEqual((group("plain")["version"], group("plain")["updateConfig"]), ("1.33", {"maxUnavailable": 1}))
            self.assertEqual(group("careful")["updateConfig"], {"maxUnavailablePercentage": 33})
            upgrade = eks.update_cluster_version(name="follows", version="1.34")["update"]
            self.advance(1500)
            self.assertEqual(eks.describe_update(name="follows", updateId=upgrade["id"])["update"]["status"], "Successful")
            update = eks.update_nodegroup_version(clusterName="follows", nodegroupName="plain")["update"]
            self.assertEqual(group("plain")["status"], "UPDATING")
            self.advance(900)
            done = eks.describe_update(name="follows", nodegroupName="plain", updateId=update["id"])["update"]
            self.assertEqual((done["status"], group("plain")["version"]), ("Successful", "1.34"))
            with self.assertRaises(eks.exceptions.InvalidParameterException):
                eks.update_nodegroup_version(clusterName="follows", nodegroupName="careful", version="1.35")
            with self.assertRaises(eks.exceptions.InvalidRequestException) as behind:
                eks.update_cluster_version(name="follows", version="1.35")
            self.assertIn("Nodegroups careful must be updated to match cluster version 1.34",
                          behind.exception.response["Error"]["Message"])
            eks.update_nodegroup_version(clusterName="follows", nodegroupName="careful")
            self.advance(900)
            eks.update_cluster_version(name="follows", version="1.35")

    def test_a_cluster_version_moves_one_minor_up_through_an_update(self):
        with self.frozen():
            eks = self.eks_cluster("upgrade", version="1.33")
            self.advance(600)
            for version in ["1.35", "1.32"]:
                with self.assertRaises(eks.exceptions.InvalidParameterException):
                    eks.update_cluster_version(name="upgrade", version=version)
            update = eks.update_cluster_version(name="upgrade", version="1.34")["update"]
            cluster = lambda: eks.describe_cluster(name="upgrade")["cluster"]
            described = lambda: eks.describe_update(name="upgrade", updateId=update["id"])["update"]
            self.assertEqual((update["status"], update["type"]), ("InProgress", "VersionUpdate"))
            self.assertEqual((cluster()["status"], cluster()["version"]), ("UPDATING", "1.33"))
            with self.assertRaises(eks.exceptions.ResourceInUseException):
                eks.update_cluster_version(name="upgrade", version="1.34")
            self.advance(1500)
            self.assertEqual(described()["status"], "Successful")
            self.assertEqual((cluster()["status"], cluster()["version"]), ("ACTIVE", "1.34"))

            self.control("POST", "/_wway/fail?kind=upgrade&name=upgrade&code=ClusterUnreachable&message=no+route")
            update = eks.update_cluster_version(name="upgrade", version="1.35")["update"]
            self.advance(1500)
            self.assertEqual(described()["status"], "Failed")
            self.assertEqual(described()["errors"][0]["errorCode"], "ClusterUnreachable")
            self.assertEqual((cluster()["status"], cluster()["version"]), ("ACTIVE", "1.34"), "the old version stays")

    def test_a_cluster_config_changes_through_an_update(self):
        with self.frozen():
            eks = self.eks_cluster("logging")
            self.advance(600)
            on = lambda: sorted(t for s in eks.describe_cluster(name="logging")["cluster"]["logging"]["clusterLogging"]
                                if s["enabled"] for t in s["types"])
            self.assertEqual(on(), [], "no log type is sent unless asked")
            change = {"clusterLogging": [{"types": ["api", "audit"], "enabled": True}]}
            update = eks.update_cluster_config(name="logging", logging=change)["update"]
            self.assertEqual((update["status"], update["type"]), ("InProgress", "LoggingUpdate"))
            self.assertEqual(eks.describe_cluster(name="logging")["cluster"]["status"], "UPDATING")
            self.assertEqual(on(), [], "the change waits for the update")
            with self.assertRaises(eks.exceptions.ResourceInUseException):
                eks.update_cluster_config(name="logging", logging=change)
            self.advance(90)
            described = eks.describe_update(name="logging", updateId=update["id"])["update"]
            self.assertEqual(described["status"], "Successful")
            self.assertEqual(on(), ["api", "audit"])
            off = {"clusterLogging": [{"types": ["api"], "enabled": False}]}
            eks.update_cluster_config(name="logging", logging=off)
            self.advance(90)
            self.assertEqual(on(), ["audit"], "a type the change does not name stays as it was")

    def test_a_clusters_upgrade_policy_is_kept_and_changes_through_an_update(self):
        with self.frozen():
            eks = self.client("eks")
            eks.create_cluster(name="standard", version="1.34", roleArn="arn:aws:iam::123456789012:role/c",
                               resourcesVpcConfig={"subnetIds": ["subnet-1", "subnet-2"]},
                               upgradePolicy={"supportType": "STANDARD"})
            self.eks_cluster("unsaid")
            self.advance(600)
            support = lambda name: eks.describe_cluster(name=name)["cluster"]["upgradePolicy"]["supportType"]
            self.assertEqual((support("standard"), support("unsaid")), ("STANDARD", "EXTENDED"))
            update = eks.update_cluster_config(name="unsaid", upgradePolicy={"supportType": "STANDARD"})["update"]
            self.assertEqual(update["type"], "UpgradePolicyUpdate")
            self.assertEqual(support("unsaid"), "EXTENDED", "until the update is done")
            self.advance(90)
            self.assertEqual(support("unsaid"), "STANDARD")

    def test_a_clusters_endpoint_access_has_awss_defaults_and_changes_through_an_update(self):
        with self.frozen():
            eks = self.eks_cluster("endpoint")
            self.advance(600)
            config = lambda: eks.describe_cluster(name="endpoint")["cluster"]["resourcesVpcConfig"]
            access = lambda: (config()["endpointPublicAccess"], config()["endpointPrivateAccess"],
                              config()["publicAccessCidrs"])
            self.assertEqual(access(), (True, False, ["0.0.0.0/0"]))
            eks.update_cluster_config(name="endpoint", resourcesVpcConfig={
                "endpointPrivateAccess": True, "publicAccessCidrs": ["203.0.113.0/24"]})
            self.advance(90)
            self.assertEqual(access(), (True, True, ["203.0.113.0/24"]))
            self.assertEqual(config()["subnetIds"], ["subnet-1", "subnet-2"], "the subnets stay")

    def test_eks_offers_the_versions_whose_support_has_not_ended(self):
        eks = self.client("eks")
        listed = eks.describe_cluster_versions()["clusterVersions"]
        self.assertEqual([v["clusterVersion"] for v in listed], ["1.32", "1.33", "1.34", "1.35"])
        self.assertEqual([v["clusterVersion"] for v in listed if v["defaultVersion"]], ["1.35"])
        self.assertEqual(listed[0]["versionStatus"], "EXTENDED_SUPPORT")
        with self.assertRaises(eks.exceptions.InvalidParameterException) as refusal:
            self.eks_cluster("too-old", version="1.31")
        self.assertIn("supported versions: 1.32, 1.33, 1.34, 1.35", str(refusal.exception))

    def test_a_failed_node_group_says_why(self):
        with self.frozen():
            eks = self.eks_cluster("failing")
            self.advance(600)
            self.control("POST", "/_wway/fail?kind=nodegroup&name=bad&code=NodeCreationFailure"
                                 "&message=Instances+failed+to+join+the+kubernetes+cluster")
            self.node_group(eks, "failing", "bad")
            self.advance(300)
            group = eks.describe_nodegroup(clusterName="failing", nodegroupName="bad")["nodegroup"]
            self.assertEqual(group["status"], "CREATE_FAILED")
            self.assertEqual(group["health"]["issues"][0]["code"], "NodeCreationFailure")
            self.assertIn("failed to join", group["health"]["issues"][0]["message"])

    def test_a_running_node_group_can_be_degraded(self):
        with self.frozen():
            eks = self.eks_cluster("degrading")
            self.advance(600)
            self.node_group(eks, "degrading", "spot")
            self.advance(300)
            self.control("POST", "/_wway/fail?kind=degrade&name=spot&code=AsgInstanceLaunchFailures"
                                 "&message=Could+not+launch+Spot+Instances")
            group = eks.describe_nodegroup(clusterName="degrading", nodegroupName="spot")["nodegroup"]
            self.assertEqual(group["status"], "DEGRADED")
            self.assertEqual(group["health"]["issues"][0]["code"], "AsgInstanceLaunchFailures")

    def test_a_distribution_deploys_and_its_etag_guards_each_write(self):
        cf = self.client("cloudfront")
        config = distribution_config("etag")
        with self.frozen():
            created = cf.create_distribution(DistributionConfig=config)
            ident, first = created["Distribution"]["Id"], created["ETag"]
            status = lambda: cf.get_distribution(Id=ident)["Distribution"]["Status"]
            self.assertEqual(status(), "InProgress")
            self.advance(300)
            self.assertEqual(status(), "Deployed")
            disabled = dict(config, Enabled=False)
            second = cf.update_distribution(Id=ident, IfMatch=first, DistributionConfig=disabled)["ETag"]
            self.assertNotEqual(first, second, "a write gives a new ETag")
            self.assertEqual(status(), "InProgress")
            with self.assertRaises(cf.exceptions.ClientError) as stale:
                cf.update_distribution(Id=ident, IfMatch=first, DistributionConfig=disabled)
            self.assertEqual(stale.exception.response["Error"]["Code"], "PreconditionFailed")
            self.assertEqual(stale.exception.response["ResponseMetadata"]["HTTPStatusCode"], 412)
            with self.assertRaises(cf.exceptions.ClientError) as busy:
                cf.delete_distribution(Id=ident, IfMatch=second)
            self.assertEqual(busy.exception.response["Error"]["Code"], "DistributionNotDisabled")
            self.advance(300)
            self.assertEqual(cf.get_distribution_config(Id=ident)["ETag"], second)
            cf.delete_distribution(Id=ident, IfMatch=second)
            with self.assertRaises(cf.exceptions.ClientError):
                cf.get_distribution(Id=ident)

    def test_a_repeated_create_gets_the_distribution_the_first_made(self):
        cf = self.client("cloudfront")
        config = distribution_config("repeated")
        first = cf.create_distribution(DistributionConfig=config)["Distribution"]["Id"]
        again = cf.create_distribution(DistributionConfig=config)["Distribution"]["Id"]
        self.assertEqual(again, first)
        with self.assertRaises(cf.exceptions.DistributionAlreadyExists):
            cf.create_distribution(DistributionConfig=dict(config, Comment="another"))
        listed = cf.list_distributions()["DistributionList"]["Items"]
        self.assertEqual([d["Id"] for d in listed if d["Id"] == first], [first])

    def test_an_enabled_distribution_is_not_deleted(self):
        cf = self.client("cloudfront")
        config = distribution_config("enabled")
        with self.frozen():
            created = cf.create_distribution(DistributionConfig=config)
            self.advance(300)
            with self.assertRaises(cf.exceptions.ClientError) as enabled:
                cf.delete_distribution(Id=created["Distribution"]["Id"], IfMatch=created["ETag"])
            self.assertEqual(enabled.exception.response["Error"]["Code"], "DistributionNotDisabled")

    def test_a_route53_change_is_pending_then_insync(self):
        with self.frozen():
            r53, zone = self.zone("pending.example")
            record = {"Name": "www.pending.example", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.1"}]}
            changes = lambda action: {"Changes": [{"Action": action, "ResourceRecordSet": record}]}
            first = r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch=changes("CREATE"))["ChangeInfo"]
            second = r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch=changes("DELETE"))["ChangeInfo"]
            self.assertNotEqual(first["Id"], second["Id"], "each change has its own id")
            self.assertEqual(first["Status"], "PENDING")
            self.assertEqual(r53.get_change(Id=first["Id"])["ChangeInfo"]["Status"], "PENDING")
            self.advance(60)
            self.assertEqual(r53.get_change(Id=first["Id"])["ChangeInfo"]["Status"], "INSYNC")
            with self.assertRaises(r53.exceptions.NoSuchChange):
                r53.get_change(Id="/change/CNEVERGIVEN")

    def test_a_function_and_its_versions_are_pending_then_active(self):
        awslambda, cf = self.client("lambda"), self.client("cloudfront")
        role = self.role("pending")
        self.advance(60)
        with self.frozen():
            created = self.create_function("pending", role, Publish=True)
            version = f"{created['FunctionArn']}:{created['Version']}"
            state = lambda q=None: awslambda.get_function_configuration(
                FunctionName="pending", **({"Qualifier": q} if q else {}))["State"]
            self.assertEqual((created["State"], state(), state(created["Version"])), ("Pending", "Pending", "Pending"))
            with self.assertRaises(awslambda.exceptions.ResourceConflictException):
                awslambda.update_function_configuration(FunctionName="pending", MemorySize=256)
            edge = lambda arn: {"LambdaFunctionAssociations": {"Quantity": 1, "Items": [
                {"LambdaFunctionARN": arn, "EventType": "origin-request", "IncludeBody": False}]}}
            with self.assertRaises(cf.exceptions.ClientError) as pending:
                cf.create_distribution(DistributionConfig=distribution_config("edge-pending", **edge(version)))
            self.assertEqual(pending.exception.response["Error"]["Code"], "InvalidLambdaFunctionAssociation")
            self.advance(5)
            self.assertEqual((state(), state(created["Version"])), ("Active", "Active"))
            awslambda.update_function_configuration(FunctionName="pending", MemorySize=256)
            self.assertEqual(awslambda.get_function_configuration(FunctionName="pending")["LastUpdateStatus"], "InProgress")
            with self.assertRaises(awslambda.exceptions.ResourceConflictException):
                awslambda.publish_version(FunctionName="pending")
            self.advance(5)
            second = awslambda.publish_version(FunctionName="pending")
            self.assertEqual(state(second["Version"]), "Pending")
            with self.assertRaises(cf.exceptions.ClientError) as unnumbered:
                cf.create_distribution(DistributionConfig=distribution_config("edge-latest", **edge(created["FunctionArn"])))
            self.assertIn("specific function version", str(unnumbered.exception))
            cf.create_distribution(DistributionConfig=distribution_config("edge-active", **edge(version)))

            role = self.role("regional", ["lambda.amazonaws.com"])
            self.advance(60)
            regional = self.create_function("regional", role, Publish=True)
            self.advance(60)
            with self.assertRaises(cf.exceptions.ClientError) as untrusted:
                arn = f"{regional['FunctionArn']}:{regional['Version']}"
                cf.create_distribution(DistributionConfig=distribution_config("edge-untrusted", **edge(arn)))
            self.assertIn("edgelambda.amazonaws.com", str(untrusted.exception))

    def test_a_functions_code_downloads_from_its_location(self):
        import base64, hashlib, io, urllib.request, zipfile
        awslambda = self.client("lambda")
        role = self.role("downloads")
        self.advance(60)
        first = self.create_function("downloads", role, Publish=True)
        self.advance(10)
        code = io.BytesIO()
        with zipfile.ZipFile(code, "w") as z:
            z.writestr("index.js", "exports.handler = async () => 2;")
        awslambda.update_function_code(FunctionName="downloads", ZipFile=code.getvalue())
        self.advance(10)
        second = awslambda.publish_version(FunctionName="downloads")
        self.assertNotEqual(first["CodeSha256"], second["CodeSha256"])
        for version, sha in [(first["Version"], first["CodeSha256"]), (second["Version"], second["CodeSha256"]),
                             (None, second["CodeSha256"])]:
            asked = awslambda.get_function(FunctionName="downloads", **({"Qualifier": version} if version else {}))
            self.assertTrue(asked["Code"]["Location"].startswith(self.url + "/"), asked["Code"])
            with urllib.request.urlopen(asked["Code"]["Location"]) as answer:
                package = answer.read()
            self.assertEqual(base64.b64encode(hashlib.sha256(package).digest()).decode(), sha)

    def test_an_edge_function_is_deleted_only_hours_after_cloudfront_let_go(self):
        awslambda, cf = self.client("lambda"), self.client("cloudfront")
        role = self.role("replicas")
        self.advance(60)
        with self.frozen():
            created = self.create_function("replicated", role, Publish=True)
            self.advance(5)
            edge = {"LambdaFunctionAssociations": {"Quantity": 1, "Items": [
                {"LambdaFunctionARN": f"{created['FunctionArn']}:{created['Version']}",
                 "EventType": "origin-request", "IncludeBody": False}]}}
            made = cf.create_distribution(DistributionConfig=distribution_config("replicas", **edge))
            replicated = lambda: self.assertRaisesRegex(awslambda.exceptions.InvalidParameterValueException,
                                                        "replicated function")
            with replicated():
                awslambda.delete_function(FunctionName="replicated")
            config = distribution_config("replicas")
            cf.update_distribution(Id=made["Distribution"]["Id"], IfMatch=made["ETag"], DistributionConfig=config)
            self.advance(2 * 3600)
            with replicated():
                awslambda.delete_function(FunctionName="replicated")
            self.advance(3600)
            awslambda.delete_function(FunctionName="replicated")

    def test_a_zone_is_found_seconds_after_it_was_made(self):
        r53 = self.client("route53")
        with self.frozen():
            zone = r53.create_hosted_zone(Name="lag.example", CallerReference="lag")["HostedZone"]["Id"]
            with self.assertRaises(r53.exceptions.NoSuchHostedZone):
                r53.list_resource_record_sets(HostedZoneId=zone)
            self.advance(5)
            r53.list_resource_record_sets(HostedZoneId=zone)

    def test_a_zone_takes_at_most_ten_tags(self):
        r53, zone = self.zone("tags.example")
        zone_id = zone.rsplit("/", 1)[-1]
        tags = lambda n, start=0: [{"Key": f"k{i}", "Value": "v"} for i in range(start, start + n)]
        r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id, AddTags=tags(10))
        with self.assertRaises(r53.exceptions.InvalidInput):
            r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id, AddTags=tags(1, 10))
        r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id, AddTags=tags(1, 10),
                                     RemoveTagKeys=["k0"])

    def test_route53_answers_at_most_its_account_rate(self):
        from botocore.exceptions import ClientError
        r53 = self.client("route53", attempts=1)
        time.sleep(1.1)  # the second before belongs to other tests
        from concurrent.futures import ThreadPoolExecutor

        def asked(_):
            try:
                r53.list_hosted_zones()
                return None
            except ClientError as error:
                return error.response["Error"]["Code"]

        with ThreadPoolExecutor(15) as pool:
            answers = list(pool.map(asked, range(15)))
        self.assertIn("Throttling", answers, "at most 10 of 15 at once")
        self.assertEqual(set(answers), {None, "Throttling"})
        time.sleep(1.1)
        r53.create_health_check(CallerReference="rate-1", HealthCheckConfig={
            "Type": "HTTPS", "FullyQualifiedDomainName": "a.example", "Port": 443, "ResourcePath": "/"})
        with self.assertRaises(ClientError):
            r53.create_health_check(CallerReference="rate-2", HealthCheckConfig={
                "Type": "HTTPS", "FullyQualifiedDomainName": "b.example", "Port": 443, "ResourcePath": "/"})

    def test_the_tagging_api_finds_a_new_function_a_while_after_it_was_made(self):
        awslambda, tagging = self.client("lambda"), self.client("resourcegroupstaggingapi")
        role = self.role("lagging")
        self.advance(60)
        with self.frozen():
            self.create_function("lagging", role, Tags={"team": "lag"})
            found = lambda: tagging.get_resources(TagFilters=[{"Key": "team", "Values": ["lag"]}])[
                "ResourceTagMappingList"]
            self.assertEqual(found(), [], "not yet")
            self.assertEqual(awslambda.get_function(FunctionName="lagging")["Tags"], {"team": "lag"})
            self.advance(120)
            self.assertEqual(len(found()), 1)

    def test_a_function_or_its_update_can_fail(self):
        awslambda = self.client("lambda")
        role = self.role("failing-fn")
        self.advance(60)
        with self.frozen():
            self.control("POST", "/_wway/fail?kind=function&name=broken&code=EniLimitExceeded&message=no+ENIs")
            self.create_function("broken", role)
            self.control("POST", "/_wway/fail?kind=function-update&name=updated&code=KMSAccessDenied"
                                 "&message=no+key")
            self.create_function("updated", role)
            self.advance(10)
            config = awslambda.get_function_configuration(FunctionName="broken")
            self.assertEqual((config["State"], config["StateReasonCode"]), ("Failed", "EniLimitExceeded"))
            awslambda.update_function_configuration(FunctionName="updated", Timeout=9)
            self.advance(10)
            config = awslambda.get_function_configuration(FunctionName="updated")
            self.assertEqual((config["State"], config["LastUpdateStatus"]), ("Active", "Failed"))
            self.assertEqual(config["LastUpdateStatusReason"], "no key")

    def test_a_zone_takes_one_change_batch_at_a_time(self):
        from botocore.exceptions import ClientError
        r53, zone = self.zone("prior.example")
        # Once the account's Route 53 rate (rates.py) has room again, only
        # the prior request can refuse the one-attempt client's changes.
        time.sleep(1)
        r53 = self.client("route53", attempts=1)
        record = lambda name: {"Changes": [{"Action": "CREATE", "ResourceRecordSet": {
            "Name": f"{name}.prior.example", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.1"}]}}]}
        r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch=record("a"))
        self.control("POST", "/_wway/set?prior_request=3")
        try:
            with self.assertRaises(ClientError) as refusal:
                r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch=record("b"))
            self.assertEqual(refusal.exception.response["Error"]["Code"], "PriorRequestNotComplete")
        finally:
            self.control("POST", "/_wway/set?prior_request=0.5")
        time.sleep(0.6)
        r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch=record("b"))


if __name__ == "__main__":
    unittest.main()
