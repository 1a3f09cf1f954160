"""Settings that make a tool run commands on its own, found in what is written (the
files that are nothing but such settings, git hooks, CI workflows, MCP configs..., are
matched by path in the default policy's ``persist-runs-later`` rule): ``package.json``
install and git-hook scripts, editor settings that choose a shell, an interpreter or a
task, and ``npm pkg set scripts.postinstall``."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from aegis_core.policy.filetext import file_text
from aegis_core.policy.registries import KNOWN_HOSTS

if TYPE_CHECKING:
    from aegis_core.policy.facts import Subject

# package.json scripts npm/yarn/pnpm run without being asked (on install, on pack/
# publish), and keys git-hook managers read.
_LIFECYCLE = ("preinstall|install|postinstall|prepare|preprepare|postprepare|prepublish|prepublishOnly"
              "|prepack|postpack|dependencies|preuninstall|uninstall|postuninstall|preshrinkwrap|shrinkwrap"
              "|postshrinkwrap"
              # the pre/post scripts npm, pnpm and yarn run by themselves around another script
              # (`npm test` runs `pretest` first): not `preview` or `prettier`, scripts of their own
              "|(?:pre|post)(?:test|build|start|lint|dev|serve|deploy|publish|version|restart|stop|format"
              "|typecheck|compile|bundle|release|ci|e2e|coverage|check|generate|setup|clean|docs|watch|storybook)")
PACKAGE_RUNS = re.compile(rf"\"(?:{_LIFECYCLE})\"\s*:\s*\"|\"(?:husky|simple-git-hooks|lint-staged|pre-commit"
                          r"|gitHooks|ghooks|pre-push|post-merge|post-checkout)\"\s*:"
                          r"|\"(?:pre|post)-(?:install|update|autoload-dump|package-install|package-update"
                          r"|root-package-install|create-project)-cmd\"\s*:")
# The same named in a jq/sed/npm-pkg path: `.scripts.postinstall`, `scripts[prepare]`.
SCRIPT_KEY = re.compile(rf"scripts\W{{1,3}}(?:{_LIFECYCLE})\b|\b(?:husky|simple-git-hooks|gitHooks|ghooks)\b")
# Editor settings that name a program to run, a shell, or tasks to start.
EDITOR_RUNS = re.compile(
    r"(?i)\"[^\"]*(?:terminal\.integrated|automationprofile|\.shell\b|shellargs|\.executable|executablepath"
    r"|interpreterpath|pythonpath|\.runtime\b|runtimeexecutable|serverpath|server\.path|\.binpath|\.path\""
    r"|alternatetools|\.command\b|commandpath|task\.|runon|\.env\.(?:linux|osx|windows)|tasks|launch"
    r"|emeraldwalk|runonsave|code-runner|git\.path|npm\.packagemanager|context_servers|mcp)[^\"]*\"\s*:")
# Environment managers' configs whose hooks run when a shell enters the project (mise and
# rtx hooks, `_.source` and `exec()` templates; devbox init hooks; nix shellHook and the
# binary caches a flake adds; devenv enterShell; pixi activation scripts; flox hooks).
_ENV_MANAGER_FILE = re.compile(r"(?:^|/)(?:\.?mise(?:\.[\w-]+)?\.toml|\.?rtx(?:\.[\w-]+)?\.toml|\.?mise/config\.toml"
                               r"|\.config/mise(?:/config)?\.toml|devbox\.json|shell\.nix|default\.nix|flake\.nix"
                               r"|devenv\.nix|devenv\.ya?ml|pixi\.toml|\.flox/env/manifest\.toml"
                               r"|\.envrc\.[\w.-]+)$")
ENV_MANAGER_RUNS = re.compile(
    r"(?i)^\s*\[(?:hooks|hook|activation|profile)\b|\b(?:enter|leave|cd|preinstall|postinstall|on-activate"
    r"|on_activate)\s*=|_\.source\b|\bexec\s*\(|init_hook|shellHook|enterShell|enterTest|nixConfig|substituters"
    r"|\bscripts\s*=|\bsource(?:_env|_up|_url)?\b|\bcurl\b|\bwget\b|\beval\b|https?://")
# Names of files some tool runs on its own, for a write whose folder is computed
# (`> $(python -c 'import site...')/x.pth`): the rest is matched by path in the policy.
RUNS_LATER_NAME = re.compile(r"\.pth$|(?:site|user)customize\.py$|/hooks/|/\.husky/|\.envrc$|/workflows/"
                             r"|\.gitlab-ci\.yml$|/\.claude/|\.mcp\.json$|/\.vscode/(?:tasks|launch)\.json$")
_EDITOR_SETTINGS = ("/.vscode/settings.json", "/.zed/settings.json", "/.cursor/settings.json",
                    ".code-workspace")
_PACKAGE_TOOLS = frozenset({"npm", "pnpm", "yarn", "bun"})
MAX_READ = 256 * 1024


def written_text(call_input: Any) -> str | None:
    """The text a Write/Edit/MultiEdit/NotebookEdit call puts into its file (the new
    side of an edit), or None when it carries none."""
    if not hasattr(call_input, "get"):
        return None
    parts: list[str] = []
    for key in ("content", "new_string", "new_source", "file_text", "text"):
        value = call_input.get(key)
        if isinstance(value, str):
            parts.append(value)
    edits = call_input.get("edits")
    if isinstance(edits, list):
        parts.extend(str(e.get("new_string", "")) for e in edits if isinstance(e, dict))
    return "\n".join(parts) if parts else None


def _removed_text(call_input: Any) -> str:
    parts = [call_input.get("old_string")] if hasattr(call_input, "get") else []
    edits = call_input.get("edits") if hasattr(call_input, "get") else None
    if isinstance(edits, list):
        parts.extend(e.get("old_string") for e in edits if isinstance(e, dict))
    return "\n".join(p for p in parts if isinstance(p, str))


def _on_disk(path: str) -> str:
    return file_text(path, MAX_READ)


def _new_matches(pattern: re.Pattern[str], text: str, before: Iterable[str],
                 harmless: Callable[[str], bool] | None = None) -> str | None:
    """The first line of ``text`` matching ``pattern`` that none of ``before`` holds (nor
    ``harmless`` accepts)."""
    old = "\n".join(before)
    for line in text.splitlines():
        found = pattern.search(line)
        if found and line.strip() not in old and not (harmless and harmless(line)):
            return line.strip()[:120]
    return None


def _package_json(path: str) -> bool:
    """package.json, or composer.json (whose install scripts Composer runs the same way)."""
    return os.path.basename(path) in ("package.json", "composer.json") and "/node_modules/" not in path \
        and "/vendor/" not in path


def _env_manager(path: str) -> bool:
    return _ENV_MANAGER_FILE.search(path) is not None and "/node_modules/" not in path


def _editor_settings(path: str) -> bool:
    return path.endswith(_EDITOR_SETTINGS)


# Project files that can name the index packages come from, and the lines that do.
_INDEX_FILES = re.compile(r"(?:^|/)(?:pyproject\.toml|setup\.cfg|Pipfile|requirements[\w.-]*\.(?:txt|in)"
                          r"|constraints[\w.-]*\.txt|\.yarnrc|Gemfile|\.gemrc)$")
_INDEX_LINE = re.compile(r"(?i)(?:^|[\s\[-])(?:extra-)?index-url\b|\bfind-links\b|\btrusted-host\b"
                         r"|^\s*\[\[tool\.(?:uv\.index|poetry\.source|pdm\.source)\]\]|^\s*\[\[source\]\]"
                         r"|^\s*source\s+['\"]https?://"
                         r"|registry\s*=\s*['\"]?https?://")


def _index_change(subject: Subject) -> str | None:
    """A file tool adding to a project file a line that points its packages at another
    index (`index-url = ...` in pyproject.toml, `--extra-index-url` in requirements.txt,
    a `[[tool.poetry.source]]`): every later install fetches from there."""
    targets = [p for p in subject.writes if _INDEX_FILES.search(p)]
    if not targets:
        return None
    text = written_text(subject.call.input)
    if not text:
        return None
    before = [_removed_text(subject.call.input)]
    if subject.call.input.get("content") is not None:
        before.extend(_on_disk(p) for p in targets)
    found = _new_matches(_INDEX_LINE, text, before, _public_index)
    return f"{targets[0]} gets {found}: packages would come from another index" if found else None


_LINE_URL_HOST = re.compile(r"https?://(?:[^/\s'\"@]*@)?([^/:\s'\"]+)")


def _public_index(line: str) -> bool:
    """A line naming only the public registries' own hosts (`source "https://rubygems.org"`,
    the first line of every Gemfile): packages come from where they would anyway."""
    hosts = _LINE_URL_HOST.findall(line)
    return bool(hosts) and all(host.lower() in KNOWN_HOSTS for host in hosts)


# Configs of test, lint, build and format tools that load code on their next run: their
# plugins, setup files, bootstraps, preloads, agents. A value naming code outside the
# project (an absolute path elsewhere, a home, a URL), a JVM agent, or a pylint
# init-hook that runs commands, is code that runs with the project's next test or build,
# where no diff of the project shows it. Read from the first 16 KB, each line's first
# 1,000 characters: configs are short, and the reading stays linear.
_TOOL_CONFIG = re.compile(
    r"(?:^|/)(?:(?:jest|vitest|vite|babel|webpack|rollup|cypress|playwright|karma|ava|stylelint|eslint|prettier"
    r"|postcss|tailwind|svelte|astro|nuxt|next|remix|jasmine|wdio|nightwatch|tsup|esbuild)\.config\.(?:[cm]?[jt]s|json)"
    r"|\.(?:babelrc|swcrc|eslintrc|stylelintrc|prettierrc|mocharc|nycrc|c8rc|postcssrc|lintstagedrc)(?:\.[\w]+)?"
    r"|phpunit\.xml(?:\.dist)?|pytest\.ini|setup\.cfg|tox\.ini|\.coveragerc|\.pylintrc|pylintrc|conftest\.py"
    r"|\.golangci\.ya?ml|\.jvmopts|\.sbtopts|jvm\.config|maven\.config|gradle\.properties|\.rspec|\.pryrc"
    r"|pyproject\.toml|bunfig\.toml)$")
# Where a config names code outside the project: a marker, then the key it is the value
# of, looked for in the 200 characters before it (markers are few; keys are common words).
_OUTSIDE = re.compile(r"(?<=['\"=:\s\[(,])(?:/(?:tmp|var|dev/shm|home|root|Users|etc|opt|srv|mnt|media)/|~/"
                      r"|\$\{?HOME\b|(?:https?|file)://)|-javaagent:(?!\$\{?(?:project|rootDir|basedir))"
                      r"|-Dmaven\.ext\.class\.path=|init-hook\s*=[^\n]*(?:os\.system|subprocess|exec\(|eval\("
                      r"|__import__|urllib|socket)")
_LOADING_KEY = re.compile(r"(?i)(?:setupfiles(?:afterenv)?|globalsetup|globalteardown|setupnodeevents|plugins?"
                          r"|preload|require|import|bootstrap|loader|transform|reporters?|resolver|runner"
                          r"|testenvironment|rulepaths?|extends|addopts|load-plugins|node-options|path)\b")
_MOST_OUTSIDE = 64  # markers looked at; a config naming more places than that asks


def _tool_config_loads(subject: Subject) -> str | None:
    """A written tool config that makes the tool load code from outside the project."""
    targets = [p for p in subject.writes if _TOOL_CONFIG.search(p) and "/node_modules/" not in p]
    if not targets:
        return None
    text = written_text(subject.call.input)
    if not text:
        return None
    lines = [line[:1000] for line in text[:16384].splitlines()]
    old = "\n".join([_removed_text(subject.call.input),
                     *(_on_disk(p) for p in targets if subject.call.input.get("content") is not None)])
    seen = 0
    for i, line in enumerate(lines):
        # A key and its value may stand on two lines (`plugins:` then `  - /tmp/x.js`).
        paired = f"{lines[i - 1]} {line}" if i else line
        for mark in _OUTSIDE.finditer(line):
            seen += 1
            if seen > _MOST_OUTSIDE:
                return f"{targets[0]} names more than {_MOST_OUTSIDE} places outside the project to be read"
            at = mark.start() + len(paired) - len(line)
            if (mark.group(0)[0] in "-i" or _LOADING_KEY.search(paired, max(0, at - 200), at)) \
                    and line.strip() not in old:
                return f"{targets[0]} gets {line.strip()[:120]}: the tool loads that code on its next run"
    return None


def register(check: Callable) -> None:
    @check("autorun-settings", 40, "writes settings that make a tool run commands on its own: package.json "
           "install or git-hook scripts, editor settings naming a shell, interpreter or task",
           programs=_PACKAGE_TOOLS | {"sed", "gsed", "perl", "mv", "cp", "tee", "dd", "install", "ln", "rsync", "patch",
                                      "gpatch"},
           needs=("call", "redirects", "inline"))
    def _autorun(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None:
            index = _index_change(subject) or _tool_config_loads(subject)
            if index:
                return index
            targets = [p for p in subject.writes if _package_json(p) or _editor_settings(p) or _env_manager(p)]
            if not targets:
                return None
            text = written_text(subject.call.input)
            if text is None:
                return None
            before = [_removed_text(subject.call.input)]
            for path in targets:
                pattern = PACKAGE_RUNS if _package_json(path) else (ENV_MANAGER_RUNS if _env_manager(path)
                                                                    else EDITOR_RUNS)
                if subject.call.input.get("content") is not None:
                    before.append(_on_disk(path))
                found = _new_matches(pattern, text, before)
                if found:
                    return f"{path} gets {found}"
            return None
        if seg.program in _PACKAGE_TOOLS:
            texts = seg.argv[1:]
            words = [t for t in texts if not t.startswith("-")]
            if words[:2] == ["pkg", "set"] and any(SCRIPT_KEY.search(w) for w in words[2:]):
                return f"{seg.program} pkg set adds a script that runs on install"
            if words[:1] == ["set-script"] and len(words) > 1 and SCRIPT_KEY.search(f"scripts.{words[1]}"):
                return f"{seg.program} set-script {words[1]} adds a script that runs on install"
            return None
        for op, target, dynamic in seg.redirects:
            if dynamic and op in (">", ">>", ">|", "&>") and RUNS_LATER_NAME.search(target):
                return f"writes {target}, a file a tool runs on its own, at a place only known at run time"
        for path in subject.writes:
            if _package_json(path) and seg.program in ("patch", "gpatch"):
                return f"patch changes {path} with text the command does not show (it may add install scripts)"
            if _package_json(path):
                command = subject.analysis.command if subject.analysis is not None else ""
                if PACKAGE_RUNS.search(command) or SCRIPT_KEY.search(command):
                    return f"writes {path} with a script that runs on install"
            elif _editor_settings(path) or _env_manager(path):
                return f"writes {path}, whose settings can start programs; its content is not shown"
        return None
