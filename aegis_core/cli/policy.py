"""``aegis policy``: validate a policy file, judge calls against it (one, or a batch of
JSON lines), and explain how a verdict was reached."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from aegis_core.errors import ConfigError, ExitCode
from aegis_core.models import Action, ToolCall, Verdict, strictest
from aegis_core.tools import kind_of


def _policy_path(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    from aegis_core.config import load_config

    return load_config().path("policy", "path", "policy.toml")


def _load(explicit: str | None) -> Any:
    from aegis_core.policy import load_policy

    path = _policy_path(explicit)
    if not path.exists():
        if explicit:
            raise ConfigError(f"no policy file at {path}", hint="check the path, or omit --policy "
                              "to use your configured policy (or the built-in default)")
        return load_policy(None)
    return load_policy(path)


def judge(policy: Any, call: ToolCall) -> Verdict:
    """The policy's verdict with the built-in risk scorer's second look (as the daemon
    runs them: ``evaluate``, then the risk plugin's ``critique``)."""
    from aegis_core.policy import risk

    verdict = policy.evaluate(call)
    return strictest([verdict, risk.review(call, verdict)], empty_reason="no verdict")


def _line(verdict: Verdict) -> str:
    return json.dumps({"action": verdict.action.value, "rule": verdict.rule,
                       "reason": verdict.reason, "risk": verdict.risk}, ensure_ascii=False)


def _malformed(reason: str) -> str:
    return json.dumps({"action": Action.DENY.value, "rule": "aegis:malformed-input",
                       "reason": f"{reason}; denied. Send one JSON object per line: "
                                 '{"tool": "Bash", "input": {"command": "..."}, "cwd": "/path"}',
                       "risk": 100})


def agent_call(agent: str, tool: str, tool_input: dict[str, Any], cwd: str, plugins: Any = None) -> ToolCall:
    """The ToolCall ``agent``'s adapter would build for this call (its own tool names,
    kinds and extracted paths): what ``--agent`` judges. ValueError when no installed
    adapter of that name can describe calls."""
    if plugins is None:
        from aegis_core.plugins import AegisPlugins

        plugins = AegisPlugins.load()
    adapters = plugins.adapters()
    describe = getattr(adapters.get(agent), "tool_call", None)
    if describe is None:
        able = sorted(name for name, a in adapters.items() if getattr(a, "tool_call", None) is not None)
        raise ValueError(f"no installed adapter {agent!r} describes tool calls "
                         f"(have: {', '.join(able) or 'none'}); install it, e.g. pip install aegis-{agent}")
    call = describe(tool, tool_input, cwd)
    if not isinstance(call, ToolCall):
        raise ValueError(f"adapter {agent!r} could not describe the call")
    return call


def call_from_json(data: Any, default_cwd: str, plugins: Any = None) -> ToolCall:
    """A ToolCall from a ``{"tool", "input", "cwd", "agent"?}`` object; ValueError if
    malformed. With ``agent``, that agent's adapter builds it (see ``agent_call``)."""
    if not isinstance(data, dict):
        raise ValueError("the line is not a JSON object")
    tool = data.get("tool")
    if not isinstance(tool, str) or not tool:
        raise ValueError("'tool' must be a non-empty string")
    tool_input = data.get("input", {})
    if not isinstance(tool_input, dict):
        raise ValueError("'input' must be an object")
    cwd = data.get("cwd", default_cwd)
    if not isinstance(cwd, str):
        raise ValueError("'cwd' must be a string")
    agent = data.get("agent")
    if agent is not None:
        if not isinstance(agent, str) or not agent:
            raise ValueError("'agent' must be an adapter name (claude, codex, gemini...)")
        return agent_call(agent, tool, tool_input, cwd, plugins)
    return ToolCall(agent="aegis-policy-test", tool=tool, kind=kind_of(tool), input=tool_input, cwd=cwd)


def _single_call(tool: str | None, command: str | None, path: str | None, input_json: str | None,
                 cwd: str | None, agent: str | None = None, given: str | None = None) -> ToolCall:
    """The call the options describe; ``given``: the shell command given as the argument
    (`aegis policy explain 'rm -rf ~'`), the same as --command."""
    if given is not None:
        if command is not None:
            raise click.UsageError("give the shell command once: as the argument or with --command")
        command = given
    tool_input: dict[str, Any] = {}
    if input_json:
        try:
            parsed = json.loads(input_json)
        except json.JSONDecodeError as exc:
            raise click.UsageError(f"--input is not valid JSON: {exc}") from exc
        if not isinstance(parsed, dict):
            raise click.UsageError("--input must be a JSON object")
        tool_input.update(parsed)
    if command is not None:
        tool_input["command"] = command
    if path is not None:
        tool_input["file_path"] = path
    if tool is None:
        tool = "Bash" if "command" in tool_input else "Read" if tool_input.get("file_path") else None
    if tool is None:
        raise click.UsageError("say what to judge: --command, --path, or --tool with --input")
    if agent is not None:
        try:
            return agent_call(agent, tool, tool_input, cwd or os.getcwd())
        except ValueError as exc:
            raise click.UsageError(str(exc)) from exc
        except Exception as exc:  # the adapter's own reading of the call failed
            raise click.UsageError(f"{agent} could not read this call: {exc}") from exc
    return ToolCall(agent="aegis-policy-test", tool=tool, kind=kind_of(tool), input=tool_input,
                    cwd=cwd or os.getcwd())


_call_options = [
    click.option("--tool", help="Tool name (Bash, Read, Write, WebFetch, mcp__x__y, or bash, read_file...)."),
    click.option("--command", "command", help="Shell command (tool defaults to Bash)."),
    click.option("--path", help="File path (tool defaults to Read)."),
    click.option("--input", "input_json", help="The tool input as a JSON object."),
    click.option("--cwd", help="Working directory of the call (default: the current one)."),
    click.option("--agent", help="Judge the call as this agent's adapter sees it (claude, codex, gemini...): "
                 "its tool names (run_shell_command, apply_patch...) and the paths it extracts."),
    click.option("--policy", "policy_file", type=click.Path(dir_okay=False),
                 help="Policy file (default: [policy] path, or the built-in default)."),
]


def _with_call_options(fn: Any) -> Any:
    for option in reversed(_call_options):
        fn = option(fn)
    return click.argument("given", required=False, metavar="[COMMAND]")(fn)


@click.group()
def policy() -> None:
    """Check and try out the policy."""


@policy.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.pass_context
def validate(ctx: click.Context, file: str | None) -> None:
    """Check a policy file (default: the configured one) and list every error."""
    from aegis_core.policy import PolicyError, load_policy

    path = _policy_path(file)
    if not path.exists():
        if file:
            raise ConfigError(f"no policy file at {path}", hint="check the path")
        click.echo(f"no policy file at {path}; the built-in default policy is used (valid)")
        return
    try:
        loaded = load_policy(path)
    except PolicyError as exc:
        for issue in exc.issues:
            click.echo(str(issue), err=True)
        click.echo(f"{len(exc.issues)} error(s); the policy was not loaded", err=True)
        ctx.exit(int(ExitCode.CONFIG))
    except ConfigError as exc:
        click.echo(exc.message if ":" in exc.message else f"{path}:1: {exc.message}", err=True)
        ctx.exit(int(ExitCode.CONFIG))
    else:
        click.echo(f"{path}: valid ({len(loaded.rules)} rules, default {loaded.default_action.value})")


@policy.command()
@_with_call_options
@click.option("--batch", is_flag=True, help="Read JSON lines {tool, input, cwd} on stdin; "
              "write one JSON verdict line per input line, in order.")
def test(given: str | None, tool: str | None, command: str | None, path: str | None, input_json: str | None,
         cwd: str | None, agent: str | None, policy_file: str | None, batch: bool) -> None:
    """Judge one call (a shell COMMAND, or as the options say), or (--batch) many,
    without running anything."""
    loaded = _load(policy_file)
    if not batch:
        click.echo(_line(judge(loaded, _single_call(tool, command, path, input_json, cwd, agent, given))))
        return
    if given is not None:
        raise click.UsageError("--batch reads the calls on stdin: give no COMMAND")
    default_cwd = cwd or os.getcwd()
    plugins = _Plugins()
    out = sys.stdout
    for raw in sys.stdin.buffer:
        out.write(_batch_line(loaded, raw, default_cwd, plugins, agent) + "\n")
        out.flush()


class _Plugins:
    """The installed plugins, loaded the first time a batch line names an agent."""

    def __init__(self) -> None:
        self._loaded: Any = None

    def adapters(self) -> Any:
        if self._loaded is None:
            from aegis_core.plugins import AegisPlugins

            self._loaded = AegisPlugins.load()
        return self._loaded.adapters()


def _batch_line(loaded: Any, raw: bytes, default_cwd: str, plugins: Any = None, agent: str | None = None) -> str:
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        return _malformed("the line is not valid UTF-8")
    if not text:
        return _malformed("the line is empty")
    try:
        data = json.loads(text)
        if agent is not None and isinstance(data, dict):
            data.setdefault("agent", agent)
        call = call_from_json(data, default_cwd, plugins)
    except (ValueError, RecursionError) as exc:
        return _malformed(f"malformed input line ({str(exc)[:200]})")
    except Exception as exc:  # an adapter that could not read the call: denied, never a traceback
        return _malformed(f"the agent's adapter could not read the call ({type(exc).__name__}: {str(exc)[:200]})")
    try:
        return _line(judge(loaded, call))
    except Exception as exc:  # never a traceback, never an allow
        return _malformed(f"could not judge the call ({type(exc).__name__})")


@policy.command()
@_with_call_options
@click.option("--json", "as_json", is_flag=True, help="Print the trace as JSON.")
def explain(given: str | None, tool: str | None, command: str | None, path: str | None, input_json: str | None,
            cwd: str | None, agent: str | None, policy_file: str | None, as_json: bool) -> None:
    """Show how a call (a shell COMMAND, or as the options say) is judged: segments,
    wrappers unwrapped, rules tried, the one that fired."""
    loaded = _load(policy_file)
    call = _single_call(tool, command, path, input_json, cwd, agent, given)
    trace = loaded.explain(call)
    final = judge(loaded, call)
    if as_json:
        data = trace.to_dict()
        data["final"] = final.to_dict()
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(f"policy: {loaded.source}")
    for line in trace.lines():
        click.echo(line)
    if final.action is not trace.verdict.action:
        click.echo(f"after the risk scorer: {final.action.value} (rule {final.rule}: {final.reason})")


@policy.command("default")
def show_default() -> None:
    """Print the built-in default policy (a starting point for your policy.toml)."""
    from aegis_core.policy.loader import default_policy_text

    click.echo(default_policy_text(), nl=False)
