"""The Aegis daemon: one process per user that decides every tool call."""
