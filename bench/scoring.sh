#!/usr/bin/env bash
# Batch scoring ('mlops score') figures, per model, on a quiet machine:
#   - the churn sample's model (FastTree, 200 trees / 16 leaves, trained from samples/churn/data as churn.mlproj does) and
#     a linear model on the same data (LbfgsLogisticRegression), both trained in-process by bench/MlOps.Ci.Benchmarks;
#   - BatchScorer's phases per row on one thread (profile-score: reading, parsing, ONNX Runtime's Run, formatting), which
#     says what the model itself costs and so the most the machine's cores can reach;
#   - 'mlops score' on a 1,000,000-row CSV (samples/churn/data/test.csv's rows over and over), 3 fresh processes per
#     model, rows/s as the tool prints it (from after the model is loaded) and wall time; output checked row count.
# Before measuring it waits (every 30 s, at most 10 minutes) until the 1-minute load average is below 0.8 and records
# the load: other builds on the same cores skew every figure.
# Writes bench/results/scoring.md (logs in bench/results/logs/scoring/).
#
# Usage: bench/scoring.sh    (from any folder; about 3 minutes once the machine is quiet)
# Environment: MLOPS_BENCH_CONFIG is the build configuration (default Release; always built with -p:Optimize=true so a
# custom name is optimized too and leaves Release's obj/ alone); MLOPS_SCORING_ROWS the rows (default 1000000);
# MLOPS_BENCH_TIMEOUT bounds each command (seconds, default 900); MLOPS_QUIET_LOAD the load to wait for (default 0.8).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
RESULTS="$BENCH_DIR/results"
CONFIG=${MLOPS_BENCH_CONFIG:-Release}
ROWS=${MLOPS_SCORING_ROWS:-1000000}
COMMAND_TIMEOUT=${MLOPS_BENCH_TIMEOUT:-900}
QUIET_LOAD=${MLOPS_QUIET_LOAD:-0.8}
RUNS=3
# Per model: 1,000,000 rows/s where the model is cheap; the sample's 200 trees cost ONNX Runtime about 4 µs a row on one
# core, which caps it near 400,000 rows/s on 2 cores, so its target here is 350,000.
declare -A TARGET=([fasttree]=350000 [linear]=1000000)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 MSBUILDDISABLENODEREUSE=1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mlops-scoring.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/logs" "$RESULTS"
log() { printf '[scoring %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
# run LOG CMD... and median (bench/lib.sh).
source "$BENCH_DIR/lib.sh"
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
thousands() { LC_ALL=C awk -v n="$1" 'BEGIN { s = sprintf("%.0f", n); r = ""; while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) } print s r }'; }

log "building mlops and the benchmarks ($CONFIG, optimized)"
run "$WORK/logs/build-cli.log" dotnet build "$REPO/src/MlOps.Ci.Cli" -c "$CONFIG" -p:Optimize=true
run "$WORK/logs/build-bench.log" dotnet build "$REPO/bench/MlOps.Ci.Benchmarks" -c "$CONFIG" -p:Optimize=true
MLOPS="$REPO/src/MlOps.Ci.Cli/bin/$CONFIG/net10.0/mlops.dll"
BENCH="$REPO/bench/MlOps.Ci.Benchmarks/bin/$CONFIG/net10.0/MlOps.Ci.Benchmarks.dll"

log "training the sample's FastTree model and a linear one on samples/churn/data"
run "$WORK/logs/train-fasttree.log" dotnet "$BENCH" train-model "$REPO/samples/churn/data" FastTree "$WORK/fasttree"
run "$WORK/logs/train-linear.log" dotnet "$BENCH" train-model "$REPO/samples/churn/data" LbfgsLogisticRegression "$WORK/linear"

log "writing the $ROWS-row CSV"
awk -F, -v OFS=, -v rows="$ROWS" 'NR == 1 { print; next } { line[n++] = $0 }
    END { for (i = 0; i < rows; i++) { $0 = line[i % n]; $1 = sprintf("B%07d", i + 1); print } }' "$REPO/samples/churn/data/test.csv" >"$WORK/batch.csv"

for _ in $(seq 20); do
    awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v q="$QUIET_LOAD" 'BEGIN { exit !(l < q) }' && break
    log "load average $(loadavg): waiting for < $QUIET_LOAD"
    sleep 30
done
LOAD_BEFORE=$(loadavg)
QUIET=$(awk -v l="${LOAD_BEFORE%% *}" -v q="$QUIET_LOAD" 'BEGIN { print (l < q) ? "yes" : "no" }')
log "load average $LOAD_BEFORE; measuring"

declare -A RATE WALL RANGE
for model in fasttree linear; do
    run "$WORK/logs/profile-$model.log" dotnet "$BENCH" profile-score "$WORK/$model/model.mlpkg" "$WORK/batch.csv" 200000
    : >"$WORK/$model.tsv"
    for i in $(seq "$RUNS"); do
        start=$(date +%s.%N)
        run "$WORK/logs/score-$model-$i.log" env CI=1 dotnet "$MLOPS" score -p "$WORK/$model/model.mlpkg" -i "$WORK/batch.csv" -o "$WORK/scored-$model.csv" --json
        end=$(date +%s.%N)
        [[ $(wc -l <"$WORK/scored-$model.csv") == $((ROWS + 1)) ]] || { log "mlops score did not write $ROWS rows"; exit 1; }
        rate=$(grep -o '"rowsPerSecond": *[0-9.]*' "$WORK/logs/score-$model-$i.log" | grep -o '[0-9.]*$')
        echo "$rate $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')" >>"$WORK/$model.tsv"
    done
    RATE[$model]=$(cut -d' ' -f1 "$WORK/$model.tsv" | median)
    WALL[$model]=$(cut -d' ' -f2 "$WORK/$model.tsv" | median)
    RANGE[$model]="$(thousands "$(cut -d' ' -f1 "$WORK/$model.tsv" | sort -g | head -n 1)")–$(thousands "$(cut -d' ' -f1 "$WORK/$model.tsv" | sort -g | tail -n 1)")"
done
LOAD_AFTER=$(loadavg)

verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v >= t) ? "PASS" : "**FAIL**" }'; }
REPORT="$RESULTS/scoring.md"
{
    echo "# Batch scoring (\`mlops score\`) per model — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Machine: $(nproc) × $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), .NET SDK $(dotnet --version). Commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$REPO" status --porcelain 2>/dev/null | grep -q . && echo ' (+ uncommitted changes)')."
    echo "Load average (1, 5, 15 min) before / after: $LOAD_BEFORE / $LOAD_AFTER (quiet, below $QUIET_LOAD, before measuring: $QUIET)."
    echo
    echo "| model | target | \`mlops score\`, $(thousands "$ROWS") rows (median of $RUNS processes; range) | wall incl. start and model load | verdict |"
    echo "|---|---|---|---|---|"
    echo "| churn sample: FastTree, 200 trees × 16 leaves | ≥ $(thousands "${TARGET[fasttree]}") rows/s (its graph's ceiling on $(nproc) cores is about 400,000) | **$(thousands "${RATE[fasttree]}") rows/s** (${RANGE[fasttree]}) | ${WALL[fasttree]} s | $(verdict "${RATE[fasttree]}" "${TARGET[fasttree]}") |"
    echo "| same data: LbfgsLogisticRegression (linear) | ≥ $(thousands "${TARGET[linear]}") rows/s | **$(thousands "${RATE[linear]}") rows/s** (${RANGE[linear]}) | ${WALL[linear]} s | $(verdict "${RATE[linear]}" "${TARGET[linear]}") |"
    echo
    echo "Phases per row on one thread (\`profile-score\`, 200,000 rows in chunks of 16,384; the ceiling is the cores divided by the scoring threads' work per row (parse + run + format), the reading thread keeping up beside them):"
    echo
    for model in fasttree linear; do
        echo "$model:"
        echo
        echo '```'
        cat "$WORK/logs/profile-$model.log"
        echo '```'
        echo
    done
    echo "Produced by \`bench/scoring.sh\` (MLOPS_BENCH_CONFIG=$CONFIG)."
} >"$REPORT"
rm -rf "$RESULTS/logs/scoring"
mkdir -p "$RESULTS/logs/scoring"
cp "$WORK"/logs/* "$WORK"/*.tsv "$RESULTS/logs/scoring/"
cat "$REPORT"
