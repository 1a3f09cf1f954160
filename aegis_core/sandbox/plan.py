"""The plan of one sandbox: the manifest resolved against this user, this project and
this session into an ordered list of mounts, an environment and limits. Backends turn
a plan into their own terms (bwrap arguments, a macOS profile); building one has no
side effect, so ``aegis sandbox show`` prints exactly what ``aegis wrap`` would do.

Mounts apply in order, later ones on top of earlier ones: the system read-only, the
home read-only, what may be written, the project, then what must stay read-only inside
the writable parts (the agents' settings, git hooks), and last the masks over secrets
and Aegis' own state, so nothing bound earlier can uncover them.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from aegis_core.sandbox import defaults
from aegis_core.sandbox.etc import etc_entries, group_text, login_name, login_shell, passwd_text
from aegis_core.sandbox.manifest import HostRule, Limits, Manifest, parse_host_rule
from aegis_core.sandbox.project import git_dirs, project_root

RUN_DIR = "/run/aegis"
AGENT_SOCKET = f"{RUN_DIR}/agent.sock"
PROXY_SOCKET = f"{RUN_DIR}/proxy.sock"
# The sandbox's own /tmp and /var/tmp: paths inside, backed by a private folder.
SANDBOX_TMP = "/tmp"  # noqa: S108
SANDBOX_VAR_TMP = "/var/tmp"  # noqa: S108
# Inside, the agent is an ordinary user even when the human is root: uid 0 outside
# becomes this uid inside its own user namespace, with no capability.
UNPRIVILEGED_UID = 1000
# Variables that point at things the sandbox hides (sockets of agents, buses,
# multiplexers, displays, Aegis' own state): unset inside so programs do not hang on them.
UNSET_ENV: tuple[str, ...] = (
    "SSH_AUTH_SOCK", "SSH_AGENT_PID", "GPG_AGENT_INFO", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR",
    "DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "TMUX", "TMUX_PANE", "STY", "KITTY_LISTEN_ON",
    "VSCODE_IPC_HOOK_CLI", "VSCODE_GIT_IPC_HANDLE", "GIT_ASKPASS", "SSH_ASKPASS", "DOCKER_HOST",
    "AEGIS_HOME", "AEGIS_DAEMON_SOCKET", "AEGIS_CONFIG", "TMPDIR", "TEMP", "TMP",
)
# With an egress proxy: a loophole for loopback would send the agent's API traffic to
# the sandbox's own empty loopback instead of through Aegis.
NO_PROXY: tuple[str, ...] = ("NO_PROXY", "no_proxy")


@dataclass(frozen=True)
class Mount:
    """One step of building the sandbox's file system.

    ``kind``: ``ro``/``rw`` bind ``source`` at ``dest``; ``symlink`` makes ``dest``
    point at ``source``; ``tmpfs`` an empty writable folder; ``mask`` an empty
    read-only folder (or file, ``file=True``) over ``dest``; ``data`` a read-only file
    holding ``content``; ``placeholder`` a read-only file holding ``content``, put at
    ``dest`` on the host where a file the agent must not create does not exist (and
    left there: its content means the same as no file); ``stand-in`` the same for one
    session, taken away after it (standin.py), or with no ``content`` an empty
    read-only folder there (``source``: an empty folder to bind when no session
    claims it); ``remount-ro`` makes ``dest`` read-only; ``dir`` creates it.
    """

    kind: str
    dest: str
    source: str | None = None
    content: str | None = None
    file: bool = False
    why: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "path": self.dest}
        if self.source is not None and self.source != self.dest:
            out["source"] = self.source
        if self.why:
            out["why"] = self.why
        return out


@dataclass(frozen=True)
class SandboxNeeds:
    """What an adapter asks of the sandbox for its agent (interface 2 of TEAM.md).

    :param read: paths to show read-only (the agent's executable and its install).
    :param write: paths to make writable (the agent's state folder).
    :param protect: paths kept read-only even inside a writable area (the agent's own
        settings, the hook client), so the agent cannot switch its guard off.
    :param files: files placed read-only inside, path -> content (e.g. Claude Code's
        managed settings in ``/etc/claude-code``).
    :param env: variables set inside.
    :param network: ``network.allow`` entries the agent needs to work (its model API).
    """

    read: tuple[str, ...] = ()
    write: tuple[str, ...] = ()
    protect: tuple[str, ...] = ()
    files: Mapping[str, str] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    network: tuple[str, ...] = ()

    def merged(self, other: SandboxNeeds) -> SandboxNeeds:
        return SandboxNeeds(
            read=(*self.read, *other.read), write=(*self.write, *other.write),
            protect=(*self.protect, *other.protect), files={**self.files, **other.files},
            env={**self.env, **other.env}, network=(*self.network, *other.network),
        )


@dataclass(frozen=True)
class SandboxPlan:
    """Everything a backend needs to build one sandbox."""

    session: str
    uid: int
    gid: int
    user: str
    home: str
    cwd: str
    project: str | None
    project_note: str
    mounts: tuple[Mount, ...]
    env: Mapping[str, str]
    unset_env: tuple[str, ...]
    network_allow: tuple[HostRule, ...]
    limits: Limits
    tmp_dir: str
    terminal: bool = False
    manifest: Manifest = field(default_factory=Manifest)
    # The session's egress proxy (its proxy.sock, outside), which the backend makes
    # reachable inside on the proxy variables' port; None: no network at all.
    proxy_socket: str | None = None

    def with_terminal(self, terminal: bool) -> SandboxPlan:
        return replace(self, terminal=terminal)

    def writable(self) -> list[str]:
        return [m.dest for m in self.mounts if m.kind in ("rw", "tmpfs") and m.dest != "/etc"]

    def writes_host(self, path: str) -> bool:
        """Whether a program inside could change the host's ``path`` (the last mount
        covering it decides; a private tmpfs is not the host's)."""
        real = os.path.realpath(path)
        covering = [m for m in self.mounts if m.kind in ("ro", "rw", "tmpfs", "mask", "stand-in", "placeholder")
                    and _under(real, m.dest)]
        return bool(covering) and covering[-1].kind == "rw" and covering[-1].source == covering[-1].dest

    def masked(self) -> list[str]:
        return [m.dest for m in self.mounts if m.kind == "mask"]

    def read_only(self) -> list[str]:
        return [m.dest for m in self.mounts if m.kind in ("ro", "placeholder", "stand-in")]

    def to_dict(self) -> dict[str, Any]:
        return {
            "session": self.session,
            "user": {"name": self.user, "uid": self.uid, "gid": self.gid},
            "home": self.home,
            "cwd": self.cwd,
            "project": self.project,
            "project_note": self.project_note,
            "writable": self.writable(),
            "read_only": self.read_only(),
            "masked": self.masked(),
            "network": {"allow": [str(rule) for rule in self.network_allow], "proxy": bool(self.proxy_socket)},
            "limits": self.limits.to_dict(),
            "env": dict(self.env),
            "unset_env": list(self.unset_env),
            "mounts": [m.to_dict() for m in self.mounts],
            "manifest": self.manifest.to_dict(),
        }


# -- building -------------------------------------------------------------------------------


def expand(entry: str, *, home: Path, project: Path | None) -> list[Path]:
    """A manifest path: ``~/...``, absolute, or relative to the project (skipped when
    there is none); shell wildcards expanded against what exists."""
    if entry == "~" or entry.startswith("~/"):
        text = str(home) + entry[1:]
    elif entry.startswith("/"):
        text = entry
    elif project is not None:
        text = str(project / entry)
    else:
        return []
    text = text.rstrip("/") or "/"
    if glob.has_magic(text):
        return [Path(p) for p in sorted(glob.glob(text, recursive=True))]
    return [Path(text)]


def _existing(paths: Iterable[Path]) -> list[Path]:
    return [p for p in paths if os.path.lexists(p)]


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


class _Builder:
    def __init__(self) -> None:
        self.mounts: list[Mount] = []

    def add(self, kind: str, dest: str | Path, source: str | Path | None = None, **extra: Any) -> None:
        self.mounts.append(Mount(kind, str(dest), None if source is None else str(source), **extra))

    def writable(self, path: str) -> bool:
        """Whether ``path`` is writable inside as the mounts so far stand (the last
        bind covering it decides)."""
        covering = [m for m in self.mounts if m.kind in ("ro", "rw", "tmpfs", "mask", "stand-in", "placeholder")
                    and _under(path, m.dest)]
        return bool(covering) and covering[-1].kind in ("rw", "tmpfs")

    def mounted_at(self, path: str, kind: str | None = None) -> bool:
        """Whether a mount (of ``kind``) is already at exactly ``path``."""
        return any(m.dest == path and (kind is None or m.kind == kind) for m in self.mounts)

    def visible(self, path: str) -> bool:
        """Whether the host's ``path`` is seen inside at the same place."""
        return any(_under(path, m.dest) for m in self.mounts
                   if m.kind in ("ro", "rw") and m.source == m.dest)


def build_plan(
    manifest: Manifest,
    *,
    session: str,
    cwd: Path,
    home: Path,
    aegis_home: Path,
    tmp_dir: Path,
    run_dir: Path | None = None,
    needs: SandboxNeeds | None = None,
    uid: int | None = None,
    gid: int | None = None,
    empty_dir: Path | None = None,
    network: bool = False,
    agent_socket: bool = True,
) -> SandboxPlan:
    """Resolve ``manifest`` for one session. Nothing is created or changed here.
    The same as :func:`for_session` of a plan built without the session
    (``session=""``, no ``run_dir``): ``aegis wrap`` builds that one while the daemon
    opens the session.

    :param tmp_dir: the session's private temp folder outside (``/tmp`` inside).
    :param run_dir: the session's run folder (its agent socket), ``/run/aegis`` inside.
    :param empty_dir: an empty folder outside, bound read-only where a protected folder
        does not exist yet, so the agent cannot create it.
    :param agent_socket: ``run_dir`` holds the session's agent socket (``agent.sock``).
    :param network: the session has an egress proxy (``proxy.sock`` in ``run_dir``),
        reached inside through the proxy variables (aegis_core.network.netns_bridge);
        without one the sandbox has no network at all.
    """
    if session or run_dir is not None:
        base = build_plan(manifest, session="", cwd=cwd, home=home, aegis_home=aegis_home, tmp_dir=tmp_dir,
                          needs=needs, uid=uid, gid=gid, empty_dir=empty_dir)
        return for_session(base, session, run_dir=run_dir, network=network, agent_socket=agent_socket)
    needs = needs or SandboxNeeds()
    real_uid = os.getuid() if uid is None else uid
    real_gid = os.getgid() if gid is None else gid
    inner_uid = real_uid or UNPRIVILEGED_UID
    inner_gid = real_gid or UNPRIVILEGED_UID
    home = Path(os.path.realpath(home))
    cwd = Path(os.path.realpath(cwd))
    aegis_home = Path(os.path.realpath(aegis_home))
    project, note = project_root(cwd, home)
    # Root outside is an ordinary user inside; a second "root" in passwd would only confuse.
    user = login_name(real_uid) if real_uid else "agent"
    # Where the agent could have planted a symbolic link (a session before this one):
    # an entry reached through one of those is not bound, lest it point anywhere.
    planted = [str(tmp_dir), *([str(project)] if project is not None else []),
               *(str(p) for item in [*manifest.write, *needs.write]
                 for p in expand(item, home=home, project=project))]
    b = _Builder()

    # The system, read-only; the host's /bin -> usr/bin style links kept as links.
    for name in defaults.SYSTEM_READ:
        if os.path.islink(name):
            b.add("symlink", name, os.readlink(name), why="system")
        elif os.path.isdir(name):
            b.add("ro", name, name, why="system")
    b.add("tmpfs", "/etc", why="filtered /etc")
    for etc_path in etc_entries():
        b.add("ro", etc_path, etc_path, why="filtered /etc")
    for item in manifest.read:
        for path in _existing(expand(item, home=home, project=project)):
            if _under(str(path), "/etc"):
                b.add("ro", path, path, why="fs.read")
    b.add("data", "/etc/passwd", content=passwd_text(inner_uid, inner_gid, name=user, home=str(home),
                                                     shell=login_shell(real_uid)), why="only the agent's user")
    b.add("data", "/etc/group", content=group_text(inner_gid, name=user), why="only the agent's group")
    b.add("symlink", "/etc/mtab", "/proc/self/mounts")
    for dest, content in sorted(needs.files.items()):
        if _under(dest, "/etc"):
            b.add("data", dest, content=content, why="adapter")
    b.add("remount-ro", "/etc")

    b.add("rw", SANDBOX_TMP, tmp_dir, why="private temp folder")
    b.add("symlink", SANDBOX_VAR_TMP, SANDBOX_TMP)  # (the run folder goes after it: for_session)

    if home != Path("/") and home.is_dir():
        b.add("ro", home, home, why="home, read-only")
    for item in manifest.read:
        for path in _existing(expand(item, home=home, project=project)):
            if not _under(str(path), "/etc") and not b.visible(str(path)) and not _through_planted_link(path, planted):
                b.add("ro", path, path, why="fs.read")
    for name in needs.read:
        path = Path(os.path.realpath(name))
        if path.exists() and not b.visible(str(path)):
            b.add("ro", path, path, why="the agent's program")

    for item in [*manifest.write, *needs.write]:
        for path in _existing(expand(item, home=home, project=project)):
            if _through_planted_link(path, planted):
                continue
            path = Path(os.path.realpath(path))
            if not _under(str(path), str(aegis_home)):
                b.add("rw", path, path, why="fs.write" if item in manifest.write else "agent state")
    if project is not None:
        b.add("rw", project, project, why="the project")
        git_dir, common_dir = git_dirs(project)
        for folder in dict.fromkeys((git_dir, common_dir)):
            # A mount of its own even inside the project: a mount point cannot be
            # renamed, so `mv .git x; mkdir .git` cannot swap in a config git runs outside.
            if folder is not None and folder.is_dir():
                b.add("rw", folder, folder, why="the project's git folder")
        _protect_project(b, project, cwd, git_dir, common_dir, empty_dir)
    if not b.visible(str(cwd)) and cwd.is_dir():
        b.add("ro", cwd, cwd, why="the current folder")
    for item in needs.protect:
        path = Path(os.path.realpath(item))
        if path.exists() and b.writable(str(path)):
            b.add("ro", path, path, why="the agent's own settings, the hook client")

    # Masks last: nothing bound before can uncover them.
    for item in manifest.read_deny:
        for path in _existing(expand(item, home=home, project=project)):
            real = Path(os.path.realpath(path))
            for target in dict.fromkeys((path, real)):
                if b.visible(str(target)):
                    b.add("mask", target, file=not real.is_dir(), why="fs.read_deny")
    if b.visible(str(aegis_home)):
        b.add("mask", aegis_home, why="Aegis' own state")
    for dest, content in sorted(needs.files.items()):
        if not _under(dest, "/etc"):
            b.add("data", dest, content=content, why="adapter")
    b.add("ro", "/proc/sys", "/proc/sys", why="kernel settings, read-only even for root")

    env = {"TMPDIR": SANDBOX_TMP, "AEGIS_SANDBOX": "1", "AEGIS_SESSION": session, **needs.env}
    allowed = tuple(manifest.network_allow) + tuple(parse_host_rule(host) for host in needs.network)
    seen: set[str] = set()
    allowed = tuple(r for r in allowed if not (str(r) in seen or seen.add(str(r))))  # type: ignore[func-returns-value]
    return SandboxPlan(
        session=session, uid=inner_uid, gid=inner_gid, user=user, home=str(home), cwd=str(cwd),
        project=str(project) if project else None, project_note=note, mounts=tuple(b.mounts), env=env,
        unset_env=tuple(name for name in UNSET_ENV if name not in env),
        network_allow=allowed, limits=manifest.limits, tmp_dir=str(tmp_dir), manifest=manifest,
    )


def for_session(plan: SandboxPlan, session: str, *, run_dir: Path | None = None, network: bool = False,
                agent_socket: bool = True) -> SandboxPlan:
    """``plan`` (built with ``session=""`` and no ``run_dir``) for the session the
    daemon opened: its name, its run folder at /run/aegis (after /tmp), the agent
    socket and the egress proxy in the environment."""
    mounts = list(plan.mounts)
    env = dict(plan.env)
    if env.get("AEGIS_SESSION") == plan.session:  # (not one the adapter chose)
        env["AEGIS_SESSION"] = session
    proxy_socket: str | None = None
    if run_dir is not None:
        at = next((i + 1 for i, m in enumerate(mounts) if m.dest == SANDBOX_VAR_TMP), len(mounts))
        mounts.insert(at, Mount("ro", RUN_DIR, str(run_dir), why="the session's agent and proxy sockets"))
        if network:
            from aegis_core.network.netns_bridge import proxy_environment
            from aegis_core.sockets import PROXY_SOCKET as PROXY_SOCKET_NAME

            proxy_socket = str(run_dir / PROXY_SOCKET_NAME)
            env.update(proxy_environment())
        if agent_socket:
            env["AEGIS_SOCKET"] = AGENT_SOCKET
    unset = tuple(name for name in (*UNSET_ENV, *(NO_PROXY if proxy_socket else ())) if name not in env)
    return replace(plan, session=session, mounts=tuple(mounts), env=env, unset_env=unset,
                   proxy_socket=proxy_socket)


def _protect_project(b: _Builder, project: Path, cwd: Path, git_dir: Path | None, common_dir: Path | None,
                     empty_dir: Path | None) -> None:
    """The agents' settings (in the project and in the folder the agent starts in),
    git's hooks and config, and what tells git where they are: read-only inside."""
    bases = [project, *([cwd] if cwd != project and _under(str(cwd), str(project)) else [])]
    targets = [(base, name) for base in bases for name in defaults.PROTECTED_PROJECT_PATHS]
    if (project / ".git").is_file():  # a worktree's or submodule's pointer to its git folder
        targets.append((project, ".git"))
    if common_dir is not None:
        targets += [(common_dir, name) for name in defaults.PROTECTED_GIT_PATHS]
    for base, name in targets:
        path = base / name.rstrip("/")
        stand_in = defaults.STAND_IN_CONTENT.get(name)
        if stand_in is not None and (not os.path.lexists(path) or _holds(path, stand_in)):
            # A file that does not exist (or only a stand-in another session put there):
            # a stand-in read-only for the session (standin.py), so the agent cannot
            # create it.
            b.add("stand-in", path, content=stand_in, why="settings the agent must not create")
        elif name.endswith("/") and empty_dir is not None and _absent_or_empty(path):
            # A folder that does not exist (or only an empty one, perhaps another
            # session's stand-in): an empty read-only one for the session, removed after
            # it (standin.py), so the agent cannot create it and nothing is left behind.
            b.add("stand-in", path, empty_dir, why="settings the agent must not create")
        elif os.path.lexists(path):
            real = Path(os.path.realpath(path))
            if b.visible(str(real)):
                b.add("ro", real, real, why="settings the agent must not change")
    for folder in dict.fromkeys(f for f in (git_dir, common_dir) if f is not None and f.is_dir()):
        _protect_git_folder(b, folder, hooks=False, empty_dir=empty_dir)
    if common_dir is not None and common_dir.is_dir():
        # The git folders inside this one: the submodules' (modules/<name>, nested) and
        # the other worktrees' (worktrees/<name>). Your git outside runs in them too
        # (`git status` recurses into submodules; a worktree elsewhere reads its config
        # through its commondir). Each, and each folder on the way to it, is a mount of
        # its own (a mount point cannot be renamed, so none can be moved aside and
        # replaced); what git runs from them is read-only.
        for folder, hooks in _inner_git_folders(common_dir):
            if folder == git_dir:
                continue  # this work tree's own (a linked worktree's): done above
            chain = []
            for parent in [folder, *folder.parents]:
                if parent == common_dir:
                    break
                chain.append(parent)
            for step in reversed(chain):
                if not b.mounted_at(str(step)):
                    b.add("rw", step, step, why="a git folder inside the project's git folder")
            _protect_git_folder(b, folder, hooks=hooks, empty_dir=empty_dir)


def _protect_git_folder(b: _Builder, folder: Path, *, hooks: bool, empty_dir: Path | None) -> None:
    """What git runs from ``folder`` read-only: its ``config``, ``config.worktree`` and
    (``hooks``) its ``hooks/``; and ``commondir``, which says where the config is."""
    names = ["config", "config.worktree", *(["hooks"] if hooks else [])]
    for name in names:
        path = folder / name
        if os.path.lexists(path):
            real = Path(os.path.realpath(path))
            if b.visible(str(real)) and not b.mounted_at(str(real), "ro"):
                b.add("ro", real, real, why="what git runs, read-only")
        elif name == "hooks" and empty_dir is not None:
            b.add("stand-in", path, empty_dir, why="what git runs: none may be added")
        elif name == "config.worktree" and _worktree_config_enabled(folder):
            b.add("placeholder", path, content="", why="what git runs, read-only")
    # git reads its config from the folder a `commondir` file names: written by the
    # agent, the user's next git command outside would run that config's commands
    # (core.fsmonitor). An existing one stays as it is; else one naming the git
    # folder itself (what git assumes without it) is put there, read-only inside.
    commondir = folder / "commondir"
    if b.mounted_at(str(commondir)):
        return
    if os.path.lexists(commondir):
        b.add("ro", commondir, commondir, why="where git finds its config")
    else:
        b.add("placeholder", commondir, content=GIT_SELF, why="where git finds its config")


# Bounds on the git folders looked for inside the project's (a project is not
# a place to hide thousands of them; past these the rest are left to the watch).
_INNER_GIT_DEPTH = 8
_INNER_GIT_MAX = 128


def _inner_git_folders(common: Path) -> list[tuple[Path, bool]]:
    """(git folder, whether its hooks run) for each submodule's git folder under
    ``modules/`` (a name may hold slashes; nested submodules under their own
    ``modules/``) and each other worktree's under ``worktrees/`` (which use the common
    folder's hooks). Links are not followed."""
    found: list[tuple[Path, bool]] = []
    worktrees = common / "worktrees"
    if worktrees.is_dir() and not worktrees.is_symlink():
        for child in sorted(_subfolders(worktrees)):
            if (child / "HEAD").is_file():
                found.append((child, False))
    queue = [(common / "modules", 0)]
    while queue and len(found) < _INNER_GIT_MAX:
        folder, depth = queue.pop(0)
        if depth > _INNER_GIT_DEPTH or folder.is_symlink() or not folder.is_dir():
            continue
        if (folder / "HEAD").is_file() and depth:
            found.append((folder, True))
            queue.append((folder / "modules", depth + 1))
            continue
        queue += [(child, depth + 1) for child in sorted(_subfolders(folder))]
    return found[:_INNER_GIT_MAX]


def _subfolders(folder: Path) -> list[Path]:
    try:
        return [entry for entry in folder.iterdir() if entry.is_dir() and not entry.is_symlink()]
    except OSError:
        return []


def _worktree_config_enabled(folder: Path) -> bool:
    """Whether git reads ``config.worktree`` here: ``extensions.worktreeConfig`` set
    in the repository's config (read-only inside, so the agent cannot turn it on)."""
    common = folder
    try:
        common = Path(os.path.normpath(folder / (folder / "commondir").read_text(encoding="utf-8").strip()))
    except OSError:
        pass
    try:
        text = (common / "config").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    section = ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped.strip("[]").strip().lower()
        elif section == "extensions" and "=" in stripped:
            key, _, value = stripped.partition("=")
            if key.strip().lower() == "worktreeconfig" and value.strip().lower() in ("true", "yes", "on", "1"):
                return True
    return False


def _absent_or_empty(path: Path) -> bool:
    """Nothing at ``path``, or an empty folder (not a link)."""
    if not os.path.lexists(path):
        return True
    if path.is_symlink() or not path.is_dir():
        return False
    try:
        with os.scandir(path) as entries:
            return next(entries, None) is None
    except OSError:
        return False


def _holds(path: Path, content: str) -> bool:
    """Whether ``path`` is a plain file holding exactly ``content``."""
    try:
        return not path.is_symlink() and path.is_file() and path.read_bytes() == content.encode()
    except OSError:
        return False


# A `commondir` that names the git folder itself: git reads it as having none.
GIT_SELF = ".\n"


def _through_planted_link(path: Path, areas: list[str]) -> bool:
    """Whether ``path`` goes through a symbolic link inside one of ``areas`` (folders
    writable inside the sandbox), which the agent could have put there."""
    parts = path.parts
    for end in range(len(parts), 1, -1):
        prefix = Path(*parts[:end])
        if os.path.islink(prefix) and any(_under(str(prefix), area) and str(prefix) != area for area in areas):
            return True
    return False
