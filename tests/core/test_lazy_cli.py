"""The quick commands stay quick (issue #16): plugin commands are listed from their
entry points without importing the plugins, and ``aegis --help``, ``status`` and
``approvals list`` import no plugin, no HTTP client and no logging machinery. What is
asserted is what gets imported (which can regress), not how long it takes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from aegis_core.cli import COMMANDS
from aegis_core.entrypoints import parse, scan

COMMAND_MODULE = """
import click

@click.command()
def hello():
    '''Say hello from a plugin.'''
    click.echo("hello from the plugin")
"""


def install_command_dist(site_dir: Path, name: str, module: str) -> None:
    (site_dir / f"{module}.py").write_text(textwrap.dedent(COMMAND_MODULE))
    info = site_dir / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        f"[aegis]\n{name} = {module}\n\n[aegis.commands]\nhello = {module}:hello\n")


def test_entry_points_are_read_like_importlib_metadata(site_dir: Path) -> None:
    install_command_dist(site_dir, "aegis-greeter", "greeter_mod")
    found = scan("aegis.commands", [str(site_dir)])
    assert [(e.name, e.value, e.distribution) for e in found] == [
        ("hello", "greeter_mod:hello", "aegis-greeter")]
    assert parse("[other]\nx = y\n[aegis.commands]\n# note\n a = b:c \n", "aegis.commands", "d") == [
        next(iter(parse("[aegis.commands]\na = b:c\n", "aegis.commands", "d")))]
    # Installed plugins of this checkout declare their commands too.
    from importlib.metadata import entry_points

    ours = {(e.name, e.value) for e in scan("aegis.commands")}
    assert ours == {(e.name, e.value) for e in entry_points(group="aegis.commands")}


def run(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "AEGIS_HOME": str(home), **env}
    full.pop("AEGIS_SOCKET", None)
    return subprocess.run([sys.executable, "-m", "aegis_core.cli", *args], env=full, text=True,
                          capture_output=True, timeout=60)


def test_a_declared_plugin_command_is_listed_and_runs(site_dir: Path, tmp_path: Path) -> None:
    install_command_dist(site_dir, "aegis-greeter", "greeter_mod")
    listed = run(["--help"], tmp_path / "h")
    assert "  hello " in listed.stdout and "Say hello from a plugin." in listed.stdout
    ran = run(["hello"], tmp_path / "h")
    assert ran.returncode == 0 and ran.stdout == "hello from the plugin\n"
    hidden = run(["--help"], tmp_path / "h", AEGIS_DISABLE_PLUGINS="aegis-greeter")
    assert "  hello " not in hidden.stdout


PROBE = """
import json, sys
from aegis_core.cli import main
code = main(sys.argv[2:])
# A plugin's command module (what `--help` shows) may load; its plugin, its HTTP client,
# the daemon, the policy engine and the logging set-up may not; nor what the command
# itself leaves out (argv[1]: prefixes, comma-separated).
extra = tuple(p for p in sys.argv[1].split(",") if p)
heavy = sorted(m for m in sys.modules if m.split(".")[0] in (
    "structlog", "httpx", "pyte", "anyio", "asyncio", "importlib_metadata", "email", "pluggy",
    "socket", "tempfile", "subprocess")
    or m.startswith(("aegis_pty", "aegis_whatsapp", "aegis_claude_hook.plugin", "aegis_telegram.api",
                     "aegis_telegram.plugin", "aegis_telegram.channel", "aegis_core.policy",
                     "aegis_core.daemon.server", "aegis_core.plugins", "aegis_core.logconfig", *extra)))
print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
"""

# What each quick command must not import beyond the common list: `--help` lists the
# built-in commands from their summaries (no command module); `status` with the daemon
# stopped and `approvals list` read the database through the read-only quick path, not
# the Store that migrates (nor the values of calls and audit records they never show).
LEAVES_OUT = {
    "--help": ",".join([*sorted({target.partition(":")[0] for target in COMMANDS.values()} - {"aegis_core.cli"}),
                        "aegis_core.config", "aegis_core.store", "aegis_core.models"]),
    "status": "aegis_core.store.db,aegis_core.store.interface,aegis_core.models",
    "approvals": "aegis_core.store.db,aegis_core.store.interface,aegis_core.models.calls,"
                 "aegis_core.models.audit,aegis_core.fleet",
}


@pytest.mark.parametrize("args", [["--help"], ["status"], ["approvals", "list"]])
def test_quick_commands_import_no_plugin_and_no_logging(tmp_path: Path, args: list[str]) -> None:
    home = tmp_path / "h"
    assert run(["setup", "--non-interactive"], home).returncode == 0
    assert run(["policy", "validate"], home).returncode == 0  # a database with rows in it
    env = {**os.environ, "AEGIS_HOME": str(home)}
    env.pop("AEGIS_SOCKET", None)
    result = subprocess.run([sys.executable, "-c", PROBE, LEAVES_OUT[args[0]], *args], env=env,
                            text=True, capture_output=True, timeout=60)
    report = json.loads(result.stderr.strip().splitlines()[-1])
    assert report["code"] in (0, 3)  # status: 3 when the daemon is not running
    assert report["heavy"] == [], f"`aegis {' '.join(args)}` imported {report['heavy']}"


def test_the_listed_summaries_are_the_commands_own() -> None:
    import click

    from aegis_core.cli import SUMMARIES, cli

    ctx = click.Context(cli, info_name="aegis")
    for name, summary in SUMMARIES.items():
        command = cli.get_command(ctx, name)
        if command is None:  # a command of a module not in this build
            continue
        assert (command.help or "").strip().splitlines()[0] == summary, name


def test_every_built_in_command_has_a_summary() -> None:
    """So `aegis --help` imports none of them (a missing one is imported to describe it)."""
    from aegis_core.cli import COMMANDS, SUMMARIES

    assert set(COMMANDS) == set(SUMMARIES)


def test_every_model_name_is_found_where_the_package_says() -> None:
    """``aegis_core.models`` loads each name's module on first use: every name it
    offers resolves, from the module its table names, and nothing else is offered."""
    import importlib

    import aegis_core.models as models

    assert sorted(models.__all__) == sorted(models._HOMES)
    for name, home in models._HOMES.items():
        module = importlib.import_module(f"aegis_core.models.{home}")
        assert getattr(models, name) is getattr(module, name)
    with pytest.raises(AttributeError):
        models.NoSuchModel
