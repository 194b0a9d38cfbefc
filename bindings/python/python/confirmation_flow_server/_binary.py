"""Where the server binary the wheel installed is."""

import os
import shutil
import sys
import sysconfig

NAME = "confirmation-flow-server"


def binary() -> str:
    """The path of the `confirmation-flow-server` binary: the one this package's wheel put
    in its environment's scripts directory, else the first on `PATH`.

    Raises `FileNotFoundError` naming where it looked.
    """
    name = NAME + (".exe" if sys.platform == "win32" else "")
    looked = []
    schemes = [sysconfig.get_default_scheme()]
    if sys.version_info >= (3, 10):
        schemes.append(sysconfig.get_preferred_scheme("user"))
    for scheme in schemes:
        directory = sysconfig.get_path("scripts", scheme=scheme)
        candidate = os.path.join(directory, name)
        looked.append(directory)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(name)
    if found:
        return found
    raise FileNotFoundError(
        f"the {NAME} binary is not installed: looked in {', '.join(looked)} and on PATH "
        f"(reinstall with `pip install confirmation-flow-server`)"
    )
