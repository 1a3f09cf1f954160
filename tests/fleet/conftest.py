"""Three machines (daemons with AEGIS_HOMEs of their own) on one throwaway PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fleet_support import Machine


@pytest.fixture
def fleet(fleet_root: Path, fleet_database: str) -> Iterator[dict[str, Machine]]:
    machines = {name: Machine(fleet_root, name, fleet_database) for name in ("a", "b", "c")}
    try:
        for machine in machines.values():
            machine.start()
        yield machines
    finally:
        for machine in machines.values():
            machine.stop()
