"""The approvals object for a command run while the daemon is down (``aegis
approvals resume``, ``aegis doctor --fix``): the same object as the daemon's, with
the same audit writers, but without the daemon's key, so it can only make things
safer (expire, deny, resume a paused session), never approve or grant."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from aegis_core.approvals.lifecycle import Approvals
from aegis_core.approvals.rules import ApprovalRules
from aegis_core.recorder import DirectRecorder

if TYPE_CHECKING:
    from aegis_core.config import Config
    from aegis_core.plugins import AegisPlugins


@contextmanager
def local_approvals(config: Config, plugins: AegisPlugins) -> Iterator[Approvals]:
    """An :class:`Approvals` on this home's store, recording through ``plugins``."""
    from aegis_core.daemon.server import configure_plugins
    from aegis_core.fleet.settings import machine_name
    from aegis_core.fleet.team import TeamRules
    from aegis_core.store.opening import open_store

    configure_plugins(plugins, config)
    store = open_store(config)
    try:
        yield Approvals(store=store, recorder=DirectRecorder(plugins, store), notify=plugins.notify,
                        rules=ApprovalRules(config), team=TeamRules.from_config(config),
                        machine=machine_name(config))
    finally:
        store.close()
