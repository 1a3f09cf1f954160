"""The sandbox tests' shared fixture: a throwaway machine (HOME, project, Aegis home)
for each identity the tests run as, root and an ordinary user."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sandbox_support import Machine, identities, needs_bwrap, uid_for


@pytest.fixture(params=identities())
def machine(request: pytest.FixtureRequest) -> Iterator[Machine]:
    needs_bwrap()
    made = Machine(uid_for(request.param))
    yield made
    made.close()
