#!/bin/sh
# Graphviz's `dot` (graph --format svg|png) and Chromium (the HTML page's browser tests) come from the system's
# packages, not PyPI. Installs them with apt-get where that is possible without a password prompt; elsewhere it
# says what to install, and the tests that need them are skipped with that reason.
set -eu
missing=""
command -v dot >/dev/null 2>&1 || missing="$missing graphviz"
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing="$missing chromium"
[ -z "$missing" ] && exit 0
if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        as_root=""
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        as_root="sudo -n"
    else
        as_root="none"
    fi
    if [ "$as_root" != none ]; then
        echo "installing system packages:$missing"
        $as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null
        exit 0
    fi
fi
echo "note: install$missing with your package manager for SVG/PNG output and the browser tests" >&2
echo "      (they are skipped until then; DOT, Mermaid, JSON and HTML output need nothing more)" >&2
