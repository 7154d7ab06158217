"""Scenario across services, through public APIs and topics only: a job-ready
cash-benefit (kontanthjælp) applicant is activated at once. Offers gives the
case its immediate-activation deadline (10 working days), the caseworker
assigns a place on straksaktivering and the citizen starts; the citizen then
misses a day without a lawful reason. Control turns the missed day into a
sanction proposal with the rate for the citizen's monthly benefit and a
hearing; after the hearing period, with no answer from the citizen, the
caseworker approves it. Letters: rights and duties, the offer letter, the
sanction hearing letter and the decision letter, each once.
Dates: applied Monday 2 March 2026 (the deadline, 10 working days later, is
Monday 16 March); the place starts Wednesday 4 March, the missed day is
Thursday 5 March (the proposal is made that day, the hearing runs 14 days);
the decision is taken on Friday 20 March, after the hearing deadline."""
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from scenario import D, Scenario, add_working_days, jctest  # noqa: E402

APPLIED, STARTED, MISSED, DECIDED = "2026-03-02", "2026-03-04", "2026-03-05", "2026-03-20"
MONTHLY = 11250   # 9,935 < 11,250 <= 13,519: sats-3, 600 kr (R56, 2021 figures)
HEARING_DAYS = 14


class CashBenefitSanction(Scenario):

    def test_immediate_activation_missed_day_sanction_hearing_and_decision(self):
        self.start(APPLIED, "intake", "offers", "notifications")
        self.start(MISSED, "control")      # control first acts on 5 March (its hearing counts from then)
        self.staff("kontant", "cw-kh", ["kontanthjaelp-jobparat"])
        cpr = self.p.cpr()
        r = self.call("intake", "POST", "/v1/cases", {
            "cpr": cpr, "name": self.p.name(), "target_group": "kontanthjaelp-jobparat",
            "visitation": "jobparat", "start_date": APPLIED, "digital_post": True}, expect=201)
        cid, ref = r.json["case_id"], r.json["citizen_ref"]
        self.assertEqual(r.json["caseworker_id"], "cw-kh")
        self.wait_known(cid, "offers", "control")
        # The payment system's monthly benefit, recorded in control before anything happens.
        self.call("control", "PUT", f"/v1/cases/{cid}/benefit-basis", {"monthly_benefit_dkk": MONTHLY}, expect=200)

        # offers: immediate activation within 10 working days of the application
        deadline = add_working_days(D(APPLIED), 10)
        self.assertEqual(deadline.isoformat(), "2026-03-16")   # the calendar helper itself, checked by hand
        [ob] = self.call("offers", "GET", f"/v1/cases/{cid}/obligations", expect=200).json["items"]
        self.assertEqual((ob["kind"], ob["status"], ob["base_date"], ob["due_date"]),
                         ("immediate_activation", "open", APPLIED, deadline.isoformat()))

        # The caseworker assigns a place on the municipality's straksaktivering.
        en = self.enrol(cid, "straksaktivering", {"kind": "municipal", "name": "Ishøj Kommune, Jobhuset"},
                        "Straksaktivering, Jobhuset", 30, STARTED, "2026-04-17")
        self.assertEqual((en["status"], en["hours_per_week"]), ("assigned", 30), en)
        eid = en["enrolment_id"]

        # 5 March: the citizen started yesterday and does not come today, without a lawful reason.
        self.start(MISSED, "offers")
        st = self.call("offers", "POST", f"/v1/enrolments/{eid}/start", {"started_on": STARTED}, expect=200).json
        self.assertEqual(st["status"], "started", st)
        self.call("offers", "POST", f"/v1/enrolments/{eid}/attendance",
                  {"date": MISSED, "attended": False, "lawful_reason": False}, expect=201)
        [ob] = self.call("offers", "GET", f"/v1/cases/{cid}/obligations", expect=200).json["items"]
        self.assertEqual((ob["status"], ob["fulfilled_by"], ob["fulfilled_on"]), ("fulfilled", eid, STARTED), ob)

        # control: a proposal at sats-3 with a 14-day hearing, sent at once (the basis is on file)
        props = jctest.wait_until(lambda: self.call("control", "GET", f"/v1/sanction-proposals?case_id={cid}",
                                                    expect=200).json["items"], 30, "the sanction proposal")
        self.assertEqual(len(props), 1, props)
        prop = props[0]
        hearing_deadline = (D(MISSED) + datetime.timedelta(days=HEARING_DAYS)).isoformat()
        self.assertEqual((prop["basis"], prop["status"], prop["kind"], prop["rate_dkk"], prop["monthly_benefit_dkk"],
                          prop["occurred_on"], prop["hearing_deadline"]),
                         ("offer_attendance_missed", "hearing", "sats-3", 600, MONTHLY, MISSED, hearing_deadline))
        pid = prop["proposal_id"]
        no_shows = self.call("control", "GET", f"/v1/no-shows?case_id={cid}", expect=200).json["items"]
        self.assertEqual([(n["basis"], n["source_id"], n["consequence"]) for n in no_shows],
                         [("offer_attendance_missed", eid, "municipal_sanction")])
        self.assertEqual(self.call("control", "GET", f"/v1/akasse-reports?case_id={cid}", expect=200).json["items"], [])
        # no decision while the hearing period runs
        r = self.call("control", "POST", f"/v1/sanction-proposals/{pid}/decision", {"decision": "approve"},
                      expect=409)
        self.assertEqual(r.json["type"], "urn:jobcenter:problem:hearing-period-running")
        hearing = self.wait_letters(cid, ["offer_letter", "rights_and_duties", "sanction_hearing"])["sanction_hearing"]
        self.assertEqual((hearing["recipient"], hearing["channel"]), ({"kind": "citizen", "id": ref}, "digital_post"))
        self.assertIn("600", hearing["text"])

        # 20 March: the deadline has passed without an answer; the caseworker approves.
        self.start(DECIDED, "control")
        d = self.call("control", "POST", f"/v1/sanction-proposals/{pid}/decision", {"decision": "approve"},
                      expect=200).json
        self.assertEqual((d["decision"], d["decided_by"]), ("approved", "test-caseworker"), d)
        self.call("control", "POST", f"/v1/sanction-proposals/{pid}/decision", {"decision": "reject",
                  "reason": "Fortrudt"}, expect=409)                      # a decision is final
        letters = self.wait_letters(cid, ["offer_letter", "rights_and_duties", "sanction_decision_approved",
                                          "sanction_hearing"])
        for t, m in letters.items():
            self.assertEqual((m["recipient"], m["channel"]), ({"kind": "citizen", "id": ref}, "digital_post"), t)
            self.assertEqual(self.delivered_once(m, "digital_post")["body"]["recipient"], {"cpr": cpr}, t)
        self.assertIn("600", letters["sanction_decision_approved"]["text"])

        # Every service's state, and the topics, tell the same story.
        self.quiet()
        case = self.call("intake", "GET", f"/v1/cases/{cid}", expect=200).json
        self.assertEqual((case["status"], case["target_group"]), ("open", "kontanthjaelp-jobparat"))
        self.assertEqual(self.call("control", "GET", f"/v1/sanction-proposals?case_id={cid}",
                                   expect=200).json["items"][0]["status"], "decided")
        enr = self.call("offers", "GET", f"/v1/enrolments/{eid}", expect=200).json
        self.assertEqual((enr["status"], enr["started_on"]), ("started", STARTED), enr)
        self.assertEqual(self.types("jobcenter.offer.v1", cid),
                         ["offer.assigned.v1", "offer.started.v1", "offer.attendance_missed.v1"])
        control = self.events("jobcenter.control.v1", cid)
        self.assertEqual([t for t, _ in control], ["sanction.proposed.v1", "sanction.decided.v1"])
        self.assertEqual((control[1][1]["decision"], control[1][1]["hearing_answered"]), ("approved", False))
        self.assertEqual(len(self.messages(cid)), 4)


if __name__ == "__main__":
    jctest.main()
