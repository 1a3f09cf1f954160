"""Hook round trip of an auto-allowed call, for each hook adapter (Claude Code, Codex
CLI, Gemini CLI), as whole processes launched exactly as that agent launches them,
against the same interpreter's bare start-up (``python -I -S -c pass``) measured in the
same run. Prints the ratios.

Targets (issue #5, issue #17): median <= 1.3x, p99 <= 3x. Codex and Gemini run the
client under guard.sh (their hooks fail open): Codex's command starts one /bin/sh for it;
Gemini, whose hooks always run in ``bash -c``, sources it into that shell, so its hook
is timed through that shell only, against the bare start-up through the same shell (the
hard deadline is the client's own SIGALRM). Uses a running daemon started with
``aegis start`` in a temporary AEGIS_HOME when that works, else a stand-in socket server that answers allow (and says
so). For each agent two hooks are timed: one installed without ``aegis wrap`` (the
shared agent socket, the daemon checked against aegis.pid) and one of a wrapped
session (its own agent socket, the daemon pinned by aegis wrap).

Each round times every hook right next to its baseline (benchmarks/timing.py): the
figure is the median of those pairs' ratios, printed with the ratio of the medians and
the load average. Bounded: 300 rounds or 180 s, whichever ends first. With the real
daemon it then prints, apart from the figures, where a hook's time beyond the
interpreter goes on this machine: the daemon's answer to one judge request (timed in
process) and the cost of the audit record's append + fdatasync on this disk.

    python benchmarks/hook_bench.py [--rounds 300] [--seconds 180] [--standin] [--agent claude|codex|gemini ...]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import timing


@dataclass(frozen=True)
class Agent:
    """How one agent runs its hook: the command Aegis registers, the event it writes on
    stdin, the shell it runs the command through, and what an allow looks like."""

    name: str
    command: Callable[[], str]
    event: dict
    shell: Callable[[], list[str]]
    allowed: Callable[[subprocess.CompletedProcess[bytes]], bool]

    def hook_input(self, session: str) -> bytes:
        """One event of ``session``. The rounds are spread over sessions of 20 calls: one
        session firing hundreds of calls back to back is a runaway loop, which the
        critic rightly escalates, and that is not the path measured here."""
        return json.dumps({**self.event, "session_id": session}).encode()


def _claude_command() -> str:
    settings = importlib.import_module("aegis_claude_hook.settings")
    return settings.default_hooks_settings(300)["hooks"]["PreToolUse"][0]["hooks"][0]["command"]


def _codex_command() -> str:
    settings = importlib.import_module("aegis_codex.settings")
    return settings.default_hooks_block(300)["hooks"]["PreToolUse"][0]["hooks"][0]["command"]


def _gemini_command() -> str:
    settings = importlib.import_module("aegis_gemini.settings")
    return settings.default_hooks_block(300)["hooks"]["BeforeTool"][0]["hooks"][0]["command"]


def _claude_allowed(result: subprocess.CompletedProcess[bytes]) -> bool:
    return json.loads(result.stdout)["hookSpecificOutput"]["permissionDecision"] == "allow"


def _silent_allow(result: subprocess.CompletedProcess[bytes]) -> bool:
    return result.returncode == 0 and not result.stdout and not result.stderr


LISTING = {"command": "ls -la"}
AGENTS = {
    "claude": Agent("claude", _claude_command, {
        "transcript_path": "/tmp/bench.jsonl", "cwd": "/tmp", "permission_mode": "default",
        "hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {**LISTING, "description": "list files"},
        "tool_use_id": "toolu_bench"},
        lambda: [os.environ.get("SHELL") or "/bin/bash", "-c"], _claude_allowed),
    # Codex runs hooks through the user's login shell: `$SHELL -lc COMMAND`.
    "codex": Agent("codex", _codex_command, {
        "turn_id": "t1", "transcript_path": None, "cwd": "/tmp", "hook_event_name": "PreToolUse",
        "model": "gpt-5.5", "permission_mode": "default", "tool_name": "Bash", "tool_input": LISTING,
        "tool_use_id": "call_bench"},
        lambda: [os.environ.get("SHELL") or "/bin/sh", "-lc"], _silent_allow),
    # Gemini runs hooks through `bash -c COMMAND`.
    "gemini": Agent("gemini", _gemini_command, {
        "transcript_path": "/tmp/bench.jsonl", "cwd": "/tmp", "hook_event_name": "BeforeTool",
        "timestamp": "2026-01-01T00:00:00Z", "tool_name": "run_shell_command", "tool_input": LISTING},
        lambda: ["bash", "-c"], _silent_allow),
}


class StandIn:
    """A minimal daemon stand-in: one thread per connection, answers allow at once."""

    ANSWER = (
        b'{"final": true, "ok": true, "decision": "allow", "reason": "stand-in", '
        b'"rule": null, "risk": 0, "approval_id": null, "choice": null}\n'
    )

    def __init__(self, path: Path) -> None:
        self.path = path
        # The hook trusts only the process aegis.pid names: this one.
        path.with_name("aegis.pid").write_text(f"{os.getpid()}\n")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(str(path))
        self.sock.listen(128)
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while not data.endswith(b"\n"):
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                conn.sendall(self.ANSWER)

    def close(self) -> None:
        self.sock.close()


def start_daemon(home: Path, env: dict[str, str]) -> bool:
    aegis = shutil.which("aegis") or str(Path(sys.executable).with_name("aegis"))
    try:
        result = subprocess.run(
            [aegis, "start"], env=env, capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"aegis start failed: {exc}")
        return False
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["?"])[-1]
        print(f"aegis start failed (exit {result.returncode}): {last[:200]}")
        return False
    return True


def open_session(home: Path) -> dict[str, str]:
    """A wrapped session's environment, as `aegis wrap` gives it to the agent."""
    from aegis_core.testing import daemon_stream

    created = daemon_stream(home / "aegis.sock", "session.create", agent="bench", cwd="/tmp",
                            command="bench")[-1]
    return {"AEGIS_SOCKET": created["agent_socket"], "AEGIS_SESSION": created["session"],
            "AEGIS_SESSION_TOKEN": created["token"], "AEGIS_DAEMON_PID": str(created["daemon_pid"]),
            "AEGIS_DAEMON_START": str(created["daemon_start"])}


def stop_daemon(env: dict[str, str]) -> None:
    aegis = shutil.which("aegis") or str(Path(sys.executable).with_name("aegis"))
    subprocess.run([aegis, "stop"], env=env, capture_output=True, timeout=30)


def daemon_share(home: Path, agent: Agent, rounds: int = 200) -> str:
    """Where a hook's time beyond the interpreter goes, on this machine: the daemon's
    answer to one judge request as the hook client sends it (connect to the final
    line, timed in this process, so no interpreter start is in it), and what the
    durable audit record every decision waits for costs on this disk (a 500-byte
    append and its fdatasync, in the Aegis home). Printed next to the ratios, not
    part of them: the hook figures above are whole processes."""
    answers = []
    for i in range(rounds):
        payload = agent.hook_input(f"bench-share-{i // 20}").decode()
        line = ('{"v":1,"op":"judge","adapter":' + json.dumps(agent.name) + ',"payload":' + payload + "}\n").encode()
        started = time.perf_counter()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(str(home / "agent.sock"))
            sock.sendall(line)
            reader = sock.makefile("rb")
            while (answer := reader.readline()) and not json.loads(answer).get("final"):
                pass
        answers.append(time.perf_counter() - started)
        if not answer or json.loads(answer).get("decision") != "allow":
            raise SystemExit(f"the daemon did not allow: {answer!r}")
    probe = home / "fsync-probe"
    syncs = timing.bare_fsync(probe, rounds, size=500)
    probe.unlink()
    return (f"{agent.name}: the daemon's answer to one judge request (in-process client, {rounds} calls) "
            f"median {statistics.median(answers) * 1000:.2f} ms (p10 {timing.percentile(answers, 0.1) * 1000:.2f}); "
            f"an audit-sized append + fdatasync on this disk median {statistics.median(syncs) * 1000:.2f} ms "
            f"(p10 {timing.percentile(syncs, 0.1) * 1000:.2f})")


def time_once(argv: list[str], env: dict[str, str], stdin: bytes,
              allowed: Callable[[subprocess.CompletedProcess[bytes]], bool] | None) -> float:
    started = time.perf_counter()
    result = subprocess.run(argv, input=stdin, env=env, capture_output=True)
    elapsed = time.perf_counter() - started
    if allowed is not None and not allowed(result):
        raise SystemExit(f"hook did not allow: {result}")
    return elapsed


def installed(names: list[str]) -> list[Agent]:
    found = []
    for name in names:
        try:
            AGENTS[name].command()
        except ImportError:
            print(f"{name}: its plugin is not installed, skipped")
            continue
        found.append(AGENTS[name])
    return found


@dataclass(frozen=True)
class Case:
    """One way of running a process: the hook as an agent launches it, or a baseline."""

    argv: list[str]
    agent: Agent | None  # None: a baseline (stdin gets the same event, unread)
    env: dict[str, str]

    def run(self, event_of: Agent, session: str) -> float:
        agent = self.agent or event_of
        return time_once(self.argv, self.env, agent.hook_input(session), self.agent.allowed if self.agent else None)


@dataclass(frozen=True, eq=False)  # hashed by identity: one entry per pair
class Pair:
    """A hook case and its baseline, timed one right after the other in every round."""

    hook: str
    base: str
    agent: Agent


def plan(agents: list[Agent], env: dict[str, str], wrapped_env: dict[str, str]) -> tuple[dict[str, Case], list[Pair]]:
    cases: dict[str, Case] = {}
    pairs: list[Pair] = []
    for agent in agents:
        command = agent.command()
        hook_argv = shlex.split(command)
        # By its name: in a regular install the client's own path holds "/python3.11/" too.
        python = next(w for w in hook_argv if os.path.basename(w).startswith("python"))
        base_argv = [python, "-I", "-S", "-c", "pass"]
        print(f"{agent.name} hook command: {command}")
        name = agent.name
        cases[f"{name} baseline"] = Case(base_argv, None, env)
        cases[f"{name} baseline via shell"] = Case([*agent.shell(), shlex.join(base_argv)], None, env)
        cases[f"{name} hook via shell"] = Case([*agent.shell(), command], agent, env)
        if hook_argv[0] == ".":  # sourced into the agent's own shell: it runs there only
            cases[f"{name} hook via shell, wrapped session"] = Case([*agent.shell(), command], agent, wrapped_env)
            pairs += [Pair(f"{name} hook via shell", f"{name} baseline via shell", agent),
                      Pair(f"{name} hook via shell, wrapped session", f"{name} baseline via shell", agent)]
        else:
            cases[f"{name} hook"] = Case(hook_argv, agent, env)
            cases[f"{name} hook, wrapped session"] = Case(hook_argv, agent, wrapped_env)
            pairs += [Pair(f"{name} hook", f"{name} baseline", agent),
                      Pair(f"{name} hook via shell", f"{name} baseline via shell", agent),
                      Pair(f"{name} hook, wrapped session", f"{name} baseline", agent)]
    return cases, pairs


Samples = dict[Pair, tuple[list[float], list[float]]]  # pair: (hook, baseline), sample i of each in round i


def measure(cases: dict[str, Case], pairs: list[Pair], budget: timing.Budget) -> Samples:
    """Each round times every pair, its two runs back to back, the baseline first in
    even rounds and last in odd ones, the pairs' order rotated round to round: drift in
    the machine's load hits both runs of a pair alike, whatever their place."""
    for pair in pairs:  # warm caches (.pyc, page cache)
        for _ in range(5):
            cases[pair.base].run(pair.agent, "bench-warmup")
            cases[pair.hook].run(pair.agent, "bench-warmup")
    samples: Samples = {pair: ([], []) for pair in pairs}
    for round_ in budget:
        session = f"bench-{round_ // 20}"
        shift = round_ % len(pairs)
        for pair in pairs[shift:] + pairs[:shift]:
            hook, base = samples[pair]
            if round_ % 2:
                hook.append(cases[pair.hook].run(pair.agent, session))
                base.append(cases[pair.base].run(pair.agent, session))
            else:
                base.append(cases[pair.base].run(pair.agent, session))
                hook.append(cases[pair.hook].run(pair.agent, session))
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300, help="rounds at most (default 300)")
    parser.add_argument("--seconds", type=float, default=180,
                        help="stop after the round that passes this many seconds (default 180; at least 30 rounds)")
    parser.add_argument("--standin", action="store_true", help="skip `aegis start`, use the stand-in")
    parser.add_argument("--agent", action="append", choices=sorted(AGENTS),
                        help="measure this agent's hook (repeatable; default: every installed one)")
    args = parser.parse_args()
    agents = installed(args.agent or list(AGENTS))
    if not agents:
        print("no hook adapter installed: nothing to measure")
        return 3

    home = Path(tempfile.mkdtemp(prefix="aegis-bench-", dir="/tmp"))
    home.chmod(0o700)
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "AEGIS_HOME": str(home)}
    standin = None
    daemon = False
    print(f"at the start: {timing.load()}")
    try:
        daemon = not args.standin and start_daemon(home, env)
        if not daemon:
            standin = StandIn(home / "agent.sock")
        server = "aegis daemon (aegis start)" if daemon else "stand-in socket server (allow)"
        print(f"server: {server}")
        wrapped_env = {**env, **(open_session(home) if daemon else {"AEGIS_SOCKET": str(home / "agent.sock"),
                                                                    "AEGIS_DAEMON_PID": str(os.getpid())})}
        cases, pairs = plan(agents, env, wrapped_env)
        budget = timing.Budget(args.rounds, args.seconds)
        samples = measure(cases, pairs, budget)
        shares = [daemon_share(home, agent) for agent in agents] if daemon else []
    finally:
        if daemon:
            stop_daemon(env)
        if standin:
            standin.close()
        shutil.rmtree(home, ignore_errors=True)

    print(f"\n{budget.describe()}; at the end: {timing.load()}")
    print(f"{'case':<44} {'median ms':>10} {'p99 ms':>10}")
    for pair in pairs:
        for name, values in ((pair.base, samples[pair][1]), (pair.hook, samples[pair][0])):
            median_ms, p99_ms = statistics.median(values) * 1000, timing.percentile(values, 0.99) * 1000
            print(f"{name:<44} {median_ms:>10.2f} {p99_ms:>10.2f}")
    print()
    for pair in pairs:
        hook, base = samples[pair]
        print(timing.ratio_line(f"{pair.hook} vs {pair.base.split(' ', 1)[1]}", hook, base))
    if shares:
        print("\nWhere the time goes (not part of the figures above):")
        for share in shares:
            print(share)
    return 0


if __name__ == "__main__":
    sys.exit(main())
