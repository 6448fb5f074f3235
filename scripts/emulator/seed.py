"""Create, in the emulator, the IAM roles a topology names, each trusting the
services that assume it in a real account (Lambda refuses a role that does
not exist, and CloudFront a Lambda@Edge function whose role does not trust
edgelambda.amazonaws.com).

    python seed.py --endpoint URL ROLE_ARN=SERVICE[,SERVICE]...

e.g. arn:aws:iam::123456789012:role/edge=lambda.amazonaws.com,edgelambda.amazonaws.com
A role named twice trusts the services of both.
"""

import argparse
import json

import boto3


def trust(services):
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": sorted(services)}, "Action": "sts:AssumeRole"}],
    }


def role_name(arn: str) -> str:
    return arn.split(":role/", 1)[1].rsplit("/", 1)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description="create IAM roles in the emulator")
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("roles", nargs="*", help="ROLE_ARN=SERVICE[,SERVICE]")
    args = parser.parse_args()
    iam = boto3.client("iam", endpoint_url=args.endpoint, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    wanted: dict[str, set[str]] = {}
    for role in args.roles:
        arn, _, services = role.partition("=")
        if not services:
            raise SystemExit(f"{role}: name the services that assume it (ROLE_ARN=SERVICE,...)")
        wanted.setdefault(role_name(arn), set()).update(services.split(","))
    existing = {r["RoleName"] for r in iam.list_roles()["Roles"]}
    for name, services in wanted.items():
        if name not in existing:
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust(services)))
    # Fail loudly if a role is not there afterwards.
    present = {r["RoleName"] for r in iam.list_roles()["Roles"]}
    missing = sorted(set(wanted) - present)
    if missing:
        raise SystemExit(f"roles missing after seeding: {missing}")


if __name__ == "__main__":
    main()
