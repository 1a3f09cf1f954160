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


def compiled_bridge(folder: Path) -> Path:
    """:data:`BRIDGE` compiled for this interpreter, in ``folder`` (Aegis' own, which the
    sandbox does not show): the sandbox's first process then starts without compiling
    its source (a script, unlike a module, gets no cached bytecode), about 4 ms less on
    every wrapped start. Made once per bridge version and interpreter, whole or not at
    all; the source itself when it cannot be written."""
    import hashlib
    import importlib.util
    import marshal

    from aegis_core.files import write_atomically

    source = BRIDGE.read_bytes()
    tag = hashlib.sha256(importlib.util.MAGIC_NUMBER + source).hexdigest()[:20]
    target = folder / f"bridge-{tag}.pyc"
    if target.is_file():
        return target
    try:
        code = compile(source, "/run/aegis-net/bridge.py", "exec", dont_inherit=True)
        # A .pyc header (magic, flags, and the source's mtime and size, unused when the
        # file is run directly), then the code.
        data = importlib.util.MAGIC_NUMBER + bytes(12) + marshal.dumps(code)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_atomically(target, data, mode=0o444)
    except (OSError, SyntaxError, ValueError):
        return BRIDGE
    return target


__all__ = ["BRIDGE", "RUN_MOUNT", "bridge_command", "compiled_bridge"]
