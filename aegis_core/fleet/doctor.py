"""``aegis doctor``'s look at the fleet link: the fleet key is set, the driver is
installed, and the fleet's PostgreSQL answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aegis_core.doctor import CheckResult
from aegis_core.errors import AegisError, ExitCode

if TYPE_CHECKING:
    from aegis_core.config import Config


def fleet_link(config: Config) -> CheckResult:
    from aegis_core.fleet.settings import fleet_settings
    from aegis_core.store.url import describe_url

    try:
        settings = fleet_settings(config)
    except AegisError as exc:
        return CheckResult("fleet", "fail", exc.message, fix=exc.hint, code=int(exc.exit_code))
    if settings is None:
        return CheckResult("fleet", "pass", "not in a fleet: this machine's SQLite store only")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return CheckResult("fleet", "fail", "fleet mode needs psycopg, which is not installed",
                           fix="pip install 'aegis-core[postgres]'", code=ExitCode.DEPENDENCY)
    from aegis_core.store.postgres import PostgresStore

    where = describe_url(settings.url)
    try:
        with PostgresStore(settings.url, settings.machine) as store:
            machines = store.machines()
    except AegisError as exc:
        return CheckResult("fleet", "fail", f"the fleet store {where} is unreachable: {exc.message}",
                           fix="start PostgreSQL or fix [store] url; meanwhile risky calls are denied",
                           code=ExitCode.NETWORK)
    return CheckResult("fleet", "pass", f"machine {settings.machine} reaches the fleet store {where} "
                       f"({len(machines)} machine(s) known)", details={"machines": [m["name"] for m in machines]})
