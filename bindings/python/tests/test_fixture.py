"""The fixture as its users use it: nothing here but `cognito_server` and boto3."""
import botocore.exceptions
import pytest


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


def test_right_after_a_resend_the_code_is_the_new_one(cognito_server):
    pool = cognito_server.create_pool()
    cognito = cognito_server.client()
    sign_up(cognito_server, pool, "dave")
    replaced = cognito_server.code("dave")
    cognito.resend_confirmation_code(ClientId=pool.client_id, Username="dave")
    newest = cognito_server.code("dave")
    # The replaced code would be refused as expired: the newest confirms.
    cognito.confirm_sign_up(ClientId=pool.client_id, Username="dave", ConfirmationCode=newest)
    assert newest != replaced or len(cognito_server.sent("dave")) == 2


def test_no_code_names_the_user(cognito_server):
    from confirmation_flow_server import NoCodeSent
    with pytest.raises(NoCodeSent, match="nobody-at-all"):
        cognito_server.code("nobody-at-all", timeout=0.2)
