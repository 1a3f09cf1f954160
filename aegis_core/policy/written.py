"""Code a call writes into a file that will run later: a shell script, a makefile's,
justfile's or Taskfile's recipes, ``package.json`` scripts, the commands a Python file
runs and the paths it deletes by name. Written now and run by the next call (or
by a person who trusts the project), it is judged now: every command in it goes through
the policy as if it ran, and a write whose code would be blocked asks first (the user
sees the content with the approval). Only blocked code counts: a setup script that
installs packages or pushes is ordinary work to write."""

from __future__ import annotations

import functools
import json
import re
import shlex
from typing import Any

from aegis_core.models import ToolCall
from aegis_core.policy.codecommands import code_commands, late_call_starts, unread_calls
from aegis_core.policy.cues import Cued, OutOfTries, all_groups, holds_any
from aegis_core.policy.evaldownload import evaluated_downloads, language_of
from aegis_core.policy.instructions import MOST_SHOWN, is_instruction_file, shown_commands, shows_too_many

MAX_CODE_CHARS = 16_384
# What the readers of program code read at most: its first MAX_CODE_CHARS and as much
# again around its late calls (see program_text).
MAX_READ_CHARS = 2 * MAX_CODE_CHARS + 1
# How a segment found in written code is marked (its `via`): the engine counts only a
# deny from it, and turns that into a request for approval.
WRITTEN_VIA = "written script "
# ...and the rules whose request for approval counts too: code that sends what a
# command prints, or a credential, somewhere (`curl -d "$(env)" https://...`) is the
# point of the script, not a step of ordinary work.
# So do the rules whose request for approval is about what the act destroys or where it
# reaches, rather than about not knowing the program: forcing history, resetting a
# database, deleting outside the project, changing startup files or package sources,
# publishing. Typed, each asks; hidden in a script, a makefile target or a package
# script, it must ask as well (when written, and when the file is run).
DESTRUCTIVE_ASKS = frozenset({
    "git-history-rewrite", "git-runs-command", "infra-database-reset", "infra-database-destructive",
    "infra-database-files", "infra-docker-destructive", "infra-container-host-access", "infra-cloud-destructive",
    "persist-startup-files", "persist-runs-later", "persist-agent-instructions", "persist-autorun-settings",
    "persist-package-sources", "persist-package-source-files", "persist-schedulers", "pkg-publish",
    "pkg-remote-change", "pkg-remote-code", "fs-delete-recursive", "fs-destroy-valuable", "fs-shred",
    "fs-truncate-dotfile", "fs-delete-by-code", "secrets-credential-dump", "secrets-broad-search",
    "net-url-secrets", "net-computed-request", "net-written-exfiltration", "net-code-from-stdin", "net-upload"})
# Written into a file, sending, publishing or printing the environment is what deploy
# scripts, release and debug targets are for: it asks when the file is run, not when it
# is written.
ASKS_WHEN_WRITTEN = DESTRUCTIVE_ASKS - {"net-upload", "pkg-publish", "pkg-remote-change",
                                        "secrets-credential-dump"}
_SHELL_SUFFIXES = (".sh", ".bash", ".zsh", ".ksh", ".dash", ".command")
_SHEBANG = re.compile(r"^#!\s*\S*/(?:env\s+)?(?:ba|z|k|da|a|mk)?sh\b")
_MAKEFILES = frozenset({"Makefile", "makefile", "GNUmakefile"})
_PROGRAM_SUFFIXES = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx", ".rb", ".rake", ".pl", ".pm",
                     ".php", ".ps1", ".psm1", ".go", ".rs", ".java", ".kt", ".kts", ".groovy", ".gradle", ".lua",
                     ".r", ".swift", ".cs", ".scala", ".ex", ".exs", ".dart", ".jl", ".bat", ".cmd", ".vbs", ".fish")
_INTERPRETER_SHEBANG = re.compile(r"^#!\s*\S*/(?:env\s+(?:-S\s+)?)?(?:node|deno|bun|ruby|perl|php|python[0-9.]*|lua"
                                  r"|Rscript|pwsh|tsx|ts-node)\b")
_JUSTFILES = frozenset({"justfile", "Justfile", ".justfile"})
_JSON_STRING_VALUE = re.compile(r'"[^"\n]{1,200}"\s*:\s*"((?:[^"\\\n]|\\.){1,4000})"')


# go-task's Taskfile: commands are list items or `cmd:` values under `cmds:`.
_TASKFILES = frozenset({"Taskfile.yml", "Taskfile.yaml", "taskfile.yml", "taskfile.yaml", "Taskfile.dist.yml"})
_TASK_LINE = re.compile(r"^\s*-\s+(?:cmd:\s*)?(.+?)\s*$|^\s*cmd:\s*(.+?)\s*$")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"|\'([^\']*)\'')
_TASK_VARIABLE = re.compile(r"\{\{\s*\.(\w+)\s*\}\}")


# Python that runs a command or deletes a named path, with a literal argument:
# os.system("..."), subprocess.run("...", shell=True), subprocess.run(["rm", "-rf", x]),
# shutil.rmtree("..."), os.remove("..."); `~` spelled as expanduser("~...") or Path.home().
_PY_STRING = r"""(?:[rbfu]{0,2})(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)')"""
_PY_SHELL_CALL = re.compile(r"\b(?:os\.system|os\.popen|subprocess\.(?:run|call|check_call|check_output|Popen|getoutput"
                            r"|getstatusoutput)|commands\.getoutput)\(\s*" + _PY_STRING)
_PY_ARGV_CALL = re.compile(r"\b(?:subprocess\.(?:run|call|check_call|check_output|Popen)|os\.exec\w+|os\.spawn\w+)"
                           r"\(\s*(?:[\w\"']+\s*,\s*)?\[([^\]]{1,2000})\]")
_PY_DELETE = re.compile(r"\b(shutil\.rmtree|os\.remove|os\.unlink|os\.rmdir|os\.removedirs)\(\s*"
                        r"(?:os\.path\.expanduser\(\s*)?" + _PY_STRING)
_PY_HOME_DELETE = re.compile(r"\bshutil\.rmtree\(\s*(?:pathlib\.)?Path\.home\(\)\s*\)")
# Code that names the home, lists folders and deletes a tree by a name only known at run
# time (`for p in Path.home().iterdir(): shutil.rmtree(p)`): it may delete the home's folders.
_PY_HOME = re.compile(r"\bPath\.home\(\)|expanduser\(\s*['\"]~['\"/]|environ(?:\.get)?\s*[\[(]\s*['\"]HOME['\"]"
                      r"|getenv\(\s*['\"]HOME['\"]")
_PY_TREE_BY_NAME = re.compile(r"\b(?:shutil\.)?rmtree\(\s*[A-Za-z_]\w*\s*[,)]")
_PY_LISTS = re.compile(r"\b(?:iterdir|listdir|scandir|walk|r?glob)\(")
# Words one of which every match of _PY_HOME, and of _PY_LISTS, holds.
_PY_HOME_WORDS = ("Path.home()", "expanduser(", "environ", "getenv(")
_PY_LISTS_WORDS = ("iterdir(", "listdir(", "scandir(", "walk(", "glob(")
_PY_LITERAL = re.compile(_PY_STRING)
# Task runners' Python files: nox's session.run('rm', '-rf', x) runs its words, invoke's
# c.run('...') / fabric's conn.run('...') a shell line.
_PY_SESSION_RUN = re.compile(r"\bsession\.run(?:_always|_install)?\(\s*((?:" + _PY_STRING + r"\s*,?\s*)+)")
# The names invoke's and fabric's context is usually given (any other is found by _task_parameters).
_TASK_CONTEXTS = ("c", "ctx", "context", "conn", "connection", "local")
_PY_TASK_SHELL = re.compile(r"\b(?:" + "|".join(_TASK_CONTEXTS) + r")\.(?:run|sudo|local)\(\s*" + _PY_STRING)
# The first parameter of a nox session or an invoke/fabric task, whatever its name
# (`@nox.session def tests(s): s.run(...)`): the object whose run() runs commands.
_PY_TASK_FUNCTION = re.compile(r"@(?:nox\.)?(session|task)\b[^\n]{0,200}\n(?:[ \t]*@[^\n]{0,200}\n){0,4}"
                               r"[ \t]*(?:async[ \t]+)?def[ \t]+\w+[ \t]*\([ \t]*([A-Za-z_]\w*)")
_MOST_TASK_PARAMETERS = 8


def _task_parameters(code: str) -> tuple[set[str], set[str]]:
    """(names nox sessions give their session, names tasks give their context) in
    ``code``, but the usual ones the fixed patterns read."""
    if "@" not in code or ("session" not in code and "task" not in code):
        return set(), set()
    sessions: set[str] = set()
    contexts: set[str] = set()
    for kind, name in _PY_TASK_FUNCTION.findall(code):
        if kind == "session" and name != "session":
            sessions.add(name)
        elif kind == "task" and name not in _TASK_CONTEXTS:
            contexts.add(name)
        if len(sessions) + len(contexts) >= _MOST_TASK_PARAMETERS:
            break
    return sessions, contexts


# The name first, then what may not come before it: the search skips to the name in C.
def _session_run(name: str) -> re.Pattern[str]:
    return re.compile(re.escape(name) + rf"(?<![\w.]{re.escape(name)})" + r"\.run(?:_always|_install)?\(\s*((?:"
                      + _PY_STRING + r"\s*,?\s*)+)")


def _task_shell(name: str) -> re.Pattern[str]:
    return re.compile(re.escape(name) + rf"(?<![\w.]{re.escape(name)})" + r"\.(?:run|sudo|local)\(\s*" + _PY_STRING)


# The same, searched only where a match can start (see cues.py).
_CUED_SHELL_CALL, _CUED_ARGV_CALL, _CUED_DELETE = Cued(_PY_SHELL_CALL), Cued(_PY_ARGV_CALL), Cued(_PY_DELETE)


def _findall(pattern: Cued, text: str) -> list[tuple[str, ...]]:
    """What ``re.findall`` gives for a pattern with groups, as tuples ("" for a group
    that took no part)."""
    return all_groups(pattern, text)


def python_commands(content: str) -> str:
    """Shell commands standing for what Python ``content`` runs or deletes by name."""
    code = content[:MAX_READ_CHARS]
    # Each distinct call once (dict.fromkeys): code that repeats one is read once for it.
    commands = [a or b for a, b in dict.fromkeys(_findall(_CUED_SHELL_CALL, code))]
    for (items,) in dict.fromkeys(_findall(_CUED_ARGV_CALL, code)):
        words = [a or b for a, b in _PY_LITERAL.findall(items)]
        if words:
            commands.append(" ".join(shlex.quote(w) for w in words))
    sessions, contexts = _task_parameters(code)
    if "session.run" in code or sessions:
        for pattern in (_PY_SESSION_RUN, *(_session_run(name) for name in sessions)):
            for found in pattern.finditer(code):
                words = [a or b for a, b in _PY_LITERAL.findall(found.group(1))]
                commands.append(" ".join(shlex.quote(w) for w in words))
    if ".run(" in code or ".sudo(" in code or ".local(" in code:
        for pattern in (_PY_TASK_SHELL, *(_task_shell(name) for name in contexts)):
            commands.extend(found.group(1) or found.group(2) for found in pattern.finditer(code))
    for function, a, b in dict.fromkeys(_findall(_CUED_DELETE, code)):
        target = a or b
        flag = "-rf " if function == "shutil.rmtree" else "-f "
        commands.append("rm " + flag + (target if target.startswith("~") else shlex.quote(target)))
    # Substring tests in C first (what each pattern's every match holds): each plain
    # search costs ~0.1 ms per 1000 calls' worth of code, for the rare code that holds all.
    if ("Path.home()" in code and _PY_HOME_DELETE.search(code)) or (
            "rmtree" in code and holds_any(code, _PY_HOME_WORDS) and holds_any(code, _PY_LISTS_WORDS)
            and _PY_TREE_BY_NAME.search(code) and _PY_HOME.search(code) and _PY_LISTS.search(code)):
        commands.append("rm -rf ~")
    # Each distinct command once: judging one again changes nothing, and the analysis
    # would read each repeat.
    return "\n".join(dict.fromkeys(commands))


# CMake: what a project's build runs (`execute_process` while it is configured,
# `add_custom_command`/`add_custom_target` while it builds) and what it deletes or
# downloads (`file(REMOVE_RECURSE ...)`, `file(DOWNLOAD ...)`).
_CMAKE_CALL = re.compile(r"(?i)\b(execute_process|add_custom_command|add_custom_target|file)\s*\(")
_CMAKE_KEYWORDS = frozenset({
    "COMMAND", "WORKING_DIRECTORY", "OUTPUT", "DEPENDS", "BYPRODUCTS", "COMMENT", "VERBATIM", "USES_TERMINAL",
    "RESULT_VARIABLE", "RESULTS_VARIABLE", "OUTPUT_VARIABLE", "ERROR_VARIABLE", "INPUT_FILE", "OUTPUT_FILE",
    "ERROR_FILE", "OUTPUT_QUIET", "ERROR_QUIET", "TIMEOUT", "COMMAND_ECHO", "ENCODING", "ALL", "SOURCES",
    "MAIN_DEPENDENCY", "IMPLICIT_DEPENDS", "DEPFILE", "JOB_POOL", "JOB_SERVER_AWARE", "APPEND", "TARGET",
    "PRE_BUILD", "PRE_LINK", "POST_BUILD", "COMMAND_EXPAND_LISTS", "DEPENDS_EXPLICIT_ONLY", "CODEGEN",
    "OUTPUT_STRIP_TRAILING_WHITESPACE", "ERROR_STRIP_TRAILING_WHITESPACE", "ECHO_OUTPUT_VARIABLE",
    "ECHO_ERROR_VARIABLE", "COMMAND_ERROR_IS_FATAL", "ANY", "LAST"})
_CMAKE_WORD = re.compile(r'"((?:[^"\\]|\\.)*)"|([^\s()"]+)')
_CMAKE_PLACES = {"CMAKE_SOURCE_DIR": ".", "CMAKE_CURRENT_SOURCE_DIR": ".", "PROJECT_SOURCE_DIR": ".",
                 "CMAKE_CURRENT_LIST_DIR": ".", "CMAKE_BINARY_DIR": "build", "CMAKE_CURRENT_BINARY_DIR": "build",
                 "PROJECT_BINARY_DIR": "build", "CMAKE_COMMAND": "cmake", "CMAKE_CTEST_COMMAND": "ctest"}
_CMAKE_SET = re.compile(r"(?i)\bset\s*\(\s*([A-Za-z_][\w.-]*)\s+([^)]*)\)")
_CMAKE_NAME = re.compile(r"(?<!ENV)\$\{([A-Za-z_][\w.-]*)\}")
_CMAKE_VARIABLE = re.compile(r"\$(ENV)?\{([A-Za-z_][\w.-]*)\}")


def cmake_commands(content: str) -> str:
    """Shell lines standing for what a CMake file runs, deletes or downloads."""
    lines: list[str] = []
    sets: dict[str, str] = {}
    for found in _CMAKE_SET.finditer(content):  # set(NAME values...): a name set twice stays unknown
        name, value = found.group(1), " ".join(found.group(2).split())
        sets[name] = value if sets.get(name, value) == value else "${" + name + "}"
    for call in _CMAKE_CALL.finditer(content):
        end = content.find(")", call.end())
        body = content[call.end():len(content) if end == -1 else end]
        if sets and "${" in body:
            body = _CMAKE_NAME.sub(lambda m: sets.get(m.group(1), m.group(0)), body)
        words = [_cmake_value(m.group(1) if m.group(1) is not None else m.group(2))
                 for m in _CMAKE_WORD.finditer(body)]
        function = call.group(1).lower()
        if function == "file":
            if words[:1] in (["REMOVE_RECURSE"], ["REMOVE"]):
                lines.append(("rm -rf " if words[0] == "REMOVE_RECURSE" else "rm -f ")
                             + " ".join(_cmake_quoted(w) for w in words[1:]))
            elif words[:1] == ["DOWNLOAD"] and len(words) >= 3:
                lines.append(f"curl -o {_cmake_quoted(words[2])} {_cmake_quoted(words[1])}")
            continue
        command: list[str] | None = None
        for word in words:
            if word in _CMAKE_KEYWORDS:
                if command:
                    lines.append(" ".join(_cmake_quoted(w) for w in command))
                command = [] if word == "COMMAND" else None
            elif command is not None:
                command.append(word)
        if command:
            lines.append(" ".join(_cmake_quoted(w) for w in command))
    return "\n".join(dict.fromkeys(lines))


# pyproject.toml tables of tasks a runner runs by name (poe, pdm, hatch, taskipy, rye):
# their strings are shell lines.
_TASK_TABLE = re.compile(r"^\s*\[+\s*tool\.(?:poe\.tasks|pdm\.scripts|hatch\.envs\.[\w.\"'-]+\.scripts|taskipy\.tasks"
                         r"|rye\.scripts|uv\.scripts)\b")
_TASK_RUNNER_TABLE = re.compile(r"^\s*\[\s*tool\.(?:poe|pdm|rye|taskipy|uv|hatch\.envs\.[\w.\"'-]+)\s*\]")
_TASK_KEY = re.compile(r"^\s*(?:tasks|scripts)\b")
_TASK_HELP = re.compile(r"""\bhelp\s*=\s*(?:"(?:[^"\\]|\\.)*"|'[^']*')""")
_TRIPLE = re.compile(r'("""|\'\'\')(.*?)\1', re.S)


def pyproject_tasks(content: str) -> str:
    """The shell lines of the tasks a pyproject.toml names for its task runners."""
    lines: list[str] = []
    inside = False
    kept: list[str] = []
    runner = False  # in [tool.poe] and the like, where `tasks = {...}` may be written inline
    for line in content.splitlines():
        if line.lstrip().startswith("["):
            inside = _TASK_TABLE.match(line) is not None
            runner = _TASK_RUNNER_TABLE.match(line) is not None
            continue
        if inside or (runner and _TASK_KEY.match(line)):
            kept.append(line)
        else:
            kept.append("")
    text = "\n".join(kept)
    for found in _TRIPLE.finditer(text):
        lines.append(found.group(2))
    text = _TRIPLE.sub("", text)
    for line in text.splitlines():
        key = line.split("=", 1)[0].strip()
        if key in ("help", "env", "cwd", "envfile", "deps", "uses"):
            continue
        value = _TASK_HELP.sub("", line.split("=", 1)[-1])  # `{cmd = "...", help = "..."}`: the help is prose
        lines.extend(a or b for a, b in _QUOTED.findall(value))
    return "\n".join(line for line in lines if line.strip())


def _cmake_quoted(word: str) -> str:
    """A word for the shell: quoted, but the variables put in as ``${NAME}`` still
    expanded (the environment's, or a value only known when CMake runs)."""
    if "${" not in word:
        return shlex.quote(word)
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`") + '"'


def _cmake_value(word: str) -> str:
    def put(found: re.Match[str]) -> str:
        name = found.group(2)
        if found.group(1):
            return "${" + name + "}"  # $ENV{HOME}: the environment's, as the shell sees it
        return _CMAKE_PLACES.get(name, "${" + name + "}")
    return _CMAKE_VARIABLE.sub(put, word)


# Files whose entries are commands another program starts: process managers (foreman,
# overmind, honcho, `heroku local` read a Procfile), watchers (nodemon, air) and Tilt.
_PROCFILE = re.compile(r"^Procfile(?:\.[\w.-]+)?$")
_PROCFILE_LINE = re.compile(r"^\s*[\w.-]+\s*:\s*(.+?)\s*$")
# nodemon.json's exec and event commands; .air.toml's cmd, bin, pre_cmd and post_cmd.
_NODEMON_COMMAND = re.compile(r'"(?:exec|start|restart|crash|exit|config:changed)"\s*:\s*"((?:[^"\\\n]|\\.)*)"')
_AIR_COMMAND = re.compile(r"^\s*(?:cmd|full_bin|bin|pre_cmd|post_cmd)\s*=\s*(.+?)\s*$", re.M)
# Tilt's local() and local_resource() commands, cmd= and serve_cmd= too.
_TILT_COMMAND = re.compile(r"\b(?:local|local_resource\s*\(\s*['\"][^'\"]*['\"]\s*,|(?:serve_)?cmd\s*=)\s*\(?\s*"
                           r"(?:'([^'\n]*)'|\"((?:[^\"\\\n]|\\.)*)\")")
_RUBY_TASK_FILES = frozenset({"Rakefile", "rakefile", "Guardfile", "Vagrantfile", "Fastfile", "Dangerfile", "Capfile",
                              "Thorfile",
                              # evaluated as Ruby by bundler, CocoaPods, brew bundle, Berkshelf,
                              # appraisal, r10k and fastlane's other files
                              "Gemfile", "Podfile", "Brewfile", "Berksfile", "Appraisals", "Puppetfile", "Steepfile",
                              "Appfile", "Matchfile", "Pluginfile", "Deliverfile", "Snapfile", "Scanfile", "Gymfile"})
# Ruby specs a tool evaluates (`gem build`, `pod install`, bundler's `gemspec` line).
_RUBY_SPEC_SUFFIXES = (".gemspec", ".podspec")
# Ruby's calls that run a command, written without parentheses as Ruby allows
# (`system "cmd"`; rake's and fastlane's `sh 'cmd'`), or with them, where a call can
# start: after a blank, `{`, `;`, `(` or `=` (`task :x do sh 'cmd' end`, `x = system
# "cmd"`; searched in the text after a line break, for its start).
_RAKE_SH = re.compile(r"[\s{;(=](?:sh|system|exec|spawn)[ \t]*(?:\([ \t]*)?"
                      r"(?:'([^'\n]*)'|\"((?:[^\"\\\n]|\\.)*)\")")


_RUBY_RUNNERS = ("sh", "system", "exec", "spawn")


_DDEV_CONFIG = re.compile(r"^config(?:\.[\w-]+)*\.ya?ml$")
_DDEV_HOOK = re.compile(r"(?m)^[ \t]*+(?:-[ \t]*+)?exec(?:-host)?:[ \t]*+['\"]?([^'\"\n]+)")


def _ruby_commands(code: str) -> str:
    """The commands Ruby ``code`` runs by calls without parentheses (see _RAKE_SH)."""
    if not holds_any(code, _RUBY_RUNNERS):
        return ""
    return "\n".join(a or _decoded(b) for a, b in _RAKE_SH.findall("\n" + code))


def started_commands(name: str, content: str) -> str | None:
    """The commands a process manager, watcher or Tilt starts from a file named
    ``name`` (one a line), or None when the file is none of theirs."""
    if _PROCFILE.match(name):
        return "\n".join(m.group(1) for line in content.splitlines() if (m := _PROCFILE_LINE.match(line))
                         and not line.lstrip().startswith("#"))
    if name in ("nodemon.json", ".nodemonrc", ".nodemonrc.json"):
        return "\n".join(_decoded(v) for v in _NODEMON_COMMAND.findall(content))
    if name in (".air.toml", "air.toml", ".air.conf"):
        commands: list[str] = []
        for value in _AIR_COMMAND.findall(content):
            commands.extend(a or b for a, b in _QUOTED.findall(value))
        return "\n".join(commands)
    if name == "Tiltfile" or name.endswith(".tiltfile"):
        return "\n".join(a or _decoded(b) for a, b in _TILT_COMMAND.findall(content))
    return None


def taskfile_commands(content: str) -> str:
    """The commands of a Taskfile (or of one task's lines), ``{{.VAR}}`` as ``${VAR}``."""
    content = _TASK_VARIABLE.sub(r"${\1}", content)
    commands: list[str] = []
    for line in content[:MAX_WRITTEN_CHARS].splitlines():
        if "cmds:" in line and "[" in line:
            commands.extend(a or b for a, b in _QUOTED.findall(line.split("cmds:", 1)[1]))
            continue
        found = _TASK_LINE.match(line)
        if found:
            text = found.group(1) or found.group(2)
            if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
                text = text[1:-1]
            commands.append(text)
    return "\n".join(commands)


# tox runs each environment's `commands` (and `commands_pre`/`_post`) lines as commands.
_TOX_KEY = re.compile(r"^\s*commands(?:_pre|_post)?\s*=\s*(.*)$")


def tox_commands(content: str) -> str:
    """The commands of a tox.ini: `commands = X` and its indented continuation lines."""
    commands: list[str] = []
    inside = False
    for line in content[:MAX_WRITTEN_CHARS].splitlines():
        found = _TOX_KEY.match(line)
        if found:
            inside = True
            if found.group(1).strip():
                commands.append(found.group(1).strip())
        elif inside and line[:1] in (" ", "\t") and line.strip():
            commands.append(line.strip())
        else:
            inside = False
    return "\n".join(c.lstrip("-") for c in commands)


# Compose files: what `docker compose up` gives its containers of the host, as the
# `docker run` options that say the same (judged by the container rules).
_COMPOSE_FILE = re.compile(r"^(?:docker-)?compose(?:\.[\w-]+)*\.ya?ml$")
_COMPOSE_MOUNT = re.compile(r"""^\s*-\s*['"]?((?:/|~|\$\{?HOME)[^'"\s:]*):([^'"\s]+)['"]?\s*$""")
# A source that starts an item (`['/:/host', "~/.ssh:/k"]`), not the `/x` of `./x:/x`.
_COMPOSE_FLOW_MOUNT = re.compile(r"""(?<![\w.~/$:-])['"]?((?:/|~|\$\{?HOME)[^'",\s:]*):([^'",\s\]]+)""")
_COMPOSE_SOURCE = re.compile(r"""^\s*source:\s*['"]?((?:/|~|\$\{?HOME)[^'"\s]*)""")
# Host namespaces and privileges, in block style (`privileged: true` on its own line) or
# flow style (`{image: x, privileged: true}`): patterns that start with their key, so a
# search skips to it (a key is one when no letter is glued before it: see _keyed).
_COMPOSE_FLAGS = ((re.compile(r"privileged:\s*true\b"), "--privileged"),
                  (re.compile(r"pid:\s*['\"]?host\b"), "--pid=host"),
                  (re.compile(r"network_mode:\s*['\"]?host\b"), "--network=host"))
_COMPOSE_CAPABILITY = re.compile(r"^\s*-\s*['\"]?(?:SYS_ADMIN|ALL)['\"]?\s*$")
_CAPABILITY_WORD = re.compile(r"\b(?:SYS_ADMIN|ALL)\b")
# What a compose file or a Kubernetes spec is read from: its start (a longer one given on
# standard input asks, see embedded.py); like every reader, bounded work per call.
MAX_SPEC_CHARS = MAX_CODE_CHARS


def _keyed(pattern: re.Pattern[str], text: str) -> bool:
    """Whether ``pattern`` (which starts with a key) matches ``text`` where that key
    starts a word: `pid: host`, not `rapid: host`."""
    for match in pattern.finditer(text):
        at = match.start()
        if at == 0 or not (text[at - 1].isalnum() or text[at - 1] == "_"):
            return True
    return False


def compose_commands(content: str) -> str:
    """`docker run` lines for the host folders a compose file mounts and the host
    namespaces or privileges it asks for."""
    commands: list[str] = []
    for line in content[:MAX_SPEC_CHARS].splitlines():
        if "volumes:" in line and "[" in line:  # `volumes: ['/:/host', ...]`, the flow style
            commands.extend(f"docker run --rm -v {shlex.quote(source)}:{shlex.quote(target)} compose-service"
                            for source, target in _COMPOSE_FLOW_MOUNT.findall(line.split("[", 1)[1]))
        else:
            mount = _COMPOSE_MOUNT.match(line) or _COMPOSE_SOURCE.match(line)
            if mount:
                target = mount.group(2) if mount.re is _COMPOSE_MOUNT else "/mnt"
                commands.append(f"docker run --rm -v {shlex.quote(mount.group(1))}:{shlex.quote(target)} "
                                "compose-service")
                continue
        for pattern, flag in _COMPOSE_FLAGS:
            if _keyed(pattern, line):
                commands.append(f"docker run --rm {flag} compose-service")
        if _COMPOSE_CAPABILITY.match(line) or _flow_capability(line):
            commands.append("docker run --rm --cap-add=SYS_ADMIN compose-service")
    return "\n".join(commands)


def _flow_capability(line: str) -> bool:
    """`cap_add: [NET_ADMIN, SYS_ADMIN]`: the list read up to its `]`, once."""
    at = line.find("cap_add:")
    if at < 0:
        return False
    start = line.find("[", at)
    end = line.find("]", start) if start >= 0 else -1
    return start >= 0 and _CAPABILITY_WORD.search(line, start, end if end >= 0 else len(line)) is not None


# Kubernetes specs (`podman kube play -`, `kubectl apply -f -`): the host folders a pod
# mounts (`hostPath: {path: /}`) and the host namespaces or privileges it asks for, in
# block or flow style.
_KUBE_HOST_PATH = re.compile(r"hostPath:")
_KUBE_PATH = re.compile(r"""path:\s*['"]?([^'",}\s]+)""")
_KUBE_FLAGS = ((re.compile(r"privileged:\s*true\b"), "--privileged"),
               (re.compile(r"hostPID:\s*true\b"), "--pid=host"),
               (re.compile(r"hostNetwork:\s*true\b"), "--network=host"),
               (re.compile(r"hostIPC:\s*true\b"), "--ipc=host"),
               (re.compile(r"allowPrivilegeEscalation:\s*true\b"), "--privileged"))


def _host_paths(text: str) -> list[str]:
    """The `path:` of each `hostPath:` (the first one after it, within its mapping), in
    one pass over each: a spec made of `hostPath:` alone costs no more than any text."""
    paths = [(m.start(), m.group(1)) for m in _KUBE_PATH.finditer(text)
             if m.start() == 0 or not text[m.start() - 1].isalnum()]
    found: list[str] = []
    at = 0
    for host in _KUBE_HOST_PATH.finditer(text):
        while at < len(paths) and paths[at][0] < host.end():
            at += 1
        if at < len(paths) and paths[at][0] - host.end() < 200 and "}" not in text[host.end():paths[at][0]]:
            found.append(paths[at][1])
    return found


def kube_commands(content: str) -> str:
    """`docker run` lines for what a Kubernetes spec gives its containers of the host."""
    text = content[:MAX_SPEC_CHARS]
    commands = [f"docker run --rm -v {shlex.quote(path)}:/host kube-pod" for path in _host_paths(text)]
    commands += [f"docker run --rm {flag} kube-pod" for pattern, flag in _KUBE_FLAGS if _keyed(pattern, text)]
    return "\n".join(commands)


def _content(call: ToolCall) -> str:
    tool_input = call.input if isinstance(call.input, dict) else {}
    if isinstance(tool_input.get("content"), str):
        return tool_input["content"]
    if isinstance(tool_input.get("new_string"), str):
        return tool_input["new_string"]
    edits = tool_input.get("edits")
    if isinstance(edits, list):
        return "\n".join(e["new_string"] for e in edits if isinstance(e, dict) and isinstance(e.get("new_string"), str))
    return ""


def _package_scripts(content: str) -> str:
    try:
        data = json.loads(content)
        scripts = data.get("scripts") if isinstance(data, dict) else None
        if isinstance(scripts, dict):
            return "\n".join(v for v in scripts.values() if isinstance(v, str))
    except ValueError:
        pass
    # An edit's fragment: every string value it sets (a version number reads as a
    # command that runs nothing).
    return "\n".join(_decoded(m.group(1)) for m in _JSON_STRING_VALUE.finditer(content[:MAX_CODE_CHARS]))


def _decoded(value: str) -> str:
    """A double-quoted string's text with its escapes decoded as JSON decodes them
    (`\\u0063url` is `curl`); kept as it is when it holds none, or one JSON refuses."""
    if "\\" not in value:
        return value
    try:
        return str(json.loads(f'"{value}"'))
    except ValueError:
        return value


def shell_code(path: str, content: str) -> str | None:
    """The shell commands ``content`` holds when written to ``path`` (as it would run
    them), or None when the file is not one a shell, make, just or npm runs."""
    if not content:
        return None
    name = path.rstrip("/").rsplit("/", 1)[-1]
    # The commands of a makefile, justfile, package.json or shell script are read from
    # the whole text the readers read (too many to judge, they ask); program code from
    # its first MAX_CODE_CHARS, and what it holds past them asks (see unread_code).
    whole, content_in = content[:MAX_WRITTEN_CHARS], content
    content = content[:MAX_CODE_CHARS]
    if name in _MAKEFILES or name.endswith(".mk"):
        from aegis_core.policy.taskrunners import every_recipe

        return every_recipe(whole)
    if name in _JUSTFILES:
        return "\n".join(line.strip().lstrip("@-") for line in whole.splitlines()
                         if line.startswith((" ", "\t")) and line.strip())
    if name == "package.json":
        return _package_scripts(whole)
    if name in _TASKFILES:
        return taskfile_commands(content)
    if name == "tox.ini":
        return tox_commands(content)
    if name == "CMakeLists.txt" or name.endswith(".cmake"):
        return cmake_commands(whole)
    if name == "pyproject.toml":
        return pyproject_tasks(whole)
    if _COMPOSE_FILE.match(name):
        return compose_commands(content)
    if name in _RUBY_TASK_FILES or name.endswith(_RUBY_SPEC_SUFFIXES):
        # Rakefile, Guardfile, Gemfile...: Ruby a tool loads on its own (`rake`, `guard`,
        # `vagrant up`, `bundle install`).
        code = program_text(content_in, name + ".rb")
        return "\n".join(c for c in (_ruby_commands(code), code_commands(code, name + ".rb"),
                                     evaluated_downloads(code, "ruby")) if c)
    started = started_commands(name, content)
    if started is not None:
        return started
    if "/.ddev/" in "/" + path and _DDEV_CONFIG.match(name):
        # ddev's hooks: `exec-host:` runs on this machine at `ddev start`, `exec:` in the
        # container that mounts the project.
        return "\n".join(_DDEV_HOOK.findall(content)) if "exec" in content else ""
    if name.endswith((".py", ".pyw")):
        # Run later by the agent, or by a tool on its own (pytest loads conftest.py, pip
        # runs setup.py): the commands it runs and the paths it deletes by name.
        code = program_text(content_in, name)
        return "\n".join(c for c in (python_commands(code), code_commands(code, name),
                                     evaluated_downloads(code, "python")) if c)
    if name.endswith(_SHELL_SUFFIXES) or _SHEBANG.match(content):
        return whole
    if name.lower().endswith(_PROGRAM_SUFFIXES) or _INTERPRETER_SHEBANG.match(content):
        # Any other language: what it hands to a shell or a process, and what it
        # deletes recursively (see codecommands.py).
        code = program_text(content_in, name)
        language = language_of(name)
        ruby = _ruby_commands(code) if language == "ruby" else ""
        evaluated = evaluated_downloads(code, language) if language else ""
        return "\n".join(c for c in (ruby, code_commands(code, name), evaluated) if c)
    if is_instruction_file(path):
        # CLAUDE.md, .claude/commands/*.md...: the commands it shows the next agent, from
        # the whole text when it shows few past MAX_CODE_CHARS (see unread_code).
        return shown_commands(_shown_part(whole, content))
    return None


def _shown_part(whole: str, head: str) -> str:
    """The part of an instruction file its shown commands are read from: ``head`` (its
    first MAX_CODE_CHARS) when more places past it may show one than are read; the head
    to the end of its last line when no place past it can (no backtick, ``$``, ``!{`` or
    imperative verb there, and no fence anywhere that could run on into it); else the
    whole text."""
    if len(whole) <= MAX_CODE_CHARS:
        return whole
    places = _shown_places_past_head(whole)
    if places > _MAX_SHOWN_PLACES:
        return head  # unread past it: the write asks (unread_code)
    if places == 0 and "```" not in whole:
        end = whole.find("\n", MAX_CODE_CHARS)
        return whole if end == -1 else whole[:end]
    return whole


# Places past MAX_CODE_CHARS where an instruction file may show a command: up to this
# many, its shown commands are read from the whole text; more, and the write asks
# (see unread_code) rather than read them all.
_MAX_SHOWN_PLACES = 400


def _few_shown(text: str) -> bool:
    """Whether the part of ``text`` past MAX_CODE_CHARS has at most _MAX_SHOWN_PLACES
    places that may show a command (see _shown_places)."""
    return len(text) <= MAX_CODE_CHARS or _shown_places_past_head(text) <= _MAX_SHOWN_PLACES


# (the text last asked about, its count): one tuple, read and replaced whole. A write of
# an instruction file asks three times about the same text (shell_code, unread_code twice),
# ~0.4 ms each for 48 KB.
_shown_last: list[tuple[str, int]] = [("", 0)]


def _shown_places_past_head(text: str) -> int:
    """_shown_places of the part of ``text`` past MAX_CODE_CHARS."""
    last = _shown_last[0]
    if last[0] is text:
        return last[1]
    places = _shown_places(text[MAX_CODE_CHARS:])
    _shown_last[0] = (text, places)
    return places


def _shown_places(tail: str) -> int:
    """Places in ``tail`` that may show a command (backticks, `$` and `!{` lines,
    imperative verbs), by substring counts in C: a bound on what shown_commands reads."""
    low = tail.lower()
    return tail.count("`") // 2 + tail.count("`") % 2 + tail.count("$") + tail.count("!{") + sum(
        low.count(verb) for verb in ("run", "exec", "invoke", "type"))


# Text past which nothing a file holds is read (the readers of written text stop there).
MAX_WRITTEN_CHARS = 64 * 1024
# Program code read past MAX_CODE_CHARS only for what could run or delete: from a little
# before the limit, so that a call cut there is seen whole.
_TAIL_OVERLAP = 2048


# The shortest text that can show more than instructions.MOST_SHOWN commands (each
# takes two characters at least: a line of a fenced block and its line break).
_FEWEST_CHARS_OF_TOO_MANY = 2 * 240


def unread_code(path: str, content: str) -> str | None:
    """Why the part of ``content`` that shell_code does not read, written to ``path``,
    may hold code that runs later, or None: text past MAX_WRITTEN_CHARS in a file that
    runs later, and in program code past MAX_CODE_CHARS a call to a shell or a process,
    or a deletion (read in full, a 64 KB file full of them would cost too much); an
    instruction file showing more commands than are read (instructions.MOST_SHOWN)."""
    name = path.rstrip("/").rsplit("/", 1)[-1]
    if len(content) > _FEWEST_CHARS_OF_TOO_MANY:
        if is_instruction_file(path) and shows_too_many(_shown_part(content[:MAX_WRITTEN_CHARS],
                                                                    content[:MAX_CODE_CHARS])):
            return f"{name} shows more than {MOST_SHOWN} commands, more than Aegis judges one by one"
    if len(content) <= MAX_CODE_CHARS:
        return None
    lowered = name.lower()
    shell = lowered.endswith(_SHELL_SUFFIXES) or _SHEBANG.match(content) is not None
    program = not shell and (lowered.endswith((".py", ".pyw", *_PROGRAM_SUFFIXES))
                             or _INTERPRETER_SHEBANG.match(content) is not None)
    if not (program or shell or _read_whole(name, path)):
        return None  # not a file that runs later
    if len(content) > MAX_WRITTEN_CHARS:
        return (f"{name} is {len(content)} characters long, past the {MAX_WRITTEN_CHARS} Aegis reads of a file "
                "that runs later")
    if name == "package.json":
        try:
            json.loads(content)
        except ValueError:  # not a whole file: its values are read from the first MAX_CODE_CHARS only
            return f"{name} is {len(content)} characters of JSON that do not parse, too long to read value by value"
    if not program:
        if is_instruction_file(path) and not _few_shown(content):
            return (f"{name} shows more commands past its first {MAX_CODE_CHARS} characters than Aegis reads "
                    "one by one")
        return None  # its commands are read from the whole text (shell_code)
    late, tried_out = _late_calls(content, lowered)
    if tried_out:
        return (f"{name} is {len(content)} characters long, with more places past the first {MAX_CODE_CHARS} "
                f"that may run or delete something than Aegis tries ({_MOST_LATE_TRIES})")
    if late is not None:
        return None  # read with the head (program_text)
    tail = content[MAX_CODE_CHARS - _TAIL_OVERLAP:]
    found = unread_calls(tail, lowered) or (_python_calls(tail) if lowered.endswith((".py", ".pyw")) else None)
    if found is None:
        return None
    return (f"{name} runs or deletes something past the first {MAX_CODE_CHARS} characters Aegis reads of it "
            f"({found[:60]!r})")


# A long program is read past MAX_CODE_CHARS around each place that may run or delete
# something (a routine module with a late `subprocess.run([...])` is judged by what it
# runs): at most this many places, each read from a few lines before it (where a name
# it uses may be set) to a little after; a program with more asks (unread_code).
_MAX_LATE_CALLS = 12
# A late call read only when what it is handed is written out in it: a string or a list
# of strings (no f-string, no name whose value is set somewhere the excerpts do not show).
_LITERAL_CALL = re.compile(r"""[\w.$]{0,60}\(\s*(?:[rbu]{0,2}(['"])(?:(?!\1)[^\\\n]|\\.)*\1"""
                           r"""|\[\s*(?:[rbu]{0,2}(['"])[^'"\n\\]*\2\s*,?\s*)+\])""")
_LATE_BEFORE_LINES = 4
_LATE_AFTER_CHARS = 800


def program_text(content: str, name: str) -> str:
    """The text of program code its readers read (at most MAX_READ_CHARS): its first
    MAX_CODE_CHARS, and for a longer one the excerpts around its late calls (see
    _late_calls) when they are few and short enough."""
    head = content[:MAX_CODE_CHARS]
    if len(content) <= MAX_CODE_CHARS:
        return head
    late, _ = _late_calls(content, name.lower())
    return head if not late else head + "\n" + late


def forget() -> None:
    """Forget the late calls read of the last programs written, and the places counted in
    the last instruction file (policy.forget_caches)."""
    _late_calls.cache_clear()
    _shown_last[0] = ("", 0)


# Places past MAX_CODE_CHARS where the searches for late calls try their patterns (each
# start word found, each call): past this many the write asks rather than look on, so
# that a text dense with those words (`exec exec ...`, ~1 us a try) costs a bounded
# time. Ordinary code has far fewer: at most ~600 in the last 48 KB of 4000 large
# Python, JavaScript, Ruby and Go files.
_MOST_LATE_TRIES = 1200


@functools.lru_cache(maxsize=8)  # asked twice per write (unread_code, program_text)
def _late_calls(content: str, lowered: str) -> tuple[str | None, bool]:
    """(the lines around each place past MAX_CODE_CHARS (read from a little before it)
    that may run or delete something, joined: "" when there is none, None when there are
    more than _MAX_LATE_CALLS; whether the searches gave up first, past _MOST_LATE_TRIES)."""
    start = MAX_CODE_CHARS - _TAIL_OVERLAP
    tail = content[start:MAX_WRITTEN_CHARS]
    tries = [_MOST_LATE_TRIES]
    try:
        places = set(late_call_starts(tail, lowered, tries))
        if lowered.endswith((".py", ".pyw")):
            for pattern in (_CUED_SHELL_CALL, _CUED_ARGV_CALL, _CUED_DELETE, _CUED_HOME_DELETE):
                for found in pattern.finditer(tail, tries, give_way=False):
                    places.add(found.start())
                    if len(places) > _MAX_LATE_CALLS:
                        return None, False
    except OutOfTries:
        return None, True
    if len(places) > _MAX_LATE_CALLS or len(content) > MAX_WRITTEN_CHARS:
        return None, False
    if any(_LITERAL_CALL.match(tail, place) is None for place in places):
        return None, False  # `subprocess.run(cmd, shell=True)`: what it runs may be set anywhere before
    excerpts: list[tuple[int, int]] = []
    for place in sorted(places):
        begin = place
        for _ in range(_LATE_BEFORE_LINES + 1):
            begin = tail.rfind("\n", 0, begin - 1) + 1 if begin > 0 else 0
        begin = max(begin, place - _LATE_AFTER_CHARS)
        end = tail.find("\n", min(len(tail), place + _LATE_AFTER_CHARS))
        end = min(len(tail) if end == -1 else end, place + 2 * _LATE_AFTER_CHARS)
        if excerpts and begin <= excerpts[-1][1]:
            excerpts[-1] = (excerpts[-1][0], max(end, excerpts[-1][1]))
        else:
            excerpts.append((begin, end))
    late = "\n".join(tail[b:e] for b, e in excerpts)
    return (late if len(late) <= MAX_CODE_CHARS else None), False


def _read_whole(name: str, path: str) -> bool:
    """Whether shell_code reads the commands of a file so named from its whole text."""
    return name in _MAKEFILES or name.endswith(".mk") or name in _JUSTFILES or name == "package.json" \
        or name in _TASKFILES or name == "tox.ini" or _COMPOSE_FILE.match(name) is not None \
        or is_instruction_file(path)


def _python_calls(text: str) -> str | None:
    for pattern in (_CUED_SHELL_CALL, _CUED_ARGV_CALL, _CUED_DELETE):
        found = pattern.search(text)
        if found is not None:
            return found.group(0)
    found_home = _CUED_HOME_DELETE.search(text)
    return found_home.group(0) if found_home is not None else None


_CUED_HOME_DELETE = Cued(_PY_HOME_DELETE)


def written_code(call: ToolCall) -> tuple[str, str] | None:
    """(the file, its shell code) when ``call`` writes code that runs later, or None."""
    paths = call.paths
    if not paths:
        return None
    code = shell_code(paths[0], _content(call))
    return (paths[0], code) if code and code.strip() else None


def written_unread(call: ToolCall) -> str | None:
    """Why what ``call`` writes into a file that runs later is not all read (see
    unread_code), or None."""
    paths = call.paths
    return unread_code(paths[0], _content(call)) if paths else None


# In-place edits that put text into a file: sed's s/../TEXT/ and a/i/c commands, perl's
# s/../TEXT/ under -i, `npm pkg set scripts.NAME=TEXT`.
_SED_SUBSTITUTE = re.compile(r"(?:^|[;\n])\s*(?:[\d$,]+|/[^/\n]*/)?\s*s(.)(?:(?!\1).|\\.)*\1((?:(?!\1)[^\\]|\\.)*)\1")
_SED_ADD = re.compile(r"(?:^|[;\n])\s*(?:[\d$,]+|/[^/\n]*/)?\s*[aic]\\?\s+(.+?)\s*$", re.M)
_RUN_AS_SHELL = frozenset({"Makefile", "makefile", "GNUmakefile", "justfile", "Justfile", "package.json", *_TASKFILES})


_EDITS_IN_PLACE = frozenset({"npm", "sed", "gsed", "perl"})


def edited_in_place(seg: Any) -> list[tuple[str, str]]:
    """(file, the shell code it gets) for text ``seg`` puts into a file that runs later by
    editing it in place; [] for anything else."""
    program = seg.program
    if program not in _EDITS_IN_PLACE:
        return []  # nearly every segment: nothing else edits a file in place
    texts = [a.text for a in seg.args[1:]]
    if any(a.dynamic for a in seg.args[1:]):
        return []
    if program == "npm":
        words = [t for t in texts if not t.startswith("-")]
        if words[:2] == ["pkg", "set"]:
            code = [w.split("=", 1)[1] for w in words[2:] if w.startswith("scripts.") and "=" in w]
            return [("package.json", "\n".join(code))] if code else []
        return []
    in_place = any(t == "-i" or t.startswith("-i") or t == "--in-place" or (program == "perl" and t.startswith("-")
                   and "i" in t[1:] and not t.startswith("--")) for t in texts)
    if program not in ("sed", "gsed", "perl") or not in_place:
        return []
    expressions = [texts[i + 1] for i, t in enumerate(texts[:-1]) if t in ("-e", "--expression")]
    if program == "perl":
        expressions = [texts[i + 1] for i, t in enumerate(texts[:-1]) if t.startswith("-") and t.endswith("e")]
    files = [t for t in texts if not t.startswith("-") and t not in expressions]
    if not expressions and files:
        expressions, files = files[:1], files[1:]
    inserted: list[str] = []
    for expression in expressions:
        # In the replacement `\D` is the delimiter D itself and `\&` a literal `&`.
        inserted.extend(m.group(2).replace("\\" + m.group(1), m.group(1)).replace("\\/", "/").replace("\\&", "&")
                        for m in _SED_SUBSTITUTE.finditer(expression))
        if program != "perl":
            inserted.extend(m.group(1) for m in _SED_ADD.finditer(expression))
    if not inserted:
        return []
    text = "\n".join(inserted)
    out: list[tuple[str, str]] = []
    for path in files:
        name = path.rstrip("/").rsplit("/", 1)[-1]
        found: str | None
        if name == "package.json" and '":' in text:  # a JSON fragment: `"test": "jest && ..."`
            found = "\n".join((text, _package_scripts(text)))
        else:
            found = text if name in _RUN_AS_SHELL or name.endswith(".mk") else shell_code(path, text)
        if found:
            out.append((path, found))
    return out
