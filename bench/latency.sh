#!/usr/bin/env bash
# p99 latency of single-row POST /predict at a fixed rate, for several runtime settings of the same 'mlops serve', back to
# back and alternating (rounds), so that noise from other processes on the machine hits every variant alike. The quick
# A/B companion of bench/serving.sh's latency figure (same body, same hey invocation with 16 workers).
#
# Usage: bench/latency.sh MLOPS_DLL PACKAGE RATE [VARIANT ...]
#   MLOPS_DLL  the tool's mlops.dll (e.g. src/MlOps.Ci.Cli/bin/<config>/net10.0/mlops.dll, built with -p:Optimize=true)
#   PACKAGE    the .mlpkg to serve (the churn sample)
#   RATE       requests/s asked of hey in all (half of the host's peak: bench/serving.sh reports it)
#   VARIANT    NAME or NAME:VAR=VALUE,VAR=VALUE… (environment of the server), default "baseline"
# Environment: MLOPS_LATENCY_SECONDS (default 10), MLOPS_LATENCY_ROUNDS (default 2), MLOPS_LATENCY_WORKERS (default 16).
# The load generator (hey) runs on the same cores as the server. Servers listen on 127.0.0.1 and are stopped on exit.
set -euo pipefail
[[ $# -ge 3 ]] || { sed -n '2,13p' "$0"; exit 2; }
DLL=$1 PACKAGE=$2 RATE=$3
shift 3
VARIANTS=("${@:-baseline}")
SECONDS_EACH=${MLOPS_LATENCY_SECONDS:-10}
ROUNDS=${MLOPS_LATENCY_ROUNDS:-2}
WORKERS=${MLOPS_LATENCY_WORKERS:-16}
export NO_PROXY="127.0.0.1,localhost" no_proxy="127.0.0.1,localhost"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mlops-latency.XXXXXX")
SERVER=""
cleanup() {
    [[ -z $SERVER ]] || { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }
    rm -rf "$WORK"
}
trap cleanup EXIT
# The first complete row of samples/churn/data/test.csv, as bench/serving.sh sends it.
cat >"$WORK/body.json" <<'JSON'
{"rows":[{"Tenure":2,"MonthlyCharges":27.74,"TotalCharges":74.1,"Contract":"One year","Plan":"Basic","PaymentMethod":"Bank transfer","InternetService":"DSL","Region":"South","SeniorCitizen":"No","SupportCalls":0,"DataUsageGb":43.3}]}
JSON
cat >"$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open(os.getenv("BODY_FILE"), "r"); wrk.body = f:read("*a"); f:close()
LUA
port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| variant | round | asked/s | answered/s | p50 ms | p99 ms |\n|---|---:|---:|---:|---:|---:|\n'
for round in $(seq "$ROUNDS"); do
    for variant in "${VARIANTS[@]}"; do
        name=${variant%%:*}
        settings=()
        [[ $variant == *:* ]] && IFS=',' read -r -a settings <<<"${variant#*:}"
        p=$(port)
        env "${settings[@]}" dotnet "$DLL" serve --package "$PACKAGE" --urls "http://127.0.0.1:$p" --request-log "$WORK/requests.jsonl" >"$WORK/server.log" 2>&1 &
        SERVER=$!
        for _ in $(seq 120); do
            [[ "$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$p/v2/health/ready" || true)" == 200 ]] && break
            sleep 0.5
        done
        # Warm-up: JIT tiers and pools settle before the measured run.
        BODY_FILE="$WORK/body.json" wrk -t2 -c32 -d3s -s "$WORK/post.lua" "http://127.0.0.1:$p/predict" >/dev/null
        hey -z "${SECONDS_EACH}s" -c "$WORKERS" -q "$(awk -v r="$RATE" -v w="$WORKERS" 'BEGIN { printf "%.2f", r / w }')" -t 10 \
            -m POST -T application/json -D "$WORK/body.json" "http://127.0.0.1:$p/predict" >"$WORK/hey.txt"
        awk -v name="$name" -v round="$round" -v rate="$RATE" '
            /Requests\/sec/ { rps = $2 } /%+ in / && $1 ~ /^50%/ { p50 = $3 * 1000 } /%+ in / && $1 ~ /^99%/ { p99 = $3 * 1000 }
            END { printf "| %s | %d | %d | %.0f | %.1f | %.1f |\n", name, round, rate, rps, p50, p99 }' "$WORK/hey.txt"
        kill "$SERVER" 2>/dev/null || true
        wait "$SERVER" 2>/dev/null || true
        SERVER=""
        rm -f "$WORK/requests.jsonl"
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
