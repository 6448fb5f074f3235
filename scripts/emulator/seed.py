"""Create, in the emulator, the IAM roles and users a topology names, each
role trusting the services that assume it in a real account (Lambda refuses a
role that does not exist, CloudFront a Lambda@Edge function whose role does
not trust edgelambda.amazonaws.com, and EKS an access entry for a principal
that does not exist).

    python seed.py --endpoint URL ROLE_ARN=SERVICE[,SERVICE]... USER_ARN...

e.g. arn:aws:iam::123456789012:role/edge=lambda.amazonaws.com,edgelambda.amazonaws.com;
`account` as a service makes a role people assume (it trusts the account).
A role named twice trusts the services of both.
"""

import argparse
import json

import boto3


def trust(services, account):
    principal = {"Service": sorted(services - {"account"})}
    if "account" in services:
        principal = {"AWS": f"arn:aws:iam::{account}:root", **({"Service": principal["Service"]}
                                                                 if principal["Service"] else {})}
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}],
    }


def role_name(arn: str) -> str:
    return arn.split(":role/", 1)[1].rsplit("/", 1)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description="create IAM roles in the emulator")
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("roles", nargs="*", help="ROLE_ARN=SERVICE[,SERVICE] or USER_ARN")
    args = parser.parse_args()
    iam = boto3.client("iam", endpoint_url=args.endpoint, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    wanted: dict[str, set[str]] = {}
    account = "123456789012"
    users = {arn.rsplit("/", 1)[-1] for arn in args.roles if ":user/" in arn}
    for role in (r for r in args.roles if ":user/" not in r):
        arn, _, services = role.partition("=")
        account = arn.split(":")[4] or account
        if not services:
            raise SystemExit(f"{role}: name the services that assume it (ROLE_ARN=SERVICE,...)")
        wanted.setdefault(role_name(arn), set()).update(services.split(","))
    existing = {r["RoleName"] for r in iam.list_roles()["Roles"]}
    for name, services in wanted.items():
        if name not in existing:
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust(services, account)))
    existing_users = {u["UserName"] for u in iam.list_users()["Users"]}
    for name in users - existing_users:
        iam.create_user(UserName=name)
    # Fail loudly if a role is not there afterwards.
    present = {r["RoleName"] for r in iam.list_roles()["Roles"]}
    missing = sorted(set(wanted) - present)
    if missing:
        raise SystemExit(f"roles missing after seeding: {missing}")


if __name__ == "__main__":
    main()
