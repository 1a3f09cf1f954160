"""A small machine for the sandbox tests: a home with secrets, a git project, an
Aegis home, owned by whoever the test runs the sandbox as (root, or an ordinary user
made up for the test and entered with ``setpriv``), and ways to run things there."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from aegis_core.sandbox.bwrap import BwrapBackend
from aegis_core.sandbox.limits import enforce
from aegis_core.sandbox.manifest import Manifest
from aegis_core.sandbox.plan import build_plan
from aegis_core.sandbox.standin import claim_all

HERE = Path(__file__).resolve().parent
PROBE = HERE / "probe.py"
# The ordinary user the tests make up when they run as root (no passwd entry needed).
ORDINARY_UID = 4242
SECRET = "-----BEGIN OPENSSH PRIVATE KEY----- not-a-real-key"


def needs_bwrap() -> None:
    found = BwrapBackend().available()
    if not found.ok:
        pytest.skip(f"no sandbox here: {found.reason}")


def identities() -> list[Any]:
    """The users a containment test runs as: root and an ordinary user."""
    return [pytest.param("root", id="as-root"), pytest.param("user", id="as-user")]


def uid_for(identity: str) -> int:
    """The uid to run as; skips (saying why) what this test process cannot become."""
    me = os.getuid()
    if identity == "root":
        if me != 0:
            pytest.skip("running as an ordinary user: cannot become root to test the sandbox as root")
        return 0
    return ORDINARY_UID if me == 0 else me


def as_uid(uid: int, argv: Sequence[str]) -> list[str]:
    """``argv`` run as ``uid`` (through setpriv when that is another user)."""
    if uid == os.getuid():
        return list(argv)
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv (util-linux) is missing: cannot run the sandbox as an ordinary user")
    # Through sh: setpriv resolves the program while it still holds root's capabilities
    # (it would reach /root/...); the user's own exec must find it as the user would.
    return [setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
            "--bounding-set=-all", "--", "/bin/sh", "-c", 'exec "$@"', "sh", *argv]


@dataclass
class Machine:
    uid: int
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="aegis-sbx-", dir="/tmp")))

    def __post_init__(self) -> None:
        self.home = self.root / "home"
        self.project = self.home / "src" / "app"
        self.aegis_home = self.root / "aegis"
        self.work = self.root / "work"
        self.tmp = self.root / "tmp"
        self.empty = self.root / "empty"
        for folder in (self.home / ".ssh", self.home / "important", self.project, self.aegis_home, self.work,
                       self.tmp, self.empty):
            folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)
        (self.home / ".ssh" / "id_rsa").write_text(SECRET)
        (self.home / "important" / "thesis.txt").write_text("years of work")
        (self.aegis_home / "config.toml").write_text('[approvals]\nchannels = ["cli"]\n\n'
                                                     '[telegram]\nbot_token = "123:secret"\n')
        (self.aegis_home / "config.toml").chmod(0o600)
        self.aegis_home.chmod(0o700)
        self.git("init", "-q")
        (self.project / "README.md").write_text("a project\n")
        self.chown()

    def git(self, *args: str) -> None:
        subprocess.run(["git", "-C", str(self.project), *args], check=True, capture_output=True)

    def chown(self) -> None:
        if self.uid == os.getuid():
            return
        for folder, dirs, files in os.walk(self.root):
            for name in [folder, *(os.path.join(folder, d) for d in dirs), *(os.path.join(folder, f) for f in files)]:
                os.lchown(name, self.uid, self.uid)

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AEGIS_")}
        # A fresh machine's PATH: this one may lead into root's home (pyenv shims), which
        # the machine's user does not have.
        env.update({"HOME": str(self.home), "AEGIS_HOME": str(self.aegis_home), "USER": "tester",
                    "LANG": "C.UTF-8", "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"})
        return env

    def contained(self, argv: Sequence[str], *, manifest: Manifest | None = None, cwd: Path | None = None,
                  session: str = "s-test", terminal: bool = False,
                  stand_ins: list[Any] | None = None) -> tuple[list[str], dict[str, str]]:
        """The contained command, built by this process for the machine's user.

        :param stand_ins: claim the plan's stand-ins as a session does (standin.py),
            adding what is held to this list; otherwise they are made and left."""
        plan = build_plan(manifest or Manifest(), session=session, cwd=cwd or self.project, home=self.home,
                          aegis_home=self.aegis_home, tmp_dir=self.tmp, empty_dir=self.empty,
                          uid=self.uid, gid=self.uid).with_terminal(terminal)
        if stand_ins is not None:
            plan, held = claim_all(plan, marks=self.work / "stand-in-folders")
            stand_ins.extend(held)
        mine = self.uid == os.getuid()
        enforcement = enforce(plan.limits, session=session, uid=self.uid, cgroups=mine)
        self.enforcement = enforcement
        contained = BwrapBackend().contain(plan, argv, self.env, workdir=self.work, enforcement=enforcement)
        self.chown()
        return contained.argv, contained.env

    def run(self, argv: Sequence[str], *, timeout: float = 60, **options: Any) -> subprocess.CompletedProcess[str]:
        command, env = self.contained(argv, **options)
        return subprocess.run(as_uid(self.uid, command), env=env, cwd=self.project, text=True, capture_output=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)

    def probe(self, outside_pid: int) -> dict[str, Any]:
        probe = self.project / "probe.py"
        shutil.copyfile(PROBE, probe)
        self.chown()
        done = self.run(["python3", "-I", str(probe), str(outside_pid), str(self.aegis_home), str(self.home),
                         str(self.project)])
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    def close(self) -> None:
        enforcement = getattr(self, "enforcement", None)
        if enforcement is not None:
            enforcement.release()
        for folder, dirs, _ in os.walk(self.root):
            for name in dirs:
                path = os.path.join(folder, name)
                if os.path.islink(path):  # a link an attack left: chmod would follow it out
                    continue
                try:
                    os.chmod(path, 0o700)
                except OSError:
                    pass
        shutil.rmtree(self.root, ignore_errors=True)


def user_python(uid: int) -> tuple[list[str], dict[str, str]]:
    """An interpreter ``uid`` can run with Aegis importable: this one when it may, else
    the system's of the same version pointed at this one's packages. Skips with the
    reason when neither works (e.g. this Python lives in root's home)."""
    if uid == os.getuid():
        return [sys.executable], {}
    probe = subprocess.run(as_uid(uid, [sys.executable, "-c", "import aegis_core"]), capture_output=True)
    if probe.returncode == 0:
        return [sys.executable], {}
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    system = shutil.which(version, path="/usr/bin:/usr/local/bin")
    site_dirs = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    if system is None:
        pytest.skip(f"{sys.executable} cannot be run by another user and there is no system {version}")
    env = {"PYTHONPATH": str(_site_shim(site_dirs))}
    check = subprocess.run(as_uid(uid, [system, "-c", "import aegis_core, apsw, pluggy"]), capture_output=True,
                           env={**os.environ, **env})
    if check.returncode != 0:
        pytest.skip(f"no interpreter another user can run with Aegis' packages ({sys.executable} is private, "
                    f"{system} cannot import them: {check.stderr.decode(errors='replace').strip()[-200:]})")
    return [system], env


_SHIMS: dict[tuple[str, ...], Path] = {}


def _site_shim(site_dirs: set[str]) -> Path:
    """A folder holding a sitecustomize.py that adds ``site_dirs``: one per test
    process, removed when it exits."""
    key = tuple(sorted(site_dirs))
    if key not in _SHIMS:
        shim = Path(tempfile.mkdtemp(prefix="aegis-sbx-site-", dir="/tmp"))
        os.chmod(shim, 0o755)
        (shim / "sitecustomize.py").write_text(
            "import site\n" + "".join(f"site.addsitedir({d!r})\n" for d in key))
        atexit.register(shutil.rmtree, shim, True)
        _SHIMS[key] = shim
    return _SHIMS[key]
