"""A server of emulators: moto loaded once, a fresh emulator forked per request.

Every test gets an emulator of its own, started clean. Started one process per
test, each emulator paid moto's import (about a second of CPU) and, on its first
request to each service, botocore's parse of that service's JSON model (EC2's
alone is megabytes): measured with py-spy, most of an emulator's CPU time in a
short test. This server does that work once, by answering one request to each
service wway calls, and then forks: each emulator is a separate process with
its own state, clock, random seed and recording, sharing only what was loaded.

Protocol, one line each way, on stdin and stdout:
    start URL_FILE SPEED  ->  PID    an emulator that writes its URL to
                                     URL_FILE once listening (as launcher.py
                                     --url-file does), its clock at SPEED
    stop PID              ->  stopped
At the end of stdin (the test process ended, however it ended) every emulator
still running is stopped and the server exits; an emulator whose server died
stops too.
"""

import ctypes
import os
import random
import signal
import sys
import threading
import traceback

from clock import CLOCK

# One cheap read per service wway calls (and IAM, which seed.py calls), signed
# for a region so that moto routes it by its credential scope as it routes the
# SDK's requests.
WARM_UP = [
    ("ec2", "POST", "/", "Action=DescribeVpcs&Version=2016-11-15", None),
    ("eks", "GET", "/clusters", "", None),
    ("cloudfront", "GET", "/2020-05-31/distribution", "", None),
    ("lambda", "GET", "/2015-03-31/functions/", "", None),
    ("route53", "GET", "/2013-04-01/hostedzone", "", None),
    ("s3", "GET", "/", "", None),
    ("ssm", "POST", "/", "{}", "AmazonSSM.DescribeParameters"),
    ("sts", "POST", "/", "Action=GetCallerIdentity&Version=2011-06-15", None),
    ("iam", "POST", "/", "Action=ListRoles&Version=2010-05-08", None),
    ("tagging", "POST", "/", "{}", "ResourceGroupsTaggingAPI_20170126.GetResources"),
]


# The regions the repository's topologies and tests use: EC2 and EKS build
# a region's state on its first request (EC2's default VPC, AMIs, instance
# types: about a second of CPU each), which every emulator would pay again.
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-1", "us-west-2", "eu-central-1", "ap-northeast-1"]
REGIONAL = {"ec2", "eks"}


def warm_up(app) -> None:
    from werkzeug.test import Client

    client = Client(app)
    requests = [(region, *request) for request in WARM_UP
                for region in (REGIONS if request[0] in REGIONAL else ["us-east-1"])]
    for region, service, method, path, body, target in requests:
        headers = {
            "Authorization": f"AWS4-HMAC-SHA256 Credential=testing/20260101/{region}/{service}/aws4_request, "
                             "SignedHeaders=host, Signature=0",
        }
        if target:
            headers["X-Amz-Target"] = target
            headers["Content-Type"] = "application/x-amz-json-1.1"
        elif body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        answer = client.open(path, method=method, data=body, headers=headers)
        if answer.status_code != 200:
            raise RuntimeError(f"warming up {service}: {answer.status}: {answer.get_data(as_text=True)[:300]}")


def die_with_parent() -> None:
    """Linux: the kernel kills this process when the server that forked it dies."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def emulator(app, serve_one, url_file: str, speed: float) -> None:
    """The forked child: a fresh emulator, served until stopped."""
    die_with_parent()
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)  # stdout is the protocol's pipe
    from moto.moto_api._internal import mock_random

    mock_random.seed()
    random.seed()
    CLOCK.restart(speed)
    serve_one(app, url_file, 0)


def serve(app, serve_one) -> int:
    warm_up(app)
    if threading.active_count() != 1:
        raise RuntimeError(f"cannot fork safely with threads running: {threading.enumerate()}")
    running: set[int] = set()
    for line in sys.stdin:
        command, *args = line.split()
        if command == "start":
            url_file, speed = args
            pid = os.fork()
            if pid == 0:
                try:
                    emulator(app, serve_one, url_file, float(speed))
                except BaseException:
                    traceback.print_exc()
                    os._exit(1)
                os._exit(0)
            running.add(pid)
            answer = str(pid)
        elif command == "stop":
            pid = int(args[0])
            stop(pid)
            running.discard(pid)
            answer = "stopped"
        else:
            answer = f"unknown command {command}"
        print(answer, flush=True)
    for pid in running:
        stop(pid)
    return 0


def stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
