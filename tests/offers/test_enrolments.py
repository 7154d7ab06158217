"""offers: the assignment lifecycle (assign, start, attendance, end) with its
events; idempotent repeats; capacity, full-time overlap and the 37-hour
work-duty ceiling, each under concurrent requests; a closed case ends its
offers and obligations."""
import concurrent.futures
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import offerstest  # noqa: E402
from offerstest import jctest  # noqa: E402


def parallel(fn, args, threads=12):
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        return list(pool.map(fn, args))


class EnrolmentTest(offerstest.OffersTest):

    def test_lifecycle_with_events_and_idempotent_repeats(self):
        case = self.feed.open("kontanthjaelp-jobparat", "2026-09-01", caseworker="cw-ole")
        self.wait_cases()
        offer = self.offer("nytteindsats", capacity=4, hours=30)
        # Catalogue creates replay too: the same key and body, the same provider; another body, 409.
        prov = {"kind": "municipal", "name": "Dyreparken"}
        first = self.call("POST", "/v1/providers", prov, scope="admin", headers={"Idempotency-Key": "p-1"})
        again = self.call("POST", "/v1/providers", dict(reversed(list(prov.items()))), scope="admin",
                          headers={"Idempotency-Key": "p-1"})
        self.assertEqual((first.status, again.status, again.json), (201, 201, first.json))
        r = self.call("POST", "/v1/providers", dict(prov, name="Malerværkstedet"), scope="admin",
                      headers={"Idempotency-Key": "p-1"})
        self.assertEqual(r.status, 409)
        o1 = {"offer_type": "straksaktivering", "provider_id": first.json["provider_id"], "title": "Dyreparken",
              "capacity": 3, "hours_per_week": 30, "available_from": "2026-01-01"}
        a1 = self.call("POST", "/v1/offers", o1, headers={"Idempotency-Key": "o-1"})
        a2 = self.call("POST", "/v1/offers", o1, headers={"Idempotency-Key": "o-1"})
        self.assertEqual((a1.status, a2.status, a2.json), (201, 201, a1.json))
        self.assertEqual(self.count("offer", "provider_id = %s", (first.json["provider_id"],)), 1)
        body = {"offer_id": offer, "planned_start": "2026-09-07", "planned_end": "2026-12-18"}
        key = {"Idempotency-Key": "assign-1"}
        r = self.call("POST", f"/v1/cases/{case['case_id']}/enrolments", body, headers=key)
        self.assertEqual(r.status, 201, r)
        en = r.json
        self.assertEqual((en["status"], en["hours_per_week"], en["counts_as_active_offer"]), ("assigned", 30, True))
        self.assertNotIn("follow_up", en)  # not a company placement
        again = self.call("POST", f"/v1/cases/{case['case_id']}/enrolments", body, headers=key)
        self.assertEqual((again.status, again.json), (201, en))
        clash = self.call("POST", f"/v1/cases/{case['case_id']}/enrolments", dict(body, hours_per_week=20), headers=key)
        self.assertEqual((clash.status, clash.json["type"]), (409, "urn:jobcenter:problem:idempotency-conflict"))
        eid = en["enrolment_id"]

        # Attendance before the start is refused; then start (again: the same answer).
        r = self.call("POST", f"/v1/enrolments/{eid}/attendance", {"date": "2026-09-07", "attended": True})
        self.assertEqual((r.status, r.json["type"]), (409, "urn:jobcenter:problem:invalid-state"))
        started = self.start(eid, "2026-09-08")
        self.assertEqual((started["status"], started["started_on"]), ("started", "2026-09-08"))
        self.assertEqual(self.start(eid, "2026-09-08"), started)
        r = self.call("POST", f"/v1/enrolments/{eid}/start", {"started_on": "2026-09-09"})
        self.assertEqual((r.status, r.json["type"]), (409, "urn:jobcenter:problem:invalid-state"))
        (ob,) = self.obligations(case["case_id"])
        self.assertEqual((ob["kind"], ob["status"], ob["fulfilled_by"]), ("immediate_activation", "fulfilled", eid))

        # Attendance: a day attended (no event), a miss without lawful reason,
        # a miss with one; the same registration again answers the same, a
        # different one for the day is 409; a day outside the enrolment 422.
        att = f"/v1/enrolments/{eid}/attendance"
        self.assertEqual(self.call("POST", att, {"date": "2026-09-08", "attended": True}).status, 201)
        miss = self.ok("POST", att, {"date": "2026-09-09", "attended": False, "lawful_reason": False}, status=201)
        self.assertEqual((miss["attended"], miss["lawful_reason"]), (False, False))
        self.assertEqual(self.ok("POST", att, {"date": "2026-09-09", "attended": False, "lawful_reason": False}, status=200), miss)
        r = self.call("POST", att, {"date": "2026-09-09", "attended": True})
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (409, "date"))
        self.ok("POST", att, {"date": "2026-09-10", "attended": False, "lawful_reason": True, "reason": "illness"}, status=201)
        r = self.call("POST", att, {"date": "2026-09-07", "attended": True})
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "date"))
        r = self.call("POST", att, {"date": "2026-09-11", "attended": False})
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "lawful_reason"))
        r = self.call("POST", att, {"date": "2026-09-11", "attended": True, "lawful_reason": True, "reason": "illness"})
        self.assertEqual(sorted(e["field"] for e in r.json["errors"]), ["lawful_reason", "reason"])

        # End: the outcome must fit; then the same end again is the same answer.
        r = self.call("POST", f"/v1/enrolments/{eid}/end", {"ended_on": "2026-10-02", "outcome": "cancelled"})
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "outcome"))
        r = self.call("POST", f"/v1/enrolments/{eid}/end", {"ended_on": "2026-09-01", "outcome": "job"})
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "ended_on"))
        ended = self.end(eid, "2026-10-02", "job")
        self.assertEqual((ended["status"], ended["outcome"], ended["ended_by"]), ("ended", "job", "caseworker"))
        self.assertEqual(self.end(eid, "2026-10-02", "job"), ended)
        r = self.call("POST", f"/v1/enrolments/{eid}/end", {"ended_on": "2026-10-02", "outcome": "education"})
        self.assertEqual(r.status, 409)
        # A planned offer that never started ends as no_show or cancelled only.
        other = self.enrol(case["case_id"], offer, "2026-10-05", "2026-10-30").json
        r = self.call("POST", f"/v1/enrolments/{other['enrolment_id']}/end", {"ended_on": "2026-10-01", "outcome": "job"})
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "outcome"))
        self.end(other["enrolment_id"], "2026-10-01", "no_show")

        evs = self.offer_events(case_id=case["case_id"])
        self.assertEqual([e["type"][len("dk.jobcenter."):] for e in evs],
                         ["offer.assigned.v1", "offer.started.v1", "offer.attendance_missed.v1",
                          "offer.attendance_missed.v1", "offer.ended.v1", "offer.assigned.v1", "offer.ended.v1"])
        assigned, started_ev, miss1, miss2, ended_ev = (e["data"] for e in evs[:5])
        self.assertEqual(assigned, {"enrolment_id": eid, "case_id": case["case_id"], "citizen_ref": case["citizen_ref"],
                                    "offer_id": offer, "offer_type": "nytteindsats", "provider_id": assigned["provider_id"],
                                    "planned_start": "2026-09-07", "planned_end": "2026-12-18", "hours_per_week": 30,
                                    "counts_as_active_offer": True, "company_oriented": False, "caseworker_id": "cw-ole"})
        self.assertEqual(started_ev["fulfilled_obligation_ids"], [ob["obligation_id"]])
        self.assertEqual((miss1["date"], miss1["lawful_reason"], miss1["target_group"], miss1["offer_type"], miss1["enrolment_id"]),
                         ("2026-09-09", False, "kontanthjaelp-jobparat", "nytteindsats", eid))
        self.assertNotIn("reason", miss1)
        self.assertEqual((miss2["lawful_reason"], miss2["reason"]), (True, "illness"))
        self.assertEqual((ended_ev["outcome"], ended_ev["ended_on"], ended_ev["started"], ended_ev["started_on"]),
                         ("job", "2026-10-02", True, "2026-09-08"))
        self.assertEqual((evs[6]["data"]["outcome"], evs[6]["data"]["started"]), ("no_show", False))
        self.assertEqual(self.count("attendance", "enrolment_id = %s", (eid,)), 3)
        self.assertEqual(len(self.ok("GET", f"/v1/cases/{case['case_id']}/enrolments")["items"]), 2)
        self.assertEqual(self.ok("GET", f"/v1/enrolments/{eid}", scope="admin")["status"], "ended")

    def test_closed_case_ends_offers_and_obligations(self):
        case = self.feed.open("a-dagpenge", "2026-03-02")
        planned_case = self.feed.open("a-dagpenge", "2026-03-02")
        self.wait_cases()
        praktik = self.offer("virksomhedspraktik", capacity=5)
        running = self.enrol(case["case_id"], praktik, "2026-08-03", "2026-12-18").json
        self.start(running["enrolment_id"], "2026-08-03")
        planned = self.enrol(case["case_id"], self.offer("mentor", hours=2), "2026-08-03", "2027-03-01").json
        later = self.enrol(planned_case["case_id"], praktik, "2026-12-01", "2026-12-31").json
        self.feed.close(case, "job", "2026-11-13")
        self.feed.close(planned_case, "moved", "2026-11-20")
        self.feed.close(planned_case, "moved", "2026-11-20")  # closed twice: nothing more
        self.wait_events_applied()
        ended = {e["data"]["enrolment_id"]: e["data"] for e in self.offer_events({"offer.ended.v1"})
                 if e["data"]["case_id"] in (case["case_id"], planned_case["case_id"])}
        self.assertEqual(len(ended), 3)
        self.assertEqual((ended[running["enrolment_id"]]["outcome"], ended[running["enrolment_id"]]["ended_on"],
                          ended[running["enrolment_id"]]["ended_by"]), ("job", "2026-11-13", "case_closed"))
        self.assertEqual(ended[planned["enrolment_id"]]["outcome"], "cancelled")
        self.assertEqual((ended[later["enrolment_id"]]["outcome"], ended[later["enrolment_id"]]["started"]), ("cancelled", False))
        # The follow-up of the running placement is cancelled; obligations too.
        cancelled = (self.ok("GET", f"/v1/follow-ups?status=cancelled&case_id={case['case_id']}")["items"] +
                     self.ok("GET", f"/v1/follow-ups?status=cancelled&case_id={planned_case['case_id']}")["items"])
        self.assertEqual(sorted(f["enrolment_id"] for f in cancelled),
                         sorted([running["enrolment_id"], later["enrolment_id"]]))
        self.assertEqual({o["status"] for o in self.obligations(planned_case["case_id"])}, {"cancelled"})
        self.assertEqual(self.obligations(case["case_id"])[0]["status"], "fulfilled")
        # No deadline events for a closed case; no new offers for it.
        self.sweep("2026-11-23")
        self.assertEqual(self.offer_events({"offer.due_soon.v1", "offer.missed.v1"}, case_id=planned_case["case_id"]), [])
        r = self.enrol(case["case_id"], praktik, "2026-12-01", "2026-12-10", status=409)
        self.assertEqual(r.json["type"], "urn:jobcenter:problem:case-closed")
        r = self.call("POST", f"/v1/enrolments/{running['enrolment_id']}/attendance", {"date": "2026-11-02", "attended": True})
        self.assertEqual(r.status, 409)
        # A place freed by the close is free again.
        self.assertEqual(self.ok("GET", f"/v1/offers/{praktik}?on=2026-12-01")["places_in_use"], 0)

    def test_capacity_under_concurrent_assignment(self):
        cases = [self.feed.open("a-dagpenge", "2026-03-02", flush=False) for _ in range(12)]
        self.feed.flush()
        self.wait_cases()
        offer = self.offer("loentilskud-privat", capacity=3, hours=37)

        def assign(case):
            return self.enrol(case["case_id"], offer, "2026-09-01", "2027-01-29", status=None)
        results = parallel(assign, cases)
        self.assertEqual(sorted(r.status for r in results), [201] * 3 + [409] * 9, results)
        full = [r for r in results if r.status == 409][0]
        self.assertEqual((full.json["type"], full.json["errors"][0]["field"]), ("urn:jobcenter:problem:offer-full", "offer_id"))
        self.assertEqual(self.count("enrolment", "offer_id = %s", (offer,)), 3)
        self.assertEqual(self.ok("GET", f"/v1/offers/{offer}?on=2026-09-01")["places_in_use"], 3)
        # Places are counted per day: a period after the others end takes a place;
        # one overlapping them does not.
        losers = [c for c, r in zip(cases, results) if r.status == 409]
        self.enrol(losers[0]["case_id"], offer, "2027-02-01", "2027-02-26")
        self.enrol(losers[1]["case_id"], offer, "2027-01-29", "2027-02-26", status=409)
        # A place freed by an early end can be taken from the day after.
        winner = [r.json for r in results if r.status == 201][0]
        self.start(winner["enrolment_id"], "2026-09-01")
        self.end(winner["enrolment_id"], "2026-10-30", "ended_early")
        self.enrol(losers[2]["case_id"], offer, "2026-10-31", "2027-01-29")
        self.enrol(losers[3]["case_id"], offer, "2026-10-30", "2027-01-29", status=409)

    def test_full_time_offers_do_not_overlap_under_concurrency(self):
        case = self.feed.open("a-dagpenge", "2026-03-02")
        self.wait_cases()
        offers = [self.offer("virksomhedspraktik", capacity=5, hours=30) for _ in range(8)]

        def assign(offer):
            return self.enrol(case["case_id"], offer, "2026-12-07", "2027-01-29", status=None)
        results = parallel(assign, offers, threads=8)
        self.assertEqual(sorted(r.status for r in results), [201] + [409] * 7, results)
        clash = [r for r in results if r.status == 409][0].json
        winner = [r for r in results if r.status == 201][0].json
        self.assertEqual((clash["type"], clash["errors"][0]["field"], clash["errors"][0]["enrolment_id"]),
                         ("urn:jobcenter:problem:overlapping-offer", "planned_start", winner["enrolment_id"]))
        # Back to back is fine, and so is a part-time offer alongside (not covered by the work duty).
        self.enrol(case["case_id"], offers[1], "2027-01-30", "2027-03-31")
        self.enrol(case["case_id"], self.offer("danskundervisning", hours=12), "2026-12-07", "2027-01-29")
        self.enrol(case["case_id"], offers[2], "2027-01-15", "2027-02-15", status=409)

    def test_work_duty_ceiling_of_37_hours(self):
        kh = self.feed.open("kontanthjaelp-jobparat", "2025-03-03")        # covered by default (2025 rule set)
        dp = self.feed.open("a-dagpenge", "2025-03-03")                    # not covered by default
        old = self.feed.open("kontanthjaelp-jobparat", "2024-03-04")
        self.wait_cases()
        view = self.ok("GET", f"/v1/cases/{kh['case_id']}")["work_duty"]
        self.assertEqual((view["covered"], view["source"], view["max_hours_per_week"], view["rule"]),
                         (True, "rule_set", 37, "R68-R69-work-duty-37-hours"))
        nytte = self.offer("nytteindsats", capacity=20, hours=30)
        small = self.offer("smaajob", capacity=20, hours=8)
        mentor = self.offer("mentor", capacity=20, hours=3)
        self.enrol(kh["case_id"], nytte, "2026-12-07", "2027-02-26")
        r = self.enrol(kh["case_id"], small, "2026-12-14", "2027-01-15", status=409)
        self.assertEqual((r.json["type"], r.json["errors"][0]["field"]), ("urn:jobcenter:problem:work-duty-ceiling", "hours_per_week"))
        self.assertIn("38 hours a week", r.json["detail"])
        self.enrol(kh["case_id"], small, "2026-12-14", "2027-01-15", hours=7)        # exactly 37
        self.enrol(kh["case_id"], mentor, "2026-12-07", "2027-02-26")                # support does not count
        self.enrol(kh["case_id"], small, "2027-01-18", "2027-02-26", hours=8, status=409)
        self.enrol(kh["case_id"], small, "2027-03-01", "2027-03-31", hours=8)        # after the 30 h ends
        r = self.enrol(kh["case_id"], nytte, "2026-12-07", "2027-01-08", hours=38, status=422)
        self.assertEqual(r.json["errors"][0]["field"], "hours_per_week")
        # The caseworker says the citizen is not covered (residence/employment history): no ceiling.
        self.assertEqual(self.ok("PUT", f"/v1/cases/{kh['case_id']}/work-duty", {"covered": False})["work_duty"]["covered"], False)
        self.enrol(kh["case_id"], small, "2027-01-18", "2027-02-26", hours=8)
        # a-dagpenge: not covered by default; once set, covered.
        self.enrol(dp["case_id"], nytte, "2026-12-07", "2027-02-26")
        self.enrol(dp["case_id"], small, "2026-12-07", "2027-01-08", hours=8)
        view = self.ok("PUT", f"/v1/cases/{dp['case_id']}/work-duty", {"covered": True})["work_duty"]
        self.assertEqual((view["covered"], view["source"], view["set_by"]), (True, "caseworker", "test-caseworker"))
        self.enrol(dp["case_id"], mentor, "2026-12-07", "2027-01-08")
        self.enrol(dp["case_id"], small, "2027-01-11", "2027-01-22", hours=8, status=409)
        self.assertEqual(self.ok("PUT", f"/v1/cases/{dp['case_id']}/work-duty", {"covered": None})["work_duty"]["source"], "rule_set")
        # Before 2025 there is no ceiling; a placement running into 2025 meets it from 1 January.
        self.enrol(old["case_id"], nytte, "2024-09-02", "2025-03-31")
        self.enrol(old["case_id"], small, "2024-09-02", "2024-12-31", hours=8)
        r = self.enrol(old["case_id"], small, "2024-12-02", "2025-01-31", hours=8, status=409)
        self.assertIn("lab-2025-arbejdspligt", r.json["detail"])

    def test_work_duty_ceiling_under_concurrency(self):
        kh = self.feed.open("kontanthjaelp-jobparat", "2026-10-05")
        self.wait_cases()
        offers = [self.offer("jobklub", capacity=5, hours=20) for _ in range(6)]

        def assign(offer):
            return self.enrol(kh["case_id"], offer, "2026-12-07", "2027-01-29", status=None)
        results = parallel(assign, offers, threads=6)
        self.assertEqual(sorted(r.status for r in results), [201] + [409] * 5, results)
        self.assertEqual({r.json["type"] for r in results if r.status == 409}, {"urn:jobcenter:problem:work-duty-ceiling"})
        self.assertEqual(self.count("enrolment", "case_id = %s", (kh["case_id"],)), 1)


if __name__ == "__main__":
    jctest.main()
