#!/usr/bin/env bash
# Workflow and action lint, one of the suites build/build.sh test runs (it sums the last line of each suite):
#
#   - every workflow (.github/workflows/ and the samples users copy from samples/github-workflows/) through actionlint;
#   - action.yml against the action metadata schema (action-validator);
#   - the deliberately broken fixtures in build/lint/fixtures/, which pass only when the linter rejects them: that is
#     what proves each check can fail at all;
#   - action.yml's own run: scripts in a fake runner (build/lint/action-scripts.mjs): token masking, the MLOPS_*
#     environment contract, argument splitting, outputs.
#
# The linters are pinned in build/lint/package-lock.json and installed with `npm ci` (reused while the lock is
# unchanged). Prints one line per test and ends with exactly "N passed, N failed, N skipped"; exits 0 even when tests
# fail, because that count carries the failures.
#
#   bash build/suites/workflow-lint.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
lint="build/lint"
fixtures="$lint/fixtures"

# shellcheck source=build/lib/suite.sh
source build/lib/suite.sh

shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml samples/github-workflows/*.yml samples/github-workflows/*.yaml)
actions=(action.yml)
broken_workflow="$fixtures/broken-workflow.yml"
broken_action="$fixtures/broken-action.yml"
shopt -u nullglob
all_tests=("${workflows[@]}" "${actions[@]}" "$broken_workflow" "$broken_action" "action.yml run: scripts")

# Without Node nothing here can run: each test is skipped with the reason, except under CI=true where it must run.
not_run() {
  local reason=$1 test
  for test in "${all_tests[@]}"; do
    if [[ ${CI:-} == true ]]; then fail "$test: $reason"; else skip "$test: $reason"; fi
  done
  finish
}
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then not_run "node and npm are not installed"; fi

npm_ci_once "$lint" || not_run "npm ci in $lint failed (see above)"

results="$(mktemp)"
trap 'rm -f "$results"' EXIT

# Reads lint.mjs's report for one file: prints its problems, and returns 0 when it was checked and clean, 1 when the
# linter found problems, 2 when the file was not checked at all.
verdict() {
  local file=$1
  awk -F '\t' -v file="$file" '
    $2 == file && $1 == "ok" { ok = 1 }
    $2 == file && $1 == "problem" { problems++; print "    " $3 }
    END { exit problems ? 1 : ok ? 0 : 2 }' "$results"
}

# One test per file that must be clean.
expect_clean() {
  local what=$1 file=$2 problems status=0
  problems="$(verdict "$file")" || status=$?
  case $status in
    0) pass "$what: $file" ;;
    1) fail "$what: $file"; echo "$problems" ;;
    *) fail "$what: $file was not checked" ;;
  esac
}

# One test per broken fixture: it passes only when the linter rejects the file.
expect_rejected() {
  local what=$1 file=$2 problems status=0
  problems="$(verdict "$file")" || status=$?
  case $status in
    1) pass "$what rejects the broken fixture $file ($(grep -c . <<<"$problems") problems)" ;;
    0) fail "$what accepted the broken fixture $file: the check cannot fail" ;;
    *) fail "$what: $file was not checked" ;;
  esac
}

node "$lint/lint.mjs" workflow "${workflows[@]}" "$broken_workflow" > "$results" 2>&1 || true
for file in "${workflows[@]}"; do expect_clean actionlint "$file"; done
expect_rejected actionlint "$broken_workflow"

node "$lint/lint.mjs" action "${actions[@]}" "$broken_action" > "$results" 2>&1 || true
for file in "${actions[@]}"; do expect_clean action-validator "$file"; done
expect_rejected action-validator "$broken_action"

# action.yml's scripts in a fake runner: one test per check; a crash of the harness itself is one failure.
status=0
node "$lint/action-scripts.mjs" action.yml > "$results" 2>&1 || status=$?
while IFS= read -r line; do
  case $line in
    "PASS "*) pass "action.yml run: scripts: ${line#PASS }" ;;
    "FAIL "*) fail "action.yml run: scripts: ${line#FAIL }" ;;
  esac
done < "$results"
if [[ $status -ne 0 ]] || ! grep -qE '^(PASS|FAIL) ' "$results"; then
  fail "action.yml run: scripts: the fake runner did not finish"
  sed 's/^/    /' "$results"
fi

finish
