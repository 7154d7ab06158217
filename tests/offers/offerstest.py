"""Helpers for the offers tests: case events produced to jobcenter.case.v1 as
intake would publish them (well-formed CloudEvents, valid against their
schemas, so the end-of-test checks validate them too), and short-hands for
offers' HTTP API."""
import datetime
import json
import os
import sys
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import jctest  # noqa: E402

CASE_TOPIC = "jobcenter.case.v1"
OFFER_TOPIC = "jobcenter.offer.v1"
D = datetime.date.fromisoformat


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def cloudevent(short_type, data, source="/jobcenter/intake"):
    """A CloudEvents 1.0 structured event as intake's jc_emit builds it."""
    return {"specversion": "1.0", "id": str(uuid.uuid4()), "source": source,
            "type": "dk.jobcenter." + short_type, "time": now_rfc3339(),
            "subject": data["case_id"], "partitionkey": data["case_id"],
            "datacontenttype": "application/json", "dataschema": "urn:jobcenter:schema:" + short_type,
            "data": data}


class CaseFeed:
    """Produces case events with one idempotent producer (keyed by case_id)."""

    def __init__(self, stack):
        self.stack = stack
        self._producer = None  # created on first use (see tests/control/controltest.py)
        self.errors = []
        self.sent = []  # (short_type, event) in order

    def send(self, short_type, data, topic=CASE_TOPIC, flush=True):
        ev = cloudevent(short_type, data)
        value = json.dumps(ev).encode()
        headers = [("content-type", b"application/cloudevents+json; charset=UTF-8"),
                   ("ce_specversion", b"1.0"), ("ce_id", ev["id"].encode()),
                   ("ce_type", ev["type"].encode()), ("ce_source", ev["source"].encode())]
        self.producer.produce(topic, value=value, key=data["case_id"].encode(), headers=headers,
                              on_delivery=lambda err, msg: self.errors.append(err) if err else None)
        self.sent.append((short_type, ev))
        if flush:
            self.flush()
        return ev

    def flush(self):
        if self.producer.flush(30) != 0 or self.errors:
            raise AssertionError(f"could not produce case events: {self.errors}")

    @property
    def producer(self):
        if self._producer is None:
            from confluent_kafka import Producer
            self._producer = Producer({"bootstrap.servers": self.stack.bootstrap, "enable.idempotence": True,
                                       "linger.ms": 5, "partitioner": "murmur2_random"})
        return self._producer

    def flush_quietly(self):
        if self._producer is not None:
            self._producer.flush(5)
        self._producer = None

    def raw(self, value, key=b"x", topic=CASE_TOPIC):
        """A message sent as is (malformed on purpose): exempt from schema checks."""
        self.stack.injected.add((topic, value))
        self.producer.produce(topic, value=value, key=key)
        self.flush()

    def open(self, group="a-dagpenge", start="2026-03-02", caseworker="cw-anna", team="job",
             case_id=None, visitation=None, flush=True, **extra):
        data = {"case_id": case_id or str(uuid.uuid4()), "citizen_ref": str(uuid.uuid4()),
                "target_group": group, "start_date": str(start), "opened_at": now_rfc3339(),
                "origin": "caseworker"}
        if caseworker:
            data["caseworker_id"] = caseworker
            data["team_id"] = team
        if visitation:
            data["visitation"] = visitation
        data.update(extra)
        self.send("case.opened.v1", data, flush=flush)
        return data

    def close(self, case, reason="job", closed_on="2026-09-01"):
        return self.send("case.closed.v1", {
            "case_id": case["case_id"], "citizen_ref": case["citizen_ref"],
            "target_group": case["target_group"], "reason": reason, "closed_on": str(closed_on),
            "closed_at": now_rfc3339()})

    def change_group(self, case, group, effective):
        ev = self.send("case.target_group_changed.v1", {
            "case_id": case["case_id"], "citizen_ref": case["citizen_ref"],
            "previous_target_group": case["target_group"], "target_group": group,
            "effective_date": str(effective)})
        case["target_group"] = group
        return ev

    def assign(self, case, caseworker, team="job"):
        return self.send("case.caseworker_assigned.v1", {
            "case_id": case["case_id"], "citizen_ref": case["citizen_ref"], "caseworker_id": caseworker,
            "team_id": team, "assigned_at": now_rfc3339(), "reason": "manual"})

    def visitation(self, case, visitation, effective="2026-04-01"):
        return self.send("case.visitation_changed.v1", {
            "case_id": case["case_id"], "citizen_ref": case["citizen_ref"], "visitation": visitation,
            "effective_date": str(effective)})


class OffersTest(unittest.TestCase):
    """One throw-away stack and one offers service shared by the test methods
    of a class (CI time: a stack costs seconds). Each method works on its own
    cases, caseworkers and offers and asserts only on those; the end-of-test
    checks (schemas, personal data, clean SIGTERM, sanitizers) run once when
    the class is done. Today is pinned by JC_TODAY; the periodic sweep is off
    (tests sweep with POST /v1/admin/sweep?today=)."""

    TODAY = "2026-11-23"
    ENV = {}
    ROLES = "http,relay,consumer"  # + ",sweep" for a class that tests the periodic sweep

    @classmethod
    def offers_env(cls, **extra):
        env = {"JC_TODAY": cls.TODAY, "JC_SWEEP_INTERVAL_S": "0"}
        env.update(cls.ENV)
        env.update(extra)
        return env

    @classmethod
    def setUpClass(cls):
        cls.p = jctest.Platform(f"offers.{cls.__name__}")
        cls.p.__enter__()
        cls.feed = None
        try:
            cls.offers = cls.p.service("offers", roles=cls.ROLES, env=cls.offers_env())
            cls.feed = CaseFeed(cls.p.stack)
        except BaseException:
            cls.p.__exit__(AssertionError, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.feed:  # close our producer before the stack goes away
            cls.feed.flush_quietly()
            cls.feed = None
        cls.p.__exit__(None, None, None)

    # -- database
    def count(self, table, where="true", params=()):
        return self.p.stack.scalar(f"SELECT count(*) FROM offers.{table} WHERE {where}", params)

    def wait_cases(self, timeout=60):
        """The cases (and every other event) this class sent so far are applied."""
        self.wait_events_applied(timeout)

    def wait_events_applied(self, timeout=60):
        """Every case event sent so far has reached the inbox."""
        ids = [ev["id"] for _, ev in self.feed.sent]
        jctest.wait_until(lambda: self.p.stack.scalar(
            "SELECT count(*) FROM offers.inbox WHERE event_id = ANY (%s)", (ids,)) == len(ids),
            timeout, f"{len(ids)} case events in offers' inbox")

    def wait_published(self, timeout=30):
        jctest.wait_until(lambda: self.count("outbox", "published_at IS NULL") == 0, timeout,
                          "offers' outbox published")

    def offer_events(self, types=None, case_id=None):
        self.wait_published()
        out = []
        for m in self.p.stack.read_topic(OFFER_TOPIC):
            ev = json.loads(m["value"])
            short = ev["type"][len("dk.jobcenter."):]
            if (types is None or short in types) and (case_id is None or ev["subject"] == case_id):
                out.append(ev)
        return out

    # -- HTTP
    def call(self, method, path, body=None, scope="caseworker", **kw):
        return self.offers.call(method, path, body=body, scope=scope, **kw)

    def ok(self, method, path, body=None, status=(200, 201), scope="caseworker", **kw):
        r = self.call(method, path, body=body, scope=scope, **kw)
        codes = status if isinstance(status, tuple) else (status,)
        self.assertIn(r.status, codes, f"{method} {path} -> {r}")
        return r.json

    def provider(self, kind="employer", sector="private", name=None):
        body = {"kind": kind, "name": name or f"Firma {uuid.uuid4().hex[:6]} ApS"}
        if sector:
            body["sector"] = sector
        return self.ok("POST", "/v1/providers", body, status=201)["provider_id"]

    def offer(self, offer_type="virksomhedspraktik", capacity=5, hours=30, provider=None,
              available_from="2020-01-01", available_until=None, kind=None, sector="private"):
        if provider is None:
            kind = kind or {"virksomhedspraktik": "employer", "loentilskud-privat": "employer",
                            "loentilskud-offentlig": "municipal", "smaajob": "employer",
                            "nytteindsats": "municipal", "straksaktivering": "municipal",
                            "jobklub": "municipal"}.get(offer_type, "provider")
            provider = self.provider(kind, sector if kind == "employer" else None)
        body = {"offer_type": offer_type, "provider_id": provider, "title": f"{offer_type} test",
                "capacity": capacity, "hours_per_week": hours, "available_from": available_from}
        if available_until:
            body["available_until"] = available_until
        return self.ok("POST", "/v1/offers", body, status=201)["offer_id"]

    def enrol(self, case_id, offer_id, start, end, hours=None, status=201, **kw):
        body = {"offer_id": offer_id, "planned_start": str(start), "planned_end": str(end)}
        if hours is not None:
            body["hours_per_week"] = hours
        r = self.call("POST", f"/v1/cases/{case_id}/enrolments", body, **kw)
        if status is not None:
            self.assertEqual(r.status, status, r)
        return r

    def start(self, enrolment_id, on):
        return self.ok("POST", f"/v1/enrolments/{enrolment_id}/start", {"started_on": str(on)})

    def end(self, enrolment_id, on, outcome):
        return self.ok("POST", f"/v1/enrolments/{enrolment_id}/end", {"ended_on": str(on), "outcome": outcome})

    def obligations(self, case_id):
        return self.ok("GET", f"/v1/cases/{case_id}/obligations")["items"]

    def sweep(self, today):
        """The common library's POST /v1/admin/sweep?today= (admin scope)."""
        return self.ok("POST", f"/v1/admin/sweep?today={today}", scope="admin")
