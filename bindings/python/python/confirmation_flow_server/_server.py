"""`Server`: a `confirmation-flow-server` on a free loopback port with a temporary database,
its clock movable by tests (`advance`), and the codes it sends readable (`code`)."""

import atexit
import dataclasses
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

from ._binary import binary as installed_binary

#: The environment variable naming another server binary (a development build, say).
BINARY_VARIABLE = "CONFIRMATION_FLOW_SERVER"
#: The region the server signs and checks admin calls in, and its local test key.
REGION = "us-east-1"
TEST_KEY = ("test", "test")


class ServerError(RuntimeError):
    """The server could not be started, or a test endpoint refused what it was asked."""


class NoCodeSent(LookupError):
    """No code was sent to the user named."""


@dataclasses.dataclass(frozen=True)
class Pool:
    """A user pool made by `Server.create_pool`, and the app client made in it."""

    pool_id: str
    client_id: str
    #: The client's secret, when it was made with `GenerateSecret`.
    client_secret: Optional[str] = None


class Server:
    """A server of its own, for a test run: on a free loopback port (the system's choice:
    no other process can take it meanwhile), with a database and an outbox in a temporary
    directory, and the test clock on. `stop()` ends it; so does the end of the process that
    started it, however it ends (the server stops when its stdin, a pipe this object holds,
    closes). Linux and macOS.

    Raises `ServerError` with the server's own message when it cannot start, and
    `FileNotFoundError` when there is no binary."""

    def __init__(self, binary: Optional[str] = None, start_timeout: float = 30.0):
        self.binary = binary or os.environ.get(BINARY_VARIABLE) or installed_binary()
        self._directory = tempfile.TemporaryDirectory(prefix="cognito-server-")
        self.home = Path(self._directory.name)
        self.outbox = self.home / "outbox.jsonl"
        self.log = self.home / "server.log"
        self._process: Optional[subprocess.Popen] = None
        self._clients: Dict[str, Any] = {}
        try:
            self.port = self._start(start_timeout)
        except BaseException:
            self._directory.cleanup()
            raise
        self.endpoint_url = f"http://127.0.0.1:{self.port}"
        atexit.register(self.stop)

    def _start(self, timeout: float) -> int:
        config = {
            "listen": "127.0.0.1:0",
            "clients": [{"client_id": "pytest", "client_secret": None}],
            "database": str(self.home / "users.sqlite3"),
            "outbox": str(self.outbox),
            "test_clock": True,
        }
        path = self.home / "config.json"
        path.write_text(json.dumps(config))
        # The local test key signs admin calls: keys a developer set for another server
        # must not make this one refuse it.
        environment = {name: value for name, value in os.environ.items()
                       if name != "CONFIRMATION_FLOW_ADMIN_CREDENTIALS"}
        with open(self.log, "ab") as log:
            process = subprocess.Popen(
                [self.binary, "--config", str(path), "--stop-when-stdin-closes"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=environment,
            )
        try:
            lines: "queue.Queue[bytes]" = queue.Queue()
            threading.Thread(target=_drain, args=(process.stdout, lines), daemon=True).start()
            try:
                first = lines.get(timeout=timeout).decode(errors="replace").strip()
            except queue.Empty:
                first = None
            prefix = "listening on http://127.0.0.1:"
            if first and first.startswith(prefix) and first[len(prefix):].isdigit():
                self._process = process
                return int(first[len(prefix):])
        except BaseException:
            _end(process)
            raise
        _end(process)
        said = self.log.read_text(errors="replace").strip().splitlines()
        if first is None:
            problem = f"no 'listening on' line within {timeout:.0f} s"
        elif first:
            problem = f"its first line was {first!r}"
        else:
            problem = "it exited"
        last = f"; its last log line: {said[-1]}" if said else ""
        raise ServerError(f"{self.binary} did not start: {problem}{last}")

    def client(self, **settings):
        """A boto3 `cognito-idp` client for this server, signed with its local test key
        (needs boto3: `pip install 'confirmation-flow-server[boto3]'`)."""
        try:
            import boto3
        except ImportError as missing:
            raise ImportError(
                "cognito_server.client() needs boto3: pip install 'confirmation-flow-server[boto3]'"
            ) from missing
        settings = {"region_name": REGION, "aws_access_key_id": TEST_KEY[0],
                    "aws_secret_access_key": TEST_KEY[1], **settings}
        return boto3.client("cognito-idp", endpoint_url=self.endpoint_url, **settings)

    def create_pool(self, client: Optional[Dict[str, Any]] = None, **settings) -> Pool:
        """A new user pool (`CreateUserPool` with `settings`) and an app client in it
        (`CreateUserPoolClient` with `client`).

        Unless given: the pool is named at random and auto-verifies `email` (so sign-ups
        are sent codes); the client is named `app` and allows `USER_PASSWORD_AUTH` as well
        as the service's default flows (SRP and refresh)."""
        cognito = self._shared_client()
        settings.setdefault("PoolName", f"pool-{uuid.uuid4().hex[:8]}")
        settings.setdefault("AutoVerifiedAttributes", ["email"])
        pool = cognito.create_user_pool(**settings)["UserPool"]
        client = dict(client or {})
        client.setdefault("ClientName", "app")
        client.setdefault("ExplicitAuthFlows", [
            "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
        made = cognito.create_user_pool_client(UserPoolId=pool["Id"], **client)["UserPoolClient"]
        return Pool(pool["Id"], made["ClientId"], made.get("ClientSecret"))

    def code(self, username: str, pool: "Optional[Pool | str]" = None, timeout: float = 1.0) -> str:
        """The latest code sent to `username` (named as stored, or by the address it went
        to), in `pool` (a `Pool` or a pool id; any pool when not given): a confirmation
        code or a password reset code. Every delivery of a request answered before this call
        is written first, so right after `ResendConfirmationCode` it is the new code, never
        the one it replaced. Waits up to `timeout` seconds more for a first one (for a
        request still being answered on another thread). Raises
        `NoCodeSent` naming the user when none came, or when the latest was not sent (the
        destination's hourly budget spent: the reason is in the message); `ServerError`
        when `pool` is not given and the name was sent codes in more than one pool."""
        return self._latest(username, pool, ("code", "password_reset_code"), "code", timeout)

    def temporary_password(self, username: str, pool: "Optional[Pool | str]" = None,
                           timeout: float = 1.0) -> str:
        """The latest temporary password sent to `username` (`AdminCreateUser`), as `code`."""
        return self._latest(username, pool, ("temporary_password",), "temporary password", timeout)

    def sent(self, username: str, pool: "Optional[Pool | str]" = None) -> List[Dict[str, str]]:
        """Every outbox line for `username` (named as stored, or by the address) in `pool`,
        oldest first, once the deliveries of the requests answered before this call are
        written."""
        self._post("/_test/deliveries", None)
        pool_id = pool.pool_id if isinstance(pool, Pool) else pool
        return [entry for entry in self._lines()
                if username in (entry.get("username"), entry.get("destination"))
                and pool_id in (None, entry.get("pool_id"))]

    def _lines(self) -> List[Dict[str, str]]:
        text = self.outbox.read_text() if self.outbox.exists() else ""
        # A line being appended has no newline yet: complete lines only.
        return list(map(json.loads, text[: text.rfind("\n") + 1].splitlines()))

    def advance(self, seconds: int) -> int:
        """Moves the server's clock `seconds` (a whole number, at least 1) forward: codes,
        rate windows, sessions and tokens all read it. The clock is the whole run's (the
        server is), and only moves forward: tests after this one run in its future. Returns
        the server's time after, in Unix seconds."""
        if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 1:
            raise ValueError(f"advance() moves the clock by whole seconds, at least 1: not {seconds!r}")
        return self._post("/_test/clock", {"advance_seconds": seconds})["now"]

    def stop(self) -> None:
        """Stops the server (SIGTERM, then SIGKILL after ten seconds) and deletes its
        directory. Safe to call more than once."""
        process, self._process = self._process, None
        if process is not None:
            _end(process)
        atexit.unregister(self.stop)
        self._directory.cleanup()

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *_) -> None:
        self.stop()

    def _latest(self, username: str, pool, kinds, what: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        where = f" in {pool.pool_id if isinstance(pool, Pool) else pool}" if pool else ""
        while True:
            found = [entry for entry in self.sent(username, pool)
                     if any(kind in entry for kind in kinds) or entry.get("kind") in kinds]
            pools = sorted({entry.get("pool_id") for entry in found})
            if pool is None and len(pools) > 1:
                raise ServerError(f"{username!r} was sent a {what} in {len(pools)} pools "
                                  f"({', '.join(pools)}): name one with pool=")
            if found:
                latest = found[-1]
                if "not_sent" in latest:
                    raise NoCodeSent(
                        f"the latest {what} for {username!r}{where} was not sent: "
                        f"{latest['not_sent']} (an address gets six codes an hour in a pool, however "
                        f"many accounts name it; advance(3600) opens the next hour)")
                return next(latest[kind] for kind in kinds if kind in latest)
            if time.monotonic() >= deadline:
                hint = ""
                if "temporary_password" in kinds:
                    hint = (" (AdminCreateUser sends one to the first of DesiredDeliveryMediums "
                            "the user has an attribute for: SMS when none are named)")
                others = sorted({entry["username"] for entry in self._lines()
                                 if pool in (None, entry.get("pool_id"))} - {username})[:5]
                if others:
                    hint += f"; sent to: {', '.join(map(repr, others))}"
                raise NoCodeSent(f"no {what} was sent to {username!r}{where}{hint} (outbox: {self.outbox})")
            time.sleep(0.05)

    def _shared_client(self):
        if "cognito" not in self._clients:
            self._clients["cognito"] = self.client()
        return self._clients["cognito"]

    def _post(self, path: str, body: Optional[Dict[str, Any]]):
        data = json.dumps(body or {}).encode()
        request = urllib.request.Request(self.endpoint_url + path, data=data, method="POST",
                                         headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return json.load(answer)
        except urllib.error.HTTPError as refused:
            answer = refused.read().decode(errors="replace")
            try:
                answer = json.loads(answer)["message"]
            except (ValueError, KeyError, TypeError):
                pass
            raise ServerError(f"{path}: {answer}") from None


def _drain(stream, lines: "queue.Queue[bytes]") -> None:
    """Hands the lines on as they come (so the pipe never fills), then an empty one when the
    server closes its output (it exited): a start-up that failed is seen at once."""
    for line in iter(stream.readline, b""):
        lines.put(line)
    lines.put(b"")


def _end(process: subprocess.Popen) -> None:
    """Stops `process` (SIGTERM, then SIGKILL after ten seconds), reaps it and closes its
    pipes."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            pipe.close()
