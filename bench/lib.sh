# Helpers shared by bench/run.sh and bench/serving.sh (sourced; each script defines its own log() and COMMAND_TIMEOUT).

# run LOG CMD...: runs CMD (at most MLOPS_BENCH_TIMEOUT seconds) with its output in LOG; on failure shows the log's
# tail and stops the script.
run() {
    local logfile=$1
    shift
    if ! timeout --kill-after=10 "$COMMAND_TIMEOUT" "$@" >"$logfile" 2>&1; then
        log "FAILED: $* (log: $logfile)"
        tail -n 60 "$logfile" >&2
        exit 1
    fi
}

# median of the numbers on stdin, one per line.
median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "NA"; exit } if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
