#!/usr/bin/env bash
# Install the pinned Claude Code CLI for the end-to-end tests and print the path of
# its `claude` binary on stdout (everything else goes to stderr).
#   .ci/install-claude.sh            -> into .ci/cache/claude-code (gitignored)
#   .ci/install-claude.sh --global   -> npm install -g
# CLAUDE_CODE_VERSION overrides the pinned version.
set -euo pipefail
VERSION="${CLAUDE_CODE_VERSION:-2.1.330}"  # it declares node >= 22 (the README says so)
exec "$(dirname "$0")/install-npm.sh" claude-code @anthropic-ai/claude-code "${VERSION}" claude "$@"
