"""The pytest plugin (registered through the `pytest11` entry point: installing the package
is enough): the `cognito_server` fixture."""

import pytest

from ._server import Server


@pytest.fixture(scope="session")
def cognito_server():
    """A Cognito-compatible server for the whole test run: on a free loopback port, with a
    temporary database, stopped at the end (by its PID; on Linux also when the run is
    killed). See `confirmation_flow_server.Server` for what it offers: `endpoint_url`,
    `client()`, `create_pool()`, `code()`, `advance()`."""
    server = Server()
    try:
        yield server
    finally:
        server.stop()
