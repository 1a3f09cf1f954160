"""The daemon: the operator socket, the agent sockets (one shared, one per wrapped
session) speaking docs/protocol.md, the pipeline behind them, and the enabled
channels running beside it, all in one anyio process."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from contextlib import suppress
from dataclasses import replace
from pathlib import Path
from typing import Any

import anyio
import anyio.from_thread
import anyio.lowlevel
import structlog
from anyio import RunFinishedError
from anyio.abc import TaskGroup

from aegis_core import __version__
from aegis_core.audit import AuditLog
from aegis_core.channels import ChannelSet, ResolveResult, select_channels
from aegis_core.config import Config
from aegis_core.daemon import protocol
from aegis_core.daemon.connections import Connection, Listener, listen
from aegis_core.daemon.peers import Peer, peer_of
from aegis_core.daemon.pipeline import Answer, Pipeline
from aegis_core.daemon.protocol import AGENT, OPERATOR, Endpoint, RequestError
from aegis_core.daemon.reload import Snapshot, changes_between, read_snapshot
from aegis_core.daemon.sessions import Session, Sessions
from aegis_core.daemon.watchers import SessionWatchers
from aegis_core.errors import AegisError, ConfigError, ExitCode
from aegis_core.fleet.member import FleetMember, Ledger, recent_and_open
from aegis_core.models import (
    Action,
    AgentInput,
    Approval,
    ApprovalStatus,
    Decision,
    Kind,
    Outcome,
    Scope,
    ToolCall,
    Verdict,
)
from aegis_core.network.endpoints import ModelApi
from aegis_core.network.hosts import HostError
from aegis_core.network.service import EgressProxy
from aegis_core.plugins import AegisPlugins, PluginFailure
from aegis_core.recorder import GroupCommit
from aegis_core.redact import redact_text
from aegis_core.sandbox.manifest import parse_host_rule
from aegis_core.sandbox.record import session_sandbox
from aegis_core.sockets import operator_socket, peer_credentials, process_start, reachable, shared_agent_socket
from aegis_core.store.opening import open_store
from aegis_core.store.postgres import FleetUnavailable

log = structlog.get_logger(__name__)

# How often sessions whose `aegis wrap` died without ending them are looked for.
ORPHAN_CHECK_SECONDS = 10.0

Handler = Callable[[dict[str, Any], "Caller"], Awaitable[dict[str, Any]]]


def settle_heap() -> None:
    """Take what lives now (the policy and its tables, plugins, caches) out of the
    garbage collector's sight: collect, then freeze. A full collection walks every
    object it sees, and with the policy's tables that stalls every connection at
    once: at 50 clients the daemon's p99 round trip was 3.2-3.7x its p50, 2.2x with
    the heap frozen (benchmarks/daemon_bench.py). Frozen objects are still freed by
    reference counting; only cycles among them wait, so a reload unfreezes first and
    the replaced policy's cycles are collected before the new heap is frozen."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()

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
        store = self._daemon.store
        if self._daemon.fleet is not None:  # the fleet's poller answers for every machine
            return await anyio.to_thread.run_sync(lambda: store.fleet.list_approvals(status="pending",
                                                                                    machine="*"))
        return store.list_approvals(status="pending")

    @property
    def ledger(self) -> Ledger | None:
        """Fleet mode: where channels keep what the next poller needs (None: keep it in memory)."""
        fleet = self._daemon.fleet
        return Ledger(self._daemon.store.fleet, fleet.machine) if fleet is not None else None

    def shared_key(self, purpose: str) -> bytes | None:
        """Fleet mode: a key every daemon of the fleet derives alike (None otherwise)."""
        fleet = self._daemon.fleet
        return fleet.shared_key(purpose) if fleet is not None else None

    async def fleet_open(self) -> list[Approval]:
        return await anyio.to_thread.run_sync(recent_and_open, self._daemon.store)

    async def get(self, approval_id: str) -> Approval | None:
        return self._daemon.store.get_approval(approval_id)

    async def resume(self, session: str, *, by: str, channel: str) -> bool:
        return await self._daemon.resume_session(session, by=f"{by} via {channel}")

    async def status(self) -> Mapping[str, Any]:
        return self._daemon.status()

    def audit(self, event: str, details: Mapping[str, Any], session: str | None = None) -> None:
        self._daemon.note_soon(event, dict(details), session)

    def audit_head(self) -> tuple[int, str] | None:
        return self._daemon.audit_head()


class Caller:
    """Who sent a request: on which socket, which process, and (once proven) for which
    wrapped session."""

    def __init__(self, endpoint: Endpoint, peer: Peer, stream: Connection) -> None:
        self.endpoint = endpoint
        self.peer = peer
        self.stream = stream
        self.raw = stream.sock
        self.session: Session | None = None
        self.after_reply: Callable[[], None] | None = None
        # Set when the final answer already left from the recorder's writer thread
        # (Daemon._early_answer); ``unsent`` is what the socket did not take then.
        self.answered = False
        self.unsent = b""


class _Listening:
    """A bound socket: its listener, and the inode it was bound as (so the daemon never
    removes a socket file that is not its own)."""

    def __init__(self, endpoint: Endpoint, listener: Listener, inode: tuple[int, int] | None) -> None:
        self.endpoint = endpoint
        self.listener = listener
        self.inode = inode


class _Confirmation:
    """The approval a SIGHUP asked for: which files' state it would apply."""

    def __init__(self, digest: str) -> None:
        self.digest = digest
        self.approval_id: str | None = None


class Daemon:
    def __init__(self, config: Config, plugins: AegisPlugins | None = None) -> None:
        self.config = config
        self.home = config.home
        self.socket_path = operator_socket(config)
        self.agent_socket_path = shared_agent_socket(config.home)
        self.plugins = plugins or AegisPlugins.load()
        # What runs, as this daemon read it (the baseline a reload is compared with);
        # raises on an invalid policy, config or [sandbox]: nothing starts.
        self._running = replace(read_snapshot(self.home, self.plugins.config_sections()), config=config)
        self.manifest = self._running.manifest
        configure_plugins(self.plugins, config)
        # Fleet mode ([store] url): refuses to start without the fleet key.
        self.fleet = FleetMember.for_config(config)
        # Every page checked once, here: a corrupt file is reported before anything runs.
        self.store = open_store(config, quick_check=True)
        self.recorder = GroupCommit(self.plugins, self.store)
        self.pipeline = Pipeline(plugins=self.plugins, store=self.store, config=config, recorder=self.recorder,
                                 sealer=self.fleet.sealer() if self.fleet else None)
        self._audit_log = AuditLog(self.home / "audit.log", self.home / "audit.checkpoint")
        self.network = EgressProxy(self.pipeline, manifest=lambda: self.manifest)
        if self.fleet is not None:
            from aegis_core.fleet.egress import FleetStoreGuard

            self.network.never = FleetStoreGuard(self.fleet.settings.url)
        self.hub = DaemonHub(self)
        available = self.plugins.channels()
        self.channel_names = select_channels(config, available)
        unknown = [name for name in self.channel_names if name not in available]
        if unknown:
            raise ConfigError(f"[approvals] channels names {', '.join(unknown)}, which no installed plugin provides",
                              hint="install the plugin (aegis plugins list) or fix [approvals] channels")
        chosen = [available[name] for name in self.channel_names]
        self.channels = ChannelSet(self.fleet.gate(chosen) if self.fleet else chosen)
        self.plugins.register(self.channels, name="aegis.channel-set", builtin=True)
        self.pipeline.channels = list(self.channel_names)
        # `aegis wrap` watches its session's approvals to tell the user, where they
        # look, what waits and how to answer it (session.watch).
        self.watchers = SessionWatchers()
        self.watchers.channels = list(self.channel_names)
        self.plugins.register(self.watchers, name="aegis.session-watchers", builtin=True)
        self.sessions = Sessions(self.store, self.home)
        self.started_at = 0.0
        self._listening: dict[str, _Listening] = {}
        # The connections being served (cancelled at stop).
        self._connections: set[asyncio.Task[None]] = set()
        # A decision with no other connection in flight is recorded at once (recorder.py).
        self.recorder.alone = lambda: len(self._connections) <= 1
        self._tasks: TaskGroup | None = None
        self._loop_thread: int | None = None  # the thread running serve()
        self._loop_token: anyio.lowlevel.EventLoopToken | None = None  # for notes from other threads
        self._stopping = anyio.Event()
        self._confirmation: _Confirmation | None = None
        self.channel_errors: dict[str, str] = {}
        self._handlers: dict[str, Handler] = {
            "ping": self._ping,
            "judge": self._judge,
            "observe": self._observe,
            "approval.cancel": self._cancel,
            "approval.resolve": self._resolve,
            "session.create": self._create_session,
            "session.end": self._end_session,
            "session.note": self._note_session,
            "sandbox.restored": self._note_restored,
            "session.resume": self._resume,
            "status": self._status,
            "reload": self._reload,
            "stop": self._stop,
            "network.endpoint": self._model_endpoint,
            "session.watch": self._watch,
        }
        assert set(self._handlers) == set(protocol.OPERATIONS), "every operation has one handler"

    def audit_head(self) -> tuple[int, str] | None:
        """The head of ``$AEGIS_HOME/audit.log`` (None when no plugin writes it there)."""
        if not self._audit_log.path.exists():
            return None
        return self._audit_log.head()

    # -- lifecycle ----------------------------------------------------------------

    async def serve(self, *, ready: anyio.Event | None = None) -> None:
        self.started_at = time.time()
        stale = self.sessions.remove_stale()
        try:
            async with anyio.create_task_group() as tasks:
                self._tasks, self._loop_thread = tasks, threading.get_ident()
                self._loop_token = anyio.lowlevel.current_token()
                self.pipeline.spawn = tasks.start_soon  # approvals at an agent's dialog are watched here
                tasks.start_soon(self.recorder.run)
                tasks.start_soon(self._retain)
                if self.fleet is not None:
                    tasks.start_soon(self.fleet.run, self)
                await tasks.start(self.network.run)  # before any session.create can arrive
                await self._open(Endpoint(OPERATOR, str(self.socket_path)))
                await self._open(Endpoint(AGENT, str(self.agent_socket_path)))
                await self.pipeline.note("daemon.started", {
                    "pid": os.getpid(), "version": __version__, "channels": self.channel_names,
                    "operator_socket": str(self.socket_path), "agent_socket": str(self.agent_socket_path),
                    "stale_sessions_removed": stale})
                try:
                    await self.pipeline.expire_orphans()
                    if self.fleet is not None:
                        self.fleet.orphans_expired = True
                except FleetUnavailable as exc:  # done once the fleet store is back (FleetMember)
                    log.warning("fleet store unreachable at start", error=exc.message)
                tasks.start_soon(self._signals)
                tasks.start_soon(self._end_orphaned_sessions)
                for name, channel in self.channels.channels.items():
                    tasks.start_soon(self._run_channel, name, channel)
                settle_heap()
                log.info("daemon ready", socket=str(self.socket_path), channels=self.channel_names)
                if ready is not None:
                    ready.set()
                await self._stopping.wait()
                try:
                    await self.pipeline.drain()
                except FleetUnavailable as exc:  # they expire at their deadline, or at the next start
                    log.warning("fleet store unreachable at stop; pending approvals left to expire",
                                error=exc.message)
                # Give handlers whose approvals just resolved a moment to answer.
                with anyio.move_on_after(2):
                    while self.pipeline.waiting_count():
                        await anyio.sleep(0.02)
                tasks.cancel_scope.cancel()
        finally:
            # The signal receiver is gone with the task group; a late SIGTERM must not
            # kill the daemon before it has closed its sockets and sessions.
            for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                with suppress(ValueError, OSError):
                    signal.signal(signum, signal.SIG_IGN)
            self._tasks, self._loop_token = None, None
            self.pipeline.spawn = None
            for path in list(self._listening):
                await self._close(path)
            await self._end_connections()
            for session in self.sessions:
                try:
                    await self._close_session(session.id, None, reason="the Aegis daemon stopped")
                except Exception:
                    log.exception("ending a session at stop failed", session=session.id)
            try:
                # Through the one door like every record (the batching task is gone
                # by now, so the recorder writes it at once); shielded, so a serve
                # cancelled from outside still records its stop.
                with anyio.CancelScope(shield=True):
                    await self.pipeline.note("daemon.stopped", {"pid": os.getpid()})
            except Exception:
                log.exception("recording the stop failed")
            self.store.close()

    def stop(self) -> None:
        self._stopping.set()

    def note_soon(self, event: str, details: dict[str, Any], session: str | None = None) -> None:
        """Record a note for synchronous code (a channel's hub), through the one door.
        On the daemon's event loop it joins the group commit in a task of its own:
        nothing waits on it, and no sync stalls the loop. From a channel's own thread
        it joins the group commit too and returns once it is durable, raising
        AuditFailed when it could not be written; a daemon not serving writes it at
        once."""
        if self._tasks is not None and threading.get_ident() == self._loop_thread:
            self._tasks.start_soon(self._note_or_log, event, details, session)
            return
        token = self._loop_token
        if token is not None:
            try:
                anyio.from_thread.run(self.pipeline.note, event, details, session, token=token)
                return
            except RunFinishedError:  # the loop ended meanwhile: nothing batches any more
                pass
        self.recorder.record_now([self.pipeline.audit_event(event, details, session)])

    async def _note_or_log(self, event: str, details: dict[str, Any], session: str | None) -> None:
        try:
            await self.pipeline.note(event, details, session)
        except Exception:  # nobody to tell but the log: the channel went on
            log.exception("a channel's note could not be audited", event=event)

    async def _signals(self) -> None:
        with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT, signal.SIGHUP) as signals:
            async for signum in signals:
                if signum == signal.SIGHUP:
                    await self.ask_to_reload("SIGHUP")
                else:
                    log.info("stopping", signal=signal.Signals(signum).name)
                    await self.pipeline.note("daemon.stop_requested", {"by": f"signal {signal.Signals(signum).name}"})
                    self.stop()

    # -- a changed policy or config (daemon/reload.py) -------------------------------

    def _snapshot(self) -> tuple[Snapshot, Any]:
        """The files as they are now, and how they differ from what runs."""
        snapshot = read_snapshot(self.home, self.plugins.config_sections())
        return snapshot, changes_between(self._running, snapshot)

    def _apply(self, snapshot: Snapshot) -> None:
        """Configure every plugin with ``snapshot``'s files, if they still hold what it
        read (a human saw and confirmed that content, not whatever is there now)."""
        if read_snapshot(self.home, self.plugins.config_sections()).digest != snapshot.digest:
            raise RequestError("the policy or config files changed after this change was read, so nothing was "
                               "applied; run `aegis reload --dry-run` to see them as they are now",
                               ExitCode.CONFIG)
        configure_plugins(self.plugins, snapshot.config)
        self._running = snapshot
        self.manifest = snapshot.manifest
        self.config = snapshot.config
        self.pipeline.reconfigure(snapshot.config)
        settle_heap()  # the replaced policy's objects were frozen: collect them, freeze the new ones

    async def reload_now(self, *, by: str, dry_run: bool = False) -> dict[str, Any]:
        """``aegis reload``: the files as they are now, validated, applied at once (the
        operator socket is the human's), audited with what changed."""
        try:
            snapshot, changes = self._snapshot()
            shown = {"changes": changes.to_dict(), "lines": changes.lines(), "error": None}
            if dry_run:
                return {"reloaded": False, "dry_run": True, **shown}
            self._apply(snapshot)
        except (AegisError, RequestError) as exc:
            await self.pipeline.note("config.reload_failed", {"trigger": "aegis reload", "by": by, "error": str(exc)})
            code = exc.exit_code if isinstance(exc, AegisError) else exc.code
            raise RequestError(f"nothing was reloaded: {exc}", code) from exc
        superseded = self._drop_confirmation("superseded: `aegis reload` applied the files as they are now")
        await self.pipeline.note("config.reloaded", {"by": by, "trigger": "aegis reload", "changes": changes.to_dict(),
                                                     "superseded_approval": superseded})
        return {"reloaded": True, "superseded_approval": superseded, **shown}

    async def ask_to_reload(self, trigger: str) -> None:
        """A SIGHUP (from anyone: the agent too, unsandboxed) only asks: the change is
        put to the human as an approval, and applied if approved."""
        try:
            snapshot, changes = self._snapshot()
        except AegisError as exc:
            log.error("the policy or config files are invalid; nothing to confirm", error=str(exc))
            await self.pipeline.note("config.reload_failed", {"trigger": trigger, "error": str(exc)})
            return
        await self.pipeline.note("config.reload_requested", {"trigger": trigger, "summary": changes.headline()})
        pending = self._confirmation
        if changes.empty or self._tasks is None or (pending is not None and pending.digest == snapshot.digest):
            return
        self._drop_confirmation("superseded by a newer change of the files")
        confirmation = self._confirmation = _Confirmation(snapshot.digest)
        self._tasks.start_soon(self._confirm, snapshot, changes, confirmation, trigger)

    async def _confirm(self, snapshot: Snapshot, changes: Any, confirmation: _Confirmation, trigger: str) -> None:
        call = ToolCall(agent="aegis", tool="aegis.reload", kind=Kind.CONFIG, session="aegis", hook_event="Reload",
                        input={"change": "\n".join([f"{changes.headline()}, apply?", *changes.lines()]),
                               "digest": snapshot.digest})
        verdict = Verdict(Action.REQUIRE_APPROVAL, rule="aegis-reload", risk=90, source="aegis",
                          reason=f"after a {trigger} the policy or config files differ from what runs; approving "
                                 "applies exactly this change, denying keeps what runs")

        async def on_pending(approval: Approval) -> None:
            confirmation.approval_id = approval.id
            log.warning("a changed policy or config waits for your confirmation", approval_id=approval.id,
                        summary=changes.headline(), how=f"aegis approvals approve {approval.id} (or aegis reload)")

        try:
            approval = await self.pipeline.confirm(call, verdict, on_pending=on_pending)
        except Exception:  # nothing is applied; the daemon goes on with what runs
            log.exception("asking to confirm a changed policy failed; nothing was applied")
            return
        finally:
            current = self._confirmation is confirmation
            if current:
                self._confirmation = None
        by = f"{approval.decided_by or '?'} via {approval.channel or '?'}"
        if approval.status is ApprovalStatus.APPROVED and current:
            try:
                self._apply(snapshot)
            except (AegisError, RequestError) as exc:
                log.error("an approved change could not be applied", error=str(exc))
                await self.pipeline.note("config.reload_failed", {"by": by, "trigger": trigger,
                                                                  "approval_id": approval.id, "error": str(exc)})
                return
            await self.pipeline.note("config.reloaded", {"by": by, "trigger": trigger, "approval_id": approval.id,
                                                         "changes": changes.to_dict()})
        else:
            await self.pipeline.note("config.reload_declined", {"by": by, "trigger": trigger,
                                                                "approval_id": approval.id,
                                                                "status": approval.status.value,
                                                                "summary": changes.headline()})

    def _drop_confirmation(self, reason: str) -> str | None:
        """Cancel the confirmation a SIGHUP asked for, if one waits; its id."""
        confirmation, self._confirmation = self._confirmation, None
        if confirmation is None or confirmation.approval_id is None:
            return None
        if self._tasks is not None:
            self._tasks.start_soon(self.pipeline.cancel, confirmation.approval_id, reason, "aegis")
        return confirmation.approval_id

    async def _run_channel(self, name: str, channel: Any) -> None:
        try:
            await channel.run(self.hub)
        except anyio.get_cancelled_exc_class():
            raise
        except Exception as exc:  # a broken channel must not take the daemon down
            self.channel_errors[name] = f"{type(exc).__name__}: {exc}"
            log.exception("channel stopped with an error", channel=name)
            with suppress(Exception):
                await self.pipeline.note("channel.failed", {"channel": name, "error": self.channel_errors[name]})

    async def _end_orphaned_sessions(self) -> None:
        while True:
            await anyio.sleep(ORPHAN_CHECK_SECONDS)
            for session in self.sessions.orphans():
                await self._close_session(session.id, None, reason="its `aegis wrap` process is gone")

    # -- sockets ------------------------------------------------------------------

    async def _open(self, endpoint: Endpoint) -> None:
        path = Path(endpoint.path)
        await self._take_back(path)
        sock = _listen(path)
        inode: tuple[int, int] | None = None
        with suppress(OSError):
            stat = os.stat(path)
            inode = (stat.st_dev, stat.st_ino)
        listener = Listener(sock, lambda client: self._connected(client, endpoint))
        self._listening[endpoint.path] = _Listening(endpoint, listener, inode)

    async def _take_back(self, path: Path) -> None:
        """Before binding: if something already answers on ``path`` (we hold the pid
        file's lock, so it is not an Aegis daemon), say so; binding replaces it. The
        probe (a connect that may wait up to a second) runs in a worker thread: the
        event loop keeps answering the sockets already open meanwhile."""
        listening, pid = await anyio.to_thread.run_sync(_listener_on, path)
        if not listening:
            return
        log.warning("another program was listening on Aegis' socket; taking it back", socket=str(path), pid=pid)
        await self.pipeline.note("socket.taken_back", {"socket": str(path), "pid": pid})

    async def _close(self, path: str) -> None:
        listening = self._listening.pop(path, None)
        if listening is None:
            return
        with suppress(Exception):
            listening.listener.close()
        with suppress(OSError):
            stat = os.stat(path)
            if (stat.st_dev, stat.st_ino) == listening.inode:  # still ours, not a replacement
                os.unlink(path)

    # -- requests -----------------------------------------------------------------

    def _connected(self, client: socket.socket, endpoint: Endpoint) -> None:
        """A client connected (called from the listener's selector callback): its
        handler starts once its request line is complete, or at once for a peer of
        another user, who is refused."""
        peer = peer_of(client)
        connection = Connection(asyncio.get_running_loop(), client)
        if peer.uid is not None and peer.uid != os.getuid():
            connection.start()
            self._serve(connection, peer, endpoint)
            return

        def line_ready(connection: Connection) -> None:
            if connection.line is None and connection.hung_up_early:
                connection.close()  # gone before saying anything: nothing to answer
            else:
                self._serve(connection, peer, endpoint)

        connection.start(line_ready)

    def _serve(self, connection: Connection, peer: Peer, endpoint: Endpoint) -> None:
        task = asyncio.get_running_loop().create_task(self._handle(connection, peer, endpoint))
        self._connections.add(task)
        task.add_done_callback(self._connections.discard)

    async def _end_connections(self) -> None:
        """At stop: cancel the handlers still running and let them finish (bounded).
        No handler holds a shielded transition of its own (a hang-up watcher's is in
        its own task, awaited shielded), so a task's own cancel is as safe here as a
        scope's and costs nothing per connection."""
        if not self._connections:
            return
        for task in self._connections:
            task.cancel()
        with anyio.move_on_after(5, shield=True):
            await asyncio.wait(list(self._connections))

    async def _handle(self, connection: Connection, peer: Peer, endpoint: Endpoint) -> None:
        try:
            await self._answer(connection, peer, endpoint)
        finally:
            connection.close()

    async def _answer(self, stream: Connection, peer: Peer, endpoint: Endpoint) -> None:
        request: dict[str, Any] = {}
        context: Caller | None = None
        try:
            if peer.uid is not None and peer.uid != os.getuid():
                await self.pipeline.note("connection.refused", {"uid": peer.uid, "reason": "different user",
                                                                "socket": endpoint.describe()})
                # Let the request arrive first, so the client reads the refusal
                # rather than a broken pipe; it is never looked at.
                with anyio.move_on_after(2), suppress(Exception):
                    await stream.request_line()
                await protocol.send(stream, protocol.error("connections from other users are refused",
                                                           ExitCode.SECURITY))
                return
            context = Caller(endpoint, peer, stream)
            request = protocol.parse_request(await stream.request_line())
            response = await self._dispatch(request, context)
        except RequestError as exc:
            response = protocol.error(str(exc), exc.code)
        except AegisError as exc:
            response = protocol.error(str(exc), exc.exit_code)
        except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError):
            return
        except Exception as exc:
            log.exception("request failed")
            response = protocol.error(f"internal error ({type(exc).__name__}); see `aegis logs`", ExitCode.ERROR)
        with suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
            if context is not None and context.answered:  # the line (and its proof) already left
                if context.unsent:
                    await stream.send(context.unsent)
            else:
                await protocol.send(stream, protocol.proven(response, request, self._proof_token(context)))
        if context is not None and context.after_reply is not None:
            context.after_reply()

    def _early_answer(self, request: Mapping[str, Any], context: Caller) -> Callable[[Answer], None] | None:
        """How an allow is answered from the recorder's writer thread the moment its
        record is on disk (aegis_core.recorder), instead of after the hop back to this
        event loop and its turns through the pipeline: the line the client would get
        anyway (its proof included), sent without blocking; what the socket does not
        take at once is left for _handle. Nothing was sent on this connection before
        (an allow answered early never waited on a human), so nothing can overtake."""
        raw = context.raw
        token = self._proof_token(context)

        def answer(early: Answer) -> None:
            line = protocol.encode(protocol.proven(early.to_response(), request, token))
            try:
                sent = raw.send(line)
            except BlockingIOError:
                sent = 0
            except OSError:  # the client is gone: nobody left to answer
                sent = len(line)
            context.unsent = line[sent:]
            context.answered = True

        return answer

    def _proof_token(self, context: Caller | None) -> str | None:
        """The token the reply proves knowledge of: the session the socket is bound to,
        else the session the request proved it speaks for."""
        if context is None:
            return None
        if context.endpoint.session:
            bound = self.sessions.get(context.endpoint.session)
            return bound.token if bound else None
        return context.session.token if context.session else None

    async def _dispatch(self, request: dict[str, Any], context: Caller) -> dict[str, Any]:
        op = request.get("op")
        if not isinstance(op, str) or op not in self._handlers:
            raise protocol.unknown_op(op)
        handler = self._handlers[op]
        if not context.endpoint.serves(op):
            await self.pipeline.note("request.refused", {
                "op": op, "socket": context.endpoint.describe(), "pid": context.peer.pid,
                "approval_id": request.get("approval_id"),
            }, context.endpoint.session)
            raise protocol.refused_here(op, context.endpoint)
        return await handler(request, context)

    async def _authenticate(self, request: Mapping[str, Any], context: Caller) -> Session | None:
        try:
            context.session = self.sessions.authenticate(request, context.endpoint.session)
        except RequestError as exc:
            await self.pipeline.note("session.bad_token", {
                "session": request.get("session") or context.endpoint.session,
                "socket": context.endpoint.describe(), "error": str(exc)})
            raise
        return context.session

    # -- agent operations -----------------------------------------------------------

    async def _ping(self, request: dict[str, Any], context: Caller) -> dict[str, Any]:
        if request.get("session") or context.endpoint.session:
            await self._authenticate(request, context)
        return protocol.reply(version=__version__, pid=os.getpid())

    async def _judge(self, request: dict[str, Any], context: Caller) -> dict[str, Any]:
        try:
            session = await self._authenticate(request, context)
        except RequestError as exc:
            return protocol.denial(f"Aegis refused this call: {exc}.", rule="bad-session")
        # Not an object: the pipeline records the call as malformed.
        payload: Any = request.get("payload")
        agent_input = AgentInput(adapter=str(request.get("adapter") or ""), payload=payload,
                              session=session.id if session else "")
        stream = context.stream
        pending: list[str] = []
        watcher: asyncio.Task[None] | None = None
        watching: anyio.CancelScope | None = None

        async def on_pending(approval: Approval) -> None:
            nonlocal watcher, watching
            pending.append(approval.id)
            with suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
                await protocol.send(stream, {**protocol.pending(approval.id, approval.deadline_at),
                                             "channels": self.pipeline.channels})
            if watcher is None:  # from now on the client's hang-up or its dialog matters
                watching = anyio.CancelScope()
                watcher = asyncio.get_running_loop().create_task(watch(watching))

        async def watch(scope: anyio.CancelScope) -> None:
            with scope:
                await watch_client()

        result: dict[str, Any] = {}

        async def watch_client() -> None:
            # A client that hangs up (the agent was interrupted) cancels its approval.
            # One that says its dialog closed first (Claude Code ends its
            # PermissionRequest hook when the dialog is answered No, or Esc) was answered
            # there: denied via terminal. Whatever it sent before the approval was
            # pending waits in the socket's buffer, so nothing is missed by starting here.
            said = b""
            with suppress(anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError):
                while chunk := await context.stream.receive(4096):
                    said = (said + chunk)[-4096:]
            await anyio.sleep(0.05)  # let a decision that just landed win
            if result or not pending:
                return
            # Shielded: ending the approval wakes the decision, which cancels this task;
            # the transition (store, audit, channels told) must complete all the same.
            with anyio.CancelScope(shield=True):
                # Under "update", or "event" from an older hook client.
                if b'"dialog_closed"' in said and session is not None:
                    await self.pipeline.answer_at_terminal(
                        session.id, Outcome.DENY, approval=pending[-1], by=_user(),
                        reason="closed in the agent's own dialog without Yes (No, Esc or an interrupt)")
                else:
                    await self.pipeline.cancel(pending[-1], "the agent stopped waiting (its hook was "
                                               "interrupted)", "adapter")

        # The decision runs in this task; a call that is answered without a human (nearly
        # all of them) never starts a second one (nor the task group it would need).
        try:
            answer = await self.pipeline.handle(agent_input, on_pending=on_pending,
                                                early=self._early_answer(request, context))
            result.update(answer.to_response())
        finally:
            if watcher is not None and watching is not None:
                watching.cancel()
                with anyio.CancelScope(shield=True):
                    await watcher
        return result or protocol.denial("the client went away", risk=0)

    async def _observe(self, request: dict[str, Any], context: Caller) -> dict[str, Any]:
        session = await self._authenticate(request, context)
        payload = request.get("payload")
        if not isinstance(payload, dict):
            raise RequestError("observe needs a JSON object payload")
        call = self.plugins.intercept(AgentInput(adapter=str(request.get("adapter") or ""),
                                               payload=payload, session=session.id if session else ""))
        if call is not None:
            await self.pipeline.observe(call)
        return protocol.reply()

    async def _cancel(self, request: dict[str, Any], context: Caller) -> dict[str, Any]:
        approval_id = _text(request, "approval_id")
        if context.endpoint.role == AGENT:
            session = await self._authenticate(request, context)
            approval = self.store.get_approval(approval_id)
            # An agent withdraws its own requests only: on a session's socket, that
            # session's; on the shared socket, those of sessions not wrapped here.
            own = approval is not None and (approval.session == session.id if session
                                            else self.sessions.get(approval.session) is None)
            if not own:
                await self.pipeline.note("request.refused", {"op": "approval.cancel", "approval_id": approval_id,
                                                             "socket": context.endpoint.describe(),
                                                             "pid": context.peer.pid,
                                                             "why": "not an approval of this session"},
                                         session.id if session else None)
                raise RequestError(f"approval {approval_id} is not one of this session's", ExitCode.SECURITY)
        result = await self.pipeline.cancel(approval_id, str(request.get("reason") or "cancelled"),
                                            str(request.get("by") or "adapter"))
        return protocol.resolution(result)

    # -- operator operations --------------------------------------------------------

    async def _resolve(self, request: dict[str, Any], context: Caller) -> dict[str, Any]:
        outcome = request.get("outcome")
        if outcome not in ("approve", "deny"):
            raise RequestError("outcome must be approve or deny")
        if request.get("channel") == "terminal" and request.get("session"):
            # `aegis wrap`'s relay read the answer typed in the agent's own dialog or
            # prompt; the dialog shows only the start of the approval id.
            session = await self._authenticate(request, context)
            if session is None:
                raise RequestError("an answer at the terminal names its session")
            return protocol.resolution(await self.pipeline.answer_at_terminal(
                session.id, Outcome(outcome), approval=str(request.get("approval_id") or ""),
                choice=request.get("choice"), reason=str(request.get("reason") or ""),
                by=str(request.get("by") or _user())))
        if request.get("channel") not in (None, "cli"):
            # Only the terminal relay (above, with its session) speaks for another channel:
            # a client claiming to relay a Telegram user's answer would be a second
            # "person" for a two-person rule, and the terminal skips team rules.
            raise RequestError("an answer on this socket is the CLI's (channel cli); channels answer in the "
                               "daemon, the agent's terminal through its session", ExitCode.SECURITY)
        scope = Scope.SESSION if request.get("scope") == "session" else Scope.ONCE
        identity = self._operator_identity(context)
        # Named by the account the socket's peer runs as, not the "by" it claims ($USER
        # is the caller's to set): the record says who answered.
        account = identity.removeprefix("cli:").rpartition("@")[0]
        decision = Decision(Outcome(outcome), decided_by=account, channel="cli",
                            reason=str(request.get("reason") or ""), scope=scope, choice=request.get("choice"),
                            identity=identity)
        return protocol.resolution(await self.pipeline.resolve(_text(request, "approval_id"), decision))

    def _operator_identity(self, context: Caller) -> str:
        """Who answers at this machine's CLI, as team and two-person rules see them:
        the account the socket's peer runs as (not a name the request claims), on
        this machine."""
        import pwd

        uid = context.peer.uid if context.peer.uid is not None else os.getuid()
        try:
            user = pwd.getpwuid(uid).pw_name
        except KeyError:
            user = str(uid)
        return f"cli:{user}@{self.pipeline.approvals.machine}"

    async def _create_session(self, request: dict[str, Any], context: Caller) -> dict[str, Any]:
        wrapper = request.get("pid")
        timeout = request.get("approval_timeout")
        if timeout is not None and (not isinstance(timeout, int | float) or isinstance(timeout, bool)
                                    or timeout <= 0):
            raise RequestError("approval_timeout must be a positive number of seconds")
        sandbox = session_sandbox(request.get("sandbox"))
        interactive = request.get("interactive") is not False  # e.g. claude -p: no dialog to show
        session = self.sessions.create(agent=str(request.get("agent") or "unknown"),
                                       cwd=str(request.get("cwd") or ""),
                                       command=redact_text(str(request.get("command") or "")),
                                       wrapper_pid=wrapper if isinstance(wrapper, int) else None,
                                       approval_timeout_s=float(timeout) if timeout is not None else None,
                                       sandbox=sandbox)
        try:
            await self._open(Endpoint(AGENT, str(session.agent_socket), session.id))
            proxy = await self.network.open(session.id, session.run_dir, agent=session.agent,
                                            cwd=str(request.get("cwd") or ""))
        except BaseException:
            await self._close_session(session.id, None, reason="it could not be opened")
            raise
        if not interactive:
            self.pipeline.headless.add(session.id)
        _allow_agent_hosts(self.network.gate(session.id), sandbox)
        await self.pipeline.note("session.created", {"agent": request.get("agent"), "cwd": request.get("cwd"),
                                                     "command": request.get("command"), "sandbox": sandbox,
                                                     "approval_timeout_s": timeout,
                                                     "run_dir": str(session.run_dir)}, session.id)
        return protocol.reply(session=session.id, token=session.token, run_dir=str(session.run_dir),
                              agent_socket=str(session.agent_socket), proxy_socket=str(proxy),
                              daemon_pid=os.getpid(), daemon_start=process_start(os.getpid()))

    async def _end_session(self, request: dict[str, Any], context: Caller) -> dict[str, Any]:
        session = await self._authenticate(request, context)
        if session is None:
            raise RequestError("session.end needs a session and its token")
        notes = request.get("sandbox_notes")
        await self._close_session(session.id, request.get("exit_status"),
                                  sandbox_notes=notes if isinstance(notes, list) else None)
        return protocol.reply()

    async def _note_session(self, request: dict[str, Any], context: Caller) -> dict[str, Any]:
        """``aegis wrap`` records what its sandbox noticed while the agent runs (e.g. a
        planted submodule whose config runs a command): in the audit log at once."""
        session = await self._authenticate(request, context)
        if session is None:
            raise RequestError("session.note needs a session and its token")
        notes = request.get("sandbox_notes")
        if not isinstance(notes, list) or not notes:
            raise RequestError("session.note needs sandbox_notes: a list of plain-words notes")
        await self.pipeline.note("session.sandbox_warning",
                                 {"sandbox_notes": [str(note)[:500] for note in notes[:20]]}, session.id)
        return protocol.reply()

    async def _note_restored(self, request: dict[str, Any], context: Caller) -> dict[str, Any]:
        """``aegis sandbox restore`` (operator socket only) records each file it put
        back, or left in the quarantine and why, before saying it is done."""
        session, files = request.get("session"), request.get("files")
        if not isinstance(session, str) or not isinstance(files, list) or not files:
            raise RequestError("sandbox.restored needs session and files: a list of {path, outcome}")
        shown = [{"path": str(f.get("path", ""))[:500], "outcome": str(f.get("outcome", ""))[:200]}
                 for f in files[:200] if isinstance(f, dict)]
        await self.pipeline.note("sandbox.restored", {"quarantine": session[:100], "files": shown}, session[:100])
        return protocol.reply()

    async def _close_session(self, session_id: str, exit_status: Any, *, reason: str | None = None,
                             sandbox_notes: list[Any] | None = None) -> None:
        """Stop serving a session's sockets, remove its run directory, record the end."""
        session = self.sessions.get(session_id)
        if session is None:
            return
        await self._close(str(session.agent_socket))
        with suppress(Exception):
            await self.network.close(session_id)
        self.sessions.end(session_id, exit_status)
        self.pipeline.headless.discard(session_id)
        details: dict[str, Any] = {"exit_status": exit_status}
        if reason:
            details["reason"] = reason
        if sandbox_notes:  # a sandbox limit stopped something
            details["sandbox_notes"] = [str(note)[:500] for note in sandbox_notes[:20]]
        await self.pipeline.note("session.ended", details, session_id)

    async def _model_endpoint(self, request: dict[str, Any], context: Caller) -> dict[str, Any]:
        """``aegis wrap`` hands over the agent's model API key (held in memory only),
        or, with no key, names the API's host so the session may reach it. Operator
        socket only: on an agent socket it would let the agent open any host."""
        session = await self._authenticate(request, context)
        if session is None:
            raise RequestError("network.endpoint needs a session and its token")
        key = request.get("key")
        api = ModelApi(name=_text(request, "name"), key_env="", base_url_env="", default_base_url="",
                       header=_text(request, "header"), scheme=str(request.get("scheme") or ""))
        if not api.name.isidentifier() or not api.header.replace("-", "").isalnum():
            raise RequestError("name must be a word and header a header name")
        try:
            base_url = self.network.add_model_api(session.id, api, _text(request, "base_url"),
                                                  key if isinstance(key, str) and key else None)
        except HostError as exc:
            raise RequestError(f"base_url: {exc}", ExitCode.CONFIG) from exc
        except KeyError as exc:
            raise RequestError(f"session {session.id} has no egress proxy; run the agent through `aegis wrap` "
                               "again") from exc
        await self.pipeline.note("network.model_api", {"name": api.name, "base_url": request.get("base_url"),
                                                       "key_held": bool(key)}, session.id)
        return protocol.reply(base_url=base_url)

    async def _resume(self, request: dict[str, Any], context: Caller) -> dict[str, Any]:
        resumed = await self.resume_session(_text(request, "session"), by=str(request.get("by") or "cli"))
        return protocol.reply(resumed=resumed)

    async def _status(self, request: dict[str, Any], context: Caller) -> dict[str, Any]:
        return protocol.reply(**self.status())

    async def _reload(self, request: dict[str, Any], context: Caller) -> dict[str, Any]:
        return protocol.reply(**await self.reload_now(by=str(request.get("by") or "cli"),
                                                      dry_run=bool(request.get("dry_run"))))

    async def _stop(self, request: dict[str, Any], context: Caller) -> dict[str, Any]:
        await self.pipeline.note("daemon.stop_requested", {"by": str(request.get("by") or "cli"),
                                                           "pid": context.peer.pid})
        context.after_reply = self.stop  # answer first: the shutdown cancels this handler
        return protocol.reply(stopping=True, pid=os.getpid())

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

    async def _watch(self, request: dict[str, Any], context: Caller) -> dict[str, Any]:
        """Stream the session's approvals as they are asked and answered, until the
        client hangs up or the daemon stops (``aegis wrap`` tells the user)."""
        session = await self._authenticate(request, context)
        if session is None:
            raise RequestError("session.watch needs a session and its token")
        send, receive = self.watchers.watch(session.id)
        stream = context.stream
        try:
            async with anyio.create_task_group() as tasks:
                async def forward() -> None:
                    async with receive:
                        async for line in receive:
                            await protocol.send(stream, line)

                async def until_hangup() -> None:
                    with suppress(anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError):
                        while await stream.receive():
                            pass
                    tasks.cancel_scope.cancel()

                tasks.start_soon(forward)
                tasks.start_soon(until_hangup)
                await self._stopping.wait()
                tasks.cancel_scope.cancel()
        finally:
            self.watchers.stop(session.id, send)
        return protocol.reply()

    def _channel_status(self, name: str) -> dict[str, Any]:
        """Running, and how its last real attempt to reach a user went (health)."""
        health = _health(self.channels.channels.get(name))
        running = name not in self.channel_errors
        error = self.channel_errors.get(name)
        if running and health and health.get("state") == "failing":
            error = health.get("last_error")
        return {"running": running, "error": error, "health": health}

    def status(self) -> dict[str, Any]:
        head = self.audit_head()
        return {
            "running": True,
            "pid": os.getpid(),
            "version": __version__,
            "socket": str(self.socket_path),
            "agent_socket": str(self.agent_socket_path),
            "started_at": self.started_at,
            "uptime_s": round(time.time() - self.started_at, 1) if self.started_at else 0,
            "channels": {name: self._channel_status(name) for name in self.channel_names},
            "sessions": [session.describe() for session in self.sessions],
            "pending": self._pending_count(),
            "fleet": self.fleet.status() if self.fleet is not None else None,
            "waiting": self.pipeline.waiting_count(),
            "decisions": self.pipeline.decisions,
            # Group commit: how many writes (one fsync each) the records took so far.
            "records": {"batches": self.recorder.batches, "largest_batch": self.recorder.largest,
                        "sessions_remembered": len(self.pipeline.history)},
            "audit_head": {"seq": head[0], "hash": head[1]} if head else None,
            "pending_change": ({"approval_id": self._confirmation.approval_id}
                               if self._confirmation is not None else None),
        }

    def _pending_count(self) -> int | None:
        try:
            return len(self.store.list_approvals(status="pending"))
        except AegisError:  # the fleet store is down: status still answers
            return None


def _health(channel: Any) -> dict[str, Any] | None:
    """The channel's own account of its last delivery attempt, if it keeps one."""
    health = getattr(channel, "health", None)
    if not callable(health):
        return None
    try:
        return dict(health())
    except Exception as exc:  # a status query must not fail on a plugin
        return {"state": "failing", "last_error": f"health() failed: {type(exc).__name__}"}


def _user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "user"


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



def _listener_on(path: Path, timeout: float = 1.0) -> tuple[bool, int | None]:
    """Whether something listens on the socket file ``path``, and its pid when the
    kernel says (blocking: call it from a worker thread)."""
    if not path.exists():
        return False, None
    try:
        address, directory = reachable(path)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(timeout)
            try:
                probe.connect(address)
            finally:
                if directory is not None:
                    os.close(directory)
            credentials = peer_credentials(probe)
    except OSError:
        return False, None  # a dead socket file: nothing listens
    return True, credentials[0] if credentials else None


def _listen(path: Path) -> socket.socket:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with suppress(FileNotFoundError):
        path.unlink()  # the caller has made sure no live daemon owns it
    address, directory = reachable(path)
    old = os.umask(0o177)  # the socket is born 0600: no window where others may connect
    try:
        sock = listen(address)
    finally:
        os.umask(old)
        if directory is not None:
            os.close(directory)
    os.chmod(path, 0o600)
    return sock


def _text(request: Mapping[str, Any], key: str) -> str:
    value = request.get(key)
    if not isinstance(value, str) or not value:
        raise RequestError(f"{key} is required")
    return value
