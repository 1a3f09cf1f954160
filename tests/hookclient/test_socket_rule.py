"""The hook client repeats the socket rule of aegis_core/sockets.py in plain standard
library (it cannot afford to import it): the two must agree for every environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aegis_core.config import aegis_home
from aegis_core.hookclient import RUNNER
from aegis_core.sockets import hook_socket

ASK_TRANSPORT = (
    "import sys, json; sys.path.append(sys.argv[1]); import transport; "
    "print(json.dumps(transport.socket_path(sys.argv[2] or None)))"
)


def transport_socket(env: dict[str, str], installed_home: str | None) -> str:
    done = subprocess.run([sys.executable, "-I", "-S", "-c", ASK_TRANSPORT, str(RUNNER.parent),
                           installed_home or ""], env=env, capture_output=True, text=True, timeout=30, check=True)
    return json.loads(done.stdout)


@pytest.mark.parametrize("aegis_socket", [None, "/run/aegis/agent.sock"])
@pytest.mark.parametrize("home_var", [None, "/srv/aegis-home", "~/elsewhere"])
@pytest.mark.parametrize("installed", [None, "/opt/installed-home"])
def test_the_hook_client_and_the_core_agree(tmp_path: Path, aegis_socket: str | None, home_var: str | None,
                                            installed: str | None) -> None:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}
    if aegis_socket:
        env["AEGIS_SOCKET"] = aegis_socket
    if home_var:
        env["AEGIS_HOME"] = home_var
    # The installed home (--home=PATH) stands in when AEGIS_HOME is unset.
    core_env = dict(env)
    if installed and not home_var:
        core_env["AEGIS_HOME"] = installed
    expected = hook_socket(aegis_home(core_env), env=core_env)
    assert transport_socket(env, installed) == str(expected)
