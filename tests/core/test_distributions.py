"""The five distributions as users get them: each builds an sdist and a wheel
(the wheel from the sdist, so a file missing from the sdist fails here), they
install by name from a local wheelhouse into a clean virtualenv, and a throwaway
third-party plugin installed beside them shows up in ``aegis plugins list``.

Slow (about a minute): it builds five packages and creates a virtualenv. The
wheelhouse is filled with the third-party dependencies from the package index
(or pip's cache); the install itself runs with ``--no-index``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_DIRS = sorted(
    p for p in (ROOT / "plugins").glob("aegis-*") if (p / "pyproject.toml").exists()
)
# name -> source folder, for the five distributions.
SOURCES = {"aegis-core": ROOT, **{p.name: p for p in PLUGIN_DIRS}}
NOT_SOURCE = shutil.ignore_patterns(
    ".venv",
    ".git",
    ".tox",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    "node_modules",
    ".ci",
    ".*_cache",
    ".hypothesis",
    "plugins",
    "benchmarks",
)


def run(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=300,
    )
    assert result.returncode == 0, (
        f"{args} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    return result


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sdists and wheels of the five distributions plus every dependency's wheel."""
    work = tmp_path_factory.mktemp("dist")
    house = work / "wheelhouse"
    house.mkdir()
    builds = []
    for name, source in SOURCES.items():
        # Build from a copy, so the tree gets no build/ or egg-info and parallel runs don't collide.
        copy = work / "src" / name
        shutil.copytree(source, copy, ignore=NOT_SOURCE)
        builds.append(
            (
                name,
                subprocess.Popen(
                    [sys.executable, "-m", "build", "--outdir", str(house), str(copy)],
                    cwd=work,  # a build/ folder left in the checkout would shadow the `build` module
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                ),
            )
        )
    for name, process in builds:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, f"building {name} failed:\n{output[-3000:]}"
    requirements = sorted(
        {
            req
            for wheel in house.glob("*.whl")
            for req in _requirements(wheel)
            if not req.startswith("aegis-")
        }
    )
    run(
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--only-binary=:all:",
        "--dest",
        house,
        *requirements,
        "setuptools>=77",
    )
    return house


def _requirements(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        lines = archive.read(metadata).decode().splitlines()
    return [
        line.split(":", 1)[1].strip()
        for line in lines
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    ]


@pytest.fixture(scope="module")
def clean_venv(wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtualenv (no system site-packages) with aegis-core, aegis-telegram and
    aegis-pty installed by name, from the wheelhouse only."""
    env_dir = tmp_path_factory.mktemp("venv") / "env"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    pip(
        env_dir,
        "install",
        "--no-index",
        "--find-links",
        wheelhouse,
        "aegis-core",
        "aegis-telegram",
        "aegis-pty",
    )
    return env_dir


def pip(env_dir: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return run(
        env_dir / "bin" / "python", "-m", "pip", "--disable-pip-version-check", "--quiet", *args
    )


def aegis(env_dir: Path, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AEGIS_", "PYTHON"))}
    return subprocess.run(
        [str(env_dir / "bin" / "aegis"), *args],
        capture_output=True,
        text=True,
        env={**env, "AEGIS_HOME": str(home)},
        cwd=home.parent,
        timeout=60,
    )


def test_each_distribution_builds_an_sdist_and_a_wheel(wheelhouse: Path):
    for name in SOURCES:
        stem = name.replace("-", "_")
        assert list(wheelhouse.glob(f"{stem}-*.tar.gz")), f"no sdist of {name}"
        assert list(wheelhouse.glob(f"{stem}-*-py3-none-any.whl")), f"no wheel of {name}"


def test_sdists_hold_what_a_build_needs(wheelhouse: Path):
    for name in SOURCES:
        stem = name.replace("-", "_")
        (sdist,) = wheelhouse.glob(f"{stem}-*.tar.gz")
        with tarfile.open(sdist) as archive:
            names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
        assert {"pyproject.toml", "README.md", "PKG-INFO", f"{stem}/__init__.py"} <= names, (
            name,
            names,
        )


def test_core_wheel_ships_typing_marker_and_script_and_plugins_declare_entry_points(
    wheelhouse: Path,
):
    for wheel in wheelhouse.glob("aegis_*.whl"):
        with zipfile.ZipFile(wheel) as archive:
            names = archive.namelist()
            entry_points = next(n for n in names if n.endswith("entry_points.txt"))
            text = archive.read(entry_points).decode()
        if wheel.name.startswith("aegis_core-"):
            assert "aegis_core/py.typed" in names
            assert "aegis = aegis_core.console:main" in text
            assert "[pytest11]" in text
        else:
            assert "[aegis]" in text, wheel.name
            assert any(r.startswith("aegis-core") and "<0.2" in r for r in _requirements(wheel)), (
                wheel.name
            )


def test_installed_by_name_from_the_wheelhouse_into_a_clean_venv(clean_venv: Path, tmp_path: Path):
    result = aegis(clean_venv, "plugins", "list", "--json", home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert set(rows) == {"aegis-telegram", "aegis-pty"}
    for row in rows.values():
        assert row["status"] == "ok" and row["error"] is None and row["hooks"]
    # The environment is really separate: aegis_core comes from the venv, not the repo.
    where = run(
        clean_venv / "bin" / "python",
        "-c",
        "import aegis_core; print(aegis_core.__file__)",
        cwd=tmp_path,
    ).stdout
    assert str(clean_venv) in where


THIRD_PARTY_PYPROJECT = """
[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "{name}"
version = "0.0.7"
dependencies = ["aegis-core>=0.1,<0.2"]

[project.entry-points.aegis]
{module} = "{module}"

[tool.setuptools]
py-modules = ["{module}"]
"""

THIRD_PARTY_MODULE = """
from aegis_core.hookspecs import hookimpl
from aegis_core.models import Action, Verdict


@hookimpl
def evaluate(call):
    if "sudo" in (call.command or ""):
        return Verdict(Action.REQUIRE_APPROVAL, reason="sudo", rule="sudo", risk=60,
                       source="nosudo")
    return None
"""


def write_plugin(folder: Path, name: str, module: str, source: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "pyproject.toml").write_text(THIRD_PARTY_PYPROJECT.format(name=name, module=module))
    (folder / f"{module}.py").write_text(textwrap.dedent(source))
    return folder


def test_third_party_plugins_from_a_temporary_folder(
    clean_venv: Path, wheelhouse: Path, tmp_path: Path
):
    good = write_plugin(tmp_path / "good", "aegis-nosudo", "aegis_nosudo", THIRD_PARTY_MODULE)
    broken = write_plugin(
        tmp_path / "broken",
        "aegis-broken",
        "aegis_broken",
        'raise RuntimeError("this plugin is broken on purpose")\n',
    )
    try:
        pip(clean_venv, "install", "--no-index", "--find-links", wheelhouse, good, broken)
        home = tmp_path / "home"
        result = aegis(clean_venv, "plugins", "list", "--json", home=home)
        assert result.returncode == 0, result.stderr
        rows = {row["name"]: row for row in json.loads(result.stdout)}
        assert rows["aegis-nosudo"] == {
            "name": "aegis-nosudo",
            "version": "0.0.7",
            "hooks": ["evaluate"],
            "module": "aegis_nosudo",
            "status": "ok",
            "error": None,
            "builtin": False,
        }
        assert rows["aegis-broken"]["status"] == "error"
        assert rows["aegis-broken"]["error"] == "RuntimeError: this plugin is broken on purpose"
        assert rows["aegis-telegram"]["status"] == "ok"
        table = aegis(clean_venv, "plugins", "list", home=home).stdout
        assert "error: RuntimeError: this plugin is broken on purpose" in table
        # Every other command still works.
        listed = aegis(clean_venv, "config", "list", home=home)
        assert listed.returncode == 0 and "approvals.timeout_seconds = 300" in listed.stdout
        assert "telegram.bot_token" in listed.stdout
        assert aegis(clean_venv, "version", "--json", home=home).returncode == 0
    finally:
        # The venv is shared by this module's tests: leave it as the fixture made it.
        pip(clean_venv, "uninstall", "--yes", "aegis-nosudo", "aegis-broken")
