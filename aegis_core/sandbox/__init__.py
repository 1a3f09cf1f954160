"""The OS sandbox around every wrapped agent: its manifest (what the agent may read,
write, reach and use), the backends that enforce it (bubblewrap on Linux), and the
plan an adapter applies to the command it spawns."""

from aegis_core.sandbox.manifest import HostRule, Limits, Manifest, ManifestError, parse_manifest

__all__ = ["HostRule", "Limits", "Manifest", "ManifestError", "parse_manifest"]
