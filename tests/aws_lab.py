"""A local moto server standing in for AWS (loopback only) and clients for it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import boto3
import kafka_lab

REGION = "eu-central-1"  # the region inventories/aws/aws_ec2.yml and playbooks/vars/ec2.yml use


class MotoServer:
    def __init__(self, log_path: Path):
        self.port = kafka_lab.free_port()
        self.log_path = log_path
        with open(log_path, "w") as out:
            self.process = subprocess.Popen(
                [
                    str(Path(sys.executable).with_name("moto_server")),
                    "-H",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while not kafka_lab.port_open(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"moto_server did not listen:\n{log_path.read_text()}")
            time.sleep(0.2)

    @property
    def env(self) -> dict[str, str]:
        """Environment that points boto3 and the amazon.aws plugins at this server."""
        return {
            **os.environ,
            "AWS_URL": f"http://127.0.0.1:{self.port}",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
        }

    def ec2(self):
        return boto3.client(
            "ec2",
            region_name=REGION,
            endpoint_url=f"http://127.0.0.1:{self.port}",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


AWS_INVENTORY = Path(__file__).resolve().parents[1] / "inventories" / "aws" / "aws_ec2.yml"


def inventory_listing(env: dict[str, str]) -> dict:
    """`ansible-inventory --list` of inventories/aws/aws_ec2.yml against the server in ``env``."""
    result = subprocess.run(
        ["ansible-inventory", "-i", str(AWS_INVENTORY), "--list"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    return json.loads(result.stdout)


def plain(value):
    """ansible-inventory marks values from the cloud as unsafe: {"__ansible_unsafe": value}."""
    return value.get("__ansible_unsafe", value) if isinstance(value, dict) else value
