#!/usr/bin/env bash
# Make sure a Chromium for the browser test (tests/test_site_browser.py) is on this machine.
#
# Does nothing when CHROMIUM names an executable (a path or a command) or `chromium` is on
# PATH. Otherwise installs Debian's `chromium` package with apt-get, quietly and without
# questions: directly as root, through sudo when not root and sudo exists. Anywhere else (no
# apt-get, no root and no sudo, or the install fails) it stops with a message saying what to do.
# The test drives Chromium through Playwright for Python, which talks to the browser itself:
# no separate driver package (chromium-driver) is needed.
set -euo pipefail

fail() {
  cat >&2 <<EOF
ensure_chromium: $1
The browser test needs Chromium. Install it with your system's package manager, for example
  Debian or Ubuntu: apt-get install chromium   (as root)
  Fedora:           dnf install chromium
  macOS:            brew install --cask chromium
or point the test at a Chromium or Google Chrome you already have:
  CHROMIUM=/path/to/chromium make test
EOF
  exit 1
}

if [ -n "${CHROMIUM:-}" ]; then
  # Like the test: a path, or a command on PATH.
  command -v "${CHROMIUM}" >/dev/null 2>&1 || fail "CHROMIUM=${CHROMIUM} is not an executable file."
  exit 0
fi
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || fail "no Chromium found, and this is not a Debian or Ubuntu system (no apt-get)."

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  fail "no Chromium found; installing it needs root, and sudo is not available."
fi

echo "ensure_chromium: installing Debian's chromium package"
# env (not a plain assignment) so that the variable also reaches apt-get through sudo.
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
  || fail "apt-get update failed."
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends chromium >/dev/null \
  || fail "apt-get install chromium failed."

command -v chromium >/dev/null 2>&1 || fail "apt-get installed chromium, but no chromium command is on PATH."
echo "ensure_chromium: $(chromium --version 2>/dev/null || echo chromium installed)"
