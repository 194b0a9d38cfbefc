"""Settings that change: UpdateUserPoolClient replaces every setting not given with its
default (as the service does), keeps the name when not given and the secret always; every
process uses the new settings from its next request, and a deleted client is gone on every
process at once.

Runs on every store and process count test_boto3.py does (see its docstring): each call goes
to the next process, so a change made through one is checked on the others.
"""
import uuid

import pytest

from test_boto3 import PROCESSES, Server
from test_passwords import answer, password_sign_in
from test_pools import new_client, new_pool, sign_up

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@pytest.fixture(scope="module")
def server():
    server = Server(hide_users=False, ttl=86400)
    yield server
    server.stop()


def confirmed_user(server, client_id):
    username = f"upd-{uuid.uuid4().hex[:8]}"
    sign_up(server, client_id, username)
    server.client.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=server.code(username))
    return username


def on_every_process(call):
    """`call`'s answer on each process (each call goes to the next one)."""
    return [answer(call) for _ in range(PROCESSES)]


def test_a_flow_taken_away_is_refused_on_every_process_at_once(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    username = confirmed_user(server, client_id)
    sign_in = lambda: password_sign_in(server, client_id, username, "Passw0rd!")
    # Every process has read (and cached) the client.
    assert on_every_process(sign_in) == ["tokens"] * PROCESSES
    server.client.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id,
                                          ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])
    refused = ("InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")
    assert on_every_process(sign_in) == [refused] * PROCESSES
    server.client.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, ExplicitAuthFlows=FLOWS)
    assert on_every_process(sign_in) == ["tokens"] * PROCESSES


def test_settings_not_given_go_back_to_their_defaults_and_the_secret_stays(server):
    pool_id = new_pool(server)
    created = new_client(server, pool_id, GenerateSecret=True, ExplicitAuthFlows=FLOWS, AccessTokenValidity=30,
                         TokenValidityUnits={"AccessToken": "minutes"}, PreventUserExistenceErrors="ENABLED")
    client_id = created["ClientId"]
    updated = server.client.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id,
                                                     RefreshTokenValidity=7)["UserPoolClient"]
    described = server.client.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    for shown in (updated, described):
        assert (shown["ClientName"], shown["ClientSecret"]) == (created["ClientName"], created["ClientSecret"])
        # Not given: back to the default, which the service does not show (an hour).
        assert shown["RefreshTokenValidity"] == 7 and "AccessTokenValidity" not in shown
        assert shown["PreventUserExistenceErrors"] == "LEGACY"
        assert "ExplicitAuthFlows" not in shown
    renamed = server.client.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, ClientName="renamed")
    assert renamed["UserPoolClient"]["ClientName"] == "renamed"


def test_bad_updates_are_refused_and_change_nothing(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    bad = answer(lambda: server.client.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id,
                                                               ExplicitAuthFlows=["ALLOW_EVERYTHING"]))
    assert bad[0] == "InvalidParameterException"
    described = server.client.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    assert described["ExplicitAuthFlows"] == FLOWS
    unknown = answer(lambda: server.client.update_user_pool_client(UserPoolId=pool_id, ClientId="a" * 26))
    assert unknown == ("ResourceNotFoundException", f"User pool client {'a' * 26} does not exist.")


def test_a_deleted_client_is_gone_on_every_process_at_once(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    username = confirmed_user(server, client_id)
    sign_in = lambda: password_sign_in(server, client_id, username, "Passw0rd!")
    assert on_every_process(sign_in) == ["tokens"] * PROCESSES
    server.client.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    gone = ("ResourceNotFoundException", f"User pool client {client_id} does not exist.")
    assert on_every_process(sign_in) == [gone] * PROCESSES
