# guard.sh SECONDS PROGRAM ARGS...: how Aegis registers its hook client with agents that
# let the tool run when a hook fails (Codex CLI, Gemini CLI). It runs the client under a
# hard deadline (below the agent's own hook timeout) and lets through only the client's
# two answers: allow (exit 0, no output) and deny (exit 2, the reason). Anything else (a
# crash, a hang, a missing interpreter, exit 2 without a reason, stray output) becomes
# exit 2 with a reason, which those agents treat as a block.
#
# The client answers these agents by exit status and stderr alone, so nothing it prints
# is passed on as such: Gemini reads a JSON object on stdout as the decision whatever the
# exit status, and a reason that parsed as JSON would be read the same way.
limit=$1
shift
if command -v timeout >/dev/null 2>&1; then
  set -- timeout -k 1 "$limit" "$@"
fi
output=$("$@" 2>&1)
status=$?
if [ "$status" -eq 0 ] && [ -z "$output" ]; then
  exit 0
fi
if [ "$status" -eq 2 ] && [ -n "$output" ]; then
  case $output in
    Aegis*) ;;
    *) output="Aegis: $output" ;;  # never text an agent could read as JSON
  esac
  printf '%s\n' "$output" >&2
  exit 2
fi
case $status in
  0) why="it answered allow but also printed something" ;;
  124) why="it gave no decision within $limit s" ;;
  126|127) why="it could not be started (was the Aegis virtualenv removed?)" ;;
  2) why="it blocked without a reason" ;;
  *) if [ "$status" -gt 128 ]; then
       why="it was killed (signal $((status - 128)))"
     else
       why="it failed (exit status $status)"
     fi ;;
esac
printf 'Aegis denied this call to be safe: its hook client %s. Run `aegis doctor`; it names the fix. %s\n' \
  "$why" "$output" >&2
exit 2
