"""A numbered line menu, like many installers show."""

print("Which environment should be deployed?")
print("  1. staging")
print("  2. production")
print("  3. Cancel")
choice = input("Choose [1-3]: ")
print(f"CHOICE={choice!r}")
