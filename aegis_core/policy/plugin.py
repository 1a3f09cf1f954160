"""The policy engine as a built-in plugin (``aegis.policy``): an object holding the
active policy, loaded from ``[policy] path`` by ``configure`` (a reload keeps the
last good one when the new file is invalid), judging every call in ``evaluate``."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import structlog

from aegis_core.hookspecs import hookimpl
from aegis_core.models import ToolCall, Verdict
from aegis_core.policy import Policy, default_policy, load_policy

log = structlog.get_logger(__name__)


def policy_path(config: Any) -> Path:
    """The policy file the daemon reads: ``[policy] path`` (``$AEGIS_HOME/policy.toml``)."""
    return config.path("policy", "path", "policy.toml")


def load_configured(config: Any) -> Policy:
    """The policy the daemon would load for ``config``: its file, or the built-in
    default when there is none. Raises ConfigError (file:line) when the file is
    invalid, PermissionDenied when it is unsafe to trust (a link, others may write it)."""
    path = policy_path(config)
    if not path.exists():
        return default_policy()
    return load_policy(path)


class PolicyHolder:
    """The policy in force. ``load`` replaces it only when the new one is valid."""

    def __init__(self) -> None:
        self._policy: Policy | None = None
        self._lock = threading.RLock()
        self.path: Path | None = None

    def load(self, config: Any) -> Policy:
        """Load ``[policy] path`` of ``config``; a missing file means the built-in
        default. Raises ConfigError (file:line) on an invalid file and keeps the
        previously loaded policy active."""
        path = policy_path(config)
        policy = load_configured(config)  # raises: the current policy stays
        if path.exists():
            log.info("policy loaded", path=str(path), rules=len(policy.rules))
        else:
            log.info("no policy file, using the built-in default", path=str(path))
        self.set(policy)
        self.path = path
        return policy

    def set(self, policy: Policy) -> None:
        with self._lock:
            self._policy = policy

    @property
    def current(self) -> Policy:
        policy = self._policy
        if policy is not None:
            return policy
        with self._lock:
            if self._policy is None:
                from aegis_core.config import load_config

                try:
                    self.load(load_config())
                except Exception as exc:
                    # An invalid policy at first use: fall back to the (strict) default
                    # rather than to nothing; the error is logged for the user.
                    log.error("policy could not be loaded; using the built-in default",
                              error=str(exc))
                    self._policy = default_policy()
            assert self._policy is not None
            return self._policy


class PolicyPlugin:
    """The ``aegis.policy`` plugin: one per plugin set, configured, no module state."""

    def __init__(self) -> None:
        self.holder = PolicyHolder()

    @hookimpl
    def configure(self, config: Any) -> None:
        self.holder.load(config)  # raises ConfigError (file:line): the old policy stays

    @hookimpl
    def evaluate(self, call: ToolCall) -> Verdict:
        return self.holder.current.evaluate(call)
