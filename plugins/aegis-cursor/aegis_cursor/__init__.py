"""Cursor's agent under Aegis through its hooks (protocol level)."""

__version__ = "0.1.0"
