"""Plugin loading and the typed facade over pluggy.

Built-in plugins and third-party ones (entry points of group ``aegis``) load through
the same isolated path: one that fails to import or register is recorded with its
error and the rest load. Nothing outside this module calls ``pm.hook.*``.

Environment switches:

- ``AEGIS_LOAD_PLUGINS=a,b``: load only these third-party plugins (empty: none).
- ``AEGIS_DISABLE_PLUGINS=a,b``: skip these (built-in ones included).
- ``AEGIS_TRACE_PLUGINS=1``: log every hook call and its result.
"""

from __future__ import annotations

import importlib
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import ModuleType
from typing import TYPE_CHECKING, Any, NamedTuple

import pluggy
import structlog

from aegis_core import hookspecs
from aegis_core.models import (
    Action,
    AgentInput,
    Approval,
    AuditEvent,
    Decision,
    Outcome,
    ToolCall,
    Verdict,
    strictest,
)

if TYPE_CHECKING:
    import click

    from aegis_core.adapters import Adapter
    from aegis_core.channels import Channel
    from aegis_core.config import Config, ConfigSection
    from aegis_core.doctor import DoctorCheck
    from aegis_core.prompts import PromptDetector
    from aegis_core.sandbox.backend import SandboxBackend

log = structlog.get_logger(__name__)

ENTRY_POINT_GROUP = "aegis"

# Built-in behaviour is registered exactly like a third-party plugin, so any of it
# can be disabled or replaced. ``module:Class`` is a plugin object made fresh for
# each AegisPlugins and set up by the ``configure`` hook (state lives in the
# object, never in module globals); a bare module is registered as it is.
# Modules that do not exist yet are skipped quietly.
BUILTIN_PLUGINS: tuple[tuple[str, str], ...] = (
    ("aegis.policy", "aegis_core.policy.plugin:PolicyPlugin"),
    ("aegis.risk", "aegis_core.policy.risk:RiskPlugin"),
    ("aegis.critic", "aegis_core.critic"),
    ("aegis.audit", "aegis_core.audit.plugin:AuditPlugin"),
    ("aegis.channels", "aegis_core.channels"),
    ("aegis.generic", "aegis_core.generic"),
    ("aegis.checks", "aegis_core.checks"),
    ("aegis.network", "aegis_core.network.verdict"),
    ("aegis.sandbox", "aegis_core.sandbox.plugin"),
)

HOOK_NAMES: tuple[str, ...] = tuple(
    name for name in dir(hookspecs) if callable(getattr(hookspecs, name))
    and hasattr(getattr(hookspecs, name), "aegis_spec")
)


@dataclass
class PluginRecord:
    """What ``aegis plugins list`` shows about one plugin."""

    name: str
    module: str
    version: str | None = None
    builtin: bool = False
    status: str = "ok"  # ok | error | disabled
    error: str | None = None
    hooks: list[str] = field(default_factory=list)
    path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "hooks": sorted(self.hooks),
            "module": self.module,
            "status": self.status,
            "error": self.error,
            "builtin": self.builtin,
        }


def _env_list(env: Mapping[str, str], name: str) -> set[str] | None:
    if name not in env:
        return None
    return {part.strip() for part in env[name].split(",") if part.strip()}


def new_plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    return pm


class AegisPlugins:
    """The loaded plugins, and typed calls of every hook."""

    def __init__(self, pm: pluggy.PluginManager | None = None, *, trace: bool = False) -> None:
        self.pm = pm or new_plugin_manager()
        self.records: list[PluginRecord] = []
        self.trace = trace
        self._adapters: dict[str, Adapter] | None = None
        self._channels: dict[str, Channel] | None = None
        self._sandboxes: dict[str, SandboxBackend] | None = None
        # Per hook: pluggy's implementations as last seen, and Aegis' calling order of them.
        self._ordered: dict[str, tuple[list[pluggy.HookImpl], list[pluggy.HookImpl]]] = {}

    # -- loading ---------------------------------------------------------------

    @classmethod
    def load(
        cls,
        *,
        env: Mapping[str, str] | None = None,
        builtins: bool = True,
        entry_points: bool = True,
    ) -> AegisPlugins:
        env = os.environ if env is None else env
        plugins = cls(trace=env.get("AEGIS_TRACE_PLUGINS", "") not in ("", "0"))
        disabled = _env_list(env, "AEGIS_DISABLE_PLUGINS") or set()
        if builtins:
            for name, module in BUILTIN_PLUGINS:
                plugins._load_module(name, module, builtin=True, disabled=disabled)
        if entry_points:
            plugins._load_entry_points(only=_env_list(env, "AEGIS_LOAD_PLUGINS"), disabled=disabled)
        plugins.check_pending()
        return plugins

    def check_pending(self) -> None:
        """``check_pending()``: a plugin implementing a hook with no spec (a typo, or a
        hook of a newer Aegis) is reported and unregistered; the others stay."""
        while True:
            try:
                self.pm.check_pending()
            except pluggy.PluginValidationError as exc:
                culprit = exc.plugin
                name = self.pm.get_name(culprit)
                self.pm.unregister(culprit)
                self._mark_error(name or "", f"unknown hook: {exc}")
            else:
                return

    def _load_module(
        self, name: str, target: str, *, builtin: bool, disabled: set[str]
    ) -> None:
        module_name, _, attribute = target.partition(":")
        if name in disabled:
            self.records.append(PluginRecord(name, module_name, builtin=builtin, status="disabled"))
            return
        try:
            module = importlib.import_module(module_name)
            plugin: object = getattr(module, attribute)() if attribute else module
        except ModuleNotFoundError as exc:
            if builtin and exc.name and module_name.startswith(exc.name):
                return  # that built-in is not part of this build
            self.records.append(PluginRecord(name, module_name, builtin=builtin, status="error",
                                             error=f"{type(exc).__name__}: {exc}"))
            return
        except Exception as exc:
            self.records.append(PluginRecord(name, module_name, builtin=builtin, status="error",
                                             error=f"{type(exc).__name__}: {exc}"))
            return
        from aegis_core import __version__

        record = self.register(plugin, name=name, module=module_name,
                               version=__version__ if builtin else None, builtin=builtin)
        if record.path is None and module.__file__:
            record.path = module.__file__

    def _load_entry_points(self, *, only: set[str] | None, disabled: set[str]) -> None:
        import importlib_metadata

        seen: set[str] = set()
        for ep in importlib_metadata.entry_points(group=ENTRY_POINT_GROUP):
            dist = ep.dist
            name = dist.name if dist is not None else ep.name
            if name in seen:
                continue  # the same distribution found twice on sys.path
            seen.add(name)
            version = dist.version if dist is not None else None
            if only is not None and name not in only and ep.name not in only:
                continue
            if name in disabled or ep.name in disabled:
                self.records.append(PluginRecord(name, ep.value, version, status="disabled"))
                continue
            try:
                plugin = ep.load()
            except Exception as exc:
                self.records.append(PluginRecord(name, ep.value, version, status="error",
                                                 error=f"{type(exc).__name__}: {exc}"))
                log.warning("plugin failed to load", plugin=name, error=str(exc))
                continue
            self.register(plugin, name=name, module=ep.value, version=version)

    def register(
        self,
        plugin: object,
        *,
        name: str | None = None,
        module: str | None = None,
        version: str | None = None,
        builtin: bool = False,
    ) -> PluginRecord:
        """Register one plugin object or module; a failure is recorded, not raised."""
        name = name or getattr(plugin, "__name__", None) or type(plugin).__name__
        module = module or getattr(plugin, "__name__", None) or type(plugin).__module__
        record = PluginRecord(name, module, version, builtin=builtin)
        if isinstance(plugin, ModuleType) and plugin.__file__:
            record.path = plugin.__file__
        try:
            self.pm.register(plugin, name=name)
        except Exception as exc:
            record.status, record.error = "error", f"{type(exc).__name__}: {exc}"
            # Older pluggy registers hooks one by one before failing: undo the part.
            if self.pm.get_plugin(name) is plugin:
                self.pm.unregister(plugin)
        else:
            record.hooks = sorted(c.name for c in self.pm.get_hookcallers(plugin) or [])
        self.records.append(record)
        self._adapters = self._channels = self._sandboxes = None
        return record

    # -- set-up ----------------------------------------------------------------

    def configure(self, config: Config) -> None:
        """Call every ``configure`` implementation; the first failure raises
        :class:`PluginFailure` naming the plugin (an AegisError keeps its message)."""
        for plugin, _, error in self._call_each("configure", config=config):
            if error is not None:
                raise PluginFailure(plugin, "configure", error)

    def has_auditors(self) -> bool:
        """Whether any plugin writes the audit log (implements ``audit``)."""
        return bool(self._impls("audit"))

    def builtin_only(self, *hooks: str) -> bool:
        """Whether every implementation of ``hooks`` comes with Aegis itself: no
        installed plugin's code (which may wait on a network) among them."""
        builtin = {record.name for record in self.records if record.builtin}
        return all(impl.plugin_name in builtin for hook in hooks for impl in self._impls(hook))

    # -- calling ---------------------------------------------------------------

    def _impls(self, hook: str) -> list[pluggy.HookImpl]:
        # pluggy calls the last registered plugin first; Aegis calls in registration
        # order (built-ins first, then installed plugins, then what the daemon adds),
        # as the docs describe, still honouring tryfirst/trylast. Wrappers are not
        # part of the contract and are skipped. Kept per hook while pluggy's own list
        # is unchanged (a decision calls eight hooks; sorting each time showed up).
        registered = getattr(self.pm.hook, hook).get_hookimpls()
        cached = self._ordered.get(hook)
        if cached is not None and cached[0] == registered:
            return cached[1]
        impls = [i for i in registered if not (i.hookwrapper or i.wrapper)]
        first = [i for i in impls if i.tryfirst]
        last = [i for i in impls if i.trylast and not i.tryfirst]
        middle = [i for i in impls if not (i.tryfirst or i.trylast)]
        ordered = [*first, *middle, *reversed(last)]
        self._ordered[hook] = (registered, ordered)
        return ordered

    def _call_each(
        self, hook: str, **kwargs: Any
    ) -> Iterator[tuple[str, Any, BaseException | None]]:
        """Call every implementation of ``hook`` on its own, so one failure cannot
        hide the others' results. Yields (plugin name, result, exception)."""
        trace = self.trace
        for impl in self._impls(hook):
            args = {k: v for k, v in kwargs.items() if k in impl.argnames}
            started = time.perf_counter() if trace else 0.0
            try:
                result, error = impl.function(**args), None
            except Exception as exc:
                result, error = None, exc
                log.warning("plugin hook raised", hook=hook, plugin=impl.plugin_name,
                            error=f"{type(exc).__name__}: {exc}")
            if trace:
                log.info("hook call", hook=hook, plugin=impl.plugin_name, result=repr(result)[:200],
                         error=repr(error) if error else None,
                         ms=round((time.perf_counter() - started) * 1000, 3))
            yield impl.plugin_name, result, error

    def intercept(self, agent_input: AgentInput) -> ToolCall | None:
        for plugin, result, error in self._call_each("intercept", agent_input=agent_input):
            if error is not None:
                raise PluginFailure(plugin, "intercept", error)
            if result is not None:
                return result
        return None

    def evaluate(self, call: ToolCall) -> Verdict:
        verdicts: list[Verdict] = []
        for plugin, result, error in self._call_each("evaluate", call=call):
            if error is not None:
                verdicts.append(_failure_verdict(plugin, "evaluate", error))
            elif result is not None:
                verdicts.append(result)
        return strictest(verdicts, empty_reason="no policy judged this call, so it needs approval")

    def critique(self, call: ToolCall, verdict: Verdict,
                 recent: Sequence[tuple[ToolCall, Verdict]] = ()) -> Verdict:
        current = verdict
        calls = self._call_each("critique", call=call, verdict=verdict, recent=recent)
        for plugin, result, error in calls:
            if error is not None:
                result = _failure_verdict(plugin, "critique", error)
            if result is None:
                continue
            if result.action.strictness > current.action.strictness:
                current = replace(result, risk=max(result.risk, current.risk))
            elif result.risk > current.risk:  # not stricter, but riskier: keep the higher risk
                current = replace(current, risk=result.risk)
        return current

    def notify(self, approval: Approval, call: ToolCall | None) -> None:
        for _ in self._call_each("notify", approval=approval, call=call):
            pass

    def decide(self, approval: Approval, call: ToolCall) -> Decision | None:
        for plugin, result, error in self._call_each("decide", approval=approval, call=call):
            if error is not None:
                reason = (f"plugin {plugin} failed to decide ({type(error).__name__}); denied to "
                          "be safe: fix or disable the plugin (aegis plugins list)")
                return Decision(Outcome.DENY, decided_by=plugin, channel="aegis", reason=reason)
            if result is not None:
                return result
        return None

    def audit(self, *events: AuditEvent) -> list[AuditFailure]:
        """Send each event to every ``audit`` implementation, then call ``audit_sync``
        once; returns the failures (``event`` is None for a failed sync, which
        concerns every event)."""
        failures = [AuditFailure(plugin, error, event)
                    for event in events
                    for plugin, _, error in self._call_each("audit", event=event) if error is not None]
        failures.extend(AuditFailure(plugin, error, None)
                        for plugin, _, error in self._call_each("audit_sync") if error is not None)
        return failures

    # -- discovery ---------------------------------------------------------------

    def _collect(self, hook: str) -> list[Any]:
        found: list[Any] = []
        for plugin, _, error in self._call_each(hook, register=found.append):
            if error is not None:
                self._mark_error(plugin, f"{hook}: {type(error).__name__}: {error}")
        return found

    def _mark_error(self, plugin: str, message: str) -> None:
        for record in self.records:
            if record.name == plugin:
                record.status, record.error = "error", message

    def adapters(self) -> dict[str, Adapter]:
        if self._adapters is None:
            self._adapters = _by_name(self._collect("register_adapters"))
        return self._adapters

    def channels(self) -> dict[str, Channel]:
        if self._channels is None:
            self._channels = _by_name(self._collect("register_channels"))
        return self._channels

    def sandboxes(self) -> dict[str, SandboxBackend]:
        """Sandbox backends by name, in registration order (built-in ones first)."""
        if self._sandboxes is None:
            self._sandboxes = _by_name(self._collect("register_sandboxes"))
        return self._sandboxes

    def config_sections(self) -> list[ConfigSection]:
        return self._collect("register_config_sections")

    def prompt_detectors(self) -> list[PromptDetector]:
        return self._collect("register_prompt_detectors")

    def doctor_checks(self) -> list[DoctorCheck]:
        return self._collect("register_doctor_checks")

    def add_commands(self, cli: click.Group) -> None:
        for plugin, _, error in self._call_each("register_commands", cli=cli):
            if error is not None:
                self._mark_error(plugin, f"register_commands: {type(error).__name__}: {error}")


class AuditFailure(NamedTuple):
    """An ``audit`` (``event`` set) or ``audit_sync`` (``event`` None) that raised."""

    plugin: str
    error: BaseException
    event: AuditEvent | None


class PluginFailure(Exception):
    def __init__(self, plugin: str, hook: str, error: BaseException) -> None:
        super().__init__(f"plugin {plugin} raised in {hook}: {type(error).__name__}: {error}")
        self.plugin, self.hook, self.error = plugin, hook, error


def _failure_verdict(plugin: str, hook: str, error: BaseException) -> Verdict:
    return Verdict(
        Action.DENY,
        reason=f"plugin {plugin} failed in {hook} ({type(error).__name__}: {error}); "
               "denied to be safe: fix or disable the plugin (aegis plugins list)",
        rule=f"plugin-error:{plugin}",
        risk=100,
        source=plugin,
    )


def _by_name(items: Iterable[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        name = getattr(item, "name", None)
        if not name:
            log.warning("registered object has no name, ignored", item=repr(item))
        elif name in out:
            log.warning("duplicate name, second one ignored", name=name)
        else:
            out[name] = item
    return out


def plugin_list(plugins: AegisPlugins, *, include_builtin: bool = False,
                hook: str | None = None) -> list[dict[str, Any]]:
    records = sorted(plugins.records, key=lambda r: (not r.builtin, r.name))
    rows = [r.to_dict() for r in records if include_builtin or not r.builtin]
    if hook:
        rows = [r for r in rows if hook in r["hooks"]]
    return rows

