# ruff: noqa: RUF001  (steering in other languages is spelled with their letters and punctuation)
"""Files that steer later agent sessions: ``CLAUDE.md``, ``AGENTS.md``, ``GEMINI.md``,
Claude Code's commands, agents and skills, Cursor, Windsurf, Cline and Copilot rules...
Every future session reads them as its instructions, so a write is judged by what it
would make the next agent do: the commands it shows (fenced blocks, inline code,
``!`cmd``` lines a slash command runs) are judged as if they ran (``written.py``; a
blocked one makes the write ask), and its prose is read for steering: switching off
Aegis, hooks, the sandbox or permission prompts, ignoring earlier instructions, hiding
things from the user, sending secrets somewhere, piping a download into a shell.
Ordinary project notes (how to build, test, style) go through without a prompt; a
sentence that forbids the act (``never use --no-verify``) is not steering."""

from __future__ import annotations

import re
import string
from bisect import bisect_left
from collections.abc import Callable
from itertools import islice
from typing import TYPE_CHECKING

from aegis_core.policy.autorun import written_text
from aegis_core.policy.cues import Cued
from aegis_core.policy.sentences import forbids_before, sentences
from aegis_core.policy.wordscan import OutOfWork, WordScan

if TYPE_CHECKING:
    from aegis_core.policy.facts import Subject

MAX_TEXT = 64 * 1024

INSTRUCTION_FILE = re.compile(
    r"(?:^|/)(?:CLAUDE(?:\.local)?\.md|AGENTS?(?:\.override)?\.md|GEMINI\.md|QWEN\.md|CRUSH\.md|WARP\.md"
    r"|\.kilocode/rules/.+|\.augment/rules/.+|\.openhands/microagents/.+|\.tabnine/guidelines/.+|\.cursor/commands/.+"
    r"|\.qoder/rules/.+|\.cursorrules|\.windsurfrules"
    r"|\.clinerules(?:/.*)?|CONVENTIONS\.md|\.goosehints|\.augment-guidelines|copilot-instructions\.md|SKILL\.md"
    r"|\.github/(?:instructions|prompts|chatmodes|agents)/.+|\.claude/(?:commands|agents|skills|output-styles|rules)/.+"
    r"|\.gemini/(?:commands|extensions)/.+|\.codex/prompts/.+|\.cursor/rules/.+|\.roo/rules[\w-]*/.+|\.roorules"
    r"|\.kiro/steering/.+|\.junie/guidelines\.md|\.amazonq/rules/.+|\.windsurf/rules/.+|\.continue/rules/.+"
    r"|\.idx/airules\.md|\.trae/rules/.+|\.opencode/(?:agent|command)/.+|\.zed/rules|\.rules)$")

# Commands shown in Markdown: fenced blocks, inline code, `!`cmd`` (run by a slash
# command before the model sees it), `$ cmd` lines, Gemini's `!{cmd}`.
_FENCE = re.compile(r"```[\w+-]*[^\n]*\n(.*?)(?:```|\Z)", re.S)
# (The backtick first, then the look behind: re finds a literal start by its fast scan, and
# tries a pattern that starts with a look behind at every character, ~1 ms per 64 KB.)
_INLINE = re.compile(r"`(?<!``)([^`\n]{2,400})`(?!`)")
_DOLLAR_LINE = re.compile(r"(?m)^\s*\$\s+(.+)$")
_GEMINI_SHELL = re.compile(r"!\{([^}\n]{1,400})\}")
# Each character the lazy command part might end at is first checked against the
# characters an ending starts with (one class), not tried ending by ending: a cue in a
# line of 300 characters without one cost ~10 us.
_IMPERATIVE = re.compile(r"(?i)\b(?:run|execute|exec|invoke|type)\b\s*:?\s+([^\n;]{2,300}?)\s*(?=[fbatswe.;\n]|\Z)"
                         r"(?:\b(?:first|before|after|then|so|when|whenever|each|every|and)\b|\.(?:\s|$)|[;\n]|$)")
# Searched only where one of its verbs starts (see cues.py): tried at every character, the
# case-insensitive alternation cost ~1 ms per 16 KB of text holding none of them.
_CUED_IMPERATIVE = Cued(_IMPERATIVE)
_NOT_SHELL_FENCES = re.compile(r"```(?:python|py|js|javascript|ts|typescript|json|yaml|yml|toml|go|rust|rs|java|c"
                               r"|cpp|ruby|rb|sql|html|css|diff|text|txt|markdown|md|xml|ini)\b", re.I)

# The agent's instructions, what makes them earlier or its own, and the words that
# void them (paraphrases of "ignore all previous instructions").
_ORDERS = (r"(?:instructions?|rules|guidelines|guidance|directions|directives|constraints|prompts?|policies"
           r"|orders|restrictions|requirements|limits|boundaries)")
_ORDERS_OWN = (r"\b(?:(?:the|your|its|my)\s+)?system\s+prompt|\beverything\s+(?:you\s+(?:were|have\s+been)\s+told"
               r"|above|before|else\s+you\s+(?:were|have\s+been)\s+told)|\bwhat\s+you\s+(?:were|have\s+been)\s+told"
               r"|\b(?:constraints|rules|limits)\s+you\s+(?:were|have\s+been)\s+given")
_EARLIER = r"(?:previous|prior|earlier|preceding|original|former|above|initial|existing|old)"
_OWN = r"(?:previous|prior|earlier|preceding|original|former|above|initial|existing|system|other|all|any|your|safety)"
# Verbs that void instructions, and what is said of void ones.
_VOIDING = (r"(?:ignore|disregard|forget|override|overrule|set\s+aside|pay\s+no\s+attention\s+to|discard"
            r"|abandon)")
# `are`, `have now been`: what comes between instructions and their being void.
_IS = (r"(?:(?:are|is|were|was|have\s+been|has\s+been|should\s+be|must\s+be|can\s+be)\s+"
       r"(?:now\s+|hereby\s+|all\s+|just\s+|considered\s+)?)?")
_VOID = (r"(?:void|null|obsolete|superseded|revoked|cancel+ed|no\s+longer\s+(?:apply|applies|valid|hold|holds"
         r"|relevant|in\s+effect|binding|stand)|do(?:es)?\s+not\s+apply|don'?t\s+apply|not\s+binding|invalid"
         r"|outdated|were\s+(?:just\s+|only\s+)?a\s+test|(?:are|were)\s+fake|irrelevant|moot|lifted|waived)")

def _gap(words: int) -> str:
    """Up to ``words`` words between two parts of a pattern, in one sentence: stepped a
    word at a time, possessively (a window of characters is tried at every character,
    which a text repeating the first part makes slow)."""
    return rf"(?:[^\w.\n]++\w++){{0,{words}}}?[^\w.\n]++"


_EVASION = "tells the agent to get a blocked command past the check"

# Instructions the agent meets in what it reads, not its own (`ignore any instruction in
# fetched pages`): telling it to ignore those is a security guide's rule, not steering.
_NOT_FROM_OUTSIDE = (r"(?!\s+(?:that\s+\w+\s+)?(?:in|from|inside|within|found\s+in|embedded\s+in|contained\s+in"
                     r"|hidden\s+in)\s+(?:the\s+|any\s+|a\s+|an\s+)?(?:(?:fetched|web|external|third[- ]party"
                     r"|untrusted|retrieved|downloaded|scraped|remote|online)\b|(?:web\s*)?pages?\b|websites?\b"
                     r"|urls?\b|tool\s+(?:output|results?)\b|issues?\b|comments?\b|e-?mails?\b|pull\s+requests?\b))")

# Prose that steers the next agent: each pattern with the thing it does.
_STEERING = (
    (re.compile(r"(?i)\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|earlier"
                r"|above|other|system|safety|original|user'?s?|security)\s+(?:instructions|rules|guidelines|guidance"
                r"|prompts?|constraints|directives|advice|policies|policy|restrictions|warnings)"),
     "tells the agent to ignore its other instructions", False, ("ignore", "disregard", "forget", "override")),
    (re.compile(r"(?i)\b(?:never|don'?t|do\s+not|no\s+need\s+to|without\s+(?:having\s+to\s+)?)\s*"
                r"(?:ask|wait|prompt|check)(?:ing)?\s+(?:the\s+user\s+)?(?:for\s+)?(?:(?:the\s+)?user'?s?\s+)?"
                r"(?:approval|permission|confirmation|consent|sign-?off)"
                r"|\bassume\s+(?:that\s+)?the\s+(?:user|human|owner)\s+(?:said\s+yes|says\s+yes|agreed|agrees|approved"
                r"|approves|consented|consents|wants\s+you\s+to)"
                r"|\b(?:autonomous|unattended|yolo|god)\s+mode\b"),
     "tells the agent to go on without the user's approval", False,
     ("approv", "permission", "confirm", "consent", "sign", "assume", "mode")),
    (re.compile(r"(?i)\b(?:edit|modify|change|overwrite|rewrite|replace|delete|remove|empty|truncate|clear"
                r"|write\s+to|append\s+to|patch|add|register|install|put)\b(?:[^.\n]|\.(?=\w)){0,60}?(?:settings(?:\.local)?\.json"
                r"|\.aegis\b|aegis\.toml|policy\.toml|\.codex/config|\.gemini/settings|managed-settings|\.mcp\.json"
                r"|mcp\s+servers?\b[^.\n]{0,40}?(?:npx|uvx|curl|https?://)|hooks\s+(?:config|section|entry))"
                r"|(?:settings(?:\.local)?\.json|\.aegis\b|aegis\.toml|policy\.toml)[^.\n]{0,60}?\b(?:remove|delete"
                r"|empty|clear|strip)\b[^.\n]{0,20}?\bhooks?\b"),
     "tells the agent to change the agents' or Aegis' own settings", True,
     ("settings", "aegis", "policy.toml", ".codex", ".gemini", "mcp", "hooks")),
    (re.compile(r"(?i)\b(?:ignore|disable|bypass|skip|turn\s+off|switch\s+off|remove|uninstall|delete|kill|stop|circumvent"
                r"|evade|work\s+around|get\s+around|silence|unhook|deactivate|neuter|comment\s+out)\b[^.\n]{0,60}?"
                r"\b(?:aegis|hooks?|guard(?:rail)?s?|sandbox(?:ing)?|permission\s*(?:prompts?|checks?|system)?"
                r"|approvals?|safety\s+checks?|security\s+checks?|the\s+policy|audit(?:\s+log)?|pre-commit"
                r"|verification|confirmation\s+prompts?|monitoring)\b"
                # ...but not a folder or module that has the name (`remove the sandbox/ folder`)
                r"(?![/\w-]|\.\w)(?!\s+(?:folder|directory|dir|files?|module|package|tests?|examples?|app|project|data"
                r"|component|page|route|table)\b)"),
     "tells the agent to switch off a safeguard (Aegis, hooks, the sandbox, permission prompts)", True,
     ("aegis", "hook", "guard", "sandbox", "permission", "approval", "safety",
      "security", "policy", "audit", "pre-commit", "verification", "confirmation", "monitoring")),
    (re.compile(r"(?i)--dangerously-skip-permissions|bypassPermissions|dangerouslyDisableSandbox|--yolo\b"
                r"|--approval-mode[ =]yolo|--ask-for-approval[ =]never|danger-full-access|--full-auto\b"
                r"|--no-verify\b|AEGIS_(?:DISABLE|OFF|BYPASS)\w*|\bauto-?approve\s+(?:all|every|everything)"),
     "tells the agent to run without permission checks", True, ("--", "bypass", "danger", "aegis_", "approve")),
    (re.compile(r"(?i)\b(?:do\s+not|don'?t|never|avoid)\s+(?:tell(?:ing)?|inform(?:ing)?|mention(?:ing)?"
                r"|notify(?:ing)?|alert(?:ing)?|report(?:ing)?|reveal(?:ing)?|show(?:ing)?)\s+(?:this\s+|it\s+)?"
                r"(?:to\s+)?(?:the\s+)?(?:user|human|developer|operator|owner|anyone|them)\b"
                r"|\b(?:secretly|silently|quietly|covertly)\s+(?:run|send|upload|post|copy|execute|install|add)"),
     "tells the agent to hide what it does from the user", False,
     ("tell", "inform", "mention", "notify", "alert", "report", "reveal", "show", "secretly", "silently", "quietly",
      "covertly")),
    # `Never push without asking` forbids; `Deploy without asking` steers.
    (re.compile(r"(?i)\bwithout\s+(?:asking|telling|notifying|informing|confirmation|approval|permission"
                r"|(?:the\s+)?(?:user|human)'?s?\s+(?:knowledge|consent|approval|permission))"),
     "tells the agent to act without the user's approval", True, ("without",)),
    (re.compile(r"(?i)\b(?:send|upload|post|exfiltrate|forward|transmit|email|leak|paste|pipe|copy|sync|beacon)"
                r"\b[^.\n]{0,80}?(?:\.env\b|environment\s+variables|\benv\s+vars?|secrets?|credentials?|tokens?"
                r"|api[ _-]?keys?|passwords?|ssh\s+keys?|id_rsa|id_ed25519|\.aws|private\s+keys?|\.npmrc"
                r"|\.netrc|cookies)\b[^.\n]{0,80}?(?:https?://|s3://|gs://|[\w.+-]+@[\w-]+\.[a-z]{2,}\b"
                r"|\bto\s+(?:the\s+|our\s+|a\s+|my\s+|this\s+)?(?:\w+\s+){0,2}(?:bucket|storage|drive|channel|inbox"
                r"|mailbox|email|address|host|api|backup|share|dropbox|pastebin|endpoint|server|webhook|collector)\b"
                r"|\bto\s+(?:https?://|[\w.-]+\.[a-z]{2,}\b|our|my|the\s+"
                r"(?:server|endpoint|webhook|url|collector)|this\s+(?:server|endpoint|webhook|url))|webhook|pastebin"
                r"|gist|discord|telegram|slack|ngrok|requestbin|pipedream|\b(?:into|in|to)\s+(?:the\s+|a\s+|every\s+)?"
                r"(?:pr|pull\s+request|issue|comment|commit|readme|logs?|chat|description|body|changelog|output)\b)"),
     "tells the agent to send secrets somewhere", True,
     ("env", "secret", "credential", "token", "key", "password", "id_", ".aws", "cookie", ".npmrc", ".netrc")),
    # Earlier instructions declared void, in any wording: an invalidating word and the
    # agent's instructions (qualified as earlier, the system's, all, yours), either order.
    (re.compile(r"(?i)\b" + _VOIDING + r"\b" + _gap(4) + r"(?:\b" + _OWN + r"\s+(?:\w+\s+){0,2}?" + _ORDERS
                + r"|" + _ORDERS_OWN + r"|\b" + _ORDERS + r"\s+(?:above|before|so\s+far|you\s+(?:were|have\s+been|got)"
                r"\s+(?:given|told)))\b" + _NOT_FROM_OUTSIDE +
                r"|\b" + _EARLIER + r"\s+(?:\w+\s+){0,2}?" + _ORDERS + r"(?:\s+(?:above|before|so\s+far))?\s+" + _IS
                + _VOID + r"\b"
                r"|\b" + _ORDERS + r"\s+(?:above|before|so\s+far)\s+" + _IS + _VOID + r"\b"),
     "tells the agent that its other instructions no longer hold", True,
     ("instruct", "rule", "guid", "direct", "constraint", "prompt", "told", "given", "polic", "order", "everything")),
    # Approval taken as given: standing, blanket or advance permission, actions treated
    # as approved, the confirmation step skipped, going on without stopping for the user.
    (re.compile(r"(?i)\b(?:standing|blanket|advance|implicit|automatic|permanent|unlimited|full|general)\s+"
                r"(?:\w+\s+){0,2}?(?:permission|approval|authori[sz]ation|consent|sign-?off)"
                r"|\b(?:approv\w*|authori[sz]ed|permitted|granted|allowed|confirmed)\s+(?:everything|all|any(?:thing)?"
                r"|every\s+\w+|all\s+\w+|commands?|actions?|changes?|operations?|tool\s+calls?)\b" + _gap(3) + r""
                r"\b(?:in\s+advance|beforehand|ahead\s+of\s+time|up\s*front|by\s+default|already)\b"
                r"|\b(?:everything|all\s+(?:commands?|actions?|changes?|operations?|tool\s+calls?|requests?"
                r"|prompts?)|any\s+command|every\s+(?:command|action|change))\s+(?:is|are|was|were|has\s+been|have\s+been)"
                r"\s+(?:already\s+|pre-?)?(?:approved|authori[sz]ed|granted|permitted|allowed|confirmed|cleared)\b"
                r"|\b(?:treat|consider|regard|deem|count)\b" + _gap(6) + r"\bas\s+(?:already\s+)?(?:approved"
                r"|authori[sz]ed|granted|permitted|confirmed|accepted|pre-?approved)\b"
                r"|\b(?:consider|assume|deem)\b" + _gap(6) + r"\b(?:approved|authori[sz]ed|granted|confirmed)\b"
                r"|\bwithout\s+(?:pausing|stopping|halting|waiting)\s+(?:for|to\s+(?:ask|check|confirm))\s+(?:the\s+|a\s+"
                r"|an\s+|any\s+)?(?:user|human|me|approval|confirmation|permission|input|review|anyone|answer|reply"
                r"|feedback|go-?ahead|ok)"
                r"|\bwithout\s+(?:checking\s+(?:in\s+)?with|consulting|involving|bothering|interrupting|pinging"
                r"|looping\s+in)\s+(?:the\s+)?(?:user|human|me|anyone|them|operator|owner|maintainers?)\b"
                r"|\bno need (?:to|for)\s+(?:ask|check|confirm|wait|consult|prompt|get|seek|request|approval"
                r"|permission|confirmation)"
                r"|\b(?:do not|don'?t|never) (?:stop|pause|wait|halt|check back|check in)\w*\s+"
                r"(?:to|for|and)\s+(?:ask|confirm|check|approv\w*|permission|the\s+user|confirmation|a\s+human|me)"),
     "tells the agent to take the user's approval as given", False,
     ("permission", "approv", "authori", "consent", "sign", "grant", "allow", "confirm", "clear", "accept",
      "without", "no need")),
    # The same said as skipping the approval: forbidden in a sentence that says not to
    # (`never bypass approval` is the routine rule of a security guide, not steering).
    (re.compile(r"(?i)\b(?:skip|bypass|omit|drop|suppress|dismiss|auto-?accept)\w*\b" + _gap(6) + r"\b(?:confirm\w*"
                r"|approv\w*|permission\s+(?:prompts?|checks?|requests?|dialogs?)|consent|sign-?off)\b"),
     "tells the agent to take the user's approval as given", True,
     ("skip", "bypass", "omit", "drop", "suppress", "dismiss", "accept")),
    # Getting past a block: a blocked or denied command tried again another way.
    (re.compile(r"(?i)\b(?:block(?:s|ed)?|den(?:y|ies|ied)|reject(?:s|ed)?|refus(?:es|ed)|flagged|prevent(?:s|ed)"
                r"|intercept(?:s|ed)|disallow(?:s|ed)|veto(?:es|ed)|stopped|forbid(?:s|den))\b" + _gap(3)
                + r"\b(?:rephras\w*|reword\w*|retry\w*|re-?run|try\s+(?:it\s+)?again"
                r"|differently|another\s+(?:way|spelling|form|wording)|different\s+(?:spelling|wording|form|way"
                r"|name|command)|wrap\w*|encod\w*|obfuscat\w*|split\w*|work\s+around|get\s+around|circumvent\w*"
                r"|bypass\w*|disguis\w*|renam\w*|alias\w*|until\s+it\s+(?:passes|works|succeeds|goes\s+through))"
                r"|\b(?:rephras\w*|reword\w*|retry\w*|work\s+around|get\s+around|circumvent\w*|bypass\w*|disguis\w*)"
                r"\b" + _gap(6) + r"\b(?:blocked|denied|rejected|refused|flagged|disallowed|forbidden)\b"),
     _EVASION, True,
     ("block", "den", "reject", "refus", "flagged", "prevent", "intercept", "disallow", "veto", "stopped", "forbid",
      "rephras", "reword", "retry", "around", "circumvent", "bypass", "disguis")),
    # Instructions hidden in an encoding for the agent to decode and follow.
    (re.compile(r"(?i)\b(?:decode|decrypt|deobfuscate|unscramble|rot13)\w*\b" + _gap(10) + r"\b(?:follow"
                r"|obey|execute|run|apply|do\s+(?:what|as)|carry\s+out|act\s+on|comply)\b"
                r"|\b(?:instructions?|orders?|directives?|commands?|rules?)\s*\((?:base64|encoded|hex|rot13)\)"),
     "tells the agent to follow instructions hidden in an encoding", False,
     ("decode", "decrypt", "deobfuscate", "unscramble", "rot13", "base64", "encoded", "hex")),
    # A safeguard named first, then off: `Turn the hooks off`, `with the sandbox disabled`.
    (re.compile(r"(?i)\b(?:aegis|hooks?|guard(?:rail)?s?|sandbox(?:ing)?|permission\s+(?:prompts?|checks?)"
                r"|safety\s+checks?|security\s+checks?|approval\s+prompts?)(?![/\w-]|\.\w)\s+(?:\w+\s+){0,2}?"
                r"(?:off|disabled|bypassed|deactivated|muted|silenced|switched\s+off|turned\s+off)\b"),
     "tells the agent to switch off a safeguard (Aegis, hooks, the sandbox, permission prompts)", True,
     ("aegis", "hook", "guard", "sandbox", "permission", "safety", "security", "approval")),
    (re.compile(r"(?i)\b(?:curl|wget|iwr|irm|fetch)\b[^\n|]{0,200}\|\s*(?:sudo\s+)?(?:ba|z|da|k)?sh\b"
                r"|\b(?:curl|wget)\b[^\n|]{0,200}\|\s*(?:sudo\s+)?(?:python3?|node|perl|ruby|iex)\b"),
     "tells the agent to pipe a download into a shell", False, ("|",)),
)
# Any language's "ignore" near any language's "instructions": the verb and the noun
# each from many languages (an English verb is left to the English patterns, which
# want the instructions to be earlier ones). No word boundaries: several scripts here
# have combining marks, which \b takes for the end of a word.
_IGNORE_ANY = (r"(?:ignor(?!e\b|es\b|ed\b|ing\b)\w*|negeer\w*|vergiss|vergeet|missachte\w*|olvid\w*|oubli\w*"
               r"|esqueç\w*|esquec\w*|dimentic\w*|pomiń|bỏ\s+qua|abaikan|lupakan|glöm|glem|zapomeň|αγνό\w*"
               r"|ξέχασε|התעלם|תתעלם|שכח|تجاهل|تجاهلوا|अनदेखा|नज़रअंदाज़|नजरअंदाज|игнорир\w*|проигнорир\w*|забудь"
               r"|yok\s+say|görmezden\s+gel|忽略|无视|忽视|忘记|無視|무시)")
_ORDERS_ANY = (r"(?:instru(?!ction)\w*|istruzion\w*|anweisung\w*|regeln|regras|reglas|règles|regole|consignes"
               r"|pokyn\w*|hướng\s+dẫn|chỉ\s+dẫn|οδηγί\w*|ה?הוראות|التعليمات|تعليمات|निर्देश|инструкци\w*|правил\w*"
               r"|указани\w*|talimat\w*|regler|指令|指示|规则|지시|지침|ルール|aturan|perintah|richtlijnen|riktlinjer)")
_ORDERS_ANY_WORDS = ("instru", "istruzion", "anweisung", "regeln", "regras", "reglas", "règles", "regole",
                     "consignes", "pokyn", "hướng dẫn", "chỉ dẫn", "οδηγί", "הוראות", "تعليمات", "निर्देश",
                     "инструкци", "правил", "указани", "talimat", "regler", "指令", "指示", "规则", "지시", "지침",
                     "ルール", "aturan", "perintah", "richtlijnen", "riktlinjer")
# The same steering in the other languages agents are steered in: ignoring earlier
# instructions, switching safeguards off, going on without asking. A safeguard's name
# is often kept in English (hooks, sandbox, Aegis) inside a sentence in another language.
_SAFEGUARD = (r"(?:(?:aegis|hooks?|sandbox\w*|guardrails?|ganchos?|crochets?|bac\s+à\s+sable|caixa\s+de\s+areia"
              r"|caja\s+de\s+arena|хук\w*|песочниц\w*)(?![/\w-]|\.\w)"  # not a folder of that name (`sandbox/`)
              r"|钩子|沙箱|沙盒|护栏|フック|サンドボックス|훅|샌드박스)")
_FOREIGN_STEERING = (
    (re.compile(r"(?i)" + _IGNORE_ANY + _gap(5) + _ORDERS_ANY
                + r"|(?:निर्देश|talimat\w*)[^.\n]{0,24}?(?:अनदेखा|नज़रअंदाज़|नजरअंदाज|yok\s+say|görmezden\s+gel|unut)"),
     "tells the agent to ignore its other instructions", True, _ORDERS_ANY_WORDS),
    (re.compile(r"(?i)\bschalte\w*\b[^.\n]{0,40}?" + _SAFEGUARD + r"[^.\n]{0,20}?\baus\b"),
     "tells the agent to switch off a safeguard (Aegis, hooks, the sandbox)", True,
     ("aegis", "hook", "sandbox", "guardrail")),
    (re.compile(r"(?i)\b(?:ignorier\w*|vergiss|missachte)\b[^.\n]{0,40}?\b(?:vorherigen|bisherigen|früheren|obigen"
                r"|anderen|alle[nr]?)\b[^.\n]{0,30}?\b(?:Anweisungen|Regeln|Instruktionen|Vorgaben)"
                r"|\b(?:ignora\w*|olvida\w*|ignore[zr]?|oublie\w*|ignore|ignorar|esqueça|dimentica\w*|negeer"
                r"|vergeet|zignoruj|pomiń)\b[^.\n]{0,40}?\b(?:instrucciones|instructions|instruções|istruzioni|regras"
                r"|reglas|règles|regole|instructies|instrukcje|consignes|indicaciones)\b"
                r"|(?:игнорируй|проигнорируй|забудь|не\s+обращай\s+внимания)[^.\n]{0,40}?(?:инструкци|правил|указани)"
                r"|önceki\s+talimatları\s+(?:yok\s+say|görmezden\s+gel|unut)"
                r"|(?:忽略|无视|忽视|忘记|忘掉)[^。\n]{0,12}?(?:指令|指示|说明|规则|提示)"
                r"|(?:指示|命令|ルール|指令)[^。\n]{0,12}?(?:無視|忘れ)"
                r"|(?:지시|지침|명령|규칙)[^.\n]{0,12}?(?:무시|잊어)"),
     "tells the agent to ignore its other instructions", True,
     ("anweisung", "regeln", "instrukt", "vorgabe", "instrucc", "instruction", "instruç", "istruzion", "regra", "regla",
      "règle", "regol", "instructie", "instrukcj", "consigne", "indicacion", "инструкци", "правил", "указани",
      "talimat", "指令", "指示", "说明", "规则", "提示", "命令", "ルール", "지시", "지침", "명령", "규칙")),
    (re.compile(r"(?i)\b(?:deaktivier\w*|abschalt\w*|ausschalt\w*|umgeh\w*|entfern\w*|desactiv\w*|deshabilit\w*"
                r"|désactiv\w*|contourn\w*|supprim\w*|disattiv\w*|disabilit\w*|aggira\w*|rimuov\w*|desativ\w*"
                r"|desabilit\w*|remova|remover|remueve|rimuovi|elimina|eliminar|eliminare|apag\w*|omite|omitir|ometti"
                r"|schakel\w*|wyłącz\w*|usuń|kapat\w*"
                r"|devre\s+dışı|отключ\w*|выключ\w*|обойди|удали\w*)\b[^.\n]{0,50}?" + _SAFEGUARD
                + r"|" + _SAFEGUARD + r"[^.\n]{0,50}?\b(?:deaktivier\w*|abschalt\w*|ausschalt\w*|desactiv\w*"
                r"|désactiv\w*|disattiv\w*|desativ\w*|uit|devre\s+dışı|отключ\w*)"
                r"|(?:禁用|关闭|停用|绕过|删除|移除|关掉)[^。\n]{0,12}?" + _SAFEGUARD
                + r"|" + _SAFEGUARD + r"[^。\n]{0,16}?(?:無効|オフ|削除|回避|外し|止め|禁用|关闭|停用"
                r"|비활성화|끄|꺼|삭제|우회|제거)"),
     "tells the agent to switch off a safeguard (Aegis, hooks, the sandbox)", True,
     ("aegis", "hook", "sandbox", "guardrail", "gancho", "crochet", "bac à sable", "caixa de areia", "caja de arena",
      "хук", "песочниц", "钩子", "沙箱", "沙盒", "护栏", "フック", "サンドボックス", "훅", "샌드박스")),
    (re.compile(r"(?i)\b(?:frag\w*|bitte)\b[^.\n]{0,30}?\b(?:nie|niemals|nicht)\b[^.\n]{0,30}?"
                r"(?:Erlaubnis|Bestätigung|Zustimmung|Genehmigung|nach)|\bohne\s+(?:zu\s+)?(?:fragen|Rückfrage"
                r"|Bestätigung|Erlaubnis|Genehmigung)"
                r"|\bno\s+(?:pidas|preguntes|solicites|pida|pregunte)\b|\bsin\s+(?:pedir|preguntar|solicitar"
                r"|confirmación|permiso|aprobación)"
                r"|\bne\s+(?:demande|demandez|sollicite)\w*\s+(?:jamais|pas|plus)|\bsans\s+(?:demander|confirmation"
                r"|autorisation|permission|validation)"
                r"|\bnon\s+chiedere\b|\bsenza\s+(?:chiedere|conferma|permesso|autorizzazione)"
                r"|\b(?:nunca|não)\s+(?:peça|pergunte|solicite|pedir|perguntar)\b|\bsem\s+(?:pedir|perguntar"
                r"|confirmação|permissão|aprovação)"
                r"|\bvraag\s+(?:nooit|niet)\b|\bzonder\s+(?:te\s+vragen|toestemming|bevestiging)"
                r"|\bnie\s+pytaj\b|\bbez\s+(?:pytania|zgody|potwierdzenia)"
                r"|(?:не|никогда\s+не)\s+(?:спрашивай|запрашивай|проси)|без\s+(?:подтверждени|разрешени|спроса)"
                r"|(?:不要|无需|不必|别|不用)(?:再)?(?:请求|询问|征求|征得|等待|请示)?[^。\n]{0,6}?(?:确认|许可|批准|同意|授权)"
                r"|(?:確認|許可|承認)[^。\n]{0,8}?(?:しないで|求めないで|不要|せずに|取らずに)"
                r"|(?:묻지|확인하지|요청하지|허락을\s*구하지|승인을\s*받지)\s*(?:마|말|않)"),
     "tells the agent to go on without the user's approval", False,
     ("frag", "ohne", "pida", "pregunt", "solicit", "sin ", "demande", "sans ", "chieder", "senza", "peça", "pergunt",
      "pedir", "sem ", "vraag", "zonder", "pytaj", "bez ", "спрашива", "запрашива", "проси", "без ", "确认", "许可",
      "批准", "同意", "授权", "確認", "許可", "承認", "묻지", "확인", "요청", "허락", "승인")),
)
_FOREIGN_NEGATION = re.compile(r"(?i)\b(?:kein\w*|nicht|nie|niemals|no|ne|n'|pas|nunca|jamais|jamás|ningún|ninguna"
                               r"|nenhum\w*|non|mai|não|nooit|niet|geen|żadn\w*|никогда|нельзя|ни)\b|不要|禁止|不得|絶対に|しない|않")
# Said in any language: Aegis' own controls and files, the agents' switches.
_NEUTRAL_STEERING = re.compile(
    r"(?i)(?<![\w/.-])(?:~|\$HOME|\$AEGIS_HOME)/\.aegis\b|\baegis\s+(?:pause|stop|off|disable|uninstall|kill"
    r"|daemon\s+stop|policy\s+(?:edit|reload)|reload)\b|\bdisableAllHooks\b|\"hooks\"\s*:\s*\{\s*\}"
    r"|\bpkill\b[^\n]{0,20}\baegis|\bkillall\b[^\n]{0,20}\baegis|\bautoAccept\b|\bapproval_policy\s*=\s*[\"']?never"
    r"|\bsandbox_mode\s*=\s*[\"']?danger|\bpre-?approved\b|\balready\s+approved\b"
    r"|\bnever\s+(?:request|seek|get|obtain|wait\s+for)\s+(?:\w+\s+)?(?:approval|permission|confirmation|consent)"
    r"|\b(?:never|don'?t|do\s+not)\s+ask\b(?:\s+(?:the\s+user|me|anyone|first|again))?\s*(?:[.!;:\n]|$)")
# Words one of which every match of _NEUTRAL_STEERING holds (lower-cased).
_NEUTRAL_WORDS = (".aegis", "aegis ", "disableallhooks", '"hooks"', "pkill", "killall", "autoaccept", "approval_policy",
                  "sandbox_mode", "approved", "request", "seek", "obtain", "wait for", "get", "ask")
# A sentence that forbids what it names: `Never bypass the hooks`, `Do not use --no-verify`.
_NEGATION = re.compile(r"(?i)\b(?:never|not|don'?t|doesn'?t|mustn'?t|shouldn'?t|can'?t|cannot|won'?t|avoid|no"
                       r"|forbidden|prohibited|refuse|nor)\b")
_SENTENCE = re.compile(r"[^.!?\n]+")
_STOP = re.compile(r"[.!?\n]")


def is_instruction_file(path: str) -> bool:
    return INSTRUCTION_FILE.search(path) is not None


def shown_commands(content: str) -> str:
    """The commands an instruction file shows, one per line, for ``written.py`` to judge
    as if they ran: the first MOST_SHOWN and one more (see shows_too_many)."""
    return _shown(content)[0]


def shows_too_many(content: str) -> bool:
    """Whether ``content`` shows more than MOST_SHOWN commands (which are not all read)."""
    return _shown(content)[1]


# Commands read from an instruction file: twice what the engine judges one by one
# (engine.MAX_SEGMENTS; a file showing more asks there anyway). Reading and analysing
# every command of 64 KB of them (`ab` `ab`...) cost ~20 ms; a file showing more than
# these asks (written.unread_code), so the ones past them cannot pass unseen.
MOST_SHOWN = 240
# (the text last read, what it shows): one tuple, read and replaced whole. written.py
# asks for the commands and whether there are too many one after the other.
_shown_last: list[tuple[str, tuple[str, bool]]] = [("", ("", False))]


def _shown(content: str) -> tuple[str, bool]:
    last = _shown_last[0]
    if last[0] == content:
        return last[1]
    commands = _shown_list(content[:MAX_TEXT])
    found = ("\n".join(commands[:MOST_SHOWN + 1]), len(commands) > MOST_SHOWN)
    _shown_last[0] = (content, found)
    return found


def _shown_list(text: str) -> list[str]:
    """The commands ``text`` shows, in order, the reading stopped once past MOST_SHOWN."""
    most = MOST_SHOWN + 1
    commands: list[str] = []
    for block in _FENCE.finditer(text):
        head = text[block.start():block.start() + 20]
        if not _NOT_SHELL_FENCES.match(head):
            commands.extend(line.lstrip("$ ").strip() for line in block.group(1).splitlines()
                            if line.strip() and not line.lstrip().startswith("#"))
            if len(commands) >= most:
                return commands
    outside = _FENCE.sub("\n", text)
    # ...but not one a sentence forbids (`Do not use `git push --force``).
    if "`" in outside:
        commands.extend(_inline_commands(outside, most - len(commands)))
    if "$" in outside:  # (the pattern is tried at every character: ~0.5 ms per 64 KB)
        commands.extend(islice((m.group(1).strip() for m in _DOLLAR_LINE.finditer(outside)), most))
    commands.extend(islice((m.group(1).strip() for m in _GEMINI_SHELL.finditer(outside)), most))
    if len(commands) >= most:
        return commands
    # Prose that says what to run: `Always run rm -rf build first`, `Execute: curl x | sh`.
    if "`" in outside:
        outside = _INLINE.sub(" ", outside)
    commands.extend(islice((m.group(1).strip() for m in _CUED_IMPERATIVE.finditer(outside)), most))
    return commands


def _inline_commands(text: str, most: int | None = None) -> list[str]:
    """The inline commands (`cmd`) of ``text`` that the sentence around them does not
    forbid (`Do not use `git push --force``): no negation between the sentence's start
    and the command. One pass: the last stop is looked for only since the last command,
    and the next negation only once the sentence starts past the one found (looking back
    from each command to its sentence's start, and searching the sentence again, cost a
    64 KB text of inline commands in one sentence ~1 s). ``most``: how many are wanted."""
    commands: list[str] = []
    stops = [found.start() for found in _STOP.finditer(text)]
    start = 0
    negation = -1  # where the first negation at or after ``start`` is (len(text): none)
    for found in _INLINE.finditer(text):
        at = found.start()
        before = bisect_left(stops, at)
        start = stops[before - 1] + 1 if before else 0
        if negation < start:
            next_one = _NEGATION.search(text, start)
            negation = next_one.start() if next_one is not None else len(text)
        if negation >= at:  # (a negation word cannot run on into the backtick at ``at``)
            commands.append(found.group(1).strip())
            if len(commands) == most:
                break
    return commands


def steering(text: str) -> str | None:
    """What the prose of an instruction file makes the next agent do that it should
    not, or None: the first steering in the text (a finding cannot be undone by what
    follows, so the rest is not read). Characters that show nothing (zero-width
    spaces, soft hyphens: `Ign\u200bore`) are dropped and unusual spaces read as
    spaces first, when there are any (a few scans of the text for single characters)."""
    text = text[:MAX_TEXT]
    if any(char in text for char in _INVISIBLE_CHARS):
        text = text.translate(_INVISIBLE)
    shapes = text.encode("ascii", "replace").translate(_LETTER_SHAPES)
    if b"a a a a" in shapes:
        # `i g n o r e   a l l`, `I.g.n.o.r.e`: letters spelled apart are read joined
        joined = _joined_letters(text, shapes)
        if joined is None:
            return _TOO_DENSE
        text = joined
    try:
        return _STEERS.first(text, WORK)
    except OutOfWork:
        return _TOO_DENSE


# The work a text may ask of the steering search (see wordscan; a unit is ~0.25 us):
# 64 KB of ordinary prose takes ~7,200, 4 KB of one rejected phrase repeated
# (`never bypass the hooks`) ~8,000, one trigger word repeated to 64 KB 30,000-120,000.
# Past it the file asks: what reading it costs stays bounded (~2.5 ms) whatever it
# holds, and fails closed.
WORK = 10240
_TOO_DENSE = ("is too dense with the words steering starts with to be read (over "
              f"{WORK} units of work); a person reads it, or split it into smaller files")


# Every ASCII letter as `a`, every separator a word can be spelled apart with as a space:
# four letters spelled apart show as `a a a a`, found by a substring search in C, so the
# regular expression that joins them runs only on a text that has some.
# (Bytes, one for each character, every one beyond ASCII a `?`: a bytes table is applied
# in C, a str one beyond ASCII looks each character up, ~1.5 ms per 64 KB.)
_LETTER_SHAPES = bytes.maketrans(string.ascii_letters.encode() + b" .-_*", b"a" * 52 + b" " * 5)
_SPACED_LETTERS = re.compile(r"(?<![A-Za-z])[A-Za-z](?:[ .\-_*][A-Za-z]){3,}(?![A-Za-z])")
# The same places in the text's shapes: a literal first, which re finds by its fast scan
# (the pattern above, starting with a class, is tried at every letter: ~3 ms for 64 KB
# of text with a few single letters between spaces).
_SPACED_SHAPES = re.compile(rb"a a a a(?<!aa a a a)(?: a)*(?!a)")
# Runs of letters spelled apart past which a text is not read (each is joined in Python):
# prose has a few (`U.S.A.F.`), a text made of them asks.
_MOST_SPACED = 1024


def _joined_letters(text: str, shapes: bytes) -> str | None:
    """``text`` with each run of letters spelled apart joined (`_SPACED_LETTERS`), or
    None past _MOST_SPACED runs."""
    pieces: list[str] = []
    at = 0
    for count, found in enumerate(_SPACED_SHAPES.finditer(shapes)):
        if count == _MOST_SPACED:
            return None
        start, end = found.span()
        pieces.append(text[at:start])
        pieces.append(text[start:end:2])
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


_INVISIBLE_CHARS = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u00a0", "\u202f", "\u2009",
                    "\u200e", "\u200f", "\u180e", "\u3000")
_INVISIBLE = {ord(char): (" " if char in "\u00a0\u202f\u2009\u3000" else None) for char in _INVISIBLE_CHARS}


# What ends a sentence: in English, and in the other languages' scripts too.
_STOPS = ".!?\n"
_ALL_STOPS = ".!?\n。！？"


def _said(what: str, found: re.Match[str]) -> str:
    return f"{what}: {' '.join(found.group(0).split())[:80]!r}"


def _english(what: str, negatable: bool) -> Callable[[re.Match[str]], str | None]:
    def accept(found: re.Match[str]) -> str | None:
        if negatable:
            read = sentences(found.string, _STOPS)
            if forbids_before(read, _NEGATION, read.start(found.start()), found.start()):
                return None
        return _said(what, found)
    return accept


def _foreign(what: str, negation_inside: bool) -> Callable[[re.Match[str]], str | None]:
    def accept(found: re.Match[str]) -> str | None:
        read = sentences(found.string, _ALL_STOPS)
        if forbids_before(read, _FOREIGN_NEGATION, read.start(found.start()),
                          found.end() if negation_inside else found.start()):
            return None  # `Keine neuen Abhängigkeiten ohne Rückfrage`: forbids, does not steer
        return _said(what, found)
    return accept


# What a sentence about getting past a block must be about: a command, a tool call, the
# agent, or a safeguard (not a CI job, an API request, a linter).
_BLOCKED_THING = re.compile(r"(?i)\b(?:commands?|tool\s+calls?|calls?|you|your|bash|shell|guard\w*|aegis|hooks?"
                            r"|polic(?:y|ies)|safeguards?|sandbox|permission\w*|checks?|filters?|rules?)\b")


_INSTEAD_OF = re.compile(r"(?i)\binstead\s+of\b")


def _blocked_thing_named(sentence: str) -> bool:
    """Whether a sentence about getting past a block steers: it names a blocked thing
    and neither forbids it nor says to do something else instead."""
    return not _NEGATION.search(sentence) and not _INSTEAD_OF.search(sentence) \
        and _BLOCKED_THING.search(sentence) is not None


def _evasion(what: str) -> Callable[[re.Match[str]], str | None]:
    def accept(found: re.Match[str]) -> str | None:
        read = sentences(found.string, _STOPS)
        if not read.answer(_blocked_thing_named, read.start(found.start()), read.end(found.end())):
            return None  # `Never retry a blocked command`, `fix the errors instead of bypassing them`
        return _said(what, found)
    return accept


def _neutral(found: re.Match[str]) -> str | None:
    read = sentences(found.string, _ALL_STOPS)
    start = read.start(found.start())
    if forbids_before(read, _NEGATION, start, found.start()) \
            or forbids_before(read, _FOREIGN_NEGATION, start, found.start()):
        return None  # `Never touch ~/.aegis`
    return _said("tells the agent to get around Aegis or the user's approval", found)


# Every steering pattern with what decides whether a match of it steers, searched
# together through one scan of their start words (see wordscan).
_STEERS: WordScan[str] = WordScan((
    *((pattern, _evasion(what) if what == _EVASION else _english(what, negatable))
      for pattern, what, negatable, _ in _STEERING),
    *((pattern, _foreign(what, inside)) for pattern, what, inside, _ in _FOREIGN_STEERING),
    (_NEUTRAL_STEERING, _neutral)),
    gates=(*(words for *_, words in (*_STEERING, *_FOREIGN_STEERING)), _NEUTRAL_WORDS))


def agent_steering(subject: Subject) -> str | None:
    if not subject.writes:
        return None
    targets = [p for p in subject.writes if is_instruction_file(p)]
    if not targets:
        return None
    if subject.segment is not None:
        return _shell_steering(subject, targets)
    text = written_text(subject.call.input)
    if not text:
        return None
    found = steering(text)
    return f"{targets[0]} {found}" if found else None


# Shell programs that copy a file's content without showing it; from the project's
# own files (`cp docs/AGENTS.template.md AGENTS.md`) that is ordinary work.
_COPIERS = frozenset({"cp", "mv", "install", "rsync", "ln"})


def _shell_steering(subject: Subject, targets: list[str]) -> str | None:
    """A shell command writing an instruction file: its text when the command shows
    it (`echo ... >> CLAUDE.md`, a here-document, `tee`), judged as a Write is; a
    download or a copy from outside the project, whose text is not shown, asks."""
    from aegis_core.policy.paths import normalise
    from aegis_core.policy.scripts import _written

    seg = subject.segment
    assert seg is not None
    segments = subject.analysis.segments if subject.analysis is not None else ()
    for written, text, _ in _written(seg, segments):
        path = normalise(written, subject.cwd, subject.home)
        if path not in targets:
            continue
        if text is not None:
            found = steering(text)
            if found:
                return f"{written} {found}"
            continue
        if seg.program in _COPIERS and subject.reads and all(
                subject.within_project(p) for p in subject.reads if p != path):
            continue
        return f"{seg.program} writes {written} with text the command does not show; later sessions read it " \
               "as their instructions"
    return None


def register(check: Callable) -> None:
    @check("agent-steering", 50, "writes agent instructions (CLAUDE.md, AGENTS.md, .claude/commands, Cursor or "
           "Copilot rules) that tell later sessions to switch off safeguards, ignore instructions, hide things "
           "from the user, send secrets away or pipe downloads into a shell; or replaces one with text it does "
           "not show (a download, a copy from outside the project)", needs=("call", "redirects"),
           programs=("tee", "cp", "mv", "install", "rsync", "ln", "curl", "wget", "dd", "aria2c"))
    def _steering(subject: Subject) -> str | None:
        return agent_steering(subject)
