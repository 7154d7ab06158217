"""Helpers for the control tests: intake (the real service) makes citizens and
cases; scheduling's and offers' events are produced as those services publish
them (well-formed CloudEvents, valid against their schemas, so the
end-of-test checks validate them too); campaign feeds in the format of
schemas/feeds/udk-campaign.v1.json, uploaded over HTTP or sent signed on
udk.campaign.v1."""
import datetime
import hashlib
import hmac
import json
import os
import secrets
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import jctest  # noqa: E402

CONTROL_TOPIC = "jobcenter.control.v1"
D = datetime.date.fromisoformat
NDJSON = {"Content-Type": "application/x-ndjson"}
UDK_KEY_ID = "udk-2026"

# every table of schema control (row counts: "nothing stored")
TABLES = ["citizen_key", "case_projection", "campaign", "feed", "feed_part", "record_stage",
          "campaign_record", "feed_error", "information_request", "feed_part_rejection",
          "control_case", "control_evidence", "control_note", "audit_read", "no_show",
          "sanction_proposal", "akasse_report", "availability_doubt", "availability_course",
          "idempotency", "outbox"]


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def cloudevent(short_type, data, source, subject):
    return {"specversion": "1.0", "id": str(uuid.uuid4()), "source": source,
            "type": "dk.jobcenter." + short_type, "time": now_rfc3339(), "subject": subject,
            "partitionkey": subject, "datacontenttype": "application/json",
            "dataschema": "urn:jobcenter:schema:" + short_type, "data": data}


def header(campaign_id="UDK-2026-UDL", feed_id="F1", theme="udlandsophold", kind="control",
           record_count=0, **extra):
    h = {"format": "udk-campaign.v1", "campaign_id": campaign_id, "feed_id": feed_id, "theme": theme,
         "kind": kind, "period": {"from": "2026-01-01", "to": "2026-06-30"}, "record_count": record_count}
    h.update(extra)
    return h


EVIDENCE = {
    "udlandsophold": {"country": "ES", "from": "2026-02-01", "to": "2026-03-15", "source": "passenger_data"},
    "uoplyst-arbejde": {"employer_cvr": "12345678", "from": "2026-02-01", "income_dkk": 18000,
                        "source": "eindkomst"},
    "samlivsforhold": {"since": "2025-09-01", "co_residents": 1, "source": "cpr_register"},
    "adresse": {"status": "no_fixed_address", "since": "2025-11-01", "source": "cpr_register"},
}


def record(udk_ref, cpr, theme="udlandsophold", **evidence):
    ev = dict(EVIDENCE[theme])
    ev.update(evidence)
    return {"udk_ref": udk_ref, "cpr": cpr, "evidence": ev}


def ndjson(*lines):
    """Lines (dicts, or str/bytes as they are) joined into an NDJSON body."""
    out = []
    for line in lines:
        if isinstance(line, dict):
            line = json.dumps(line)
        if isinstance(line, str):
            line = line.encode()
        out.append(line)
    return b"\n".join(out) + b"\n"


def feed(hdr, records):
    hdr = dict(hdr, record_count=hdr.get("record_count") or len(records))
    return ndjson(hdr, *records)


def vm_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"{field} not in /proc/{pid}/status")


class ControlTest(jctest.PlatformTest):
    """intake + control on a fresh stack. TODAY pins JC_TODAY for both."""
    TODAY = None
    CONTROL_ENV = {}

    def setUp(self):
        super().setUp()
        p = self.p
        self.cpr_key = secrets.token_hex(32)
        self.udk_key = secrets.token_hex(16)
        self.udk_keys_file = os.path.join(p.stack.dir, "udk-keys.json")
        with open(self.udk_keys_file, "w") as f:
            json.dump({"keys": {UDK_KEY_ID: self.udk_key}}, f)
        # intake keeps the real date: the a-kasse handover is checked against it.
        self.intake = p.service("intake")
        admin = {"scope": "admin"}
        self.intake.call("PUT", "/v1/teams/team-a", body={"name": "A"}, **admin)
        self.intake.call("PUT", "/v1/caseworkers/cw-1", body={
            "name": "cw 1", "team_id": "team-a", "target_groups": ALL_GROUPS}, **admin)
        self.control = self.start_control(self.TODAY)
        # Created when a test first produces: librdkafka 2.0.2 can trip an
        # assertion (rd_kafka_broker_destroy_final, librdkafka#3608) when a
        # client that never did anything is destroyed while its brokers are
        # still connecting.
        self._producer = None

    def tearDown(self):
        if self._producer is not None:  # before the stack goes away
            self._producer.flush(10)
        self._producer = None
        super().tearDown()

    @property
    def producer(self):
        if self._producer is None:
            from confluent_kafka import Producer
            self._producer = Producer({"bootstrap.servers": self.p.stack.bootstrap, "enable.idempotence": True,
                                       "linger.ms": 2, "partitioner": "murmur2_random"})
        return self._producer

    def control_env(self, today=None, **extra):
        env = {"JC_CPR_HMAC_KEY": self.cpr_key, "JC_UDK_KEYS_FILE": self.udk_keys_file,
               "JC_SWEEP_INTERVAL_S": "0"}
        if today:
            env["JC_TODAY"] = today
        env.update(self.CONTROL_ENV)
        env.update(extra)
        return env

    def start_control(self, today=None, **extra):
        return self.p.service("control", env=self.control_env(today, **extra),
                              instance=len(self.p.services))

    def restart_control(self, today=None, **extra):
        problems = self.control.stop()
        self.assertEqual(problems, [])
        self.control = self.start_control(today, **extra)

    # ------------------------------------------------------------ SQL
    def sql(self, q, params=()):
        return self.p.stack.sql(q, params)

    def scalar(self, q, params=()):
        return self.p.stack.scalar(q, params)

    def counts(self):
        return {t: self.scalar(f"SELECT count(*) FROM control.{t}") for t in TABLES}

    # ------------------------------------------------------------ citizens and cases (intake)
    def open_case(self, group="kontanthjaelp-jobparat", cpr=None, start="2026-02-02", wait=True):
        cpr = cpr or self.p.cpr()
        body = {"cpr": cpr, "name": self.p.name(), "target_group": group, "start_date": start}
        r = self.intake.call("POST", "/v1/cases", scope="caseworker", body=body)
        self.assertEqual(r.status, 201, r)
        case = dict(r.json, cpr=cpr)
        if wait:
            self.wait_known(case)
        return case

    def handover(self, akasse="3F", **over):
        body = self.p.handover(akasse=akasse, **over)
        r = self.intake.call("POST", "/v1/handovers", scope=f"akasse:{akasse}", body=body)
        self.assertEqual(r.status, 201, r)
        case = dict(r.json, cpr=body["cpr"])
        self.wait_known(case)
        return case

    def close_case(self, case, reason="job"):
        r = self.intake.call("POST", f"/v1/cases/{case['case_id']}/close", scope="caseworker",
                             body={"reason": reason, "closed_on": "2026-05-01"})
        self.assertEqual(r.status, 200, r)
        jctest.wait_until(lambda: self.scalar(
            "SELECT status FROM control.case_projection WHERE case_id = %s", (case["case_id"],)) == "closed",
            30, "control to learn the case was closed")

    def erase(self, case):
        r = self.intake.call("POST", f"/v1/citizens/{case['citizen_ref']}/erasure", scope="admin")
        self.assertEqual(r.status, 200, r)
        jctest.wait_until(lambda: self.scalar(
            "SELECT count(*) FROM control.citizen_key WHERE citizen_ref = %s", (case["citizen_ref"],)) == 0,
            30, "control to drop the erased citizen's key")

    def wait_known(self, case):
        jctest.wait_until(lambda: self.scalar(
            "SELECT count(*) FROM control.case_projection p JOIN control.citizen_key k USING (citizen_ref)"
            " WHERE p.case_id = %s", (case["case_id"],)) == 1, 30, "control to learn the case and citizen")

    # ------------------------------------------------------------ events
    def produce_event(self, topic, short_type, data, source, key):
        ev = cloudevent(short_type, data, source, key)
        value = json.dumps(ev).encode()
        errors = []
        hdrs = [("content-type", b"application/cloudevents+json; charset=UTF-8"),
                ("ce_specversion", b"1.0"), ("ce_id", ev["id"].encode()),
                ("ce_type", ev["type"].encode()), ("ce_source", source.encode())]
        self.producer.produce(topic, value=value, key=key.encode(), headers=hdrs,
                              on_delivery=lambda err, msg: errors.append(err) if err else None)
        if self.producer.flush(30) != 0 or errors:
            raise AssertionError(f"could not produce to {topic}: {errors}")
        return ev

    def no_show(self, case, lawful=False, starts_at="2026-03-03T09:00:00+01:00", meeting_id=None, reason=None):
        data = {"meeting_id": meeting_id or str(uuid.uuid4()), "case_id": case["case_id"],
                "citizen_ref": case["citizen_ref"], "caseworker_id": "cw-1", "starts_at": starts_at,
                "channel": "in_person", "lawful_reason": lawful}
        if reason:
            data["reason"] = reason
        return self.produce_event("jobcenter.meeting.v1", "meeting.no_show.v1", data,
                                  "/jobcenter/scheduling", case["case_id"])

    def attendance_missed(self, case, group, day="2026-03-04", lawful=False, enrolment_id=None):
        data = {"enrolment_id": enrolment_id or str(uuid.uuid4()), "case_id": case["case_id"],
                "citizen_ref": case["citizen_ref"], "offer_id": str(uuid.uuid4()),
                "offer_type": "virksomhedspraktik", "provider_id": str(uuid.uuid4()), "date": day,
                "lawful_reason": lawful, "target_group": group, "caseworker_id": "cw-1",
                "hours_per_week": 20}
        if lawful:
            data["reason"] = "illness"
        return self.produce_event("jobcenter.offer.v1", "offer.attendance_missed.v1", data,
                                  "/jobcenter/offers", case["case_id"])

    def wait_consumed(self, topic):
        jctest.wait_until(lambda: self.p.stack.group_lag("control", topic) == 0, 60,
                          f"control to consume {topic}", interval=0.3)

    def wait_published(self):
        jctest.wait_until(lambda: self.scalar(
            "SELECT count(*) FROM control.outbox WHERE published_at IS NULL") == 0, 60,
            "control's outbox to be published")

    def events(self, short_type=None, case_id=None):
        self.wait_published()
        evs = [json.loads(m["value"]) for m in self.p.stack.read_topic(CONTROL_TOPIC)]
        return [e for e in evs
                if (short_type is None or e["type"] == "dk.jobcenter." + short_type)
                and (case_id is None or e["data"].get("case_id") == case_id)]

    # ------------------------------------------------------------ feeds
    def upload(self, body, scope="udk:feed", headers=None, **kw):
        hdrs = dict(NDJSON)
        hdrs.update(headers or {})
        return self.control.call("POST", "/v1/campaign-feeds", scope=scope, raw=body, headers=hdrs, **kw)

    def udk_sign(self, value, key=None, key_id=UDK_KEY_ID):
        mac = hmac.new((key or self.udk_key).encode(), value, hashlib.sha256).hexdigest()
        return [("jc-udk-key", key_id.encode()), ("jc-signature", f"sha256={mac}".encode())]

    def send_part(self, value, campaign_id, headers=None):
        self.p.stack.produce("udk.campaign.v1", value, key=campaign_id.encode(),
                             headers=self.udk_sign(value) if headers is None else headers)

    def feed_report(self, campaign_id, feed_id, scope="udk:feed"):
        return self.control.call("GET", f"/v1/campaigns/{campaign_id}/feeds/{feed_id}", scope=scope)


ALL_GROUPS = ["a-dagpenge", "kontanthjaelp-jobparat", "kontanthjaelp-aktivitetsparat",
              "uddannelseshjaelp-uddannelsesparat", "uddannelseshjaelp-aktivitetsparat",
              "sygedagpenge-beskaeftiget", "sygedagpenge-ledig", "jobafklaring", "ressourceforloeb",
              "ledighedsydelse", "revalidering", "selvforsoergelse-hjemrejse", "ung-under-18"]
