#!/usr/bin/env bash
# Install the pinned Claude Code CLI for the end-to-end tests and print the path of
# its `claude` binary on stdout (everything else goes to stderr).
#   .ci/install-claude.sh            -> into .ci/cache/claude-code (gitignored)
#   .ci/install-claude.sh --global   -> npm install -g
# CLAUDE_CODE_VERSION overrides the pinned version.
set -euo pipefail

VERSION="${CLAUDE_CODE_VERSION:-2.1.330}"
PACKAGE="@anthropic-ai/claude-code@${VERSION}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="${ROOT}/.ci/cache/claude-code"

if ! command -v npm >/dev/null 2>&1; then
    echo "install-claude: npm not found; install Node.js 22+ with npm (the pinned Claude Code declares node >= 22)" >&2
    exit 7
fi

installed_version() {  # the version a `claude` binary reports, or nothing
    "$1" --version 2>/dev/null | awk '{print $1}' || true
}

if [[ "${1:-}" == "--global" ]]; then
    npm install -g --no-audit --no-fund "${PACKAGE}" >&2
    BIN="$(npm prefix -g)/bin/claude"
else
    BIN="${PREFIX}/node_modules/.bin/claude"
    if [[ ! -x "${BIN}" || "$(installed_version "${BIN}")" != "${VERSION}" ]]; then
        mkdir -p "${PREFIX}"
        # A few spaced attempts ride out a registry hiccup. (TLS errors that persist
        # mean Node lacks the machine's CA: NODE_EXTRA_CA_CERTS must reach npm.)
        for attempt in 1 2 3; do
            npm install --prefix "${PREFIX}" --no-audit --no-fund --no-save "${PACKAGE}" >&2 && break
            [[ "${attempt}" == 3 ]] && { echo "install-claude: npm install failed 3 times" >&2; exit 4; }
            echo "install-claude: npm install failed (attempt ${attempt}); retrying in 20 s" >&2
            sleep 20
        done
    fi
fi

if [[ ! -x "${BIN}" ]]; then
    echo "install-claude: ${PACKAGE} installed but ${BIN} is missing" >&2
    exit 1
fi
echo "install-claude: $("${BIN}" --version 2>/dev/null) at ${BIN}" >&2
echo "${BIN}"
