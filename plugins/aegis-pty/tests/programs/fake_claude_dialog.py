"""Draws a permission dialog the way Claude Code 2.1.330 does: cursor-forward escapes
instead of spaces, a selection marker, four options, the cursor parked elsewhere.
Reads one key and prints which option it selected."""

import sys
import termios
import tty

ESC = "\x1b"


def row(text):
    # Each space becomes a cursor-forward escape, as Ink's renderer emits them.
    return text.replace(" ", f"{ESC}[1C")


lines = [
    "Bash command",
    "",
    "  touch /tmp/aegis-demo",
    "  Create a demo file",
    "",
    "Do you want to proceed?",
    "❯ 1. Yes",  # noqa: RUF001 - the character the program draws
    "  2. Yes, and always allow access to tmp/ from this project",
    "  3. Yes, and switch to auto mode",
    "  4. No",
    "",
    "Esc to cancel · Tab to amend",
]
sys.stdout.write(f"{ESC}[2J{ESC}[H")
for number, text in enumerate(lines, start=1):
    sys.stdout.write(f"{ESC}[{number};1H{row(text)}")
sys.stdout.write(f"{ESC}[?25l{ESC}[1;1H")  # cursor hidden, parked at the top
sys.stdout.flush()
fd = sys.stdin.fileno()
saved = termios.tcgetattr(fd)
tty.setraw(fd)
try:
    key = sys.stdin.read(1)
finally:
    termios.tcsetattr(fd, termios.TCSADRAIN, saved)
sys.stdout.write(f"{ESC}[2J{ESC}[H{ESC}[?25h")
print(f"SELECTED {key!r}")
