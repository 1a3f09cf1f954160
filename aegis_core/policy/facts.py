"""What one thing the policy judges touches: the call, or one shell segment of it, with
its normalised paths (read and written), URLs, the project root and working directory."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from aegis_core.models import Kind, ToolCall
from aegis_core.policy.argpaths import (
    CODE_WRITES,
    CONTAINER_ENGINES,
    CURL_LIKE,
    HTTPIE_LIKE,
    PLACEHOLDERS,
    code_literals,
    mount_sources,
    representative,
    representatives,
    request_files,
    secret_names_matching,
    sent_files,
)
from aegis_core.policy.cloudchecks import bucket_download
from aegis_core.policy.globbing import bounded_glob
from aegis_core.policy.outputs import OUTPUT_PROGRAMS, clone_target, edited_files, output_files, target_directory
from aegis_core.policy.paths import MAX_PATHS_PER_CALL, CallBudget, home_dir, is_within, normalise
from aegis_core.policy.words import Arg
from aegis_core.tools import kind_of

if TYPE_CHECKING:
    from aegis_core.policy.shell import Segment, ShellAnalysis

# Programs whose arguments are text, not file names.
TEXT_PROGRAMS = frozenset({"echo", "printf", "true", "false", ":", "test", "[", "expr", "sleep",
                           "seq", "yes", "date", "export", "unset", "set", "alias", "cd", "pushd",
                           "type", "which", "command", "hash", "read", "local", "declare", "let",
                           "return", "exit", "shift", "trap", "wait", "jobs", "kill", "pkill",
                           "pgrep", "ps", "npm", "yarn", "pnpm", "pip", "pip3", "uv", "cargo",
                           "go", "make", "gh", "docker", "kubectl", "terraform", "helm"})
_WRITE_REDIRECTS = frozenset({">", ">>", ">|", "&>", "&>>", "<>", ">&"})
_COPIERS = frozenset({"cp", "mv", "install", "ln", "rsync", "scp"})
_IN_PLACE = frozenset({"sed", "perl", "gsed", "ruby"})
# perl's (and ruby's) -i inside a cluster of switches that take no value (`-pi`, `-pie`, `-lpi.bak`).
_PERL_IN_PLACE = re.compile(r"^-[pnlaws0-9]*i")
# sed's -i inside a cluster of switches (`-ni`, `-Ei`, `-i.bak`).
SED_IN_PLACE = re.compile(r"^-[nrEsuz]*i|^--in-place\b")
_WRITERS = frozenset({"tee", "truncate", "touch", "shred"})
_DELETERS = frozenset({"rm", "unlink", "rmdir", "srm", "wipe"})
# Values of these options are written to.
_OUTPUT_OPTIONS = frozenset({"-o", "--output", "-O", "--output-document", "of", "-out", "--out", "--outfile",
                             "-outfile", "--output-file"})
# The same options with their value attached (`--output=FILE`).
_OUTPUT_ATTACHED = ("--output=", "--out=", "--outfile=", "--output-file=", "--output-document=", "-out=")
# Programs whose arguments hide paths plain parsing misses (see argpaths).
_REQUEST_PROGRAMS = CURL_LIKE | HTTPIE_LIKE
_HIDDEN_PATH_PROGRAMS = _REQUEST_PROGRAMS | CONTAINER_ENGINES | {"docker-compose", "podman-compose",
                                                                 "systemd-nspawn", "bwrap", "kubectl", "oc",
                                                                 "gh", "glab"}
MAX_GLOB_MATCHES = 200
_NO_GLOBS: frozenset[str] = frozenset()
# Stand for paths that could not be judged: never inside the project, never a match
# for a path rule, and each makes the call need approval with its own reason.
UNRESOLVED = "/<unresolved path>"
TOO_MANY_PATHS = "/<more paths than one call may name>"
WILDCARD_TOO_WIDE = "/<wildcard too wide to expand>"
PATH_PROBLEMS = {
    UNRESOLVED: "a path could not be resolved (too long, too many to look up, or relative to a folder "
                "only known at run time)",
    TOO_MANY_PATHS: f"it names more than {MAX_PATHS_PER_CALL} paths, too many to look up one by one; "
                    "a command on fewer files at a time would be judged directly",
    WILDCARD_TOO_WIDE: "a wildcard too wide to expand: finding what it matches would read too much of "
                       "the file system; a narrower pattern would be judged directly",
}


# Bits of Subject.shape: a rule whose matchers need a fact the subject lacks is skipped.
HAS_PATHS, HAS_WRITES, HAS_URLS, HAS_WRAPPERS = 1, 2, 4, 8


def call_kind(call: ToolCall) -> Kind:
    return call.kind if call.kind is not Kind.OTHER else kind_of(call.tool)


@dataclass(slots=True)
class Subject:
    """One thing rules are matched against. ``segment`` is None for non-shell calls."""

    call: ToolCall
    segment: Segment | None
    analysis: ShellAnalysis | None
    project: str | None  # the call's cwd, normalised: "the project"
    cwd: str | None  # effective working directory (after `cd` in the same command)
    home: str
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    risk: int = 0
    cache: dict = field(default_factory=dict)
    paths: tuple[str, ...] = field(init=False)  # reads and writes
    shape: int = field(init=False)  # which kinds of facts it has: HAS_PATHS | HAS_WRITES...

    def __post_init__(self) -> None:
        self.paths = self.reads + self.writes if self.writes else self.reads
        self.shape = ((HAS_PATHS if self.paths else 0) | (HAS_WRITES if self.writes else 0)
                      | (HAS_URLS if self.urls else 0)
                      | (HAS_WRAPPERS if self.segment is not None and self.segment.wrappers else 0))

    def within_project(self, path: str) -> bool:
        return self.project is not None and is_within(path, self.project)


_COPIERS = frozenset({"cp", "gcp", "mv", "gmv", "install", "ginstall", "ln", "gln", "rsync"})
_FIND_PROGRAMS = frozenset({"find", "gfind"})
_NAME_TESTS = frozenset({"-name", "-iname"})


def with_found_names(seg: Segment, segments: Sequence[Segment]) -> Segment:
    """``seg`` with the name its finder's ``-name`` test gives what it finds, where it
    copies that (`find . -name x.pth -exec cp {} DIR/ \\;`, `find /tmp -name '*.pth' |
    xargs -I{} cp {} DIR/`): the copy lands as DIR/x.pth, a name the rules on written
    files can judge, not as DIR/{found}. A finder without one positive name test (or
    none) leaves the placeholder as it is."""
    if seg.program not in _COPIERS:
        return seg
    texts = seg.argv
    placeholders = [t for t in texts[1:] if t in PLACEHOLDERS]
    if not placeholders:
        return seg
    finders = []
    if "{found}" in placeholders and 0 <= seg.runs_for < len(segments):
        finders.append(segments[seg.runs_for])
    if "{stdin}" in placeholders and "xargs" in seg.wrappers:
        finders.extend(segments[i] for i in seg.pipe_from if i < len(segments))
    finders = [f for f in finders if f.program in _FIND_PROGRAMS]
    if len(finders) != 1:
        return seg
    argv = finders[0].argv
    names = [argv[i + 1] for i in range(1, len(argv) - 1)
             if argv[i] in _NAME_TESTS and argv[i - 1] not in ("!", "-not")]
    if len(names) != 1 or "/" in names[0] or len(names[0]) > 255:  # a file name is at most 255 bytes
        return seg
    witness = _WITNESS_CLASS.sub(lambda m: "x" if m.group(1) else m.group(2)[:1] or "x", names[0])
    args = tuple(Arg(witness.replace("*", "x").replace("?", "x")) if a.text in PLACEHOLDERS else a
                 for a in seg.args)
    return replace(seg, args=args)


# A bracket expression of a -name pattern: its first character, or any other for `[!.]`.
_WITNESS_CLASS = re.compile(r"\[([!^]?)([^\]]*)\]")


def _arguments(segment: Segment, cwd: str | None, home: str,
               variables: dict[str, str] | None) -> tuple[Sequence[Arg], list[str]]:
    """The arguments a segment's paths can be read from, and their texts: a value
    computed at run time counts by what is literal in it (``/home/$USER/.ssh/x``),
    and not at all when nothing is (``$FILE``)."""
    args = segment.args[1:]
    for arg in args:
        if arg.dynamic:
            break
    else:  # nearly always: every argument is literal, its text already in argv
        return args, list(segment.argv[1:])
    kept: list[Arg] = []
    texts: list[str] = []
    copies = segment.program in _COPIERS
    for arg in args:
        if copies and arg.text in PLACEHOLDERS:
            # What find -exec finds, what xargs reads: some path, known at run time only.
            # To a copy it still counts as a source: `cp {found} .husky/` writes into .husky.
            kept.append(arg)
            texts.append(arg.text)
            continue
        for text in representatives(arg.text, cwd, home, variables) if arg.dynamic else (arg.text,):
            kept.append(arg)
            texts.append(text)
    return kept, texts


def flags_of(subject: Subject) -> tuple[set[str], list[str]]:
    """Short flag letters and long options of a segment's arguments, and its
    positionals (after ``--`` too); worked out once per subject for the checks that
    read them. Callers must not change what they get."""
    found = subject.cache.get("_flags")
    if found is None:
        seg = subject.segment
        flags: set[str] = set()
        positional: list[str] = []
        ended = False
        for text in seg.argv[1:] if seg is not None else ():
            if not ended and text == "--":
                ended = True
            elif not ended and text.startswith("--"):
                flags.add(text.split("=", 1)[0])
            elif not ended and text.startswith("-") and len(text) > 1:
                flags.update(text[1:])
            else:
                positional.append(text)
        found = subject.cache["_flags"] = (flags, positional)
    return found


def _looks_like_url(text: str) -> bool:
    if "://" not in text:
        return False
    head = text.split("://", 1)[0]
    return head.isalpha() and len(head) < 12


def _path_values(args: list[str]) -> list[str]:
    values = []
    ended = False
    for text in args:
        if not text:
            continue  # `sed -i ''`, `ssh-keygen -N ''`: an empty argument names no file
        if text == "--" and not ended:
            ended = True  # what follows are operands, even `-/../.env`
            continue
        if ended and text.startswith("-"):
            values.append("./" + text)
            continue
        if text.startswith("-"):
            if "=" in text:
                value = text.split("=", 1)[1]
                if value.startswith(("/", "~", ".")) or "/" in value:
                    values.append(value)
            continue
        values.append(text)
    return values


def _expand_glob(pattern: str, cwd: str | None, budget: CallBudget) -> list[str] | None:
    """The files a wildcard names, or None when finding them would cost too much."""
    spent = [0]
    wanted = min(MAX_GLOB_MATCHES, budget.paths + 1)  # more could not be judged anyway
    found = bounded_glob(pattern, cwd, max_entries=max(budget.glob_entries, 0), max_results=wanted, spent=spent)
    budget.glob_entries -= spent[0]
    if found is None:
        return None
    # Nothing matches here: the shell passes the pattern on as it is. Judged elsewhere (or
    # once the file exists) it may name a secret: `cat .[e]nv`, `cat ~/.ssh/id_*`.
    return found or [pattern, *secret_names_matching(pattern)]


def segment_facts(segment: Segment, cwd: str | None, home: str, budget: CallBudget | None = None,
                  variables: dict[str, str] | None = None) -> tuple[tuple, tuple, tuple]:
    """(reads, writes, urls) of a shell segment, normalised; paths count against ``budget``."""
    budget = budget or CallBudget()
    program = segment.program
    positional, texts = _arguments(segment, cwd, home, variables)
    joined = "\0".join(texts)  # NUL never occurs in a command that gets this far
    urls = [t for t in texts if _looks_like_url(t)] if "://" in joined else []
    raw_reads: list[str] = []
    raw_writes: list[str] = []
    for op, target, dynamic in segment.redirects:
        if dynamic:
            target = representative(target, cwd, home, variables) or ""
        if not target or target.isdigit() or target == "-":
            continue
        (raw_writes if op in _WRITE_REDIRECTS else raw_reads).append(target)
    if program == "git":
        # `git rm --cached .env` stops tracking a file: it reads nothing.
        candidates = [] if "--cached" in texts and "rm" in texts[:3] else _git_paths(texts)
        raw_writes.extend(clone_target(texts))
    elif program == "openssl" and texts[:1] in (["x509"], ["crl"], ["verify"]):
        # These print only certificates, the public part of a .pem, whatever else it holds.
        candidates = []
    elif program == "openssl":
        candidates, made = openssl_files(texts)
        raw_writes.extend(made)
    elif program in _JSON_QUERIERS:
        candidates = _query_files(texts)
    elif program == "aegis" and texts[:2] in (["policy", "test"], ["policy", "explain"]):
        candidates = []  # the call to judge is text: nothing is read or run
    elif program in _GREP_VALUE_OPTIONS:
        candidates = _searched_files(texts, _GREP_VALUE_OPTIONS[program])
    elif program in _CLOUD_QUERIERS:
        candidates = _path_values(_without_queries(texts))
    else:
        candidates = [] if program in TEXT_PROGRAMS else _path_values(texts)
    if "://" in joined:
        candidates = [c for c in candidates if not _looks_like_url(c)]
    if segment.inline_code is not None and candidates:
        # The code of a one-liner is not a file name (its string literals are, below).
        code = segment.inline_code[1]
        candidates = [c for c in candidates if c != code]
    plain = [c for c in candidates if not c.startswith("-")]
    if program == "ln" and plain and (folder := target_directory(texts)) is not None:
        # `ln -sft DIR TARGET...`: each link is made in DIR, named as its target
        raw_writes.extend(os.path.join(folder, os.path.basename(p.rstrip("/"))) for p in plain if p != folder)
        raw_writes.append(folder)
        raw_reads.extend(p for p in plain if p != folder)
    elif program == "ln" and plain:
        # A link's target is resolved from the link's folder: `ln -s ~/.ssh/id_rsa key`
        # makes `key` the secret, so the target counts as read.
        raw_writes.append(plain[-1])
        link_dir = os.path.dirname(plain[-1]) if len(plain) > 1 else ""
        for target in plain[:-1] if len(plain) > 1 else plain:
            raw_reads.append(target if target.startswith(("/", "~", "$HOME")) or not link_dir
                             else os.path.join(link_dir, target))
    elif program in _COPIERS and (folder := target_directory(texts)) is not None:
        raw_writes.append(folder)  # cp/mv/install -t DIR SOURCE...
        raw_reads.extend(p for p in plain if p != folder)
    elif program in _COPIERS and len(plain) >= 2:
        raw_writes.append(plain[-1])
        raw_reads.extend(plain[:-1])
        if plain[-1].endswith("/"):  # `cp evil.pth site-packages/` writes site-packages/evil.pth
            raw_writes.extend(plain[-1] + os.path.basename(p.rstrip("/")) for p in plain[:-1])
    elif program in _IN_PLACE and any(_PERL_IN_PLACE.match(t) if program in ("perl", "ruby") else SED_IN_PLACE.match(t)
                                      for t in texts):
        raw_writes.extend(edited_files(texts))
    elif program in _WRITERS:
        raw_writes.extend(plain)
    else:
        raw_reads.extend(plain)
        if program in _DELETERS:
            raw_writes.extend(plain)  # deleting a file changes it as much as writing it
    if program in _BUCKET_CLIS and (copy := bucket_download(program, texts)) is not None:
        raw_writes.extend(_bucket_targets(*copy))
    if program in OUTPUT_PROGRAMS:
        raw_writes.extend(output_files(program, texts))
    elif "of=" in joined or "-out" in joined or not _OUTPUT_OPTIONS.isdisjoint(texts):
        for i, text in enumerate(texts):
            if text in _OUTPUT_OPTIONS and i + 1 < len(texts):
                raw_writes.append(texts[i + 1])
            elif text.startswith("of="):
                raw_writes.append(text[3:])
            elif text.startswith(_OUTPUT_ATTACHED):
                raw_writes.append(text.split("=", 1)[1])
    if program in _HIDDEN_PATH_PROGRAMS:
        if program in _REQUEST_PROGRAMS:
            raw_reads.extend(request_files(program, texts))
        else:
            raw_reads.extend(mount_sources(program, texts))
            raw_reads.extend(sent_files(program, texts))
    if segment.inline_code is not None:
        literals, code_urls = code_literals(segment.inline_code[1])
        raw_reads.extend(literals)
        if literals and CODE_WRITES.search(segment.inline_code[1]):
            raw_writes.extend(literals)
        urls.extend(code_urls)
    if not raw_reads and not raw_writes:
        return (), (), tuple(urls)
    globbed: frozenset[str] | set[str] = _NO_GLOBS
    for arg in positional:
        if arg.glob:
            globbed = {a.text for a in positional if a.glob}
            break
    reads = _normalise_all(raw_reads, globbed, cwd, home, budget) if raw_reads else ()
    writes = _normalise_all(raw_writes, globbed, cwd, home, budget) if raw_writes else ()
    return reads, writes, tuple(urls)


_BUCKET_CLIS = frozenset({"aws", "gsutil", "gcloud"})
# Cloud CLIs whose --query/--filter/--format values are expressions over the answer
# (`--query 'SecretList[].Name'`), never files.
_CLOUD_QUERIERS = frozenset({"aws", "az", "gcloud"})
_QUERY_OPTIONS = frozenset({"--query", "--filter", "--format", "--sort-by", "--flatten"})


def _without_queries(texts: list[str]) -> list[str]:
    out: list[str] = []
    skip = False
    for text in texts:
        if skip:
            skip = False
        elif text in _QUERY_OPTIONS:
            skip = True
        elif text.split("=", 1)[0] not in _QUERY_OPTIONS:
            out.append(text)
    return out


def _bucket_targets(sources: list[str], target: str) -> list[str]:
    """The local files a copy from a bucket writes: the target, and inside a folder
    target (`.`, `public/`) each object's name."""
    if target in (".", "..") or target.endswith("/"):
        return [target, *(os.path.join(target, os.path.basename(s.rstrip("/"))) for s in sources)]
    return [target]


# git options whose value is not a path, and those whose value is a path git reads.
_GIT_TEXT_OPTIONS = frozenset({"-m", "--message", "-c", "--author", "--format", "--pretty", "--grep",
                               "-S", "-G", "--namespace", "--exec-path", "--config-env"})
_GIT_PATH_OPTIONS = frozenset({"-F", "--file", "--git-dir", "--work-tree"})


def _git_paths(texts: list[str]) -> list[str]:
    """Paths a git command reads: its arguments after the subcommand (``HEAD:.env`` is
    ``.env``), files given to -F/--git-dir/--work-tree, and the -C folder, against
    which relative paths are taken (``git -C ~/.aegis diff --no-index config.toml``)."""
    out: list[str] = []
    base = ""
    subcommand_seen = False
    i = 0
    while i < len(texts):
        text = texts[i]
        value = texts[i + 1] if i + 1 < len(texts) else None
        if text == "-C" and value is not None:
            base = _below(base, value)
            out.append(base)
            i += 2
            continue
        if text in _GIT_PATH_OPTIONS and value is not None:
            out.append(_below(base, value))
            i += 2
            continue
        if text.startswith(("--git-dir=", "--work-tree=", "--file=")):
            out.append(_below(base, text.split("=", 1)[1]))
        elif text in _GIT_TEXT_OPTIONS:
            i += 1  # skip the value too
        elif not text.startswith("-"):
            if subcommand_seen:
                # `git show HEAD:.env` reads .env.
                out.append(_below(base, text.split(":", 1)[1] if ":" in text and "://" not in text else text))
            subcommand_seen = True  # the first word is the subcommand, not a file
        i += 1
    return out


def _below(base: str, path: str) -> str:
    if not base or path.startswith(("/", "~", "$")):
        return path
    return f"{base}/{path}"


# openssl: which option values are files it reads and which it writes; every other
# option takes a value that is not a file (-days 365, -subj /CN=x, -newkey rsa:2048),
# but for these flags.
_OPENSSL_READS = frozenset({"-in", "-key", "-inkey", "-signkey", "-CA", "-CAkey", "-cert", "-config", "-extfile",
                            "-certfile", "-CAfile", "-untrusted", "-paramfile", "-kfile", "-pass", "-passin",
                            "-prvfile", "-sigfile", "-signature", "-verify", "-prverify", "-recip", "-peerkey",
                            "-rand", "-writerand"})
_OPENSSL_WRITES = frozenset({"-out", "-keyout", "-pubout-file"})
_OPENSSL_FLAGS = frozenset({"-nodes", "-noenc", "-x509", "-new", "-noout", "-text", "-hex", "-base64", "-batch",
                            "-pubout", "-pubin", "-a", "-A", "-d", "-e", "-genkey", "-req", "-nameopt", "-sha256",
                            "-sha384", "-sha512", "-sha1", "-md5", "-r", "-binary", "-salt", "-nosalt", "-pbkdf2",
                            "-quiet", "-verbose", "-modulus", "-check", "-noverify", "-showcerts", "-brief",
                            "-des3", "-aes256", "-aes128", "-traditional"})


def openssl_files(texts: list[str]) -> tuple[list[str], list[str]]:
    """(files read, files written) of an openssl command: values of its file options,
    and the operands of the digest and signing commands (`openssl dgst -sha256 FILE`)."""
    reads: list[str] = []
    writes: list[str] = []
    i = 1  # texts[0] is the command (req, genrsa, dgst...)
    operands = texts[:1] and texts[0] in ("dgst", "sha256", "sha1", "sha512", "md5", "base64", "asn1parse",
                                          "crl2pkcs7", "rsautl", "pkeyutl", "smime", "cms", "ts")
    while i < len(texts):
        text = texts[i]
        option, eq, value = text.partition("=")
        if text.startswith("-") and not eq:
            if text in _OPENSSL_FLAGS or i + 1 >= len(texts):
                i += 1
                continue
            value = texts[i + 1]
            i += 2
        else:
            i += 1
            if not text.startswith("-"):
                if operands:
                    reads.append(text)
                continue
        if option in _OPENSSL_WRITES:
            writes.append(value)
        elif option in _OPENSSL_READS:
            reads.append(value.split(":", 1)[1] if value.startswith(("file:", "file://")) else
                         "" if value.startswith(("pass:", "env:", "fd:", "stdin")) else value)
    return [r for r in reads if r], writes


# jq and its kin: the first operand is the filter (`jq .env package.json` reads
# package.json, not .env), unless the filter comes from a file (-f FILE) or an option.
_JSON_QUERIERS = frozenset({"jq", "gojq", "jaq", "yq", "gron"})
_QUERY_VALUE_OPTIONS = frozenset({"--arg", "--argjson", "--slurpfile", "--rawfile", "--args", "--jsonargs",
                                  "--indent", "-L", "--tab", "-I", "--input-format", "-p", "--output-format", "-o",
                                  "--expression", "-e", "--from-file", "-f", "--front-matter"})


def _query_files(texts: list[str]) -> list[str]:
    values = _path_values(texts)
    # The filter from a file (-f FILE) or an option (yq --expression): every operand is a file.
    if any(t in ("-f", "--from-file", "--expression") or t.startswith(("--from-file=", "--expression="))
           for t in texts):
        return values
    operands = [t for i, t in enumerate(texts) if not t.startswith("-")
                and not (i and texts[i - 1] in _QUERY_VALUE_OPTIONS)]
    if operands and operands[0] in values:
        values.remove(operands[0])
    return values


# grep-like programs, and their options that take the next word as their value.
_GREP_LIKE_OPTIONS = frozenset({"-e", "-f", "-m", "-A", "-B", "-C", "--regexp", "--file", "--max-count", "--context",
                                "--after-context", "--before-context"})
_GREP_VALUE_OPTIONS = {
    **dict.fromkeys(("grep", "egrep", "fgrep", "ack"), _GREP_LIKE_OPTIONS | {"-d", "-D"}),
    **dict.fromkeys(("rg", "ag"), _GREP_LIKE_OPTIONS | {"-g", "-t", "-T", "-j", "-M", "-r", "-E", "-d", "--glob",
                                                     "--iglob", "--type", "--type-not", "--replace", "--max-depth",
                                                     "--threads", "--max-columns", "--encoding", "--sort", "--sortr"}),
}


def _searched_files(texts: list[str], value_options: frozenset[str]) -> list[str]:
    """The files a grep-like search reads: its operands but the first, which is the
    pattern (`grep -rn password src/` reads src/, not a file named password), unless the
    pattern came from -e/-f. An option not known to take a value leaves its value among
    the operands, so an unknown option can only make more words count as files."""
    values = _path_values(texts)
    if any(t.startswith(("--regexp", "--file")) or (t.startswith("-") and not t.startswith("--")
                                                     and ("e" in t or "f" in t)) for t in texts):
        return values  # the pattern came from -e/-f (alone or in a cluster: `-rf FILE`)
    for i, text in enumerate(texts):
        if text == "--":
            pattern = texts[i + 1] if i + 1 < len(texts) else None
            break
        if not text.startswith("-") and not (i and texts[i - 1] in value_options):
            pattern = text
            break
    else:
        pattern = None
    if pattern is not None and pattern in values:
        values.remove(pattern)
    return values


def _normalise_all(raw: list[str], globbed: frozenset[str] | set[str], cwd: str | None, home: str,
                   budget: CallBudget) -> tuple[str, ...]:
    """Normalised paths of ``raw``; those in ``globbed`` are wildcards, expanded first."""
    out: dict[str, None] = {}  # ordered and without repeats
    bucket = budget.bucket
    for text in raw:
        candidates = _expand_glob(text, cwd, budget) if globbed and text in globbed else (text,)
        if candidates is None:
            scratch = _in_scratch_folder(text, cwd, home)
            if scratch is None:
                out[WILDCARD_TOO_WIDE] = None
                continue
            candidates = [scratch, *secret_names_matching(scratch)]
        for candidate in candidates:
            if not budget.count_path():
                out[TOO_MANY_PATHS] = None
                return tuple(out)
            out[normalise(candidate, cwd, home, bucket) or UNRESOLVED] = None
    return tuple(out)


_TEMP_FOLDERS = ("/tmp/", "/var/tmp/", "/private/tmp/", "/dev/shm/")  # noqa: S108 - compared, never written


def _in_scratch_folder(pattern: str, cwd: str | None, home: str) -> str | None:
    """A wildcard too wide to expand whose matches can only be scratch files
    (``/tmp/shop-test-*`` on a machine with a crowded /tmp): its last part alone is
    wild, its folder is a temporary root, and neither the home nor the working folder
    lies there. Judged as written (with the secret names it could stand for); None for
    any other pattern."""
    folder, _, name = pattern.rpartition("/")
    if not folder or any(c in folder for c in "*?[") or not name.strip("*?[]") or name.startswith(("*", "?", "[")):
        return None
    path = normalise(pattern, cwd, home)
    if path is None or not path.startswith(_TEMP_FOLDERS) or path.count("/") != 2:
        return None
    parent = path.rpartition("/")[0] + "/"
    for kept in (home, cwd):
        if kept and kept.startswith(parent):
            # The home (a temporary one) or the project lives here too: the pattern must
            # not be able to match the folder that holds it.
            top = parent + kept[len(parent):].split("/", 1)[0]
            if fnmatch.fnmatchcase(top, path):
                return None
    return path


def call_facts(call: ToolCall, home: str) -> tuple[tuple, tuple, tuple]:
    """(reads, writes, urls) of a non-shell call."""
    cwd = call.cwd or None
    raw_paths = call.paths
    urls: tuple[str, ...] = call.all_urls  # the input's url and those the adapter found
    if call_kind(call) is Kind.MCP:
        # An MCP tool names files and addresses under names of its own choosing.
        found_paths, found_urls = _mcp_values(call.input)
        raw_paths = tuple(dict.fromkeys((*raw_paths, *found_paths)))
        urls = tuple(dict.fromkeys((*urls, *found_urls)))
    paths = tuple(normalise(raw, cwd, home) or UNRESOLVED for raw in raw_paths)
    writes = paths if call.kind in (Kind.WRITE, Kind.EDIT) else ()
    reads = () if writes else paths
    return reads, writes, urls


_MCP_PATH = re.compile(r"^(?:/|~|\.\.?/|\$HOME\b|[A-Za-z]:\\)")
MAX_MCP_VALUES = 64


def _mcp_values(value: object) -> tuple[list[str], list[str]]:
    """Path-like and URL strings anywhere in an MCP tool's input (bounded)."""
    paths: list[str] = []
    urls: list[str] = []
    stack = [value]
    seen = 0
    while stack and seen < MAX_MCP_VALUES:
        item = stack.pop()
        seen += 1
        if isinstance(item, str):
            text = item.strip()
            if _looks_like_url(text):
                urls.append(text)
            elif _MCP_PATH.match(text) and "\n" not in text and len(text) < 4096:
                paths.append(text)
        elif isinstance(item, dict):
            stack.extend(list(item.values())[:MAX_MCP_VALUES])
        elif isinstance(item, list):
            stack.extend(item[:MAX_MCP_VALUES])
    return paths, urls


def url_host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def default_home() -> str:
    return home_dir()
