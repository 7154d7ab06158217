// Checks an AsyncAPI 3.0.0 document:
//   1. against the official AsyncAPI 3.0.0 JSON Schema (@asyncapi/specs), with
//      every Kafka binding checked against its own binding schema;
//   2. every $ref resolves: local ones ("#/channels/...") inside the document,
//      relative ones ("./events/x.json#/...") to an existing JSON or YAML file
//      next to it (and the fragment inside that file).
// Usage: node tools/checkers/check-asyncapi.mjs schemas/asyncapi.yaml
// Exit 0 and "ok: ..." when valid; 1 with one line per problem; 2 when it
// cannot run (file missing, not YAML).
import { readFileSync, existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createRequire } from "node:module";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import YAML from "yaml";

const require = createRequire(import.meta.url);
const specs = require("@asyncapi/specs");

function load(path) {
  const text = readFileSync(path, "utf8");
  return path.endsWith(".json") ? JSON.parse(text) : YAML.parse(text);
}

function pointer(doc, fragment) {
  if (!fragment || fragment === "/") return doc;
  let node = doc;
  for (const raw of fragment.replace(/^\//, "").split("/")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object" || !(key in node)) return undefined;
    node = node[key];
  }
  return node;
}

function* refs(node, path = "") {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) yield* refs(node[i], `${path}/${i}`);
  } else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") yield [path, v];
      else yield* refs(v, `${path}/${k}`);
    }
  }
}

function main(argv) {
  const file = argv[0];
  if (!file || !existsSync(file)) {
    console.error(`usage: check-asyncapi.mjs <asyncapi.yaml> (${file || "no file"} not found)`);
    return 2;
  }
  let doc;
  try {
    doc = load(file);
  } catch (e) {
    console.error(`${file}: not YAML: ${e.message}`);
    return 2;
  }
  const version = doc && doc.asyncapi;
  const schema = specs.schemas[version];
  if (!schema) {
    console.error(`${file}: asyncapi: ${JSON.stringify(version)} is not a version @asyncapi/specs knows`);
    return 1;
  }
  // meta: false: the AsyncAPI schema bundles its own copy of the draft-07 meta-schema.
  const ajv = new Ajv({ allErrors: true, strict: false, meta: false, validateSchema: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  const problems = [];
  if (!validate(doc)) {
    // A failing object is tried against "a $ref or the object" (oneOf): drop
    // the "$ref missing" / "oneOf" / "if" echoes when a real reason is there.
    const noise = (e) => (e.keyword === "required" && e.params.missingProperty === "$ref") ||
      e.keyword === "oneOf" || e.keyword === "if";
    const useful = validate.errors.filter((e) => !noise(e));
    for (const e of useful.length ? useful : validate.errors) {
      problems.push(`schema: ${e.instancePath || "/"} ${e.message}` +
        (e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ""));
    }
  }
  const base = dirname(resolve(file));
  const files = new Map();
  let count = 0;
  for (const [where, ref] of refs(doc)) {
    count++;
    const [target, fragment = ""] = ref.split("#");
    let root = doc;
    if (target) {
      const path = resolve(base, target);
      if (!files.has(path)) {
        try {
          files.set(path, existsSync(path) ? load(path) : null);
        } catch (e) {
          problems.push(`${where}: $ref ${ref}: ${target} does not parse: ${e.message}`);
          files.set(path, null);
          continue;
        }
      }
      root = files.get(path);
      if (root === null) {
        problems.push(`${where}: $ref ${ref}: no file ${target} next to ${file}`);
        continue;
      }
    }
    if (pointer(root, fragment) === undefined) {
      problems.push(`${where}: $ref ${ref}: #${fragment} does not resolve`);
    }
  }
  if (problems.length) {
    // Ajv reports every failed oneOf branch; the first lines are the useful ones.
    for (const p of problems.slice(0, 60)) console.log(p);
    if (problems.length > 60) console.log(`... ${problems.length - 60} more`);
    return 1;
  }
  console.log(`ok: ${file} is valid AsyncAPI ${version} (@asyncapi/specs), ` +
    `${Object.keys(doc.channels || {}).length} channels, ` +
    `${Object.keys((doc.components || {}).messages || {}).length} messages, ` +
    `${Object.keys(doc.operations || {}).length} operations, ${count} $refs resolved`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
