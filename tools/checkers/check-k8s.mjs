// Checks Kubernetes manifests (plain YAML, optionally with a kustomize
// kustomization.yaml) against the Kubernetes and Strimzi schemas:
//   * every document's apiVersion/kind must be one the models know
//     (kubernetes-models for the core API, @kubernetes-models/strimzi-kafka-
//     operator for KafkaTopic/KafkaUser/...); its validator checks types,
//     enums, formats and required fields;
//   * no field a type does not declare (lib/dts-fields.mjs), as `kubectl
//     apply` with strict field validation would refuse it;
//   * kind/namespace/name unique; every kustomization resource exists and
//     every manifest file is listed by a kustomization.
// Usage: node tools/checkers/check-k8s.mjs deploy/k8s [more dirs or files]
// Exit 0 and "ok: ..." when valid; 1 with one line per problem; 2 when it
// cannot run.
import { readFileSync, existsSync, statSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { DtsFields } from "./lib/dts-fields.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const nodeModules = join(here, "node_modules");
const STRIMZI = "@kubernetes-models/strimzi-kafka-operator";
const dts = new DtsFields(nodeModules);

function version(pkg) {
  return JSON.parse(readFileSync(join(nodeModules, pkg, "package.json"), "utf8")).version;
}

// The model module of an apiVersion/kind: "<package>/<group>/<version>/<Kind>".
function modelPath(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string" || !/^[A-Z]\w*$/.test(kind)) {
    return null;
  }
  const pkg = /\.strimzi\.io\//.test(apiVersion) ? STRIMZI : "kubernetes-models";
  const path = `${pkg}/${apiVersion}/${kind}`;
  return existsSync(join(nodeModules, `${path}.js`)) ? path : null;
}

function yamlFiles(path, out = []) {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) {
      if (name !== "node_modules" && !name.startsWith(".")) yamlFiles(join(path, name), out);
    }
  } else if (/\.ya?ml$/.test(path)) {
    out.push(resolve(path));
  }
  return out;
}

function checkKustomization(file, doc, listed, problems) {
  if (doc.apiVersion !== "kustomize.config.k8s.io/v1beta1") {
    problems.push(`${file}: apiVersion must be kustomize.config.k8s.io/v1beta1`);
  }
  for (const r of doc.resources || []) {
    const path = resolve(dirname(file), r);
    if (!existsSync(path)) {
      problems.push(`${file}: resource ${r} does not exist`);
    } else if (statSync(path).isDirectory()) {
      const k = join(path, "kustomization.yaml");
      if (!existsSync(k)) problems.push(`${file}: resource ${r} is a folder without kustomization.yaml`);
      listed.add(k);
    } else {
      listed.add(path);
    }
  }
}

async function main(argv) {
  if (argv.length === 0 || argv.some((p) => !existsSync(p))) {
    console.error("usage: check-k8s.mjs <dir or manifest>... (all must exist)");
    return 2;
  }
  const files = argv.flatMap((p) => yamlFiles(p));
  const problems = [];
  const seen = new Map();
  const listed = new Set();
  const kustomizations = [];
  const kinds = new Map();
  let count = 0;
  for (const file of files) {
    const rel = relative(process.cwd(), file);
    const docs = YAML.parseAllDocuments(readFileSync(file, "utf8"));
    for (const [i, d] of docs.entries()) {
      if (d.errors.length) {
        problems.push(`${rel} [document ${i + 1}]: not YAML: ${d.errors[0].message}`);
        continue;
      }
      const doc = d.toJS();
      if (doc === null || doc === undefined) continue;
      const where = `${rel} [document ${i + 1}] ${doc.kind}/${doc.metadata && doc.metadata.name}`;
      if (doc.kind === "Kustomization") {
        kustomizations.push(file);
        checkKustomization(rel, doc, listed, problems);
        continue;
      }
      count++;
      const path = modelPath(doc.apiVersion, doc.kind);
      if (!path) {
        problems.push(`${where}: no schema for apiVersion ${doc.apiVersion} kind ${doc.kind}`);
        continue;
      }
      const mod = await import(path);
      const Model = mod[doc.kind];
      try {
        new Model(doc).validate();
      } catch (e) {
        for (const line of String(e.message).split(/, (?=data)/)) problems.push(`${where}: ${line}`);
      }
      const modelFile = join(nodeModules, `${path}.d.ts`);
      for (const p of dts.check(modelFile, `I${doc.kind}`, doc)) problems.push(`${where}: ${p}`);
      const id = `${doc.kind}/${(doc.metadata || {}).namespace || ""}/${(doc.metadata || {}).name}`;
      if (seen.has(id)) problems.push(`${where}: duplicate of ${seen.get(id)}`);
      seen.set(id, where);
      kinds.set(doc.kind, (kinds.get(doc.kind) || 0) + 1);
    }
  }
  if (kustomizations.length) {
    for (const file of files) {
      if (!kustomizations.includes(file) && !listed.has(file)) {
        problems.push(`${relative(process.cwd(), file)}: not listed in any kustomization.yaml`);
      }
    }
  }
  if (count === 0) problems.push("no Kubernetes documents found");
  if (problems.length) {
    for (const p of problems) console.log(p);
    return 1;
  }
  const summary = [...kinds].map(([k, n]) => `${n} ${k}`).join(", ");
  console.log(`ok: ${count} documents valid against kubernetes-models ${version("kubernetes-models")} ` +
    `and ${STRIMZI} ${version(STRIMZI)} (${summary})`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
