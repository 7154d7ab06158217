"""notifications: reliable delivery against a misbehaving receiver.

postreceiver takes fault commands: the receiver goes down (connection
refused) and comes back, answers 503 for a while, answers 400 for good, or
answers slower than our timeout. Each case ends with the receiver holding each
message exactly once (it deduplicates on the Idempotency-Key we send, the
message id) and the message's state, attempts, events and dead letters telling
what happened. Also: retries back off exponentially with jitter; too many
attempts and permanent refusals fail, visible in the API and on the
dead-letter topic, and an operator can resend; a-kasse reports are signed and
an a-kasse without a webhook fails with the reason; a delivery process killed
with -9 mid-run loses and doubles nothing."""
import hashlib
import hmac
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import notiftest as nt  # noqa: E402
from notiftest import jctest  # noqa: E402

BASE_MS = 200
MAX_ATTEMPTS = 6
SECRET = "a-kasse-3F-webhook-secret-0123456789"


class DeliveryTest(nt.SharedPlatformTest):

    @classmethod
    def start_services(cls):
        st = cls.p.stack
        hooks = os.path.join(st.dir, "webhooks-3F-only.json")
        with open(hooks, "w") as f:
            json.dump({"webhooks": {"3F": {"url": st.env["JC_POSTRECEIVER_URL"] + "/akasse/3F/reports",
                                           "secret": SECRET}}}, f)
        cls.env = {"JC_SWEEP_INTERVAL_S": "0", "JC_NOTIFY_DELIVERY_WORKERS": "2", "JC_NOTIFY_POLL_MS": "100",
                   "JC_NOTIFY_RETRY_BASE_MS": str(BASE_MS), "JC_NOTIFY_RETRY_CAP_MS": "2000",
                   "JC_NOTIFY_MAX_ATTEMPTS": str(MAX_ATTEMPTS), "JC_NOTIFY_TIMEOUT_MS": "1000",
                   "JC_NOTIFY_CONNECT_TIMEOUT_MS": "500", "JC_NOTIFY_AKASSE_WEBHOOKS_FILE": hooks}
        cls.svc = cls.p.service("notifications", env=cls.env)
        cls.who = cls.ev.citizen(digital_post=True)

    def setUp(self):
        self.p.stack.post_fault("clear")

    def open_case(self):
        case_id = self.ev.case_opened(self.who["citizen_ref"])["data"]["case_id"]
        return jctest.wait_until(lambda: (nt.messages(self.p, case_id) or [None])[0], 30, "the message")

    def attempts(self, message_id):
        return self.p.stack.sql(
            "SELECT round, attempt, outcome, http_status, error FROM notifications.delivery_attempt"
            " WHERE message_id = %s ORDER BY round, attempt", (message_id,))

    def events(self, topic, message_id, kind=None):
        out = []
        for m in self.p.stack.read_topic(topic):
            ev = json.loads(m["value"])
            d = ev["data"]
            if d.get("message_id") == message_id or d.get("consumer") == f"notifications-delivery:{message_id}":
                if kind is None or ev["type"].endswith(kind):
                    out.append((m, d))
        return out

    def published(self, topic, message_id, kind=None, n=1):
        """The events about message_id once n of them are on the topic (the
        relay publishes after the commit)."""
        return jctest.wait_until(lambda: (lambda evs: evs if len(evs) >= n else None)(
            self.events(topic, message_id, kind)), 30, f"{kind or topic} for {message_id}")

    def assert_once(self, message_id):
        [rec] = self.p.stack.post_received(key=message_id)
        self.assertEqual(len(self.published("jobcenter.notification.v1", message_id, "notification.sent.v1")), 1)
        return rec

    def test_10_receiver_down_then_back_delivers_exactly_once(self):
        self.p.stack.post_fault("down")
        msgs = [self.open_case() for _ in range(3)]
        for m in msgs:
            jctest.wait_until(lambda: len(self.attempts(m["message_id"])) >= 2, 30, "retries while down")
        self.p.stack.post_fault("up")
        for m in msgs:
            nt.wait_status(self.p, m["case_id"], "rights_and_duties", "sent")
            rec = self.assert_once(m["message_id"])
            self.assertEqual(rec["duplicates"], 0)
            tries = self.attempts(m["message_id"])
            self.assertEqual(tries[-1][2], "sent")
            for _, _, outcome, status, error in tries[:-1]:
                self.assertEqual((outcome, status), ("transient", None))
                self.assertIn("connection refused", error)
            # nothing reached the receiver while it was down
            self.assertEqual([r["status"] for r in self.p.stack.post_requests(key=m["message_id"])], [202])

    def test_20_503_burst_is_retried_with_exponential_backoff(self):
        self.p.stack.post_fault("fail 503 4 digital_post")
        m = self.open_case()
        nt.wait_status(self.p, m["case_id"], "rights_and_duties", "sent")
        reqs = self.p.stack.post_requests(key=m["message_id"])
        self.assertEqual([r["status"] for r in reqs], [503, 503, 503, 503, 202])
        gaps = [b["at_ms"] - a["at_ms"] for a, b in zip(reqs, reqs[1:])]
        # attempt n waits between half and all of base * 2^(n-1)
        for n, gap in enumerate(gaps, start=1):
            lo = BASE_MS * 2 ** (n - 1) / 2
            self.assertGreaterEqual(gap, lo - 15, f"retry {n} after {gap} ms: {gaps}")
            self.assertLess(gap, BASE_MS * 2 ** (n - 1) * jctest.SLOW + 1000, f"retry {n} after {gap} ms: {gaps}")
        self.assertGreater(gaps[3], gaps[0])
        self.assertEqual([(o, s) for _, _, o, s, _ in self.attempts(m["message_id"])],
                         [("transient", 503)] * 4 + [("sent", 202)])
        r = self.svc.call("GET", f"/v1/messages/{m['message_id']}", scope="caseworker")
        self.assertEqual((r.json["status"], r.json["attempts"], len(r.json["delivery_attempts"])), ("sent", 5, 5))
        self.assert_once(m["message_id"])

    def test_30_too_many_transient_failures_fail_the_message(self):
        self.p.stack.post_fault(f"fail 503 {MAX_ATTEMPTS} digital_post")
        m = self.open_case()
        msg = nt.wait_status(self.p, m["case_id"], "rights_and_duties", "failed", timeout=60)
        self.assertEqual(msg["failure_reason"],
                         f"gave up after {MAX_ATTEMPTS} attempts; last: digital_post answered HTTP 503")
        self.assertEqual(len(self.attempts(m["message_id"])), MAX_ATTEMPTS)
        self.assertEqual(self.p.stack.post_received(key=m["message_id"]), [])
        [(dl, d)] = self.published("jobcenter.dlq.v1", m["message_id"])
        self.assertEqual((d["reason"], d["topic"], d["payload_included"]),
                         (msg["failure_reason"], "jobcenter.case.v1", False))
        [(_, f)] = self.published("jobcenter.notification.v1", m["message_id"], "notification.failed.v1")
        self.assertEqual((f["attempts"], f["http_status"], f["channel"]), (MAX_ATTEMPTS, 503, "digital_post"))

    def test_40_permanent_400_fails_is_dead_lettered_listed_and_resent(self):
        self.p.stack.post_fault("reject 400 digital_post")
        m = self.open_case()
        mid = m["message_id"]
        msg = nt.wait_status(self.p, m["case_id"], "rights_and_duties", "failed")
        self.assertEqual(msg["failure_reason"], "permanent failure: digital_post answered HTTP 400")
        self.assertEqual([(o, s) for _, _, o, s, _ in self.attempts(mid)], [("permanent", 400)])
        [(dl, d)] = self.published("jobcenter.dlq.v1", mid)
        self.assertEqual((dl["headers"]["jc_dlq_consumer"], dl["headers"]["jc_dlq_error"], dl["headers"]["jc_dlq_topic"]),
                         (f"notifications-delivery:{mid}", msg["failure_reason"], "jobcenter.case.v1"))
        self.assertEqual(self.p.stack.scalar("SELECT reason FROM notifications.dead_letter WHERE id = %s",
                                             (d["dead_letter_id"],)), msg["failure_reason"])
        [(_, f)] = self.published("jobcenter.notification.v1", mid, "notification.failed.v1")
        self.assertEqual(f["http_status"], 400)
        # visible in the failed list and in the message's status
        listed = self.svc.call("GET", "/v1/messages?status=failed&limit=500", scope="admin").json["messages"]
        self.assertIn(mid, [x["message_id"] for x in listed])
        r = self.svc.call("GET", f"/v1/messages/{mid}", scope="caseworker")
        self.assertEqual((r.status, r.json["status"], r.json["failure_reason"]), (200, "failed", msg["failure_reason"]))
        self.assertEqual([(a["outcome"], a["http_status"]) for a in r.json["delivery_attempts"]], [("permanent", 400)])
        self.assertNotIn("text", r.json)  # the status view carries no letter text
        # an operator resends once the receiver is fixed; caseworkers cannot
        self.assertEqual(self.svc.call("POST", f"/v1/messages/{mid}/resend", scope="caseworker").status, 403)
        self.p.stack.post_fault("clear")
        r = self.svc.call("POST", f"/v1/messages/{mid}/resend", scope="admin")
        self.assertEqual((r.status, r.json["status"], r.json["resends"]), (202, "pending", 1), r)
        nt.wait_status(self.p, m["case_id"], "rights_and_duties", "sent")
        rec = self.assert_once(mid)
        self.assertIn("Dine rettigheder og pligter", rec["body"]["subject"])
        self.assertEqual([(rnd, o) for rnd, _, o, _, _ in self.attempts(mid)], [(0, "permanent"), (1, "sent")])
        r = self.svc.call("POST", f"/v1/messages/{mid}/resend", scope="admin")
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (409, "status"), r)
        self.assertNotIn(mid, [x["message_id"] for x in self.svc.call(
            "GET", "/v1/messages?status=failed&limit=500", scope="admin").json["messages"]])

    def test_50_a_timeout_that_hid_a_success_is_deduplicated_by_the_receiver(self):
        # the receiver records, then answers after our 1 s timeout
        self.p.stack.post_fault("slow 1500 digital_post")
        m = self.open_case()
        mid = m["message_id"]
        jctest.wait_until(lambda: any("timeout" in (e or "") for *_, e in self.attempts(mid)), 30, "a timeout")
        self.p.stack.post_fault("clear")
        nt.wait_status(self.p, m["case_id"], "rights_and_duties", "sent")
        rec = self.assert_once(mid)
        # sent more than once, shown once: the at-least-once edge, absorbed by the key
        self.assertGreaterEqual(rec["duplicates"], 1)
        self.assertEqual(len(self.p.stack.post_requests(key=mid)), rec["duplicates"] + 1)

    def test_60_akasse_reports_are_signed_and_an_unknown_akasse_fails(self):
        case_id = self.ev.case_opened(self.who["citizen_ref"])["data"]["case_id"]
        self.ev.akasse_report(case_id, self.who["citizen_ref"], "3F")
        self.ev.akasse_report(case_id, self.who["citizen_ref"], "FOA")

        def by_akasse():
            ms = {m["recipient_id"]: m for m in nt.messages(self.p, case_id) if m["template"] == "akasse_report"}
            return ms if len(ms) == 2 and {m["status"] for m in ms.values()} <= {"sent", "failed"} else None
        ms = jctest.wait_until(by_akasse, 30, "both reports")
        self.assertEqual((ms["3F"]["status"], ms["FOA"]["status"]), ("sent", "failed"))
        self.assertEqual(ms["FOA"]["failure_reason"], "permanent failure: no webhook is configured for a-kasse FOA")
        rec = self.assert_once(ms["3F"]["message_id"])
        mac = hmac.new(SECRET.encode(), rec["raw"].encode(), hashlib.sha256).hexdigest()
        self.assertEqual(rec["signature"], f"sha256={mac}")
        self.assertEqual(json.loads(rec["raw"]), rec["body"])

    def test_70_a_delivery_process_killed_mid_run_loses_and_doubles_nothing(self):
        # a second process that only delivers; the receiver answers slowly, so
        # the kill lands while requests are in flight
        self.p.stack.post_fault("slow 150 digital_post")
        worker = self.p.service("notifications", roles="sweep", instance=1,
                                env=dict(self.env, JC_NOTIFY_DELIVERY_WORKERS="4"))
        cases = [self.ev.case_opened(self.who["citizen_ref"])["data"]["case_id"] for _ in range(24)]
        jctest.wait_until(lambda: self.p.stack.scalar(
            "SELECT count(*) FROM notifications.message WHERE status = 'sent' AND case_id = ANY(%s::uuid[])",
            (cases,)) >= 4, 30, "deliveries to start")
        worker.kill()
        self.p.stack.post_fault("clear")
        for c in cases:
            nt.wait_status(self.p, c, "rights_and_duties", "sent")
        keys = [m["message_id"] for c in cases for m in nt.messages(self.p, c)]
        self.assertEqual(len(keys), 24)
        recs = self.p.stack.post_received(channel="digital_post")
        counted = {}
        for r in recs:
            counted[r["key"]] = counted.get(r["key"], 0) + 1
        self.assertEqual({k: counted.get(k) for k in keys}, {k: 1 for k in keys})
        def sent_events():
            evs = [json.loads(m["value"]) for m in self.p.stack.read_topic("jobcenter.notification.v1")]
            ids = [e["data"]["message_id"] for e in evs if e["data"]["message_id"] in keys]
            return ids if len(ids) >= len(keys) else None
        self.assertEqual(sorted(jctest.wait_until(sent_events, 30, "notification.sent.v1 events")), sorted(keys))
        dups = sum(r["duplicates"] for r in recs if r["key"] in keys)
        print(f"\n  kill -9 mid-run: 24 delivered once each; {dups} resent after the kill and deduplicated",
              file=sys.stderr)


if __name__ == "__main__":
    jctest.main()
