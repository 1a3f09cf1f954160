"""Reports its terminal size at start and again after every SIGWINCH; exits on 'q'."""

import os
import shutil
import signal
import sys


def report(*_):
    # os.write, not print: a SIGWINCH may arrive while an earlier report is still being
    # flushed, and a buffered stream refuses that reentrant call.
    size = shutil.get_terminal_size((0, 0))
    os.write(1, f"SIZE {size.lines}x{size.columns}\n".encode())


signal.signal(signal.SIGWINCH, report)
report()
while sys.stdin.read(1) != "q":
    pass
print("BYE")
