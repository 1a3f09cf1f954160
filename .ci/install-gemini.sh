#!/usr/bin/env bash
# Install the pinned Gemini CLI for the tests into .ci/cache/gemini and print the path
# of its `gemini` binary (see install-npm.sh). GEMINI_CLI_VERSION overrides the pinned version.
set -euo pipefail
exec "$(dirname "$0")/install-npm.sh" gemini @google/gemini-cli "${GEMINI_CLI_VERSION:-0.61.0}" gemini "$@"
