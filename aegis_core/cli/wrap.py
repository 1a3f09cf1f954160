"""``aegis wrap``: run an agent (or any CLI) with every tool call going through Aegis."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from aegis_core.adapters import Adapter
from aegis_core.cli import AppContext
from aegis_core.errors import DependencyMissing, SecurityViolation


@click.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.option("--adapter", metavar="NAME", help="Adapter to use (default: claude for claude, else pty).")
@click.option("--dry-run", is_flag=True, help="Show what would run and be intercepted; run nothing.")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
              help="Override the log level for this session.")
@click.option("--timeout", type=click.IntRange(min=1), metavar="SECONDS",
              help="Approval timeout for this session: the daemon's deadline for its approvals, and the "
                   "hooks' own deadlines, which follow it.")
@click.option("--no-sandbox", is_flag=True,
              help="Run the agent without the OS sandbox: it can then read your secrets and change any file. "
                   "Recorded as unsandboxed in the audit log, status and doctor.")
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
@click.pass_obj
@click.pass_context
def wrap(ctx: click.Context, app: AppContext, adapter: str | None, dry_run: bool, log_level: str | None,
         timeout: int | None, no_sandbox: bool, command: tuple[str, ...]) -> None:
    """Run an agent (or any CLI) with its tool calls going through Aegis.

    Examples: `aegis wrap claude`, `aegis wrap -- claude -p "hi"`,
    `aegis wrap --adapter pty -- npm init`. The daemon is started if it is not running. Arguments after the program are
    passed to it unchanged (`aegis wrap claude -- --no-cache` also works).

    The agent and everything it starts run in an OS sandbox (bubblewrap on Linux) built from the
    [sandbox] manifest of policy.toml (`aegis sandbox show`).
    """
    from aegis_core.adapters import WrapContext
    from aegis_core.client import request
    from aegis_core.daemon import process
    from aegis_core.sandbox import wrapping
    from aegis_core.sandbox.session import UNSANDBOXED
    from aegis_core.sockets import operator_socket

    # aegis wrap's threads (the sandbox's preparation and release, the handshake, the
    # relays) mostly wait; one that wakes, or the main thread when the daemon answers,
    # gets the interpreter within 0.5 ms rather than Python's default 5 ms.
    sys.setswitchinterval(0.0005)
    argv = list(command)
    if argv and argv[0] == "--":
        argv = argv[1:]
    if len(argv) > 1 and argv[1] == "--":
        argv = [argv[0], *argv[2:]]
    if not argv:
        raise click.UsageError("name the program to wrap, e.g. aegis wrap claude")
    config = app.config({"approvals.timeout_seconds": timeout,
                         "logging.level": log_level.upper() if log_level else None})
    chosen = _adapter(app, adapter, argv[0])
    _refuse_nesting(config)
    from aegis_core.sockets import AGENT_SOCKET, run_dir

    planned = run_dir(config.home, "s-dry-run")
    early = WrapContext(config=config, plugins=app.plugins, home=config.home, socket=planned / AGENT_SOCKET,
                        session="", token="", dry_run=dry_run, timeout=timeout, run_dir=planned)
    preparation = wrapping.prepare(app.plugins, config, chosen, argv, early, no_sandbox=no_sandbox)
    if not preparation.choice.sandboxed:
        for line in wrapping.unsandboxed_warning(preparation.choice):
            click.secho(f"aegis: {line}", err=True, fg="red", bold=line.startswith("WARNING"))
    if dry_run:
        sandbox = wrapping.open_for(preparation, {"session": "dry-run"}, config=config, dry_run=True)
        try:
            for line in wrapping.sandbox_summary(sandbox):
                click.echo(line)
            context = WrapContext(config=config, plugins=app.plugins, home=config.home,
                                  socket=planned / AGENT_SOCKET, session="(dry-run)", token="", dry_run=True,
                                  timeout=timeout, run_dir=planned, sandbox=sandbox)
            ctx.exit(chosen.wrap(argv, context))
        finally:
            sandbox.close(0)
    # The sandbox's folders, plan and stand-ins are made meanwhile, in a thread.
    ahead = wrapping.EarlySandbox(preparation, config) if preparation.choice.sandboxed else None
    try:
        process.start_background(config)
        # The operator socket (checked to be the daemon's by the client) opens the
        # session; the agent gets only the session's own agent socket. The session
        # carries its own approval timeout: the daemon's deadline for its approvals,
        # from which the adapter derives its hooks' deadlines.
        session_fields: dict[str, Any] = {"approval_timeout": timeout} if timeout is not None else {}
        # Whether the agent will show its own permission dialog (interactive Claude
        # Code): without one, approvals wait on the other channels.
        interactive = getattr(chosen, "interactive", None)
        session_fields["interactive"] = bool(interactive(argv)) if callable(interactive) else True
        created = request("session.create", config=config, agent=chosen.name, cwd=os.getcwd(),
                          command=" ".join(argv), pid=os.getpid(), sandbox=preparation.describe(),
                          **session_fields)
        if not created.get("ok"):
            raise SecurityViolation(f"the Aegis daemon refused to open a session: {created.get('error')}",
                                    hint="run `aegis wrap` from your own terminal, not from inside a wrapped agent")
    except BaseException:
        if ahead is not None:
            ahead.discard()
        raise
    status = 1
    notes: list[str] = []
    sandbox = UNSANDBOXED
    watch = None
    try:
        context = WrapContext(config=config, plugins=app.plugins, home=config.home,
                              socket=Path(created["agent_socket"]), session=created["session"],
                              token=created["token"], timeout=timeout, run_dir=Path(created["run_dir"]),
                              daemon_pid=created.get("daemon_pid"), daemon_start=created.get("daemon_start"),
                              operator_socket=operator_socket(config))
        if ahead is not None:
            sandbox = ahead.open(created, identity=context.identity())
        else:
            sandbox = wrapping.open_for(preparation, created, config=config, identity=context.identity())
        context = replace(context, sandbox=sandbox)
        watch = _watch_hazards(sandbox, config, created)
        if sandbox.sandboxed and sys.stderr.isatty():
            for line in wrapping.sandbox_summary(sandbox):
                click.echo(f"aegis: {line}", err=True)
        status = chosen.wrap(argv, context)
    finally:
        if ahead is not None:
            ahead.discard()  # (nothing, once the sandbox is open: it is released below)
        if watch is not None:
            watch.stop()
        notes = sandbox.close(status, background=True)  # its folders go while the daemon ends the session
        for note in notes:
            click.secho(f"aegis: {note}", err=True, fg="yellow")
        try:
            request("session.end", config=config, session=created["session"],
                    token=created["token"], exit_status=status, sandbox_notes=notes)
        except Exception as exc:  # the agent's own exit status matters more than this note
            click.echo(f"aegis: warning: could not close the session: {exc}", err=True)
        finally:
            sandbox.wait_closed()
    ctx.exit(status)


def _watch_hazards(sandbox: Any, config: Any, created: dict[str, Any]) -> Any:
    """While the agent runs: say at once (on the terminal, and in the audit log through
    the daemon) when it leaves something in the project that your next git command
    outside would run (aegis_core.sandbox.tripwire)."""
    plan = sandbox.plan
    if not sandbox.sandboxed or plan is None or plan.project is None:
        return None
    from aegis_core.client import request
    from aegis_core.sandbox.tripwire import HazardWatch

    def found(notes: list[str]) -> None:
        for note in notes:
            click.secho(f"\r\naegis: WARNING: {note}\r", err=True, fg="yellow", bold=True)
        try:
            request("session.note", config=config, session=created["session"], token=created["token"],
                    sandbox_notes=notes)
        except Exception as exc:  # said on the terminal; the session's end records it again
            click.echo(f"aegis: warning: could not record it: {exc}", err=True)

    return HazardWatch(plan.project, found).start()


def _refuse_nesting(config: Any) -> None:
    """Sessions are opened on the operator socket only; inside a wrapped agent
    ``AEGIS_SOCKET`` names its agent socket, which would refuse."""
    from aegis_core.sockets import client_socket, operator_socket

    if client_socket(config) != operator_socket(config):
        raise SecurityViolation(
            f"AEGIS_SOCKET is set ({client_socket(config)}): this looks like a program inside an agent that "
            "Aegis already wraps, and only you may open sessions",
            hint="run `aegis wrap` from your own terminal (or unset AEGIS_SOCKET)")


# The adapters Aegis publishes, and the distribution that brings each: the only
# names a "pip install" hint may suggest (never a name guessed from the user's typo).
KNOWN_ADAPTERS = {"claude": "aegis-claude-hook", "pty": "aegis-pty", "codex": "aegis-codex",
                  "gemini": "aegis-gemini", "copilot": "aegis-copilot", "cursor": "aegis-cursor"}


def _adapter(app: AppContext, name: str | None, program: str) -> Adapter:
    adapters = app.plugins.adapters()
    if name:
        if name not in adapters:
            have = ", ".join(adapters) or "none"
            known = KNOWN_ADAPTERS.get(name)
            if known:
                hint = f"install it: pip install {known}"
            else:
                import difflib

                close = difflib.get_close_matches(name, [*adapters, *KNOWN_ADAPTERS], n=1)
                hint = (f"did you mean --adapter {close[0]}? " if close else "") + \
                    "`aegis plugins list` shows what is installed"
            raise DependencyMissing(f"no adapter named {name!r} is installed (have: {have})", hint=hint)
        return adapters[name]
    base = os.path.basename(program)
    for adapter in adapters.values():
        if adapter.claims(base):
            return adapter
    if "pty" in adapters:
        return adapters["pty"]
    raise DependencyMissing(f"no adapter can wrap {base!r}",
                            hint="install one: pip install aegis-pty (any CLI) or aegis-claude-hook (claude)")
