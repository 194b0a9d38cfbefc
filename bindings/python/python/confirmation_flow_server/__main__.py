"""`python -m confirmation_flow_server [ARGS]`: runs the server binary with ARGS."""

import os
import sys

from ._binary import binary


def main() -> None:
    path = binary()
    if sys.platform == "win32":  # no exec: run it and pass its status on
        import subprocess

        sys.exit(subprocess.call([path, *sys.argv[1:]]))
    os.execv(path, [path, *sys.argv[1:]])


if __name__ == "__main__":
    main()
