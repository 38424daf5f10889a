# Shared by the scripts in build/suites/ (sourced, not run: build/build.sh runs every *.sh in build/suites/ as a suite).
# A suite prints one line per test and ends with exactly "N passed, N failed, N skipped", which build.sh sums.

passed=0 failed=0 skipped=0
pass() { echo "PASS $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
skip() { echo "SKIP $*"; skipped=$((skipped + 1)); }
# Exits 0 even when tests failed: the count carries the failures.
finish() { echo "$passed passed, $failed failed, $skipped skipped"; exit 0; }

# npm_ci_once FOLDER: `npm ci` in FOLDER unless node_modules was installed from the same lock. npm ci wipes
# node_modules every time; a stamp of the lock it was installed from lets an unchanged install be reused.
# Returns non-zero when npm ci fails.
npm_ci_once() {
  local folder=$1 stamp lock_hash
  stamp="$folder/node_modules/.installed-from-lock.sha256"
  lock_hash="$(sha256sum "$folder/package-lock.json" | cut -d' ' -f1)"
  if [[ -f $stamp && $(cat "$stamp") == "$lock_hash" ]]; then
    return 0
  fi
  echo "Installing dependencies (npm ci in $folder)"
  (cd "$folder" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || return 1
  echo "$lock_hash" > "$stamp"
}
