#!/usr/bin/env node
// Extracts the GitHub REST operations that MlOps.Ci.GitHub calls from GitHub's published OpenAPI description
// (the @octokit/openapi npm package) into tests/MlOps.Ci.GitHub.Tests/OpenApi/github-subset.json, the file the
// fake GitHub in the tests checks every request and response against.
//
// Regenerate (from the repository root; needs node and npm, nothing else):
//   tmp=$(mktemp -d) && (cd "$tmp" && npm pack @octokit/openapi@23.0.2 && tar xzf octokit-openapi-*.tgz)
//   node build/github-openapi-subset.mjs "$tmp/package/generated/api.github.com.json"
//
// What the script does to the description, and why:
// - keeps only OPERATIONS below (add one here when the library calls a new route) plus the shared error schemas;
// - inlines every $ref so each schema stands alone (a cycle is cut to {} and reported);
// - turns OpenAPI 3.0's `nullable: true` into JSON Schema's `"type": [..., "null"]` (or an anyOf with null), so a
//   standard JSON Schema 2020-12 validator reads it as GitHub means it;
// - drops descriptions and examples (size), keeping each operation's summary;
// - closes request-body objects that declare properties (`additionalProperties: false`): GitHub silently ignores an
//   unknown field, which would hide a misspelt parameter, so the fake rejects it instead.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const OPERATIONS = [
  "issues/list-comments",
  "issues/create-comment",
  "issues/update-comment",
  "checks/create",
  "checks/update",
  "checks/list-for-ref",
  "repos/create-deployment",
  "repos/list-deployments",
  "repos/create-deployment-status",
  "repos/list-deployment-statuses",
  "actions/create-workflow-dispatch",
];
const SHARED_SCHEMAS = ["basic-error", "validation-failed", "validation-failed-simple"];

const source = process.argv[2];
if (!source) {
  console.error("usage: node build/github-openapi-subset.mjs <path to generated/api.github.com.json>");
  process.exit(2);
}
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const target = process.argv[3] ?? join(root, "tests/MlOps.Ci.GitHub.Tests/OpenApi/github-subset.json");
const description = JSON.parse(readFileSync(source, "utf8"));

function lookup(ref) {
  if (!ref.startsWith("#/")) throw new Error(`external $ref not supported: ${ref}`);
  return ref.slice(2).split("/").map(p => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((node, part) => node[part], description);
}

const DROPPED = new Set(["description", "example", "examples", "externalDocs", "x-github", "title", "deprecated"]);

function convert(node, stack = [], requestBody = false) {
  if (Array.isArray(node)) return node.map(n => convert(n, stack, requestBody));
  if (node === null || typeof node !== "object") return node;
  if (node.$ref) {
    if (stack.includes(node.$ref)) {
      console.error(`cycle at ${node.$ref}: cut to {}`);
      return {};
    }
    return convert(lookup(node.$ref), [...stack, node.$ref], requestBody);
  }
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.has(key) || key === "nullable") continue;
    if (key === "properties") {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, convert(schema, stack, requestBody)]));
    } else {
      out[key] = convert(value, stack, requestBody);
    }
  }
  if (requestBody && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  if (node.nullable === true) {
    if (typeof out.type === "string") {
      out.type = [out.type, "null"];
      if (out.enum && !out.enum.includes(null)) out.enum = [...out.enum, null];
    } else {
      return { anyOf: [out, { type: "null" }] };
    }
  }
  return out;
}

const operations = [];
for (const [path, item] of Object.entries(description.paths)) {
  for (const [method, operation] of Object.entries(item)) {
    if (!OPERATIONS.includes(operation.operationId)) continue;
    const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map(p => {
      const resolved = p.$ref ? lookup(p.$ref) : p;
      return { name: resolved.name, in: resolved.in, required: resolved.required ?? false, schema: convert(resolved.schema) };
    });
    const body = operation.requestBody?.content?.["application/json"];
    const responses = {};
    for (const [status, response] of Object.entries(operation.responses)) {
      const resolved = response.$ref ? lookup(response.$ref) : response;
      const json = resolved.content?.["application/json"] ?? resolved.content?.["application/scim+json"];
      responses[status] = json?.schema ? convert(json.schema) : null;
    }
    operations.push({
      operationId: operation.operationId,
      summary: operation.summary,
      method: method.toUpperCase(),
      path,
      parameters,
      requestBody: body ? { required: operation.requestBody.required ?? false, schema: convert(body.schema, [], true) } : null,
      responses,
    });
  }
}
const missing = OPERATIONS.filter(id => !operations.some(o => o.operationId === id));
if (missing.length) throw new Error(`operations not in the description: ${missing.join(", ")}`);
operations.sort((a, b) => OPERATIONS.indexOf(a.operationId) - OPERATIONS.indexOf(b.operationId));

const subset = {
  "//": "Generated by build/github-openapi-subset.mjs from @octokit/openapi generated/api.github.com.json; do not edit. See the script for the command that regenerates it.",
  openapi: description.openapi,
  version: description.info.version,
  operations,
  schemas: Object.fromEntries(SHARED_SCHEMAS.filter(n => description.components.schemas[n]).map(n => [n, convert(description.components.schemas[n])])),
};
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, JSON.stringify(subset, null, 1) + "\n");
console.log(`${operations.length} operations -> ${target} (${(JSON.stringify(subset).length / 1024).toFixed(0)} KB)`);
