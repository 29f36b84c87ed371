#!/usr/bin/env bash
# Remakes README's History example (docs/history_example.png and the text above it): an
# archive of `simulate` (three scenarios of random times, 5 repeats) committed four times
# in a scratch git repository, the second time 0.1% slower, the third twice as slow (its
# elapsed_s scaled by hand), the fourth made again at --time-scale 0.5.
#
#   docs/history_example.sh            # builds the release binary, prints history's output
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
queuelab=$PWD/target/release/queuelab
docs=$PWD/docs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
git init -q
git config user.name example
git config user.email example@example.invalid
cat > tiny.toml <<'TOML'
name = "tiny"
repeats = 5
seed = 3

[scenario]
producers = 2
items_per_producer = 20
produce_time = { dist = "exp", mean = "2ms" }
consume_time = { dist = "exp", mean = "3ms" }
consumer = "block"

[sweep]
consumers = [1, 2, 4]
TOML
archive="my results/tiny-model"
# Multiplies runs.csv's elapsed_s column by $1, as a slower machine would.
scale() {
  awk -F, -v OFS=, -v k="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "elapsed_s") c = i; print; next }
    { $c = sprintf("%.9f", $c * k); print }' "$archive/runs.csv" > runs.tmp
  mv runs.tmp "$archive/runs.csv"
}
commit() { git add -A && git commit -qm "$1"; }
"$queuelab" simulate tiny.toml --out "my results" --quiet > /dev/null
commit "first archive"
scale 1.001 && commit "noise"
scale 2 && commit "twice as slow"
"$queuelab" simulate tiny.toml --out "my results" --quiet --time-scale 0.5 > /dev/null
commit "half scale"
"$queuelab" history "$archive"
cp scratch/history/tiny-model/history_elapsed.png "$docs/history_example.png"
