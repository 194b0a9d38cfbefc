"""The sign-up session chain and the app client settings it depends on, with boto3.

A client whose ExplicitAuthFlows allow USER_AUTH answers SignUp with a Session, and
ConfirmSignUp with that Session and the right code with a sign-in Session (what Amplify's
autoSignIn carries into InitiateAuth); a wrong code in between does not spoil it; a client
without USER_AUTH hands out neither. AuthSessionValidity (3 to 15 minutes, default 3) and the
token validities are kept, described and checked with the service's messages.

Runs on every store and process count test_boto3.py does (see its docstring).
"""
import uuid

import boto3
import pytest
from botocore.config import Config

from test_boto3 import Server, error
from test_pools import new_client, new_pool, sign_up

USER_AUTH = ["ALLOW_USER_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@pytest.fixture(scope="module")
def server():
    server = Server(hide_users=False, ttl=86400)
    yield server
    server.stop()


def test_a_client_is_described_with_its_flows_and_the_services_defaults(server):
    pool_id = new_pool(server)
    plain = new_client(server, pool_id)
    assert (plain["AuthSessionValidity"], plain["RefreshTokenValidity"]) == (3, 30)
    assert "ExplicitAuthFlows" not in plain
    given = new_client(server, pool_id, ExplicitAuthFlows=USER_AUTH, AuthSessionValidity=15,
                       AccessTokenValidity=30, IdTokenValidity=2, RefreshTokenValidity=90,
                       TokenValidityUnits={"AccessToken": "minutes", "IdToken": "hours", "RefreshToken": "days"})
    described = server.client.describe_user_pool_client(UserPoolId=pool_id, ClientId=given["ClientId"])["UserPoolClient"]
    for member, value in [("ExplicitAuthFlows", USER_AUTH), ("AuthSessionValidity", 15), ("AccessTokenValidity", 30),
                          ("IdTokenValidity", 2), ("RefreshTokenValidity", 90),
                          ("TokenValidityUnits", {"AccessToken": "minutes", "IdToken": "hours", "RefreshToken": "days"})]:
        assert described[member] == value, member


@pytest.mark.parametrize("settings, message", [
    ({"AuthSessionValidity": 2},
     "1 validation error detected: Value '2' at 'authSessionValidity' failed to satisfy constraint: "
     "Member must have value greater than or equal to 3"),
    ({"AuthSessionValidity": 16},
     "1 validation error detected: Value '16' at 'authSessionValidity' failed to satisfy constraint: "
     "Member must have value less than or equal to 15"),
    ({"AccessTokenValidity": 4, "TokenValidityUnits": {"AccessToken": "minutes"}}, "Invalid range for token validity."),
    ({"IdTokenValidity": 25}, "Invalid range for token validity."),
    ({"RefreshTokenValidity": 59, "TokenValidityUnits": {"RefreshToken": "minutes"}}, "Invalid range for token validity."),
    ({"RefreshTokenValidity": 3651}, "Invalid range for token validity."),
])
def test_settings_out_of_range_are_refused_with_the_services_message(server, settings, message):
    pool_id = new_pool(server)
    # botocore checks a member's least value itself: this client sends what it is given.
    unchecked = boto3.client(
        "cognito-idp", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{server.port}",
        aws_access_key_id="test", aws_secret_access_key="test",
        config=Config(parameter_validation=False, retries={"total_max_attempts": 1}),
    )
    with pytest.raises(unchecked.exceptions.InvalidParameterException) as refused:
        unchecked.create_user_pool_client(UserPoolId=pool_id, ClientName="app", **settings)
    assert error(refused) == ("InvalidParameterException", message)
    assert server.client.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"] == []


def test_an_unknown_flow_is_refused_with_the_models_message(server):
    pool_id = new_pool(server)
    with pytest.raises(server.client.exceptions.InvalidParameterException) as refused:
        new_client(server, pool_id, ExplicitAuthFlows=["ALLOW_EVERYTHING"])
    assert error(refused)[1].startswith(
        "1 validation error detected: Value '[ALLOW_EVERYTHING]' at 'explicitAuthFlows' failed to satisfy "
        "constraint: Member must satisfy constraint: [Member must satisfy enum value set: [")


def test_sign_up_and_confirm_hand_out_sessions_a_wrong_code_in_between_too(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=USER_AUTH)["ClientId"]
    username = f"auto-{uuid.uuid4().hex[:8]}"
    signed_up = sign_up(server, client_id, username)
    session = signed_up["Session"]
    assert 20 <= len(session) <= 2048
    code = server.code(username)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(server.client.exceptions.CodeMismatchException):
        server.client.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=wrong, Session=session)
    confirmed = server.client.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=code,
                                              Session=session)
    assert 20 <= len(confirmed["Session"]) <= 2048 and confirmed["Session"] != session


def test_a_session_is_not_handed_out_without_user_auth_nor_for_another_user(server):
    pool_id = new_pool(server)
    plain = new_client(server, pool_id, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    username = f"plain-{uuid.uuid4().hex[:8]}"
    assert "Session" not in sign_up(server, plain["ClientId"], username)
    # Another user's session confirms this one but hands out nothing.
    client_id = new_client(server, pool_id, ExplicitAuthFlows=USER_AUTH)["ClientId"]
    alice, bob = (f"{name}-{uuid.uuid4().hex[:8]}" for name in ("alice", "bob"))
    alices = sign_up(server, client_id, alice)["Session"]
    sign_up(server, client_id, bob)
    confirmed = server.client.confirm_sign_up(ClientId=client_id, Username=bob, ConfirmationCode=server.code(bob),
                                              Session=alices)
    assert "Session" not in confirmed
    user = server.client.admin_get_user(UserPoolId=pool_id, Username=bob)
    assert user["UserStatus"] == "CONFIRMED"
