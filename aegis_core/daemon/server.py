"""The daemon: a Unix socket speaking docs/protocol.md, the pipeline behind it, and
the enabled channels running beside it, all in one anyio process."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import signal
import time
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path
from typing import Any

import anyio
import structlog
from anyio.abc import SocketStream, TaskGroup

from aegis_core import __version__
from aegis_core.audit import AuditLog
from aegis_core.channels import ChannelSet, ResolveResult, select_channels
from aegis_core.config import Config, load_config
from aegis_core.daemon.peers import Peer, alive, inside_agent, peer_of
from aegis_core.daemon.pipeline import Pipeline
from aegis_core.errors import AegisError, ConfigError, ExitCode
from aegis_core.models import Approval, Decision, Outcome, RawEvent, Scope
from aegis_core.network.endpoints import ModelApi
from aegis_core.network.hosts import HostError
from aegis_core.network.service import EgressProxy
from aegis_core.plugins import AegisPlugins, PluginFailure
from aegis_core.recorder import GroupCommit
from aegis_core.redact import redact_text
from aegis_core.sandbox.manifest import Manifest, parse_host_rule, parse_manifest
from aegis_core.sandbox.record import session_sandbox
from aegis_core.store import Store

log = structlog.get_logger(__name__)

# One request holds one tool call: a legitimate Write of a large file or a long
# generated command must be judged, not cut off. Hook clients check the same limit.
MAX_REQUEST = 64 << 20
HUMAN_ONLY = frozenset({"approval.resolve", "session.resume", "reload"})


class RequestError(Exception):
    def __init__(self, message: str, code: ExitCode = ExitCode.ERROR) -> None:
        super().__init__(message)
        self.code = code


class DaemonHub:
    """What channels may do: the :class:`aegis_core.channels.ChannelHub` of this daemon."""

    def __init__(self, daemon: Daemon) -> None:
        self._daemon = daemon

    @property
    def config(self) -> Config:
        return self._daemon.config

    async def resolve(self, approval_id: str, decision: Decision) -> ResolveResult:
        return await self._daemon.pipeline.resolve(approval_id, decision)

    async def pending(self) -> list[Approval]:
        return self._daemon.store.list_approvals(status="pending")

    async def get(self, approval_id: str) -> Approval | None:
        return self._daemon.store.get_approval(approval_id)

    async def resume(self, session: str, *, by: str, channel: str) -> bool:
        return await self._daemon.resume_session(session, by=f"{by} via {channel}")

    async def status(self) -> Mapping[str, Any]:
        return self._daemon.status()

    def audit(self, event: str, details: Mapping[str, Any], session: str | None = None) -> None:
        self._daemon.pipeline.audit(event, dict(details), session)

    def audit_head(self) -> tuple[int, str] | None:
        return self._daemon.audit_head()


class Daemon:
    def __init__(self, config: Config, plugins: AegisPlugins | None = None) -> None:
        self.config = config
        self.home = config.home
        self.socket_path = socket_path(config)
        self.plugins = plugins or AegisPlugins.load()
        self.manifest = _load_manifest(config)  # raises on a bad [sandbox]: nothing starts
        configure_plugins(self.plugins, config)
        # Every page checked once, here: a corrupt file is reported before anything runs.
        self.store = Store.open(config.path("database", "path", "aegis.db"), quick_check=True)
        self.recorder = GroupCommit(self.plugins, self.store)
        self.pipeline = Pipeline(plugins=self.plugins, store=self.store, config=config, recorder=self.recorder)
        self._audit_log = AuditLog(self.home / "audit.log", self.home / "audit.checkpoint")
        self.network = EgressProxy(self.pipeline, manifest=lambda: self.manifest)
        self.hub = DaemonHub(self)
        available = self.plugins.channels()
        self.channel_names = select_channels(config, available)
        unknown = [name for name in self.channel_names if name not in available]
        if unknown:
            raise ConfigError(f"[approvals] channels names {', '.join(unknown)}, which no installed plugin provides",
                              hint="install the plugin (aegis plugins list) or fix [approvals] channels")
        self.channels = ChannelSet(available[name] for name in self.channel_names)
        self.plugins.register(self.channels, name="aegis.channel-set", builtin=True)
        self.started_at = 0.0
        self._tokens: dict[str, str] = {}
        self._wrappers: dict[str, int] = {}  # session -> pid of the `aegis wrap` running its agent
        self._live: dict[str, dict[str, Any]] = {}  # wrapped sessions running now, with their sandbox
        self._stopping = anyio.Event()
        self.channel_errors: dict[str, str] = {}

    def audit_head(self) -> tuple[int, str] | None:
        """The head of ``$AEGIS_HOME/audit.log`` (None when no plugin writes it there)."""
        if not self._audit_log.path.exists():
            return None
        return self._audit_log.head()

    # -- lifecycle ----------------------------------------------------------------

    async def serve(self, *, ready: anyio.Event | None = None) -> None:
        self.started_at = time.time()
        listener = await _listen(self.socket_path)
        self.pipeline.audit("daemon.started", {"pid": os.getpid(), "version": __version__,
                                               "channels": self.channel_names})
        await self.pipeline.expire_orphans()
        try:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(self.recorder.run)
                tasks.start_soon(self._retain)
                tasks.start_soon(self._signals, tasks)
                for name, channel in self.channels.channels.items():
                    tasks.start_soon(self._run_channel, name, channel)
                await tasks.start(self.network.run)
                tasks.start_soon(self._accept, listener, tasks)
                log.info("daemon ready", socket=str(self.socket_path), channels=self.channel_names)
                if ready is not None:
                    ready.set()
                await self._stopping.wait()
                await self.pipeline.drain()
                # Give handlers whose approvals just resolved a moment to answer.
                with anyio.move_on_after(2):
                    while self.pipeline.waiting_count():
                        await anyio.sleep(0.02)
                tasks.cancel_scope.cancel()
        finally:
            with suppress(Exception):
                await listener.aclose()
            with suppress(FileNotFoundError):
                self.socket_path.unlink()
            with suppress(Exception):
                self.pipeline.audit("daemon.stopped", {"pid": os.getpid()})
            self.store.close()

    def stop(self) -> None:
        self._stopping.set()

    async def _signals(self, tasks: TaskGroup) -> None:
        with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT, signal.SIGHUP) as signals:
            async for signum in signals:
                if signum == signal.SIGHUP:
                    self.reload()
                else:
                    log.info("stopping", signal=signal.Signals(signum).name)
                    self.stop()

    def reload(self) -> dict[str, Any]:
        """SIGHUP: take the new config and policy only if both validate."""
        try:
            config = load_config(home=self.home, sections=self.plugins.config_sections())
            manifest = _load_manifest(config)  # raises on a bad [sandbox]: nothing changes
            configure_plugins(self.plugins, config)
        except AegisError as exc:
            log.error("reload refused, keeping the running config and policy", error=str(exc))
            self.pipeline.audit("config.reload_failed", {"error": str(exc)})
            return {"reloaded": False, "error": str(exc)}
        self.config = config
        self.manifest = manifest
        self.pipeline.reconfigure(config)
        self.pipeline.audit("config.reloaded", {"file": str(config.file)})
        log.info("config and policy reloaded")
        return {"reloaded": True, "error": None}

    async def _run_channel(self, name: str, channel: Any) -> None:
        try:
            await channel.run(self.hub)
        except anyio.get_cancelled_exc_class():
            raise
        except Exception as exc:  # a broken channel must not take the daemon down
            self.channel_errors[name] = f"{type(exc).__name__}: {exc}"
            log.exception("channel stopped with an error", channel=name)
            with suppress(Exception):
                self.pipeline.audit("channel.failed", {"channel": name, "error": self.channel_errors[name]})

    # -- connections --------------------------------------------------------------

    async def _accept(self, listener: Any, tasks: TaskGroup) -> None:
        async with listener:
            while True:
                stream = await listener.accept()
                tasks.start_soon(self._handle, stream)

    async def _handle(self, stream: SocketStream) -> None:
        async with stream:
            try:
                peer = peer_of(stream)
                if peer.uid is not None and peer.uid != os.getuid():
                    self.pipeline.audit("connection.refused", {"uid": peer.uid, "reason": "different user"})
                    await _send(stream, _error("connections from other users are refused", ExitCode.SECURITY))
                    return
                request = await _read_request(stream)
                self._check_human_only(request, peer)
                response = await self._dispatch(request, stream)
            except RequestError as exc:
                response = _error(str(exc), exc.code)
            except AegisError as exc:
                response = _error(str(exc), exc.exit_code)
            except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError):
                return
            except Exception as exc:
                log.exception("request failed")
                response = _error(f"internal error ({type(exc).__name__}); see `aegis logs`", ExitCode.ERROR)
            with suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
                await _send(stream, response)

    def _check_human_only(self, request: Mapping[str, Any], peer: Peer) -> None:
        """Answering approvals, resuming a session and reloading the policy are for the
        human, not for the agent they constrain (nor anything it runs)."""
        op = request.get("op")
        if op not in HUMAN_ONLY or not inside_agent(peer.pid, self._agent_roots()):
            return
        self.pipeline.audit("agent.self_approval_refused", {"op": op, "pid": peer.pid,
                                                            "approval_id": request.get("approval_id")})
        raise RequestError(f"{op} came from inside a wrapped agent and was refused: only you may answer "
                           "approvals; use your phone or a terminal outside the agent", ExitCode.SECURITY)

    def _agent_roots(self) -> set[int]:
        return {pid for pid in self._wrappers.values() if alive(pid)}

    async def _dispatch(self, request: dict[str, Any], stream: SocketStream) -> dict[str, Any]:
        op = request.get("op")
        if request.get("v") != 1:
            raise RequestError(f"unsupported protocol version {request.get('v')!r}; upgrade the client")
        if op == "ping":
            return {"final": True, "ok": True, "version": __version__, "pid": os.getpid()}
        if op == "evaluate":
            return await self._evaluate(request, stream)
        if op == "observe":
            return await self._observe(request)
        if op == "session.create":
            return await self._create_session(request)
        if op == "session.end":
            session = self._authenticate(request)
            await self.network.close(session)
            self.store.end_session(session, request.get("exit_status"))
            self._wrappers.pop(session, None)
            self._live.pop(session, None)
            ended: dict[str, Any] = {"exit_status": request.get("exit_status")}
            notes = request.get("sandbox_notes")
            if isinstance(notes, list) and notes:  # a sandbox limit stopped something
                ended["sandbox_notes"] = [str(note)[:500] for note in notes[:20]]
            self.pipeline.audit("session.ended", ended, session)
            return {"final": True, "ok": True}
        if op == "network.endpoint":
            return self._model_endpoint(request)
        if op == "approval.resolve":
            return await self._resolve(request)
        if op == "approval.cancel":
            result = await self.pipeline.cancel(_text(request, "approval_id"),
                                                str(request.get("reason") or "cancelled"),
                                                str(request.get("by") or "adapter"))
            return _resolve_response(result)
        if op == "session.resume":
            resumed = await self.resume_session(_text(request, "session"), by=str(request.get("by") or "cli"))
            return {"final": True, "ok": True, "resumed": resumed}
        if op == "status":
            return {"final": True, "ok": True, **self.status()}
        if op == "reload":
            return {"final": True, "ok": True, **self.reload()}
        raise RequestError(f"unknown op {op!r}")

    def _authenticate(self, request: Mapping[str, Any]) -> str:
        session = request.get("session")
        if not session:
            return ""
        session = str(session)
        expected = self._tokens.get(session)
        if expected is None:
            row = self.store.get_session(session)
            expected = (row or {}).get("token_hash") or ""
            self._tokens[session] = expected
        given = hashlib.sha256(str(request.get("token") or "").encode()).hexdigest()
        if not expected or not hmac.compare_digest(given, expected):
            self.pipeline.audit("session.bad_token", {"session": session})
            raise RequestError(f"session {session} is unknown or its token is wrong; run the agent "
                               "through `aegis wrap` again", ExitCode.SECURITY)
        return session

    async def _evaluate(self, request: dict[str, Any], stream: SocketStream) -> dict[str, Any]:
        try:
            session = self._authenticate(request)
        except RequestError as exc:
            return {"final": True, "ok": True, "decision": "deny", "rule": "bad-session", "risk": 100,
                    "reason": f"Aegis refused this call: {exc}.", "approval_id": None, "choice": None}
        # Not an object: the pipeline records the call as malformed.
        payload: Any = request.get("payload")
        raw = RawEvent(adapter=str(request.get("adapter") or ""), payload=payload, session=session)

        pending: list[str] = []

        async def on_pending(approval: Approval) -> None:
            pending.append(approval.id)
            with suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
                await _send(stream, {"event": "pending", "approval_id": approval.id,
                                     "deadline_at": approval.deadline_at})

        result: dict[str, Any] = {}

        async def decide() -> None:
            answer = await self.pipeline.handle(raw, on_pending=on_pending)
            result.update(answer.to_response())
            tasks.cancel_scope.cancel()

        async def watch_client() -> None:
            # A client that hangs up (the agent was interrupted) cancels its approval.
            with suppress(anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError):
                while await stream.receive():
                    pass
            await anyio.sleep(0.05)  # let a decision that just landed win
            if not result and pending:
                await self.pipeline.cancel(pending[-1], "the agent stopped waiting (its hook was interrupted)",
                                           "adapter")

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(decide)
            tasks.start_soon(watch_client)
        return result or {"final": True, "ok": True, "decision": "deny", "reason": "the client went away",
                          "rule": None, "risk": 0, "approval_id": None, "choice": None}

    async def _observe(self, request: dict[str, Any]) -> dict[str, Any]:
        session = self._authenticate(request)
        payload = request.get("payload")
        if not isinstance(payload, dict):
            raise RequestError("observe needs a JSON object payload")
        call = self.plugins.intercept(RawEvent(adapter=str(request.get("adapter") or ""),
                                               payload=payload, session=session))
        if call is not None:
            await self.pipeline.observe(call)
        return {"final": True, "ok": True}

    async def _create_session(self, request: dict[str, Any]) -> dict[str, Any]:
        session = "s-" + secrets.token_hex(6)
        token = secrets.token_urlsafe(24)
        token_hash = hashlib.sha256(token.encode()).hexdigest()
        timeout = request.get("approval_timeout")
        if timeout is not None and (not isinstance(timeout, int | float) or isinstance(timeout, bool)
                                    or timeout <= 0):
            raise RequestError("approval_timeout must be a positive number of seconds")
        self.store.create_session(session, agent=str(request.get("agent") or "unknown"),
                                  token_hash=token_hash, cwd=str(request.get("cwd") or ""),
                                  command=redact_text(str(request.get("command") or "")),
                                  approval_timeout_s=float(timeout) if timeout is not None else None)
        self._tokens[session] = token_hash
        wrapper = request.get("pid")
        if isinstance(wrapper, int) and wrapper > 1:
            self._wrappers[session] = wrapper
        sandbox = session_sandbox(request.get("sandbox"))
        self._live[session] = {"session": session, "agent": request.get("agent"), "cwd": request.get("cwd"),
                               "sandbox": sandbox}
        self.pipeline.audit("session.created", {"agent": request.get("agent"), "cwd": request.get("cwd"),
                                                "command": request.get("command"), "sandbox": sandbox,
                                                "approval_timeout_s": timeout}, session)
        run_dir = self.home / "run" / session
        run_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        proxy = await self.network.open(session, run_dir, agent=str(request.get("agent") or "unknown"),
                                        cwd=str(request.get("cwd") or ""))
        _allow_agent_hosts(self.network.gate(session), sandbox)
        return {"final": True, "ok": True, "session": session, "token": token, "run_dir": str(run_dir),
                "proxy_socket": str(proxy)}

    def _model_endpoint(self, request: dict[str, Any]) -> dict[str, Any]:
        """``aegis wrap`` hands over the agent's model API key (held in memory only),
        or, with no key, names the API's host so the session may reach it."""
        session = self._authenticate(request)
        key = request.get("key")
        api = ModelApi(name=_text(request, "name"), key_env="", base_url_env="", default_base_url="",
                       header=_text(request, "header"), scheme=str(request.get("scheme") or ""))
        if not api.name.isidentifier() or not api.header.replace("-", "").isalnum():
            raise RequestError("name must be a word and header a header name")
        try:
            base_url = self.network.add_model_api(session, api, _text(request, "base_url"),
                                                  key if isinstance(key, str) and key else None)
        except HostError as exc:
            raise RequestError(f"base_url: {exc}", ExitCode.CONFIG) from exc
        except KeyError as exc:
            raise RequestError(f"session {session} has no egress proxy; run the agent through `aegis wrap` "
                               "again") from exc
        self.pipeline.audit("network.model_api", {"name": api.name, "base_url": request.get("base_url"),
                                                  "key_held": bool(key)}, session)
        return {"final": True, "ok": True, "base_url": base_url}

    async def _resolve(self, request: dict[str, Any]) -> dict[str, Any]:
        outcome = request.get("outcome")
        if outcome not in ("approve", "deny"):
            raise RequestError("outcome must be approve or deny")
        scope = Scope.SESSION if request.get("scope") == "session" else Scope.ONCE
        decision = Decision(Outcome(outcome), decided_by=str(request.get("by") or os.environ.get("USER") or "cli"),
                            channel=str(request.get("channel") or "cli"), reason=str(request.get("reason") or ""),
                            scope=scope, choice=request.get("choice"))
        return _resolve_response(await self.pipeline.resolve(_text(request, "approval_id"), decision))

    async def resume_session(self, session: str, *, by: str) -> bool:
        return await self.pipeline.resume(session, by=by)

    async def _retain(self) -> None:
        """Old tool calls leave the database after ``[store] retain_days`` (the audit
        log keeps everything): at start, then daily."""
        while True:
            days = int(self.config.get("store", "retain_days", 90) or 0)
            if days > 0:
                try:
                    removed = await anyio.to_thread.run_sync(self.store.purge_calls, time.time() - days * 86400)
                    if removed:
                        await self.pipeline.note("store.purged", {"tool_calls": removed, "retain_days": days})
                except Exception:
                    log.exception("purging old tool calls failed")
            await anyio.sleep(86400)

    def status(self) -> dict[str, Any]:
        head = self.audit_head()
        return {
            "running": True,
            "pid": os.getpid(),
            "version": __version__,
            "socket": str(self.socket_path),
            "started_at": self.started_at,
            "uptime_s": round(time.time() - self.started_at, 1) if self.started_at else 0,
            "channels": {name: {"running": name not in self.channel_errors,
                                "error": self.channel_errors.get(name)} for name in self.channel_names},
            "pending": len(self.store.list_approvals(status="pending")),
            "waiting": self.pipeline.waiting_count(),
            "decisions": self.pipeline.decisions,
            # Group commit: how many writes (one fsync each) the records took so far.
            "records": {"batches": self.recorder.batches, "largest_batch": self.recorder.largest,
                        "sessions_remembered": len(self.pipeline.history)},
            "audit_head": {"seq": head[0], "hash": head[1]} if head else None,
            "sessions": list(self._live.values()),
        }


def configure_plugins(plugins: AegisPlugins, config: Config) -> None:
    """``configure`` every plugin; refuse to run when nothing writes the audit log."""
    try:
        plugins.configure(config)
    except PluginFailure as exc:
        if isinstance(exc.error, AegisError):
            raise exc.error from exc  # already says what is wrong and where (policy.toml:LINE)
        raise ConfigError(str(exc), hint="fix or disable the plugin (aegis plugins list)") from exc
    if not plugins.has_auditors():
        raise ConfigError("no plugin writes the audit log (aegis.audit is disabled and nothing replaces it)",
                          hint="remove aegis.audit from AEGIS_DISABLE_PLUGINS, or install an audit plugin")


def _allow_agent_hosts(gate: Any, sandbox: Mapping[str, Any]) -> None:
    """The hosts ``aegis wrap`` says its agent needs to work (its vendor's, beside the
    manifest's) pass this session's proxy unasked."""
    if gate is None:
        return
    for entry in sandbox.get("agent_hosts") or []:
        try:
            gate.extra.append(parse_host_rule(str(entry)))
        except ValueError:
            log.warning("ignored an agent host that is not a host", entry=str(entry)[:200])


def _load_manifest(config: Config) -> Manifest:
    """The sandbox manifest of ``policy.toml`` (its ``[sandbox]``), as loaded with the
    policy: the egress proxy's ``network.allow`` changes only when the policy does."""
    path = config.path("policy", "path", "policy.toml")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Manifest(source="built-in defaults")
    return parse_manifest(text, str(path))


def socket_path(config: Config) -> Path:
    from aegis_core.client import daemon_socket

    return daemon_socket(config)


async def _listen(path: Path) -> Any:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with suppress(FileNotFoundError):
        path.unlink()  # the caller has made sure no live daemon owns it
    old = os.umask(0o177)  # the socket is born 0600: no window where others may connect
    try:
        listener = await anyio.create_unix_listener(path)
    finally:
        os.umask(old)
    os.chmod(path, 0o600)
    return listener


async def _read_request(stream: SocketStream) -> dict[str, Any]:
    buffer = bytearray()
    while True:
        chunk = await stream.receive(1 << 20)
        newline = chunk.find(b"\n")
        buffer += chunk if newline < 0 else chunk[:newline]
        if len(buffer) > MAX_REQUEST:
            raise RequestError(f"request larger than {MAX_REQUEST >> 20} MiB; split the tool call into "
                               "smaller ones")
        if newline >= 0:
            break
    try:
        request = json.loads(buffer)
    except (UnicodeDecodeError, ValueError) as exc:
        raise RequestError(f"request is not valid JSON ({exc})") from exc
    if not isinstance(request, dict):
        raise RequestError("request must be a JSON object")
    return request


async def _send(stream: SocketStream, message: Mapping[str, Any]) -> None:
    await stream.send(json.dumps(message, default=str).encode() + b"\n")


def _error(message: str, code: ExitCode) -> dict[str, Any]:
    return {"final": True, "ok": False, "error": message, "code": int(code)}


def _text(request: Mapping[str, Any], key: str) -> str:
    value = request.get(key)
    if not isinstance(value, str) or not value:
        raise RequestError(f"{key} is required")
    return value


def _resolve_response(result: ResolveResult) -> dict[str, Any]:
    return {"final": True, "ok": True, "won": result.won,
            "approval": result.approval.to_dict() if result.approval else None}
