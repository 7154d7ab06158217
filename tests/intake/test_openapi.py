"""schemas/api/intake.openapi.yaml is what intake does: the documented
examples are accepted by a running intake, with responses that match the
documented response schemas. (Routes, scopes and example validity against the
binary's route table: tests/contract/test_openapi.py.)"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import jctest  # noqa: E402
import jsonschema  # noqa: E402
import yaml  # noqa: E402

DOC = os.path.join(jctest.ROOT, "schemas", "api", "intake.openapi.yaml")


def load_doc():
    with open(DOC) as f:
        return yaml.safe_load(f)


def validator(doc, schema):
    resolver = jsonschema.RefResolver.from_schema(doc)
    return jsonschema.Draft202012Validator(schema, resolver=resolver,
                                           format_checker=jsonschema.FormatChecker())


class OpenApiLiveTest(jctest.PlatformTest):

    def test_documented_examples_work_as_documented(self):
        doc = load_doc()
        intake = self.p.service("intake")
        schemas = doc["components"]["schemas"]

        def example(path, method, name):
            ex = doc["paths"][path][method]["requestBody"]["content"]["application/json"]["examples"][name]["value"]
            for k in ("cpr", "name"):
                if k in ex:
                    (self.p.cprs if k == "cpr" else self.p.names).add(ex[k].replace("-", ""))
            return ex

        def check(resp, schema):
            errors = [e.message for e in validator(doc, schema).iter_errors(resp.json)]
            self.assertEqual(errors, [], resp)

        ho = example("/v1/handovers", "post", "handover")
        r = intake.call("POST", "/v1/handovers", scope="akasse:3F", body=ho)
        self.assertEqual(r.status, 201, r)
        check(r, schemas["HandoverAccepted"])
        g = intake.call("GET", f"/v1/handovers/{ho['handover_id']}", scope="akasse:3F")
        self.assertEqual(g.status, 200, g)
        check(g, schemas["HandoverStatusAccepted"])
        bad = intake.call("POST", "/v1/handovers", scope="akasse:3F", body=dict(ho, cpr="x"))
        self.assertEqual(bad.status, 422)
        check(bad, schemas["Problem"])

        case = example("/v1/cases", "post", "sickness-benefit")
        r = intake.call("POST", "/v1/cases", scope="caseworker", body=case)
        self.assertEqual(r.status, 201, r)
        check(r, schemas["CaseCreated"])
        cid = r.json["case_id"]
        r = intake.call("GET", f"/v1/cases/{cid}", scope="caseworker")
        check(r, schemas["CaseWithCitizen"])
        r = intake.call("POST", f"/v1/cases/{cid}/target-group", scope="caseworker",
                        body=example("/v1/cases/{case_id}/target-group", "post", "week-22"))
        self.assertEqual(r.status, 200, r)
        check(r, schemas["CaseSummary"])
        r = intake.call("POST", f"/v1/cases/{cid}/close", scope="caseworker",
                        body=example("/v1/cases/{case_id}/close", "post", "job"))
        self.assertEqual((r.status, r.json["status"]), (200, "closed"))
        check(r, schemas["CaseSummary"])
        r = intake.call("GET", "/v1/cases?limit=1", scope="caseworker")
        check(r, doc["paths"]["/v1/cases"]["get"]["responses"]["200"]["content"]["application/json"]["schema"])


if __name__ == "__main__":
    jctest.main()
