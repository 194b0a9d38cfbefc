"""Pools and app clients through the API, as emulator users' suites set themselves up:
CreateUserPool and CreateUserPoolClient first, then the flows, with boto3.

Runs on every store and process count test_boto3.py does (see its docstring); with
several processes each call goes to the next process, so a pool created by one process
is used, described and deleted through the others.
"""
import concurrent.futures
import http.server
import json
import re
import sqlite3
import subprocess
import threading
import time
import uuid

import pytest

from test_boto3 import POOL, STORE, Server, error, secret_hash

POLICY = {"MinimumLength": 10, "RequireUppercase": False, "RequireLowercase": True,
          "RequireNumbers": True, "RequireSymbols": False}


@pytest.fixture(scope="module")
def server():
    server = Server(hide_users=False, ttl=86400)
    yield server
    server.stop()


def new_pool(server, **settings):
    settings.setdefault("AutoVerifiedAttributes", ["email"])
    pool = server.client.create_user_pool(PoolName=f"pool-{uuid.uuid4().hex[:8]}", **settings)["UserPool"]
    return pool["Id"]


def new_client(server, pool_id, **settings):
    client = server.client.create_user_pool_client(UserPoolId=pool_id, ClientName="app", **settings)
    return client["UserPoolClient"]


def sign_up(server, client_id, username, password="Passw0rd!", **extra):
    attributes = extra.pop("UserAttributes", [{"Name": "email", "Value": f"{uuid.uuid4().hex[:10]}@example.com"}])
    return server.client.sign_up(ClientId=client_id, Username=username, Password=password,
                                 UserAttributes=attributes, **extra)


def test_a_pool_and_client_made_through_the_api_sign_up_confirm_and_get_a_user(server):
    created = server.client.create_user_pool(
        PoolName="emulator suite", AutoVerifiedAttributes=["email"], AliasAttributes=["email"],
        UserPoolAddOns={"AdvancedSecurityMode": "OFF"}, MfaConfiguration="OFF",
    )["UserPool"]
    assert re.fullmatch(r"us-east-1_[0-9A-Za-z]{9}", created["Id"]), created["Id"]
    assert created["Arn"].endswith(f":userpool/{created['Id']}")
    assert created["Policies"]["PasswordPolicy"]["MinimumLength"] == 8
    client_id = new_client(server, created["Id"])["ClientId"]
    assert re.fullmatch(r"[a-z0-9]{26}", client_id), client_id
    answer = sign_up(server, client_id, "api-user", UserAttributes=[{"Name": "email", "Value": "api@example.com"}])
    assert answer["UserConfirmed"] is False
    assert answer["CodeDeliveryDetails"] == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    server.client.confirm_sign_up(ClientId=client_id, Username="api-user", ConfirmationCode=server.code("api-user"))
    user = server.client.admin_get_user(UserPoolId=created["Id"], Username="api-user")
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert (user["UserStatus"], attributes["email_verified"], attributes["sub"]) == ("CONFIRMED", "true", answer["UserSub"])
    described = server.client.describe_user_pool(UserPoolId=created["Id"])["UserPool"]
    assert (described["Name"], described["AliasAttributes"], described["EstimatedNumberOfUsers"]) == ("emulator suite", ["email"], 1)


def test_a_generated_secret_is_described_and_required(server):
    pool_id = new_pool(server)
    created = new_client(server, pool_id, GenerateSecret=True, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"],
                         PreventUserExistenceErrors="ENABLED")
    described = server.client.describe_user_pool_client(UserPoolId=pool_id, ClientId=created["ClientId"])["UserPoolClient"]
    assert described["ClientSecret"] == created["ClientSecret"] and len(created["ClientSecret"]) == 51
    assert (described["ExplicitAuthFlows"], described["PreventUserExistenceErrors"]) == (["ALLOW_USER_SRP_AUTH"], "ENABLED")
    client_id = created["ClientId"]
    with pytest.raises(server.client.exceptions.NotAuthorizedException) as refused:
        sign_up(server, client_id, "secretive")
    assert error(refused)[1] == f"Client {client_id} is configured with secret but SECRET_HASH was not received"
    # The secret hash before the password, as the service orders them.
    with pytest.raises(server.client.exceptions.NotAuthorizedException):
        sign_up(server, client_id, "secretive", password="weak", SecretHash="d3JvbmcgaGFzaA==")
    sign_up(server, client_id, "secretive", SecretHash=secret_hash("secretive", client_id, described["ClientSecret"]))
    # PreventUserExistenceErrors from the API: an unknown user is answered like a real one.
    with pytest.raises(server.client.exceptions.CodeMismatchException):
        server.client.confirm_sign_up(ClientId=client_id, Username="nobody", ConfirmationCode="123456",
                                      SecretHash=secret_hash("nobody", client_id, described["ClientSecret"]))


def test_pools_and_clients_are_listed_page_by_page(server):
    created = {new_pool(server) for _ in range(3)}
    listed, token = [], None
    while True:
        page = server.client.list_user_pools(MaxResults=2, **({"NextToken": token} if token else {}))
        assert len(page["UserPools"]) <= 2
        listed += [pool["Id"] for pool in page["UserPools"]]
        token = page.get("NextToken")
        if not token:
            break
    assert created <= set(listed) and len(listed) == len(set(listed))
    pool_id = created.pop()
    clients = {new_client(server, pool_id)["ClientId"] for _ in range(3)}
    first = server.client.list_user_pool_clients(UserPoolId=pool_id, MaxResults=2)
    rest = server.client.list_user_pool_clients(UserPoolId=pool_id, MaxResults=2, NextToken=first["NextToken"])
    assert "NextToken" not in rest
    assert {c["ClientId"] for c in first["UserPoolClients"] + rest["UserPoolClients"]} == clients
    with pytest.raises(server.client.exceptions.InvalidParameterException):
        server.client.list_user_pools(MaxResults=61)


def test_unknown_and_deleted_pools_and_clients_are_resource_not_found(server):
    with pytest.raises(server.client.exceptions.ResourceNotFoundException) as missing:
        server.client.describe_user_pool(UserPoolId="us-east-1_n0th3re00")
    assert error(missing)[1] == "User pool us-east-1_n0th3re00 does not exist."
    with pytest.raises(server.client.exceptions.ResourceNotFoundException) as missing:
        sign_up(server, "nosuchclient0000000000000", "anyone")
    assert error(missing)[1] == "User pool client nosuchclient0000000000000 does not exist."
    pool_id = new_pool(server)
    kept, dropped = new_client(server, pool_id)["ClientId"], new_client(server, pool_id)["ClientId"]
    sign_up(server, kept, "before-delete")
    sign_up(server, dropped, "used-once")
    server.client.delete_user_pool_client(UserPoolId=pool_id, ClientId=dropped)
    # Every process sees the deletion, whichever made it and whatever it has cached.
    for _ in range(3):
        with pytest.raises(server.client.exceptions.ResourceNotFoundException):
            sign_up(server, dropped, f"after-{uuid.uuid4().hex[:6]}")
    with pytest.raises(server.client.exceptions.ResourceNotFoundException):
        server.client.describe_user_pool_client(UserPoolId=pool_id, ClientId=dropped)
    server.client.delete_user_pool(UserPoolId=pool_id)
    for _ in range(3):
        with pytest.raises(server.client.exceptions.ResourceNotFoundException):
            server.client.confirm_sign_up(ClientId=kept, Username="before-delete", ConfirmationCode="123456")
        with pytest.raises(server.client.exceptions.ResourceNotFoundException):
            server.client.admin_confirm_sign_up(UserPoolId=pool_id, Username="before-delete")
    with pytest.raises(server.client.exceptions.ResourceNotFoundException):
        server.client.delete_user_pool(UserPoolId=pool_id)


def test_the_pools_password_policy_with_the_services_messages(server):
    strict = new_client(server, new_pool(server))["ClientId"]
    with pytest.raises(server.client.exceptions.InvalidPasswordException) as weak:
        sign_up(server, strict, "weak-password", password="passw0rd!!")
    assert error(weak)[1] == "Password did not conform with policy: Password must have uppercase characters"
    custom = new_client(server, new_pool(server, Policies={"PasswordPolicy": POLICY}))["ClientId"]
    with pytest.raises(server.client.exceptions.InvalidPasswordException) as short:
        sign_up(server, custom, "short-password", password="abc123def")
    assert error(short)[1] == "Password did not conform with policy: Password not long enough"
    sign_up(server, custom, "long-password", password="abc123defg")


def stored(server, query):
    """The first column of `query`'s rows, read from the database itself."""
    database = server.config["database"]
    if STORE == "sqlite":
        with sqlite3.connect(database) as db:
            return [str(row[0]) for row in db.execute(query)]
    done = subprocess.run(["psql", database, "-Atc", query], check=True, capture_output=True, text=True)
    return done.stdout.split()


def stored_password_hashes(server):
    return stored(server, "SELECT password_hash FROM users WHERE password_hash IS NOT NULL")


@pytest.mark.skipif(STORE == "memory", reason="an in-memory database cannot be read from outside")
def test_sign_ups_racing_delete_user_pool_leave_no_user_behind(server):
    for _ in range(3):
        pool_id = new_pool(server)
        client_id = new_client(server, pool_id)["ClientId"]

        def attempt(index):
            try:
                sign_up(server, client_id, f"racer-{index}")
                return "ok"
            except server.client.exceptions.ResourceNotFoundException:
                return "gone"

        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            racing = [pool.submit(attempt, index) for index in range(24)]
            server.client.delete_user_pool(UserPoolId=pool_id)
            results = [future.result() for future in racing]
        assert set(results) <= {"ok", "gone"}, results
        assert stored(server, f"SELECT COUNT(*) FROM users WHERE pool_id = '{pool_id}'") == ["0"], results
        assert stored(server, f"SELECT COUNT(*) FROM clients WHERE pool_id = '{pool_id}'") == ["0"]


@pytest.mark.skipif(STORE == "memory", reason="an in-memory database cannot be read from outside")
def test_passwords_are_stored_only_as_argon2id_hashes(server):
    client_id = new_client(server, new_pool(server))["ClientId"]
    password = f"Unique-{uuid.uuid4().hex[:12]}-1"
    sign_up(server, client_id, "hashed", password=password)
    hashes = stored_password_hashes(server)
    assert hashes and all(h.startswith("$argon2id$v=19$m=19456,t=2,p=1$") for h in hashes), hashes
    assert not any(password in h for h in hashes)
    if STORE == "sqlite":
        for path in server.home.glob("users.sqlite3*"):
            assert password.encode() not in path.read_bytes(), path


def test_username_attributes_sign_up_and_confirm_by_email_with_the_sub_as_username(server):
    pool_id = new_pool(server, UsernameAttributes=["email"])
    client_id = new_client(server, pool_id)["ClientId"]
    with pytest.raises(server.client.exceptions.InvalidParameterException) as refused:
        sign_up(server, client_id, "not-an-email")
    assert error(refused)[1] == "Username should be an email."
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    answer = server.client.sign_up(ClientId=client_id, Username=email, Password="Passw0rd!")
    sub = answer["UserSub"]
    assert uuid.UUID(sub) and answer["CodeDeliveryDetails"]["AttributeName"] == "email"
    with pytest.raises(server.client.exceptions.UsernameExistsException) as taken:
        server.client.sign_up(ClientId=client_id, Username=email, Password="Passw0rd!")
    assert error(taken)[1] == "An account with the given email already exists."
    server.client.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=server.code(sub))
    for name in (email, sub):
        user = server.client.admin_get_user(UserPoolId=pool_id, Username=name)
        attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
        assert (user["Username"], user["UserStatus"], attributes["email"], attributes["email_verified"]) == (
            sub, "CONFIRMED", email, "true")
    with pytest.raises(server.client.exceptions.InvalidParameterException):
        new_pool(server, UsernameAttributes=["email"], AliasAttributes=["email"])


def test_one_email_signs_up_once_however_many_try_at_the_same_moment(server):
    client_id = new_client(server, new_pool(server, UsernameAttributes=["email"]))["ClientId"]

    def attempt(email):
        try:
            server.client.sign_up(ClientId=client_id, Username=email, Password="Passw0rd!")
            return "ok"
        except server.client.exceptions.UsernameExistsException:
            return "exists"

    emails = [f"race-{i}@example.com" for i in range(10)]
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        results = list(pool.map(attempt, [email for email in emails for _ in range(4)]))
    for index in range(len(emails)):
        assert sorted(results[4 * index:4 * index + 4]) == ["exists", "exists", "exists", "ok"], results


def test_list_users_filters_pages_and_admin_delete_user(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id)["ClientId"]
    for name in ("alice", "albert", "bob"):
        sign_up(server, client_id, name, UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}])
    server.client.admin_confirm_sign_up(UserPoolId=pool_id, Username="bob")

    def names(**filters):
        return [user["Username"] for user in server.client.list_users(UserPoolId=pool_id, **filters)["Users"]]

    assert names() == ["albert", "alice", "bob"]
    assert names(Filter='email = "alice@example.com"') == ["alice"]
    assert names(Filter='username ^= "al"') == ["albert", "alice"]
    assert names(Filter='cognito:user_status = "unconfirmed"') == ["albert", "alice"]
    assert names(Filter='status = "Disabled"') == []
    first = server.client.list_users(UserPoolId=pool_id, Limit=2, AttributesToGet=["email"])
    assert [u["Username"] for u in first["Users"]] == ["albert", "alice"]
    assert all([a["Name"] for a in u["Attributes"]] == ["email"] for u in first["Users"])
    rest = server.client.list_users(UserPoolId=pool_id, Limit=2, PaginationToken=first["PaginationToken"])
    assert [u["Username"] for u in rest["Users"]] == ["bob"] and "PaginationToken" not in rest
    with pytest.raises(server.client.exceptions.InvalidParameterException) as unparsable:
        server.client.list_users(UserPoolId=pool_id, Filter="email = alice")
    assert error(unparsable)[1] == "Error while parsing filter."
    server.client.admin_delete_user(UserPoolId=pool_id, Username="alice")
    assert names() == ["albert", "bob"]
    with pytest.raises(server.client.exceptions.UserNotFoundException):
        server.client.admin_delete_user(UserPoolId=pool_id, Username="alice")
    with pytest.raises(server.client.exceptions.UserNotFoundException):
        server.client.admin_get_user(UserPoolId=pool_id, Username="alice")
    # The name is free again: a new user, a new sub.
    sign_up(server, client_id, "alice")


def test_a_pools_lambda_config_post_confirmation_receives_the_event(server):
    received = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append(event)
            body = json.dumps(event).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    port = receiver.server_address[1]
    url = f"http://127.0.0.1:{port}/post-confirmation"
    # A URL the operator did not allow is refused when the pool is made: no caller points the
    # server at an address of its choosing.
    for refused in (url, "arn:aws:lambda:us-east-1:000000000000:function:f", "http://169.254.169.254/latest/"):
        with pytest.raises(server.client.exceptions.InvalidParameterException):
            new_pool(server, LambdaConfig={"PostConfirmation": refused})
    # The operator allows the receiver's address by name, and a host name that resolves to
    # loopback: the first is posted to; the second is refused where it is connected to.
    allowing = Server(hide_users=False, ttl=86400, allowed_trigger_urls=[
        f"http://127.0.0.1:{port}/", f"http://localhost:{port}/"])
    try:
        pool_id = new_pool(allowing, LambdaConfig={"PostConfirmation": url})
        assert allowing.client.describe_user_pool(UserPoolId=pool_id)["UserPool"]["LambdaConfig"] == {"PostConfirmation": url}
        client_id = new_client(allowing, pool_id)["ClientId"]
        sub = sign_up(allowing, client_id, "triggered", UserAttributes=[{"Name": "email", "Value": "t@example.com"}])["UserSub"]
        allowing.client.confirm_sign_up(ClientId=client_id, Username="triggered", ConfirmationCode=allowing.code("triggered"),
                                        ClientMetadata={"source": "suite"})
        [event] = received
        assert (event["triggerSource"], event["userPoolId"], event["userName"]) == (
            "PostConfirmation_ConfirmSignUp", pool_id, "triggered")
        assert event["callerContext"]["clientId"] == client_id
        assert event["request"]["clientMetadata"] == {"source": "suite"}
        assert event["request"]["userAttributes"]["sub"] == sub
        assert event["request"]["userAttributes"]["email"] == "t@example.com"
        # The service invokes it for every password reset too, naming it.
        allowing.client.forgot_password(ClientId=client_id, Username="triggered")
        deadline = time.monotonic() + 10
        while not (sent := [e for e in allowing.codes("triggered") if "password_reset_code" in e]):
            assert time.monotonic() < deadline, "no reset code"
            time.sleep(0.01)
        allowing.client.confirm_forgot_password(
            ClientId=client_id, Username="triggered", ConfirmationCode=sent[-1]["password_reset_code"],
            Password="R3set-Passw0rd!", ClientMetadata={"source": "reset"})
        reset = received[-1]
        assert (reset["triggerSource"], reset["userName"]) == ("PostConfirmation_ConfirmForgotPassword", "triggered")
        assert reset["request"]["clientMetadata"] == {"source": "reset"}
        assert reset["request"]["userAttributes"]["email_verified"] == "true"
        del received[1:]

        rebinding = f"http://localhost:{port}/post-confirmation"
        pool_id = new_pool(allowing, LambdaConfig={"PostConfirmation": rebinding})
        client_id = new_client(allowing, pool_id)["ClientId"]
        sign_up(allowing, client_id, "rebound", UserAttributes=[{"Name": "email", "Value": "r@example.com"}])
        with pytest.raises(allowing.client.exceptions.UnexpectedLambdaException):
            allowing.client.confirm_sign_up(ClientId=client_id, Username="rebound",
                                            ConfirmationCode=allowing.code("rebound"))
        assert len(received) == 1, "nothing was posted to a name that resolves to loopback"
        user = allowing.client.admin_get_user(UserPoolId=pool_id, Username="rebound")
        assert user["UserStatus"] == "CONFIRMED", "the user stays confirmed"
    finally:
        allowing.stop()
        receiver.shutdown()


def test_a_nul_in_an_attribute_or_filter_is_a_clear_400_on_every_store(server):
    pool_id = new_pool(server)
    client_id = new_client(server, pool_id)["ClientId"]
    with pytest.raises(server.client.exceptions.InvalidParameterException):
        sign_up(server, client_id, "nul-user", UserAttributes=[{"Name": "email", "Value": "a\x00b@example.com"}])
    with pytest.raises(server.client.exceptions.InvalidParameterException):
        server.client.list_users(UserPoolId=pool_id, Filter='email = "a\x00b"')
    # Identifiers and tokens of the wrong shape are refused before the database sees them.
    for call in (
        lambda: server.client.describe_user_pool(UserPoolId="us-east-1_\x00"),
        lambda: server.client.describe_user_pool(UserPoolId="no-underscore"),
        lambda: server.client.describe_user_pool_client(UserPoolId=pool_id, ClientId="\x00"),
        lambda: server.client.list_users(UserPoolId=pool_id, PaginationToken="AA"),
        lambda: server.client.admin_get_user(UserPoolId=pool_id, Username="a\x00"),
    ):
        with pytest.raises(server.client.exceptions.InvalidParameterException):
            call()


def test_print_codes_shows_each_code_on_the_terminal_with_the_outbox():
    server = Server(hide_users=False, ttl=86400, print_codes=True)
    try:
        server.sign_up("printed")
        code = server.code("printed")
        deadline = time.monotonic() + 10
        for line in server.processes[0].stdout:
            if line.startswith("code for printed"):
                break
            assert time.monotonic() < deadline, "no code line"
        assert line.rstrip() == (f"code for printed in {POOL} (printed@example.com): {code} "
                                 f"(outbox {server.outbox})")
    finally:
        server.stop()
