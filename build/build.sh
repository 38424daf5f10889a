#!/usr/bin/env bash
# The repository's own build (NUKE is not available here, so plain bash over the dotnet CLI).
#
#   build/build.sh pack     pack MlOps.Ci.Sdk (with its engine) and the mlops tool (MlOps.Ci.Cli) into artifacts/packages/
#   build/build.sh sample   pack, then build samples/churn through the packed SDK: the main job, embedded defaults
#   build/build.sh test     pack, build and run every test suite; ends with "N passed, N failed, N skipped"
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Worker nodes that outlive the build keep files open and hold CPU on a 2-core runner; none are needed here.
export MSBUILDDISABLENODEREUSE=1

configuration="${CONFIGURATION:-Release}"
packages="$root/artifacts/packages"

pack() {
  rm -f "$packages"/MlOps.Ci.*.nupkg
  dotnet pack src/MlOps.Ci.Sdk/MlOps.Ci.Sdk.csproj -c "$configuration" -o "$packages" -nologo -v:q
  dotnet pack src/MlOps.Ci.Cli/MlOps.Ci.Cli.csproj -c "$configuration" -o "$packages" -nologo -v:q
  echo "Packed: $(cd "$packages" && ls MlOps.Ci.*.nupkg | tr '\n' ' ')"
}

sample() {
  pack
  # A folder of our own for extracted packages: a re-packed SDK of the same version is then never shadowed by an
  # older copy in the user's global NuGet cache.
  export NUGET_PACKAGES="$root/artifacts/nuget-packages"
  rm -rf "$NUGET_PACKAGES/mlops.ci.sdk"
  dotnet build samples/churn/churn.mlproj -nologo
  echo "Model package: $(ls samples/churn/bin/Release/*.mlpkg)"
}

# What the tests run for real: Debian's docker-registry (the CNCF distribution), htpasswd for its auth tests, and Node.js.
# Installed when missing and we can (root with apt-get); otherwise those tests skip with the reason, except under
# CI=true where they must run.
prerequisites() {
  local missing=()
  command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
  command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
  # The Azure DevOps task's mocha suite and the workflow linters run on Node.js (machines here come with Node 20).
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  # The HTML drift report is opened in a real headless browser (tests/MlOps.Ci.Core.Tests/Drift/DriftHtmlReportSpecs.cs).
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  # The external-trainer sample (samples/churn-python) trains with Debian's scikit-learn and writes ONNX with Debian's onnx.
  /usr/bin/python3 -c 'import sklearn, onnx, numpy' >/dev/null 2>&1 || missing+=(python3-sklearn python3-onnx python3-numpy)
  ((${#missing[@]})) || return 0
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "warning: ${missing[*]} missing and cannot be installed here; registry, browser and external-trainer tests will be skipped" >&2
  fi
}

test() {
  prerequisites
  # The serving-image tests need a Docker engine, a loopback registry and a base image in it (~20 s the first time,
  # under 1 s after). Where none can be started they skip with the reason, except under CI=true.
  if [[ $(id -u) -eq 0 ]]; then ./build/containers.sh || [[ ${CI:-} != true ]]; fi
  pack
  local results="$root/artifacts/test-results"
  rm -rf "$results" && mkdir -p "$results"
  dotnet build MlOps.Ci.sln -c "$configuration" -nologo -v:q
  local status=0
  dotnet test MlOps.Ci.sln -c "$configuration" --no-build -nologo --logger "console;verbosity=normal" --logger trx \
    --results-directory "$results" 2>&1 | tee "$results/dotnet-test.log" || status=$?

  # Totals over every suite, from each run's TRX counters (skipped tests are "notExecuted" there); further suites
  # (Node, workflow lint) add their own counts here.
  local passed=0 failed=0 skipped=0 p f s
  for trx in "$results"/*.trx; do
    [[ -f $trx ]] || continue
    read -r p f s < <(sed -nE 's/.*<Counters [^>]*passed="([0-9]+)" failed="([0-9]+)"[^>]*notExecuted="([0-9]+)".*/\1 \2 \3/p' "$trx" | head -n1)
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
  done
  if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi

  # The suites outside .NET (the Azure DevOps task's mocha tests, workflow and action.yml linting): each script in
  # build/suites/ installs what it needs, runs, and ends with its own "N passed, N failed, N skipped" line.
  local suite line
  for suite in build/suites/*.sh; do
    [[ -f $suite ]] || continue
    echo "== $(basename "$suite" .sh)"
    line=$(bash "$suite" 2>&1 | tee "$results/$(basename "$suite" .sh).log" | tail -n1) || true
    if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
      passed=$((passed + BASH_REMATCH[1])); failed=$((failed + BASH_REMATCH[2])); skipped=$((skipped + BASH_REMATCH[3]))
      echo "$(basename "$suite" .sh): $line"
    else
      echo "$(basename "$suite" .sh): did not finish (see $results/$(basename "$suite" .sh).log)"; tail -n 20 "$results/$(basename "$suite" .sh).log"
      failed=$((failed + 1))
    fi
  done
  echo "$passed passed, $failed failed, $skipped skipped"
  [[ $failed -eq 0 ]]
}

case "${1:-}" in
  pack) pack ;;
  sample) sample ;;
  test) test ;;
  *) echo "usage: build/build.sh pack|sample|test" >&2; exit 2 ;;
esac
