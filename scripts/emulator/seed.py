"""Create, in the emulator, the IAM roles a topology names (they exist before
wway runs in a real account, and Lambda refuses a role that does not exist).

    python seed.py --endpoint URL ROLE_ARN...
"""

import argparse
import json

import boto3

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": ["eks.amazonaws.com", "ec2.amazonaws.com", "lambda.amazonaws.com", "edgelambda.amazonaws.com"]},
            "Action": "sts:AssumeRole",
        }
    ],
}


def main() -> None:
    parser = argparse.ArgumentParser(description="create IAM roles in the emulator")
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("roles", nargs="*")
    args = parser.parse_args()
    iam = boto3.client("iam", endpoint_url=args.endpoint, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    existing = {r["RoleName"] for r in iam.list_roles()["Roles"]}
    for arn in dict.fromkeys(args.roles):
        name = arn.split(":role/", 1)[1].rsplit("/", 1)[-1]
        if name not in existing:
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))
    # Fail loudly if a role is not there afterwards.
    present = {r["Arn"].split(":role/", 1)[1].rsplit("/", 1)[-1] for r in iam.list_roles()["Roles"]}
    missing = [arn for arn in args.roles if arn.split(":role/", 1)[1].rsplit("/", 1)[-1] not in present]
    if missing:
        raise SystemExit(f"roles missing after seeding: {missing}")


if __name__ == "__main__":
    main()
