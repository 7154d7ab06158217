"""Scenario across services, through public APIs and topics only: a
job-ready cash-benefit case with open contact obligations, a booked meeting
and an assigned offer is closed because the citizen got a job. Scheduling
cancels the obligations and the meeting (reason case_closed, so no
cancellation letter), offers cancels its deadline and ends the planned offer
(ended_by case_closed); the sweeps of the following days then produce no
warning, no missed deadline, no reminder and no letter for the case. A second,
identical case that stays open gets the warnings on the same sweeps, which
shows the sweeps do run on those days.
Dates: both applied Monday 2 March 2026 and were registered Wednesday 4 March
(today); the meeting was booked for Friday 6 March 10:00, the offer planned
from Monday 9 March; the case is closed on 4 March. The sweeps run on
Thursday 5 March (meeting reminder; the first meeting due on 9 March is due
soon), Tuesday 10 March (the first meeting missed) and Tuesday 17 March (the
immediate activation, due 16 March, missed)."""
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from scenario import D, Scenario, add_working_days, jctest, previous_working_day  # noqa: E402

APPLIED, TODAY = "2026-03-02", "2026-03-04"
GROUP = "kontanthjaelp-jobparat"
WARNINGS = {"obligation.due_soon.v1", "obligation.missed.v1", "offer.due_soon.v1", "offer.missed.v1"}


class CaseClosedToJob(Scenario):

    def open_case(self):
        cpr = self.p.cpr()
        r = self.call("intake", "POST", "/v1/cases", {"cpr": cpr, "name": self.p.name(), "target_group": GROUP,
                                                      "visitation": "jobparat", "start_date": APPLIED,
                                                      "digital_post": True}, expect=201)
        self.wait_known(r.json["case_id"], "scheduling", "offers")
        return dict(r.json, cpr=cpr)

    def sweep(self, name, day):
        return self.call(name, "POST", f"/v1/admin/sweep?today={day}", scope="admin", expect=200).json

    def test_closing_to_a_job_ends_everything_and_no_letters_follow(self):
        self.start(TODAY, "intake", "scheduling", "offers", "notifications")
        self.staff("kontant", "cw-kh", [GROUP])
        case, other = self.open_case(), self.open_case()
        cid = case["case_id"]

        first_due = previous_working_day(D(APPLIED) + datetime.timedelta(weeks=1))
        activation_due = add_working_days(D(APPLIED), 10)
        obs = self.call("scheduling", "GET", f"/v1/cases/{cid}/obligations", expect=200).json["obligations"]
        self.assertEqual([(o["kind"], o["ordinal"], o["status"]) for o in obs],
                         [("meeting", i, "open") for i in (1, 2, 3, 4)])
        self.assertEqual(obs[0]["due_date"], first_due.isoformat())
        [ob] = self.call("offers", "GET", f"/v1/cases/{cid}/obligations", expect=200).json["items"]
        self.assertEqual((ob["kind"], ob["due_date"], ob["status"]),
                         ("immediate_activation", activation_due.isoformat(), "open"))

        # A meeting booked, an offer assigned (planned, not started).
        m = self.call("scheduling", "POST", f"/v1/cases/{cid}/meetings", {
            "starts_at": "2026-03-06T10:00:00+01:00", "channel": "in_person", "location": "Jobcentret"},
            expect=201).json
        self.assertEqual(m["obligation_id"], obs[0]["obligation_id"])
        en = self.enrol(cid, "nytteindsats", {"kind": "municipal", "name": "Ishøj Kommune, Nytte"},
                        "Nytteindsats, grønne områder", 25, "2026-03-09", "2026-04-30")
        before = self.wait_letters(cid, ["meeting_invitation", "offer_letter", "rights_and_duties"])
        self.wait_letters(other["case_id"], ["rights_and_duties"])

        # The citizen got a job: the case is closed.
        r = self.call("intake", "POST", f"/v1/cases/{cid}/close", {"reason": "job", "closed_on": TODAY}, expect=200)
        self.assertEqual(r.json["status"], "closed", r)

        def closed_everywhere():
            s = self.call("scheduling", "GET", f"/v1/cases/{cid}/obligations", expect=200).json
            o = self.call("offers", "GET", f"/v1/cases/{cid}/obligations", expect=200).json
            return s["status"] == "closed" and o["status"] == "closed"
        jctest.wait_until(closed_everywhere, 30, "scheduling and offers to close the case")
        self.quiet()
        # scheduling: every obligation cancelled, the meeting cancelled by the system
        obs = self.call("scheduling", "GET", f"/v1/cases/{cid}/obligations", expect=200).json["obligations"]
        self.assertEqual({o["status"] for o in obs}, {"cancelled"}, obs)
        meeting = [d for t, d in self.events("jobcenter.meeting.v1", cid) if t == "meeting.cancelled.v1"]
        self.assertEqual([(d["meeting_id"], d["reason"]) for d in meeting], [(m["meeting_id"], "case_closed")])
        # offers: the deadline cancelled, the planned offer ended (cancelled: it never started)
        [ob] = self.call("offers", "GET", f"/v1/cases/{cid}/obligations", expect=200).json["items"]
        self.assertEqual(ob["status"], "cancelled")
        enr = self.call("offers", "GET", f"/v1/enrolments/{en['enrolment_id']}", expect=200).json
        self.assertEqual(enr["status"], "ended", enr)
        ended = [d for t, d in self.events("jobcenter.offer.v1", cid) if t == "offer.ended.v1"]
        self.assertEqual([(d["enrolment_id"], d["outcome"], d["ended_by"], d["started"]) for d in ended],
                         [(en["enrolment_id"], "cancelled", "case_closed", False)])
        # intake
        case_now = self.call("intake", "GET", f"/v1/cases/{cid}", expect=200).json
        self.assertEqual((case_now["status"], case_now["close_reason"]), ("closed", "job"), case_now)

        # The following days' sweeps: warnings for the open case only; nothing for the closed one.
        n_sched = self.sweep("scheduling", "2026-03-05")
        n_notif = self.sweep("notifications", "2026-03-05")
        self.assertEqual(n_notif["reminders_sent"], 0, n_notif)      # the 6 March meeting was cancelled
        self.sweep("scheduling", "2026-03-10")
        self.sweep("offers", "2026-03-10")
        self.sweep("offers", "2026-03-17")
        self.quiet()
        self.assertIn("obligation.due_soon.v1", self.types("jobcenter.meeting.v1", other["case_id"]), n_sched)
        self.assertIn("obligation.missed.v1", self.types("jobcenter.meeting.v1", other["case_id"]))
        self.assertIn("offer.missed.v1", self.types("jobcenter.offer.v1", other["case_id"]))
        warned = [t for topic in ("jobcenter.meeting.v1", "jobcenter.offer.v1") for t in self.types(topic, cid)
                  if t in WARNINGS]
        self.assertEqual(warned, [])
        self.assertEqual(self.types("jobcenter.meeting.v1", cid), ["meeting.booked.v1", "meeting.cancelled.v1"])
        self.assertEqual(self.types("jobcenter.offer.v1", cid), ["offer.assigned.v1", "offer.ended.v1"])

        # notifications: the three letters from before the close, each delivered once, nothing after
        after = self.messages(cid)
        self.assertEqual(sorted((x["template"], x["status"]) for x in after),
                         [("meeting_invitation", "sent"), ("offer_letter", "sent"), ("rights_and_duties", "sent")])
        for t, msg in before.items():
            self.delivered_once(msg, "digital_post")
        reminders = self.call("notifications", "GET", "/v1/caseworkers/cw-kh/reminders", expect=200).json
        self.assertEqual({x["case_id"] for x in reminders["reminders"]}, {other["case_id"]}, reminders)
        self.assertEqual(len([r for r in self.p.stack.post_received()
                              if r["key"] in {x["message_id"] for x in after}]), 3)


if __name__ == "__main__":
    jctest.main()
