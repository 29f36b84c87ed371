#!/usr/bin/env bash
# The runner's own cost per item in instructions, not time: for each queue implementation,
# callgrind's count of instructions of the whole process divided by the items moved, for
# the overhead bench's bare loop (the implementation's own send and receive), its checked
# loop (the same with the runner's exactly-once check) and queuelab's runner on the same
# case (4 producers, 4 blocking consumers, unbounded queue, 8-byte items, zero time).
# Instruction counts barely move with the machine's load, so this can run on a busy
# machine where `cargo bench --bench overhead` cannot.
#
#   benches/overhead_instructions.sh                   # every implementation, 2,000,000 items
#   benches/overhead_instructions.sh crossbeam kanal   # some of them
#   ITEMS=200000 benches/overhead_instructions.sh      # quicker; fixed costs weigh more
#
# ITEMS is the same for every implementation (the timed bench's own sizes, up to 30
# million items, would take many minutes under callgrind). At fewer items a larger share
# of them is sampled (at 400,000 one in 16, at 2,000,000 one in 64; see `waits::
# sample_shift`), and each sampled item costs two clock reads and a histogram entry, a
# few hundred instructions: a part of the runner's figure that weighs less in the timed
# bench (one in 64 for flume to one in 1,024 for crossbeam and kanal, at its sizes).
#
# A third column, checked, is the bare loop whose consumers keep the runner's exactly-once
# check (a count, a sum and a sum of squares per item): its extra over bare is the
# check's share of the runner's.
#
# Each side is the bench run with QUEUELAB_OVERHEAD_ONLY=bare, =checked or =runner under
# `valgrind --tool=callgrind` (needs valgrind). The whole process is counted (start-up,
# thread starts and the runner's checks included), so fewer items show a larger figure.
# Valgrind runs one thread at a time, so consumers block less often than on real cores:
# compare these figures with each other, not with wall-clock rates. The callgrind files
# are kept in $OUT (default /tmp/queuelab-overhead-callgrind) for `callgrind_annotate`.
set -euo pipefail
cd "$(dirname "$0")/.."

ITEMS=${ITEMS:-2000000}
OUT=${OUT:-/tmp/queuelab-overhead-callgrind}
IMPLEMENTATIONS=("$@")
[ ${#IMPLEMENTATIONS[@]} -gt 0 ] || IMPLEMENTATIONS=(crossbeam std mutex flume kanal)
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 2; }
mkdir -p "$OUT"

# The bench binary, built as `cargo bench` builds it.
BENCH=$(cargo bench --bench overhead --no-run 2>&1 |
  sed -n 's/^ *Executable benches\/overhead.rs (\(.*\))$/\1/p')
[ -x "$BENCH" ] || { echo "could not find the overhead bench binary" >&2; exit 1; }

# Instructions the process executed, from callgrind's summary line.
count() {
  local side=$1 implementation=$2 file="$OUT/$1-$2.out"
  QUEUELAB_OVERHEAD_ONLY=$side QUEUELAB_OVERHEAD_ITEMS=$ITEMS \
    valgrind --tool=callgrind --callgrind-out-file="$file" "$BENCH" "$implementation" \
    >/dev/null 2>"$OUT/$side-$implementation.log"
  sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$file"
}

echo "callgrind instructions per item (whole process / $ITEMS items)"
printf '  %-10s %10s %10s %10s %8s %8s\n' queue_impl bare checked runner check extra
for implementation in "${IMPLEMENTATIONS[@]}"; do
  bare=$(count bare "$implementation")
  checked=$(count checked "$implementation")
  runner=$(count runner "$implementation")
  awk -v b="$bare" -v c="$checked" -v r="$runner" -v n="$ITEMS" -v q="$implementation" \
    'BEGIN { printf "  %-10s %10.1f %10.1f %10.1f %8.1f %8.1f\n", q, b / n, c / n, r / n, (c - b) / n, (r - b) / n }'
done
echo "check: the checked loop's extra over bare (the exactly-once check alone); extra: the runner's"
echo "callgrind files: $OUT (callgrind_annotate $OUT/runner-IMPL.out)"
