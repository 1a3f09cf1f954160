"""The passthrough under a real terminal: output unchanged, exit status kept, window
size followed, signals forwarded."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

PROGRAMS = Path(__file__).with_name("programs")


def test_output_passes_unchanged_and_exit_status_is_kept(wrapped):
    terminal = wrapped([sys.executable, str(PROGRAMS / "exit3.py")])
    assert terminal.wait() == 3
    # The program's own terminal turned \n into \r\n; the wrapper adds nothing.
    assert "plain \x1b[1mbold\x1b[0m café ✓\r\n".encode() in terminal.output


def test_the_program_sees_window_size_changes(wrapped):
    terminal = wrapped([sys.executable, str(PROGRAMS / "winsize.py")], rows=24, cols=80)
    terminal.expect("SIZE 24x80")
    terminal.resize(31, 101)
    terminal.expect("SIZE 31x101")
    terminal.type("q\r")  # its terminal is in line mode: Enter sends the line
    terminal.expect("BYE")
    assert terminal.wait() == 0


def test_a_signal_to_the_wrapper_reaches_the_program(wrapped):
    script = "import time; print('READY', flush=True); time.sleep(60)"
    terminal = wrapped([sys.executable, "-c", script])
    terminal.expect("READY")
    import os

    os.kill(terminal.pid, signal.SIGTERM)
    assert terminal.wait() == 128 + signal.SIGTERM  # the program died of it, as a shell reports


def test_ctrl_c_at_the_keyboard_interrupts_the_program(wrapped):
    script = ("import time\ntry:\n    print('READY', flush=True)\n    time.sleep(60)\n"
              "except KeyboardInterrupt:\n    print('INTERRUPTED', flush=True)\n"
              "    raise SystemExit(5)\n")
    terminal = wrapped([sys.executable, "-c", script])
    terminal.expect("READY")
    terminal.type(b"\x03")  # raw mode: ^C travels as a byte to the program's own terminal
    terminal.expect("INTERRUPTED")
    assert terminal.wait() == 5


def test_a_missing_program_is_explained(wrapped):
    terminal = wrapped(["aegis-no-such-program-xyz"])
    assert terminal.wait() == 3  # environment error
    assert "command not found: aegis-no-such-program-xyz" in terminal.text
