"""schemas/api/control.openapi.yaml is what control does: the same routes and
scopes as the binary's route table (streamed routes and the sweep included),
examples valid against their schemas (the NDJSON example against the feed
format), and the documented examples accepted by a running control with
responses that match the documented schemas."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import controltest  # noqa: E402
from controltest import jctest  # noqa: E402
import jsonschema  # noqa: E402
import yaml  # noqa: E402

DOC = os.path.join(jctest.ROOT, "schemas", "api", "control.openapi.yaml")
FEED_SCHEMA = os.path.join(jctest.ROOT, "schemas", "feeds", "udk-campaign.v1.json")


def load_doc():
    with open(DOC) as f:
        return yaml.safe_load(f)


def validator(doc, schema):
    resolver = jsonschema.RefResolver.from_schema(doc)
    return jsonschema.Draft202012Validator(schema, resolver=resolver, format_checker=jsonschema.FormatChecker())


class OpenApiStaticTest(jctest.unittest.TestCase):

    def test_routes_scopes_and_examples(self):
        doc = load_doc()
        self.assertTrue(doc["openapi"].startswith("3.1"))
        out = subprocess.run([os.path.join(jctest.BUILD, "services", "control", "jc-control"), "--print-routes"],
                             capture_output=True, text=True, check=True).stdout
        routes = {}
        for line in out.splitlines():
            method, path, scope, name = line.split()
            routes[(method.lower(), path)] = (scope, name)
        documented = {}
        for path, ops in doc["paths"].items():
            for method, op in ops.items():
                documented[(method, path)] = (op["x-required-scopes"], op["operationId"])
        self.assertEqual(documented, routes)
        with open(FEED_SCHEMA) as f:
            feed_validator = jsonschema.Draft202012Validator(json.load(f), format_checker=jsonschema.FormatChecker())
        n = 0
        for path, ops in doc["paths"].items():
            for method, op in ops.items():
                content = op.get("requestBody", {}).get("content", {})
                for name, ex in content.get("application/json", {}).get("examples", {}).items():
                    errors = [e.message for e in validator(doc, content["application/json"]["schema"])
                              .iter_errors(ex["value"])]
                    self.assertEqual(errors, [], f"{method} {path} example {name}")
                    n += 1
                for name, ex in content.get("application/x-ndjson", {}).get("examples", {}).items():
                    for line in ex["value"].splitlines():
                        self.assertEqual([e.message for e in feed_validator.iter_errors(json.loads(line))], [],
                                         f"{method} {path} example {name}")
                    n += 1
        self.assertGreaterEqual(n, 10)


class OpenApiLiveTest(controltest.ControlTest):
    TODAY = "2026-03-10"

    def test_documented_examples_work_as_documented(self):
        doc = load_doc()
        schemas = doc["components"]["schemas"]
        paths = doc["paths"]

        def example(path, method, name, ctype="application/json"):
            return paths[path][method]["requestBody"]["content"][ctype]["examples"][name]["value"]

        def check(resp, schema):
            errors = [e.message for e in validator(doc, schema).iter_errors(resp.json)]
            self.assertEqual(errors, [], resp)

        feed = example("/v1/campaign-feeds", "post", "control-campaign", "application/x-ndjson")
        records = [json.loads(x) for x in feed.splitlines()[1:]]
        self.p.cprs.update(r["cpr"] for r in records)
        case = self.open_case("kontanthjaelp-jobparat", cpr=records[0]["cpr"])
        r = self.upload(feed.encode())
        self.assertEqual((r.status, r.json["counts"]["matched"]), (201, 1), r)
        check(r, schemas["FeedReport"])
        g = self.feed_report("UDK-2026-KONTROL-UDL", "UDK-2026-KONTROL-UDL-001")
        check(g, schemas["FeedReport"])
        bad = self.upload(feed.replace('"record_count":2', '"record_count":3').replace("-001", "-002").encode())
        self.assertEqual(bad.status, 422)
        check(bad, schemas["Problem"])
        lst = self.control.call("GET", "/v1/control-cases", scope="caseworker")
        check(lst, paths["/v1/control-cases"]["get"]["responses"]["200"]["content"]["application/json"]["schema"])
        cid = lst.json["items"][0]["control_case_id"]
        body = dict(example("/v1/control-cases", "post", "tip"), case_id=case["case_id"])
        r = self.control.call("POST", "/v1/control-cases", scope="caseworker", body=body)
        self.assertEqual(r.status, 201, r)
        check(r, schemas["ControlCaseSummary"])
        for path, name in (("evidence", "bbr"), ("notes", "note"), ("outcome", "repayment"), ("close", "close")):
            r = self.control.call("POST", f"/v1/control-cases/{cid}/{path}", scope="caseworker",
                                  body=example(f"/v1/control-cases/{{control_case_id}}/{path}", "post", name))
            self.assertIn(r.status, (200, 201), r)
        r = self.control.call("GET", f"/v1/control-cases/{cid}", scope="caseworker")
        check(r, schemas["ControlCase"])
        r = self.control.call("PUT", f"/v1/cases/{case['case_id']}/benefit-basis", scope="caseworker",
                              body=example("/v1/cases/{case_id}/benefit-basis", "put", "basis"))
        self.assertEqual(r.status, 200, r)
        self.no_show(case)
        jctest.wait_until(lambda: self.control.call("GET", "/v1/sanction-proposals", scope="caseworker").json["items"],
                          30, "the proposal")
        r = self.control.call("GET", "/v1/sanction-proposals", scope="caseworker")
        check(r, paths["/v1/sanction-proposals"]["get"]["responses"]["200"]["content"]["application/json"]["schema"])
        pid = r.json["items"][0]["proposal_id"]
        r = self.control.call("POST", f"/v1/sanction-proposals/{pid}/hearing-response", scope="caseworker",
                              body=dict(example("/v1/sanction-proposals/{proposal_id}/hearing-response", "post",
                                                "answer"), received_on="2026-03-10"))
        self.assertEqual(r.status, 200, r)
        r = self.control.call("POST", f"/v1/sanction-proposals/{pid}/decision", scope="caseworker",
                              body=example("/v1/sanction-proposals/{proposal_id}/decision", "post", "reject"))
        self.assertEqual(r.status, 200, r)
        check(r, schemas["Proposal"])
        r = self.control.call("GET", f"/v1/sanction-proposals/{pid}", scope="caseworker")
        check(r, schemas["Proposal"])
        r = self.control.call("GET", "/v1/campaigns", scope="admin")
        check(r, paths["/v1/campaigns"]["get"]["responses"]["200"]["content"]["application/json"]["schema"])


if __name__ == "__main__":
    jctest.main()
