"""schemas/api/notifications.openapi.yaml is what notifications does: the same
routes and scopes as the binary's route table, and responses of a running
service that match the documented schemas (lists, status, resend, reminders,
sweep, problems)."""
import os
import subprocess
import sys
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import notiftest as nt  # noqa: E402
from notiftest import jctest  # noqa: E402
import jsonschema  # noqa: E402
import yaml  # noqa: E402

DOC = os.path.join(jctest.ROOT, "schemas", "api", "notifications.openapi.yaml")


def load_doc():
    with open(DOC) as f:
        return yaml.safe_load(f)


def validator(doc, schema):
    resolver = jsonschema.RefResolver.from_schema(doc)
    return jsonschema.Draft202012Validator(schema, resolver=resolver, format_checker=jsonschema.FormatChecker())


class OpenApiStaticTest(jctest.unittest.TestCase):

    def test_routes_and_scopes_match_the_binary(self):
        doc = load_doc()
        self.assertTrue(doc["openapi"].startswith("3.1"))
        out = subprocess.run([os.path.join(jctest.BUILD, "services", "notifications", "jc-notifications"),
                              "--print-routes"], capture_output=True, text=True, check=True).stdout
        routes = {}
        for line in out.splitlines():
            method, path, scope, name = line.split()
            routes[(method.lower(), path)] = (scope, name)
        documented = {}
        for path, ops in doc["paths"].items():
            for method, op in ops.items():
                documented[(method, path)] = (op["x-required-scopes"], op["operationId"])
                for code, resp in op["responses"].items():
                    self.assertTrue("$ref" in resp or "content" in resp, f"{method} {path} {code}")
        self.assertEqual(documented, routes)
        jsonschema.Draft202012Validator.check_schema({"$defs": doc["components"]["schemas"]})


class OpenApiLiveTest(nt.SharedPlatformTest):

    @classmethod
    def start_services(cls):
        cls.svc = cls.p.service("notifications", env={"JC_SWEEP_INTERVAL_S": "0", "JC_NOTIFY_POLL_MS": "100"})

    def test_responses_match_the_documented_schemas(self):
        doc = load_doc()
        paths = doc["paths"]

        def check(resp, path, method, status):
            content = paths[path][method]["responses"][str(status)]
            if "$ref" in content:
                content = doc["components"]["responses"][content["$ref"].rsplit("/", 1)[1]]
            media = "application/problem+json" if status >= 400 else "application/json"
            self.assertEqual(resp.status, status, resp)
            self.assertTrue(resp.headers["content-type"].startswith(media), resp.headers)
            errors = [e.message for e in validator(doc, content["content"][media]["schema"]).iter_errors(resp.json)]
            self.assertEqual(errors, [], f"{method} {path}: {resp}")

        who = self.ev.citizen(digital_post=True)
        self.p.stack.post_fault("reject 400 digital_post")
        case_id = self.ev.case_opened(who["citizen_ref"])["data"]["case_id"]
        self.ev.due_soon(case_id, who["citizen_ref"], caseworker="cw-9")
        failed = nt.wait_status(self.p, case_id, "rights_and_duties", "failed")
        nt.wait_status(self.p, case_id, "caseworker_reminder", "sent")
        self.p.stack.post_fault("clear")
        mid = failed["message_id"]

        check(self.svc.call("GET", f"/v1/cases/{case_id}/messages", scope="caseworker"),
              "/v1/cases/{case_id}/messages", "get", 200)
        check(self.svc.call("GET", "/v1/messages?status=failed", scope="admin"), "/v1/messages", "get", 200)
        check(self.svc.call("GET", f"/v1/messages/{mid}", scope="caseworker"), "/v1/messages/{message_id}", "get",
              200)
        check(self.svc.call("POST", f"/v1/messages/{mid}/resend", scope="admin"),
              "/v1/messages/{message_id}/resend", "post", 202)
        nt.wait_status(self.p, case_id, "rights_and_duties", "sent")
        check(self.svc.call("GET", f"/v1/messages/{mid}", scope="admin"), "/v1/messages/{message_id}", "get", 200)
        check(self.svc.call("POST", f"/v1/messages/{mid}/resend", scope="admin"),
              "/v1/messages/{message_id}/resend", "post", 409)
        check(self.svc.call("GET", "/v1/caseworkers/cw-9/reminders", scope="caseworker"),
              "/v1/caseworkers/{caseworker_id}/reminders", "get", 200)
        check(self.svc.call("POST", "/v1/admin/sweep?today=2026-03-02", scope="admin"), "/v1/admin/sweep", "post",
              200)
        check(self.svc.call("GET", f"/v1/cases/{uuid.uuid4()}/messages", scope="caseworker"),
              "/v1/cases/{case_id}/messages", "get", 404)
        check(self.svc.call("GET", "/v1/messages?status=nope", scope="caseworker"), "/v1/messages", "get", 422)
        check(self.svc.call("GET", "/v1/messages", scope="portal"), "/v1/messages", "get", 403)


if __name__ == "__main__":
    jctest.main()
