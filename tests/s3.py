"""A real S3-compatible server for the tests: moto's server mode (`moto_server`, from requirements-dev.txt), started
once per test process on a free port of 127.0.0.1, and a fresh private bucket for each test that asks for `s3_media`.

`s3_media` makes the bucket the portal's default storage exactly as `AWS_STORAGE_BUCKET_NAME` does in production
(`settings.s3_media_storage`), so uploads, downloads, imports, deletions and health checks go through django-storages
and HTTP like they would against Yandex Object Storage or MinIO. The server runs in its own process: the portal's
memory, measured by the streaming test, is not mixed with the server's. Ask for the demo fixtures before `s3_media`
(seeding replays its recorded files onto the local disk).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

KEY_ID, SECRET = "shnor-test", "shnor-test-secret"  # moto takes any keys
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(endpoint: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto_server exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):  # noqa: S310 — loopback only
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("moto_server did not answer within 30 s")


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """The endpoint URL of a moto server of this test process (one per xdist worker), stopped at the end."""
    log = tmp_path_factory.mktemp("moto") / "moto_server.log"  # a file, not a pipe: a full pipe would stall it
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ["NO_PROXY"] = ",".join(filter(None, [os.environ.get("NO_PROXY"), "127.0.0.1"]))
    moto_server = Path(sys.executable).with_name("moto_server")
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(moto_server), "-H", "127.0.0.1", "-p", str(port)], stdout=output, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_up(endpoint, process, log)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Bucket:
    name: str
    endpoint: str
    client: object  # boto3's S3 client, for looking into the bucket behind the portal's back

    def keys(self, prefix: str = "") -> list[str]:
        answer = self.client.list_objects_v2(Bucket=self.name, Prefix=prefix)
        return sorted(item["Key"] for item in answer.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def environ(self) -> dict[str, str]:
        """The portal's variables for this bucket (for scripts run in a subprocess)."""
        return {
            "AWS_STORAGE_BUCKET_NAME": self.name,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_S3_ACCESS_KEY_ID": KEY_ID,
            "AWS_S3_SECRET_ACCESS_KEY": SECRET,
            "NO_PROXY": os.environ.get("NO_PROXY", "127.0.0.1"),
        }


def s3_client(endpoint: str):
    return boto3.client(
        "s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET
    )


@pytest.fixture
def s3_bucket(s3_server) -> Bucket:
    """A new, empty bucket on the test server."""
    client = s3_client(s3_server)
    name = f"shnor-{uuid.uuid4().hex[:16]}"
    client.create_bucket(Bucket=name)
    return Bucket(name=name, endpoint=s3_server, client=client)


@pytest.fixture
def s3_media(s3_bucket, settings, monkeypatch) -> Bucket:
    """The portal's default storage is `s3_bucket`, configured by the production settings' own function."""
    from shnor_portal.settings import s3_media_storage

    for name, value in s3_bucket.environ().items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {**settings.STORAGES, "default": s3_media_storage(s3_bucket.name)}
    return s3_bucket
