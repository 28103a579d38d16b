#!/usr/bin/env bash
# Runs the extraction monitor on traffic from the second independent generator (see README.md):
# for each seed, generate 600,000 lines, monitor them with the shipped rule, score against truth.
# Usage: bash eval/independent2/run.sh [out-dir] [seeds...]   (default: eval/out/independent2 1 2 3)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$root/eval/out/independent2}"
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
