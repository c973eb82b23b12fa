#!/usr/bin/env bash
# Run the fault tests (tests/test_faults.py and tests/test_runner.py, slow ones included) N times in a
# row (default 20) beside CPU-heavy processes (HOGS, default 1: one busy loop), and print how many
# rounds passed. Not part of `make test`: it takes about an hour.
#   scripts/stress-faults.sh [ROUNDS] [extra pytest arguments]
#   HOGS=2 PYTHON=/path/to/python scripts/stress-faults.sh 5
set -u
cd "$(dirname "$0")/.."
rounds=${1:-20}
shift || true
python=${PYTHON:-.venv/bin/python}
hogs_wanted=${HOGS:-1}

# busy loops, stopped however this script ends
hogs=()
for _ in $(seq "$hogs_wanted"); do
  "$python" -c 'while True: pass' &
  hogs+=($!)
done
trap 'kill "${hogs[@]}" 2>/dev/null' EXIT
trap 'exit 130' INT TERM

passed=0
for round in $(seq "$rounds"); do
  start=$(date +%s)
  if timeout 1800 "$python" -m pytest tests/test_faults.py tests/test_runner.py -q -p no:cacheprovider -x "$@" >"/tmp/stress-faults-$round.log" 2>&1; then
    passed=$((passed + 1))
    echo "round $round: passed ($(( $(date +%s) - start )) s)"
  else
    echo "round $round: FAILED ($(( $(date +%s) - start )) s), log: /tmp/stress-faults-$round.log"
    tail -n 5 "/tmp/stress-faults-$round.log"
  fi
done
echo "fault tests passed $passed of $rounds rounds beside $hogs_wanted CPU-heavy process(es)"
[ "$passed" -eq "$rounds" ]
