"""`aegis sandbox show` prints the effective manifest; `aegis sandbox test -- CMD` runs
one command inside it; a broken [sandbox] section is reported line by line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from sandbox_support import SECRET, Machine, needs_bwrap

pytestmark = pytest.mark.sandbox


@pytest.fixture
def machine() -> Iterator[Machine]:
    made = Machine(os.getuid())
    yield made
    made.close()


def aegis(machine: Machine, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aegis_core.cli", *args], env=machine.env, cwd=machine.project,
                          text=True, capture_output=True, timeout=120, stdin=subprocess.DEVNULL)


def write_policy(machine: Machine, text: str) -> None:
    path = machine.aegis_home / "policy.toml"
    path.write_text(text)
    path.chmod(0o600)


def test_show_prints_what_the_sandbox_allows(machine: Machine) -> None:
    needs_bwrap()
    write_policy(machine, '[policy]\ninclude_defaults = true\n\n[sandbox.network]\nallow = ["pypi.org:443"]\n\n'
                          '[sandbox.limits]\nmemory = "2GiB"\nwall_time = "2h"\n')
    shown = aegis(machine, "sandbox", "show", "--json")
    assert shown.returncode == 0, shown.stderr
    report = json.loads(shown.stdout)
    assert report["sandboxed"] and report["backend"] == "bwrap"
    assert report["project"] == str(machine.project)
    assert str(machine.project) in report["writable"]
    assert str(machine.home / ".ssh") in report["masked"]
    assert str(machine.aegis_home) not in json.dumps(report["read_only"])
    assert report["network"] == {"allow": ["pypi.org:443"], "proxy": True}
    assert report["manifest"]["limits"]["memory"] == 2 << 30
    assert set(report["limits_enforced"]) >= {"memory", "wall_time", "processes"}
    assert report["manifest_source"] == str(machine.aegis_home / "policy.toml")
    text = aegis(machine, "sandbox", "show").stdout
    assert f"Project:    {machine.project}" in text
    assert "Hidden:     " in text and ".ssh" in text
    assert "pypi.org:443" in text and "Limit:      memory" in text


def test_show_lists_every_error_of_a_broken_section(machine: Machine) -> None:
    write_policy(machine, '[policy]\n\n[sandbox.fs]\nwrite = ["/"]\n\n[sandbox.limits]\nmemory = "lots"\n')
    shown = aegis(machine, "sandbox", "show")
    assert shown.returncode == 2
    assert "policy.toml:4: fs.write: '/' would make the whole system writable" in shown.stderr
    assert "policy.toml:7: limits.memory" in shown.stderr


def test_test_runs_one_command_inside(machine: Machine) -> None:
    needs_bwrap()
    leaked = aegis(machine, "sandbox", "test", "--", "cat", str(machine.home / ".ssh" / "id_rsa"))
    assert leaked.returncode != 0 and SECRET not in leaked.stdout
    assert "No such file or directory" in leaked.stderr
    status = aegis(machine, "sandbox", "test", "--", "sh", "-c", "echo inside > made.txt; id -u; exit 7")
    assert status.returncode == 7
    assert status.stdout.strip() != "0"  # never root inside
    assert (machine.project / "made.txt").read_text() == "inside\n"
