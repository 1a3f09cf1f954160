"""How much the PTY adapter slows a program's output: the same program writing N lines
run in a terminal directly, under the bare passthrough, and under the full adapter
(passthrough + screen emulation + prompt detection). Prints seconds and ratios to the
direct run measured in the same process.

    python plugins/aegis-pty/benchmarks/passthrough_bench.py [LINES]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUNNER = HERE.parent / "tests" / "wrap_runner.py"


def run_in_terminal(argv: list[str]) -> tuple[float, int]:
    """Seconds until ``argv`` exits in a fresh pty, reading (and discarding) its output."""
    master, slave = os.openpty()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(master)
            os.login_tty(slave)
            os.execv(argv[0], argv)  # noqa: S606 - no shell wanted
        finally:
            os._exit(127)
    os.close(slave)
    total = 0
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        total += len(data)
    os.waitpid(pid, 0)
    os.close(master)
    return time.perf_counter() - started, total


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    script = (f"import sys\nline = 'x' * 79 + '\\n'\n"
              f"for _ in range({lines}): sys.stdout.write(line)\n"
              "sys.stdout.flush()\n")
    program = [sys.executable, "-c", script]
    cases = {
        "direct": program,
        "passthrough": [sys.executable, "-m", "aegis_pty.pty", *program],
        "adapter": [sys.executable, str(RUNNER), "/nonexistent/aegis.sock", "300", "0", "--", *program],
    }
    results = {}
    for name, argv in cases.items():
        best = min(run_in_terminal(argv)[0] for _ in range(3))
        results[name] = best
    base = results["direct"]
    for name, seconds in results.items():
        print(f"{name:12s} {seconds:8.3f}s  x{seconds / base:6.2f}  ({lines} lines of 80 bytes)")


if __name__ == "__main__":
    main()
