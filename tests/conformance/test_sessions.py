"""The sign-up session chain and the app client settings it depends on, with boto3.

A client whose ExplicitAuthFlows allow USER_AUTH answers SignUp with a Session, and
ConfirmSignUp with that Session and the right code with a sign-in Session (what Amplify's
autoSignIn carries into InitiateAuth); a wrong code in between does not spoil it; a client
without USER_AUTH hands out neither. InitiateAuth (and AdminInitiateAuth) with USER_AUTH and
that session answer with tokens PyJWT verifies against the pool's JWKS, once: twenty
concurrent tries, spread over the processes, give one set of tokens. AuthSessionValidity (3 to 15 minutes, default 3) and the
token validities are kept, described and checked with the service's messages. Every sign-in
gives a RefreshToken: REFRESH_TOKEN_AUTH answers new tokens of the same session (auth_time,
origin_jti) and no new refresh token; a touched, unknown or another client's token is refused
with the service's message, and so is one RevokeToken revoked or whose user was deleted.

Runs on every store and process count test_boto3.py does (see its docstring).
"""
import concurrent.futures
import json
import urllib.request
import uuid

import boto3
import botocore.exceptions
import jwt
import pytest
from botocore.config import Config

from test_boto3 import PUBLIC, ROOT, STORE, Server, error, secret_hash
from test_pools import new_client, new_pool, sign_up, stored

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


def discovery(server, pool_id):
    url = f"http://127.0.0.1:{server.port}/{pool_id}/.well-known/openid-configuration"
    with urllib.request.urlopen(url) as answer:
        return json.load(answer)


def verified(server, pool_id, token, **checks):
    """The claims of `token`, verified by PyJWT against the pool's JWKS as an app would."""
    config = discovery(server, pool_id)
    key = jwt.PyJWKClient(config["jwks_uri"]).get_signing_key_from_jwt(token).key
    return jwt.decode(token, key=key, algorithms=["RS256"], issuer=config["issuer"], **checks)


def signed_up_and_confirmed(server, client_id):
    """A new user signed up and confirmed with its sign-up session: its name, sub, email
    and sign-in session."""
    username = f"auto-{uuid.uuid4().hex[:8]}"
    email = f"{username}@example.com"
    signed_up = sign_up(server, client_id, username, UserAttributes=[{"Name": "email", "Value": email}])
    confirmed = server.client.confirm_sign_up(ClientId=client_id, Username=username,
                                              ConfirmationCode=server.code(username), Session=signed_up["Session"])
    return username, signed_up["UserSub"], email, confirmed["Session"]


def test_the_sign_in_session_signs_in_once_with_tokens_pyjwt_verifies(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=USER_AUTH)["ClientId"]
    username, sub, email, session = signed_up_and_confirmed(server, client_id)
    answer = server.client.initiate_auth(AuthFlow="USER_AUTH", ClientId=client_id,
                                         AuthParameters={"USERNAME": username}, Session=session)
    result = answer["AuthenticationResult"]
    assert (result["TokenType"], result["ExpiresIn"], answer["ChallengeParameters"]) == ("Bearer", 3600, {})
    claims = verified(server, pool_id, result["IdToken"], audience=client_id)
    assert (claims["token_use"], claims["sub"], claims["cognito:username"]) == ("id", sub, username)
    assert (claims["email"], claims["email_verified"]) == (email, True)
    assert claims["exp"] - claims["iat"] == 3600
    access = verified(server, pool_id, result["AccessToken"], options={"verify_aud": False})
    assert (access["token_use"], access["client_id"], access["username"]) == ("access", client_id, username)
    assert access["scope"] == "aws.cognito.signin.user.admin"
    # Once: the same session again is refused, with the message the service gives its
    # challenge sessions.
    with pytest.raises(server.client.exceptions.NotAuthorizedException) as refused:
        server.client.initiate_auth(AuthFlow="USER_AUTH", ClientId=client_id,
                                    AuthParameters={"USERNAME": username}, Session=session)
    assert error(refused) == ("NotAuthorizedException", "Invalid session for the user.")


def test_twenty_concurrent_sign_ins_with_one_session_give_one_set_of_tokens(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=USER_AUTH)["ClientId"]
    username, _, _, session = signed_up_and_confirmed(server, client_id)

    def attempt(_):
        try:
            server.client.initiate_auth(AuthFlow="USER_AUTH", ClientId=client_id,
                                        AuthParameters={"USERNAME": username}, Session=session)
            return "tokens"
        except server.client.exceptions.NotAuthorizedException as refused:
            return refused.response["Error"]["Message"]

    # Each call goes to the next process when there are several (test_boto3.Rotating).
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(attempt, range(20)))
    assert sorted(answers) == ["Invalid session for the user."] * 19 + ["tokens"]


def test_admin_initiate_auth_redeems_the_session_in_its_pool_only(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=USER_AUTH)["ClientId"]
    username, sub, _, session = signed_up_and_confirmed(server, client_id)
    other_pool = new_pool(server)
    with pytest.raises(server.client.exceptions.ResourceNotFoundException):
        server.client.admin_initiate_auth(UserPoolId=other_pool, ClientId=client_id, AuthFlow="USER_AUTH",
                                          AuthParameters={"USERNAME": username}, Session=session)
    answer = server.client.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="USER_AUTH",
                                               AuthParameters={"USERNAME": username}, Session=session)
    claims = verified(server, pool_id, answer["AuthenticationResult"]["IdToken"], audience=client_id)
    assert claims["sub"] == sub


def test_sign_in_refusals_use_the_services_exceptions_and_change_nothing(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=USER_AUTH)["ClientId"]
    username, _, _, session = signed_up_and_confirmed(server, client_id)
    calls = [
        ({"AuthFlow": "BOGUS_AUTH"}, "InvalidParameterException",
         "1 validation error detected: Value 'BOGUS_AUTH' at 'authFlow' failed to satisfy constraint: Member must "
         "satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, "
         "ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]"),
        ({"AuthParameters": {}}, "InvalidParameterException", "Missing required parameter USERNAME"),
        ({"Session": "x" * 82}, "NotAuthorizedException", "Invalid session for the user."),
        ({"AuthParameters": {"USERNAME": "somebody-else"}}, "NotAuthorizedException", "Invalid session for the user."),
        ({"ClientId": new_client(server, pool_id)["ClientId"]}, "InvalidParameterException",
         "USER_AUTH flow not enabled for this client"),
        ({"ClientId": "nosuchclient"}, "ResourceNotFoundException", "User pool client nosuchclient does not exist."),
        ({"AuthFlow": "USER_PASSWORD_AUTH"}, "InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client"),
    ]
    for changes, name, message in calls:
        request = {"AuthFlow": "USER_AUTH", "ClientId": client_id, "AuthParameters": {"USERNAME": username},
                   "Session": session, **changes}
        with pytest.raises(botocore.exceptions.ClientError) as refused:
            server.client.initiate_auth(**request)
        assert error(refused) == (name, message), changes
    # None of them spent the session.
    answer = server.client.initiate_auth(AuthFlow="USER_AUTH", ClientId=client_id,
                                         AuthParameters={"USERNAME": username}, Session=session)
    assert "IdToken" in answer["AuthenticationResult"]


def test_get_user_answers_for_the_access_token_and_refuses_any_other(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=USER_AUTH)["ClientId"]
    username, sub, email, session = signed_up_and_confirmed(server, client_id)
    tokens = server.client.initiate_auth(AuthFlow="USER_AUTH", ClientId=client_id,
                                         AuthParameters={"USERNAME": username},
                                         Session=session)["AuthenticationResult"]
    user = server.client.get_user(AccessToken=tokens["AccessToken"])
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert (user["Username"], attributes["sub"], attributes["email"], attributes["email_verified"]) == (
        username, sub, email, "true")
    head, payload, signature = tokens["AccessToken"].split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    for token in [f"{head}.{payload}.{flipped}", tokens["IdToken"], "not-a-token", f"{head}.{payload}."]:
        with pytest.raises(server.client.exceptions.NotAuthorizedException) as refused:
            server.client.get_user(AccessToken=token)
        assert error(refused) == ("NotAuthorizedException", "Invalid Access Token")
    # The user deleted: its tokens name nobody.
    server.client.admin_delete_user(UserPoolId=pool_id, Username=username)
    with pytest.raises(server.client.exceptions.UserNotFoundException) as refused:
        server.client.get_user(AccessToken=tokens["AccessToken"])
    assert error(refused) == ("UserNotFoundException", "User does not exist.")


def signed_in(server, client_id):
    """A new user signed in with its sign-up session: its name and AuthenticationResult."""
    username, _, _, session = signed_up_and_confirmed(server, client_id)
    answer = server.client.initiate_auth(AuthFlow="USER_AUTH", ClientId=client_id,
                                         AuthParameters={"USERNAME": username}, Session=session)
    return username, answer["AuthenticationResult"]


def refresh(server, client_id, token, flow="REFRESH_TOKEN_AUTH"):
    return server.client.initiate_auth(AuthFlow=flow, ClientId=client_id, AuthParameters={"REFRESH_TOKEN": token})


def test_a_sign_in_gives_a_refresh_token_that_refreshes_within_its_session(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=USER_AUTH)["ClientId"]
    username, result = signed_in(server, client_id)
    token = result["RefreshToken"]
    assert len(token) >= 43 and "." not in token
    first = verified(server, pool_id, result["IdToken"], audience=client_id)
    for flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        answer = refresh(server, client_id, token, flow)
        refreshed = answer["AuthenticationResult"]
        assert "RefreshToken" not in refreshed
        assert (refreshed["TokenType"], refreshed["ExpiresIn"], answer["ChallengeParameters"]) == ("Bearer", 3600, {})
        claims = verified(server, pool_id, refreshed["IdToken"], audience=client_id)
        assert (claims["sub"], claims["cognito:username"], claims["email"]) == (first["sub"], username, first["email"])
        assert (claims["auth_time"], claims["origin_jti"]) == (first["auth_time"], first["origin_jti"])
        assert claims["jti"] != first["jti"]
        access = verified(server, pool_id, refreshed["AccessToken"], options={"verify_aud": False})
        assert (access["auth_time"], access["origin_jti"], access["client_id"]) == (
            first["auth_time"], first["origin_jti"], client_id)
    answer = server.client.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                               AuthParameters={"REFRESH_TOKEN": token})
    assert "RefreshToken" not in answer["AuthenticationResult"]
    assert verified(server, pool_id, answer["AuthenticationResult"]["IdToken"], audience=client_id)["sub"] == first["sub"]


def test_a_touched_unknown_or_another_clients_refresh_token_is_refused(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=USER_AUTH)["ClientId"]
    other = new_client(server, pool_id, ExplicitAuthFlows=USER_AUTH)["ClientId"]
    _, result = signed_in(server, client_id)
    token = result["RefreshToken"]
    touched = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for client, sent in [(client_id, touched), (client_id, "x" * 100), (other, token)]:
        with pytest.raises(server.client.exceptions.NotAuthorizedException) as refused:
            refresh(server, client, sent)
        assert error(refused) == ("NotAuthorizedException", "Invalid Refresh Token"), (client, sent)
    with pytest.raises(server.client.exceptions.InvalidParameterException) as refused:
        server.client.initiate_auth(AuthFlow="REFRESH_TOKEN_AUTH", ClientId=client_id, AuthParameters={})
    assert error(refused) == ("InvalidParameterException", "Missing required parameter REFRESH_TOKEN")
    # None of them spoiled the token.
    assert "IdToken" in refresh(server, client_id, token)["AuthenticationResult"]


def test_revoke_token_makes_the_refresh_token_useless(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=USER_AUTH)["ClientId"]
    other = new_client(server, pool_id, ExplicitAuthFlows=USER_AUTH)["ClientId"]
    _, result = signed_in(server, client_id)
    token = result["RefreshToken"]
    # Another client may not revoke it (inferred: RFC 7009's refusal, as UnauthorizedException).
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        server.client.revoke_token(Token=token, ClientId=other)
    assert error(refused)[0] == "UnauthorizedException"
    assert "IdToken" in refresh(server, client_id, token)["AuthenticationResult"]
    # A token the server does not know: nothing to revoke, and no error.
    server.client.revoke_token(Token="x" * 100, ClientId=client_id)
    refreshed = refresh(server, client_id, token)["AuthenticationResult"]["AccessToken"]
    assert "Username" in server.client.get_user(AccessToken=refreshed)
    server.client.revoke_token(Token=token, ClientId=client_id)
    with pytest.raises(server.client.exceptions.NotAuthorizedException) as refused:
        refresh(server, client_id, token)
    assert error(refused) == ("NotAuthorizedException", "Refresh Token has been revoked")
    # The session's access tokens with it, the first and the refreshed one, as the service's
    # RevokeToken does.
    for access in (result["AccessToken"], refreshed):
        with pytest.raises(server.client.exceptions.NotAuthorizedException) as refused:
            server.client.get_user(AccessToken=access)
        assert error(refused) == ("NotAuthorizedException", "Access Token has been revoked")
    # Revoking again changes nothing.
    server.client.revoke_token(Token=token, ClientId=client_id)
    with pytest.raises(server.client.exceptions.ResourceNotFoundException):
        server.client.revoke_token(Token=token, ClientId="nosuchclient")


def test_a_client_without_refresh_token_auth_refuses_the_flow(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=["ALLOW_USER_AUTH", "ALLOW_USER_SRP_AUTH"])["ClientId"]
    _, result = signed_in(server, client_id)
    for flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        with pytest.raises(server.client.exceptions.InvalidParameterException) as refused:
            refresh(server, client_id, result["RefreshToken"], flow)
        assert error(refused) == ("InvalidParameterException", f"{flow} flow not enabled for this client")


def test_deleting_the_user_client_or_pool_deletes_its_refresh_tokens(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=USER_AUTH)["ClientId"]
    username, result = signed_in(server, client_id)
    server.client.admin_delete_user(UserPoolId=pool_id, Username=username)
    with pytest.raises(server.client.exceptions.NotAuthorizedException) as refused:
        refresh(server, client_id, result["RefreshToken"])
    assert error(refused) == ("NotAuthorizedException", "Invalid Refresh Token")
    doomed = new_client(server, pool_id, ExplicitAuthFlows=USER_AUTH)["ClientId"]
    signed_in(server, doomed)
    of_doomed = f"SELECT token_hash FROM refresh_tokens WHERE client_id = '{doomed}'"
    assert STORE == "memory" or len(stored(server, of_doomed)) == 1
    server.client.delete_user_pool_client(UserPoolId=pool_id, ClientId=doomed)
    assert STORE == "memory" or stored(server, of_doomed) == []
    if STORE != "memory":
        _, result = signed_in(server, client_id)
        hashes = stored(server, f"SELECT token_hash FROM refresh_tokens WHERE pool_id = '{pool_id}'")
        assert len(hashes) == 1 and result["RefreshToken"] not in hashes[0]
        server.client.delete_user_pool(UserPoolId=pool_id)
        assert stored(server, f"SELECT token_hash FROM refresh_tokens WHERE pool_id = '{pool_id}'") == []


def test_a_client_with_a_secret_refreshes_with_the_secret_hash_and_revokes_with_the_secret(server):
    pool_id = new_pool(server)
    created = new_client(server, pool_id, GenerateSecret=True, ExplicitAuthFlows=USER_AUTH)
    client_id, secret = created["ClientId"], created["ClientSecret"]
    username = f"secret-{uuid.uuid4().hex[:8]}"
    hashed = secret_hash(username, client_id, secret)
    signed_up = sign_up(server, client_id, username, SecretHash=hashed)
    confirmed = server.client.confirm_sign_up(ClientId=client_id, Username=username, SecretHash=hashed,
                                              ConfirmationCode=server.code(username), Session=signed_up["Session"])
    token = server.client.initiate_auth(
        AuthFlow="USER_AUTH", ClientId=client_id, AuthParameters={"USERNAME": username, "SECRET_HASH": hashed},
        Session=confirmed["Session"])["AuthenticationResult"]["RefreshToken"]
    for parameters, message in [
        ({}, f"Client {client_id} is configured with secret but SECRET_HASH was not received"),
        ({"SECRET_HASH": secret_hash("somebody", client_id, secret)}, f"Unable to verify secret hash for client {client_id}"),
    ]:
        with pytest.raises(server.client.exceptions.NotAuthorizedException) as refused:
            server.client.initiate_auth(AuthFlow="REFRESH_TOKEN_AUTH", ClientId=client_id,
                                        AuthParameters={"REFRESH_TOKEN": token, **parameters})
        assert error(refused) == ("NotAuthorizedException", message)
    # The secret hash is over the token's user's username.
    answer = server.client.initiate_auth(AuthFlow="REFRESH_TOKEN_AUTH", ClientId=client_id,
                                         AuthParameters={"REFRESH_TOKEN": token, "SECRET_HASH": hashed})
    assert "RefreshToken" not in answer["AuthenticationResult"]
    for extra in ({}, {"ClientSecret": secret[:-1] + ("a" if secret[-1] != "a" else "b")}):
        with pytest.raises(server.client.exceptions.NotAuthorizedException):
            server.client.revoke_token(Token=token, ClientId=client_id, **extra)
    server.client.revoke_token(Token=token, ClientId=client_id, ClientSecret=secret)
    with pytest.raises(server.client.exceptions.NotAuthorizedException) as refused:
        server.client.initiate_auth(AuthFlow="REFRESH_TOKEN_AUTH", ClientId=client_id,
                                    AuthParameters={"REFRESH_TOKEN": token, "SECRET_HASH": hashed})
    assert error(refused) == ("NotAuthorizedException", "Refresh Token has been revoked")


def test_each_pool_signs_with_keys_of_its_own(server):
    """A verifier that trusts one pool's JWKS accepts no other pool's tokens, whether or not
    it checks `iss`, as with the service's pools."""
    pool_a, pool_b = new_pool(server), new_pool(server)
    client_id = new_client(server, pool_a, ExplicitAuthFlows=USER_AUTH)["ClientId"]
    _, result = signed_in(server, client_id)
    keys = {pool: json.load(urllib.request.urlopen(discovery(server, pool)["jwks_uri"]))["keys"]
            for pool in (pool_a, pool_b)}
    assert not {key["kid"] for key in keys[pool_a]} & {key["kid"] for key in keys[pool_b]}
    assert {key["n"] for key in keys[pool_a]}.isdisjoint(key["n"] for key in keys[pool_b])
    for token in (result["IdToken"], result["AccessToken"]):
        kid = jwt.get_unverified_header(token)["kid"]
        assert kid in {key["kid"] for key in keys[pool_a]}
        for key in keys[pool_b]:
            with pytest.raises(jwt.InvalidSignatureError):
                jwt.decode(token, key=jwt.PyJWK(key).key, algorithms=["RS256"],
                           options={"verify_aud": False, "verify_iss": False})


def test_the_readme_walk_runs_as_written():
    """The root README's boto3 block, run as a reader would: its server's address, app
    client and outbox filled in."""
    readme = (ROOT / "README.md").read_text()
    start = readme.index("```python\nimport json, time, boto3\n") + len("```python\n")
    block = readme[start:readme.index("```", start)]
    server = Server(hide_users=False, ttl=86400, clients=[
        {"client_id": PUBLIC, "client_secret": None,
         "explicit_auth_flows": ["ALLOW_USER_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}])
    try:
        block = block.replace("http://127.0.0.1:9229", f"http://127.0.0.1:{server.port}")
        exec(compile(block, "README.md", "exec"), {"CLIENT_ID": PUBLIC, "OUTBOX": str(server.outbox)})
    finally:
        server.stop()
