#!/usr/bin/env bash
# Install one pinned npm CLI for the tests into .ci/cache/NAME (never globally) and
# print the path of its binary on stdout (everything else goes to stderr).
#   .ci/install-npm.sh NAME PACKAGE VERSION BIN [--global]
# e.g. .ci/install-npm.sh codex @openai/codex 0.171.0 codex
set -euo pipefail

NAME="$1" PACKAGE="$2@$3" VERSION="$3" BIN_NAME="$4"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="${ROOT}/.ci/cache/${NAME}"

if ! command -v npm >/dev/null 2>&1; then
    echo "install-${NAME}: npm not found; install Node.js 22+ with npm (the pinned Claude Code declares node >= 22)" >&2
    exit 7
fi

installed_version() {  # the version a binary reports (its first word with a digit), or nothing
    "$1" --version 2>/dev/null | tr ' ' '\n' | grep -m1 '[0-9]' || true
}

if [[ "${5:-}" == "--global" ]]; then
    npm install -g --no-audit --no-fund "${PACKAGE}" >&2
    BIN="$(npm prefix -g)/bin/${BIN_NAME}"
else
    BIN="${PREFIX}/node_modules/.bin/${BIN_NAME}"
    if [[ ! -x "${BIN}" || "$(installed_version "${BIN}")" != "${VERSION}" ]]; then
        mkdir -p "${PREFIX}"
        # A few spaced attempts ride out a registry hiccup. (TLS errors that persist
        # mean Node lacks the machine's CA: NODE_EXTRA_CA_CERTS must reach npm.)
        for attempt in 1 2 3; do
            npm install --prefix "${PREFIX}" --no-audit --no-fund --no-save "${PACKAGE}" >&2 && break
            [[ "${attempt}" == 3 ]] && { echo "install-${NAME}: npm install failed 3 times" >&2; exit 4; }
            echo "install-${NAME}: npm install failed (attempt ${attempt}); retrying in 20 s" >&2
            sleep 20
        done
    fi
fi

if [[ ! -x "${BIN}" ]]; then
    echo "install-${NAME}: ${PACKAGE} installed but ${BIN} is missing" >&2
    exit 1
fi
echo "install-${NAME}: $("${BIN}" --version 2>/dev/null | head -1) at ${BIN}" >&2
echo "${BIN}"
