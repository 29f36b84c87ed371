#!/usr/bin/env bash
# Runs the README's test command (`cargo test`) while two CPU burners keep both cores of
# a 2-core machine busy, as other work on a shared machine would: the suite must pass
# under load, not only on an idle machine.
#
#   scripts/test-under-load.sh       once
#   scripts/test-under-load.sh 5     five times in a row, stopping at the first failure
#
# The burners are this script's own children, stopped by their process ids however the
# script ends (success, failure, Ctrl-C). Exits with the status of `cargo test`.
set -u

count="${1:-1}"
case "$count" in
  '' | *[!0-9]* | 0)
    echo "error: the count must be a whole number from 1, not \`$count\`" >&2
    exit 2
    ;;
esac

cd "$(dirname "$0")/.." || exit 2

burners=()
stop_burners() {
  for pid in "${burners[@]}"; do
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  burners=()
}
trap stop_burners EXIT
trap 'stop_burners; exit 130' INT
trap 'stop_burners; exit 143' TERM

for _ in 1 2; do
  # A shell busy loop: pure CPU, no output, one core each.
  bash -c 'while :; do :; done' &
  burners+=("$!")
done
echo "load: burners ${burners[*]} keep 2 cores busy" >&2

status=0
for ((i = 1; i <= count; i++)); do
  began=$(date +%s)
  cargo test
  status=$?
  took=$(($(date +%s) - began))
  echo "under load: run $i of $count: cargo test exit $status in ${took} s" >&2
  if [ "$status" -ne 0 ]; then
    break
  fi
done
exit "$status"
