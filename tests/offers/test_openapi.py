"""schemas/api/offers.openapi.yaml is what offers does: the same routes and
scopes as the binary's route table, examples valid against their schemas,
and the documented examples accepted by a running offers with responses that
match the documented response schemas."""
import os
import subprocess
import sys
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import offerstest  # noqa: E402
from offerstest import jctest  # noqa: E402
import jsonschema  # noqa: E402
import yaml  # noqa: E402

DOC = os.path.join(jctest.ROOT, "schemas", "api", "offers.openapi.yaml")


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
        out = subprocess.run([os.path.join(jctest.BUILD, "services", "offers", "jc-offers"), "--print-routes"],
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
        n = 0
        for path, ops in doc["paths"].items():
            for method, op in ops.items():
                content = op.get("requestBody", {}).get("content", {}).get("application/json", {})
                for name, ex in content.get("examples", {}).items():
                    errors = [e.message for e in validator(doc, content["schema"]).iter_errors(ex["value"])]
                    self.assertEqual(errors, [], f"{method} {path} example {name}")
                    n += 1
        self.assertGreaterEqual(n, 9)


class OpenApiLiveTest(offerstest.OffersTest):

    def test_documented_examples_work_as_documented(self):
        doc = load_doc()
        schemas = doc["components"]["schemas"]

        def example(path, method, name, **ids):
            ex = doc["paths"][path][method]["requestBody"]["content"]["application/json"]["examples"][name]["value"]
            return dict(ex, **ids)

        def check(resp, schema, status=200):
            self.assertEqual(resp.status, status, resp)
            errors = [e.message for e in validator(doc, schema).iter_errors(resp.json)]
            self.assertEqual(errors, [], resp)
            return resp.json

        def response_schema(path, method, status="200"):
            return doc["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]

        case = self.feed.open("a-dagpenge", "2026-05-04")
        other = self.feed.open("a-dagpenge", "2026-05-04")
        self.wait_cases()
        cid = case["case_id"]
        check(self.call("GET", "/v1/offer-types"), response_schema("/v1/offer-types", "get"))
        prov = check(self.call("POST", "/v1/providers", example("/v1/providers", "post", "employer"), scope="admin"),
                     schemas["Provider"], 201)
        check(self.call("POST", "/v1/providers", example("/v1/providers", "post", "municipal")), schemas["Provider"], 201)
        check(self.call("GET", "/v1/providers?limit=1"), response_schema("/v1/providers", "get"))
        offer = check(self.call("POST", "/v1/offers", example("/v1/offers", "post", "internship",
                                                               provider_id=prov["provider_id"])), schemas["Offer"], 201)
        check(self.call("GET", "/v1/offers?offer_type=virksomhedspraktik"), response_schema("/v1/offers", "get"))
        check(self.call("GET", f"/v1/offers/{offer['offer_id']}?on=2026-11-02"), schemas["Offer"])
        en = check(self.call("POST", f"/v1/cases/{cid}/enrolments",
                             example("/v1/cases/{case_id}/enrolments", "post", "internship", offer_id=offer["offer_id"])),
                   schemas["Enrolment"], 201)
        eid = en["enrolment_id"]
        check(self.call("POST", f"/v1/enrolments/{eid}/start",
                        example("/v1/enrolments/{enrolment_id}/start", "post", "started")), schemas["Enrolment"])
        for name in ("missed", "ill"):
            check(self.call("POST", f"/v1/enrolments/{eid}/attendance",
                            example("/v1/enrolments/{enrolment_id}/attendance", "post", name)), schemas["Attendance"], 201)
        check(self.call("GET", f"/v1/cases/{cid}/obligations"), response_schema("/v1/cases/{case_id}/obligations", "get"))
        check(self.call("GET", f"/v1/cases/{cid}/enrolments"), response_schema("/v1/cases/{case_id}/enrolments", "get"))
        check(self.call("GET", f"/v1/enrolments/{eid}"), schemas["Enrolment"])
        fu = check(self.call("GET", "/v1/follow-ups"), response_schema("/v1/follow-ups", "get"))["items"][0]
        check(self.call("POST", f"/v1/follow-ups/{fu['follow_up_id']}/result",
                        example("/v1/follow-ups/{follow_up_id}/result", "post", "extended")), schemas["FollowUp"])
        nxt = self.ok("GET", f"/v1/enrolments/{eid}")["follow_up"]["follow_up_id"]
        check(self.call("POST", f"/v1/follow-ups/{nxt}/result",
                        example("/v1/follow-ups/{follow_up_id}/result", "post", "hired")), schemas["FollowUp"])
        check(self.call("POST", f"/v1/enrolments/{eid}/end", example("/v1/enrolments/{enrolment_id}/end", "post", "job")),
              schemas["Enrolment"])
        check(self.call("PUT", f"/v1/cases/{cid}/work-duty", example("/v1/cases/{case_id}/work-duty", "put", "not-covered")),
              schemas["Case"])
        check(self.call("GET", f"/v1/cases/{other['case_id']}"), schemas["Case"])
        check(self.call("GET", "/v1/caseworkers/cw-anna/review-list"),
              response_schema("/v1/caseworkers/{caseworker_id}/review-list", "get"))
        check(self.call("GET", "/v1/reports/job-effect"), schemas["JobEffect"])
        check(self.call("GET", "/v1/measures/active-offer?target_group=a-dagpenge&as_of=2026-11-23"), schemas["Measure"])
        check(self.call("POST", "/v1/admin/sweep?today=2026-11-23", scope="admin"),
              response_schema("/v1/admin/sweep", "post"))
        bad = self.call("POST", f"/v1/cases/{uuid.uuid4()}/enrolments", {"offer_id": "x"})
        check(bad, schemas["Problem"], 422)


if __name__ == "__main__":
    jctest.main()
