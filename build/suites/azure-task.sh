#!/usr/bin/env bash
# The Azure Pipelines task, one of the suites build/build.sh test runs (it sums the last line of each suite):
#
#   - compiles the task's TypeScript (azure-pipelines-task/MlOpsCi) with the pinned tsc;
#   - runs its mocha tests, one line per test: MockTestRunner over the real handler with fake mlops/dotnet executables;
#     task.json and the sample pipelines against each other; and the task installing the mlops tool packed in
#     artifacts/packages/ (build/build.sh pack, which `test` runs first; MLOPS_TASK_TEST_PACKAGES names another
#     folder) with the real dotnet and running it under TF_BUILD (skipped when there is no package or no dotnet);
#   - packages the extension with tfx-cli into artifacts/vsix/ from a staged copy that holds only the production
#     node_modules, and counts "the .vsix holds the task's task.json and compiled handler" as one more test.
#
# Dependencies are pinned in azure-pipelines-task/MlOpsCi/package-lock.json and installed with `npm ci` (reused while
# the lock is unchanged). Ends with exactly "N passed, N failed, N skipped"; exits 0 even when tests fail, because
# that count carries the failures.
#
#   bash build/suites/azure-task.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
extension="azure-pipelines-task"
task="$extension/MlOpsCi"
vsix_dir="$root/artifacts/vsix"
work="$root/artifacts/azure-task"

# shellcheck source=build/lib/suite.sh
source build/lib/suite.sh

# Without Node or npm nothing here can run: the suite counts as one skipped test, or one failed under CI=true.
not_run() {
  if [[ ${CI:-} == true ]]; then fail "Azure Pipelines task: $1"; else skip "Azure Pipelines task: $1"; fi
  finish
}
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then not_run "node and npm are not installed"; fi

npm_ci_once "$task" || not_run "npm ci in $task failed (see above)"

# A stale file from a renamed source would otherwise still be tested and packaged.
rm -rf "$task/dist"
if ! (cd "$task" && npx --no-install tsc -p .); then
  fail "the task's TypeScript compiles (tsc errors above)"
  finish
fi

mkdir -p "$work"
results="$work/mocha-results.json"
rm -f "$results"
# The JSON reporter's file is the count; mocha's own exit code only says whether something failed.
(cd "$task" && npx --no-install mocha --reporter json --reporter-option "output=$results" dist/tests/L0.js dist/tests/Samples.js dist/tests/RealCli.js) >"$work/mocha.log" 2>&1 || true
if [[ -f $results ]]; then
  # One line per test, then the counts; a failing before/after hook is in failures without being a test.
  # shellcheck disable=SC2016 # JavaScript template literals, not shell expansions.
  summary="$(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const failure = t => r.failures.find(x => x.fullTitle === t.fullTitle);
    const firstLine = f => ((f.err && f.err.message) || "").split("\n")[0];
    for (const t of r.tests) {
      const f = failure(t);
      const state = f ? "FAIL" : r.pending.some(x => x.fullTitle === t.fullTitle) ? "SKIP" : "PASS";
      console.log(`${state} ${t.fullTitle}${f ? ": " + firstLine(f) : ""}`);
    }
    for (const h of r.failures.filter(x => !r.tests.some(t => t.fullTitle === x.fullTitle))) console.log(`FAIL ${h.fullTitle}: ${firstLine(h)}`);
    console.log(r.stats.passes, r.failures.length, r.stats.pending);
  ' "$results")"
  sed '$d' <<<"$summary"
  read -r p f s <<<"$(tail -n1 <<<"$summary")"
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
else
  fail "the task's mocha tests ran (no results; see $work/mocha.log)"
  tail -n 20 "$work/mocha.log"
fi

# The extension as it is published: the manifest, and the task with its compiled handler and production dependencies
# only (the dev tools are ~100 MB; the task library and its dependencies are ~5 MB).
stage="$work/extension"
rm -rf "$stage" && mkdir -p "$stage/MlOpsCi"
cp "$extension/vss-extension.json" "$extension/overview.md" "$stage/"
cp "$task/task.json" "$task/package.json" "$task/package-lock.json" "$stage/MlOpsCi/"
mkdir -p "$stage/MlOpsCi/dist" && cp -R "$task/dist/src" "$stage/MlOpsCi/dist/"
[[ -d $extension/images ]] && cp -R "$extension/images" "$stage/"
(cd "$task" && npm ls --omit=dev --all --parseable 2>/dev/null | tail -n +2) | while read -r package; do
  relative="${package#"$root/$task/"}"
  mkdir -p "$stage/MlOpsCi/$(dirname "$relative")"
  cp -R "$package" "$stage/MlOpsCi/$relative"
done

vsix_test="the .vsix holds the task's task.json and compiled handler"
mkdir -p "$vsix_dir"
rm -f "$vsix_dir"/*.vsix
if (cd "$stage" && "$root/$task/node_modules/.bin/tfx" extension create --root . --manifest-globs vss-extension.json \
      --output-path "$vsix_dir/" --no-prompt) >"$work/tfx.log" 2>&1; then
  shopt -s nullglob
  produced=("$vsix_dir"/*.vsix)
  shopt -u nullglob
  vsix="${produced[0]:-}"
  if [[ -z $vsix ]]; then
    fail "$vsix_test: tfx reported success but wrote no .vsix"
  else
    listing="$(unzip -Z1 "$vsix")"
    missing=()
    for entry in MlOpsCi/task.json MlOpsCi/dist/src/index.js MlOpsCi/node_modules/azure-pipelines-task-lib/task.js; do
      grep -qx "$entry" <<<"$listing" || missing+=("$entry")
    done
    # Dev tools in the package would mean the staging copy took the whole node_modules.
    grep -q '^MlOpsCi/node_modules/typescript/' <<<"$listing" && missing+=("(no typescript: it holds dev dependencies)")
    if ((${#missing[@]})); then
      fail "$vsix_test: missing ${missing[*]}"
    else
      pass "$vsix_test ($(basename "$vsix"), $(du -k "$vsix" | cut -f1) KiB)"
    fi
  fi
else
  fail "$vsix_test: tfx extension create failed"
  tail -n 20 "$work/tfx.log"
fi

finish
