"""Routine work still runs: `pip install` into a project venv, inside a network
namespace of its own (bubblewrap, the bridge as PID 1), from a package index that the
manifest allows: a folder served over HTTP on the host's loopback, holding a wheel
built here. No human is asked; the connection is audited."""

from __future__ import annotations

import base64
import hashlib
import http.server
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from network_support import Home

from aegis_core.network import bridge_command

pytestmark = pytest.mark.slow


def build_wheel(directory: Path) -> Path:
    """A pure-Python wheel, ``aegis_demo_pkg`` 1.0, written by hand (nothing to fetch)."""
    name, version = "aegis_demo_pkg", "1.0"
    info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": b"GREETING = 'installed through Aegis'\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: aegis-demo-pkg\nVersion: {version}\n".encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(
        f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},{len(data)}\n"
        for path, data in files.items()) + f"{info}/RECORD,,\n"
    wheel = directory / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
        archive.writestr(f"{info}/RECORD", record)
    return wheel


@pytest.fixture
def index(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """A PEP 503 simple index on 127.0.0.1 (ephemeral port) serving one wheel."""
    root = tmp_path / "index"
    (root / "simple" / "aegis-demo-pkg").mkdir(parents=True)
    (root / "files").mkdir()
    wheel = build_wheel(root / "files")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    (root / "simple" / "index.html").write_text('<a href="aegis-demo-pkg/">aegis-demo-pkg</a>\n')
    (root / "simple" / "aegis-demo-pkg" / "index.html").write_text(
        f'<a href="../../files/{wheel.name}#sha256={digest}">{wheel.name}</a>\n')
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], root
    server.shutdown()
    server.server_close()


def test_pip_installs_into_a_project_venv_from_an_allowed_index(index: tuple[int, Path]) -> None:
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        pytest.skip("bubblewrap is not installed (.ci/run installs it)")
    port, _ = index
    home = Home()
    try:
        home.start(policy=f'[policy]\ninclude_defaults = true\n\n[sandbox.network]\nallow = ["127.0.0.1:{port}"]\n')
        created = home.request("session.create", agent="test", cwd=str(home.root), command="pip")
        project = home.root / "project"
        project.mkdir()
        script = (f"{sys.executable} -m venv .venv && .venv/bin/pip install --disable-pip-version-check -q "
                  f"--index-url http://127.0.0.1:{port}/simple/ --trusted-host 127.0.0.1 aegis-demo-pkg && "
                  ".venv/bin/python -c 'import aegis_demo_pkg; print(aegis_demo_pkg.GREETING)'")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "AEGIS_"))}
        env.update({"PIP_CONFIG_FILE": os.devnull, "HOME": str(home.root), "PIP_NO_CACHE_DIR": "1"})
        result = subprocess.run(
            [bwrap, "--unshare-net", "--unshare-pid", "--as-pid-1", "--die-with-parent", "--ro-bind", "/", "/",
             "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/run",
             "--ro-bind", created["run_dir"], "/run/aegis", "--bind", str(project), str(project), "--chdir",
             str(project), "--", *bridge_command(), "sh", "-c", script],
            env=env, text=True, capture_output=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.strip().endswith("installed through Aegis")
        assert home.pending() == [] and home.audit("approval.requested") == []
        connections = [record["details"] for record in home.audit("network.connection")]
        assert connections and all(c["port"] == port and c["rule"] == "network.allow" for c in connections)
        assert sum(c["bytes_in"] for c in connections) > 1000
    finally:
        home.close()
