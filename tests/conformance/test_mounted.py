"""The Cognito API mounted inside an application of its own (`server/examples/mounted.rs`,
under `/cognito`): boto3, pointed at `http://HOST/cognito`, signs a user up and confirms it,
and the admin calls' signatures (over the prefixed path) verify; the host application
still answers its own routes."""

import json
import os
import pathlib
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid

import boto3
import pytest
from botocore.config import Config

from test_boto3 import POOL, PUBLIC, ROOT, free_port

MOUNTED = os.environ.get("CONFORMANCE_MOUNTED", str(ROOT / "target/release/examples/mounted"))


@pytest.fixture(scope="module")
def mounted():
    with tempfile.TemporaryDirectory() as home:
        home = pathlib.Path(home)
        port = free_port()
        config = {
            "user_pool_id": POOL,
            "clients": [{"client_id": PUBLIC, "client_secret": None}],
            "alias_attributes": ["email"],
            "database": str(home / "users.sqlite3"),
            "outbox": str(home / "outbox.jsonl"),
            # Mounted, the routes may be served beyond loopback: the test key is refused.
            "admin_credentials": [{"access_key_id": "mountedadmin", "secret_access_key": "a-secret-of-32-characters-or-so"}],
        }
        (home / "config.json").write_text(json.dumps(config))
        process = subprocess.Popen(
            [MOUNTED, "--config", str(home / "config.json"), "--listen", f"127.0.0.1:{port}"],
            stdout=subprocess.PIPE, text=True,
        )
        assert process.stdout.readline().startswith("listening on"), "the host application starts"
        client = boto3.client(
            "cognito-idp", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{port}/cognito",
            aws_access_key_id="mountedadmin", aws_secret_access_key="a-secret-of-32-characters-or-so",
            config=Config(retries={"total_max_attempts": 1}),
        )
        yield port, client, home / "outbox.jsonl"
        process.terminate()
        assert process.wait(timeout=15) == 0, "the host application stops cleanly on SIGTERM"


def test_admin_calls_through_the_mount_need_the_configured_key(mounted):
    """Mounted, admin calls answer only to signatures by the configured key: the well-known
    test key, a wrong secret and no signature at all are refused, and change nothing."""
    port = mounted[0]
    for key_id, secret in [("test", "test"), ("mountedadmin", "a-wrong-secret-of-some-length")]:
        other = boto3.client(
            "cognito-idp", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{port}/cognito",
            aws_access_key_id=key_id, aws_secret_access_key=secret,
            config=Config(retries={"total_max_attempts": 1}),
        )
        with pytest.raises(other.exceptions.ClientError) as refused:
            other.admin_confirm_sign_up(UserPoolId=POOL, Username="anyone")
        code = refused.value.response["Error"]["Code"]
        assert code in ("UnrecognizedClientException", "InvalidSignatureException"), (key_id, code)
    unsigned = urllib.request.Request(
        f"http://127.0.0.1:{port}/cognito", method="POST",
        data=json.dumps({"UserPoolId": POOL, "Username": "anyone"}).encode(),
        headers={"Content-Type": "application/x-amz-json-1.1",
                 "X-Amz-Target": "AWSCognitoIdentityProviderService.AdminConfirmSignUp"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(unsigned)
    body = refused.value.read().decode()
    assert refused.value.code == 400 and "MissingAuthenticationTokenException" in body, body


def test_mounted_without_admin_credentials_refuses_to_start():
    """The well-known test key is for the binary on loopback; mounted, the server cannot see
    where its routes are served, so it refuses to start without configured keys."""
    with tempfile.TemporaryDirectory() as home:
        home = pathlib.Path(home)
        config = {"user_pool_id": POOL, "clients": [{"client_id": PUBLIC, "client_secret": None}],
                  "database": ":memory:", "outbox": str(home / "outbox.jsonl")}
        (home / "config.json").write_text(json.dumps(config))
        done = subprocess.run([MOUNTED, "--config", str(home / "config.json")], capture_output=True,
                              text=True, timeout=30)
        assert done.returncode != 0
        assert "no admin credentials are configured" in done.stderr, done.stderr


def code_for(outbox, username):
    deadline = time.monotonic() + 10
    while True:
        text = outbox.read_text() if outbox.exists() else ""
        lines = text[: text.rfind("\n") + 1].splitlines()
        codes = [entry["code"] for entry in map(json.loads, lines) if entry["username"] == username]
        if codes:
            return codes[-1]
        assert time.monotonic() < deadline, f"no code for {username}"
        time.sleep(0.01)


def test_boto3_signs_up_and_confirms_through_the_mounted_api(mounted):
    port, client, outbox = mounted
    username = f"mounted-{uuid.uuid4().hex[:8]}"
    client.sign_up(ClientId=PUBLIC, Username=username, Password="Passw0rd!",
                   UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])
    with pytest.raises(client.exceptions.CodeMismatchException):
        client.confirm_sign_up(ClientId=PUBLIC, Username=username, ConfirmationCode="000000"
                               if code_for(outbox, username) != "000000" else "111111")
    client.confirm_sign_up(ClientId=PUBLIC, Username=username, ConfirmationCode=code_for(outbox, username))
    # An admin call: SigV4 over the path the client signed, `/cognito` included.
    user = client.admin_get_user(UserPoolId=POOL, Username=username)
    assert user["UserStatus"] == "CONFIRMED"
    # The host's own routes are its own.
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as answer:
        assert answer.read() == b"the host application"
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/cognito/health") as answer:
        assert answer.status == 200
