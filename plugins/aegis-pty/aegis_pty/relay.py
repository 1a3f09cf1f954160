"""The prompt relay: watches the wrapped program's screen, and once output has been
idle at a prompt, asks the daemon what to answer and types the chosen keystrokes.

The keyboard and the other channels race: the prompt stays answerable at the
keyboard while the daemon asks the phone and the CLI. A key typed at the prompt
takes it over (nothing is typed for it any more), and the answer those keys give is
recorded through the daemon as ``approved|denied via terminal``. Every failure
leaves the prompt at the keyboard and says so on one line; nothing is ever typed
unless the daemon's final answer chose it.

In ``watch`` mode (Claude Code under ``aegis wrap claude``: its hooks ask the daemon,
its own dialog asks the human) the relay asks nothing: it only reports the answer
typed in a dialog Aegis opened, found by the approval id the dialog shows."""

from __future__ import annotations

import os
import queue
import re
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from aegis_core import client
from aegis_core.client import Identity, update_of
from aegis_core.errors import AegisError
from aegis_core.prompts import DENY, Choice, Prompt, PromptDetector, Screen
from aegis_core.redact import redact_text
from aegis_pty.keys import KeyReader, UnknownAnswer, is_dialog, outcome_of
from aegis_pty.screen import TerminalScreen, dialog_excerpt
from aegis_pty.transcript import Transcript

CANCEL_TIMEOUT = 5.0
# How a dialog Aegis opened names its approval (see the pipeline's dialog reason).
_APPROVAL_SHOWN = re.compile(r"Aegis approval ([0-9a-f]{8,32})")

# What a terminal sends on its own, not typed by anyone: focus in/out, cursor
# position and device-attribute reports, bracketed-paste guards.
_TERMINAL_REPORTS = re.compile(rb"\x1b\[(?:I|O|\d+;\d+R|\?[\d;]*c|>[\d;]*c|20[01]~)")


@dataclass(frozen=True)
class RelaySettings:
    socket: Path
    session: str
    token: str
    program: str
    cwd: str
    idle_seconds: float = 0.3
    answer_timeout: float | None = None  # per line from the daemon; None: as long as a human takes
    mode: str = "relay"  # relay: ask the daemon about prompts; watch: only report dialog answers
    user: str = ""  # who is at the keyboard, for the record
    # Where an answer typed at the keyboard is reported: the operator socket (answering is
    # not served on the agent's socket; the relay runs in `aegis wrap`, outside the agent).
    operator_socket: Path | None = None
    daemon_pid: int | None = None  # the daemon `aegis wrap` checked; nothing else may answer
    daemon_start: int | None = None

    @property
    def identity(self) -> Identity:
        return Identity(self.daemon_pid, self.daemon_start, "aegis wrap", self.session or None,
                        self.token or None)


@dataclass
class _Request:
    """One prompt sent to the daemon."""

    prompt: Prompt
    approval_id: str | None = None
    cancelled: str | None = None  # why, once cancelled
    cancel_sent: bool = False
    keyboard: bool = False  # a key was typed at the prompt: the keyboard answers it
    typed: Choice | None = None  # the answer typed, to record once the approval id is known
    typed_sent: bool = False


@dataclass
class _Answer:
    request: _Request
    final: dict[str, Any] | None = None
    error: str | None = None


@dataclass
class _Deferred:
    prompt: Prompt
    choice: Choice


def write_notice(text: str) -> None:
    """One line on stderr; ``\\r\\n`` because the terminal is in raw mode."""
    try:
        os.write(sys.stderr.fileno(), f"\r\n{text}\r\n".encode(errors="replace"))
    except OSError:  # pragma: no cover - no stderr at all
        pass


def detect(detectors: Sequence[PromptDetector], screen: Screen) -> Prompt | None:
    """The first detector's prompt; a detector that raises is skipped (it must not
    take the passthrough down)."""
    for detector in detectors:
        try:
            prompt = detector.detect(screen)
        except Exception:  # noqa: S112 - a broken third-party detector is only skipped
            continue
        if prompt is not None:
            if not prompt.detector:
                prompt = replace(prompt, detector=getattr(detector, "name", type(detector).__name__))
            return prompt
    return None


@dataclass
class PromptRelay:
    """The passthrough's observer (see :class:`aegis_pty.pty.Observer`)."""

    detectors: Sequence[PromptDetector]
    settings: RelaySettings
    notice: Callable[[str], None] = write_notice
    screen: TerminalScreen = field(default_factory=TerminalScreen)
    transcript: Transcript = field(default_factory=Transcript)

    def __post_init__(self) -> None:
        self._last_output = 0.0
        self._dirty = False
        self._handled: tuple[Any, ...] | None = None  # the prompt on screen already dealt with
        self._consumed = False  # an answer was typed: the next output starts afresh
        self._active: _Request | None = None
        self._deferred: _Deferred | None = None
        self._prompt: Prompt | None = None  # the prompt on screen at the last quiet moment
        self._reader: KeyReader | None = None  # the keys typed at it so far
        self._answers: queue.Queue[_Answer] = queue.Queue()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_read, False)
        os.set_blocking(self._wake_write, False)

    # -- what the passthrough tells us ------------------------------------------------

    def on_output(self, data: bytes, now: float) -> None:
        self.screen.feed(data)
        self.transcript.feed(data)
        self._last_output, self._dirty = now, True
        if self._consumed:
            self._handled, self._consumed = None, False

    def on_keyboard(self, data: bytes, now: float) -> None:
        keys = _TERMINAL_REPORTS.sub(b"", data)
        if not keys:
            return
        self._deferred = None
        prompt, answer = self._read_keys(keys)
        request = self._active
        if request is not None:
            request.keyboard = True  # the keyboard took it over: nothing is typed for it now
            if answer is not None:
                self._answered_at_keyboard(request, answer)
                self._active = None
        elif answer is not None and prompt is not None and self.settings.mode == "watch":
            self._report_dialog_answer(prompt, answer)
        if b"\r" in keys or b"\n" in keys or answer is not None:
            self._consumed = True  # a prompt got its answer; the same question may come again
            self.transcript.answered()

    def _read_keys(self, keys: bytes) -> tuple[Prompt | None, Choice | UnknownAnswer | None]:
        """The prompt the keys are typed at, and the answer they complete (if any)."""
        prompt = self._prompt
        if prompt is None or self._dirty:  # answered before the relay looked: look now
            prompt = detect(self.detectors, self.screen.snapshot())
        if prompt is None or prompt.secret:
            self._reader = None
            return None, None
        if self._reader is None or self._reader.prompt.fingerprint != prompt.fingerprint:
            self._reader = KeyReader(prompt)
        answer = self._reader.feed(keys)
        if answer is not None:
            self._reader = None
        return prompt, answer

    def on_resize(self, rows: int, cols: int) -> None:
        self.screen.resize(rows, cols)

    def wake_fd(self) -> int | None:
        return self._wake_read

    def next_deadline(self, now: float) -> float | None:
        return self._last_output + self.settings.idle_seconds if self._dirty else None

    # -- what we may do back ------------------------------------------------------------

    def tick(self, now: float) -> bytes:
        try:
            while os.read(self._wake_read, 4096):
                pass
        except BlockingIOError:
            pass
        keys = b""
        while True:
            try:
                answer = self._answers.get_nowait()
            except queue.Empty:
                break
            keys += self._apply(answer)
        if self._dirty and now - self._last_output >= self.settings.idle_seconds:
            self._dirty = False
            keys += self._on_idle(detect(self.detectors, self.screen.snapshot()))
        if keys:
            self._consumed = True
            self.transcript.answered()
        return keys

    def close(self) -> None:
        if self._active is not None:
            self._cancel(self._active, "the wrapped program ended")
            self._active = None
        for thread in self._threads:
            if thread.name.startswith("aegis-pty-cancel"):
                thread.join(CANCEL_TIMEOUT)
        for fd in (self._wake_read, self._wake_write):
            os.close(fd)

    # -- the prompt's life --------------------------------------------------------------

    def _on_idle(self, prompt: Prompt | None) -> bytes:
        self._prompt = prompt
        if prompt is None:
            self.transcript.quiet()  # a later question's lines begin after this moment
        deferred, self._deferred = self._deferred, None
        if prompt is None or prompt.fingerprint != self._handled:
            if self._active is not None:
                self._cancel(self._active, "the prompt is no longer on the screen")
                self._active = None
            if deferred is not None:
                self.notice("aegis: the prompt changed before its answer could be typed; "
                            "nothing was typed, answer at the keyboard")
            self._handled = None
        elif deferred is not None:
            return deferred.choice.keys.encode()
        if prompt is None or prompt.fingerprint == self._handled:
            return b""
        self._handled = prompt.fingerprint
        if prompt.secret:
            self.notice(f"aegis: {prompt.question!r} asks for a secret: type it at the keyboard "
                        "(Aegis never relays secrets)")
            return b""
        if self.settings.mode == "watch":
            return b""  # the agent's hooks asked the daemon; the dialog is the human's
        request = _Request(prompt)
        self._active = request
        self._start(f"aegis-pty-ask-{id(request)}", self._ask, request)
        return b""

    def _apply(self, answer: _Answer) -> bytes:
        request = answer.request
        if request is not self._active or request.cancelled or request.keyboard:
            return b""  # the keyboard (or another prompt) came first
        self._active = None
        prompt = request.prompt
        if answer.error is not None:
            self.notice(f"aegis: {answer.error}; "
                        "the prompt is left for you to answer at the keyboard")
            return b""
        final = answer.final or {}
        if final.get("ok") is not True:
            reason = final.get("error") or "no reason given"
            self.notice(f"aegis: the daemon could not judge this prompt ({reason}); "
                        "answer it at the keyboard")
            return b""
        decision, named = final.get("decision"), final.get("choice")
        choice: Choice | None = None
        if decision == "allow":
            choice = prompt.choice(named) if isinstance(named, str) and named else prompt.approve
        elif decision == "deny":
            picked = prompt.choice(named) if isinstance(named, str) and named else None
            choice = picked if picked is not None and picked.meaning == DENY else prompt.deny
        elif decision == "ask":
            return b""  # the terminal channel: the question stays at the keyboard
        else:
            self.notice(f"aegis: the daemon answered {decision!r}, "
                        "which the PTY relay does not know; "
                        "answer at the keyboard")
            return b""
        if choice is None:
            self.notice(f"aegis: the answer was {decision} "
                        "but the prompt offers no matching option; "
                        "answer at the keyboard")
            return b""
        current = detect(self.detectors, self.screen.snapshot())
        if current is not None and current.fingerprint == prompt.fingerprint:
            return choice.keys.encode()
        # Mid-redraw, or the program moved on: decide at the next quiet moment.
        self._deferred = _Deferred(prompt, choice)
        self._dirty = True
        return b""

    # -- talking to the daemon (worker threads) -----------------------------------------

    def _start(self, name: str, target: Callable[..., None], *args: Any) -> None:
        self._threads = [t for t in self._threads if t.is_alive()]
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def payload(self, prompt: Prompt) -> dict[str, Any]:
        """What the channels are shown: the question and only the lines that belong to
        it (for a line prompt, what was printed since the last answer; for a dialog
        drawn on the screen, the dialog), never earlier prompts and their answers."""
        line_prompt = any(c.keys.endswith("\r") for c in prompt.choices)
        context = (self.transcript.context(prompt.question) if line_prompt
                   else dialog_excerpt(self.screen.snapshot(), prompt.question))
        return {
            "question": redact_text(prompt.question),
            "screen": context,
            "choices": [c.to_dict() for c in prompt.choices],
            "program": self.settings.program,
            "cwd": self.settings.cwd,
        }

    def _ask(self, request: _Request) -> None:
        settings = self.settings

        def interim(line: dict[str, Any]) -> None:
            if update_of(line) == "pending" and isinstance(line.get("approval_id"), str):
                with self._lock:
                    request.approval_id = line["approval_id"]
                    late_cancel = request.cancelled is not None and not request.cancel_sent
                    late_answer = request.typed is not None and not request.typed_sent
                if late_cancel:
                    self._send_cancel(request)
                elif late_answer:
                    self._send_typed(request)
                else:
                    self._pending_notice(line["approval_id"], line.get("channels"))

        try:
            final = client.request("judge", socket=settings.socket, identity=settings.identity,
                                   timeout=settings.answer_timeout, on_interim=interim,
                                   adapter="pty", payload=self.payload(request.prompt))
            result = _Answer(request, final=final)
        except AegisError as exc:
            result = _Answer(request, error=str(exc))
        self._answers.put(result)
        try:
            os.write(self._wake_write, b"!")
        except OSError:  # pragma: no cover - relay already closed
            pass

    def _pending_notice(self, approval_id: str, channels: Any) -> None:
        """Where the user looks (this terminal): the approval, who else is asked, how
        to answer."""
        asked = [c for c in channels if isinstance(c, str) and c != "terminal"] \
            if isinstance(channels, list) else []
        where = f" and on {', '.join(asked)}" if asked else ""
        self.notice(f"aegis: approval {approval_id[:12]} is waiting here{where}; answer at this prompt"
                    + (f", or run: aegis approvals approve {approval_id[:12]}" if "cli" in asked else ""))

    # -- answers typed at the keyboard ---------------------------------------------------

    def _answered_at_keyboard(self, request: _Request, answer: Choice | UnknownAnswer) -> None:
        """The keys typed answered the relayed prompt: record that answer (a choice
        Aegis cannot name cancels the approval, saying so)."""
        if isinstance(answer, UnknownAnswer):
            self._cancel(request, "answered at the keyboard")
            return
        with self._lock:
            request.typed = answer
            known = request.approval_id is not None
        if known:
            self._start(f"aegis-pty-typed-{id(request)}", self._send_typed, request)

    def _send_typed(self, request: _Request) -> None:
        with self._lock:
            if request.typed_sent or request.approval_id is None or request.typed is None:
                return
            request.typed_sent = True
            choice, approval_id = request.typed, request.approval_id
        self._send_terminal_answer(approval_id, choice)

    def _report_dialog_answer(self, prompt: Prompt, answer: Choice | UnknownAnswer) -> None:
        """Watch mode: an answer typed in a dialog that shows an Aegis approval id."""
        if isinstance(answer, UnknownAnswer) or not is_dialog(prompt):
            return
        shown = _APPROVAL_SHOWN.search(dialog_excerpt(self.screen.snapshot(), prompt.question))
        if shown is None:
            return  # a dialog Aegis did not open (trust, settings...): not ours to record
        self._start(f"aegis-pty-dialog-{shown.group(1)}", self._send_terminal_answer,
                    shown.group(1), answer)

    def _send_terminal_answer(self, approval_id: str, choice: Choice) -> None:
        try:
            final = client.request(
                "approval.resolve", socket=self.settings.operator_socket or self.settings.socket,
                identity=self.settings.identity,
                timeout=CANCEL_TIMEOUT, approval_id=approval_id, outcome=outcome_of(choice),
                choice=choice.label, channel="terminal", reason=f"answered {choice.label!r} at the keyboard",
                by=self.settings.user or "user", session=self.settings.session)
        except AegisError:
            return  # the approval then ends otherwise (the agent's report, or its deadline)
        approval = final.get("approval") if isinstance(final, dict) else None
        if final.get("won") is False and isinstance(approval, dict):
            self.notice(f"aegis: approval {approval_id[:12]} was already {approval.get('status')} "
                        f"via {approval.get('channel')}; your answer at the keyboard came later")

    def _cancel(self, request: _Request, reason: str) -> None:
        with self._lock:
            request.cancelled = reason
            known = request.approval_id is not None
        if known:
            self._start(f"aegis-pty-cancel-{id(request)}", self._send_cancel, request)

    def _send_cancel(self, request: _Request) -> None:
        with self._lock:
            if request.cancel_sent or request.approval_id is None:
                return
            request.cancel_sent = True
        try:
            client.request("approval.cancel", socket=self.settings.socket, identity=self.settings.identity,
                           timeout=CANCEL_TIMEOUT, approval_id=request.approval_id,
                           reason=request.cancelled)
        except AegisError:
            pass  # the approval then expires on its own, to the configured default
