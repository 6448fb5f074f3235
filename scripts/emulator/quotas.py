"""Patch 33: Service Quotas answers EC2's quotas, and a test sets any quota.

moto's GetServiceQuota knows the VPC service's quotas only and answers
NoSuchResourceException for EC2's (the vCPUs of running instances by class,
on demand and spot, and the VPC's elastic IPs). AWS answers every quota of
an account. The emulator's account is an established one: 1152 vCPUs of
standard instances on demand and spot (a quota AWS gave accounts before it
started new ones at 5), none of the other classes, 5 elastic IPs; a test
sets any quota's value with `POST /_wway/set?quota_<code>=N` (a VPC quota
too).
"""

from clock import setting

EC2_QUOTAS = {
    "L-1216C47A": ("Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances", 1152),
    "L-34B43A08": ("All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests", 1152),
    "L-DB2E81BA": ("Running On-Demand G and VT instances", 0),
    "L-417A185B": ("Running On-Demand P instances", 0),
    "L-74FC7D96": ("Running On-Demand F instances", 0),
    "L-1945791B": ("Running On-Demand Inf instances", 0),
    "L-7295265B": ("Running On-Demand X instances", 0),
    "L-6E869C2A": ("Running On-Demand DL instances", 0),
    "L-2C3B7624": ("Running On-Demand Trn instances", 0),
    "L-43DA4232": ("Running On-Demand High Memory instances", 0),
    "L-3819A6DF": ("All G and VT Spot Instance Requests", 0),
    "L-7212CCBC": ("All P Spot Instance Requests", 0),
    "L-88CF9481": ("All F Spot Instance Requests", 0),
    "L-B5D1601B": ("All Inf Spot Instance Requests", 0),
    "L-E3A00192": ("All X Spot Instance Requests", 0),
    "L-85EED4F7": ("All DL Spot Instance Requests", 0),
    "L-6B0D517C": ("All Trn Spot Instance Requests", 0),
    "L-0263D0A3": ("EC2-VPC Elastic IPs", 5),
}


def patch() -> None:
    from moto.servicequotas import models

    backend = models.ServiceQuotasBackend
    original = backend.get_service_quota

    def get_service_quota(self, service_code, quota_code):
        if service_code == "ec2" and quota_code in EC2_QUOTAS:
            name, default = EC2_QUOTAS[quota_code]
            return {
                "ServiceCode": "ec2",
                "ServiceName": "Amazon Elastic Compute Cloud (Amazon EC2)",
                "QuotaArn": f"arn:aws:servicequotas:{self.region_name}:{self.account_id}:ec2/{quota_code}",
                "QuotaCode": quota_code,
                "QuotaName": name,
                "Value": float(setting(f"quota_{quota_code}", default)),
                "Unit": "None",
                "Adjustable": True,
                "GlobalQuota": False,
            }
        quota = dict(original(self, service_code, quota_code))
        quota["Value"] = float(setting(f"quota_{quota_code}", quota["Value"]))
        return quota

    backend.get_service_quota = get_service_quota
