"""Daemon speed and memory, as ratios against baselines measured in the same run.

1. The decision of an auto-allowed call in process (policy + audit + store), against
   a bare write+fdatasync.
2. Throughput under load: N concurrent clients (50 and 200) against a real daemon on
   disk, this tree against a baseline tree (by default the commit before group
   commit, ``--baseline-rev``), run alternately in the same run; decisions/s, p50
   and p99 of a client's round trip, and how many records each fsync carried.
3. Memory: the daemon's RSS after 100k calls over 1,000 sessions against its RSS
   after 10k (``--memory``).

    python benchmarks/daemon_bench.py [--clients 50,200] [--seconds 8] [--memory]

Targets (issue 15): decisions/s at 50 and 200 clients >= 2x the baseline's; p99 at
50 clients <= 3x p50; RSS(100k) <= 1.2x RSS(10k). The machine is shared and fsync
latency swings: compare the ratios, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
COMMANDS = ["git status", "ls -la", "pytest -q", "git diff HEAD~1", "cat README.md", "npm test",
            "python -m pytest tests/unit", "grep -rn TODO src/"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


# -- 1. in process -------------------------------------------------------------------


def bare_fsync(directory: Path, rounds: int) -> list[float]:
    fd = os.open(directory / "baseline", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        os.write(fd, b"x" * 300 + b"\n")
        os.fdatasync(fd)
        times.append(time.perf_counter() - started)
    os.close(fd)
    return times


def in_process_decisions(directory: Path, calls: int) -> list[float]:
    import anyio

    from aegis_core.config import load_config
    from aegis_core.daemon.pipeline import Pipeline
    from aegis_core.models import AgentInput
    from aegis_core.plugins import AegisPlugins
    from aegis_core.store import Store

    home = directory / "home"
    home.mkdir(mode=0o700)
    config = load_config(home=home, env={"AEGIS_HOME": str(home)})
    plugins = AegisPlugins.load(env={"AEGIS_LOAD_PLUGINS": ""})
    plugins.configure(config)
    store = Store.open(home / "aegis.db")
    pipeline = Pipeline(plugins=plugins, store=store, config=config)
    times: list[float] = []

    # Sessions of 40 calls: one session firing thousands of calls in a row is a runaway
    # loop, which the critic rightly escalates; that is not the path measured here.
    async def run() -> None:
        for index in range(calls):
            raw = AgentInput("generic", {"tool": "Bash", "input": {"command": COMMANDS[index % len(COMMANDS)]},
                                       "cwd": "/home/dev/project"}, session=f"bench-{index // 40}")
            started = time.perf_counter()
            answer = await pipeline.handle(raw)
            times.append(time.perf_counter() - started)
            assert answer.decision == "allow", answer

    anyio.run(run)
    store.close()
    return times


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

    def rss_kib(self) -> int:
        pid = int((self.home / "aegis.pid").read_text().split()[0])
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")


async def one_call(socket_path: str, session: str, command: str) -> tuple[float, str]:
    request = {"v": 1, "op": "judge", "adapter": "generic",
               "payload": {"tool": "Bash", "input": {"command": command}, "cwd": "/home/dev/project",
                           "session": session}}
    started = time.perf_counter()
    reader, writer = await asyncio.open_unix_connection(socket_path, limit=1 << 20)
    try:
        writer.write(json.dumps(request).encode() + b"\n")
        await writer.drain()
        while True:
            reply = json.loads(await reader.readline())
            if reply.get("final"):
                break
    finally:
        writer.close()
    return time.perf_counter() - started, str(reply.get("decision"))


async def load(socket_path: str, clients: int, seconds: float, sessions: int) -> dict[str, Any]:
    """``clients`` concurrent clients, each sending calls back to back for ``seconds``."""
    latencies: list[float] = []
    errors: list[str] = []
    stop_at = time.perf_counter() + seconds

    async def client(index: int) -> None:
        n = 0
        while time.perf_counter() < stop_at:
            session = f"agent-{(index * 7919 + n) % sessions}"
            try:
                took, decision = await one_call(socket_path, session, COMMANDS[(index + n) % len(COMMANDS)])
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


def throughput(directory: Path, trees: dict[str, Path], clients_list: list[int], seconds: float,
               rounds: int) -> None:
    print(f"Throughput on disk, {seconds:g} s per measurement, {rounds} alternating rounds per tree "
          "(each call: connect, judge, audit, store, answer):")
    for clients in clients_list:
        results: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
        batches: dict[str, tuple[int, int]] = {}
        for round_index in range(rounds):
            for name, tree in trees.items():
                daemon = Daemon(tree, directory / f"{name}-{clients}-{round_index}")
                daemon.start()
                try:
                    results[name].append(asyncio.run(load(daemon.socket, clients, seconds, sessions=clients * 4)))
                    records = daemon.status().get("records")
                    if records:
                        batches[name] = (batches.get(name, (0, 0))[0] + records["batches"],
                                         batches.get(name, (0, 0))[1] + results[name][-1]["decisions"])
                finally:
                    daemon.stop()
                verify = daemon.cli("audit", "verify")
                assert verify.returncode == 0, verify.stdout + verify.stderr
        summary = {}
        for name, runs in results.items():
            rate = statistics.median(r["per_second"] for r in runs)
            p50 = statistics.median(r["p50"] for r in runs)
            p99 = statistics.median(r["p99"] for r in runs)
            errors = sum(r["errors"] for r in runs)
            summary[name] = (rate, p50, p99)
            per_fsync = ""
            if name in batches and batches[name][0]:
                per_fsync = f", {batches[name][1] / batches[name][0]:.1f} decisions per fsync"
            print(f"  {clients:>3} clients  {name:<9} {rate:7.0f} decisions/s  p50 {p50 * 1e3:7.1f} ms  "
                  f"p99 {p99 * 1e3:7.1f} ms  (p99/p50 {p99 / p50:4.1f}x)  errors {errors}{per_fsync}")
            if errors:
                print(f"      first error: {next(r['first_error'] for r in runs if r['first_error'])}")
        if "baseline" in summary:
            ratio = summary["current"][0] / summary["baseline"][0]
            tail = summary["current"][2] / summary["current"][1]
            print(f"  {clients:>3} clients  current/baseline decisions/s: {ratio:.2f}x  target >= 2x "
                  f"[{'ok' if ratio >= 2 else 'MISSED'}]"
                  + (f"; p99 <= 3x p50 [{'ok' if tail <= 3 else 'MISSED'}]" if clients == 50 else ""))


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
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per tree")
    parser.add_argument("--baseline-rev", default="ba91850",
                        help="git revision of the baseline daemon (default: before group commit); 'none' to skip")
    parser.add_argument("--memory", action="store_true", help="also measure RSS after 10k and 100k calls")
    parser.add_argument("--memory-calls", default="10000,100000")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aegis-bench-", dir="/tmp") as tmp:
        directory = Path(tmp)
        baseline = bare_fsync(directory, args.calls)
        decisions = in_process_decisions(directory, args.calls)
        print("Decision of an auto-allowed call, in process (policy + audit + store):")
        for label, values in (("baseline write+fdatasync", baseline), ("decision", decisions)):
            print(f"  {label:<25} median {statistics.median(values) * 1e6:7.0f} us  "
                  f"p99 {percentile(values, .99) * 1e6:7.0f} us")
        print(f"  ratio to baseline median: {statistics.median(decisions) / statistics.median(baseline):.2f}x")
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
