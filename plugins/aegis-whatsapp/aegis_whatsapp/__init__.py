"""WhatsApp Cloud API channel for Aegis: approve or deny tool calls from WhatsApp."""

__version__ = "0.1.0"
