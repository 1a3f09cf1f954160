"""Statistics for the start-up benchmarks (hook round trip, inside vs outside the
sandbox) on a machine others share: a run's ratios come from samples taken in pairs
(the measured case and its baseline one right after the other, in an order that
alternates round to round), so load that comes and goes hits both sides of a pair
alike; the median of those pairs' ratios is the figure, the ratio of the medians is
printed next to it, and so is the load average the run saw. Also the disk's own cost
of a durable record (:func:`bare_fsync`), the baseline of the audit and daemon
benchmarks."""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def bare_fsync(path: Path, rounds: int, size: int = 300) -> list[float]:
    """Seconds taken by each of ``rounds`` appends of ``size`` bytes to ``path`` (an
    audit record's order of size), each followed by its fdatasync: what the durable
    record every decision waits for costs on this disk, without Aegis."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    line = b"x" * (size - 1) + b"\n"
    samples = []
    try:
        for _ in range(rounds):
            started = time.perf_counter()
            os.write(fd, line)
            os.fdatasync(fd)
            samples.append(time.perf_counter() - started)
    finally:
        os.close(fd)
    return samples


def load() -> str:
    """The 1, 5 and 15 minute load averages, against the CPUs there are."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def ratios(measured: list[float], baseline: list[float]) -> dict[str, float]:
    """``measured`` against ``baseline``, sample i of each taken in the same round."""
    if len(measured) != len(baseline) or not measured:
        raise ValueError("paired samples: the same number of each, at least one")
    paired = [m / b for m, b in zip(measured, baseline, strict=True)]
    ordered = sorted(paired)
    return {
        "paired_median": statistics.median(paired),
        # The middle half of the pairs' ratios: how far the figure can be trusted.
        "paired_q1": percentile(ordered, 0.25),
        "paired_q3": percentile(ordered, 0.75),
        "median_ratio": statistics.median(measured) / statistics.median(baseline),
        "p99_ratio": percentile(measured, 0.99) / percentile(baseline, 0.99),
        "p99_vs_median": percentile(measured, 0.99) / statistics.median(baseline),
    }


def ratio_line(name: str, measured: list[float], baseline: list[float], target: float = 1.3) -> str:
    """One line: the median of paired ratios (the figure), the ratio of medians, p99."""
    r = ratios(measured, baseline)
    verdict = "meets" if r["paired_median"] <= target else "MISSES"
    return (f"{name}: median of {len(measured)} paired ratios {r['paired_median']:.2f}x "
            f"(middle half {r['paired_q1']:.2f}-{r['paired_q3']:.2f}x; {verdict} the target <= {target}x), "
            f"ratio of medians {r['median_ratio']:.2f}x, p99 {r['p99_ratio']:.2f}x the baseline's p99 "
            f"(target <= 3x; {r['p99_vs_median']:.2f}x its median)")


class Budget:
    """Rounds up to ``rounds``, stopping early (at a round's end) once ``seconds`` have
    passed, at least ``minimum`` rounds: a run stays a few minutes however loaded the
    machine is."""

    def __init__(self, rounds: int, seconds: float, minimum: int = 30) -> None:
        self.rounds, self.seconds, self.minimum = rounds, seconds, minimum
        self.started = time.monotonic()
        self.done = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        for round_ in range(self.rounds):
            if round_ >= self.minimum and time.monotonic() - self.started > self.seconds:
                return
            yield round_
            self.done = round_ + 1

    def describe(self) -> str:
        stopped = "" if self.done >= self.rounds else f" (of {self.rounds}: the {self.seconds:g} s budget ran out)"
        return f"{self.done} rounds in {time.monotonic() - self.started:.0f} s{stopped}"
