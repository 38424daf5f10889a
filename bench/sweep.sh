#!/usr/bin/env bash
# Hyperparameter sweep performance against its target (issue 8): a 3x3 grid on the churn sample (NumberOfTrees
# 50;100;200 x LearningRate 0.05;0.1;0.2, 3-fold cross-validation on the 4,000 training rows) run by the engine
#   (1) with SweepParallelism=1: every trial alone, one fit at a time; the slowest trial's time is taken from the
#       engine's "Sweep trial N (...): AUC ... in X s" lines;
#   (2) with the default SweepParallelism (one fit per core): the sweep's wall time from the engine's
#       "Sweep winner: ... in X s" line (trials only, not the final model's training and export).
# Target: (2) <= 1.5 x slowest trial x trials / cores. Prints a markdown table and writes bench/results/sweep.md.
# The model cache is off (MlOpsCacheMode=Off), so no trial is ever read from a cache. Nothing outside a temporary
# folder is written.
#
# Usage: bench/sweep.sh          Environment: TMPDIR picks the temporary folder's parent; MLOPS_BENCH_TIMEOUT bounds
#                                each command (seconds, default 900);
#                                MLOPS_BENCH_CONFIGURATION the engine build configuration (default Release).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
RESULTS="$BENCH_DIR/results"
COMMAND_TIMEOUT=${MLOPS_BENCH_TIMEOUT:-900}
CONFIGURATION=${MLOPS_BENCH_CONFIGURATION:-Release}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
unset MLOPS_REMOTE_CACHE

log() { echo "[sweep-bench] $*" >&2; }
fail() { log "FAILED: $1"; [[ -n "${2:-}" && -f "$2" ]] && tail -n 60 "$2" >&2; exit 1; }
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mlops-sweep-bench-XXXXXX")
trap 'rm -rf "$WORK"' EXIT

log "building the engine"
run "$WORK/build.log" dotnet build "$REPO/src/MlOps.Ci.Cli/MlOps.Ci.Cli.csproj" -c "$CONFIGURATION" -o "$WORK/engine"
ENGINE="$WORK/engine/mlops.dll"
[[ -f "$ENGINE" ]] || fail "no engine at $ENGINE" "$WORK/build.log"

mkdir -p "$WORK/project/data"
cp "$REPO/samples/churn/data/train.csv" "$REPO/samples/churn/data/test.csv" "$WORK/project/data/"
cat >"$WORK/project/pipeline.json" <<JSON
{
  "modelName": "churn-sweep-bench",
  "modelTask": "BinaryClassification",
  "labelColumn": "Churned",
  "trainer": "FastTree",
  "seed": 42,
  "trainingData": ["$WORK/project/data/train.csv"],
  "evaluationData": ["$WORK/project/data/test.csv"],
  "ignoreColumns": ["CustomerId"],
  "hyperparameters": { "NumberOfLeaves": "16" },
  "sweeps": [
    { "name": "NumberOfTrees", "values": ["50", "100", "200"] },
    { "name": "LearningRate", "values": ["0.05", "0.1", "0.2"] }
  ],
  "projectFile": "$WORK/project/churn.mlproj",
  "intermediateDirectory": "$WORK/project/obj/mlops",
  "packagePath": "$WORK/project/bin/churn.mlpkg"
}
JSON

sweep() { # sweep LOG PARALLELISM
    run "$1" dotnet exec "$ENGINE" run --definition "$WORK/project/pipeline.json" --through train --lock-mode None --cache-mode Off --sweep-parallelism "$2"
}

cores=$(nproc)
log "sweep with one fit at a time (every trial alone)"
sweep "$WORK/alone.log" 1
log "sweep with $cores fits at a time"
sweep "$WORK/parallel.log" "$cores"

trials=$(grep -c 'Sweep trial .* in [0-9.]* s' "$WORK/alone.log" || true)
[[ "$trials" == 9 ]] || fail "expected 9 trial lines, found $trials" "$WORK/alone.log"
slowest=$(grep -o ' in [0-9.]* s (' "$WORK/alone.log" | grep -o '[0-9.]*' | sort -g | tail -n 1)
alone_total=$(grep -o 'Sweep winner: .* in [0-9.]* s;' "$WORK/alone.log" | grep -o '[0-9.]* s;' | grep -o '[0-9.]*')
parallel=$(grep -o 'Sweep winner: .* in [0-9.]* s;' "$WORK/parallel.log" | grep -o '[0-9.]* s;' | grep -o '[0-9.]*')
winner=$(grep -o 'Sweep winner: trial [0-9]* ([^)]*)' "$WORK/parallel.log")
ideal=$(awk -v s="$slowest" -v t="$trials" -v c="$cores" 'BEGIN { printf "%.2f", s * t / c }')
target=$(awk -v i="$ideal" 'BEGIN { printf "%.2f", 1.5 * i }')
ratio=$(awk -v p="$parallel" -v i="$ideal" 'BEGIN { printf "%.2f", p / i }')
verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 1.5 ? "meets" : "misses") }')
load=$(cut -d' ' -f1-3 /proc/loadavg)

mkdir -p "$RESULTS"
{
    echo "| sweep benchmark (3x3 grid, 3 folds, churn sample, $cores cores, load average $load) | value |"
    echo "|---|---:|"
    echo "| slowest trial alone (3 fits, SweepParallelism=1) | ${slowest} s |"
    echo "| all 9 trials one at a time | ${alone_total} s |"
    echo "| all 9 trials, SweepParallelism=$cores | ${parallel} s |"
    echo "| slowest × trials / cores | ${ideal} s |"
    echo "| ratio (target ≤ 1.5, i.e. ≤ ${target} s) | ${ratio} ($verdict) |"
    echo "| winner | ${winner#Sweep winner: } |"
} | tee "$RESULTS/sweep.md"
