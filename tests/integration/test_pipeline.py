"""The event pipeline end to end: HTTP -> state + outbox in one transaction ->
relay -> Kafka -> a consumer in another process -> its own schema, with the
inbox making a redelivered event a no-op and poison messages dead-lettered."""
import json
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import jctest  # noqa: E402


class PipelineTest(jctest.PlatformTest):

    def test_case_flows_from_intake_to_scheduling_once(self):
        p = self.p
        intake = p.service("intake")
        sched = p.service("scheduling")
        cpr, name = p.cpr(), p.name()
        r = intake.call("POST", "/v1/cases", scope="caseworker", body={
            "cpr": cpr, "name": name, "target_group": "sygedagpenge-beskaeftiget",
            "start_date": "2026-04-06", "digital_post": False, "email": "a@example.org"})
        self.assertEqual(r.status, 201, r)
        case_id, citizen_ref = r.json["case_id"], r.json["citizen_ref"]
        self.assertEqual(r.json["status"], "open")

        # The consumer in another process applies it to its own schema.
        jctest.wait_until(lambda: p.stack.scalar(
            "SELECT count(*) FROM scheduling.case_projection WHERE case_id = %s", (case_id,)) == 1,
            30, "scheduling to project the case")
        row = p.stack.sql("SELECT citizen_ref::text, target_group, start_date::text "
                          "FROM scheduling.case_projection WHERE case_id = %s", (case_id,))[0]
        self.assertEqual(row, (citizen_ref, "sygedagpenge-beskaeftiget", "2026-04-06"))
        self.assertEqual(p.stack.scalar("SELECT count(*) FROM intake.outbox WHERE published_at IS NULL"), 0)

        # The events on the topics: case.opened keyed by case_id, without CPR;
        # citizen.upserted keyed by citizen_ref on the restricted topic.
        case_msgs = p.stack.read_topic("jobcenter.case.v1")
        self.assertEqual(len(case_msgs), 1)
        m = case_msgs[0]
        self.assertEqual(m["key"].decode(), case_id)
        self.assertEqual(m["headers"]["content-type"], "application/cloudevents+json; charset=UTF-8")
        ev = jctest.validate_event(m["value"])
        self.assertEqual(ev["type"], "dk.jobcenter.case.opened.v1")
        self.assertEqual(ev["subject"], case_id)
        self.assertEqual(ev["data"]["citizen_ref"], citizen_ref)
        self.assertNotIn(cpr, m["value"].decode())
        cit = p.stack.read_topic("jobcenter.citizen.v1")
        self.assertEqual(len(cit), 1)
        self.assertEqual(cit[0]["key"].decode(), citizen_ref)
        cev = jctest.validate_event(cit[0]["value"])
        self.assertEqual(cev["data"]["cpr"], cpr)
        self.assertEqual(cev["data"]["contact"], {"digital_post": False, "email": "a@example.org"})

        # The trace id of the HTTP request is carried into the event.
        self.assertIn(ev["traceparent"][3:35], r.headers["traceparent"])

        # Redelivery: the very same event again is a no-op (inbox).
        p.stack.produce("jobcenter.case.v1", m["value"], key=m["key"])
        jctest.wait_until(lambda: 'jc_consumer_duplicates_total{consumer="scheduling"} 1' in
                          sched.call("GET", "/metrics").body, 30, "the duplicate to be skipped")
        self.assertEqual(p.stack.scalar("SELECT count(*) FROM scheduling.case_event"), 1)
        self.assertEqual(p.stack.scalar("SELECT count(*) FROM scheduling.inbox"), 1)

        g = intake.call("GET", f"/v1/cases/{case_id}", scope="caseworker")
        self.assertEqual(g.status, 200, g)
        self.assertEqual(g.json["target_group"], "sygedagpenge-beskaeftiget")
        self.assertNotIn("cpr", g.json)

        # Inbox rows older than JC_INBOX_RETENTION_DAYS are pruned by the relay's housekeeping.
        p.stack.sql("INSERT INTO scheduling.inbox (consumer, source, event_id, topic, kafka_partition,"
                    " kafka_offset, outcome, received_at) VALUES ('scheduling', '/old', 'e-old',"
                    " 'jobcenter.case.v1', 0, 0, 'applied', now() - interval '31 days')")
        pruner = p.service("scheduling", roles="relay", env={"JC_INBOX_RETENTION_DAYS": "30"}, instance=1)
        sched.stop()   # its relay holds the publisher lock; the new one takes over and prunes
        jctest.wait_until(lambda: p.stack.scalar("SELECT count(*) FROM scheduling.inbox WHERE source = '/old'") == 0,
                          30, "the old inbox row to be pruned")
        self.assertEqual(p.stack.scalar("SELECT count(*) FROM scheduling.inbox"), 1)
        pruner.stop()

    def test_malformed_messages_go_to_the_dead_letter_topic(self):
        p = self.p
        sched = p.service("scheduling")
        good = {"specversion": "1.0", "id": "5b0c7e0e-1111-4c3e-9d43-0a4c2b2f0001",
                "source": "/jobcenter/intake", "type": "dk.jobcenter.case.opened.v1",
                "time": "2026-03-02T09:15:00.000Z", "datacontenttype": "application/json",
                "dataschema": "urn:jobcenter:schema:case.opened.v1",
                "data": {"case_id": "5b0c7e0e-2222-4c3e-9d43-0a4c2b2f0002",
                         "citizen_ref": "5b0c7e0e-3333-4c3e-9d43-0a4c2b2f0003",
                         "target_group": "a-dagpenge", "start_date": "2026-03-02",
                         "opened_at": "2026-03-02T09:15:00.000Z", "origin": "caseworker"}}

        def variant(**changes):
            ev = json.loads(json.dumps(good))
            for k, v in changes.items():
                if k.startswith("data_"):
                    if v is None:
                        ev["data"].pop(k[5:])
                    else:
                        ev["data"][k[5:]] = v
                elif v is None:
                    ev.pop(k)
                else:
                    ev[k] = v
            ev["id"] = str(uuid.uuid4())
            return json.dumps(ev).encode()

        sent = []
        bad = [
            (b"this is not json", "invalid JSON"),
            (b'{"specversion":"1.0"', "invalid JSON"),
            (variant(type=None), "'type'"),
            (variant(specversion="0.3"), "'specversion'"),
            (variant(type="dk.jobcenter.meeting.booked.v1"), "not declared for topic"),
            (variant(data_citizen_ref=None), "data.citizen_ref: is required"),
            (variant(data_start_date="2026-02-30"), "data.start_date"),
            (variant(data_target_group="unknown-group"), "data.target_group"),
            (variant(data="a string"), "'data'"),
        ]
        key = good["data"]["case_id"].encode()
        for value, _ in bad:
            sent.append(value)
            p.stack.produce("jobcenter.case.v1", value, key=key)
        # The consumer goes on: a good event after the bad ones is applied.
        p.stack.produce("jobcenter.case.v1", json.dumps(good).encode(), key=key)
        jctest.wait_until(lambda: p.stack.scalar("SELECT count(*) FROM scheduling.case_projection") == 1,
                          30, "the good event after the poison")
        jctest.wait_until(lambda: len(p.stack.read_topic("jobcenter.dlq.v1")) == len(bad),
                          30, "every bad message on the dead-letter topic")
        dlq = p.stack.read_topic("jobcenter.dlq.v1")
        reasons = sorted((int(m["headers"]["jc_dlq_offset"]), m) for m in dlq)
        for (offset, m), (value, expected) in zip(reasons, bad):
            ev = jctest.validate_event(m["value"])
            self.assertEqual(m["headers"]["jc_dlq_topic"], "jobcenter.case.v1")
            self.assertEqual(m["headers"]["jc_dlq_consumer"], "scheduling")
            self.assertIn(expected, m["headers"]["jc_dlq_error"], value)
            self.assertEqual(ev["data"]["reason"], m["headers"]["jc_dlq_error"])
            self.assertTrue(ev["data"]["payload_included"])
            self.assertEqual(ev["data"]["payload"].encode(), value)
        self.assertEqual(p.stack.scalar("SELECT count(*) FROM scheduling.dead_letter"), len(bad))
        self.assertEqual(p.stack.scalar(
            "SELECT count(*) FROM scheduling.inbox WHERE outcome = 'dead_lettered'"), len(bad))
        # Redelivering a poison message does not dead-letter it twice.
        self.assertIn(f'jc_consumer_dead_letters_total{{consumer="scheduling"}} {len(bad)}',
                      sched.call("GET", "/metrics").body)

    def test_each_service_role_sees_only_its_own_schema(self):
        p = self.p
        p.service("intake")
        p.service("scheduling")
        intake_url = p.stack.db_url("intake")
        self.assertEqual(p.stack.sql("SELECT count(*) FROM outbox", role_url=intake_url)[0][0], 0)
        import psycopg2
        for query in ("SELECT * FROM scheduling.case_projection", "SELECT * FROM scheduling.inbox",
                      "CREATE TABLE public.sneaky (x int)", "CREATE SCHEMA sneaky"):
            with self.assertRaises(psycopg2.Error, msg=query) as cm:
                p.stack.sql(query, role_url=intake_url)
            self.assertIn("permission denied", str(cm.exception))
        with self.assertRaises(psycopg2.Error):
            p.stack.sql("SELECT cpr FROM intake.citizen", role_url=p.stack.db_url("scheduling"))

    def test_http_basics_health_auth_limits(self):
        p = self.p
        intake = p.service("intake", env={"JC_HTTP_MAX_BODY": "2048"})
        self.assertEqual(intake.call("GET", "/healthz").json, {"status": "ok"})
        self.assertEqual(intake.call("GET", "/readyz").json, {"status": "ready"})
        metrics = intake.call("GET", "/metrics")
        self.assertEqual(metrics.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
        self.assertIn("# TYPE jc_http_requests_total counter", metrics.body)

        def problem(r, status, slug):
            self.assertEqual(r.status, status, r)
            self.assertEqual(r.headers["content-type"], "application/problem+json")
            self.assertEqual(r.json["type"], f"urn:jobcenter:problem:{slug}")
            self.assertEqual(r.json["status"], status)
            return r.json

        body = {"cpr": p.cpr(), "name": p.name(), "target_group": "a-dagpenge",
                "start_date": "2026-03-02"}
        r = intake.call("POST", "/v1/cases", body=body)
        problem(r, 401, "unauthenticated")
        self.assertEqual(r.headers["www-authenticate"], 'Bearer realm="jobcenter"')
        problem(intake.call("POST", "/v1/cases", body=body, token="wrong"), 401, "unauthenticated")
        problem(intake.call("POST", "/v1/cases", body=body, scope="akasse:3F"), 403, "forbidden")
        problem(intake.call("POST", "/v1/cases", body=body, scope="portal"), 403, "forbidden")
        problem(intake.call("GET", "/v1/nothing"), 404, "not-found")
        r = intake.call("DELETE", "/v1/cases", scope="caseworker")
        problem(r, 405, "method-not-allowed")
        self.assertEqual(sorted(r.headers["allow"].split(", ")), ["GET", "POST"])
        problem(intake.call("POST", "/v1/cases", scope="caseworker", raw=b"x" * 4096,
                            headers={"Content-Type": "application/json"}), 413, "body-too-large")
        problem(intake.call("POST", "/v1/cases", scope="caseworker", raw=b"{}",
                            headers={"Content-Type": "text/plain"}), 415, "unsupported-media-type")
        j = problem(intake.call("POST", "/v1/cases", scope="caseworker", raw=b'{"cpr": 0101901234',
                                headers={"Content-Type": "application/json"}), 400, "malformed-json")
        self.assertNotIn("0101901234", json.dumps(j))
        problem(intake.call("POST", "/v1/cases", scope="caseworker", raw=b"[1]",
                            headers={"Content-Type": "application/json"}), 400, "malformed-json")
        j = problem(intake.call("POST", "/v1/cases", scope="caseworker", body={}), 422, "validation")
        self.assertEqual(sorted(e["field"] for e in j["errors"]),
                         ["cpr", "name", "start_date", "target_group"])
        problem(intake.call("GET", "/v1/cases/not-a-uuid", scope="caseworker"), 422, "validation")
        problem(intake.call("GET", "/v1/cases/5b0c7e0e-2222-4c3e-9d43-0a4c2b2f0002",
                            scope="caseworker"), 404, "not-found")
        # None of it stored anything.
        self.assertEqual(p.stack.scalar("SELECT count(*) FROM intake.case_file"), 0)
        self.assertEqual(p.stack.scalar("SELECT count(*) FROM intake.citizen"), 0)
        self.assertEqual(p.stack.scalar("SELECT count(*) FROM intake.outbox"), 0)

        # Idempotency-Key: replay returns the first answer; a different body is 409.
        h = {"Idempotency-Key": "k-1"}
        a = intake.call("POST", "/v1/cases", scope="caseworker", body=body, headers=h)
        b = intake.call("POST", "/v1/cases", scope="caseworker", body=dict(reversed(list(body.items()))), headers=h)
        self.assertEqual((a.status, b.status), (201, 201))
        self.assertEqual(a.json, b.json)
        c = intake.call("POST", "/v1/cases", scope="caseworker", body=dict(body, name="Other"), headers=h)
        problem(c, 409, "idempotency-conflict")
        # Without a key, a second open case of the same group is refused, naming it.
        d = intake.call("POST", "/v1/cases", scope="caseworker", body=body)
        j = problem(d, 409, "open-case-exists")
        self.assertEqual(j["errors"][0]["case_id"], a.json["case_id"])
        self.assertEqual(p.stack.scalar("SELECT count(*) FROM intake.case_file"), 1)


if __name__ == "__main__":
    jctest.main()
