"""The ``aegis`` command line. Commands live one module each in this package and load
lazily, so ``aegis --help`` and quick commands stay fast. Plugins name their commands
as entry points (group ``aegis.commands``), so listing them imports nothing; a plugin
that only implements ``register_commands`` is still found by name. Logging is set up
only when plugins load (the one thing that logs). Every AegisError becomes one line
on stderr and its exit code."""

from __future__ import annotations

import importlib
import sys
from functools import cached_property
from typing import Any

import click

from aegis_core import __version__
from aegis_core.errors import AegisError, ExitCode, error_line, internal_error_line

COMMAND_ENTRY_POINTS = "aegis.commands"

# name -> "module:attribute". A module that is not there yet is simply not listed.
COMMANDS: dict[str, str] = {
    "setup": "aegis_core.cli.setup:setup",
    "start": "aegis_core.cli.daemon:start",
    "stop": "aegis_core.cli.daemon:stop",
    "status": "aegis_core.cli.daemon:status",
    "reload": "aegis_core.cli.reload:reload",
    "wrap": "aegis_core.cli.wrap:wrap",
    "approvals": "aegis_core.cli.approvals:approvals",
    "policy": "aegis_core.cli.policy:policy",
    "audit": "aegis_core.cli.audit:audit",
    "logs": "aegis_core.cli.logs:logs",
    "doctor": "aegis_core.cli.doctor:doctor",
    "config": "aegis_core.cli.config:config",
    "plugins": "aegis_core.cli.plugins:plugins",
    "sandbox": "aegis_core.cli.sandbox:sandbox",
    "fleet": "aegis_core.cli.fleet:fleet",
    "version": "aegis_core.cli:version",
    "help": "aegis_core.cli:help_command",
}


# What `aegis --help` lists for each command: its docstring's first line, kept here
# so listing them imports none of them (tests/core/test_lazy_cli.py checks they
# match). A command missing here is described by importing it.
SUMMARIES: dict[str, str] = {
    "setup": "Set Aegis up: state directory, config, your policy, database, channels.",
    "start": "Start the Aegis daemon; returns once it accepts connections.",
    "stop": "Stop the Aegis daemon (pending approvals resolve to the default action).",
    "status": "Show the daemon's state, channels, pending approvals and activity.",
    "reload": "Apply the policy and config files as they are now (validated first; audited).",
    "wrap": "Run an agent (or any CLI) with its tool calls going through Aegis.",
    "approvals": "Manage pending and past approvals (works without the daemon too).",
    "policy": "Check and try out the policy.",
    "audit": "Check and read the tamper-evident audit log.",
    "logs": "Show the daemon's log (for decisions, see `aegis audit show`).",
    "doctor": "Run system diagnostics. Exits with the code of the worst failure (0 if none).",
    "config": "Read and write Aegis configuration.",
    "plugins": "Inspect installed plugins.",
    "sandbox": "Show the sandbox agents run in, or run one command inside it.",
    "fleet": "Fleet mode: many machines sharing one PostgreSQL store (docs/fleet.md).",
    "version": "Show the version of Aegis and of its plugins.",
    "help": "Show help for aegis or one of its commands.",
}


class AppContext:
    """Shared, lazily built state of one CLI invocation."""

    def __init__(self, debug: bool = False) -> None:
        self.debug = debug

    @cached_property
    def plugins(self) -> Any:
        configure_cli_logging()  # a plugin that fails to load is logged
        from aegis_core.plugins import AegisPlugins

        return AegisPlugins.load()

    def config(self, flags: dict[str, Any] | None = None, *, plugins: bool = True) -> Any:
        """The effective configuration. ``plugins=False`` skips loading plugins (their
        sections are then kept unvalidated): for quick commands that read only core
        settings (``status``, ``approvals``)."""
        from aegis_core.config import load_config

        if plugins:
            config = load_config(flags=flags, sections=self.plugins.config_sections())
        else:
            config = load_config(flags=flags, plugin_sections_unknown=True)
        for warning in config.warnings:
            click.echo(f"aegis: warning: {warning}", err=True)
        return config


class AegisGroup(click.Group):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plugin_commands_loaded = False

    def _load_plugin_commands(self, ctx: click.Context) -> None:
        """Commands of plugins that did not declare them as entry points: only these
        need every plugin loaded (``register_commands``)."""
        if self._plugin_commands_loaded:
            return
        self._plugin_commands_loaded = True
        app = ctx.find_object(AppContext) or AppContext()
        try:
            app.plugins.add_commands(self)
        except Exception as exc:  # never let a plugin take the CLI down
            click.echo(f"aegis: warning: plugin commands unavailable: {exc}", err=True)

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = [name for name in COMMANDS if _importable(COMMANDS[name])]
        declared = sorted(n for n in declared_commands() if n not in COMMANDS)
        extra = sorted(n for n in self.commands if n not in COMMANDS and n not in declared)
        return [*names, *declared, *extra]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their summaries, importing only those without a known one."""
        names = [n for n in self.list_commands(ctx) if n in SUMMARIES or self.get_command(ctx, n)]
        if not names:
            return
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = []
        for name in names:
            summary = SUMMARIES.get(name)
            if summary is not None:
                # Shortened exactly as click shortens a command's own help.
                rows.append((name, click.Command(name, help=summary).get_short_help_str(limit)))
                continue
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name) or declared_commands().get(cmd_name)
        if target is not None:
            command = _load_target(target)
            if command is not None:
                return command
        if cmd_name not in self.commands:
            self._load_plugin_commands(ctx)
        return self.commands.get(cmd_name)


def _load_target(target: str) -> click.Command | None:
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and module_name.startswith(exc.name):
            return None  # not installed: the name is simply not offered
        raise
    except Exception as exc:  # a broken plugin's command must not take the CLI down
        click.echo(f"aegis: warning: command {module_name}:{attr} failed to load: {exc}", err=True)
        return None
    command = getattr(module, attr, None)
    return command if isinstance(command, click.Command) else None


_DECLARED: dict[str, str] | None = None


def declared_commands() -> dict[str, str]:
    """``name -> "module:attribute"`` of the commands plugins declare as entry points
    (group ``aegis.commands``); read from metadata, nothing imported. Plugins disabled
    with ``AEGIS_DISABLE_PLUGINS`` (or left out by ``AEGIS_LOAD_PLUGINS``) offer none."""
    global _DECLARED
    if _DECLARED is None:
        import os

        from aegis_core.entrypoints import scan

        only = _names(os.environ.get("AEGIS_LOAD_PLUGINS"))
        disabled = _names(os.environ.get("AEGIS_DISABLE_PLUGINS")) or set()
        found: dict[str, str] = {}
        for ep in scan(COMMAND_ENTRY_POINTS):
            plugin = ep.value.partition(".")[0]
            names = {ep.distribution, plugin, ep.name}
            if disabled & names or (only is not None and not only & names):
                continue
            found.setdefault(ep.name, ep.value)
        _DECLARED = found
    return _DECLARED


def _names(value: str | None) -> set[str] | None:
    if value is None:
        return None
    return {part.strip() for part in value.split(",") if part.strip()}


def _importable(target: str) -> bool:
    import importlib.util

    module_name = target.partition(":")[0]
    try:
        return importlib.util.find_spec(module_name) is not None
    except ModuleNotFoundError:
        return False


@click.group(cls=AegisGroup, invoke_without_command=True, subcommand_metavar="COMMAND [ARGS]...",
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, envvar="AEGIS_DEBUG", help="Show tracebacks of internal errors.")
@click.version_option(__version__, "-V", "--version", prog_name="aegis")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Aegis: an approval layer between AI coding agents and your machine.

    Quick start: `aegis start`, then `aegis wrap claude`.
    """
    ctx.obj = AppContext(debug=debug)
    if ctx.invoked_subcommand is None:  # `aegis` alone: the help, and success
        click.echo(ctx.get_help())


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Output as JSON.")
@click.pass_obj
def version(app: AppContext, as_json: bool) -> None:
    """Show the version of Aegis and of its plugins."""
    import platform

    plugins = [r.to_dict() for r in app.plugins.records if not r.builtin]
    if as_json:
        emit_json({"version": __version__, "python": platform.python_version(), "plugins": plugins})
        return
    click.echo(f"aegis {__version__} (Python {platform.python_version()})")
    for row in plugins:
        click.echo(f"  {row['name']} {row['version'] or '?'} [{row['status']}]")


@click.command("help")
@click.argument("command", nargs=-1)
@click.pass_context
def help_command(ctx: click.Context, command: tuple[str, ...]) -> None:
    """Show help for aegis or one of its commands."""
    # Walk down a chain of contexts, as click does when it runs `aegis config set`,
    # so the usage line reads "aegis config set", not just "set".
    target_ctx = ctx.parent or click.Context(cli, info_name="aegis")
    for name in command:
        group = target_ctx.command
        if not isinstance(group, click.Group):
            raise click.UsageError(f"{' '.join(command)}: no such command (see `aegis --help`)")
        sub = group.get_command(target_ctx, name)
        if sub is None:
            raise click.UsageError(f"no such command: {name} (see `aegis --help`)")
        target_ctx = click.Context(sub, info_name=name, parent=target_ctx)
    click.echo(target_ctx.command.get_help(target_ctx))


def emit_json(data: Any) -> None:
    from aegis_core.views import json_text

    click.echo(json_text(data))


_LOGGING_CONFIGURED = False


def configure_cli_logging() -> None:
    """Log lines go to stderr, never stdout, so ``--json`` output stays parseable;
    warnings only, unless ``AEGIS_LOGGING_LEVEL`` asks for more or plugin tracing
    (``AEGIS_TRACE_PLUGINS=1``, logged at info) is on. Called by what logs (loading
    plugins), so commands that log nothing never import structlog."""
    global _LOGGING_CONFIGURED
    if _LOGGING_CONFIGURED:
        return
    _LOGGING_CONFIGURED = True
    import os

    from aegis_core.logconfig import configure_logging

    level = os.environ.get("AEGIS_LOGGING_LEVEL") or "WARNING"
    if os.environ.get("AEGIS_TRACE_PLUGINS", "") not in ("", "0") and level.upper() != "DEBUG":
        level = "INFO"
    configure_logging(level, stream=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        # Commands end with ctx.exit(code) for a non-zero status; click returns it here.
        result = cli.main(args=argv, prog_name="aegis", standalone_mode=False)
    except AegisError as exc:
        if debug:
            raise
        click.echo(error_line(exc), err=True)
        return int(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aegis: aborted", err=True)
        return int(ExitCode.ERROR)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("aegis: interrupted", err=True)
        return 130
    except Exception as exc:
        if debug:
            raise
        click.echo(internal_error_line(exc), err=True)
        return int(ExitCode.ERROR)
    return result if isinstance(result, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
