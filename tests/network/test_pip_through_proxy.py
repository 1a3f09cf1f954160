"""Routine work still runs: `pip install` into a project venv, inside a network
namespace of its own (bubblewrap, the bridge as PID 1), from a package index that the
manifest allows: a folder served over HTTP on the host's loopback, holding a wheel
built here. No human is asked; the connection is audited."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from network_support import Home, interpreter_binds, package_index

from aegis_core.network import bridge_command

pytestmark = pytest.mark.slow


@pytest.fixture
def index(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    with package_index(tmp_path / "index") as served:
        yield served


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
             "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", *interpreter_binds(), "--tmpfs", "/run",
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
