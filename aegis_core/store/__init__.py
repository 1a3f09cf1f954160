"""Aegis' persistent state (sessions, tool calls, decisions, approvals, session grants)
in one apsw SQLite file. The only package that writes SQL."""

from aegis_core.store.db import Store
from aegis_core.store.schema import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "Store"]
