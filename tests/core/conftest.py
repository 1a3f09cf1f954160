"""Shared helpers of the core tests: real on-disk distributions (a ``.dist-info``
folder with entry points, found by importlib-metadata like an installed plugin) and
a way to run the real ``aegis`` command."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class FakeDist:
    name: str
    entry_point: str
    module: str
    root: Path


@pytest.fixture
def site_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder on ``sys.path`` (and on the ``PYTHONPATH`` of child processes)
    that distributions can be installed into."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))
    )
    return site


@pytest.fixture
def make_dist(site_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., FakeDist]:
    """Install a one-module distribution with an ``aegis`` entry point into
    ``site_dir``: what ``pip install`` of a plugin leaves behind."""

    def make(
        name: str, source: str, *, version: str = "1.2.3", entry_point: str | None = None
    ) -> FakeDist:
        # Unique module names: a module imported by one test must not be reused by another.
        module = f"{name.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
        (site_dir / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        info = site_dir / f"{name.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
        )
        ep = entry_point or name
        (info / "entry_points.txt").write_text(f"[aegis]\n{ep} = {module}\n", encoding="utf-8")
        monkeypatch.delitem(sys.modules, module, raising=False)
        return FakeDist(name, ep, module, site_dir)

    return make


def aegis_command() -> list[str]:
    """The installed ``aegis`` script next to this interpreter, else its entry function."""
    script = Path(sys.executable).with_name("aegis")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from aegis_core.cli import main; sys.exit(main())"]


@pytest.fixture
def run_aegis(aegis_home: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the real ``aegis`` in a child process with the test's ``AEGIS_HOME``."""

    def run(
        *args: str, env: dict[str, str] | None = None, input: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, **(env or {})}
        return subprocess.run(
            [*aegis_command(), *args],
            capture_output=True,
            text=True,
            env=full_env,
            input=input,
            timeout=60,
        )

    return run
