"""``aegis reload``: apply the policy and config files as they are now, once they
validate, and show what changed. Operator socket only: a SIGHUP only asks (it puts the
change to you as an approval), and an agent's socket refuses it."""

from __future__ import annotations

import getpass
from typing import Any

import click

from aegis_core.cli import AppContext, emit_json
from aegis_core.errors import AegisEnvironmentError


@click.command()
@click.option("--dry-run", is_flag=True, help="Show what would change; apply nothing.")
@click.option("--json", "as_json", is_flag=True, help="Output as JSON.")
@click.pass_obj
def reload(app: AppContext, dry_run: bool, as_json: bool) -> None:
    """Apply the policy and config files as they are now (validated first; audited).

    Shows what differs from what ran: the rules that changed by name, the default
    action, the sandbox manifest, the config keys (secrets redacted). An invalid file
    changes nothing (exit 2, naming file and line). Settings read only at start
    (channels, sockets, the database) say so; they need `aegis stop && aegis start`.
    """
    from aegis_core.client import DaemonUnavailable, refusal, request

    try:
        response = request("reload", config=app.config(plugins=False), dry_run=dry_run, by=_user())
    except DaemonUnavailable as exc:
        raise AegisEnvironmentError("the Aegis daemon is not running, so nothing runs to reload; it reads the "
                                    "policy and config when it starts", hint="start it with: aegis start") from exc
    if not response.get("ok"):
        raise refusal(response, "the reload")
    if as_json:
        emit_json({key: value for key, value in response.items() if key not in ("final", "ok")})
        return
    click.echo(_render(response))


def _render(response: dict[str, Any]) -> str:
    changes = response.get("changes") or {}
    lines = response.get("lines") or []
    if not lines:
        return "Nothing changed: the running policy and config match the files."
    head = "Would apply" if response.get("dry_run") else "Applied"
    out = [f"{head}: {changes.get('summary', 'changes')}", *(f"  {line}" for line in lines)]
    if response.get("superseded_approval"):
        out.append(f"(cancelled the confirmation {response['superseded_approval']} a SIGHUP had asked for)")
    if response.get("dry_run"):
        out.append("Nothing was applied; run `aegis reload` to apply it.")
    return "\n".join(out)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"
