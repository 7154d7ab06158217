"""control: no-shows and availability. Municipal benefits get a sanction
proposal with one of the four rates (R56) by the monthly benefit, a hearing
with a deadline, and a caseworker's decision (not before the citizen has
answered or the deadline has passed); insured unemployed get a report to
their a-kasse instead (R59-R63); a lawful reason leads to nothing; groups the
sanction rules do not cover (R57) are left to a caseworker; repeated doubts
start an availability course, whose assessment leads on; a re-delivered or
re-sent no-show has one effect."""
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import controltest  # noqa: E402
from controltest import jctest  # noqa: E402


class SanctionTest(controltest.ControlTest):
    TODAY = "2026-03-10"

    def proposals(self, case):
        r = self.control.call("GET", f"/v1/sanction-proposals?case_id={case['case_id']}", scope="caseworker")
        self.assertEqual(r.status, 200, r)
        return r.json["items"]

    def wait_no_shows(self, n):
        jctest.wait_until(lambda: self.scalar("SELECT count(*) FROM control.no_show") == n, 30, f"{n} no-shows")

    def test_municipal_proposal_hearing_and_decision(self):
        kh = self.open_case("kontanthjaelp-jobparat")
        r = self.control.call("PUT", f"/v1/cases/{kh['case_id']}/benefit-basis", scope="caseworker",
                              body={"monthly_benefit_dkk": 11000})
        self.assertEqual((r.status, r.json["monthly_benefit_dkk"]), (200, 11000))
        ns = self.no_show(kh, starts_at="2026-03-03T09:00:00+01:00")
        ab = self.attendance_missed(kh, "kontanthjaelp-jobparat", day="2026-03-04")
        self.wait_no_shows(2)
        props = {p["basis"]: p for p in self.proposals(kh)}
        self.assertEqual(sorted(props), ["meeting_no_show", "offer_attendance_missed"])
        m = props["meeting_no_show"]
        self.assertEqual((m["status"], m["kind"], m["rate_dkk"], m["hearing_deadline"], m["occurred_on"]),
                         ("hearing", "sats-3", 600, "2026-03-24", "2026-03-03"))
        self.assertNotIn("akasse.report_requested.v1", [e["type"][13:] for e in self.events(case_id=kh["case_id"])])
        ev = {e["data"]["basis"]: e["data"] for e in self.events("sanction.proposed.v1", kh["case_id"])}
        self.assertEqual(ev["meeting_no_show"]["source_event_id"], ns["id"])
        self.assertEqual(ev["meeting_no_show"]["meeting_id"], ns["data"]["meeting_id"])
        self.assertEqual(ev["offer_attendance_missed"]["enrolment_id"], ab["data"]["enrolment_id"])
        self.assertEqual(ev["meeting_no_show"]["amount_basis"],
                         {"monthly_benefit_dkk": 11000, "rate_dkk": 600, "rates_effective_from": "2021-01-01"})
        pid = m["proposal_id"]
        # Only caseworkers decide.
        for scope in ("admin", "portal", "udk:feed", "akasse:3F"):
            self.assertEqual(self.control.call("POST", f"/v1/sanction-proposals/{pid}/decision", scope=scope,
                                               body={"decision": "approve"}).status, 403, scope)
        # Not before the hearing period has ended (or the citizen answered).
        r = self.control.call("POST", f"/v1/sanction-proposals/{pid}/decision", scope="caseworker",
                              body={"decision": "approve"})
        self.assertEqual((r.status, r.json["type"]), (409, "urn:jobcenter:problem:hearing-period-running"))
        # A rejection needs a reason; the reason must carry no CPR number.
        other = props["offer_attendance_missed"]["proposal_id"]
        r = self.control.call("POST", f"/v1/sanction-proposals/{other}/decision", scope="caseworker",
                              body={"decision": "reject"})
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "reason"))
        r = self.control.call("POST", f"/v1/sanction-proposals/{other}/decision", scope="caseworker",
                              body={"decision": "reject", "reason": "Se " + kh["cpr"]})
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "reason"))
        self.assertNotIn(kh["cpr"], r.body)
        # The citizen answers: the caseworker may decide before the deadline.
        r = self.control.call("POST", f"/v1/sanction-proposals/{other}/hearing-response", scope="caseworker",
                              body={"received_on": "2026-03-09", "summary": "Borgeren var syg og har lægeerklæring."})
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "received_on"))  # before the hearing
        r = self.control.call("POST", f"/v1/sanction-proposals/{other}/hearing-response", scope="caseworker",
                              body={"received_on": "2026-03-10", "summary": "Borgeren var syg og har lægeerklæring."})
        self.assertEqual((r.status, r.json["hearing_response_on"]), (200, "2026-03-10"))
        r = self.control.call("POST", f"/v1/sanction-proposals/{other}/decision", scope="caseworker",
                              body={"decision": "reject", "reason": "Lovlig grund dokumenteret efterfølgende"})
        self.assertEqual((r.status, r.json["decision"], r.json["decided_by"]), (200, "rejected", "test-caseworker"))
        self.assertEqual(self.control.call("POST", f"/v1/sanction-proposals/{other}/decision", scope="caseworker",
                                           body={"decision": "approve"}).status, 409)
        # After the deadline the other can be decided; who and when are recorded.
        self.restart_control("2026-03-25")
        r = self.control.call("POST", f"/v1/sanction-proposals/{pid}/decision", scope="caseworker",
                              body={"decision": "approve"})
        self.assertEqual((r.status, r.json["decision"]), (200, "approved"), r)
        row = self.sql("SELECT decision, decided_by, decided_at IS NOT NULL FROM control.sanction_proposal"
                       " WHERE proposal_id = %s", (pid,))[0]
        self.assertEqual(row, ("approved", "test-caseworker", True))
        decided = {e["data"]["proposal_id"]: e["data"] for e in self.events("sanction.decided.v1")}
        self.assertEqual((decided[pid]["decision"], decided[pid]["kind"], decided[pid]["hearing_answered"]),
                         ("approved", "sats-3", False))
        self.assertEqual((decided[other]["decision"], decided[other]["hearing_answered"], decided[other]["reason"]),
                         ("rejected", True, "Lovlig grund dokumenteret efterfølgende"))
        # Reading a proposal (with the citizen's answer) is audited.
        r = self.control.call("GET", f"/v1/sanction-proposals/{other}", scope="caseworker",
                              headers={"X-Purpose": "klage"})
        self.assertEqual(r.json["hearing_response"], "Borgeren var syg og har lægeerklæring.")
        self.assertEqual(self.sql("SELECT principal, resource, purpose FROM control.audit_read"),
                         [("test-caseworker", "sanction_proposal", "klage")])
        lst = self.control.call("GET", "/v1/sanction-proposals?status=decided", scope="admin")
        self.assertEqual(len(lst.json["items"]), 2)
        self.assertNotIn("Borgeren var syg", lst.body)  # the citizen's answer only in an audited read
        self.assertNotIn("Lovlig grund", lst.body)

    def test_proposal_without_a_benefit_basis_waits_for_it(self):
        udd = self.open_case("uddannelseshjaelp-aktivitetsparat")
        self.no_show(udd)
        self.wait_no_shows(1)
        [p] = self.proposals(udd)
        self.assertEqual(p["status"], "awaiting_basis")
        self.assertEqual(self.events("sanction.proposed.v1"), [])
        r = self.control.call("POST", f"/v1/sanction-proposals/{p['proposal_id']}/decision", scope="caseworker",
                              body={"decision": "approve"})
        self.assertEqual((r.status, r.json["type"]), (409, "urn:jobcenter:problem:hearing-required"))
        r = self.control.call("POST", f"/v1/sanction-proposals/{p['proposal_id']}/amount-basis",
                              scope="caseworker", body={"monthly_benefit_dkk": 5632})
        self.assertEqual((r.status, r.json["status"], r.json["kind"], r.json["rate_dkk"]), (200, "hearing", "sats-1", 200))
        self.assertEqual(r.json["hearing_deadline"], "2026-03-24")
        [ev] = self.events("sanction.proposed.v1")
        self.assertEqual((ev["data"]["kind"], ev["data"]["amount_basis"]["monthly_benefit_dkk"]), ("sats-1", 5632))
        r = self.control.call("POST", f"/v1/sanction-proposals/{p['proposal_id']}/amount-basis",
                              scope="caseworker", body={"monthly_benefit_dkk": 7000})
        self.assertEqual(r.status, 409)
        # The four brackets (R56, 2021 amounts) by the monthly benefit.
        for monthly, kind in ((5633, "sats-2"), (9935, "sats-2"), (9936, "sats-3"), (13519, "sats-3"),
                              (13520, "sats-4")):
            case = self.open_case("kontanthjaelp-aktivitetsparat")
            self.control.call("PUT", f"/v1/cases/{case['case_id']}/benefit-basis", scope="caseworker",
                              body={"monthly_benefit_dkk": monthly})
            self.no_show(case)
            jctest.wait_until(lambda: self.proposals(case), 30, "the proposal")
            self.assertEqual(self.proposals(case)[0]["kind"], kind, monthly)

    def test_insured_unemployed_are_reported_to_the_akasse(self):
        dp = self.handover("3F")
        self.no_show(dp)
        self.attendance_missed(dp, "a-dagpenge")
        self.wait_no_shows(2)
        self.wait_published()
        reports = self.events("akasse.report_requested.v1", dp["case_id"])
        self.assertEqual(sorted((e["data"]["akasse"], e["data"]["reason"], e["data"]["basis"]) for e in reports),
                         [("3F", "no_show_without_lawful_reason", "meeting_no_show"),
                          ("3F", "offer_absence_without_lawful_reason", "offer_attendance_missed")])
        self.assertEqual(self.events("sanction.proposed.v1"), [])
        self.assertEqual(self.scalar("SELECT count(*) FROM control.sanction_proposal"), 0)
        # An a-dagpenge case a caseworker opened: the report waits for its a-kasse.
        own = self.open_case("a-dagpenge")
        self.no_show(own)
        self.wait_no_shows(3)
        r = self.control.call("GET", f"/v1/akasse-reports?case_id={own['case_id']}", scope="caseworker")
        [rep] = r.json["items"]
        self.assertEqual((rep["status"], rep.get("akasse")), ("awaiting_akasse", None))
        self.assertEqual(len(self.events("akasse.report_requested.v1")), 2)
        r = self.control.call("PUT", f"/v1/akasse-reports/{rep['report_id']}/akasse", scope="caseworker",
                              body={"akasse": "FOA"})
        self.assertEqual((r.status, r.json["status"]), (200, "requested"))
        self.assertEqual(self.control.call("PUT", f"/v1/akasse-reports/{rep['report_id']}/akasse",
                                           scope="caseworker", body={"akasse": "3F"}).status, 409)
        [foa] = self.events("akasse.report_requested.v1", own["case_id"])
        self.assertEqual(foa["data"]["akasse"], "FOA")

    def test_lawful_reason_leads_to_nothing_and_uncovered_groups_to_a_caseworker(self):
        kh = self.open_case("kontanthjaelp-jobparat")
        self.no_show(kh, lawful=True, reason="illness")
        self.attendance_missed(kh, "kontanthjaelp-jobparat", lawful=True)
        rf = self.open_case("ressourceforloeb")
        self.no_show(rf)
        for topic in ("jobcenter.meeting.v1", "jobcenter.offer.v1"):
            self.wait_consumed(topic)
        self.assertEqual(self.sql("SELECT case_id::text, consequence, proposal_id, report_id FROM control.no_show"),
                         [(rf["case_id"], "manual_assessment", None, None)])
        for t in ("sanction_proposal", "akasse_report", "availability_doubt", "availability_course"):
            self.assertEqual(self.scalar(f"SELECT count(*) FROM control.{t}"), 0, t)
        self.assertEqual([e for e in self.events() if not e["type"].endswith("campaign_received.v1")], [])
        r = self.control.call("GET", "/v1/no-shows?consequence=manual_assessment", scope="caseworker")
        self.assertEqual([x["case_id"] for x in r.json["items"]], [rf["case_id"]])

    def test_redelivered_and_resent_no_shows_have_one_effect(self):
        kh = self.open_case("kontanthjaelp-jobparat")
        self.control.call("PUT", f"/v1/cases/{kh['case_id']}/benefit-basis", scope="caseworker",
                          body={"monthly_benefit_dkk": 9000})
        meeting = str(uuid.uuid4())
        ev = self.no_show(kh, meeting_id=meeting)
        # the same event again (same id: the inbox) and the same no-show re-sent (new id)
        self.produce_event("jobcenter.meeting.v1", "meeting.no_show.v1", ev["data"], "/jobcenter/scheduling",
                           kh["case_id"])
        self.p.stack.produce("jobcenter.meeting.v1", __import__("json").dumps(ev).encode(), key=kh["case_id"].encode())
        self.wait_consumed("jobcenter.meeting.v1")
        self.assertEqual(self.scalar("SELECT count(*) FROM control.no_show"), 1)
        self.assertEqual(len(self.events("sanction.proposed.v1")), 1)

    def test_repeated_doubts_start_an_availability_course(self):
        kh = self.open_case("kontanthjaelp-jobparat")
        self.control.call("PUT", f"/v1/cases/{kh['case_id']}/benefit-basis", scope="caseworker",
                          body={"monthly_benefit_dkk": 12000})
        self.no_show(kh, starts_at="2026-02-10T10:00:00+01:00")
        self.wait_no_shows(1)
        self.assertEqual(self.events("availability.course_started.v1"), [])
        self.attendance_missed(kh, "kontanthjaelp-jobparat", day="2026-03-02")
        jctest.wait_until(lambda: self.scalar("SELECT count(*) FROM control.availability_course") == 1, 30,
                          "the course")
        [c] = self.events("availability.course_started.v1")
        self.assertEqual({k: c["data"][k] for k in ("case_id", "started_on", "assessment_due", "doubts",
                                                    "window_days", "contact_every_days")},
                         {"case_id": kh["case_id"], "started_on": "2026-03-10", "assessment_due": "2026-04-07",
                          "doubts": 2, "window_days": 90, "contact_every_days": 7})
        self.no_show(kh, starts_at="2026-03-05T10:00:00+01:00")  # during the course: no second course
        self.wait_no_shows(3)
        self.assertEqual(len(self.events("availability.course_started.v1")), 1)
        course = c["data"]["course_id"]
        r = self.control.call("POST", f"/v1/availability-courses/{course}/assessment", scope="admin",
                              body={"outcome": "not_available"})
        self.assertEqual(r.status, 403)
        r = self.control.call("POST", f"/v1/availability-courses/{course}/assessment", scope="caseworker",
                              body={"outcome": "not_available", "note": "Udeblev fra alle aftaler i forløbet"})
        self.assertEqual((r.status, r.json["status"]), (200, "assessed"), r)
        [p] = [x for x in self.proposals(kh) if x["basis"] == "availability"]
        self.assertEqual((p["proposal_id"], p["status"], p["kind"]), (r.json["proposal_id"], "hearing", "sats-3"))
        self.assertEqual(self.control.call("POST", f"/v1/availability-courses/{course}/assessment",
                                           scope="caseworker", body={"outcome": "available"}).status, 409)
        # Insured: a caseworker's doubts (and the a-kasse's concern at handover) count too.
        dp = self.handover("DANA", availability_concerns=True)
        r = self.control.call("POST", f"/v1/cases/{dp['case_id']}/availability-doubts", scope="caseworker",
                              body={"observed_on": "2026-03-09", "note": "Svarer ikke på henvendelser"},
                              headers={"Idempotency-Key": "doubt-1"})
        self.assertEqual((r.status, r.json["course_started"]), (201, True), r)
        again = self.control.call("POST", f"/v1/cases/{dp['case_id']}/availability-doubts", scope="caseworker",
                                  body={"observed_on": "2026-03-09", "note": "Svarer ikke på henvendelser"},
                                  headers={"Idempotency-Key": "doubt-1"})
        self.assertEqual((again.status, again.json), (201, r.json))
        r = self.control.call("POST", f"/v1/availability-courses/{r.json['course_id']}/assessment",
                              scope="caseworker", body={"outcome": "not_available"})
        self.assertEqual((r.status, r.json.get("proposal_id")), (200, None))
        [rep] = self.events("akasse.report_requested.v1", dp["case_id"])
        self.assertEqual((rep["data"]["reason"], rep["data"]["basis"], rep["data"]["akasse"]),
                         ("availability_doubt", "availability", "DANA"))
        lst = self.control.call("GET", "/v1/availability-courses?status=assessed", scope="admin")
        self.assertEqual(len(lst.json["items"]), 2)


if __name__ == "__main__":
    jctest.main()
