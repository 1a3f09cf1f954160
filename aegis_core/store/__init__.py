"""Aegis' persistent state (sessions, tool calls, decisions, approvals, session grants)
in one apsw SQLite file. The only package that writes SQL.

``Store`` (:mod:`.db`) loads on first use, so that the quick read-only path of the
commands a user types most (:mod:`.reads`) does not build the Store's machinery."""

from __future__ import annotations

from aegis_core.store.schema import SCHEMA_VERSION

# Not `from typing import TYPE_CHECKING`: loading typing costs the quick commands
# (aegis status, aegis approvals list) a visible share of their start-up.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from aegis_core.store.db import Store

__all__ = ["SCHEMA_VERSION", "Store"]


def __getattr__(name: str) -> Any:
    if name == "Store":
        from aegis_core.store.db import Store

        return Store
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
