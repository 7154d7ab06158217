"""Helpers for the notifications tests: valid CloudEvents for every topic
notifications consumes (each validated against its schema before it is
produced), and waits on the service's tables and on postreceiver."""
import datetime
import json
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import jctest  # noqa: E402

SOURCES = {"case": "/jobcenter/intake", "citizen": "/jobcenter/intake", "meeting": "/jobcenter/scheduling",
           "obligation": "/jobcenter/scheduling", "offer": "/jobcenter/offers", "sanction": "/jobcenter/control",
           "akasse": "/jobcenter/control", "control": "/jobcenter/control"}
TOPICS = {"case": "jobcenter.case.v1", "citizen": "jobcenter.citizen.v1", "meeting": "jobcenter.meeting.v1",
          "obligation": "jobcenter.meeting.v1", "offer": "jobcenter.offer.v1", "sanction": "jobcenter.control.v1",
          "akasse": "jobcenter.control.v1", "control": "jobcenter.control.v1"}


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def event(short_type, data, subject=None, event_id=None, time_=None):
    """A CloudEvent (bytes) of `short_type`, checked against the schemas."""
    ev = {"specversion": "1.0", "id": event_id or str(uuid.uuid4()), "source": SOURCES[short_type.split(".")[0]],
          "type": "dk.jobcenter." + short_type, "time": time_ or now_iso(),
          "datacontenttype": "application/json", "dataschema": "urn:jobcenter:schema:" + short_type,
          "data": data}
    if subject:
        ev["subject"] = subject
        ev["partitionkey"] = subject
    value = json.dumps(ev, separators=(",", ":"), ensure_ascii=False).encode()
    jctest.validate_event(value)
    return value


class Events:
    """Produces valid events onto the platform's topics and remembers them
    (for the replay tests)."""

    def __init__(self, platform):
        self.p = platform
        self.produced = []  # (topic, key, value)

    def send(self, short_type, data, key, **kw):
        topic = TOPICS[short_type.split(".")[0]]
        value = event(short_type, data, subject=data.get("case_id"), **kw)
        self.p.stack.produce(topic, value, key=key.encode())
        self.produced.append((topic, key, value))
        return json.loads(value)

    def tombstone(self, citizen_ref):
        self.p.stack.produce("jobcenter.citizen.v1", None, key=citizen_ref.encode())
        self.produced.append(("jobcenter.citizen.v1", citizen_ref, None))

    def replay(self):
        """Produces everything again, in the same order, with the same ids
        (one producer: ordered per partition like the originals)."""
        from confluent_kafka import Producer
        prod = Producer({"bootstrap.servers": self.p.stack.bootstrap, "enable.idempotence": True})
        errors = []
        for topic, key, value in list(self.produced):
            self.p.stack.injected.add((topic, value))
            prod.produce(topic, value=value, key=key.encode(),
                         on_delivery=lambda err, msg: errors.append(err) if err else None)
        if prod.flush(30) != 0 or errors:
            raise AssertionError(f"could not replay: {errors}")
        return len(self.produced)

    # -- the events, with valid defaults
    def citizen(self, ref=None, digital_post=True, email=None, phone=None, address=None, name=None):
        ref = ref or str(uuid.uuid4())
        contact = {"digital_post": digital_post}
        if email:
            contact["email"] = email
        if phone:
            contact["phone"] = phone
        if address:
            contact["address"] = address
        data = {"citizen_ref": ref, "cpr": self.p.cpr(), "name": name or self.p.name(), "contact": contact}
        self.send("citizen.upserted.v1", data, ref)
        return data

    def case_opened(self, citizen_ref, case_id=None, group="kontanthjaelp-jobparat", start="2026-03-02",
                    caseworker="cw-1"):
        case_id = case_id or str(uuid.uuid4())
        data = {"case_id": case_id, "citizen_ref": citizen_ref, "target_group": group, "start_date": start,
                "opened_at": "2026-03-02T09:15:00.000Z", "origin": "caseworker"}
        if caseworker:
            data["caseworker_id"] = caseworker
            data["team_id"] = "team-a"
        return self.send("case.opened.v1", data, case_id)

    def case_closed(self, case_id, citizen_ref, on="2026-03-20"):
        return self.send("case.closed.v1", {
            "case_id": case_id, "citizen_ref": citizen_ref, "target_group": "kontanthjaelp-jobparat",
            "reason": "job", "closed_on": on, "closed_at": on + "T10:00:00.000Z"}, case_id)

    def meeting_booked(self, case_id, citizen_ref, starts="2026-03-10T10:00:00+01:00",
                       ends="2026-03-10T10:30:00+01:00", channel="in_person", location=None, meeting_id=None):
        data = {"meeting_id": meeting_id or str(uuid.uuid4()), "case_id": case_id, "citizen_ref": citizen_ref,
                "caseworker_id": "cw-1", "starts_at": starts, "ends_at": ends, "channel": channel,
                "booked_by": "caseworker"}
        if location:
            data["location"] = location
        return self.send("meeting.booked.v1", data, case_id)

    def meeting_rescheduled(self, case_id, citizen_ref, meeting_id, previous, starts, ends, channel="in_person",
                            location=None):
        data = {"meeting_id": meeting_id, "case_id": case_id, "citizen_ref": citizen_ref, "caseworker_id": "cw-1",
                "previous_starts_at": previous, "starts_at": starts, "ends_at": ends, "channel": channel,
                "rescheduled_by": "citizen"}
        if location:
            data["location"] = location
        return self.send("meeting.rescheduled.v1", data, case_id)

    def meeting_cancelled(self, case_id, citizen_ref, meeting_id, starts, reason="caseworker_unavailable",
                          channel="in_person"):
        return self.send("meeting.cancelled.v1", {
            "meeting_id": meeting_id, "case_id": case_id, "citizen_ref": citizen_ref, "caseworker_id": "cw-1",
            "starts_at": starts, "channel": channel, "cancelled_by": "caseworker", "reason": reason}, case_id)

    def no_show(self, case_id, citizen_ref, meeting_id, starts, lawful=False, channel="phone"):
        data = {"meeting_id": meeting_id, "case_id": case_id, "citizen_ref": citizen_ref, "caseworker_id": "cw-1",
                "starts_at": starts, "lawful_reason": lawful, "channel": channel}
        if lawful:
            data["reason"] = "illness"
        return self.send("meeting.no_show.v1", data, case_id)

    def due_soon(self, case_id, citizen_ref, caseworker=None, ordinal=2, due="2026-03-16", days_left=14):
        data = {"obligation_id": str(uuid.uuid4()), "case_id": case_id, "citizen_ref": citizen_ref,
                "kind": "meeting", "ordinal": ordinal, "due_date": due, "days_left": days_left,
                "rule_set": "lab-2024", "rule": "R1-four-meetings"}
        if caseworker:
            data["caseworker_id"] = caseworker
        return self.send("obligation.due_soon.v1", data, case_id)

    def offer_assigned(self, case_id, citizen_ref, offer_type="virksomhedspraktik", start="2026-04-06",
                       end="2026-05-01", hours=25):
        return self.send("offer.assigned.v1", {
            "enrolment_id": str(uuid.uuid4()), "case_id": case_id, "citizen_ref": citizen_ref,
            "offer_id": str(uuid.uuid4()), "offer_type": offer_type, "provider_id": str(uuid.uuid4()),
            "planned_start": start, "planned_end": end, "hours_per_week": hours,
            "counts_as_active_offer": True, "company_oriented": True, "caseworker_id": "cw-1"}, case_id)

    def sanction_proposed(self, case_id, citizen_ref, proposal_id=None, rate=400):
        data = {"proposal_id": proposal_id or str(uuid.uuid4()), "case_id": case_id, "citizen_ref": citizen_ref,
                "target_group": "kontanthjaelp-jobparat", "kind": "sats-2", "basis": "meeting_no_show",
                "source_event_id": str(uuid.uuid4()), "meeting_id": str(uuid.uuid4()), "occurred_on": "2026-03-10",
                "hearing_deadline": "2026-03-24", "proposed_at": "2026-03-10T12:00:00.000Z"}
        if rate is not None:
            data["amount_basis"] = {"monthly_benefit_dkk": 9000, "rate_dkk": rate,
                                    "rates_effective_from": "2026-01-01"}
        return self.send("sanction.proposed.v1", data, case_id)

    def sanction_decided(self, case_id, citizen_ref, proposal_id, decision="approved", reason=None):
        data = {"proposal_id": proposal_id, "case_id": case_id, "citizen_ref": citizen_ref, "decision": decision,
                "decided_by": "test-caseworker", "decided_at": "2026-03-25T10:00:00.000Z", "kind": "sats-2",
                "basis": "meeting_no_show", "hearing_answered": False}
        if reason:
            data["reason"] = reason
        return self.send("sanction.decided.v1", data, case_id)

    def akasse_report(self, case_id, citizen_ref, akasse="3F"):
        return self.send("akasse.report_requested.v1", {
            "report_id": str(uuid.uuid4()), "case_id": case_id, "citizen_ref": citizen_ref, "akasse": akasse,
            "reason": "no_show_without_lawful_reason", "basis": "meeting_no_show", "occurred_on": "2026-03-10",
            "source_event_id": str(uuid.uuid4()), "requested_at": "2026-03-10T12:00:00.000Z"}, case_id)

    def information_requested(self, case_id, citizen_ref, theme="udlandsophold", campaign="UDK-2026-07"):
        return self.send("control.information_requested.v1", {
            "request_id": str(uuid.uuid4()), "campaign_id": campaign, "theme": theme, "case_id": case_id,
            "citizen_ref": citizen_ref}, case_id)


def messages(p, case_id=None, where="", params=()):
    """Rows of notifications.message as dicts."""
    q = ("SELECT message_id::text, case_id::text, template, status, channel, subject, body_text, body_html,"
         " attempts, trigger, recipient_kind, recipient_id, failure_reason, cancelled_reason, event_id"
         " FROM notifications.message WHERE true")
    args = list(params)
    if case_id:
        q += " AND case_id = %s"
        args.append(case_id)
    q += where + " ORDER BY seq"
    cols = ["message_id", "case_id", "template", "status", "channel", "subject", "text", "html", "attempts",
            "trigger", "recipient_kind", "recipient_id", "failure_reason", "cancelled_reason", "event_id"]
    return [dict(zip(cols, r)) for r in p.stack.sql(q, tuple(args))]


def wait_status(p, case_id, template, status, timeout=30):
    def ok():
        ms = [m for m in messages(p, case_id) if m["template"] == template]
        return ms if ms and all(m["status"] == status for m in ms) else None
    return jctest.wait_until(ok, timeout, f"{template} of case {case_id} to be {status}")[0]


def received(p, key):
    recs = p.stack.post_received(key=key)
    return recs[0] if len(recs) == 1 else None


def wait_received(p, key, timeout=30):
    return jctest.wait_until(lambda: received(p, key), timeout, f"postreceiver to receive {key}")


def wait_consumed(p, timeout=60):
    topics = ["jobcenter.case.v1", "jobcenter.citizen.v1", "jobcenter.meeting.v1", "jobcenter.offer.v1",
              "jobcenter.control.v1"]
    jctest.wait_until(lambda: all(p.stack.group_lag("notifications", t) == 0 for t in topics), timeout,
                      "notifications to consume every topic", interval=0.3)


def settle(seconds=1.0):
    time.sleep(seconds * jctest.SLOW)


class SharedPlatformTest(jctest.unittest.TestCase):
    """One Platform (stack, tokens, end-of-test checks) for every test
    method of the class: the methods run in name order and build on each
    other's state, which keeps the file within its time budget."""

    NAME = "notifications"

    @classmethod
    def setUpClass(cls):
        cls.p = jctest.Platform(f"{cls.__module__}.{cls.__name__}")
        cls.p.__enter__()
        cls.ev = Events(cls.p)
        cls.failed = False
        try:
            cls.start_services()
        except BaseException:
            cls.p.__exit__(AssertionError, None, None)
            raise

    @classmethod
    def start_services(cls):
        raise NotImplementedError

    def run(self, result=None):
        result = super().run(result)
        if result is not None and (result.failures or result.errors):
            type(self).failed = True
        return result

    @classmethod
    def tearDownClass(cls):
        # skip the end-of-test checks when a test failed: its failure is the news
        cls.p.__exit__(AssertionError if cls.failed else None, None, None)
