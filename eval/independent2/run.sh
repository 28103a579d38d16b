#!/usr/bin/env bash
# Runs the extraction monitor on traffic from the second independent generator (see README.md):
# for each seed, generate 600,000 lines, monitor them with the shipped rule, score against truth.
# Usage: bash eval/independent2/run.sh [out-dir] [seeds...]   (default: eval/out/independent2 1 2 3)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
GEN_DIR="$here" exec bash "$here/../independent/run.sh" "$@"
