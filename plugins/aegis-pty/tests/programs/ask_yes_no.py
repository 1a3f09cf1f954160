"""Asks one [y/N] question with input() and reports the answer it got."""

answer = input("Delete the build directory? [y/N] ")
print(f"ANSWER={answer!r}")
