"""The test clock: a server started with test_clock serves POST /_test/clock, which moves the
time every rule reads forward for every process on its database. A code expires after
advance(24 h), the resend window reopens after an hour, an access token expires after its
hour while its refresh token still refreshes, and a lock-out ends when the clock passes it.
Without test_clock the route does not exist; with a non-loopback address the server refuses to
start; a browser (a request with an Origin) cannot move it.

Runs on every store and process count test_boto3.py does (see its docstring): the clock is
moved through the first process, and each call goes to the next one.
"""
import json
import subprocess
import urllib.error
import urllib.request
import uuid

import pytest

from test_boto3 import SERVER, Server
from test_passwords import EXCEEDED, INCORRECT, answer, password_sign_in
from test_pools import new_client, new_pool, sign_up

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@pytest.fixture(scope="module")
def server():
    server = Server(hide_users=False, ttl=86400, test_clock=True)
    yield server
    server.stop()


def advance(server, seconds, headers=None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}/_test/clock", data=json.dumps({"advance_seconds": seconds}).encode(),
        headers={"content-type": "application/json", **(headers or {})}, method="POST")
    with urllib.request.urlopen(request) as answered:
        return json.load(answered)["now"]


def test_a_code_expires_after_a_day_and_a_new_one_confirms(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id)["ClientId"]
    username = f"clock-{uuid.uuid4().hex[:8]}"
    sign_up(server, client_id, username)
    code = server.code(username)
    advance(server, 86_400)
    expired = answer(lambda: server.client.confirm_sign_up(ClientId=client_id, Username=username,
                                                           ConfirmationCode=code))
    assert expired == ("ExpiredCodeException", "Invalid code provided, please request a code again.")
    server.client.resend_confirmation_code(ClientId=client_id, Username=username)
    server.client.confirm_sign_up(ClientId=client_id, Username=username,
                                  ConfirmationCode=server.code(username, after=1))


def test_the_resend_window_reopens_after_an_hour(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id)["ClientId"]
    username = f"clock-{uuid.uuid4().hex[:8]}"
    sign_up(server, client_id, username)
    resend = lambda: answer(lambda: server.client.resend_confirmation_code(ClientId=client_id, Username=username))
    answers = [resend() for _ in range(6)]
    assert answers[:5] == ["tokens"] * 5 and answers[5][0] == "LimitExceededException", answers
    advance(server, 3_600)
    assert resend() == "tokens"


def test_an_access_token_expires_after_its_hour_and_the_refresh_token_outlives_it(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    username = f"clock-{uuid.uuid4().hex[:8]}"
    sign_up(server, client_id, username)
    server.client.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=server.code(username))
    tokens = password_sign_in(server, client_id, username, "Passw0rd!")["AuthenticationResult"]
    assert server.client.get_user(AccessToken=tokens["AccessToken"])["Username"] == username
    advance(server, 3_600)
    expired = answer(lambda: server.client.get_user(AccessToken=tokens["AccessToken"]))
    assert expired == ("NotAuthorizedException", "Access Token has expired")
    refreshed = server.client.initiate_auth(AuthFlow="REFRESH_TOKEN_AUTH", ClientId=client_id,
                                            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    assert server.client.get_user(AccessToken=refreshed["AuthenticationResult"]["AccessToken"])["Username"] == username
    advance(server, 30 * 86_400)
    expired = answer(lambda: server.client.initiate_auth(AuthFlow="REFRESH_TOKEN_AUTH", ClientId=client_id,
                                                         AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]}))
    assert expired == ("NotAuthorizedException", "Refresh Token has expired")


def test_a_lockout_ends_when_the_clock_passes_it(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    username = f"clock-{uuid.uuid4().hex[:8]}"
    sign_up(server, client_id, username)
    server.client.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=server.code(username))
    wrong = lambda: answer(lambda: password_sign_in(server, client_id, username, "Wr0ng-password"))
    right = lambda: answer(lambda: password_sign_in(server, client_id, username, "Passw0rd!"))
    assert [wrong() for _ in range(5)] == [INCORRECT] * 5
    # Locked for a second (2^0), then for two after the sixth failure, then four.
    advance(server, 1)
    assert wrong() == INCORRECT
    advance(server, 1)
    assert right() == EXCEEDED
    advance(server, 2)
    assert wrong() == INCORRECT
    assert right() == EXCEEDED
    advance(server, 4)
    assert right() == "tokens"


def test_the_clock_moves_only_forward_only_from_outside_a_browser(server):
    with pytest.raises(urllib.error.HTTPError) as refused:
        advance(server, 0)
    assert refused.value.code == 400
    with pytest.raises(urllib.error.HTTPError) as refused:
        advance(server, 60, headers={"origin": "http://evil.example"})
    assert refused.value.code == 403


def flush(server, headers=None):
    """POST /_test/deliveries: answers once the deliveries of earlier answers are written."""
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}/_test/deliveries", data=b"{}",
                                     method="POST", headers=headers or {})
    return json.load(urllib.request.urlopen(request, timeout=30))


def test_the_deliveries_wait_is_for_tests_outside_a_browser(server):
    assert flush(server) == {}
    with pytest.raises(urllib.error.HTTPError) as refused:
        flush(server, headers={"origin": "http://evil.example"})
    assert refused.value.code == 403


def test_without_test_clock_there_is_no_route_and_beyond_loopback_no_start(tmp_path):
    plain = Server(hide_users=False, ttl=86400)
    try:
        with pytest.raises(urllib.error.HTTPError) as missing:
            advance(plain, 60)
        assert missing.value.code in (404, 405)
        with pytest.raises(urllib.error.HTTPError) as missing:
            flush(plain)
        assert missing.value.code in (404, 405)
    finally:
        plain.stop()
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"listen": "0.0.0.0:0", "clients": [{"client_id": "c", "client_secret": None}],
                                  "database": str(tmp_path / "users.sqlite3"), "test_clock": True}))
    started = subprocess.run([SERVER, "--config", str(config)], capture_output=True, text=True, timeout=30)
    assert started.returncode != 0
    assert "test_clock" in started.stderr and "loopback" in started.stderr, started.stderr
