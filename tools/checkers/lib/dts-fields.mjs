// Unknown-field check for Kubernetes objects, as `kubectl apply` does with
// server-side field validation (Strict): kubernetes-models' validators check
// types, enums and required fields but accept any extra key, so a typo such
// as `readinesProbe` would pass. The models' TypeScript declarations (.d.ts)
// list every field of every type; this reads them and reports keys a type
// does not declare.
//
// A small parser for the subset of TypeScript those generated files use:
// interfaces with quoted members, inline object types, index signatures,
// Array<T>, unions, literals, imported and re-exported type names.
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";

const LEAF = { kind: "leaf" };

function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

function tokenize(text) {
  const tokens = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[A-Za-z_$][\w$.]*|-?\d+(?:\.\d+)?|=>|[{}<>\[\]()|;:?,=&])/y;
  let m;
  re.lastIndex = 0;
  while (re.lastIndex < text.length && (m = re.exec(text))) tokens.push(m[1]);
  return tokens;
}

class Parser {
  constructor(tokens) {
    this.t = tokens;
    this.i = 0;
  }
  peek() {
    return this.t[this.i];
  }
  next() {
    return this.t[this.i++];
  }
  expect(tok) {
    const got = this.next();
    if (got !== tok) throw new Error(`expected ${tok}, got ${got}`);
  }
  type() {
    const alts = [this.postfix()];
    while (this.peek() === "|" || this.peek() === "&") {
      this.next();
      alts.push(this.postfix());
    }
    return alts.length === 1 ? alts[0] : { kind: "union", of: alts };
  }
  postfix() {
    let t = this.primary();
    while (this.peek() === "[" && this.t[this.i + 1] === "]") {
      this.i += 2;
      t = { kind: "array", of: t };
    }
    return t;
  }
  primary() {
    const tok = this.next();
    if (tok === "{") return this.members();
    if (tok === "(") {
      const t = this.type();
      this.expect(")");
      return t;
    }
    if (tok === "Array" && this.peek() === "<") {
      this.next();
      const of = this.type();
      this.expect(">");
      return { kind: "array", of };
    }
    if (/^["'\d-]/.test(tok)) return LEAF;
    if (["string", "number", "boolean", "any", "unknown", "null", "object", "undefined",
      "true", "false", "never"].includes(tok)) return LEAF;
    // A named type, possibly indexed (IKafka["spec"]) or generic (Record<...>).
    let t = { kind: "ref", name: tok };
    if (this.peek() === "<") {
      let depth = 0;
      do {
        const x = this.next();
        if (x === "<") depth++;
        if (x === ">") depth--;
      } while (depth > 0 && this.i < this.t.length);
      t = LEAF;
    }
    while (this.peek() === "[" && this.t[this.i + 1] !== "]") {
      this.next();
      const key = this.next();
      this.expect("]");
      if (t.kind === "ref") t = { kind: "index", of: t, key: key.slice(1, -1) };
    }
    return t;
  }
  members() {
    const obj = { kind: "object", props: new Map(), index: null };
    while (this.peek() !== "}") {
      if (this.peek() === "readonly") this.next();
      if (this.peek() === "[") {
        this.next();
        this.next(); // key
        this.expect(":");
        this.next(); // string
        this.expect("]");
        this.expect(":");
        obj.index = this.type();
      } else {
        let name = this.next();
        if (/^["']/.test(name)) name = JSON.parse(name.replace(/^'|'$/g, '"'));
        if (this.peek() === "?") this.next();
        if (this.peek() === "(") throw new Error("method members are not supported");
        this.expect(":");
        obj.props.set(name, this.type());
      }
      if (this.peek() === ";" || this.peek() === ",") this.next();
    }
    this.expect("}");
    return obj;
  }
}

export class DtsFields {
  constructor(nodeModules) {
    this.nodeModules = nodeModules;
    this.files = new Map();
  }

  // Declarations of one .d.ts file: imports, interfaces, type aliases, re-exports.
  file(path) {
    if (this.files.has(path)) return this.files.get(path);
    const decl = { path, imports: new Map(), types: new Map(), aliases: new Map() };
    this.files.set(path, decl);
    if (!existsSync(path)) return decl;
    const text = stripComments(readFileSync(path, "utf8"));
    for (const m of text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
      for (const part of m[1].split(",")) {
        const [name, as] = part.trim().split(/\s+as\s+/);
        if (name) decl.imports.set((as || name).trim(), { name: name.trim(), spec: m[2] });
      }
    }
    for (const m of text.matchAll(/export\s+type\s*\{([^}]*)\}/g)) {
      for (const part of m[1].split(",")) {
        const [name, as] = part.trim().split(/\s+as\s+/);
        if (as) decl.aliases.set(as.trim(), name.trim());
      }
    }
    const tokens = tokenize(text);
    for (let i = 0; i < tokens.length; i++) {
      if (tokens[i] === "interface") {
        const name = tokens[i + 1];
        let j = i + 2;
        while (tokens[j] !== "{") j++; // skip `extends A, B`
        const p = new Parser(tokens);
        p.i = j + 1;
        decl.types.set(name, p.members());
        i = p.i - 1;
      } else if (tokens[i] === "type" && tokens[i + 2] === "=" && tokens[i - 1] === "export") {
        const p = new Parser(tokens);
        p.i = i + 3;
        try {
          decl.types.set(tokens[i + 1], p.type());
        } catch {
          decl.types.set(tokens[i + 1], LEAF);
        }
        i = p.i - 1;
      }
    }
    return decl;
  }

  specPath(fromFile, spec) {
    const base = spec.replace(/\.js$/, "");
    if (base.startsWith(".")) return join(dirname(fromFile), `${base}.d.ts`);
    return join(this.nodeModules, `${base}.d.ts`);
  }

  // The type a name stands for in a file (following aliases and imports).
  resolve(path, name, depth = 0) {
    if (depth > 20) return LEAF;
    const decl = this.file(path);
    if (decl.types.has(name)) return { type: decl.types.get(name), path };
    if (decl.aliases.has(name)) return this.resolve(path, decl.aliases.get(name), depth + 1);
    const imp = decl.imports.get(name);
    if (imp) return this.resolve(this.specPath(path, imp.spec), imp.name, depth + 1);
    return { type: LEAF, path };
  }

  // Problems (["<path>: unknown field"]) of `value` against the model's root interface.
  check(modelFile, rootInterface, value) {
    const problems = [];
    const { type, path } = this.resolve(modelFile, rootInterface);
    this.walk(value, type, path, "", problems);
    return problems;
  }

  walk(value, type, file, where, problems, depth = 0) {
    if (value === null || value === undefined || depth > 60) return;
    switch (type.kind) {
      case "ref": {
        const r = this.resolve(file, type.name);
        this.walk(value, r.type, r.path, where, problems, depth + 1);
        return;
      }
      case "index": {
        const r = this.resolve(file, type.of.name);
        const t = r.type.kind === "object" ? r.type.props.get(type.key) : null;
        if (t) this.walk(value, t, r.path, where, problems, depth + 1);
        return;
      }
      case "array":
        if (Array.isArray(value)) {
          value.forEach((v, i) => this.walk(v, type.of, file, `${where}/${i}`, problems, depth + 1));
        }
        return;
      case "object":
        if (typeof value !== "object" || Array.isArray(value)) return;
        // `{}`: any object (x-kubernetes-preserve-unknown-fields, e.g. a topic's config)
        if (type.props.size === 0 && !type.index) return;
        for (const [k, v] of Object.entries(value)) {
          const t = type.props.get(k) || type.index;
          if (!t) {
            problems.push(`${where}/${k}: unknown field (not in the schema; a typo?)`);
          } else {
            this.walk(v, t, file, `${where}/${k}`, problems, depth + 1);
          }
        }
        return;
      case "union": {
        const structured = type.of.filter((t) => t.kind !== "leaf");
        if (structured.length === 0) return;
        let best = null;
        for (const t of structured) {
          const found = [];
          this.walk(value, t, file, where, found, depth + 1);
          if (found.length === 0) return;
          if (!best || found.length < best.length) best = found;
        }
        problems.push(...best);
        return;
      }
      default:
        return;
    }
  }
}
