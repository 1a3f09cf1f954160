"""docs/plugin-authoring.md stays true: its code blocks are the example's files (all
of them, in order) or verbatim excerpts of the tests, its config snippet is valid
for the plugin, and every file it, the threat model and the template point to exists."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from aegis_core.config import load_config
from aegis_core.testing import make_plugins

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "plugin-authoring.md"
EXAMPLE = ROOT / "docs" / "examples" / "aegis-webhook-channel"
BLOCK = re.compile(r"<!-- (example|excerpt): (\S+) -->\n```[\w-]*\n(.*?)\n```", re.DOTALL)


def marked_blocks(kind: str) -> list[tuple[str, str]]:
    text = GUIDE.read_text(encoding="utf-8")
    return [(path, body) for found, path, body in BLOCK.findall(text) if found == kind]


def content_lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def test_guide_marks_blocks_of_every_example_file():
    shown = {path for path, _ in marked_blocks("example")}
    files = {str(p.relative_to(ROOT)) for p in EXAMPLE.rglob("*") if p.suffix in (".py", ".toml")}
    assert shown == files, "every file of the example must be shown in docs/plugin-authoring.md, and only those"


@pytest.mark.parametrize("path", sorted({path for path, _ in marked_blocks("example")}))
def test_example_blocks_put_together_are_the_whole_file_in_order(path):
    blocks = [body for shown, body in marked_blocks("example") if shown == path]
    expected = content_lines((ROOT / path).read_text(encoding="utf-8"))
    assert content_lines("\n".join(blocks)) == expected, (
        f"the blocks marked `example: {path}` no longer match the file; update the guide"
    )


def test_excerpts_appear_verbatim_in_their_files():
    excerpts = marked_blocks("excerpt")
    assert len(excerpts) >= 3
    for path, body in excerpts:
        assert body in (ROOT / path).read_text(encoding="utf-8"), f"excerpt of {path} is out of date"


def test_config_snippet_of_the_guide_is_valid_for_the_plugin(aegis_home, webhook_module):
    text = GUIDE.read_text(encoding="utf-8")
    (snippet,) = re.findall(r"```toml\n(\[approvals\].*?)```", text, flags=re.DOTALL)
    (aegis_home / "config.toml").write_text(snippet)
    (aegis_home / "config.toml").chmod(0o600)
    config = load_config(sections=make_plugins(webhook_module).config_sections())
    assert not config.warnings
    assert config.get("approvals", "channels") == ["webhook", "cli"]
    assert webhook_module.WebhookChannel().is_configured(config)
    assert tomllib.loads(snippet)["webhook"]["listen_port"] == config.get("webhook", "listen_port")


def test_entry_point_in_the_guide_is_the_one_the_example_declares():
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())
    assert project["project"]["entry-points"]["aegis"] == {"webhook": "aegis_webhook"}
    assert f"pip install ./{EXAMPLE.relative_to(ROOT)}" in GUIDE.read_text(encoding="utf-8")


@pytest.mark.parametrize("doc", ["docs/plugin-authoring.md", "docs/threat-model.md", "plugins/_template/README.md"])
def test_files_named_by_the_docs_exist(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:aegis_core|plugins|docs|tests)/[\w./-]*\w)`", text))
    named |= {str((ROOT / doc).parent.joinpath(link).resolve().relative_to(ROOT))
              for link in re.findall(r"\]\(((?!https?:)[^)#]+)\)", text)}
    assert named, f"{doc} names no file"
    here = (ROOT / doc).parent  # a README may name files of its own folder
    missing = sorted(p for p in named if not (ROOT / p).exists() and not (here / p).exists())
    assert not missing, f"{doc} names files that do not exist: {missing}"
