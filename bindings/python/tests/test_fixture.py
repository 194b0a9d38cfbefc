"""The fixture as its users use it: nothing here but `cognito_server` and boto3."""
import fcntl
import threading

import botocore.exceptions
import pytest

from confirmation_flow_server import NoCodeSent, ServerError


def sign_up(cognito_server, pool, username):
    cognito_server.client().sign_up(
        ClientId=pool.client_id, Username=username, Password="Passw0rd!",
        UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])


def refused(call, **request):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        call(**request)
    return excinfo.value.response["Error"]["Code"]


def test_sign_up_confirm_and_sign_in(cognito_server):
    pool = cognito_server.create_pool()
    cognito = cognito_server.client()
    sign_up(cognito_server, pool, "alice")
    code = cognito_server.code("alice")
    assert len(code) == 6 and code.isdigit()
    cognito.confirm_sign_up(ClientId=pool.client_id, Username="alice", ConfirmationCode=code)
    assert cognito.admin_get_user(UserPoolId=pool.pool_id, Username="alice")["UserStatus"] == "CONFIRMED"
    tokens = cognito.initiate_auth(ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
    assert "AccessToken" in tokens["AuthenticationResult"]


def test_a_wrong_code_is_refused_and_changes_nothing(cognito_server):
    pool = cognito_server.create_pool()
    cognito = cognito_server.client()
    sign_up(cognito_server, pool, "bob")
    code = cognito_server.code("bob")
    wrong = "000000" if code != "000000" else "111111"
    assert refused(cognito.confirm_sign_up, ClientId=pool.client_id, Username="bob",
                   ConfirmationCode=wrong) == "CodeMismatchException"
    assert cognito.admin_get_user(UserPoolId=pool.pool_id, Username="bob")["UserStatus"] == "UNCONFIRMED"


def test_the_code_expires_after_a_day_on_the_servers_clock(cognito_server):
    pool = cognito_server.create_pool()
    cognito = cognito_server.client()
    sign_up(cognito_server, pool, "carol")
    code = cognito_server.code("carol")
    cognito_server.advance(24 * 3600)
    assert refused(cognito.confirm_sign_up, ClientId=pool.client_id, Username="carol",
                   ConfirmationCode=code) == "ExpiredCodeException"


def test_right_after_a_resend_the_code_is_the_new_one_however_late_it_is_written(cognito_server):
    pool = cognito_server.create_pool()
    cognito = cognito_server.client()
    sign_up(cognito_server, pool, "dave")
    replaced = cognito_server.code("dave", pool)
    # The server locks the outbox to write a line: holding it holds the new code back.
    with open(cognito_server.outbox, "a") as outbox:
        fcntl.flock(outbox, fcntl.LOCK_EX)
        cognito.resend_confirmation_code(ClientId=pool.client_id, Username="dave")
        found = []
        reader = threading.Thread(target=lambda: found.append(cognito_server.code("dave", pool)))
        reader.start()
        reader.join(timeout=1)
        assert reader.is_alive() and not found, "code() answered before the new code was written"
        fcntl.flock(outbox, fcntl.LOCK_UN)
    reader.join(timeout=10)
    [newest] = found
    assert len(cognito_server.sent("dave", pool)) == 2
    # The replaced code would be refused as expired: the newest confirms.
    cognito.confirm_sign_up(ClientId=pool.client_id, Username="dave", ConfirmationCode=newest)
    assert newest != replaced or cognito_server.sent("dave", pool)[0]["code"] == replaced


def test_a_code_not_sent_says_why(cognito_server):
    pool = cognito_server.create_pool()
    cognito = cognito_server.client()
    # One address gets one account's codes an hour (six: a sign-up's and five resends),
    # however many accounts name it: a seventh is not sent.
    for username in ["erin", "erin-again"]:
        cognito.sign_up(ClientId=pool.client_id, Username=username, Password="Passw0rd!",
                        UserAttributes=[{"Name": "email", "Value": "erin@example.com"}])
        if username == "erin":
            for _ in range(5):
                cognito.resend_confirmation_code(ClientId=pool.client_id, Username="erin")
    assert len(cognito_server.sent("erin", pool)) == 6
    assert cognito_server.code("erin", pool)
    with pytest.raises(NoCodeSent, match="erin-again.*not sent: its destination"):
        cognito_server.code("erin-again", pool)


def test_codes_are_told_apart_by_pool(cognito_server):
    first, second = cognito_server.create_pool(), cognito_server.create_pool()
    sign_up(cognito_server, first, "frank")
    with pytest.raises(NoCodeSent, match="frank"):
        cognito_server.code("frank", second, timeout=0.2)
    assert cognito_server.code("frank", first) == cognito_server.code("frank")


def test_a_name_sent_codes_in_two_pools_needs_its_pool(cognito_server):
    first, second = cognito_server.create_pool(), cognito_server.create_pool()
    sign_up(cognito_server, first, "grace")
    sign_up(cognito_server, second, "grace")
    with pytest.raises(ServerError, match="'grace' was sent a code in 2 pools"):
        cognito_server.code("grace")
    assert cognito_server.code("grace", second) == cognito_server.sent("grace", second)[-1]["code"]


def test_the_clock_moves_by_whole_seconds(cognito_server):
    with pytest.raises(ValueError, match="whole seconds"):
        cognito_server.advance(0.5)
    before = cognito_server.advance(1)
    assert cognito_server.advance(60) >= before + 60


def test_no_code_names_the_user(cognito_server):
    with pytest.raises(NoCodeSent, match="nobody-at-all"):
        cognito_server.code("nobody-at-all", timeout=0.2)
