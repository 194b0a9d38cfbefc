"""Conformance of the example server with boto3, a client nobody here wrote.

Starts the server (examples/server) on free loopback ports, once with
PreventUserExistenceErrors off and once on, and drives it with boto3's own
typed exceptions. Codes are read from the server's outbox.
"""
import base64
import concurrent.futures
import hashlib
import hmac
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
    "CONFORMANCE_SERVER", str(ROOT / "examples/server/target/release/confirmation-flow-server")
)
POOL = "us-east-1_LOCAL"
PUBLIC, SECRET_CLIENT, SECRET = "publicclient", "secretclient", "s3cr3t"
TTL = 4


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, hide_users, ttl):
        self.dir = tempfile.TemporaryDirectory()
        self.port = free_port()
        self.outbox = pathlib.Path(self.dir.name) / "outbox.jsonl"
        config = {
            "listen": f"127.0.0.1:{self.port}",
            "user_pool_id": POOL,
            "clients": [
                {"client_id": PUBLIC, "client_secret": None},
                {"client_id": SECRET_CLIENT, "client_secret": SECRET},
            ],
            "prevent_user_existence_errors": hide_users,
            "alias_attributes": ["email", "phone_number"],
            "code_ttl_seconds": ttl,
            "database": ":memory:",
            "outbox": str(self.outbox),
        }
        path = pathlib.Path(self.dir.name) / "config.json"
        path.write_text(json.dumps(config))
        self.process = subprocess.Popen([SERVER, "--config", str(path)], stdout=subprocess.PIPE, text=True)
        self.process.stdout.readline()  # "listening on ..." once the socket is bound
        self.client = boto3.client(
            "cognito-idp",
            region_name="us-east-1",
            endpoint_url=f"http://127.0.0.1:{self.port}",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(retries={"total_max_attempts": 1}, max_pool_connections=64),
        )

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.dir.cleanup()

    def codes(self, username):
        lines = self.outbox.read_text().splitlines() if self.outbox.exists() else []
        return [json.loads(line) for line in lines if json.loads(line)["username"] == username]

    def code(self, username):
        return self.codes(username)[-1]["code"]

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
    new = hiding.code(user)
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
