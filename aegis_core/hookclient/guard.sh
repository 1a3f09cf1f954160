# guard.sh SECONDS PROGRAM ARGS...: how Aegis registers its hook client with agents that
# let the tool run when a hook fails (Codex CLI, Gemini CLI). It runs the client under a
# hard deadline (below the agent's own hook timeout) and lets through only the client's
# two answers: allow (exit 0, nothing on stderr) and deny (exit 2, the reason on stderr).
# Anything else (a crash, a hang, a missing interpreter, exit 2 without a reason) becomes
# exit 2 with a reason, which those agents treat as a block.
limit=$1
shift
if command -v timeout >/dev/null 2>&1; then
  set -- timeout -k 1 "$limit" "$@"
fi
# The client's stdout passes through (fd 3); its stderr is kept to check it.
exec 3>&1
reason=$("$@" 2>&1 >&3 3>&-)
status=$?
exec 3>&-
if [ "$status" -eq 0 ] && [ -z "$reason" ]; then
  exit 0
fi
if [ "$status" -eq 2 ] && [ -n "$reason" ]; then
  printf '%s\n' "$reason" >&2
  exit 2
fi
case $status in
  0) why="it answered allow but also wrote an error" ;;
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
  "$why" "$reason" >&2
exit 2
