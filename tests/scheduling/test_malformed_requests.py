"""Malformed requests to scheduling: problem+json naming the field, nothing
stored (meetings, blocks, obligations, outbox counted before and after)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import jctest  # noqa: E402
from test_scheduling import SchedulingBase  # noqa: E402

TABLES = ["meeting", "calendar_block", "obligation", "outbox", "calendar_lock"]


class MalformedSchedulingTest(SchedulingBase):
    TODAY = "2026-11-23"

    def counts(self):
        return {t: self.p.stack.scalar(f"SELECT count(*) FROM scheduling.{t}") for t in TABLES}

    def test_corpus(self):
        case = self.open_case("kontanthjaelp-jobparat", "2026-11-20")
        cid, ref = case["case_id"], case["citizen_ref"]
        booked = self.book(cid, "2026-11-24T09:00:00+01:00").json["meeting_id"]
        other = self.open_case("kontanthjaelp-jobparat", "2026-11-20")
        H = {"X-Citizen-Ref": ref}
        ok = {"starts_at": "2026-11-25T09:00:00+01:00", "channel": "in_person"}
        mid = f"/v1/meetings/{booked}"
        corpus = [
            ("POST", f"/v1/cases/{cid}/meetings", "caseworker", None, dict(ok, starts_at="tomorrow"), 422, ["starts_at"]),
            ("POST", f"/v1/cases/{cid}/meetings", "caseworker", None, dict(ok, starts_at="2026-11-25T09:00:00"), 422, ["starts_at"]),
            ("POST", f"/v1/cases/{cid}/meetings", "caseworker", None, dict(ok, channel="fax"), 422, ["channel"]),
            ("POST", f"/v1/cases/{cid}/meetings", "caseworker", None, dict(ok, purpose="party"), 422, ["purpose"]),
            ("POST", f"/v1/cases/{cid}/meetings", "caseworker", None, dict(ok, duration_minutes=5), 422, ["duration_minutes"]),
            ("POST", f"/v1/cases/{cid}/meetings", "caseworker", None, dict(ok, duration_minutes="30"), 422, ["duration_minutes"]),
            ("POST", f"/v1/cases/{cid}/meetings", "caseworker", None, dict(ok, obligation_id="x"), 422, ["obligation_id"]),
            ("POST", f"/v1/cases/{cid}/meetings", "caseworker", None,
             dict(ok, obligation_id="00000000-0000-4000-8000-000000000000"), 422, ["obligation_id"]),
            ("POST", f"/v1/cases/{cid}/meetings", "caseworker", None, dict(ok, room=1), 422, ["room"]),
            ("POST", f"/v1/cases/{cid}/meetings", "caseworker", None, {}, 422, ["channel", "starts_at"]),
            ("POST", f"/v1/cases/{cid}/meetings", "caseworker", None, dict(ok, starts_at="2026-11-29T09:00:00+01:00"), 422, ["starts_at"]),
            ("POST", f"/v1/cases/{cid}/meetings", "caseworker", None, dict(ok, starts_at="2026-11-24T09:00:00+01:00"), 409, ["starts_at"]),
            ("POST", "/v1/cases/not-a-uuid/meetings", "caseworker", None, ok, 422, ["case_id"]),
            ("POST", "/v1/cases/00000000-0000-4000-8000-000000000000/meetings", "caseworker", None, ok, 404, []),
            ("POST", f"/v1/cases/{cid}/meetings", "portal", H, ok, 403, []),
            ("POST", f"/v1/cases/{cid}/meetings", None, None, ok, 401, []),
            ("POST", f"/v1/portal/cases/{cid}/meetings", "portal", None, ok, 400, ["X-Citizen-Ref"]),
            ("POST", f"/v1/portal/cases/{cid}/meetings", "portal", {"X-Citizen-Ref": other["citizen_ref"]}, ok, 404, []),
            ("POST", f"/v1/portal/cases/{cid}/meetings", "portal", H, dict(ok, location="my place"), 422, ["location"]),
            ("POST", f"/v1/portal/cases/{cid}/meetings", "portal", H, dict(ok, caseworker_id="cw-1"), 422, ["caseworker_id"]),
            ("POST", f"{mid}/reschedule", "caseworker", None, {"starts_at": 5}, 422, ["starts_at"]),
            ("POST", f"{mid}/reschedule", "caseworker", None, {"starts_at": ok["starts_at"], "x": 1}, 422, ["x"]),
            ("POST", f"{mid}/cancel", "caseworker", None, {"reason": "bored"}, 422, ["reason"]),
            ("POST", f"{mid}/cancel", "caseworker", None, {}, 422, ["reason"]),
            ("POST", f"{mid}/outcome", "caseworker", None, {"outcome": "maybe"}, 422, ["outcome"]),
            ("POST", f"{mid}/outcome", "caseworker", None, {"outcome": "held", "lawful_reason": True}, 422, ["lawful_reason"]),
            ("POST", f"{mid}/outcome", "caseworker", None, {"outcome": "no_show", "lawful_reason": True, "reason": "aliens"}, 422, ["reason"]),
            ("POST", f"{mid}/outcome", "caseworker", None, {"outcome": "held", "held_on": "2026-02-30"}, 422, ["held_on"]),
            ("POST", f"{mid}/outcome", "caseworker", None, {"outcome": "held"}, 409, []),    # not started
            ("POST", "/v1/meetings/not-a-uuid/cancel", "caseworker", None, {"reason": "other"}, 422, ["meeting_id"]),
            ("POST", "/v1/meetings/00000000-0000-4000-8000-000000000000/cancel", "caseworker", None, {"reason": "other"}, 404, []),
            ("POST", "/v1/caseworkers/cw-1/blocks", "caseworker", None,
             {"starts_at": "2026-11-25T12:00:00+01:00", "ends_at": "2026-11-25T08:00:00+01:00", "reason": "x"}, 422, ["ends_at"]),
            ("POST", "/v1/caseworkers/cw-1/blocks", "caseworker", None, {"starts_at": "x", "ends_at": "y"}, 422,
             ["ends_at", "reason", "starts_at"]),
            ("POST", "/v1/caseworkers/cw-1/blocks", "portal", H, {}, 403, []),
            ("POST", "/v1/caseworkers/" + "c" * 41 + "/blocks", "caseworker", None,
             {"starts_at": "2026-11-25T08:00:00+01:00", "ends_at": "2026-11-25T09:00:00+01:00", "reason": "x"}, 422,
             ["caseworker_id"]),
            ("POST", "/v1/caseworkers/CW_1/blocks", "caseworker", None,
             {"starts_at": "2026-11-25T08:00:00+01:00", "ends_at": "2026-11-25T09:00:00+01:00", "reason": "x"}, 422,
             ["caseworker_id"]),
            ("POST", f"/v1/portal/meetings/{booked}/cancel", "portal", H, {"reason": 12345}, 422, ["reason"]),
            ("GET", "/v1/cases/00000000-0000-4000-8000-000000000000/meetings", "caseworker", None, None, 404, []),
            ("GET", "/v1/obligations?within_days=&limit=", "caseworker", None, None, 422, ["limit", "within_days"]),
            ("GET", "/v1/measures/timeliness?target_group=a-dagpenge&required_meetings=", "caseworker", None, None,
             422, ["required_meetings"]),
            ("GET", "/v1/obligations?list=someday", "caseworker", None, None, 422, ["list"]),
            ("GET", "/v1/obligations?within_days=-1&limit=0&target_group=x&cursor=abc", "caseworker", None, None, 422,
             ["cursor", "limit", "target_group", "within_days"]),
            ("GET", "/v1/measures/timeliness", "caseworker", None, None, 422, ["target_group"]),
            ("GET", "/v1/measures/timeliness?target_group=a-dagpenge&required_meetings=99", "caseworker", None, None, 422,
             ["required_meetings"]),
            ("GET", "/v1/measures/timeliness?target_group=a-dagpenge", "portal", H, None, 403, []),
            ("GET", f"/v1/cases/{cid}/slots?until=2026-99-01", "caseworker", None, None, 422, ["until"]),
            ("GET", f"/v1/cases/{cid}/obligations", "akasse:3F", None, None, 403, []),
            ("POST", f"/v1/cases/{cid}/meetings", "caseworker", {"Content-Type": "application/json"}, b"{", 400, ["(body)"]),
        ]
        before = self.counts()
        for i, (method, path, scope, headers, body, status, fields) in enumerate(corpus):
            kw = {"headers": headers}
            if isinstance(body, bytes):
                kw["raw"] = body
            elif body is not None:
                kw["body"] = body
            r = self.sched.call(method, path, scope=scope, **kw)
            what = f"#{i} {method} {path} -> {r}"
            self.assertEqual(r.status, status, what)
            self.assertEqual(r.headers.get("content-type"), "application/problem+json", what)
            self.assertEqual(sorted(e["field"] for e in r.json.get("errors", [])), sorted(fields), what)
        self.assertEqual(self.counts(), before, "a malformed request stored something")
        print(f"\n  {len(corpus)} malformed requests, nothing stored", file=sys.stderr)


if __name__ == "__main__":
    jctest.main()
