"""Password reset, with boto3 and pycognito.

ForgotPassword sends a code to the user's verified phone number, else email (the outbox's
`password_reset_code`), and answers where it went, masked; ConfirmForgotPassword redeems it
with a new password that keeps the policy: the user CONFIRMED, the old password refused,
the new one signing in (SRP included). The code lives an hour, five attempts, five codes an
hour; one code changes one password once, however many requests race for it.
AdminResetUserPassword makes the user RESET_REQUIRED (PasswordResetRequiredException at sign
in, for whoever knows the password) and sends a code. Under PreventUserExistenceErrors an
unknown name is answered as a user is, and every code for it is a mismatch.

Runs on every store and process count test_boto3.py does (see its docstring).
"""
import concurrent.futures
import re
import time
import uuid

import botocore.exceptions
import pytest

from test_boto3 import Server, error
from test_clock import advance
from test_pools import new_client, new_pool

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
NOTHING_VERIFIED = ("InvalidParameterException", "Cannot reset password for the user as there is no "
                    "registered/verified email or phone_number")
NOT_NOW = ("NotAuthorizedException", "User password cannot be reset in the current state.")
MISMATCH = ("CodeMismatchException", "Invalid verification code provided, please try again.")
LIMIT = ("LimitExceededException", "Attempt limit exceeded, please try after some time.")


@pytest.fixture(scope="module")
def server():
    server = Server(hide_users=False, ttl=86400, test_clock=True)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def pool(server):
    pool_id = new_pool(server, AliasAttributes=["email"])
    legacy = new_client(server, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    hiding = new_client(server, pool_id, ExplicitAuthFlows=FLOWS,
                        PreventUserExistenceErrors="ENABLED")["ClientId"]
    return pool_id, legacy, hiding


def reset_codes(server, username, count=1):
    """The reset codes the outbox holds for `username`, once it holds `count`."""
    deadline = time.monotonic() + 10
    while True:
        sent = [entry["password_reset_code"] for entry in server.codes(username)
                if "password_reset_code" in entry]
        if len(sent) >= count:
            return sent
        assert time.monotonic() < deadline, f"no reset code for {username}"
        time.sleep(0.01)


def confirmed_user(server, pool_id, client_id):
    """A user signed up and confirmed by code: their email verified."""
    username = f"reset-{uuid.uuid4().hex[:8]}"
    server.client.sign_up(ClientId=client_id, Username=username, Password="Passw0rd!",
                          UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])
    server.client.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=server.code(username))
    return username


def sign_in(server, client_id, username, password):
    return server.client.initiate_auth(AuthFlow="USER_PASSWORD_AUTH", ClientId=client_id,
                                       AuthParameters={"USERNAME": username, "PASSWORD": password})


def confirm(server, client_id, username, code, password="R3set-Passw0rd!"):
    return server.client.confirm_forgot_password(ClientId=client_id, Username=username,
                                                 ConfirmationCode=code, Password=password)


def refused(call, *args, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        call(*args, **kwargs)
    return error(excinfo)


def test_a_forgotten_password_is_reset_with_the_code_and_the_new_one_signs_in(server, pool):
    from pycognito.aws_srp import AWSSRP
    pool_id, client_id, _ = pool
    username = confirmed_user(server, pool_id, client_id)
    sent = server.client.forgot_password(ClientId=client_id, Username=username)
    assert sent["CodeDeliveryDetails"] == {
        "Destination": "r***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    code = reset_codes(server, username)[-1]
    # A password the policy refuses, and a wrong code, leave the code usable.
    weak = refused(confirm, server, client_id, username, code, password="weak")
    assert weak[0] == "InvalidPasswordException" and weak[1].startswith("Password does not conform to policy")
    wrong = "000000" if code != "000000" else "111111"
    assert refused(confirm, server, client_id, username, wrong) == MISMATCH
    assert confirm(server, client_id, username, code)["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert server.client.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"] == "CONFIRMED"
    assert refused(sign_in, server, client_id, username, "Passw0rd!") == (
        "NotAuthorizedException", "Incorrect username or password.")
    assert "AuthenticationResult" in sign_in(server, client_id, username, "R3set-Passw0rd!")
    # The new password's SRP verifier was stored with it.
    srp = AWSSRP(username=username, password="R3set-Passw0rd!", pool_id=pool_id, client_id=client_id,
                 client=server.client)
    assert "IdToken" in srp.authenticate_user()["AuthenticationResult"]
    # The code is spent.
    assert refused(confirm, server, client_id, username, code, password="Other-Passw0rd!") == MISMATCH
    # By the verified email too, in a pool where it is an alias.
    email_sent = server.client.forgot_password(ClientId=client_id, Username=f"{username}@example.com")
    assert email_sent["CodeDeliveryDetails"]["AttributeName"] == "email"
    assert len(reset_codes(server, username, 2)) == 2


def test_who_cannot_reset_is_told_as_the_service_tells_them(server, pool):
    pool_id, client_id, _ = pool
    assert refused(server.client.forgot_password, ClientId=client_id, Username="nobody-at-all") == (
        "UserNotFoundException", "Username/client id combination not found.")
    unconfirmed = f"unconfirmed-{uuid.uuid4().hex[:6]}"
    server.client.sign_up(ClientId=client_id, Username=unconfirmed, Password="Passw0rd!",
                          UserAttributes=[{"Name": "email", "Value": f"{unconfirmed}@example.com"}])
    assert refused(server.client.forgot_password, ClientId=client_id, Username=unconfirmed) == NOTHING_VERIFIED
    invited = f"invited-{uuid.uuid4().hex[:6]}"
    server.client.admin_create_user(
        UserPoolId=pool_id, Username=invited, MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": f"{invited}@example.com"},
                        {"Name": "email_verified", "Value": "true"}])
    assert refused(server.client.forgot_password, ClientId=client_id, Username=invited) == NOT_NOW
    assert refused(server.client.forgot_password, ClientId="nosuchclient1234567890", Username=invited)[0] == (
        "ResourceNotFoundException")
    assert refused(confirm, server, client_id, "nobody-at-all", "123456")[0] == "UserNotFoundException"
    for name in [unconfirmed, invited]:
        assert not [entry for entry in server.codes(name) if "password_reset_code" in entry]


def test_an_unknown_name_is_answered_as_a_user_is_when_the_client_hides_users(server, pool):
    pool_id, _, client_id = pool
    username = confirmed_user(server, pool_id, client_id)
    nobody = f"nobody-{uuid.uuid4().hex[:8]}"
    real = server.client.forgot_password(ClientId=client_id, Username=username)["CodeDeliveryDetails"]
    first = server.client.forgot_password(ClientId=client_id, Username=nobody)["CodeDeliveryDetails"]
    again = server.client.forgot_password(ClientId=client_id, Username=nobody)["CodeDeliveryDetails"]
    assert first == again and first["DeliveryMedium"] == real["DeliveryMedium"] == "EMAIL"
    assert re.fullmatch(r"[a-z]\*\*\*@[a-z]\*\*\*", first["Destination"]), first
    assert server.codes(nobody) == []
    # Five codes an hour, for a name nobody holds as for a user.
    for _ in range(3):
        server.client.forgot_password(ClientId=client_id, Username=nobody)
        server.client.forgot_password(ClientId=client_id, Username=username)
    server.client.forgot_password(ClientId=client_id, Username=username)
    assert refused(server.client.forgot_password, ClientId=client_id, Username=nobody) == LIMIT
    assert refused(server.client.forgot_password, ClientId=client_id, Username=username) == LIMIT
    # Every code for nobody is a mismatch, counted as a user's: five, then the limit.
    answers = [refused(confirm, server, client_id, nobody, f"{n:06}") for n in range(6)]
    assert answers == [MISMATCH] * 5 + [LIMIT]
    # A user with nothing verified is answered as nobody is.
    unconfirmed = f"unconfirmed-{uuid.uuid4().hex[:6]}"
    server.client.sign_up(ClientId=client_id, Username=unconfirmed, Password="Passw0rd!",
                          UserAttributes=[{"Name": "email", "Value": f"{unconfirmed}@example.com"}])
    shown = server.client.forgot_password(ClientId=client_id, Username=unconfirmed)["CodeDeliveryDetails"]
    assert shown["DeliveryMedium"] == "EMAIL"
    assert not [entry for entry in server.codes(unconfirmed) if "password_reset_code" in entry]


def test_who_could_not_be_sent_a_code_is_counted_as_nobody_is_when_the_client_hides_users(server, pool):
    pool_id, _, client_id = pool
    unconfirmed = f"unconfirmed-{uuid.uuid4().hex[:6]}"
    server.client.sign_up(ClientId=client_id, Username=unconfirmed, Password="Passw0rd!",
                          UserAttributes=[{"Name": "email", "Value": f"{unconfirmed}@example.com"}])
    invited = f"invited-{uuid.uuid4().hex[:6]}"
    server.client.admin_create_user(
        UserPoolId=pool_id, Username=invited, MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": f"{invited}@example.com"},
                        {"Name": "email_verified", "Value": "true"}])
    nobody = f"nobody-{uuid.uuid4().hex[:8]}"

    def probe(name):
        """Ends a code with six wrong ones, has another sent, and tries it once."""
        server.client.forgot_password(ClientId=client_id, Username=name)
        first = [refused(confirm, server, client_id, name, f"{n:06}") for n in range(6)]
        server.client.forgot_password(ClientId=client_id, Username=name)
        return first + [refused(confirm, server, client_id, name, "999999")]

    expected = [MISMATCH] * 5 + [LIMIT, MISMATCH]
    assert probe(nobody) == probe(unconfirmed) == probe(invited) == expected
    assert not [entry for entry in server.codes(invited) + server.codes(unconfirmed)
                if "password_reset_code" in entry]


def test_an_address_nobody_holds_is_shown_as_an_address_somebody_holds_would_be(server, pool):
    pool_id, _, client_id = pool
    username = confirmed_user(server, pool_id, client_id)
    held = server.client.forgot_password(ClientId=client_id, Username=f"{username}@example.com")
    free = server.client.forgot_password(ClientId=client_id, Username="somebody-else@nowhere.example")
    assert held["CodeDeliveryDetails"] == {
        "Destination": "r***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    assert free["CodeDeliveryDetails"] == {
        "Destination": "s***@n***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}


def test_five_wrong_codes_end_the_code_and_a_new_one_resets(server, pool):
    pool_id, client_id, _ = pool
    username = confirmed_user(server, pool_id, client_id)
    server.client.forgot_password(ClientId=client_id, Username=username)
    code = reset_codes(server, username)[-1]
    wrong = [f"{n:06}" for n in range(10) if f"{n:06}" != code][:5]
    assert [refused(confirm, server, client_id, username, guess) for guess in wrong] == [MISMATCH] * 5
    assert refused(confirm, server, client_id, username, code) == LIMIT
    server.client.forgot_password(ClientId=client_id, Username=username)
    confirm(server, client_id, username, reset_codes(server, username, 2)[-1])
    assert "AuthenticationResult" in sign_in(server, client_id, username, "R3set-Passw0rd!")


def test_one_code_resets_one_password_once_however_many_race_for_it(server, pool):
    pool_id, client_id, _ = pool
    username = confirmed_user(server, pool_id, client_id)
    server.client.forgot_password(ClientId=client_id, Username=username)
    code = reset_codes(server, username)[-1]

    def attempt(n):
        try:
            confirm(server, client_id, username, code, password=f"Racer-{n:02}-Passw0rd!")
            return n
        except botocore.exceptions.ClientError as failed:
            return failed.response["Error"]["Code"]

    with concurrent.futures.ThreadPoolExecutor(20) as pool_of_threads:
        results = list(pool_of_threads.map(attempt, range(20)))
    winners = [result for result in results if isinstance(result, int)]
    assert len(winners) == 1, results
    # The others find the code spent: each is counted as a wrong code is, up to the limit.
    losers = {"CodeMismatchException", "ExpiredCodeException", "LimitExceededException"}
    assert set(results) - set(winners) <= losers, results
    assert "AuthenticationResult" in sign_in(server, client_id, username, f"Racer-{winners[0]:02}-Passw0rd!")


def test_twenty_concurrent_wrong_codes_compare_exactly_five(server, pool):
    pool_id, client_id, _ = pool
    username = confirmed_user(server, pool_id, client_id)
    server.client.forgot_password(ClientId=client_id, Username=username)
    code = reset_codes(server, username)[-1]
    guesses = [f"{n:06}" for n in range(30) if f"{n:06}" != code][:20]

    def attempt(guess):
        try:
            confirm(server, client_id, username, guess)
            return "reset"
        except botocore.exceptions.ClientError as failed:
            return failed.response["Error"]["Code"]

    with concurrent.futures.ThreadPoolExecutor(20) as pool_of_threads:
        results = list(pool_of_threads.map(attempt, guesses))
    assert results.count("CodeMismatchException") == 5, results
    assert results.count("LimitExceededException") == 15, results


def test_a_reset_code_expires_after_an_hour(server, pool):
    pool_id, client_id, _ = pool
    username = confirmed_user(server, pool_id, client_id)
    server.client.forgot_password(ClientId=client_id, Username=username)
    code = reset_codes(server, username)[-1]
    advance(server, 3601)
    assert refused(confirm, server, client_id, username, code) == (
        "ExpiredCodeException", "Invalid code provided, please request a code again.")
    assert "AuthenticationResult" in sign_in(server, client_id, username, "Passw0rd!")


def test_a_password_set_by_an_administrator_ends_a_pending_reset(server, pool):
    pool_id, client_id, _ = pool
    username = confirmed_user(server, pool_id, client_id)
    server.client.forgot_password(ClientId=client_id, Username=username)
    code = reset_codes(server, username)[-1]
    server.client.admin_set_user_password(UserPoolId=pool_id, Username=username, Password="Admin-Passw0rd!",
                                          Permanent=True)
    assert refused(confirm, server, client_id, username, code) == MISMATCH
    assert "AuthenticationResult" in sign_in(server, client_id, username, "Admin-Passw0rd!")


def test_an_administrator_makes_a_user_reset_their_password(server, pool):
    pool_id, client_id, _ = pool
    username = confirmed_user(server, pool_id, client_id)
    server.client.admin_reset_user_password(UserPoolId=pool_id, Username=username)
    assert server.client.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"] == "RESET_REQUIRED"
    code = reset_codes(server, username)[-1]
    # Only who knows the password learns that it must be reset.
    assert refused(sign_in, server, client_id, username, "Passw0rd!") == (
        "PasswordResetRequiredException", "Password reset required for the user")
    assert refused(sign_in, server, client_id, username, "Wr0ng-Passw0rd!")[0] == "NotAuthorizedException"
    # Again: a new code, the status unchanged.
    server.client.admin_reset_user_password(UserPoolId=pool_id, Username=username)
    codes = reset_codes(server, username, 2)
    if codes[0] != codes[1]:
        assert refused(confirm, server, client_id, username, codes[0])[0] == "ExpiredCodeException"
    confirm(server, client_id, username, codes[1])
    assert server.client.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"] == "CONFIRMED"
    assert "AuthenticationResult" in sign_in(server, client_id, username, "R3set-Passw0rd!")


def test_an_administrator_cannot_reset_who_the_service_would_not(server, pool):
    pool_id, client_id, _ = pool
    reset = server.client.admin_reset_user_password
    assert refused(reset, UserPoolId=pool_id, Username="nobody-at-all") == (
        "UserNotFoundException", "User does not exist.")
    invited = f"invited-{uuid.uuid4().hex[:6]}"
    server.client.admin_create_user(UserPoolId=pool_id, Username=invited, MessageAction="SUPPRESS")
    assert refused(reset, UserPoolId=pool_id, Username=invited) == NOT_NOW
    server.client.admin_set_user_password(UserPoolId=pool_id, Username=invited, Password="Passw0rd!",
                                          Permanent=True)
    assert refused(reset, UserPoolId=pool_id, Username=invited) == NOTHING_VERIFIED
    assert server.client.admin_get_user(UserPoolId=pool_id, Username=invited)["UserStatus"] == "CONFIRMED"
    assert refused(reset, UserPoolId="us-east-1_nosuchpool", Username=invited)[0] == "ResourceNotFoundException"
