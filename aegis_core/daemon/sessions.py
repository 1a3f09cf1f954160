"""Wrapped sessions as the daemon knows them: each one's token (in memory only), its
run directory (``$AEGIS_HOME/run/<session>/``, 0700, holding its agent socket and
proxy socket) and the ``aegis wrap`` process that runs it.

A session lives as long as this daemon process: run directories are removed at
``session.end``, at daemon stop, and (left by a daemon that died) at daemon start.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aegis_core.daemon.process import alive
from aegis_core.daemon.protocol import RequestError
from aegis_core.errors import ExitCode
from aegis_core.sockets import AGENT_SOCKET, PROXY_SOCKET, client_mac, run_dir, run_root, same
from aegis_core.store import Store


@dataclass(frozen=True)
class Session:
    id: str
    token: str
    agent: str
    run_dir: Path
    wrapper_pid: int | None = None
    cwd: str = ""
    sandbox: Mapping[str, Any] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        """What ``status`` shows of a running session (never its token)."""
        return {"session": self.id, "agent": self.agent, "cwd": self.cwd, "sandbox": dict(self.sandbox)}

    @property
    def agent_socket(self) -> Path:
        return self.run_dir / AGENT_SOCKET

    @property
    def proxy_socket(self) -> Path:
        return self.run_dir / PROXY_SOCKET


class Sessions:
    """The wrapped sessions of this daemon process."""

    def __init__(self, store: Store, home: Path) -> None:
        self.store = store
        self.home = home
        self._open: dict[str, Session] = {}

    def __iter__(self) -> Iterator[Session]:
        return iter(list(self._open.values()))

    def __len__(self) -> int:
        return len(self._open)

    def get(self, session: str) -> Session | None:
        return self._open.get(session)

    def create(self, *, agent: str, cwd: str, command: str, wrapper_pid: int | None,
               approval_timeout_s: float | None = None, sandbox: Mapping[str, Any] | None = None) -> Session:
        """Open a session: its token, its run directory (0700) and its database row
        (``command`` already redacted)."""
        session_id = "s-" + secrets.token_hex(6)
        token = secrets.token_urlsafe(24)
        directory = run_dir(self.home, session_id)
        _private_dir(run_root(self.home))
        _private_dir(directory)
        # The database keeps only the token's hash: a record of the session, never a
        # way in (only sessions open in this daemon are accepted).
        self.store.create_session(session_id, agent=agent, token_hash=hashlib.sha256(token.encode()).hexdigest(),
                                  cwd=cwd, command=command, approval_timeout_s=approval_timeout_s)
        session = Session(session_id, token, agent, directory, wrapper_pid if (wrapper_pid or 0) > 1 else None,
                          cwd, dict(sandbox or {}))
        self._open[session_id] = session
        return session

    def end(self, session_id: str, exit_status: Any = None) -> Session | None:
        session = self._open.pop(session_id, None)
        if session is not None:
            shutil.rmtree(session.run_dir, ignore_errors=True)
            self.store.end_session(session_id, exit_status if isinstance(exit_status, int) else None)
        return session

    def orphans(self) -> list[Session]:
        """Sessions whose ``aegis wrap`` is gone (killed before it could end them)."""
        return [s for s in self._open.values() if s.wrapper_pid is not None and not alive(s.wrapper_pid)]

    def remove_stale(self) -> list[str]:
        """At start: run directories left by a daemon that is gone. Their sockets died
        with it; the sessions are over. Returns their ids."""
        root = run_root(self.home)
        stale = []
        if root.is_dir():
            for entry in sorted(root.iterdir()):
                if entry.name in self._open:
                    continue
                shutil.rmtree(entry, ignore_errors=True)
                if entry.is_symlink() or entry.is_file():
                    entry.unlink(missing_ok=True)
                stale.append(entry.name)
                row = self.store.get_session(entry.name)
                if row is not None and row.get("ended_at") is None:
                    self.store.end_session(entry.name, None)
        return stale

    def authenticate(self, request: Mapping[str, Any], bound: str | None = None) -> Session | None:
        """The session a request speaks for, proven by its token (``token``) or by a MAC
        of it over the request's nonce (``nonce`` + ``mac``: the token never travels).

        ``bound`` is the session of the agent socket the request came in on: the
        request speaks for it (naming another one is refused). A request with no
        session on the operator or shared agent socket speaks for none (None)."""
        named = request.get("session")
        if bound is not None and named not in (None, "", bound):
            raise RequestError(f"this socket belongs to session {bound}, not {named}", ExitCode.SECURITY)
        session_id = bound or (str(named) if named else "")
        if not session_id:
            return None
        session = self._open.get(session_id)
        if session is None:
            raise RequestError(f"session {session_id} is not open (it ended, or the Aegis daemon restarted "
                               "since it began); start the agent again with `aegis wrap`", ExitCode.SECURITY)
        nonce, mac, token = request.get("nonce"), request.get("mac"), request.get("token")
        if isinstance(nonce, str) and nonce and mac is not None:
            if same(mac, client_mac(session.token, nonce)):
                return session
        elif token is not None and same(token, session.token):
            return session
        raise RequestError(f"session {session_id}: wrong or missing token; start the agent again with "
                           "`aegis wrap`", ExitCode.SECURITY)


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, exist_ok=True)
    if path.is_symlink() or not path.is_dir():
        raise RequestError(f"{path} is not a directory; remove it and try again", ExitCode.PERMISSION)
    os.chmod(path, 0o700)
