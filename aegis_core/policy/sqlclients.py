"""What a database client does besides the statements on its command line: the files
it writes by its own commands (sqlite3's ``.output``/``.once``/``.backup``/``.save``,
``.restore`` over the database, psql's ``\\o``/``\\copy ... to``, ``COPY ... TO``,
mysql's ``tee``/``INTO OUTFILE``, ``VACUUM INTO``), and the SQL files it runs
(``psql -f drop_all.sql``, ``mysql < reset.sql``, ``sqlite3 db '.read wipe.sql'``,
``\\i``, ``source``). A file is judged by its name when that says it destroys
(drop, reset, wipe, teardown, down...) and by its content when it is on disk; the
shell escapes (``.shell``, ``\\!``, ``system``, ``COPY ... PROGRAM``) are followed as
commands in ``embedded.py``."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from aegis_core.policy.filetext import file_text
from aegis_core.policy.netchecks import SQL_DESTRUCTIVE
from aegis_core.policy.paths import normalise
from aegis_core.policy.places import is_disposable, valuable

if TYPE_CHECKING:
    from aegis_core.policy.facts import Subject
    from aegis_core.policy.shell import Segment

SQL_FILE_CLIENTS = frozenset({"psql", "mysql", "mariadb", "sqlite3", "duckdb", "sqlcmd", "clickhouse-client",
                              "cockroach", "cqlsh", "mongosh", "mongo", "pgcli", "mycli", "litecli", "redis-cli"})
# Options naming a file of statements to run, per client.
_FILE_OPTIONS = {"psql": ("-f", "--file"), "sqlcmd": ("-i",), "cqlsh": ("-f", "--file"),
                 "clickhouse-client": ("--queries-file",), "mongosh": ("--file", "-f"),
                 "sqlite3": ("-init",), "duckdb": ("-init",), "cockroach": ("--file", "-f"),
                 "pgcli": (), "mycli": (), "litecli": (), "prisma": ("--file",), "wrangler": ("--file",)}
# Framework and platform tools that run a file of statements (`npx prisma db execute
# --file wipe.sql`, `wrangler d1 execute db --file wipe.sql`), found under a runner.
_EXECUTORS = frozenset({"prisma", "wrangler"})
_RUNNERS = frozenset({"npx", "pnpx", "bunx", "pnpm", "yarn", "bun", "npm"})
# Statements or client commands inside the text that run a file ...
_RUNS_FILE = re.compile(r"(?mi)(?:^|[;\s=])(?:\.read|\\i|\\ir|\\include|\\include_relative|source|\\\.)\s+['\"]?"
                        r"([^\s'\";]+)")
# ... and that write one.
_WRITES_FILE = re.compile(
    r"(?mi)(?:^|[;\s])(?:\.output|\.once|\.save|\.backup(?:\s+\w+)?|\.clone|\.excel|\\o|\\out|\\g|\\w|\\write"
    r"|\\T|tee)\s+['\"]?([^\s'\";|]+)"
    r"|\binto\s+(?:outfile|dumpfile)\s+['\"]([^'\"]+)"
    r"|\bvacuum\s+(?:\w+\s+)?into\s+['\"]([^'\"]+)"
    r"|\\copy\s[^\n]*?\bto\s+['\"]?([^\s'\";]+)"
    r"|\bcopy\s[^\n]*?\bto\s+'([^']+)'")
_RESTORE = re.compile(r"(?mi)(?:^|[;\s])\.restore\b")
# A file name that says what it destroys: a word of it, split at anything not a letter.
_DESTROYING_WORDS = frozenset({"drop", "dropall", "dropdb", "reset", "wipe", "truncate", "purge", "nuke", "destroy",
                               "teardown", "clean", "cleanup", "clear", "flush", "delete", "remove", "rollback",
                               "down", "undo", "revert", "erase", "empty", "zap", "kill", "obliterate", "recreate"})
_NAME_WORDS = re.compile(r"[a-z]+")
MAX_SQL_READ = 256 * 1024


def _text(seg: Segment) -> str:
    return "\n".join(seg.argv[1:]) + "\n" + seg.stdin_text


def sql_files_run(seg: Segment) -> list[str]:
    """The files of statements this client runs, as written."""
    texts = list(seg.argv[1:])
    found: list[str] = []
    options = _FILE_OPTIONS.get(seg.program, ())
    for i, text in enumerate(texts):
        option, eq, value = text.partition("=")
        if option in options and option.startswith("--") and eq:
            found.append(value)
        elif text in options and i + 1 < len(texts):
            found.append(texts[i + 1])
        elif seg.program in ("psql", "cqlsh") and text.startswith("-f") and len(text) > 2:
            found.append(text[2:])
    found.extend(target for op, target, _ in seg.redirects if op == "<")
    if seg.program in ("mongosh", "mongo"):
        found.extend(t for t in texts if t.endswith((".js", ".mongodb")))
    found.extend(m.group(1) for m in _RUNS_FILE.finditer(_text(seg)[:16_384]))
    return [f for f in found if f and f != "-"]


def _destroying_name(path: str) -> str | None:
    name = os.path.basename(path).lower()
    words = set(_NAME_WORDS.findall(name))
    found = words & _DESTROYING_WORDS
    return sorted(found)[0] if found else None


def _content(path: str | None) -> str:
    if not path:
        return ""
    return file_text(path, MAX_SQL_READ)


_SQL_FILE = re.compile(r"(?i)\.(?:sql|psql|mysql|cql|ddl|dump)(?:\.(?:gz|bz2|xz|zst|tmpl|j2|in))?$")
_SUBSTITUTIONS = frozenset({"$(...)", "procsub", "`...`"})
_READERS = frozenset({"cat", "zcat", "gunzip", "pv", "bzcat", "xzcat", "head", "tail"})


def _feeders(subject: Subject, seg: Segment) -> list[Segment]:
    """The commands whose output the client reads: piped in, or through a substitution
    or a process substitution (`psql < <(echo ...)`)."""
    segments = subject.analysis.segments if subject.analysis else ()
    fed = set(seg.pipe_from)
    if any(a.dynamic for a in seg.args[1:]) or "$(" in seg.stdin_text or "`" in seg.stdin_text:
        fed.update(s.index for s in segments if s.via in _SUBSTITUTIONS and s.index != seg.index)
    return [segments[i] for i in sorted(fed) if i < len(segments)]


def _fed_by(subject: Subject, seg: Segment) -> list[str]:
    """Files `cat`/`zcat`/`pv` pipe into the client (`cat drop.sql | psql`) or hand it
    through a substitution (`sqlite3 app.db "$(cat wipe.sql)"`)."""
    segments = subject.analysis.segments if subject.analysis else ()
    fed = set(seg.pipe_from)
    # A substitution in its words, its here-string (`<<< "$(cat f)"`) or a process
    # substitution read as its input (`psql < <(cat f)`, parsed as a word `<(...)`).
    if any(a.dynamic for a in seg.args[1:]) or "$(" in seg.stdin_text or "`" in seg.stdin_text:
        fed.update(s.index for s in segments if s.via in _SUBSTITUTIONS and s.index != seg.index)
    out: list[str] = []
    for index in sorted(fed):
        if index >= len(segments):
            continue
        feeder = segments[index]
        words = [t for t in feeder.argv[1:] if not t.startswith("-")]
        out.extend(target for op, target, _ in feeder.redirects if op == "<")
        # A plain reader hands on its files; any other program (sed, awk, envsubst,
        # m4...) hands on a file of statements it transforms.
        out.extend(words if feeder.program in _READERS else [t for t in words if _SQL_FILE.search(t)])
    return out


# Programs that run a client inside a container, a pod or a remote host: the client's
# own words follow (`docker exec -i db psql -U app -f reset.sql`).
_CLIENT_HOSTS = frozenset({"docker", "podman", "nerdctl", "kubectl", "oc", "ssh", "heroku", "fly", "flyctl",
                           "railway", "supabase", "docker-compose"})


# The names client_segment looks for: a segment that names none of them, as its program
# or (by its last part) an argument, runs no client (checks.feature_bits: "sqlclient").
CLIENT_NAMES = SQL_FILE_CLIENTS | _EXECUTORS


def client_segment(seg: Segment) -> Segment | None:
    """The database client ``seg`` runs: itself, or the one a container/pod/host runs."""
    if seg.program in SQL_FILE_CLIENTS:
        return seg
    if (seg.program in _EXECUTORS or seg.program in _RUNNERS) and "execute" in seg.argv:
        for i, arg in enumerate(seg.args):
            if arg.text in _EXECUTORS:
                return replace(seg, args=seg.args[i:], program=arg.text)
        return None
    if seg.program not in _CLIENT_HOSTS:
        return None
    for i, arg in enumerate(seg.args[1:], start=1):
        name = arg.text.rsplit("/", 1)[-1]
        if name in SQL_FILE_CLIENTS:
            return replace(seg, args=seg.args[i:], program=name)
    return None


_PRINTERS = frozenset({"echo", "printf", "cat", "tee"})


def _printed(seg: Segment, segments: tuple[Segment, ...] | list[Segment]) -> str:
    """What ``echo``/``printf``/``cat``/``tee`` print: their words, here-document or
    here-string, and what is piped into them."""
    if seg.program not in _PRINTERS:
        return ""
    own = "" if seg.program in ("cat", "tee") else " ".join(seg.argv[1:])
    fed = [_printed(segments[i], segments) for i in seg.pipe_from if i < len(segments) and i != seg.index]
    return "\n".join([own, seg.stdin_text, *fed])


def written_earlier(subject: Subject, seg: Segment, name: str) -> str:
    """What an earlier command of the same line wrote to the file ``name``
    (`echo 'DROP ...' > x.sql; psql -f x.sql`, `tee x.sql <<< '...'; sqlite3 db < x.sql`)."""
    if subject.analysis is None:
        return ""
    segments = subject.analysis.segments
    target = normalise(name, subject.cwd, subject.home)
    parts = []
    for earlier in segments[:seg.index]:
        names = [t for op, t, _ in earlier.redirects if op in (">", ">>", ">|", "&>")]
        if earlier.program == "tee":
            names += [t for t in earlier.argv[1:] if not t.startswith("-")]
        if any(n == name or normalise(n, subject.cwd, subject.home) == target for n in names):
            parts.append(_printed(earlier, segments))
    return "\n".join(parts)


def _dump_drops(feeder: Segment) -> str | None:
    """What a dump piped into a client drops where it is loaded: `pg_dump --clean` its
    objects, mysqldump its tables (it writes DROP TABLE unless told not to)."""
    texts = feeder.argv[1:]
    if feeder.program in ("pg_dump", "pg_dumpall") and ("-c" in texts or "--clean" in texts):
        return "drops every object it holds before making it again (--clean)"
    if feeder.program in ("mysqldump", "mariadb-dump", "mysqlpump"):
        if "--add-drop-database" in texts:
            return "drops whole databases (--add-drop-database)"
        if not any(t in ("--skip-add-drop-table", "--no-create-info", "-t", "--skip-opt") for t in texts):
            return "drops each table before making it again (mysqldump writes DROP TABLE unless --skip-add-drop-table)"
    return None


def runs_destroying_file(subject: Subject, seg: Segment) -> str | None:
    """A file of statements whose name says it destroys, or whose content (read from
    disk when it is there, or written by an earlier command of the same line) drops,
    truncates or deletes everything."""
    for feeder in _feeders(subject, seg):
        dropping = _dump_drops(feeder)
        if dropping:
            return f"{seg.program} is fed a dump that {dropping}"
        if feeder.program in ("echo", "printf") and feeder.via:  # piped echo: the migrations check reads it
            found = SQL_DESTRUCTIVE.search("\n".join(feeder.argv[1:])[:20_000])
            if found:
                return f"{seg.program} is fed {' '.join(found.group(0).split())[:60]!r}"
    for written in [*sql_files_run(seg), *_fed_by(subject, seg)]:
        word = _destroying_name(written)
        if word:
            return f"{seg.program} runs {written}, whose name says it destroys data ({word!r})"
        path = normalise(written, subject.cwd, subject.home)
        content = _content(path) or written_earlier(subject, seg, written)
        found = SQL_DESTRUCTIVE.search(content) if content else None
        if found:
            return f"{seg.program} runs {written}, which holds {' '.join(found.group(0).split())[:60]!r}"
    return None


def _database_files(seg: Segment) -> list[str]:
    """The database files a file-based client opens (sqlite3/duckdb's positional)."""
    if seg.program not in ("sqlite3", "duckdb", "litecli"):
        return []
    texts = list(seg.argv[1:])
    i = 0
    while i < len(texts):
        if texts[i] in ("-cmd", "-init", "-separator", "-newline", "-nullvalue", "-vfs", "-maxsize", "-mmap"):
            i += 2
            continue
        if not texts[i].startswith("-"):
            return [texts[i]]
        i += 1
    return []


def writes_by_client(subject: Subject, seg: Segment) -> str | None:
    """A file the client writes by its own command that is the database itself, a
    valuable file (source, lockfile, database), or anything outside the project."""
    text = _text(seg)[:16_384]
    databases = {normalise(d, subject.cwd, subject.home) for d in _database_files(seg)}
    if _RESTORE.search(text):
        return f"{seg.program} .restore replaces the whole database"
    for match in _WRITES_FILE.finditer(text):
        written = next((g for g in match.groups() if g), "")
        if not written or written in ("stdout", "-", "/dev/null", "/dev/stdout", "STDOUT"):
            continue
        if written.startswith("|"):
            continue  # `.output |cmd`: a pipe, followed as a command elsewhere
        path = normalise(written, subject.cwd, subject.home)
        if path is None:
            return f"{seg.program} writes {written}, a place it cannot resolve"
        if path in databases:
            return f"{seg.program} writes over the database it has open ({written})"
        if is_disposable(path, subject):
            continue
        if not subject.within_project(path):
            return f"{seg.program} writes {written}, outside the project"
        kind = valuable(path, subject)
        if kind == "a database file" and not os.path.exists(path):
            continue  # `.backup backup.db`: a new copy, over nothing
        if kind:
            return f"{seg.program} writes over {written} ({kind})"
    return None


def register(check: Callable) -> None:
    @check("sql-client-files", 45, "a database client writing over a database, source or a file outside the "
           "project by its own commands (.output, .backup, \\o, INTO OUTFILE, .restore), or running a SQL file "
           "whose name or content destroys data (psql -f drop_all.sql, mysql < reset.sql)",
           programs=CLIENT_NAMES, needs=("sqlclient",))
    def _client_files(subject: Subject) -> str | None:
        seg = subject.segment
        client = client_segment(seg) if seg is not None else None
        if client is None:
            return None
        return writes_by_client(subject, client) or runs_destroying_file(subject, client)
