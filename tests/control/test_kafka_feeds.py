"""control: campaign feeds on udk.campaign.v1. A feed in signed parts, in any
order, accepted once all are in (line errors by part); a re-sent part changes
nothing; unsigned, forged, unknown-key, malformed and conflicting parts go to
the dead-letter topic with the reason and without their content, and UDK sees
the refusal of its correctly signed parts; the sweep refuses a feed whose
parts never all came."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import controltest  # noqa: E402
from controltest import header, jctest, ndjson, record  # noqa: E402

CAMPAIGN = "UDK-2026-ARB"


def part(n, of, records, feed_id="K1", record_count=None, **extra):
    hdr = header(campaign_id=CAMPAIGN, feed_id=feed_id, theme="uoplyst-arbejde", part=n, parts=of,
                 record_count=record_count, **extra)
    return ndjson(hdr, *records)


class KafkaFeedTest(controltest.ControlTest):

    def status(self, feed_id="K1"):
        r = self.feed_report(CAMPAIGN, feed_id)
        return r.json.get("status") if r.status == 200 else None

    def test_signed_parts_in_any_order_idempotent_and_dead_letters(self):
        p = self.p
        a = self.open_case("kontanthjaelp-aktivitetsparat")
        b = self.open_case("selvforsoergelse-hjemrejse")
        recs = [record("W1", a["cpr"], "uoplyst-arbejde"), record("W2", p.cpr(), "uoplyst-arbejde"),
                record("W3", b["cpr"], "uoplyst-arbejde", employer_cvr="1234"),       # invalid
                record("W4", b["cpr"], "uoplyst-arbejde"), record("W1", a["cpr"], "uoplyst-arbejde")]
        p1 = part(1, 2, recs[:2], record_count=5)
        p2 = part(2, 2, recs[2:], record_count=5)
        self.send_part(p2, CAMPAIGN)  # the second part first
        jctest.wait_until(lambda: self.status() == "receiving", 30, "part 2 to be staged")
        self.assertEqual(self.scalar("SELECT count(*) FROM control.campaign_record"), 0)
        self.assertEqual(self.scalar("SELECT count(*) FROM control.record_stage"), 3)
        self.send_part(p1, CAMPAIGN)
        jctest.wait_until(lambda: self.status() == "accepted", 30, "the feed to be accepted")
        rep = self.feed_report(CAMPAIGN, "K1").json
        self.assertEqual((rep["received_via"], rep["parts"], rep["parts_received"]), ("kafka", 2, 2))
        self.assertEqual(rep["counts"], {"received": 5, "valid": 3, "invalid": 1, "duplicate": 1,
                                         "matched": 2, "unmatched": 1})
        self.assertEqual([(e["part"], e["line"], e["errors"][0]["field"]) for e in rep["errors"]],
                         [(2, 2, "evidence.employer_cvr"), (2, 4, "udk_ref")])
        self.assertEqual(rep["control_cases_opened"], 2)
        self.assertEqual(self.scalar("SELECT count(*) FROM control.record_stage"), 0)
        # Re-sent parts (UDK retrying): nothing changes.
        after = self.counts()
        self.send_part(p1, CAMPAIGN)
        self.send_part(p2, CAMPAIGN)
        self.wait_consumed("udk.campaign.v1")
        self.assertEqual({k: v for k, v in self.counts().items() if k != "outbox"},
                         {k: v for k, v in after.items() if k != "outbox"})
        self.assertEqual(len(self.events("control.campaign_received.v1")), 1)
        self.assertEqual(len(self.events("control.case_opened.v1")), 2)

        # Messages that can never be applied: to the dead-letter topic.
        other = part(1, 1, [record("Z1", p.cpr(), "uoplyst-arbejde")], feed_id="K2", record_count=1)
        self.send_part(other, CAMPAIGN, headers=[])                                        # unsigned
        self.send_part(other, CAMPAIGN, headers=self.udk_sign(other, key="not-the-key"))   # forged
        self.send_part(other, CAMPAIGN, headers=self.udk_sign(other, key_id="someone"))   # unknown key
        self.send_part(b"{not json", CAMPAIGN)                                             # malformed
        self.send_part(ndjson({"format": "udk-campaign.v1", "campaign_id": CAMPAIGN, "feed_id": "K3",
                               "theme": "uoplyst-arbejde"}), CAMPAIGN)                   # bad header
        self.send_part(part(1, 2, recs[:1], record_count=5), CAMPAIGN)                  # conflicting re-send
        self.send_part(ndjson(header(campaign_id="X", feed_id="K4", record_count=1),
                              record("Z2", p.cpr())), "X")                                 # no part number
        jctest.wait_until(lambda: len(p.stack.read_topic("jobcenter.dlq.v1")) == 7, 60, "7 dead letters")
        dlq = p.stack.read_topic("jobcenter.dlq.v1")
        reasons = sorted(m["headers"]["jc_dlq_error"] for m in dlq)
        self.assertIn("header jc-udk-key is missing", reasons)
        self.assertIn("signature does not match the message and key", reasons)
        self.assertIn('no signing key is configured for key id "someone"', reasons)
        self.assertIn("header.part: this part of the feed was received before with different content", reasons)
        self.assertIn("header.part: is required on Kafka (each message is one part of the feed: part and parts)",
                      reasons)
        self.assertTrue(any("header: the first line must be the feed header" in r for r in reasons), reasons)
        self.assertTrue(any(r.startswith("invalid feed header: ") and "header.kind: is required" in r
                            and "header.period: is required" in r for r in reasons), reasons)
        for m in dlq:  # personal data: the payload is never copied
            data = json.loads(m["value"])["data"]
            self.assertEqual((data["topic"], data["payload_included"]), ("udk.campaign.v1", False))
            self.assertNotIn("payload", data)
        self.assertEqual(self.scalar("SELECT count(*) FROM control.feed WHERE feed_id <> 'K1'"), 0)
        # UDK sees why its correctly signed parts were refused.
        g = self.feed_report(CAMPAIGN, "K1")
        self.assertEqual([x["reason"] for x in g.json["rejected_parts"]],
                         ["header.part: this part of the feed was received before with different content"])
        g = self.feed_report(CAMPAIGN, "K3")
        self.assertEqual((g.status, g.json["status"]), (200, "rejected"))
        self.assertTrue(g.json["rejected_parts"][0]["reason"].startswith("invalid feed header"))
        self.assertEqual(self.feed_report(CAMPAIGN, "K2").status, 404)  # never authenticated

    def test_sweep_refuses_a_feed_whose_parts_never_all_came(self):
        self.send_part(part(1, 3, [record("P1", self.p.cpr(), "uoplyst-arbejde")], record_count=3), CAMPAIGN)
        jctest.wait_until(lambda: self.status() == "receiving", 30, "part 1 to be staged")
        r = self.control.call("POST", "/v1/admin/sweep", scope="admin")
        self.assertEqual((r.status, r.json["feeds_expired"]), (200, 0))  # not yet stale
        self.sql("UPDATE control.feed SET received_at = now() - interval '25 hours'")
        self.assertEqual(self.control.call("POST", "/v1/admin/sweep", scope="caseworker").status, 403)
        r = self.control.call("POST", "/v1/admin/sweep", scope="admin")
        self.assertEqual((r.status, r.json["feeds_expired"]), (200, 1))
        rep = self.feed_report(CAMPAIGN, "K1").json
        self.assertEqual((rep["status"], rep["refusal"]["field"], rep["parts_received"]), ("refused", "header.parts", 1))
        self.assertEqual(self.scalar("SELECT count(*) FROM control.record_stage"), 0)
        self.assertEqual(self.control.call("POST", "/v1/admin/sweep", scope="admin").json["feeds_expired"], 0)
        # A complete re-send replaces the refused feed.
        recs = [record(f"P{i}", self.p.cpr(), "uoplyst-arbejde") for i in range(3)]
        for n in (1, 2, 3):
            self.send_part(part(n, 3, recs[n - 1:n], record_count=3), CAMPAIGN)
        jctest.wait_until(lambda: self.status() == "accepted", 30, "the re-sent feed to be accepted")
        self.assertEqual(self.feed_report(CAMPAIGN, "K1").json["counts"]["valid"], 3)


if __name__ == "__main__":
    jctest.main()
