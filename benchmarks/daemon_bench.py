"""Daemon speed and memory, as ratios against baselines measured in the same run.

1. The decision of an auto-allowed call in process (policy + audit + store), against
   a bare write+fdatasync.
2. Throughput under load: N concurrent clients (50 and 200) against a real daemon on
   disk, this tree against a baseline tree (``--baseline-rev``; by default ba91850,
   the tree issue 15 was filed against: the last commit before any of its work, so
   before group commit), in the same run, alternating, the order swapped each round;
   medians of decisions/s, p50 and p99 of a client's round trip, the daemon's CPU per
   decision (least disturbed by the machine's other work) and its share on the event
   loop's thread (the rest runs on threads a second core can take), how many decisions
   each fsync carried, and the load average meanwhile.
3. Memory: the daemon's RSS after 100k calls over 1,000 sessions against its RSS
   after 10k (``--memory``).

    python benchmarks/daemon_bench.py [--clients 50,200] [--seconds 8] [--rounds 3] [--memory]

Targets (issue 15): decisions/s at 50 and 200 clients >= 2x the baseline's; p99 at
50 clients <= 3x p50; RSS(100k) <= 1.2x RSS(10k). The machine is shared and fsync
latency swings: compare the ratios, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

from timing import bare_fsync

REPO = Path(__file__).resolve().parents[1]
COMMANDS = ["git status", "ls -la", "pytest -q", "git diff HEAD~1", "cat README.md", "npm test",
            "python -m pytest tests/unit", "grep -rn TODO src/"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


# -- 1. in process -------------------------------------------------------------------


def in_process_decisions(directory: Path, calls: int) -> tuple[list[float], list[float]]:
    """One call at a time through the daemon's own pipeline and recorder (the group
    commit running, as in the daemon): for each, the time until its allow would be
    sent (the early answer, once its audit record is durable) and until the decision
    is done (the store written, the pipeline returned)."""
    import anyio

    from aegis_core.config import load_config
    from aegis_core.daemon.pipeline import Pipeline
    from aegis_core.models import AgentInput
    from aegis_core.plugins import AegisPlugins
    from aegis_core.recorder import GroupCommit
    from aegis_core.store import Store

    home = directory / "home"
    home.mkdir(mode=0o700)
    config = load_config(home=home, env={"AEGIS_HOME": str(home)})
    plugins = AegisPlugins.load(env={"AEGIS_LOAD_PLUGINS": ""})
    plugins.configure(config)
    store = Store.open(home / "aegis.db")
    recorder = GroupCommit(plugins, store)
    pipeline = Pipeline(plugins=plugins, store=store, config=config, recorder=recorder)
    answered: list[float] = []
    done: list[float] = []

    # Sessions of 40 calls: one session firing thousands of calls in a row is a runaway
    # loop, which the critic rightly escalates; that is not the path measured here.
    async def run() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(recorder.run)
            await anyio.sleep(0.1)  # the writer thread is up
            for index in range(calls):
                command = COMMANDS[index % len(COMMANDS)]
                agent_input = AgentInput("generic", {"tool": "Bash", "input": {"command": command},
                                                     "cwd": "/home/dev/project"}, session=f"bench-{index // 40}")
                sent: list[float] = []

                def early(_answer: object, sent: list[float] = sent) -> None:
                    sent.append(time.perf_counter())

                started = time.perf_counter()
                answer = await pipeline.handle(agent_input, early=early)
                done.append(time.perf_counter() - started)
                assert answer.decision == "allow" and sent, answer
                answered.append(sent[0] - started)
            group.cancel_scope.cancel()

    anyio.run(run)
    store.close()
    return answered, done


# -- 2. a real daemon under load --------------------------------------------------------


class Daemon:
    """A daemon of one source tree (this one, or the baseline's) in its own home."""

    def __init__(self, tree: Path, home: Path) -> None:
        self.tree, self.home = tree, home
        home.mkdir(mode=0o700, parents=True)
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith("AEGIS_")},
                    "AEGIS_HOME": str(home), "AEGIS_LOAD_PLUGINS": "", "PYTHONPATH": str(tree),
                    "HOME": str(home.parent)}
        self.socket = str(home / "aegis.sock")
        # The operation that judges a call: "evaluate" in trees before it was renamed.
        protocol = tree / "aegis_core" / "daemon" / "protocol.py"
        self.op = "judge" if protocol.exists() and 'Operation("judge"' in protocol.read_text() else "evaluate"

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "aegis_core.cli", *args], env=self.env, cwd=self.tree,
                              capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        started = self.cli("start")
        assert started.returncode == 0, started.stderr

    def stop(self) -> None:
        self.cli("stop", "--timeout", "20")

    def status(self) -> dict[str, Any]:
        return json.loads(self.cli("status", "--json").stdout)

    @property
    def pid(self) -> int:
        return int((self.home / "aegis.pid").read_text().split()[0])

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def cpu_seconds(self) -> float:
        """User and system CPU the daemon used so far, all its threads."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def loop_cpu_seconds(self) -> float:
        """The CPU of the daemon's main thread (its event loop) alone: the rest ran on
        other threads (the group commit's writer, workers), which a second core can
        take."""
        fields = Path(f"/proc/{self.pid}/task/{self.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def one_call(socket_path: str, session: str, command: str, op: str = "judge") -> tuple[float, str]:
    """One hook's round trip: connect, send the request, read lines up to the final one.
    On the loop's raw socket calls, not asyncio streams: the load generator shares the
    machine's CPUs with the daemon, and the less it spends the more the figures are
    the daemon's."""
    request = {"v": 1, "op": op, "adapter": "generic",
               "payload": {"tool": "Bash", "input": {"command": command}, "cwd": "/home/dev/project",
                           "session": session}}
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.setblocking(False)
        await loop.sock_connect(client, socket_path)
        await loop.sock_sendall(client, json.dumps(request).encode() + b"\n")
        buffer = b""
        while True:
            line, newline, rest = buffer.partition(b"\n")
            if newline:
                reply = json.loads(line)
                if reply.get("final"):
                    break
                buffer = rest
                continue
            chunk = await loop.sock_recv(client, 1 << 16)
            if not chunk:
                raise ConnectionError("the daemon closed the connection without a final answer")
            buffer += chunk
    return time.perf_counter() - started, str(reply.get("decision"))


async def load(socket_path: str, clients: int, seconds: float, sessions: int, op: str = "judge") -> dict[str, Any]:
    """``clients`` concurrent clients, each sending calls back to back for ``seconds``."""
    latencies: list[float] = []
    errors: list[str] = []
    stop_at = time.perf_counter() + seconds

    async def client(index: int) -> None:
        n = 0
        while time.perf_counter() < stop_at:
            session = f"agent-{(index * 7919 + n) % sessions}"
            try:
                took, decision = await one_call(socket_path, session, COMMANDS[(index + n) % len(COMMANDS)], op)
            except Exception as exc:  # counted, and the run goes on
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            latencies.append(took)
            if decision != "allow":
                errors.append(f"decision {decision}")
            n += 1

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    elapsed = time.perf_counter() - started
    return {"decisions": len(latencies), "per_second": len(latencies) / elapsed, "errors": len(errors),
            "first_error": errors[0] if errors else "", "p50": percentile(latencies, .5) if latencies else 0,
            "p99": percentile(latencies, .99) if latencies else 0}


def baseline_tree(rev: str, into: Path) -> Path:
    """The source of ``rev`` (git archive), to run its daemon beside this one's."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", rev], capture_output=True, check=True).stdout
    target = into / f"tree-{rev}"
    target.mkdir()
    with tarfile.open(fileobj=__import__("io").BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(daemon: Daemon, clients: int, seconds: float) -> dict[str, Any]:
    """One measurement of a started daemon: the load's figures, the daemon's CPU per
    decision (what the machine's other work disturbs least), records per fsync."""
    cpu, loop, mine = daemon.cpu_seconds(), daemon.loop_cpu_seconds(), _own_cpu_seconds()
    result = asyncio.run(load(daemon.socket, clients, seconds, sessions=clients * 4, op=daemon.op))
    result["cpu_ms"] = (daemon.cpu_seconds() - cpu) * 1e3 / max(1, result["decisions"])
    result["loop_cpu_ms"] = (daemon.loop_cpu_seconds() - loop) * 1e3 / max(1, result["decisions"])
    result["client_cpu_ms"] = (_own_cpu_seconds() - mine) * 1e3 / max(1, result["decisions"])
    records = daemon.status().get("records")
    # Trees before group commit write and sync every record on its own: no figure.
    result["batches"] = records["batches"] if records else None
    return result


def throughput(directory: Path, trees: dict[str, Path], clients_list: list[int], seconds: float,
               rounds: int) -> None:
    print(f"Throughput on disk, {seconds:g} s per measurement, {rounds} rounds, the trees alternating "
          "(each call: connect, judge, audit, store, answer):")
    for clients in clients_list:
        results: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
        loads = [os.getloadavg()[0]]
        for round_index in range(rounds):
            # Each round swaps who goes first, so a machine getting busier or quieter
            # during the run weighs on both trees alike.
            order = list(trees.items()) if round_index % 2 == 0 else list(reversed(trees.items()))
            for name, tree in order:
                daemon = Daemon(tree, directory / f"{name}-{clients}-{round_index}")
                daemon.start()
                try:
                    results[name].append(measure(daemon, clients, seconds))
                finally:
                    daemon.stop()
                verify = daemon.cli("audit", "verify")
                assert verify.returncode == 0, verify.stdout + verify.stderr
                loads.append(os.getloadavg()[0])
        summary = {}
        for name, runs in results.items():
            rate = statistics.median(r["per_second"] for r in runs)
            p50 = statistics.median(r["p50"] for r in runs)
            p99 = statistics.median(r["p99"] for r in runs)
            cpu = statistics.median(r["cpu_ms"] for r in runs)
            loop_cpu = statistics.median(r["loop_cpu_ms"] for r in runs)
            client_cpu = statistics.median(r["client_cpu_ms"] for r in runs)
            errors = sum(r["errors"] for r in runs)
            summary[name] = (rate, p50, p99, cpu)
            batches = [r for r in runs if r["batches"]]
            per_fsync = (f"{sum(r['decisions'] for r in batches) / sum(r['batches'] for r in batches):5.1f}"
                         if batches else "  <=1")
            print(f"  {clients:>3} clients  {name:<9} {rate:7.0f} decisions/s  p50 {p50 * 1e3:7.1f} ms  "
                  f"p99 {p99 * 1e3:7.1f} ms  (p99/p50 {p99 / p50:4.1f}x)  CPU per decision: daemon {cpu:5.2f} ms "
                  f"(event loop {loop_cpu:4.2f}), "
                  f"clients {client_cpu:5.2f} ms  decisions per fsync {per_fsync}  errors {errors}")
            if errors:
                print(f"      first error: {next(r['first_error'] for r in runs if r['first_error'])}")
        print(f"  {clients:>3} clients  load average (1 min) during the runs: "
              f"{min(loads):.1f} to {max(loads):.1f} on {os.cpu_count()} CPUs")
        if "baseline" in summary:
            ratio = summary["current"][0] / summary["baseline"][0]
            paired = [c["per_second"] / b["per_second"]
                      for b, c in zip(results["baseline"], results["current"], strict=True)]
            cpu_ratio = summary["baseline"][3] / summary["current"][3]
            tail = summary["current"][2] / summary["current"][1]
            print(f"  {clients:>3} clients  current/baseline decisions/s: {ratio:.2f}x (median of the "
                  f"rounds; each round {', '.join(f'{r:.2f}' for r in paired)})  target >= 2x "
                  f"[{'ok' if ratio >= 2 else 'MISSED'}]"
                  + (f"; p99 <= 3x p50 [{'ok' if tail <= 3 else 'MISSED'}]" if clients == 50 else ""))
            print(f"  {clients:>3} clients  daemon CPU per decision, baseline/current: {cpu_ratio:.2f}x")


# -- 3. memory ----------------------------------------------------------------------------


def memory(directory: Path, small: int, large: int, sessions: int) -> None:
    daemon = Daemon(REPO, directory / "memory")
    daemon.start()
    try:
        async def calls(count: int, offset: int) -> None:
            queue = iter(range(offset, offset + count))

            async def worker() -> None:
                for n in queue:
                    _, decision = await one_call(daemon.socket, f"agent-{n % sessions}",
                                                    COMMANDS[n % len(COMMANDS)])
                    assert decision == "allow", decision

            await asyncio.gather(*(worker() for _ in range(32)))

        asyncio.run(calls(small, 0))
        after_small = daemon.rss_kib()
        asyncio.run(calls(large - small, small))
        after_large = daemon.rss_kib()
    finally:
        daemon.stop()
    ratio = after_large / after_small
    print(f"Daemon memory over {sessions:,} sessions: RSS after {small:,} calls {after_small / 1024:.1f} MiB, "
          f"after {large:,} calls {after_large / 1024:.1f} MiB: {ratio:.2f}x  target <= 1.2x "
          f"[{'ok' if ratio <= 1.2 else 'MISSED'}]")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=2000, help="in-process decisions")
    parser.add_argument("--clients", default="50,200",
                        help="comma-separated numbers of concurrent clients ('none': skip)")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of one throughput measurement")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per tree, the trees alternating")
    parser.add_argument("--baseline-rev", default="ba91850",
                        help="git revision of the baseline daemon (default: the tree issue 15 was filed "
                             "against, the last commit before its work); 'none' to skip")
    parser.add_argument("--memory", action="store_true", help="also measure RSS after 10k and 100k calls")
    parser.add_argument("--memory-calls", default="10000,100000")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aegis-bench-", dir="/tmp") as tmp:
        directory = Path(tmp)
        baseline = bare_fsync(directory / "baseline", args.calls)
        decisions, done = in_process_decisions(directory, args.calls)
        print("Decision of an auto-allowed call, one at a time, in process through the daemon's pipeline and group "
              "commit (policy + audit append and fdatasync, then the store):")
        for label, values in (("baseline write+fdatasync", baseline), ("answer sent", decisions),
                              ("decision done", done)):
            print(f"  {label:<25} median {statistics.median(values) * 1e6:7.0f} us  "
                  f"p99 {percentile(values, .99) * 1e6:7.0f} us")
        ratio = statistics.median(decisions) / statistics.median(baseline)
        print(f"  answer sent, ratio to baseline median: {ratio:.2f}x")
        trees = {"current": REPO}
        if args.baseline_rev != "none" and args.clients != "none":
            trees = {"baseline": baseline_tree(args.baseline_rev, directory), **trees}
        if args.clients != "none":
            throughput(directory, trees, [int(c) for c in args.clients.split(",")], args.seconds, args.rounds)
        if args.memory:
            small, large = (int(n) for n in args.memory_calls.split(","))
            memory(directory, small, large, sessions=1000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
