"""The policy's fast paths answer exactly as the slow, general code they stand in for:
the regex lexer (aegis_core/policy/fastlex.py) as the full Lexer, and the string-method
glob matcher (paths._Patterns) as fnmatch. Each test compares both on the corpus and on
hypothesis-generated input, so a fast path that drifts fails here."""

from __future__ import annotations

import fnmatch
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from policy_corpus import PROJECT, cases

from aegis_core.models import ToolCall
from aegis_core.policy import default_policy
from aegis_core.policy.checks import CHECKS, applicable
from aegis_core.policy.engine import build_subjects
from aegis_core.policy.fastlex import TooComplex, fast_tokens
from aegis_core.policy.lexer import Lexer
from aegis_core.policy.paths import GlobSet, _Patterns
from aegis_core.policy.rules import required_prefix
from aegis_core.policy.shell import _Builder, _finish, _plain_segments, _token_segments, analyse
from aegis_core.policy.tokens import Redirect, Word
from aegis_core.tools import kind_of

POLICY = default_policy()
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Characters the fast path reads or must refuse, weighted towards the ones it reads.
PIECES = [*"abc -./~=", " ", " ", "'", '"', "'x y'", '"a b"', "&&", "||", "|", ";", "&", ">", ">>", "2>&1",
          "2>", "<", "\n", "#", "$", "`", "\\", "(", ")", "<<", "<<<", "<(", ";;", "\t", "\u00a0", "*", "{a,b}",
          "$a", "$HOME", "${PWD}", "$IFS", "${x}", "${x:-y}", "$1"]


def comparable(tokens: list) -> list:
    out = []
    for token in tokens:
        if isinstance(token, Word):
            out.append(("word", tuple(token.parts), token.dynamic, token.escaped, bool(token.subs)))
        elif isinstance(token, Redirect):
            target = None if token.target is None else (tuple(token.target.parts), token.target.escaped)
            out.append(("redirect", token.op, token.fd, target, token.body))
        else:
            out.append(("op", token))
    return out


def assert_same_as_lexer(command: str) -> bool:
    try:
        fast = fast_tokens(command)
    except TooComplex as exc:
        assert Lexer(command).run().problems == [exc.problem], command
        return False
    if fast is None:
        return False
    lexed = Lexer(command).run()
    assert lexed.problems == [], f"fast path read a command the Lexer had problems with: {command!r}"
    assert comparable(fast) == comparable(lexed.tokens), command
    return True


def test_fast_lexer_reads_most_of_the_corpus_exactly_as_the_lexer() -> None:
    commands = [c.input["command"] for c in cases() if isinstance(c.input.get("command"), str)]
    read = sum(assert_same_as_lexer(command) for command in commands)
    # The point of the fast path: most commands never reach the character loop.
    assert read > len(commands) * 0.6, f"fast path read only {read} of {len(commands)}"


@pytest.mark.parametrize("command", [
    "git commit -m 'fix parser bug'", 'echo "hello world" > out.txt', "pytest -q 2>&1 | tail -n 5",
    "npm test && npm run build || echo failed; ls &", "cat <input.txt >>log 2>/dev/null", "a=1 b='' c",
    "echo ''", 'echo ""x', "ls |& cat", "echo a\nls", "x >'quoted target'", "echo >",
    "echo $HOME", "cd ${HOME}/src && ls $PWD", "PATH=/x:$PATH make", "cp $SRC_DIR/a.txt b$N.txt 2>&1",
])
def test_fast_lexer_matches_the_lexer_on_its_subset(command: str) -> None:
    assert assert_same_as_lexer(command)


@pytest.mark.parametrize("command", [
    "echo $1", "echo ${x:-y}", "echo $(id)", "rm${IFS}-rf", "echo $", "echo `id`", "echo \\x",
    "cat <<EOF\nx\nEOF", "cat <<< x", "(ls)", "# comment",
    "diff <(ls) <(ls)", 'echo "$x"', "echo 'open", "case x in a) ;; esac",
])
def test_fast_lexer_leaves_everything_else_to_the_lexer(command: str) -> None:
    assert fast_tokens(command) is None


@SETTINGS
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_fast_lexer_never_disagrees_with_the_lexer(command: str) -> None:
    assert_same_as_lexer(command)


@pytest.mark.parametrize("words", [150, 200, 399, 400, 401, 600])
@pytest.mark.parametrize("shape", ["plain {i}", "'q {i}'", '"d {i}"', '""'])
def test_fast_lexer_gives_up_exactly_where_the_lexer_does(words: int, shape: str) -> None:
    """Long commands: the fast path counts the Lexer's tokens and steps, so it reads what
    the Lexer reads in full and leaves to it what the Lexer calls too complex."""
    command = "echo " + " ".join(shape.format(i=i) for i in range(words))
    lexed = Lexer(command).run()
    if lexed.problems:
        with pytest.raises(TooComplex) as raised:
            fast_tokens(command)
        assert [raised.value.problem] == lexed.problems
    else:
        assert assert_same_as_lexer(command)


def test_non_ascii_blanks_are_part_of_a_word_as_in_bash() -> None:
    # bash splits words on space, tab and newline only; this used to crash the lexer.
    analysis = analyse("ls\u2003foo\u00a0bar")
    assert [s.argv for s in analysis.segments] == [("ls\u2003foo\u00a0bar",)]


GLOB_PIECES = ["a", "b", ".", "/", "*", "**", "?", ".env", "id_rsa", "~", "[ab]", "-"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(GLOB_PIECES), min_size=1, max_size=8).map("".join),
       st.lists(st.sampled_from(["a", "b", ".", "/", ".env", "id_rsa", "x", "-"]), max_size=10).map("".join))
def test_glob_patterns_match_exactly_as_fnmatch(pattern: str, text: str) -> None:
    expected = re.match(fnmatch.translate(pattern), text) is not None
    assert _Patterns([pattern]).match(text) is expected


def test_glob_set_sorts_its_globs_into_the_cheap_kinds() -> None:
    globs = GlobSet(["*.pem", "id_rsa.*", "credentials.json", "**/.env.*", "~/.ssh/**", "service-*.json"], home="/h")
    names, paths = globs._positive
    # `**/.env.*` is a name in any folder: a name prefix, like `id_rsa.*`
    assert (names.suffixes, set(names.prefixes), names.exact) == ((".pem",), {"id_rsa.", ".env."},
                                                                  frozenset({"credentials.json"}))
    # service-*.json needs a regex, tried only on names holding its longest literal
    assert names.regex is None and [literal for literal, _ in names.guarded] == ["service-"]
    assert paths.exact == frozenset({"/h/.ssh"}) and paths.prefixes == ("/h/.ssh/",)
    assert globs.matches("/p/.env.local") and globs.matches("/h/.ssh") and globs.matches("/p/service-x.json")
    assert not globs.matches("/p/env.local") and not globs.matches("/h/.sshx")


def hidden_findings(call: ToolCall) -> list[str]:
    """The checks that find something in a subject of ``call`` they were not run on."""
    hidden = []
    for subject in build_subjects(call)[0]:
        names = applicable(subject)[1]
        hidden.extend(name for name, check in CHECKS.items() if name not in names and check.fn(subject))
    return hidden


def test_check_applicability_never_hides_a_finding() -> None:
    """Checks declare the programs and features they need so others skip them; a check
    that finds something in a segment it declared itself inapplicable to would be a
    silent hole. Run every check on every corpus subject and compare."""
    hidden = []
    for case in cases():
        call = ToolCall(agent="t", tool=case.tool, kind=kind_of(case.tool), input=case.input, cwd=case.cwd or PROJECT)
        hidden.extend((name, case.input) for name in hidden_findings(call))
    assert hidden == []


def _runs_from_a_file(seg, cwd: str) -> bool:
    """Whether the general code finds something ``seg`` runs from a file: a script, a
    task runner's target, a fetcher's request file."""
    from aegis_core.policy.requestfiles import request_files
    from aegis_core.policy.scripts import _script_run
    from aegis_core.policy.taskrunners import task_code

    return _script_run(seg) is not None or task_code(seg, cwd, cwd) is not None or request_files(seg) is not None


def _skips_running_from_files(seg) -> bool:
    """What the engine's dispatch answers without reading anything (engine._run_from_disk)."""
    from aegis_core.policy.engine import _RUNS_FROM_FILES
    from aegis_core.policy.scripts import may_run_script

    return not (seg.program in _RUNS_FROM_FILES or may_run_script(seg))


_RUNNER_FILES = {"Makefile": "all:\n\techo hi\n", "package.json": '{"scripts": {"build": "tsc", "x": "ls"}}',
                 "justfile": "build:\n    echo hi\n",
                 "Taskfile.yml": "version: '3'\ntasks:\n  build:\n    cmds: [ls]\n"}


def test_programs_skipped_run_nothing_from_a_file(tmp_path) -> None:
    """The engine skips the readers of scripts, task files and request files for a
    program none of them reads: on every corpus command (run where each runner's file
    exists), none finds anything in a segment it skipped."""
    for name, text in _RUNNER_FILES.items():
        (tmp_path / name).write_text(text)
    missed = [(case.input["command"], seg.program) for case in cases() if case.tool == "Bash"
              for seg in analyse(case.input["command"]).segments
              if _skips_running_from_files(seg) and _runs_from_a_file(seg, str(tmp_path))]
    assert missed == []


@SETTINGS
@given(st.sampled_from(["./x", "bin/run", "/tmp/x.py", "python3.12", "pypy3", "py", "node", "deno", "bun", "bunx",
                        "npx", "pnpx", "tsx", "make", "gmake", "bmake", "just", "task", "go-task", "npm", "yarn",
                        "pnpm", "curl", "wget", "wget2", "aria2c", "curlie", "bash", "sh", "source", ".", "ruby",
                        "perl", "php", "lua", "Rscript", "git", "ls", "cat", "docker", "uv", "cargo", "go", "xh"]),
       st.lists(st.sampled_from(["run", "build", "x", "-f", "Makefile", "-K", "cfg", "-i", "urls.txt", "--config",
                                 "script.sh", "x.py", "tsx", "-e", "1", "--", "-", "test", "t", "start"]), max_size=4))
def test_program_dispatch_agrees_with_the_readers(program: str, words: list[str]) -> None:
    """The same, for commands made of the programs and words the readers look for."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        for name, text in _RUNNER_FILES.items():
            with open(f"{folder}/{name}", "w", encoding="utf-8") as fh:
                fh.write(text)
        for seg in analyse(" ".join([program, *words])).segments:
            assert not (_skips_running_from_files(seg) and _runs_from_a_file(seg, folder)), (program, words)


def _bash(command: str) -> ToolCall:
    return ToolCall(agent="t", tool="Bash", kind=kind_of("Bash"), input={"command": command}, cwd=PROJECT)


# A program that runs other tools (migrations.RUNS_DB_TOOLS) reaches db-reset only with
# one of its cues, and the database clients' checks only with a client's name: each
# line is a way of finding something the gates must let through.
@pytest.mark.parametrize("command", [
    "npx flyway clean", "docker exec db pg_restore --clean x.dump", "docker compose exec web goose down-to 0",
    "kubectl exec etcd-0 -- etcdctl del --prefix /", "npx heroku pg:killall", "npm run data:clear",
    "make redis-clear", "echo 'User.delete_all' | npm run c", "docker exec -i app rails c <<< 'User.destroy_all'",
    "npx mongo shop --eval 'db.users.remove({})'", "python manage.py flush --no-input", "uv run alembic downgrade base",
    "npm run x -- --sql 'UPDATE users SET admin = true'", "docker exec -i redis redis-cli FLUSHALL",
    "echo 'DROP TABLE users' | docker exec -i db psql", "poetry run python -m django flush",
    # sql-client-files and sql-destructive: a client found by name among the arguments
    "docker exec db /usr/bin/psql -f drop_all.sql", "npx prisma db execute --file wipe.sql",
    "uv run psql -c 'DROP TABLE users'", "ssh db mysql -e 'TRUNCATE orders'",
    "uv run 'remove({})' --command",  # the program's own name is a statement (hypothesis found it)
])
def test_gates_cover_what_runners_run(command: str) -> None:
    call = _bash(command)
    assert hidden_findings(call) == []


@SETTINGS
@given(st.sampled_from(["npm run", "npx", "docker exec -i db", "kubectl exec p --", "make", "uv run", "php",
                        "yarn", "python -m", "bunx", "composer exec", "echo 'x' | npm run"]),
       st.lists(st.sampled_from(["flyway", "clean", "goose", "down-to", "0", "etcdctl", "del", "--prefix", "/",
                                 "pg_restore", "-c", "heroku", "pg:killall", "c", "r", "run", "eval", "rpc",
                                 "data:clear", "redis-clear", "mongo", "remove({})", "UPDATE t SET a=1", "--all",
                                 "rollback", "-n", "50", "migrate", "reset", "db", "wipe", "--command", "exec",
                                 "{stdin}", "--stdin", "DELETE FROM t", "x.delete_all", "dropDatabase()", "psql",
                                 "/usr/bin/psql", "-f", "drop_all.sql", "prisma", "execute", "--file", "mysql"]),
                min_size=1, max_size=6))
def test_no_check_finds_what_its_gate_skipped(runner: str, words: list[str]) -> None:
    """Commands built from runners and the words the gated checks look for: whatever
    a check finds, it was run on."""
    command = runner + " " + " ".join(f"'{w}'" if " " in w or "(" in w else w for w in words)
    assert hidden_findings(_bash(command)) == [], command


@SETTINGS
@given(st.sampled_from(["git", "docker", "podman", "docker-compose", "npm", "yarn", "pnpm", "bun", "gh", "kubectl",
                        "oc"]),
       st.lists(st.sampled_from(["config", "--get", "http.extraheader", "credential.helper", "user.name", "secret",
                                 "reveal", "cat", "credential", "fill", "credential-store", "get", "compose",
                                 "inspect", "--format", "{{.Config.Env}}", "//registry/:_authToken", "token", "auth",
                                 "status", "-t", "--show-token", "oauth_token", "create", "view", "--raw",
                                 "view-secret", "extract", "secret/db", "whoami", "secrets", "-o", "yaml", "log",
                                 "push", "ps", "run", "list", "x"]), max_size=6))
def test_no_secret_printed_where_the_word_gate_skipped(program: str, words: list[str]) -> None:
    """credential-dump's words per program (secretchecks._SECRET_OUTPUT_WORDS): a command
    of that program without them prints no secret by its program."""
    command = " ".join([program, *words])
    assert hidden_findings(_bash(command)) == [], command


def general_segments(command: str) -> tuple:
    builder = _Builder()
    builder.analyse_string(command, "", 0)
    analysis = _finish(command, builder)
    assert analysis.problems == () and analysis.notes == (), command
    return analysis.segments


def _token_path(command: str) -> tuple | None:
    try:
        tokens = fast_tokens(command)
    except TooComplex:
        return None
    return _token_segments(tokens) if tokens is not None else None


# The direct ways to segments, and the share of the corpus each must read itself.
DIRECT_PATHS = {"plain words": (_plain_segments, 0.3), "lexed tokens": (_token_path, 0.4)}


def assert_direct_same_as_builder(path: str, command: str) -> bool:
    direct = DIRECT_PATHS[path][0](command)
    if direct is None:
        return False
    assert direct == general_segments(command), command
    return True


@pytest.mark.parametrize("path", list(DIRECT_PATHS))
def test_direct_paths_read_much_of_the_corpus_as_the_builder_does(path: str) -> None:
    commands = [c.input["command"] for c in cases() if isinstance(c.input.get("command"), str)]
    read = sum(assert_direct_same_as_builder(path, command) for command in commands)
    share = DIRECT_PATHS[path][1]
    assert read > len(commands) * share, f"{path} read only {read} of {len(commands)}"


PLAIN_PIECES = ["ls", "git", "status", "-la", "src/x.py", "a=1", "--opt=v", " ", " ", "&&", "||", "|", ";", "&",
                "if", "then", "for", "!", "{", "}", "case", "function", "sudo", "env", "bash", "-c", "python3",
                "uv", "run", "poetry", "find", "xargs", "eval", "*.py", "{a,b}", "/usr/bin/env", "x"]


@SETTINGS
@given(st.lists(st.sampled_from(PLAIN_PIECES), min_size=1, max_size=30).map("".join))
def test_plain_segments_never_disagree_with_the_builder(command: str) -> None:
    assert_direct_same_as_builder("plain words", command)


@pytest.mark.parametrize("command", ["sudo rm -rf /", "env X=1 ls", "bash -c ls", "python3 -c x", "uv run pytest",
                                     "a=1 ls", "if true", "ls *.py", "echo {a,b}", "find . -delete", "ls 'x'"])
def test_plain_segments_leave_special_commands_to_the_builder(command: str) -> None:
    assert _plain_segments(command) is None


@pytest.mark.parametrize("parts", [399, 400, 401, 3000])
def test_too_many_plain_words_are_too_complex_exactly_as_for_the_lexer(parts: int) -> None:
    command = " ".join(["a", "|"] * (parts // 2) + ["b"] * (parts % 2))
    assert len(command.split(" ")) == parts
    analyse.cache_clear()
    assert list(analyse(command).problems) == Lexer(command).run().problems


TOKEN_PIECES = [*PLAIN_PIECES, "'quoted text'", '"double"', "''", "'*.py'", "'a=1'", ">", ">>", "2>&1", "<", "|&",
                "out.txt", "'if'", "\"sudo\"", "A=1 ", "B='x y' ", "PATH=/x:$PATH ", "A= ",
                "$HOME/x", "${PWD}", "$DIR/a.txt", "$IFS"]


@SETTINGS
@given(st.lists(st.sampled_from(TOKEN_PIECES), min_size=1, max_size=30).map("".join))
def test_token_segments_never_disagree_with_the_builder(command: str) -> None:
    assert_direct_same_as_builder("lexed tokens", command)


REGEX_PIECES = ["a", "b", "c", "ab", "abc", "[.]", ".", "x*", "(a|b)", "\\b", "\\s+", "?", "|", "^", "(?i)", " "]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(REGEX_PIECES), min_size=1, max_size=8).map("".join),
       st.lists(st.sampled_from(["a", "b", "c", ".", " ", "A", "x"]), max_size=12).map("".join))
def test_a_command_pattern_never_matches_without_its_literal_prefix(pattern: str, text: str) -> None:
    try:
        compiled = re.compile(pattern)
    except re.error:
        return
    prefix = required_prefix(compiled)
    if compiled.search(text):
        assert prefix in text


@pytest.mark.parametrize(("pattern", "text"), [("(?i)abc", "ABC"), ("abc|abd", "abd"), ("abc*", "ab"),
                                               ("ab(c|d)e", "abde"), ("a.c", "axc")])
def test_literal_prefixes_of_tricky_patterns(pattern: str, text: str) -> None:
    compiled = re.compile(pattern)
    assert compiled.search(text) and required_prefix(compiled) in text


def test_the_aegis_module_rule_has_a_literal_prefix() -> None:
    rule = next(r for r in POLICY.rules if r.name == "aegis-human-commands-module")
    assert rule.match.command_pattern is not None and required_prefix(rule.match.command_pattern) == "aegis_core."


def _joined_word_bits(program: str, after: tuple[str, ...], wrappers: tuple[str, ...]) -> int:
    """What checks._word_bits answers, read from the joined words (as it did before it
    kept one answer per word): the reference its per-word tables must agree with."""
    from aegis_core.policy import checks, migrations

    rest = "\n".join(after)
    bits = (checks._DEVPATH if "/dev/" in rest else 0) | (checks._URLS if "://" in rest else 0)
    if not checks._CLIENT_WORDS.isdisjoint(after) or ("/" in rest and any(
            word.rsplit("/", 1)[-1] in checks._CLIENT_WORDS for word in after)):
        bits |= checks._SQLCLIENT
    joined = "\n".join((program, *after, *wrappers))
    if checks._CUED_DB_WORDS.search(joined) is not None:
        bits |= checks._DBWORDS
    if checks._CUED_SECRET_WORDS.search(joined) is not None:
        bits |= checks._SECRETWORDS
    if bits & checks._DBWORDS and len(after) + len(wrappers) < checks._MANY_WORDS:
        needed = migrations.db_words_needed(program)
        if (needed == migrations.DB_WORDS_CONSOLE and not any(map(migrations.opens_console, after))) or (
                needed == migrations.DB_WORDS_COMMAND and not any(map(migrations.opens_db_command, after))):
            bits &= ~checks._DBWORDS  # a cue that db-reset cannot find anything by in this program
    return bits


WORD_PIECES = ["a", "x", "/", "/dev/", "dev", "sda", "://", "http", "psql", "/usr/bin/psql", "mysql", "db", "drop",
               "migrat", "reset", ".env", "id_rsa", "token", "secret", "\n", " ", "-", "=", "\u00a0", "\u0130", "DROP"]


@SETTINGS
@given(st.lists(st.lists(st.sampled_from(WORD_PIECES), max_size=4).map("".join), min_size=1, max_size=40),
       st.lists(st.sampled_from(["sudo", "env", "timeout", "xargs", "psql", "db", "nice"]), max_size=3))
def test_word_bits_per_word_agree_with_the_joined_words(words: list[str], wrappers: list[str]) -> None:
    """checks._word_bits keeps one answer per word (every bit a word can give); the
    program and the wrappers give only the cue bits. Whatever the words (line breaks,
    blanks, unicode, a cue split across words), it answers what a search of the joined
    words answers, on the short path and the long one (32 words or more)."""
    from aegis_core.policy import checks
    from aegis_core.policy.shell import Segment
    from aegis_core.policy.words import literal_arg

    program, after = words[0], tuple(words[1:])
    seg = Segment(0, tuple(literal_arg(w) for w in words), program, wrappers=tuple(wrappers))
    expected = _joined_word_bits(program, after, tuple(wrappers))
    for _ in range(2):  # the second time from the kept answers
        assert checks._word_bits(seg, after) == expected


# Programs of each kind db_words_needed tells apart (text tools, other programs, database
# tools and their runners), and the words db-reset finds things by, in every role.
DB_PROGRAMS = ["git", "cat", "echo", "grep", "find", "sed", "tee", "/usr/bin/git", "terraform", "gh", "helm", "aws",
               "curl", "rm", "ssh", "foo", "pypy", "kubectl", "docker", "npx", "npm", "make", "psql", "rails",
               "cargo", "goose", "mysqlsh", "python3", "bin/console"]
DB_WORDS = ["db", "db:drop", "db:reset", "reset-db", "migrate", "migrate:fresh", "migrations", "migration:revert",
            "rollback", "down", "undo", "-n", "50", "--step=20", "0", "--to", "prod", "production", "--env",
            "--env=production", "seed", "db:seed", "fixtures", "runner", "r", "c", "shell", "console", "tinker",
            "eval", "run", "rpc", "-c", "--command", "-e", "--execute", "exec", "execute", "query", "sql", "runsql",
            "--stdin", "pg:psql", "dbshell", "dbconsole", "--", "'DROP TABLE users'", "'User.delete_all'",
            "'db.drop_all()'", "FLUSHALL", "flushdb", "x", "--all", "--force", "reset", "drop", "destroy", "wipe",
            "'delete from users'", "schema:drop", "--dry-run", "status", "db/reset.sql", "ecto.rollback", "prisma",
            "$x", "\"$(cat q.sql)\""]


@SETTINGS
@given(st.sampled_from(DB_PROGRAMS), st.lists(st.sampled_from(DB_WORDS), max_size=6),
       st.sampled_from(["", "RAILS_ENV=production ", "DB=x "]),
       st.sampled_from(["", " <<< 'DROP TABLE users'", " <<< 'User.destroy_all'", " < drop.sql"]),
       st.sampled_from(["{}", "echo 'DROP TABLE users' | {}", "for i in 1 2 3; do {}; done", "{} | xargs -n1 {}",
                        "{}; {}; {}", "sudo {}", "alembic downgrade base --sql | {}"]))
def test_db_reset_cues_never_hide_a_finding(program: str, words: list[str], assignment: str, stdin: str,
                                            shape: str) -> None:
    """db-reset runs on a program outside its own only with a DB cue, and not even then
    where the cue cannot lead to a finding (migrations.db_words_needed): a text tool
    without a console's words, another program without a word that starts a database
    command. Whatever the program, words, assignments, stdin, pipe or loop, the check
    run on every subject finds nothing where it was skipped."""
    command = shape.replace("{}", assignment + " ".join([program, *words]) + stdin)
    call = ToolCall(agent="t", tool="Bash", kind=kind_of("Bash"), input={"command": command}, cwd=PROJECT)
    assert "db-reset" not in hidden_findings(call)


def test_db_reset_cues_skip_text_tools_and_commands_without_database_words() -> None:
    """The narrowing does something: a DB cue alone in a text tool or an unrelated
    program no longer runs db-reset; a console's words or a database command do."""
    def runs(command: str) -> bool:
        call = ToolCall(agent="t", tool="Bash", kind=kind_of("Bash"), input={"command": command}, cwd=PROJECT)
        return "db-reset" in applicable(build_subjects(call)[0][0])[1]
    assert not runs("git reset --hard") and not runs("cat db/reset.sql") and not runs("terraform destroy")
    assert runs("kubectl get pods -n prod")


@pytest.mark.parametrize("command", [
    "echo run <<< 'DROP TABLE users'", "cat c <<< 'User.delete_all'", "gh db:drop", "terraform --env production seed",
    "gh sql <<< 'DROP TABLE users'", "echo 'drop table x' | git dbshell", "curl migrate:fresh",
    "for i in 1 2 3; do foo migration:revert; done", "RAILS_ENV=production foo db:seed"])
def test_db_reset_still_runs_where_a_cue_can_lead_to_a_finding(command: str) -> None:
    """Each way db-reset finds something in a text tool or an unrelated program (a
    console's code, a database shell fed by a pipe, a wiping subcommand, SQL run by
    `sql`, writes to production, a rollback repeated) keeps the check."""
    call = ToolCall(agent="t", tool="Bash", kind=kind_of("Bash"), input={"command": command}, cwd=PROJECT)
    subjects = build_subjects(call)[0]
    found = [s for s in subjects if CHECKS["db-reset"].fn(s)]
    assert found and all("db-reset" in applicable(s)[1] for s in found)


PUBLISH_PROGRAMS = ["docker", "podman", "nerdctl", "buildah", "docker-compose", "podman-compose", "gh", "glab", "helm",
                    "python", "python3", "/usr/bin/docker", "./gh", "bin/python3"]
PUBLISH_WORDS = ["push", "image", "compose", "manifest", "trust", "buildx", "imagetools", "build", "bake", "--push",
                 "--push=false", "-o", "--output", "type=registry", "type=registry,name=x", "push=true", "-t", "app:1",
                 ".", "release", "create", "delete", "gist", "v1", "cm-push", "setup.py", "upload", "register",
                 "dist/*", "--publishImage", "--publishImage=true", "--publishImage=false", "--dry-run", "x",
                 "pushd", "deploy", "publish", "--", "$x", "'push'", "pu\\sh"]


@SETTINGS
@given(st.sampled_from(PUBLISH_PROGRAMS), st.lists(st.sampled_from(PUBLISH_WORDS), max_size=6),
       st.sampled_from(["{}", "sudo {}", "env A=1 {}", "x=push; {}", "true && {}"]))
def test_publish_word_gates_never_hide_a_finding(program: str, words: list[str], shape: str) -> None:
    """publish skips the commonest programs it runs on without one of its words
    (publishchecks._PUBLISH_WORDS); whatever their words, wrappers, quoting or
    variables, the check run on every subject finds nothing where it was skipped."""
    command = shape.replace("{}", " ".join([program, *words]))
    if "x=push" in shape:
        command = command.replace(" x", " $x", 1) if " x" in command else command + " $x"
    call = ToolCall(agent="t", tool="Bash", kind=kind_of("Bash"), input={"command": command}, cwd=PROJECT)
    assert "publish" not in hidden_findings(call)


@pytest.mark.parametrize("command", ["docker push app:1", "docker buildx build --push -t a .", "docker build -o "
                                     "type=registry .", "gh release create v1", "helm push chart.tgz oci://r",
                                     "python setup.py sdist upload", "docker x --publishImage=true",
                                     "podman --publishImage", "docker compose push"])
def test_publish_word_gates_keep_what_publishes(command: str) -> None:
    call = ToolCall(agent="t", tool="Bash", kind=kind_of("Bash"), input={"command": command}, cwd=PROJECT)
    subject = build_subjects(call)[0][0]
    assert CHECKS["publish"].fn(subject) and "publish" in applicable(subject)[1]


def test_publish_word_gates_skip_the_rest() -> None:
    for command in ("docker ps -a", "gh pr view 12", "python -m pytest -x", "helm list", "docker run --rm alpine"):
        call = ToolCall(agent="t", tool="Bash", kind=kind_of("Bash"), input={"command": command}, cwd=PROJECT)
        assert "publish" not in applicable(build_subjects(call)[0][0])[1]


def test_failed_word_gates_leave_the_same_checks_however_often_seen() -> None:
    """credential-dump runs on git only with one of its words: applicable() keeps what
    is left per pattern of failed gates, so a call that fails the gate and one that
    passes it, in any order and again, each get exactly the checks worked out afresh."""
    from aegis_core.policy import checks

    commands = ["git status", "git config credential.helper", "git log", "git credential fill", "git status"]
    fresh = {}
    for command in commands:
        checks._APPLICABLE.clear()
        fresh[command] = applicable(build_subjects(_bash(command))[0][0])[1]
    assert "credential-dump" not in fresh["git status"] and "credential-dump" in fresh["git credential fill"]
    checks._APPLICABLE.clear()
    for command in [*commands, *reversed(commands)]:
        assert applicable(build_subjects(_bash(command))[0][0])[1] == fresh[command], command


def test_subcommand_matcher_compares_whole_words_of_each_length() -> None:
    from aegis_core.models import Action
    from aegis_core.policy import policy_from_text

    policy = policy_from_text('[policy]\ndefault_action = "allow"\n[[policy.rules]]\nname = "x"\naction = "deny"\n'
                              'match = { executable = ["uv"], subcommand = ["tool install", "add", "pip sync"] }\n')
    denied = ["uv tool install ruff", "uv add x", "uv pip sync r.txt", "uv --quiet add x", "uv tool install"]
    allowed = ["uv tool list", "uv tool", "uv", "uv pip install x", "uv addx", "uv run add", "uv tool installx"]
    for command in denied:
        assert policy.evaluate(_bash(command)).action is Action.DENY, command
    for command in allowed:
        assert policy.evaluate(_bash(command)).action is Action.ALLOW, command


def test_skipping_path_only_rules_changes_no_verdict_nor_trace() -> None:
    """Policy._judge skips the rules that match by paths alone when every path of the
    subject is known to match none of them: over the corpus, verdicts and traces are
    those of testing every rule."""
    full = default_policy()
    full._matches_no_path_rule = lambda paths: False  # type: ignore[method-assign]

    def both(call: ToolCall) -> tuple[object, object]:
        return ((POLICY.evaluate(call), POLICY.explain(call).to_dict()),
                (full.evaluate(call), full.explain(call).to_dict()))

    for case in cases():
        call = ToolCall(agent="t", tool=case.tool, kind=kind_of(case.tool), input=case.input, cwd=case.cwd or PROJECT)
        fast, slow = both(call)
        if fast != slow:  # a wildcard's matches may change in between (/proc/*, /tmp/*): once more
            fast, slow = both(call)
        assert fast == slow, call.summary()


def test_paths_found_unmatched_are_asked_again_when_home_changes(monkeypatch, tmp_path) -> None:
    """Which paths no path-only rule matches is kept for the HOME (and AEGIS_HOME) the
    globs followed: under another HOME, `~/...` globs name other paths."""
    from aegis_core.models import Action
    from aegis_core.policy import forget_caches, policy_from_text

    policy = policy_from_text('[policy]\ndefault_action = "allow"\n[[policy.rules]]\nname = "x"\naction = "deny"\n'
                              'match = { path_glob = ["~/.keepout/**"] }\n')
    first, second = tmp_path / "one", tmp_path / "two"
    target = f"{second}/.keepout/key"
    monkeypatch.setenv("HOME", str(first))
    assert policy.evaluate(_bash(f"cat {target}")).action is Action.ALLOW
    assert target in policy._unmatched[1]
    monkeypatch.setenv("HOME", str(second))
    assert policy.evaluate(_bash(f"cat {target}")).action is Action.DENY
    monkeypatch.setenv("HOME", str(first))
    assert policy.evaluate(_bash(f"cat {target}")).action is Action.ALLOW
    forget_caches()
    assert not policy._unmatched[1]
