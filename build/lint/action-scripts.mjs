// Runs action.yml's own `run:` scripts in a fake runner and checks what they do, for build/suites/workflow-lint.sh:
// the token is masked before anything else and never printed, inputs reach the CLI as the MLOPS_* environment variables
// (an empty input as no variable at all), `args` is split like a shell would without evaluating anything, a multi-word
// `command` becomes several arguments, and the CLI's step outputs become the action's outputs.
//
//   node build/lint/action-scripts.mjs ACTION_YML
//
// The fake runner is a small part of what GitHub's runner does for a composite action: evaluate each step's `env:`
// (only the `${{ inputs.* }}`, `${{ steps.*.outputs.* }}`, `${{ github.token }}` and `${{ runner.* }}` forms that
// action.yml uses; anything else fails loudly), run the script with `bash -e -o pipefail` as `shell: bash` does, and
// read GITHUB_OUTPUT. `uses:` steps (setup-dotnet, cache) are skipped. `mlops` and `dotnet` are stubs that record how
// they were called: stubs are acceptable here only because the real CLI, its packing and its installation as a tool
// are tested elsewhere (the .NET suites, build/build.sh pack); this checks the action's shell, not the tool. Most
// checks start with the tool already installed (the cache-hit path); two run the install step against the dotnet stub.
//
// Prints "PASS name" or "FAIL name: why" per check.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const YAML = require("yaml");

const actionFile = resolve(process.argv[2] ?? "action.yml");
const action = YAML.parse(readFileSync(actionFile, "utf8"));
const fakeToken = "ghs_fakeTokenForTheActionScriptCheck0123456789";

// GITHUB_OUTPUT holds "name=value" lines and "name<<DELIMITER" ... "DELIMITER" blocks.
function readOutputs(file) {
  const outputs = {};
  const lines = existsSync(file) ? readFileSync(file, "utf8").split("\n") : [];
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const value = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i]);
      outputs[heredoc[1]] = value.join("\n");
    } else if (lines[i].includes("=")) {
      const at = lines[i].indexOf("=");
      outputs[lines[i].slice(0, at)] = lines[i].slice(at + 1);
    }
  }
  return outputs;
}

function evaluate(text, context) {
  return String(text ?? "").replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expression) => {
    let match;
    if ((match = /^inputs\.([\w-]+)$/.exec(expression))) return context.inputs[match[1]] ?? "";
    if ((match = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expression))) return context.steps[match[1]]?.[match[2]] ?? "";
    if ((match = /^runner\.(\w+)$/.exec(expression))) return context.runner[match[1]] ?? "";
    if (expression === "github.token") return context.githubToken;
    throw new Error(`the fake runner cannot evaluate \${{ ${expression} }}`);
  });
}

/** Runs the action's bash steps with the given inputs; returns the transcript. */
function runAction(inputs, { stubExitCode = 0, stubOutputs = "", preinstalled = true } = {}) {
  const temp = mkdtempSync(join(tmpdir(), "mlops-action-"));
  try {
    const runnerTemp = join(temp, "runner-temp");
    const workspace = join(temp, "workspace");
    const record = join(temp, "stub-record");
    const dotnetLog = join(temp, "dotnet-calls");
    mkdirSync(runnerTemp);
    mkdirSync(workspace);
    const version = inputs.version ?? "";
    const toolPath = join(runnerTemp, "mlops-ci", `tool-${version || "source"}`);
    const stubs = join(temp, "stubs");
    mkdirSync(stubs);
    // Arguments one per line, then the environment the action set up, into a file: the stub prints nothing itself,
    // so whatever the transcript holds comes from the action's scripts.
    // The mlops stub stays off PATH until the action installs it: only the action's own PATH setup can find it.
    const mlopsStub = join(temp, "mlops-stub");
    writeFileSync(mlopsStub, [
      "#!/usr/bin/env bash",
      `{ printf 'arg:%s\\n' "$@"; env | grep -E '^(MLOPS_[A-Z_]+|GITHUB_TOKEN)=' | sort; } > ${JSON.stringify(record)}`,
      `cat ${JSON.stringify(join(temp, "stub-outputs"))} >> "$GITHUB_OUTPUT"`,
      `exit ${stubExitCode}`,
      "",
    ].join("\n"));
    chmodSync(mlopsStub, 0o755);
    writeFileSync(join(temp, "stub-outputs"), stubOutputs);
    if (preinstalled) {
      mkdirSync(toolPath, { recursive: true });
      copyFileSync(mlopsStub, join(toolPath, "mlops"));
    }
    // `dotnet pack` leaves a package named like the real one in its -o folder; `dotnet tool install` puts the mlops
    // stub into its --tool-path. Both record their command lines.
    writeFileSync(join(stubs, "dotnet"), [
      "#!/usr/bin/env bash",
      `printf '%s\\n' "$*" >> ${JSON.stringify(dotnetLog)}`,
      'while [[ $# -gt 0 ]]; do case $1 in -o) out=$2; shift ;; --tool-path) tools=$2; shift ;; esac; shift; done',
      'if [[ -n ${out:-} ]]; then mkdir -p "$out" && : > "$out/MlOps.Ci.Cli.9.9.9-dev.nupkg"; fi',
      `if [[ -n \${tools:-} ]]; then mkdir -p "$tools" && cp ${JSON.stringify(mlopsStub)} "$tools/mlops"; fi`,
      "",
    ].join("\n"));
    chmodSync(join(stubs, "dotnet"), 0o755);

    const allInputs = {};
    for (const [name, spec] of Object.entries(action.inputs ?? {})) allInputs[name] = spec.default ?? "";
    const context = { inputs: {}, steps: {}, runner: { temp: runnerTemp, os: "Linux", arch: "X64" }, githubToken: fakeToken };
    for (const [name, value] of Object.entries({ ...allInputs, ...inputs })) context.inputs[name] = evaluate(value, context);

    const transcript = { steps: [], exitCode: 0, record: null, outputs: {}, path: "" };
    for (const [index, step] of action.runs.steps.entries()) {
      if (step.uses) continue;
      if (step.if) throw new Error(`step ${index} has an if: the fake runner does not evaluate conditions`);
      if (step.shell !== "bash") throw new Error(`step ${index} uses shell '${step.shell}', not bash`);
      const outputFile = join(temp, `output-${index}`);
      writeFileSync(outputFile, "");
      const env = {
        PATH: `${stubs}:${process.env.PATH}`,
        HOME: process.env.HOME ?? temp,
        RUNNER_TEMP: runnerTemp,
        GITHUB_ACTION_PATH: dirname(actionFile),
        GITHUB_WORKSPACE: workspace,
        GITHUB_OUTPUT: outputFile,
        GITHUB_ENV: join(temp, "env"),
        GITHUB_PATH: join(temp, "path"),
        GITHUB_STEP_SUMMARY: join(temp, "summary"),
        GITHUB_ACTIONS: "true",
      };
      for (const [name, value] of Object.entries(step.env ?? {})) env[name] = evaluate(value, context);
      const scriptFile = join(temp, `step-${index}.sh`);
      writeFileSync(scriptFile, step.run);
      const result = spawnSync("bash", ["--noprofile", "--norc", "-e", "-o", "pipefail", scriptFile], { cwd: workspace, env, encoding: "utf8" });
      transcript.steps.push({ name: step.name, stdout: result.stdout, stderr: result.stderr });
      if (step.id) context.steps[step.id] = readOutputs(outputFile);
      if (result.status !== 0) {
        transcript.exitCode = result.status;
        break;
      }
    }
    for (const [name, spec] of Object.entries(action.outputs ?? {})) transcript.outputs[name] = evaluate(spec.value, context);
    transcript.record = existsSync(record) ? readFileSync(record, "utf8") : null;
    transcript.path = existsSync(join(temp, "path")) ? readFileSync(join(temp, "path"), "utf8") : "";
    transcript.toolPath = toolPath;
    transcript.dotnetCalls = existsSync(dotnetLog) ? readFileSync(dotnetLog, "utf8").trim().split("\n") : [];
    return transcript;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

const argumentsOf = (record) => (record ?? "").split("\n").filter((l) => l.startsWith("arg:")).map((l) => l.slice(4));
const environmentOf = (record) => Object.fromEntries((record ?? "").split("\n").filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
const printed = (transcript) => transcript.steps.map((s) => s.stdout + s.stderr).join("");

const checks = [];
function check(name, body) {
  checks.push([name, body]);
}
function expectEqual(actual, expected, what) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

const allInputs = {
  command: "report",
  project: "models/churn/churn.mlproj",
  package: "out/churn 1.2.0.mlpkg",
  baseline: "production",
  environment: "staging",
  "environment-url": "https://staging.example.test/churn",
  registry: "oci://127.0.0.1:5000/models",
  image: "127.0.0.1:5000/churn:1.2.0",
  "github-token": fakeToken,
  version: "1.2.3",
};

check("the token is masked before any other output", () => {
  const run = runAction(allInputs);
  expectEqual(run.exitCode, 0, "exit code");
  const firstLine = printed(run).split("\n")[0];
  expectEqual(firstLine, `::add-mask::${fakeToken}`, "first line printed");
});

check("the token is printed nowhere but in the mask command", () => {
  const run = runAction({ ...allInputs, args: "--verbose" });
  const elsewhere = printed(run).split("\n").filter((l) => l.includes(fakeToken) && l !== `::add-mask::${fakeToken}`);
  expectEqual(elsewhere, [], "lines holding the token");
});

check("every input reaches mlops as its MLOPS_ variable and the token as GITHUB_TOKEN", () => {
  const run = runAction(allInputs);
  expectEqual(environmentOf(run.record), {
    GITHUB_TOKEN: fakeToken,
    MLOPS_BASELINE: "production",
    MLOPS_ENVIRONMENT: "staging",
    MLOPS_ENVIRONMENT_URL: "https://staging.example.test/churn",
    MLOPS_IMAGE: "127.0.0.1:5000/churn:1.2.0",
    MLOPS_PACKAGE: "out/churn 1.2.0.mlpkg",
    MLOPS_PROJECT: "models/churn/churn.mlproj",
    MLOPS_REGISTRY: "oci://127.0.0.1:5000/models",
  }, "environment of mlops");
  expectEqual(argumentsOf(run.record), ["report"], "arguments");
});

check("empty inputs are absent rather than empty, and github-token defaults to github.token", () => {
  const run = runAction({ command: "status", version: "1.2.3" });
  expectEqual(environmentOf(run.record), { GITHUB_TOKEN: fakeToken }, "environment of mlops");
});

check("args are split like a shell would, and nothing in them is evaluated", () => {
  const run = runAction({ ...allInputs, command: "image push", args: `--tag "release candidate" --reason 'drift $(touch pwned)' \`id\` $HOME` });
  expectEqual(argumentsOf(run.record), ["image", "push", "--tag", "release candidate", "--reason", "drift $(touch pwned)", "`id`", "$HOME"], "arguments");
});

check("args with an unmatched quote are an error annotation, not a call to mlops", () => {
  const run = runAction({ ...allInputs, args: `--reason "drift found` });
  expectEqual(run.exitCode, 2, "exit code");
  expectEqual(run.record, null, "mlops call record");
  if (!printed(run).includes("::error title=MlOps.Ci::")) throw new Error("no ::error annotation printed");
});

check("the CLI's exit code fails the step", () => {
  const run = runAction(allInputs, { stubExitCode: 1 });
  expectEqual(run.exitCode, 1, "exit code");
});

check("an empty command is an error annotation, not a call to mlops", () => {
  const run = runAction({ ...allInputs, command: "  " });
  expectEqual(run.exitCode, 2, "exit code");
  expectEqual(run.record, null, "mlops call record");
  if (!printed(run).includes("::error title=MlOps.Ci::")) throw new Error("no ::error annotation printed");
});

check("the outputs the CLI writes become the action's outputs", () => {
  const run = runAction(allInputs, { stubOutputs: "model-version=1.2.0\ngate-passed=true\nmetrics-json<<EOF_1\n{\"auc\": 0.91}\nEOF_1\n" });
  expectEqual([run.outputs["model-version"], run.outputs["gate-passed"], run.outputs["metrics-json"]], ["1.2.0", "true", "{\"auc\": 0.91}"], "outputs");
});

check("an installed tool is reused and put on PATH for later steps", () => {
  const run = runAction(allInputs);
  if (!printed(run).includes("already installed")) throw new Error("the install step did not reuse the installed tool");
  expectEqual(run.path.trim(), run.toolPath, "GITHUB_PATH");
});

check("with no version the tool is packed from the action's checkout and installed from that folder", () => {
  const run = runAction({ command: "status", feed: "https://nuget.example.test/v3/index.json" }, { preinstalled: false });
  expectEqual(run.exitCode, 0, "exit code");
  const packages = join(run.toolPath, "..", "packages");
  expectEqual(run.dotnetCalls, [
    `pack ${dirname(actionFile)}/src/MlOps.Ci.Cli/MlOps.Ci.Cli.csproj -c Release -o ${packages} -nologo`,
    `tool install MlOps.Ci.Cli --tool-path ${run.toolPath} --version 9.9.9-dev --add-source https://nuget.example.test/v3/index.json --add-source ${packages}`,
  ], "dotnet command lines");
  expectEqual(argumentsOf(run.record), ["status"], "arguments");
});

check("a version is installed from the feeds without packing anything", () => {
  const run = runAction({ command: "status", version: "1.2.3" }, { preinstalled: false });
  expectEqual(run.dotnetCalls, [`tool install MlOps.Ci.Cli --tool-path ${run.toolPath} --version 1.2.3`], "dotnet command lines");
});

for (const [name, body] of checks) {
  try {
    body();
    console.log(`PASS ${name}`);
  } catch (error) {
    console.log(`FAIL ${name}: ${error.message}`);
  }
}
