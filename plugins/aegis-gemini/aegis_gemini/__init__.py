"""Google Gemini CLI under Aegis: every tool call through its ``BeforeTool`` hook."""

__version__ = "0.1.0"
