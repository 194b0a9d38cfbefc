"""The AWS CLI (v1, its own pinned install) against the example server, with
`--endpoint-url`: a second client beyond the SDKs, as people use it from a shell.

The `aws` binary is CONFORMANCE_AWS, by default target/awscli-venv/bin/aws (`.ci/run`
installs it there); the test is skipped when neither exists, unless REQUIRE_AWSCLI is set.
"""
import json
import os
import subprocess
import uuid

import pytest

from test_boto3 import POOL, PUBLIC, ROOT, Server

AWS = os.environ.get("CONFORMANCE_AWS", str(ROOT / "target/awscli-venv/bin/aws"))


def aws(server, *args):
    """Runs `aws cognito-idp ARGS` against `server`; its JSON answer, or the CLI's error."""
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1",
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    done = subprocess.run(
        [AWS, "cognito-idp", *args, "--endpoint-url", f"http://127.0.0.1:{server.port}", "--output", "json"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    return done.returncode, (json.loads(done.stdout) if done.stdout.strip() else None), done.stderr


@pytest.mark.skipif(not os.path.exists(AWS) and not os.environ.get("REQUIRE_AWSCLI"), reason="no AWS CLI")
def test_the_aws_cli_signs_up_and_confirms_a_user():
    server = Server(hide_users=True, ttl=86400)
    try:
        username = f"cli-{uuid.uuid4().hex[:12]}"
        code, answer, _ = aws(server, "sign-up", "--client-id", PUBLIC, "--username", username,
                              "--password", "Passw0rd!", "--user-attributes", f"Name=email,Value={username}@example.com")
        assert code == 0
        assert answer["UserConfirmed"] is False
        assert answer["CodeDeliveryDetails"] == {"Destination": "c***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
        code, _, error = aws(server, "confirm-sign-up", "--client-id", PUBLIC, "--username", username,
                             "--confirmation-code", "not-it")
        assert code != 0 and "CodeMismatchException" in error, error
        code, _, error = aws(server, "confirm-sign-up", "--client-id", PUBLIC, "--username", username,
                             "--confirmation-code", server.code(username))
        assert code == 0, error
        code, user, _ = aws(server, "admin-get-user", "--user-pool-id", POOL, "--username", username)
        assert code == 0 and user["UserStatus"] == "CONFIRMED"
        assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]
    finally:
        server.stop()
