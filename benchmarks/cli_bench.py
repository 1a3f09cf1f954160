"""Start-up of the commands a user types most, as whole processes, against the same
interpreter's bare start (``python -c pass``) measured in the same run, interleaved
round by round so a noisy machine slows both alike. Prints the ratios of the medians.

Target (issue #16): ``aegis --help``, ``aegis status`` and ``aegis approvals list`` at
most 3x ``python -c pass``. Runs in a temporary AEGIS_HOME set up with ``aegis setup``;
``status`` is measured with the daemon running (it asks it) and stopped. ``aegis
--help`` prints the text the full CLI rendered the last time (kept in
$AEGIS_HOME/cache; ``setup``, ``start``, ``doctor``, ``reload`` and ``version`` render
it again when it is stale); rendered by click when nothing did, shown as "cache cold"
(its cache is removed before each such run), for information.

    python benchmarks/cli_bench.py [--rounds 30]
    python benchmarks/cli_bench.py --venv /tmp/aegis-bench-venv [--rounds 30]

Measure what a user gets: a venv with ``pip install .`` (tox's environments install
that way). ``--venv DIR`` builds one in DIR (when DIR has no ``bin/python`` yet): a
fresh venv, its pip upgraded (as install.sh does: pip 25.1 and later write console
scripts that no longer import ``re``), then this checkout's aegis-core and plugins
installed from a clean copy (no ``.venv``, ``build``, ``.git``...), not editable; it
then runs the bench with that venv's interpreter. Reusing DIR skips the build (pass a
new DIR after changing the code). In an editable install (``pip install -e``) every
interpreter start, the baseline's included, runs the editable finders' ``.pth``
files, which import ``re``, ``pathlib``, ``enum``...: the baseline doubles and the
ratios look better than they are; the bench says so when it runs in one.
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


def editable_install() -> str | None:
    """The ``.pth`` file of an editable install of aegis-core in this interpreter, if any."""
    import site

    for folder in site.getsitepackages():
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            if name.startswith("__editable__") and "aegis_core" in name and name.endswith(".pth"):
                return os.path.join(folder, name)
    return None


CPU: dict[str, list[float]] = {}


def timed(name: str, argv: list[str], env: dict[str, str]) -> float:
    """Wall time of one run; its CPU time (user + system, from wait4) is kept in CPU
    under the case's name (``aegis status`` is two cases: daemon running and stopped),
    which a machine shared with other work disturbs far less."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 3):  # status exits 3 when the daemon is stopped
        raise SystemExit(f"{' '.join(argv)} failed ({process.returncode}): {errors.decode()}")
    CPU.setdefault(name, []).append(usage.ru_utime + usage.ru_stime)
    return elapsed


REPOSITORY = Path(__file__).resolve().parent.parent
LEFT_OUT_OF_THE_COPY = shutil.ignore_patterns(".git", ".venv", ".tox", ".ci", "build", "dist", "*.egg-info",
                                             "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache",
                                             ".hypothesis", "node_modules")


def build_venv(venv: Path) -> Path:
    """A venv at ``venv`` with this checkout installed as a user installs it (not
    editable); its interpreter."""
    python = venv / "bin" / "python"
    if python.exists():
        print(f"note: reusing {venv} (pass a new --venv to measure changed code)", flush=True)
        return python
    print(f"building {venv}: a fresh venv, pip upgraded, aegis-core and plugins installed (not editable)",
          flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
    with tempfile.TemporaryDirectory(prefix="aegis-cli-bench-src-") as copy:
        source = Path(copy) / "aegis"
        shutil.copytree(REPOSITORY, source, ignore=LEFT_OUT_OF_THE_COPY)
        plugins = sorted(str(p) for p in (source / "plugins").iterdir()
                         if (p / "pyproject.toml").exists() and not p.name.startswith("_"))
        subprocess.run([str(python), "-m", "pip", "install", "-q", str(source), *plugins], check=True)
    return python


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--venv", type=Path, help="build (or reuse) a non-editable install there and run in it")
    args = parser.parse_args()
    if args.venv is not None:
        python = build_venv(args.venv.absolute())
        return subprocess.run([str(python), __file__, "--rounds", str(args.rounds)]).returncode
    print(f"interpreter {sys.executable}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    editable = editable_install()
    if editable:
        print(f"note: {editable}: an editable install, whose finders slow `python -c pass` too; "
              "the ratios a user gets are measured after `pip install .` (e.g. in tox)")

    root = Path(tempfile.mkdtemp(prefix="aegis-cli-bench-"))
    env = {**os.environ, "AEGIS_HOME": str(root / "home"), "HOME": str(root)}
    env.pop("AEGIS_SOCKET", None)
    # As on a user's machine, modules load from their bytecode caches (the warm-up run
    # writes them): tox sets PYTHONDONTWRITEBYTECODE, which would time compiling
    # every changed module of an editable install from source, every run.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    aegis = aegis_script()
    cases = {
        "aegis --help": [*aegis, "--help"],
        "aegis --help (cache cold)": [*aegis, "--help"],
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
            timed("warm-up", argv, env)
        for _ in range(args.rounds):
            times["python -c pass"].append(timed("python -c pass", baseline, env))
            for name, argv in cases.items():
                if "cold" in name:
                    shutil.rmtree(root / "home" / "cache", ignore_errors=True)
                times[name].append(timed(name, argv, env))
        subprocess.run([*aegis, "stop"], env=env, check=True, stdout=subprocess.DEVNULL)
        stopped = [*aegis, "status"]
        times["aegis status (daemon stopped)"] = []
        times["python -c pass (2nd series)"] = []
        for _ in range(args.rounds):
            times["python -c pass (2nd series)"].append(timed("python -c pass (2nd series)", baseline, env))
            times["aegis status (daemon stopped)"].append(timed("aegis status (daemon stopped)", stopped, env))
    finally:
        subprocess.run([*aegis, "stop", "--force"], env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        shutil.rmtree(root, ignore_errors=True)

    base = statistics.median(times["python -c pass"])
    base2 = statistics.median(times["python -c pass (2nd series)"])
    cpu_base = statistics.median(CPU["python -c pass"])
    cpu_base2 = statistics.median(CPU["python -c pass (2nd series)"])
    print(f"{'command':<34} {'wall ms':>8} {'ratio':>7} {'cpu ms':>8} {'ratio':>7}  target <= {TARGET:g}x")
    worst = worst_cpu = 0.0
    for name, samples in times.items():
        median = statistics.median(samples)
        reference = base2 if "stopped" in name or "2nd" in name else base
        ratio = median / reference
        cpu = statistics.median(CPU[name])
        cpu_ratio = cpu / (cpu_base2 if "stopped" in name or "2nd" in name else cpu_base)
        if name.startswith("aegis") and "cold" not in name:
            worst, worst_cpu = max(worst, ratio), max(worst_cpu, cpu_ratio)
        print(f"{name:<34} {median * 1000:>8.1f} {ratio:>6.2f}x {cpu * 1000:>8.1f} {cpu_ratio:>6.2f}x")
    print(f"load average now {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"worst wall-clock ratio {worst:.2f}x, worst CPU-time ratio {worst_cpu:.2f}x: "
          f"{'within' if max(worst, worst_cpu) <= TARGET else 'OVER'} the target "
          "(on a busy machine the CPU-time ratio is the steadier one)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
