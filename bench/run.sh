#!/usr/bin/env bash
# Performance figures of MlOps.Ci, against its targets:
#   (a) BenchmarkDotNet: DataValidator.Validate on a 1,000,000-row x 20-column CSV (rows/s, one core) and
#       ContentHash.OfFile vs System.Security.Cryptography.MD5 on a 1 GiB file;
#   (b) a no-op 'dotnet build -t:TrainModel' of the churn sample (wall clock, median of 5);
#   (c) a clean full 'dotnet build' of the sample with the model cache off (-p:MlOpsCacheMode=Off, so it really trains):
#       validate, train, ONNX export, ONNX evaluation, package (wall, median of 3), with the engine's own
#       "Trained ... in X s; exported ONNX in Y s." and "Evaluated the ONNX model ..." lines;
#   (d) md5sum on the same 1 GiB file (median of 5) against the benchmark's ContentHash.OfFile;
#   (e) 'mlops status' on a project with 100,000 unchanged data files, stat cache warm (median of 5), with the cold
#       status, the 'dotnet build -t:ModelStatus' wall time and MSBuild's glob expansion alongside, and a breakdown
#       (StatusProfile.cs) when it misses its target;
#   (f) 'dotnet build' of a fresh copy of the sample whose model is in a remote OCI cache (Debian's docker-registry on
#       127.0.0.1) and not in the local one (median of 3), against the cold build that trained and pushed it, and a
#       local-cache hit.
# Every build and engine run gets its own empty model cache (MLOPS_CACHE_DIR in the temporary folder; the user's
# ~/.cache/mlops-ci and $MLOPS_REMOTE_CACHE are never used), and the report says which cache state each figure has.
# Prints a markdown table and writes it to bench/results/latest.md. Generated data (about 1.2 GB, plus 100,000 small
# files) lives in a temporary folder outside the repository; it and the registry are removed on exit, also on failure.
#
# Usage: bench/run.sh [--profile]     (from any folder; --profile always appends the validation and status breakdowns,
#                                       which are otherwise added only when their figure misses its target)
# Environment: TMPDIR picks the temporary folder's parent; MLOPS_BENCH_COMMIT names the source revision in the report
# when the tree is not a git checkout (e.g. a 'git archive' snapshot); MLOPS_BENCH_STATUS_FILES changes the number of
# files of (e) (default 100000; the target is for 100,000); MLOPS_BENCH_TIMEOUT bounds each command (seconds, default 900).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
PROJECT="$BENCH_DIR/MlOps.Ci.Benchmarks/MlOps.Ci.Benchmarks.csproj"
RESULTS="$BENCH_DIR/results"
PROFILE=0
[[ "${1:-}" == "--profile" ]] && PROFILE=1

STATUS_FILES=${MLOPS_BENCH_STATUS_FILES:-100000}
COMMAND_TIMEOUT=${MLOPS_BENCH_TIMEOUT:-900}

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# The model caches are set per measurement below; nothing from the caller's environment may leak in. The registry is
# on loopback: never through a proxy.
unset MLOPS_CACHE_DIR MLOPS_REMOTE_CACHE
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mlops-bench.XXXXXX")
REGISTRY_PID=""
cleanup() {
    if [[ -n "$REGISTRY_PID" ]]; then
        kill "$REGISTRY_PID" 2>/dev/null || true
        wait "$REGISTRY_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$RESULTS" "$WORK/logs" "$WORK/caches"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
# run LOG CMD... and median (bench/lib.sh).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"


# timed LOG CMD...: like run, and prints the wall-clock seconds it took.
timed() {
    local start end
    start=$(date +%s.%N)
    run "$@"
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f\n", e - s }'
}


# verdict VALUE OP TARGET: PASS or FAIL.
verdict() {
    awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { ok = (op == "<=") ? (v <= t) : (v >= t); print ok ? "PASS" : "**FAIL**" }'
}

# fail MESSAGE [LOG]: stops the script, showing LOG's tail.
fail() {
    log "FAILED: $1"
    [[ -z "${2:-}" ]] || tail -n 40 "$2" >&2
    exit 1
}

# fresh_cache NAME: a new, empty local model cache folder for one measurement (exported as MLOPS_CACHE_DIR).
fresh_cache() {
    export MLOPS_CACHE_DIR="$WORK/caches/$1"
    rm -rf "$MLOPS_CACHE_DIR"
    mkdir -p "$MLOPS_CACHE_DIR"
}

# copy_sample DEST [SOURCE]: a copy of the churn sample (default: the repository's) without bin/ and obj/, restoring
# the SDK from the temporary feed. SOURCE's mlops.lock.json comes along.
copy_sample() {
    local dest=$1 source=${2:-$REPO/samples/churn}
    rm -rf "$dest"
    cp -r "$source" "$dest"
    rm -rf "$dest/bin" "$dest/obj"
    cp "$WORK/nuget.config" "$dest/nuget.config"
}

# Pretty number with thousands separators.
thousands() { LC_ALL=C awk -v n="$1" 'BEGIN { s = sprintf("%.0f", n); r = ""; while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) } print s r }'; }

CPU_MODEL=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
NPROC=$(nproc)
MEM_GIB=$(awk '/^MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)
DOTNET_VERSION=$(dotnet --version)
if [[ -n "${MLOPS_BENCH_COMMIT:-}" ]]; then
    COMMIT=$MLOPS_BENCH_COMMIT DIRTY=""
else
    COMMIT=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
    DIRTY=$(git -C "$REPO" status --porcelain 2>/dev/null | grep -q . && echo " (+ uncommitted changes)" || true)
fi
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------------------------------------
# (a) BenchmarkDotNet
log "building the benchmarks (Release)"
run "$WORK/logs/bench-build.log" dotnet build -c Release "$PROJECT"
log "generating the 1M-row CSV and the 1 GiB file in $WORK/data"
run "$WORK/logs/generate.log" dotnet run -c Release --no-build --project "$PROJECT" -- generate "$WORK/data"
HASH_FILE="$WORK/data/hash-1gib.bin"

log "running BenchmarkDotNet (a few minutes; log: $WORK/logs/benchmarks.log)"
export MLOPS_BENCH_DATA="$WORK/data" MLOPS_BENCH_SUMMARY="$WORK/summary.tsv"
run "$WORK/logs/benchmarks.log" dotnet run -c Release --project "$PROJECT" -- --filter '*' --artifacts "$WORK/bdn"
unset MLOPS_BENCH_DATA MLOPS_BENCH_SUMMARY

bdn() { awk -F'\t' -v b="$1" -v c="$2" '$1 == b { print $c }' "$WORK/summary.tsv"; }
VALIDATE_NS_PER_ROW=$(bdn ValidationThroughput.Validate 2)
ROWS_PER_S=$(awk -v ns="$VALIDATE_NS_PER_ROW" 'BEGIN { printf "%.0f", 1e9 / ns }')
VALIDATE_S=$(awk -v ns="$VALIDATE_NS_PER_ROW" 'BEGIN { printf "%.3f", ns * 1e6 / 1e9 }')
VALIDATE_ALLOC=$(bdn ValidationThroughput.Validate 5)
XXH_NS=$(bdn HashingThroughput.ContentHashOfFile 2)
MD5_NET_NS=$(bdn HashingThroughput.Md5 2)
XXH_S=$(awk -v ns="$XXH_NS" 'BEGIN { printf "%.3f", ns / 1e9 }')
MD5_NET_S=$(awk -v ns="$MD5_NET_NS" 'BEGIN { printf "%.3f", ns / 1e9 }')
# One GitHub-flavoured report per benchmark class: the environment block once, then each class's table.
BDN_ENV=""
BDN_TABLE=""
for report in "$WORK"/bdn/results/*-report-github.md; do
    [[ -n "$BDN_ENV" ]] || BDN_ENV=$(awk '/^```/ { f = !f; next } f && NF' "$report")
    BDN_TABLE+=$(awk '/^\|/' "$report")$'\n\n'
done

# ---------------------------------------------------------------------------------------------------------------------
# (d) md5sum on the same file, page cache warm (the benchmark read it just before)
log "md5sum x 5 on the 1 GiB file"
md5sum "$HASH_FILE" >/dev/null
: >"$WORK/md5sum.times"
for _ in 1 2 3 4 5; do
    timed "$WORK/logs/md5sum.log" md5sum "$HASH_FILE" >>"$WORK/md5sum.times"
done
MD5SUM_S=$(median <"$WORK/md5sum.times")
GIB=1073741824
XXH_GBS=$(awk -v ns="$XXH_NS" -v b=$GIB 'BEGIN { printf "%.2f", b / ns }')
MD5SUM_GBS=$(awk -v s="$MD5SUM_S" -v b=$GIB 'BEGIN { printf "%.2f", b / s / 1e9 }')
MD5_NET_GBS=$(awk -v ns="$MD5_NET_NS" -v b=$GIB 'BEGIN { printf "%.2f", b / ns }')
HASH_RATIO=$(awk -v a="$MD5SUM_S" -v ns="$XXH_NS" 'BEGIN { printf "%.1f", a * 1e9 / ns }')
rm -f "$HASH_FILE"

# ---------------------------------------------------------------------------------------------------------------------
# (b) and (c): the churn sample built with a freshly packed SDK from a private feed and a private package cache
log "packing MlOps.Ci.Sdk (Release) into a temporary feed"
run "$WORK/logs/pack.log" dotnet pack "$REPO/src/MlOps.Ci.Sdk/MlOps.Ci.Sdk.csproj" -c Release -o "$WORK/feed"
SDK_VERSION=$(packed_version "$WORK/feed" MlOps.Ci.Sdk "$WORK/logs/pack.log")
feed_config "$WORK/nuget.config" mlops-bench "$WORK/feed"
mkdir -p "$WORK/samples"
# The samples' Directory.Build.props/targets stop MSBuild's walk up to anything above the temporary folder.
cp "$REPO"/samples/Directory.Build.props "$REPO"/samples/Directory.Build.targets "$WORK/samples/"
copy_sample "$WORK/samples/churn"
export NUGET_PACKAGES="$WORK/nuget-packages"
SAMPLE="$WORK/samples/churn/churn.mlproj"
ENGINE="$NUGET_PACKAGES/mlops.ci.sdk/${SDK_VERSION,,}/tools/engine/mlops.dll"   # NuGet extracts into lower-case folders
cd "$WORK/samples/churn"

log "first build of the sample (restores the SDK, trains; empty local cache)"
fresh_cache sample
run "$WORK/logs/sample-first.log" dotnet build "$SAMPLE"
[[ -f "$ENGINE" ]] || fail "the SDK package did not extract the engine to $ENGINE"

log "no-op 'dotnet build -t:TrainModel' x 5"
: >"$WORK/noop.times"
for i in 1 2 3 4 5; do
    timed "$WORK/logs/noop-$i.log" dotnet build "$SAMPLE" -t:TrainModel >>"$WORK/noop.times"
done
if grep -q 'Trained \|Restored model' "$WORK"/logs/noop-*.log; then
    log "WARNING: a 'no-op' TrainModel build ran the training step"
    NOOP_NOTE=" (ran the training step: not a no-op!)"
else
    NOOP_NOTE=""
fi
NOOP_S=$(median <"$WORK/noop.times")

# The planning targets no longer separate training from evaluation in MSBuild's performance summary (one engine run
# does every out-of-date step), so the target is judged on the whole clean build with the model cache off.
log "clean + full 'dotnet build -p:MlOpsCacheMode=Off' x 3"
: >"$WORK/full.times"
: >"$WORK/trained.times"
: >"$WORK/export.times"
for i in 1 2 3; do
    fresh_cache "sample-off-$i"
    run "$WORK/logs/clean-$i.log" dotnet build "$SAMPLE" -t:Clean
    timed "$WORK/logs/full-$i.log" dotnet build "$SAMPLE" -p:MlOpsCacheMode=Off >>"$WORK/full.times"
    # "Trained FastTree on 4000 rows in 1.23 s; exported ONNX in 0.45 s."
    line=$(grep -m1 -o 'Trained .* in [0-9.]* s; exported ONNX in [0-9.]* s' "$WORK/logs/full-$i.log" || true)
    [[ -n "$line" ]] || fail "no 'Trained ... in X s' line in $WORK/logs/full-$i.log (did it restore from a cache?)" "$WORK/logs/full-$i.log"
    TRAINED_LINE=$line
    sed -E 's/.* in ([0-9.]+) s; exported.*/\1/' <<<"$line" >>"$WORK/trained.times"
    sed -E 's/.*exported ONNX in ([0-9.]+) s.*/\1/' <<<"$line" >>"$WORK/export.times"
    EVALUATED_LINE=$(grep -m1 -o 'Evaluated the ONNX model on .*[^.]' "$WORK/logs/full-$i.log" || true)
    [[ -n "$EVALUATED_LINE" ]] || fail "no 'Evaluated the ONNX model' line in $WORK/logs/full-$i.log" "$WORK/logs/full-$i.log"
done
FULL_S=$(median <"$WORK/full.times")
TRAINED_S=$(median <"$WORK/trained.times")
EXPORT_S=$(median <"$WORK/export.times")

# The fixed cost of 'mlops status' (process start, assembly loading, JIT, two data files), for (e).
log "'mlops status' on the sample (2 data files) x 5"
: >"$WORK/status-small.times"
for i in 1 2 3 4 5; do
    timed "$WORK/logs/status-small-$i.log" dotnet exec "$ENGINE" status --definition obj/mlops/pipeline.json --quiet --lock-mode None --cache-mode Off \
        >>"$WORK/status-small.times"
done
STATUS_SMALL_S=$(median <"$WORK/status-small.times")
# One MSBuild evaluation of the sample and an empty target: the baseline for the glob expansion cost in (e).
: >"$WORK/eval-small.times"
for i in 1 2 3; do
    timed "$WORK/logs/eval-small-$i.log" dotnet msbuild "$SAMPLE" -t:Restore >>"$WORK/eval-small.times"
done
EVAL_SMALL_S=$(median <"$WORK/eval-small.times")
cd "$REPO"

# ---------------------------------------------------------------------------------------------------------------------
# (f) the remote model cache: Debian's docker-registry (CNCF distribution) on 127.0.0.1 and a free port
# free_port: a TCP port nobody listens on now (it may be taken before the registry binds it; the caller retries).
free_port() {
    if command -v python3 >/dev/null; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    else
        local port
        for _ in $(seq 50); do
            port=$((20000 + RANDOM % 40000))
            ss -Hltn "sport = :$port" | grep -q . || { echo "$port"; return; }
        done
        return 1
    fi
}

REMOTE_NOTE=""
if ! command -v docker-registry >/dev/null || ! command -v curl >/dev/null; then
    log "docker-registry or curl is missing: (f) is not measured"
    REMOTE_NOTE="not measured: docker-registry (Debian package docker-registry) or curl is missing"
else
    log "starting docker-registry on 127.0.0.1"
    mkdir -p "$WORK/registry"
    for attempt in 1 2 3; do
        REGISTRY_PORT=$(free_port)
        cat >"$WORK/registry/config.yml" <<EOF
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: '$WORK/registry/storage'}, delete: {enabled: true}}
http: {addr: '127.0.0.1:$REGISTRY_PORT', secret: mlops-bench-only}
EOF
        docker-registry serve "$WORK/registry/config.yml" >"$WORK/logs/registry-$attempt.log" 2>&1 &
        REGISTRY_PID=$!
        for _ in $(seq 40); do
            [[ "$(curl -s --noproxy '*' --max-time 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$REGISTRY_PORT/v2/" || true)" == 200 ]] && break 2
            kill -0 "$REGISTRY_PID" 2>/dev/null || break
            sleep 0.5
        done
        kill "$REGISTRY_PID" 2>/dev/null || true
        wait "$REGISTRY_PID" 2>/dev/null || true
        REGISTRY_PID=""
        [[ $attempt == 3 ]] && fail "docker-registry did not answer on 127.0.0.1 within 20 s (3 tries)" "$WORK/logs/registry-$attempt.log"
    done
    export MLOPS_REMOTE_CACHE="oci://127.0.0.1:$REGISTRY_PORT/mlops-bench"

    log "cold build (empty local and remote caches: trains and pushes)"
    copy_sample "$WORK/samples/remote-a"
    fresh_cache remote-a
    COLD_S=$(timed "$WORK/logs/remote-cold.log" dotnet build "$WORK/samples/remote-a/churn.mlproj")
    grep -q 'Trained ' "$WORK/logs/remote-cold.log" || fail "the cold build did not train" "$WORK/logs/remote-cold.log"
    grep -q 'Stored the model in the remote cache' "$WORK/logs/remote-cold.log" || fail "the cold build did not push to the remote cache" "$WORK/logs/remote-cold.log"
    [[ -f "$WORK/samples/remote-a/mlops.lock.json" ]] || fail "the cold build wrote no mlops.lock.json" "$WORK/logs/remote-cold.log"

    log "remote-cache hits x 3 (fresh folder and empty local cache each)"
    : >"$WORK/remote-hit.times"
    REPUSHED=0
    for i in 1 2 3; do
        copy_sample "$WORK/samples/remote-b$i" "$WORK/samples/remote-a"
        fresh_cache "remote-b$i"
        timed "$WORK/logs/remote-hit-$i.log" dotnet build "$WORK/samples/remote-b$i/churn.mlproj" >>"$WORK/remote-hit.times"
        if grep -q 'Trained ' "$WORK/logs/remote-hit-$i.log" || ! grep -q 'from the remote cache' "$WORK/logs/remote-hit-$i.log"; then
            fail "remote-hit build $i did not restore the model from the remote cache (it trained, or said nothing)" "$WORK/logs/remote-hit-$i.log"
        fi
        grep -q 'Stored the model in the remote cache' "$WORK/logs/remote-hit-$i.log" && REPUSHED=$((REPUSHED + 1))
    done
    REMOTE_HIT_S=$(median <"$WORK/remote-hit.times")
    REMOTE_LINE=$(grep -m1 -o 'Restored model .* from the remote cache[^;]*' "$WORK/logs/remote-hit-1.log")

    log "local-cache hits x 3 (fresh folder, the cold build's local cache)"
    : >"$WORK/local-hit.times"
    export MLOPS_CACHE_DIR="$WORK/caches/remote-a"
    for i in 1 2 3; do
        copy_sample "$WORK/samples/local-c$i" "$WORK/samples/remote-a"
        timed "$WORK/logs/local-hit-$i.log" dotnet build "$WORK/samples/local-c$i/churn.mlproj" >>"$WORK/local-hit.times"
        if grep -q 'Trained ' "$WORK/logs/local-hit-$i.log" || ! grep -qF "from the local cache ($MLOPS_CACHE_DIR)" "$WORK/logs/local-hit-$i.log"; then
            fail "local-hit build $i did not restore the model from $MLOPS_CACHE_DIR" "$WORK/logs/local-hit-$i.log"
        fi
    done
    LOCAL_HIT_S=$(median <"$WORK/local-hit.times")

    kill "$REGISTRY_PID" 2>/dev/null || true
    wait "$REGISTRY_PID" 2>/dev/null || true
    REGISTRY_PID=""
    unset MLOPS_REMOTE_CACHE
fi

# ---------------------------------------------------------------------------------------------------------------------
# (e) 'mlops status' with many unchanged data files
MANY="$WORK/samples/many"
log "generating $STATUS_FILES small CSV files in $MANY/data/parts"
mkdir -p "$MANY/data"
cp "$REPO/samples/churn/data/test.csv" "$MANY/data/test.csv"
cp "$WORK/nuget.config" "$MANY/nuget.config"
# Deterministic: file i holds the sample's header and the next 2 + i % 2 rows of its training data, cycling; 1,000 files a folder.
awk -v out="$MANY/data/parts" -v n="$STATUS_FILES" '
    NR == 1 { header = $0; next }
    { rows[++count] = $0 }
    END {
        r = 0
        for (i = 0; i < n; i++) {
            if (i % 1000 == 0) { dir = sprintf("%s/%03d", out, i / 1000); if (system("mkdir -p \"" dir "\"") != 0) exit 1 }
            file = sprintf("%s/part-%06d.csv", dir, i)
            print header > file
            for (j = 0; j < 2 + i % 2; j++) print rows[r++ % count + 1] > file
            close(file)
        }
    }' "$REPO/samples/churn/data/train.csv"
[[ $(find "$MANY/data/parts" -name '*.csv' | wc -l) == "$STATUS_FILES" ]] || fail "expected $STATUS_FILES generated files"
# The sample's project file with the training data as an MSBuild glob.
sed -e 's|<TrainingData Include="data/train.csv" />|<TrainingData Include="data/parts/**/*.csv" />|' \
    -e 's|<ModelName>churn</ModelName>|<ModelName>churn-many</ModelName>|' "$REPO/samples/churn/churn.mlproj" >"$MANY/many.mlproj"
grep -q 'data/parts/\*\*/\*.csv' "$MANY/many.mlproj" || fail "samples/churn/churn.mlproj changed: could not point its TrainingData at data/parts/**/*.csv"
cd "$MANY"
fresh_cache many

log "'dotnet build -t:ModelStatus' (writes obj/mlops/pipeline.json, hashes every file into obj/mlops/file-hashes.tsv)"
MODELSTATUS_COLD_S=$(timed "$WORK/logs/modelstatus-1.log" dotnet build many.mlproj -t:ModelStatus -clp:PerformanceSummary)
[[ -f obj/mlops/pipeline.json && -f obj/mlops/file-hashes.tsv ]] || fail "ModelStatus wrote no obj/mlops/pipeline.json or file-hashes.tsv" "$WORK/logs/modelstatus-1.log"
HASHED=$(grep -vc '^#' obj/mlops/file-hashes.tsv || true)
[[ "$HASHED" -ge "$STATUS_FILES" ]] || fail "file-hashes.tsv has $HASHED entries, expected at least $STATUS_FILES"

log "'mlops status': cold (no stat cache: every file read and hashed), then warm x 5"
mv obj/mlops/file-hashes.tsv "$WORK/file-hashes.tsv.saved"
STATUS_COLD_S=$(timed "$WORK/logs/status-cold.log" dotnet exec "$ENGINE" status --definition obj/mlops/pipeline.json --quiet --lock-mode None --cache-mode Off)
[[ -f obj/mlops/file-hashes.tsv ]] || fail "status wrote no stat cache"
TSV_BEFORE=$(md5sum <obj/mlops/file-hashes.tsv)
: >"$WORK/status-warm.times"
for i in 1 2 3 4 5; do
    timed "$WORK/logs/status-warm-$i.log" dotnet exec "$ENGINE" status --definition obj/mlops/pipeline.json --quiet --lock-mode None --cache-mode Off \
        >>"$WORK/status-warm.times"
done
STATUS_WARM_S=$(median <"$WORK/status-warm.times")
STATUS_WARM_RANGE="$(sort -g "$WORK/status-warm.times" | head -n 1)–$(sort -g "$WORK/status-warm.times" | tail -n 1)"
# A warm status that finds every file unchanged has nothing to add to the stat cache and must not rewrite it.
[[ "$(md5sum <obj/mlops/file-hashes.tsv)" == "$TSV_BEFORE" ]] && STATUS_NOTE="" || STATUS_NOTE=" (the stat cache changed during the warm runs: files were hashed again!)"

log "'dotnet build -t:ModelStatus' with the stat cache warm x 3"
: >"$WORK/modelstatus-warm.times"
for i in 2 3 4; do
    timed "$WORK/logs/modelstatus-$i.log" dotnet build many.mlproj -t:ModelStatus -clp:PerformanceSummary >>"$WORK/modelstatus-warm.times"
done
MODELSTATUS_WARM_S=$(median <"$WORK/modelstatus-warm.times")
# MSBuild's task summary of the last one: "   1164 ms  WritePipelineDefinition   1 calls".
task_ms() { awk -v t="$1" '/Task Performance Summary/ { f = 1 } f && $3 == t && $2 == "ms" { print $1; exit }' "$WORK/logs/modelstatus-4.log"; }
WRITE_DEFINITION_MS=$(task_ms WritePipelineDefinition)
RUN_STEP_MS=$(task_ms RunPipelineStep)
# The glob: one evaluation of the project and an empty target, against the same for the 2-file sample.
: >"$WORK/eval-many.times"
for i in 1 2 3; do
    timed "$WORK/logs/eval-many-$i.log" dotnet msbuild many.mlproj -t:Restore >>"$WORK/eval-many.times"
done
EVAL_MANY_S=$(median <"$WORK/eval-many.times")
GLOB_S=$(awk -v a="$EVAL_MANY_S" -v b="$EVAL_SMALL_S" 'BEGIN { printf "%.3f", a - b }')
# ModelStatus lists every input as added (there is no lock file): keep the logs small.
for f in "$WORK"/logs/modelstatus-*.log; do
    lines=$(wc -l <"$f")
    if ((lines > 100)); then
        { head -n 15 "$f"; echo "[... $((lines - 45)) lines left out by bench/run.sh ...]"; tail -n 30 "$f"; } >"$f.short"
        mv "$f.short" "$f"
    fi
done
cd "$REPO"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------------------------------------
PROFILE_TABLE=""
if [[ $PROFILE == 1 ]] || awk -v r="$ROWS_PER_S" 'BEGIN { exit !(r < 1000000) }'; then
    log "validation breakdown (Profile.cs)"
    run "$WORK/logs/profile.log" dotnet run -c Release --no-build --project "$PROJECT" -- profile "$WORK/data"
    PROFILE_TABLE=$(cat "$WORK/logs/profile.log")
fi
STATUS_PROFILE_TABLE=""
if [[ $PROFILE == 1 ]] || awk -v s="$STATUS_WARM_S" 'BEGIN { exit !(s > 1) }'; then
    log "status breakdown (StatusProfile.cs)"
    run "$WORK/logs/status-profile.log" dotnet run -c Release --no-build --project "$PROJECT" -- profile-status "$MANY/obj/mlops/pipeline.json"
    STATUS_PROFILE_TABLE=$(grep '^|' "$WORK/logs/status-profile.log")
fi

REPORT="$RESULTS/latest.md"
{
    echo "# MlOps.Ci performance — $STARTED"
    echo
    echo "Machine: $NPROC × $CPU_MODEL, $MEM_GIB GiB RAM, $(uname -sr), .NET SDK $DOTNET_VERSION. Commit $COMMIT$DIRTY."
    echo "Load average before / after: $LOAD_BEFORE / $LOAD_AFTER (figures are unreliable when it exceeds the core count)."
    echo
    echo "| Measure | Model cache | Target | Measured | |"
    echo "|---|---|---|---|---|"
    echo "| No-op \`dotnet build -t:TrainModel\` of samples/churn (wall, median of 5) | local, holds the model (engine not started) | ≤ 1.5 s | ${NOOP_S} s${NOOP_NOTE} | $(verdict "$NOOP_S" '<=' 1.5) |"
    echo "| Validation: \`DataValidator.Validate\`, 1,000,000 rows × 20 columns, one thread (BenchmarkDotNet median) | — | ≥ 1,000,000 rows/s | $(thousands "$ROWS_PER_S") rows/s (${VALIDATE_S} s per file, ${VALIDATE_ALLOC} B allocated per row) | $(verdict "$ROWS_PER_S" '>=' 1000000) |"
    echo "| Training + export + ONNX evaluation of samples/churn: clean full \`dotnet build -p:MlOpsCacheMode=Off\` (validate, train, export, evaluate, package; wall, median of 3) | off (always trains) | ≤ 10 s | ${FULL_S} s | $(verdict "$FULL_S" '<=' 10) |"
    echo "| … the engine's own figures (median of 3) | off | | trained in ${TRAINED_S} s, exported ONNX in ${EXPORT_S} s; last run: \`${TRAINED_LINE}\`, \`${EVALUATED_LINE}\` | |"
    if [[ -n "$REMOTE_NOTE" ]]; then
        echo "| Remote-cache hit: \`dotnet build\` of samples/churn | | ≤ 3 s | ${REMOTE_NOTE} | **NOT MEASURED** |"
    else
        echo "| Remote-cache hit: \`dotnet build\` of a fresh copy of samples/churn (with the cold build's mlops.lock.json), model only in the OCI registry on 127.0.0.1 (wall, median of 3) | local empty, remote holds the model | ≤ 3 s | ${REMOTE_HIT_S} s (vs cold ${COLD_S} s: $(awk -v a="$COLD_S" -v b="$REMOTE_HIT_S" 'BEGIN { printf "%.1f", a / b }')× faster); \`${REMOTE_LINE}\`; ${REPUSHED} of 3 also pushed their package back to the remote cache | $(verdict "$REMOTE_HIT_S" '<=' 3) |"
        echo "| … the cold build it is compared with: \`dotnet build\`, fresh copy, trains and pushes (wall, once) | local and remote empty | | ${COLD_S} s | |"
        echo "| … local-cache hit: \`dotnet build\` of a fresh copy, the cold build's local cache (remote cache still configured; wall, median of 3) | local holds the model | | ${LOCAL_HIT_S} s | |"
    fi
    echo "| \`mlops status\` on $(thousands "$STATUS_FILES") unchanged data files (\`dotnet exec mlops.dll status --quiet --lock-mode None --cache-mode Off\`), stat cache warm (wall, median of 5) | off | ≤ 1 s | ${STATUS_WARM_S} s (range ${STATUS_WARM_RANGE} s)${STATUS_NOTE} | $(verdict "$STATUS_WARM_S" '<=' 1) |"
    echo "| … the same, cold: no obj/mlops/file-hashes.tsv, every file read and hashed (OS page cache warm; wall, once) | off | | ${STATUS_COLD_S} s | |"
    echo "| … the same on samples/churn, 2 data files: process start, assembly loading, JIT (wall, median of 5) | off | | ${STATUS_SMALL_S} s | |"
    echo "| … \`dotnet build -t:ModelStatus\`, first (writes pipeline.json, hashes every file; wall, once) | local empty | | ${MODELSTATUS_COLD_S} s | |"
    echo "| … \`dotnet build -t:ModelStatus\`, stat cache warm (wall, median of 3; no lock file, so it logs every input as added) | local empty | | ${MODELSTATUS_WARM_S} s (last run's tasks: WritePipelineDefinition ${WRITE_DEFINITION_MS} ms, RunPipelineStep ${RUN_STEP_MS} ms) | |"
    echo "| … MSBuild expanding \`data/parts/**/*.csv\`: one evaluation + empty target of that project minus the same for samples/churn (median of 3 each; \`dotnet build\` evaluates twice: restore, then build) | — | | ${GLOB_S} s (${EVAL_MANY_S} s − ${EVAL_SMALL_S} s) | |"
    echo "| Hashing 1 GiB: \`ContentHash.OfFile\` (XxHash128, BenchmarkDotNet median) vs \`md5sum\` (wall, median of 5) | — | ≥ 5× md5sum | ${XXH_S} s (${XXH_GBS} GB/s) vs ${MD5SUM_S} s (${MD5SUM_GBS} GB/s): ${HASH_RATIO}× | $(verdict "$HASH_RATIO" '>=' 5) |"
    echo "| … .NET \`MD5.HashData\` on the same file (what DVC computes; BenchmarkDotNet median) | — | | ${MD5_NET_S} s (${MD5_NET_GBS} GB/s) | |"
    echo
    echo "BenchmarkDotNet (one operation = one row for Validate, the whole file for the hashes):"
    echo
    echo '```'
    echo "$BDN_ENV"
    echo '```'
    echo
    printf '%s' "$BDN_TABLE"
    if [[ -n "$PROFILE_TABLE" ]]; then
        echo "Validation breakdown (\`profile\`, Stopwatch, median of 3; each 'Sep read + X' row is a separate pass):"
        echo
        echo "$PROFILE_TABLE"
    fi
    if [[ -n "$STATUS_PROFILE_TABLE" ]]; then
        echo
        echo "\`mlops status\` breakdown on the $(thousands "$STATUS_FILES")-file project (\`profile-status\`, StatusProfile.cs; Stopwatch, one process; pieces in the order PipelineRunner.Status runs them):"
        echo
        echo "$STATUS_PROFILE_TABLE"
    fi
    echo
    echo "Produced by \`bench/run.sh${1:+ $1}\`."
} >"$REPORT"

# The logs are small; keep them next to the report (bench/.gitignore leaves them out of git).
rm -rf "$RESULTS/logs"
cp -r "$WORK/logs" "$RESULTS/logs"

cat "$REPORT"
log "written to $REPORT (logs in $RESULTS/logs)"
