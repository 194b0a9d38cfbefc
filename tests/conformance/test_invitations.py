"""Invitations, with boto3 and pycognito.

AdminCreateUser makes a FORCE_CHANGE_PASSWORD user and delivers a temporary password through
the outbox (none with MessageAction SUPPRESS; a new one with RESEND). Signing in with it
(USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH or SRP) answers NEW_PASSWORD_REQUIRED and a
Session; RespondToAuthChallenge with a NEW_PASSWORD that keeps the policy answers tokens and
confirms the user. The session is single-use, bound to its user and temporary password; a
temporary password past TemporaryPasswordValidityDays is refused with the service's message
(on the movable test clock). AdminSetUserPassword sets a permanent or a temporary password.

Runs on every store and process count test_boto3.py does (see its docstring).
"""
import concurrent.futures
import time
import uuid

import botocore.exceptions
import pytest

from test_boto3 import Server, error
from test_clock import advance
from test_pools import new_client, new_pool
from test_sessions import verified

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
         "ALLOW_REFRESH_TOKEN_AUTH"]


@pytest.fixture(scope="module")
def server():
    server = Server(hide_users=False, ttl=86400, test_clock=True)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def pool(server):
    pool_id = new_pool(server, AliasAttributes=["email"])
    client_id = new_client(server, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    return pool_id, client_id


def temporary_passwords(server, username, count=1):
    """The temporary passwords the outbox holds for `username`, once it holds `count` (delivery
    follows the answer, so it may take a moment)."""
    deadline = time.monotonic() + 10
    while True:
        sent = [entry for entry in server.codes(username) if "temporary_password" in entry]
        if len(sent) >= count:
            return sent
        assert time.monotonic() < deadline, f"no invitation for {username}"
        time.sleep(0.01)


def invite(server, pool_id, **extra):
    username = f"inv-{uuid.uuid4().hex[:8]}"
    attributes = [{"Name": "email", "Value": f"{username}@example.com"}]
    created = server.client.admin_create_user(
        UserPoolId=pool_id, Username=username, UserAttributes=attributes,
        DesiredDeliveryMediums=["EMAIL"], **extra)["User"]
    return username, created


def sign_in(server, client_id, username, password):
    return server.client.initiate_auth(AuthFlow="USER_PASSWORD_AUTH", ClientId=client_id,
                                       AuthParameters={"USERNAME": username, "PASSWORD": password})


def new_password(server, client_id, username, session, password="N3w-Passw0rd!"):
    return server.client.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=session,
        ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": password})


def test_an_invited_user_signs_in_with_the_temporary_password_and_chooses_their_own(server, pool):
    pool_id, client_id = pool
    username, created = invite(server, pool_id)
    assert created["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert created["Username"] == username and created["Enabled"] is True
    delivered = temporary_passwords(server, username)[-1]
    assert delivered["destination"] == f"{username}@example.com" and "code" not in delivered
    challenge = sign_in(server, client_id, username, delivered["temporary_password"])
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert challenge["ChallengeParameters"]["USER_ID_FOR_SRP"] == username
    assert '"email"' in challenge["ChallengeParameters"]["userAttributes"]
    # A new password the policy refuses leaves the session usable.
    with pytest.raises(botocore.exceptions.ClientError) as weak:
        new_password(server, client_id, username, challenge["Session"], password="weak")
    assert error(weak)[0] == "InvalidPasswordException"
    tokens = new_password(server, client_id, username, challenge["Session"])["AuthenticationResult"]
    claims = verified(server, pool_id, tokens["IdToken"], audience=client_id)
    assert claims["cognito:username"] == username
    status = server.client.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"]
    assert status == "CONFIRMED"
    # The session is spent; the temporary password no longer works; the new one does.
    with pytest.raises(botocore.exceptions.ClientError) as again:
        new_password(server, client_id, username, challenge["Session"])
    assert error(again) == ("NotAuthorizedException", "Invalid session for the user.")
    with pytest.raises(botocore.exceptions.ClientError) as old:
        sign_in(server, client_id, username, delivered["temporary_password"])
    assert error(old) == ("NotAuthorizedException", "Incorrect username or password.")
    assert "AuthenticationResult" in sign_in(server, client_id, username, "N3w-Passw0rd!")


def test_srp_sign_in_of_an_invited_user_is_asked_for_a_new_password(server, pool):
    from pycognito.aws_srp import AWSSRP
    from pycognito.exceptions import ForceChangePasswordException
    pool_id, client_id = pool
    username, _ = invite(server, pool_id, TemporaryPassword="Temp-Passw0rd!", MessageAction="SUPPRESS")
    assert server.codes(username) == [], "SUPPRESS sends nothing"
    srp = AWSSRP(username=username, password="Temp-Passw0rd!", pool_id=pool_id, client_id=client_id,
                 client=server.client)
    with pytest.raises(ForceChangePasswordException):
        srp.authenticate_user()
    tokens = srp.set_new_password_challenge("Ch0sen-Passw0rd!")
    assert "AuthenticationResult" in tokens
    # The chosen password's SRP verifier was stored with it.
    srp = AWSSRP(username=username, password="Ch0sen-Passw0rd!", pool_id=pool_id, client_id=client_id,
                 client=server.client)
    assert "IdToken" in srp.authenticate_user()["AuthenticationResult"]


def test_a_session_is_bound_to_its_user_and_to_its_temporary_password(server, pool):
    pool_id, client_id = pool
    first, _ = invite(server, pool_id, TemporaryPassword="Temp-Passw0rd!", MessageAction="SUPPRESS")
    second, _ = invite(server, pool_id, TemporaryPassword="Temp-Passw0rd!", MessageAction="SUPPRESS")
    session = sign_in(server, client_id, first, "Temp-Passw0rd!")["Session"]
    with pytest.raises(botocore.exceptions.ClientError) as other_user:
        new_password(server, client_id, second, session)
    assert error(other_user) == ("NotAuthorizedException", "Invalid session for the user.")
    # An administrator's new temporary password makes the old session useless.
    session = sign_in(server, client_id, second, "Temp-Passw0rd!")["Session"]
    server.client.admin_set_user_password(UserPoolId=pool_id, Username=second, Password="Other-Passw0rd!",
                                          Permanent=False)
    with pytest.raises(botocore.exceptions.ClientError) as replaced:
        new_password(server, client_id, second, session)
    assert error(replaced) == ("NotAuthorizedException", "Invalid session for the user.")
    assert sign_in(server, client_id, second, "Other-Passw0rd!")["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_resend_gives_a_new_temporary_password_and_only_to_a_user_waiting_for_one(server, pool):
    pool_id, client_id = pool
    username, _ = invite(server, pool_id)
    first = temporary_passwords(server, username)[-1]["temporary_password"]
    attributes = [{"Name": "email", "Value": f"{username}@example.com"}]
    server.client.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="RESEND",
                                    UserAttributes=attributes, DesiredDeliveryMediums=["EMAIL"])
    sent = [entry["temporary_password"] for entry in temporary_passwords(server, username, 2)]
    assert len(sent) == 2 and sent[-1] != first
    with pytest.raises(botocore.exceptions.ClientError) as old:
        sign_in(server, client_id, username, first)
    assert error(old)[0] == "NotAuthorizedException"
    session = sign_in(server, client_id, username, sent[-1])["Session"]
    new_password(server, client_id, username, session)
    with pytest.raises(botocore.exceptions.ClientError) as confirmed:
        server.client.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="RESEND",
                                        DesiredDeliveryMediums=["EMAIL"], UserAttributes=attributes)
    assert error(confirmed)[0] == "UnsupportedUserStateException"
    with pytest.raises(botocore.exceptions.ClientError) as unknown:
        server.client.admin_create_user(UserPoolId=pool_id, Username="nobody-here", MessageAction="RESEND")
    assert error(unknown) == ("UserNotFoundException", "User does not exist.")


def test_bad_invitations_get_the_services_exceptions_and_create_nothing(server, pool):
    pool_id, _ = pool
    username, _ = invite(server, pool_id, MessageAction="SUPPRESS")
    cases = [
        (dict(Username=username), "UsernameExistsException"),
        (dict(Username="weak-one", TemporaryPassword="short"), "InvalidPasswordException"),
        (dict(Username="no-medium", UserAttributes=[{"Name": "email", "Value": "x@example.com"}],
              DesiredDeliveryMediums=["SMS"]), "InvalidParameterException"),
        (dict(Username="bad-email", UserAttributes=[{"Name": "email", "Value": "not an email"}]),
         "InvalidParameterException"),
        (dict(Username="someone@example.com"), "InvalidParameterException"),
        (dict(Username="bad-action", MessageAction="SHOUT"), "InvalidParameterException"),
    ]
    for request, expected in cases:
        with pytest.raises(botocore.exceptions.ClientError) as refused:
            server.client.admin_create_user(UserPoolId=pool_id, **request)
        assert error(refused)[0] == expected, request
    for name in ["weak-one", "no-medium", "bad-email", "bad-action"]:
        with pytest.raises(botocore.exceptions.ClientError) as missing:
            server.client.admin_get_user(UserPoolId=pool_id, Username=name)
        assert error(missing)[0] == "UserNotFoundException", name


def test_a_verified_alias_another_user_holds_is_taken_only_with_force_alias_creation(server, pool):
    pool_id, client_id = pool
    email = f"shared-{uuid.uuid4().hex[:8]}@example.com"
    verified_attributes = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
    first = f"first-{uuid.uuid4().hex[:6]}"
    server.client.admin_create_user(UserPoolId=pool_id, Username=first, UserAttributes=verified_attributes,
                                    MessageAction="SUPPRESS")
    second = f"second-{uuid.uuid4().hex[:6]}"
    with pytest.raises(botocore.exceptions.ClientError) as held:
        server.client.admin_create_user(UserPoolId=pool_id, Username=second, UserAttributes=verified_attributes,
                                        MessageAction="SUPPRESS")
    assert error(held) == ("AliasExistsException", "An account with the email already exists.")
    server.client.admin_create_user(UserPoolId=pool_id, Username=second, UserAttributes=verified_attributes,
                                    MessageAction="SUPPRESS", ForceAliasCreation=True)
    _, taken_from = attributes(server, pool_id, first)
    _, holder = attributes(server, pool_id, second)
    assert (taken_from["email_verified"], holder["email_verified"]) == ("false", "true")


def attributes(server, pool_id, username):
    user = server.client.admin_get_user(UserPoolId=pool_id, Username=username)
    return user["UserStatus"], {a["Name"]: a["Value"] for a in user["UserAttributes"]}


def test_a_temporary_password_past_its_validity_is_refused(server):
    pool_id = new_pool(server, Policies={"PasswordPolicy": {"MinimumLength": 8, "TemporaryPasswordValidityDays": 1}})
    client_id = new_client(server, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    username, _ = invite(server, pool_id, TemporaryPassword="Temp-Passw0rd!", MessageAction="SUPPRESS")
    advance(server, 86_401)
    with pytest.raises(botocore.exceptions.ClientError) as expired:
        sign_in(server, client_id, username, "Temp-Passw0rd!")
    assert error(expired) == ("NotAuthorizedException",
                              "Temporary password has expired and must be reset by an administrator.")
    # An administrator's new temporary password starts a new validity.
    server.client.admin_set_user_password(UserPoolId=pool_id, Username=username, Password="Temp-Passw0rd2!",
                                          Permanent=False)
    assert sign_in(server, client_id, username, "Temp-Passw0rd2!")["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_admin_set_user_password_permanent_confirms_even_an_unconfirmed_user(server, pool):
    pool_id, client_id = pool
    username = f"unconf-{uuid.uuid4().hex[:6]}"
    server.client.sign_up(ClientId=client_id, Username=username, Password="Passw0rd!",
                          UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])
    server.client.admin_set_user_password(UserPoolId=pool_id, Username=username, Password="Perm-Passw0rd!",
                                          Permanent=True)
    status, _ = attributes(server, pool_id, username)
    assert status == "CONFIRMED"
    assert "AuthenticationResult" in sign_in(server, client_id, username, "Perm-Passw0rd!")
    # The code sent at sign-up confirms nothing now.
    with pytest.raises(botocore.exceptions.ClientError) as late:
        server.client.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=server.code(username))
    assert error(late)[0] == "NotAuthorizedException"
    for request, expected in [
        (dict(Username="nobody-at-all", Password="Perm-Passw0rd!"), "UserNotFoundException"),
        (dict(Username=username, Password="short"), "InvalidPasswordException"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as refused:
            server.client.admin_set_user_password(UserPoolId=pool_id, Permanent=True, **request)
        assert error(refused)[0] == expected


def test_an_expired_session_and_the_password_messages_are_the_services(server, pool):
    pool_id, client_id = pool
    with pytest.raises(botocore.exceptions.ClientError) as temporary:
        server.client.admin_create_user(UserPoolId=pool_id, Username=f"w-{uuid.uuid4().hex[:6]}",
                                        TemporaryPassword="short", MessageAction="SUPPRESS")
    assert error(temporary) == ("InvalidPasswordException",
                                "Password did not conform with password policy: Password not long enough")
    username, _ = invite(server, pool_id, TemporaryPassword="Temp-Passw0rd!", MessageAction="SUPPRESS")
    with pytest.raises(botocore.exceptions.ClientError) as set_weak:
        server.client.admin_set_user_password(UserPoolId=pool_id, Username=username, Password="short",
                                              Permanent=True)
    assert error(set_weak) == ("InvalidPasswordException",
                               "Password does not conform to policy: Password not long enough")
    session = sign_in(server, client_id, username, "Temp-Passw0rd!")["Session"]
    with pytest.raises(botocore.exceptions.ClientError) as weak:
        new_password(server, client_id, username, session, password="short")
    assert error(weak) == ("InvalidPasswordException",
                           "Password does not conform to policy: Password not long enough")
    advance(server, 3 * 60 + 1)  # the client's AuthSessionValidity: 3 minutes
    with pytest.raises(botocore.exceptions.ClientError) as expired:
        new_password(server, client_id, username, session)
    assert error(expired) == ("NotAuthorizedException", "Invalid session for the user, session is expired.")


def test_a_password_set_by_an_administrator_revokes_the_sign_in_session_of_a_confirmation(server):
    from test_sessions import USER_AUTH, signed_up_and_confirmed
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=USER_AUTH)["ClientId"]
    username, _, _, session = signed_up_and_confirmed(server, client_id)
    server.client.admin_set_user_password(UserPoolId=pool_id, Username=username, Password="Reset-Passw0rd!",
                                          Permanent=False)
    with pytest.raises(botocore.exceptions.ClientError) as revoked:
        server.client.initiate_auth(AuthFlow="USER_AUTH", ClientId=client_id,
                                    AuthParameters={"USERNAME": username}, Session=session)
    assert error(revoked) == ("NotAuthorizedException", "Invalid session for the user.")


def test_an_invited_user_with_a_verified_alias_answers_under_it(server, pool):
    pool_id, client_id = pool
    username = f"alias-{uuid.uuid4().hex[:8]}"
    email = f"{username}@example.com"
    server.client.admin_create_user(
        UserPoolId=pool_id, Username=username, TemporaryPassword="Temp-Passw0rd!", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}])
    challenge = sign_in(server, client_id, email, "Temp-Passw0rd!")
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    tokens = new_password(server, client_id, email, challenge["Session"])["AuthenticationResult"]
    # The module's clock may have been moved forward (the expiry tests): the token is issued then.
    claims = verified(server, pool_id, tokens["IdToken"], audience=client_id, options={"verify_iat": False})
    assert claims["cognito:username"] == username


def outcome(call):
    """"ok", or the refusal's (type, message)."""
    try:
        call()
        return "ok"
    except botocore.exceptions.ClientError as refused:
        return refused.response["Error"]["Code"], refused.response["Error"]["Message"]


def at_once(calls):
    """Each call's outcome, all sent at once (each to the next process when there are several)."""
    with concurrent.futures.ThreadPoolExecutor(len(calls)) as workers:
        return list(workers.map(outcome, calls))


def test_twenty_concurrent_answers_to_one_session_set_one_password(server, pool):
    pool_id, client_id = pool
    username, _ = invite(server, pool_id, TemporaryPassword="Temp-Passw0rd!", MessageAction="SUPPRESS")
    session = sign_in(server, client_id, username, "Temp-Passw0rd!")["Session"]
    passwords = [f"Chosen-{n:02}-Passw0rd!" for n in range(20)]
    answers = at_once([lambda chosen=chosen: new_password(server, client_id, username, session, chosen)
                       for chosen in passwords])
    refused = ("NotAuthorizedException", "Invalid session for the user.")
    assert (answers.count("ok"), answers.count(refused)) == (1, 19), answers
    # The one password set is the one that answered.
    winner = passwords[answers.index("ok")]
    assert "AuthenticationResult" in sign_in(server, client_id, username, winner)
    others = [chosen for chosen in passwords if chosen != winner]
    assert outcome(lambda: sign_in(server, client_id, username, others[0]))[0] == "NotAuthorizedException"


def test_concurrent_invitations_of_one_name_or_one_verified_alias_make_one(server, pool):
    pool_id, _ = pool
    name = f"race-{uuid.uuid4().hex[:8]}"
    same_name = at_once([lambda: server.client.admin_create_user(UserPoolId=pool_id, Username=name,
                                                                  MessageAction="SUPPRESS")] * 10)
    exists = ("UsernameExistsException", "User account already exists")
    assert (same_name.count("ok"), same_name.count(exists)) == (1, 9), same_name
    email = f"race-{uuid.uuid4().hex[:8]}@example.com"
    names = [f"{name}-{n}" for n in range(10)]
    verified_attributes = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
    one_alias = at_once([lambda each=each: server.client.admin_create_user(
        UserPoolId=pool_id, Username=each, UserAttributes=verified_attributes, MessageAction="SUPPRESS")
        for each in names])
    held = ("AliasExistsException", "An account with the email already exists.")
    assert (one_alias.count("ok"), one_alias.count(held)) == (1, 9), one_alias
    # Nothing is left of the refused ones, and the one made holds the email verified.
    made = [each for each, answered in zip(names, one_alias) if answered == "ok"]
    assert attributes(server, pool_id, made[0])[1]["email_verified"] == "true"
    for each, answered in zip(names, one_alias):
        if answered != "ok":
            assert outcome(lambda: server.client.admin_get_user(UserPoolId=pool_id, Username=each))[0] \
                == "UserNotFoundException"
