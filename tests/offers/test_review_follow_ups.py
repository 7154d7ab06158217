"""offers: the weekly review list per caseworker; employer follow-ups (due
dates around holidays, the due list, hired / extended / ended) and the
job-effect report."""
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import offerstest  # noqa: E402
from offerstest import jctest  # noqa: E402


class ReviewListTest(offerstest.OffersTest):

    def review(self, cw="cw-anna", query="", scope="caseworker"):
        return self.ok("GET", f"/v1/caseworkers/{cw}/review-list{query}", scope=scope)

    def test_citizens_without_an_offer_closest_deadline_first(self):
        f = self.feed
        b = f.open("a-dagpenge", "2026-05-04", flush=False)           # due 2026-11-04: missed already
        a = f.open("a-dagpenge", "2026-06-01", flush=False)           # due 2026-12-01
        c = f.open("ung-under-18", "2026-11-02", flush=False)         # due 2026-12-14
        d = f.open("sygedagpenge-ledig", "2026-09-07", flush=False)   # no deadline: last
        planned = f.open("a-dagpenge", "2026-06-01", flush=False)
        running = f.open("a-dagpenge", "2026-06-01", flush=False)
        ended = f.open("a-dagpenge", "2026-04-06", flush=False)       # due 2026-10-06, fulfilled
        closed = f.open("a-dagpenge", "2026-06-01", flush=False)
        bobs = f.open("a-dagpenge", "2026-06-01", caseworker="cw-bob", flush=False)
        moved = f.open("a-dagpenge", "2026-07-06", caseworker="cw-bob", flush=False)  # due 2027-01-06
        f.flush()
        self.wait_cases()
        praktik = self.offer("virksomhedspraktik", capacity=10)
        self.enrol(planned["case_id"], praktik, "2026-12-07", "2027-01-29")
        r = self.enrol(running["case_id"], praktik, "2026-11-02", "2026-12-18").json
        self.start(r["enrolment_id"], "2026-11-02")
        e = self.enrol(ended["case_id"], praktik, "2026-08-03", "2026-09-25").json
        self.start(e["enrolment_id"], "2026-08-03")
        self.end(e["enrolment_id"], "2026-09-25", "completed")
        f.close(closed, "moved", "2026-11-02")
        f.assign(moved, "cw-anna")
        # The last held meeting comes from scheduling's topic.
        f.send("meeting.held.v1", {"meeting_id": str(uuid.uuid4()), "case_id": a["case_id"],
                                   "citizen_ref": a["citizen_ref"], "caseworker_id": "cw-anna",
                                   "starts_at": "2026-11-17T10:00:00+01:00", "held_on": "2026-11-17",
                                   "channel": "in_person"}, topic="jobcenter.meeting.v1")
        self.wait_events_applied()
        out = self.review()
        self.assertEqual((out["caseworker_id"], out["as_of"], out["remaining"], out["next_cursor"]),
                         ("cw-anna", "2026-11-23", 6, None))
        got = [i["case_id"] for i in out["items"]]
        # ended's obligation is fulfilled and d has none: no deadline, last (by case_id).
        self.assertEqual(got, [b["case_id"], a["case_id"], c["case_id"], moved["case_id"]] +
                         sorted([ended["case_id"], d["case_id"]]))
        items = {i["case_id"]: i for i in out["items"]}
        self.assertEqual(items[b["case_id"]]["next_deadline"]["days_left"], -19)
        self.assertEqual(items[a["case_id"]]["next_deadline"]["due_date"], "2026-12-01")
        self.assertEqual(items[a["case_id"]]["last_meeting_on"], "2026-11-17")
        self.assertEqual(items[c["case_id"]]["next_deadline"]["kind"], "youth_offer")
        self.assertNotIn("next_deadline", items[d["case_id"]])
        self.assertEqual(items[ended["case_id"]]["last_offer"]["outcome"], "completed")
        self.assertNotIn("next_deadline", items[ended["case_id"]])
        # Pages of two follow the same order.
        seen, cursor = [], None
        while True:
            page = self.review(query="?limit=2" + (f"&cursor={cursor}" if cursor else ""), scope="admin")
            seen += [i["case_id"] for i in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        self.assertEqual(seen, got)
        self.assertEqual([i["case_id"] for i in self.review("cw-bob")["items"]], [bobs["case_id"]])
        self.assertEqual(self.review("cw-nobody")["items"], [])
        r = self.call("GET", "/v1/caseworkers/cw-anna/review-list?cursor=bad&limit=0")
        self.assertEqual(sorted(x["field"] for x in r.json["errors"]), ["cursor", "limit"])


class FollowUpTest(offerstest.OffersTest):

    def follow_ups(self, query=""):
        return self.ok("GET", f"/v1/follow-ups{query}")["items"]

    def result(self, fid, body, status=200):
        r = self.call("POST", f"/v1/follow-ups/{fid}/result", body)
        self.assertEqual(r.status, status, r)
        return r.json

    def test_follow_up_due_dates_list_and_results(self):
        y = self.feed.open("a-dagpenge", "2026-06-01", flush=False)
        x = self.feed.open("a-dagpenge", "2026-06-01", flush=False)
        z = self.feed.open("a-dagpenge", "2026-06-01", flush=False)
        w = self.feed.open("kontanthjaelp-jobparat", "2026-10-05", flush=False)
        self.feed.flush()
        self.wait_cases()
        praktik = self.offer("virksomhedspraktik", capacity=2)
        wage = self.offer("loentilskud-offentlig", capacity=2, hours=37)
        nytte = self.offer("nytteindsats", capacity=2)
        ey = self.enrol(y["case_id"], praktik, "2026-11-16", "2027-01-08").json   # follow-up 10 working days before
        ew = self.enrol(w["case_id"], wage, "2026-11-02", "2026-12-04", hours=30).json
        self.enrol(z["case_id"], nytte, "2026-11-02", "2026-12-04")                # not company-oriented
        self.assertEqual(ey["follow_up"]["due_date"], "2026-12-21")                # across Christmas closing days
        self.assertEqual(ew["follow_up"]["due_date"], "2026-11-20")
        listed = self.follow_ups("?due_by=2026-12-31")
        self.assertEqual([(i["enrolment_id"], i["due_date"], i["status"]) for i in listed],
                         [(ew["enrolment_id"], "2026-11-20", "open"), (ey["enrolment_id"], "2026-12-21", "open")])
        self.assertEqual((listed[0]["days_left"], listed[0]["offer_type"], listed[0]["caseworker_id"]),
                         (-3, "loentilskud-offentlig", "cw-anna"))
        self.assertEqual([i["enrolment_id"] for i in self.follow_ups("?due_by=2026-11-23")], [ew["enrolment_id"]])
        self.assertEqual(len(self.follow_ups(f"?case_id={y['case_id']}")), 1)
        page = self.ok("GET", "/v1/follow-ups?limit=1")
        self.assertEqual(len(page["items"]), 1)
        self.assertEqual(self.ok("GET", f"/v1/follow-ups?limit=1&cursor={page['next_cursor']}")["items"][0]["enrolment_id"],
                         ey["enrolment_id"])

        # Recording: validation, hired, the same result again, another one refused.
        fw = ew["follow_up"]["follow_up_id"]
        self.result(fw, {"result": "extended", "recorded_on": "2026-11-20"}, 422)
        bad = self.result(fw, {"result": "hired", "recorded_on": "2026-11-24", "extended_until": "2027-01-01"}, 422)
        self.assertEqual(sorted(e["field"] for e in bad["errors"]), ["extended_until", "recorded_on"])
        done = self.result(fw, {"result": "hired", "recorded_on": "2026-11-20"})
        self.assertEqual((done["status"], done["result"], done["enrolment"]["enrolment_id"]), ("done", "hired", ew["enrolment_id"]))
        self.assertEqual(self.result(fw, {"result": "hired", "recorded_on": "2026-11-20"}), done)
        self.assertEqual(self.result(fw, {"result": "ended", "recorded_on": "2026-11-20"}, 409)["type"],
                         "urn:jobcenter:problem:follow-up-closed")

        # Extension: the new days need a place on the offer (x from 11 Jan, z's
        # second placement from 1 Feb fill both places), then a new follow-up.
        self.enrol(x["case_id"], praktik, "2027-01-11", "2027-03-31")
        self.enrol(z["case_id"], praktik, "2027-02-01", "2027-03-31", hours=10)
        fy = ey["follow_up"]["follow_up_id"]
        full = self.result(fy, {"result": "extended", "recorded_on": "2026-11-23", "extended_until": "2027-02-26"}, 409)
        self.assertEqual(full["type"], "urn:jobcenter:problem:offer-full")
        self.assertEqual(self.result(fy, {"result": "extended", "recorded_on": "2026-11-23",
                                          "extended_until": "2027-01-08"}, 422)["errors"][0]["field"], "extended_until")
        ext = self.result(fy, {"result": "extended", "recorded_on": "2026-11-23", "extended_until": "2027-01-29"})
        self.assertEqual((ext["result"], ext["extended_until"], ext["enrolment"]["planned_end"]),
                         ("extended", "2027-01-29", "2027-01-29"))
        nxt = ext["enrolment"]["follow_up"]
        self.assertEqual((nxt["due_date"], nxt["status"]), ("2027-01-15", "open"))
        self.assertNotEqual(nxt["follow_up_id"], fy)
        self.assertEqual(self.follow_ups("?status=done")[0]["follow_up_id"], fw)
        self.assertEqual(self.call("POST", f"/v1/follow-ups/{uuid.uuid4()}/result",
                                   {"result": "hired", "recorded_on": "2026-11-20"}).status, 404)


class JobEffectTest(offerstest.OffersTest):
    """Alone on its stack: the report counts every placement that ended."""

    def test_job_effect_per_offer_type(self):
        cases = [self.feed.open("a-dagpenge", "2026-03-02", flush=False) for _ in range(8)]
        self.feed.flush()
        self.wait_cases()
        praktik = self.offer("virksomhedspraktik", capacity=10)
        nytte = self.offer("nytteindsats", capacity=10)
        ens = [self.enrol(c["case_id"], praktik if i < 6 else nytte, "2026-06-01", "2026-07-31").json
               for i, c in enumerate(cases)]
        for en in ens:
            self.start(en["enrolment_id"], "2026-06-01")
        outcomes = ["job", "completed", "completed", "ended_early", "education", "no_show", "completed", "job"]
        for en, outcome in zip(ens, outcomes):
            self.end(en["enrolment_id"], "2026-07-31", outcome)
        # completed + employer hired; completed + case closed for a job within 8 weeks;
        # ended early + closed for a job after 80 days (outside the window).
        self.ok("POST", f"/v1/follow-ups/{ens[1]['follow_up']['follow_up_id']}/result",
                {"result": "hired", "recorded_on": "2026-08-03"})
        self.feed.close(cases[2], "job", "2026-08-30")
        self.feed.close(cases[3], "job", "2026-10-19")
        self.wait_events_applied()
        rep = self.ok("GET", "/v1/reports/job-effect?from=2026-07-01&to=2026-11-23", scope="admin")
        self.assertEqual((rep["window_days"], rep["rule"]), (56, "job-effect-8-weeks"))
        items = {i["offer_type"]: i for i in rep["items"]}
        self.assertAlmostEqual(items["virksomhedspraktik"].pop("education_share"), 1 / 6, places=6)
        self.assertEqual(items["virksomhedspraktik"], {"offer_type": "virksomhedspraktik", "company_oriented": True,
                                                       "ended": 6, "in_employment": 3, "in_education": 1,
                                                       "employment_share": 0.5})
        self.assertEqual((items["nytteindsats"]["ended"], items["nytteindsats"]["in_employment"]), (2, 1))
        only = self.ok("GET", "/v1/reports/job-effect?from=2026-07-01&to=2026-11-23&offer_type=nytteindsats")
        self.assertEqual([i["offer_type"] for i in only["items"]], ["nytteindsats"])
        self.assertEqual(self.ok("GET", "/v1/reports/job-effect?from=2026-08-01&to=2026-11-23")["items"], [])
        r = self.call("GET", "/v1/reports/job-effect?from=2026-12-01&to=2026-11-01")
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "from"))


if __name__ == "__main__":
    jctest.main()
