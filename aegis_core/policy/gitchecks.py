"""Git checks: history-rewriting and remote-destroying actions, and git made to run
commands through ``-c`` options, config keys or ``GIT_*`` environment variables."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from aegis_core.policy.words import operands

if TYPE_CHECKING:
    from aegis_core.policy.facts import Subject

# Global options of git that take a value (so `git -C dir push` finds `push`).
_GLOBAL_WITH_VALUE = frozenset({"-C", "-c", "--git-dir", "--work-tree", "--namespace",
                                "--exec-path", "--config-env", "--super-prefix"})
# Config keys whose value git runs as a command (or that redirect where it runs them).
EXEC_CONFIG = re.compile(
    r"(?i)^(core\.(sshcommand|pager|editor|hookspath|fsmonitor|askpass|gitproxy|worktree)"
    r"|alias\..*|.*\.(command|driver|helper|program|textconv|clean|smudge|process|cmd|tool)"
    r"|sequence\.editor|credential\..*|uploadpack\..*|receive\..*hook.*|protocol\..*|gpg\..*"
    r"|include\.path|includeif\..*|diff\.external|pager\..*|init\.templatedir)$"
)
_SIGNING_CONFIG = re.compile(r"(?i)^(commit\.gpgsign|tag\.gpgsign|push\.gpgsign|tag\.forcesignannotated"
                             r"|user\.signingkey)$")
# Config keys that turn off a protection: pushes that overwrite history, object and
# path checks, TLS, ownership checks, signing; or that redirect where git talks to.
SAFETY_CONFIG = re.compile(
    r"(?i)^(receive\..*|transfer\.fsckobjects|fetch\.fsckobjects|fetch\.fsck\..*|receive\.fsck\..*"
    r"|http\.(.*\.)?sslverify|http\.(.*\.)?sslcainfo|http\.(.*\.)?proxy|safe\.directory"
    r"|core\.(protectntfs|protecthfs|symlinks)|clean\.requireforce"
    r"|push\.default|url\..*\.(insteadof|pushinsteadof)"
    r"|remote\..*\.(url|pushurl|receivepack|uploadpack|vcs|mirror)|submodule\..*\.(update|url)"
    r"|gc\.(pruneexpire|reflogexpire|reflogexpireunreachable)|core\.logallrefupdates)$"
)
# Variables the hook managers read to skip the project's hooks (husky, lefthook,
# pre-commit, overcommit, simple-git-hooks).
SKIP_HOOKS_ENV = re.compile(r"^(HUSKY=0|HUSKY_SKIP_HOOKS=\w|HUSKY_SKIP_INSTALL=\w|LEFTHOOK=(0|false)|LEFTHOOK_EXCLUDE="
                            r"|SKIP=\S|PRE_COMMIT_ALLOW_NO_CONFIG=|OVERCOMMIT_DISABLE=1|SKIP_SIMPLE_GIT_HOOKS=)")
_COMMAND_KEYS = frozenset({"core.pager", "core.editor", "sequence.editor"})
_COMMAND_ENV = ("GIT_PAGER=", "GIT_EDITOR=", "GIT_SEQUENCE_EDITOR=", "PAGER=", "EDITOR=", "VISUAL=", "MANPAGER=",
                "SYSTEMD_PAGER=")
# Values of command settings that run nothing new (``git -c core.pager=cat log``,
# ``GIT_EDITOR=true git rebase --continue``).
HARMLESS_COMMANDS = frozenset({"", "cat", "less", "less -R", "less -FRX", "more", "true", "false", ":",
                               "vi", "vim", "nvim", "nano", "emacs", "code --wait", "code -w", "/bin/true",
                               "/usr/bin/true", "/bin/cat", "/usr/bin/cat", "delta", "diff-so-fancy"})
EXEC_ENV = re.compile(r"^(GIT_(SSH|SSH_COMMAND|PAGER|EDITOR|SEQUENCE_EDITOR|EXTERNAL_DIFF|ASKPASS|"
                      r"EXEC_PATH|PROXY_COMMAND|CONFIG_PARAMETERS|CONFIG_COUNT|CONFIG_KEY_\d+|"
                      r"CONFIG_VALUE_\d+|CONFIG|CONFIG_GLOBAL|CONFIG_SYSTEM|TEMPLATE_DIR|DIR)"
                      r"|PAGER|EDITOR|VISUAL|LD_PRELOAD|LD_AUDIT|DYLD_INSERT_LIBRARIES|BASH_ENV|ENV"
                      r"|PROMPT_COMMAND|SHELLOPTS|PS4|PERL5OPT|RUBYOPT|PYTHONSTARTUP|LESSOPEN|LESSCLOSE|MANPAGER"
                      r"|SYSTEMD_PAGER|SSH_ASKPASS|SUDO_ASKPASS|RUSTC_WRAPPER|CARGO_BUILD_RUSTC_WRAPPER"
                      r"|RUSTC_WORKSPACE_WRAPPER|ZDOTDIR|CARGO_TARGET_\w+_RUNNER|BASH_FUNC_\w+%%)=")


# Every subcommand git_destructive looks further at.
_DESTRUCTIVE_SUBCOMMANDS = frozenset({
    "push", "reset", "clean", "checkout", "restore", "branch", "stash", "reflog", "filter-branch",
    "filter-repo", "update-ref", "rebase", "commit", "gc", "prune", "replace", "tag", "worktree", "switch",
    "rm", "submodule", "merge", "symbolic-ref", "checkout-index", "read-tree", "daemon", "instaweb", "apply",
    "notes", "lfs", "fetch", "pull", "send-pack", "http-push"})


# An argument that makes git run a command: an option naming the remote program (group
# 1), or a transport that runs one. One search over the arguments joined by NUL (which
# no argument contains: commands with one are refused before analysis).
_EXEC_ARGUMENT = re.compile(r"(?:^|\0)(?:(--upload-pack|--receive-pack|--exec=)|ext::|fd::)")


# Pathspec magic before a pattern (`:(top)`, `:(glob,top)`, `:/`, `:!`): what is left
# says which files; a pattern of these matches every file.
_MAGIC = re.compile(r"^:(?:\([^)]*\)|[/!^]+)")
_ALL_FILES = frozenset({"", ".", "./", "*", "**", "**/*", "./*", "./**", "/", "/*", "*/**"})


def _every_file(pathspec: str) -> bool:
    """`.`, `*`, `:/`, `:(glob)**`, `':(top)*'`: a pathspec naming every file of the tree."""
    return _MAGIC.sub("", pathspec, count=1) in _ALL_FILES or pathspec in ("-A", "--all")


# A word git can only read as a path, never as a branch (a ref name cannot end with "/"
# or hold a glob character), or that is shaped like a file name (`src/app.py`; not a
# maintenance branch such as `3.x` or `v2.x`).
_PATH_SHAPED = re.compile(r"/$|[*?\[]|^:|(?:^|/)[^/.][^/]*\.(?![xX]$)[A-Za-z][A-Za-z0-9]{0,5}$")


def _abbreviates(arg: str, option: str, shortest: int) -> bool:
    """Whether ``arg`` is ``option`` or an abbreviation of it git accepts (see _READ_LONG)."""
    name = arg.split("=", 1)[0]
    return len(name) >= shortest and option.startswith(name)


def _names_remote_program(arg: str) -> bool:
    """`--upload-p=x`, `--receive=x`: an abbreviation of an option naming the remote program."""
    return _abbreviates(arg, "--upload-pack", 4) or _abbreviates(arg, "--receive-pack", 4)


def split_git(texts: list[str]) -> tuple[list[str], str, list[str]]:
    """(global options, subcommand, its arguments) of a git argv (without 'git')."""
    i = 0
    while i < len(texts) and texts[i].startswith("-"):
        i += 2 if texts[i] in _GLOBAL_WITH_VALUE else 1
    options = texts[:i]
    if i >= len(texts):
        return options, "", []
    return options, texts[i], texts[i + 1:]


def _short(args: list[str]) -> set[str]:
    letters: set[str] = set()
    for arg in args:
        if arg.startswith("-") and not arg.startswith("--") and len(arg) > 1:
            letters.update(arg[1:])
    return letters


# The long options git_destructive reads. git takes any unambiguous abbreviation of a
# long option (`git clean --forc`, `git reset --ha`, `git push --mir`), so a shorter
# word is read as every one of these it begins (more than git would: it refuses an
# ambiguous one, which then runs nothing).
_READ_LONG = ("--force", "--force-with-lease", "--force-if-includes", "--mirror", "--delete", "--prune",
              "--prune-tags", "--no-verify", "--hard", "--merge", "--keep", "--ours", "--theirs", "--discard-changes",
              "--orphan", "--force-create", "--recursive", "--staged", "--worktree", "--copy", "--move",
              "--pathspec-from-file", "--no-rewrite", "--unsafe-paths", "--reset", "--empty", "--all", "--stdin",
              "--cached")
_KNOWN_LONG = frozenset(_READ_LONG)


def _long(args: list[str]) -> set[str]:
    found = set()
    for arg in args:
        if arg.startswith("--") and len(arg) > 2:
            name = arg.split("=", 1)[0]
            found.add(name)
            if name not in _KNOWN_LONG and len(name) > 3:
                found.update(option for option in _READ_LONG if option.startswith(name))
    return found


# Branches others build on, or that deploy: a lease does not make overwriting them routine.
_SHARED_BRANCH = re.compile(r"(?i)^(?:main|master|trunk|develop|development|dev|stable|staging|production|prod|"
                            r"gh-pages|release|releases|hotfix|live)(?:[/_.-].*)?$|^v?\d+(?:\.\d+)+")


def _own_branches(refspecs: list[str]) -> bool:
    """Whether a push names only feature branches of the agent's own (`feat/x`,
    `HEAD:fix-1`): what `--force-with-lease` after a rebase overwrites, and only if
    nobody pushed there since. No refspec, HEAD, tags, wildcards and shared branches
    (main, release/*, a version) are not known to be that."""
    if not refspecs:
        return False
    for refspec in refspecs:
        destination = refspec.rsplit(":", 1)[-1].removeprefix("refs/heads/")
        if not destination or destination == "HEAD" or destination.startswith(("refs/", "+", "-")) \
                or any(c in destination for c in "*?[$`~^@{") or _SHARED_BRANCH.match(destination):
            return False
    return True


def git_destructive(texts: list[str]) -> str | None:
    """Why this git command rewrites history or destroys work/remote state, or None."""
    _, sub, args = split_git(texts)
    if sub not in _DESTRUCTIVE_SUBCOMMANDS:
        return None  # status, diff, log, add, fetch...: the common case, answered at once
    short, long = _short(args), _long(args)
    positional = [a for a in args if not a.startswith("-")]
    if sub in ("fetch", "pull"):
        return _forced_fetch(short, long, positional)
    if sub == "notes":
        if positional[:1] and positional[0] in ("remove", "prune"):
            return f"git notes {positional[0]} deletes notes"
        if positional[:1] and positional[0] in ("add", "copy") and ("f" in short or "--force" in long):
            return "git notes --force overwrites notes"
        return None
    if sub == "lfs":
        if positional[:2] in (["migrate", "import"], ["migrate", "export"]) and "--no-rewrite" not in long:
            return f"git lfs migrate {positional[1]} rewrites the history of every branch it names"
        return None
    if sub in ("push", "send-pack", "http-push"):
        if sub != "push" and ("--all" in long or "--mirror" in long):
            return f"git {sub} --all/--mirror overwrites the remote's references"
        if {"f", "d"} & short or long & {"--force", "--mirror", "--delete", "--prune"}:
            return "git push that overwrites or deletes remote history"
        if long & {"--force-with-lease", "--force-if-includes"} and not _own_branches(positional[1:]):
            return "git push that overwrites or deletes remote history"
        if "--no-verify" in long:
            return "git push --no-verify skips the project's hooks"
        if any(p.startswith("+") or (p.startswith(":") and len(p) > 1) for p in positional[1:]):
            return "git push with a forced (+) or deleting (:) refspec"
        return None
    if sub == "reset" and ("--hard" in long or "--merge" in long or "--keep" in long):
        return "git reset --hard discards uncommitted work"
    if sub == "clean" and ("f" in short or "--force" in long):
        # -X (without -x or extra -e patterns) removes only what .gitignore names: build
        # output and caches, which the build makes again.
        if "X" in short and "x" not in short and "e" not in short and "--exclude" not in long:
            return None
        return "git clean -f deletes untracked files"
    if sub == "checkout":
        if "f" in short or "--force" in long or "--" in args or "." in positional or "--ours" in long \
                or "--theirs" in long or "-p" in args or "--pathspec-from-file" in long:
            return "git checkout that discards changes in the work tree"
        # `git checkout main src/app.py`, `git checkout src/`, `git checkout '*.py'`: files
        # restored from a commit or the index over their changes (a branch is one word).
        if not ({"b", "B", "t"} & short or long & {"--orphan", "--track", "--detach"}) \
                and (len(positional) > 1 or any(_PATH_SHAPED.search(p) for p in positional)):
            return "git checkout of paths discards their changes in the work tree"
        if "B" in short:
            return "git checkout -B moves an existing branch to another commit"
        return None
    if sub == "switch":
        if "f" in short or long & {"--force", "--discard-changes"}:
            return "git switch that discards changes in the work tree"
        if "--orphan" in long:
            return "git switch --orphan removes every tracked file from the work tree"
        if "C" in short or "--force-create" in long:
            return "git switch -C moves an existing branch to another commit"
        return None
    if sub == "rm":
        # `git rm -r --cached .` (then `git add .`) is how a new .gitignore is applied:
        # the work tree keeps every file.
        if "--cached" in long:
            return None
        forced = "f" in short or "--force" in long
        if forced and ("{stdin}" in positional or "r" in short or "--recursive" in long):
            return "git rm --force deletes files with their uncommitted changes"
        if not ("r" in short or "--recursive" in long):
            return None
        if any(_every_file(p) or p.startswith(("*", "./*")) for p in positional):
            return "git rm -r of everything removes every tracked file from the work tree"
        return None
    if sub in ("commit", "merge") and ("--no-verify" in long or (sub == "commit" and "n" in short)):
        return f"git {sub} --no-verify skips the project's hooks"
    if sub == "submodule" and positional[:1] == ["deinit"] and ("f" in short or "--force" in long):
        return "git submodule deinit --force deletes submodule work trees"
    if sub == "symbolic-ref" and len(positional) >= 2 and not long & {"--short", "-q"}:
        return "git symbolic-ref moves HEAD"
    if sub == "restore":
        if long & {"--staged", "-S"} or "S" in short:
            return None if ("--worktree" not in long and "W" not in short) else \
                "git restore --worktree discards changes"
        return "git restore discards changes in the work tree"
    if sub == "branch" and ("D" in short or ("--delete" in long and ("--force" in long or "f" in short))):
        return "git branch -D deletes an unmerged branch"
    forced = "f" in short or "--force" in long
    if sub == "branch" and positional and ("C" in short or (("c" in short or "--copy" in long) and forced)):
        return "git branch -C copies over an existing branch"
    if sub == "branch" and len(positional) > 1 and ("M" in short or (("m" in short or "--move" in long) and forced)):
        return "git branch -M renames a branch over an existing one"
    if sub == "branch" and ("f" in short or "--force" in long) and positional and not ({"m", "c"} & short):
        return "git branch -f moves a branch to another commit"
    if sub == "stash" and positional[:1] and positional[0] in ("clear", "drop"):
        return f"git stash {positional[0]} deletes stashed work"
    if sub == "reflog" and positional[:1] and positional[0] in ("expire", "delete"):
        return "git reflog expire/delete removes recovery points"
    if sub in ("filter-branch", "filter-repo"):
        return f"git {sub} rewrites the whole history"
    if sub == "update-ref":
        return "git update-ref moves or deletes a reference directly" if positional or "--stdin" in long else None
    # `git rebase` in every form (-i, --onto, --root) and `git commit --amend` rewrite
    # local commits only: the reflog keeps every old one, and getting the rewrite onto a
    # shared branch takes a force-push, which the push rules judge. An agent tidying its
    # own branch does both all day, so neither asks; what they run (--exec, a sequence
    # editor) and expiring the reflog or pruning (which end the way back) still do.
    if sub == "checkout-index" and ("a" in short or "f" in short or long & {"--all", "--force"}):
        return "git checkout-index -a -f overwrites the work tree from the index"
    if sub == "read-tree" and ("u" in short or "-u" in args) and long & {"--reset", "-m"} | ({"m"} & short):
        return "git read-tree -u --reset overwrites the work tree"
    if sub == "read-tree" and "--empty" in long:
        return "git read-tree --empty empties the index: the next commit deletes every file"
    if sub == "apply" and "--unsafe-paths" in long:
        return "git apply --unsafe-paths writes files outside the repository (--directory can point anywhere)"
    if sub in ("daemon", "instaweb"):
        return f"git {sub} serves repositories to the network (with --enable=receive-pack, anyone can push)"
    if sub in ("gc", "prune") and (sub == "prune" or any(a.startswith("--prune") for a in args)):
        return "git prune/gc --prune removes unreachable objects for good"
    if sub == "replace" or (sub == "tag" and "d" in short and positional):
        return f"git {sub} rewrites references"
    if sub == "worktree" and positional[:1] == ["remove"] and ("f" in short or "--force" in long):
        return "git worktree remove --force deletes a work tree"
    return None


def _forced_fetch(short: set[str], long: set[str], positional: list[str]) -> str | None:
    """`git fetch origin +main:main`, `git fetch -f origin '+refs/heads/*:refs/heads/*'`,
    `git fetch --prune origin 'refs/heads/*:refs/heads/*'`: local branches overwritten or
    deleted to match the remote (the default refspecs write remote-tracking refs only)."""
    forced = "f" in short or "--force" in long
    for refspec in positional[1:]:
        source, colon, destination = refspec.partition(":")
        if not colon or not destination or destination.startswith("refs/remotes/"):
            continue
        if forced or source.startswith("+"):
            return "git fetch with a forced refspec overwrites local branches"
        if "*" in destination and ("p" in short or long & {"--prune", "--prune-tags"}):
            return "git fetch --prune into local branches deletes the ones the remote lacks"
    return None


# Options of `git config` whose value is the next word (so the key is not taken for it).
_CONFIG_VALUE_OPTIONS = frozenset({"-f", "--file", "--blob", "--type", "--default", "--comment", "--value",
                                   "--url"})


def _config_words(args: list[str]) -> list[str]:
    """The key and value words of `git config` (its options and their values left out)."""
    return operands(args, _CONFIG_VALUE_OPTIONS)


def _options_inside(text: str) -> list[str]:
    """Options an expansion gives as its alternative or default (`${FORCE:+--force}`,
    `${MODE:---hard}`): what the argument may turn into."""
    return _OPTION_INSIDE.findall(text)


_OPTION_INSIDE = re.compile(r"\$\{\w+:?[-+=?](--?[A-Za-z][\w-]*)")


def git_destructive_argv(texts: list[str], dynamic: list[bool]) -> str | None:
    """git_destructive, with what a computed argument may hold read from its text; a
    subcommand only known at run time (`git $cmd`) is not known to be harmless, and one
    that holds blanks (`cmd="push --force"; git $cmd`: the value the command gave it, which
    the shell splits) is read as the words it splits into."""
    options, sub, _ = split_git(texts)
    if " " in sub or "\t" in sub:
        at = len(options)
        words = texts[at].split()
        texts = [*texts[:at], *words, *texts[at + 1:]]
        dynamic = [*dynamic[:at], *[dynamic[at]] * len(words), *dynamic[at + 1:]]
    if any(dynamic):
        options, sub, _ = split_git(texts)
        at = len(options)
        if at < len(texts) and dynamic[at] and texts[at] != "{stdin}" and not _options_inside(texts[at]):
            return "git with a subcommand only known at run time"
        extra = [option for text, computed in zip(texts, dynamic, strict=True) if computed and text.startswith("$")
                 for option in _options_inside(text)]
        if extra:
            texts = [*texts, *extra]
    return git_destructive(texts)


def git_exec(texts: list[str], assignments: tuple[str, ...]) -> str | None:
    """Why git would run an arbitrary command here, or None."""
    options, sub, args = split_git(texts)
    for i, option in enumerate(options):
        if option == "-c" and i + 1 < len(options):
            key, _, value = options[i + 1].partition("=")
            if EXEC_CONFIG.match(key) and not (key.lower() in _COMMAND_KEYS and value in HARMLESS_COMMANDS):
                return f"git -c {key}=... makes git run a command"
            if SAFETY_CONFIG.match(key):
                return f"git -c {key}=... turns off a protection or changes where git sends data"
        if option.startswith("--config-env") or option.startswith("--exec-path") or option == "--upload-pack":
            return f"git {option} changes what git runs"
    found = _EXEC_ARGUMENT.search("\0".join(args)) if args else None
    if (found and found.group(1)) or any(_names_remote_program(arg) for arg in args):
        return "git option that sets the command to run on the remote"
    if sub == "grep" and any(a.startswith("-O") or _abbreviates(a, "--open-files-in-pager", 4) for a in args):
        return "git grep -O runs a command on the files it finds"
    if found:
        return "git ext:: transport runs a command"
    if sub in ("clone", "init", "submodule"):
        # `git clone -c core.fsmonitor=... URL`, `--template=DIR` (hooks copied from DIR).
        for i, arg in enumerate(args):
            setting: str | None = None
            if arg in ("-c", "--config") and i + 1 < len(args):
                setting = args[i + 1]
            elif arg.startswith("--config="):
                setting = arg.split("=", 1)[1]
            if setting is not None:
                key = setting.split("=", 1)[0]
                if EXEC_CONFIG.match(key) or SAFETY_CONFIG.match(key):
                    return f"git {sub} -c {key}=... makes git run a command or lose a protection"
            if arg == "--template" or arg.startswith("--template="):
                return f"git {sub} --template copies hooks (code git runs) from another folder"
    if sub == "config":
        keys = _config_words(args)
        if keys[:1] and keys[0] in ("set", "add") and len(keys) > 1:
            keys = keys[1:]  # git config set KEY VALUE (git 2.46)
        if keys and len(keys) > 1 and EXEC_CONFIG.match(keys[0]) \
                and not (keys[0].lower() in _COMMAND_KEYS and keys[1] in HARMLESS_COMMANDS):
            return f"git config {keys[0]} makes git run a command later"
        unset = bool({"--unset", "--unset-all", "--remove-section"} & set(args)) or keys[:1] in (["unset"],)
        if keys[:1] == ["unset"]:
            keys = keys[1:]
        # Signing switched off for good (one `git -c commit.gpgsign=false commit` is not).
        if keys and (len(keys) > 1 or unset) and (SAFETY_CONFIG.match(keys[0]) or _SIGNING_CONFIG.match(keys[0])):
            return f"git config {keys[0]} turns off a protection or changes where git sends data"
    for assignment in assignments:
        if assignment.startswith("GIT_") and EXEC_ENV.match(assignment) and not harmless_command(assignment):
            return f"{assignment.split('=', 1)[0]} makes git run a command"
        if SKIP_HOOKS_ENV.match(assignment):
            return f"{assignment.split('=', 1)[0]} skips the project's git hooks"
        if _NO_TLS_ENV.match(assignment):
            return "GIT_SSL_NO_VERIFY turns off TLS verification"
    return None


_NO_TLS_ENV = re.compile(r"^GIT_SSL_NO_VERIFY=(?!(?:0|false|no|off)?$)", re.I)


def harmless_command(assignment: str) -> bool:
    """``GIT_EDITOR=true``, ``PAGER=cat``: a pager or editor that runs nothing new."""
    return assignment.startswith(_COMMAND_ENV) and assignment.split("=", 1)[1] in HARMLESS_COMMANDS


# What `git rm --cached` untracks when it is everything: the work tree's root, all names.
_EVERYTHING = frozenset({".", "./", "*", ":/", ":/*", "-A", "--all"})


def _untracks_everything(args: list[str], fed: bool) -> bool:
    """`git rm -r --cached .`, `git rm --cached -r '*'`, `xargs git rm --cached`: the
    next commit deletes every file from the repository (the work tree keeps them)."""
    if "--cached" not in args:
        return False
    names = [a for a in args if not a.startswith("-") or a in ("-A", "--all")]
    return fed or any(n in _EVERYTHING or _every_file(n) for n in names)


def removes_listed_files(subject: Subject) -> str | None:
    """`git ls-files | xargs git rm`: every tracked file (or every one a filter keeps)
    removed from the work tree; `git ls-files --deleted | xargs git rm` only records
    what is gone already."""
    seg = subject.segment
    analysis = subject.analysis
    if seg is None or analysis is None or not seg.pipe_from or "{stdin}" not in seg.argv:
        return None
    _, sub, args = split_git(list(seg.argv[1:]))
    if sub != "rm" or "--cached" in _long(args):
        return None
    for index in seg.pipe_from:
        if index >= len(analysis.segments):
            continue
        upstream = analysis.segments[index]
        if upstream.program != "git":
            continue
        _, listing, options = split_git(list(upstream.argv[1:]))
        if listing == "ls-files" and not {"-d", "--deleted"} & set(options):
            return "git rm of what git ls-files lists removes every tracked file it names from the work tree"
    return None


def untracked_and_pushed(subject: Subject) -> str | None:
    """A push of a command line that untracked everything (`git rm -r --cached .`) and
    committed without adding the files back: the remote's branch loses every file."""
    seg = subject.segment
    analysis = subject.analysis
    if seg is None or analysis is None or len(analysis.segments) < 3:
        return None
    if split_git(list(seg.argv[1:]))[1] != "push":
        return None
    untracked = committed = False
    for other in analysis.segments:
        if other.index >= seg.index:
            break
        if other.program != "git":
            continue
        _, sub, args = split_git(list(other.argv[1:]))
        if sub == "rm" and _untracks_everything(args, "xargs" in other.wrappers):
            untracked, committed = True, False
        elif sub == "add" and untracked and not committed:
            untracked = False  # `git rm -r --cached . && git add .`: the .gitignore idiom
        elif sub == "commit" and untracked:
            committed = True
    if untracked and committed:
        return "git rm --cached of everything, committed and pushed: the remote branch loses every file"
    return None


# A git library in a one-liner (simple-git, GitPython, pygit2 and the other libgit2
# bindings, dulwich, isomorphic-git, rugged, go-git, JGit, `sh.git`, plumbum's git)...
GIT_LIBRARY = re.compile(r"simple-?git|isomorphic-git|nodegit|\bimport\s+git\b|\bfrom\s+git\s+import\b|\bgit\.Repo\b"
                         r"|pygit2|dulwich|\b[Rr]ugged\b|go-git|\bsh\.git\b|\bfrom\s+sh\s+import\s+git\b|plumbum"
                         r"|LibGit2|JGit|\bgit2\b|\bGit\.open\b|\bsimpleGit\b")
# ...and what it is asked to do that destroys work, history or a remote's branches:
# forcing, hard resets, cleaning, deleting or pruning, a forced (+) refspec, rewriting.
GIT_LIBRARY_HARM = re.compile(r"(?i)force|\bhard\b|_hard\b|hardreset|mirror|delete|\bremove|prune|\bclean\b"
                              r"|['\"]\+\w|['\"]:refs/|filter.?(?:branch|repo)|update.?ref|reflog|discard|orphan"
                              r"|['\"]-[a-z]*[fD][a-z]*['\"]|\bDeleteBranch|\bdrop\b|\bclear\b"
                              r"|working_?tree\s*[=:]\s*(?:True|true)")


def git_library_harm(code: str) -> str | None:
    """Why a one-liner's git library call may destroy work or history, or None."""
    library = GIT_LIBRARY.search(code)
    if library is None:
        return None
    harm = GIT_LIBRARY_HARM.search(code)
    if harm is None:
        return None
    return f"a one-liner drives git through {library.group(0)} with {harm.group(0)}"


def register(check: Callable) -> None:
    @check("git-library-destructive", 35, "a git library (simple-git, GitPython, pygit2, dulwich, isomorphic-git, "
           "rugged...) in a one-liner forcing, resetting hard, cleaning, deleting or rewriting",
           needs=("inline",))
    def _library(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None or seg.inline_code is None:
            return None
        return git_library_harm(seg.inline_code[1])

    @check("git-destructive", 35, "history-rewriting or remote-destroying git action", programs=("git",))
    def _destructive(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None or seg.program != "git":
            return None
        return git_destructive_argv(list(seg.argv[1:]), [arg.dynamic for arg in seg.args[1:]]) \
            or removes_listed_files(subject) or untracked_and_pushed(subject)

    @check("git-config-exec", 45, "git made to run a command (-c core.sshCommand, alias !, GIT_SSH...)",
           programs=("git",))
    def _exec(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None or seg.program != "git":
            return None
        return git_exec(list(seg.argv[1:]), seg.assignments)

    @check("dangerous-env", 40, "environment variables that make programs run other code "
           "(LD_PRELOAD, BASH_ENV, GIT_SSH_COMMAND, PAGER..., a search path such as PATH or PYTHONPATH given a "
           "folder outside the project and the system)",
           programs=("export", "declare", "typeset", "readonly"), needs=("assignments",))
    def _env(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None or not seg.args:
            return None
        if seg.program in ("export", "declare", "typeset", "readonly"):
            for arg in seg.args[1:]:
                if (EXEC_ENV.match(arg.text) and not harmless_command(arg.text)) or foreign_search_path(arg.text):
                    return f"{seg.program} {arg.text.split('=', 1)[0]} changes what later commands run"
        for assignment in seg.assignments:
            if (EXEC_ENV.match(assignment) and not harmless_command(assignment)) or foreign_search_path(assignment):
                return f"{assignment.split('=', 1)[0]} set for {seg.program}"
        return None


# Variables listing the folders programs, libraries or modules are loaded from: a
# folder put there decides what later commands run.
_SEARCH_PATHS = re.compile(r"^(PATH|LD_LIBRARY_PATH|DYLD_LIBRARY_PATH|DYLD_FALLBACK_LIBRARY_PATH|PYTHONPATH|"
                           r"PYTHONHOME|PERL5LIB|PERLLIB|RUBYLIB|NODE_PATH|GEM_PATH|CLASSPATH|LUA_PATH|LUA_CPATH)=")
# Folders that may go there: the project's (relative, $PWD), the system's, and the
# bin folders of the home where the user's own tools live.
_TRUSTED_FOLDER = re.compile(r"^(?:\$\{?(?:PATH|LD_LIBRARY_PATH|PYTHONPATH|NODE_PATH|PERL5LIB|RUBYLIB|GEM_PATH"
                             r"|CLASSPATH|DYLD_LIBRARY_PATH|VIRTUAL_ENV|CONDA_PREFIX|GOPATH|GOROOT|CARGO_HOME|JAVA_HOME"
                             r"|PNPM_HOME|BUN_INSTALL|DENO_INSTALL|PYENV_ROOT|NVM_BIN)\}?(?:/[\w.-]+)*"
                             r"|\$\{?PWD\}?(?:/[\w.+-]+)*|\.(?:/[\w.+-]+)*|[\w+-][\w.+-]*(?:/[\w.+-]+)*"
                             r"|(?:~|\$\{?HOME\}?)/(?:[\w.+-]+/)*(?:bin|lib|lib64|site-packages|node_modules)"
                             r"|/(?:usr|opt|bin|sbin|snap|nix|home/linuxbrew|Library/Frameworks|Applications)(?:/[\w.+-]+)*)"
                             r"/?$")


def foreign_search_path(assignment: str) -> bool:
    """``PATH=/tmp/evil:$PATH``, ``PYTHONPATH=/tmp/x``: a search path given a folder
    outside the project, the system and the home's bin folders."""
    if not _SEARCH_PATHS.match(assignment):
        return False
    value = assignment.split("=", 1)[1].strip("'\"")
    return any(part and not _TRUSTED_FOLDER.match(part) for part in value.split(":"))
