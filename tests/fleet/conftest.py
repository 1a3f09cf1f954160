"""Three machines (daemons with AEGIS_HOMEs of their own) on one throwaway PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fleet_support import Machine


@pytest.fixture
def fleet(fleet_root: Path, fleet_database: str) -> Iterator[dict[str, Machine]]:
    yield from _machines(fleet_root, fleet_database)


@pytest.fixture
def patient_fleet(fleet_root: Path, fleet_database: str) -> Iterator[dict[str, Machine]]:
    """A fleet whose waiting calls outlast any outage a test makes (``[fleet]
    outage_grace_seconds``), so only an answer ends their waits."""
    yield from _machines(fleet_root, fleet_database, fleet_config="outage_grace_seconds = 3600\n")


def _machines(fleet_root: Path, fleet_database: str, fleet_config: str = "") -> Iterator[dict[str, Machine]]:
    machines = {name: Machine(fleet_root, name, fleet_database, fleet_config=fleet_config) for name in ("a", "b", "c")}
    try:
        for machine in machines.values():
            machine.start()
        yield machines
    finally:
        for machine in machines.values():
            machine.stop()
