"""Tests of the server of emulators (forks.py): each emulator it forks is a
fresh, separate AWS, and none outlives the server's stdin.
Run: .emulator/venv/bin/python -m unittest discover scripts/emulator
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

import boto3

HERE = os.path.dirname(os.path.abspath(__file__))


class Forks(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.server = subprocess.Popen([sys.executable, os.path.join(HERE, "launcher.py"), "--forks"],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def tearDown(self):
        if not self.server.stdin.closed:
            self.server.stdin.close()
        self.server.wait(timeout=30)
        self.server.stdout.close()
        self.dir.cleanup()

    def ask(self, line):
        self.server.stdin.write(line + "\n")
        self.server.stdin.flush()
        return self.server.stdout.readline().strip()

    def start(self, name, speed=600):
        url_file = os.path.join(self.dir.name, name)
        pid = int(self.ask(f"start {url_file} {speed}"))
        deadline = time.monotonic() + 30
        while not os.path.exists(url_file):
            self.assertLess(time.monotonic(), deadline, "the emulator did not start")
            time.sleep(0.02)
        with open(url_file) as f:
            return pid, f.read().strip()

    @staticmethod
    def ec2(url):
        return boto3.client("ec2", endpoint_url=url, region_name="eu-west-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    @staticmethod
    def answers(url):
        try:
            with urllib.request.urlopen(url + "/_wway/clock", timeout=5) as answer:
                return json.loads(answer.read())
        except (urllib.error.URLError, ConnectionError):
            return None

    def test_each_emulator_is_a_separate_account_with_its_own_clock(self):
        _, first = self.start("first")
        _, second = self.start("second", speed=1)
        vpc = self.ec2(first).create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        seen = [v["VpcId"] for v in self.ec2(second).describe_vpcs()["Vpcs"]]
        self.assertNotIn(vpc, seen)
        again = self.ec2(second).create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        self.assertNotEqual(vpc, again, "each emulator draws its own random ids")
        time.sleep(0.5)
        self.assertGreater(self.answers(first)["now"], 100)  # 600 x 0.5 s
        self.assertLess(self.answers(second)["now"], 10)  # 1 x a few seconds

    def test_a_stopped_emulator_is_gone_and_the_end_of_stdin_stops_the_rest(self):
        pid, stopped = self.start("stopped")
        _, running = self.start("running")
        self.assertEqual(self.ask(f"stop {pid}"), "stopped")
        self.assertIsNone(self.answers(stopped))
        self.assertIsNotNone(self.answers(running))
        self.server.stdin.close()
        self.server.wait(timeout=30)
        self.assertIsNone(self.answers(running))


if __name__ == "__main__":
    unittest.main()
