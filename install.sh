#!/usr/bin/env bash
# Install Aegis (core + its plugins) into ./.venv, put `aegis` on your PATH
# (~/.local/bin), and start the daemon on its embedded defaults: the built-in
# policy and the terminal channel, so `aegis wrap claude` works next with no account.
#
#   ./install.sh              install and start
#   ./install.sh --no-start   install only (CI does this before running the tests)
#   ./install.sh --editable   install this checkout in place (pip install -e), to work on Aegis
#
# Without --editable Aegis is copied into .venv: after a `git pull`, run it again.
set -euo pipefail
cd "$(dirname "$0")"

start=1
editable=""
for arg in "$@"; do
  case "$arg" in
    --no-start) start=0 ;;
    --editable) editable="-e" ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "install.sh: Aegis needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
  exit 3
fi

# The OS sandbox every wrapped agent runs in (Linux): bubblewrap, from the system's
# packages. Without it `aegis wrap` still runs agents, loudly marked unsandboxed.
if [ "$(uname -s)" = Linux ] && ! command -v bwrap >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "==> installing bubblewrap (the sandbox agents run in)"
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && apt-get install -y -qq bubblewrap
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo apt-get update -qq && sudo apt-get install -y -qq bubblewrap
    fi
  fi
  command -v bwrap >/dev/null 2>&1 || echo "WARNING: bubblewrap is not installed: agents would run UNSANDBOXED." \
    "Install it (Debian/Ubuntu: sudo apt-get install bubblewrap; Fedora: sudo dnf install bubblewrap)" >&2
fi

echo "==> creating .venv"
"$python" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
echo "==> installing aegis-core and plugins (claude-hook, codex, gemini, copilot, cursor, pty, telegram, whatsapp)"
# A regular install by default: what runs is a copy in .venv, so nothing an agent edits in
# this checkout changes the daemon or the hook client, and no editable finder slows every
# interpreter start. --editable keeps the checkout live for contributors.
plugins=(claude-hook codex gemini copilot cursor pty telegram whatsapp)
args=($editable ".[test,postgres]")
for plugin in "${plugins[@]}"; do args+=($editable "plugins/aegis-$plugin"); done
.venv/bin/python -m pip install --quiet "${args[@]}"

mkdir -p "$HOME/.local/bin"
ln -sf "$PWD/.venv/bin/aegis" "$HOME/.local/bin/aegis"
echo "==> linked $HOME/.local/bin/aegis"

if [ "$start" = 1 ]; then
  .venv/bin/aegis start
  case ":$PATH:" in
    *":$HOME/.local/bin:"*) ;;
    *) echo "note: add ~/.local/bin to your PATH (or run .venv/bin/aegis)" ;;
  esac
fi
