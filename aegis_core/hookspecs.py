"""The plugin contract of Aegis: every hook a plugin may implement, and nothing else.

Hooks are called with keyword arguments. Arguments may be added in later versions,
never removed or renamed; an implementation may accept only the arguments it needs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click

    from aegis_core.adapters import Adapter
    from aegis_core.channels import Channel
    from aegis_core.config import Config, ConfigSection
    from aegis_core.doctor import DoctorCheck
    from aegis_core.models import (
        AgentInput,
        Approval,
        AuditEvent,
        Decision,
        ToolCall,
        Verdict,
    )
    from aegis_core.prompts import PromptDetector
    from aegis_core.sandbox.backend import SandboxBackend

PROJECT = "aegis"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# -------------------------------------------------------------------------
# Discovery: what a plugin brings
# -------------------------------------------------------------------------


@hookspec
def register_adapters(register: Callable[[Adapter], None]) -> None:
    """Register adapters: ways of putting an agent under Aegis (``aegis wrap``).

    Called once, when the plugins are loaded.

    :param register: call it with an :class:`aegis_core.adapters.Adapter` for each
        adapter the plugin provides. A second adapter of the same name is reported
        and ignored.

    All implementations are called. Any plugin may implement it.
    """


@hookspec
def register_channels(register: Callable[[Channel], None]) -> None:
    """Register approval channels: ways of asking a human and hearing the answer.

    Called once, when the plugins are loaded.

    :param register: call it with an :class:`aegis_core.channels.Channel` for each
        channel the plugin provides. A second channel of the same name is reported
        and ignored.

    All implementations are called. Any plugin may implement it.
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands to the ``aegis`` command line.

    Called once, when the CLI starts.

    :param cli: the top-level click group; add commands or groups to it.

    All implementations are called. A plugin that raises here is reported by
    ``aegis plugins list`` and the other commands keep working.
    """


@hookspec
def register_config_sections(register: Callable[[ConfigSection], None]) -> None:
    """Declare the ``config.toml`` sections a plugin reads.

    Declared keys are validated, overridable as ``AEGIS_<SECTION>_<KEY>``, shown by
    ``aegis config list`` and redacted there when marked secret.

    :param register: call it with a :class:`aegis_core.config.ConfigSection`.

    All implementations are called. Any plugin may implement it.
    """


@hookspec
def register_prompt_detectors(register: Callable[[PromptDetector], None]) -> None:
    """Register detectors of interactive prompts on a terminal screen (PTY adapter).

    :param register: call it with a :class:`aegis_core.prompts.PromptDetector`.
        Detectors are tried in registration order; the first that recognises a
        prompt wins.

    All implementations are called. Any plugin may implement it.
    """


@hookspec
def register_sandboxes(register: Callable[[SandboxBackend], None]) -> None:
    """Register sandbox backends: ways of running a wrapped agent inside an OS boundary.

    Called once, when the plugins are loaded. ``aegis wrap`` uses the first registered
    backend whose ``platforms`` include this one and whose ``available()`` says it can
    run (the built-in bubblewrap backend serves Linux).

    :param register: call it with a :class:`aegis_core.sandbox.backend.SandboxBackend`
        for each backend the plugin provides. A second backend of the same name is
        reported and ignored.

    All implementations are called. Any plugin may implement it.
    """


@hookspec
def register_doctor_checks(register: Callable[[DoctorCheck], None]) -> None:
    """Add checks to ``aegis doctor``.

    :param register: call it with a :class:`aegis_core.doctor.DoctorCheck`.

    All implementations are called. Any plugin may implement it.
    """


# -------------------------------------------------------------------------
# Set-up: one process's configuration
# -------------------------------------------------------------------------


@hookspec
def configure(config: Config) -> None:
    """Set the plugin up for this Aegis home: open files, load rules, read settings.

    Called once after loading in every process that runs the pipeline or answers
    approvals (the daemon, ``aegis approvals``, ``aegis doctor``), and again with
    the new configuration when the daemon reloads it. Built-in plugins are objects
    configured this way; nothing looks a plugin up by name.

    :param config: the loaded configuration (``config.home`` is ``$AEGIS_HOME``).

    All implementations are called, in registration order. One that raises stops
    the daemon from starting, naming the plugin; on a reload it refuses the reload
    (the daemon keeps its running configuration, and a plugin that raised must
    keep its previous setup). Any plugin may implement it.
    """


# -------------------------------------------------------------------------
# The pipeline: one tool call, in the order the stages run
# -------------------------------------------------------------------------


@hookspec(firstresult=True)
def intercept(agent_input: AgentInput) -> ToolCall | None:
    """Turn what an adapter received from an agent into a :class:`ToolCall`.

    :param agent_input: the adapter's name and the agent's payload, as it came.

    Stops at the first non-None result. Implement it for the adapters you provide
    and return None for other adapters' input. If no plugin returns a call, or
    the one that answers raises, the call is denied as malformed.
    """


@hookspec
def evaluate(call: ToolCall) -> Verdict | None:
    """Judge a tool call: allow, deny or require approval, with a risk score.

    :param call: the tool call, as returned by ``intercept``.

    Every implementation is called and the verdicts are combined strictest-wins
    (deny > require_approval > allow); the highest risk is kept. Return None to
    abstain. An implementation that raises counts as a deny naming the plugin.
    With no verdict at all the call requires approval.
    """


@hookspec
def critique(call: ToolCall, verdict: Verdict, recent: Sequence[tuple[ToolCall, Verdict]]) -> Verdict | None:
    """Second look at a combined verdict, with the session's recent history.

    For checks that need context a single call does not have: rapid fire,
    repeated denies, odd argument shapes.

    :param call: the tool call.
    :param verdict: the combined verdict of ``evaluate``.
    :param recent: the same session's latest calls and their final verdicts,
        oldest first: those of the last 10 seconds and at least the last 6 (at
        most 50), with input values longer than 512 characters cut. Older calls
        are not kept, so the daemon's memory does not grow with every call.

    Every implementation is called. A critique can only make the verdict stricter:
    a result less strict than ``verdict`` is ignored. An implementation that raises
    counts as a deny naming the plugin.
    """


@hookspec
def notify(approval: Approval, call: ToolCall | None) -> None:
    """Tell the user about an approval: when it is requested, and again when it ends.

    :param approval: the approval; ``approval.status`` is ``pending`` for a new
        request and final (approved, denied, expired, cancelled) afterwards, so a
        channel can update the message it sent.
    :param call: the tool call it is about (None when the daemon no longer has it,
        e.g. after a restart).

    Every implementation is called, even when another one raises. Must not block:
    queue the work and do it in the channel's own task.
    """


@hookspec(firstresult=True)
def decide(approval: Approval, call: ToolCall) -> Decision | None:
    """Answer an approval at once, without waiting for a human on a channel.

    The ``terminal`` channel answers ``ask`` (the agent asks at its own prompt); an
    automation plugin could approve what it trusts. Humans' answers arriving later
    through channels go through the daemon's compare-and-set, not through this hook.

    :param approval: the pending approval.
    :param call: the tool call.

    Stops at the first non-None result; None from everyone means wait for a human.
    An implementation that raises counts as a deny naming the plugin.
    """


@hookspec
def audit(event: AuditEvent) -> None:
    """Record an event: a call seen, a verdict, an approval requested or answered...

    :param event: what happened. Its ``details`` are already redacted.

    Every implementation is called, even when another one raises. Every
    implementation writes the evidence, so each is required: when one raises, the
    decision the event belongs to is denied (fail closed), whoever provides it.
    Events arrive in batches, from the daemon's writer thread (not its event
    loop); after each batch ``audit_sync`` is called, and nothing in the batch is
    acknowledged before it returns. The built-in writer (``aegis.audit``)
    appends the events to the hash-chained ``audit.log``.
    """


@hookspec
def audit_sync() -> None:
    """Make every event passed to ``audit`` so far durable (e.g. one ``fdatasync``).

    Called once after each batch of ``audit`` calls, before any decision in the
    batch is sent to the agent: one sync for all the decisions ready at the same
    moment (group commit). A plugin whose ``audit`` already writes durably need not
    implement it.

    All implementations are called. One that raises denies every decision of the
    batch.
    """
