"""Start-up of the commands a user types most, as whole processes, against the same
interpreter's bare start (``python -c pass``) measured in the same run, interleaved
round by round so a noisy machine slows both alike. Prints the ratios of the medians.

Target (issue #16): ``aegis --help``, ``aegis status`` and ``aegis approvals list`` at
most 3x ``python -c pass``. Runs in a temporary AEGIS_HOME set up with ``aegis setup``;
``status`` is measured with the daemon running (it asks it) and stopped.

    python benchmarks/cli_bench.py [--rounds 30]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 3.0


def aegis_script() -> list[str]:
    """The ``aegis`` console script users run (next to this interpreter), else the module."""
    script = Path(sys.executable).with_name("aegis")
    return [str(script)] if script.exists() else [sys.executable, "-m", "aegis_core.cli"]


def timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 3):  # status exits 3 when the daemon is stopped
        raise SystemExit(f"{' '.join(argv)} failed ({result.returncode}): {result.stderr.decode()}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="aegis-cli-bench-"))
    env = {**os.environ, "AEGIS_HOME": str(root / "home"), "HOME": str(root)}
    env.pop("AEGIS_SOCKET", None)
    aegis = aegis_script()
    cases = {
        "aegis --help": [*aegis, "--help"],
        "aegis status (daemon running)": [*aegis, "status"],
        "aegis approvals list": [*aegis, "approvals", "list"],
    }
    baseline = [sys.executable, "-c", "pass"]
    try:
        subprocess.run([*aegis, "setup", "--non-interactive"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run([*aegis, "start"], env=env, check=True, stdout=subprocess.DEVNULL)
        times: dict[str, list[float]] = {name: [] for name in ["python -c pass", *cases]}
        for argv in (baseline, *cases.values()):  # warm the page cache first
            timed(argv, env)
        for _ in range(args.rounds):
            times["python -c pass"].append(timed(baseline, env))
            for name, argv in cases.items():
                times[name].append(timed(argv, env))
        subprocess.run([*aegis, "stop"], env=env, check=True, stdout=subprocess.DEVNULL)
        stopped = [*aegis, "status"]
        times["aegis status (daemon stopped)"] = []
        times["python -c pass (2nd series)"] = []
        for _ in range(args.rounds):
            times["python -c pass (2nd series)"].append(timed(baseline, env))
            times["aegis status (daemon stopped)"].append(timed(stopped, env))
    finally:
        subprocess.run([*aegis, "stop", "--force"], env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        shutil.rmtree(root, ignore_errors=True)

    base = statistics.median(times["python -c pass"])
    base2 = statistics.median(times["python -c pass (2nd series)"])
    print(f"{'command':<34} {'median ms':>10} {'ratio':>7}  target <= {TARGET:g}x")
    worst = 0.0
    for name, samples in times.items():
        median = statistics.median(samples)
        reference = base2 if "stopped" in name or "2nd" in name else base
        ratio = median / reference
        if name.startswith("aegis"):
            worst = max(worst, ratio)
        print(f"{name:<34} {median * 1000:>10.1f} {ratio:>6.2f}x")
    print(f"worst ratio {worst:.2f}x: {'within' if worst <= TARGET else 'OVER'} the target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
