"""The fleet test helpers live in aegis_core.testing_fleet (plugins' tests use them too)."""

from aegis_core.testing_fleet import FLEET_KEY, POLICY, Machine, Waiting, wait_until

__all__ = ["FLEET_KEY", "POLICY", "Machine", "Waiting", "wait_until"]
