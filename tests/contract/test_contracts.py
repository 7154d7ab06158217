"""The public contracts: event schemas, topic catalogue, compose file, README.

Schemas and code cannot drift apart: every event the integration tests see on
a topic is validated against these schemas (jctest end-of-test checks); this
file checks the schemas themselves, their fixtures and the documents that
describe them."""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import jctest  # noqa: E402

import jsonschema  # noqa: E402

ROOT = jctest.ROOT
EVENTS = os.path.join(ROOT, "schemas", "events")
FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


def schema_names():
    return sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(EVENTS, "*.json"))
                  if not p.endswith("topics.json"))


class ContractTest(unittest.TestCase):

    def test_every_schema_is_valid_draft_2020_12(self):
        for name in schema_names():
            with open(os.path.join(EVENTS, f"{name}.json")) as f:
                schema = json.load(f)
            jsonschema.Draft202012Validator.check_schema(schema)
            self.assertEqual(schema["$id"], f"urn:jobcenter:schema:{name}", name)
            self.assertEqual(schema["$schema"], "https://json-schema.org/draft/2020-12/schema")
            self.assertTrue(schema.get("description"), f"{name} needs a description for data teams")

    def test_catalogue_and_schemas_match(self):
        declared = set()
        for topic in jctest.CATALOGUE.values():
            for field in ("name", "partitions", "cleanup_policy", "retention_ms", "key",
                          "personal_data", "producers", "description", "events"):
                self.assertIn(field, topic, topic["name"])
            self.assertRegex(topic["name"], r"^[a-z]+\.[a-z]+\.v[0-9]+$")
            self.assertGreaterEqual(topic["partitions"], 1)
            declared.update(topic["events"])
        files = set(schema_names()) - {"envelope.v1"}
        self.assertEqual(declared - files, set(), "event types without a schema file")
        self.assertEqual(files - declared, set(), "schema files no topic carries")
        # Personal data is confined to topics flagged for it.
        self.assertTrue(jctest.CATALOGUE["jobcenter.citizen.v1"]["personal_data"])
        self.assertEqual(jctest.CATALOGUE["jobcenter.citizen.v1"]["cleanup_policy"], "compact")
        for name in ("jobcenter.case.v1", "jobcenter.meeting.v1", "jobcenter.offer.v1",
                     "jobcenter.control.v1", "jobcenter.notification.v1", "jobcenter.dlq.v1"):
            self.assertFalse(jctest.CATALOGUE[name]["personal_data"], name)

    def test_fixtures(self):
        """tests/contract/fixtures/<schema>/{valid,invalid}/*.json"""
        count = 0
        for name in schema_names():
            validator, _ = jctest._validator(name)
            valid = glob.glob(os.path.join(FIXTURES, name, "valid", "*.json"))
            invalid = glob.glob(os.path.join(FIXTURES, name, "invalid", "*.json"))
            self.assertTrue(valid and invalid, f"{name} needs valid and invalid fixtures")
            for path in valid:
                with open(path) as f:
                    errors = [e.message for e in validator.iter_errors(json.load(f))]
                self.assertEqual(errors, [], path)
                count += 1
            for path in invalid:
                with open(path) as f:
                    self.assertFalse(validator.is_valid(json.load(f)), f"{path} should be invalid")
                count += 1
        print(f"\n  {count} fixtures", file=sys.stderr)

    def test_docker_compose_file_parses(self):
        compose = os.path.join(ROOT, "docker-compose.yml")
        with tempfile.TemporaryDirectory() as d:
            env = os.path.join(d, ".env")
            with open(os.path.join(ROOT, "deploy", "compose", "env.example")) as f, open(env, "w") as g:
                g.write(f.read())
            out = subprocess.run(["docker-compose", "--env-file", env, "-f", compose, "config"],
                                 capture_output=True, text=True, cwd=ROOT)
            self.assertEqual(out.returncode, 0, out.stderr)
            for svc in ["kafka", "postgres", "topics"] + sorted(os.listdir(os.path.join(ROOT, "services"))):
                if os.path.isdir(os.path.join(ROOT, "services", svc)) or svc in ("kafka", "postgres", "topics"):
                    self.assertRegex(out.stdout, rf"(?m)^  {re.escape(svc)}:$", f"compose lacks {svc}")
            # Without the passwords it refuses to start, naming what is missing.
            bare = subprocess.run(["docker-compose", "-f", compose, "config"], capture_output=True,
                                  text=True, cwd=d, env={"PATH": os.environ["PATH"]})
            self.assertNotEqual(bare.returncode, 0)
            self.assertIn("POSTGRES_PASSWORD", bare.stderr)

    def test_readme_documents_config_topics_and_events(self):
        with open(os.path.join(ROOT, "README.md")) as f:
            readme = f.read()
        for svc in sorted(os.listdir(os.path.join(ROOT, "services"))):
            binary = os.path.join(jctest.BUILD, "services", svc, f"jc-{svc}")
            if not os.path.exists(binary):
                continue
            out = subprocess.run([binary, "--print-config"], capture_output=True, text=True, check=True)
            for var in re.findall(r"^\| `([A-Z0-9_]+)` \|", out.stdout, re.M):
                self.assertTrue(f"`{var}`" in readme, f"README does not document {var} ({svc})")
        for topic in jctest.CATALOGUE.values():
            self.assertTrue(f"`{topic['name']}`" in readme, f"README does not list topic {topic['name']}")
            for ev in topic["events"]:
                self.assertTrue(f"`{ev}`" in readme, f"README does not list event type {ev}")
        self.assertIn("make run", readme)
        self.assertIn("make test", readme)
        with open(os.path.join(ROOT, ".ci", "run")) as f:
            self.assertIn("make test", f.read(), ".ci/run must call the README's test command")


if __name__ == "__main__":
    unittest.main(verbosity=2)
