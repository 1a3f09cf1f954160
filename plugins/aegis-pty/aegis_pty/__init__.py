"""PTY adapter for Aegis: wrap any interactive CLI and relay its prompts to approval channels."""

__version__ = "0.1.0"
