#!/usr/bin/env bash
# Drift detection ('mlops drift''s engine, DriftDetector.Analyze) over a 10,000,000-line request log of the churn
# sample's schema, on one core:
#   - bench/MlOps.Ci.Benchmarks writes a package whose profile is samples/churn/data/train.csv's (what packaging stores)
#     and the log, one line per row exactly as the serving host writes it (the training rows over and over, so nothing
#     drifts and every line is read to the end: the slowest case), into a temporary folder (about 5.1 GB, removed on exit);
#   - 'time-drift' pinned to one core (taskset) runs the analysis 3 times in one process and prints wall and CPU
#     rows/s, allocation per run and the process's peak resident memory (VmHWM), which must not grow with the log.
# Before measuring it waits (every 30 s, at most 10 minutes) until the 1-minute load average is below MLOPS_QUIET_LOAD
# and records the load: other builds on the same cores skew every figure (CPU time less than wall time).
# Writes bench/results/drift.md.
#
# Usage: bench/drift.sh    (from any folder; about 2 minutes once the machine is quiet)
# Environment: MLOPS_BENCH_CONFIG is the build configuration (default Release; always built with -p:Optimize=true so a
# custom name is optimized too); MLOPS_DRIFT_ROWS the log's lines (default 10000000); MLOPS_BENCH_TIMEOUT bounds each
# command (seconds, default 900); MLOPS_QUIET_LOAD the load to wait for (default 0.8).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
RESULTS="$BENCH_DIR/results"
CONFIG=${MLOPS_BENCH_CONFIG:-Release}
ROWS=${MLOPS_DRIFT_ROWS:-10000000}
COMMAND_TIMEOUT=${MLOPS_BENCH_TIMEOUT:-900}
QUIET_LOAD=${MLOPS_QUIET_LOAD:-0.8}
TARGET_ROWS_PER_S=2000000
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 MSBUILDDISABLENODEREUSE=1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mlops-drift.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

log() { printf '[drift %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
# run LOG CMD... and median (bench/lib.sh).
source "$BENCH_DIR/lib.sh"

PROJECT="$BENCH_DIR/MlOps.Ci.Benchmarks/MlOps.Ci.Benchmarks.csproj"
log "building the benchmarks ($CONFIG, optimized)"
run "$WORK/build.log" dotnet build -c "$CONFIG" -p:Optimize=true "$PROJECT"
TOOL="$BENCH_DIR/MlOps.Ci.Benchmarks/bin/$CONFIG/net10.0/MlOps.Ci.Benchmarks"

log "writing a $ROWS-line request log"
run "$WORK/generate.log" "$TOOL" drift-data "$WORK/data" "$REPO/samples/churn/data/train.csv" "$ROWS"
PACKAGE=$(sed -n 1p "$WORK/generate.log")
LOG_FILE=$(sed -n 2p "$WORK/generate.log")

for _ in $(seq 20); do
    awk -v q="$QUIET_LOAD" '{ exit !($1 < q) }' /proc/loadavg && break
    log "waiting for a quiet machine (load $(cut -d' ' -f1 /proc/loadavg))"
    sleep 30
done
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "analysing it 3 times on one core"
run "$WORK/time.log" taskset -c 0 "$TOOL" time-drift "$PACKAGE" "$LOG_FILE" 3
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
value() { awk -v k="$1" -F'\t' '$1 == k { print $2 }' "$WORK/time.log"; }

ROWS_PER_S=$(value rows_per_s_best)
VERDICT=$(awk -v v="$ROWS_PER_S" -v t="$TARGET_ROWS_PER_S" 'BEGIN { print (v >= t) ? "PASS" : "**FAIL**" }')
mkdir -p "$RESULTS"
cat >"$RESULTS/drift.md" <<REPORT
# Drift detection over a request log (bench/drift.sh)

$(date -u +%Y-%m-%d), $(nproc) cores, $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo "${MLOPS_BENCH_COMMIT:-unknown}"); load average before: $LOAD_BEFORE, after: $LOAD_AFTER.

| measure | target | measured |
|---|---|---|
| $(value rows) lines ($(awk -v b="$(value bytes)" 'BEGIN { printf "%.2f GB", b / 1e9 }')), one core, best of 3 | ≥ $TARGET_ROWS_PER_S rows/s | **$ROWS_PER_S rows/s** $VERDICT (median $(value rows_per_s_median); per CPU-second $(value rows_per_cpu_s_median)) |
| peak resident memory of the process | bounded, independent of the log | **$(value peak_rss_mib) MiB** |
| allocated per analysis | no per-line allocation | $(value allocated_bytes_per_run) bytes |
REPORT
cat "$RESULTS/drift.md"
