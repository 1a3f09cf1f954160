"""What the sandbox costs, as ratios measured in the same run (issue #13):

1. ``aegis wrap -- true`` with the sandbox vs ``--no-sandbox`` (target: at most +50 ms),
   and the sandbox's own start (``true`` contained vs bare);
2. a command inside vs outside: a workload of Python compute, file writes/reads in
   the project and process spawns, timed by itself (target: within 5%);
3. the hook round trip from inside the sandbox, through its agent socket, vs a bare
   ``python -I -S -c pass`` started in the same sandbox (target: median <= 1.3x).

   Inside and outside run in alternating chunks; each hook run is paired with a bare
   start right next to it, and the figure is the median of those pairs' ratios
   (benchmarks/timing.py), printed with the ratio of the medians and the load average.

    python benchmarks/sandbox_bench.py [--wraps 21] [--runs 7] [--rounds 200] [--hook-only]
"""

from __future__ import annotations

import argparse
import json
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import timing
from aegis_claude_hook.settings import default_hooks_settings

from aegis_core.sandbox.bwrap import BwrapBackend
from aegis_core.sandbox.manifest import Manifest
from aegis_core.sandbox.plan import SandboxNeeds
from aegis_core.sandbox.session import KeyHolder, SessionSandbox, choose_backend, open_sandbox
from aegis_core.testing import daemon_stream

WORKLOAD = r"""
import os, subprocess, sys, time
started = time.perf_counter()
total = 0
for i in range(1_500_000):
    total += i * i
folder = "bench-files"
os.makedirs(folder, exist_ok=True)
for i in range(400):
    with open(f"{folder}/f{i}.txt", "w") as handle:
        handle.write("x" * 2048)
for i in range(400):
    with open(f"{folder}/f{i}.txt") as handle:
        handle.read()
    os.unlink(f"{folder}/f{i}.txt")
for _ in range(20):
    subprocess.run(["true"])
print(time.perf_counter() - started)
"""

HARNESS = r"""
import json, subprocess, sys, time
hook, base, event, rounds = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3].encode(), int(sys.argv[4])
def once(argv, stdin):
    started = time.perf_counter()
    done = subprocess.run(argv, input=stdin, capture_output=True)
    return time.perf_counter() - started, done
def hook_once():
    elapsed, done = once(hook, event)
    answer = json.loads(done.stdout)["hookSpecificOutput"]
    if answer["permissionDecision"] != "allow":
        raise SystemExit(f"hook did not allow: {answer}")
    samples["hook"].append(elapsed)
for _ in range(5):
    once(base, b""); once(hook, event)
samples = {"hook": [], "baseline": []}
for round_ in range(rounds):  # each pair back to back, which runs first alternating
    if round_ % 2:
        hook_once()
    samples["baseline"].append(once(base, b"")[0])
    if not round_ % 2:
        hook_once()
print(json.dumps(samples))
"""

HOOK_EVENT = {"session_id": "bench", "transcript_path": "/tmp/bench.jsonl", "cwd": "/tmp",
              "permission_mode": "default", "hook_event_name": "PreToolUse", "tool_name": "Bash",
              "tool_input": {"command": "ls -la", "description": "list files"}, "tool_use_id": "toolu_bench"}


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def timed(argv: list[str], env: dict[str, str], cwd: Path, cpu: list[float] | None = None) -> float:
    """Wall-clock seconds of one run; with ``cpu``, its processes' CPU seconds (user +
    system, every process it waited for) are appended there: steadier than the
    wall clock on a loaded machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    elapsed = time.perf_counter() - started
    if cpu is not None:
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wraps", type=int, default=21)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--hook-only", action="store_true", help="measure 3. only")
    args = parser.parse_args()
    if not BwrapBackend().available().ok:
        print(f"no sandbox here: {BwrapBackend().available().reason}")
        return 3

    root = Path(tempfile.mkdtemp(prefix="aegis-sbench-", dir="/tmp"))
    home, project, aegis_home = root / "home", root / "project", root / "ah"
    for folder in (home, project, aegis_home):
        folder.mkdir(mode=0o700)
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "AEGIS_HOME": str(aegis_home),
           "LANG": "C.UTF-8"}
    cli = [sys.executable, "-m", "aegis_core.cli"]
    subprocess.run([*cli, "start"], env=env, check=True, capture_output=True)
    try:
        print(f"machine: {timing.load()}; bubblewrap at {shutil.which('bwrap')}")
        if not args.hook_only:
            wrap_cost(cli, env, project, args.wraps)
            inside_vs_outside(env, home, project, aegis_home, args.runs)
        hook_inside(env, home, project, aegis_home, args.rounds)
        print(f"\nat the end: {timing.load()}")
    finally:
        subprocess.run([*cli, "stop"], env=env, capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
    return 0


def wrap_cost(cli: list[str], env: dict[str, str], project: Path, runs: int) -> None:
    sandboxed = [*cli, "wrap", "--", "true"]
    bare = [*cli, "wrap", "--no-sandbox", "--", "true"]
    for argv in (sandboxed, bare):  # warm: bytecode, page cache, the daemon's first session
        timed(argv, env, project)
    samples: dict[str, list[float]] = {"sandboxed": [], "unsandboxed": []}
    cpu: dict[str, list[float]] = {"sandboxed": [], "unsandboxed": []}
    for _ in range(runs):
        samples["sandboxed"].append(timed(sandboxed, env, project, cpu["sandboxed"]))
        samples["unsandboxed"].append(timed(bare, env, project, cpu["unsandboxed"]))
    with_ms, without_ms = median_ms(samples["sandboxed"]), median_ms(samples["unsandboxed"])
    # Each sandboxed start next to the unsandboxed one right after it: the machine's
    # load drifts less within a pair than across the run.
    paired = median_ms([a - b for a, b in zip(samples["sandboxed"], samples["unsandboxed"], strict=True)])
    print(f"\n1. aegis wrap -- true, median of {runs}: sandboxed {with_ms:.1f} ms, --no-sandbox {without_ms:.1f} ms")
    print(f"   the sandbox adds {with_ms - without_ms:+.1f} ms ({with_ms / without_ms:.2f}x); median of the "
          f"{runs} pairs' differences {paired:+.1f} ms (target: at most +50 ms)")
    cpu_with, cpu_without = median_ms(cpu["sandboxed"]), median_ms(cpu["unsandboxed"])
    print(f"   CPU time (user + system of the wrap and what it started, not the daemon's): sandboxed "
          f"{cpu_with:.1f} ms, --no-sandbox {cpu_without:.1f} ms: {cpu_with - cpu_without:+.1f} ms")


def _sandbox(home: Path, project: Path, aegis_home: Path, session: str, created: dict[str, object] | None = None,
             needs: SandboxNeeds | None = None) -> SessionSandbox:
    choice = choose_backend({"bwrap": BwrapBackend()})
    created = created or {}
    run_dir = created.get("run_dir")
    return open_sandbox(choice, Manifest(), session=session, cwd=project, home=home, aegis_home=aegis_home,
                        run_dir=Path(str(run_dir)) if run_dir else None, needs=needs,
                        agent_socket=bool(created.get("agent_socket")),
                        keys=KeyHolder(aegis_home / "aegis.sock", session, str(created.get("token", ""))))


def inside_vs_outside(env: dict[str, str], home: Path, project: Path, aegis_home: Path, runs: int) -> None:
    script = project / "workload.py"
    script.write_text(WORKLOAD)
    sandbox = _sandbox(home, project, aegis_home, "bench-work")
    try:
        contained, inner_env = sandbox.contain(["python3", "-I", str(script)], {**env})
        start_cost: dict[str, list[float]] = {"contained": [], "bare": []}
        true_contained, true_env = sandbox.contain(["true"], {**env})
        for _ in range(30):
            start_cost["contained"].append(timed(true_contained, true_env, project))
            start_cost["bare"].append(timed(["true"], env, project))
        samples: dict[str, list[float]] = {"inside": [], "outside": []}
        for _ in range(runs):
            for name, argv, run_env in (("inside", contained, inner_env),
                                         ("outside", ["python3", "-I", str(script)], env)):
                done = subprocess.run(argv, env=run_env, cwd=project, capture_output=True, text=True, check=True)
                samples[name].append(float(done.stdout.strip().splitlines()[-1]))
    finally:
        sandbox.close(0)
    print(f"   the sandbox's own start: `true` contained {median_ms(start_cost['contained']):.1f} ms vs bare "
          f"{median_ms(start_cost['bare']):.1f} ms (median of 30)")
    inside, outside = median_ms(samples["inside"]), median_ms(samples["outside"])
    print(f"\n2. workload (compute, 800 file writes/reads, 20 spawns), median of {runs}: inside {inside:.1f} ms, "
          f"outside {outside:.1f} ms: {inside / outside:.3f}x (target: within 5%)")


def hook_inside(env: dict[str, str], home: Path, project: Path, aegis_home: Path, rounds: int) -> None:
    created = daemon_stream(aegis_home / "aegis.sock", "session.create", agent="claude", cwd=str(project),
                            command="bench", sandbox={"sandboxed": True, "backend": "bwrap"})[-1]
    session = str(created["session"])
    command = default_hooks_settings(300)["hooks"]["PreToolUse"][0]["hooks"][0]["command"]
    hook = shlex.split(command)
    base = [hook[0], "-I", "-S", "-c", "pass"]
    chunks = 4
    chunk = max(1, rounds // chunks)
    samples: dict[str, dict[str, list[float]]] = {where: {"hook": [], "baseline": []}
                                                  for where in ("inside", "outside")}
    harness = project / "harness.py"
    harness.write_text(HARNESS)
    event = json.dumps({**HOOK_EVENT, "cwd": str(project)})
    from aegis_claude_hook import sandboxing

    # What a wrapped Claude Code gets: the hook's interpreter and client visible.
    sandbox = _sandbox(home, project, aegis_home, session, created, needs=sandboxing.needs(hook[0], 300, env,
                                                                                           prepare=False))
    try:
        agent_env = {**env, "AEGIS_SESSION": session, "AEGIS_SESSION_TOKEN": str(created["token"])}
        harness_argv = ["python3", "-I", str(harness), json.dumps(hook), json.dumps(base), event]
        inside_argv, inner_env = sandbox.contain([*harness_argv, str(chunk)], agent_env)
        # The same harness outside, through the same session's socket on the host.
        outside_env = {**agent_env, "AEGIS_SOCKET": str(created["agent_socket"]),
                       "AEGIS_DAEMON_PID": str(created.get("daemon_pid") or ""),
                       "AEGIS_DAEMON_START": str(created.get("daemon_start") or "")}
        # Inside and outside in alternating chunks, so both see the same spells of load.
        places = [("inside", inside_argv, inner_env), ("outside", [*harness_argv, str(chunk)], outside_env)]
        for index in range(chunks):
            for where, argv, run_env in places if index % 2 == 0 else places[::-1]:
                done = subprocess.run(argv, env=run_env, cwd=project, capture_output=True, text=True)
                if done.returncode != 0:
                    print(f"\n3. hook {where} the sandbox: failed: {done.stderr.strip()[-500:]}")
                    return
                for name, values in json.loads(done.stdout.strip().splitlines()[-1]).items():
                    samples[where][name] += values
    finally:
        sandbox.close(0)
        daemon_stream(aegis_home / "aegis.sock", "session.end", session=session, token=created["token"],
                      exit_status=0)
    inside, outside = samples["inside"], samples["outside"]
    print(f"\n3. hook round trip inside the sandbox (through {inner_env.get('AEGIS_SOCKET')}) and outside (the "
          f"same session's socket), {len(inside['hook'])} rounds each in {chunks} alternating chunks, each hook next "
          f"to a bare python -I -S -c pass started in the same place; {timing.load()}")
    for where, taken in (("inside", inside), ("outside", outside)):
        print(f"   {where}: hook {median_ms(taken['hook']):.2f} ms, bare start {median_ms(taken['baseline']):.2f} ms "
              f"(medians)")
    print("   " + timing.ratio_line("inside", inside["hook"], inside["baseline"]))
    print("   " + timing.ratio_line("outside", outside["hook"], outside["baseline"]))


if __name__ == "__main__":
    sys.exit(main())
