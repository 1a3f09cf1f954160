"""Unwrapping of one simple command: strip wrappers (``sudo``, ``env``, ``timeout``,
``xargs``, ``uv run``...), follow ``bash -c``/``eval``/``su -c`` strings into their own
segments, split ``find -exec`` commands out, and pull out interpreter one-liners."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from aegis_core.policy.words import Arg

if TYPE_CHECKING:
    from aegis_core.policy.shell import _Builder

MAX_DEPTH = 6
MAX_WRAPPERS = 12

# wrapper -> (options that take a value, positional arguments before the command)
WRAPPERS: dict[str, tuple[frozenset[str], int]] = {
    "sudo": (frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "--user",
                        "--group", "--chdir", "--prompt", "--role", "--type", "--other-user",
                        "--host", "--close-from", "--command-timeout"}), 0),
    "doas": (frozenset({"-u", "-C"}), 0),
    "command": (frozenset(), 0),
    "builtin": (frozenset(), 0),
    "exec": (frozenset({"-a"}), 0),
    "nice": (frozenset({"-n", "--adjustment"}), 0),
    "nohup": (frozenset(), 0),
    "time": (frozenset({"-f", "-o", "--format", "--output"}), 0),
    "timeout": (frozenset({"-s", "-k", "--signal", "--kill-after"}), 1),
    "gtimeout": (frozenset({"-s", "-k", "--signal", "--kill-after"}), 1),
    "stdbuf": (frozenset({"-i", "-o", "-e"}), 0),
    "ionice": (frozenset({"-c", "-n", "-p", "--class", "--classdata"}), 0),
    "setsid": (frozenset(), 0),
    "unbuffer": (frozenset(), 0),
    "chrt": (frozenset(), 1),
    "taskset": (frozenset(), 1),
    "flock": (frozenset({"-w", "-E", "--timeout", "--conflict-exit-code"}), 1),
    "caffeinate": (frozenset({"-t", "-w"}), 0),
    "runuser": (frozenset({"-u", "-g", "-G", "--user", "--group"}), 0),
    "busybox": (frozenset(), 0),
    "strace": (frozenset({"-o", "-e", "-p", "-s", "-u"}), 0),
    "ltrace": (frozenset({"-o", "-e", "-p", "-s", "-u"}), 0),
    "torsocks": (frozenset(), 0),
    "proxychains": (frozenset({"-f"}), 0),
    "proxychains4": (frozenset({"-f"}), 0),
    "chroot": (frozenset({"--userspec", "--groups"}), 1),
    "env": (frozenset({"-u", "-C", "--unset", "--chdir"}), 0),
}

# `uv run pytest`, `poetry run pytest`, `bundle exec rspec`: run the next command.
RUNNERS: dict[tuple[str, str], frozenset[str]] = {
    ("uv", "run"): frozenset({"--with", "--python", "-p", "--directory", "--project", "--package",
                              "--extra", "--group", "--env-file", "--index", "--index-url",
                              "--with-requirements", "--from", "--with-editable"}),
    ("poetry", "run"): frozenset({"-C", "--directory", "-P", "--project"}),
    ("pipenv", "run"): frozenset(),
    ("pdm", "run"): frozenset({"-p", "--project"}),
    ("hatch", "run"): frozenset(),
    ("rye", "run"): frozenset(),
    ("bundle", "exec"): frozenset({"--gemfile"}),
    ("conda", "run"): frozenset({"-n", "--name", "-p", "--prefix"}),
    ("mamba", "run"): frozenset({"-n", "--name", "-p", "--prefix"}),
}

# `python -m NAME` that is the command NAME itself (`python -m twine upload` is `twine upload`).
MODULE_COMMANDS = frozenset({"pip", "pip3", "twine", "poetry", "flit", "hatch", "uv", "pdm", "pipx", "conda",
                             "pipenv", "maturin", "build", "ansible", "awscli", "httpie", "dotenv", "mkdocs", "mike"})
# Script names that make a shell or an interpreter read its program from stdin.
STDIN_FILES = frozenset({"-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"})

SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "fish", "rbash", "csh",
                    "tcsh", "yash", "posh"})

_PYTHON = re.compile(r"^(python[0-9.]*|pypy[0-9.]*|py)$")  # py: the Windows launcher
# Interpreter flags that take no value and may come before `-m` (py -3 -m twine, python -I -m pip).
_PYTHON_FLAG = re.compile(r"^-(?:[23](?:\.\d+)?(?:-(?:32|64))?|[uIBEsSOqbPRd]+|OO)$")
# interpreter -> (language, short options that take the code, long ones, options with values)
INTERPRETERS: dict[str, tuple[str, str, frozenset[str], frozenset[str]]] = {
    "python": ("python", "c", frozenset(), frozenset({"-W", "-X", "-Q"})),
    "ipython": ("python", "c", frozenset(), frozenset({"--profile", "--ipython-dir", "--config"})),
    "ipython3": ("python", "c", frozenset(), frozenset({"--profile", "--ipython-dir", "--config"})),
    "node": ("javascript", "ep", frozenset({"--eval", "--print"}), frozenset({"-r", "--require",
                                                                             "--import", "--loader"})),
    "nodejs": ("javascript", "ep", frozenset({"--eval", "--print"}), frozenset({"-r", "--require"})),
    "bun": ("javascript", "e", frozenset({"--eval", "--print"}), frozenset()),
    # TypeScript runners take node's one-liner options
    "tsx": ("javascript", "ep", frozenset({"--eval", "--print"}), frozenset({"-r", "--require", "--import",
                                                                            "--tsconfig"})),
    "esno": ("javascript", "ep", frozenset({"--eval", "--print"}), frozenset({"-r", "--require", "--import"})),
    "zx": ("javascript", "e", frozenset({"--eval"}), frozenset({"--shell", "--prefix", "--cwd"})),
    "ts-node": ("javascript", "ep", frozenset({"--eval", "--print"}), frozenset({"-r", "--require", "-P", "--project",
                                                                                "-O", "--compiler-options", "-C",
                                                                                "--compiler"})),
    "perl": ("perl", "eE", frozenset(), frozenset({"-I", "-M", "-m"})),
    "ruby": ("ruby", "e", frozenset(), frozenset({"-I", "-r"})),
    "php": ("php", "r", frozenset(), frozenset({"-d", "-c"})),
    "lua": ("lua", "e", frozenset(), frozenset({"-l"})),
    "Rscript": ("r", "e", frozenset(), frozenset()),
    "julia": ("julia", "e", frozenset({"--eval"}), frozenset({"-L", "--load", "-J", "--sysimage", "--project"})),
    "osascript": ("applescript", "e", frozenset(), frozenset()),
    # the JVM's, the BEAM's and the other languages' one-liners
    "R": ("r", "e", frozenset(), frozenset()),
    "luajit": ("lua", "e", frozenset(), frozenset({"-l"})),
    "elixir": ("elixir", "e", frozenset({"--eval"}), frozenset({"-r", "-pa", "-pz", "--erl", "--sname", "--name",
                                                                "--cookie"})),
    "erl": ("erlang", "", frozenset({"-eval"}), frozenset({"-s", "-run", "-pa", "-pz", "-sname", "-name",
                                                         "-setcookie", "-config"})),
    "groovy": ("groovy", "e", frozenset(), frozenset({"-cp", "-classpath", "--classpath"})),
    "kotlin": ("kotlin", "e", frozenset({"-expression"}), frozenset({"-cp", "-classpath"})),
    "kotlinc": ("kotlin", "e", frozenset({"-expression"}), frozenset({"-cp", "-classpath", "-d"})),
    "scala": ("scala", "e", frozenset(), frozenset({"-cp", "-classpath"})),
    "swift": ("swift", "e", frozenset(), frozenset({"-I", "-L", "-l", "-F", "-module-name", "-sdk", "-target"})),
    "clojure": ("clojure", "e", frozenset({"--eval"}), frozenset({"-Sdeps", "-A"})),
    "clj": ("clojure", "e", frozenset({"--eval"}), frozenset({"-Sdeps", "-A"})),
    "racket": ("racket", "e", frozenset({"--eval"}), frozenset({"-l", "-t", "-r"})),
    "guile": ("scheme", "c", frozenset(), frozenset({"-L", "-l", "-x"})),
    "tclsh": ("tcl", "", frozenset(), frozenset()),
    "jshell": ("java", "", frozenset(), frozenset({"--class-path", "-cp"})),
}
AWKS = frozenset({"awk", "gawk", "mawk", "nawk"})
_RUNNER_NAMES = frozenset(name for name, _ in RUNNERS)
# Every program name unwrap() does something with (besides python* and the RUNNERS).
_SPECIAL = frozenset({*WRAPPERS, *SHELLS, *INTERPRETERS, *AWKS, "xargs", "eval", "su", "watch",
                      "parallel", "find", "gfind", "fd", "fdfind", "source", ".", "deno", "trap", "alias", "py"})


_HERE_WORDS = 32  # words of a here-string fed to xargs taken as its arguments


@dataclass(slots=True)
class Unwrapped:
    """A simple command being unwrapped (mutable while it is worked on)."""

    args: list[Arg]
    arg_subs: list[list[int]]
    assignments: list[str]
    redirects: list[tuple[str, str, bool]]
    stdin_text: str
    via: str
    pipe_from: tuple[int, ...]
    stdin_subs: list[int]
    wrappers: list[str] = field(default_factory=list)
    code_from: list[int] = field(default_factory=list)
    reads_code: bool = False
    inline_code: tuple[str, str] | None = None
    runs_for: int = -1
    # Some argument holds a substitution (`<(...)`, `$(...)`): set by the builder, so
    # that commands without one never look for a program read from one.
    substituted: bool = False

    def drop(self, count: int) -> None:
        self.args, self.arg_subs = self.args[count:], self.arg_subs[count:]


def _skip_options(args: list[Arg], start: int, with_value: frozenset[str], positionals: int) -> int:
    i = start
    while i < len(args):
        text = args[i].text
        if text == "--":
            i += 1
            break
        if text.startswith("-") and len(text) > 1:
            i += 2 if text in with_value else 1
            continue
        break
    return i + positionals


def _replace_string(texts: list[str], i: int) -> str:
    """The replace string an xargs option at ``i`` sets (``-I R``, ``-IR``,
    ``--replace=R``, ``-i`` for ``{}``), or ""."""
    text = texts[i]
    if text == "-I":
        return texts[i + 1] if i + 1 < len(texts) else ""
    if text.startswith("-I"):
        return text[2:]
    if text.startswith("--replace="):
        return text.split("=", 1)[1] or "{}"
    if text in ("-i", "--replace") or text.startswith("-i"):
        return text[2:] or "{}"
    return ""


def is_ordinary(name: str, second: str | None) -> bool:
    """True for a program unwrap() leaves as it is (not a wrapper, shell, interpreter,
    runner such as `uv run`, find or xargs): most programs."""
    return name not in _SPECIAL and not (name.startswith("py") and _PYTHON.match(name)) \
        and not (name in _RUNNER_NAMES and second is not None
                 and ((name, second) in RUNNERS or second.startswith("-"))) \
        and not (name == "git" and second in _GIT_RUNS)


# `git submodule foreach CMD`, `git bisect run CMD`: git runs a command (global options
# first make the subcommand uncertain here, so those go to unwrap() too).
_GIT_RUNS = frozenset({"submodule", "bisect", "-C", "-c", "--git-dir", "--work-tree"})


def unwrap(builder: _Builder, seg: Unwrapped, depth: int) -> list[int]:
    """Segments for ``seg`` (its own first, then any it runs)."""
    for _ in range(MAX_WRAPPERS):
        if not seg.args or seg.args[0].dynamic or seg.args[0].glob:
            break
        name = seg.args[0].text.rsplit("/", 1)[-1]
        if is_ordinary(name, seg.args[1].text if len(seg.args) > 1 else None):
            break  # most programs: nothing to unwrap
        texts = [a.text for a in seg.args]
        if name in WRAPPERS:
            if name == "command" and any(t in ("-v", "-V") for t in texts[1:2]):
                break
            with_value, positionals = WRAPPERS[name]
            rest = _skip_options(seg.args, 1, with_value, positionals)
            if name == "env":
                if any(t in ("-S", "--split-string") or t.startswith("-S") for t in texts[1:rest]):
                    builder.problem("env -S splits a string into a command; not analysed")
                while rest < len(texts) and re.match(r"[A-Za-z_][A-Za-z0-9_]*=", texts[rest]):
                    seg.assignments.append(texts[rest])
                    rest += 1
            if rest >= len(seg.args):
                break
            seg.wrappers.append(name)
            builder.note(f"unwrapped {name}")
            seg.drop(rest)
            continue
        if len(texts) > 1 and name in _RUNNER_NAMES and texts[1].startswith("-") and texts[1] != "--":
            # `hatch -e test run CMD`, `poetry -C . run CMD`: the runner's own options first
            from aegis_core.policy.subcommands import VALUE_OPTIONS

            at = _skip_options(seg.args, 1, VALUE_OPTIONS.get(name, frozenset()), 0)
            if at < len(texts) and (name, texts[at]) in RUNNERS:
                seg.drop(at - 1)
                seg.args[0] = Arg(name)
                texts = [a.text for a in seg.args]
        if len(texts) > 1 and (name, texts[1]) in RUNNERS:
            rest = _skip_options(seg.args, 2, RUNNERS[(name, texts[1])], 0)
            while name == "hatch" and rest < len(seg.args) and seg.args[rest].text.startswith(("+", "-")):
                rest += 1  # `hatch run +py=3.12 test:run`: a matrix variable chosen
            if rest >= len(seg.args) or (name == "hatch" and ":" in seg.args[rest].text
                                         and "/" not in seg.args[rest].text):
                break  # `hatch run test:cov`: the project's own script (env:script), judged as a task
            seg.wrappers.append(f"{name} {texts[1]}")
            builder.note(f"unwrapped {name} {texts[1]}")
            seg.drop(rest)
            continue
        if name == "xargs":
            # `xargs -a FILE` reads its arguments from FILE, as `xargs < FILE` does.
            replace = ""  # `xargs -I{} cp {} dest`: each input line goes where {} stands
            for i, text in enumerate(texts[1:], start=1):
                if not text.startswith("-"):
                    break
                given = texts[i + 1] if text in ("-a", "--arg-file") and i + 1 < len(texts) else (
                    text.split("=", 1)[1] if text.startswith("--arg-file=") else text[2:] if text.startswith("-a")
                    and len(text) > 2 else "")
                if given:
                    seg.redirects.append(("<", given, False))
                replace = _replace_string(texts, i) or replace
            rest = _skip_options(seg.args, 1, frozenset({"-I", "-L", "-n", "-P", "-s", "-d", "-E", "-a",
                                                         "--max-args", "--max-procs", "--delimiter",
                                                         "--arg-file", "--replace", "--max-lines"}), 0)
            seg.wrappers.append("xargs")
            builder.note("unwrapped xargs (its arguments come from stdin)")
            seg.drop(rest)
            if not seg.args:
                seg.args, seg.arg_subs = [Arg("echo")], [[]]
            if replace and any(replace in a.text for a in seg.args[1:]):
                # `xargs -I{} curl -d @{} URL <<< .env`: a here-string's first line is the
                # first value; input from elsewhere is known at run time only.
                here = seg.stdin_text.strip().split("\n", 1)[0] if seg.stdin_text and not seg.pipe_from else ""
                value = here if here and "$" not in here and "`" not in here else "{stdin}"
                # Computed at run time, except in a shell's command string, which is read
                # with the placeholder in it (`sh -c 'cp {} .envrc'`).
                computed = value == "{stdin}" and seg.args[0].text not in SHELLS
                seg.args[1:] = [Arg(value, dynamic=computed or value == "{stdin}") if a.text == replace else
                                Arg(a.text.replace(replace, value), dynamic=computed) if replace in a.text else a
                                for a in seg.args[1:]]
                continue
            seg.args.append(Arg("{stdin}", dynamic=True))
            seg.arg_subs.append([])
            if seg.stdin_text and not seg.pipe_from:
                # `xargs cat <<< ~/.netrc`: the words of a here-string are the arguments.
                for text in seg.stdin_text.split()[:_HERE_WORDS]:
                    seg.args.append(Arg(text, dynamic="$" in text or "`" in text))
                    seg.arg_subs.append([])
            continue
        if _PYTHON.match(name):
            at = 1
            while at < len(texts) - 2 and _PYTHON_FLAG.match(texts[at]):
                at += 1
            if len(texts) > at + 1 and texts[at] == "-m" and texts[at + 1] in MODULE_COMMANDS:
                seg.wrappers.append(f"{name} -m")
                seg.drop(at + 1)
                continue
        if name in SHELLS:
            return _shell(builder, seg, depth, name)
        if name in ("eval", "su", "watch", "parallel"):
            handled = _string_runner(builder, seg, depth, name, texts)
            if handled is not None:
                return handled
            break
        if name in FINDERS:
            return _find(builder, seg, depth, name)
        if name in ("source", ".") and len(seg.args) > 1:
            if texts[1] in STDIN_FILES:
                return _stdin_code(builder, seg, depth, name)
            if texts[1] == "<(...)" and _prints_environment(builder, [seg.arg_subs[1]]):
                # `source <(kubectl completion bash)`: the tool's own set-up, judged as itself.
                builder.note("source of a tool's environment set-up (its documented idiom)")
                seg.substituted = False
                break
            _code_argument(seg, 1)
            break
        if name == "alias" and len(seg.args) > 1:
            return _aliases(builder, seg, depth)
        if name == "trap":
            handled = _trap(builder, seg, depth, texts)
            if handled is not None:
                return handled
            break
        if name == "git":
            handled = _git_runs(builder, seg, depth, texts)
            if handled is not None:
                return handled
            break
        _interpreter(builder, seg, name, texts)
        _code_sources(seg)
        break
    if seg.substituted or seg.stdin_subs or (seg.pipe_from and seg.args and (
            seg.args[0].text not in _DATA_READERS or seg.args[0].text in _SCRIPTABLE_READERS)):
        _program_from_substitution(builder, seg)
    return [builder.add(seg)]


# Programs that only read data from what they are given (`diff <(curl ...) local`,
# `wc -l <(curl ...)`): a substitution there is no program text. The scriptable ones
# among them read a program only through their program-file options.
_DATA_READERS = frozenset({
    "diff", "cmp", "comm", "wc", "cat", "tac", "sort", "uniq", "head", "tail", "less", "more", "grep", "egrep",
    "fgrep", "rg", "paste", "join", "md5sum", "sha1sum", "sha256sum", "sha512sum", "b2sum", "cksum", "tee", "cut",
    "column", "file", "xxd", "od", "hexdump", "sdiff", "diff3", "colordiff", "delta", "difft", "bat", "nl", "strings",
    "base64", "iconv", "fold", "fmt", "tr", "echo", "printf", "jq", "yq", "gojq", "jaq", "awk", "gawk", "mawk", "nawk",
    "sed", "gsed", "mlr", "xsv", "csvlook", "tar", "bsdtar", "unzip", "zcat", "gunzip", "xz", "zstd", "gpg",
    "gpgv", "shasum", "vimdiff", "meld", "sponge", "pv", "xmllint", "readarray", "mapfile", "test", "["})
_SCRIPTABLE_READERS = frozenset({"jq", "yq", "gojq", "jaq", "awk", "gawk", "mawk", "nawk", "sed", "gsed"})
# Runners whose first operand is the script they run (after `run`: `deno run <(...)`);
# shells and Python's interpreters are judged where they are unwrapped.
_SCRIPT_RUNNERS = frozenset({"tsx", "ts-node", "deno", "bun", "node", "nodejs", "Rscript", "lua", "luajit", "julia",
                             "php", "ruby", "perl", "ansible-playbook", "nix-shell", "nix-build", "expect", "tclsh",
                             "wish", "osascript", "guile", "racket", "elixir", "escript", "groovy", "kotlin", "scala",
                             "swift", "java", "jshell", "pwsh", "powershell", "crystal", "dart", "raku", "nu",
                             "xonsh", "elvish", "gdb", "lldb", "vim", "nvim", "emacs", "make", "gmake", "just",
                             "rake", "cmake", "awk", "gawk", "mawk", "jq", "sqlite3", "duckdb", "psql", "mysql"})
_PACKAGE_RUNNERS = frozenset({"npx", "pnpx", "bunx", "pnpm", "yarn", "npm", "uvx", "pipx", "bun", "corepack"})
# Subcommands that load or apply what follows (`tmux source-file <(...)`, `git apply <(...)`).
_LOADING_WORDS = frozenset({"source", "source-file", "apply", "load", "run", "exec", "eval", "execute", "import",
                            "include", "provision", "script", "am", "run-script", "play"})
# Long options named for a program, script or configuration (`--provision-with`, `--init-file`,
# `--rcfile`, `--config`, `--require`); data options of the scriptable readers are not.
_PROGRAM_OPTION = re.compile(r"file|script|conf|init|rc\b|provision|exec|command|load|include|require|import"
                             r"|playbook|recipe|rules|hook|plugin|module|makefile")
_DATA_OPTIONS = frozenset({"--rawfile", "--slurpfile", "--exclude-from", "--files-from", "--file-list",
                           "--ignore-file", "--exclude-file"})
# Options whose value is a program, script, makefile or configuration to follow.
_PROGRAM_FILE_OPTIONS = frozenset({"-f", "--file", "--from-file", "--makefile", "--justfile", "--rakefile",
                                   "--rcfile", "--init-file", "--script", "-x", "--command", "-S", "-P", "-File",
                                   "--config", "-c", "--playbook", "--exec", "-l", "--load", "-i", "--include"})
_ARCHIVERS = frozenset({"tar", "bsdtar", "cpio", "unzip", "zip", "7z", "gzip", "gunzip", "zcat", "xz", "zstd",
                        "sha256sum", "sha512sum", "md5sum", "shasum", "gpg", "gpgv", "diff", "cmp", "tee", "cat"})
# Programs whose `-f -` is a manifest, not a program: what they do with it is their own
# rules' to judge (`helm template . | kubectl diff -f -` reads; `kubectl apply -f -` asks
# as a cluster change, and a spec given as text is read for the host its pods get).
_MANIFEST_READERS = frozenset({"kubectl", "oc", "kubecolor", "kubeconform", "kubeval", "kube-linter"})


def may_read_program_from_stdin(words: list[str]) -> bool:
    """A piped command that may read its program from stdin (`make -f -`, `awk -f
    /dev/stdin`) or a patch to apply (`git apply`, `patch -p1`): the fast paths leave it
    to the builder, which looks closer."""
    return (("-" in words or "/dev/stdin" in words) and words[0] not in _ARCHIVERS) \
        or words[0].endswith("patch") or (words[0].endswith("git") and ("apply" in words or "am" in words))


def _local_files(builder: _Builder, subs: list[int]) -> bool:
    """The substitution only prints files named on the command line (`<(cat a.mk b.mk)`)."""
    for index in subs:
        if index >= len(builder.segments):
            return False
        sub = builder.segments[index]
        if sub.program != "cat" or sub.pipe_from or sub.redirects or sub.wrappers or len(sub.args) < 2 \
                or any(a.dynamic or a.text.startswith("-") or "://" in a.text for a in sub.args[1:]):
            return False
    return True


def _program_from_substitution(builder: _Builder, seg: Unwrapped) -> None:
    """A program that reads its script, makefile or configuration from a substitution
    (`make -f <(curl ...)`, `awk -f <(wget -O- ...)`, `docker compose -f <(curl ...) up`,
    `tsx <(curl ...)`), or from stdin fed by one (`make -f /dev/stdin <<< "$(curl ...)"`,
    `curl ... | awk -f -`), reads code from there, whatever the program: code only known
    at run time, and the remote-code rule judges where it comes from. Data readers given
    one (diff, wc, jq .) and a program's data operands (`pandoc <(curl ...)`) are not."""
    name = seg.args[0].text.rsplit("/", 1)[-1] if seg.args else ""
    if name in ("git", "patch") and (feeds := _patch_feeds(builder, seg, name)):
        seg.reads_code = True
        seg.code_from = [*seg.code_from, *feeds]
    data_only = name in _DATA_READERS
    scriptable = name in _SCRIPTABLE_READERS
    script_first = name in _SCRIPT_RUNNERS
    any_operand = name in _PACKAGE_RUNNERS  # `npx tsx <(...)`: the tool it runs is any runner
    previous = ""
    for index, arg in enumerate(seg.args[1:], 1):
        text = arg.text
        option, _equals, value = text.partition("=") if text.startswith("--") else (previous, "", text)
        program_file = (option in _PROGRAM_FILE_OPTIONS or (
            option.startswith("--") and _PROGRAM_OPTION.search(option) is not None)) and option not in _DATA_OPTIONS
        loads = previous in _LOADING_WORDS
        previous = text
        if arg.dynamic and "<(...)" in value and seg.arg_subs[index]:
            if not (program_file and (scriptable or not data_only)) and not script_first and not any_operand \
                    and not (loads and not data_only):
                continue
            if not _local_files(builder, seg.arg_subs[index]):
                seg.reads_code = True
                seg.code_from = [*seg.code_from, *seg.arg_subs[index]]
        elif value in STDIN_FILES and program_file and name not in _ARCHIVERS and name not in _MANIFEST_READERS \
                and (seg.stdin_subs or seg.pipe_from):
            if name in SHELLS or seg.reads_code:
                continue  # judged as a shell reading stdin
            seg.reads_code = True
            seg.code_from = [*seg.code_from, *seg.pipe_from, *seg.stdin_subs]
        if script_first and not text.startswith("-") and text != "run":
            script_first = False  # only the first operand is the script


# Options of `patch` whose value is the next word.
_PATCH_VALUES = frozenset({"-p", "-d", "-o", "-r", "-D", "-F", "-V", "-z", "-B", "-Y", "--directory", "--output",
                           "--reject-file", "--ifdef", "--fuzz", "--suffix", "--prefix"})
# What may feed a patch from this repository or its files (`git diff | git apply -R`,
# `cat fix.patch | patch -p1`): its changes are already here.
_LOCAL_PATCH_SOURCES = frozenset({"git", "cat", "diff", "interdiff", "filterdiff", "combinediff"})


def _patch_feeds(builder: _Builder, seg: Unwrapped, name: str) -> list[int]:
    """What feeds the patch ``seg`` applies (`curl URL | git apply`, `wget -O- URL | patch
    -p1`, `patch -p1 < <(curl ...)`), when it is anything but this repository's own diffs
    or files: a patch changes the code the project runs, so what feeds it is code (remote
    code when downloaded), as `git apply <(curl ...)` is. [] when nothing does."""
    substituted = [i for index, arg in enumerate(seg.args) if arg.dynamic and "<(...)" in arg.text
                   for i in seg.arg_subs[index]]
    feeds = [*substituted, *seg.pipe_from, *seg.stdin_subs]
    if not feeds or not (substituted or _applies_stdin(seg, name)):
        return []
    for index in feeds:
        if index >= len(builder.segments):
            return feeds
        feed = builder.segments[index]
        if feed.program not in _LOCAL_PATCH_SOURCES or feed.pipe_from \
                or any(a.dynamic or "://" in a.text for a in feed.args[1:]):
            return feeds
    return []


def _applies_stdin(seg: Unwrapped, name: str) -> bool:
    """Whether ``seg`` (git or patch) applies a patch it reads from stdin."""
    texts = [a.text for a in seg.args[1:]]
    operands: list[str] = []
    if name == "git":
        sub = next((t for t in texts if not t.startswith("-")), "")
        if sub not in ("apply", "am"):
            return False
        operands = [t for t in texts[texts.index(sub) + 1:] if t == "-" or not t.startswith("-")]
        reads = not operands or "-" in operands
    else:
        i, named = 0, False
        while i < len(texts):
            text = texts[i]
            if text in ("-i", "--input"):
                named = named or (i + 1 < len(texts) and texts[i + 1] not in STDIN_FILES)
                i += 2
                continue
            if text.startswith("--input=") or (text.startswith("-i") and len(text) > 2):
                named = named or text.split("=", 1)[-1].removeprefix("-i") not in STDIN_FILES
            elif text in _PATCH_VALUES:
                i += 1
            elif not text.startswith("-") or text == "-":
                operands.append(text)
            i += 1
        reads = not named and len(operands) < 2
    return reads


def _code_argument(seg: Unwrapped, index: int) -> None:
    """A script argument computed at run time (``bash <(curl ...)``) is code from there."""
    if seg.args[index].dynamic:
        seg.reads_code = True
        seg.code_from = list(seg.arg_subs[index])


def _inherit(builder: _Builder, indices: list[int], seg: Unwrapped, how: str) -> list[int]:
    """Give segments found inside ``how`` the wrappers and assignments around it."""
    for index in indices:
        inner = builder.segments[index]
        builder.segments[index] = replace(
            inner, wrappers=(*seg.wrappers, how, *inner.wrappers),
            assignments=(*seg.assignments, *inner.assignments),
            pipe_from=inner.pipe_from or (seg.pipe_from if not inner.via.startswith("$") else ()),
            runs_for=inner.runs_for if inner.runs_for >= 0 else seg.runs_for,
        )
    return indices


# Tools whose output is shell code that only sets up the environment, meant for
# `eval "$(TOOL ...)"`: their own documented idiom.
_ENV_PRINTERS = frozenset({
    ("direnv", "export"), ("pyenv", "init"), ("pyenv", "virtualenv-init"), ("rbenv", "init"), ("nodenv", "init"),
    ("goenv", "init"), ("jenv", "init"), ("plenv", "init"), ("ssh-agent", ""), ("brew", "shellenv"),
    ("conda", "shell.bash"), ("conda", "shell.zsh"), ("mise", "activate"), ("rtx", "activate"), ("fnm", "env"),
    ("zoxide", "init"), ("starship", "init"), ("opam", "env"), ("luarocks", "path"), ("pixi", "shell-hook"),
    ("micromamba", "shell"), ("gpg-agent", ""), ("keychain", ""), ("dircolors", ""), ("thefuck", "--alias"),
    ("atuin", "init"), ("mcfly", "init"), ("fzf", "--bash"), ("fzf", "--zsh"), ("gh", "completion"),
    ("kubectl", "completion"), ("npm", "completion"), ("rustup", "completions")})


def _prints_environment(builder: _Builder, subs: list[list[int]]) -> bool:
    """Every command substitution in ``subs`` is one of the environment printers, with
    literal arguments (`eval "$(pyenv init -)"`, `eval "$(ssh-agent -s)"`)."""
    found = [i for ids in subs for i in ids]
    if not found:
        return False
    for index in found:
        if index >= len(builder.segments):
            return False
        sub = builder.segments[index]
        if sub.wrappers or sub.redirects or any(a.dynamic for a in sub.args[1:]):
            return False
        first = next((a.text for a in sub.args[1:] if not a.text.startswith("-")), "")
        flag = sub.args[1].text if len(sub.args) > 1 else ""
        # Any tool's `completion` subcommand prints its own shell completion (helm, kubectl, gh...).
        if (sub.program, first) not in _ENV_PRINTERS and (sub.program, "") not in _ENV_PRINTERS \
                and (sub.program, flag) not in _ENV_PRINTERS \
                and (first not in ("completion", "completions") or "/" in sub.args[0].text):
            return False
    return True


def _run_string(builder: _Builder, seg: Unwrapped, depth: int, how: str,
                code: list[Arg], subs: list[list[int]]) -> list[int]:
    if how == "eval" and len(code) == 1 and code[0].text == "$(...)" and _prints_environment(builder, subs):
        # What runs is the printer's own output; the printer is judged as itself.
        builder.note("eval of a tool's environment set-up (its documented idiom)")
        return []
    if any(a.dynamic for a in code):
        builder.problem(f"{how} runs a command built at run time; it cannot be checked")
        seg.reads_code = True
        seg.code_from = [i for ids in subs for i in ids]
        return [builder.add(seg)]
    builder.note(f"followed {how} into its command string")
    inner = builder.analyse_string(" ".join(a.text for a in code), how, depth + 1)
    return _inherit(builder, inner, seg, how)


def _shell(builder: _Builder, seg: Unwrapped, depth: int, name: str) -> list[int]:
    args = seg.args
    i, c_flag, s_flag = 1, False, False
    while i < len(args):
        text = args[i].text
        if text == "--":
            i += 1
            break
        if text in ("-o", "+o", "-O", "+O", "--rcfile", "--init-file"):
            i += 2
            continue
        if text.startswith("--"):
            i += 1
            continue
        if text[:1] in "-+" and len(text) > 1:
            c_flag = c_flag or "c" in text[1:]
            s_flag = s_flag or "s" in text[1:]
            i += 1
            continue
        break
    if c_flag:
        if i >= len(args):
            builder.problem(f"{name} -c without a command")
            return [builder.add(seg)]
        return _run_string(builder, seg, depth, f"{name} -c", [args[i]], [seg.arg_subs[i]])
    if not s_flag and i < len(args) and args[i].text not in STDIN_FILES:
        _code_argument(seg, i)
        return [builder.add(seg)]  # runs a script file
    return _stdin_code(builder, seg, depth, name)


_HIDDEN_ESCAPE = re.compile(r"\\(?:x[0-9A-Fa-f]|[0-7]|u[0-9A-Fa-f]|U[0-9A-Fa-f]|c|e|E)")
_ECHO_ESCAPES = {"\\n": "\n", "\\t": "\t", "\\\\": "\\"}


def literal_feed(builder: _Builder, seg: Unwrapped) -> str | None:
    """The text piped into ``seg`` when it comes from one ``echo``/``printf`` of literal
    words and nothing else (`echo 'print(1)' | python3`): code the command line shows,
    judged like a here-document. None for anything computed or read from elsewhere."""
    if len(seg.pipe_from) != 1 or seg.stdin_subs or seg.stdin_text:
        return None
    index = seg.pipe_from[0]
    if index >= len(builder.segments):
        return None
    feed = builder.segments[index]
    if feed.program not in ("echo", "printf") or feed.pipe_from or feed.redirects or feed.wrappers \
            or feed.assignments or any(a.dynamic or a.glob for a in feed.args[1:]):
        return None
    words = [a.text for a in feed.args[1:]]
    if any(_HIDDEN_ESCAPE.search(w) for w in words):
        return None  # `printf '\x72\x6d -rf /'`: encoded, judged as a decoder piped into code
    if feed.program == "echo":
        while words and words[0] in ("-n", "-e", "-E", "-ne", "-en"):
            words = words[1:]
        text = " ".join(words)
    else:
        if len(words) != 1 or "%" in words[0]:
            return None  # a format with arguments: what it prints is worked out at run time
        text = words[0]
    for escape, plain in _ECHO_ESCAPES.items():
        text = text.replace(escape, plain)
    return text


def _stdin_code(builder: _Builder, seg: Unwrapped, depth: int, name: str) -> list[int]:
    """A shell reading its commands from stdin: a here-document, or one echo of literal
    words piped in, is followed; anything else (a pipe, a file, a substitution) is code
    only known at run time."""
    fed_text = literal_feed(builder, seg)
    if fed_text is not None:
        inner = builder.analyse_string(fed_text, f"{name} <<echo", depth + 1)
        builder.note(f"followed the literal text piped into {name}")
        return _inherit(builder, inner, seg, f"{name} <<echo")
    # `bash /dev/stdin < <(curl ...)`: the process substitution is what it reads.
    fed = [i for index, arg in enumerate(seg.args) if arg.dynamic and arg.text.startswith("<(")
           for i in seg.arg_subs[index]]
    if seg.stdin_text and not seg.stdin_subs and not fed:
        inner = builder.analyse_string(seg.stdin_text, f"{name} <<stdin", depth + 1)
        builder.note(f"followed the here-document fed to {name}")
        return _inherit(builder, inner, seg, f"{name} <<stdin")
    # `. /dev/stdin <<< "$(curl ...)"`: what the substitution prints is the code.
    seg.reads_code = True
    seg.code_from = list(seg.pipe_from) + seg.stdin_subs + fed
    return [builder.add(seg)]


# One-liner code that runs what it reads on standard input (`exec(sys.stdin.read())`).
_EXEC_STDIN = re.compile(r"(?:exec|eval|compile|instance_eval|Function|vm\.run\w*)\s*\(?[^)]{0,40}"
                         r"(?:stdin|STDIN|<STDIN>|php://stdin|readFileSync\(\s*0|readFileSync\(['\"]/dev/stdin|ARGF)")


def _code_sources(seg: Unwrapped) -> None:
    """A one-liner whose code is computed at run time (`python3 -c "$(curl ...)"`), or
    that runs its standard input (`| python3 -c "exec(sys.stdin.read())"`), reads its
    code from those commands."""
    if seg.inline_code is None:
        return
    code = seg.inline_code[1]
    for index, arg in enumerate(seg.args):
        if arg.dynamic and arg.text and code.endswith(arg.text):
            seg.reads_code = True
            seg.code_from = [*seg.code_from, *seg.arg_subs[index]]
    if (seg.pipe_from or seg.stdin_subs) and _EXEC_STDIN.search(code):
        seg.reads_code = True
        seg.code_from = [*seg.code_from, *seg.pipe_from, *seg.stdin_subs]


def _git_runs(builder: _Builder, seg: Unwrapped, depth: int, texts: list[str]) -> list[int] | None:
    """The git segment and the command it runs: ``submodule foreach CMD`` (a shell
    string, as git runs it) or ``bisect run CMD ARGS``."""
    from aegis_core.policy.gitchecks import split_git

    options, sub, rest = split_git(texts[1:])
    start = 1 + len(options) + 1  # index of the first argument after the subcommand
    if sub == "submodule" and "foreach" in rest:
        at = start + rest.index("foreach") + 1
        while at < len(texts) and texts[at] in ("--recursive", "-q", "--quiet"):
            at += 1
        how = "git submodule foreach"
    elif sub == "bisect" and rest[:1] == ["run"]:
        at = start + 1
        how = "git bisect run"
    else:
        return None
    if at >= len(texts):
        return None
    command = Unwrapped(seg.args[at:], seg.arg_subs[at:], list(seg.assignments), [], "", how, seg.pipe_from,
                        [], [*seg.wrappers, how])
    seg.args, seg.arg_subs = seg.args[:at], seg.arg_subs[:at]
    index = builder.add(seg)
    builder.note(f"followed {how} into its command")
    if how == "git bisect run":  # an argument vector, run as it is
        return [index, *unwrap(builder, command, depth + 1)]
    return [index, *_run_string(builder, command, depth, how, command.args, command.arg_subs)]


def _aliases(builder: _Builder, seg: Unwrapped, depth: int) -> list[int]:
    """``alias ll='rm -rf src'``: what an alias runs is judged as if it were called
    (like a function defined in the command), with the alias segment itself."""
    created = [builder.add(seg)]
    for position, arg in enumerate(seg.args[1:], start=1):
        name, equals, body = arg.text.partition("=")
        if equals and body and not arg.dynamic:
            builder.note(f"alias {name} defined; what it runs is judged as if called")
            created.extend(_run_string(builder, seg, depth, "alias", [Arg(body)], [seg.arg_subs[position]]))
        elif equals and arg.dynamic:
            builder.problem("an alias is defined to a command built at run time; it cannot be checked")
    return created


def _trap(builder: _Builder, seg: Unwrapped, depth: int, texts: list[str]) -> list[int] | None:
    """``trap 'CMD' EXIT``: CMD runs later, in this shell; judged as if run now."""
    rest = _skip_options(seg.args, 1, frozenset(), 0)
    if rest + 1 >= len(texts) or texts[rest] in ("", "-"):
        return None  # lists traps, or resets them
    return _run_string(builder, seg, depth, "trap", [seg.args[rest]], [seg.arg_subs[rest]])


def _string_runner(builder: _Builder, seg: Unwrapped, depth: int, name: str,
                   texts: list[str]) -> list[int] | None:
    if name == "eval":
        if len(seg.args) < 2:
            return None
        return _run_string(builder, seg, depth, "eval", seg.args[1:], seg.arg_subs[1:])
    if name == "su":
        for i, text in enumerate(texts[1:-1], start=1):
            if text in ("-c", "--command"):
                return _run_string(builder, seg, depth, "su -c", [seg.args[i + 1]], [seg.arg_subs[i + 1]])
        return None
    if name == "watch":
        rest = _skip_options(seg.args, 1, frozenset({"-n", "--interval", "-d"}), 0)
        if rest >= len(seg.args):
            return None
        return _run_string(builder, seg, depth, "watch", seg.args[rest:], seg.arg_subs[rest:])
    # parallel CMD ::: ARGS
    rest = _skip_options(seg.args, 1, frozenset({"-j", "--jobs", "-S", "--sshlogin"}), 0)
    end = texts.index(":::") if ":::" in texts else len(texts)
    if rest >= end:
        return None
    code = [*seg.args[rest:end], Arg("{stdin}", dynamic=False)]
    return _run_string(builder, seg, depth, "parallel", code, seg.arg_subs[rest:end])


# Options after which find and fd take a command, up to `;` (or `+`, for find).
_EXEC_OPTIONS = {"find": frozenset({"-exec", "-execdir", "-ok", "-okdir"}),
                 "fd": frozenset({"-x", "--exec", "-X", "--exec-batch"})}
FINDERS = frozenset({"find", "gfind", "fd", "fdfind"})


def _find(builder: _Builder, seg: Unwrapped, depth: int, name: str) -> list[int]:
    """The find (or fd) itself first, then each command it runs on what it finds
    (``{}`` becomes the run-time value ``{found}``), marked as run for it."""
    exec_options = _EXEC_OPTIONS["fd" if name in ("fd", "fdfind") else "find"]
    kept: list[Arg] = []
    kept_subs: list[list[int]] = []
    commands: list[Unwrapped] = []
    i = 0
    while i < len(seg.args):
        text = seg.args[i].text
        if text in exec_options and i > 0:
            j = i + 1
            while j < len(seg.args) and seg.args[j].text not in (";", "+"):
                j += 1
            # Only a bare {} is the found path; {}/.., fd's {//} (its folder) or {.} (its
            # name without extension) are other paths, known only at run time.
            inner_args = [Arg("{found}", dynamic=True) if a.text == "{}" else
                          Arg(a.text.replace("{}", "{found}"), dynamic=True) if "{" in a.text and "}" in a.text
                          else a for a in seg.args[i + 1:j]]
            if name in ("fd", "fdfind") and not any(a.text == "{found}" for a in inner_args):
                inner_args.append(Arg("{found}", dynamic=True))  # fd appends the path itself
            if inner_args:
                commands.append(Unwrapped(args=inner_args, arg_subs=seg.arg_subs[i + 1:j], assignments=[],
                                          redirects=[], stdin_text="", via=f"{name} {text}", pipe_from=(),
                                          stdin_subs=[], wrappers=[*seg.wrappers, f"{name} {text}"]))
            kept.append(seg.args[i])
            kept_subs.append([])
            i = j + 1
            continue
        kept.append(seg.args[i])
        kept_subs.append(seg.arg_subs[i])
        i += 1
    seg.args, seg.arg_subs = kept, kept_subs
    index = builder.add(seg)
    created = [index]
    for inner in commands:
        builder.note(f"followed {inner.via} into its command")
        inner.runs_for = index
        created.extend(unwrap(builder, inner, depth + 1))
    return created


def _interpreter(builder: _Builder, seg: Unwrapped, name: str, texts: list[str]) -> None:
    if name in AWKS:
        i = 1
        while i < len(texts) and texts[i].startswith("-") and texts[i] != "--":
            if texts[i] in ("-f", "--file"):
                return
            i += 2 if texts[i] in ("-F", "-v", "--assign", "--field-separator") else 1
        i += 1 if i < len(texts) and texts[i] == "--" else 0
        if i < len(texts):
            seg.inline_code = ("awk", texts[i])
        return
    key = "python" if _PYTHON.match(name) else name
    if key not in INTERPRETERS:
        if name == "deno" and len(texts) > 2 and texts[1] == "eval":
            seg.inline_code = ("javascript", texts[2])
        return
    language, short, long, with_value = INTERPRETERS[key]
    i = 1
    while i < len(texts):
        text = texts[i]
        if text == "--" or not text.startswith("-") or text == "-":
            break
        if text in long and i + 1 < len(texts):
            seg.inline_code = (language, texts[i + 1])
            return
        if any(text.startswith(f"{opt}=") for opt in long):
            seg.inline_code = (language, text.split("=", 1)[1])
            return
        if not text.startswith("--"):
            letters = text[1:]
            takes_value = {opt[1] for opt in with_value if len(opt) == 2}
            for position, letter in enumerate(letters):
                if letter in takes_value:
                    # -MFile::Path, -rjson: the rest (or the next argument) is a value.
                    i += 1 if position + 1 < len(letters) else 2
                    break
                if letter in short:
                    attached = letters[position + 1:]
                    # -pe CODE (flags after the code letter) versus -cCODE (code attached).
                    if attached and not set(attached) <= set(short + "lnpaFiw0"):
                        seg.inline_code = (language, attached)
                    elif i + 1 < len(texts):
                        seg.inline_code = (language, texts[i + 1])
                    return
            else:
                if key == "python" and letters.startswith("m"):
                    return  # runs a module
                i += 1
            continue
        i += 2 if text in with_value else 1
    if i < len(texts) and texts[i] not in STDIN_FILES:
        _code_argument(seg, i)
        return  # runs a script file
    if seg.stdin_text and seg.stdin_subs:
        # `python3 - <<< "$(curl ...)"`: the here-string is what the substitution prints.
        seg.reads_code = True
        seg.code_from = list(seg.pipe_from) + seg.stdin_subs
    elif seg.stdin_text:
        seg.inline_code = (language, seg.stdin_text)
    elif (fed := literal_feed(builder, seg)) is not None:
        seg.inline_code = (language, fed)  # `echo 'print(1)' | python3`: shown, judged as a one-liner
    elif seg.pipe_from or seg.stdin_subs:
        seg.reads_code = True
        seg.code_from = list(seg.pipe_from) + seg.stdin_subs
