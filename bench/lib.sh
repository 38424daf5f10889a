# Helpers shared by bench/run.sh and bench/serving.sh (sourced; each script defines its own log(), fail() and
# COMMAND_TIMEOUT).

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

# packed_version FEED NAME LOG: the version of package NAME packed into FEED; stops the script (showing LOG) when
# there is none. Each script defines its own fail().
packed_version() {
    local feed=$1 name=$2 logfile=$3 package
    package=$(find "$feed" -maxdepth 1 -name "$name.*.nupkg" ! -name '*.symbols.nupkg' | head -n 1)
    [[ -n "$package" ]] || fail "no $name package in $feed" "$logfile"
    package=$(basename "$package" .nupkg)
    echo "${package#"$name".}"
}

# feed_config FILE KEY FEED: a nuget.config at FILE whose only package source is the folder FEED.
feed_config() {
    cat >"$1" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="$2" value="$3" />
  </packageSources>
</configuration>
CONFIG
}
