"""Writes bytes a terminal passes through untouched, then exits with status 3."""

import sys

sys.stdout.write("plain \x1b[1mbold\x1b[0m caf\u00e9 \u2713\n")
sys.stdout.flush()
sys.exit(3)
