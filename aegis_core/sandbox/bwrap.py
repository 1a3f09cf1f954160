"""The bubblewrap backend (Linux): every wrapped agent runs in new user, mount, PID,
network, IPC and UTS namespaces, as an unprivileged user holding no capability (root
outside included), on an allow-listed root, under a seccomp filter.

The command it builds::

    [timeout ...] sh -c LAUNCHER aegis-sandbox [TASKS... +] [INFO BLOCK] FILTER --
        [prlimit ... --] bwrap --unshare-user ... [--info-fd 7 --block-fd 8] --seccomp 9 -- PROGRAM ARGS

The launcher is a few lines of ``sh`` (no Python start-up on the way): it opens the
seccomp program on fd 9 for ``bwrap --seccomp 9`` and execs the rest, so the adapter's
own spawn (a pipe or a terminal) is kept. With a v1 cgroup it first joins it (``echo 0``
into each ``tasks``: the kernel's fast path, limits.Cgroup). With a v2 cgroup or an
egress proxy it opens the handshake's FIFOs on fds 7 and 8: ``aegis wrap`` puts the
sandbox in its v2 cgroup and the proxy's listener in its network namespace from
outside, while bwrap builds the mounts and then waits on fd 8
(aegis_core.sandbox.handshake).
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from aegis_core.files import write_atomically
from aegis_core.sandbox import seccomp
from aegis_core.sandbox.backend import Availability, Contained
from aegis_core.sandbox.etc_snapshot import etc_section, snapshot
from aegis_core.sandbox.limits import Enforcement, enforce
from aegis_core.sandbox.plan import Mount, SandboxPlan

SECCOMP_FD = 9
LIMITS_DIR = "/run/aegis-limits"
LAUNCHER_FAILED = 125
LAUNCHER = 'exec 9<"$1" || exit 125; shift 2; exec "$@"'  # FILTER -- COMMAND...
# Before it: the launcher joins the sandbox's v1 cgroups itself (TASKS... + ...), so
# bubblewrap and everything it starts are in them (limits.Cgroup.join_self).
JOIN_END = "+"
JOIN_LAUNCHER = f'while [ "$1" != {JOIN_END} ]; do echo 0 >"$1" || exit 125; shift; done; shift; '
INSTALL_HINT = "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap)"


@functools.lru_cache(maxsize=4)
def bwrap_version(program: str, cache: Path | None = None) -> tuple[int, ...] | None:
    """``program --version``, remembered in ``cache`` (a file in Aegis' own state, which
    no sandbox sees) for as long as the program file is the same one: its path, inode,
    size, modification and change times, so an upgrade (or any replacement) asks again.
    That spares every ``aegis wrap`` a process start; the version decides whether the
    sandbox gets ``--disable-userns``, so only Aegis' own folder may hold the answer."""
    key = _identity(program)
    if cache is not None and key is not None:
        try:
            known = json.loads(cache.read_text(encoding="utf-8"))
            if known.get("program") == key and isinstance(known.get("version"), list):
                return tuple(int(part) for part in known["version"])
        except (OSError, ValueError, TypeError):
            pass
    try:
        out = subprocess.run([program, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", out)
    version = tuple(int(x) for x in match.groups(default="0")) if match else None
    if cache is not None and key is not None and version is not None and cache.parent.is_dir():
        try:
            write_atomically(cache, json.dumps({"program": key, "version": list(version)}).encode(), mode=0o444)
        except OSError:
            pass  # asked again next time
    return version


def _identity(program: str) -> list[object] | None:
    """What tells one installed ``program`` file from another (None: cannot tell)."""
    try:
        real = os.path.realpath(program)
        info = os.stat(real)
    except OSError:
        return None
    return [real, info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]


def version_cache() -> Path:
    """Where :func:`bwrap_version` keeps its answer: ``$AEGIS_HOME/sandbox``."""
    from aegis_core.config import aegis_home

    return aegis_home() / "sandbox" / "bwrap-version.json"


class BwrapBackend:
    """Bubblewrap. ``program`` is looked up on PATH (``AEGIS_BWRAP`` overrides)."""

    name = "bwrap"
    description = "bubblewrap: Linux namespaces, no capability, allow-listed root, seccomp"
    platforms = ("linux",)

    def __init__(self, program: str | None = None, version_cache: Path | None = None) -> None:
        self._program = program
        self._version_cache = version_cache

    @property
    def version_cache(self) -> Path:
        return self._version_cache or version_cache()

    @property
    def program(self) -> str | None:
        explicit = self._program or os.environ.get("AEGIS_BWRAP")
        if explicit:
            return explicit if os.access(explicit, os.X_OK) else None
        return shutil.which("bwrap")

    def available(self) -> Availability:
        if not sys.platform.startswith("linux"):
            return Availability(False, f"bubblewrap needs Linux (this is {sys.platform})")
        program = self.program
        if program is None:
            return Availability(False, "bubblewrap (bwrap) is not installed or not on PATH", hint=INSTALL_HINT)
        try:
            seccomp.build_filter()
        except seccomp.UnsupportedArchitecture as exc:
            return Availability(False, str(exc))
        version = bwrap_version(program, self.version_cache)
        text = ".".join(map(str, version)) if version else "unknown version"
        if version is not None and version < (0, 5):
            return Availability(False, f"bubblewrap {text} is too old (need 0.5 or newer)", hint=INSTALL_HINT)
        return Availability(True, f"bubblewrap {text} at {program}", version=text)

    def probe(self) -> Availability:
        """Start a real sandbox (as every session will) and look inside."""
        found = self.available()
        if not found.ok:
            return found
        from aegis_core.sandbox.manifest import Manifest
        from aegis_core.sandbox.plan import build_plan

        with tempfile.TemporaryDirectory(prefix="aegis-probe-") as scratch:
            root = Path(scratch)
            for name in ("tmp", "work", "empty"):
                (root / name).mkdir()
            plan = build_plan(Manifest(), session="probe", cwd=root, home=Path.home(), aegis_home=root / "ah",
                              tmp_dir=root / "tmp", empty_dir=root / "empty")
            enforcement = Enforcement(plan.limits)  # the probe sets no limit up
            contained = self.contain(plan, ["/bin/sh", "-c", "id -u; cat /proc/self/status"], dict(os.environ),
                                     workdir=root / "work", enforcement=enforcement)
            try:
                run = subprocess.run(contained.argv, env=contained.env, capture_output=True, text=True, timeout=30,
                                     stdin=subprocess.DEVNULL, cwd=root)
            except (OSError, subprocess.SubprocessError) as exc:
                return Availability(False, f"bubblewrap could not start: {exc}", hint=INSTALL_HINT)
        if run.returncode != 0:
            error = (run.stderr.strip().splitlines() or ["no message"])[-1]
            return Availability(False, f"bubblewrap cannot create the sandbox's namespaces: {error}",
                                hint="enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1 "
                                     "or user.max_user_namespaces > 0; on Ubuntu 24.04 allow bwrap in AppArmor)")
        lines = run.stdout.split("\n")
        capabilities = [line for line in lines if line.startswith("CapEff:")]
        if lines[0] == "0" or not capabilities or capabilities[0].split()[1].strip("0"):
            return Availability(False, "the sandbox's process still has privileges (uid 0 or capabilities)",
                                hint="report this: Aegis refuses to rely on such a sandbox")
        return Availability(True, found.reason + "; namespaces, no capability, seccomp: working",
                            version=found.version)

    # -- the command ------------------------------------------------------------------

    def enforce(self, plan: SandboxPlan) -> Enforcement:
        return enforce(plan.limits, session=plan.session)

    def contain(self, plan: SandboxPlan, argv: Sequence[str], env: Mapping[str, str], *,
                workdir: Path, enforcement: Enforcement | None = None) -> Contained:
        """``argv`` inside ``plan``'s boundary. ``workdir`` is a private folder outside
        the sandbox, alive for the session, for the files this backend generates."""
        program = self.program
        if program is None:
            raise FileNotFoundError("bwrap")
        workdir.mkdir(mode=0o700, parents=True, exist_ok=True)
        filter_path = workdir / "seccomp.bpf"
        if not filter_path.exists():
            write_atomically(filter_path, seccomp.build_filter(), mode=0o444)
        enforcement = enforcement or enforce(plan.limits, session=plan.session)
        args = [program, *self._namespaces(program, plan)]
        args += self._mounts(plan, workdir, _limit_folders(enforcement))
        cgroup = enforcement.cgroup
        join = [str(path) for path in cgroup.join] if cgroup is not None else []
        join_self = [str(path) for path in cgroup.join_self] if cgroup is not None else []
        script, script_args = LAUNCHER, list[str]()
        if join or plan.proxy_socket is not None:
            from aegis_core.sandbox import handshake

            started = handshake.Handshake(_handshake_folder(workdir, plan.session), cgroup_procs=join,
                                          proxy_socket=plan.proxy_socket)
            script, script_args = handshake.LAUNCHER + script, [*started.launcher_args(), *script_args]
            args += started.bwrap_args()
        if join_self:
            script, script_args = JOIN_LAUNCHER + script, [*join_self, JOIN_END, *script_args]
        launcher = ["/bin/sh", "-c", script, "aegis-sandbox", *script_args]
        args += ["--chdir", plan.cwd, "--seccomp", str(SECCOMP_FD), "--", *argv]
        launcher += [str(filter_path), "--"]
        inner_env = {k: v for k, v in env.items() if k not in plan.unset_env}
        inner_env.update(plan.env)
        inner_env.update(_limit_env(enforcement))
        return Contained([*enforcement.timeout_argv(), *launcher, *enforcement.prlimit_argv(), *args], inner_env)

    def _namespaces(self, program: str, plan: SandboxPlan) -> list[str]:
        args = ["--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-net",
                "--unshare-cgroup-try", "--die-with-parent", "--cap-drop", "ALL",
                "--uid", str(plan.uid), "--gid", str(plan.gid), "--hostname", "aegis-sandbox"]
        version = bwrap_version(program, self.version_cache)
        if version is not None and version >= (0, 8):
            args.append("--disable-userns")  # no nested user namespace: less kernel within reach
        if not plan.terminal:
            # A new session: no controlling terminal to type into. The PTY adapter keeps
            # the agent on its own terminal instead; the seccomp filter refuses TIOCSTI.
            args.append("--new-session")
        return args

    def _mounts(self, plan: SandboxPlan, workdir: Path, limits: dict[str, str] | None = None) -> list[str]:
        args = ["--proc", "/proc", "--dev", "/dev"]
        data_dir = workdir / "files" / plan.session
        empty_file = workdir / "empty-file"
        if not empty_file.exists():
            write_atomically(empty_file, b"", mode=0o444)
        mounts = list(enumerate(plan.mounts))
        section = etc_section(plan.mounts)
        if section is not None:
            # One bind for the whole filtered /etc (a reused snapshot), not one per entry.
            start, end = section
            etc = snapshot(plan.mounts[start:end], workdir / "etc")
            if etc is not None:
                mounts[start:end] = [(start, Mount("ro", "/etc", str(etc)))]
        for index, mount in mounts:
            kind, dest = mount.kind, mount.dest
            if kind == "ro":
                args += ["--ro-bind", str(mount.source), dest]
            elif kind == "rw":
                args += ["--bind", str(mount.source), dest]
            elif kind == "symlink":
                args += ["--symlink", str(mount.source), dest]
            elif kind == "tmpfs":
                args += ["--tmpfs", dest]
            elif kind == "dir":
                args += ["--dir", dest]
            elif kind == "remount-ro":
                args += ["--remount-ro", dest]
            elif kind == "mask":
                if mount.file:
                    args += ["--ro-bind", str(empty_file), dest]
                else:
                    args += ["--perms", "0555", "--tmpfs", dest, "--remount-ro", dest]
            elif kind == "stand-in" and mount.content is None:  # a folder no session claimed: made, left
                args += ["--ro-bind", str(mount.source), dest]
            elif kind in ("placeholder", "stand-in"):  # a stand-in not claimed by a session stays
                if _place(Path(dest), (mount.content or "").encode()):
                    args += ["--ro-bind", dest, dest]
            elif kind == "data":
                data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
                path = data_dir / f"{index:03d}-{os.path.basename(dest)}"
                write_atomically(path, (mount.content or "").encode(), mode=0o444)
                args += ["--ro-bind", str(path), dest]
            else:
                raise ValueError(f"unknown mount kind {kind!r}")
        # The cgroup's counters, read-only, so the agent's hook can say when a limit
        # stopped one of its commands.
        for name, counters in (limits or {}).items():
            args += ["--ro-bind", counters, f"{LIMITS_DIR}/{name}"]
        # The root itself (a tmpfs bwrap made) stays read-only: nothing new at /.
        return [*args, "--remount-ro", "/"]


def _handshake_folder(workdir: Path, session: str) -> Path:
    """A folder of its own for each contained command's handshake FIFOs, among the
    session's generated files (removed with them when the session ends)."""
    base = workdir / "files" / session
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="start-", dir=base))


def _limit_folders(enforcement: Enforcement | None) -> dict[str, str]:
    if enforcement is None or enforcement.cgroup is None:
        return {}
    return {name: str(folder) for name, folder in enforcement.cgroup.paths.items()}


def _limit_env(enforcement: Enforcement | None) -> dict[str, str]:
    """Where the counters are, and the limits in words, for the hook client's notice."""
    if enforcement is None:
        return {}
    words = enforcement.limits.describe()
    env = {f"AEGIS_LIMIT_{key.upper()}": value for key, value in words.items()}
    if enforcement.cgroup is not None:
        env["AEGIS_LIMITS"] = LIMITS_DIR
    return env


def _place(path: Path, data: bytes) -> bool:
    """Put a placeholder file on the host where none is (an existing one is kept);
    False when there is none and it cannot be made: then the folder is not writable
    for this user, so not for the agent either, and there is nothing to bind."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    except FileExistsError:
        return True
    except OSError:
        return False
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return True


