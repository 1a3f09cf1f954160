"""Fleet mode's cost, as ratios against baselines measured in the same run.

1. Auto-allowed calls: 3 daemons x 50 clients each, every daemon on its own SQLite
   (the baseline) against the same 3 daemons in one fleet on a throwaway PostgreSQL,
   run alternately; decisions/s and p50/p99 of a client's round trip. An
   auto-allowed call never touches the fleet store, so the ratio should be ~1.
2. An approval's round trip across machines: a hook on machine A asks, machine B's
   daemon approves it (on its operator socket) the moment A says it is pending, and
   A's hook returns; the same on one SQLite daemon answering itself is the baseline
   (the two alternate trip by trip).

Load rounds run SQLite and fleet back to back in alternating order; the figure is
the median of each round's own fleet/SQLite ratio. The load average is printed at the
start and the end: figures from a busy machine say little.

    python benchmarks/fleet_bench.py [--seconds 3] [--rounds 8] [--trips 40]

Targets (issue 18): auto-allowed decisions/s in a fleet >= 0.9x SQLite's (at most
10% slower); cross-machine approval round trip median <= 100 ms on loopback. The
machine is shared (others run tests): compare ratios, rerun when in doubt.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from aegis_core.testing_postgres import ThrowawayPostgres  # noqa: E402

COMMANDS = ["git status", "ls -la", "pytest -q", "git diff HEAD~1", "cat README.md", "npm test"]
POLICY = """
[policy]
default_action = "allow"

[[policy.rules]]
name = "deploys need a human"
action = "require_approval"
match = { tool = ["Bash"], command_pattern = "^deploy" }
"""
KEY = secrets.token_urlsafe(32)


class Machine:
    def __init__(self, root: Path, name: str, url: str | None) -> None:
        self.name = name
        self.home = root / name
        self.home.mkdir(parents=True, mode=0o700)
        self.project = root / f"{name}-project"
        self.project.mkdir()
        self.socket = self.home / "aegis.sock"
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith("AEGIS_")},
                    "AEGIS_HOME": str(self.home), "AEGIS_LOAD_PLUGINS": ""}
        store = f'[store]\nurl = "{url}"\n[fleet]\nmachine = "{name}"\nkey = "{KEY}"\n' if url else ""
        (self.home / "config.toml").write_text(f'{store}[approvals]\nchannels = ["cli"]\nmax_per_minute = 100000\n')
        (self.home / "config.toml").chmod(0o600)
        (self.home / "policy.toml").write_text(POLICY)
        self.session: dict[str, Any] = {}

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "aegis_core.cli", *args], env=self.env, capture_output=True,
                              text=True, timeout=120)

    def start(self) -> None:
        result = self.cli("start")
        if result.returncode:
            raise SystemExit(f"daemon {self.name} did not start: {result.stderr}")
        self.session = asyncio.run(request(self.socket, {"op": "session.create", "agent": "bench",
                                                         "cwd": str(self.project), "command": "bench"}))

    def stop(self) -> None:
        self.cli("stop", "--force", "--timeout", "5")

    def judge(self, command: str) -> dict[str, Any]:
        return {"op": "judge", "adapter": "generic", "session": self.session["session"],
                "token": self.session["token"],
                "payload": {"tool": "Bash", "input": {"command": command}, "cwd": str(self.project)}}


async def request(path: Path, message: dict[str, Any], on_line: Any = None) -> dict[str, Any]:
    reader, writer = await asyncio.open_unix_connection(str(path))
    try:
        writer.write(json.dumps({"v": 1, **message}).encode() + b"\n")
        await writer.drain()
        while True:
            line = await reader.readline()
            if not line:
                raise ConnectionError("the daemon hung up")
            reply = json.loads(line)
            if reply.get("final"):
                return dict(reply)
            if on_line is not None:
                await on_line(reply)
    finally:
        writer.close()


# -- 1. auto-allowed calls under load ---------------------------------------------------


async def load(machines: list[Machine], clients: int, seconds: float) -> tuple[float, list[float]]:
    latencies: list[float] = []
    stop = time.perf_counter() + seconds

    async def client(machine: Machine, index: int) -> None:
        n = index
        while time.perf_counter() < stop:
            started = time.perf_counter()
            reply = await request(machine.socket, machine.judge(COMMANDS[n % len(COMMANDS)]))
            if reply.get("decision") != "allow":
                raise SystemExit(f"an auto-allowed call was not allowed: {reply}")
            latencies.append(time.perf_counter() - started)
            n += 1

    began = time.perf_counter()
    await asyncio.gather(*(client(m, i) for m in machines for i in range(clients)))
    return len(latencies) / (time.perf_counter() - began), latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


# -- 2. approval round trip ------------------------------------------------------------


async def round_trip(asking: Machine, answering: Machine) -> float:
    marks: dict[str, float] = {}

    async def on_line(line: dict[str, Any]) -> None:
        if line.get("approval_id") and "pending" not in marks:
            marks["pending"] = time.perf_counter()
            reply = await request(answering.socket, {"op": "approval.resolve", "approval_id": line["approval_id"],
                                                     "outcome": "approve", "by": "bench"})
            if not reply.get("won"):
                raise SystemExit(f"the answer did not win: {reply}")

    reply = await request(asking.socket, asking.judge(f"deploy {secrets.token_hex(4)}"), on_line)
    if reply.get("decision") != "allow":
        raise SystemExit(f"the approved call was not allowed: {reply}")
    return time.perf_counter() - marks["pending"]


def trips(pairs: list[tuple[str, Machine, Machine]], count: int) -> dict[str, list[float]]:
    """``count`` round trips of each pair, alternating between the pairs trip by trip
    (so a burst of load elsewhere on the machine hits both alike)."""
    async def run() -> dict[str, list[float]]:
        found: dict[str, list[float]] = {label: [] for label, _, _ in pairs}
        for index in range(count):
            for label, asking, answering in (pairs if index % 2 == 0 else pairs[::-1]):
                found[label].append(await round_trip(asking, answering))
        return found

    return asyncio.run(run())


# -- the run ----------------------------------------------------------------------------


def loadavg() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "load average unknown"
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each load round")
    # Many short rounds, SQLite and fleet back to back in alternating order (ABBA),
    # each round's fleet/SQLite ratio taken within the round, and the median of those
    # ratios: the shared machine's load moves by more than the difference being
    # measured, and a paired ratio cancels what both sides of one round share.
    parser.add_argument("--rounds", type=int, default=8, help="alternating SQLite/fleet load rounds")
    parser.add_argument("--clients", type=int, default=50, help="clients per daemon")
    parser.add_argument("--trips", type=int, default=40, help="approval round trips (each way)")
    args = parser.parse_args()

    print(f"fleet_bench: {loadavg()} at the start")
    root = Path(tempfile.mkdtemp(prefix="aegis-fleet-bench-"))
    server = ThrowawayPostgres(fsync=True).start()
    alone = [Machine(root / "alone", name, None) for name in ("a", "b", "c")]
    fleet = [Machine(root / "fleet", name, server.url) for name in ("a", "b", "c")]
    try:
        for machine in (*alone, *fleet):
            machine.start()
        sides = {"sqlite": alone, "fleet": fleet}
        for machines in sides.values():  # warm-up: imports, caches, connections; not counted
            asyncio.run(load(machines, args.clients, min(1.0, args.seconds)))
        results: dict[str, list[tuple[float, list[float]]]] = {"sqlite": [], "fleet": []}
        ratios: list[float] = []
        for round_ in range(args.rounds):
            order = ("sqlite", "fleet") if round_ % 2 == 0 else ("fleet", "sqlite")
            measured: dict[str, float] = {}
            for label in order:
                rate, latencies = asyncio.run(load(sides[label], args.clients, args.seconds))
                results[label].append((rate, latencies))
                measured[label] = rate
                print(f"round {round_ + 1} {label:>6}: {rate:8.0f} decisions/s  p50 "
                      f"{percentile(latencies, 0.5) * 1000:6.1f} ms  p99 {percentile(latencies, 0.99) * 1000:6.1f} ms")
            ratios.append(measured["fleet"] / measured["sqlite"])
        rate = {label: statistics.median(r for r, _ in rows) for label, rows in results.items()}
        p50 = {label: statistics.median(percentile(lat, 0.5) for _, lat in rows) for label, rows in results.items()}
        spread = f"{min(ratios):.2f}-{max(ratios):.2f}"
        print(f"\nauto-allowed, 3 daemons x {args.clients} clients, {args.rounds} rounds of {args.seconds:g} s: "
              f"fleet/SQLite decisions/s, median of the rounds' ratios {statistics.median(ratios):.2f}x "
              f"(rounds {spread}; target >= 0.90); ratio of the medians {rate['fleet'] / rate['sqlite']:.2f}x "
              f"({rate['fleet']:.0f} vs {rate['sqlite']:.0f}/s); p50 ratio {p50['fleet'] / p50['sqlite']:.2f}x")

        found = trips([("local", alone[0], alone[0]), ("across", fleet[0], fleet[1])], args.trips)
        local, across = found["local"], found["across"]
        print("approval round trip, one SQLite daemon answering itself: "
              f"median {statistics.median(local) * 1000:.1f} ms, "
              f"p90 {percentile(local, 0.9) * 1000:.1f} ms ({len(local)} trips)")
        print("approval round trip, asked on a, approved on b (fleet): "
              f"median {statistics.median(across) * 1000:.1f} ms (target <= 100 ms), "
              f"p90 {percentile(across, 0.9) * 1000:.1f} ms ({len(across)} trips, alternating with the above), "
              f"ratio to the single daemon {statistics.median(across) / statistics.median(local):.2f}x")
        print(f"fleet_bench: {loadavg()} at the end")
    finally:
        for machine in (*alone, *fleet):
            machine.stop()
        server.cleanup()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
