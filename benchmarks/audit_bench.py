"""Audit and store speed: verify throughput (>= 100,000 records/s), and the latency of
the pieces of an auto-allowed decision: audit append with fsync, record_call, and
both together. Prints medians and p99 against a bare write+fdatasync baseline
measured in the same run, on the same file system.

Run: python benchmarks/audit_bench.py [--records N] [--dir PATH]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from aegis_core.audit import AuditLog, verify
from aegis_core.audit.chain import GENESIS, encode
from aegis_core.models import Action, AuditEvent, Kind, ToolCall, Verdict
from aegis_core.store import Store


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(name: str, samples: list[float], baseline: float | None = None) -> None:
    median = statistics.median(samples) * 1e6
    line = f"{name:<38} median {median:8.1f} us   p99 {percentile(samples, 0.99) * 1e6:8.1f} us"
    if baseline:
        line += f"   x{median / (baseline * 1e6):.2f} of fsync baseline"
    print(line)


def bare_fsync(path: Path, n: int) -> list[float]:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    samples = []
    try:
        for _ in range(n):
            start = time.perf_counter()
            os.write(fd, b"x" * 300 + b"\n")
            os.fdatasync(fd)
            samples.append(time.perf_counter() - start)
    finally:
        os.close(fd)
    return samples


def call(i: int) -> ToolCall:
    return ToolCall(
        agent="claude",
        tool="Bash",
        kind=Kind.SHELL,
        input={"command": f"ls -la src/{i}"},
        cwd="/work/project",
        session="bench",
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=200_000, help="records to verify")
    parser.add_argument("--samples", type=int, default=2000, help="latency samples")
    parser.add_argument("--dir", type=Path, default=None, help="where to put the files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        root = Path(tmp)
        n = args.samples
        bare_fsync(root / "baseline", 50)  # warm up: the first syncs of a new file cost more
        fsyncs = bare_fsync(root / "baseline", n)
        baseline = statistics.median(fsyncs)
        report("write+fdatasync baseline", fsyncs)

        log = AuditLog(root / "audit.log")
        samples = []
        for i in range(n):
            event = AuditEvent(
                "call.decided",
                {
                    "tool": "Bash",
                    "command": f"ls -la src/{i}",
                    "decision": "allow",
                    "rule": "read-only",
                },
                session="bench",
            )
            start = time.perf_counter()
            log.append(event)
            samples.append(time.perf_counter() - start)
        report("audit append (fdatasync)", samples, baseline)

        store = Store.open(root / "aegis.db")
        allow = Verdict(Action.ALLOW, reason="read-only command", rule="read-only")
        samples = []
        for i in range(n):
            item = call(i)
            start = time.perf_counter()
            store.record_call(item, allow, "allow")
            samples.append(time.perf_counter() - start)
        report("record_call (synchronous=NORMAL)", samples, baseline)

        samples = []
        for i in range(n // 4):
            item = call(i)
            start = time.perf_counter()
            store.record_call(item, allow, "allow", durable=True)
            samples.append(time.perf_counter() - start)
        report("record_call durable (FULL)", samples, baseline)

        samples = []
        for i in range(n):
            item = call(i)
            start = time.perf_counter()
            store.record_call(item, allow, "allow")
            log.append(
                AuditEvent(
                    "call.decided",
                    {"tool": item.tool, "command": item.command, "decision": "allow"},
                    session="bench",
                )
            )
            samples.append(time.perf_counter() - start)
        report("auto-allow: record_call + append", samples, baseline)
        print(f"{'':<38} (target: median <= 1000 us)")

        ask = Verdict(Action.REQUIRE_APPROVAL, reason="asks")
        samples = []
        from aegis_core.models import Decision, Outcome

        for i in range(n // 4):
            approval = store.create_approval(call(i), ask, timeout_s=300)
            start = time.perf_counter()
            store.resolve(approval.id, Decision(Outcome.APPROVE, decided_by="me", channel="cli"))
            samples.append(time.perf_counter() - start)
        report("resolve (compare-and-set, FULL)", samples, baseline)
        store.close()

        big = root / "big.log"
        prev = GENESIS
        with open(big, "wb") as handle:
            for i in range(args.records):
                line, prev = encode(
                    i + 1,
                    1_700_000_000.0 + i,
                    f"s{i % 7}",
                    "call.decided",
                    {
                        "tool": "Bash",
                        "command": f"ls -la src/{i}",
                        "decision": "allow",
                        "rule": "read-only",
                    },
                    prev,
                )
                handle.write(line)
        start = time.perf_counter()
        result = verify(big, root / "none.checkpoint")
        elapsed = time.perf_counter() - start
        assert result.ok and result.records == args.records, result
        rate = args.records / elapsed
        print(
            f"{'verify':<38} {rate:,.0f} records/s ({args.records:,} records in {elapsed:.3f}s; "
            f"target >= 100,000/s: x{rate / 100_000:.1f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
