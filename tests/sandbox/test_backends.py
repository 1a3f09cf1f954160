"""Sandbox backends are plugins: the built-in bubblewrap one registers through
``register_sandboxes`` like any other, and ``aegis wrap`` takes the first that serves
this platform and can run here."""

from __future__ import annotations

from pathlib import Path

from aegis_core.hookspecs import hookimpl
from aegis_core.sandbox.backend import Availability, Contained, SandboxBackend
from aegis_core.sandbox.manifest import Manifest
from aegis_core.sandbox.session import UNSANDBOXED, choose_backend, open_sandbox
from aegis_core.testing import make_plugins


class Nothing:
    def describe(self):
        return {}

    def explain(self, status, elapsed):
        return ["the test limit ended it"] if status == 99 else []

    def release(self):
        self.released = True


class RecordingBackend:
    """A backend that 'contains' by prefixing the command: enough to see the seam."""

    def __init__(self, name="record", platforms=("linux", "darwin"), ok=True):
        self.name, self.platforms, self.ok = name, platforms, ok
        self.description = "records what it was asked"
        self.enforced = []

    def available(self):
        return Availability(self.ok, f"{self.name} {'ready' if self.ok else 'missing'}",
                            hint=None if self.ok else f"install {self.name}")

    def probe(self):
        return self.available()

    def enforce(self, plan):
        self.enforced.append(plan.session)
        return Nothing()

    def contain(self, plan, argv, env, *, workdir, enforcement):
        return Contained(["contained-by", self.name, plan.session, *argv], {**env, "INSIDE": plan.cwd})


class SandboxPlugin:
    name = "record-sandbox"

    def __init__(self, *backends):
        self.backends = backends

    @hookimpl
    def register_sandboxes(self, register):
        for backend in self.backends:
            register(backend)


def test_a_plugin_registers_a_backend():
    backend = RecordingBackend()
    found = make_plugins(SandboxPlugin(backend)).sandboxes()
    assert found == {"record": backend}
    assert isinstance(backend, SandboxBackend)


def test_the_built_in_bubblewrap_backend_registers_first():
    found = make_plugins(SandboxPlugin(RecordingBackend()), builtins=True).sandboxes()
    assert list(found) == ["bwrap", "record"]
    assert found["bwrap"].platforms == ("linux",)


def test_a_second_backend_of_the_same_name_is_ignored():
    first, second = RecordingBackend(), RecordingBackend()
    assert make_plugins(SandboxPlugin(first, second)).sandboxes()["record"] is first


def test_the_first_available_backend_for_the_platform_wins():
    mac = RecordingBackend("seatbelt", platforms=("darwin",))
    broken = RecordingBackend("broken", ok=False)
    working = RecordingBackend("working")
    backends = make_plugins(SandboxPlugin(mac, broken, working)).sandboxes()
    assert choose_backend(backends, platform="linux").backend is working
    assert choose_backend(backends, platform="darwin").backend is mac
    assert choose_backend(backends, platform="linux", wanted="broken").reason == "broken missing"


def test_no_backend_says_why_and_what_to_do():
    backends = make_plugins(SandboxPlugin(RecordingBackend("broken", ok=False))).sandboxes()
    choice = choose_backend(backends, platform="linux")
    assert not choice.sandboxed
    assert choice.reason == "broken missing" and choice.hint == "install broken"
    none = choose_backend({}, platform="sunos5")
    assert not none.sandboxed and "no sandbox backend for this platform (sunos5)" in none.reason


def test_no_sandbox_is_the_users_choice():
    choice = choose_backend({"record": RecordingBackend()}, no_sandbox=True)
    assert not choice.sandboxed and choice.chosen_by_user and "--no-sandbox" in choice.reason


def test_the_session_contains_through_its_backend(tmp_path: Path):
    backend = RecordingBackend()
    choice = choose_backend({"record": backend}, platform="linux")
    project = tmp_path / "project"
    project.mkdir()
    sandbox = open_sandbox(choice, Manifest(), session="s-1", cwd=project, home=tmp_path, aegis_home=tmp_path / "ah")
    assert sandbox.plan is not None
    private_tmp = Path(sandbox.plan.tmp_dir)
    assert private_tmp.is_dir()
    try:
        argv, env = sandbox.contain(["make", "test"], {"PATH": "/usr/bin"})
        assert argv == ["contained-by", "record", "s-1", "make", "test"]
        assert env["INSIDE"] == str(project.resolve())
        assert backend.enforced == ["s-1"]
        described = sandbox.describe()
        assert described["sandboxed"] and described["backend"] == "record"
        assert described["project"] == str(project.resolve())
    finally:
        assert sandbox.close(99) == ["the test limit ended it"]
    assert not private_tmp.exists()  # the session's /tmp is gone with it


def test_an_unsandboxed_session_runs_commands_unchanged():
    argv, env = UNSANDBOXED.contain(["make"], {"A": "1"})
    assert (argv, env) == (["make"], {"A": "1"})
    assert not UNSANDBOXED.sandboxed and UNSANDBOXED.describe()["sandboxed"] is False


def test_bubblewrap_binds_a_commondir_it_made_and_skips_one_it_cannot_make(tmp_path: Path):
    """The placeholder git commondir: made and bound read-only where the git folder is
    writable; where it cannot be made, the agent could not make it either: no bind."""
    from dataclasses import replace

    from aegis_core.sandbox.bwrap import BwrapBackend
    from aegis_core.sandbox.plan import GIT_SELF, Mount, build_plan

    (tmp_path / "home").mkdir()
    (tmp_path / "tmp").mkdir()
    plan = build_plan(Manifest(), session="s-b", cwd=tmp_path / "home", home=tmp_path / "home",
                      aegis_home=tmp_path / "ah", tmp_dir=tmp_path / "tmp")
    made, impossible = tmp_path / "repo" / "commondir", tmp_path / "missing-folder" / "commondir"
    made.parent.mkdir()
    plan = replace(plan, mounts=(*plan.mounts, Mount("placeholder", str(made), content=GIT_SELF),
                                 Mount("placeholder", str(impossible), content=GIT_SELF)))
    work = tmp_path / "work"
    work.mkdir()
    args = BwrapBackend("/bin/true")._mounts(plan, work)
    assert made.read_text() == GIT_SELF
    at = args.index(str(made))
    assert args[at - 1:at + 2] == ["--ro-bind", str(made), str(made)]
    assert str(impossible) not in args
