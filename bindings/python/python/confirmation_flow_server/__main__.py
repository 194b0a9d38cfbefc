"""`python -m confirmation_flow_server [ARGS]`: runs the server binary with ARGS."""

import os
import sys

from ._binary import binary


def main() -> None:
    path = binary()
    os.execv(path, [path, *sys.argv[1:]])


if __name__ == "__main__":
    main()
