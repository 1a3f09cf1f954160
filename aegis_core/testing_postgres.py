"""A throwaway PostgreSQL server for tests (Aegis' own and plugins'): ``initdb`` into
a fresh folder, ``pg_ctl`` on a loopback port and a Unix socket of its own, a role
and a database for Aegis, and everything removed afterwards. No docker.

``initdb`` and ``postgres`` refuse to run as root, so as root the server runs as the
``postgres`` account (Debian's package creates it) through ``runuser``; as an
ordinary user it simply runs as that user. The server binaries are looked for in
``$AEGIS_PG_BIN``, then Debian's ``/usr/lib/postgresql/<version>/bin``, then PATH.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ROLE = "aegis"
DATABASE = "aegis"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries here (tests that need one skip, CI installs it)."""


def server_binaries() -> Path:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``."""
    candidates = [os.environ.get("AEGIS_PG_BIN", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    found = shutil.which("initdb")
    if found:
        candidates.append(str(Path(found).parent))
    for folder in candidates:
        if folder and (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    raise PostgresUnavailable("PostgreSQL's server binaries (initdb, pg_ctl) are not installed; "
                              "on Debian: apt-get install postgresql")


def _version_key(path: str) -> int:
    try:
        return int(Path(path).parent.name.split(".")[0])
    except ValueError:
        return 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ThrowawayPostgres:
    """One PostgreSQL server in a temporary folder. ``start()`` it (or use it as a
    context manager); ``url`` is what ``[store] url`` takes (with the role's password),
    ``admin_url`` a superuser connection over the Unix socket."""

    def __init__(self, *, fsync: bool = False) -> None:
        self.bin = server_binaries()
        self.as_root = os.geteuid() == 0
        self.fsync = fsync
        self.password = secrets.token_urlsafe(12)
        self.port = 0
        self.folder = Path(tempfile.mkdtemp(prefix="aegis-pg-"))
        self.data = self.folder / "data"
        self.sockets = self.folder / "sockets"
        self.logfile = self.folder / "server.log"
        self.running = False

    # -- the URLs --------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"postgresql://{ROLE}:{self.password}@127.0.0.1:{self.port}/{DATABASE}"

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@/{DATABASE}?host={self.sockets}&port={self.port}"

    def url_for(self, database: str) -> str:
        return f"postgresql://{ROLE}:{self.password}@127.0.0.1:{self.port}/{database}"

    # -- running it --------------------------------------------------------------------

    def _run(self, *argv: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / argv[0]), *argv[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check, timeout=timeout,
                              cwd=str(self.folder), env={**os.environ, "LC_ALL": "C"})

    def start(self) -> ThrowawayPostgres:
        if not self.data.exists():
            self._initdb()
        if not self.port:
            self.port = free_port()
        options = (f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 "
                   f"-c fsync={'on' if self.fsync else 'off'} -c max_connections=200 "
                   "-c shared_buffers=32MB")
        result = self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.logfile),
                           "-o", options, check=False)
        if result.returncode != 0:
            log = self.logfile.read_text(errors="replace")[-2000:] if self.logfile.exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {result.stderr.strip()} {log}")
        self.running = True
        if not (self.folder / ".provisioned").exists():
            self._provision()
        return self

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``immediate`` is a crash: no clean shutdown)."""
        if self.running:
            self._run("pg_ctl", "stop", "-w", "-m", mode, "-D", str(self.data), check=False)
            self.running = False

    def restart(self) -> None:
        """Start again on the same port and data (after :meth:`stop`)."""
        self.start()

    def cleanup(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> ThrowawayPostgres:
        try:
            return self.start()
        except BaseException:
            self.cleanup()
            raise

    def __exit__(self, *exc: object) -> None:
        self.cleanup()

    def create_database(self, name: str) -> str:
        """A fresh database owned by the Aegis role; returns its URL."""
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" OWNER {ROLE}')
        return self.url_for(name)

    # -- plumbing --------------------------------------------------------------------

    def _initdb(self) -> None:
        self.sockets.mkdir(mode=0o700)
        if self.as_root:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise PostgresUnavailable("running as root needs the postgres account "
                                          "(Debian's postgresql package creates it)") from exc
            for path in (self.folder, self.sockets):
                os.chown(path, account.pw_uid, account.pw_gid)
        os.chmod(self.folder, 0o711)  # noqa: S103 - the client (root) reaches the socket folder inside
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-E", "UTF8", "--no-sync",
                  "--auth-local=trust", "--auth-host=scram-sha-256")

    def _provision(self) -> None:
        import psycopg
        from psycopg import sql

        deadline = time.monotonic() + 30
        while True:
            try:
                conn = psycopg.connect(f"postgresql://postgres@/postgres?host={self.sockets}&port={self.port}",
                                       autocommit=True)
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        with conn:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(ROLE), sql.Literal(self.password)))
            conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(DATABASE),
                                                                      sql.Identifier(ROLE)))
        (self.folder / ".provisioned").touch()


__all__ = ["DATABASE", "ROLE", "PostgresUnavailable", "ThrowawayPostgres", "free_port", "server_binaries"]
