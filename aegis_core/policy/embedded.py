"""Commands other programs run for you: a terminal multiplexer's session command
(``tmux new -d 'CMD'``, ``screen -dm CMD``), benchmark, watch and debug tools
(``hyperfine``, ``watchexec``, ``entr``, ``nodemon --exec``, ``cargo watch -s``,
``valgrind``, ``perf stat``, ``gdb -ex 'shell CMD'``, ``lldb -o``), options that name a
program (``tar --to-command``/``-I``/``--checkpoint-action=exec=``, ``zip -TT``,
``rsync -e``, ``split --filter``, ``sort --compress-program``, ``go test -exec``,
``git grep -O``, ``git difftool -x``, ``man -P``), a database client's shell escape
(``sqlite3 '.shell CMD'``, ``psql '\\! CMD'``), ``make --eval``, ``cmake -E rm``,
``npx``/``npm explore``/version managers' ``exec``, ``python -m timeit``, ``node -r``.

Each command found is added to the analysis as a segment of its own (found through
the program that runs it), so every rule and check judges it as if it were typed;
code that cannot be read (sed's ``e``) makes the command uncertain."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise
from typing import TYPE_CHECKING
from urllib.parse import unquote

from aegis_core.policy.gitchecks import split_git
from aegis_core.policy.scripts import _recipes
from aegis_core.policy.unwrap import Unwrapped, unwrap
from aegis_core.policy.words import Arg

if TYPE_CHECKING:
    from aegis_core.policy.shell import Segment, ShellAnalysis

MAX_EMBEDDED_CHARS = 8192

# What one program runs: ("shell", text) for a command string, ("argv", [Arg...]) for
# an argument vector, ("python", code) for Python code, ("unknown", why) for a command
# that cannot be read.
Found = tuple[str, object, str]  # (kind, payload, how it is run)


def _options(texts: list[str], start: int, with_value: frozenset[str]) -> int:
    """The index of the first operand at or after ``start``, options (and the values of
    those in ``with_value``) skipped; ``--`` ends the options."""
    i = start
    while i < len(texts):
        text = texts[i]
        if text == "--":
            return i + 1
        if text.startswith("-") and len(text) > 1:
            i += 2 if text in with_value else 1
            continue
        break
    return i


def option_values(texts: Sequence[str], names: tuple[str, ...]) -> list[str]:
    """Values of options ``names``: ``-x VALUE``, ``--long VALUE``, ``--long=VALUE``, and
    short ones with the value attached (``-TTcmd``, ``-O'less'``)."""
    found = []
    for i, text in enumerate(texts):
        for name in names:
            if text == name and i + 1 < len(texts):
                found.append(texts[i + 1])
            elif name.startswith("--") and text.startswith(name + "="):
                found.append(text[len(name) + 1:])
            elif not name.startswith("--") and text.startswith(name) and len(text) > len(name) \
                    and text[len(name)] != "=" and len(name) == 2:
                found.append(text[len(name):])
    return found


# ---------------------------------------------------------------- per program

_TMUX_RUNS = frozenset({"new-session", "new", "new-window", "neww", "split-window", "splitw", "respawn-pane",
                        "respawnp", "respawn-window", "respawnw", "run-shell", "run", "display-popup", "popup"})
_TMUX_VALUES = frozenset({"-c", "-e", "-F", "-f", "-n", "-s", "-t", "-x", "-y", "-l", "-p", "-L", "-S", "-T",
                          "-b", "-B", "-d", "-h", "-w"}) - {"-d", "-h"}
_TMUX_KEYS = frozenset({"Enter", "C-m", "KPEnter", "C-j", "\\;", ";"})


def _tmux(texts: list[str]) -> list[Found]:
    found: list[Found] = []
    for value in option_values(texts[:2], ("-c",)):  # `tmux -c CMD`: run CMD as a shell would
        found.append(("shell", value, "tmux -c"))
    for i, text in enumerate(texts):
        if text in _TMUX_RUNS:
            rest = texts[_options(texts, i + 1, _TMUX_VALUES):]
            if rest:
                found.append(("shell", " ".join(rest), f"tmux {text}"))
        elif text in ("send-keys", "send", "if-shell", "if"):
            start = _options(texts, i + 1, _TMUX_VALUES)
            keys = [t for t in texts[start:] if t not in _TMUX_KEYS]
            if keys:
                found.append(("shell", " ".join(keys) if text.startswith("send") else keys[0], f"tmux {text}"))
    return found


def _screen(args: list[Arg], texts: list[str]) -> list[Found]:
    for i, text in enumerate(texts):
        if text == "-X" and i + 1 < len(texts):
            words = texts[i + 1:]
            if words[0] == "stuff" and len(words) > 1:
                return [("shell", words[1].replace("\\n", "\n").replace("^M", "\n"), "screen -X stuff")]
            if words[0] == "exec" and len(words) > 1:
                return [("argv", args[i + 2:], "screen -X exec")]
            return []
    i = 0
    while i < len(texts) and texts[i].startswith("-"):
        text = texts[i]
        # `-dmS name`: a cluster whose last letter takes a value takes the next word.
        takes = text in ("-Logfile", "-X") or (not text.startswith("--") and text[-1] in "SceHhpstT")
        i += 2 if takes else 1
    return [("argv", args[i:], "screen")] if i < len(texts) else []


_HYPERFINE_VALUES = frozenset({"-w", "--warmup", "-m", "--min-runs", "-M", "--max-runs", "-r", "--runs", "-S",
                               "--shell", "-u", "--time-unit", "--style", "--sort", "-n", "--command-name",
                               "--export-asciidoc", "--export-csv", "--export-json", "--export-markdown",
                               "--export-orgmode", "--output", "--input", "-p", "--prepare", "-c", "--cleanup",
                               "-s", "--setup", "--conclude", "--reference"})
_HYPERFINE_COMMANDS = ("-p", "--prepare", "-c", "--cleanup", "-s", "--setup", "--conclude", "--reference")


def _hyperfine(texts: list[str]) -> list[Found]:
    found: list[Found] = [("shell", v, "hyperfine") for v in option_values(texts, _HYPERFINE_COMMANDS)]
    i = 0
    while i < len(texts):
        text = texts[i]
        if text in ("-L", "--parameter-list"):
            i += 3
        elif text in ("-P", "--parameter-scan"):
            i += 4
        elif text in _HYPERFINE_VALUES:
            i += 2
        elif text.startswith("-"):
            i += 1
        else:
            found.append(("shell", text, "hyperfine"))
            i += 1
    return found


_PERF_RUNS = frozenset({"stat", "record", "trace", "c2c", "mem", "kmem", "lock", "sched", "kvm", "ftrace",
                        "timechart", "kwork"})
_PERF_VALUES = frozenset({"-e", "--event", "-o", "--output", "-p", "--pid", "-t", "--tid", "-C", "--cpu", "-r",
                          "--repeat", "-G", "--cgroup", "-I", "--interval-print", "-x", "--field-separator", "-F",
                          "--freq", "-c", "--count", "-j", "--branch-filter", "-m", "--mmap-pages", "-u", "--uid",
                          "--call-graph", "-D", "--delay", "--filter", "-d"})


def _argv_after(args: list[Arg], texts: list[str], start: int, with_value: frozenset[str], how: str) -> list[Found]:
    at = _options(texts, start, with_value)
    return [("argv", args[at:], how)] if at < len(texts) else []


_WATCHEXEC_VALUES = frozenset({"-w", "--watch", "-W", "--watch-non-recursive", "-e", "--exts", "-f", "--filter",
                               "-i", "--ignore", "-d", "--debounce", "-s", "--signal", "--stop-signal",
                               "--stop-timeout", "--shell", "-E", "--env", "--project-origin", "--workdir",
                               "--on-busy-update", "--delay-run", "--poll", "--emit-events-to", "--filter-file",
                               "--ignore-file", "--fs-events", "--color", "-F", "--filter-prog", "--wrap-process",
                               "-j", "--filter-fn", "--socket", "-o"})
_CONCURRENTLY_VALUES = frozenset({"-n", "--names", "-c", "--prefix-colors", "-p", "--prefix", "-s", "--success",
                                  "--restart-tries", "--restart-after", "-t", "--timestamp-format", "-l",
                                  "--prefix-length", "-m", "--max-processes", "--names-separator",
                                  "--default-input-target", "--pad-prefix", "--teardown"})
_NPM_SHORTHAND = re.compile(r"^(npm|yarn|pnpm|bun):(\S+)$")


def _concurrently(texts: list[str]) -> list[Found]:
    found: list[Found] = [("shell", v, "concurrently --teardown") for v in option_values(texts, ("--teardown",))]
    i = 0
    while i < len(texts):
        text = texts[i]
        if text in _CONCURRENTLY_VALUES:
            i += 2
            continue
        if not text.startswith("-"):
            short = _NPM_SHORTHAND.match(text)
            found.append(("shell", f"{short.group(1)} run {short.group(2)}" if short else text, "concurrently"))
        i += 1
    return found


_RUNNER_VALUES = frozenset({"-p", "--package", "--node-options", "--registry", "--cache", "--userconfig", "-w",
                            "--workspace", "--prefix", "-C", "--dir", "--filter", "-F"})


def _package_runner(program: str, args: list[Arg], texts: list[str]) -> list[Found]:
    """``npx TOOL ARGS`` runs TOOL (as ``npm exec``, ``pnpm dlx``, ``bunx``...); ``-c CMD``
    before it runs a command string."""
    start = 0
    if program in ("npm", "pnpm", "yarn", "bun"):
        if not texts or texts[0] not in ("exec", "x", "dlx"):
            return []
        start = 1
    at = _options(texts, start, _RUNNER_VALUES | {"-c", "--call"})
    strings = option_values(texts[start:at], ("-c", "--call"))
    if strings:
        return [("shell", s, f"{program} -c") for s in strings]
    # The tool itself is judged with the runner (the registry rules); what it runs in turn
    # (`npx concurrently 'CMD'`) is followed.
    if at < len(texts) and (texts[at] in RUNNING_PROGRAMS or texts[at] in _ONE_LINER_RUNNERS):
        return [("argv", args[at:], program)]
    return []


# TypeScript runners taking node's one-liner options (`npx tsx -e CODE`): followed so
# that the code is read as node's is.
_ONE_LINER_RUNNERS = frozenset({"tsx", "ts-node", "esno", "zx"})


_VERSION_MANAGERS = {("asdf", "exec"): 0, ("mise", "exec"): -1, ("mise", "x"): -1, ("rbenv", "exec"): 0,
                     ("pyenv", "exec"): 0, ("nodenv", "exec"): 0, ("goenv", "exec"): 0, ("jenv", "exec"): 0,
                     ("direnv", "exec"): 1, ("nvm", "exec"): 1, ("pixi", "exec"): 0, ("rtx", "exec"): -1,
                     ("pnpm", "exec"): 0, ("yarn", "exec"): 0, ("devbox", "run"): 0, ("volta", "run"): 0,
                     ("fnm", "exec"): 0}


def _version_manager(program: str, args: list[Arg], texts: list[str]) -> list[Found]:
    if not texts:
        return []
    skip = _VERSION_MANAGERS.get((program, texts[0]))
    if skip is None:
        return []
    if skip < 0:  # `mise exec node@20 -- CMD`: the command follows `--`
        if "--" not in texts:
            return []
        at = texts.index("--") + 1
        return [("argv", args[at:], f"{program} {texts[0]}")] if at < len(texts) else []
    at = _options(texts, 1, frozenset({"--with", "-e", "--environment", "--using"})) + skip
    return [("argv", args[at:], f"{program} {texts[0]}")] if at < len(texts) else []


# `cmake -E TOOL ARGS`: the command each tool is.
_CMAKE_TOOLS = {"rm": ["rm"], "remove": ["rm"], "remove_directory": ["rm", "-r"], "rename": ["mv"],
                "copy": ["cp"], "copy_if_different": ["cp"], "copy_directory": ["cp", "-r"],
                "copy_directory_if_different": ["cp", "-r"], "create_symlink": ["ln", "-s"],
                "create_hardlink": ["ln"], "make_directory": ["mkdir", "-p"], "touch": ["touch"],
                "touch_nocreate": ["touch"], "tar": ["tar"], "cat": ["cat"], "env": ["env"], "time": [],
                "chdir": None, "true": ["true"], "false": ["false"], "echo": ["echo"], "sleep": ["sleep"]}


def _cmake(args: list[Arg], texts: list[str]) -> list[Found]:
    if "-E" not in texts:
        return []
    at = texts.index("-E") + 1
    if at >= len(texts) or texts[at] not in _CMAKE_TOOLS:
        return []
    tool = _CMAKE_TOOLS[texts[at]]
    if tool is None:  # chdir DIR CMD ARGS: CMD runs in DIR
        if at + 2 >= len(texts):
            return []
        return [("shell", f"cd {_quote(args[at + 1])} && " + " ".join(_quote(a) for a in args[at + 2:]),
                 "cmake -E chdir")]
    return [("argv", [Arg(word) for word in tool] + list(args[at + 1:]), f"cmake -E {texts[at]}")]


def _quote(arg: Arg) -> str:
    if arg.dynamic or re.fullmatch(r"[\w@%+=:,./~-]+", arg.text):
        return arg.text
    return "'" + arg.text.replace("'", "'\"'\"'") + "'"


def _gdb(args: list[Arg], texts: list[str]) -> list[Found]:
    found: list[Found] = []
    for command in option_values(texts, ("-ex", "--ex", "-eval-command", "--eval-command", "-iex",
                                         "--init-eval-command")):
        stripped = command.strip()
        for head in ("shell ", "!", "pipe ", "| "):
            if stripped.startswith(head):
                found.append(("shell", stripped[len(head):], "gdb shell"))
        if stripped.startswith(("python ", "py ", "pi ")):
            found.append(("python", stripped.split(" ", 1)[1], "gdb python"))
    if "--args" in texts:
        at = texts.index("--args") + 1
        if at < len(texts):
            found.append(("argv", args[at:], "gdb --args"))
    return found


def _lldb(args: list[Arg], texts: list[str]) -> list[Found]:
    found: list[Found] = []
    for command in option_values(texts, ("-o", "--one-line", "-O", "--one-line-before-file", "-k",
                                         "--one-line-on-crash")):
        stripped = command.strip()
        if stripped.startswith("platform shell "):
            found.append(("shell", stripped[len("platform shell "):], "lldb platform shell"))
        elif stripped.startswith("script "):
            found.append(("python", stripped[len("script "):], "lldb script"))
    if "--" in texts:
        at = texts.index("--") + 1
        # `lldb ./app -- --input x`: the program is named before `--`, its arguments after
        named = [i for i, t in enumerate(texts[:at - 1]) if not t.startswith("-")
                 and (i == 0 or texts[i - 1] not in _LLDB_VALUES)]
        if named:
            found.append(("argv", [args[named[0]], *args[at:]], "lldb --"))
        elif at < len(texts):
            found.append(("argv", args[at:], "lldb --"))
    return found


_LLDB_VALUES = frozenset({"-o", "--one-line", "-O", "--one-line-before-file", "-k", "--one-line-on-crash", "-s",
                          "--source", "-S", "--source-before-file", "-K", "--source-on-crash", "-a", "--arch",
                          "-c", "--core", "-p", "--attach-pid", "-n", "--attach-name", "-f", "--file", "-l",
                          "--script-language"})


def _git(texts: list[str]) -> list[Found]:
    _, sub, rest = split_git(texts)
    if sub == "grep":
        return [("shell", v, "git grep -O") for v in option_values(rest, ("-O", "--open-files-in-pager"))]
    if sub == "difftool":
        return [("shell", v, "git difftool -x") for v in option_values(rest, ("-x", "--extcmd"))]
    if sub == "rebase":
        return [("shell", v, "git rebase --exec") for v in option_values(rest, ("-x", "--exec"))]
    return []


_TAR_COMMANDS = ("--to-command", "-I", "--use-compress-program", "--rsh-command", "-F", "--info-script",
                 "--new-volume-script")


def _tar(texts: list[str]) -> list[Found]:
    found: list[Found] = [("shell", v, "tar command option") for v in option_values(texts, _TAR_COMMANDS)]
    for action in option_values(texts, ("--checkpoint-action",)):
        if action.startswith("exec="):
            found.append(("shell", action[5:], "tar --checkpoint-action"))
    return found


def _go(texts: list[str]) -> list[Found]:
    if not texts or texts[0] not in ("test", "run", "build", "vet", "install", "generate", "tool"):
        return []
    found: list[Found] = [("shell", v, "go -exec") for v in option_values(texts, ("-exec", "--exec"))]
    found += [("shell", v, "go -toolexec") for v in option_values(texts, ("-toolexec", "--toolexec", "-vettool",
                                                                     "--vettool"))]
    return found


_SED_EXEC = re.compile(r"(?:^|[;{}\n])\s*(?:\d+|\$|/(?:[^/\\\n]|\\.)*/)?(?:\s*,\s*(?:\d+|\$|/(?:[^/\\\n]|\\.)*/))?"
                       r"\s*e(?:[ \t]+([^;\n}]*))?\s*(?=$|[;\n}])")
_SED_S_EXEC = re.compile(r"(?:^|[;{}\n]|[\d$/]\s*)s([^\w\s\\])(?:(?!\1)[^\\]|\\.)*\1(?:(?!\1)[^\\]|\\.)*\1"
                         r"[gpiImM0-9]*e")


def _sed(texts: list[str]) -> list[Found]:
    scripts = option_values(texts, ("-e", "--expression"))
    if not scripts:
        operands = [t for t in texts if not t.startswith("-")]
        scripts = operands[:1]
    found: list[Found] = []
    for script in scripts:
        script = script[:4096]
        for match in _SED_EXEC.finditer(script):
            command = (match.group(1) or "").strip()
            found.append(("shell", command, "sed e") if command else
                         ("unknown", "sed's e command runs the text it edits as a command", "sed e"))
        if _SED_S_EXEC.search(script):
            found.append(("unknown", "sed's s///e runs the text it edits as a command", "sed s///e"))
    return found


# sqlite3/duckdb: `.shell CMD`, `.system CMD`, and `.output |CMD`/`.once |CMD` (output piped into a command)
_DOT_SHELL = re.compile(r"(?m)^\s*\.(?:shell|system)\s+(.+)$|^\s*\.(?:output|once)\s+['\"]?\|\s*([^'\"\n]+)")
_SQL_SHELL = {"sqlite3": _DOT_SHELL,
              "duckdb": _DOT_SHELL,
              # `\! cmd`, and COPY ... TO/FROM PROGRAM 'cmd' (the server runs it)
              "psql": re.compile(r"\\!\s*([^\n\\]+)|(?i:\bprogram)\s+'((?:[^']|'')+)'"),
              "mysql": re.compile(r"(?mi)(?:^\s*system\s+|\\!\s*)([^\n;]+)"),
              "mariadb": re.compile(r"(?mi)(?:^\s*system\s+|\\!\s*)([^\n;]+)")}


def _sql_shell(seg: Segment) -> list[Found]:
    pattern = _SQL_SHELL[seg.program]
    text = "\n".join(seg.argv[1:]) + "\n" + seg.stdin_text
    return [("shell", next(g for g in m.groups() if g).replace("''", "'").strip(), f"{seg.program} shell escape")
            for m in pattern.finditer(text[:16_384])]


# Python's REPLs and debuggers: what they read from stdin, and pdb's `-c` commands (pdb
# runs any line it does not know as Python), are Python code.
_PYTHON_REPLS = frozenset({"code", "IPython", "ipython", "ptpython", "bpython", "pdb", "idlelib"})


def _python(args: list[Arg], texts: list[str], stdin: str = "") -> list[Found]:
    if len(texts) < 2 or texts[0] != "-m":
        return []
    module = texts[1]
    if module in _PYTHON_REPLS:
        code = [*(option_values(texts[2:], ("-c", "--command")) if module in ("pdb", "IPython", "ipython") else []),
                stdin]
        found: list[Found] = [("python", "\n".join(c for c in code if c), f"python -m {module}")] if any(code) else []
        if module != "pdb":
            return found
        return found + _python_profiler(args, texts, module)
    return _python_profiler(args, texts, module) if module != "timeit" else _timeit(texts)


def _timeit(texts: list[str]) -> list[Found]:
    setup = option_values(texts[2:], ("-s", "--setup"))
    statements, i = [], 2
    while i < len(texts):
        if texts[i] in ("-s", "--setup", "-n", "--number", "-r", "--repeat", "-u", "--unit"):
            i += 2
            continue
        if not texts[i].startswith("-"):
            statements.append(texts[i])
        i += 1
    return [("python", "\n".join(setup + statements), "python -m timeit")]


def _python_profiler(args: list[Arg], texts: list[str], module: str) -> list[Found]:
    if module in ("cProfile", "profile", "pdb", "trace", "pyinstrument", "memray", "scalene"):
        at = _options(texts, 2, frozenset({"-o", "--outfile", "-s", "--sort", "-c", "--file"}))
        if at < len(texts) and texts[at] not in ("-m",):
            return [("argv", [Arg("python"), *args[at:]], f"python -m {module}")]
    return []


def _node(texts: list[str]) -> list[Found]:
    found: list[Found] = []
    for value in option_values(texts, ("-r", "--require", "--import", "--loader", "--experimental-loader")):
        if value.startswith("data:"):
            header, _, body = value.partition(",")
            if header.endswith(";base64"):
                import base64
                try:
                    body = base64.b64decode(body, validate=False).decode("utf-8", "replace")
                except ValueError:
                    found.append(("unknown", "node loads code from a data: URL it cannot read", "node --import"))
                    continue
            found.append(("javascript", unquote(body), "node --import"))
        else:
            found.append(("argv", [Arg("node"), Arg(value)], "node --require"))
    return found


# Coverage, profiling and compile-database tools that run the command (or, for the
# Python profilers, the script) after their options: `c8 npm test`, `compiledb make`,
# `pyinstrument app.py`. (options taking a value, "argv" or "python")
_MEASURING_RUNNERS: dict[str, tuple[frozenset[str], str]] = {
    "c8": (frozenset({"-r", "--reporter", "-o", "--reports-dir", "--report-dir", "--temp-directory", "-n",
                      "--include", "-x", "--exclude", "--src", "-e", "--extension", "--lines", "--branches",
                      "--functions", "--statements", "--per-file", "--config", "--exclude-after-remap",
                      "--merge-async", "--skip-full"}), "argv"),
    "nyc": (frozenset({"-r", "--reporter", "--report-dir", "--temp-dir", "--temp-directory", "-n", "--include",
                       "-x", "--exclude", "-e", "--extension", "--cwd", "--nycrc-path", "-i", "--require",
                       "--lines", "--branches", "--functions", "--statements", "--source-map"}), "argv"),
    "compiledb": (frozenset({"-o", "--output", "-p", "--parse", "-d", "--build-dir", "-e", "--exclude"}), "argv"),
    "pyinstrument": (frozenset({"-o", "--outfile", "-r", "--renderer", "-p", "--render-option", "-i", "--interval",
                                "--load", "--from-path", "--target-description"}), "python"),
    "scalene": (frozenset({"--outfile", "--profile-only", "--profile-exclude", "--cpu-percent-threshold",
                           "--cpu-sampling-rate", "--malloc-threshold", "--program-path", "--reduced-profile",
                           "--column-width", "--profile-interval", "--pid"}), "python"),
    "kernprof": (frozenset({"-o", "--outfile", "-s", "--setup", "-u", "--unit", "-p", "--prof-mod"}), "python"),
    "memray": (frozenset({"-o", "--output", "--native-tracing-mode", "--trace-python-allocators",
                          "--aggregate", "--live-port", "--follow-fork"}), "python"),
}
# tsc-watch's options that name a command to run after a compile.
_TSC_WATCH_COMMANDS = ("--onSuccess", "--onFailure", "--onFirstSuccess", "--onCompilationStarted",
                       "--onCompilationComplete", "--onEmit")


def _python_script(args: list[Arg], texts: list[str], start: int, with_value: frozenset[str],
                   how: str) -> list[Found]:
    """A profiler's script and its arguments, run as ``python SCRIPT ...`` (``-m
    MODULE`` and ``-c CODE`` as python takes them)."""
    at = _options(texts, start, with_value - {"-m", "-c"})
    if at > start and texts[at - 1] in ("-m", "-c"):
        at -= 1  # `pyinstrument -m pytest`: python's own option, kept for python
    return [("argv", [Arg("python"), *args[at:]], how)] if at < len(texts) else []


_COMPOSE_PROGRAMS = frozenset({"docker-compose", "podman-compose"})
_STDIN_FILE_OPTIONS = frozenset({"-f -", "--file -", "-f /dev/stdin", "--file /dev/stdin", "--file=-",
                                 "--file=/dev/stdin", "--filename -", "--filename=-", "--filename /dev/stdin",
                                 "--filename=/dev/stdin"})


def _compose_from_stdin(seg: Segment, program: str, texts: list[str]) -> list[Found] | None:
    """`docker compose -f - up <<'Y' ... Y`: a compose file given on standard input, as
    text the command shows, judged for the host folders and privileges it asks for as
    a written compose file is (None when this is no such command)."""
    if not seg.stdin_text or not (program in _COMPOSE_PROGRAMS or "compose" in texts[:3]):
        return None
    pairs = {f"{a} {b}" for a, b in pairwise(texts)} | set(texts)
    if not pairs & _STDIN_FILE_OPTIONS:
        return None
    from aegis_core.policy.written import compose_commands

    found = compose_commands(seg.stdin_text)
    return ([("shell", found, f"{program} compose -f -")] if found else []) + _unread_spec(seg, "a compose file")


def _kube_from_stdin(seg: Segment, program: str, texts: list[str]) -> list[Found] | None:
    """`podman kube play - <<'Y' ... Y`, `kubectl apply -f -`: a Kubernetes spec given
    on standard input, judged for the host folders and privileges its pods ask for
    (None when this is no such command)."""
    if not seg.stdin_text:
        return None
    words = [t for t in texts if not t.startswith("-")]
    if program in ("kubectl", "oc"):
        if words[:1] not in (["apply"], ["create"], ["replace"], ["run"]):
            return None
        pairs = {f"{a} {b}" for a, b in pairwise(texts)} | set(texts)
        if not pairs & _STDIN_FILE_OPTIONS:
            return None
    elif words[:2] not in (["kube", "play"], ["play", "kube"]) or not {"-", "/dev/stdin"} & set(texts):
        return None
    from aegis_core.policy.written import kube_commands

    found = kube_commands(seg.stdin_text)
    how = f"{program} {' '.join(words[:2])} -"
    return ([("shell", found, how)] if found else []) + _unread_spec(seg, "a Kubernetes spec")


def _unread_spec(seg: Segment, what: str) -> list[Found]:
    """A spec on stdin longer than its reader reads: what its end gives the host is not
    known, so the call asks."""
    from aegis_core.policy.written import MAX_SPEC_CHARS

    if len(seg.stdin_text) <= MAX_SPEC_CHARS:
        return []
    return [("unknown", f"{what} on standard input longer than {MAX_SPEC_CHARS // 1024} KiB is read only in part",
             f"{seg.program} -f -")]


def _embedded(seg: Segment, substitutions_are_pwd: bool = False) -> list[Found]:
    """What ``seg``'s program runs for it (``substitutions_are_pwd``: every `$(...)` of
    the command is a plain `$(pwd)`)."""
    if any(a.text.startswith("--basetemp") for a in seg.args[1:]) and (emptied := _basetemp(seg)):
        return emptied
    if seg.program in _INSTALLERS and (installed := _installs_into(seg)):
        return installed
    if seg.inline_code is not None and seg.inline_code[0] == "python":
        from aegis_core.policy.projectcode import literal_runs

        runs = literal_runs(seg.inline_code[1])  # `subprocess.run(['git', 'describe'])`: that command
        return [("argv", [Arg(word) for word in run], "python subprocess") for run in (runs[0] if runs else ())]
    program = seg.program
    args = list(seg.args[1:])
    texts = list(seg.argv[1:])
    if program == "tmux":
        return _tmux(texts)
    if program == "screen":
        return _screen(args, texts)
    if program == "hyperfine":
        return _hyperfine(texts)
    if program in ("valgrind", "ccache", "sccache", "unshare", "catchsegv"):
        return _argv_after(args, texts, 0, frozenset({"--log-file", "-M", "-F"}), program)
    if program in _BUILD_WRAPPERS:  # `bear -- make`, `scan-build make`, `xvfb-run pytest`: runs the rest
        return _argv_after(args, texts, 0, _BUILD_WRAPPERS[program], program)
    if program in _MEASURING_RUNNERS:
        with_value, how = _MEASURING_RUNNERS[program]
        if program == "memray":  # memray run [options] script.py: the rest are other subcommands
            if texts[:1] != ["run"]:
                return []
            return _python_script(args, texts, 1, with_value, how)
        if how == "python":
            return _python_script(args, texts, 0, with_value, program)
        return _argv_after(args, texts, 0, with_value, program)
    if program == "tsc-watch":
        return [("shell", v, "tsc-watch") for v in option_values(texts, _TSC_WATCH_COMMANDS)]
    if program == "ssh-agent":  # ssh-agent [-a SOCKET] [-t LIFE] COMMAND...: runs COMMAND
        return _argv_after(args, texts, 0, frozenset({"-a", "-E", "-P", "-t", "-O"}), program)
    if program == "perf":
        if not texts or texts[0] not in _PERF_RUNS:
            return []
        start = 2 if texts[0] in ("sched", "lock", "kvm", "mem", "kmem", "kwork") and len(texts) > 1 \
            and texts[1] == "record" else 1
        return _argv_after(args, texts, start, _PERF_VALUES, "perf")
    if program == "py-spy":
        if "--" not in texts:
            return []
        at = texts.index("--") + 1
        return [("argv", args[at:], "py-spy")] if at < len(texts) else []
    if program == "watchexec":
        at = _options(texts, 0, _WATCHEXEC_VALUES)
        return [("shell", " ".join(_quote(a) for a in args[at:]) if len(args) - at > 1 else texts[at],
                 "watchexec")] if at < len(texts) else []
    if program == "entr":
        at = _options(texts, 0, frozenset())
        if at >= len(texts):
            return []
        if any(t.startswith("-") and "s" in t for t in texts[:at]):
            return [("shell", texts[at], "entr -s")]
        return [("argv", args[at:], "entr")]
    if program == "nodemon":
        return [("shell", v, "nodemon --exec") for v in option_values(texts, ("-x", "--exec"))]
    if program == "concurrently":
        return _concurrently(texts)
    if program in ("npx", "pnpx", "bunx"):
        return _package_runner(program, args, texts)
    if program in ("npm", "pnpm", "yarn", "bun"):
        if texts[:1] == ["explore"]:
            at = texts.index("--") + 1 if "--" in texts else len(texts)
            return [("shell", " ".join(_quote(a) for a in args[at:]), "npm explore")] if at < len(texts) else []
        return _version_manager(program, args, texts) or _package_runner(program, args, texts)
    if program == "cargo":
        if texts[:1] != ["watch"]:
            return []
        found: list[Found] = [("shell", "cargo " + v, "cargo watch -x") for v in option_values(texts, ("-x", "--exec"))]
        return found + [("shell", v, "cargo watch -s") for v in option_values(texts, ("-s", "--shell"))]
    if program in ("make", "gmake"):
        evals = option_values(texts, ("--eval", "-E"))
        return [("makefile", v, "make --eval") for v in evals]
    if program == "cmake":
        return _cmake(args, texts)
    if program == "gdb":
        return _gdb(args, texts)
    if program == "lldb":
        return _lldb(args, texts)
    if program == "git":
        return _git(texts)
    if program in ("less", "more", "most"):
        # `less +'!cmd' f`, `less -c '!cmd'`: a pager's start-up commands; `!` runs a shell.
        return [("shell", t.split("!", 1)[1], f"{program} +!") for t in texts if t.startswith("+") and "!" in t]
    if program == "rg":
        return [("shell", v, "rg --pre") if " " in v else ("argv", [Arg(v)], "rg --pre")
                for v in option_values(texts, ("--pre",))]
    if program in ("tar", "gtar", "bsdtar"):
        return _tar(texts)
    if program == "zip":
        return [("shell", v, "zip -TT") for v in option_values(texts, ("-TT", "--unzip-command"))]
    if program == "rsync":
        return [("shell", v, "rsync -e") for v in option_values(texts, ("-e", "--rsh"))]
    if program == "split":
        return [("shell", v, "split --filter") for v in option_values(texts, ("--filter",))]
    if program == "sort":
        return [("shell", v, "sort --compress-program") for v in option_values(texts, ("--compress-program",))]
    if program == "man":
        return [("shell", v, "man -P") for v in option_values(texts, ("-P", "--pager", "-H", "--html"))]
    if program == "go":
        return _go(texts)
    if program in ("sed", "gsed"):
        return _sed(texts)
    if program in _SQL_SHELL:
        return _sql_shell(seg)
    if program.startswith(("python", "pypy")):
        return _python(args, texts, seg.stdin_text)
    if program in ("node", "nodejs"):
        return _node(texts)
    if program in ("asdf", "mise", "rtx", "rbenv", "pyenv", "nodenv", "goenv", "jenv", "direnv", "nvm", "pixi",
                   "devbox", "volta", "fnm"):
        return _version_manager(program, args, texts)
    if program in ("kubectl", "oc"):
        return _kube_from_stdin(seg, program, texts) or []
    if program in _CONTAINER_ENGINES or program in _COMPOSE_PROGRAMS:
        given = _compose_from_stdin(seg, program, texts)
        if given is None:
            given = _kube_from_stdin(seg, program, texts)
        if given is not None:
            return given
        if program in _COMPOSE_PROGRAMS:
            return []
        from aegis_core.policy.containerrun import container_command

        found_command = container_command(texts, substitutions_are_pwd)
        return [("shell", found_command, f"{program} run")] if found_command else []
    if program == "corepack" and texts and not texts[0].startswith("-") and texts[0] not in (
            "enable", "disable", "prepare", "pack", "install", "use", "up", "cache"):
        return [("argv", args, "corepack")]
    return []


# Programs that hand pytest its options (`tox -- --basetemp=x`, `python -m pytest`).
_PYTEST_RUNNERS = frozenset({"pytest", "py.test", "tox", "nox", "hatch", "pdm", "poetry", "pipenv"})


def _basetemp(seg: Segment) -> list[Found]:
    """pytest empties its --basetemp folder before each run (`rm -rf` of it): a folder
    outside the project or scratch space given there is deleted."""
    if seg.program not in _PYTEST_RUNNERS and not seg.program.startswith(("python", "pypy")):
        return []
    args = seg.args[1:]
    for i, arg in enumerate(args):
        if arg.text == "--basetemp" and i + 1 < len(args):
            value = args[i + 1]
        elif arg.text.startswith("--basetemp="):
            value = Arg(arg.text.split("=", 1)[1], arg.dynamic, arg.glob, arg.tricky)
        else:
            continue
        return [("argv", [Arg("rm"), Arg("-rf"), value], f"{seg.program} --basetemp")]
    return []


# Build tools that install what they built, and where they are told to put it: make's
# install targets with PREFIX/DESTDIR, `cmake --install --prefix`, `meson install --destdir`.
_INSTALLERS = frozenset({"make", "gmake", "cmake", "meson", "ninja"})
_INSTALL_PLACES = re.compile(r"^(?:PREFIX|prefix|DESTDIR|BINDIR|bindir|LIBDIR|libdir|INSTALL_PREFIX"
                             r"|CMAKE_INSTALL_PREFIX|INSTALL_DIR|INSTALLDIR)=(.+)$")


def _installs_into(seg: Segment) -> list[Found]:
    """Where a build tool installs (a copy there, judged as any write outside the
    project: `make install PREFIX=/usr` writes system folders)."""
    texts = list(seg.argv[1:])
    places: list[Arg] = []
    if seg.program == "cmake" or seg.program == "meson":
        if "--install" not in texts and "install" not in texts:
            return []
        for i, text in enumerate(texts):
            name, eq, value = text.partition("=")
            if name in ("--prefix", "--destdir") and eq:
                arg = seg.args[i + 1]
                places.append(Arg(value, arg.dynamic, arg.glob, arg.tricky))
            elif name in ("--prefix", "--destdir") and i + 1 < len(texts):
                places.append(seg.args[i + 2])
    elif any("install" in t for t in texts if not t.startswith("-") and "=" not in t):
        for i, text in enumerate(texts):
            found = _INSTALL_PLACES.match(text)
            if found:
                arg = seg.args[i + 1]
                places.append(Arg(found.group(1), arg.dynamic, arg.glob, arg.tricky))
    return [("argv", [Arg("cp"), Arg("-r"), Arg("build"), Arg(place.text.rstrip("/") + "/", place.dynamic)],
             f"{seg.program} install") for place in places[:4]]


# Build and test tools that run the command after their options, with the options of
# theirs that take a value.
_BUILD_WRAPPERS = {
    "bear": frozenset({"--output", "-o", "--config", "--library", "-l", "--append", "--interceptor", "--citnames"}),
    "scan-build": frozenset({"-o", "--use-cc", "--use-c++", "-enable-checker", "-disable-checker", "--exclude",
                             "-maxloop", "--html-title", "-load-plugin"}),
    "heaptrack": frozenset({"-o", "--output"}),
    "xvfb-run": frozenset({"-n", "--server-num", "-s", "--server-args", "-e", "--error-file", "-f", "--auth-file",
                           "-p", "--xauth-protocol", "-w", "--wait"}),
    "mpirun": frozenset({"-n", "-np", "-c", "--host", "-H", "--hostfile", "--map-by", "--bind-to", "-x"}),
    "mpiexec": frozenset({"-n", "-np", "-c", "--host", "-H", "--hostfile", "--map-by", "--bind-to", "-x"}),
    "distcc": frozenset(), "icecc": frozenset(),
}

# Programs _embedded() reads; every other segment is left alone after one set lookup.
RUNNING_PROGRAMS = frozenset({
    "tmux", "screen", "hyperfine", "valgrind", "ccache", "sccache", "unshare", "catchsegv", "perf", "py-spy",
    *_BUILD_WRAPPERS, *_PYTEST_RUNNERS, "meson", "ninja",
    "watchexec", "entr", "nodemon", "concurrently", "npx", "pnpx", "bunx", "npm", "pnpm", "yarn", "bun", "cargo",
    "make", "gmake", "cmake", "gdb", "lldb", "git", "tar", "gtar", "bsdtar", "zip", "rsync", "split", "sort", "man",
    "go", "sed", "gsed", "rg", "less", "more", "most", *_SQL_SHELL, "node", "nodejs", "asdf", "mise", "rtx", "rbenv",
    "pyenv", "nodenv",
    "goenv", "jenv", "direnv", "nvm", "pixi", "devbox", "volta", "corepack", "ssh-agent", "fnm",
    *_MEASURING_RUNNERS, "tsc-watch",
    # run through npx, judged as themselves: file servers (netchecks.served_folder)
    "serve", "http-server",
    # containers, for what they run on the host folders they mount (containerrun)
    "docker", "podman", "nerdctl", *_COMPOSE_PROGRAMS,
    # Kubernetes specs on stdin, for what their pods get of the host (_kube_from_stdin)
    "kubectl", "oc"})
_CONTAINER_ENGINES = frozenset({"docker", "podman", "nerdctl"})
# Cheap first test per program: only a segment with one of these words goes further.
_INSTALL_MARKERS = ("PREFIX=", "prefix=", "DESTDIR=", "BINDIR=", "bindir=", "LIBDIR=", "libdir=", "INSTALL_PREFIX=",
                    "CMAKE_INSTALL_PREFIX=", "INSTALL_DIR=", "INSTALLDIR=")
_MARKERS: dict[str, tuple[str, ...]] = {
    "tar": (*_TAR_COMMANDS, "--checkpoint-action"), "gtar": (*_TAR_COMMANDS, "--checkpoint-action"),
    "bsdtar": _TAR_COMMANDS, "rg": ("--pre",), "less": ("+",), "more": ("+",), "most": ("+",),
    "zip": ("-TT", "--unzip-command"), "rsync": ("-e", "--rsh"),
    **dict.fromkeys(_PYTEST_RUNNERS, ("--basetemp",)),
    "split": ("--filter",),
    "sort": ("--compress-program",), "man": ("-P", "--pager", "-H", "--html"),
    "gdb": ("-ex", "--ex", "-eval-command", "--eval-command", "-iex", "--init-eval-command", "--args"),
    "lldb": ("-o", "--one-line", "-O", "--one-line-before-file", "-k", "--one-line-on-crash", "--"),
    "npm": ("explore", "exec", "x", "-c", "--call"), "pnpm": ("exec", "dlx", "-c"), "yarn": ("exec", "dlx"),
    "bun": ("x", "exec"), "cargo": ("watch",),
    "make": ("--eval", "-E", *_INSTALL_MARKERS), "gmake": ("--eval", "-E", *_INSTALL_MARKERS),
    "cmake": ("-E", "--prefix"), "meson": ("--destdir",), "ninja": _INSTALL_MARKERS,
    "git": ("grep", "difftool", "rebase"),
    "go": ("-exec", "--exec", "-toolexec", "--toolexec", "-vettool", "--vettool"),
    "node": ("-r", "--require", "--import", "--loader", "--experimental-loader"), "tsc-watch": ("--on",),
    "docker": ("-v", "--volume", "--mount", "-f", "--file"),
    "podman": ("-v", "--volume", "--mount", "-f", "--file", "kube", "play"),
    "kubectl": ("-f", "--filename"), "oc": ("-f", "--filename"),
    "nerdctl": ("-v", "--volume", "--mount", "-f", "--file"), "docker-compose": ("-f", "--file"),
    "podman-compose": ("-f", "--file"),
}


def _worth_reading(seg: Segment) -> bool:
    program = seg.program
    if program.startswith(("python", "pypy")):
        return (len(seg.argv) > 2 and seg.argv[1] == "-m") or ("--basetemp" in seg.argv[-1]) or (
            seg.inline_code is not None and "subprocess" in seg.inline_code[1])
    if program not in RUNNING_PROGRAMS:
        return False
    markers = _MARKERS.get(program)
    if markers is None:
        if program in _SQL_SHELL:
            text = " ".join(seg.argv[1:]) + seg.stdin_text
            lower = text.lower()
            return ".shell" in text or ".system" in text or "\\!" in text or "system" in lower or "program" in lower \
                or "|" in text
        return True
    # `-TTcmd`, `-Ocmd`, `--eval=x`: a marker may carry its value.
    return any(t.startswith(markers) for t in seg.argv[1:])


def follow(analysis: ShellAnalysis) -> ShellAnalysis:
    """``analysis`` with the commands its programs run for it added as segments."""
    segments = analysis.segments
    for seg in segments:
        if _worth_reading(seg):
            break
    else:  # nearly always: no program here runs another
        return analysis
    return _follow(analysis, [seg for seg in segments if _worth_reading(seg)])


MAX_ADDED = 64  # segments added to one analysis: bounded work for adversarial input
MAX_ROUNDS = 3  # a command run by a command run by a command...


def _follow(analysis: ShellAnalysis, worth: list[Segment]) -> ShellAnalysis:
    segments = analysis.segments
    from aegis_core.policy.shell import ShellAnalysis as Analysis

    added: list[Segment] = []
    problems = list(analysis.problems)
    notes = list(analysis.notes)
    rounds = 0
    while worth and rounds < MAX_ROUNDS and len(added) < MAX_ADDED:
        rounds += 1
        followable = _add_embedded(worth, segments, added, problems, notes)
        worth = [seg for seg in followable if _worth_reading(seg)]
    if worth and rounds >= MAX_ROUNDS:
        problems.append("commands run by commands nested too deeply to analyse")
    if len(added) >= MAX_ADDED:
        problems.append("too many commands run by other commands to analyse")
    if not added and len(problems) == len(analysis.problems):
        return analysis
    return Analysis(analysis.command, segments + tuple(added), tuple(problems), analysis.functions, tuple(notes))


def _add_embedded(worth: list[Segment], segments: tuple[Segment, ...], added: list[Segment], problems: list[str],
                  notes: list[str]) -> list[Segment]:
    """Add the commands ``worth``'s segments run; returns those that may run more."""
    from aegis_core.policy.shell import _Builder, analyse

    followable: list[Segment] = []
    substitutions = [s for s in segments if s.via == "$(...)"]
    pwd_only = bool(substitutions) and all(s.argv == ("pwd",) for s in substitutions)
    for seg in worth:
        for kind, payload, how in _embedded(seg, pwd_only):
            offset = len(segments) + len(added)
            before = len(added)
            if kind in ("shell", "makefile"):
                text = str(payload)[:MAX_EMBEDDED_CHARS]
                if kind == "makefile":
                    text = _recipes(text)
                if not text.strip():
                    continue
                inner = analyse(text)
                problems.extend(p for p in inner.problems if p not in problems)
                added.extend(adopt(inner.segments, offset, seg, how))
            elif kind == "argv":
                inner_args = list(payload)  # type: ignore[call-overload]
                if not inner_args:
                    continue
                builder = _Builder()
                unwrap(builder, Unwrapped(inner_args, [[] for _ in inner_args], [], [], "", how, (), []), 1)
                problems.extend(p for p in builder.problems if p not in problems)
                added.extend(adopt(tuple(builder.segments), offset, seg, how))
            elif kind in ("python", "javascript"):
                code = str(payload)[:MAX_EMBEDDED_CHARS]
                added.append(replace(seg, index=offset, inline_code=(kind, code), via=how,
                                     wrappers=(*seg.wrappers, how), pipe_from=(), code_from=(), runs_for=-1))
            else:
                problem = f"{payload}; it cannot be checked"
                if problem not in problems:
                    problems.append(problem)
            if kind in ("shell", "makefile", "argv"):
                followable.extend(added[before:])
            note = f"followed {how} into the command it runs"
            if note not in notes:
                notes.append(note)
    return followable


def adopt(inner: tuple[Segment, ...], offset: int, runner: Segment, via: str) -> list[Segment]:
    """The segments of a command another one runs, renumbered after the analysis' own,
    found through ``via``, with the runner's wrappers."""
    return [replace(s, index=s.index + offset, via=s.via or via,
                    wrappers=(*runner.wrappers, via, *s.wrappers),
                    pipe_from=tuple(i + offset for i in s.pipe_from),
                    code_from=tuple(i + offset for i in s.code_from),
                    runs_for=s.runs_for + offset if s.runs_for >= 0 else -1) for s in inner]
