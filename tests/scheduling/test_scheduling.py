"""scheduling: obligations from the rules on dates around weekends, Easter,
Whit Monday, Christmas, Store Bededag and the 2024 rule-set change; a-kasse
contact history; booking and self-booking rules, conflicts under concurrency;
outcomes and their events; the sweep's warnings exactly once; search lists;
closing and changing a case; the measure on a population with a known answer;
replaying the case topic."""
import concurrent.futures
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import jctest  # noqa: E402

ALL_GROUPS = ["a-dagpenge", "kontanthjaelp-jobparat", "kontanthjaelp-aktivitetsparat",
              "uddannelseshjaelp-uddannelsesparat", "uddannelseshjaelp-aktivitetsparat",
              "sygedagpenge-beskaeftiget", "sygedagpenge-ledig", "jobafklaring", "ressourceforloeb",
              "ledighedsydelse", "revalidering", "selvforsoergelse-hjemrejse", "ung-under-18"]


class SchedulingBase(jctest.PlatformTest):
    TODAY = None  # pin JC_TODAY for both services

    def setUp(self):
        super().setUp()
        env = {"JC_TODAY": self.TODAY} if self.TODAY else {}
        self.intake = self.p.service("intake", env=env)
        self.sched = self.start_scheduling(self.TODAY)
        admin = {"scope": "admin"}
        self.intake.call("PUT", "/v1/teams/team-a", body={"name": "A"}, **admin)
        self.intake.call("PUT", "/v1/caseworkers/cw-1", body={
            "name": "cw 1", "team_id": "team-a", "target_groups": ALL_GROUPS}, **admin)

    def start_scheduling(self, today, instance=0, **extra):
        env = {"JC_SWEEP_INTERVAL_S": "0", "JC_SELF_BOOKING_LEAD_HOURS": "0"}
        if today:
            env["JC_TODAY"] = today
        env.update(extra)
        return self.p.service("scheduling", env=env, instance=instance)

    def restart_scheduling(self, today):
        self.sched.stop()
        self.sched = self.start_scheduling(today, instance=len(self.p.services))

    def wait_consumed(self):
        jctest.wait_until(lambda: self.p.stack.group_lag("scheduling", "jobcenter.case.v1") == 0,
                          60, "scheduling to consume the case topic", interval=0.5)

    def open_case(self, group, start, visitation=None, **extra):
        body = {"cpr": self.p.cpr(), "name": self.p.name(), "target_group": group, "start_date": start}
        if visitation:
            body["visitation"] = visitation
        body.update(extra)
        r = self.intake.call("POST", "/v1/cases", scope="caseworker", body=body)
        self.assertEqual(r.status, 201, r)
        self.wait_known(r.json["case_id"])
        return r.json

    def wait_known(self, case_id):
        jctest.wait_until(lambda: self.sched.call("GET", f"/v1/cases/{case_id}/obligations",
                                                  scope="caseworker").status == 200,
                          30, f"scheduling to learn case {case_id}")

    def obligations(self, case_id):
        r = self.sched.call("GET", f"/v1/cases/{case_id}/obligations", scope="caseworker")
        self.assertEqual(r.status, 200, r)
        return r.json

    def due(self, case_id, status=("open", "fulfilled", "missed")):
        return [(o["kind"], o["ordinal"], o["due_date"]) for o in self.obligations(case_id)["obligations"]
                if o["status"] in status]

    def meeting_events(self, case_id=None, type_suffix=None):
        evs = [json.loads(m["value"]) for m in self.p.stack.read_topic("jobcenter.meeting.v1")]
        return [e for e in evs if (case_id is None or e["subject"] == case_id)
                and (type_suffix is None or e["type"].endswith(type_suffix))]

    def wait_published(self):
        jctest.wait_until(lambda: self.p.stack.scalar(
            "SELECT count(*) FROM scheduling.outbox WHERE published_at IS NULL") == 0, 30, "published")

    def book(self, case_id, starts_at, scope="caseworker", headers=None, **extra):
        path = f"/v1/portal/cases/{case_id}/meetings" if scope == "portal" else f"/v1/cases/{case_id}/meetings"
        return self.sched.call("POST", path, scope=scope, headers=headers,
                               body={"starts_at": starts_at, "channel": "in_person", **extra})


class RuleDerivationTest(SchedulingBase):

    def test_due_dates_around_holidays_and_the_rule_set_change(self):
        cases = {
            # sygedagpenge cat. 2 from 26 Oct 2026: week 8 - 1 day is Sunday 20 Dec -> Fri 18 Dec;
            # 6 months 26 Apr 2027; the week-22 reassessment is Easter Monday 29 Mar 2027 ->
            # before Easter (Maundy Thursday 25 Mar, Good Friday 26 Mar) -> Wed 24 Mar.
            ("sygedagpenge-beskaeftiget", "2026-10-26", "sygedagpenge-kategori-2"): [
                ("meeting", 1, "2026-12-18"), ("meeting", 2, "2027-01-25"), ("meeting", 3, "2027-03-08"),
                ("reassessment", 1, "2027-03-24"), ("meeting", 4, "2027-04-26")],
            # category 1: no four-meeting rule, the reassessment stays.
            ("sygedagpenge-ledig", "2026-10-26", "sygedagpenge-kategori-1"): [
                ("reassessment", 1, "2027-03-24")],
            # youth drop-out Wed 20 May 2026: 5 working days skip the weekend and Whit Monday 25 May.
            ("ung-under-18", "2026-05-20", None): [("youth_contact", 1, "2026-05-28")],
            # cash benefit from Mon 30 Mar 2026: +1 week is Easter Monday -> Wed 1 Apr; +2 months
            # is Sat 30 May -> Fri 29 May.
            ("kontanthjaelp-jobparat", "2026-03-30", None): [
                ("meeting", 1, "2026-04-01"), ("meeting", 2, "2026-05-29"), ("meeting", 3, "2026-07-30"),
                ("meeting", 4, "2026-09-30")],
            # +1 week lands on Constitution Day (a configured closing day) -> Thu 4 Jun.
            ("kontanthjaelp-aktivitetsparat", "2026-05-29", None): [
                ("meeting", 1, "2026-06-04"), ("meeting", 2, "2026-07-29"), ("meeting", 3, "2026-09-29"),
                ("meeting", 4, "2026-11-27")],
            # Store Bededag 5 May 2023 was a holiday -> Thu 4 May ...
            ("uddannelseshjaelp-uddannelsesparat", "2023-04-28", None): [
                ("meeting", 1, "2023-05-04"), ("meeting", 2, "2023-06-28"), ("meeting", 3, "2023-08-28"),
                ("meeting", 4, "2023-10-27")],
            # ... its 2024 date (Fri 26 Apr) is a working day.
            ("uddannelseshjaelp-aktivitetsparat", "2024-04-19", None): [
                ("meeting", 1, "2024-04-26"), ("meeting", 2, "2024-06-19"), ("meeting", 3, "2024-08-19"),
                ("meeting", 4, "2024-10-18")],
            # a-dagpenge the day before the 2024 rule set: four jobcenter meetings (leap day 29 Feb).
            ("a-dagpenge", "2023-12-31", None): [
                ("meeting", 1, "2024-01-31"), ("meeting", 2, "2024-02-29"), ("meeting", 3, "2024-04-30"),
                ("meeting", 4, "2024-06-28")],
            # from 1 Jan 2024: six meetings, the a-kasse's three first (+3 months is Easter Monday
            # 1 Apr 2024 -> Wed 27 Mar).
            ("a-dagpenge", "2024-01-01", None): [
                ("meeting", 1, "2024-02-01"), ("meeting", 2, "2024-03-01"), ("meeting", 3, "2024-03-27"),
                ("meeting", 4, "2024-05-01"), ("meeting", 5, "2024-05-31"), ("meeting", 6, "2024-07-01")],
            # groups without contact rules in the rule data.
            ("jobafklaring", "2026-03-02", None): [],
            ("revalidering", "2026-03-02", None): [],
        }
        for (group, start, vis), expected in cases.items():
            case = self.open_case(group, start, vis)
            ob = self.obligations(case["case_id"])
            got = sorted(((o["kind"], o["ordinal"], o["due_date"]) for o in ob["obligations"]),
                         key=lambda x: (x[2], x[0]))
            self.assertEqual(got, sorted(expected, key=lambda x: (x[2], x[0])), (group, start, vis))
            self.assertEqual(ob["rule_set"]["id"], "lab-2024" if start >= "2024-01-01" else "lab-2020")
            for o in ob["obligations"]:
                self.assertTrue(o["rule"]["source"], o)
        resp = {o["ordinal"]: o["responsible"] for o in self.obligations(
            self.open_case("a-dagpenge", "2024-02-05")["case_id"])["obligations"]}
        self.assertEqual(resp, {1: "akasse", 2: "akasse", 3: "akasse", 4: "jobcenter", 5: "jobcenter",
                                6: "jobcenter"})


class HandoverTest(SchedulingBase):
    TODAY = "2026-04-10"

    def test_akasse_contact_history_counts_and_the_rest_falls_to_the_jobcenter(self):
        body = self.p.handover(unemployed_since="2026-01-05", handover_date="2026-04-06", contact_history=[
            {"date": "2026-01-12", "kind": "individual", "channel": "in_person"},
            {"date": "2026-02-16", "kind": "individual", "channel": "phone"},
            {"date": "2026-03-16", "kind": "group"}])
        r = self.intake.call("POST", "/v1/handovers", scope="akasse:3F", body=body)
        self.assertEqual(r.status, 201, r)
        case_id = r.json["case_id"]
        self.wait_known(case_id)
        obs = {o["ordinal"]: o for o in self.obligations(case_id)["obligations"]}
        # Two individual a-kasse meetings fulfil ordinals 1 and 2; the group meeting does not count.
        self.assertEqual([(obs[i]["status"], obs[i]["fulfilled_by"], obs[i]["fulfilled_on"]) for i in (1, 2)],
                         [("fulfilled", "akasse", "2026-01-12"), ("fulfilled", "akasse", "2026-02-16")])
        # The other four fall to the jobcenter, spread from the handover (6 Apr) to the last
        # due date (6 months: Sun 5 Jul -> Fri 3 Jul 2026).
        self.assertEqual([(obs[i]["due_date"], obs[i]["responsible"], obs[i]["status"]) for i in (3, 4, 5, 6)],
                         [("2026-04-28", "jobcenter", "open"), ("2026-05-20", "jobcenter", "open"),
                          ("2026-06-11", "jobcenter", "open"), ("2026-07-03", "jobcenter", "open")])
        # The measure counts the a-kasse's meetings.
        m = self.sched.call("GET", "/v1/measures/timeliness?target_group=a-dagpenge&as_of=2026-07-10"
                                   "&required_meetings=6", scope="caseworker").json
        self.assertEqual((m["population"], m["cases"][0]["meetings_held"]), (1, 2))


class BookingTest(SchedulingBase):
    TODAY = "2026-11-23"   # a Monday; "now" is noon

    def citizen(self, case):
        return {"X-Citizen-Ref": case["citizen_ref"]}

    def test_self_booking_rules(self):
        case = self.open_case("sygedagpenge-beskaeftiget", "2026-11-02", "sygedagpenge-kategori-2")
        cid, h = case["case_id"], self.citizen(case)
        first = self.obligations(cid)["obligations"][0]
        self.assertEqual((first["ordinal"], first["due_date"]), (1, "2026-12-23"))
        s = self.sched.call("GET", f"/v1/portal/cases/{cid}/slots", scope="portal", headers=h)
        self.assertEqual(s.status, 200, s)
        self.assertEqual((s.json["until"], s.json["obligation_id"]), ("2026-12-23", first["obligation_id"]))
        slots = s.json["slots"]
        self.assertEqual(slots[0], "2026-11-23T12:00:00+01:00")   # from now (noon)
        days = {x[:10] for x in slots}
        for d in ("2026-11-28", "2026-11-29", "2026-12-24", "2026-12-25", "2026-12-26"):
            self.assertNotIn(d, days)                               # weekends, holidays, closing day
        self.assertIn("2026-11-27T11:30:00+01:00", slots)           # Friday closes at 12:00
        self.assertNotIn("2026-11-27T12:00:00+01:00", slots)
        self.assertIn("2026-11-26T16:30:00+01:00", slots)           # Thursday until 17:00
        self.assertNotIn("2026-11-24T15:30:00+01:00", slots)        # Tuesday closes 15:30
        self.assertLessEqual(max(days), "2026-12-23")

        def refused(starts, field, status=422, text=None):
            r = self.book(cid, starts, scope="portal", headers=h)
            self.assertEqual((r.status, r.json["errors"][0]["field"]), (status, field), r)
            if text:
                self.assertIn(text, r.json["errors"][0]["message"])
        refused("2026-11-24T07:30:00+01:00", "starts_at", text="opening hours")
        refused("2026-11-24T15:15:00+01:00", "starts_at", text="opening hours")   # would end 15:45
        refused("2026-11-28T09:00:00+01:00", "starts_at", text="opening hours")   # Saturday
        refused("2026-12-24T09:00:00+01:00", "starts_at", text="opening hours")   # closed
        refused("2027-01-05T09:00:00+01:00", "starts_at", text="2026-12-23")      # after the due date
        refused("2026-11-23T09:00:00+01:00", "starts_at", text="earliest")        # before now
        r = self.book(cid, "2026-11-24T09:00:00+01:00", scope="portal", headers=h)
        self.assertEqual(r.status, 201, r)
        meeting = r.json
        self.assertEqual((meeting["booked_by"], meeting["obligation_id"], meeting["ends_at"]),
                         ("citizen", first["obligation_id"], "2026-11-24T09:30:00+01:00"))
        r = self.book(cid, "2026-11-25T09:00:00+01:00", scope="portal", headers=h,
                      obligation_id=first["obligation_id"])
        self.assertEqual((r.status, r.json["type"]), (409, "urn:jobcenter:problem:already-booked"))
        # Another citizen of the same caseworker cannot take that time.
        other = self.open_case("sygedagpenge-beskaeftiget", "2026-11-02", "sygedagpenge-kategori-2")
        r = self.book(other["case_id"], "2026-11-24T09:15:00+01:00", scope="portal", headers=self.citizen(other))
        self.assertEqual((r.status, r.json["type"]), (409, "urn:jobcenter:problem:slot-taken"))
        # A blocked period is not bookable either.
        r = self.sched.call("POST", "/v1/caseworkers/cw-1/blocks", scope="caseworker", body={
            "starts_at": "2026-11-25T08:00:00+01:00", "ends_at": "2026-11-25T12:00:00+01:00", "reason": "course"})
        self.assertEqual(r.status, 201, r)
        r = self.book(other["case_id"], "2026-11-25T10:00:00+01:00", scope="portal", headers=self.citizen(other))
        self.assertEqual(r.status, 409)
        # Identity: the portal must say who the citizen is, and only their own case.
        self.assertEqual(self.sched.call("GET", f"/v1/portal/cases/{cid}/slots", scope="portal").status, 400)
        self.assertEqual(self.sched.call("GET", f"/v1/portal/cases/{cid}/slots", scope="portal",
                                         headers=self.citizen(other)).status, 404)
        self.assertEqual(self.book(cid, "2026-11-26T09:00:00+01:00", scope="portal",
                                   headers=self.citizen(other)).status, 404)
        self.assertEqual(self.sched.call("GET", f"/v1/portal/cases/{cid}/slots", scope="caseworker").status, 403)
        # Rebook, then cancel.
        r = self.sched.call("POST", f"/v1/portal/meetings/{meeting['meeting_id']}/reschedule", scope="portal",
                            headers=h, body={"starts_at": "2026-11-26T16:00:00+01:00"})
        self.assertEqual((r.status, r.json["starts_at"]), (200, "2026-11-26T16:00:00+01:00"))
        r = self.sched.call("POST", f"/v1/portal/meetings/{meeting['meeting_id']}/reschedule", scope="portal",
                            headers=h, body={"starts_at": "2027-01-04T09:00:00+01:00"})
        self.assertEqual(r.status, 422)
        r = self.sched.call("POST", f"/v1/portal/meetings/{meeting['meeting_id']}/cancel", scope="portal",
                            headers=h, body={})
        self.assertEqual((r.status, r.json["status"]), (200, "cancelled"))
        self.assertEqual(self.sched.call("POST", f"/v1/portal/meetings/{meeting['meeting_id']}/cancel",
                                         scope="portal", headers=h, body={}).status, 409)
        self.wait_published()
        types = [e["type"].split(".")[-2] for e in self.meeting_events(cid)]
        self.assertEqual(types, ["booked", "rescheduled", "cancelled"])
        resched = self.meeting_events(cid, "rescheduled.v1")[0]["data"]
        self.assertEqual((resched["previous_starts_at"], resched["starts_at"], resched["rescheduled_by"]),
                         ("2026-11-24T09:00:00+01:00", "2026-11-26T16:00:00+01:00", "citizen"))
        self.assertEqual(self.meeting_events(cid, "cancelled.v1")[0]["data"]["cancelled_by"], "citizen")

    def test_concurrent_bookings_of_one_slot(self):
        cases = [self.open_case("kontanthjaelp-jobparat", "2026-11-16") for _ in range(10)]

        def book(c):
            return self.book(c["case_id"], "2026-11-25T10:00:00+01:00")
        with concurrent.futures.ThreadPoolExecutor(10) as pool:
            results = list(pool.map(book, cases))
        self.assertEqual(sorted(r.status for r in results), [201] + [409] * 9)
        self.assertEqual(self.p.stack.scalar("SELECT count(*) FROM scheduling.meeting WHERE status = 'booked'"), 1)

    def test_changes_of_one_meeting_serialise_and_stay_in_its_calendar(self):
        a = self.open_case("kontanthjaelp-jobparat", "2026-11-16")
        b = self.open_case("kontanthjaelp-jobparat", "2026-11-16")
        # Both booked in cw-2's calendar although the cases are cw-1's.
        m1 = self.book(a["case_id"], "2026-11-25T09:00:00+01:00", caseworker_id="cw-2").json
        m2 = self.book(b["case_id"], "2026-11-25T10:00:00+01:00", caseworker_id="cw-2").json
        self.assertEqual((m1["caseworker_id"], m2["caseworker_id"]), ("cw-2", "cw-2"))
        # A move stays in cw-2's calendar: 10:00 is taken there.
        r = self.sched.call("POST", f"/v1/meetings/{m1['meeting_id']}/reschedule", scope="caseworker",
                            body={"starts_at": "2026-11-25T10:00:00+01:00"})
        self.assertEqual((r.status, r.json["type"]), (409, "urn:jobcenter:problem:slot-taken"), r)
        r = self.sched.call("POST", f"/v1/meetings/{m1['meeting_id']}/reschedule", scope="caseworker",
                            body={"starts_at": "2026-11-25T11:00:00+01:00"})
        self.assertEqual((r.status, r.json["caseworker_id"], r.json["obligation_id"]),
                         (200, "cw-2", m1["obligation_id"]), r)
        # Eight cancels of one meeting at once: one succeeds, one event.
        def cancel(_):
            return self.sched.call("POST", f"/v1/meetings/{m2['meeting_id']}/cancel", scope="caseworker",
                                   body={"reason": "other"}).status
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            statuses = sorted(pool.map(cancel, range(8)))
        self.assertEqual(statuses, [200] + [409] * 7)
        # A cancelled meeting can be neither moved nor given an outcome.
        r = self.sched.call("POST", f"/v1/meetings/{m2['meeting_id']}/reschedule", scope="caseworker",
                            body={"starts_at": "2026-11-26T09:00:00+01:00"})
        self.assertEqual((r.status, r.json["type"]), (409, "urn:jobcenter:problem:meeting-not-booked"))
        self.wait_published()
        self.assertEqual(len(self.meeting_events(b["case_id"], "meeting.cancelled.v1")), 1)
        # A meeting cannot be booked for the reassessment obligation, nor a reassessment for a meeting.
        syg = self.open_case("sygedagpenge-beskaeftiget", "2026-11-02", "sygedagpenge-kategori-2")
        obs = {o["kind"]: o["obligation_id"] for o in self.obligations(syg["case_id"])["obligations"]}
        r = self.book(syg["case_id"], "2026-11-26T09:00:00+01:00", obligation_id=obs["reassessment"])
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "obligation_id"))
        r = self.book(syg["case_id"], "2026-11-26T09:00:00+01:00", obligation_id=obs["meeting"],
                      purpose="reassessment")
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "obligation_id"))
        # The portal offers slots for the next meeting, never for the reassessment.
        s = self.sched.call("GET", f"/v1/portal/cases/{syg['case_id']}/slots", scope="portal",
                            headers=self.citizen(syg)).json
        self.assertNotEqual(s["obligation_id"], obs["reassessment"])

    def test_registering_a_meeting_that_was_held(self):
        case = self.open_case("sygedagpenge-beskaeftiget", "2026-11-02", "sygedagpenge-kategori-2")
        other = self.open_case("sygedagpenge-beskaeftiget", "2026-11-02", "sygedagpenge-kategori-2")
        cid = case["case_id"]
        r = self.book(cid, "2026-11-10T09:00:00+01:00", channel="phone", outcome="held")
        self.assertEqual((r.status, r.json["status"], r.json["held_on"], r.json["booked_by"]),
                         (201, "held", "2026-11-10", "caseworker"), r)
        first = self.obligations(cid)["obligations"][0]
        self.assertEqual((first["status"], first["fulfilled_by_meeting"], first["fulfilled_on"]),
                         ("fulfilled", r.json["meeting_id"], "2026-11-10"))
        for starts, why in (("2026-11-23T13:00:00+01:00", "must have ended"),     # later today
                            ("2026-10-30T09:00:00+01:00", "start date"),          # before the case
                            ("2026-11-07T09:00:00+01:00", None)):                 # a Saturday
            r = self.book(cid, starts, outcome="held")
            self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "starts_at"), r)
            if why:
                self.assertIn(why, r.json["errors"][0]["message"])
        # The caseworker's calendar: the same hour is taken.
        r = self.book(other["case_id"], "2026-11-10T09:00:00+01:00", outcome="held")
        self.assertEqual(r.status, 409, r)
        r = self.book(cid, "2026-11-25T09:00:00+01:00", scope="portal", headers=self.citizen(case),
                      outcome="held")
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "outcome"))
        self.wait_published()
        self.assertEqual([e["type"] for e in self.meeting_events(cid)], ["dk.jobcenter.meeting.held.v1"])
        self.assertEqual(self.meeting_events(cid)[0]["data"]["fulfilled_obligation_id"], first["obligation_id"])

    def test_outcomes_and_the_sweep_warn_exactly_once(self):
        case = self.open_case("sygedagpenge-beskaeftiget", "2026-11-02", "sygedagpenge-kategori-2")
        cid = case["case_id"]
        a = self.book(cid, "2026-11-24T09:00:00+01:00").json
        b = self.book(cid, "2026-11-24T10:00:00+01:00").json
        self.assertEqual(self.sched.call("POST", f"/v1/meetings/{a['meeting_id']}/outcome", scope="caseworker",
                                         body={"outcome": "held"}).status, 409)   # not started yet
        self.restart_scheduling("2026-11-25")
        for held_on in ("2026-11-23", "2026-11-26", "2030-01-01"):   # before the meeting, after today
            r = self.sched.call("POST", f"/v1/meetings/{a['meeting_id']}/outcome", scope="caseworker",
                                body={"outcome": "held", "held_on": held_on})
            self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "held_on"), held_on)
        r = self.sched.call("POST", f"/v1/meetings/{a['meeting_id']}/outcome", scope="caseworker",
                            body={"outcome": "held"})
        self.assertEqual((r.status, r.json["status"], r.json["held_on"]), (200, "held", "2026-11-24"))
        r = self.sched.call("POST", f"/v1/meetings/{b['meeting_id']}/outcome", scope="caseworker",
                            body={"outcome": "no_show"})
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "lawful_reason"))
        r = self.sched.call("POST", f"/v1/meetings/{b['meeting_id']}/outcome", scope="caseworker",
                            body={"outcome": "no_show", "lawful_reason": False})
        self.assertEqual((r.status, r.json["status"], r.json["lawful_reason"]), (200, "no_show", False))
        obs = {(o["kind"], o["ordinal"]): o for o in self.obligations(cid)["obligations"]}
        self.assertEqual((obs[("meeting", 1)]["status"], obs[("meeting", 1)]["fulfilled_by_meeting"]),
                         ("fulfilled", a["meeting_id"]))
        self.assertEqual(obs[("meeting", 2)]["status"], "open")
        # Meeting 2 is due 1 Feb 2027 (+13 weeks): due soon a week before, once; missed the
        # day after, once.
        r = self.sched.call("POST", "/v1/admin/sweep?today=2027-01-25", scope="admin")
        self.assertEqual((r.status, r.json["obligations_due_soon"], r.json["obligations_missed"]), (200, 1, 0))
        r = self.sched.call("POST", "/v1/admin/sweep?today=2027-01-26", scope="admin")
        self.assertEqual((r.json["obligations_due_soon"], r.json["obligations_missed"]), (0, 0))
        r = self.sched.call("POST", "/v1/admin/sweep?today=2027-02-02", scope="admin")
        self.assertEqual((r.json["obligations_missed"], r.json["obligations_due_soon"]), (1, 0))
        self.assertEqual(self.sched.call("POST", "/v1/admin/sweep?today=2027-02-02",
                                         scope="admin").json["obligations_missed"], 0)
        self.assertEqual(self.sched.call("POST", "/v1/admin/sweep?today=x", scope="admin").status, 422)
        self.assertEqual(self.sched.call("POST", "/v1/admin/sweep", scope="caseworker").status, 403)
        self.wait_published()
        held = self.meeting_events(cid, "meeting.held.v1")
        self.assertEqual([e["data"]["fulfilled_obligation_id"] for e in held],
                         [obs[("meeting", 1)]["obligation_id"]])
        no_show = self.meeting_events(cid, "meeting.no_show.v1")
        self.assertEqual([(e["data"]["meeting_id"], e["data"]["lawful_reason"]) for e in no_show],
                         [(b["meeting_id"], False)])
        soon = self.meeting_events(cid, "obligation.due_soon.v1")
        missed = self.meeting_events(cid, "obligation.missed.v1")
        self.assertEqual([(e["data"]["ordinal"], e["data"]["due_date"], e["data"]["days_left"]) for e in soon],
                         [(2, "2027-02-01", 7)])
        self.assertEqual([(e["data"]["ordinal"], e["data"]["due_date"]) for e in missed], [(2, "2027-02-01")])
        self.assertEqual(self.obligations(cid)["obligations"][1]["status"], "missed")
        self.assertTrue(all(e["data"]["rule"] == "R34-sygedagpenge-follow-up" for e in soon + missed))

    def test_search_lists(self):
        a = self.open_case("kontanthjaelp-jobparat", "2026-11-20")   # meeting 1 due 27 Nov
        b = self.open_case("kontanthjaelp-jobparat", "2026-11-23")   # due 30 Nov
        c = self.open_case("ung-under-18", "2026-11-20")             # youth contact due 27 Nov
        self.open_case("kontanthjaelp-jobparat", "2026-10-01")       # due 8 Oct: overdue
        lst = self.sched.call("GET", "/v1/obligations?list=due_soon&within_days=7", scope="caseworker").json
        got = [(i["case_id"], i["due_date"]) for i in lst["items"]]
        self.assertEqual(sorted(got), sorted([(a["case_id"], "2026-11-27"), (c["case_id"], "2026-11-27"),
                                              (b["case_id"], "2026-11-30")]))
        self.assertEqual([d for _, d in got], sorted(d for _, d in got))   # by due date
        # A booked meeting takes a case off the due-soon list.
        self.assertEqual(self.book(a["case_id"], "2026-11-24T09:00:00+01:00").status, 201)
        lst = self.sched.call("GET", "/v1/obligations?list=due_soon&within_days=7", scope="caseworker").json
        self.assertNotIn(a["case_id"], [i["case_id"] for i in lst["items"]])
        f = self.sched.call("GET", "/v1/obligations?list=due_soon&within_days=7&target_group=ung-under-18",
                            scope="caseworker").json
        self.assertEqual([i["case_id"] for i in f["items"]], [c["case_id"]])
        self.assertEqual(self.sched.call("GET", "/v1/obligations?list=due_soon&caseworker_id=nobody",
                                         scope="caseworker").json["items"], [])
        self.assertEqual(len(self.sched.call("GET", "/v1/obligations?list=due_soon&team_id=team-a&within_days=7",
                                             scope="caseworker").json["items"]), 2)
        over = self.sched.call("GET", "/v1/obligations?list=overdue", scope="caseworker").json
        self.assertEqual([(i["kind"], i["ordinal"], i["due_date"]) for i in over["items"]],
                         [("meeting", 1, "2026-10-08")])
        # Cursor pagination through every open obligation.
        seen, cursor = [], None
        while True:
            q = "/v1/obligations?list=open&limit=3" + (f"&cursor={cursor}" if cursor else "")
            page = self.sched.call("GET", q, scope="caseworker").json
            seen += [i["obligation_id"] for i in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        self.assertEqual(len(seen), len(set(seen)))
        self.assertEqual(len(seen), self.p.stack.scalar(
            "SELECT count(*) FROM scheduling.obligation WHERE status IN ('open', 'missed')"))


class CaseChangesTest(SchedulingBase):
    TODAY = "2026-11-23"

    def test_close_change_group_and_visitation_end_obligations(self):
        syg = self.open_case("sygedagpenge-beskaeftiget", "2026-11-02", "sygedagpenge-kategori-2")
        sid = syg["case_id"]
        self.assertEqual(self.book(sid, "2026-11-30T09:00:00+01:00").status, 201)
        # Category 1: the four meetings end, the week-22 reassessment stays.
        self.intake.call("POST", f"/v1/cases/{sid}/visitation", scope="caseworker",
                         body={"visitation": "sygedagpenge-kategori-1", "effective_date": "2026-11-23"})
        jctest.wait_until(lambda: [o["kind"] for o in self.obligations(sid)["obligations"]
                                   if o["status"] == "open"] == ["reassessment"], 30, "kategori-1")
        # Week 22: sygedagpenge -> jobafklaring; nothing of sygedagpenge is left open.
        self.intake.call("POST", f"/v1/cases/{sid}/target-group", scope="caseworker",
                         body={"target_group": "jobafklaring", "effective_date": "2027-04-05"})
        jctest.wait_until(lambda: all(o["status"] != "open" for o in self.obligations(sid)["obligations"]),
                          30, "target group change")
        reasons = {o["cancelled_reason"] for o in self.obligations(sid)["obligations"]}
        self.assertEqual(reasons, {"visitation_changed", "target_group_changed"})
        # Closing a case ends its obligations and cancels its meetings.
        kh = self.open_case("kontanthjaelp-jobparat", "2026-11-20")
        kid = kh["case_id"]
        m = self.book(kid, "2026-11-25T09:00:00+01:00").json
        self.intake.call("POST", f"/v1/cases/{kid}/close", scope="caseworker",
                         body={"reason": "job", "closed_on": "2026-11-24"})
        jctest.wait_until(lambda: self.obligations(kid)["status"] == "closed", 30, "closed")
        self.assertEqual({o["status"] for o in self.obligations(kid)["obligations"]}, {"cancelled"})
        self.wait_published()
        cancelled = self.meeting_events(kid, "meeting.cancelled.v1")
        self.assertEqual([(e["data"]["meeting_id"], e["data"]["reason"], e["data"]["cancelled_by"])
                          for e in cancelled], [(m["meeting_id"], "case_closed", "system")])
        self.assertEqual(self.book(kid, "2026-11-26T09:00:00+01:00").status, 404)
        # No warnings for closed cases.
        r = self.sched.call("POST", "/v1/admin/sweep?today=2027-06-01", scope="admin").json
        self.assertEqual(r["obligations_missed"], 0)

    def test_replaying_the_case_topic_twice_gives_the_same_state(self):
        for g, start in (("sygedagpenge-beskaeftiget", "2026-11-02"), ("a-dagpenge", "2026-06-01"),
                         ("ung-under-18", "2026-11-20")):
            c = self.open_case(g, start)
        self.intake.call("POST", f"/v1/cases/{c['case_id']}/close", scope="caseworker",
                         body={"reason": "education", "closed_on": "2026-11-23"})
        jctest.wait_until(lambda: self.obligations(c["case_id"])["status"] == "closed", 30, "closed")
        snapshot_sql = ("SELECT o.obligation_id::text, o.kind, o.ordinal, o.due_date::text, o.status,"
                        " c.status, c.target_group FROM scheduling.obligation o"
                        " JOIN scheduling.case_projection c USING (case_id) ORDER BY 1")
        before = self.p.stack.sql(snapshot_sql)
        events_before = self.p.stack.scalar("SELECT count(*) FROM scheduling.case_event")
        for replay in ("replay-1", "replay-2"):
            r = self.p.service("scheduling", roles="consumer", env={"JC_CONSUMER_GROUP": f"scheduling-{replay}"},
                               instance=hash(replay) % 1000)
            jctest.wait_until(lambda g=f"scheduling-{replay}": self.p.stack.group_lag(g, "jobcenter.case.v1") == 0,
                              60, f"{replay} to consume the whole topic", interval=0.5)
            r.stop()
        self.assertEqual(self.p.stack.sql(snapshot_sql), before)
        self.assertEqual(self.p.stack.scalar("SELECT count(*) FROM scheduling.case_event"), events_before)
        self.assertGreater(self.p.stack.scalar(
            "SELECT count(*) FROM scheduling.inbox WHERE consumer = 'scheduling'"), 0)


class OfferEffectsTest(SchedulingBase):
    TODAY = "2026-11-23"

    def offer_started(self, case, started_on):
        import uuid
        return self.p.stack.produce_event("jobcenter.offer.v1", "offer.started.v1", {
            "enrolment_id": str(uuid.uuid4()), "case_id": case["case_id"],
            "citizen_ref": case["citizen_ref"], "offer_id": str(uuid.uuid4()),
            "offer_type": "virksomhedspraktik", "provider_id": str(uuid.uuid4()),
            "started_on": started_on, "planned_end": "2027-02-26", "hours_per_week": 30,
            "fulfilled_obligation_ids": []}, source="/jobcenter/offers")

    def wait_offers_consumed(self):
        jctest.wait_until(lambda: self.p.stack.group_lag("scheduling", "jobcenter.offer.v1") == 0,
                          60, "scheduling to consume the offer topic", interval=0.5)

    def state(self, case_id):
        return [(o["kind"], o["ordinal"], o["status"], o.get("fulfilled_by"), o.get("fulfilled_by_offer"))
                for o in self.obligations(case_id)["obligations"]]

    def test_an_offer_started_fulfils_the_youth_contact_duty_only(self):
        # Friday 20 November: five working days -> Friday 27 November.
        youth = self.open_case("ung-under-18", "2026-11-20")
        late = self.open_case("ung-under-18", "2026-11-20")
        dp = self.open_case("a-dagpenge", "2026-11-02")
        self.assertEqual(self.due(youth["case_id"]), [("youth_contact", 1, "2026-11-27")])
        dp_before = self.state(dp["case_id"])
        ev = self.offer_started(youth, "2026-11-25")
        self.offer_started(late, "2026-11-30")  # after the due date: too late to count
        self.offer_started(dp, "2026-11-24")    # an offer never replaces a jobsamtale
        self.wait_offers_consumed()
        enrolment = ev["data"]["enrolment_id"]
        self.assertEqual(self.state(youth["case_id"]),
                         [("youth_contact", 1, "fulfilled", "offer", enrolment)])
        self.assertEqual(self.obligations(youth["case_id"])["obligations"][0]["fulfilled_on"], "2026-11-25")
        self.assertEqual(self.state(late["case_id"]), [("youth_contact", 1, "open", None, None)])
        self.assertEqual(self.state(dp["case_id"]), dp_before)
        # The same event again, and a second offer start: nothing changes.
        self.p.stack.produce("jobcenter.offer.v1", json.dumps(ev).encode(),
                             key=youth["case_id"].encode())
        self.offer_started(youth, "2026-11-26")
        self.wait_offers_consumed()
        self.assertEqual(self.state(youth["case_id"]),
                         [("youth_contact", 1, "fulfilled", "offer", enrolment)])
        self.assertEqual(self.p.stack.scalar(
            "SELECT count(*) FROM scheduling.dead_letter"), 0)
        # The sweep marks the late one missed on the 28th, not the fulfilled one.
        r = self.sched.call("POST", "/v1/admin/sweep?today=2026-11-28", scope="admin").json
        self.assertEqual(r["obligations_missed"], 1)


class RulebookCheckTest(jctest.PlatformTest):
    def test_a_rulebook_with_a_bad_field_is_refused_at_start(self):
        path = os.path.join(os.path.dirname(__file__), "..", "..", "services", "scheduling",
                            "rules", "contact_rules.json")
        with open(path) as f:
            good = json.load(f)
        cases = [
            (lambda b: b["rule_sets"][1]["rules"][0]["obligations"][3].update(kind="meting"),
             "rule set lab-2024, rule R5-R14-dagpenge-akasse-then-jobcenter, obligations[3]: kind"),
            (lambda b: b["rule_sets"][0]["rules"][4]["obligations"][0].update(due={"workdays": 5}),
             "obligations[0]: due.workdays"),
            (lambda b: b["rule_sets"][0]["rules"][1].update(target_groups=["kontanthjaelp"]),
             "rule R9-R10-four-meetings-first-within-a-week: target_groups[0] is not a known value"),
            (lambda b: b["rule_sets"][0]["rules"][2].update(roll="next_day"), "roll must be"),
            (lambda b: b["rule_sets"][0]["rules"][4]["obligations"][0].update(fulfilled_by_offer="yes"),
             "fulfilled_by_offer must be true or false"),
        ]
        for i, (mutate, expected) in enumerate(cases):
            book = json.loads(json.dumps(good))
            mutate(book)
            bad = os.path.join(self.p.stack.dir, f"rules-{i}.json")
            with open(bad, "w") as f:
                json.dump(book, f)
            svc = self.p.service("scheduling", env={"JC_CONTACT_RULES_FILE": bad}, wait=False,
                                 instance=i)
            rc = svc.proc.wait(60)
            self.assertNotEqual(rc, 0)
            self.assertIn(expected, svc.log_text())


class MeasureTest(SchedulingBase):
    TODAY = "2026-05-18"

    def test_measure_on_a_population_with_a_known_answer(self):
        # Cohort for as_of 20 Nov 2026 (window month): six months' seniority reached in
        # (20 Oct, 20 Nov] = start dates (20 Apr, 20 May]. 7 cases get 4 meetings, 3 get 2:
        # share 3/10 = 0.3 > 0.2, a breach. Outside the cohort: an older case (start 2 Mar), a
        # case closed before six months, another target group.
        def sick(start):
            return self.open_case("sygedagpenge-beskaeftiget", start, "sygedagpenge-kategori-2")
        full = [sick(f"2026-05-{d:02d}") for d in (4, 5, 6, 7, 8, 11, 12)]
        short = [sick(f"2026-05-{d:02d}") for d in (13, 14, 15)]
        old = sick("2026-03-02")
        closed = sick("2026-05-04")
        self.open_case("kontanthjaelp-jobparat", "2026-05-11")
        # Next month's cohort (projection +4 weeks: six months in (17 Nov, 18 Dec] = starts
        # (17 May, 18 Jun]): 4 cases with 2 held + 2 booked after as_of, 1 with 1 held + 1 booked.
        nxt_ok = [sick(f"2026-06-{d:02d}") for d in (1, 2, 3, 4)]
        nxt_short = sick("2026-06-05")

        slot = iter(self.slots_from("2026-05-19"))
        bookings = []   # meetings to be held (after each case's start)
        for c in full + [old]:
            bookings += [self.book_ok(c, next(slot)) for _ in range(4)]
        for c in short:
            bookings += [self.book_ok(c, next(slot)) for _ in range(2)]
        june = iter(self.slots_from("2026-06-08"))
        for c in nxt_ok:
            bookings += [self.book_ok(c, next(june)) for _ in range(2)]
        bookings += [self.book_ok(nxt_short, next(june))]
        self.intake.call("POST", f"/v1/cases/{closed['case_id']}/close", scope="caseworker",
                         body={"reason": "job", "closed_on": "2026-09-01"})
        jctest.wait_until(lambda: self.obligations(closed["case_id"])["status"] == "closed", 30, "closed")
        # Time passes: record the outcomes on 20 Nov; then book what the next month's
        # cohort still needs, in the weeks before their six-month date.
        self.restart_scheduling("2026-11-20")
        for mid in bookings:
            r = self.sched.call("POST", f"/v1/meetings/{mid}/outcome", scope="caseworker",
                                body={"outcome": "held"})
            self.assertEqual(r.status, 200, r)
        later = iter(self.slots_from("2026-11-23"))
        for c in nxt_ok:
            self.book_ok(c, next(later))
            self.book_ok(c, next(later))
        self.book_ok(nxt_short, next(later))

        self.wait_consumed()
        m = self.sched.call("GET", "/v1/measures/timeliness?target_group=sygedagpenge-beskaeftiget"
                                   "&as_of=2026-11-20", scope="caseworker").json
        self.assertEqual((m["population"], m["short_of_required"], m["share"], m["breach"],
                          m["population_sufficient"]), (10, 3, 0.3, True, True))
        self.assertEqual(sorted(c["case_id"] for c in m["cases"]), sorted(c["case_id"] for c in short))
        self.assertEqual({c["meetings_held"] for c in m["cases"]}, {2})
        p4 = m["projected_4_weeks"]
        self.assertEqual((p4["population"], p4["short_of_required"], p4["share"], p4["breach"]),
                         (5, 1, 0.2, False))
        allw = self.sched.call("GET", "/v1/measures/timeliness?target_group=sygedagpenge-beskaeftiget"
                                      "&as_of=2026-11-20&window=all", scope="caseworker").json
        self.assertEqual((allw["population"], allw["short_of_required"]), (11, 3))   # + the old case
        bad = self.sched.call("GET", "/v1/measures/timeliness?target_group=nope&as_of=2026-13-01&window=x",
                              scope="caseworker")
        self.assertEqual(sorted(e["field"] for e in bad.json["errors"]), ["as_of", "target_group", "window"])

    def slots_from(self, day):
        """Free slots of cw-1 from `day` on, as the slots API lists them."""
        case = self.p.stack.scalar("SELECT case_id::text FROM scheduling.case_projection LIMIT 1")
        r = self.sched.call("GET", f"/v1/cases/{case}/slots?from={day}&until=2026-12-31", scope="caseworker")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(all(s[:10] >= day for s in r.json["slots"]))
        return r.json["slots"]

    def book_ok(self, case, starts_at):
        r = self.book(case["case_id"], starts_at)
        self.assertEqual(r.status, 201, r)
        return r.json["meeting_id"]


if __name__ == "__main__":
    jctest.main()
