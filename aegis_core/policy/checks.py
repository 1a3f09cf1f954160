"""Built-in checks that need more than a pattern: each looks at one Subject (a call or
a shell segment) and returns what it found, or None. Rules name them with
``check = "..."``; the risk scorer adds up their weights."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aegis_core.models import Kind
from aegis_core.policy import autorun, deletion, gitchecks, migrations, overwrites, registries, secretverbs
from aegis_core.policy.cues import Cued
from aegis_core.policy.facts import Subject, call_kind, flags_of, url_host
from aegis_core.policy.migrations import (
    CONSOLES,
    DB_CUES,
    DB_WORDS_COMMAND,
    DB_WORDS_CONSOLE,
    db_words_needed,
    opens_console,
    opens_db_command,
)
from aegis_core.policy.netchecks import SQL_CLIENTS
from aegis_core.policy.places import critical_target, is_disposable
from aegis_core.policy.sqlclients import CLIENT_NAMES
from aegis_core.policy.words import WordAnswers

if TYPE_CHECKING:
    from aegis_core.policy.shell import Segment

CheckFn = Callable[[Subject], "str | None"]


@dataclass(frozen=True)
class Check:
    name: str
    fn: CheckFn
    risk: int
    description: str
    # When set, the check can only find something in segments running one of these
    # programs, or having one of these features (see ``features``): others skip it.
    # A call without a segment (Read, Write, WebFetch...) runs it only when ``needs``
    # holds "call" (any call), "fetch" (one naming a URL), "search" (a search tool) or
    # "mcp" (an MCP tool) and the call has it, or when neither is set.
    programs: frozenset[str] | None = None
    needs: frozenset[str] | None = None
    # Features it cannot find anything without, whatever its program (all of them).
    requires: frozenset[str] | None = None
    # For some of its programs, the words a segment of that program must hold (one at
    # least, as an argument) for the check to find anything there by its program alone.
    # A word ending in "=" stands for that option given a value in the same argument
    # (`--publishImage=` for `--publishImage=true`).
    words: dict[str, frozenset[str]] | None = field(default=None, hash=False, compare=False)


CHECKS: dict[str, Check] = {}
# Features of a subject a check can ask for with ``needs`` or ``requires`` (see ``feature_bits``).
FEATURES = ("call", "redirects", "inline", "reads_code", "assignments", "function_call", "slash", "mkfs",
            "dynamic", "devpath", "urls", "dbwords", "reads", "sqlclient", "fetch", "search", "mcp", "several",
            "secretwords")
_BIT = {name: 1 << position for position, name in enumerate(FEATURES)}
(_CALL, _REDIRECTS, _INLINE, _READS_CODE, _ASSIGNMENTS, _FUNCTION_CALL, _SLASH, _MKFS, _DYNAMIC, _DEVPATH, _URLS,
 _DBWORDS, _READS, _SQLCLIENT, _FETCH, _SEARCH, _MCP, _SEVERAL, _SECRETWORDS) = (_BIT[name] for name in FEATURES)
# Per (program, feature bits): the checks that apply and their names, the word gates
# among them, and what is left of them per pattern of failed gates.
_APPLICABLE: dict[tuple[str | None, int], tuple[tuple[tuple[Check, ...], frozenset[str]],
                                                tuple[tuple[Check, frozenset[str]], ...],
                                                dict[int, tuple[tuple[Check, ...], frozenset[str]]]]] = {}


def check(name: str, risk: int, description: str, programs: Iterable[str] | None = None,
          needs: Iterable[str] | None = None, requires: Iterable[str] | None = None,
          words: dict[str, Iterable[str]] | None = None) -> Callable[[CheckFn], CheckFn]:
    unknown = {*(needs or ()), *(requires or ())} - set(FEATURES)
    if unknown:
        raise ValueError(f"check {name!r} needs unknown features {sorted(unknown)}; known: {FEATURES}")

    def register(fn: CheckFn) -> CheckFn:
        CHECKS[name] = Check(name, fn, risk, description,
                             frozenset(programs) if programs is not None else None,
                             frozenset(needs) if needs is not None else None,
                             frozenset(requires) if requires is not None else None,
                             {p: frozenset(w) for p, w in words.items()} if words is not None else None)
        _APPLICABLE.clear()
        return fn

    return register


def feature_bits(subject: Subject) -> int:
    """The features of a subject as bits of ``_BIT``: a cheap key for ``applicable``."""
    seg = subject.segment
    if seg is None:  # a call: what kind of call, and whether it names a URL
        call = subject.call
        return (_CALL | (_FETCH if subject.urls else 0) | (_SEARCH if call_kind(call) is Kind.SEARCH else 0)
                | (_MCP if call.tool.startswith("mcp__") else 0))
    bits = _READS if subject.reads else 0
    if subject.analysis is not None and len(subject.analysis.segments) > 1:
        bits |= _SEVERAL
    if seg.redirects:
        bits |= _REDIRECTS
    if seg.inline_code is not None:
        bits |= _INLINE
    if seg.reads_code:
        bits |= _READS_CODE
    if seg.assignments:
        bits |= _ASSIGNMENTS
    if seg.function_call:
        bits |= _FUNCTION_CALL
    if seg.argv and "/" in seg.argv[0]:
        bits |= _SLASH
    if seg.program.startswith("mkfs"):
        bits |= _MKFS  # mkfs.ext4, mkfs.xfs...: too many to list as programs
    for arg in seg.args[1:]:
        if arg.dynamic:
            bits |= _DYNAMIC
            break
    return bits | _word_bits(seg, seg.argv[1:])


# Database clients and statement runners, run by another program (`uv run psql ...`,
# `npx mongo ...`, `docker exec db /usr/bin/psql`, `npx prisma db execute`).
_CLIENT_WORDS = SQL_CLIENTS | CLIENT_NAMES | {"dbshell", "dbconsole"}


def _word_bits(seg: Segment, after: tuple[str, ...]) -> int:
    """The features the words of a segment give it. An argument gives _DEVPATH
    (holds /dev/), _URLS (holds ://), _SQLCLIENT (names a database client, also by its
    last part: `docker exec db /usr/bin/psql`); any word, its program, an argument or a
    wrapper, gives _DBWORDS when it holds a word of migrations.DB_CUES where db-reset
    could find it (`uv run 'remove({})' --command` runs a program of that name), and
    _SECRETWORDS when it names a secret (secretverbs.SECRET_WORDS, for secret-by-verb).
    None of these holds a blank, so a word holds one or none: each word's answer (every
    bit) is kept, one lookup per word (an agent uses the same words over and over),
    instead of searching the joined words every call. The stdin, or (a console fed by a
    pipe) the commands piped into it, may give _DBWORDS too."""
    bits = 0
    many = len(after) + len(seg.wrappers) >= _MANY_WORDS
    if many:
        # A long argument list (390 paths): one search of the joined words (no cue holds
        # a line break) instead of one per word not seen yet.
        rest = "\n".join(after)
        if "/dev/" in rest:
            bits |= _DEVPATH
        if "://" in rest:
            bits |= _URLS
        if not _CLIENT_WORDS.isdisjoint(after) or ("/" in rest and any(
                word.rsplit("/", 1)[-1] in _CLIENT_WORDS for word in after)):
            bits |= _SQLCLIENT
        joined = "\n".join((seg.program, rest, *seg.wrappers))
        if _CUED_DB_WORDS.search(joined) is not None:
            bits |= _DBWORDS
        if _CUED_SECRET_WORDS.search(joined) is not None:
            bits |= _SECRETWORDS
    else:
        known = _WORD_BITS
        for word in after:
            found = known.get(word)
            if found is None:
                found = _bits_of_word(word)
                known.keep(word, found, word)
            bits |= found
        # The program and the wrappers give only the cues' bits.
        for word in (seg.program, *seg.wrappers) if seg.wrappers else (seg.program,):
            found = known.get(word)
            if found is None:
                found = _bits_of_word(word)
                known.keep(word, found, word)
            bits |= found & _CUE_BITS
    if not bits & _DBWORDS and ((seg.stdin_text and _CUED_DB_WORDS.search(seg.stdin_text) is not None)
                                or (seg.pipe_from and not CONSOLES.isdisjoint(after))):
        bits |= _DBWORDS
    if bits & _DBWORDS and not many:
        # A cue is not enough in every program: a text tool (`git reset --hard`, `cat
        # db/reset.sql`) needs a console word, other programs (`terraform destroy`) a
        # word that starts a database command (migrations.db_words_needed).
        needed = db_words_needed(seg.program)
        if (needed == DB_WORDS_CONSOLE and not bits & _CONSOLE_WORD) or (
                needed == DB_WORDS_COMMAND and not bits & _DB_COMMAND_WORD and not seg.assignments):
            bits &= ~_DBWORDS
    return bits & _FEATURE_BITS


def _bits_of_word(word: str) -> int:
    """Every bit one word can give as an argument (see _word_bits), and the word's own
    bits for _word_bits alone (_CONSOLE_WORD, _DB_COMMAND_WORD)."""
    return ((_DEVPATH if "/dev/" in word else 0) | (_URLS if "://" in word else 0)
            | (_SQLCLIENT if word in _CLIENT_WORDS or word.rsplit("/", 1)[-1] in _CLIENT_WORDS else 0)
            | (_DBWORDS if _CUED_DB_WORDS.search(word) is not None else 0)
            | (_SECRETWORDS if _CUED_SECRET_WORDS.search(word) is not None else 0)
            | (_CONSOLE_WORD | _DB_COMMAND_WORD if opens_console(word) else 0)
            | (_DB_COMMAND_WORD if opens_db_command(word) else 0))


# A word not seen before is searched only where a match can start (the case-insensitive
# alternation is tried at every character otherwise).
_CUED_DB_WORDS = Cued(DB_CUES)
_CUED_SECRET_WORDS = Cued(secretverbs.SECRET_WORDS)
_WORD_BITS = WordAnswers()
_CUE_BITS = _DBWORDS | _SECRETWORDS
# A word's bits kept for _word_bits alone, past the features' (see db_words_needed).
_CONSOLE_WORD = 1 << len(FEATURES)
_DB_COMMAND_WORD = _CONSOLE_WORD << 1
_FEATURE_BITS = _CONSOLE_WORD - 1
_MANY_WORDS = 32


def features(subject: Subject) -> frozenset[str]:
    bits = feature_bits(subject)
    return frozenset(name for name, bit in _BIT.items() if bits & bit)


def applicable(subject: Subject) -> tuple[tuple[Check, ...], frozenset[str]]:
    """The checks that can find something in this subject (and their names),
    computed once per subject."""
    cached = subject.cache.get("_applicable")
    if cached is not None:
        return cached
    seg = subject.segment
    program = seg.program if seg is not None else None
    key = (program, feature_bits(subject))
    entry = _APPLICABLE.get(key)
    if entry is None:
        feats = features(subject)
        checks = tuple(c for c in CHECKS.values() if _applies(c, program, feats))
        # Checks run here for the program alone that need one of some words in it.
        gates = tuple((c, c.words[program]) for c in checks if c.words and program in c.words
                      and not (c.needs and c.needs & feats))
        entry = ((checks, frozenset(c.name for c in checks)), gates, {})
        if len(_APPLICABLE) < 8192:
            _APPLICABLE[key] = entry
    found, gates, narrowed = entry
    if gates and seg is not None:
        args = seg.argv[1:]
        skipped = 0  # bit i: the words of gate i are missing
        valued = None  # the arguments that give an option a value, as `--name=`
        for bit, (_, words) in enumerate(gates):
            if words.isdisjoint(args):
                if valued is None:
                    valued = [arg[:arg.index("=") + 1] for arg in args if "=" in arg]
                if not valued or words.isdisjoint(valued):
                    skipped |= 1 << bit
        if skipped:
            # The checks left once the gates that failed drop theirs, worked out once
            # per pattern of failed gates (at most 2**len(gates) of them).
            kept = narrowed.get(skipped)
            if kept is None:
                dropped = {c for bit, (c, _) in enumerate(gates) if skipped >> bit & 1}
                checks = tuple(c for c in found[0] if c not in dropped)
                kept = narrowed[skipped] = (checks, frozenset(c.name for c in checks))
            found = kept
    subject.cache["_applicable"] = found
    return found


def findings(subject: Subject) -> tuple[tuple[Check, str], ...]:
    """What each applicable check found in this subject (only those that found
    something, in registration order), every check run once per subject."""
    cache = subject.cache
    found = cache.get("_findings")
    if found is None:
        results = []
        for check in applicable(subject)[0]:
            name = check.name
            if name not in cache:
                cache[name] = check.fn(subject)
            if cache[name]:
                results.append((check, cache[name]))
        found = cache["_findings"] = tuple(results)
    return found


def found_names(subject: Subject) -> frozenset[str]:
    """The names of the checks that found something in this subject."""
    names = subject.cache.get("_found")
    if names is None:
        found = findings(subject)
        names = subject.cache["_found"] = frozenset(check.name for check, _ in found) if found else _NOTHING
    return names


_NOTHING: frozenset[str] = frozenset()


def _applies(c: Check, program: str | None, feats: frozenset[str]) -> bool:
    if c.requires is not None and not c.requires <= feats:
        return False
    if c.programs is None and c.needs is None:
        return True
    if program is None:  # a call: the checks that ask for calls (the others read a segment only)
        return bool(c.needs and not c.needs.isdisjoint(_CALL_FEATURES & feats))
    return bool((c.programs and program in c.programs) or (c.needs and c.needs & feats))


# The features of a call (no segment), see feature_bits.
_CALL_FEATURES = frozenset({"call", "fetch", "search", "mcp"})


_DEVICE = re.compile(r"^/dev/(sd|hd|vd|xvd|nvme|mmcblk|disk|rdisk|md|dm-|loop|mapper/)")


_DISK_TOOLS = ("wipefs", "fdisk", "sfdisk", "gdisk", "parted", "blkdiscard", "mkswap", "cryptsetup")


@check("disk-destroy", 70, "writes raw disks or creates file systems (dd of=/dev/..., mkfs, wipefs)",
       programs=(*_DISK_TOOLS, "dd"), needs=("mkfs", "redirects"))
def disk_destroy(subject: Subject) -> str | None:
    seg = subject.segment
    if seg is None:
        return None
    program = seg.program
    if program.startswith("mkfs") or program in _DISK_TOOLS:
        return f"{program} rewrites a disk or partition"
    for op, target, _ in seg.redirects:
        if op in (">", ">>", ">|", "&>") and _DEVICE.match(target):
            return f"writes directly to the device {target}"
    if program == "dd":
        for arg in seg.args[1:]:
            if arg.text.startswith("of=/dev/") and arg.text[3:] not in ("/dev/null", "/dev/zero",
                                                                        "/dev/stdout", "/dev/stderr"):
                return f"dd writes to the device {arg.text[3:]}"
    return None


@check("chmod-outside", 30, "chmod/chown/chgrp outside the project",
       programs=("chmod", "chown", "chgrp", "chattr", "setfacl"))
def chmod_outside(subject: Subject) -> str | None:
    seg = subject.segment
    if seg is None or seg.program not in ("chmod", "chown", "chgrp", "chattr", "setfacl"):
        return None
    flags, _ = flags_of(subject)
    recursive = bool({"R", "--recursive"} & flags)
    for path in subject.reads:
        if critical_target(path, subject) and recursive:
            return f"recursive {seg.program} of {path}"
        if not subject.within_project(path) and not is_disposable(path, subject):
            return f"{seg.program} of {path}, outside the project"
    # The mode or owner comes first (chmod 755 x, chown $(whoami) x): only a computed path counts.
    first_path = 2 if seg.program in ("chmod", "chown", "chgrp") else 1
    operands = [a for a in seg.args[1:] if not a.text.startswith("-")]
    if any(a.dynamic for a in operands[first_path - 1:]) and recursive:
        return f"recursive {seg.program} of a target only known at run time"
    return None


deletion.register(check)
overwrites.register(check)
autorun.register(check)
registries.register(check)
migrations.register(check)
gitchecks.register(check)
from aegis_core.policy import netchecks  # noqa: E402  (registers its checks)

netchecks.register(check)

# The checks of issue 14's families A: each module is one idea.
from aegis_core.policy import (  # noqa: E402
    cloudchecks,
    containerchecks,
    dryrun,
    exfilcode,
    infraverbs,
    installs,
    instructions,
    privatehome,
    projectcode,
    publishchecks,
    remotecode,
    secretchecks,
    selfchecks,
    sqlclients,
    systemchecks,
    urlchecks,
)

secretchecks.register(check)
cloudchecks.register(check)
urlchecks.register(check)
publishchecks.register(check)
remotecode.register(check)
containerchecks.register(check)
selfchecks.register(check)
systemchecks.register(check)
installs.register(check)
dryrun.register(check)
sqlclients.register(check)
exfilcode.register(check)
instructions.register(check)
infraverbs.register(check)
projectcode.register(check)
privatehome.register(check)

__all__ = ["CHECKS", "Check", "critical_target", "is_disposable", "url_host"]
