"""Reports its terminal size at start and again after every SIGWINCH; exits on 'q'."""

import shutil
import signal
import sys


def report(*_):
    size = shutil.get_terminal_size((0, 0))
    print(f"SIZE {size.lines}x{size.columns}", flush=True)


signal.signal(signal.SIGWINCH, report)
report()
while sys.stdin.read(1) != "q":
    pass
print("BYE")
