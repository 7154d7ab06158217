"""schemas/api/scheduling.openapi.yaml is what scheduling does, live: every
documented request example is sent to a running scheduling (cases opened
through intake, today pinned to Monday 23 November 2026) and answered as
documented; every response, success and error, has a status the document
lists for the operation and a body valid against the schema it documents for
that status and content type; every operation is seen succeeding and failing.
(Routes, scopes and example validity are checked statically for every service
by tests/contract/test_openapi.py.)"""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from test_scheduling import SchedulingBase, jctest  # noqa: E402
import jsonschema  # noqa: E402
import yaml  # noqa: E402

DOC = os.path.join(jctest.ROOT, "schemas", "api", "scheduling.openapi.yaml")
NOBODY = "00000000-0000-4000-8000-000000000000"


def load_doc():
    with open(DOC) as f:
        return yaml.safe_load(f)


def validator(doc, schema):
    resolver = jsonschema.RefResolver.from_schema(doc)
    return jsonschema.Draft202012Validator(schema, resolver=resolver,
                                           format_checker=jsonschema.FormatChecker())


class OpenApiLiveTest(SchedulingBase):
    TODAY = "2026-11-23"   # a Monday; "now" is noon

    def start_scheduling(self, today, instance=0, **extra):
        # the documented default lead time for self-booking, not the test base's 0
        return super().start_scheduling(today, instance, JC_SELF_BOOKING_LEAD_HOURS="24", **extra)

    def setUp(self):
        super().setUp()
        self.doc = load_doc()
        self.seen = {}          # (method, path template) -> statuses answered
        self.used = set()       # (method, path template, example name)

    # -- the document

    def example(self, method, path, name):
        ex = self.doc["paths"][path][method]["requestBody"]["content"]["application/json"]["examples"][name]
        self.used.add((method, path, name))
        return dict(ex["value"])

    def resolve(self, node):
        while "$ref" in node:
            target = self.doc
            for part in node["$ref"][2:].split("/"):
                target = target[part]
            node = target
        return node

    def call(self, method, path, scope, status, slug=None, body=None, headers=None, query="", raw=None,
             **ids):
        """Sends the request to `path` (a documented template) and checks the answer
        against the document: status listed, content type and body schema as documented."""
        kw = {"headers": headers}
        if raw is not None:
            kw["raw"] = raw
        elif body is not None:
            kw["body"] = body
        r = self.sched.call(method.upper(), path.format(**ids) + query, scope=scope, **kw)
        what = f"{method} {path}{query} -> {r}"
        self.assertEqual(r.status, status, what)
        responses = self.doc["paths"][path][method]["responses"]
        self.assertIn(str(status), responses, f"{what}: status not documented")
        documented = self.resolve(responses[str(status)])
        ctype = r.headers.get("content-type")
        self.assertIn(ctype, documented.get("content", {}), f"{what}: content type not documented")
        schema = documented["content"][ctype]["schema"]
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in validator(self.doc, schema).iter_errors(r.json)]
        self.assertEqual(errors, [], what)
        if slug:
            self.assertEqual(r.json["type"], f"urn:jobcenter:problem:{slug}", what)
        self.seen.setdefault((method, path), set()).add(status)
        return r.json

    def open_cases(self, *specs):
        """Opens the cases through intake, then waits until scheduling knows each."""
        cases = []
        for group, start, visitation in specs:
            body = {"cpr": self.p.cpr(), "name": self.p.name(), "target_group": group, "start_date": start}
            if visitation:
                body["visitation"] = visitation
            r = self.intake.call("POST", "/v1/cases", scope="caseworker", body=body)
            self.assertEqual(r.status, 201, r)
            self.assertEqual(r.json.get("caseworker_id"), "cw-1", r)
            cases.append(r.json)
        for c in cases:
            self.wait_known(c["case_id"])
        return cases

    # -- the test

    def test_documented_examples_work_as_documented(self):
        P = "/v1/portal"
        sick, kh, old = (("sygedagpenge-beskaeftiget", "2026-11-02", "sygedagpenge-kategori-2"),
                         ("kontanthjaelp-jobparat", "2026-11-20", None),
                         ("sygedagpenge-beskaeftiget", "2026-05-04", "sygedagpenge-kategori-2"))
        a, b, c, d, e, m = self.open_cases(sick, kh, kh, kh, kh, old)
        citizen = {"X-Citizen-Ref": a["citizen_ref"]}

        # obligations of a case: rule set, rules and their sources
        ob = self.call("get", "/v1/cases/{case_id}/obligations", "caseworker", 200, case_id=a["case_id"])
        self.assertEqual((ob["rule_set"]["id"], ob["status"]), ("lab-2024", "open"))
        self.assertTrue(all(o["rule"]["source"] for o in ob["obligations"]))
        first = ob["obligations"][0]
        self.assertEqual((first["kind"], first["ordinal"], first["due_date"]), ("meeting", 1, "2026-12-23"))
        reassessment = [o for o in ob["obligations"] if o["kind"] == "reassessment"][0]
        self.call("get", "/v1/cases/{case_id}/obligations", "caseworker", 404, "not-found", case_id=NOBODY)
        self.call("get", "/v1/cases/{case_id}/obligations", "admin", 422, "validation", case_id="not-a-uuid")
        self.call("get", "/v1/cases/{case_id}/obligations", None, 401, "unauthenticated", case_id=a["case_id"])
        self.call("get", "/v1/cases/{case_id}/obligations", "portal", 403, "forbidden", case_id=a["case_id"])

        # search lists with cursor pagination
        lst = self.call("get", "/v1/obligations", "caseworker", 200, query="?list=due_soon&within_days=14")
        self.assertEqual({i["case_id"] for i in lst["items"]}, {b["case_id"], c["case_id"], d["case_id"], e["case_id"]})
        self.assertIsNone(lst["next_cursor"])
        page1 = self.call("get", "/v1/obligations", "admin", 200, query="?list=due_soon&within_days=14&limit=3")
        self.assertIsNotNone(page1["next_cursor"])
        page2 = self.call("get", "/v1/obligations", "admin", 200,
                          query=f"?list=due_soon&within_days=14&limit=3&cursor={page1['next_cursor']}")
        self.assertEqual([i["obligation_id"] for i in page1["items"] + page2["items"]],
                         [i["obligation_id"] for i in lst["items"]])
        over = self.call("get", "/v1/obligations", "caseworker", 200,
                         query="?list=overdue&target_group=sygedagpenge-beskaeftiget")
        self.assertEqual({i["case_id"] for i in over["items"]}, {m["case_id"]})
        bad = self.call("get", "/v1/obligations", "caseworker", 422, "validation",
                        query="?list=someday&limit=501&cursor=abc")
        self.assertEqual(sorted(x["field"] for x in bad["errors"]), ["cursor", "limit", "list"])

        # the timeliness measure: the old case reached six months on 4 Nov with no meeting held
        ms = self.call("get", "/v1/measures/timeliness", "caseworker", 200,
                       query="?target_group=sygedagpenge-beskaeftiget")
        self.assertEqual((ms["as_of"], ms["population"], ms["short_of_required"], ms["share"], ms["breach"],
                          ms["population_sufficient"]), ("2026-11-23", 1, 1, 1.0, True, False))
        self.assertEqual([(x["case_id"], x["six_months_on"]) for x in ms["cases"]], [(m["case_id"], "2026-11-04")])
        self.assertEqual(ms["projected_4_weeks"]["as_of"], "2026-12-21")
        bad = self.call("get", "/v1/measures/timeliness", "admin", 422, "validation",
                        query="?as_of=2026-13-01&window=year&required_meetings=0")
        self.assertEqual(sorted(x["field"] for x in bad["errors"]),
                         ["as_of", "required_meetings", "target_group", "window"])

        # slots (caseworker and portal)
        sl = self.call("get", "/v1/cases/{case_id}/slots", "caseworker", 200, case_id=b["case_id"],
                       query="?from=2026-11-24&until=2026-11-24")
        self.assertEqual((sl["slots"][0], sl["slots"][-1], len(sl["slots"])),
                         ("2026-11-24T08:00:00+01:00", "2026-11-24T15:00:00+01:00", 15))
        self.call("get", "/v1/cases/{case_id}/slots", "caseworker", 422, "validation", case_id=b["case_id"],
                  query="?until=2026-99-01")
        self.call("get", "/v1/cases/{case_id}/slots", "caseworker", 404, "not-found", case_id=NOBODY)
        ps = self.call("get", P + "/cases/{case_id}/slots", "portal", 200, headers=citizen, case_id=a["case_id"])
        self.assertEqual((ps["slots"][0], ps["until"], ps["obligation_id"]),
                         ("2026-11-24T12:00:00+01:00", "2026-12-23", first["obligation_id"]))   # lead 24 h
        self.call("get", P + "/cases/{case_id}/slots", "portal", 400, "missing-citizen", case_id=a["case_id"])
        self.call("get", P + "/cases/{case_id}/slots", "portal", 404, "not-found",
                  headers={"X-Citizen-Ref": b["citizen_ref"]}, case_id=a["case_id"])

        # self-booking: refused after the due date and within the lead time, then booked
        video = self.example("post", P + "/cases/{case_id}/meetings", "video")
        late = self.call("post", P + "/cases/{case_id}/meetings", "portal", 422, "validation", headers=citizen,
                         body=dict(video, starts_at="2027-01-05T09:00:00+01:00"), case_id=a["case_id"])
        self.assertEqual(late["errors"][0]["field"], "starts_at")
        self.assertIn("due date 2026-12-23", late["errors"][0]["message"])
        soon = self.call("post", P + "/cases/{case_id}/meetings", "portal", 422, "validation", headers=citizen,
                         body=dict(video, starts_at="2026-11-24T09:00:00+01:00"), case_id=a["case_id"])
        self.assertIn("earliest bookable", soon["errors"][0]["message"])
        self.call("post", P + "/cases/{case_id}/meetings", "portal", 400, "missing-citizen", body=video,
                  case_id=a["case_id"])
        pm = self.call("post", P + "/cases/{case_id}/meetings", "portal", 201, headers=citizen, body=video,
                       case_id=a["case_id"])
        self.assertEqual((pm["booked_by"], pm["obligation_id"], pm["starts_at"], pm["ends_at"]),
                         ("citizen", first["obligation_id"], "2026-11-25T10:00:00+01:00", "2026-11-25T10:30:00+01:00"))
        self.call("post", P + "/cases/{case_id}/meetings", "portal", 409, "already-booked", headers=citizen,
                  body=dict(video, starts_at="2026-11-26T09:00:00+01:00", obligation_id=first["obligation_id"]),
                  case_id=a["case_id"])

        # caseworker booking
        path = "/v1/cases/{case_id}/meetings"
        inp = self.call("post", path, "caseworker", 201, body=self.example("post", path, "in-person"),
                        case_id=b["case_id"])
        self.assertEqual((inp["caseworker_id"], inp["location"], inp["status"], inp["booked_by"]),
                         ("cw-1", "Jobcentret, mødelokale 2", "booked", "caseworker"))
        taken = self.call("post", path, "caseworker", 409, "slot-taken", body=self.example("post", path, "in-person"),
                          case_id=c["case_id"])
        self.assertEqual(taken["errors"][0]["field"], "starts_at")
        hours = self.call("post", path, "caseworker", 422, "validation", case_id=b["case_id"],
                          body=dict(self.example("post", path, "in-person"), starts_at="2026-11-27T12:00:00+01:00"))
        self.assertIn("opening hours", hours["errors"][0]["message"])
        self.call("post", path, "caseworker", 404, "not-found", body=self.example("post", path, "in-person"),
                  case_id=NOBODY)
        self.call("post", path, "caseworker", 415, "unsupported-media-type", raw=b"{}",
                  headers={"Content-Type": "text/plain"}, case_id=b["case_id"])
        self.call("post", path, "caseworker", 400, "malformed-json", raw=b"{",
                  headers={"Content-Type": "application/json"}, case_id=b["case_id"])
        phone = self.call("post", path, "caseworker", 201, body=self.example("post", path, "phone-with-colleague"),
                          case_id=b["case_id"])
        self.assertEqual((phone["caseworker_id"], phone["ends_at"], phone["channel"]),
                         ("cw-anna", "2026-11-26T16:15:00+01:00", "phone"))
        self.assertNotEqual(phone["obligation_id"], inp["obligation_id"])
        ra = self.call("post", path, "caseworker", 201, body=self.example("post", path, "reassessment"),
                       case_id=a["case_id"])
        self.assertEqual((ra["purpose"], ra["obligation_id"]), ("reassessment", reassessment["obligation_id"]))
        held = self.call("post", path, "caseworker", 201, body=self.example("post", path, "held-phone-meeting"),
                         case_id=m["case_id"])
        self.assertEqual((held["status"], held["held_on"]), ("held", "2026-11-17"))
        lm = self.call("get", path, "caseworker", 200, case_id=b["case_id"])
        self.assertEqual([x["meeting_id"] for x in lm["items"]], [inp["meeting_id"], phone["meeting_id"]])
        self.call("get", path, "caseworker", 422, "validation", case_id="not-a-uuid")

        # moving meetings
        path = "/v1/meetings/{meeting_id}/reschedule"
        mv = self.call("post", path, "caseworker", 200, body=self.example("post", path, "afternoon"),
                       meeting_id=inp["meeting_id"])
        self.assertEqual((mv["starts_at"], mv["obligation_id"]), ("2026-11-24T13:00:00+01:00", inp["obligation_id"]))
        self.call("post", path, "caseworker", 404, "not-found", body=self.example("post", path, "afternoon"),
                  meeting_id=NOBODY)
        path = P + "/meetings/{meeting_id}/reschedule"
        thu = self.example("post", path, "thursday-afternoon")
        self.call("post", path, "portal", 404, "not-found", headers={"X-Citizen-Ref": b["citizen_ref"]}, body=thu,
                  meeting_id=pm["meeting_id"])
        pmv = self.call("post", path, "portal", 200, headers=citizen, body=thu, meeting_id=pm["meeting_id"])
        self.assertEqual(pmv["starts_at"], "2026-11-26T16:00:00+01:00")

        # cancelling
        path = "/v1/meetings/{meeting_id}/cancel"
        cx = self.call("post", path, "caseworker", 200, body=self.example("post", path, "caseworker-ill"),
                       meeting_id=inp["meeting_id"])
        self.assertEqual(cx["status"], "cancelled")
        self.call("post", path, "caseworker", 409, "meeting-not-booked",
                  body=self.example("post", path, "caseworker-ill"), meeting_id=inp["meeting_id"])
        self.call("post", path, "caseworker", 422, "validation", body={}, meeting_id=phone["meeting_id"])
        path = P + "/meetings/{meeting_id}/cancel"
        self.call("post", path, "portal", 400, "missing-citizen", body=self.example("post", path, "empty"),
                  meeting_id=pm["meeting_id"])
        pcx = self.call("post", path, "portal", 200, headers=citizen, body=self.example("post", path, "empty"),
                        meeting_id=pm["meeting_id"])
        self.assertEqual(pcx["status"], "cancelled")

        # outcomes: meetings that start now (noon), on three calendars
        path = "/v1/meetings/{meeting_id}/outcome"
        self.call("post", path, "caseworker", 409, "meeting-not-started", body=self.example("post", path, "held"),
                  meeting_id=ra["meeting_id"])
        now = {}
        for case, cw in ((c, "cw-1"), (d, "cw-bo"), (e, "cw-carl")):
            now[case["case_id"]] = self.call(
                "post", "/v1/cases/{case_id}/meetings", "caseworker", 201, case_id=case["case_id"],
                body={"starts_at": "2026-11-23T12:00:00+01:00", "channel": "in_person", "caseworker_id": cw})
        self.call("post", path, "caseworker", 422, "validation", body={"outcome": "no_show"},
                  meeting_id=now[e["case_id"]]["meeting_id"])
        held = self.call("post", path, "caseworker", 200, body=self.example("post", path, "held"),
                         meeting_id=now[c["case_id"]]["meeting_id"])
        self.assertEqual((held["status"], held["held_on"]), ("held", "2026-11-23"))
        fulfilled = self.obligations(c["case_id"])["obligations"][0]
        self.assertEqual((fulfilled["status"], fulfilled["fulfilled_by_meeting"]), ("fulfilled", held["meeting_id"]))
        ns = self.call("post", path, "caseworker", 200, body=self.example("post", path, "no-show-lawful"),
                       meeting_id=now[d["case_id"]]["meeting_id"])
        self.assertEqual((ns["status"], ns["lawful_reason"]), ("no_show", True))
        ns = self.call("post", path, "caseworker", 200, body=self.example("post", path, "no-show"),
                       meeting_id=now[e["case_id"]]["meeting_id"])
        self.assertEqual((ns["status"], ns["lawful_reason"]), ("no_show", False))
        self.call("post", path, "caseworker", 409, "meeting-not-booked", body=self.example("post", path, "held"),
                  meeting_id=now[e["case_id"]]["meeting_id"])

        # calendar blocks
        path = "/v1/caseworkers/{caseworker_id}/blocks"
        course = self.example("post", path, "course")
        blk = self.call("post", path, "caseworker", 201, body=course, caseworker_id="cw-1")
        self.assertEqual((blk["caseworker_id"], blk["starts_at"], blk["ends_at"]),
                         ("cw-1", course["starts_at"], course["ends_at"]))
        bad = self.call("post", path, "admin", 422, "validation", caseworker_id="cw-1",
                        body=dict(course, ends_at=course["starts_at"], extra=1))
        self.assertEqual(sorted(x["field"] for x in bad["errors"]), ["ends_at", "extra"])
        sl = self.call("get", "/v1/cases/{case_id}/slots", "caseworker", 200, case_id=b["case_id"],
                       query="?from=2026-12-07&until=2026-12-07")
        self.assertEqual(sl["slots"][0], "2026-12-07T12:00:00+01:00")

        # the sweep: the old case's past-due obligations become missed, but for the one the
        # registered held meeting fulfilled
        sw = self.call("post", "/v1/admin/sweep", "admin", 200, query="?today=2026-11-23")
        self.assertEqual((sw["today"], sw["obligations_missed"]), ("2026-11-23", len(over["items"]) - 1))
        self.assertGreaterEqual(sw["obligations_due_soon"], 1)
        self.call("post", "/v1/admin/sweep", "admin", 422, "validation", query="?today=x")
        self.call("post", "/v1/admin/sweep", "caseworker", 403, "forbidden")

        # every documented example was sent; every operation succeeded and failed at least once
        examples = {(meth, p, name) for p, ops in self.doc["paths"].items() for meth, op in ops.items()
                    for name in op.get("requestBody", {}).get("content", {}).get("application/json", {})
                    .get("examples", {})}
        self.assertEqual(examples - self.used, set(), "documented examples never sent")
        for p, ops in self.doc["paths"].items():
            for meth in ops:
                statuses = self.seen.get((meth, p), set())
                self.assertTrue(any(s < 300 for s in statuses) and any(s >= 400 for s in statuses),
                                f"{meth} {p}: answered {sorted(statuses)}")
        print(f"\n  {sum(len(s) for s in self.seen.values())} (operation, status) pairs checked against "
              f"the document, {len(self.used)} examples", file=sys.stderr)


if __name__ == "__main__":
    jctest.main()
