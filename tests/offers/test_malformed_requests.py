"""A corpus of malformed requests to offers: every one answers
application/problem+json naming the failing fields (all of them), never
echoes a submitted value, and stores nothing anywhere (rows counted in every
table before and after)."""
import json
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import offerstest  # noqa: E402
from offerstest import jctest  # noqa: E402

TABLES = ["case_projection", "case_event", "case_meeting", "provider", "offer", "enrolment", "attendance",
          "obligation", "follow_up", "idempotency", "outbox", "inbox", "dead_letter"]
CPRISH = "0101901234"  # sent in wrong places: must never come back


class MalformedRequestTest(offerstest.OffersTest):
    ENV = {"JC_HTTP_MAX_BODY": "16384"}

    def counts(self):
        return {t: self.count(t) for t in TABLES}

    def test_corpus_of_malformed_requests_stores_nothing(self):
        case = self.feed.open("a-dagpenge", "2026-03-02")
        other = self.feed.open("a-dagpenge", "2026-03-02")
        closed = self.feed.open("a-dagpenge", "2026-03-02")
        self.feed.close(closed, "moved", "2026-10-01")
        self.wait_cases()
        employer = self.provider("employer", "private")
        praktik = self.offer("virksomhedspraktik", capacity=1, provider=employer, available_from="2026-01-01",
                             available_until="2027-12-31")
        a = self.enrol(case["case_id"], praktik, "2026-12-01", "2027-01-29").json        # planned
        b = self.enrol(other["case_id"], self.offer("amu", hours=20), "2026-11-02", "2026-12-18").json
        self.start(b["enrolment_id"], "2026-11-02")                                       # running
        cid, aid, bid = case["case_id"], a["enrolment_id"], b["enrolment_id"]
        fid = a["follow_up"]["follow_up_id"]
        nobody = str(uuid.uuid4())
        J = {"Content-Type": "application/json"}
        prov = {"kind": "employer", "name": "Firma ApS", "sector": "private"}
        off = {"offer_type": "virksomhedspraktik", "provider_id": employer, "title": "x", "capacity": 1,
               "hours_per_week": 30, "available_from": "2026-01-01"}
        enr = {"offer_id": praktik, "planned_start": "2026-12-01", "planned_end": "2026-12-31"}

        def w(base, **kw):
            out = dict(base)
            for k, v in kw.items():
                if v is _DEL:
                    out.pop(k)
                else:
                    out[k] = v
            return out

        E = f"/v1/cases/{cid}/enrolments"
        corpus = [
            # providers
            ("POST", "/v1/providers", "admin", {}, None, 422, ["kind", "name"]),
            ("POST", "/v1/providers", "admin", w(prov, kind="company"), None, 422, ["kind"]),
            ("POST", "/v1/providers", "admin", w(prov, name=""), None, 422, ["name"]),
            ("POST", "/v1/providers", "admin", w(prov, name="x" * 201), None, 422, ["name"]),
            ("POST", "/v1/providers", "admin", w(prov, name=12345), None, 422, ["name"]),
            ("POST", "/v1/providers", "admin", w(prov, cvr=CPRISH), None, 422, ["cvr"]),
            ("POST", "/v1/providers", "admin", w(prov, cvr="1234567x"), None, 422, ["cvr"]),
            ("POST", "/v1/providers", "admin", w(prov, sector=_DEL), None, 422, ["sector"]),
            ("POST", "/v1/providers", "admin", w(prov, sector="mixed"), None, 422, ["sector"]),
            ("POST", "/v1/providers", "admin", w(prov, cpr=CPRISH), None, 422, ["cpr"]),
            ("POST", "/v1/providers", "admin", prov, {"Idempotency-Key": ""}, 422, ["Idempotency-Key"]),
            ("POST", "/v1/providers", "admin", b"{", J, 400, ["(body)"]),
            ("POST", "/v1/providers", "admin", b"[]", J, 400, ["(body)"]),
            ("POST", "/v1/providers", "admin", b'{"name":"a","name":"b"}', J, 400, ["(body)"]),
            ("POST", "/v1/providers", "admin", b"\xff\xfe{}", J, 400, ["(body)"]),
            ("POST", "/v1/providers", "admin", json.dumps(prov).encode(), {"Content-Type": "text/plain"}, 415, []),
            ("POST", "/v1/providers", "admin", b"{" + b" " * 20000 + b"}", J, 413, []),
            ("POST", "/v1/providers", "portal", prov, None, 403, []),
            # offers
            ("POST", "/v1/offers", "admin", {}, None, 422,
             ["available_from", "capacity", "hours_per_week", "offer_type", "provider_id", "title"]),
            ("POST", "/v1/offers", "admin", w(off, offer_type="skydiving"), None, 422, ["offer_type"]),
            ("POST", "/v1/offers", "admin", w(off, provider_id=CPRISH), None, 422, ["provider_id"]),
            ("POST", "/v1/offers", "admin", w(off, capacity=0), None, 422, ["capacity"]),
            ("POST", "/v1/offers", "admin", w(off, hours_per_week=38), None, 422, ["hours_per_week"]),
            ("POST", "/v1/offers", "admin", w(off, available_until="2025-12-31"), None, 422, ["available_until"]),
            ("POST", "/v1/offers", "admin", w(off, available_from="2026-02-30"), None, 422, ["available_from"]),
            ("POST", "/v1/offers", "admin", w(off, provider_id=nobody), None, 422, ["provider_id"]),
            ("POST", "/v1/offers", "admin", w(off, offer_type="nytteindsats"), None, 422, ["provider_id"]),
            ("POST", "/v1/offers", "admin", w(off, offer_type="loentilskud-offentlig"), None, 422, ["provider_id"]),
            # enrolments
            ("POST", "/v1/cases/x/enrolments", "caseworker", enr, None, 422, ["case_id"]),
            ("POST", f"/v1/cases/{nobody}/enrolments", "caseworker", enr, None, 404, []),
            ("POST", f"/v1/cases/{closed['case_id']}/enrolments", "caseworker", enr, None, 409, []),
            ("POST", E, "caseworker", {}, None, 422, ["offer_id", "planned_end", "planned_start"]),
            ("POST", E, "caseworker", w(enr, offer_id=CPRISH), None, 422, ["offer_id"]),
            ("POST", E, "caseworker", w(enr, planned_end="2026-11-30"), None, 422, ["planned_end"]),
            ("POST", E, "caseworker", w(enr, planned_start="2026-02-30"), None, 422, ["planned_start"]),
            ("POST", E, "caseworker", w(enr, hours_per_week="30"), None, 422, ["hours_per_week"]),
            ("POST", E, "caseworker", w(enr, hours_per_week=0), None, 422, ["hours_per_week"]),
            ("POST", E, "caseworker", w(enr, planned_end="2030-01-01"), None, 422, ["planned_end"]),
            ("POST", E, "caseworker", w(enr, note=CPRISH), None, 422, ["note"]),
            ("POST", E, "caseworker", w(enr, planned_start="2026-02-27"), None, 422, ["planned_start"]),
            ("POST", E, "caseworker", w(enr, offer_id=nobody), None, 422, ["offer_id"]),
            ("POST", E, "caseworker", w(enr, planned_start="2027-12-01", planned_end="2028-01-10"), None, 422,
             ["planned_end"]),
            ("POST", E, "caseworker", w(enr, planned_start="2026-12-15"), None, 409, ["offer_id"]),  # full
            ("POST", E, "caseworker", w(enr, planned_start="2027-02-01", planned_end="2027-02-26"),
             {"Idempotency-Key": "x" * 129}, 422, ["Idempotency-Key"]),
            ("POST", E, "admin", enr, None, 403, []),
            # lifecycle
            ("POST", "/v1/enrolments/nope/start", "caseworker", {"started_on": "2026-12-01"}, None, 422,
             ["enrolment_id", "started_on"]),
            ("POST", f"/v1/enrolments/{nobody}/start", "caseworker", {"started_on": "2026-11-02"}, None, 404, []),
            ("POST", f"/v1/enrolments/{aid}/start", "caseworker", {"started_on": "2026-12-01"}, None, 422, ["started_on"]),
            ("POST", f"/v1/enrolments/{aid}/start", "caseworker", {"started_on": "2026-11-20"}, None, 422, ["started_on"]),
            ("POST", f"/v1/enrolments/{aid}/start", "caseworker", {}, None, 422, ["started_on"]),
            ("POST", f"/v1/enrolments/{bid}/start", "caseworker", {"started_on": "2026-11-03"}, None, 409, []),
            ("POST", f"/v1/enrolments/{aid}/attendance", "caseworker", {"date": "2026-11-20", "attended": True},
             None, 409, []),
            ("POST", f"/v1/enrolments/{bid}/attendance", "caseworker", {"date": "2026-11-03"}, None, 422, ["attended"]),
            ("POST", f"/v1/enrolments/{bid}/attendance", "caseworker", {"date": "2026-11-03", "attended": False},
             None, 422, ["lawful_reason"]),
            ("POST", f"/v1/enrolments/{bid}/attendance", "caseworker",
             {"date": "2026-11-03", "attended": False, "lawful_reason": True, "reason": "weather"}, None, 422, ["reason"]),
            ("POST", f"/v1/enrolments/{bid}/attendance", "caseworker", {"date": "2026-10-30", "attended": True},
             None, 422, ["date"]),
            ("POST", f"/v1/enrolments/{bid}/attendance", "caseworker", {"date": "2026-11-24", "attended": True},
             None, 422, ["date"]),
            ("POST", f"/v1/enrolments/{bid}/end", "caseworker", {"ended_on": "2026-11-20", "outcome": "fired"},
             None, 422, ["outcome"]),
            ("POST", f"/v1/enrolments/{bid}/end", "caseworker", {"outcome": "job"}, None, 422, ["ended_on"]),
            ("POST", f"/v1/enrolments/{bid}/end", "caseworker", {"ended_on": "2026-11-20", "outcome": "cancelled"},
             None, 422, ["outcome"]),
            ("POST", f"/v1/enrolments/{aid}/end", "caseworker", {"ended_on": "2026-11-20", "outcome": "job"},
             None, 422, ["outcome"]),
            # work duty
            ("PUT", f"/v1/cases/{cid}/work-duty", "caseworker", {"covered": "yes"}, None, 422, ["covered"]),
            ("PUT", f"/v1/cases/{cid}/work-duty", "caseworker", {}, None, 422, ["covered"]),
            ("PUT", f"/v1/cases/{nobody}/work-duty", "caseworker", {"covered": True}, None, 404, []),
            # follow-ups
            ("POST", f"/v1/follow-ups/{fid}/result", "caseworker", {"result": "promoted", "recorded_on": "2026-11-20"},
             None, 422, ["result"]),
            ("POST", f"/v1/follow-ups/{fid}/result", "caseworker", {"result": "extended", "recorded_on": "2026-11-20"},
             None, 422, ["extended_until"]),
            ("POST", f"/v1/follow-ups/{fid}/result", "caseworker", {"result": "hired", "recorded_on": "2026-12-20"},
             None, 422, ["recorded_on"]),
            ("POST", f"/v1/follow-ups/{fid}/result", "caseworker",
             {"result": "extended", "recorded_on": "2026-11-20", "extended_until": "2027-01-10"}, None, 422,
             ["extended_until"]),
            ("POST", f"/v1/follow-ups/{nobody}/result", "caseworker", {"result": "hired", "recorded_on": "2026-11-20"},
             None, 404, []),
            ("POST", "/v1/follow-ups/7/result", "caseworker", {"result": "hired", "recorded_on": "2026-11-20"},
             None, 422, ["follow_up_id"]),
            # queries
            ("GET", "/v1/offers?limit=0", "caseworker", None, None, 422, ["limit"]),
            ("GET", f"/v1/offers?offer_type=x&provider_id={CPRISH}", "caseworker", None, None, 422,
             ["offer_type", "provider_id"]),
            ("GET", "/v1/providers?cursor=zzz&kind=x", "caseworker", None, None, 422, ["cursor", "kind"]),
            ("GET", f"/v1/providers?cursor=2026-99-99_{nobody}", "caseworker", None, None, 422, ["cursor"]),
            ("GET", "/v1/follow-ups?status=x&due_by=y&case_id=z", "caseworker", None, None, 422,
             ["case_id", "due_by", "status"]),
            ("GET", "/v1/measures/active-offer?target_group=x&cursor=y", "caseworker", None, None, 422,
             ["cursor", "target_group"]),
            ("GET", "/v1/reports/job-effect?from=x&offer_type=y", "caseworker", None, None, 422, ["from", "offer_type"]),
            ("GET", "/v1/caseworkers/cw-anna/review-list?limit=x", "caseworker", None, None, 422, ["limit"]),
            ("GET", "/v1/cases/x/obligations", "caseworker", None, None, 422, ["case_id"]),
            ("GET", f"/v1/offers/{praktik}?on=tomorrow", "caseworker", None, None, 422, ["on"]),
            ("DELETE", "/v1/offers", "admin", None, None, 405, []),
            ("GET", "/v1/nothing", "caseworker", None, None, 404, []),
        ]
        before = self.counts()
        self.assertGreaterEqual(len(corpus), 70)
        for i, (method, path, scope, body, headers, status, fields) in enumerate(corpus):
            kw = {"headers": headers}
            if isinstance(body, bytes):
                kw["raw"] = body
            elif body is not None:
                kw["body"] = body
            r = self.call(method, path, scope=scope, **kw)
            what = f"#{i} {method} {path} {body!r:.80} -> {r}"
            self.assertEqual(r.status, status, what)
            self.assertEqual(r.headers.get("content-type"), "application/problem+json", what)
            self.assertEqual(r.json["status"], status, what)
            self.assertEqual(sorted(e["field"] for e in r.json.get("errors", [])), sorted(fields), what)
            self.assertNotIn(CPRISH, r.body, what)
        self.assertEqual(self.counts(), before, "a malformed request stored something")
        # The service keeps serving.
        self.ok("POST", "/v1/providers", prov, scope="admin", status=201)
        print(f"\n  {len(corpus)} malformed requests, nothing stored", file=sys.stderr)


class _Del:
    pass


_DEL = _Del()

if __name__ == "__main__":
    jctest.main()
