"""control: Udbetaling Danmark campaign feeds over HTTP. Good, bad (by line)
and duplicate records; matching through the keyed hash only (a citizen with an
open case matches; one without, an erased one and an unknown CPR do not);
control vs information campaigns; a feed accepted or refused as one unit;
re-sending a feed or a record changes nothing; identical uploads at once make
one feed; a client that goes away mid-body leaves nothing; campaign facts
cannot change; the published examples."""
import concurrent.futures
import glob
import json
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(__file__))
import controltest  # noqa: E402
from controltest import feed, header, jctest, ndjson, record  # noqa: E402

EXAMPLES = os.path.join(jctest.ROOT, "schemas", "feeds", "examples")


class FeedTest(controltest.ControlTest):

    def test_good_bad_and_duplicate_records_and_matching_through_the_hash(self):
        p = self.p
        a = self.open_case("kontanthjaelp-jobparat")
        b = self.open_case("uddannelseshjaelp-uddannelsesparat")
        closed = self.open_case("kontanthjaelp-jobparat")
        self.close_case(closed)
        erased = self.open_case("kontanthjaelp-aktivitetsparat")
        self.close_case(erased)
        self.erase(erased)
        unknown = p.cpr()
        lines = [
            header(record_count=12),                                       # line 1
            record("R-A", a["cpr"]),                                       # 2 matched
            record("R-B", b["cpr"][:6] + "-" + b["cpr"][6:]),              # 3 matched (hyphen form)
            record("R-C", closed["cpr"]),                                  # 4 no open case
            record("R-D", erased["cpr"]),                                  # 5 erased citizen
            record("R-E", unknown),                                        # 6 unknown CPR
            "",                                                            # 7 blank: ignored
            record("R-F", "3213901234"),                                   # 8 bad CPR
            record("R-G", a["cpr"], country="DK", source="rumour"),        # 9 bad evidence
            '{"udk_ref": "R-H", "cpr": ',                                  # 10 not JSON
            dict(record("R-I", a["cpr"]), extra="x"),                      # 11 unknown field
            record("R-A", a["cpr"], country="SE"),                         # 12 duplicate of line 2
            json.dumps(record("R-J", a["cpr"])) + " " * 17000,             # 13 too long
            record("R-K", b["cpr"], to="2026-01-01"),                      # 14 to before from
        ]
        body = ndjson(*lines)
        before = self.counts()
        r = self.upload(body)
        self.assertEqual(r.status, 201, r)
        rep = r.json
        self.assertEqual((rep["status"], rep["campaign_id"], rep["feed_id"]), ("accepted", "UDK-2026-UDL", "F1"))
        self.assertEqual(rep["counts"], {"received": 12, "valid": 5, "invalid": 6, "duplicate": 1,
                                         "matched": 2, "unmatched": 3})
        self.assertEqual(rep["control_cases_opened"], 2)
        by_line = {e["line"]: sorted(x["field"] for x in e["errors"]) for e in rep["errors"]}
        self.assertEqual(by_line, {8: ["cpr"], 9: ["evidence.country", "evidence.source"], 10: ["(record)"],
                                   11: ["extra"], 12: ["udk_ref"], 13: ["(record)"], 14: ["evidence.to"]})
        dup = [e for e in rep["errors"] if e["line"] == 12][0]
        self.assertEqual(dup["errors"][0]["message"], "duplicate: repeats the udk_ref of line 2")
        for cpr in (a["cpr"], b["cpr"], unknown):
            self.assertNotIn(cpr, r.body)  # never echoed
        # Only the two citizens with an open case got a control case, each with its evidence.
        cases = self.sql("SELECT case_id::text, citizen_ref::text, origin, theme FROM control.control_case"
                         " ORDER BY case_id")
        self.assertEqual(sorted(c[0] for c in cases), sorted([a["case_id"], b["case_id"]]))
        self.assertTrue(all(c[2:] == ("campaign", "udlandsophold") for c in cases))
        self.assertEqual(self.scalar("SELECT count(*) FROM control.control_evidence WHERE kind = 'udk_record'"), 2)
        # Data minimisation: hash and evidence are kept only for matched records.
        self.assertEqual(self.sql("SELECT udk_ref, cpr_hmac IS NOT NULL, evidence IS NOT NULL, case_id IS NOT NULL"
                                  " FROM control.campaign_record ORDER BY udk_ref"),
                         [("R-A", True, True, True), ("R-B", True, True, True), ("R-C", False, False, False),
                          ("R-D", False, False, False), ("R-E", False, False, False)])
        self.assertEqual(self.scalar("SELECT count(*) FROM control.record_stage"), 0)
        # The hash is HMAC-SHA256 with the configured key, nothing else of the CPR is kept.
        import hashlib
        import hmac
        expect = hmac.new(self.cpr_key.encode(), a["cpr"].encode(), hashlib.sha256).digest()
        self.assertEqual(bytes(self.scalar("SELECT cpr_hmac FROM control.citizen_key WHERE citizen_ref = %s",
                                           (a["citizen_ref"],))), expect)
        self.assert_no_cpr_stored([a["cpr"], b["cpr"], closed["cpr"], erased["cpr"], unknown])
        opened = self.events("control.case_opened.v1")
        self.assertEqual(sorted(e["data"]["case_id"] for e in opened), sorted([a["case_id"], b["case_id"]]))
        self.assertTrue(all(e["data"]["feed_id"] == rep["feed_uuid"] and e["data"]["origin"] == "campaign"
                            for e in opened))
        received = self.events("control.campaign_received.v1")
        self.assertEqual(len(received), 1)
        self.assertEqual({k: received[0]["data"][k] for k in ("received", "valid", "invalid", "duplicates",
                                                              "matched", "unmatched", "channel")},
                         {"received": 12, "valid": 5, "invalid": 6, "duplicates": 1, "matched": 2,
                          "unmatched": 3, "channel": "http"})

        # The report and its errors, page by page (UDK and caseworkers may read them).
        g = self.feed_report("UDK-2026-UDL", "F1")
        self.assertEqual((g.status, g.json["counts"]), (200, rep["counts"]))
        lines_seen, cursor = [], None
        while True:
            q = "/v1/campaigns/UDK-2026-UDL/feeds/F1/errors?limit=3" + (f"&cursor={cursor}" if cursor else "")
            page = self.control.call("GET", q, scope="caseworker")
            self.assertEqual(page.status, 200, page)
            lines_seen += [e["line"] for e in page.json["items"]]
            cursor = page.json["next_cursor"]
            if not cursor:
                break
        self.assertEqual(lines_seen, [8, 9, 10, 11, 12, 13, 14])

        # Re-sending the feed: the first answer, nothing new.
        after = self.counts()
        again = self.upload(body)
        self.assertEqual((again.status, again.json), (201, rep))
        self.assertEqual(self.counts(), after)
        # The same feed_id with other bytes: a conflict, nothing stored.
        other = self.upload(body.replace(b"R-E", b"R-X"))
        self.assertEqual((other.status, other.json["errors"][0]["field"]), (409, "header.feed_id"))
        self.assertEqual(self.counts(), after)
        # A second feed of the campaign: a record seen before is a duplicate; a new
        # record of a citizen with a control case is added to its evidence.
        r2 = self.upload(feed(header(feed_id="F2"), [record("R-A", a["cpr"]), record("R-A2", a["cpr"], country="FR")]))
        self.assertEqual(r2.status, 201, r2)
        self.assertEqual((r2.json["counts"]["duplicate"], r2.json["counts"]["matched"], r2.json["control_cases_opened"]),
                         (1, 1, 0))
        self.assertEqual(r2.json["errors"][0]["errors"][0]["message"],
                         "duplicate: the udk_ref was received before, in feed F1")
        self.assertEqual(self.scalar("SELECT count(*) FROM control.control_evidence e JOIN control.control_case c"
                                     " USING (control_case_id) WHERE c.case_id = %s", (a["case_id"],)), 2)
        self.assertEqual(len(self.events("control.case_opened.v1")), 2)
        self.assertGreater(after["feed"], before["feed"])

    def assert_no_cpr_stored(self, cprs):
        """No CPR number in any column of any row of schema control."""
        for (table,) in self.sql("SELECT table_name FROM information_schema.tables WHERE table_schema = 'control'"):
            text = json.dumps([r[0] for r in self.sql(f"SELECT row_to_json(t)::text FROM control.{table} t")])
            for cpr in cprs:
                self.assertNotIn(cpr, text, f"a CPR number in control.{table}")
                self.assertNotIn(cpr[:6] + "-" + cpr[6:], text, f"a CPR number in control.{table}")

    def test_information_campaign_requests_one_letter_per_citizen(self):
        a = self.open_case("kontanthjaelp-jobparat")
        b = self.open_case("a-dagpenge")
        ledig = self.open_case("ledighedsydelse")
        hdr = header(campaign_id="UDK-2026-INFO-ADR", theme="adresse", kind="information",
                     target_groups=["kontanthjaelp-jobparat", "a-dagpenge"])
        recs = [record("A1", a["cpr"], "adresse"), record("A2", a["cpr"], "adresse", status="abroad"),
                record("B1", b["cpr"], "adresse"), record("L1", ledig["cpr"], "adresse")]
        r = self.upload(feed(hdr, recs))
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["counts"]["matched"], r.json["counts"]["unmatched"], r.json["letters_requested"],
                          r.json["control_cases_opened"]), (3, 1, 2, 0))
        letters = self.events("control.information_requested.v1")
        self.assertEqual(sorted(e["data"]["case_id"] for e in letters), sorted([a["case_id"], b["case_id"]]))
        self.assertTrue(all(e["data"]["theme"] == "adresse" and e["data"]["campaign_id"] == "UDK-2026-INFO-ADR"
                            for e in letters))
        self.assertEqual(self.scalar("SELECT count(*) FROM control.control_case"), 0)
        # The campaign and its funnel.
        c = self.control.call("GET", "/v1/campaigns/UDK-2026-INFO-ADR", scope="caseworker")
        self.assertEqual(c.status, 200, c)
        self.assertEqual((c.json["kind"], c.json["funnel"]["records_matched"], c.json["funnel"]["letters_requested"]),
                         ("information", 3, 2))
        self.assertEqual(c.json["target_groups"], ["a-dagpenge", "kontanthjaelp-jobparat"])
        lst = self.control.call("GET", "/v1/campaigns", scope="admin")
        self.assertEqual([x["campaign_id"] for x in lst.json["items"]], ["UDK-2026-INFO-ADR"])
        # The campaign's facts are fixed by its first feed.
        r = self.upload(feed(dict(hdr, feed_id="F2", kind="control"), [record("A3", a["cpr"], "adresse")]))
        self.assertEqual((r.status, r.json["type"], r.json["errors"][0]["field"]),
                         (409, "urn:jobcenter:problem:campaign-mismatch", "header.kind"))

    def test_a_feed_is_accepted_or_refused_as_one_unit(self):
        a = self.open_case("kontanthjaelp-jobparat")
        # Fewer records than the header declares: refused, nothing applied.
        body = ndjson(header(record_count=3), record("R1", a["cpr"]), record("R2", self.p.cpr()))
        r = self.upload(body)
        self.assertEqual((r.status, r.json["type"]), (422, "urn:jobcenter:problem:feed-refused"))
        self.assertEqual(r.json["errors"][0]["field"], "header.record_count")
        self.assertEqual((r.json["feed"]["status"], r.json["feed"]["counts"]["received"]), ("refused", 2))
        self.assertEqual(self.scalar("SELECT count(*) FROM control.campaign_record"), 0)
        self.assertEqual(self.scalar("SELECT count(*) FROM control.control_case"), 0)
        self.assertEqual(self.scalar("SELECT count(*) FROM control.record_stage"), 0)
        self.assertEqual(self.scalar("SELECT status FROM control.feed"), "refused")
        self.assertEqual(self.upload(body).json, r.json)  # the refusal replays too
        # A corrected re-send under the same feed_id takes its place.
        r = self.upload(ndjson(header(record_count=2), record("R1", a["cpr"]), record("R2", self.p.cpr())))
        self.assertEqual((r.status, r.json["status"], r.json["counts"]["matched"]), (201, "accepted", 1))
        self.assertEqual(self.scalar("SELECT count(*) FROM control.feed"), 1)
        # Mostly invalid records: refused as a whole (JC_FEED_MAX_INVALID_PERCENT, 50 %).
        bad = [record(f"X{i}", "0000000000") for i in range(3)] + [record("X9", a["cpr"])]
        r = self.upload(feed(header(feed_id="F2"), bad))
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "(records)"))
        self.assertEqual(self.scalar("SELECT count(*) FROM control.campaign_record WHERE udk_ref LIKE 'X%%'"), 0)
        self.assertEqual(len(self.events("control.campaign_received.v1")), 1)  # only the accepted one
        g = self.feed_report("UDK-2026-UDL", "F2", scope="admin")
        self.assertEqual((g.json["status"], g.json["refusal"]["field"], g.json["errors_total"]),
                         ("refused", "(records)", 3))

    def test_identical_uploads_at_once_make_one_feed(self):
        a = self.open_case("kontanthjaelp-jobparat")
        body = feed(header(), [record(f"R{i}", a["cpr"] if i == 0 else self.p.cpr()) for i in range(50)])
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(lambda _: self.upload(body), range(6)))
        self.assertEqual({a_.status for a_ in answers}, {201})
        self.assertEqual(len({json.dumps(a_.json, sort_keys=True) for a_ in answers}), 1)
        self.assertEqual(self.scalar("SELECT count(*) FROM control.feed"), 1)
        self.assertEqual(self.scalar("SELECT count(*) FROM control.campaign_record"), 50)
        self.assertEqual(self.scalar("SELECT count(*) FROM control.control_case"), 1)
        self.assertEqual(len(self.events("control.case_opened.v1")), 1)

    def test_a_client_gone_mid_body_leaves_nothing(self):
        body = feed(header(), [record(f"R{i}", self.p.cpr()) for i in range(3000)])
        before = self.counts()
        s = socket.create_connection(("127.0.0.1", self.control.port))
        s.sendall(b"POST /v1/campaign-feeds HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
                  b"Authorization: Bearer " + self.p.token("udk:feed").encode() +
                  f"\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body[: len(body) // 2])
        jctest.wait_until(lambda: self.scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE usename = 'control' AND query LIKE 'COPY%%'"), 30,
            "the upload to be staging")
        s.close()
        jctest.wait_until(lambda: "request completed" in self.control.log_text() and self.scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE usename = 'control' AND query LIKE 'COPY%%'"
            " AND state <> 'idle'") == 0, 30, "the aborted upload to end")
        self.assertEqual(self.counts(), before)
        # And the service goes on.
        self.assertEqual(self.upload(feed(header(), [record("R1", self.p.cpr())])).status, 201)

    def test_published_examples_validate_and_are_accepted(self):
        import jsonschema
        with open(os.path.join(jctest.ROOT, "schemas", "feeds", "udk-campaign.v1.json")) as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
        paths = sorted(glob.glob(os.path.join(EXAMPLES, "*.ndjson")))
        self.assertGreaterEqual(len(paths), 4)
        for path in paths:
            with open(path, "rb") as f:
                raw = f.read()
            lines = [json.loads(x) for x in raw.splitlines() if x.strip()]
            for i, line in enumerate(lines):
                self.assertEqual([e.message for e in v.iter_errors(line)], [], f"{path} line {i + 1}")
            # the examples' CPR numbers appear in no log or event either
            self.p.cprs.update(x["cpr"].replace("-", "") for x in lines[1:])
            if "part-" in path:
                continue
            r = self.upload(raw)
            self.assertEqual((r.status, r.json["status"], r.json["counts"]["invalid"]), (201, "accepted", 0), path)
        # The two Kafka parts make one feed.
        for path in paths:
            if "part-" in path:
                with open(path, "rb") as f:
                    self.send_part(f.read(), "UDK-2026-KONTROL-ARB")
        jctest.wait_until(lambda: (self.feed_report("UDK-2026-KONTROL-ARB", "UDK-2026-KONTROL-ARB-001").json
                                   or {}).get("status") == "accepted", 60, "the Kafka example feed to be accepted")


if __name__ == "__main__":
    jctest.main()
