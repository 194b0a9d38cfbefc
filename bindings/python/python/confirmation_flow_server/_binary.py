"""Where the server binary the wheel installed is."""

import os
import shutil
import sysconfig

NAME = "confirmation-flow-server"


def binary() -> str:
    """The path of the `confirmation-flow-server` binary: the one this package's wheel put
    in its environment's scripts directory, else the first on `PATH`.

    Raises `FileNotFoundError` naming where it looked.
    """
    looked = []
    # This environment's scripts, then the user's (`pip install --user`).
    for directory in (sysconfig.get_path("scripts"), sysconfig.get_path("scripts", f"{os.name}_user")):
        candidate = os.path.join(directory, NAME)
        looked.append(directory)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(NAME)
    if found:
        return found
    raise FileNotFoundError(
        f"the {NAME} binary is not installed: looked in {', '.join(looked)} and on PATH "
        f"(reinstall with `pip install confirmation-flow-server`)"
    )
