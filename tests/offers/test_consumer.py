"""offers as a consumer of jobcenter.case.v1 (from a real intake) and
jobcenter.meeting.v1: the projection and obligations follow the case's
lifecycle; replaying the whole case topic (the same messages again, and a
new consumer group reading it from the start) changes nothing; malformed
events go to the dead-letter topic naming the field while the consumer goes
on."""
import json
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import offerstest  # noqa: E402
from offerstest import jctest  # noqa: E402

TABLES = {  # table -> columns that legitimately differ between runs (none may change on replay)
    "case_projection": "case_id", "obligation": "obligation_id", "enrolment": "enrolment_id",
    "follow_up": "follow_up_id", "attendance": "enrolment_id, day", "case_meeting": "case_id",
    "case_event": "id", "outbox": "id", "inbox": "source, event_id", "dead_letter": "id",
}


class ConsumerTest(offerstest.OffersTest):

    def snapshot(self):
        snap = {}
        for table, order in TABLES.items():
            rows = self.p.stack.sql(f"SELECT to_jsonb(t)::text FROM offers.{table} t ORDER BY {order}")
            snap[table] = [r[0] for r in rows]
        return snap

    def drained(self):
        jctest.wait_drained(self.p, "intake", "offers", offerstest.CASE_TOPIC)

    def test_real_intake_lifecycle_and_replay_changes_nothing(self):
        intake = self.p.service("intake")
        admin = {"scope": "admin"}
        self.assertEqual(intake.call("PUT", "/v1/teams/job", body={"name": "Job"}, **admin).status, 200)
        for cw in ("cw-a", "cw-b"):
            r = intake.call("PUT", f"/v1/caseworkers/{cw}", body={
                "name": cw, "team_id": "job", "target_groups": ["a-dagpenge", "kontanthjaelp-jobparat",
                                                                "kontanthjaelp-aktivitetsparat", "ung-under-18"]}, **admin)
            self.assertEqual(r.status, 200, r)

        def case(group, start):
            r = intake.call("POST", "/v1/cases", scope="caseworker", body={
                "cpr": self.p.cpr(), "name": self.p.name(), "target_group": group, "start_date": start})
            self.assertEqual(r.status, 201, r)
            return r.json
        dp = case("a-dagpenge", "2026-06-01")
        kh = case("kontanthjaelp-aktivitetsparat", "2026-09-07")
        youth = case("ung-under-18", "2026-11-02")
        gone = case("kontanthjaelp-jobparat", "2026-11-02")
        handover = self.p.handover()
        r = intake.call("POST", "/v1/handovers", scope="akasse:3F", body=handover)
        self.assertEqual(r.status, 201, r)
        handed = r.json
        # Lifecycle in intake: target group, visitation, reassignment, close.
        self.assertEqual(intake.call("POST", f"/v1/cases/{kh['case_id']}/target-group", scope="caseworker",
                                     body={"target_group": "a-dagpenge", "effective_date": "2026-10-05"}).status, 200)
        self.assertEqual(intake.call("POST", f"/v1/cases/{youth['case_id']}/visitation", scope="caseworker",
                                     body={"visitation": "uddannelsesparat", "effective_date": "2026-11-10"}).status, 200)
        other = "cw-b" if dp["caseworker_id"] == "cw-a" else "cw-a"
        self.assertEqual(intake.call("POST", f"/v1/cases/{dp['case_id']}/assignment", scope="caseworker",
                                     body={"caseworker_id": other}).status, 200)
        self.drained()
        praktik = self.offer("virksomhedspraktik", capacity=3)
        en = self.enrol(dp["case_id"], praktik, "2026-11-02", "2027-01-29").json
        self.start(en["enrolment_id"], "2026-11-02")
        self.enrol(gone["case_id"], self.offer("nytteindsats"), "2026-11-30", "2027-01-29")
        self.assertEqual(intake.call("POST", f"/v1/cases/{gone['case_id']}/close", scope="caseworker",
                                     body={"reason": "self_supporting", "closed_on": "2026-11-20"}).status, 200)
        self.drained()

        view = {c["case_id"]: c for c in (self.ok("GET", f"/v1/cases/{x['case_id']}")
                                           for x in (dp, kh, youth, gone, handed))}
        self.assertEqual((view[dp["case_id"]]["caseworker_id"], view[kh["case_id"]]["target_group"],
                          view[kh["case_id"]]["group_since"], view[youth["case_id"]]["visitation"],
                          view[gone["case_id"]]["status"], view[gone["case_id"]]["close_reason"]),
                         (other, "a-dagpenge", "2026-10-05", "uddannelsesparat", "closed", "self_supporting"))
        self.assertEqual(view[handed["case_id"]]["start_date"], handover["unemployed_since"])
        self.assertEqual([o["status"] for o in self.obligations(dp["case_id"])], ["fulfilled"])
        self.assertEqual([(o["kind"], o["due_date"]) for o in self.obligations(kh["case_id"])],
                         [("active_offer", "2027-04-05")])
        self.assertEqual([o["status"] for o in self.obligations(gone["case_id"])], ["cancelled"])
        ended = self.offer_events({"offer.ended.v1"}, case_id=gone["case_id"])
        self.assertEqual([(e["data"]["outcome"], e["data"]["ended_by"]) for e in ended], [("cancelled", "case_closed")])
        before = self.snapshot()
        case_msgs = self.p.stack.read_topic(offerstest.CASE_TOPIC)
        self.assertEqual(len(before["case_event"]), len(case_msgs))

        # 1. Every case message again (a producer retry, a mirror replay): the inbox absorbs it.
        for m in case_msgs:
            self.feed.producer.produce(offerstest.CASE_TOPIC, value=m["value"], key=m["key"],
                                       headers=list(m["headers"].items()))
        self.feed.flush()
        self.drained()
        self.assertEqual(self.snapshot(), before)
        metrics = self.offers.call("GET", "/metrics").body
        dups = sum(float(line.split()[-1]) for line in metrics.splitlines()
                   if line.startswith("jc_consumer_duplicates_total"))
        self.assertGreaterEqual(dups, len(case_msgs))

        # 2. A new consumer group reads the whole topic from the start.
        problems = self.offers.stop()
        self.assertEqual(problems, [])
        self.offers = self.p.service("offers", env={"JC_TODAY": self.TODAY, "JC_SWEEP_INTERVAL_S": "0",
                                                    "JC_CONSUMER_GROUP": "offers-replay"})
        jctest.wait_drained(self.p, "intake", "offers-replay", offerstest.CASE_TOPIC)
        self.assertEqual(self.snapshot(), before)


class DeadLetterTest(offerstest.OffersTest):
    """Alone on its stack: it counts the dead letters."""

    def test_malformed_events_are_dead_lettered_naming_the_field(self):
        good = self.feed.open("a-dagpenge", "2026-03-02")
        bad_date = offerstest.cloudevent("case.opened.v1", dict(good, case_id=str(uuid.uuid4()), start_date="2026-02-30"))
        no_team = offerstest.cloudevent("case.caseworker_assigned.v1", {
            "case_id": good["case_id"], "citizen_ref": good["citizen_ref"], "caseworker_id": "cw-x",
            "assigned_at": offerstest.now_rfc3339(), "reason": "manual"})
        unknown = offerstest.cloudevent("case.closed.v1", {
            "case_id": str(uuid.uuid4()), "citizen_ref": str(uuid.uuid4()), "target_group": "a-dagpenge",
            "reason": "job", "closed_on": "2026-05-01", "closed_at": offerstest.now_rfc3339()})
        bad_group = offerstest.cloudevent("case.target_group_changed.v1", {
            "case_id": good["case_id"], "citizen_ref": good["citizen_ref"], "previous_target_group": "a-dagpenge",
            "target_group": "pensioner", "effective_date": "2026-05-01"})
        bad_meeting = offerstest.cloudevent("meeting.held.v1", {
            "meeting_id": str(uuid.uuid4()), "case_id": good["case_id"], "citizen_ref": good["citizen_ref"],
            "caseworker_id": "cw-anna", "starts_at": "2026-05-01T09:00:00+02:00", "held_on": "yesterday",
            "channel": "phone"})
        for ev in (bad_date, no_team, unknown, bad_group):
            self.feed.raw(json.dumps(ev).encode(), key=ev["subject"].encode())
        self.feed.raw(json.dumps(bad_meeting).encode(), key=good["case_id"].encode(), topic="jobcenter.meeting.v1")
        self.feed.raw(b"{not json", key=b"k")
        # Meeting types offers does not act on are recorded as ignored.
        self.feed.send("meeting.cancelled.v1", {
            "meeting_id": str(uuid.uuid4()), "case_id": good["case_id"], "citizen_ref": good["citizen_ref"],
            "caseworker_id": "cw-anna", "starts_at": "2026-05-01T09:00:00+02:00", "cancelled_by": "caseworker"},
            topic="jobcenter.meeting.v1")
        after = self.feed.open("ung-under-18", "2026-11-02")
        jctest.wait_until(lambda: len(self.p.stack.read_topic("jobcenter.dlq.v1")) == 6, 60, "6 dead letters")
        self.wait_cases()
        reasons = sorted(m["headers"]["jc_dlq_error"] for m in self.p.stack.read_topic("jobcenter.dlq.v1"))
        self.assertIn("data.start_date: must be a calendar date YYYY-MM-DD", reasons)
        self.assertIn("data.team_id: is required", reasons)
        self.assertIn("data.case_id: no case.opened.v1 was received for this case", reasons)
        self.assertTrue(any(r.startswith("data.target_group: must be one of") for r in reasons), reasons)
        self.assertIn("data.held_on: must be a calendar date YYYY-MM-DD", reasons)
        self.assertTrue(any("envelope" in r or "JSON" in r for r in reasons), reasons)
        self.assertEqual(self.count("dead_letter"), 6)
        self.assertEqual(self.count("inbox", "outcome = 'ignored'"), 1)
        self.assertEqual(self.count("case_projection", "case_id = %s", (after["case_id"],)), 1)
        # Nothing of the rejected events took effect.
        self.assertEqual(self.ok("GET", f"/v1/cases/{good['case_id']}")["caseworker_id"], "cw-anna")
        self.assertEqual(self.count("case_meeting"), 0)


if __name__ == "__main__":
    jctest.main()
