#!/usr/bin/env bash
# Does the workbench install and run with every Python 3.11-3.13 on this machine? (`make pythons`)
#
# For each interpreter (the arguments, else python3.13, python3.12, python3.11 on PATH and pyenv's
# versions 3.11-3.13, one per minor version), in a throwaway venv under a temporary folder:
#   1. install requirements.lock (--require-hashes) and the package (--no-deps, editable), then `pip check`;
#   2. run a fast subset of the unit tests (CHECK_TESTS, default below);
#   3. run one city end to end (CHECK_CITY, default madrid) with every annex format (HTML, Word, PDF)
#      into a temporary run folder: `workbench run --city CITY --no-compare --force --run-dir DIR`
#      (outputs/last-attempt is put back afterwards).
# `--list` only prints the interpreters found. Prints one line per step and a summary line per interpreter; exit 0 only if every step of every
# interpreter passed. Logs stay in the temporary folder (printed) when a step fails; KEEP=1 keeps them all.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
tests=${CHECK_TESTS:-"tests/test_cli.py tests/test_params.py tests/test_stats.py tests/test_environment.py"}
city=${CHECK_CITY:-madrid}
fits='import sys; sys.exit(not (3, 11, 5) <= sys.version_info[:3] < (3, 14))'

list_only=""
if [ "${1:-}" = "--list" ]; then list_only=1; shift; fi  # --list: print the interpreters that would be checked
interpreters=("$@")
if [ ${#interpreters[@]} -eq 0 ]; then
    pyenv_root=$( (command -v pyenv >/dev/null 2>&1 && pyenv root) || echo "$HOME/.pyenv")
    for minor in 13 12 11; do
        found=""
        for candidate in "$(command -v python3.$minor 2>/dev/null)" \
                         $(ls -d "$pyenv_root"/versions/3.$minor.*/bin/python3.$minor 2>/dev/null | sort -V -r); do
            if [ -n "$candidate" ] && "$candidate" -c "$fits" >/dev/null 2>&1; then found=$candidate; break; fi
        done
        [ -n "$found" ] && interpreters+=("$found")
    done
fi
if [ ${#interpreters[@]} -eq 0 ]; then
    echo "error: no Python 3.11.5 to 3.13 found on PATH or in pyenv; give interpreters as arguments" >&2
    exit 1
fi
if [ -n "$list_only" ]; then printf '%s\n' "${interpreters[@]}"; exit 0; fi

previous=$(readlink "$root/outputs/last-attempt" 2>/dev/null || true)
work=$(mktemp -d "${TMPDIR:-/tmp}/check-pythons.XXXXXX")
failed=0
summaries=()
for python in "${interpreters[@]}"; do
    version=$("$python" -c 'import platform; print(platform.python_version())' 2>/dev/null || echo "?")
    dir="$work/py$version"
    mkdir -p "$dir"
    status="ok"
    step() {  # step NAME COMMAND...: run it with its output in $dir/NAME.log; say how it went and how long it took
        local name=$1 start=$SECONDS
        shift
        if "$@" >"$dir/$name.log" 2>&1; then
            echo "  $name: ok ($((SECONDS - start)) s)"
        else
            echo "  $name: FAILED ($((SECONDS - start)) s; log $dir/$name.log):"
            tail -n 15 "$dir/$name.log" | sed 's/^/    | /'
            status="failed at $name"
            return 1
        fi
    }
    echo "Python $version ($python)"
    venv="$dir/venv"
    bin="$venv/bin"
    export WORKBENCH_ROOT="$root"
    # the package itself installed editable, as `make setup` does; its egg-info lands in src/ (ignored by git)
    step install sh -c "'$python' -m venv '$venv' && '$bin/python' -m pip install --quiet --upgrade pip \
        && '$bin/python' -m pip install --quiet --require-hashes -r '$root/requirements.lock' \
        && '$bin/python' -m pip install --quiet --no-deps -e '$root' && '$bin/python' -m pip check" \
    && step version "$bin/workbench" --version \
    && step tests sh -c "cd '$root' && '$bin/python' -m pytest -q -p no:cacheprovider $tests" \
    && step "run-$city" sh -c "cd '$root' && '$bin/workbench' run --city '$city' --no-compare --force --run-dir '$dir/run' \
        && ls '$dir/run/annex/'*/'$city'.html '$dir/run/annex/'*/'$city'.docx '$dir/run/annex/'*/'$city'.pdf"
    # the run moved outputs/last-attempt to the temporary run: back to the project's own
    if [ -n "$previous" ]; then ln -sfn "$previous" "$root/outputs/last-attempt"; else rm -f "$root/outputs/last-attempt"; fi
    passed=$(grep -Eo '[0-9]+ passed' "$dir/tests.log" 2>/dev/null | tail -n 1)
    annexes=$(grep -c "^/.*/$city\.\(html\|docx\|pdf\)$" "$dir/run-$city.log" 2>/dev/null)  # the ls lines
    summaries+=("Python $version: $status; tests: ${passed:-not run}; $city annexes: ${annexes:-0} (html, docx, pdf)")
    [ "$status" = ok ] || failed=1
    if [ "$status" = ok ] && [ -z "${KEEP:-}" ]; then rm -rf "$venv" "$dir/run"; fi
done
echo
printf '%s\n' "${summaries[@]}"
if [ "$failed" = 0 ] && [ -z "${KEEP:-}" ]; then rm -rf "$work"; else echo "logs: $work"; fi
exit "$failed"
