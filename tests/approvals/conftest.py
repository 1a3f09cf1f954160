"""Fixtures of the approval tests: a real store file."""

from __future__ import annotations

from pathlib import Path

import pytest

from aegis_core.store import Store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "home" / "aegis.db"


@pytest.fixture
def store(db_path: Path):
    opened = Store.open(db_path)
    yield opened
    opened.close()
