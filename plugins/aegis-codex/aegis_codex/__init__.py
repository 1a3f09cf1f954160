"""OpenAI Codex CLI under Aegis: every tool call through its ``PreToolUse`` hook."""

__version__ = "0.1.0"
