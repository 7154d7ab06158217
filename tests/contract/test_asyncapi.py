"""The event catalogue for internal teams (schemas/asyncapi.yaml) cannot drift
from its sources: it is exactly what tools/asyncapi/gen_asyncapi.py generates
now from the topic catalogue, the event schemas and the services' code; it
names every topic and every event type; and it validates against the official
AsyncAPI 3.0.0 JSON Schema (tools/checkers/check-asyncapi.mjs, which also
resolves every $ref)."""
import difflib
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools", "lib"))
import checkers  # noqa: E402
import jcsources  # noqa: E402
import yaml  # noqa: E402

ROOT = jcsources.ROOT
DOC = os.path.join(ROOT, "schemas", "asyncapi.yaml")
GEN = os.path.join(ROOT, "tools", "asyncapi", "gen_asyncapi.py")


def load():
    with open(DOC, encoding="utf-8") as f:
        return yaml.safe_load(f)


class AsyncApiTest(unittest.TestCase):

    def test_committed_document_is_what_the_generator_produces(self):
        r = subprocess.run(["/usr/bin/python3", GEN, "--stdout"], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, f"the generator failed: {r.stderr}")
        with open(DOC, encoding="utf-8") as f:
            committed = f.read()
        if committed != r.stdout:
            diff = list(difflib.unified_diff(committed.splitlines(), r.stdout.splitlines(),
                                             "schemas/asyncapi.yaml (committed)", "generated now",
                                             lineterm="", n=1))
            self.fail("schemas/asyncapi.yaml is stale: run /usr/bin/python3 "
                      "tools/asyncapi/gen_asyncapi.py and commit it. Diff:\n" +
                      "\n".join(diff[:60]))

    def test_every_topic_and_event_type_is_in_the_document(self):
        doc = load()
        self.assertEqual(doc["asyncapi"], "3.0.0")
        messages = doc["components"]["messages"]
        for topic in jcsources.catalogue():
            with self.subTest(topic=topic["name"]):
                ch = doc["channels"][topic["name"]]
                self.assertEqual(ch["address"], topic["name"])
                kafka = ch["bindings"]["kafka"]
                self.assertEqual(kafka["partitions"], topic["partitions"])
                self.assertEqual(kafka["topicConfiguration"]["cleanup.policy"],
                                 [topic["cleanup_policy"]])
                self.assertEqual(ch["x-personal-data"], topic["personal_data"])
                self.assertEqual(ch["x-producers"], topic["producers"])
                for short in topic["events"]:
                    self.assertIn(short, ch["messages"], f"{short} is not a message of the channel")
                    m = messages[short]
                    env, fixed = m["payload"]["allOf"]
                    self.assertEqual(env, {"$ref": "./events/envelope.v1.json"})
                    self.assertEqual(fixed["properties"]["type"]["const"], "dk.jobcenter." + short)
                    self.assertEqual(fixed["properties"]["data"], {"$ref": f"./events/{short}.json"})
                    for h in ("ce_id", "ce_type", "ce_source", "ce_specversion", "content-type"):
                        self.assertIn(h, m["headers"]["required"], f"{short}: header {h}")
                    self.assertEqual(m["headers"]["properties"]["ce_type"]["const"],
                                     "dk.jobcenter." + short)
                if topic["name"].startswith("jobcenter."):
                    self.assertEqual(sorted(ch["messages"]), sorted(topic["events"]))
                    for p in topic["producers"]:
                        ops = [o for o in doc["operations"].values()
                               if o["action"] == "send" and o["x-service"] == p and
                               o["channel"]["$ref"] == f"#/channels/{topic['name']}"]
                        self.assertEqual(len(ops), 1, f"a send operation by {p}")
        # The compacted, restricted citizen topic says so.
        citizen = doc["channels"]["jobcenter.citizen.v1"]
        self.assertEqual(citizen["bindings"]["kafka"]["topicConfiguration"]["cleanup.policy"],
                         ["compact"])
        self.assertTrue(citizen["x-personal-data"])

    def test_inbound_topics_are_documented_as_signed_raw_records(self):
        doc = load()
        for topic in jcsources.catalogue():
            if topic["name"].startswith("jobcenter."):
                continue
            with self.subTest(topic=topic["name"]):
                ch = doc["channels"][topic["name"]]
                (ref,) = [m["$ref"] for m in ch["messages"].values()]
                m = doc["components"]["messages"][ref.rsplit("/", 1)[1]]
                self.assertIn("not a CloudEvent", m["title"])
                self.assertIn("jc-signature", m["headers"]["required"])
                self.assertNotIn("ce_type", m["headers"]["properties"])
                self.assertTrue(ch["x-personal-data"])

    def test_document_validates_against_the_asyncapi_3_schema(self):
        code, out = checkers.run("check-asyncapi.mjs", DOC)
        self.assertEqual(code, 0, out)
        self.assertIn("valid AsyncAPI 3.0.0", out)

    def test_checker_rejects_a_broken_document(self):
        """The checker can fail: a wrong binding type and a dangling $ref."""
        doc = load()
        doc["channels"]["jobcenter.case.v1"]["bindings"]["kafka"]["partitions"] = "12"
        doc["components"]["messages"]["case.closed.v1"]["payload"]["allOf"][1]["properties"][
            "data"]["$ref"] = "./events/case.closd.v1.json"
        with tempfile.TemporaryDirectory() as d:
            for sub in ("events", "api"):
                os.symlink(os.path.join(ROOT, "schemas", sub), os.path.join(d, sub))
            path = os.path.join(d, "asyncapi.yaml")
            with open(path, "w", encoding="utf-8") as f:
                yaml.safe_dump(doc, f, sort_keys=False)
            code, out = checkers.run("check-asyncapi.mjs", path)
        self.assertEqual(code, 1, out)
        self.assertIn("/channels/jobcenter.case.v1/bindings/kafka/partitions must be integer", out)
        self.assertIn("case.closd.v1.json", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
