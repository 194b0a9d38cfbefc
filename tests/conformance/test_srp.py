"""USER_SRP_AUTH, verified for real, with pycognito's AWSSRP as the client.

InitiateAuth answers the PASSWORD_VERIFIER challenge; RespondToAuthChallenge with the claim
pycognito signed answers tokens PyJWT verifies, for the right password only. A challenge
answers once; failures count in the same lock-out as USER_PASSWORD_AUTH; an unknown user under
PreventUserExistenceErrors gets a challenge of the same shape, with a salt as stable as a real
user's, and is refused as a wrong password. With several processes, each call goes to the
next one (test_boto3.Rotating): the challenge is answered on another process than the one
that made it.

Runs on every store and process count test_boto3.py does (see its docstring).
"""
import time
import uuid

import pytest
from pycognito.aws_srp import AWSSRP

from test_boto3 import Server
from test_passwords import INCORRECT, answer, refused_within_the_lockout
from test_pools import new_client, new_pool, sign_up
from test_sessions import verified

FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@pytest.fixture(scope="module")
def server():
    server = Server(hide_users=False, ttl=86400)
    yield server
    server.stop()


def confirmed_user(server, client_id, username=None, codes_before=0, **extra):
    """A new user, signed up and confirmed with its code (the outbox already holding
    `codes_before` codes for the name: its newest, once it is there)."""
    username = username or f"srp-{uuid.uuid4().hex[:8]}"
    signed_up = sign_up(server, client_id, username, **extra)
    code = server.code(username, after=codes_before)
    server.client.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=code)
    return username, signed_up["UserSub"]


def srp_sign_in(server, pool_id, client_id, username, password):
    return AWSSRP(username=username, password=password, pool_id=pool_id, client_id=client_id,
                  client=server.client).authenticate_user()


def test_the_right_password_signs_in_through_srp_with_tokens_pyjwt_verifies(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    username, sub = confirmed_user(server, client_id)
    result = srp_sign_in(server, pool_id, client_id, username, "Passw0rd!")["AuthenticationResult"]
    claims = verified(server, pool_id, result["IdToken"], audience=client_id)
    assert (claims["sub"], claims["cognito:username"]) == (sub, username)
    assert result["RefreshToken"]
    wrong = answer(lambda: srp_sign_in(server, pool_id, client_id, username, "Passw0rd?"))
    assert wrong == INCORRECT


def test_the_challenge_is_the_services_and_answers_once(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    username, _ = confirmed_user(server, client_id)
    srp = AWSSRP(username=username, password="Passw0rd!", pool_id=pool_id, client_id=client_id,
                 client=server.client)
    parameters = srp.get_auth_params()
    challenge = server.client.initiate_auth(AuthFlow="USER_SRP_AUTH", ClientId=client_id,
                                            AuthParameters=parameters)
    assert challenge["ChallengeName"] == "PASSWORD_VERIFIER"
    assert set(challenge["ChallengeParameters"]) == {"SALT", "SECRET_BLOCK", "SRP_B", "USERNAME", "USER_ID_FOR_SRP"}
    assert challenge["ChallengeParameters"]["USER_ID_FOR_SRP"] == username
    responses = srp.process_challenge(challenge["ChallengeParameters"], parameters)
    respond = lambda: server.client.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=responses)
    assert respond()["AuthenticationResult"]["AccessToken"]
    # The same claim again: the challenge was spent.
    assert answer(respond) == INCORRECT
    # A touched secret block, and a claim for another user, are refused too.
    challenge = server.client.initiate_auth(AuthFlow="USER_SRP_AUTH", ClientId=client_id,
                                            AuthParameters=parameters)
    responses = srp.process_challenge(challenge["ChallengeParameters"], parameters)
    for member, value in [("PASSWORD_CLAIM_SECRET_BLOCK", "AAAA"), ("USERNAME", "someone-else")]:
        touched = {**responses, member: value}
        refused = answer(lambda: server.client.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=touched))
        assert refused == INCORRECT, member
    invalid = answer(lambda: server.client.initiate_auth(
        AuthFlow="USER_SRP_AUTH", ClientId=client_id, AuthParameters={"USERNAME": username, "SRP_A": "0"}))
    assert invalid == ("InvalidParameterException", "SRP_A is not a valid value")


def test_srp_failures_count_in_the_password_lockout(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=FLOWS + ["ALLOW_USER_PASSWORD_AUTH"])["ClientId"]
    username, _ = confirmed_user(server, client_id)
    wrong = lambda: answer(lambda: srp_sign_in(server, pool_id, client_id, username, "Wr0ng-password"))
    assert [wrong() for _ in range(4)] == [INCORRECT] * 4
    fifth = time.monotonic()
    assert wrong() == INCORRECT
    # The sixth, by either flow, within the lock-out (a second after the fifth failure).
    password = lambda: server.client.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH", ClientId=client_id,
        AuthParameters={"USERNAME": username, "PASSWORD": "Passw0rd!"})
    refused_within_the_lockout(password, fifth, "tokens")


def test_an_unknown_user_gets_a_challenge_like_a_real_one_when_hidden(server):
    pool_id = new_pool(server)
    hidden = new_client(server, pool_id, ExplicitAuthFlows=FLOWS, PreventUserExistenceErrors="ENABLED")["ClientId"]
    username, _ = confirmed_user(server, hidden)
    nobody = "nobody-" + uuid.uuid4().hex[:8]

    def challenge(name):
        parameters = AWSSRP(username=name, password="x", pool_id=pool_id, client_id=hidden,
                            client=server.client).get_auth_params()
        return server.client.initiate_auth(AuthFlow="USER_SRP_AUTH", ClientId=hidden,
                                           AuthParameters=parameters)["ChallengeParameters"]

    for name in (username, nobody):
        first, second = challenge(name), challenge(name)
        assert first["SALT"] == second["SALT"] and first["SRP_B"] != second["SRP_B"], name
        assert (first["USERNAME"], first["USER_ID_FOR_SRP"]) == (name, name)
        assert len(first["SALT"]) == 32 and len(first["SECRET_BLOCK"]) == len(challenge(username)["SECRET_BLOCK"])
        assert answer(lambda: srp_sign_in(server, pool_id, hidden, name, "Wr0ng-password")) == INCORRECT
    # Not hidden: the service's answer for an unknown user.
    plain = new_client(server, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    assert answer(lambda: srp_sign_in(server, pool_id, plain, nobody, "Passw0rd!")) == (
        "UserNotFoundException", "User does not exist.")


def test_an_email_pool_signs_in_through_srp_with_the_sub_as_user_id(server):
    pool_id = new_pool(server, UsernameAttributes=["email"])
    client_id = new_client(server, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    email = f"srp-{uuid.uuid4().hex[:8]}@example.com"
    signed_up = server.client.sign_up(ClientId=client_id, Username=email, Password="Passw0rd!")
    sub = signed_up["UserSub"]
    server.client.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=server.code(sub))
    result = srp_sign_in(server, pool_id, client_id, email, "Passw0rd!")["AuthenticationResult"]
    assert verified(server, pool_id, result["IdToken"], audience=client_id)["sub"] == sub


def test_an_unconfirmed_user_with_the_right_password_is_told_so(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    username = f"srp-{uuid.uuid4().hex[:8]}"
    sign_up(server, client_id, username)
    assert answer(lambda: srp_sign_in(server, pool_id, client_id, username, "Passw0rd?")) == INCORRECT
    assert answer(lambda: srp_sign_in(server, pool_id, client_id, username, "Passw0rd!")) == (
        "UserNotConfirmedException", "User is not confirmed.")


def test_a_challenge_answers_only_for_the_user_and_flow_it_was_made_for(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    username, _ = confirmed_user(server, client_id)

    def claim():
        srp = AWSSRP(username=username, password="Passw0rd!", pool_id=pool_id, client_id=client_id,
                     client=server.client)
        parameters = srp.get_auth_params()
        challenge = server.client.initiate_auth(AuthFlow="USER_SRP_AUTH", ClientId=client_id,
                                                AuthParameters=parameters)
        responses = srp.process_challenge(challenge["ChallengeParameters"], parameters)
        return lambda: server.client.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=responses)

    # The user deleted and signed up again under the name, with the same password: the
    # challenge was made for the one before.
    respond = claim()
    server.client.admin_delete_user(UserPoolId=pool_id, Username=username)
    confirmed_user(server, client_id, username=username, codes_before=1)
    assert answer(respond) == INCORRECT
    # The flow taken away after the challenge was handed out.
    respond = claim()
    server.client.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id,
                                          ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])
    assert answer(respond) == ("InvalidParameterException", "USER_SRP_AUTH flow not enabled for this client")


def test_a_name_no_user_can_have_gets_no_challenge(server):
    pool_id = new_pool(server)
    hidden = new_client(server, pool_id, ExplicitAuthFlows=FLOWS, PreventUserExistenceErrors="ENABLED")["ClientId"]
    plain = new_client(server, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    long_name = "x" * 129
    for client_id, refused in ((hidden, INCORRECT), (plain, ("UserNotFoundException", "User does not exist."))):
        started = answer(lambda: server.client.initiate_auth(
            AuthFlow="USER_SRP_AUTH", ClientId=client_id, AuthParameters={"USERNAME": long_name, "SRP_A": "2"}))
        assert started == refused
