"""The console script answers ``aegis status`` and ``aegis approvals [list]`` without
loading click; everything else goes to the full CLI. Both must print the same, exit
the same and fail the same: each case runs through both and is compared, against a
real home, a real database and a real daemon."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from approvals_support import end, pending, shell

from aegis_core.models import ApprovalStatus
from aegis_core.store import Store

# The console's entry point, and a probe of whether it loaded click.
CONSOLE = ("import sys\nfrom aegis_core.console import main\ncode = main()\n"
           "sys.stderr.write('CLICK=%s\\n' % ('click' in sys.modules))\nsys.exit(code)\n")
QUICK = [["status"], ["status", "--json"], ["approvals"], ["approvals", "list"],
         ["approvals", "list", "--json"], ["approvals", "list", "--all"],
         ["approvals", "list", "--json", "--all"]]


def run(home: Path, args: list[str], *, console: bool,
        extra_env: dict[str, str] | None = None) -> tuple[int, str, str, bool]:
    env = {**os.environ, "AEGIS_HOME": str(home), **(extra_env or {})}
    env.pop("AEGIS_SOCKET", None)
    argv = ([sys.executable, "-c", CONSOLE, *args] if console
            else [sys.executable, "-m", "aegis_core.cli", *args])
    # In the home: a relative [database] path lands there, not in the folder tests run from.
    result = subprocess.run(argv, env=env, text=True, capture_output=True, timeout=60, cwd=home)
    stderr, loaded_click = result.stderr, True
    if console:
        stderr, _, flag = result.stderr.rpartition("CLICK=")
        loaded_click = flag.strip() == "True"
    return result.returncode, result.stdout, stderr, loaded_click


def same(home: Path, args: list[str], volatile: bool = False,
         extra_env: dict[str, str] | None = None) -> tuple[int, str]:
    """Runs ``args`` both ways, asserts the same result; returns the exit code and output."""
    code, out, err, loaded_click = run(home, args, console=True, extra_env=extra_env)
    full_code, full_out, full_err, _ = run(home, args, console=False, extra_env=extra_env)
    # Time moves between the two runs: a pending approval's seconds left, and with
    # ``volatile`` every number (a running daemon's uptime).
    moving = r"\d+(\.\d+)?" if volatile else r"\d+(?=s left\))"
    out, full_out = (re.sub(moving, "N", text) for text in (out, full_out))
    assert (code, out, err) == (full_code, full_out, full_err), args
    assert not loaded_click, f"aegis {' '.join(args)} loaded click"
    return code, out


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    env = {**os.environ, "AEGIS_HOME": str(home)}
    subprocess.run([sys.executable, "-m", "aegis_core.cli", "setup", "--non-interactive"], env=env,
                   check=True, capture_output=True, timeout=60)
    return home


def test_the_quick_commands_print_what_the_full_cli_prints(home: Path) -> None:
    for args in QUICK:
        same(home, args)
    assert same(home, ["status"])[0] == 3
    with Store.open(home / "aegis.db") as store:
        pending(store, shell("rm -rf build"), timeout_s=300)
        end(store, pending(store, shell("git push -f")).id, ApprovalStatus.DENIED)
    for args in QUICK:
        same(home, args)
    code, out = same(home, ["approvals", "list", "--all", "--json"])
    assert code == 0 and len(json.loads(out)) == 2
    # A config warning is said once, on stderr, the same way.
    with (home / "config.toml").open("a") as handle:
        handle.write("\n[team]\nnosuch = 1\n")
    code, out, err, _ = run(home, ["status"], console=True)
    assert "unknown key [team] nosuch" in err
    for args in QUICK:
        same(home, args)


def test_failures_are_reported_the_same(home: Path) -> None:
    (home / "aegis.db").write_bytes(b"not a database" * 20)
    for args in QUICK:
        code, _ = same(home, args)
    assert code == 8  # StateCorruption: the database is named, never a traceback
    (home / "config.toml").write_text("[approvals\n")
    for args in QUICK:
        code, _ = same(home, args)
        assert code == 2


@pytest.mark.parametrize(("text", "extra_env", "exit_code"), [
    ("[approvals]\ntimeout_seconds = -5\n", {}, 2),
    ("[approvals]\ntimeout_seconds = \"soon\"\n", {}, 2),
    ("[approvals]\ntimeout_seconds = 1.5\n", {}, 2),  # a float: read by tomllib, refused by the type
    ("[approvals]\ntimeout_seconds = 30\ntimeout_seconds = 40\n", {}, 2),  # a repeated key
    ("[database]\npath = \"\\u0000x\"\n", {}, None),  # an escape: tomllib reads it
    ("[approvals]\nchannels = [\"cli\", 1]\n", {}, 0),  # mixed types: tomllib reads them
    ("approvals = 1\n", {}, 2),
    ("[approvals]\ntimeout_seconds = 30\n", {"AEGIS_APPROVALS_TIMEOUT_SECONDS": "abc"}, 2),
    ("[database]\npath = 'elsewhere.db' # relative: resolved against the folder it runs in\n", {}, 0),
])
def test_every_configuration_is_read_and_refused_the_same(home: Path, text: str, extra_env: dict[str, str],
                                                         exit_code: int | None) -> None:
    """The quick commands read config.toml with a plain-TOML reader (tomllib only for
    what it does not read): values, errors and exit codes stay the full CLI's."""
    (home / "config.toml").write_text(text)
    for args in (["status"], ["approvals", "list"]):
        code, _ = same(home, args, extra_env=extra_env)
        if exit_code is not None and args[0] == "approvals":
            assert code == exit_code, text


def test_a_config_other_users_may_change_is_refused_the_same(home: Path) -> None:
    config = home / "config.toml"
    config.chmod(0o666)
    for args in (["status"], ["approvals", "list"]):
        assert same(home, args)[0] == 5
    config.chmod(0o600)
    (home / "elsewhere.toml").write_text("[approvals]\ntimeout_seconds = 30\n")
    config.unlink()
    config.symlink_to(home / "elsewhere.toml")
    for args in (["status"], ["approvals", "list"]):
        assert same(home, args)[0] == 5


# What the quick commands leave out: the configuration's TOML parser and dataclasses
# (with inspect, ast, dis) and typing cost them more than the rest of their start-up;
# pathlib (with re, fnmatch, urllib.parse), json (with re), contextlib and struct were
# most of what remained. Only what the interpreter had not loaded before counts (an
# editable install's finders load some at start-up; tox installs as users do).
MODULES = ("import sys\nstarted = set(sys.modules)\nfrom aegis_core.console import main\n"
           "code = main(sys.argv[2:])\n"
           "heavy = sorted(m for m in sys.argv[1].split(',') if m in sys.modules and m not in started)\n"
           "sys.stderr.write('HEAVY=%s\\n' % ','.join(heavy))\nsys.exit(code)\n")
HEAVY = "tomllib,dataclasses,typing,inspect,click,asyncio,pathlib,re,contextlib,struct"


@pytest.mark.parametrize(("args", "heavy"), [
    (["status"], HEAVY + ",json,enum"),  # (apsw itself loads collections)
    (["approvals", "list"], HEAVY + ",json"),
    # json.dumps(indent=2) is the json package's (which loads re); only the reading is quick
    (["approvals", "list", "--json"], HEAVY.replace(",re,", ",")),
])
def test_the_quick_commands_leave_the_heavy_modules_out(home: Path, args: list[str], heavy: str) -> None:
    with Store.open(home / "aegis.db") as store:
        pending(store, shell("rm -rf build"), timeout_s=300)
    env = {**os.environ, "AEGIS_HOME": str(home)}
    env.pop("AEGIS_SOCKET", None)
    result = subprocess.run([sys.executable, "-c", MODULES, heavy, *args], env=env, text=True,
                            capture_output=True, timeout=60)
    assert result.returncode in (0, 3), result.stderr
    assert "Pending:   1 approval(s)" in result.stdout or "rm -rf build" in result.stdout, result.stdout
    assert result.stderr.rpartition("HEAVY=")[2].strip() == "", result.stderr


def test_with_the_daemon_running(home: Path) -> None:
    env = {**os.environ, "AEGIS_HOME": str(home)}
    subprocess.run([sys.executable, "-m", "aegis_core.cli", "start"], env=env, check=True,
                   capture_output=True, timeout=60)
    try:
        for args in QUICK:
            same(home, args, volatile=True)
        code, out = same(home, ["status", "--json"], volatile=True)
        assert code == 0 and '"running": true' in out
    finally:
        subprocess.run([sys.executable, "-m", "aegis_core.cli", "stop", "--force"], env=env,
                       capture_output=True, timeout=60)


def test_anything_else_goes_to_the_full_cli(home: Path) -> None:
    for args in (["status", "--watch", "--nosuch"], ["approvals", "list", "--limit", "0"], ["--version"],
                 ["approvals", "--json"]):
        code, out, err, loaded_click = run(home, args, console=True)
        assert loaded_click and (code, out, err) == run(home, args, console=False)[:3]
