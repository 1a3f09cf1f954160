"""Claude Code adapter for Aegis: a fast hook client, settings installer and aegis wrap claude."""

__version__ = "0.1.0"
