"""Passwords and sign-out, with boto3.

USER_PASSWORD_AUTH (InitiateAuth) and ADMIN_USER_PASSWORD_AUTH (AdminInitiateAuth) check the
password against its argon2id hash and answer tokens PyJWT verifies. A wrong password is
NotAuthorizedException "Incorrect username or password."; an unconfirmed user's right password
UserNotConfirmedException; an unknown user UserNotFoundException, or under
PreventUserExistenceErrors the answer a wrong password gets, after the same work (the latency
medians within 1.5x). Attempts are counted before the password is checked: twenty wrong
passwords at once, spread over the processes, get five checks and fifteen "Password attempts
exceeded", and the right password during the lock-out is refused too. GlobalSignOut and
AdminUserGlobalSignOut make the user's refresh and access tokens useless.

Runs on every store and process count test_boto3.py does (see its docstring).
"""
import concurrent.futures
import statistics
import time
import uuid

import botocore.exceptions
import pytest

from test_boto3 import Server, error
from test_pools import new_client, new_pool, sign_up
from test_sessions import verified

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")
EXCEEDED = ("NotAuthorizedException", "Password attempts exceeded")


@pytest.fixture(scope="module")
def server():
    server = Server(hide_users=False, ttl=86400)
    yield server
    server.stop()


def confirmed_user(server, client_id, password="Passw0rd!"):
    username = f"pw-{uuid.uuid4().hex[:8]}"
    sign_up(server, client_id, username, password=password)
    server.client.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=server.code(username))
    return username


def password_sign_in(server, client_id, username, password):
    return server.client.initiate_auth(AuthFlow="USER_PASSWORD_AUTH", ClientId=client_id,
                                       AuthParameters={"USERNAME": username, "PASSWORD": password})


def answer(call):
    """"tokens", or the refusal's (type, message)."""
    try:
        call()
        return "tokens"
    except botocore.exceptions.ClientError as refused:
        return refused.response["Error"]["Code"], refused.response["Error"]["Message"]


def test_the_right_password_signs_in_with_tokens_pyjwt_verifies(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    username = confirmed_user(server, client_id)
    result = password_sign_in(server, client_id, username, "Passw0rd!")["AuthenticationResult"]
    claims = verified(server, pool_id, result["IdToken"], audience=client_id)
    assert (claims["token_use"], claims["cognito:username"]) == ("id", username)
    assert result["RefreshToken"]
    admin = server.client.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id,
                                              AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                              AuthParameters={"USERNAME": username, "PASSWORD": "Passw0rd!"})
    access = verified(server, pool_id, admin["AuthenticationResult"]["AccessToken"], options={"verify_aud": False})
    assert (access["token_use"], access["username"]) == ("access", username)
    assert server.client.get_user(AccessToken=admin["AuthenticationResult"]["AccessToken"])["Username"] == username


def test_password_refusals_use_the_services_exceptions(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    username = confirmed_user(server, client_id)
    signed = lambda name, password: answer(lambda: password_sign_in(server, client_id, name, password))
    assert signed(username, "Passw0rd?") == INCORRECT
    assert signed("nobody-" + uuid.uuid4().hex[:8], "Passw0rd!") == ("UserNotFoundException", "User does not exist.")
    unconfirmed = f"pw-{uuid.uuid4().hex[:8]}"
    sign_up(server, client_id, unconfirmed)
    # Only someone who knows the password learns that the user is unconfirmed.
    assert signed(unconfirmed, "Passw0rd?") == INCORRECT
    assert signed(unconfirmed, "Passw0rd!") == ("UserNotConfirmedException", "User is not confirmed.")
    missing = answer(lambda: server.client.initiate_auth(AuthFlow="USER_PASSWORD_AUTH", ClientId=client_id,
                                                         AuthParameters={"USERNAME": username}))
    assert missing == ("InvalidParameterException", "Missing required parameter PASSWORD")
    # The flows of the other operation, and a flow the client does not allow.
    admin_flow = answer(lambda: server.client.initiate_auth(
        AuthFlow="ADMIN_USER_PASSWORD_AUTH", ClientId=client_id,
        AuthParameters={"USERNAME": username, "PASSWORD": "Passw0rd!"}))
    assert admin_flow == ("InvalidParameterException", "Initiate Auth method not supported.")
    srp_only = new_client(server, pool_id, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])["ClientId"]
    refused = answer(lambda: password_sign_in(server, srp_only, username, "Passw0rd!"))
    assert refused == ("InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")
    # None of it locked the user out: the refusals before the check were not counted.
    assert signed(username, "Passw0rd!") == "tokens"


def test_twenty_wrong_passwords_at_once_get_five_checks_then_the_lockout(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    username = confirmed_user(server, client_id)

    def attempt(_):
        return answer(lambda: password_sign_in(server, client_id, username, "Wr0ng-password"))

    # Each call goes to the next process when there are several (test_boto3.Rotating).
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(attempt, range(20)))
    assert sorted(answers) == sorted([INCORRECT] * 5 + [EXCEEDED] * 15)
    # Counted before the check: the right password is refused during the lock-out, ...
    assert answer(lambda: password_sign_in(server, client_id, username, "Passw0rd!")) == EXCEEDED
    # ... signs in once it is over (a second after the fifth failure), and starts afresh.
    time.sleep(1.1)
    assert answer(lambda: password_sign_in(server, client_id, username, "Passw0rd!")) == "tokens"
    for _ in range(5):
        assert attempt(0) == INCORRECT
    assert attempt(0) == EXCEEDED


def test_an_unknown_user_is_answered_and_locked_out_as_a_wrong_password_when_hidden(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=FLOWS,
                           PreventUserExistenceErrors="ENABLED")["ClientId"]
    username = confirmed_user(server, client_id)
    nobody = "nobody-" + uuid.uuid4().hex[:8]
    for name in (username, nobody):
        answers = [answer(lambda: password_sign_in(server, client_id, name, "Wr0ng-password")) for _ in range(6)]
        assert answers == [INCORRECT] * 5 + [EXCEEDED], name


def test_an_unknown_user_takes_the_work_of_a_wrong_password(server):
    """The medians of the two latencies, measured interleaved, are within 1.5x: without the
    stand-in hash an unknown user answers in a fraction of an argon2id's time."""
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=FLOWS,
                           PreventUserExistenceErrors="ENABLED")["ClientId"]
    users = [confirmed_user(server, client_id) for _ in range(4)]
    known, unknown = [], []
    for _ in range(4):
        for username in users:
            for name, times in ((username, known), ("nobody-" + uuid.uuid4().hex[:8], unknown)):
                started = time.perf_counter()
                assert answer(lambda: password_sign_in(server, client_id, name, "Wr0ng-password")) == INCORRECT
                times.append(time.perf_counter() - started)
    known_median, unknown_median = statistics.median(known), statistics.median(unknown)
    ratio = max(known_median, unknown_median) / min(known_median, unknown_median)
    assert ratio < 1.5, (known_median, unknown_median)


def test_global_sign_out_makes_every_token_of_the_user_useless(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    username = confirmed_user(server, client_id)
    first = password_sign_in(server, client_id, username, "Passw0rd!")["AuthenticationResult"]
    second = password_sign_in(server, client_id, username, "Passw0rd!")["AuthenticationResult"]
    signed_out = server.client.global_sign_out(AccessToken=first["AccessToken"])
    assert set(signed_out) == {"ResponseMetadata"}
    for tokens in (first, second):
        refused = answer(lambda: server.client.get_user(AccessToken=tokens["AccessToken"]))
        assert refused == ("NotAuthorizedException", "Access Token has been revoked")
        refreshed = answer(lambda: server.client.initiate_auth(
            AuthFlow="REFRESH_TOKEN_AUTH", ClientId=client_id,
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]}))
        assert refreshed == ("NotAuthorizedException", "Refresh Token has been revoked")
    # A new sign-in works, until the administrator signs the user out everywhere.
    third = password_sign_in(server, client_id, username, "Passw0rd!")["AuthenticationResult"]
    assert server.client.get_user(AccessToken=third["AccessToken"])["Username"] == username
    server.client.admin_user_global_sign_out(UserPoolId=pool_id, Username=username)
    refused = answer(lambda: server.client.get_user(AccessToken=third["AccessToken"]))
    assert refused == ("NotAuthorizedException", "Access Token has been revoked")
    unknown = answer(lambda: server.client.admin_user_global_sign_out(UserPoolId=pool_id, Username="nobody"))
    assert unknown == ("UserNotFoundException", "User does not exist.")
