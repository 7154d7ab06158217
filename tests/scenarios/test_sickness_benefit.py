"""Scenario across services, through public APIs and topics only: a
sickness-benefit case from employment. The first follow-up must be held
within 8 weeks of the first sick day and the week-22 reassessment by week 22;
the reassessment concludes that the citizen moves to a jobafklaringsforløb,
which ends the sickness-benefit obligations and starts the new group's.
Dates: first sick day Monday 2 March 2026 (so week 8 ends across Easter
2026: Maundy Thursday 2 April, Good Friday 3 April, Easter Monday 6 April),
with time pinned to each step's day."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import jctest  # noqa: E402


class SicknessBenefitScenario(jctest.PlatformTest):

    def start(self, today):
        env = {"JC_TODAY": today, "JC_SWEEP_INTERVAL_S": "0", "JC_SELF_BOOKING_LEAD_HOURS": "0"}
        for s in list(self.p.services):
            if s.name in ("intake", "scheduling") and s.proc.poll() is None:
                s.stop()
        n = len(self.p.services)
        self.intake = self.p.service("intake", env=env, instance=n)
        self.sched = self.p.service("scheduling", env=env, instance=n + 1)

    def obligations(self, case_id):
        r = self.sched.call("GET", f"/v1/cases/{case_id}/obligations", scope="caseworker")
        self.assertEqual(r.status, 200, r)
        return r.json

    def test_first_contact_reassessment_and_change_to_jobafklaring(self):
        self.start("2026-03-04")
        admin = {"scope": "admin"}
        self.intake.call("PUT", "/v1/teams/syg", body={"name": "Sygedagpenge"}, **admin)
        self.intake.call("PUT", "/v1/caseworkers/cw-syg", body={
            "name": "cw syg", "team_id": "syg",
            "target_groups": ["sygedagpenge-beskaeftiget", "jobafklaring"]}, **admin)
        r = self.intake.call("POST", "/v1/cases", scope="caseworker", body={
            "cpr": self.p.cpr(), "name": self.p.name(), "target_group": "sygedagpenge-beskaeftiget",
            "visitation": "sygedagpenge-kategori-2", "start_date": "2026-03-02", "digital_post": True})
        self.assertEqual(r.status, 201, r)
        case = r.json
        cid = case["case_id"]
        self.assertEqual(case["caseworker_id"], "cw-syg")
        jctest.wait_until(lambda: self.sched.call("GET", f"/v1/cases/{cid}/obligations",
                                                  scope="caseworker").status == 200, 30, "scheduling")
        obs = self.obligations(cid)["obligations"]
        first = obs[0]
        # week 8 (minus a day) = Sunday 26 April; rolled back to Friday 24 April
        self.assertEqual((first["kind"], first["ordinal"], first["due_date"]), ("meeting", 1, "2026-04-24"))
        reassessment = [o for o in obs if o["kind"] == "reassessment"][0]
        self.assertEqual(reassessment["due_date"], "2026-08-03")     # week 22 from 2 March
        # The caseworker books the first follow-up on the Tuesday after Easter; it is held.
        b = self.sched.call("POST", f"/v1/cases/{cid}/meetings", scope="caseworker",
                            body={"starts_at": "2026-04-07T10:00:00+02:00", "channel": "in_person",
                                  "location": "Jobcentret"})
        self.assertEqual((b.status, b.json["obligation_id"]), (201, first["obligation_id"]), b)
        r = self.sched.call("POST", "/v1/cases/{}/meetings".format(cid), scope="caseworker",
                            body={"starts_at": "2026-04-03T10:00:00+02:00", "channel": "phone"})
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "starts_at"))   # Good Friday
        self.start("2026-04-08")
        h = self.sched.call("POST", f"/v1/meetings/{b.json['meeting_id']}/outcome", scope="caseworker",
                            body={"outcome": "held"})
        self.assertEqual(h.status, 200, h)
        # The week-22 reassessment, booked and held in July.
        self.start("2026-07-20")
        ra = self.sched.call("POST", f"/v1/cases/{cid}/meetings", scope="caseworker",
                             body={"starts_at": "2026-07-28T09:00:00+02:00", "channel": "video",
                                   "purpose": "reassessment"})
        self.assertEqual((ra.status, ra.json["obligation_id"]), (201, reassessment["obligation_id"]), ra)
        self.start("2026-07-28")
        self.assertEqual(self.sched.call("POST", f"/v1/meetings/{ra.json['meeting_id']}/outcome",
                                         scope="caseworker", body={"outcome": "held"}).status, 200)
        # Its conclusion: jobafklaringsforløb from 3 August.
        r = self.intake.call("POST", f"/v1/cases/{cid}/target-group", scope="caseworker",
                             body={"target_group": "jobafklaring", "effective_date": "2026-08-03"})
        self.assertEqual((r.status, r.json["target_group"]), (200, "jobafklaring"), r)
        jctest.wait_until(lambda: self.obligations(cid)["target_group"] == "jobafklaring", 30, "group change")
        after = {(o["target_group"], o["kind"], o["ordinal"]): o for o in self.obligations(cid)["obligations"]}
        syg = {k: v["status"] for k, v in after.items() if k[0] == "sygedagpenge-beskaeftiget"}
        self.assertEqual(syg[("sygedagpenge-beskaeftiget", "meeting", 1)], "fulfilled")
        self.assertEqual(syg[("sygedagpenge-beskaeftiget", "reassessment", 1)], "fulfilled")
        self.assertTrue(all(s in ("fulfilled", "cancelled") for s in syg.values()), syg)
        # the events on the topics tell the same story
        jctest.wait_until(lambda: self.p.stack.scalar(
            "SELECT count(*) FROM scheduling.outbox WHERE published_at IS NULL") == 0, 30, "published")
        case_events = [m["value"] for m in self.p.stack.read_topic("jobcenter.case.v1") if m["key"].decode() == cid]
        types = [jctest.validate_event(v)["type"][len("dk.jobcenter."):] for v in case_events]
        self.assertEqual(types[0], "case.opened.v1")
        self.assertIn("case.target_group_changed.v1", types)
        meeting_types = [jctest.validate_event(m["value"])["type"][len("dk.jobcenter."):]
                         for m in self.p.stack.read_topic("jobcenter.meeting.v1") if m["key"].decode() == cid]
        self.assertEqual(meeting_types, ["meeting.booked.v1", "meeting.held.v1", "meeting.booked.v1",
                                         "meeting.held.v1"])


if __name__ == "__main__":
    jctest.main()
