"""The ``aegis`` console script. The commands a user types most, ``aegis status`` and
``aegis approvals [list]`` with ``--json`` or ``--all``, are answered here without
loading the CLI framework (click) or any command module: for them, start-up is most
of the cost. Any other command or flag (``--watch``, ``--limit``, ``--debug``...)
goes to the full CLI, :mod:`aegis_core.cli`, which prints the same for these through
the same functions (:mod:`aegis_core.views`; a test compares the two).

``aegis --help`` (and ``-h``, and ``aegis`` alone) prints what the full CLI printed
the last time for the same installation: the text is kept in ``$AEGIS_HOME/cache``
with everything it depends on (Aegis' version and its command list, the installed
distributions and their commands, the terminal width, the plugin switches); when any
of it differs, the full CLI renders it again."""

from __future__ import annotations

import sys

from aegis_core.errors import AegisError, ExitCode, error_line, internal_error_line

# Not `from typing import TYPE_CHECKING` nor `collections.abc`: loading them costs the
# quick commands (aegis status, aegis approvals list) a visible share of their start-up.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from aegis_core.config import Config


HELP_ARGS: tuple[list[str], ...] = ([], ["--help"], ["-h"])
HELP_FORMS_KEPT = 8
# The commands after which a stale ``--help`` cache is rendered again: those a user
# runs first after an install (the quick start's), or after changing something.
HELP_REFRESHED_AFTER = (["setup"], ["start"], ["doctor"], ["version"], ["reload"])


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args in HELP_ARGS:
        return _help(args)
    quick = _quick_command(args)
    if quick is None:
        from aegis_core.cli import main as full_cli

        code = full_cli(None if argv is None else list(argv))
        if code == 0 and args[:1] in HELP_REFRESHED_AFTER:
            refresh_help_cache()
        return code
    try:
        return quick()
    except AegisError as exc:
        _err(error_line(exc))
        return int(exc.exit_code)
    except KeyboardInterrupt:
        _err("aegis: interrupted")
        return 130
    except Exception as exc:
        _err(internal_error_line(exc))
        return int(ExitCode.ERROR)


def _quick_command(args: list[str]) -> Callable[[], int] | None:
    """The command ``args`` ask for when this module can answer it alone, else None."""
    if args[:1] == ["status"] and set(args[1:]) <= {"--json"}:
        return lambda: _status(as_json="--json" in args)
    if args == ["approvals"]:
        return lambda: _approvals(as_json=False, show_all=False)
    if args[:2] == ["approvals", "list"] and set(args[2:]) <= {"--json", "--all"}:
        return lambda: _approvals(as_json="--json" in args, show_all="--all" in args)
    return None


def _config() -> Config:
    """The core configuration (no plugin loaded), its warnings said as the CLI says them."""
    from aegis_core.config import load_config

    config = load_config(plugin_sections_unknown=True)
    for warning in config.warnings:
        _err(f"aegis: warning: {warning}")
    return config


def _status(*, as_json: bool) -> int:
    from aegis_core.views import collect_status, json_text, render_status, status_exit_code

    current = collect_status(_config())
    _out(json_text(current) if as_json else render_status(current))
    return status_exit_code(current)


def _approvals(*, as_json: bool, show_all: bool) -> int:
    from aegis_core.views import json_text, list_approvals, render_approvals

    rows = list_approvals(_config(), show_all=show_all)
    _out(json_text(rows) if as_json else render_approvals(rows, show_all=show_all))
    return 0


def _help(args: list[str]) -> int:
    cache, key, kept, text = _cached_help(args)
    if text is not None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return 0
    code, out, err = _render_help(args)
    sys.stdout.write(out)
    sys.stdout.flush()
    sys.stderr.write(err)
    sys.stderr.flush()
    if key is not None and code == 0 and not err:  # a warning: say it again next time
        _keep_help(cache, key, out, kept)
    return code


def refresh_help_cache() -> None:
    """Render every form of ``aegis --help`` whose cached text is missing or stale,
    so that the first one a user types after an install or a change is quick too.
    Called after the commands a user runs first or after a change (``setup``,
    ``start``, ``doctor``...), which have loaded the CLI already; never fails them."""
    try:
        for args in HELP_ARGS:
            cache, key, kept, text = _cached_help(args)
            if key is None or text is not None:
                continue
            code, out, err = _render_help(args)
            if code == 0 and not err:
                _keep_help(cache, key, out, kept)
    except Exception:  # noqa: S110 - a cache never fails the command it follows
        pass


def _cached_help(args: list[str]) -> tuple[str, dict[str, object] | None, list[dict[str, object]], str | None]:
    """(cache file, the key of ``args``' help now, the entries kept, the text kept
    for that key or None). No key without an Aegis home (nothing is written then)."""
    import os

    from aegis_core import quickjson
    from aegis_core.home import home_path

    home = home_path()
    cache = os.path.join(home, "cache", "help.json")
    key = _help_key(args) if os.path.isdir(home) else None
    if key is None:
        return cache, None, [], None
    try:
        fd = os.open(cache, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, encoding="utf-8") as handle:
            info = os.fstat(handle.fileno())
            # Only what this user wrote, and nobody else could have: a text
            # printed to the terminal as is.
            mine = info.st_uid == os.getuid() and not info.st_mode & 0o022
            loaded = quickjson.loads(handle.read()) if mine else []
    except (OSError, ValueError):
        loaded = []
    kept = [e for e in loaded if isinstance(e, dict)] if isinstance(loaded, list) else []
    for entry in kept:
        if entry.get("key") == key and isinstance(entry.get("text"), str):
            return cache, key, kept, str(entry["text"])
    return cache, key, kept, None


def _render_help(args: list[str]) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of the full CLI (click) asked for ``args``' help."""
    import contextlib
    import io

    from aegis_core.cli import main as full_cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = full_cli(list(args))
    return code, out.getvalue(), err.getvalue()


def _keep_help(cache: str, key: dict[str, object], text: str, kept: list[dict[str, object]]) -> None:
    import contextlib
    import json
    import os

    with contextlib.suppress(OSError):
        with contextlib.suppress(FileExistsError):
            os.mkdir(os.path.dirname(cache), 0o700)
        temporary = os.path.join(os.path.dirname(cache), f".help.{os.getpid()}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            # The last few forms (`aegis`, `--help`, another terminal width...).
            others = [entry for entry in kept if entry.get("key") != key]
            json.dump([{"key": key, "text": text}, *others[:HELP_FORMS_KEPT - 1]], handle)
        os.replace(temporary, cache)


def _help_key(args: list[str]) -> dict[str, object]:
    """Everything ``aegis --help``'s text depends on. An installed or removed
    distribution changes its folder's modification time; a changed built-in command
    list changes aegis_core.cli's."""
    import os

    import aegis_core
    from aegis_core.entrypoints import scan

    cli_module = os.path.join(os.path.dirname(aegis_core.__file__), "cli", "__init__.py")
    folders = []
    for entry in sys.path:
        try:
            folders.append([entry, os.stat(entry or ".").st_mtime_ns])
        except OSError:
            continue
    return {
        "args": args, "version": aegis_core.__version__, "python": sys.executable,
        "cli": os.stat(cli_module).st_mtime_ns, "width": _help_width(),
        "plugins": [os.environ.get("AEGIS_DISABLE_PLUGINS"), os.environ.get("AEGIS_LOAD_PLUGINS")],
        "paths": folders, "commands": [list(ep) for ep in scan("aegis.commands")],
    }


def _help_width() -> int:
    """The width click wraps the help to: the terminal's, at most 80 columns, less 2,
    at least 50 (``click.formatting.HelpFormatter``), so every terminal of 80 columns
    or more shares one text."""
    return max(min(_columns(), 80) - 2, 50)


def _columns() -> int:
    """The terminal width click formats for: shutil.get_terminal_size()'s columns (the
    same rule, without importing shutil)."""
    import os

    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()
