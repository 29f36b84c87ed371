#!/usr/bin/env bash
# Fidelity: how close the threads come to the model. Runs the seed sweep at time_scale 1
# and at 0.01, and benches/bounded_fidelity.toml (bounded queues, many puts blocked), and
# prints, per scenario, the measured median, the model's prediction and the excess in
# percent. About 4 minutes at the default 3 repeats; keep the machine otherwise idle.
#
# Usage: benches/fidelity.sh [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-3}
cargo build --release --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for scale in 1 0.01; do
  echo "== seed at time_scale $scale, $repeats repeats"
  ./target/release/queuelab run experiments/seed.toml --quiet \
    --time-scale "$scale" --repeats "$repeats" --out "$out/$scale" | sed -n '2,9p'
done
echo "== bounded queues, $repeats repeats"
./target/release/queuelab run benches/bounded_fidelity.toml --quiet \
  --repeats "$repeats" --out "$out/bounded" | sed -n '2,7p'
