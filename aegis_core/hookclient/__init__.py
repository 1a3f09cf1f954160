"""The hook client agents run for every tool call, shared by every hook adapter: the
transport to the daemon lives here (stdlib only, see transport.py); each adapter plugin
brings a ``wire.py`` encoder that writes the decision the way its agent reads it.

This module is for the full Python side (settings generators, doctor checks): the hook
itself never imports it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

RUNNER = Path(__file__).resolve().with_name("run.py")
# The interpreter flags the hook runs with: no site-packages, no environment variables
# (the agent's PYTHON* settings must not change what the client runs).
PYTHON_FLAGS = ("-I", "-S")


def client_argv(encoder: str | Path, hook_event: str, deadline_s: float | int, *,
                python: str | None = None, runner: str | Path | None = None,
                home: str | Path | None = None) -> list[str]:
    """The command line that runs the hook client for ``hook_event`` with ``encoder``.

    :param encoder: absolute path of the adapter's ``wire.py``.
    :param deadline_s: the client's own deadline, below the agent's hook timeout.
    :param python: the interpreter (default: this one).
    :param runner: the runner script (default: this installation's run.py).
    :param home: the Aegis home to find the agent socket in when neither ``AEGIS_SOCKET``
        nor ``AEGIS_HOME`` is set at run time (None: ``~/.aegis``).
    """
    python = python or os.path.abspath(sys.executable)
    deadline = f"{deadline_s:g}" if isinstance(deadline_s, float) else str(deadline_s)
    extra = [f"--home={home}"] if home else []
    return [python, *PYTHON_FLAGS, str(runner or RUNNER), str(encoder), hook_event, deadline, *extra]


def installed_home(config: Any) -> str | None:
    """The Aegis home to write into hook commands installed outside ``aegis wrap``:
    None when it is ``~/.aegis``, where the hook looks anyway. (The hook finds the agent
    socket in the home, so ``[daemon] socket``, which moves only the operator socket,
    needs nothing.)"""
    from aegis_core.config import DEFAULT_HOME

    default_home = Path(os.path.expanduser(DEFAULT_HOME)).absolute()
    return str(config.home) if Path(config.home).absolute() != default_home else None


def client_paths() -> tuple[str, ...]:
    """What must be visible (read-only) for the hook client to run inside a sandbox: the
    interpreter's installation (a virtualenv and the Python it was made from) and the
    client's own folder (run.py, transport.py, guard.sh)."""
    return tuple(dict.fromkeys((os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix),
                                str(RUNNER.parent))))


def client_protected(*encoders: str) -> tuple[str, ...]:
    """What stays read-only inside the sandbox even where it lies in a writable place
    (Aegis installed into the project's own venv): the client's code, its interpreter and
    the adapter's encoder. Edited by the agent, the client would answer allow unasked."""
    return tuple(dict.fromkeys((str(RUNNER.parent), os.path.realpath(sys.executable), *encoders)))
