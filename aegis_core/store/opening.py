"""Which store a home uses: its SQLite file alone, or (``[store] url`` is PostgreSQL)
that file beside the fleet's shared database."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aegis_core.config import Config


def open_store(config: Config, *, quick_check: bool = False) -> Any:
    """The store for ``config``: a :class:`~aegis_core.store.Store`, or a
    :class:`~aegis_core.store.fleet.FleetStore` in fleet mode. The fleet's server may
    be down: the store still opens, and what needs it raises FleetUnavailable."""
    from aegis_core.fleet.settings import fleet_settings
    from aegis_core.store.db import Store

    local = Store.open(config.path("database", "path", "aegis.db"), quick_check=quick_check)
    try:
        settings = fleet_settings(config, need_key=False)
    except BaseException:
        local.close()
        raise
    if settings is None:
        return local
    from aegis_core.errors import DependencyMissing

    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        local.close()
        raise DependencyMissing("fleet mode ([store] url) needs psycopg, which is not installed",
                                hint="pip install 'aegis-core[postgres]' (install.sh does)") from exc
    from aegis_core.store.fleet import FleetStore
    from aegis_core.store.postgres import PostgresStore

    return FleetStore(local, PostgresStore(settings.url, settings.machine))
