"""A corpus of malformed requests to intake: every one answers
application/problem+json (naming the failing field where there is one) and
stores nothing anywhere (rows counted before and after)."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import jctest  # noqa: E402

TABLES = ["citizen", "case_file", "handover", "handover_contact", "idempotency", "outbox",
          "case_change", "audit_read", "caseworker", "team", "handover_rejection"]


class MalformedRequestTest(jctest.PlatformTest):

    def counts(self):
        return {t: self.p.stack.scalar(f"SELECT count(*) FROM intake.{t}") for t in TABLES}

    def test_corpus_of_malformed_requests_stores_nothing(self):
        p = self.p
        intake = p.service("intake", env={"JC_HTTP_MAX_BODY": "16384"})
        good = p.handover()
        case = {"cpr": p.cpr(), "name": p.name(), "target_group": "a-dagpenge", "start_date": "2026-03-02"}
        J = {"Content-Type": "application/json"}

        def ho(**kw):
            b = json.loads(json.dumps(good))
            for k, v in kw.items():
                if v is _DEL:
                    b.pop(k)
                else:
                    b[k] = v
            return b

        def cs(**kw):
            b = dict(case)
            for k, v in kw.items():
                if v is _DEL:
                    b.pop(k)
                else:
                    b[k] = v
            return b

        since = good["unemployed_since"]
        corpus = [
            # (method, path, scope, body or raw bytes, headers, status, fields named)
            ("POST", "/v1/handovers", "akasse:3F", ho(cpr="0101"), None, 422, ["cpr"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(cpr="3213901234"), None, 422, ["cpr"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(cpr="010190123x"), None, 422, ["cpr"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(cpr=101901234), None, 422, ["cpr"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(cpr=_DEL), None, 422, ["cpr"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(name=""), None, 422, ["name"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(name="x" * 201), None, 422, ["name"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(name=None), None, 422, ["name"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(handover_id=""), None, 422, ["handover_id"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(handover_id="a b/c"), None, 422, ["handover_id"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(handover_id="x" * 65), None, 422, ["handover_id"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(handover_id=17), None, 422, ["handover_id"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(unemployed_since="2026-13-01"), None, 422, ["unemployed_since"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(unemployed_since="yesterday"), None, 422, ["unemployed_since"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(handover_date=since, contact_history=[]), None, 422,
             ["handover_date"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(handover_date="2099-01-01"), None, 422, ["handover_date"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(handover_date=_DEL), None, 422, ["handover_date"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(contact_history="none"), None, 422, ["contact_history"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(contact_history=[{"date": since}]), None, 422,
             ["contact_history[0].kind"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(contact_history=[{"date": "2001-01-01", "kind": "individual"}]),
             None, 422, ["contact_history[0].date"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(contact_history=[{"date": since, "kind": "coffee"}]),
             None, 422, ["contact_history[0].kind"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(contact_history=[7]), None, 422, ["contact_history[0]"]),
            ("POST", "/v1/handovers", "akasse:3F",
             ho(contact_history=[{"date": since, "kind": "individual", "note": "x"}]), None, 422,
             ["contact_history[0].note"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(contact_history=[{"date": since, "kind": "group"}] * 21),
             None, 422, ["contact_history"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(cv_on_jobnet="yes"), None, 422, ["cv_on_jobnet"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(availability_concerns=_DEL), None, 422, ["availability_concerns"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(email="not-an-address"), None, 422, ["email"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(phone="call me"), None, 422, ["phone"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(address="Vejlebrovej 1"), None, 422, ["address"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(address={"street": "Vejlebrovej 1", "postcode": "2635"}),
             None, 422, ["address.city"]),
            ("POST", "/v1/handovers", "akasse:3F",
             ho(address={"street": "Vejlebrovej 1", "postcode": "26x5", "city": "Ishøj"}), None, 422,
             ["address.postcode"]),
            ("POST", "/v1/handovers", "akasse:3F",
             ho(address={"street": "", "postcode": "2635", "city": "Ishøj", "floor": 2}), None, 422,
             ["address.floor", "address.street"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(akasse=_DEL), None, 422, ["akasse"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(extra_field=1), None, 422, ["extra_field"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(cpr="0101", name="", handover_date="x"), None, 422,
             ["cpr", "handover_date", "name"]),
            ("POST", "/v1/handovers", "akasse:3F", ho(akasse="FOA"), None, 403, ["akasse"]),
            ("POST", "/v1/handovers", "akasse:ZZZ", ho(akasse="ZZZ"), None, 422, ["akasse"]),
            ("POST", "/v1/handovers", "caseworker", ho(), None, 403, []),
            ("POST", "/v1/handovers", None, ho(), None, 401, []),
            ("POST", "/v1/handovers", "akasse:3F", b"{", J, 400, ["(body)"]),
            ("POST", "/v1/handovers", "akasse:3F", b"[]", J, 400, ["(body)"]),
            ("POST", "/v1/handovers", "akasse:3F", b'{"cpr":"1","cpr":"2"}', J, 400, ["(body)"]),
            ("POST", "/v1/handovers", "akasse:3F", b"\xff\xfe{}", J, 400, ["(body)"]),
            ("POST", "/v1/handovers", "akasse:3F", json.dumps(good).encode(), {"Content-Type": "text/plain"}, 415, []),
            ("POST", "/v1/handovers", "akasse:3F", b"{" + b" " * 20000 + b"}", J, 413, []),
            ("POST", "/v1/cases", "caseworker", cs(target_group="dagpenge"), None, 422, ["target_group"]),
            ("POST", "/v1/cases", "caseworker", cs(start_date="02-03-2026"), None, 422, ["start_date"]),
            ("POST", "/v1/cases", "caseworker", cs(visitation="ready"), None, 422, ["visitation"]),
            ("POST", "/v1/cases", "caseworker", cs(address={"street": "Vejlebrovej 1", "postcode": 2635,
                                                             "city": "Ishøj"}), None, 422, ["address.postcode"]),
            ("POST", "/v1/cases", "caseworker", cs(caseworker_id="nobody"), None, 422, ["caseworker_id"]),
            ("POST", "/v1/cases", "caseworker", cs(digital_post="no"), None, 422, ["digital_post"]),
            ("POST", "/v1/cases", "caseworker", cs(cpr="2902011234"), None, 422, ["cpr"]),
            ("POST", "/v1/cases", "caseworker", {}, None, 422, ["cpr", "name", "start_date", "target_group"]),
            ("POST", "/v1/cases", "caseworker", cs(), {"Idempotency-Key": ""}, 422, ["Idempotency-Key"]),
            ("POST", "/v1/cases", "portal", cs(), None, 403, []),
            ("PUT", "/v1/caseworkers/Bad_Id", "admin", {"name": "x", "team_id": "t", "target_groups": []}, None,
             422, ["caseworker_id"]),
            ("PUT", "/v1/caseworkers/cw-x", "admin", {"name": "x", "team_id": "no-such-team",
                                                     "target_groups": ["a-dagpenge"]}, None, 422, ["team_id"]),
            ("PUT", "/v1/caseworkers/cw-x", "admin", {"name": "x", "team_id": "t", "target_groups": ["x"]}, None,
             422, ["target_groups[0]"]),
            ("PUT", "/v1/teams/Team!", "admin", {"name": "x"}, None, 422, ["team_id"]),
            ("PUT", "/v1/caseload-norms/a-dagpenge", "admin", {"norm": "55"}, None, 422, ["norm"]),
            ("PUT", "/v1/caseload-norms/nope", "admin", {"norm": 5}, None, 422, ["target_group"]),
            ("GET", "/v1/cases/not-a-uuid", "caseworker", None, None, 422, ["case_id"]),
            ("GET", "/v1/cases?limit=abc", "caseworker", None, None, 422, ["limit"]),
            ("GET", "/v1/citizens/1234", "caseworker", None, None, 422, ["citizen_ref"]),
            ("POST", "/v1/cases/00000000-0000-4000-8000-000000000000/close", "caseworker",
             {"reason": "job", "closed_on": "2026-01-01"}, None, 404, []),
            ("POST", "/v1/cases/00000000-0000-4000-8000-000000000000/close", "caseworker",
             {"reason": "job"}, None, 422, ["closed_on"]),
            ("DELETE", "/v1/handovers", "akasse:3F", None, None, 405, []),
            ("GET", "/v1/../etc/passwd", "caseworker", None, None, 404, []),
        ]
        before = self.counts()
        self.assertGreaterEqual(len(corpus), 40)
        for i, (method, path, scope, body, headers, status, fields) in enumerate(corpus):
            kw = {"headers": headers}
            if isinstance(body, bytes):
                kw["raw"] = body
            elif body is not None:
                kw["body"] = body
            r = intake.call(method, path, scope=scope, **kw)
            what = f"#{i} {method} {path} -> {r}"
            self.assertEqual(r.status, status, what)
            self.assertEqual(r.headers.get("content-type"), "application/problem+json", what)
            self.assertEqual(r.json["status"], status, what)
            named = sorted(e["field"] for e in r.json.get("errors", []))
            self.assertEqual(named, sorted(fields), what)
            # Never echo what was sent: it may be a CPR number or a name.
            for v in (good["cpr"], good["name"], case["cpr"], case["name"]):
                self.assertNotIn(v, r.body, what)
        self.assertEqual(self.counts(), before, "a malformed request stored something")
        # The service keeps serving.
        self.assertEqual(intake.call("POST", "/v1/handovers", scope="akasse:3F", body=good).status, 201)
        print(f"\n  {len(corpus)} malformed requests, nothing stored", file=sys.stderr)


class _Del:
    pass


_DEL = _Del()

if __name__ == "__main__":
    jctest.main()
