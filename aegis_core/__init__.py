"""Aegis: an approval layer between AI coding agents and the machine they run on."""

__version__ = "0.1.0"
