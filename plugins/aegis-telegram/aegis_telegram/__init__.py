"""Telegram channel for Aegis: approve or deny tool calls from your phone."""

__version__ = "0.1.0"
