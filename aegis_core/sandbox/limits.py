"""Resource limits on Linux, enforced by the kernel: a cgroup for the whole sandbox
where one can be created (cgroup v2 delegated to the user, or v1 as root), rlimits per
process otherwise, and ``timeout`` for the wall time. What holds where is said by
:meth:`Enforcement.describe`, and :meth:`Enforcement.explain` turns what the kernel
did (an out-of-memory kill, a refused fork, the clock) into plain words.

| limit      | cgroup v2 / v1 (whole sandbox)       | fallback (each process)        |
|------------|--------------------------------------|--------------------------------|
| memory     | memory.max / memory.limit_in_bytes   | RLIMIT_DATA                    |
| processes  | pids.max                             | RLIMIT_NPROC (not for root)    |
| cpu        | cpu.max / cpu.cfs_quota_us           | not enforced                   |
| wall_time  | ``timeout`` around the sandbox (any machine with coreutils)           |
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from aegis_core.sandbox.manifest import Limits

CGROUP_ROOT = Path("/sys/fs/cgroup")
CPU_PERIOD_US = 100_000
# `timeout` gives a stopped sandbox this long to exit before it is killed.
KILL_AFTER_S = 5
TIMEOUT_STATUS = 124
# How the limits are named to the agent and in the manifest.
WHERE = "[sandbox.limits] in policy.toml"


@dataclass
class Cgroup:
    """A cgroup made for one sandbox, and how the sandbox joins it.

    v1: the sandbox's launcher joins by itself, writing ``0`` to each hierarchy's
    ``tasks`` (:attr:`join_self`). Moving only the writing thread lets the kernel skip
    its global threadgroup lock, and with it an RCU grace period: ~0.1 ms instead of
    7-25 ms, measured here, which the start would wait for. v2 has no such file for a
    domain cgroup: ``aegis wrap`` writes the sandbox's pid to ``cgroup.procs`` from
    outside while bubblewrap builds the mounts (:attr:`join`, handshake.py)."""

    version: int
    paths: dict[str, Path]  # controller (or "unified") -> folder

    @property
    def join(self) -> list[Path]:
        """The files ``aegis wrap`` writes the sandbox's pid to (v2)."""
        if self.version == 1:
            return []
        return [path / "cgroup.procs" for path in dict.fromkeys(self.paths.values())]

    @property
    def join_self(self) -> list[Path]:
        """The files the launcher writes ``0`` to, joining itself (v1)."""
        if self.version != 1:
            return []
        return [path / "tasks" for path in dict.fromkeys(self.paths.values())]

    def events(self) -> dict[str, int]:
        """Counters of what the limits did: ``oom_kill`` and ``pids_max``."""
        counts = {"oom_kill": 0, "pids_max": 0}
        for name, controller, file, key in (("oom_kill", "memory", "memory.events", "oom_kill"),
                                            ("oom_kill", "memory", "memory.oom_control", "oom_kill"),
                                            ("pids_max", "pids", "pids.events", "max")):
            folder = self.paths.get("unified" if self.version == 2 else controller)
            if folder is not None:
                counts[name] = max(counts[name], _read_counter(folder / file, key))
        return counts

    def remove(self) -> None:
        """Kill what is left in it and remove it (best effort: a leftover empty cgroup
        is harmless)."""
        for folder in dict.fromkeys(self.paths.values()):
            # Usually the last processes are already exiting: look again soon, then
            # less often (about 1.5 s in all), rather than every 20 ms from the start.
            delay = 0.001
            for _ in range(40):
                pids = _pids(folder)
                if not pids:
                    break
                kill = folder / "cgroup.kill"
                if kill.exists():
                    with contextlib.suppress(OSError):
                        kill.write_text("1")
                else:
                    for pid in pids:
                        with contextlib.suppress(OSError):
                            os.kill(pid, signal.SIGKILL)
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
            with contextlib.suppress(OSError):
                folder.rmdir()


def _read_counter(path: Path, key: str) -> int:
    try:
        for line in path.read_text().splitlines():
            name, _, value = line.partition(" ")
            if name == key:
                return int(value)
    except (OSError, ValueError):
        pass
    return 0


def _pids(folder: Path) -> list[int]:
    try:
        return [int(p) for p in (folder / "cgroup.procs").read_text().split()]
    except (OSError, ValueError):
        return []


@dataclass
class Enforcement:
    """How this machine enforces one sandbox's limits."""

    limits: Limits
    cgroup: Cgroup | None = None
    rlimits: dict[str, int] = field(default_factory=dict)  # prlimit option -> value
    wall_time: float | None = None
    how: dict[str, str] = field(default_factory=dict)  # limit -> how it holds (or why not)
    started: float = field(default_factory=time.monotonic)

    def timeout_argv(self) -> list[str]:
        """``timeout`` for the wall time: it outlives the sandbox and ends it."""
        if self.wall_time is None:
            return []
        return [shutil.which("timeout") or "timeout", "--foreground", f"--kill-after={KILL_AFTER_S}",
                f"{self.wall_time:g}"]

    def prlimit_argv(self) -> list[str]:
        """``prlimit`` setting the fallback rlimits just before the sandbox starts."""
        if not self.rlimits:
            return []
        return [shutil.which("prlimit") or "prlimit",
                *(f"--{name}={value}" for name, value in sorted(self.rlimits.items())), "--"]

    def describe(self) -> dict[str, str]:
        return dict(self.how)

    def explain(self, status: int, elapsed: float | None = None) -> list[str]:
        """Plain words for each limit that stopped something in this sandbox."""
        messages = []
        words = self.limits.describe()
        elapsed = time.monotonic() - self.started if elapsed is None else elapsed
        if (self.wall_time is not None and status in (TIMEOUT_STATUS, 128 + signal.SIGKILL)
                and elapsed >= self.wall_time):
            messages.append(f"the sandbox's wall-time limit ({words['wall_time']}, {WHERE}) ended the "
                            "agent and everything it started")
        if self.cgroup is not None:
            events = self.cgroup.events()
            if events["oom_kill"]:
                messages.append(f"the sandbox's memory limit ({words.get('memory', '?')}, {WHERE}) made the "
                                f"kernel stop {events['oom_kill']} process(es) that used more")
            if events["pids_max"]:
                messages.append(f"the sandbox's process limit ({words.get('processes', '?')}, {WHERE}) refused "
                                f"{events['pids_max']} new process(es)")
        return messages

    def release(self) -> None:
        if self.cgroup is not None:
            self.cgroup.remove()


def enforce(limits: Limits, *, session: str, uid: int | None = None, cgroups: bool = True) -> Enforcement:
    """Set up what enforces ``limits`` for one sandbox: a cgroup when one can be made
    (the limits written into it), else rlimits. ``cgroups=False`` goes straight to the
    rlimits (for a sandbox started by another user than this process)."""
    uid = os.getuid() if uid is None else uid
    out = Enforcement(limits, wall_time=limits.wall_time)
    if limits.wall_time is not None:
        out.how["wall_time"] = ("timeout around the sandbox" if shutil.which("timeout")
                                else "not enforced: coreutils `timeout` is missing")
        if not shutil.which("timeout"):
            out.wall_time = None
    wanted = {name for name, value in (("memory", limits.memory), ("pids", limits.processes),
                                       ("cpu", limits.cpu)) if value is not None}
    if wanted and cgroups:
        out.cgroup = _make_cgroup(wanted, f"aegis-{session}")
    if out.cgroup is not None:
        _write_limits(out, limits)
    _rlimit_fallbacks(out, limits, uid)
    if out.rlimits and not shutil.which("prlimit"):
        for key in list(out.how):
            if "rlimit" in out.how[key]:
                out.how[key] = "not enforced: util-linux `prlimit` is missing"
        out.rlimits = {}
    return out


def _write_limits(out: Enforcement, limits: Limits) -> None:
    cgroup = out.cgroup
    assert cgroup is not None
    settings: dict[str, tuple[str, dict[int, list[tuple[str, object]]]]] = {
        "memory": ("memory", {2: [("memory.max", limits.memory), ("memory.swap.max", 0)],
                              1: [("memory.limit_in_bytes", limits.memory)]}),
        "processes": ("pids", {2: [("pids.max", limits.processes)], 1: [("pids.max", limits.processes)]}),
        "cpu": ("cpu", {2: [("cpu.max", _cpu_max(limits.cpu))],
                        1: [("cpu.cfs_period_us", CPU_PERIOD_US), ("cpu.cfs_quota_us", _quota(limits.cpu))]}),
    }
    for key, (controller, files) in settings.items():
        folder = cgroup.paths.get("unified" if cgroup.version == 2 else controller)
        if getattr(limits, key) is None or folder is None:
            continue
        (first, _), *_ = files[cgroup.version]
        if not (folder / first).exists():
            continue  # the controller is not enabled there: the fallback says what holds
        try:
            for name, value in files[cgroup.version]:
                if value is not None and (folder / name).exists():
                    (folder / name).write_text(str(value))
        except OSError:
            continue
        out.how[key] = f"cgroup v{cgroup.version} ({controller}), the whole sandbox"


def _rlimit_fallbacks(out: Enforcement, limits: Limits, uid: int) -> None:
    if limits.memory is not None and "memory" not in out.how:
        out.rlimits["data"] = limits.memory
        out.how["memory"] = "rlimit RLIMIT_DATA, each process on its own (no cgroup could be made)"
    if limits.processes is not None and "processes" not in out.how:
        if uid == 0:
            out.how["processes"] = ("not enforced: the kernel does not count root's processes and no cgroup "
                                    "could be made")
        else:
            out.rlimits["nproc"] = limits.processes
            out.how["processes"] = "rlimit RLIMIT_NPROC inside the sandbox's user namespace"
    if limits.cpu is not None and "cpu" not in out.how:
        out.how["cpu"] = "not enforced: needs a cgroup with the cpu controller delegated to you"


def _cpu_max(cpu: float | None) -> str | None:
    return None if cpu is None else f"{_quota(cpu)} {CPU_PERIOD_US}"


def _quota(cpu: float | None) -> int | None:
    return None if cpu is None else max(1000, int(cpu * CPU_PERIOD_US))


# -- finding a cgroup we may make ----------------------------------------------------------


def _own_cgroups() -> dict[str, str]:
    """controller -> our cgroup path ("unified" for v2)."""
    out: dict[str, str] = {}
    try:
        text = Path("/proc/self/cgroup").read_text()
    except OSError:
        return out
    for line in text.splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in (controllers.split(",") if controllers else ["unified"]):
            out[controller] = path
    return out


def _make_cgroup(wanted: set[str], name: str) -> Cgroup | None:
    own = _own_cgroups()
    v2_root = CGROUP_ROOT if (CGROUP_ROOT / "cgroup.controllers").exists() else None
    if v2_root is not None and "unified" in own:
        mine = v2_root / own["unified"].lstrip("/")
        for parent in ([mine.parent, mine] if mine != v2_root else [v2_root]):
            enabled = set(_read(parent / "cgroup.subtree_control").split())
            if not (wanted & enabled) or not os.access(parent / "cgroup.procs", os.W_OK):
                continue
            folder = parent / name
            try:
                folder.mkdir()
            except OSError:
                continue
            return Cgroup(2, {"unified": folder})
    paths: dict[str, Path] = {}
    for controller in sorted(wanted):
        mount = CGROUP_ROOT / controller
        if controller not in own or not (mount / "cgroup.procs").exists():
            continue
        folder = mount / own[controller].lstrip("/") / name
        try:
            folder.mkdir()
        except OSError:
            continue
        paths[controller] = folder
    return Cgroup(1, paths) if paths else None


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


