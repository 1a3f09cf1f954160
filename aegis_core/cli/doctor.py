"""``aegis doctor``: every check, what it found, and the fix; ``--fix`` applies the safe ones."""

from __future__ import annotations

from typing import Any

import click

from aegis_core.cli import AppContext, emit_json
from aegis_core.doctor import CheckResult

MARKS = {"pass": "ok  ", "warn": "WARN", "fail": "FAIL"}
ORDER = ("environment", "security", "runtime", "channels")


def run_checks(app: AppContext, config: Any) -> list[tuple[str, CheckResult, Any]]:
    results = []
    for check in app.plugins.doctor_checks():
        category = getattr(check, "category", "channels")
        try:
            result = check.run(config)
        except Exception as exc:  # a broken check is a finding, not a crash
            result = CheckResult(getattr(check, "name", "?"), "fail",
                                 f"the check itself failed: {type(exc).__name__}: {exc}")
        results.append((category, result, check))
    results.sort(key=lambda row: ORDER.index(row[0]) if row[0] in ORDER else len(ORDER))
    return results


def _config_or_defaults(app: AppContext) -> tuple[Any, CheckResult | None]:
    """The configuration, or (when it cannot be loaded) the defaults and a failed check
    saying why, so that every other check still runs."""
    from aegis_core.config import aegis_home, load_config
    from aegis_core.errors import AegisError

    try:
        return app.config(), None
    except AegisError as exc:
        home = aegis_home()
        defaults = load_config(home=home, path=home / ".no-config", sections=app.plugins.config_sections())
        return defaults, CheckResult("config", "fail", exc.message, fix=exc.hint or "fix config.toml",
                                     code=int(exc.exit_code))


@click.command()
@click.option("--fix", is_flag=True, help="Apply safe automatic fixes (permissions, stale files).")
@click.option("--json", "as_json", is_flag=True, help="Output as JSON.")
@click.option("--verbose", is_flag=True, help="Show details for passing checks too.")
@click.pass_obj
@click.pass_context
def doctor(ctx: click.Context, app: AppContext, fix: bool, as_json: bool, verbose: bool) -> None:
    """Run system diagnostics. Exits with the code of the worst failure (0 if none)."""
    config, broken = _config_or_defaults(app)
    results = run_checks(app, config)
    if broken is not None:  # it replaces the config check, which only saw the defaults
        results = [("environment", broken, None), *(row for row in results if row[1].name != "config")]
    fixed: list[str] = []
    if fix:
        for index, (category, result, check) in enumerate(results):
            if result.status != "pass" and result.fixer is not None and check is not None:
                try:
                    fixed.append(f"{result.name}: {result.fixer()}")
                except Exception as exc:
                    fixed.append(f"{result.name}: fix failed: {exc}")
                    continue
                results[index] = (category, check.run(config), check)

    failures = [r for _, r, _ in results if r.status == "fail"]
    code = max((int(r.code) for r in failures), default=0)
    if as_json:
        emit_json({
            "ok": not failures,
            "exit_code": code,
            "fixed": fixed,
            "checks": [{"name": r.name, "category": c, "status": r.status, "message": r.message,
                        "fix": r.fix, "fixable": r.fixer is not None, "details": r.details}
                       for c, r, _ in results],
        })
    else:
        current = None
        for category, result, _ in results:
            if category != current:
                click.echo(f"\n{category.capitalize()}:")
                current = category
            click.echo(f"  [{MARKS.get(result.status, result.status)}] {result.name}: {result.message}")
            if result.status != "pass" and result.fix:
                hint = " (aegis doctor --fix)" if result.fixer and not fix else ""
                click.echo(f"         fix: {result.fix}{hint}")
            if verbose and result.details:
                for key, value in result.details.items():
                    click.echo(f"         {key}: {value}")
        for line in fixed:
            click.echo(f"fixed: {line}")
        warnings = sum(1 for _, r, _ in results if r.status == "warn")
        click.echo(f"\n{len(results)} checks: {len(failures)} failed, {warnings} warnings")
    if code:
        ctx.exit(code)
