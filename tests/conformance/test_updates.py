"""Settings that change: UpdateUserPoolClient replaces every setting not given with its
default (as the service does), keeps the name when not given and the secret always; every
process uses the new settings from its next request, and a deleted client is gone on every
process at once.

Runs on every store and process count test_boto3.py does (see its docstring): each call goes
to the next process, so a change made through one is checked on the others.
"""
import uuid

import pytest

from test_boto3 import POOL, PROCESSES, Server
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


def test_update_user_pool_resets_what_it_is_not_given_and_every_process_uses_it_at_once(server):
    pool_id = new_pool(server, AliasAttributes=["email"],
                       Policies={"PasswordPolicy": {"MinimumLength": 6, "RequireUppercase": False,
                                                    "RequireLowercase": False, "RequireNumbers": False,
                                                    "RequireSymbols": False}})
    client_id = new_client(server, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    weak = lambda: server.client.sign_up(
        ClientId=client_id, Username=f"weak-{uuid.uuid4().hex[:8]}", Password="simple",
        UserAttributes=[{"Name": "email", "Value": f"{uuid.uuid4().hex[:8]}@example.com"}])
    # Every process has read (and cached) the pool, with its lenient policy (`answer` says
    # "tokens" for any success).
    assert on_every_process(weak) == ["tokens"] * PROCESSES
    server.client.update_user_pool(UserPoolId=pool_id, Policies={"PasswordPolicy": {"MinimumLength": 8}})
    refused = ("InvalidPasswordException", "Password did not conform with policy: Password not long enough")
    assert on_every_process(weak) == [refused] * PROCESSES
    described = server.client.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    # Not given: no attribute is verified any more, as the service does; the aliases stay.
    assert described.get("AutoVerifiedAttributes", []) == []
    assert described["AliasAttributes"] == ["email"]
    assert described["Policies"]["PasswordPolicy"]["MinimumLength"] == 8
    signed_up = sign_up(server, client_id, f"after-{uuid.uuid4().hex[:8]}", password="Passw0rd!")
    assert "CodeDeliveryDetails" not in signed_up


def test_bad_pool_updates_are_refused_and_change_nothing(server):
    pool_id = new_pool(server)
    before = server.client.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    for request, expected in [
        (dict(AutoVerifiedAttributes=["name"]), "InvalidParameterException"),
        (dict(Policies={"PasswordPolicy": {"MinimumLength": 8, "TemporaryPasswordValidityDays": 400}}),
         "InvalidParameterException"),
        (dict(LambdaConfig={"PostConfirmation": "http://169.254.169.254/latest"}), "InvalidParameterException"),
    ]:
        assert answer(lambda: server.client.update_user_pool(UserPoolId=pool_id, **request))[0] == expected
    after = server.client.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert after == before
    too_long = answer(lambda: server.client.update_user_pool(
        UserPoolId=pool_id, Policies={"PasswordPolicy": {"MinimumLength": 8, "TemporaryPasswordValidityDays": 400}}))
    assert too_long == ("InvalidParameterException",
                        "1 validation error detected: Value '400' at 'policies.passwordPolicy.temporaryPasswordValidityDays' "
                        "failed to satisfy constraint: Member must have value less than or equal to 365")
    missing = answer(lambda: server.client.update_user_pool(UserPoolId="us-east-1_nothere99"))
    assert missing[0] == "ResourceNotFoundException"
    # The config file's pool is changed in the file, which every start writes again.
    configured = answer(lambda: server.client.update_user_pool(UserPoolId=POOL))
    assert configured[0] == "InvalidParameterException" and "config file" in configured[1]
