"""Admin calls as boto3 and the AWS CLI sign them: only the key the server knows, within
five minutes of its clock, answers; every other way gets the service's exception, and
nothing changes.

A request signed six minutes ago is what a captured request replayed after the window
is: boto3 signs with its clock set back (botocore's own signer, nothing hand-made), and
the captured bytes are sent again as they were. The CLI runs under libfaketime for its
skewed clock (skipped when `faketime` is absent, unless REQUIRE_AWSCLI is set).
"""
import datetime
import os
import shutil
import subprocess
import urllib.error
import urllib.request
import uuid

import boto3
import botocore.auth
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from test_awscli import AWS
from test_boto3 import POOL, Server

WRONG_SECRET = (
    "InvalidSignatureException",
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details.",
)
UNKNOWN_KEY = ("UnrecognizedClientException", "The security token included in the request is invalid.")
UNSIGNED_ANSWER = ("MissingAuthenticationTokenException", "Missing Authentication Token")


@pytest.fixture(scope="module")
def server():
    server = Server(hide_users=False, ttl=86400)
    yield server
    server.stop()


def client(server, key="test", secret="test", **config):
    return boto3.client(
        "cognito-idp", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{server.port}",
        aws_access_key_id=key, aws_secret_access_key=secret,
        config=Config(retries={"total_max_attempts": 1}, **config),
    )


def refused(call):
    with pytest.raises(Exception) as excinfo:
        call()
    response = excinfo.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return response["Error"]["Code"], response["Error"]["Message"]


class Clock:
    """botocore's signing clock, moved by `offset`."""

    def __init__(self, monkeypatch, offset):
        real = botocore.auth.get_current_datetime
        monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: real() + offset)


def test_boto3_admin_calls_answer_only_the_right_key(server, monkeypatch):
    user = server.sign_up()
    confirm = {"UserPoolId": POOL, "Username": user}
    unsigned = client(server, signature_version=UNSIGNED)
    assert refused(lambda: unsigned.admin_confirm_sign_up(**confirm)) == UNSIGNED_ANSWER
    assert refused(lambda: client(server, secret="wrong").admin_confirm_sign_up(**confirm)) == WRONG_SECRET
    assert refused(lambda: client(server, key="AKIDUNKNOWN").admin_confirm_sign_up(**confirm)) == UNKNOWN_KEY
    with monkeypatch.context() as patched:
        Clock(patched, datetime.timedelta(minutes=-6))
        code, message = refused(lambda: client(server).admin_confirm_sign_up(**confirm))
    assert code == "InvalidSignatureException" and message.startswith("Signature expired: "), message
    with monkeypatch.context() as patched:
        Clock(patched, datetime.timedelta(minutes=6))
        code, message = refused(lambda: client(server).admin_confirm_sign_up(**confirm))
    assert code == "InvalidSignatureException" and message.startswith("Signature not yet current: "), message
    assert server.attributes(user)[0] == "UNCONFIRMED", "no refused call confirmed the user"
    client(server).admin_confirm_sign_up(**confirm)
    assert server.attributes(user)[0] == "CONFIRMED"


def captured(server, call, monkeypatch, offset):
    """The exact request boto3 sends for `call`, signed with its clock moved by `offset`
    (the request itself is not sent)."""
    seen = {}

    def keep(request, **_):
        seen.update(url=request.url, headers=dict(request.headers.items()), body=request.body)
        raise StopCapture()

    with monkeypatch.context() as patched:
        Clock(patched, offset)
        boto = client(server)
        boto.meta.events.register("before-send.cognito-idp.*", keep)
        with pytest.raises(StopCapture):
            call(boto)
    return seen


class StopCapture(Exception):
    pass


def replay(request):
    sent = urllib.request.Request(request["url"], data=request["body"], headers=request["headers"], method="POST")
    try:
        with urllib.request.urlopen(sent, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_a_captured_admin_call_replayed_after_five_minutes_is_refused(server, monkeypatch):
    user = server.sign_up()
    call = lambda boto: boto.admin_confirm_sign_up(UserPoolId=POOL, Username=user)  # noqa: E731
    stale = captured(server, call, monkeypatch, datetime.timedelta(minutes=-5, seconds=-30))
    status, body = replay(stale)
    assert status == 400 and b"Signature expired" in body, body
    assert server.attributes(user)[0] == "UNCONFIRMED"
    # Within the window a replay is answered, as the service answers it (SigV4 carries no
    # nonce): the window is what bounds a captured request.
    fresh = captured(server, call, monkeypatch, datetime.timedelta(0))
    assert replay(fresh)[0] == 200
    assert server.attributes(user)[0] == "CONFIRMED"


FAKETIME = shutil.which("faketime")


@pytest.mark.skipif(
    not (os.path.exists(AWS) and FAKETIME) and not os.environ.get("REQUIRE_AWSCLI"), reason="no AWS CLI or faketime"
)
def test_the_aws_cli_admin_calls_answer_only_the_right_key(server):
    user = server.sign_up()

    def aws(key="test", secret="test", *options, clock=None):
        env = dict(os.environ, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret, AWS_DEFAULT_REGION="us-east-1",
                   AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_MAX_ATTEMPTS="1")
        command = [AWS, "cognito-idp", "admin-confirm-sign-up", "--user-pool-id", POOL, "--username", user,
                   "--endpoint-url", f"http://127.0.0.1:{server.port}", *options]
        if clock:
            command = [FAKETIME, "-f", clock, *command]
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
        return done.returncode, done.stderr

    for (code, error), expected in [
        (aws("test", "test", "--no-sign-request"), "MissingAuthenticationTokenException"),
        (aws("test", "wrong"), "InvalidSignatureException"),
        (aws("AKIDUNKNOWN", "test"), "UnrecognizedClientException"),
        (aws(clock="-6m"), "Signature expired"),
        (aws(clock="+6m"), "Signature not yet current"),
    ]:
        assert code != 0 and expected in error, error
    assert server.attributes(user)[0] == "UNCONFIRMED", "no refused call confirmed the user"
    code, error = aws()
    assert code == 0, error
    assert server.attributes(user)[0] == "CONFIRMED"
