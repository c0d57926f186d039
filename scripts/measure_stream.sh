#!/usr/bin/env bash
# Streaming check for huge runs: start `molcache sample --n 1000000000` (default: the trained default model, 100 steps),
# report when the first molecules reach <out>.partial and the process's resident memory every 10 s, then stop it
# (SIGKILL) after SECONDS_TO_RUN (default 120) and remove the files. Extra arguments go to `molcache sample`.
# Usage: scripts/measure_stream.sh [--model random:small --steps 20 …]
set -euo pipefail
cd "$(dirname "$0")/.."
run_for=${SECONDS_TO_RUN:-120}
dir=$(mktemp -d)
out="$dir/huge.sdf"
node --import tsx kernel-lib/cli/main.ts sample --n 1000000000 --out "$out" --quiet "$@" &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
start=$(date +%s%3N)
first=""
echo "t_s  rss_MB  partial_bytes  molecules"
next=0
while kill -0 $pid 2>/dev/null; do
  ms=$(( $(date +%s%3N) - start ))
  t=$(( ms / 1000 ))
  bytes=$(stat -c %s "$out.partial" 2>/dev/null || echo 0)
  if [ -z "$first" ] && [ "$bytes" -gt 0 ]; then first="$((ms / 1000)).$(printf %03d $((ms % 1000)))"; echo "first molecules written after ${first} s"; fi
  if (( t >= next )); then
    rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' /proc/$pid/status)
    mols=$(grep -o '"moleculesDone": [0-9]*' "$out.run.json" 2>/dev/null | grep -o '[0-9]*$' || echo 0)
    printf "%4d  %6s  %13s  %9s\n" "$t" "$rss" "$bytes" "$mols"
    next=$((next + 10))
  fi
  if (( t >= run_for )); then break; fi
  sleep 0.2
done
kill -9 $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
echo "stopped after ${run_for} s (SIGKILL); first molecules after ${first:-never} s"
