"""``aegis plugins``: what is installed, what each plugin implements, what failed."""

from __future__ import annotations

import click

from aegis_core.cli import AppContext, emit_json


@click.group()
def plugins() -> None:
    """Inspect installed plugins."""


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True, help="Output as JSON.")
@click.option("--all", "include_builtin", is_flag=True, help="Include the built-in plugins.")
@click.option("--hook", metavar="NAME", help="Only plugins that implement this hook.")
@click.pass_obj
def list_plugins(app: AppContext, as_json: bool, include_builtin: bool, hook: str | None) -> None:
    """List plugins: name, version, hooks, status (and the error of a broken one)."""
    from aegis_core.plugins import HOOK_NAMES, plugin_list

    if hook and hook not in HOOK_NAMES:
        raise click.BadParameter(f"no hook named {hook!r}; hooks: {', '.join(HOOK_NAMES)}",
                                 param_hint="--hook")
    rows = plugin_list(app.plugins, include_builtin=include_builtin, hook=hook)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo("No plugins installed." if not hook else f"No plugin implements {hook}.")
        return
    width = max(len(r["name"]) for r in rows)
    for row in rows:
        status = row["status"] if row["status"] != "error" else f"error: {row['error']}"
        click.echo(f"{row['name']:<{width}}  {row['version'] or '-':<8}  {status}")
        if row["hooks"]:
            click.echo(f"{'':<{width}}  hooks: {', '.join(row['hooks'])}")
