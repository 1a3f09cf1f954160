"""Ids of calls, approvals and sessions."""

from __future__ import annotations

import os


def new_id() -> str:
    """32 random hex digits (what uuid4().hex gave, without importing uuid: every
    quick command imports this module)."""
    return os.urandom(16).hex()
