#!/usr/bin/env bash
# Install the pinned Codex CLI for the tests into .ci/cache/codex and print the path of
# its `codex` binary (see install-npm.sh). CODEX_VERSION overrides the pinned version.
set -euo pipefail
exec "$(dirname "$0")/install-npm.sh" codex @openai/codex "${CODEX_VERSION:-0.171.0}" codex "$@"
