"""Fixtures of the WhatsApp tests (the helpers live in whatsapp_support)."""

from whatsapp_support import anyio_backend, fake_graph, home

__all__ = ["anyio_backend", "fake_graph", "home"]
