"""`Server` itself: what a user sees when it cannot start, a taken port, and an interrupted
run (no server left behind)."""
import os
import signal
import subprocess
import sys
import time

import pytest

from confirmation_flow_server import Server, ServerError


def test_a_binary_that_fails_shows_its_own_message(tmp_path):
    failing = tmp_path / "failing-server"
    failing.write_text("#!/bin/sh\necho 'confirmation-flow-server: the database is locked' >&2\nexit 1\n")
    failing.chmod(0o755)
    with pytest.raises(ServerError, match="the database is locked"):
        Server(binary=str(failing))


def test_a_missing_binary_says_where_it_looked(monkeypatch):
    monkeypatch.delenv("CONFIRMATION_FLOW_SERVER", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr("sysconfig.get_path", lambda *_, **__: "/nowhere")
    with pytest.raises(FileNotFoundError, match="/nowhere.*PATH"):
        Server()


def test_two_servers_at_once_listen_on_two_ports_and_ignore_the_callers_admin_keys(monkeypatch):
    monkeypatch.setenv("CONFIRMATION_FLOW_ADMIN_CREDENTIALS", '[{"access_key_id": "AKIDELSEWHERE", '
                       '"secret_access_key": "elsewhere"}]')
    with Server() as first, Server() as second:
        assert first.port != second.port
        assert first.create_pool().pool_id != second.create_pool().pool_id


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_an_interrupted_run_leaves_no_server_behind(tmp_path):
    script = ("import sys, time\n"
              "from confirmation_flow_server import Server\n"
              "server = Server()\n"
              "print(server._process.pid, flush=True)\n"
              "time.sleep(600)\n")
    runner = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    pid = int(runner.stdout.readline())
    os.kill(pid, 0)  # running
    runner.send_signal(signal.SIGKILL)  # no teardown, no atexit: its stdin pipe closes
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
