"""Code that decodes a blob and runs it (exfilcode.HIDDEN_CODE), searched only where a
call that could run it opens, in a text holding a decoding word: the same first match
as the plain search, and a text with more such calls than are tried asks."""

from __future__ import annotations

import random

from policy_corpus import PROJECT, cases

from aegis_core.models import Action, ToolCall
from aegis_core.policy import default_policy, exfilcode, forget_caches
from aegis_core.policy.cues import OutOfTries
from aegis_core.tools import kind_of

POLICY = default_policy()

_PIECES = ["exec", "eval", "compile", "Function", "new ", "new Function", "instance_eval", "(", " (", "\n(", " ",
           "$(", "echo x | base64 -d)", "base64.b64decode(x)", "atob(", "Buffer.from(", "bytes.fromhex(",
           "codecs.decode(", "zlib.", "marshal.", "String.fromCharCode", ".unpack('m')).then", ".unpack1(\"m0\") .then",
           "Base64.decode64", "x.", "a", "json.loads", "decode_base64", "gzinflate(", "bytes([", "_", "."]


def _texts() -> list[str]:
    chooser = random.Random(7)
    texts = ["".join(chooser.choice(_PIECES) for _ in range(chooser.randint(0, 30))) for _ in range(4000)]
    texts += [value for case in cases() for key in ("content", "new_string", "command")
              if isinstance(value := case.input.get(key), str)]
    return texts


def test_the_first_match_is_the_plain_search_s() -> None:
    for text in _texts():
        found, plain = exfilcode._hidden_code(text), exfilcode.HIDDEN_CODE.search(text)
        assert (found.span() if found else None) == (plain.span() if plain else None), text


def test_every_match_holds_a_decoding_word() -> None:
    for text in _texts():
        for found in exfilcode.HIDDEN_CODE.finditer(text):
            assert any(word in found.group(0) for word in exfilcode._DECODING_WORDS), found.group(0)


def _write(path: str, text: str) -> ToolCall:
    return ToolCall(agent="test", tool="Write", kind=kind_of("Write"),
                    input={"file_path": f"{PROJECT}/{path}", "content": text}, cwd=PROJECT)


def test_a_file_with_more_calls_than_are_tried_asks() -> None:
    text = ("compile(x) " * 9000)[:64 * 1024 - 40] + "\ny = json.loads(z)\n"
    try:
        exfilcode._hidden_code(text)
    except OutOfTries:
        pass
    else:
        raise AssertionError("all tried")
    forget_caches()
    verdict = POLICY.evaluate(_write("src/run.js", text))
    assert verdict.action is not Action.ALLOW
    assert "more than Aegis reads one by one" in verdict.reason, verdict.reason


def test_words_that_open_no_call_are_not_tried() -> None:
    # 64 KB of `exec ` (no call) and a decoding word: nothing to try, nothing found.
    text = ("exec " * 14000)[:64 * 1024 - 10] + " atob"
    assert exfilcode._hidden_code(text) is None
    forget_caches()
    verdict = POLICY.evaluate(_write("src/run.js", text))
    # The write asks, but not for hidden code: past the code readers' limit so many words
    # that start a call are more places than are tried (written._MOST_LATE_TRIES).
    assert "runs decoded code" not in verdict.reason and "than Aegis tries" in verdict.reason, verdict.reason
    forget_caches()
    assert POLICY.evaluate(_write("src/run.js", text[:16_000] + " atob")).action is Action.ALLOW


def test_calls_found_through_the_cue_or_the_plain_search_past_dense_misses_are_the_same() -> None:
    # codecommands._CUED_EXEC gives way to the plain search sooner (one name not called
    # every 16 characters): the same calls either way.
    from aegis_core.policy import codecommands

    chooser = random.Random(9)
    texts = [("exec " * 3000) + "execSync('rm -rf ~')", ("exec " * 300 + "spawn('ls') ") * 20,
             "".join(chooser.choice(["exec ", "system ", "popen(", "x", " ", "exec('a') ", "$`ls`", "\n", "spawn "])
                     for _ in range(6000))]
    texts += [value for case in cases() for key in ("content", "new_string")
              if isinstance(value := case.input.get(key), str)]
    for text in texts:
        assert [(m.span(), m.group(0)) for m in codecommands._CUED_EXEC.finditer(text)] == \
            [(m.span(), m.group(0)) for m in codecommands._EXEC.finditer(text)], text[:60]
