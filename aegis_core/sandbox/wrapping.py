"""How ``aegis wrap`` puts a session in its sandbox, step by step, so the command
itself stays a few lines: :func:`prepare` before the daemon is asked for a session
(the session is recorded as sandboxed or not from its first record), :func:`open_for`
once the session exists, and the words the user sees when there is no sandbox."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aegis_core.errors import DependencyMissing
from aegis_core.sandbox import agent_state
from aegis_core.sandbox.manifest import Manifest, load_manifest_file
from aegis_core.sandbox.plan import SandboxNeeds
from aegis_core.sandbox.session import (
    BackendChoice,
    KeyHolder,
    PreparedSandbox,
    SessionSandbox,
    choose_backend,
    open_sandbox,
    prepare_sandbox,
)

if TYPE_CHECKING:
    from aegis_core.adapters import Adapter, WrapContext
    from aegis_core.config import Config
    from aegis_core.plugins import AegisPlugins


@dataclass(frozen=True)
class Preparation:
    choice: BackendChoice
    manifest: Manifest
    needs: SandboxNeeds

    def describe(self) -> dict[str, Any]:
        """The ``sandbox`` field of ``session.create``: whether, by what, and what the
        egress proxy lets through (the manifest's hosts and the agent's API)."""
        out: dict[str, Any] = {"sandboxed": self.choice.sandboxed,
                               "backend": self.choice.backend.name if self.choice.backend else None}
        if not self.choice.sandboxed:
            out["reason"] = self.choice.reason
            out["chosen_by_user"] = self.choice.chosen_by_user
        out["network_allow"] = [str(rule) for rule in self.manifest.network_allow]
        out["agent_hosts"] = list(self.needs.network)
        out["limits"] = self.manifest.limits.describe()
        return out


def load_manifest(config: Config) -> Manifest:
    return load_manifest_file(config.path("policy", "path", "policy.toml"))


def prepare(plugins: AegisPlugins, config: Config, adapter: Adapter, argv: Sequence[str],
            context: WrapContext, *, no_sandbox: bool) -> Preparation:
    """Choose the backend, read the manifest, ask the adapter what its agent needs.
    Raises DependencyMissing when the manifest requires a sandbox none can provide."""
    manifest = load_manifest(config)
    choice = choose_backend(plugins.sandboxes(), no_sandbox=no_sandbox)
    if not choice.sandboxed and manifest.required and not no_sandbox:
        raise DependencyMissing(
            f"the sandbox manifest requires a sandbox ([sandbox] required = true) and none can run: "
            f"{choice.reason}", hint=choice.hint or "see `aegis doctor`")
    needs = SandboxNeeds()
    if not choice.sandboxed:
        return Preparation(choice, manifest, needs)
    asker = getattr(adapter, "sandbox_needs", None)
    if callable(asker):
        needs = asker(argv, context)
    if not context.dry_run:
        # Whatever adapter runs it (the PTY relay too), a known agent gets its folder
        # ready and its vendor's hosts.
        program = shutil.which(argv[0]) or argv[0] if argv else None
        state = agent_state.prepare(Path(os.path.expanduser("~")), os.environ, program=program)
        needs = needs.merged(SandboxNeeds(protect=state.protect, env=state.env, network=state.hosts))
    return Preparation(choice, manifest, needs)


def open_for(preparation: Preparation, created: dict[str, Any], *, config: Config,
             identity: Any = None, dry_run: bool = False) -> SessionSandbox:
    """The session's sandbox, once the daemon has made the session: its run folder
    (the agent socket, the proxy socket) is bound at /run/aegis. ``identity`` is the
    daemon the model API keys may be handed to (``WrapContext.identity()``)."""
    from aegis_core.sockets import operator_socket

    run_dir = created.get("run_dir")
    session = str(created["session"])
    keys = KeyHolder(operator_socket(config), session, str(created.get("token") or ""), identity)
    return open_sandbox(
        preparation.choice, preparation.manifest, session=session, cwd=Path(os.getcwd()),
        home=Path(os.path.expanduser("~")), aegis_home=config.home,
        run_dir=Path(run_dir) if run_dir else None, agent_socket=bool(created.get("agent_socket")),
        network=bool(created.get("proxy_socket")), needs=preparation.needs, keys=keys, dry_run=dry_run,
    )


class EarlySandbox:
    """The part of the session's sandbox that needs no session (its folders, its plan,
    its stand-ins, the modules the sandboxed path loads), made in a thread while
    ``aegis wrap`` reaches the daemon and the daemon opens the session: that time is
    spent waiting on a socket, so the sandbox's own preparation costs a start nothing.
    :meth:`open` binds it to the session; :meth:`discard` lets it go when none came."""

    def __init__(self, preparation: Preparation, config: Config) -> None:
        self.preparation = preparation
        self.config = config
        self._prepared: PreparedSandbox | None = None
        self._error: BaseException | None = None
        self._opened = False
        from aegis_core.config import ensure_home

        ensure_home(config.home)  # 0700, before the thread makes folders in it (not 0755 parents)
        self._thread = threading.Thread(target=self._prepare, name="aegis-sandbox-prepare", daemon=True)
        self._thread.start()

    def _prepare(self) -> None:
        try:
            self._prepared = prepare_sandbox(self.preparation.choice, self.preparation.manifest,
                                             cwd=Path(os.getcwd()), home=Path(os.path.expanduser("~")),
                                             aegis_home=self.config.home, needs=self.preparation.needs)
            # What the sandboxed path loads later (the handshake, the network bridge and
            # ctypes' setns, the end's quarantine): loaded now, off the path.
            import aegis_core.sandbox.handshake
            import aegis_core.sandbox.quarantine  # noqa: F401
            from aegis_core.network import netns_bridge

            netns_bridge.prepare()
        except BaseException as exc:  # raised again by open()
            self._error = exc

    def _wait(self) -> PreparedSandbox:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._prepared is not None
        return self._prepared

    def open(self, created: dict[str, Any], *, identity: Any = None) -> SessionSandbox:
        """The session's sandbox (as :func:`open_for`), from what was prepared."""
        from aegis_core.sockets import operator_socket

        prepared = self._wait()
        run_dir = created.get("run_dir")
        session = str(created["session"])
        keys = KeyHolder(operator_socket(self.config), session, str(created.get("token") or ""), identity)
        sandbox = prepared.open(session, run_dir=Path(run_dir) if run_dir else None,
                                agent_socket=bool(created.get("agent_socket")),
                                network=bool(created.get("proxy_socket")), keys=keys)
        self._opened = True
        return sandbox

    def discard(self) -> None:
        """No session came (or opening failed): release what was held."""
        try:
            prepared = self._wait()
        except Exception:  # what failed is said by whoever called open()
            return
        if not self._opened:
            prepared.release()


def unsandboxed_warning(choice: BackendChoice) -> list[str]:
    """What ``aegis wrap`` says, loudly, before it runs an agent without a sandbox."""
    lines = [f"WARNING: this session runs UNSANDBOXED ({choice.reason})."]
    lines.append("  The agent and every program it starts can read your secrets and change any of your "
                 "files; Aegis only judges the tool calls it sees.")
    if choice.chosen_by_user:
        lines.append("  Recorded as your choice (--no-sandbox) in the audit log, `aegis status` and "
                     "`aegis doctor`.")
    else:
        lines.append("  Recorded as unsandboxed in the audit log, `aegis status` and `aegis doctor`.")
        if choice.hint:
            lines.append(f"  To fix: {choice.hint}.")
    return lines


def sandbox_summary(sandbox: SessionSandbox) -> list[str]:
    """One or two lines for a terminal: what the agent may write, and the project."""
    plan = sandbox.plan
    if plan is None:
        return []
    lines = [f"sandbox: {sandbox.backend_name}; writable: "
             + (plan.project or "no project") + ", temp, caches, agent state; "
             + f"{len(plan.masked())} secret path(s) hidden; network only through Aegis"]
    if plan.project is None:
        lines.append(f"note: {plan.project_note}")
    return lines


__all__ = ["EarlySandbox", "Preparation", "load_manifest", "open_for", "prepare", "replace", "sandbox_summary",
           "unsandboxed_warning"]
