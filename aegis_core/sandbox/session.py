"""The sandbox of one wrapped session, as ``WrapContext.sandbox`` carries it to the
adapter: ``contain(argv, env)`` turns the command the adapter would spawn into the
contained one (identity when the session is unsandboxed), right before it spawns it.

``aegis wrap`` chooses a backend (:func:`choose_backend`) before it asks the daemon
for a session, so the session is recorded as sandboxed or not from its first record,
then opens the sandbox (:func:`open_sandbox`) and closes it when the agent is done.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aegis_core.sandbox.plan import Mount, SandboxNeeds, SandboxPlan, build_plan, for_session
from aegis_core.sandbox.standin import Held, claim_all
from aegis_core.sandbox.tripwire import nested_git_hazards

if TYPE_CHECKING:
    from aegis_core.sandbox.backend import LimitEnforcement, SandboxBackend
    from aegis_core.sandbox.manifest import Manifest


@dataclass(frozen=True)
class BackendChoice:
    """The outcome of choosing: a backend, or why there is none."""

    backend: SandboxBackend | None
    reason: str
    hint: str | None = None
    chosen_by_user: bool = False  # --no-sandbox

    @property
    def sandboxed(self) -> bool:
        return self.backend is not None


def choose_backend(backends: Mapping[str, SandboxBackend], *, no_sandbox: bool = False,
                   wanted: str | None = None, platform: str | None = None) -> BackendChoice:
    """The first registered backend that serves this platform and can run here."""
    if no_sandbox:
        return BackendChoice(None, "--no-sandbox: the user chose to run this session unsandboxed",
                             chosen_by_user=True)
    platform = platform or sys.platform
    reasons = []
    for name, backend in backends.items():
        if wanted and name != wanted:
            continue
        if not any(platform.startswith(p) for p in backend.platforms):
            continue
        found = backend.available()
        if found.ok:
            return BackendChoice(backend, found.reason)
        reasons.append((found.reason, found.hint))
    if reasons:
        reason, hint = reasons[0]
        return BackendChoice(None, reason, hint)
    if wanted:
        return BackendChoice(None, f"no sandbox backend named {wanted!r} is installed")
    return BackendChoice(None, f"no sandbox backend for this platform ({platform}) is installed",
                         hint="on macOS a sandbox-exec backend is planned (docs/sandbox.md)")


class SessionSandbox:
    """One session's sandbox. ``UNSANDBOXED`` (the default in ``WrapContext``) runs
    commands as they are."""

    def __init__(self, *, backend: SandboxBackend | None = None, plan: SandboxPlan | None = None,
                 reason: str = "", workdir: Path | None = None, enforcement: LimitEnforcement | None = None,
                 chosen_by_user: bool = False, keys: KeyHolder | None = None,
                 stand_ins: Sequence[Held] = ()) -> None:
        self.backend = backend
        self.plan = plan
        self.reason = reason
        self.workdir = workdir
        self.enforcement = enforcement
        self.chosen_by_user = chosen_by_user
        self.keys = keys
        self.started = time.monotonic()
        self._release: threading.Thread | None = None
        self.stand_ins = list(stand_ins)  # files the agent must not create, held for the session

    @property
    def sandboxed(self) -> bool:
        return self.backend is not None and self.plan is not None

    @property
    def backend_name(self) -> str | None:
        return self.backend.name if self.backend is not None else None

    def contain(self, argv: Sequence[str], env: Mapping[str, str], *, terminal: bool = False,
                model_apis: Sequence[Any] | None = None) -> tuple[list[str], dict[str, str]]:
        """The command to spawn instead of ``argv`` with ``env``.

        :param terminal: the program keeps a terminal of its own (the PTY adapter's);
            otherwise it runs in a new terminal session, with no terminal to type into.
        :param model_apis: the model APIs (``aegis_core.network.endpoints.ModelApi``)
            whose keys the daemon holds instead of the agent; default: every one Aegis
            knows. The agent gets a placeholder key and a stand-in base URL. Raises when
            the daemon cannot take a key: the agent is not started holding it.
        """
        if not self.sandboxed:
            return list(argv), dict(env)
        assert self.backend is not None and self.plan is not None and self.workdir is not None
        if self.keys is not None:
            env = self.keys.hold(env, model_apis)
        plan = _with_program(self.plan.with_terminal(terminal), argv, env)
        assert self.enforcement is not None
        contained = self.backend.contain(plan, argv, env, workdir=self.workdir, enforcement=self.enforcement)
        return contained.argv, contained.env

    def describe(self) -> dict[str, Any]:
        """What ``session.create`` and the audit log record about it."""
        out: dict[str, Any] = {"sandboxed": self.sandboxed, "backend": self.backend_name}
        if not self.sandboxed:
            out["reason"] = self.reason
            out["chosen_by_user"] = self.chosen_by_user
        if self.plan is not None:
            out["project"] = self.plan.project
            out["network_allow"] = [str(rule) for rule in self.plan.network_allow]
            out["limits"] = self.plan.limits.describe()
        if self.enforcement is not None:
            out["limits_enforced"] = self.enforcement.describe()
        return out

    def close(self, status: int, *, background: bool = False) -> list[str]:
        """Release what the sandbox held; returns plain words for each limit that
        stopped something, and for what the agent left in the project that would run
        a command outside the sandbox (empty when nothing did).

        :param background: release in a thread (joined by :meth:`wait_closed`, and by
            the interpreter before it exits), so that ``aegis wrap`` ends the session
            with the daemon meanwhile: removing folders a mount namespace just let go
            of, and a cgroup whose last processes are exiting, can take a while."""
        messages: list[str] = []
        if self.enforcement is not None:
            messages = self.enforcement.explain(status, time.monotonic() - self.started)
        if self.plan is not None and self.plan.project is not None:
            messages += self._quarantine()
            messages += nested_git_hazards(self.plan.project)
        if background and self.sandboxed:  # (UNSANDBOXED is shared: nothing to free)
            self._release = threading.Thread(target=self._free, name="aegis-sandbox-close")
            self._release.start()
        else:
            self._free()
        return messages

    def _quarantine(self) -> list[str]:
        """Take what git would run out of the repositories the agent could write in the
        project (quarantine.py): the sandbox is gone, so nothing inside races this."""
        if not self.sandboxed or self.workdir is None:
            return []
        assert self.plan is not None and self.plan.project is not None
        from aegis_core.sandbox.quarantine import describe, quarantine_repositories

        try:
            moved = quarantine_repositories(self.plan.project, self.workdir.parent.parent, self.plan.session,
                                            self.plan.writes_host)
        except Exception as exc:  # said, never silent: the human must look before using git there
            return [f"WARNING: could not check the git repositories in {self.plan.project} for what git would "
                    f"run outside the sandbox ({exc}); look at each .git/config and .git/hooks before using git "
                    "there"]
        return describe(moved, self.plan.session)

    def wait_closed(self) -> None:
        """Wait for a release :meth:`close` left to a thread."""
        if self._release is not None:
            self._release.join()

    def _free(self) -> None:
        if self.enforcement is not None:
            self.enforcement.release()
        for held in self.stand_ins:  # the sandbox is gone: its stand-ins may go too
            held.release()
        self.stand_ins = []
        if self.plan is not None:
            _remove_tree(Path(self.plan.tmp_dir))
            if self.workdir is not None:  # the session's own generated files, if any
                _remove_tree(self.workdir / "files" / self.plan.session)


UNSANDBOXED = SessionSandbox(reason="not started by aegis wrap")


# The variables aegis_core.network.endpoints reads the model API keys from (kept in
# step by a test; named here so a start with no key imports nothing of the network).
MODEL_KEY_VARIABLES = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "OPENAI_API_KEY", "GEMINI_API_KEY")


@dataclass(frozen=True)
class KeyHolder:
    """Hands the agent's model API keys to the daemon (the session's egress proxy adds
    them on the way out), so nothing inside the sandbox can read them."""

    socket: Path
    session: str
    token: str
    identity: Any = None  # aegis_core.client.Identity: the daemon the keys may go to

    def hold(self, env: Mapping[str, str], apis: Sequence[Any] | None) -> dict[str, str]:
        if apis is None and not any(env.get(name) for name in MODEL_KEY_VARIABLES):
            return dict(env)  # no key to hold: spare every start the import below (~8 ms)
        from aegis_core.network.endpoints import ANTHROPIC, ANTHROPIC_TOKEN, GEMINI, OPENAI, hold_model_keys

        # By default only the keys the environment holds: an API with no key would
        # otherwise get its host allowed for a program that never uses it.
        known = (ANTHROPIC, ANTHROPIC_TOKEN, OPENAI, GEMINI)
        chosen = tuple(api for api in known if env.get(api.key_env)) if apis is None else tuple(apis)
        if not chosen:
            return dict(env)
        return hold_model_keys(env, chosen, socket=self.socket, session=self.session, token=self.token,
                               identity=self.identity)


def open_sandbox(choice: BackendChoice, manifest: Manifest, *, session: str, cwd: Path, home: Path,
                 aegis_home: Path, run_dir: Path | None = None, agent_socket: bool = False,
                 network: bool = False, needs: SandboxNeeds | None = None,
                 keys: KeyHolder | None = None, dry_run: bool = False) -> SessionSandbox:
    """The session's sandbox, with its private folders made (temp, generated files):
    :func:`prepare_sandbox`, then :meth:`PreparedSandbox.open`.

    :param network: the session has an egress proxy (``proxy.sock`` in ``run_dir``):
        the network bridge runs first inside. Without it the sandbox has no network.
    :param agent_socket: ``run_dir`` holds the session's agent socket.
    :param keys: who takes the model API keys (the daemon, for a session with a proxy).
    :param dry_run: only show the plan: no stand-in is put in the project.
    """
    prepared = prepare_sandbox(choice, manifest, cwd=cwd, home=home, aegis_home=aegis_home, needs=needs,
                               dry_run=dry_run, label=session)
    return prepared.open(session, run_dir=run_dir, agent_socket=agent_socket, network=network, keys=keys)


@dataclass
class PreparedSandbox:
    """What a sandbox needs before its session exists: its folders, its plan (built
    for no session yet) and its stand-ins, held. ``aegis wrap`` makes it while the
    daemon opens the session (wrapping.EarlySandbox), then :meth:`open` binds it to
    that session; :meth:`release` lets it go when no session came."""

    choice: BackendChoice
    plan: SandboxPlan | None = None
    workdir: Path | None = None
    stand_ins: list[Held] = field(default_factory=list)

    def open(self, session: str, *, run_dir: Path | None = None, agent_socket: bool = False,
             network: bool = False, keys: KeyHolder | None = None) -> SessionSandbox:
        backend = self.choice.backend
        if backend is None or self.plan is None:
            return SessionSandbox(reason=self.choice.reason, chosen_by_user=self.choice.chosen_by_user)
        plan = for_session(self.plan, session, run_dir=run_dir, network=network and run_dir is not None,
                           agent_socket=agent_socket)
        try:
            enforcement = backend.enforce(plan)
        except BaseException:
            self.release()
            raise
        stand_ins, self.stand_ins = self.stand_ins, []
        return SessionSandbox(backend=backend, plan=plan, reason=self.choice.reason, workdir=self.workdir,
                              enforcement=enforcement, keys=keys if network else None, stand_ins=stand_ins)

    def release(self) -> None:
        for held in self.stand_ins:
            held.release()
        self.stand_ins = []
        if self.plan is not None:
            _remove_tree(Path(self.plan.tmp_dir))


def prepare_sandbox(choice: BackendChoice, manifest: Manifest, *, cwd: Path, home: Path, aegis_home: Path,
                    needs: SandboxNeeds | None = None, dry_run: bool = False,
                    label: str = "sandbox") -> PreparedSandbox:
    """Everything of the sandbox that does not depend on the session: its private
    temp folder (named after ``label``), its plan, its stand-ins held (none with
    ``dry_run``)."""
    if choice.backend is None:
        return PreparedSandbox(choice)
    # Shared by the sessions: the seccomp filter, empty stand-ins, the /etc snapshots
    # (made once, not per session); a session's own files go in files/<session>.
    workdir = aegis_home / "sandbox" / "work"
    workdir.mkdir(mode=0o700, parents=True, exist_ok=True)
    (aegis_home / "sandbox").chmod(0o700)
    tmp_dir = Path(tempfile.mkdtemp(prefix=f"aegis-{label}-"))
    empty = workdir / "empty"
    empty.mkdir(mode=0o555, exist_ok=True)
    plan = build_plan(manifest, session="", cwd=cwd, home=home, aegis_home=aegis_home, tmp_dir=tmp_dir,
                      needs=needs, empty_dir=empty)
    try:
        plan, stand_ins = (plan, []) if dry_run else claim_all(plan, marks=workdir / "stand-in-folders")
    except BaseException:
        _remove_tree(tmp_dir)
        raise
    return PreparedSandbox(choice, plan, workdir, stand_ins)


def _with_program(plan: SandboxPlan, argv: Sequence[str], env: Mapping[str, str]) -> SandboxPlan:
    """The program being run must be visible inside: its folder, read-only, when it
    lies outside everything the plan shows (a tool in /work/bin, a venv elsewhere)."""
    if not argv:
        return plan
    found = shutil.which(argv[0], path=env.get("PATH")) if "/" not in argv[0] else argv[0]
    if not found:
        return plan
    extra = []
    for path in dict.fromkeys((os.path.abspath(found), os.path.realpath(found))):
        folder = os.path.dirname(path)
        if os.path.exists(os.path.join(os.path.dirname(folder), "pyvenv.cfg")):
            folder = os.path.dirname(folder)  # a virtualenv's interpreter needs the whole venv
        if not _shown(plan, folder):
            extra.append(Mount("ro", folder, folder, why="the wrapped program"))
    if not extra:
        return plan
    mounts = list(plan.mounts)
    at = next((i for i, m in enumerate(mounts) if m.kind == "mask"), len(mounts))
    return replace(plan, mounts=tuple([*mounts[:at], *extra, *mounts[at:]]))


def _shown(plan: SandboxPlan, path: str) -> bool:
    return any(path == m.dest or path.startswith(m.dest.rstrip("/") + "/") for m in plan.mounts
               if m.kind in ("ro", "rw") and m.source == m.dest)


def _remove_tree(folder: Path) -> None:
    # Generated files are 0444 and the empty folder 0555: make them removable first.
    # The session's temp folder is the agent's: a link there to any folder of yours
    # (`ln -s /etc /tmp/x`) must not be followed, or chmod would change that folder.
    for root, dirs, _ in os.walk(folder):
        for name in dirs:
            try:
                fd = os.open(os.path.join(root, name), os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
            except OSError:
                continue  # a link (or gone): nothing of ours to make removable
            try:
                os.fchmod(fd, 0o700)
            except OSError:
                pass
            finally:
                os.close(fd)
    shutil.rmtree(folder, ignore_errors=True)
