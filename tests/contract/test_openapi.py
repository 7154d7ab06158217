"""Every service's HTTP API document (schemas/api/<service>.openapi.yaml) says
what the binary does: the same routes, methods, scopes and operation ids as
the route table the binary prints, every $ref resolvable, and every request
example valid against its schema. (Each service's live test runs the examples
against a running service: tests/<service>/test_openapi.py.)"""
import glob
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import jctest  # noqa: E402
import jsonschema  # noqa: E402
import yaml  # noqa: E402

API = os.path.join(jctest.ROOT, "schemas", "api")


def services():
    return sorted(os.path.basename(os.path.dirname(p))
                  for p in glob.glob(os.path.join(jctest.ROOT, "services", "*", "CMakeLists.txt")))


def validator(doc, schema):
    resolver = jsonschema.RefResolver.from_schema(doc)
    return jsonschema.Draft202012Validator(schema, resolver=resolver,
                                           format_checker=jsonschema.FormatChecker())


def refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                yield v
            else:
                yield from refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from refs(v)


class OpenApiDocumentsTest(unittest.TestCase):

    def test_every_service_has_a_document_matching_its_route_table(self):
        names = services()
        self.assertGreaterEqual(len(names), 2)
        for name in names:
            with self.subTest(service=name):
                path = os.path.join(API, f"{name}.openapi.yaml")
                self.assertTrue(os.path.exists(path), f"{name} has no schemas/api/{name}.openapi.yaml")
                with open(path) as f:
                    doc = yaml.safe_load(f)
                self.assertTrue(doc["openapi"].startswith("3.1"))
                binary = os.path.join(jctest.BUILD, "services", name, f"jc-{name}")
                out = subprocess.run([binary, "--print-routes"], capture_output=True, text=True,
                                     check=True).stdout
                routes = {}
                for line in out.splitlines():
                    method, route, scope, op = line.split()
                    routes[(method.lower(), route)] = (scope, op)
                documented = {}
                for route, ops in doc["paths"].items():
                    for method, op in ops.items():
                        if method == "parameters":
                            continue
                        documented[(method, route)] = (op.get("x-required-scopes"), op.get("operationId"))
                missing = sorted(set(routes) - set(documented))
                extra = sorted(set(documented) - set(routes))
                self.assertEqual((missing, extra), ([], []), "routes missing from / extra in the document")
                for key, (scope, op) in routes.items():
                    self.assertEqual(documented[key], (scope, op), f"{key}: scope and operationId")
                for ref in set(refs(doc)):
                    self.assertTrue(ref.startswith("#/"), ref)
                    node = doc
                    for part in ref[2:].split("/"):
                        self.assertIn(part, node, f"unresolvable {ref}")
                        node = node[part]
                n = 0
                for route, ops in doc["paths"].items():
                    for method, op in ops.items():
                        if method == "parameters":
                            continue
                        content = op.get("requestBody", {}).get("content", {}).get("application/json", {})
                        for ex_name, ex in content.get("examples", {}).items():
                            errors = [e.message for e in
                                      validator(doc, content["schema"]).iter_errors(ex["value"])]
                            self.assertEqual(errors, [], f"{method} {route} example {ex_name}")
                            n += 1
                        if "requestBody" in op and "application/json" in op["requestBody"]["content"]:
                            self.assertTrue(content.get("examples") or content.get("example"),
                                            f"{method} {route}: a request body needs an example")


if __name__ == "__main__":
    unittest.main()
