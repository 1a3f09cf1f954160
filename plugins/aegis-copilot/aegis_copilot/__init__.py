"""GitHub Copilot CLI under Aegis through its ``preToolUse`` hook (protocol level)."""

__version__ = "0.1.0"
