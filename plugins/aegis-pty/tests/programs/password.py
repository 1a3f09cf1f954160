"""Asks for a password with getpass (no echo), as sudo or ssh would."""

import getpass

secret = getpass.getpass("Password for deploy@example: ")
print(f"GOT {len(secret)} CHARACTERS")
