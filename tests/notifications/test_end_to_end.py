"""notifications with the real upstream services: intake registers the
citizens and their cases (citizen.upserted.v1 with name and contact data,
case.opened.v1), scheduling books and moves a meeting (meeting.booked.v1,
meeting.rescheduled.v1), intake closes the case (scheduling then cancels the
meeting with reason case_closed) and erases the citizen (a tombstone). The
letters carry the names intake knows and the times and places scheduling
booked; the closed case gets no cancellation letter and no reminder; the
erasure removes the citizen's data from notifications."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import notiftest as nt  # noqa: E402
from notiftest import jctest  # noqa: E402

TODAY = "2026-03-02"


class EndToEndTest(nt.SharedPlatformTest):

    @classmethod
    def start_services(cls):
        env = {"JC_TODAY": TODAY, "JC_SWEEP_INTERVAL_S": "0"}
        cls.intake = cls.p.service("intake", env=env)
        cls.sched = cls.p.service("scheduling", env=dict(env, JC_SELF_BOOKING_LEAD_HOURS="0"))
        cls.notif = cls.p.service("notifications", env=dict(env, JC_NOTIFY_POLL_MS="100"))
        admin = {"scope": "admin"}
        cls.intake.call("PUT", "/v1/teams/team-a", body={"name": "A"}, **admin)
        r = cls.intake.call("PUT", "/v1/caseworkers/cw-1", body={
            "name": "cw 1", "team_id": "team-a", "target_groups": ["kontanthjaelp-jobparat"]}, **admin)
        assert r.status in (200, 201), r

    def open_case(self, **contact):
        body = {"cpr": self.p.cpr(), "name": self.p.name(), "target_group": "kontanthjaelp-jobparat",
                "start_date": TODAY, **contact}
        r = self.intake.call("POST", "/v1/cases", scope="caseworker", body=body)
        self.assertEqual(r.status, 201, r)
        return body, r.json

    def test_letters_from_real_upstream_events(self):
        st = self.p.stack
        anna, case = self.open_case(digital_post=True, phone="+45 20 30 40 50")
        bo, case_b = self.open_case(digital_post=False, address={"street": "Vejlebrovej 59a", "postcode": "2635",
                                                                 "city": "Ishøj"})
        cid = case["case_id"]
        msg = nt.wait_status(self.p, cid, "rights_and_duties", "sent")
        self.assertIn(f"Kære {anna['name']}", msg["text"])
        self.assertIn("om kontanthjælp (jobparat) fra 2. marts 2026", msg["text"])
        rec = nt.wait_received(self.p, msg["message_id"])
        self.assertEqual(rec["body"]["recipient"], {"cpr": anna["cpr"]})
        letter_b = nt.wait_status(self.p, case_b["case_id"], "rights_and_duties", "sent")
        self.assertEqual(letter_b["channel"], "physical_letter")
        with open(os.path.join(st.dir, "letters", letter_b["message_id"] + ".txt"), encoding="utf-8") as f:
            self.assertTrue(f.read().startswith(f"{bo['name']}\nVejlebrovej 59a\n2635 Ishøj\n"))

        # scheduling books (Wednesday 4 March, 10:00) and moves (Thursday 5 March, 09:00)
        jctest.wait_until(lambda: self.sched.call("GET", f"/v1/cases/{cid}/obligations",
                                                  scope="caseworker").status == 200, 30, "scheduling to know the case")
        r = self.sched.call("POST", f"/v1/cases/{cid}/meetings", scope="caseworker", body={
            "starts_at": "2026-03-04T10:00:00+01:00", "channel": "in_person", "location": "Ishøj Rådhus, lokale 3"})
        self.assertEqual(r.status, 201, r)
        mid = r.json["meeting_id"]
        inv = nt.wait_status(self.p, cid, "meeting_invitation", "sent")
        for ph in ("Tidspunkt: onsdag den 4. marts 2026 kl. 10:00-10:30", "Form: personligt fremmøde",
                   "Sted: Ishøj Rådhus, lokale 3"):
            self.assertIn(ph, inv["text"])
        r = self.sched.call("POST", f"/v1/meetings/{mid}/reschedule", scope="caseworker",
                            body={"starts_at": "2026-03-05T09:00:00+01:00"})
        self.assertEqual(r.status, 200, r)
        moved = nt.wait_status(self.p, cid, "meeting_changed", "sent")
        self.assertIn("Din samtale onsdag den 4. marts 2026 kl. 10:00 er flyttet.", moved["text"])
        self.assertIn("Nyt tidspunkt: torsdag den 5. marts 2026 kl. 09:00-09:30", moved["text"])
        self.assertEqual(st.scalar("SELECT status FROM notifications.meeting_reminder WHERE meeting_id = %s",
                                   (mid,)), "scheduled")

        # intake closes the case: scheduling cancels the meeting (case_closed), no letter about it
        r = self.intake.call("POST", f"/v1/cases/{cid}/close", scope="caseworker",
                             body={"reason": "job", "closed_on": TODAY})
        self.assertEqual(r.status, 200, r)
        jctest.wait_until(lambda: any(e["type"].endswith("meeting.cancelled.v1") for e in [
            json.loads(m["value"]) for m in st.read_topic("jobcenter.meeting.v1")]), 30,
            "scheduling to cancel the meeting")
        jctest.wait_until(lambda: st.scalar("SELECT status FROM notifications.meeting_reminder WHERE meeting_id = %s",
                                            (mid,)) == "cancelled", 30, "the reminder to be cancelled")
        nt.wait_consumed(self.p)
        r = self.notif.call("POST", "/v1/admin/sweep?today=2026-03-04", scope="admin")
        self.assertEqual(r.json["reminders_sent"], 0, r)
        self.assertEqual(sorted(m["template"] for m in nt.messages(self.p, cid)),
                         ["meeting_changed", "meeting_invitation", "rights_and_duties"])

        # intake erases the citizen (no open case now): notifications drops the data
        r = self.intake.call("POST", f"/v1/citizens/{case['citizen_ref']}/erasure", scope="admin")
        self.assertEqual(r.status, 200, r)
        jctest.wait_until(lambda: st.scalar("SELECT count(*) FROM notifications.citizen_erasure"
                                            " WHERE citizen_ref = %s", (case["citizen_ref"],)) == 1, 30, "the erasure")
        self.assertIsNone(st.scalar("SELECT cpr FROM notifications.citizen WHERE citizen_ref = %s",
                                    (case["citizen_ref"],)))
        self.assertEqual(st.scalar("SELECT count(*) FROM notifications.message WHERE citizen_ref = %s"
                                   " AND (body_text IS NOT NULL OR subject IS NOT NULL)", (case["citizen_ref"],)), 0)


if __name__ == "__main__":
    jctest.main()
