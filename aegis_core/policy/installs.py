"""A project's own dependencies installed into the project: ``npm ci``, ``pnpm add zod``,
``uv sync``, ``.venv/bin/pip install -r requirements.txt``, ``poetry add httpx``,
``cargo add serde``, ``bundle install``, ``pip-sync``, ``pod install``. This is what an
agent does all day; it is routine. A bare ``pip install`` (which Python it installs
into, the project's virtual environment, the user's or the system's, is not known)
is routine only for what the project itself lists: its requirements files, the
project with its extras, and pip's own tools upgraded; a package by name asks.
Options naming a folder (``--prefix``, ``-C``, ``--project``, ``--path``...) and
plain settings (``CI=true``, ``PIP_NO_CACHE_DIR=1``) are fine while they stay in the
project and say nothing of an index, a registry, a host or a command.

What stays a question (the ``pkg-install`` rule and the remote-code rules): anything
installed outside the project (``-g``, ``--user``, ``--prefix``, ``pipx``, ``cargo
install``, system package managers), packages from somewhere other than the default
registry (a URL, ``git+``, ``github:user/repo``, a tarball, a folder outside the
project, another index or registry), anything run through ``sudo`` or another wrapper,
and any install when the working folder is not a project (the home itself)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from aegis_core.policy.paths import normalise
from aegis_core.policy.registries import without_public_indexes
from aegis_core.policy.subcommands import positionals

if TYPE_CHECKING:
    from aegis_core.policy.facts import Subject
    from aegis_core.policy.shell import Segment

# Per program: the subcommands that install into, or remove from, the project.
_VERBS: dict[str, frozenset[str]] = {
    "npm": frozenset({"install", "ci", "uninstall", "update", "dedupe", "prune", "rebuild", "audit fix"}),
    "pnpm": frozenset({"install", "i", "add", "remove", "rm", "uninstall", "un", "update", "up", "upgrade", "prune",
                       "dedupe", "rebuild"}),
    "yarn": frozenset({"install", "add", "remove", "upgrade", "up", "dedupe"}),
    "bun": frozenset({"install", "i", "add", "a", "remove", "rm", "update"}),
    "pip": frozenset({"install", "uninstall"}),
    "pip3": frozenset({"install", "uninstall"}),
    "uv": frozenset({"sync", "add", "remove", "lock", "pip install", "pip uninstall", "pip sync"}),
    "poetry": frozenset({"install", "add", "remove", "update", "lock", "sync"}),
    "pdm": frozenset({"install", "add", "remove", "update", "sync", "lock"}),
    "pipenv": frozenset({"install", "uninstall", "sync", "update", "lock"}),
    "bundle": frozenset({"install", "add", "remove", "update", "lock"}),
    "bundler": frozenset({"install", "add", "remove", "update", "lock"}),
    "cargo": frozenset({"add", "remove", "rm", "fetch", "update"}),
    "go": frozenset({"get", "mod download", "mod tidy", "mod vendor"}),
    "composer": frozenset({"install", "require", "remove", "update", "dump-autoload"}),
    "dotnet": frozenset({"restore", "add package", "remove package"}),
    "deno": frozenset({"install", "add", "remove"}),
    # conda: an environment made or updated from the project's environment.yml
    "conda": frozenset({"env create", "env update"}), "mamba": frozenset({"env create", "env update"}),
    "micromamba": frozenset({"env create", "env update", "create"}),
    # the lockfile's pins, installed into the project: Pods/, Carthage/, packages/
    "pip-sync": frozenset({""}), "pod": frozenset({"install"}), "carthage": frozenset({"bootstrap"}),
    "nuget": frozenset({"restore"}), "shards": frozenset({"install"}),
}

# Bare `yarn`, `bundle`, `pnpm` with no subcommand install the lockfile's dependencies.
_BARE_INSTALLS = frozenset({"yarn", "bundle", "bundler", "pnpm", "bun", "pip-sync"})
# Options that send an install outside the project or to another source.
_FOREIGN_OPTIONS = re.compile(
    r"^(?:-g|--global|--location(?:=global)?|--user|--root|--src|--home|--system"
    r"|--break-system-packages|--registry|-i|--index|--index-url|--extra-index-url|--default-index|-f"
    r"|--find-links|--trusted-host|--git|--source|--add-source|--tool-path"
    r"|--global-folder|--config|--userconfig|--globalconfig|-d|--install-dir|--bin-dir"
    r"|--script-shell|--node-options|--unsafe-perm|--allow-root|--trust|--exec|--editable-source"
    r"|--pre-command|--branch|--tag|--rev|--vcs|--only-binary-from)(?:=.*)?$")
# Ordinary package names, with a version, range or extras: `zod`, `@types/node@^20`,
# `httpx[http2]>=0.27`, `github.com/stretchr/testify@v1.9.0` (Go: modules are paths),
# `serde@1`, `rails:~7.1` (cargo/composer: `vendor/package:^1.0`).
_NPM_NAME = re.compile(r"^(?:@[a-z0-9][\w.-]*/)?[a-zA-Z0-9][\w.-]*(?:@[\w.^~<>=*| +-]+)?$")
_PY_NAME = re.compile(r"^[A-Za-z0-9][\w.-]*(?:\[[\w,. -]+\])?(?:@[\w.^~<>=*,+ -]+)?"
                      r"(?:\s*(?:===|==|>=|<=|~=|!=|<|>)\s*[\w.*+!-]+"
                      r"(?:\s*,\s*(?:==|>=|<=|~=|!=|<|>)\s*[\w.*+!-]+)*)?$")
_GO_MODULE = re.compile(r"^[a-z0-9.-]+\.[a-z]{2,}(?:/[\w.~-]+)+(?:@[\w.+-]+)?$|^\./\.\.\.$|^\.$|^all$")
_PLAIN_NAME = re.compile(r"^(?:[a-z0-9][\w.-]*/)?[A-Za-z0-9][\w.-]*(?:[@:][\w.^~<>=*|,+ -]+)?$")
_NAMES = {"npm": _NPM_NAME, "pnpm": _NPM_NAME, "yarn": _NPM_NAME, "bun": _NPM_NAME, "deno": _NPM_NAME,
          "pip": _PY_NAME, "pip3": _PY_NAME, "uv": _PY_NAME, "poetry": _PY_NAME, "pdm": _PY_NAME, "pipenv": _PY_NAME,
          "go": _GO_MODULE}
# Options naming the folder an install runs in or writes to (`npm ci --prefix web`,
# `pnpm -C web install`, `uv sync --project backend`, `bundle install --path
# vendor/bundle`, `pip install --target vendor`): the project's when the folder is in it.
_FOLDER_OPTIONS = frozenset({"--prefix", "--dir", "-C", "--cwd", "--directory", "--project", "--manifest-path",
                             "--working-dir", "--path", "--modules-folder", "--target", "-t", "--store-dir",
                             "--virtual-store-dir", "--cache-folder", "--cache-dir", "--target-dir",
                             "--project-directory"})
# Go's flags that share a letter with a folder option elsewhere (`go get -t -d ./...`).
_GO_FLAGS = frozenset({"-d", "-t", "-u", "-x", "-v"})
# Variables set for an install that change nothing about where it installs from or to,
# nor what it runs (`CI=true npm ci`, `PIP_NO_CACHE_DIR=1`, `UV_FROZEN=1`): a plain
# word for a value, and a name that says nothing of an index, registry, host, folder,
# configuration, command or credential.
_PLAIN_SETTING = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=[\w.-]*$")
_RISKY_SETTING = re.compile(r"(?i)index|registr|url|host|proxy|source|links|trust|script|shell|option|preload"
                            r"|exec|command|config|token|auth|pass|secret|cert|ssl|insecure|global|user|prefix"
                            r"|target|root|home|break|^ca_|cafile|key|rc=|path|^git_|^ld_|^dyld_|^bash_|^env=")
# The installer and its build tools upgraded by name (`pip install -U pip setuptools
# wheel`): what every Python project's setup starts with.
_INSTALLER_TOOLS = frozenset({"pip", "setuptools", "wheel"})
_PROJECT_NAME = re.compile(r"[\[=<>~!@ ]")  # what ends a package's name (`pip==24.0`, `pip>=24`)
# pip's options that name a file or folder (requirements, constraints, editable path).
_PIP_FILE_OPTIONS = frozenset({"-r", "--requirement", "-c", "--constraint", "-e", "--editable"})
# Options (per family) that take a value as the next word, harmlessly.
_VALUE_OPTIONS = frozenset({"-w", "--workspace", "--filter", "-F", "-p", "--package", "--features", "--python",
                            "--group", "-G", "--extra", "-E", "--only", "--with", "--without", "--optional",
                            "--dev-dependency", "--save-prefix", "--omit", "--include", "--loglevel",
                            "--network-timeout", "--jobs", "-j", "--platform", "--python-version", "--version",
                            "--framework", "--dependency-group", "--upgrade-package", "-P", "--progress-bar",
                            "--timeout", "--retries", "--exists-action", "--implementation", "--abi",
                            "--config-settings", "--upgrade-strategy", "--extras"})


def _subcommand(program: str, words: list[str]) -> str | None:
    if not words:
        return "" if program in _BARE_INSTALLS else None
    verbs = _VERBS[program]
    two = " ".join(words[:2])
    if two in verbs:
        return two
    return words[0] if words[0] in verbs else None


def project_install(subject: Subject) -> str | None:
    """Why this segment only installs the project's dependencies into the project, or
    None when it may do anything more."""
    seg = subject.segment
    if seg is None or seg.program not in _VERBS or subject.project is None:
        return None
    if any(not _MODULE_RUNNER.match(wrapper) and wrapper not in _CONTAINER_RUNS and wrapper not in _PROJECT_RUNS
           and wrapper != "corepack" for wrapper in seg.wrappers):
        return None  # sudo, env, nice...: not a plain install
    if subject.cwd is None or not subject.within_project(subject.cwd):
        return None
    if any(arg.dynamic for arg in seg.args[1:]):
        return None
    if any(not _PLAIN_SETTING.match(a) or _RISKY_SETTING.search(a.split("=", 1)[0] + "=") for a in seg.assignments):
        return None
    if subject.writes and not all(subject.within_project(path) for path in subject.writes):
        return None
    program = seg.program
    texts = without_public_indexes(list(seg.argv[1:]))
    if program in _CONDAS:
        return _conda_environment(subject, texts)
    # Which Python a bare `pip` installs into is not known (the user's or the system's,
    # maybe): only the project itself may go there (`pip install -e ".[dev,test]"`), which
    # runs no code but the project's own build and fetches its declared dependencies.
    only_itself = program in ("pip", "pip3") and not _project_pip(subject, seg)
    upgrade = "-U" in texts or "--upgrade" in texts
    sub = "" if program == "pip-sync" else _subcommand(program, positionals(program, texts))
    if sub is None:
        return None
    files: list[str] = []
    operands: list[str] = []
    expect_file = expect_value = False
    listed = False  # a requirements or constraints file names packages, not the project
    for text in texts:
        if expect_file:
            expect_file = False
            files.append(text)
        elif expect_value:
            expect_value = False
        elif text.startswith("-"):
            option = text.split("=", 1)[0]
            if program == "go" and text in _GO_FLAGS:
                continue
            if _FOREIGN_OPTIONS.match(text) or (program == "dotnet" and option == "-s"):
                return None
            if option in _FOLDER_OPTIONS:
                if "=" in text:
                    files.append(text.split("=", 1)[1] or "/")
                else:
                    expect_file = True
                continue
            if text.startswith("-r") and not text.startswith("--") and program in ("pip", "pip3", "uv") \
                    and len(text) > 2 and "=" not in text:
                listed = True
                files.append(text[2:])  # `pip install -rrequirements.txt`
                continue
            if option in _PIP_FILE_OPTIONS and program in ("pip", "pip3", "uv"):
                listed = listed or option not in ("-e", "--editable")
                if "=" in text:
                    files.append(text.split("=", 1)[1])
                else:
                    expect_file = True
            elif text in _VALUE_OPTIONS:
                expect_value = True
        else:
            operands.append(text)
    operands = operands[len(sub.split()):]
    name = _NAMES.get(program, _PLAIN_NAME)
    for operand in operands:
        if "://" in operand or operand.startswith(_REMOTE_PREFIXES):
            return None  # a URL, git+, github:user/repo, npm:alias
        if operand.startswith((".", "/", "~")) or operand.endswith(_ARCHIVES) or program == "pip-sync":
            files.append(operand)
        elif not name.match(operand) or (":" in operand and program in _NPM_PROGRAMS):
            return None
        elif operand.lower().startswith("aegis"):
            return None  # Aegis' own distributions: removing or replacing them is not routine
        elif only_itself and not (upgrade and _PROJECT_NAME.split(operand)[0].lower() in _INSTALLER_TOOLS):
            return None  # a package by name, into a Python nobody chose
    if only_itself and (sub != "install" or not (files or (upgrade and operands))):
        return None
    for file in files:
        if "://" in file or file.startswith(_REMOTE_PREFIXES):
            return None
        # A folder, wheel or requirements file of the project is the project's own
        # code; one elsewhere (`pip install /tmp/x.whl`, `npm i ../lib`) is not.
        path = normalise(file.split("[", 1)[0] or ".", subject.cwd, subject.home)
        if path is None or not subject.within_project(path):
            return None
        if only_itself and not listed and path not in (subject.project, subject.cwd) and file.endswith(_ARCHIVES):
            return None  # a wheel inside it: built, or put there, by someone else
    if only_itself and listed:
        return f"{program} install of the project's requirements files"
    if only_itself:
        return f"{program} install of the project (or a package folder of it), or of the installer's own tools"
    return f"{program} {sub or 'install'}: the project's dependencies, into the project"


_MODULE_PIP = re.compile(r"(?:^|[\s;&|(])(\S*/(?:python|pypy)[0-9.]*)\s+-m\s+pip\b")
_ACTIVATE = re.compile(r"(?:^|/)(?:\.?venv|env|\.env|virtualenv|\.virtualenv)/bin/activate$")


def _project_pip(subject: Subject, seg: Segment) -> bool:
    """pip of the project's virtual environment: run by its path (`.venv/bin/pip`,
    `.venv/bin/python -m pip`), or after the same command activated a virtual
    environment of the project (`source .venv/bin/activate && pip install ...`)."""
    if any(wrapper in _CONTAINER_RUNS for wrapper in seg.wrappers):
        return True  # the container's own Python
    if any(wrapper in _PROJECT_RUNS and wrapper not in ("uv run", "bundle exec") for wrapper in seg.wrappers):
        return True  # `poetry run pip ...`: the pip of the project's environment (uv's has none)
    if "/" in seg.argv[0]:
        path = normalise(seg.argv[0], subject.cwd, subject.home)
        return path is not None and subject.within_project(path)
    analysis = subject.analysis
    if analysis is None:
        return False
    if "python -m" in seg.wrappers or any(w.endswith(" -m") for w in seg.wrappers):
        # `.venv/bin/python -m pip`: the interpreter's path is in the command's text.
        named = _MODULE_PIP.findall(analysis.command)
        paths = [normalise(n, subject.cwd, subject.home) for n in named]
        return bool(paths) and all(p is not None and subject.within_project(p) for p in paths)
    for other in analysis.segments[:seg.index]:
        if other.program in ("source", ".") and len(other.argv) > 1 and _ACTIVATE.search(other.argv[1]):
            path = normalise(other.argv[1], subject.cwd, subject.home)
            if path is not None and subject.within_project(path):
                return True
    return False


def _conda_environment(subject: Subject, texts: list[str]) -> str | None:
    """``conda env create -f environment.yml``: an environment made from the project's
    own file (conda keeps environments outside every project, in its own folder)."""
    words = [t for t in texts if not t.startswith("-")]
    if words[:2] not in (["env", "create"], ["env", "update"]) and words[:1] != ["create"]:
        return None
    env_file = None
    i = 0
    while i < len(texts):
        text = texts[i]
        option, eq, value = text.partition("=")
        if option in ("-f", "--file"):
            if not eq:
                value = texts[i + 1] if i + 1 < len(texts) else ""
                i += 1
            env_file = value
        elif option in ("-n", "--name") and not eq:
            i += 1
        elif text.startswith("-") and text not in ("--prune", "-q", "--quiet", "-y", "--yes", "--json") \
                and option not in ("-n", "--name"):
            return None  # -p PREFIX, -c CHANNEL, --override-channels...
        i += 1
    if not env_file or "://" in env_file:
        return None
    path = normalise(env_file, subject.cwd, subject.home)
    if path is None or not subject.within_project(path):
        return None
    return f"conda environment from the project's {env_file}"


# `python -m pip`, `.venv/bin/python3 -m pip`: the interpreter running pip itself; `sh -c '...'`.
_MODULE_RUNNER = re.compile(r"^\S*(?:python[0-9.]*|py)\s+-m$|^(?:ba|z|da|k|a)?sh -c$")
# A container running the install on the project it mounts (containerrun).
_CONTAINER_RUNS = frozenset({"docker run", "podman run", "nerdctl run"})
# Runners of the project's own environment (`bundle exec pod install`, `poetry run pip
# install -r requirements.txt`): what they run installs into the project's.
_PROJECT_RUNS = frozenset({"bundle exec", "uv run", "poetry run", "pipenv run", "pdm run", "hatch run", "rye run"})
_REMOTE_PREFIXES = ("git+", "git@", "github:", "gitlab:", "bitbucket:", "gist:", "file:", "link:", "npm:", "hg+",
                    "svn+", "bzr+", "jsr:", "http:", "https:")
_ARCHIVES = (".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".gem", ".nupkg", ".crate")
_NPM_PROGRAMS = frozenset({"npm", "pnpm", "yarn", "bun", "deno"})
_CONDAS = frozenset({"conda", "mamba", "micromamba"})
PROGRAMS = tuple(_VERBS)


def register(check: Callable) -> None:
    @check("project-install", 0, "the project's own dependencies installed into the project (npm ci, pnpm add x, "
           "uv sync, pip install -r requirements.txt, cargo add x): no global, user or system install, no other "
           "registry or index, no URL, git or tarball source", programs=PROGRAMS)
    def _install(subject: Subject) -> str | None:
        return project_install(subject)
