"""Conformance of the example server with boto3, a client nobody here wrote.

Starts the server (server/) on free loopback ports, once with
PreventUserExistenceErrors off and once on, and drives it with boto3's own
typed exceptions. Codes are read from the server's outbox.

The store and the number of processes come from the environment:
CONFORMANCE_STORE is `memory` (the default), `sqlite` (a file) or `postgres` (a new
database on the cluster at CONFORMANCE_POSTGRES, e.g. from `.ci/with-postgres`);
CONFORMANCE_PROCESSES (default 1) server processes share the store, the key file and the
outbox, and the client sends each request to the next process in turn.
"""
import base64
import concurrent.futures
import hashlib
import hmac
import itertools
import json
import os
import pathlib
import socket
import subprocess
import tempfile
import time
import uuid

import boto3
import pytest
from botocore.config import Config

ROOT = pathlib.Path(__file__).resolve().parents[2]
SERVER = os.environ.get(
    "CONFORMANCE_SERVER", str(ROOT / "target/release/confirmation-flow-server")
)
STORE = os.environ.get("CONFORMANCE_STORE", "memory")
PROCESSES = int(os.environ.get("CONFORMANCE_PROCESSES", "1"))
assert STORE in ("memory", "sqlite", "postgres"), f"CONFORMANCE_STORE={STORE}"
assert STORE != "memory" or PROCESSES == 1, "processes share nothing in memory"
POOL = "us-east-1_LOCAL"
PUBLIC, SECRET_CLIENT, SECRET = "publicclient", "secretclient", "s3cr3t"
TTL = 4


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def new_database(home):
    """The `database` value for a new, empty store of the configured kind."""
    if STORE == "memory":
        return ":memory:"
    if STORE == "sqlite":
        return str(home / "users.sqlite3")
    base = os.environ["CONFORMANCE_POSTGRES"]
    name = f"conformance_{uuid.uuid4().hex[:16]}"
    subprocess.run(["psql", f"{base}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
    return f"{base}/{name}"


class Rotating:
    """A boto3 client that sends each call to the next server process in turn."""

    def __init__(self, clients):
        self.clients, self.turn = clients, itertools.count()
        self.exceptions = clients[0].exceptions

    def __getattr__(self, name):
        def call(*args, **kwargs):
            client = self.clients[next(self.turn) % len(self.clients)]
            return getattr(client, name)(*args, **kwargs)
        return call


class Server:
    def __init__(self, hide_users, ttl, directory=None, **extra):
        self.dir = tempfile.TemporaryDirectory()
        self.home = pathlib.Path(directory or self.dir.name)
        self.ports = [free_port() for _ in range(PROCESSES)]
        self.port = self.ports[0]
        self.outbox = self.home / "outbox.jsonl"
        if STORE == "postgres" and "keys" not in extra:
            # Without a file beside a database, every process must be given the same keys.
            keys = self.home / "keys.json"
            keys.write_text(json.dumps({"current": 1, "keys": {"1": base64.b64encode(os.urandom(32)).decode()}}))
            keys.chmod(0o600)
            extra["keys"] = str(keys)
        self.config = {
            "listen": f"127.0.0.1:{self.port}",
            "user_pool_id": POOL,
            "clients": [
                {"client_id": PUBLIC, "client_secret": None},
                {"client_id": SECRET_CLIENT, "client_secret": SECRET},
            ],
            "prevent_user_existence_errors": hide_users,
            "alias_attributes": ["email", "phone_number"],
            "code_ttl_seconds": ttl,
            "outbox": str(self.outbox),
            # Several processes behind the test's first address: one issuer for the tokens.
            "public_url": f"http://127.0.0.1:{self.port}",
            **extra,
        }
        self.config.setdefault("database", new_database(self.home))
        self.start()

    def start(self):
        path = self.home / "config.json"
        path.write_text(json.dumps(self.config))
        self.processes, clients = [], []
        for port in self.ports:
            process = subprocess.Popen(
                [SERVER, "--config", str(path), "--listen", f"127.0.0.1:{port}"], stdout=subprocess.PIPE, text=True
            )
            # "listening on ..." once the socket is bound; nothing if it could not be (the
            # port free_port found taken meanwhile by another process: say so, not later).
            first = process.stdout.readline()
            assert first.startswith("listening on"), f"the server did not start on port {port}: {first!r}"
            self.processes.append(process)
            clients.append(boto3.client(
                "cognito-idp",
                region_name="us-east-1",
                endpoint_url=f"http://127.0.0.1:{port}",
                aws_access_key_id="test",
                aws_secret_access_key="test",
                config=Config(retries={"total_max_attempts": 1}, max_pool_connections=64),
            ))
        self.client = Rotating(clients)

    def stop(self, cleanup=True):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            assert process.wait(timeout=15) == 0, "a server stops cleanly on SIGTERM"
        if cleanup:
            self.dir.cleanup()

    def codes(self, username):
        text = self.outbox.read_text() if self.outbox.exists() else ""
        # A line the server is still appending has no newline yet: read complete lines only.
        lines = text[: text.rfind("\n") + 1].splitlines()
        return [entry for entry in map(json.loads, lines) if entry["username"] == username]

    def code(self, username, after=0):
        """The newest code for `username` once more than `after` were delivered (delivery
        follows the answer, so it may take a moment)."""
        deadline = time.monotonic() + 10
        while len(codes := [entry for entry in self.codes(username) if "code" in entry]) <= after:
            assert time.monotonic() < deadline, f"no code for {username}"
            time.sleep(0.01)
        return codes[-1]["code"]

    def sign_up(self, username=None, email=None, client_id=PUBLIC, **extra):
        username = username or f"user-{uuid.uuid4().hex[:12]}"
        attributes = [{"Name": "email", "Value": email or f"{username}@example.com"}]
        self.client.sign_up(ClientId=client_id, Username=username, Password="Passw0rd!", UserAttributes=attributes, **extra)
        return username

    def attributes(self, username):
        user = self.client.admin_get_user(UserPoolId=POOL, Username=username)
        return user["UserStatus"], {a["Name"]: a["Value"] for a in user["UserAttributes"]}


@pytest.fixture(scope="module")
def legacy():
    server = Server(hide_users=False, ttl=TTL)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def hiding():
    server = Server(hide_users=True, ttl=86400)
    yield server
    server.stop()


def secret_hash(username, client_id, secret):
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def error(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def test_sign_up_confirm_and_the_attribute_is_verified(hiding):
    user = hiding.sign_up()
    hiding.client.confirm_sign_up(ClientId=PUBLIC, Username=user, ConfirmationCode=hiding.code(user))
    status, attributes = hiding.attributes(user)
    assert status == "CONFIRMED"
    assert attributes["email_verified"] == "true"


def test_wrong_code_is_code_mismatch(hiding):
    user = hiding.sign_up()
    client = hiding.client
    with pytest.raises(client.exceptions.CodeMismatchException) as excinfo:
        client.confirm_sign_up(ClientId=PUBLIC, Username=user, ConfirmationCode="not-the-code")
    assert error(excinfo) == ("CodeMismatchException", "Invalid verification code provided, please try again.")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_expired_code_is_expired_code(legacy):
    user = legacy.sign_up()
    time.sleep(TTL + 1)
    with pytest.raises(legacy.client.exceptions.ExpiredCodeException) as excinfo:
        legacy.client.confirm_sign_up(ClientId=PUBLIC, Username=user, ConfirmationCode=legacy.code(user))
    assert error(excinfo)[1] == "Invalid code provided, please request a code again."


def test_old_code_after_a_resend_is_expired_and_the_new_one_confirms(hiding):
    user = hiding.sign_up()
    old = hiding.code(user)
    details = hiding.client.resend_confirmation_code(ClientId=PUBLIC, Username=user)["CodeDeliveryDetails"]
    assert details["DeliveryMedium"] == "EMAIL" and details["AttributeName"] == "email"
    assert details["Destination"].startswith("u***@e***")
    new = hiding.code(user, after=1)
    with pytest.raises(hiding.client.exceptions.ExpiredCodeException):
        hiding.client.confirm_sign_up(ClientId=PUBLIC, Username=user, ConfirmationCode=old)
    hiding.client.confirm_sign_up(ClientId=PUBLIC, Username=user, ConfirmationCode=new)
    assert hiding.attributes(user)[0] == "CONFIRMED"


def test_already_confirmed(hiding):
    user = hiding.sign_up()
    code = hiding.code(user)
    hiding.client.confirm_sign_up(ClientId=PUBLIC, Username=user, ConfirmationCode=code)
    with pytest.raises(hiding.client.exceptions.NotAuthorizedException) as excinfo:
        hiding.client.confirm_sign_up(ClientId=PUBLIC, Username=user, ConfirmationCode=code)
    assert error(excinfo)[1] == "User cannot be confirmed. Current status is CONFIRMED"
    with pytest.raises(hiding.client.exceptions.InvalidParameterException) as excinfo:
        hiding.client.resend_confirmation_code(ClientId=PUBLIC, Username=user)
    assert error(excinfo)[1] == "User is already confirmed."


def test_unknown_user_without_and_with_prevent_user_existence_errors(legacy, hiding):
    with pytest.raises(legacy.client.exceptions.UserNotFoundException) as excinfo:
        legacy.client.confirm_sign_up(ClientId=PUBLIC, Username="nobody-here", ConfirmationCode="123456")
    assert error(excinfo)[1] == "Username/client id combination not found."
    with pytest.raises(hiding.client.exceptions.CodeMismatchException) as excinfo:
        hiding.client.confirm_sign_up(ClientId=PUBLIC, Username="nobody-here", ConfirmationCode="123456")
    assert error(excinfo)[1] == "Invalid verification code provided, please try again."


def test_secret_hash_missing_wrong_and_right(hiding):
    user = f"secret-{uuid.uuid4().hex[:8]}"
    hiding.sign_up(user, client_id=SECRET_CLIENT, SecretHash=secret_hash(user, SECRET_CLIENT, SECRET))
    code = hiding.code(user)
    with pytest.raises(hiding.client.exceptions.NotAuthorizedException) as excinfo:
        hiding.client.confirm_sign_up(ClientId=SECRET_CLIENT, Username=user, ConfirmationCode=code)
    assert error(excinfo)[1] == f"Client {SECRET_CLIENT} is configured with secret but SECRET_HASH was not received"
    with pytest.raises(hiding.client.exceptions.NotAuthorizedException) as excinfo:
        hiding.client.confirm_sign_up(ClientId=SECRET_CLIENT, Username=user, ConfirmationCode=code,
                                      SecretHash=secret_hash(user, SECRET_CLIENT, "wrong"))
    assert error(excinfo)[1] == f"Unable to verify secret hash for client {SECRET_CLIENT}"
    hiding.client.confirm_sign_up(ClientId=SECRET_CLIENT, Username=user, ConfirmationCode=code,
                                  SecretHash=secret_hash(user, SECRET_CLIENT, SECRET))
    assert hiding.attributes(user)[0] == "CONFIRMED"


def test_alias_exists_and_moves_only_with_force_alias_creation(hiding):
    email = f"shared-{uuid.uuid4().hex[:8]}@example.com"
    first = hiding.sign_up(email=email)
    hiding.client.confirm_sign_up(ClientId=PUBLIC, Username=first, ConfirmationCode=hiding.code(first))
    second = hiding.sign_up(email=email)
    code = hiding.code(second)
    with pytest.raises(hiding.client.exceptions.AliasExistsException) as excinfo:
        hiding.client.confirm_sign_up(ClientId=PUBLIC, Username=second, ConfirmationCode=code)
    assert error(excinfo)[1] == "An account with the email already exists."
    assert hiding.attributes(second)[0] == "UNCONFIRMED"
    hiding.client.confirm_sign_up(ClientId=PUBLIC, Username=second, ConfirmationCode=code, ForceAliasCreation=True)
    assert hiding.attributes(second) == ("CONFIRMED", {"sub": hiding.attributes(second)[1]["sub"], "email": email, "email_verified": "true"})
    assert hiding.attributes(first)[1]["email_verified"] == "false"


def test_validation_errors_use_the_services_messages(hiding):
    with pytest.raises(hiding.client.exceptions.InvalidParameterException) as excinfo:
        hiding.client.confirm_sign_up(ClientId=PUBLIC, Username="someone", ConfirmationCode="12 34")
    assert error(excinfo)[1] == (
        "1 validation error detected: Value at 'confirmationCode' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\S]+"
    )


def test_admin_confirm_sign_up_verifies_nothing(hiding):
    user = hiding.sign_up()
    hiding.client.admin_confirm_sign_up(UserPoolId=POOL, Username=user)
    status, attributes = hiding.attributes(user)
    assert status == "CONFIRMED" and attributes["email_verified"] == "false"
    with pytest.raises(hiding.client.exceptions.NotAuthorizedException):
        hiding.client.admin_confirm_sign_up(UserPoolId=POOL, Username=user)


def test_fifty_concurrent_wrong_codes_give_exactly_five_mismatches(hiding):
    user = hiding.sign_up()
    code = hiding.code(user)
    wrong = "000000" if code != "000000" else "111111"

    def attempt(_):
        try:
            hiding.client.confirm_sign_up(ClientId=PUBLIC, Username=user, ConfirmationCode=wrong)
            return "Ok"
        except hiding.client.exceptions.ClientError as e:
            return e.response["Error"]["Code"]

    with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(attempt, range(50)))
    assert answers.count("CodeMismatchException") == 5, answers
    assert set(answers) <= {"CodeMismatchException", "TooManyFailedAttemptsException", "LimitExceededException"}
    with pytest.raises(hiding.client.exceptions.ClientError):
        hiding.client.confirm_sign_up(ClientId=PUBLIC, Username=user, ConfirmationCode=code)
    assert hiding.attributes(user)[0] == "UNCONFIRMED"


def test_unknown_operations_and_malformed_json_are_clear_400s(hiding):
    import urllib.error
    import urllib.request

    def post(target, body):
        request = urllib.request.Request(
            f"http://127.0.0.1:{hiding.port}/", data=body, method="POST",
            headers={"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"},
        )
        with pytest.raises(urllib.error.HTTPError) as excinfo:
            urllib.request.urlopen(request, timeout=10)
        return excinfo.value.code, excinfo.value.headers, json.loads(excinfo.value.read())

    status, headers, body = post("AWSCognitoIdentityProviderService.DeleteEverything", b"{}")
    assert (status, body["__type"]) == (400, "UnknownOperationException")
    assert headers["x-amzn-ErrorType"] == "UnknownOperationException:"
    assert headers["x-amzn-RequestId"]
    status, _, body = post("AWSCognitoIdentityProviderService.ConfirmSignUp", b"{not json")
    assert (status, body["__type"]) == (400, "SerializationException")
    # A code sent as a number is refused without echoing it.
    status, _, body = post("AWSCognitoIdentityProviderService.ConfirmSignUp",
                           b'{"ClientId": "c", "Username": "u", "ConfirmationCode": 424242}')
    assert (status, body["__type"]) == (400, "SerializationException")
    assert "424242" not in body["message"] and "ConfirmSignUp" in body["message"]


def test_sign_up_answers_with_the_code_delivery_details(hiding):
    username = f"user-{uuid.uuid4().hex[:12]}"
    answer = hiding.client.sign_up(ClientId=PUBLIC, Username=username, Password="Passw0rd!",
                                   UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])
    assert answer["UserConfirmed"] is False
    assert uuid.UUID(answer["UserSub"]).version == 4
    assert answer["CodeDeliveryDetails"] == {"Destination": "u***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    assert hiding.code(username)
    with pytest.raises(hiding.client.exceptions.UsernameExistsException) as excinfo:
        hiding.sign_up(username)
    assert error(excinfo)[1] == "User already exists"


def test_email_and_phone_format_usernames_are_refused_in_an_alias_pool(hiding):
    for username, attribute in [("someone@example.com", "email"), ("+12065559876", "phone_number")]:
        with pytest.raises(hiding.client.exceptions.InvalidParameterException) as excinfo:
            # A well-formed email of its own: the username's format is what is refused.
            hiding.sign_up(username, email="someone.else@example.com")
        assert error(excinfo)[1] == (
            f"Username cannot be of {attribute} format, since user pool is configured for {attribute} alias."
        )


def test_the_code_goes_to_the_phone_when_both_are_auto_verified():
    server = Server(hide_users=True, ttl=86400, auto_verified_attributes=["email", "phone_number"])
    try:
        username = f"user-{uuid.uuid4().hex[:12]}"
        answer = server.client.sign_up(ClientId=PUBLIC, Username=username, Password="Passw0rd!", UserAttributes=[
            {"Name": "email", "Value": f"{username}@example.com"}, {"Name": "phone_number", "Value": "+12065551212"}])
        assert answer["CodeDeliveryDetails"] == {"Destination": "+*******1212", "DeliveryMedium": "SMS", "AttributeName": "phone_number"}
        code = server.code(username)
        assert server.codes(username)[-1]["destination"] == "+12065551212"
        server.client.confirm_sign_up(ClientId=PUBLIC, Username=username, ConfirmationCode=code)
        status, attributes = server.attributes(username)
        assert status == "CONFIRMED"
        assert (attributes["phone_number_verified"], attributes["email_verified"]) == ("true", "false")
    finally:
        server.stop()


def answers(server, username, requests):
    """Runs a sequence of ("confirm", code) / ("resend",) requests; the answers a client sees."""
    seen = []
    for request in requests:
        try:
            if request[0] == "confirm":
                server.client.confirm_sign_up(ClientId=PUBLIC, Username=username, ConfirmationCode=request[1])
                seen.append(("Ok", None))
            else:
                details = server.client.resend_confirmation_code(ClientId=PUBLIC, Username=username)["CodeDeliveryDetails"]
                seen.append(("Ok", (details["DeliveryMedium"], details["AttributeName"], len(details["Destination"]))))
        except server.client.exceptions.ClientError as e:
            seen.append((e.response["Error"]["Code"], e.response["Error"]["Message"]))
    return seen


def test_an_unknown_user_is_answered_like_a_real_user_who_never_has_the_code(hiding):
    real = hiding.sign_up(email="same-length@example.com")
    code = hiding.code(real)
    wrong = "000000" if code != "000000" else "111111"
    requests = [("resend",)] + [("confirm", wrong)] * 16 + [("resend",)] * 5
    unknown = f"user-{uuid.uuid4().hex[:12]}"
    real_answers, unknown_answers = answers(hiding, real, requests), answers(hiding, unknown, requests)
    assert real_answers == unknown_answers
    names = [answer[0] for answer in unknown_answers]
    assert names == ["Ok"] + ["CodeMismatchException"] * 5 + ["TooManyFailedAttemptsException"] * 10 \
        + ["LimitExceededException"] + ["Ok"] * 4 + ["LimitExceededException"]
    assert hiding.codes(unknown) == [], "a phantom's code is never delivered"


def test_an_unknown_users_delivery_shows_nothing_of_the_username(hiding):
    for username in ["+12065550123", "zoe@zzz.example", f"nobody-{uuid.uuid4().hex[:8]}"]:
        details = hiding.client.resend_confirmation_code(ClientId=PUBLIC, Username=username)["CodeDeliveryDetails"]
        assert (details["DeliveryMedium"], details["AttributeName"]) == ("EMAIL", "email")
        assert len(details["Destination"]) == len("a***@b***") and "@" in details["Destination"]
        again = hiding.client.resend_confirmation_code(ClientId=PUBLIC, Username=username)["CodeDeliveryDetails"]
        assert again == details, "the same made-up destination every time"


def test_a_code_tagged_under_an_older_key_still_confirms_after_rotation(tmp_path):
    keys = tmp_path / "keys.json"
    secret = lambda byte: base64.b64encode(bytes([byte]) * 32).decode()
    keys.write_text(json.dumps({"current": 1, "keys": {"1": secret(1)}}))
    keys.chmod(0o600)  # one others can read is refused: with it, the database gives every code
    extra = {"keys": str(keys)}
    if STORE == "memory":  # the users must outlive the restart
        extra["database"] = str(tmp_path / "users.sqlite3")
    server = Server(hide_users=True, ttl=86400, directory=tmp_path, **extra)
    try:
        old_key_user, other = server.sign_up(), server.sign_up()
        old_code = server.code(old_key_user)
        server.code(other)
        server.stop(cleanup=False)
        keys.write_text(json.dumps({"current": 2, "keys": {"1": secret(1), "2": secret(2)}}))
        server.start()
        server.client.confirm_sign_up(ClientId=PUBLIC, Username=old_key_user, ConfirmationCode=old_code)
        assert server.attributes(old_key_user)[0] == "CONFIRMED"
        server.client.resend_confirmation_code(ClientId=PUBLIC, Username=other)
        server.client.confirm_sign_up(ClientId=PUBLIC, Username=other, ConfirmationCode=server.code(other, after=1))
        assert server.attributes(other)[0] == "CONFIRMED"
    finally:
        server.stop()


@pytest.mark.parametrize("force", [False, True], ids=["refused", "forced"])
def test_two_users_confirming_one_email_at_once_never_both_own_it(hiding, force):
    pairs = []
    for _ in range(100):
        email = f"race-{uuid.uuid4().hex[:8]}@example.com"
        first, second = hiding.sign_up(email=email), hiding.sign_up(email=email)
        pairs.append((email, (first, hiding.code(first)), (second, hiding.code(second))))

    def confirm(user):
        try:
            hiding.client.confirm_sign_up(
                ClientId=PUBLIC, Username=user[0], ConfirmationCode=user[1], ForceAliasCreation=force
            )
            return "Ok"
        except hiding.client.exceptions.ClientError as e:
            return e.response["Error"]["Code"]

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(confirm, [user for _, first, second in pairs for user in (first, second)]))
    for index, (email, first, second) in enumerate(pairs):
        answers_ = results[2 * index: 2 * index + 2]
        # Forced, the second takes the alias from the first; else the second is refused.
        assert sorted(answers_) == (["Ok", "Ok"] if force else ["AliasExistsException", "Ok"]), answers_
        verified = [user for user, _ in (first, second) if hiding.attributes(user)[1]["email_verified"] == "true"]
        assert len(verified) == 1, (email, verified)

def test_one_address_gets_one_accounts_codes_and_guesses_however_many_accounts_name_it(hiding):
    """Twenty sign-ups naming one address (in any letter case) mail it no more codes than one
    account gets (six: a sign-up and five resends), and buy no more guesses at them (fifteen
    an hour): past them even the right code is a wrong one."""
    client = hiding.client
    address = f"victim-{uuid.uuid4().hex[:8]}@example.com"
    users = [hiding.sign_up(email=address if n % 2 else address.upper()) for n in range(20)]

    def lines():
        return [entry for entry in map(json.loads, hiding.outbox.read_text().splitlines())
                if entry["destination"].lower() == address]

    # Every sign-up's line arrives: its code, or why it was not sent.
    deadline = time.monotonic() + 10
    while len(lines()) < 20:
        assert time.monotonic() < deadline, "a line per sign-up"
        time.sleep(0.01)
    sent = [entry for entry in lines() if "code" in entry]
    assert len(sent) == 6, sent
    unsent_lines = [entry for entry in lines() if "not_sent" in entry]
    assert len(unsent_lines) == 14 and all(
        entry["not_sent"] == "its destination has had its codes for this hour" and "code" not in entry
        and entry["kind"] == "code" for entry in unsent_lines), unsent_lines
    # Fifteen wrong codes, spread over accounts that got none, spend the address's hour.
    unsent = [user for user in users if user not in {entry["username"] for entry in sent}]
    for n in range(15):
        with pytest.raises(client.exceptions.CodeMismatchException):
            client.confirm_sign_up(ClientId=PUBLIC, Username=unsent[n % 5], ConfirmationCode="000000")
    owner = sent[0]
    with pytest.raises(client.exceptions.CodeMismatchException) as excinfo:
        client.confirm_sign_up(ClientId=PUBLIC, Username=owner["username"], ConfirmationCode=owner["code"])
    assert error(excinfo)[1] == "Invalid verification code provided, please try again."
    assert hiding.attributes(owner["username"])[0] == "UNCONFIRMED"
    # Another address is untouched.
    other = hiding.sign_up()
    client.confirm_sign_up(ClientId=PUBLIC, Username=other, ConfirmationCode=hiding.code(other))
    assert hiding.attributes(other)[0] == "CONFIRMED"
