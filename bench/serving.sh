#!/usr/bin/env bash
# Serving and batch-scoring figures of MlOps.Ci against a Python peer, side by side in one run on one machine:
#   (a) throughput of single-row POST /predict: 'mlops serve' vs the peer (bench/peer/serve_sklearn.py: scikit-learn's
#       GradientBoostingClassifier with the sample's features, served by FastAPI + uvicorn with 2 workers, the stack of
#       MLflow's scoring server), wrk with a POST body after a warm-up, at several connection counts (requests/s, p50,
#       p99; the ratio of the two peaks);
#   (b) latency at half of our peak rate, open-loop-ish with hey's rate limit (p99; 8 workers, and again with 16 when 8
#       cannot send that fast), and the peer's p99 at the same rate if its peak allows it, else at half of its own peak;
#   (c) a soak at our peak concurrency: non-2xx responses (wrk and the host's /metrics before/after) and the host's
#       RSS (VmRSS) every 5 s;
#   (d) batch scoring: 'mlops score' on a generated 1,000,000-row CSV with the churn schema (rows/s as the tool prints
#       it, and wall time);
#   (e) when (d) misses its target (or with --profile): BatchScorer's phases per row (bench/MlOps.Ci.Benchmarks
#       profile-score) for the sample and for a linear model trained on the same data, and whole runs on the latter;
# The MlOps.Ci.Sdk and MlOps.Ci.Cli packages are packed from a copy of the working tree in a temporary folder (the
# repository's bin/ and obj/ are not touched), the mlops tool is installed from there, and the churn sample is built
# through the packed SDK with an empty model cache. Servers listen on 127.0.0.1 only; every server, load generator and
# the temporary folder are removed on exit, also on failure or Ctrl-C.
# Prints a markdown report and writes it to bench/results/serving.md (logs in bench/results/logs/serving/).
#
# Usage: bench/serving.sh [--profile]    (from any folder; about 10 minutes on 2 cores)
# Environment: MLOPS_BENCH_TIMEOUT bounds each build/score command (seconds, default 900); MLOPS_SERVING_DURATION is the
# length of each throughput and latency run (default 15 s), MLOPS_SERVING_WARMUP of the warm-up (3 s),
# MLOPS_SERVING_SOAK of the soak (60 s); MLOPS_SERVING_CONNECTIONS the connection counts tried (default "8 32 64");
# MLOPS_SERVING_ROWS the batch file's rows (default 1000000); MLOPS_SERVING_PACKAGE serves and scores an existing
# .mlpkg instead of building the sample (a quick try; the report says so); MLOPS_BENCH_COMMIT names the source revision
# when the tree is not a git checkout. Root with apt-get installs what is missing (wrk, hey, Debian's python3-sklearn,
# -fastapi, -uvicorn, -uvloop, -httptools, -pandas, -numpy).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
RESULTS="$BENCH_DIR/results"
PROFILE=0
[[ "${1:-}" == "--profile" ]] && PROFILE=1

COMMAND_TIMEOUT=${MLOPS_BENCH_TIMEOUT:-900}
DURATION=${MLOPS_SERVING_DURATION:-15}
WARMUP=${MLOPS_SERVING_WARMUP:-3}
SOAK=${MLOPS_SERVING_SOAK:-60}
CONNECTIONS=${MLOPS_SERVING_CONNECTIONS:-8 32 64}
BATCH_ROWS=${MLOPS_SERVING_ROWS:-1000000}
SCORE_RUNS=3
# Servers live at most this long (the whole run takes about 10 minutes); they are stopped explicitly long before.
SERVER_LIMIT=3600
# Debian's interpreter: the python3 first on PATH may be another one that cannot see Debian's packages.
PY=/usr/bin/python3
# Targets.
TARGET_RPS=20000
TARGET_RATIO=10
TARGET_P99_MS=2
TARGET_ROWS_PER_S=1000000
RSS_GROWTH_PCT=10

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 MSBUILDDISABLENODEREUSE=1
unset MLOPS_CACHE_DIR MLOPS_REMOTE_CACHE
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mlops-serving.XXXXXX")
# Process ids of what runs in the background: the 'timeout' wrapper of each server and of the soak's wrk.
BACKGROUND=()

# descendants PID: every process below PID (children first-level, then theirs).
descendants() {
    local child
    for child in $(pgrep -P "$1" 2>/dev/null || true); do
        echo "$child"
        descendants "$child"
    done
}

# stop_tree PID: SIGTERM to PID ('timeout' passes it on to its command), up to 15 s for it and everything below it to
# exit, then SIGKILL to whatever is left of them.
stop_tree() {
    local root=$1 pids pid alive
    pids="$root $(descendants "$root" | tr '\n' ' ')"
    kill -TERM "$root" 2>/dev/null || true
    for _ in $(seq 30); do
        alive=0
        for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive=1; done
        ((alive)) || break
        sleep 0.5
    done
    for pid in $pids; do kill -KILL "$pid" 2>/dev/null || true; done
    wait "$root" 2>/dev/null || true
}

# stop_background PID: stop_tree, and PID is no longer ours to stop (its number may be reused).
stop_background() {
    local pid kept=()
    stop_tree "$1"
    for pid in "${BACKGROUND[@]}"; do
        [[ $pid == "$1" ]] || kept+=("$pid")
    done
    BACKGROUND=("${kept[@]}")
}

cleanup() {
    local pid
    for pid in "${BACKGROUND[@]}"; do
        stop_tree "$pid"
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$RESULTS" "$WORK/logs"

log() { printf '[serving %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
# run LOG CMD... and median (bench/lib.sh).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# fail MESSAGE [LOG]: stops the script, showing LOG's tail.
fail() {
    log "FAILED: $1"
    [[ -z "${2:-}" ]] || tail -n 40 "$2" >&2
    exit 1
}



# verdict VALUE OP TARGET: PASS or FAIL.
verdict() {
    awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { ok = (op == "<=") ? (v <= t) : (v >= t); print ok ? "PASS" : "**FAIL**" }'
}

# Pretty number with thousands separators.
thousands() { LC_ALL=C awk -v n="$1" 'BEGIN { s = sprintf("%.0f", n); r = ""; while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) } print s r }'; }

calc() { awk "BEGIN { printf $1 }"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# cpu_busy: share of both cores busy over 2 s (from /proc/stat), with none of this script's load running: what other
# processes on the machine take away from the measurement.
cpu_busy() {
    local a b
    a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
    sleep 2
    b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
    awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " "); busy = y[1] - x[1]; idle = y[2] - x[2]; printf "%.0f %%", 100 * busy / (busy + idle) }'
}

# free_port: a TCP port on 127.0.0.1 nobody listens on now.
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# wait_ready URL PID LOG: until URL answers 200 (at most 60 s); fails when PID exits first.
wait_ready() {
    for _ in $(seq 120); do
        [[ "$(curl -s --noproxy '*' --max-time 2 -o /dev/null -w '%{http_code}' "$1" || true)" == 200 ]] && return 0
        kill -0 "$2" 2>/dev/null || fail "the server exited before answering $1" "$3"
        sleep 0.5
    done
    fail "$1 did not answer 200 within 60 s" "$3"
}

# ---------------------------------------------------------------------------------------------------------------------
# Prerequisites
PACKAGES=(wrk hey python3-sklearn python3-fastapi python3-uvicorn python3-uvloop python3-httptools python3-pandas python3-numpy)
MISSING=()
for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || MISSING+=("$package")
done
if ((${#MISSING[@]})); then
    [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null || fail "missing Debian packages ${MISSING[*]} (install them as root)"
    log "installing ${MISSING[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! timeout 600 apt-get install -y -qq --no-install-recommends "${MISSING[@]}" >"$WORK/logs/apt.log" 2>&1; then
        timeout 600 apt-get update -qq >>"$WORK/logs/apt.log" 2>&1 || true
        run "$WORK/logs/apt.log" apt-get install -y -qq --no-install-recommends "${MISSING[@]}"
    fi
fi
for tool in wrk hey curl pgrep; do command -v "$tool" >/dev/null || fail "$tool is missing"; done
"$PY" -c 'import sklearn, fastapi, uvicorn, uvloop, httptools, pandas, numpy' 2>"$WORK/logs/python.log" \
    || fail "$PY cannot import the peer's packages" "$WORK/logs/python.log"
PEER_VERSIONS=$("$PY" -c 'import sys, sklearn, fastapi, uvicorn, uvloop, pandas, numpy; print(f"Python {sys.version.split()[0]}, scikit-learn {sklearn.__version__}, pandas {pandas.__version__}, NumPy {numpy.__version__}, FastAPI {fastapi.__version__}, uvicorn {uvicorn.__version__} (uvloop {uvloop.__version__}, httptools)")')
WRK_VERSION=$(wrk -v 2>&1 | head -n 1 | awk '{ print $2 }' || true)

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
LOAD_BEFORE=$(loadavg)
BUSY_BEFORE=$(cpu_busy)
log "load average $LOAD_BEFORE; other processes keep $BUSY_BEFORE of the CPUs busy"

# ---------------------------------------------------------------------------------------------------------------------
# The tool and the model package
log "copying the source tree to $WORK/src and packing MlOps.Ci.Sdk and MlOps.Ci.Cli (Release)"
mkdir -p "$WORK/src"
if git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1; then
    # Tracked and untracked-but-not-ignored files: the working tree as it is, without anyone's bin/ and obj/ (and without
    # tracked files deleted from it).
    (cd "$REPO" && git ls-files -co --exclude-standard -z -- src Directory.Build.props Directory.Packages.props global.json nuget.config \
        | while IFS= read -r -d '' file; do if [[ -f $file ]]; then printf '%s\0' "$file"; fi; done \
        | tar --null -T - -cf -) | tar -C "$WORK/src" -xf -
else
    cp -r "$REPO/src" "$REPO"/Directory.Build.props "$REPO"/Directory.Packages.props "$REPO"/global.json "$WORK/src/"
    find "$WORK/src/src" -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
fi
run "$WORK/logs/pack-sdk.log" dotnet pack "$WORK/src/src/MlOps.Ci.Sdk/MlOps.Ci.Sdk.csproj" -c Release -o "$WORK/feed"
run "$WORK/logs/pack-cli.log" dotnet pack "$WORK/src/src/MlOps.Ci.Cli/MlOps.Ci.Cli.csproj" -c Release -o "$WORK/feed"
VERSION=$(packed_version "$WORK/feed" MlOps.Ci.Cli "$WORK/logs/pack-cli.log")
feed_config "$WORK/nuget.config" mlops-serving-bench "$WORK/feed"
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="mlops-serving-bench" value="$WORK/feed" />
  </packageSources>
</configuration>
EOF
# A private package folder: a re-packed version is never shadowed by an older copy in the user's NuGet cache.
export NUGET_PACKAGES="$WORK/nuget-packages"
log "installing the mlops tool $VERSION into $WORK/tools"
(cd "$WORK" && run "$WORK/logs/tool-install.log" dotnet tool install MlOps.Ci.Cli --tool-path "$WORK/tools" --configfile "$WORK/nuget.config" --version "$VERSION")
MLOPS="$WORK/tools/mlops"
[[ -x "$MLOPS" ]] || fail "the tool install left no $MLOPS" "$WORK/logs/tool-install.log"

if [[ -n "${MLOPS_SERVING_PACKAGE:-}" ]]; then
    PACKAGE=$(cd "$(dirname "$MLOPS_SERVING_PACKAGE")" && pwd)/$(basename "$MLOPS_SERVING_PACKAGE")
    [[ -f "$PACKAGE" ]] || fail "MLOPS_SERVING_PACKAGE=$MLOPS_SERVING_PACKAGE does not exist"
    PACKAGE_NOTE="the given package $PACKAGE (MLOPS_SERVING_PACKAGE)"
else
    log "building samples/churn through the packed SDK (empty model cache: trains)"
    mkdir -p "$WORK/samples"
    cp "$REPO"/samples/Directory.Build.props "$REPO"/samples/Directory.Build.targets "$WORK/samples/"
    cp -r "$REPO/samples/churn" "$WORK/samples/churn"
    rm -rf "$WORK/samples/churn/bin" "$WORK/samples/churn/obj"
    cp "$WORK/nuget.config" "$WORK/samples/churn/nuget.config"
    export MLOPS_CACHE_DIR="$WORK/model-cache"
    (cd "$WORK/samples/churn" && run "$WORK/logs/sample-build.log" dotnet build churn.mlproj)
    unset MLOPS_CACHE_DIR
    PACKAGE=$(find "$WORK/samples/churn/bin" -name '*.mlpkg' | head -n 1)
    [[ -n "$PACKAGE" ]] || fail "the sample build wrote no .mlpkg" "$WORK/logs/sample-build.log"
    PACKAGE_NOTE="samples/churn built through the packed SDK ($(basename "$PACKAGE"))"
fi
OURS_AUC=$(cd "$WORK" && "$MLOPS" inspect "$PACKAGE" | "$PY" -c 'import json, sys; m = json.load(sys.stdin)["metrics"]; print("AUC %.4f, LogLoss %.4f" % (m["AUC"], m["LogLoss"]))')

# ---------------------------------------------------------------------------------------------------------------------
# The two servers and the request body
log "training the peer (scikit-learn) on samples/churn/data/train.csv"
mkdir -p "$WORK/peer"
run "$WORK/logs/peer-train.log" "$PY" "$BENCH_DIR/peer/serve_sklearn.py" train \
    --data "$REPO/samples/churn/data/train.csv" --test "$REPO/samples/churn/data/test.csv" --model "$WORK/peer/churn.pkl"
PEER_MODEL=$(tail -n 1 "$WORK/logs/peer-train.log" | "$PY" -c 'import json, sys; r = json.load(sys.stdin); print("%s in scikit-learn %s; test AUC %.4f, LogLoss %.4f" % (r["trainer"], r["sklearn"], r["AUC"], r["LogLoss"]))')

PEER_PORT=$(free_port)
PEER_URL="http://127.0.0.1:$PEER_PORT"
PEER_COMMAND="MLOPS_PEER_MODEL=churn.pkl OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $PY -m uvicorn serve_sklearn:app --app-dir bench/peer --host 127.0.0.1 --port $PEER_PORT --workers 2 --loop uvloop --http httptools --no-access-log --log-level warning"
log "starting the peer: $PEER_COMMAND"
MLOPS_PEER_MODEL="$WORK/peer/churn.pkl" OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
    timeout --kill-after=10 "$SERVER_LIMIT" "$PY" -m uvicorn serve_sklearn:app --app-dir "$BENCH_DIR/peer" --host 127.0.0.1 --port "$PEER_PORT" \
    --workers 2 --loop uvloop --http httptools --no-access-log --log-level warning >"$WORK/logs/peer-server.log" 2>&1 &
PEER_WRAPPER=$!
BACKGROUND+=("$PEER_WRAPPER")
wait_ready "$PEER_URL/health" "$PEER_WRAPPER" "$WORK/logs/peer-server.log"

OURS_PORT=$(free_port)
OURS_URL="http://127.0.0.1:$OURS_PORT"
OURS_COMMAND="mlops serve --package $(basename "$PACKAGE") --urls $OURS_URL --request-log requests.jsonl"
log "starting ours: $OURS_COMMAND"
(cd "$WORK" && exec timeout --kill-after=10 "$SERVER_LIMIT" "$MLOPS" serve --package "$PACKAGE" --urls "$OURS_URL" \
    --request-log "$WORK/requests.jsonl") >"$WORK/logs/ours-server.log" 2>&1 &
OURS_WRAPPER=$!
BACKGROUND+=("$OURS_WRAPPER")
wait_ready "$OURS_URL/v2/health/ready" "$OURS_WRAPPER" "$WORK/logs/ours-server.log"
OURS_PID=$(pgrep -P "$OURS_WRAPPER" | head -n 1)
[[ -n "$OURS_PID" && -r "/proc/$OURS_PID/status" ]] || fail "cannot find the mlops serve process under $OURS_WRAPPER"
PROVIDER=$(curl -s --max-time 5 "$OURS_URL/metrics" | sed -n 's/^mlops_model_info{.*execution_provider="\([^"]*\)".*/\1/p' | head -n 1)
RSS_IDLE_KB=$(awk '/^VmRSS/ { print $2 }' "/proc/$OURS_PID/status")

# The body: the first row of test.csv without a missing value, as one row of {"rows": [...]}, without CustomerId (an
# ignored column: ours answers an unknown column 400) and the label. Numbers as JSON numbers, the rest as strings.
"$PY" - "$REPO/samples/churn/data/test.csv" "$WORK/body.json" <<'EOF'
import csv, json, sys
with open(sys.argv[1], newline="") as stream:
    for row in csv.DictReader(stream):
        if all(v not in ("", "NA", "N/A", "NaN", "null") for v in row.values()):
            break
def value(text):
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text
body = {"rows": [{k: value(v) for k, v in row.items() if k not in ("CustomerId", "Churned")}]}
with open(sys.argv[2], "w") as stream:
    stream.write(json.dumps(body, separators=(",", ":")))
EOF
BODY=$(cat "$WORK/body.json")
# wrk: the POST, and one machine-readable line at the end (latencies in microseconds; "status" = non-2xx/3xx answers).
cat >"$WORK/post.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[$BODY]==]
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK_RESULT requests=%d duration_us=%d p50_us=%.0f p90_us=%.0f p99_us=%.0f max_us=%.0f non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.status, e.connect, e.read, e.write, e.timeout))
end
EOF
for side in ours peer; do
    url=$([[ $side == ours ]] && echo "$OURS_URL" || echo "$PEER_URL")
    code=$(curl -s --max-time 10 -o "$WORK/answer-$side.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data-binary @"$WORK/body.json" "$url/predict" || true)
    [[ "$code" == 200 ]] || fail "$side answered the body with $code: $(cat "$WORK/answer-$side.json" 2>/dev/null)"
done
OURS_PROBABILITY=$("$PY" -c 'import json, sys; print(round(json.load(open(sys.argv[1]))["predictions"][0]["probability"], 4))' "$WORK/answer-ours.json")
PEER_PROBABILITY=$("$PY" -c 'import json, sys; print(round(json.load(open(sys.argv[1]))["predictions"][0]["probability"], 4))' "$WORK/answer-peer.json")

# wrk_run NAME URL CONNECTIONS SECONDS: runs wrk (2 threads) and prints "rps p50_ms p99_ms non2xx errors requests".
wrk_run() {
    local name=$1 url=$2 connections=$3 seconds=$4 line
    run "$WORK/logs/wrk-$name.log" timeout --kill-after=5 $((seconds + 30)) \
        wrk -t2 -c"$connections" -d"${seconds}s" --timeout 10s -s "$WORK/post.lua" "$url/predict"
    line=$(grep '^WRK_RESULT' "$WORK/logs/wrk-$name.log") || fail "no WRK_RESULT line from wrk" "$WORK/logs/wrk-$name.log"
    awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
           printf "%.0f %.3f %.3f %d %d %d\n", v["requests"] / (v["duration_us"] / 1e6), v["p50_us"] / 1000, v["p99_us"] / 1000, v["non2xx"],
                  v["connect"] + v["read"] + v["write"] + v["timeout"], v["requests"] }' <<<"$line"
}

# ---------------------------------------------------------------------------------------------------------------------
# (a) throughput
BUSY_THROUGHPUT=$(cpu_busy)
LOAD_THROUGHPUT=$(loadavg)
log "warm-up: ${WARMUP} s of wrk on each server"
wrk_run warmup-ours "$OURS_URL" 32 "$WARMUP" >/dev/null
wrk_run warmup-peer "$PEER_URL" 32 "$WARMUP" >/dev/null
: >"$WORK/sweep.tsv"
for c in $CONNECTIONS; do
    for side in ours peer; do
        url=$([[ $side == ours ]] && echo "$OURS_URL" || echo "$PEER_URL")
        log "wrk -t2 -c$c -d${DURATION}s on $side"
        read -r rps p50 p99 non2xx errors requests < <(wrk_run "$side-c$c" "$url" "$c" "$DURATION")
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$side" "$c" "$rps" "$p50" "$p99" "$non2xx" "$errors" "$requests" >>"$WORK/sweep.tsv"
    done
done
# The peak of each side: the connection count with the most requests/s among runs without failures.
peak() { awk -F'\t' -v s="$1" '$1 == s && $6 == 0 && $7 == 0 && $3 > best { best = $3; line = $0 } END { print line }' "$WORK/sweep.tsv"; }
IFS=$'\t' read -r _ PEAK_C PEAK_RPS PEAK_P50 PEAK_P99 _ _ _ <<<"$(peak ours)"
IFS=$'\t' read -r _ PEER_C PEER_RPS PEER_P50 PEER_P99 _ _ _ <<<"$(peak peer)"
[[ -n "${PEAK_RPS:-}" && -n "${PEER_RPS:-}" ]] || fail "a side had failures in every throughput run (see $WORK/sweep.tsv)" "$WORK/sweep.tsv"
RATIO=$(calc "\"%.1f\", $PEAK_RPS / $PEER_RPS")
log "peaks: ours $PEAK_RPS requests/s at c=$PEAK_C, peer $PEER_RPS requests/s at c=$PEER_C ($RATIO×)"

# ---------------------------------------------------------------------------------------------------------------------
# (b) latency at half of our peak, hey with a rate limit (per worker: total = workers × q)
# hey_run NAME URL RATE [WORKERS]: prints "achieved_rps p50_ms p99_ms ok_responses other_responses" (achieved = 200s /
# duration). WORKERS defaults to 8.
hey_run() {
    local name=$1 url=$2 rate=$3 workers=${4:-8} q
    q=$(calc "\"%.2f\", $rate / $workers")
    run "$WORK/logs/hey-$name.log" timeout --kill-after=5 $((DURATION + 30)) \
        hey -z "${DURATION}s" -c "$workers" -q "$q" -t 10 -m POST -T application/json -D "$WORK/body.json" "$url/predict"
    awk '/^  Total:/ { total = $2 }
         /%+ in / && $1 ~ /^50%/ { p50 = $3 } /%+ in / && $1 ~ /^99%/ { p99 = $3 }
         /^  \[200\]/ { ok = $2 } /^  \[[0-9]+\]/ && !/^  \[200\]/ { other += $2 }
         END { printf "%.0f %.3f %.3f %d %d\n", ok / total, p50 * 1000, p99 * 1000, ok, other }' "$WORK/logs/hey-$name.log"
}
# short_of ACHIEVED ASKED [WORKERS]: a note when hey sent less than 95 % of the asked rate.
short_of() {
    awk -v a="$1" -v r="$2" -v w="${3:-8}" 'BEGIN { if (a < 0.95 * r) printf " — only %.0f %% of the asked rate: each of hey'"'"'s %d workers waits for its answer, so they cannot send faster than %d / latency", 100 * a / r, w, w }'
}
RATE=$(calc "\"%d\", $PEAK_RPS / 2")
BUSY_LATENCY=$(cpu_busy)
log "hey -z ${DURATION}s -c 8 -q $(calc "\"%.2f\", $RATE / 8") on ours ($RATE requests/s in all)"
read -r OURS_ACHIEVED OURS_LAT_P50 OURS_LAT_P99 OURS_LAT_OK OURS_LAT_OTHER < <(hey_run ours "$OURS_URL" "$RATE")
# 8 workers that each wait for their answer cannot send faster than 8 / latency: when they fell short of the rate, the
# same rate again with 16 workers, so that the p99 the verdict uses is really taken at half of our peak.
LAT_WORKERS=8 LAT_ACHIEVED=$OURS_ACHIEVED LAT_P50=$OURS_LAT_P50 LAT_P99=$OURS_LAT_P99 LAT_OTHER=$OURS_LAT_OTHER LAT_ALSO=""
if awk -v a="$OURS_ACHIEVED" -v r="$RATE" 'BEGIN { exit !(a < 0.95 * r) }'; then
    log "hey's 8 workers sent $OURS_ACHIEVED/s of $RATE/s: the same rate with -c 16"
    read -r A16 P50_16 P99_16 _ OTHER16 < <(hey_run ours-c16 "$OURS_URL" "$RATE" 16)
    LAT_ALSO="; with \`-c 8\`: p99 $OURS_LAT_P99 ms, p50 $OURS_LAT_P50 ms, $(thousands "$OURS_ACHIEVED")/s answered 200$(short_of "$OURS_ACHIEVED" "$RATE")"
    LAT_WORKERS=16 LAT_ACHIEVED=$A16 LAT_P50=$P50_16 LAT_P99=$P99_16 LAT_OTHER=$OTHER16
fi
if awk -v p="$PEER_RPS" -v r="$RATE" 'BEGIN { exit !(p >= r) }'; then
    PEER_RATE=$RATE
    PEER_RATE_NOTE="the same rate, $(thousands "$RATE")/s"
else
    PEER_RATE=$(calc "\"%d\", $PEER_RPS / 2")
    PEER_RATE_NOTE="half of its own peak, $(thousands "$PEER_RATE")/s (its peak, $(thousands "$PEER_RPS")/s, is below our half-peak rate)"
fi
log "hey on the peer at $PEER_RATE requests/s"
read -r PEER_ACHIEVED PEER_LAT_P50 PEER_LAT_P99 PEER_LAT_OK PEER_LAT_OTHER < <(hey_run peer "$PEER_URL" "$PEER_RATE")

# The peer is done: its CPU goes back to ours for the soak.
stop_background "$PEER_WRAPPER"

# ---------------------------------------------------------------------------------------------------------------------
# (c) soak at our peak concurrency
predict_counts() {
    curl -s --max-time 10 "$OURS_URL/metrics" | awk '/^mlops_http_requests_total\{/ && /endpoint="predict"/ {
        match($0, /status="[0-9]+"/); print substr($0, RSTART + 8, RLENGTH - 9), $NF }'
}
metric() { curl -s --max-time 10 "$OURS_URL/metrics" | awk -v m="$1" '$1 == m { printf "%.0f\n", $2 }'; }
BUSY_SOAK=$(cpu_busy)
LOAD_SOAK=$(loadavg)
predict_counts >"$WORK/metrics-before.txt"
RSS_BEFORE_SOAK_KB=$(awk '/^VmRSS/ { print $2 }' "/proc/$OURS_PID/status")
log "soak: wrk -t2 -c$PEAK_C -d${SOAK}s on ours, VmRSS every 5 s"
timeout --kill-after=5 $((SOAK + 30)) wrk -t2 -c"$PEAK_C" -d"${SOAK}s" --timeout 10s -s "$WORK/post.lua" "$OURS_URL/predict" >"$WORK/logs/wrk-soak.log" 2>&1 &
SOAK_PID=$!
BACKGROUND+=("$SOAK_PID")
START=$(date +%s.%N)
: >"$WORK/rss.tsv"
for i in $(seq 0 $((SOAK / 5))); do
    # Sleep until START + 5 i s, then sample.
    sleep "$(awk -v s="$START" -v i="$i" -v now="$(date +%s.%N)" 'BEGIN { d = s + 5 * i - now; print (d > 0 ? d : 0) }')"
    kill -0 "$OURS_PID" 2>/dev/null || fail "mlops serve exited during the soak" "$WORK/logs/ours-server.log"
    printf '%d\t%s\n' $((5 * i)) "$(awk '/^VmRSS/ { print $2 }' "/proc/$OURS_PID/status")" >>"$WORK/rss.tsv"
done
wait "$SOAK_PID" || fail "wrk failed during the soak" "$WORK/logs/wrk-soak.log"
stop_background "$SOAK_PID"
predict_counts >"$WORK/metrics-after.txt"
read -r SOAK_RPS SOAK_P50 SOAK_P99 SOAK_NON2XX SOAK_ERRORS SOAK_REQUESTS < <(
    awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
           printf "%.0f %.3f %.3f %d %d %d\n", v["requests"] / (v["duration_us"] / 1e6), v["p50_us"] / 1000, v["p99_us"] / 1000, v["non2xx"],
                  v["connect"] + v["read"] + v["write"] + v["timeout"], v["requests"] }' <<<"$(grep '^WRK_RESULT' "$WORK/logs/wrk-soak.log")")
# The host's own count of the soak's answers, by status.
SOAK_STATUS=$(awk 'NR == FNR { before[$1] = $2; next } { d = $2 - before[$1]; if (d > 0) printf "%s%s: %d", (n++ ? ", " : ""), $1, d }' \
    "$WORK/metrics-before.txt" "$WORK/metrics-after.txt")
SOAK_5XX=$(awk 'NR == FNR { before[$1] = $2; next } $1 ~ /^5/ { s += $2 - before[$1] } END { print s + 0 }' "$WORK/metrics-before.txt" "$WORK/metrics-after.txt")
SOAK_NON2XX_HOST=$(awk 'NR == FNR { before[$1] = $2; next } $1 !~ /^2/ { s += $2 - before[$1] } END { print s + 0 }' "$WORK/metrics-before.txt" "$WORK/metrics-after.txt")
RSS_SAMPLES=$(awk -F'\t' '{ printf "%s%d s %.0f", (NR > 1 ? ", " : ""), $1, $2 / 1024 }' "$WORK/rss.tsv")
RSS_BASE_KB=$(awk -F'\t' '$1 == 10 { print $2 }' "$WORK/rss.tsv")
RSS_MAX_AFTER_KB=$(awk -F'\t' '$1 > 10 && $2 > m { m = $2 } END { print m + 0 }' "$WORK/rss.tsv")
RSS_GROWTH=$(calc "\"%.1f\", 100 * ($RSS_MAX_AFTER_KB - $RSS_BASE_KB) / $RSS_BASE_KB")
LOG_ROWS=$(metric mlops_request_log_rows_total)
LOG_DROPPED=$(metric mlops_request_log_dropped_total)
LOG_MB=$(calc "\"%.0f\", $(stat -c %s "$WORK/requests.jsonl") / 1e6")
stop_background "$OURS_WRAPPER"
rm -f "$WORK/requests.jsonl"

# ---------------------------------------------------------------------------------------------------------------------
# (d) batch scoring
log "generating a $(thousands "$BATCH_ROWS")-row CSV (test.csv's rows over and over, ids B0000001…)"
awk -F, -v n="$BATCH_ROWS" 'NR == 1 { print; next } { rest[c++] = substr($0, length($1) + 1) }
    END { for (i = 0; i < n; i++) printf "B%07d%s\n", i + 1, rest[i % c] }' "$REPO/samples/churn/data/test.csv" >"$WORK/batch.csv"
[[ $(wc -l <"$WORK/batch.csv") == $((BATCH_ROWS + 1)) ]] || fail "the batch CSV does not have $BATCH_ROWS rows"
BATCH_MB=$(calc "\"%.0f\", $(stat -c %s "$WORK/batch.csv") / 1e6")
BUSY_BATCH=$(cpu_busy)
LOAD_BATCH=$(loadavg)
# score_once LOG: 'mlops score' once; prints "rows_per_s seconds wall".
score_once() {
    local start end
    start=$(date +%s.%N)
    (cd "$WORK" && run "$1" "$MLOPS" score -p "$PACKAGE" -i "$WORK/batch.csv" -o "$WORK/scored.csv" --json)
    end=$(date +%s.%N)
    "$PY" -c 'import json, sys; r = json.load(open(sys.argv[1])); print("%.0f %.3f %.3f" % (r["rowsPerSecond"], r["seconds"], float(sys.argv[2])))' "$1" "$(calc "\"%.3f\", $end - $start")"
}
: >"$WORK/score.tsv"
for i in $(seq "$SCORE_RUNS"); do
    log "mlops score, run $i of $SCORE_RUNS"
    score_once "$WORK/logs/score-$i.log" >>"$WORK/score.tsv"
done
[[ $(wc -l <"$WORK/scored.csv") == $((BATCH_ROWS + 1)) ]] || fail "mlops score did not write $BATCH_ROWS rows"
SCORE_RPS=$(cut -d' ' -f1 "$WORK/score.tsv" | median)
SCORE_S=$(cut -d' ' -f2 "$WORK/score.tsv" | median)
SCORE_WALL=$(cut -d' ' -f3 "$WORK/score.tsv" | median)
SCORE_RANGE="$(thousands "$(cut -d' ' -f1 "$WORK/score.tsv" | sort -g | head -n 1)")–$(thousands "$(cut -d' ' -f1 "$WORK/score.tsv" | sort -g | tail -n 1)")"

# ---------------------------------------------------------------------------------------------------------------------
# (e) where batch scoring spends its time, per model
PROFILE_SECTION=""
if [[ $PROFILE == 1 ]] || awk -v r="$SCORE_RPS" -v t="$TARGET_ROWS_PER_S" 'BEGIN { exit !(r < t) }'; then
    log "batch scoring breakdown: bench/MlOps.Ci.Benchmarks profile-score, built against the copy of src/"
    mkdir -p "$WORK/src/bench"
    (cd "$REPO" && git ls-files -co --exclude-standard -z -- bench/MlOps.Ci.Benchmarks | tar --null -T - -cf -) | tar -C "$WORK/src" -xf -
    # The user's NuGet cache (as for the pack): BenchmarkDotNet is not in the private package folder.
    run "$WORK/logs/profile-build.log" env -u NUGET_PACKAGES dotnet build "$WORK/src/bench/MlOps.Ci.Benchmarks" -c Release
    BENCH_DLL="$WORK/src/bench/MlOps.Ci.Benchmarks/bin/Release/net10.0/MlOps.Ci.Benchmarks.dll"
    # The same data with a linear model (LbfgsLogisticRegression): what the pipeline reaches when the model is cheap.
    run "$WORK/logs/profile-train-linear.log" dotnet "$BENCH_DLL" train-model "$REPO/samples/churn/data" LbfgsLogisticRegression "$WORK/linear"
    BUSY_PHASES=$(cpu_busy)
    run "$WORK/logs/profile-sample.log" dotnet "$BENCH_DLL" profile-score "$PACKAGE" "$WORK/batch.csv" 200000
    run "$WORK/logs/profile-linear.log" dotnet "$BENCH_DLL" profile-score "$WORK/linear/model.mlpkg" "$WORK/batch.csv" 200000
    run "$WORK/logs/time-linear.log" dotnet "$BENCH_DLL" time-score "$WORK/linear/model.mlpkg" "$WORK/batch.csv" "$WORK/scored-linear.csv" "$SCORE_RUNS"
    PROFILE_SECTION=$(
        echo "## Where batch scoring spends its time"
        echo
        echo "\`profile-score\` (bench/MlOps.Ci.Benchmarks/ScoringProfile.cs) times each phase of \`BatchScorer\` on one thread over 200,000 rows of the batch file (other processes kept $BUSY_PHASES of the CPUs busy just before). The sample (FastTree, 200 trees):"
        echo
        echo '```'
        cat "$WORK/logs/profile-sample.log"
        echo '```'
        echo
        echo "The same data with a linear model (LbfgsLogisticRegression trained by \`train-model\`), and whole \`BatchScorer.Score\` runs on it in one process (\`time-score\`):"
        echo
        echo '```'
        cat "$WORK/logs/profile-linear.log" "$WORK/logs/time-linear.log"
        echo '```'
    )
fi

LOAD_AFTER=$(loadavg)
BUSY_AFTER=$(cpu_busy)

# ---------------------------------------------------------------------------------------------------------------------
# The report
SWEEP_TABLE=$(awk -F'\t' '{ printf "| %s | %s | %s | %s ms | %s ms | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }' "$WORK/sweep.tsv")
REPORT="$RESULTS/serving.md"
{
    echo "# MlOps.Ci serving and batch scoring vs a Python peer — $STARTED"
    echo
    echo "Machine: $NPROC × $CPU_MODEL, $MEM_GIB GiB RAM, $(uname -sr), .NET SDK $DOTNET_VERSION; wrk $WRK_VERSION, hey (Debian). Commit $COMMIT$DIRTY, tool MlOps.Ci.Cli $VERSION packed from it; model: $PACKAGE_NOTE."
    echo "Load average before / after: $LOAD_BEFORE / $LOAD_AFTER. CPU kept busy by other processes (2 s sample with nothing of this script running): $BUSY_BEFORE before, $BUSY_THROUGHPUT before the throughput runs, $BUSY_LATENCY before the latency runs, $BUSY_SOAK before the soak, $BUSY_BATCH before batch scoring, $BUSY_AFTER at the end."
    echo "Everything shares the same $NPROC cores: the server under test, the load generator (wrk uses 2 threads, hey 8 workers) and whatever else runs on the machine. Figures are unreliable when other processes take a noticeable share."
    echo
    echo "| Figure | Target | Ours (\`mlops serve\`, ONNX Runtime on $PROVIDER) | Peer (scikit-learn, FastAPI + uvicorn, 2 workers) | Verdict |"
    echo "|---|---|---|---|---|"
    echo "| Throughput, single-row POST /predict (\`wrk -t2 -c{$(echo "$CONNECTIONS" | tr ' ' ',')} -d${DURATION}s\` after a ${WARMUP} s warm-up; the best connection count) | ≥ $(thousands "$TARGET_RPS") req/s | **$(thousands "$PEAK_RPS") req/s** (c=$PEAK_C; p50 $PEAK_P50 ms, p99 $PEAK_P99 ms) | $(thousands "$PEER_RPS") req/s (c=$PEER_C; p50 $PEER_P50 ms, p99 $PEER_P99 ms) | $(verdict "$PEAK_RPS" '>=' "$TARGET_RPS") |"
    echo "| Throughput ratio ours / peer | ≥ ${TARGET_RATIO}× | **${RATIO}×** | 1× | $(verdict "$RATIO" '>=' "$TARGET_RATIO") |"
    echo "| Latency at half of our peak (\`hey -z ${DURATION}s -c <workers> -q <rate/workers>\`): p99 | ≤ $TARGET_P99_MS ms | **$LAT_P99 ms** with \`-c $LAT_WORKERS\` at $(thousands "$RATE")/s asked, $(thousands "$LAT_ACHIEVED")/s answered 200$(short_of "$LAT_ACHIEVED" "$RATE" "$LAT_WORKERS") (p50 $LAT_P50 ms; $LAT_OTHER other statuses)$LAT_ALSO | $PEER_LAT_P99 ms at $PEER_RATE_NOTE, $(thousands "$PEER_ACHIEVED")/s answered 200$(short_of "$PEER_ACHIEVED" "$PEER_RATE") (p50 $PEER_LAT_P50 ms; $PEER_LAT_OTHER other statuses) | $(verdict "$LAT_P99" '<=' "$TARGET_P99_MS") |"
    echo "| Soak, ${SOAK} s at c=$PEAK_C (\`wrk -t2 -c$PEAK_C -d${SOAK}s\`): 5xx answers (host's /metrics, before/after) | 0 | **$SOAK_5XX** of $(thousands "$SOAK_REQUESTS") ($SOAK_STATUS; non-2xx: $SOAK_NON2XX_HOST by the host, $SOAK_NON2XX by wrk; socket errors $SOAK_ERRORS); $(thousands "$SOAK_RPS") req/s, p50 $SOAK_P50 ms, p99 $SOAK_P99 ms | — | $(verdict "$SOAK_5XX" '<=' 0) |"
    echo "| Soak: RSS growth after the first 10 s (VmRSS every 5 s; max after 10 s vs at 10 s) | < ${RSS_GROWTH_PCT} % | **${RSS_GROWTH} %** ($(calc "\"%.0f\", $RSS_BASE_KB / 1024") MiB at 10 s, max $(calc "\"%.0f\", $RSS_MAX_AFTER_KB / 1024") MiB; idle after start $(calc "\"%.0f\", $RSS_IDLE_KB / 1024") MiB, before the soak $(calc "\"%.0f\", $RSS_BEFORE_SOAK_KB / 1024") MiB) | — | $(verdict "$RSS_GROWTH" '<=' "$RSS_GROWTH_PCT") |"
    echo "| Batch scoring: \`mlops score\` on $(thousands "$BATCH_ROWS") rows ($BATCH_MB MB CSV), rows/s as the tool prints it (median of $SCORE_RUNS) | ≥ $(thousands "$TARGET_ROWS_PER_S") rows/s | **$(thousands "$SCORE_RPS") rows/s** (range $SCORE_RANGE; ${SCORE_S} s scoring, ${SCORE_WALL} s wall with process start and model load) | — | $(verdict "$SCORE_RPS" '>=' "$TARGET_ROWS_PER_S") |"
    echo
    echo "Throughput runs, in the order they ran (ours and the peer alternately; a run with failures does not count for the peak):"
    echo
    echo "| server | connections | requests/s | p50 | p99 | non-2xx | socket errors |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    echo "$SWEEP_TABLE"
    echo
    echo "RSS during the soak (MiB): $RSS_SAMPLES. The request log wrote $(thousands "$LOG_ROWS") lines in all ($LOG_MB MB; $LOG_DROPPED dropped)."
    echo
    echo "### How it was run"
    echo
    echo "- Ours: \`$OURS_COMMAND\` (the tool installed from the packed MlOps.Ci.Cli; request log on, every request logged: the default sample rate 1.0). Model: FastTree, 200 trees, 16 leaves, learning rate 0.05 ($OURS_AUC on test.csv)."
    echo "- Peer: \`$PEER_COMMAND\` (bench/peer/serve_sklearn.py; $PEER_VERSIONS). Model: $PEER_MODEL. Same features: CustomerId ignored, missing numbers replaced by the training mean, SeniorCitizen as 1/0, categories one-hot; the JSON rows become a pandas DataFrame and go through a pickled sklearn Pipeline, as in MLflow's scoring server."
    echo "- Body, the same for both (first complete row of test.csv): \`$BODY\`; ours answered probability $OURS_PROBABILITY, the peer $PEER_PROBABILITY."
    echo "- Throughput: \`wrk -t2 -c<c> -d${DURATION}s --timeout 10s -s post.lua URL/predict\` (post.lua sets the method, the header and the body, and prints the latency percentiles); a ${WARMUP} s run at c=32 on each server first."
    echo "- Latency: \`hey -z ${DURATION}s -c 8 -q <rate/8> -t 10 -m POST -T application/json -D body.json URL/predict\`, and the same with \`-c 16 -q <rate/16>\` when 8 workers sent less than 95 % of the rate (hey's -q is per worker, and a worker waits for its answer before the next request: a slow answer delays the following ones rather than queueing them, so this is not fully open-loop; hey reports latencies in steps of 0.1 ms; hey itself needs CPU on the same cores)."
    echo "- Soak: \`wrk -t2 -c$PEAK_C -d${SOAK}s\` on ours alone (the peer stopped), \`mlops_http_requests_total{endpoint=\"predict\"}\` by status read before and after, VmRSS of the \`mlops serve\` process from /proc/<pid>/status every 5 s. Bound: the largest sample after 10 s at most ${RSS_GROWTH_PCT} % above the sample at 10 s."
    echo "- Batch: the CSV is test.csv's 1,000 rows over and over with ids B0000001…; \`mlops score -p $(basename "$PACKAGE") -i batch.csv -o scored.csv --json\` ($SCORE_RUNS runs, each a fresh process; the tool's rows/s counts from after the model is loaded)."
    echo
    if [[ -n "$PROFILE_SECTION" ]]; then
        echo "$PROFILE_SECTION"
        echo
    fi
    echo "Produced by \`bench/serving.sh${1:+ $1}\`."
} >"$REPORT"

rm -rf "$RESULTS/logs/serving"
mkdir -p "$RESULTS/logs/serving"
cp "$WORK"/logs/* "$RESULTS/logs/serving/"
cp "$WORK/sweep.tsv" "$WORK/rss.tsv" "$WORK/score.tsv" "$RESULTS/logs/serving/"

cat "$REPORT"
log "written to $REPORT (logs in $RESULTS/logs/serving)"
exit 0
