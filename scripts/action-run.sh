#!/usr/bin/env bash
# The run step of the wirelint GitHub Action (action.yml), kept here so it can be run and tested locally:
#
#   INPUT_PATHS=. INPUT_SARIF=wirelint.sarif WIRELINT=.venv/bin/wirelint bash scripts/action-run.sh
#
# Environment:
#   INPUT_PATHS  paths to analyze, separated by spaces or newlines (default: .)
#   INPUT_ARGS   extra `wirelint check` options, separated by spaces or newlines (no shell quoting)
#   INPUT_SARIF  where to write the SARIF report (default: wirelint.sarif); empty: no SARIF run
#   WIRELINT     the wirelint executable's path, or a command split on spaces such as "python -m wirelint"
#                (default: wirelint)
#
# Runs `wirelint check --format github` (annotations on stdout, which the runner turns into annotations on the
# diff) and keeps its exit code; then, unless that was a usage error, `--format sarif --output-file` with
# `--exit-zero`, which is served from the facts cache the first run wrote. Exits with the code of the first run:
# 0 clean, 1 findings, 2 usage or internal error. With GITHUB_OUTPUT set, writes the step outputs `exit-code`
# and, once the SARIF file is written, `sarif`.
set -euo pipefail

# Word splitting on spaces, tabs and newlines, without pathname expansion; `read -d ''` reads every line.
split() {
    local -a words=()
    IFS=$' \t\n' read -r -d '' -a words <<<"$1" || true
    if [[ ${#words[@]} -gt 0 ]]; then printf '%s\0' "${words[@]}"; fi
}

cmd=() paths=() args=()
if [[ -e ${WIRELINT:-} || -e ${WIRELINT:-}.exe ]]; then
    cmd=("$WIRELINT")  # a path to the executable, which may contain spaces
else
    while IFS= read -r -d '' word; do cmd+=("$word"); done < <(split "${WIRELINT:-wirelint}")
fi
while IFS= read -r -d '' word; do paths+=("$word"); done < <(split "${INPUT_PATHS:-.}")
while IFS= read -r -d '' word; do args+=("$word"); done < <(split "${INPUT_ARGS:-}")
sarif=${INPUT_SARIF-wirelint.sarif}

if [[ ${#cmd[@]} -eq 0 ]]; then cmd=(wirelint); fi
if [[ ${#paths[@]} -eq 0 ]]; then paths=(.); fi

output() {
    if [[ -n ${GITHUB_OUTPUT:-} ]]; then printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"; fi
}

status=0
"${cmd[@]}" check --format github ${args[@]+"${args[@]}"} -- "${paths[@]}" || status=$?

if [[ -n $sarif && $status -le 1 ]]; then
    sarif_status=0
    "${cmd[@]}" check --format sarif --output-file "$sarif" --exit-zero ${args[@]+"${args[@]}"} -- "${paths[@]}" \
        || sarif_status=$?
    if [[ $sarif_status -ne 0 ]]; then
        echo "::error title=wirelint::writing the SARIF report to $sarif failed (exit code $sarif_status)"
        output exit-code "$sarif_status"
        exit "$sarif_status"
    fi
    output sarif "$sarif"
fi

if [[ $status -ge 2 ]]; then
    echo "::error title=wirelint::wirelint check exited with code $status (usage or internal error, see the log)"
fi
output exit-code "$status"
exit "$status"
