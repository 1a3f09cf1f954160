"""Network through Aegis: a wrapped agent's sandbox has no network of its own; its
traffic leaves only through the daemon's egress proxy, which lets the manifest's
hosts pass, asks a human about the rest, audits every connection, and adds the
model API key on the way out so the key never enters the sandbox.

- :mod:`.bridge`: the sandbox's first process, joining loopback inside to the proxy;
- :mod:`.proxy`: HTTP CONNECT and plain HTTP, spoken with h11;
- :mod:`.gate`: who may go where, per session; :mod:`.hosts`: allow entries;
- :mod:`.endpoints`: model API keys held outside; :mod:`.service`: the daemon's part.
"""

from __future__ import annotations

import sys
from pathlib import Path

BRIDGE = Path(__file__).with_name("bridge.py")
RUN_MOUNT = "/run/aegis"  # where the session's run directory appears inside the sandbox


def bridge_command(python: str | None = None, *, proxy_socket: str = f"{RUN_MOUNT}/proxy.sock") -> list[str]:
    """The sandbox's command, to which the agent's argv is appended: the bridge, run by
    ``python`` (default this interpreter) in isolated mode without site-packages.
    Inside the sandbox both the interpreter and :data:`BRIDGE` must be visible."""
    return [python or sys.executable, "-I", "-S", str(BRIDGE), "--proxy-socket", proxy_socket, "--"]


__all__ = ["BRIDGE", "RUN_MOUNT", "bridge_command"]
