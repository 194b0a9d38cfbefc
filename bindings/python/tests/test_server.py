"""`Server` itself: what a user sees when it cannot start, a taken port, and an interrupted
run (no server left behind)."""
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

import confirmation_flow_server
from confirmation_flow_server import Server, ServerError, _server


def test_a_binary_that_fails_shows_its_own_message(tmp_path):
    failing = tmp_path / "failing-server"
    failing.write_text("#!/bin/sh\necho 'confirmation-flow-server: the database is locked' >&2\nexit 1\n")
    failing.chmod(0o755)
    with pytest.raises(ServerError, match="the database is locked"):
        Server(binary=str(failing))


def test_a_missing_binary_says_where_it_looked(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(_server, "installed_binary", confirmation_flow_server._binary.binary)
    monkeypatch.setattr("sysconfig.get_path", lambda *_, **__: "/nowhere")
    with pytest.raises(FileNotFoundError, match="/nowhere"):
        confirmation_flow_server.binary()


def test_a_port_taken_meanwhile_is_traded_for_another(monkeypatch):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    ports = iter([taken.getsockname()[1]])
    free = _server._free_port
    monkeypatch.setattr(_server, "_free_port", lambda: next(ports, None) or free())
    with Server() as server:
        assert server.port != taken.getsockname()[1]
        assert server.advance(1) > 0
    taken.close()


def test_an_interrupted_run_leaves_no_server_behind(tmp_path):
    script = ("import sys, time\n"
              "from confirmation_flow_server import Server\n"
              "server = Server()\n"
              "print(server._process.pid, flush=True)\n"
              "time.sleep(600)\n")
    runner = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    pid = int(runner.stdout.readline())
    os.kill(pid, 0)  # running
    runner.send_signal(signal.SIGKILL)  # no teardown, no atexit: the server must still end
    runner.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        # A zombie (ended, not yet reaped by init) has state Z.
        with open(f"/proc/{pid}/stat") as stat:
            if stat.read().split(")")[-1].split()[0] == "Z":
                return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    pytest.fail("the server outlived the run that started it")
