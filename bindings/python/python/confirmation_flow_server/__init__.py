"""A Cognito-compatible user pool on your machine: the `confirmation-flow-server` binary this
package installs, and `Server`, which starts one for a test run (the pytest fixture
`cognito_server` is one, started once per run)."""

from ._binary import binary
from ._server import NoCodeSent, Pool, Server, ServerError

__all__ = ["NoCodeSent", "Pool", "Server", "ServerError", "binary"]
