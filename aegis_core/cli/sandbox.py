"""``aegis sandbox``: the effective manifest (``show``) and one command run inside it
(``test``), for users writing a ``[sandbox]`` section."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from aegis_core.cli import AppContext, emit_json
from aegis_core.errors import ExitCode


@click.group()
def sandbox() -> None:
    """Show the sandbox agents run in, or run one command inside it."""


@sandbox.command("show")
@click.option("--json", "as_json", is_flag=True, help="Output as JSON.")
@click.option("--adapter", metavar="NAME", help="Include what this adapter's agent needs (e.g. claude).")
@click.pass_obj
def show(app: AppContext, as_json: bool, adapter: str | None) -> None:
    """Print the effective manifest, resolved for this folder and this user: what is
    writable, hidden, reachable, and the limits (with how each holds here).

    Exits 0 when a sandbox can run here, 3 when agents would run unsandboxed,
    2 when the [sandbox] section is invalid (every error listed).
    """
    from aegis_core.sandbox import wrapping
    from aegis_core.sandbox.manifest import ManifestError
    from aegis_core.sandbox.session import choose_backend

    config = app.config()
    try:
        manifest = wrapping.load_manifest(config)
    except ManifestError as exc:
        for issue in exc.issues:
            click.echo(f"aegis: error: {issue}", err=True)
        raise click.exceptions.Exit(int(ExitCode.CONFIG)) from exc
    choice = choose_backend(app.plugins.sandboxes())
    report = _report(app, config, manifest, choice, adapter)
    if as_json:
        emit_json(report)
    else:
        click.echo(_render(report))
    if not choice.sandboxed:
        raise click.exceptions.Exit(int(ExitCode.ENVIRONMENT))


def _report(app: AppContext, config: Any, manifest: Any, choice: Any, adapter_name: str | None) -> dict[str, Any]:
    from aegis_core.sandbox.plan import SandboxNeeds, build_plan

    needs = SandboxNeeds()
    if adapter_name:
        adapter = app.plugins.adapters().get(adapter_name)
        asker = getattr(adapter, "sandbox_needs", None)
        if callable(asker):
            from aegis_core.adapters import WrapContext

            context = WrapContext(config=config, plugins=app.plugins, home=config.home, socket=config.home,
                                  session="", token="", dry_run=True)
            needs = asker([adapter_name], context)
    home = Path(os.path.expanduser("~"))
    plan = build_plan(manifest, session="(show)", cwd=Path.cwd(), home=home, aegis_home=config.home,
                      tmp_dir=Path(tempfile.gettempdir()) / "aegis-SESSION", run_dir=config.home / "run" / "SESSION",
                      needs=needs, empty_dir=config.home / "sandbox" / "empty", network=True)
    described = plan.to_dict()
    described.pop("session")
    enforced = {}
    if choice.backend is not None:
        enforcement = choice.backend.enforce(plan)
        enforced = enforcement.describe()
        enforcement.release()
    return {
        "sandboxed": choice.sandboxed,
        "backend": choice.backend.name if choice.backend else None,
        "backend_status": choice.reason,
        "hint": choice.hint,
        **described,
        "limits_enforced": enforced,
        "manifest_source": manifest.source,
    }


def _render(report: dict[str, Any]) -> str:
    lines = []
    if report["sandboxed"]:
        lines.append(f"Sandbox:    {report['backend']} ({report['backend_status']})")
    else:
        lines.append(f"Sandbox:    NONE: agents would run UNSANDBOXED ({report['backend_status']})")
        if report.get("hint"):
            lines.append(f"            to fix: {report['hint']}")
    lines.append(f"Manifest:   {report['manifest_source']}")
    lines.append(f"Project:    {report['project'] or 'none'} ({report['project_note']})")
    user = report["user"]
    lines.append(f"Runs as:    {user['name']} (uid {user['uid']} inside, no capabilities)")
    lines.append("Writable:   " + _list(report["writable"]))
    lines.append("Read-only:  " + _list([p for p in report["read_only"] if not p.startswith("/etc/")])
                 + " and a filtered /etc")
    lines.append("Hidden:     " + _list(report["masked"]))
    network = report["network"]
    if network["proxy"]:
        lines.append("Network:    only through Aegis' egress proxy; allowed unasked: "
                     + (", ".join(network["allow"]) or "none (and the agent's model API)")
                     + "; any other host is asked for approval")
    else:
        lines.append("Network:    none")
    limits = report["manifest"]["limits"]
    enforced = report.get("limits_enforced") or {}
    for key in ("wall_time", "memory", "cpu", "processes"):
        if limits.get(key) is not None:
            lines.append(f"Limit:      {key} = {limits[key]} ({enforced.get(key, 'not enforced here')})")
    return "\n".join(lines)


def _list(paths: list[str]) -> str:
    return ", ".join(paths) if paths else "nothing"


@sandbox.command("test", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
@click.pass_obj
@click.pass_context
def test(ctx: click.Context, app: AppContext, command: tuple[str, ...]) -> None:
    """Run one command inside the sandbox (no daemon, no network, the manifest's
    files and limits) and exit with its status: aegis sandbox test -- cat ~/.ssh/id_rsa
    """
    from aegis_core.errors import AegisEnvironmentError
    from aegis_core.sandbox import wrapping
    from aegis_core.sandbox.session import choose_backend, open_sandbox

    argv = list(command[1:] if command and command[0] == "--" else command)
    if not argv:
        raise click.UsageError("give the command to run, e.g. aegis sandbox test -- ls ~")
    config = app.config()
    manifest = wrapping.load_manifest(config)
    choice = choose_backend(app.plugins.sandboxes())
    if not choice.sandboxed:
        raise AegisEnvironmentError(f"no sandbox can run here: {choice.reason}",
                                    hint=choice.hint or "see `aegis doctor`")
    session = f"test-{os.getpid()}"
    opened = open_sandbox(choice, manifest, session=session, cwd=Path.cwd(), home=Path(os.path.expanduser("~")),
                          aegis_home=config.home)
    status = 1
    try:
        contained, env = opened.contain(argv, dict(os.environ), terminal=sys.stdin.isatty())
        try:
            status = subprocess.run(contained, env=env).returncode
        except KeyboardInterrupt:
            status = 130
        status = 128 - status if status < 0 else status
    finally:
        for note in opened.close(status):
            click.echo(f"aegis: {note}", err=True)
    ctx.exit(status)


@sandbox.command("restore")
@click.argument("session", required=False)
@click.option("--json", "as_json", is_flag=True, help="Output as JSON.")
@click.pass_obj
def restore(app: AppContext, session: str | None, as_json: bool) -> None:
    """Put back what a session's end took out of git's way (a nested repository's
    config or hooks that git would have run outside the sandbox), once you have read it;
    without SESSION, list what the quarantine holds. Each file put back is remembered as
    yours (later sessions leave it alone while it stays the same) and audited.
    """
    from aegis_core.client import request
    from aegis_core.daemon import process
    from aegis_core.errors import AegisError
    from aegis_core.sandbox import quarantine

    config = app.config()
    held = quarantine.sessions(config.home)
    if session is None:
        if as_json:
            emit_json({"quarantine": held})
            return
        if not held:
            click.echo("The quarantine is empty.")
        for record in held:
            click.echo(f"{record.get('session')}:")
            for item in record.get("items", []):
                click.echo(f"  {item.get('path')}: {item.get('why')}")
        return
    if not any(record.get("session") == session for record in held):
        raise AegisError(f"the quarantine holds nothing of session {session!r}",
                         hint="`aegis sandbox restore` lists what it holds")
    process.start_background(config)  # recorded in the audit log, or not done
    outcome = quarantine.restore(config.home, session)
    files = [{"path": path, "outcome": why or "restored"} for path, why in outcome]
    recorded = request("sandbox.restored", config=config, session=session, files=files)
    if as_json:
        emit_json({"session": session, "files": files, "audited": bool(recorded.get("ok"))})
    else:
        for entry in files:
            click.echo(f"{entry['path']}: {entry['outcome']}")
    if not recorded.get("ok"):
        raise AegisError(f"restored, but the audit log did not record it: {recorded.get('error')}",
                         hint="`aegis audit verify`; `aegis doctor`")
