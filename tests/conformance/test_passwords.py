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
import math
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


def lockouts_passed(seconds):
    """How many lock-outs a burst of `seconds` may have outlasted after the fifth failure:
    they last 1 s, then 2 s, 4 s, ..."""
    return int(math.log2(seconds + 1))


def refused_within_the_lockout(call, fifth_started, usual):
    """`call`'s answer, made while the lock-out after a fifth failure (whose call started at
    `fifth_started`) should hold: `Password attempts exceeded` when the call ended within the
    lock-out's second; on a machine too slow for that, the lock-out may have passed and
    `usual` is the answer."""
    answered = answer(call)
    if time.monotonic() - fifth_started < 1.0:
        assert answered == EXCEEDED
    else:
        assert answered in (EXCEEDED, usual)
    return answered


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
    # None of it was counted: refused before the check, five of them and three more wrong
    # passwords (four counted in all) leave the right password its sign-in.
    for _ in range(5):
        assert missing == answer(lambda: server.client.initiate_auth(
            AuthFlow="USER_PASSWORD_AUTH", ClientId=client_id, AuthParameters={"USERNAME": username}))
    for _ in range(3):
        assert signed(username, "Passw0rd?") == INCORRECT
    assert signed(username, "Passw0rd!") == "tokens"


def test_twenty_wrong_passwords_at_once_get_five_checks_then_the_lockout(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    username = confirmed_user(server, client_id)

    def attempt(_):
        return answer(lambda: password_sign_in(server, client_id, username, "Wr0ng-password"))

    # Each call goes to the next process when there are several (test_boto3.Rotating).
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(attempt, range(20)))
    checked = answers.count(INCORRECT)
    # Five checked before the first lock-out (all of a burst within its second: five exactly);
    # one more only as each lock-out passes.
    assert 5 <= checked <= 5 + lockouts_passed(time.monotonic() - started), answers
    assert answers.count(EXCEEDED) == 20 - checked, answers
    # Counted before the check: the right password is refused during the lock-out, ...
    right = lambda: password_sign_in(server, client_id, username, "Passw0rd!")
    refused_within_the_lockout(right, started, "tokens")
    # ... signs in once it is over, and starts the count afresh.
    time.sleep(2 ** (checked - 5) + 0.1)
    assert answer(right) == "tokens"
    for _ in range(4):
        assert attempt(0) == INCORRECT
    fifth = time.monotonic()
    assert attempt(0) == INCORRECT
    wrong = lambda: password_sign_in(server, client_id, username, "Wr0ng-password")
    refused_within_the_lockout(wrong, fifth, INCORRECT)


def test_an_unknown_user_is_answered_and_locked_out_as_a_wrong_password_when_hidden(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=FLOWS,
                           PreventUserExistenceErrors="ENABLED")["ClientId"]
    username = confirmed_user(server, client_id)
    nobody = "nobody-" + uuid.uuid4().hex[:8]
    wrong = lambda name: answer(lambda: password_sign_in(server, client_id, name, "Wr0ng-password"))
    for name in (username, nobody):
        assert [wrong(name) for _ in range(4)] == [INCORRECT] * 4, name
        fifth = time.monotonic()
        assert wrong(name) == INCORRECT, name
        refused_within_the_lockout(lambda: password_sign_in(server, client_id, name, "Wr0ng-password"), fifth,
                                   INCORRECT)


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


def test_a_password_sign_in_spends_the_confirmations_session(server):
    """The confirmation's session is good for the first sign-in after confirmation only."""
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=FLOWS + ["ALLOW_USER_AUTH"])["ClientId"]
    username = f"pw-{uuid.uuid4().hex[:8]}"
    signed_up = sign_up(server, client_id, username)
    confirmed = server.client.confirm_sign_up(ClientId=client_id, Username=username, Session=signed_up["Session"],
                                              ConfirmationCode=server.code(username))
    assert password_sign_in(server, client_id, username, "Passw0rd!")["AuthenticationResult"]["IdToken"]
    spent = answer(lambda: server.client.initiate_auth(AuthFlow="USER_AUTH", ClientId=client_id,
                                                       AuthParameters={"USERNAME": username},
                                                       Session=confirmed["Session"]))
    assert spent == ("NotAuthorizedException", "Invalid session for the user.")
