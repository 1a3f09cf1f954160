"""aegis-NAME: DESCRIPTION (an Aegis plugin; the hooks are in ``plugin.py``)."""

__version__ = "0.1.0"
