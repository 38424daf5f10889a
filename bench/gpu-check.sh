#!/usr/bin/env bash
# GPU check: scores the churn sample's evaluation rows, replicated to 1,000,000, with 'mlops score' on CUDA (the GPU
# build of ONNX Runtime, ExecutionProvider=CudaRequired) and on CPU (the build the tool ships), then compares the
# predictions (largest difference of the probabilities) and the throughput. Exits non-zero, saying why, when CUDA does
# not really load (no GPU, driver or CUDA 13 / cuDNN 9 libraries: MLOPS2402) or the predictions differ beyond 1e-4.
# Not part of any test run: every test passes on machines without a GPU. Writes bench/results/gpu-check.md.
#
# Usage: bench/gpu-check.sh    (from any folder, on a linux-x64 machine with an NVIDIA GPU)
# Needs the .NET SDK, unless both MLOPS_GPU_CHECK_MLOPS and MLOPS_GPU_CHECK_PACKAGE are given.
# Environment:
#   MLOPS_GPU_CHECK_MLOPS     the mlops command to run (e.g. a published 'mlops'); default: builds src/MlOps.Ci.Cli.
#   MLOPS_GPU_CHECK_PACKAGE   the model package to score; default: trains the sample's model with bench/MlOps.Ci.Benchmarks.
#   MLOPS_ORT_NATIVE_DIRECTORY the GPU build's native folder; default: restores Microsoft.ML.OnnxRuntime.Gpu.Linux (as
#                             the SDK does under OrtFlavor=Gpu) and uses it from the NuGet packages folder.
#   MLOPS_GPU_CHECK_ROWS      rows to score (default 1000000); MLOPS_BENCH_CONFIG the build configuration (default Release);
#   MLOPS_BENCH_TIMEOUT       bounds each command (seconds, default 900).
# CUDA libraries: the loader's usual path (LD_LIBRARY_PATH); when python3's nvidia-* wheels (nvidia-cublas, nvidia-cudnn-cu13,
# nvidia-cuda-runtime, …) are installed, their lib folders are added to it.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
RESULTS="$BENCH_DIR/results"
CONFIG=${MLOPS_BENCH_CONFIG:-Release}
ROWS=${MLOPS_GPU_CHECK_ROWS:-1000000}
COMMAND_TIMEOUT=${MLOPS_BENCH_TIMEOUT:-900}
TOLERANCE=1e-4
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 MSBUILDDISABLENODEREUSE=1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mlops-gpu-check.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/logs" "$RESULTS"
log() { printf '[gpu-check %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
fail() { log "FAILED: $1"; [[ -n "${2:-}" && -f "$2" ]] && tail -n 40 "$2" >&2; exit 1; }
# run LOG CMD... (bench/lib.sh).
source "$BENCH_DIR/lib.sh"

# The GPU build's version: the one the SDK restores (src/MlOps.Ci.Sdk/Sdk/Sdk.targets).
GPU_VERSION=$(sed -n "s/.*<OrtGpuPackageVersion Condition=[^>]*>\([^<]*\)<.*/\1/p" "$REPO/src/MlOps.Ci.Sdk/Sdk/Sdk.targets")
[[ -n "$GPU_VERSION" ]] || fail "cannot read OrtGpuPackageVersion from src/MlOps.Ci.Sdk/Sdk/Sdk.targets"

if [[ -n "${MLOPS_GPU_CHECK_MLOPS:-}" ]]; then
    read -r -a MLOPS <<<"$MLOPS_GPU_CHECK_MLOPS"
else
    log "building mlops ($CONFIG, optimized)"
    run "$WORK/logs/build-cli.log" dotnet build "$REPO/src/MlOps.Ci.Cli" -c "$CONFIG" -p:Optimize=true
    MLOPS=(dotnet "$REPO/src/MlOps.Ci.Cli/bin/$CONFIG/net10.0/mlops.dll")
fi

PACKAGE=${MLOPS_GPU_CHECK_PACKAGE:-}
if [[ -z "$PACKAGE" ]]; then
    log "training the sample's FastTree model on samples/churn/data"
    run "$WORK/logs/build-bench.log" dotnet build "$REPO/bench/MlOps.Ci.Benchmarks" -c "$CONFIG" -p:Optimize=true
    run "$WORK/logs/train.log" dotnet "$REPO/bench/MlOps.Ci.Benchmarks/bin/$CONFIG/net10.0/MlOps.Ci.Benchmarks.dll" train-model "$REPO/samples/churn/data" FastTree "$WORK/fasttree"
    PACKAGE="$WORK/fasttree/model.mlpkg"
fi

NATIVE=${MLOPS_ORT_NATIVE_DIRECTORY:-}
if [[ -z "$NATIVE" ]]; then
    log "restoring Microsoft.ML.OnnxRuntime.Gpu.Linux $GPU_VERSION (the SDK's restore project)"
    mkdir -p "$WORK/ort-gpu"
    cp "$REPO/src/MlOps.Ci.Sdk/Sdk/OrtGpu.restore.proj" "$WORK/ort-gpu/ort-gpu.csproj"
    run "$WORK/logs/restore.log" dotnet restore "$WORK/ort-gpu/ort-gpu.csproj" -p:OrtGpuPackageVersion="$GPU_VERSION"
    root=$(dotnet msbuild "$WORK/ort-gpu/ort-gpu.csproj" -p:OrtGpuPackageVersion="$GPU_VERSION" -getProperty:NuGetPackageRoot 2>>"$WORK/logs/restore.log")
    NATIVE="${root%/}/microsoft.ml.onnxruntime.gpu.linux/$GPU_VERSION/runtimes/linux-x64/native"
fi
[[ -f "$NATIVE/libonnxruntime.so" ]] || fail "no libonnxruntime.so in $NATIVE (MLOPS_ORT_NATIVE_DIRECTORY)"

# CUDA 13 and cuDNN 9 as python3's nvidia-* wheels install them, when they are there.
if nvidia=$(python3 -c 'import nvidia, os; print(os.path.dirname(nvidia.__path__[0]))' 2>/dev/null); then
    for lib in "$nvidia"/nvidia/*/lib; do
        [[ -d "$lib" ]] && LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    done
    export LD_LIBRARY_PATH
    log "added python3's nvidia-* library folders to LD_LIBRARY_PATH"
fi
GPU_NAME=$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -n 1 || true)

log "writing the $ROWS-row CSV"
awk -F, -v OFS=, -v rows="$ROWS" 'NR == 1 { print; next } { line[n++] = $0 }
    END { for (i = 0; i < rows; i++) { $0 = line[i % n]; $1 = sprintf("B%07d", i + 1); print } }' "$REPO/samples/churn/data/test.csv" >"$WORK/batch.csv"

# score NAME ARGS...: one 'mlops score' of the batch; its JSON result in logs/NAME.json, its wall time in WALL_NAME.
declare -A WALL
score() {
    local name=$1 start end status=0
    shift
    start=$(date +%s.%N)
    timeout --kill-after=10 "$COMMAND_TIMEOUT" env CI=1 MLOPS_ORT_FLAVOR= MLOPS_ORT_NATIVE_DIRECTORY= "${MLOPS[@]}" score -p "$PACKAGE" -i "$WORK/batch.csv" \
        -o "$WORK/scored-$name.csv" --json "$@" >"$WORK/logs/$name.json" 2>"$WORK/logs/$name.log" || status=$?
    end=$(date +%s.%N)
    WALL[$name]=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
    return "$status"
}

log "scoring on CUDA (GPU build from $NATIVE, ExecutionProvider=CudaRequired)"
if ! score cuda --ort-flavor Gpu --ort-native-directory "$NATIVE" --execution-provider CudaRequired; then
    grep -h "MLOPS" "$WORK/logs/cuda.log" >&2 || tail -n 20 "$WORK/logs/cuda.log" >&2
    fail "CUDA did not load, so nothing was compared (the reason is above). The GPU build needs an NVIDIA GPU, its driver, and CUDA 13 / cuDNN 9 libraries on LD_LIBRARY_PATH."
fi
grep -q '"executionProvider": *"CUDA"' "$WORK/logs/cuda.json" || fail "mlops score did not report CUDA" "$WORK/logs/cuda.json"
log "scoring on CPU (the build mlops ships)"
score cpu --execution-provider Cpu || fail "mlops score on CPU failed" "$WORK/logs/cpu.log"

for name in cuda cpu; do
    [[ $(wc -l <"$WORK/scored-$name.csv") == $((ROWS + 1)) ]] || fail "mlops score on $name did not write $ROWS rows"
done
rate() { grep -o '"rowsPerSecond": *[0-9.]*' "$WORK/logs/$1.json" | grep -o '[0-9.]*$'; }
seconds() { grep -o '"seconds": *[0-9.]*' "$WORK/logs/$1.json" | head -n 1 | grep -o '[0-9.]*$'; }
# The largest |p_cuda - p_cpu| over the Probability column (and how many predicted labels differ).
read -r MAX_DIFF LABELS_DIFFER < <(paste -d'\t' "$WORK/scored-cuda.csv" "$WORK/scored-cpu.csv" | awk -F'\t' '
    NR == 1 { n = split($1, h, ","); for (i = 1; i <= n; i++) { if (h[i] == "Probability") p = i; if (h[i] == "PredictedLabel") l = i } next }
    { split($1, a, ","); split($2, b, ","); d = a[p] - b[p]; if (d < 0) d = -d; if (d > max) max = d; if (a[l] != b[l]) labels++ }
    END { printf "%.3g %d\n", max, labels }')

thousands() { LC_ALL=C awk -v n="$1" 'BEGIN { s = sprintf("%.0f", n); r = ""; while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) } print s r }'; }
REPORT="$RESULTS/gpu-check.md"
{
    echo "# GPU check: \`mlops score\` on CUDA and on CPU — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "GPU: ${GPU_NAME:-unknown (no nvidia-smi)}. CPU: $(nproc) × $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'). ONNX Runtime GPU build $GPU_VERSION."
    echo "Model: the churn sample (FastTree); $(thousands "$ROWS") rows (samples/churn/data/test.csv over and over)."
    echo
    echo "| provider | rows/s (as mlops reports it, after the model is loaded) | scoring s | wall s (with start and model load) |"
    echo "|---|---|---|---|"
    echo "| CUDA (GPU build, CudaRequired) | $(thousands "$(rate cuda)") | $(seconds cuda) | ${WALL[cuda]} |"
    echo "| CPU (shipped build) | $(thousands "$(rate cpu)") | $(seconds cpu) | ${WALL[cpu]} |"
    echo
    echo "Largest |probability difference| CUDA vs CPU: $MAX_DIFF (tolerance $TOLERANCE); predicted labels that differ: $LABELS_DIFFER."
    echo
    echo "Produced by \`bench/gpu-check.sh\`."
} >"$REPORT"
cat "$REPORT"
awk -v d="$MAX_DIFF" -v t="$TOLERANCE" 'BEGIN { exit !(d <= t) }' || fail "CUDA's probabilities differ from the CPU's by $MAX_DIFF (> $TOLERANCE)"
