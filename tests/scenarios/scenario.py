"""Helpers shared by the cross-service scenarios: services pinned to a day
(JC_TODAY) and restarted on a later one, the Danish working-day calendar the
tests compute their expected deadlines with (independently of the services'
own calendar), and what notifications and postreceiver say about a case's
letters. Everything goes through the services' public APIs and the topics."""
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools", "seed"))
import jctest  # noqa: E402
import seed_municipality  # noqa: E402

D = datetime.date.fromisoformat
TOPICS = ("jobcenter.case.v1", "jobcenter.citizen.v1", "jobcenter.meeting.v1", "jobcenter.offer.v1",
          "jobcenter.control.v1")
# The consumer groups are the services' names; what each of them reads.
CONSUMES = {"scheduling": ("jobcenter.case.v1", "jobcenter.offer.v1"),
            "offers": ("jobcenter.case.v1", "jobcenter.meeting.v1"),
            "control": ("jobcenter.case.v1", "jobcenter.citizen.v1", "jobcenter.meeting.v1",
                        "jobcenter.offer.v1"),
            "notifications": TOPICS}


# ---------------------------------------------------------------- the calendar

def closed_days(year):
    """Danish public holidays (Easter-based, Store Bededag until 2023) and the
    jobcentre's default closing days (JC_CLOSED_DAYS 06-05, 12-24, 12-31) of
    `year`: the seed tool's Python list, independent of the services' C calendar."""
    return seed_municipality.danish_holidays([year])


def working_day(d):
    return d.weekday() < 5 and d not in closed_days(d.year)


def add_working_days(d, n):
    """n working days after d, counting from the day after d."""
    while n > 0:
        d += datetime.timedelta(days=1)
        if working_day(d):
            n -= 1
    return d


def previous_working_day(d):
    while not working_day(d):
        d -= datetime.timedelta(days=1)
    return d


# ---------------------------------------------------------------- the scenario base

class Scenario(jctest.PlatformTest):
    """One Platform; services pinned to a day and restarted on a later one."""

    ENV = {"JC_SWEEP_INTERVAL_S": "0", "JC_SELF_BOOKING_LEAD_HOURS": "0", "JC_NOTIFY_POLL_MS": "100",
           "JC_NOTIFY_RETRY_BASE_MS": "200"}

    def setUp(self):
        super().setUp()
        self.svc = {}

    def start(self, today, *names, env=None):
        """Starts (or restarts, stopped cleanly first) `names` with JC_TODAY=today."""
        for name in names:
            old = self.svc.get(name)
            if old is not None and old.proc.poll() is None:
                problems = old.stop()
                self.assertEqual(problems, [], f"{name} did not stop cleanly")
        for name in names:
            self.svc[name] = self.p.service(name, env=dict(self.ENV, JC_TODAY=today, **(env or {})),
                                            instance=len(self.p.services))
        return [self.svc[n] for n in names]

    def call(self, name, method, path, body=None, scope="caseworker", expect=None, **kw):
        r = self.svc[name].call(method, path, body=body, scope=scope, **kw)
        if expect is not None:
            self.assertEqual(r.status, expect, f"{method} {path} on {name}: {r}")
        return r

    def staff(self, team, caseworker, groups):
        self.call("intake", "PUT", f"/v1/teams/{team}", {"name": team}, scope="admin", expect=200)
        r = self.call("intake", "PUT", f"/v1/caseworkers/{caseworker}", {
            "name": caseworker, "team_id": team, "target_groups": groups}, scope="admin")
        self.assertIn(r.status, (200, 201), r)

    def enrol(self, case_id, offer_type, provider, title, hours, planned_start, planned_end):
        """An offer of `offer_type` with places at `provider` ({kind, name, …}) and the
        case's enrolment on it (offers' API); returns the enrolment."""
        prov = self.call("offers", "POST", "/v1/providers", provider, expect=201).json["provider_id"]
        offer = self.call("offers", "POST", "/v1/offers", {
            "offer_type": offer_type, "provider_id": prov, "title": title, "capacity": 5, "hours_per_week": hours,
            "available_from": "2026-01-05"}, expect=201).json["offer_id"]
        return self.call("offers", "POST", f"/v1/cases/{case_id}/enrolments", {
            "offer_id": offer, "planned_start": planned_start, "planned_end": planned_end}, expect=201).json

    def wait_known(self, case_id, *names):
        """Waits until each service in `names` answers for the case."""
        paths = {"scheduling": f"/v1/cases/{case_id}/obligations", "offers": f"/v1/cases/{case_id}",
                 "control": f"/v1/no-shows?case_id={case_id}",
                 "notifications": f"/v1/cases/{case_id}/messages"}
        for n in names:
            if n == "control":   # no API shows control's projection of the case and its citizen's key
                jctest.wait_until(lambda: self.p.stack.scalar(
                    "SELECT count(*) FROM control.case_projection p JOIN control.citizen_key k USING (citizen_ref)"
                    " WHERE p.case_id = %s", (case_id,)), 30, f"control to learn case {case_id}")
                continue
            jctest.wait_until(lambda: self.svc[n].call("GET", paths[n], scope="caseworker").status == 200,
                              30, f"{n} to learn case {case_id}")

    def quiet(self):
        """Every outbox published and every running consumer caught up: the
        platform has done all it will do about what happened so far."""
        st = self.p.stack

        def settled():
            for name, s in self.svc.items():
                if s.proc.poll() is not None:
                    continue
                if st.scalar(f"SELECT count(*) FROM {name}.outbox WHERE published_at IS NULL"):
                    return False
                if any(st.group_lag(name, t) for t in CONSUMES.get(name, ())):
                    return False
            return True
        jctest.wait_until(settled, 60, "the platform to settle", interval=0.3)

    # -- letters
    def messages(self, case_id, known=True):
        """The case's messages (notifications' API); known=False: [] while
        notifications has not yet learnt of the case (404)."""
        r = self.call("notifications", "GET", f"/v1/cases/{case_id}/messages?limit=200")
        if r.status == 404 and not known:
            return []
        self.assertEqual(r.status, 200, r)
        return r.json["messages"]

    def wait_letters(self, case_id, templates, timeout=30):
        """Waits until the case's messages are exactly `templates` (a sorted
        list, repeats counted), all sent; returns them by template."""
        def done():
            ms = self.messages(case_id, known=False)
            if sorted(m["template"] for m in ms) == sorted(templates) and all(m["status"] == "sent" for m in ms):
                return ms
            return None
        try:
            ms = jctest.wait_until(done, timeout, f"letters {templates} for case {case_id}")
        except AssertionError:
            self.fail(f"case {case_id}: expected letters {sorted(templates)}, got "
                      f"{[(m['template'], m['status']) for m in self.messages(case_id, known=False)]}")
        return {m["template"]: m for m in ms}

    def delivered_once(self, message, channel, path=None):
        """The message reached postreceiver on `channel` exactly once; returns the record."""
        recs = self.p.stack.post_received(key=message["message_id"])
        self.assertEqual(len(recs), 1, recs)
        self.assertEqual((recs[0]["channel"], recs[0]["duplicates"]), (channel, 0), recs[0])
        if path:
            self.assertEqual(recs[0]["path"], path)
        return recs[0]

    # -- topics
    def events(self, topic, case_id):
        """Short types of the events about `case_id` on `topic`, in order."""
        out = []
        for m in self.p.stack.read_topic(topic):
            if m["key"] and m["key"].decode() == case_id:
                ev = jctest.validate_event(m["value"])
                out.append((ev["type"][len("dk.jobcenter."):], ev["data"]))
        return out

    def types(self, topic, case_id):
        return [t for t, _ in self.events(topic, case_id)]


def main():
    jctest.main()


__all__ = ["Scenario", "jctest", "json", "D", "add_working_days", "previous_working_day", "working_day",
           "closed_days", "main"]
