"""Runs ``PtyAdapter.wrap`` the way ``aegis wrap --adapter pty`` does, for the tests:
``python wrap_runner.py SOCKET IDLE_MS DAEMON_PID -- CMD ARGS`` (DAEMON_PID: the process
serving SOCKET, the only one the relay trusts). Exits with the wrapped status."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import aegis_pty.plugin
from aegis_pty.adapter import PtyAdapter

from aegis_core.adapters import WrapContext
from aegis_core.config import load_config
from aegis_core.errors import AegisError
from aegis_core.testing import make_plugins


def main() -> int:
    socket, idle_ms, daemon_pid, separator, *argv = sys.argv[1:]
    assert separator == "--", "usage: wrap_runner.py SOCKET IDLE_MS DAEMON_PID -- CMD ARGS"
    with tempfile.TemporaryDirectory(prefix="aegis-pty-home-") as folder:
        home = Path(folder)
        plugins = make_plugins(aegis_pty.plugin)
        config = load_config(home=home, env={"AEGIS_PTY_IDLE_MS": idle_ms},
                             sections=plugins.config_sections())
        context = WrapContext(config=config, plugins=plugins, home=home, socket=Path(socket),
                              session="sess-test", token="tok-test", daemon_pid=int(daemon_pid))
        try:
            return PtyAdapter().wrap(argv, context)
        except AegisError as exc:
            print(f"aegis: {exc}", file=sys.stderr)
            return int(exc.exit_code)


if __name__ == "__main__":
    sys.exit(main())
