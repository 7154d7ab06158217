"""Scenario across services, through public APIs and topics only: an a-kasse
(3F) hands over an insured unemployed citizen after three months, with two
individual meetings already held. Scheduling keeps the a-kasse's two meetings
as fulfilled and gives the jobcenter the remaining four, offers starts the
six-month active-offer clock; the citizen self-books the next meeting through
the portal, does not come and has no lawful reason; control reports it to the
a-kasse (for an insured citizen there is no municipal sanction) and
notifications delivers the report over the a-kasse's webhook. Letters: rights
and duties, the booking's invitation and the a-kasse report, each once.
Dates: unemployed since Monday 5 January 2026, handed over Monday 6 April
(Easter Monday: the handover arrives on a holiday; the jobcentre's deadlines
count from 5 January), today Friday 10 April; the self-booked meeting is on
Tuesday 14 April at 10:00, the no-show registered that day at noon."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from scenario import D, Scenario, jctest, previous_working_day  # noqa: E402

SINCE, HANDOVER, TODAY = "2026-01-05", "2026-04-06", "2026-04-10"
HELD = ["2026-01-12", "2026-02-16"]
SERVICES = ("intake", "scheduling", "offers", "control", "notifications")


class AkasseHandoverNoShow(Scenario):

    def test_handover_self_booking_no_show_reported_to_the_akasse(self):
        self.start(TODAY, *SERVICES)
        self.staff("dagpenge", "cw-dp", ["a-dagpenge"])
        body = self.p.handover(akasse="3F", unemployed_since=SINCE, handover_date=HANDOVER, contact_history=[
            {"date": HELD[0], "kind": "individual", "channel": "in_person"},
            {"date": HELD[1], "kind": "individual", "channel": "phone"}])
        r = self.call("intake", "POST", "/v1/handovers", body, scope="akasse:3F", expect=201)
        self.assertEqual((r.json["status"], r.json["caseworker_id"]), ("accepted", "cw-dp"), r)
        cid, ref = r.json["case_id"], r.json["citizen_ref"]
        self.wait_known(cid, "scheduling", "offers", "control")

        # intake: an open a-dagpenge case counting from the first day of unemployment
        case = self.call("intake", "GET", f"/v1/cases/{cid}", expect=200).json
        self.assertEqual((case["status"], case["target_group"], case["start_date"]), ("open", "a-dagpenge", SINCE))

        # scheduling: the a-kasse's two meetings fulfil ordinals 1 and 2; the other four are the
        # jobcenter's, spread evenly from the handover to the six-month deadline
        obs = self.call("scheduling", "GET", f"/v1/cases/{cid}/obligations", expect=200).json
        by_ord = {o["ordinal"]: o for o in obs["obligations"] if o["kind"] == "meeting"}
        self.assertEqual(sorted(by_ord), [1, 2, 3, 4, 5, 6])
        self.assertEqual([(by_ord[i]["status"], by_ord[i]["fulfilled_by"], by_ord[i]["fulfilled_on"])
                          for i in (1, 2)], [("fulfilled", "akasse", HELD[0]), ("fulfilled", "akasse", HELD[1])])
        six_months = previous_working_day(jctest.add_months(D(SINCE), 6))           # Sun 5 Jul -> Fri 3 Jul
        step = (six_months - D(HANDOVER)) / 4
        expected = [previous_working_day(D(HANDOVER) + step * k).isoformat() for k in (1, 2, 3, 4)]
        self.assertEqual([(by_ord[i]["due_date"], by_ord[i]["responsible"], by_ord[i]["status"]) for i in (3, 4, 5, 6)],
                         [(d, "jobcenter", "open") for d in expected])

        # offers: an active offer must have started by six months
        ob = self.call("offers", "GET", f"/v1/cases/{cid}/obligations", expect=200).json
        self.assertEqual([(o["kind"], o["status"], o["base_date"], o["due_date"]) for o in ob["items"]],
                         [("active_offer", "open", SINCE, six_months.isoformat())])

        # The citizen self-books the next meeting in the portal, before its due date.
        portal = {"X-Citizen-Ref": ref}
        slots = self.call("scheduling", "GET", f"/v1/portal/cases/{cid}/slots", scope="portal",
                          headers=portal, expect=200).json
        self.assertEqual((slots["obligation_id"], slots["until"]), (by_ord[3]["obligation_id"], expected[0]))
        starts = "2026-04-14T10:00:00+02:00"
        self.assertIn(starts, slots["slots"])
        other = self.call("scheduling", "GET", f"/v1/portal/cases/{cid}/slots", scope="portal",
                          headers={"X-Citizen-Ref": "00000000-0000-4000-8000-000000000000"})
        self.assertIn(other.status, (403, 404), other)                  # only the citizen's own case
        b = self.call("scheduling", "POST", f"/v1/portal/cases/{cid}/meetings", {"starts_at": starts,
                      "channel": "in_person"}, scope="portal", headers=portal, expect=201).json
        self.assertEqual((b["obligation_id"], b["caseworker_id"], b["status"]),
                         (by_ord[3]["obligation_id"], "cw-dp", "booked"))

        # 14 April, noon: the citizen did not come, and has no lawful reason.
        self.start("2026-04-14", "scheduling")
        self.call("scheduling", "POST", f"/v1/meetings/{b['meeting_id']}/outcome",
                  {"outcome": "no_show", "lawful_reason": False}, expect=200)

        # control: a report to the a-kasse that handed the citizen over; no sanction proposal
        reports = jctest.wait_until(lambda: self.call("control", "GET", f"/v1/akasse-reports?case_id={cid}",
                                                      expect=200).json["items"], 30, "the a-kasse report")
        self.assertEqual(len(reports), 1, reports)
        self.assertEqual((reports[0]["akasse"], reports[0]["basis"], reports[0]["status"], reports[0]["source_id"]),
                         ("3F", "meeting_no_show", "requested", b["meeting_id"]), reports[0])
        no_shows = self.call("control", "GET", f"/v1/no-shows?case_id={cid}", expect=200).json["items"]
        self.assertEqual([(n["basis"], n["source_id"], n["occurred_on"], n["consequence"], n.get("report_id"),
                           n.get("proposal_id")) for n in no_shows],
                         [("meeting_no_show", b["meeting_id"], "2026-04-14", "akasse_report",
                           reports[0]["report_id"], None)])
        self.assertEqual(self.call("control", "GET", f"/v1/sanction-proposals?case_id={cid}",
                                   expect=200).json["items"], [])

        # notifications: the three letters, each delivered once, the report to 3F's webhook
        letters = self.wait_letters(cid, ["akasse_report", "meeting_invitation", "rights_and_duties"])
        for t in ("rights_and_duties", "meeting_invitation"):
            self.assertEqual((letters[t]["recipient"], letters[t]["channel"]),
                             ({"kind": "citizen", "id": ref}, "digital_post"), letters[t])
            self.assertEqual(self.delivered_once(letters[t], "digital_post")["body"]["recipient"],
                             {"cpr": body["cpr"]})
        rep = letters["akasse_report"]
        self.assertEqual(rep["recipient"]["kind"], "akasse", rep)
        rec = self.delivered_once(rep, "akasse", "/akasse/3F/reports")
        self.assertEqual(rec["akasse"], "3F")
        self.assertEqual(rec["body"]["member"]["cpr"], body["cpr"])
        self.assertIn("tirsdag den 14. april 2026", letters["meeting_invitation"]["text"])

        # the state after the no-show: the obligation is still open, the offer clock unchanged
        self.quiet()
        obs = {o["ordinal"]: o for o in self.call("scheduling", "GET", f"/v1/cases/{cid}/obligations",
                                                  expect=200).json["obligations"]}
        self.assertEqual(obs[3]["status"], "open")
        ob2 = self.call("offers", "GET", f"/v1/cases/{cid}/obligations", expect=200).json["items"]
        self.assertEqual([(o["status"], o["due_date"]) for o in ob2], [("open", six_months.isoformat())])
        self.assertEqual(self.types("jobcenter.meeting.v1", cid), ["meeting.booked.v1", "meeting.no_show.v1"])
        self.assertEqual(self.types("jobcenter.control.v1", cid), ["akasse.report_requested.v1"])
        self.assertEqual(len(self.messages(cid)), 3)
        self.assertEqual(len([r for r in self.p.stack.post_received()
                              if r["key"] in {m["message_id"] for m in self.messages(cid)}]), 3)


if __name__ == "__main__":
    jctest.main()
