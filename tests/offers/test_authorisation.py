"""offers: who may do what. Caseworkers do the case work (assign, start,
attendance, end, follow-up results, work duty); admins read everything,
keep the catalogue of providers and offers and run the sweep, but do no case
work; citizens' portal, Udbetaling Danmark and a-kasse tokens have no access;
no token is 401. Every route is tried with every kind of token, and nothing
is stored by a refused request."""
import os
import subprocess
import sys
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import offerstest  # noqa: E402
from offerstest import jctest  # noqa: E402

# route name -> the scopes that may call it (the API contract)
ALLOWED = {
    "offer_type_list": {"caseworker", "admin"},
    "provider_create": {"caseworker", "admin"},
    "provider_list": {"caseworker", "admin"},
    "offer_create": {"caseworker", "admin"},
    "offer_list": {"caseworker", "admin"},
    "offer_get": {"caseworker", "admin"},
    "case_get": {"caseworker", "admin"},
    "work_duty_set": {"caseworker"},
    "obligation_list": {"caseworker", "admin"},
    "enrolment_create": {"caseworker"},
    "enrolment_list": {"caseworker", "admin"},
    "enrolment_get": {"caseworker", "admin"},
    "enrolment_start": {"caseworker"},
    "attendance_record": {"caseworker"},
    "enrolment_end": {"caseworker"},
    "review_list": {"caseworker", "admin"},
    "follow_up_list": {"caseworker", "admin"},
    "follow_up_result": {"caseworker"},
    "job_effect_report": {"caseworker", "admin"},
    "measure_active_offer": {"caseworker", "admin"},
    "admin_sweep": {"admin"},
}
TOKENS = [None, "portal", "udk:feed", "akasse:3F", "akasse:ZZZ", "caseworker", "admin"]
TABLES = ["provider", "offer", "enrolment", "attendance", "obligation", "follow_up", "idempotency", "outbox"]


class AuthorisationTest(offerstest.OffersTest):

    def routes(self):
        out = subprocess.run([os.path.join(jctest.BUILD, "services", "offers", "jc-offers"), "--print-routes"],
                             capture_output=True, text=True, check=True).stdout
        return [line.split() for line in out.splitlines()]

    def counts(self):
        return {t: self.count(t) for t in TABLES}

    def test_every_route_with_every_token(self):
        case = self.feed.open("a-dagpenge", "2026-03-02")
        self.wait_cases()
        offer = self.offer("virksomhedspraktik")
        en = self.enrol(case["case_id"], offer, "2026-11-02", "2026-12-18").json
        ids = {"case_id": case["case_id"], "offer_id": offer, "enrolment_id": en["enrolment_id"],
               "follow_up_id": en["follow_up"]["follow_up_id"], "caseworker_id": "cw-anna"}
        routes = self.routes()
        self.assertEqual({r[3] for r in routes}, set(ALLOWED), "every route has an expected scope set")
        before = self.counts()
        tried = 0
        for method, pattern, scope, name in routes:
            self.assertEqual(set(scope.split("|")), ALLOWED[name], name)
            path = pattern
            for k, v in ids.items():
                path = path.replace("{" + k + "}", v)
            for token in TOKENS:
                if token in ALLOWED[name]:
                    continue  # allowed calls are exercised by the other tests
                r = self.offers.call(method, path, body={} if method in ("POST", "PUT") else None,
                                     token=self.p.token(token) if token else None)
                want = 401 if token is None else 403
                self.assertEqual(r.status, want, f"{method} {path} with {token}: {r}")
                self.assertEqual(r.headers.get("content-type"), "application/problem+json")
                if want == 401:
                    self.assertIn("Bearer", r.headers.get("www-authenticate", ""))
                tried += 1
            # A wrong token is 401 too.
            r = self.offers.call(method, path, token="jctest-not-a-token")
            self.assertEqual(r.status, 401, f"{method} {path}")
        self.assertEqual(self.counts(), before, "a refused request stored something")
        self.assertGreaterEqual(tried, 100)

    def test_allowed_callers_get_through(self):
        case = self.feed.open("a-dagpenge", "2026-03-02")
        self.wait_cases()
        # admin keeps the catalogue; a caseworker too (the employer team)
        p1 = self.ok("POST", "/v1/providers", {"kind": "provider", "name": "AMU Vest"}, scope="admin", status=201)
        p2 = self.ok("POST", "/v1/providers", {"kind": "provider", "name": "Sprogcenter"}, status=201)
        o = self.ok("POST", "/v1/offers", {"offer_type": "amu", "provider_id": p1["provider_id"], "title": "Truck",
                                           "capacity": 2, "hours_per_week": 30, "available_from": "2026-01-01"},
                    scope="admin", status=201)
        self.ok("POST", "/v1/offers", {"offer_type": "danskundervisning", "provider_id": p2["provider_id"],
                                       "title": "Dansk 2", "capacity": 9, "hours_per_week": 9,
                                       "available_from": "2026-01-01"}, status=201)
        # admin reads but does no case work
        r = self.call("POST", f"/v1/cases/{case['case_id']}/enrolments",
                      {"offer_id": o["offer_id"], "planned_start": "2026-11-02", "planned_end": "2026-11-27"}, scope="admin")
        self.assertEqual(r.status, 403)
        en = self.enrol(case["case_id"], o["offer_id"], "2026-11-02", "2026-11-27").json
        for path in (f"/v1/cases/{case['case_id']}", f"/v1/cases/{case['case_id']}/obligations",
                     f"/v1/cases/{case['case_id']}/enrolments", f"/v1/enrolments/{en['enrolment_id']}",
                     "/v1/caseworkers/cw-anna/review-list", "/v1/follow-ups", "/v1/reports/job-effect",
                     "/v1/measures/active-offer", "/v1/offers", "/v1/providers", "/v1/offer-types"):
            self.ok("GET", path, scope="admin")
            self.ok("GET", path, scope="caseworker")
        self.assertEqual(self.call("POST", "/v1/admin/sweep", scope="admin").status, 200)
        self.assertEqual(self.call("GET", f"/v1/enrolments/{uuid.uuid4()}", scope="admin").status, 404)


if __name__ == "__main__":
    jctest.main()
