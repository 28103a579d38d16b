#!/usr/bin/env bash
# Runs the extraction monitor on traffic from the third independent generator (see README.md).
# Usage: bash eval/independent3/run.sh [out-dir] [seeds...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
GEN_DIR="$here" exec bash "$here/../independent/run.sh" "$@"
