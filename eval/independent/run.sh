#!/usr/bin/env bash
# Runs the extraction monitor on traffic from the independent generator (see README.md):
# for each seed, generate 600,000 lines, monitor them with the shipped rule, score against truth.
# Usage: bash eval/independent/run.sh [out-dir] [seeds...]   (default: eval/out/independent 1 2 3)
set -euo pipefail
# GEN_DIR names another generator folder with the same gen.py / score.py interface
# (eval/independent2/run.sh uses it).
here="${GEN_DIR:-$(cd "$(dirname "$0")" && pwd)}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$root/eval/out/$(basename "$here")}"
shift || true
seeds=("$@")
[ ${#seeds[@]} -eq 0 ] && seeds=(1 2 3)
mkdir -p "$out"
for s in "${seeds[@]}"; do
  python3 "$here/gen.py" --records 600000 --seed "$s" --out "$out/traffic-$s.jsonl" --truth "$out/truth-$s.json" >/dev/null 2>&1
  rc=0
  node "$root/bin/customs.js" monitor "$out/traffic-$s.jsonl" --workers 2 --out "$out/alerts-$s.jsonl" \
    --summary "$out/campaigns-$s.json" --quiet >/dev/null || rc=$?
  # exit 1 means "alerts found"; anything else is a failure
  if [ "$rc" -gt 1 ]; then echo "monitor failed on seed $s (exit $rc)" >&2; exit "$rc"; fi
  echo "== seed $s"
  python3 "$here/score.py" "$out/alerts-$s.jsonl" "$out/truth-$s.json"
done
