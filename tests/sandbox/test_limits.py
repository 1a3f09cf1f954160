"""Resource limits from the manifest, enforced by the kernel, as root (a cgroup for the
whole sandbox) and as an ordinary user (rlimits, or a delegated cgroup), and said in
plain words when one stops something."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from sandbox_support import Machine, as_uid, user_python

from aegis_core.hookclient import transport
from aegis_core.sandbox.limits import enforce
from aegis_core.sandbox.manifest import Limits

pytestmark = pytest.mark.sandbox

HOG = "b = bytearray(400 << 20); b[::4096] = b'x' * len(b[::4096]); print('ALLOCATED')"
FORKS = "for i in $(seq 60); do sleep 3 & done 2>&1; wait; echo FORKED"


def sandbox_test(machine: Machine, limits: str, *command: str) -> subprocess.CompletedProcess[str]:
    policy = machine.aegis_home / "policy.toml"
    policy.write_text(f"[policy]\ninclude_defaults = true\n\n[sandbox.limits]\n{limits}\n")
    policy.chmod(0o600)
    machine.chown()
    python, extra = user_python(machine.uid)
    argv = as_uid(machine.uid, [*python, "-m", "aegis_core.cli", "sandbox", "test", "--", *command])
    return subprocess.run(argv, env={**machine.env, **extra}, cwd=machine.project, text=True, capture_output=True,
                          timeout=120, stdin=subprocess.DEVNULL)


def test_the_wall_time_ends_the_sandbox_and_says_so(machine: Machine) -> None:
    done = sandbox_test(machine, 'wall_time = "2s"', "sh", "-c", "sleep 30 & sleep 30; echo NOT-REACHED")
    assert done.returncode == 124, done.stderr
    assert "NOT-REACHED" not in done.stdout
    assert "the sandbox's wall-time limit (2 s, [sandbox.limits] in policy.toml) ended the agent" in done.stderr


def test_too_much_memory_is_refused(machine: Machine) -> None:
    done = sandbox_test(machine, 'memory = "128MiB"', "python3", "-c", HOG)
    assert "ALLOCATED" not in done.stdout
    assert done.returncode != 0
    how = enforce(Limits(memory=128 << 20), session="probe", uid=machine.uid, cgroups=machine.uid == 0)
    try:
        if how.cgroup is not None:  # the kernel killed it, and the user is told
            assert done.returncode == 137, done.stderr
            assert "the sandbox's memory limit (128 MiB" in done.stderr
        else:  # rlimit: the allocation itself failed
            assert "MemoryError" in done.stderr
    finally:
        how.release()


def test_too_many_processes_are_refused(machine: Machine) -> None:
    done = sandbox_test(machine, "processes = 20", "sh", "-c", FORKS)
    output = done.stdout + done.stderr
    assert "FORKED" not in output
    assert "Cannot fork" in output or "Resource temporarily unavailable" in output, output
    how = enforce(Limits(processes=20), session="probe", uid=machine.uid, cgroups=machine.uid == 0)
    try:
        if how.cgroup is not None:
            assert "the sandbox's process limit (20, [sandbox.limits] in policy.toml) refused" in done.stderr
    finally:
        how.release()


def test_show_says_how_each_limit_holds_here(machine: Machine) -> None:
    policy = machine.aegis_home / "policy.toml"
    policy.write_text('[policy]\n\n[sandbox.limits]\nmemory = "1GiB"\ncpu = 0.5\nprocesses = 100\nwall_time = "1h"\n')
    policy.chmod(0o600)
    machine.chown()
    python, extra = user_python(machine.uid)
    shown = subprocess.run(as_uid(machine.uid, [*python, "-m", "aegis_core.cli", "sandbox", "show", "--json"]),
                           env={**machine.env, **extra}, cwd=machine.project, text=True, capture_output=True,
                           timeout=60)
    how = json.loads(shown.stdout)["limits_enforced"]
    assert set(how) == {"memory", "cpu", "processes", "wall_time"}
    assert how["wall_time"] == "timeout around the sandbox"
    if machine.uid != 0:
        assert how["processes"].startswith(("cgroup", "rlimit RLIMIT_NPROC"))
    assert all(text for text in how.values())


# -- what the agent's hook tells it ---------------------------------------------------------


def test_the_hook_client_tells_the_agent_when_a_limit_stopped_a_command(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    counters = tmp_path / "limits"
    (counters / "memory").mkdir(parents=True)
    (counters / "pids").mkdir()
    (counters / "memory" / "memory.oom_control").write_text("oom_kill_disable 0\nunder_oom 0\noom_kill 0\n")
    (counters / "pids" / "pids.events").write_text("max 0\n")
    monkeypatch.setattr(transport, "LIMIT_SEEN", str(tmp_path / "seen"))
    monkeypatch.setenv("AEGIS_LIMITS", str(counters))
    monkeypatch.setenv("AEGIS_LIMIT_MEMORY", "2 GiB")
    assert transport.limit_notice() is None
    (counters / "memory" / "memory.oom_control").write_text("oom_kill_disable 0\nunder_oom 0\noom_kill 1\n")
    said = transport.limit_notice()
    assert said is not None and "memory limit (2 GiB)" in said and "[sandbox.limits]" in said
    assert transport.limit_notice() is None  # said once
    (counters / "pids" / "pids.events").write_text("max 3\n")
    said = transport.limit_notice()
    assert said is not None and "process limit" in said and "memory" not in said.split("Aegis sandbox:")[1][:60]
    monkeypatch.delenv("AEGIS_LIMITS")
    assert transport.limit_notice() is None  # outside a sandbox: nothing read, nothing said
