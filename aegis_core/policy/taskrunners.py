"""What a task runner is about to run, read from its file when it runs: ``make nuke``
(the target's recipe and its prerequisites' recipes, from the makefile ``-f``/``-C``
name or the folder's own), ``npm run x``/``yarn x``/``pnpm x``/``bun run x`` (the
script with its ``pre``/``post`` scripts, from the package.json of the folder or of
``--prefix``/``--dir``/``-C``/``--cwd``), ``just x`` (a justfile recipe) and ``task x``
(a Taskfile task). The file may have been written by the agent in a way the policy
did not see, or long ago; what it holds now is what runs. The file is read as the
policy reads every file (``filetext``: bounded, regular files only, never waiting);
one that exists but cannot be read that way makes the command uncertain (it asks),
never allowed unread."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aegis_core.policy.embedded import option_values
from aegis_core.policy.filetext import regular_file_head
from aegis_core.policy.paths import normalise

if TYPE_CHECKING:
    from aegis_core.policy.shell import Segment

MAX_FILE_BYTES = 256 * 1024
MAX_CODE_CHARS = 16_384
_MAKES = frozenset({"make", "gmake", "bmake"})
_PACKAGE_TOOLS = frozenset({"npm", "yarn", "pnpm", "bun"})
# The programs task_code reads a file for: every other program runs no task.
TASK_PROGRAMS = _MAKES | _PACKAGE_TOOLS | {"just", "task", "go-task"}
_MAKEFILES = ("GNUmakefile", "makefile", "Makefile")
_JUSTFILES = ("justfile", "Justfile", ".justfile")
_TASKFILES = ("Taskfile.yml", "Taskfile.yaml", "taskfile.yml", "taskfile.yaml", "Taskfile.dist.yml")
# make options that take a value as the next word.
_MAKE_VALUES = frozenset({"-f", "--file", "--makefile", "-C", "--directory", "-I", "--include-dir", "-j", "--jobs",
                          "-l", "--load-average", "-o", "--old-file", "--assume-old", "-W", "--what-if",
                          "--new-file", "--assume-new", "-O", "--output-sync", "--eval"})
_MAKE_DRY = frozenset({"-n", "--just-print", "--dry-run", "--recon", "-q", "--question", "-p", "--print-data-base"})
# Commands of the package tools that are not scripts of the package.
_NPM_COMMANDS = frozenset({"access", "adduser", "audit", "bugs", "cache", "ci", "completion", "config", "dedupe",
                           "deprecate", "diff", "dist-tag", "docs", "doctor", "edit", "exec", "explain", "explore",
                           "find-dupes", "fund", "get", "help", "hook", "init", "install", "install-ci-test",
                           "install-test", "link", "ll", "login", "logout", "ls", "org", "outdated", "owner", "pack",
                           "ping", "pkg", "prefix", "profile", "prune", "publish", "query", "rebuild", "repo",
                           "root", "search", "set", "shrinkwrap", "star", "stars", "team", "token", "uninstall",
                           "unpublish", "unstar", "update", "version", "view", "whoami", "i", "add", "remove", "rm",
                           "un", "up", "upgrade", "list", "x", "dlx", "create", "info", "why", "workspace",
                           "workspaces", "global", "unlink", "licenses", "import", "plugin", "node", "bin", "patch",
                           "patch-commit", "store", "constraints", "upgrade-interactive", "pm", "self-update"})
_NPM_SCRIPT_ALIASES = {"t": "test", "tst": "test", "start": "start", "stop": "stop", "restart": "restart",
                       "test": "test"}
_NPM_VALUES = frozenset({"--prefix", "-C", "--dir", "--cwd", "-w", "--workspace", "--filter", "-F", "--loglevel",
                         "--cache", "--userconfig", "--registry", "--reporter"})
_RULE_LINE = re.compile(r"^([^\t#=:][^=:]*?)\s*::?(?!=)\s*(.*)$")
_MAKE_VARIABLE = re.compile(r"^\s*(?:export\s+|override\s+)?([A-Za-z_][\w.-]*)\s*(?:\?|:|::|\+|!)?=\s*(.*)$")
# The lines that set a variable (not a recipe's, which start with a tab), in one scan.
_MAKE_SETTING = re.compile(r"^(?!\t)[ ]*(?:export\s+|override\s+)?([A-Za-z_][\w.-]*)[ \t]*(?:\?|:|::|\+|!)?="
                           r"[ \t]*(.*)$", re.M)
_MAKE_REFERENCE = re.compile(r"\$[({]([A-Za-z_][\w.-]*)[)}]")
_MAKE_SHELL = re.compile(r"\$[({]shell\s+")
_INCLUDE = re.compile(r"^\s*-?(?:include|sinclude)\s+(.+)$", re.M)


@dataclass(frozen=True)
class TaskCode:
    """What a task runner runs: the file it comes from and its shell code; or, when the
    file exists but cannot be read safely, a problem instead of code."""

    path: str
    code: str = ""
    problem: str | None = None


def task_code(seg: Segment, cwd: str | None, home: str, set_here: dict[str, str] | None = None) -> TaskCode | None:
    """What ``seg`` runs through a task runner's file, or None when it runs none (or
    the file is not there, so the runner fails on its own). ``set_here``: variables
    the command set before (`export X=~; make clean`)."""
    program = seg.program
    if not seg.argv or seg.args[0].dynamic:
        return None
    if program in _MAKES:
        return _make(seg, cwd, home, set_here or {})
    if program in _PACKAGE_TOOLS:
        return _package(seg, cwd, home)
    if program == "just":
        return _named_file(seg, cwd, home, _JUSTFILES, ("-f", "--justfile"), ("-d", "--working-directory"),
                           _just_recipe)
    if program in ("task", "go-task"):
        return _named_file(seg, cwd, home, _TASKFILES, ("-t", "--taskfile"), ("-d", "--dir"), _task_commands)
    return None


# ---------------------------------------------------------------- reading


def _read(path: str) -> str | bool | None:
    """The file's text; None when there is no such file; False when it exists but is
    not a regular file small enough to read without waiting."""
    data = regular_file_head(path, MAX_FILE_BYTES)
    if data is not None:
        return data.decode("utf-8", errors="replace")
    try:
        os.lstat(path)
    except OSError:
        return None
    return False


def _found(path: str, text: str | bool | None, code: str | None) -> TaskCode | None:
    if text is None:
        return None
    if text is False:
        return TaskCode(path, problem=f"it runs what {path} holds, which Aegis cannot read safely (not a "
                                      "regular file, or too large)")
    return TaskCode(path, code[:MAX_CODE_CHARS]) if code else None


def _first_file(paths: Sequence[str | None], code_of: Callable[[str, str], str]) -> TaskCode | None:
    """What the first of ``paths`` that exists runs (``code_of(path, its text)``), or
    the reason it cannot be read safely; None when none exists."""
    for path in paths:
        if path is None:
            continue
        content = _read(path)
        if content is None:
            continue
        if not isinstance(content, str):
            return _found(path, False, None)
        return _found(path, content, code_of(path, content))
    return None


def _folder(texts: Sequence[str], names: tuple[str, ...], cwd: str | None, home: str) -> str | None:
    folder = cwd
    for value in option_values(texts, names):
        folder = normalise(value, folder, home) if folder or value.startswith(("/", "~")) else None
        if folder is None:
            return None
    return folder


# ---------------------------------------------------------------- make


def _make(seg: Segment, cwd: str | None, home: str, set_here: dict[str, str]) -> TaskCode | None:
    texts = seg.argv[1:]
    if any(a.dynamic for a in seg.args[1:]):
        return None  # computed targets: the policy judges the command as it is
    if any(t in _MAKE_DRY for t in texts):
        return None
    folder = _folder(texts, ("-C", "--directory"), cwd, home)
    if folder is None:
        return None
    named = option_values(texts, ("-f", "--file", "--makefile"))
    if named and named[-1] == "-":
        return None  # the makefile on stdin: judged by scripts.follow
    targets: list[str] = []
    i = 0
    while i < len(texts):
        text = texts[i]
        if text in _MAKE_VALUES:
            i += 2
            continue
        if not text.startswith("-") and "=" not in text:
            targets.append(text)
        i += 1
    # `make clean DIR=~`, `DIR=~ make clean`: variables given on the command line win.
    # Set earlier in the same command: its value when known, else computed (never a word).
    given = {name: value if "$" not in value else "${" + name + "}" for name, value in set_here.items()}
    for text in (*seg.assignments, *texts):
        if not text.startswith("-") and re.match(r"^[A-Za-z_][\w.]*=", text):
            name, value = text.split("=", 1)
            given[name] = value
    paths = [normalise(n, folder, home) for n in named] if named else [os.path.join(folder, n) for n in _MAKEFILES]
    return _first_file(paths, lambda path, content: make_recipes(content, targets, os.path.dirname(path), home,
                                                                 given))


def make_recipes(makefile: str, targets: list[str], folder: str | None = None, home: str = "",
                 given: dict[str, str] | None = None) -> str:
    """The shell lines make runs for ``targets`` (the first target when none), with the
    recipes of their prerequisites, make's variables put in (``$(HOME)``,
    ``$$HOME``, the makefile's own simple ones). ``include``d makefiles next to it are
    read too (bounded)."""
    text = makefile
    if folder is not None and "include" in makefile:
        for found in list(_INCLUDE.finditer(makefile))[:8]:
            for name in found.group(1).split()[:4]:
                if "$" in name:
                    continue
                path = normalise(name, folder, home or None)
                extra = _read(path) if path else None
                if isinstance(extra, str):
                    text += "\n" + extra
    rules: dict[str, tuple[list[str], list[str]]] = {}
    variables: dict[str, str] = dict(given or {})
    order: list[str] = []
    current: list[list[str]] = []
    lines = text.replace("\\\n", " ").splitlines()
    for line in lines:
        if line.startswith("\t"):
            for recipe in current:
                recipe.append(line[1:])
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        variable = _MAKE_VARIABLE.match(line)
        if variable and ":" not in line.split("=", 1)[0].rstrip(":?+!"):
            variables.setdefault(variable.group(1), variable.group(2).strip())
            current = []
            continue
        rule = _RULE_LINE.match(line)
        if rule is None:
            current = []
            continue
        names = rule.group(1).split()
        rest = rule.group(2)
        inline = ""
        if ";" in rest:
            rest, inline = rest.split(";", 1)
        current = []
        for name in names:
            prerequisites, recipe = rules.setdefault(name, ([], []))
            prerequisites.extend(rest.split("|", 1)[0].split() + rest.split("|", 1)[1].split() if "|" in rest
                                 else rest.split())
            if inline.strip():
                recipe.append(inline.strip())
            current.append(recipe)
            if name not in order:
                order.append(name)
    if not targets:
        targets = [next((name for name in order if not name.startswith(".") and "%" not in name), "")]
    return "\n".join(_make_line(line, variables) for line in _walk(rules, targets, most=200) if line.strip())


def every_recipe(makefile: str) -> str:
    """The shell lines of every recipe of a makefile written now (each run by some
    target later), with the makefile's own variables put in: a name given two different
    values is left to the shell as ``${NAME}`` (which one make takes depends on how it
    is run), and what ``$(shell ...)`` or ``!=`` runs while make reads the file is a
    line too."""
    from aegis_core.policy.scripts import _recipes

    variables: dict[str, str] = {}
    parsed: list[str] = []
    # Only the lines that set a variable, found in one scan (most lines of a long one do not).
    for variable in _MAKE_SETTING.finditer(makefile.replace("\\\n", " ")) if "=" in makefile else ():
        line = variable.group(0)
        name, value = variable.group(1), variable.group(2).strip()
        operator = line.split("=", 1)[0].rstrip()[-1:]
        if operator == "!":
            value = f"$(shell {value})"
        if "$(shell" in value or "${shell" in value:
            parsed.append(value)
        if operator == "+" and name in variables:
            variables[name] = f"{variables[name]} {value}"
        elif name in variables and variables[name] != value:
            variables[name] = "${" + name + "}"
        else:
            variables[name] = value
    if not variables and not parsed:
        return _recipes(makefile)  # nothing of its own to put in: the recipes as the shell reads them
    # A name the makefile uses but sets nowhere it was read (a `define` block, the command
    # line, the environment) may hold anything: left to the shell as ${NAME}.
    for found in _MAKE_REFERENCE.finditer(makefile):
        name = found.group(1)
        if name not in variables and name not in ("MAKE", "MAKE_COMMAND", "RM", "shell"):
            variables[name] = "${" + name + "}"
    # All lines at once: each substitution is one pass over the text, not one per line.
    lines = "\n".join(line.strip().lstrip("@-+").strip() for line in [*parsed, *_recipes(makefile).splitlines()])
    return "\n".join(line for line in _make_text(lines, variables).splitlines() if line)


def _make_line(line: str, variables: dict[str, str]) -> str:
    return _make_text(line.strip().lstrip("@-+").strip(), variables)


def _make_text(line: str, variables: dict[str, str]) -> str:
    """``line`` (or many lines) with make's variables and functions put in."""
    line = _MAKE_FUNCTION.sub(lambda m: m.group(2).strip(), line)  # `$(wildcard *.o)`: the words themselves
    # Variables naming variables, a few levels (one when the makefile sets none: make's
    # own values and the environment's name nothing further).
    for _ in range(3 if variables else 1):
        before = line
        # `$(SRC:.c=.o)`: the variable's words with one ending put for another
        if ":" in line:
            line = _MAKE_SUBSTITUTION.sub(lambda m: _substituted(m, variables), line)
        line = _MAKE_REFERENCE.sub(lambda m: _make_value(m.group(1), variables), line)
        if line == before or ("$(" not in line and "${" not in line):
            break
    line = _MAKE_SHELL.sub("$(", line)
    return line.replace("$$", "$")


def _substituted(found: re.Match[str], variables: dict[str, str]) -> str:
    ending, put = found.group(2), found.group(3)
    value = _make_value(found.group(1), variables)
    for _ in range(3):  # the variable's own value put in first (`SRC := $(wildcard src/*.c)`)
        if "$" not in value:
            break
        value = _MAKE_FUNCTION.sub(lambda m: m.group(2).strip(), value)
        value = _MAKE_REFERENCE.sub(lambda m: _make_value(m.group(1), variables), value)
    return " ".join(word[:-len(ending)] + put if ending and word.endswith(ending) else word for word in value.split())


def _make_value(name: str, variables: dict[str, str]) -> str:
    if name in ("MAKE", "MAKE_COMMAND"):
        return "make"
    if name in ("RM",):
        return variables.get(name, "rm -f")
    if name in variables:
        return variables[name]
    if name in _ENVIRONMENT_PLACES:
        return "${" + name + "}"  # the environment's folder, as the shell would see it
    # Set nowhere the policy can see (the environment, a makefile it did not read): the
    # name stands for itself, a word in the project, rather than for anything at all.
    return name


_ENVIRONMENT_PLACES = frozenset({"HOME", "USERPROFILE", "PWD", "TMPDIR", "XDG_CONFIG_HOME", "XDG_DATA_HOME",
                                 "XDG_CACHE_HOME", "AEGIS_HOME"})
_MAKE_SUBSTITUTION = re.compile(r"\$[({]([A-Za-z_][\w.-]*):([^=(){}$\s]*)=([^(){}$\s]*)[)}]")
_MAKE_FUNCTION = re.compile(r"\$[({](wildcard|strip|sort|notdir|realpath|abspath)\s+([^(){}$]*)[)}]")


# ---------------------------------------------------------------- npm, yarn, pnpm, bun


def _package(seg: Segment, cwd: str | None, home: str) -> TaskCode | None:
    texts = seg.argv[1:]
    if any(a.dynamic for a in seg.args[1:3]):
        return None
    words: list[str] = []
    i = 0
    while i < len(texts):
        text = texts[i]
        if text == "--":
            break
        if text in _NPM_VALUES:
            i += 2
            continue
        if not text.startswith("-"):
            words.append(text)
        i += 1
    if not words:
        return None
    program = seg.program
    if words[0] in ("run", "run-script", "rum", "urn") and len(words) > 1:
        name = words[1]
    elif program == "npm":
        if words[0] not in _NPM_SCRIPT_ALIASES:
            return None
        name = _NPM_SCRIPT_ALIASES[words[0]]
    elif words[0] in _NPM_COMMANDS or (program == "bun" and ("/" in words[0] or "." in words[0])):
        return None
    else:
        name = words[0]  # `yarn build`, `pnpm lint`, `bun dev`: the package's script
    folder = _folder(texts, ("--prefix", "-C", "--dir", "--cwd"), cwd, home)
    if folder is None:
        return None
    path = os.path.join(folder, "package.json")
    content = _read(path)
    if not isinstance(content, str):
        return _found(path, content, None)
    try:
        data = json.loads(content)
    except ValueError:
        return None  # the tool refuses a broken package.json itself
    scripts = data.get("scripts") if isinstance(data, dict) else None
    if not isinstance(scripts, dict):
        return None
    code = [scripts[key] for key in (f"pre{name}", name, f"post{name}") if isinstance(scripts.get(key), str)]
    return _found(path, content, "\n".join(code))


# ---------------------------------------------------------------- just, task


def _named_file(seg: Segment, cwd: str | None, home: str, names: tuple[str, ...], file_options: tuple[str, ...],
                folder_options: tuple[str, ...], extract: Callable[[str, list[str]], str]) -> TaskCode | None:
    texts = seg.argv[1:]
    if any(a.dynamic for a in seg.args[1:]):
        return None
    folder = _folder(texts, folder_options, cwd, home)
    if folder is None:
        return None
    named = option_values(texts, file_options)
    skip = set(named) | set(option_values(texts, folder_options))
    targets = [t for t in texts if not t.startswith("-") and "=" not in t and t not in skip]
    paths = [normalise(named[-1], folder, home)] if named else [os.path.join(folder, n) for n in names]
    return _first_file(paths, lambda _path, content: extract(content, targets))


_JUST_RECIPE = re.compile(r"^@?([A-Za-z_][\w-]*)(?:\s+[^:=]*)?:(?!=)\s*(.*)$")


def _just_recipe(text: str, targets: list[str]) -> str:
    recipes: dict[str, tuple[list[str], list[str]]] = {}
    order: list[str] = []
    current: list[str] | None = None
    for line in text[:MAX_FILE_BYTES].splitlines():
        if line.startswith((" ", "\t")) and line.strip():
            if current is not None:
                current.append(line.strip().lstrip("@-"))
            continue
        found = _JUST_RECIPE.match(line)
        if found:
            name = found.group(1)
            body: list[str] = []
            recipes[name] = ([d for d in found.group(2).split() if re.match(r"^[A-Za-z_][\w-]*$", d)], body)
            order.append(name)
            current = body
        elif line.strip():
            current = None
    return "\n".join(_walk(recipes, targets or order[:1]))


def _walk(recipes: dict[str, tuple[list[str], list[str]]], targets: list[str], most: int | None = None) -> list[str]:
    """The recipe lines ``targets`` run, each target's prerequisites first (each target
    once, at most 20 deep and, with ``most``, at most that many targets)."""
    seen: set[str] = set()
    out: list[str] = []

    def visit(name: str, depth: int) -> None:
        if name in seen or depth > 20 or (most is not None and len(seen) > most):
            return
        seen.add(name)
        deps, body = recipes.get(name, ([], []))
        for dep in deps:
            visit(dep, depth + 1)
        out.extend(body)

    for target in targets:
        visit(target, 0)
    return out


_TASK_NAME = re.compile(r"^(\s+)([\w:.-]+):\s*(.*)$")


def _task_commands(text: str, targets: list[str]) -> str:
    """The commands of the named tasks (``default`` when none) of a Taskfile."""
    from aegis_core.policy.written import taskfile_commands

    lines = text[:MAX_FILE_BYTES].splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.rstrip() == "tasks:")
    except StopIteration:
        return ""
    tasks: dict[str, tuple[list[str], list[str]]] = {}
    indent: int | None = None
    current: list[str] | None = None
    for line in lines[start + 1:]:
        if line.strip() and not line.startswith((" ", "\t")):
            break
        found = _TASK_NAME.match(line)
        if found and (indent is None or len(found.group(1)) == indent):
            indent = len(found.group(1))
            body: list[str] = []
            tasks[found.group(2)] = ([], body)
            current = body
            if found.group(3).strip():
                body.append("cmds: " + found.group(3).strip() if found.group(3).strip().startswith("[")
                            else "- " + found.group(3).strip())
            continue
        if current is not None:
            current.append(line)
    chosen: dict[str, tuple[list[str], list[str]]] = {}
    for name, (_, body) in tasks.items():
        deps: list[str] = []
        for line in body:
            if line.strip().startswith("deps:") and "[" in line:
                deps.extend(d.strip(" '\"") for d in line.split("[", 1)[1].rstrip("] ").split(","))
            elif re.match(r"^\s*-?\s*task:\s*", line):
                deps.append(line.split("task:", 1)[1].strip(" '\""))
        chosen[name] = (deps, [taskfile_commands("\n".join(body))])
    return "\n".join(_walk(chosen, targets or ["default"]))
