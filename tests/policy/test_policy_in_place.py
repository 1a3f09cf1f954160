"""In-place editors judged by what their program keeps of the file: a sed, awk, perl
or ruby program that never prints the lines it reads (or deletes every one first) guts
the file; the ordinary substitutions and filters keep it."""

from __future__ import annotations

import pytest

from aegis_core.policy.inplace import awk_keeps_lines, perl_keeps_lines, ruby_keeps_lines, sed_keeps_lines


@pytest.mark.parametrize(("scripts", "quiet", "keeps"), [
    (["s/a/b/"], True, False), (["s/password/x/"], True, False), (["s/wp/x/"], True, False),
    (["/x/w /tmp/keep"], True, False), (["1i header"], True, False), (["$p"], True, False),
    (["s/token/x/w /tmp/log"], True, False), (["/a/{s/a/b/}"], True, False), (["y/abc/xyz/"], True, False),
    (["d"], False, False), (["1,$d"], False, False), (["$!d"], False, False), (["d;p"], False, False),
    (["N;N;d"], False, False), (["Q"], False, False), (["q"], False, False), (["c\\gone"], False, False),
    (["/.*/d"], False, False), (["1!d"], False, False),
    (["/keep/p"], True, True), (["s/a/b/p"], True, True), (["1,10p"], True, True), (["p"], True, True),
    (["s/a/b/"], False, True), (["s/;/,/g"], False, True), (["/^$/d"], False, True), (["/DEBUG/d"], False, True),
    (["$d"], False, True), (["1d"], False, True), (["p;d"], False, True), (["10q"], False, True),
    (["s|/usr/local|/opt|g; /^#/d"], False, True), (["/start/,/end/d"], False, True), (["N;s/\\n/ /"], False, True),
    (["/^#/d", "s/a/b/"], False, True), (["1i # header"], False, True),
])
def test_sed(scripts: list[str], quiet: bool, keeps: bool) -> None:
    assert sed_keeps_lines(scripts, quiet) is keeps


@pytest.mark.parametrize(("code", "keeps"), [
    ("{}", False), ("{ next }", False), ("/x/{next}", False), ("END{}", False), ("BEGIN{n=0} {n++}", False),
    ("END { print NR }", False), ("BEGIN { print \"x\" }", False), ("{ print $0 > \"/tmp/x\" }", False),
    ("{print > \"/dev/stderr\"}", False), ("function f(){print} {}", False), ("0", False), ("NR<0", False),
    ("/a/ { n++ } /b/ { next }", False),
    ("1", True), ("NF", True), ("!seen[$0]++", True), ("{gsub(/a/,\"b\")} 1", True), ("{print $1}", True),
    ("/x/{next} {print}", True), ("NR > 1", True), ("function f(){print} {f()}", True),
    ("BEGIN{FS=OFS=\",\"} {$3=\"\"; print}", True),
])
def test_awk(code: str, keeps: bool) -> None:
    assert awk_keeps_lines(code) is keeps


@pytest.mark.parametrize(("code", "each", "keeps"), [
    ("next", False, False), ("1", False, False), ("s/a/b/", False, False), ("print STDERR $_", False, False),
    ("print $fh $_", False, False), ("warn $_", False, False), ("", False, False), ("exit", True, False),
    ("last", True, False),
    ("print unless /DEBUG/", False, True), ("print if length", False, True), ("say", False, True),
    ("s/foo/bar/g", True, True), ("last if /__END__/", True, True),
])
def test_perl(code: str, each: bool, keeps: bool) -> None:
    assert perl_keeps_lines(code, each) is keeps


@pytest.mark.parametrize(("code", "each", "keeps"), [
    ("x=1", False, False), ("next", False, False), ("$stderr.puts $_", False, False), ("STDERR.puts $_", False, False),
    ("$_=\"\"", True, False), ("$_.clear", True, False), ("exit", True, False),
    ("print unless /DEBUG/", False, True), ("puts $_.strip", False, True), ("gsub(/a/, \"b\")", True, True),
    ("$_.upcase!", True, True),
])
def test_ruby(code: str, each: bool, keeps: bool) -> None:
    assert ruby_keeps_lines(code, each) is keeps
