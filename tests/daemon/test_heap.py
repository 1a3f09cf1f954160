"""The daemon keeps its long-lived heap out of the garbage collector's sight (the
full collections it would walk stalled every connection at once), and a reload
still frees the policy it replaced."""

from __future__ import annotations

import gc
import weakref

from aegis_core.daemon.server import settle_heap


class _Node:
    """A cycle, as policy tables and plugin objects form them: only the collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_what_lived_at_start_is_frozen_and_a_second_settle_frees_what_was_dropped() -> None:
    try:
        old_policy = _Node()
        dropped = weakref.ref(old_policy)
        settle_heap()  # the daemon is ready
        assert gc.get_freeze_count() > 0
        del old_policy  # a reload replaces it
        gc.collect()
        assert dropped() is not None  # frozen: out of every collection's sight
        settle_heap()  # what the reload does next
        assert dropped() is None
    finally:
        gc.unfreeze()
