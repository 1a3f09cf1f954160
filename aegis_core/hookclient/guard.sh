# guard.sh SECONDS [--deny-json=FORMAT] PROGRAM ARGS...: how Aegis registers its hook
# client with agents that let the tool run when a hook fails (Codex CLI, Gemini CLI,
# Copilot CLI): only the client's own allow and deny (statuses 100 and 102) get
# through; anything else is a block with a reason. How and why: the notes at the end,
# after the code, where the shell never reads them (every path exits first; a shell
# parses a script as it runs it, and these lines run on every tool call).
set +e
AEGIS_GUARD_DEADLINE=$1
export AEGIS_GUARD_DEADLINE
shift
deny_json= why=
case $1 in --deny-json=*) deny_json=${1#--deny-json=}; shift ;; esac
cpu=$AEGIS_GUARD_DEADLINE
case $cpu in [0-9]|10) ;; *) cpu=10 ;; esac
ulimit -t "$cpu" 2>/dev/null
if [ -z "$deny_json" ]; then
  "$@" >&2
  status=$?
else
  answer=$("$@")
  status=$?
  if [ "$status" = 100 ]; then
    [ -n "$answer" ] && printf '%s\n' "$answer"
    exit 0
  fi
  [ "$status" = 102 ] && why="denied the call with its reason on stderr only"
fi
[ -z "$why" ] && case $status in
  100) exit 0 ;;
  102) exit 2 ;;
  0) why="ended without giving a decision (exit status 0)" ;;
  2) why="blocked without its own reason (exit status 2)" ;;
  142) why="gave no decision within $AEGIS_GUARD_DEADLINE s and was ended there (SIGALRM)" ;;
  126|127) why="could not be started (was the Aegis virtualenv removed?)" ;;
  137) why="was killed (signal 9), at its limit of $cpu s of CPU time without a decision or by the system" ;;
  *) if [ "$status" -gt 128 ]; then
       why="was killed (signal $((status - 128)))"
     else
       why="failed (exit status $status)"
     fi ;;
esac
reason="Aegis denied this call to be safe: its hook client $why. Run \`aegis doctor\`; it names the fix."
if [ -n "$deny_json" ]; then
  # The reason is this file's own words (no quote or backslash): a JSON string as is.
  # shellcheck disable=SC2059
  printf "$deny_json\n" "\"$reason\""
  exit 0
fi
printf '%s\n' "$reason" >&2
exit 2

# Notes (never parsed: every path above exits)
#
# The guard runs the client and lets through only the client's two answers: allow and deny (the reason the client wrote on
# stderr), which the client, told by AEGIS_GUARD_DEADLINE that it runs here, ends with
# statuses of its own (100 and 102, transport.GUARDED_STATUS) and the guard turns back
# into 0 and 2. Anything else (a crash, a kill, a missing interpreter, a bare exit 0 or
# 2, any other status) becomes exit 2 with a reason, which those agents treat as a block.
#
# The hard deadline is the client's own, armed first thing in its process (run.py: a
# SIGALRM at AEGIS_GUARD_DEADLINE seconds with its default action, so the kernel ends the
# process even when the interpreter itself is stuck), so that no `timeout` process and
# no capture of the output sit on the path of every tool call.
#
# Nothing the client prints reaches stdout: these agents read a decision from its exit
# status and stderr alone, and Gemini would read a JSON object on stdout as the decision
# whatever the exit status.
#
# Run as `/bin/sh guard.sh ...`, or sourced as `. guard.sh ...` by an agent that runs
# every hook with `bash -c` (Gemini CLI): then that shell is the guard, one process fewer
# on every call, and `exit` below ends it. errexit (from the user's SHELLOPTS) would end
# it early with the client's own status, which these agents read as a failed hook (the
# tool would run): it is off here, as it is anyway left of the `|| exit 2` registered
# after the `.`, which also blocks the call when this file cannot be read.
#
# The interpreter's own start-up, before run.py can arm anything, is bounded in CPU
# time: this shell sets RLIMIT_CPU (soft = hard, so the kernel sends SIGKILL) to the
# deadline, at most 10 s (a deadline of more than one digit but 10, or not a whole
# number at all, gets 10: a pattern match, where a numeric test would cost a
# redirection of its error on every call), and the client inherits it; the client uses a few
# milliseconds of CPU even while it waits minutes on a human, and the limit counts each
# process's own time, so the shell's does not eat into the client's. A start-up that
# spins is cut there for one setrlimit per call; one blocked in the kernel (a stuck
# file system) still is not: a wall-clock bound this early needs timeout(1), one more
# fork and exec on every call (+0.5 to 1.0 ms measured, 4-7% of the interpreter's
# start), so it is left to the agent's own timeout. A limit that cannot be set (a lower
# hard limit is already there) leaves that one in place.
# With --deny-json (Copilot CLI, which blocks a call only on a JSON deny on stdout and
# ignores a hook's exit status), the block is that JSON instead: FORMAT is the agent's
# deny object with one %s where the reason goes (a JSON string), the guard always exits
# 0, and the client's stdout is captured (never passed through half-written) and let
# out only with one of its answers (exit status 100). Its 102 (a deny whose reason went
# to stderr, the client's last resort) and every failure become the guard's own JSON deny.
