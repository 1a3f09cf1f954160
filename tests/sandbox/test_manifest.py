"""The ``[sandbox]`` manifest of policy.toml: defaults with no configuration, what a
section adds, and every mistake reported with its line."""

from __future__ import annotations

import pytest

from aegis_core.sandbox import defaults
from aegis_core.sandbox.manifest import Manifest, ManifestError, load_manifest_file, parse_host_rule, parse_manifest
from aegis_core.sandbox.units import parse_duration, parse_size

POLICY = """\
[policy]
default_action = "require_approval"
"""


def test_no_section_means_the_built_in_defaults():
    manifest = parse_manifest(POLICY, "policy.toml")
    assert manifest.read_deny == defaults.READ_DENY
    assert "~/.ssh" in manifest.read_deny and "~/.aws" in manifest.read_deny
    assert "~/.claude" in manifest.write and "~/.cache" in manifest.write
    assert manifest.network_allow == ()
    assert manifest.limits.processes == defaults.PROCESSES
    assert manifest.limits.memory is None and manifest.limits.wall_time is None
    assert not manifest.required


def test_a_missing_file_means_the_built_in_defaults(tmp_path):
    assert load_manifest_file(tmp_path / "policy.toml") == Manifest()
    assert load_manifest_file(None) == Manifest()


def test_a_section_adds_to_the_defaults(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text(POLICY + """
[sandbox]
required = true

[sandbox.fs]
read_deny = ["~/work/secret", "secrets/"]
write = ["~/src/other"]
read = ["/srv/data"]

[sandbox.network]
allow = ["pypi.org", "files.pythonhosted.org:443"]

[sandbox.limits]
wall_time = "1h30m"
memory = "2GiB"
cpu = 0.5
processes = 256
""")
    path.chmod(0o600)
    manifest = load_manifest_file(path)
    assert manifest.source == str(path)
    assert manifest.required
    assert manifest.read_deny[: len(defaults.READ_DENY)] == defaults.READ_DENY
    assert manifest.read_deny[-2:] == ("~/work/secret", "secrets/")
    assert manifest.write[-1] == "~/src/other"
    assert manifest.read == ("/srv/data",)
    assert [str(rule) for rule in manifest.network_allow] == ["pypi.org:80,443", "files.pythonhosted.org:443"]
    assert manifest.limits.wall_time == 5400
    assert manifest.limits.memory == 2 << 30
    assert manifest.limits.cpu == 0.5
    assert manifest.limits.processes == 256
    assert manifest.limits.describe() == {"wall_time": "90 min", "memory": "2 GiB", "cpu": "0.5 CPU",
                                          "processes": "256"}


def test_include_defaults_false_keeps_only_what_is_written():
    manifest = parse_manifest(POLICY + """
[sandbox]
include_defaults = false
fs = { write = ["~/x"] }
""")
    assert manifest.read_deny == ()
    assert manifest.write == ("~/x",)
    assert manifest.limits.processes is None


def test_every_mistake_is_reported_with_its_line():
    text = POLICY + """
[sandbox]
colour = "blue"
required = "yes"

[sandbox.fs]
write = ["/", "~"]
read_deny = ["~bob/.ssh"]

[sandbox.network]
allow = ["https://pypi.org/simple", "*.com", "pypi.org:0", "exa mple.org", "a.*.org"]

[sandbox.limits]
memory = "lots"
wall_time = "-5m"
cpu = true
processes = 2
speed = 11
"""
    with pytest.raises(ManifestError) as caught:
        parse_manifest(text, "policy.toml")
    found = {(issue.line, issue.message.split(":")[0]) for issue in caught.value.issues}
    lines = text.splitlines()

    def line_of(fragment: str) -> int:
        return next(i + 1 for i, line in enumerate(lines) if fragment in line)

    assert (line_of("colour"), "unknown key [sandbox] colour; expected one of fs, include_defaults, "
            "limits, network, required") in found
    assert (line_of("required ="), "required must be true or false") in found
    assert sum(1 for line, _ in found if line == line_of('write = ["/"')) >= 1
    messages = [str(issue) for issue in caught.value.issues]
    assert any("would make the whole system writable" in m for m in messages)
    assert any("would make the whole home writable" in m for m in messages)
    assert any("only your own home" in m for m in messages)
    assert any("not a URL" in m for m in messages)
    assert any("whole top-level domain" in m for m in messages)
    assert any("outside 1-65535" in m for m in messages)
    assert any("is not a host name" in m for m in messages)
    assert any("wildcard may only start" in m for m in messages)
    assert any(m.startswith(f"policy.toml:{line_of('memory =')}: limits.memory") for m in messages)
    assert any(m.startswith(f"policy.toml:{line_of('wall_time =')}: limits.wall_time") for m in messages)
    assert any(m.startswith(f"policy.toml:{line_of('cpu =')}: limits.cpu") for m in messages)
    assert any(m.startswith(f"policy.toml:{line_of('processes =')}: limits.processes") for m in messages)
    assert any(m.startswith(f"policy.toml:{line_of('speed =')}: unknown key [sandbox.limits] speed")
               for m in messages)
    assert str(caught.value).startswith("invalid sandbox manifest: policy.toml:")


def test_invalid_toml_names_its_line():
    with pytest.raises(ManifestError) as caught:
        parse_manifest("[sandbox]\nfs = {\n", "p.toml")
    assert caught.value.issues[0].line == 2


@pytest.mark.parametrize(("entry", "allowed", "refused"), [
    ("pypi.org", [("pypi.org", 443), ("PyPI.org.", 80)], [("pypi.org", 22), ("evil-pypi.org", 443),
                                                           ("pypi.org.evil.com", 443)]),
    ("pypi.org:443", [("pypi.org", 443)], [("pypi.org", 80)]),
    ("*.github.com", [("api.github.com", 443), ("a.b.github.com", 80)], [("github.com", 443),
                                                                          ("evilgithub.com", 443)]),
    (".github.com:*", [("github.com", 22), ("api.github.com", 9)], [("xgithub.com", 443)]),
    ("localhost:8000-8010", [("localhost", 8000), ("localhost", 8010)], [("localhost", 8011)]),
    ("127.0.0.1:5432,6379", [("127.0.0.1", 5432), ("127.0.0.1", 6379)], [("127.0.0.1", 5433)]),
    ("[::1]:8080", [("::1", 8080), ("[::1]", 8080)], [("::1", 8081)]),
    ("::1", [("::1", 443)], [("::1", 8080)]),
])
def test_host_rules_match_hosts_and_ports(entry, allowed, refused):
    rule = parse_host_rule(entry)
    for host, port in allowed:
        assert rule.matches(host, port), (entry, host, port)
    for host, port in refused:
        assert not rule.matches(host, port), (entry, host, port)


def test_an_adapter_adds_its_endpoint_once():
    manifest = parse_manifest(POLICY + '[sandbox.network]\nallow = ["api.anthropic.com:443"]\n')
    more = manifest.with_network(["api.anthropic.com:443", "127.0.0.1:9000"])
    assert [str(r) for r in more.network_allow] == ["api.anthropic.com:443", "127.0.0.1:9000"]
    assert more.allows("127.0.0.1", 9000) and not manifest.allows("127.0.0.1", 9000)


@pytest.mark.parametrize(("text", "size"), [
    (1 << 30, 1 << 30), ("8GiB", 8 << 30), ("8G", 8 << 30), ("2GB", 2 * 10**9), ("512MiB", 512 << 20),
    ("1.5 GiB", 3 << 29),
])
def test_sizes(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "lots", "8 parsecs", 12, True, "-1G"])
def test_bad_sizes(text):
    with pytest.raises(ValueError):
        parse_size(text)


@pytest.mark.parametrize(("text", "seconds"), [(90, 90), ("90s", 90), ("30m", 1800), ("1h30m", 5400),
                                               ("2d", 172800), (1.5, 1.5)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "5x", "1h 3", 0, -3, "h"])
def test_bad_durations(text):
    with pytest.raises(ValueError):
        parse_duration(text)
