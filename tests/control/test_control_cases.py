"""control: control cases opened by a campaign or a caseworker; evidence,
notes, outcome, close; every read audited; no personal data in the list; an
erased citizen's campaign evidence dropped (unless an open control case holds
it); and no CPR or name column anywhere in schema control."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import controltest  # noqa: E402
from controltest import feed, header, jctest, record  # noqa: E402


class ControlCaseTest(controltest.ControlTest):

    def test_no_cpr_or_name_column_in_schema_control(self):
        cols = self.sql("SELECT table_name, column_name, data_type FROM information_schema.columns"
                        " WHERE table_schema = 'control'")
        self.assertGreater(len(cols), 100)
        for table, column, dtype in cols:
            if (table, column) == ("schema_migrations", "name"):
                continue  # the migration runner's file names
            self.assertNotIn("name", column, f"control.{table}.{column}")
            self.assertFalse(column in ("cpr", "cpr_nr", "cpr_number", "personnummer"), f"control.{table}.{column}")
            if "cpr" in column:  # only the keyed hash
                self.assertEqual((column, dtype), ("cpr_hmac", "bytea"), f"control.{table}.{column}")
        # and the control role cannot read intake's citizens
        import psycopg2
        with self.assertRaises(psycopg2.Error):
            self.p.stack.sql("SELECT cpr FROM intake.citizen", role_url=self.p.stack.db_url("control"))

    def test_lifecycle_evidence_notes_outcome_close_and_audit(self):
        a = self.open_case("kontanthjaelp-jobparat")
        r = self.upload(feed(header(theme="samlivsforhold"), [record("S1", a["cpr"], "samlivsforhold")]))
        self.assertEqual((r.status, r.json["control_cases_opened"]), (201, 1))
        [cc] = self.control.call("GET", f"/v1/control-cases?case_id={a['case_id']}", scope="caseworker").json["items"]
        self.assertEqual((cc["origin"], cc["status"], cc["evidence_count"]), ("campaign", "open", 1))
        cid = cc["control_case_id"]
        # A caseworker opens one too (idempotent with a key).
        body = {"case_id": a["case_id"], "theme": "andet", "reason": "Tip fra Borgerservice om arbejde"}
        r1 = self.control.call("POST", "/v1/control-cases", scope="caseworker", body=body,
                               headers={"Idempotency-Key": "k1"})
        r2 = self.control.call("POST", "/v1/control-cases", scope="caseworker", body=body,
                               headers={"Idempotency-Key": "k1"})
        self.assertEqual((r1.status, r2.status, r1.json), (201, 201, r2.json))
        r3 = self.control.call("POST", "/v1/control-cases", scope="caseworker", body=dict(body, theme="adresse"),
                               headers={"Idempotency-Key": "k1"})
        self.assertEqual(r3.status, 409)
        manual = r1.json["control_case_id"]
        self.assertEqual(self.scalar("SELECT count(*) FROM control.control_case"), 2)
        # evidence and notes
        r = self.control.call("POST", f"/v1/control-cases/{cid}/evidence", scope="caseworker",
                              body={"kind": "register_extract", "description": "BBR: to voksne på adressen",
                                    "received_on": "2026-03-01"})
        self.assertEqual(r.status, 201, r)
        r = self.control.call("POST", f"/v1/control-cases/{cid}/notes", scope="caseworker",
                              body={"text": "Partshøring sendt; svar afventes"})
        self.assertEqual(r.status, 201, r)
        # closing needs an outcome; a repayment claim needs its amount
        r = self.control.call("POST", f"/v1/control-cases/{cid}/close", scope="caseworker", body={})
        self.assertEqual((r.status, r.json["type"]), (409, "urn:jobcenter:problem:outcome-missing"))
        r = self.control.call("POST", f"/v1/control-cases/{cid}/outcome", scope="caseworker",
                              body={"outcome": "repayment_claim"})
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "repayment_dkk"))
        r = self.control.call("POST", f"/v1/control-cases/{cid}/outcome", scope="caseworker",
                              body={"outcome": "repayment_claim", "repayment_dkk": 24500,
                                    "text": "Samlevende siden september 2025"})
        self.assertEqual((r.status, r.json["outcome"]), (200, "repayment_claim"))
        r = self.control.call("POST", f"/v1/control-cases/{cid}/close", scope="caseworker", body={})
        self.assertEqual((r.status, r.json["status"]), (200, "closed"), r)
        for path, b in (("notes", {"text": "x"}), ("outcome", {"outcome": "no_basis"}), ("close", {})):
            r = self.control.call("POST", f"/v1/control-cases/{cid}/{path}", scope="caseworker", body=b)
            self.assertEqual((r.status, r.json["type"]), (409, "urn:jobcenter:problem:control-case-closed"), path)
        r = self.control.call("POST", f"/v1/control-cases/{manual}/outcome", scope="caseworker",
                              body={"outcome": "police_report"})
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "text"))
        self.control.call("POST", f"/v1/control-cases/{manual}/outcome", scope="caseworker",
                          body={"outcome": "police_report", "text": "Anmeldt til Københavns Vestegns Politi 2026-03-05"})
        self.assertEqual(self.control.call("POST", f"/v1/control-cases/{manual}/close", scope="caseworker",
                                           body={}).status, 200)
        # Reading a control case shows the evidence (UDK's too) and is audited.
        self.assertEqual(self.scalar("SELECT count(*) FROM control.audit_read"), 0)
        r = self.control.call("GET", f"/v1/control-cases/{cid}", scope="caseworker", headers={"X-Purpose": "revision"})
        self.assertEqual(r.status, 200, r)
        kinds = [e["kind"] for e in r.json["evidence"]]
        self.assertEqual(kinds, ["udk_record", "register_extract"])
        self.assertEqual(r.json["evidence"][0]["udk_evidence"],
                         {"since": "2025-09-01", "co_residents": 1, "source": "cpr_register"})
        self.assertEqual((r.json["outcome"], r.json["repayment_dkk"], r.json["outcome_text"], r.json["closed_by"]),
                         ("repayment_claim", 24500, "Samlevende siden september 2025", "test-caseworker"))
        self.assertEqual([n["text"] for n in r.json["notes"]], ["Partshøring sendt; svar afventes"])
        self.assertEqual(self.sql("SELECT principal, resource, resource_id::text, case_id::text, purpose"
                                  " FROM control.audit_read"),
                         [("test-caseworker", "control_case", cid, a["case_id"], "revision")])
        self.assertEqual(self.control.call("GET", f"/v1/control-cases/{cid}", scope="admin").status, 403)
        lst = self.control.call("GET", "/v1/control-cases?status=closed&limit=1", scope="admin")
        self.assertEqual((lst.status, len(lst.json["items"])), (200, 1))
        self.assertTrue(lst.json["next_cursor"])
        nxt = self.control.call("GET", f"/v1/control-cases?status=closed&limit=1&cursor={lst.json['next_cursor']}",
                                scope="admin")
        self.assertEqual(len(nxt.json["items"]), 1)
        self.assertNotEqual(nxt.json["items"][0]["control_case_id"], lst.json["items"][0]["control_case_id"])
        self.assertNotIn("Samlevende", lst.body + nxt.body)
        self.assertEqual(self.scalar("SELECT count(*) FROM control.audit_read"), 1)  # lists are not reads of personal data
        # events
        opened = self.events("control.case_opened.v1", a["case_id"])
        self.assertEqual(sorted(e["data"]["origin"] for e in opened), ["campaign", "caseworker"])
        closed = {e["data"]["control_case_id"]: e["data"] for e in self.events("control.case_closed.v1")}
        self.assertEqual((closed[cid]["outcome"], closed[cid]["repayment_dkk"], closed[cid]["campaign_id"]),
                         ("repayment_claim", 24500, "UDK-2026-UDL"))
        self.assertEqual(closed[manual]["outcome"], "police_report")
        self.assertNotIn("Anmeldt", str(closed))
        # The campaign's funnel counts the closed case with a claim.
        c = self.control.call("GET", "/v1/campaigns/UDK-2026-UDL", scope="caseworker").json
        self.assertEqual((c["funnel"]["control_cases_closed"], c["funnel"]["control_cases_with_claim_or_sanction"]),
                         (1, 1))
        self.assertEqual(c["closed_by_outcome"], {"repayment_claim": {"count": 1, "repayment_dkk": "24500"}})

    def test_erasure_drops_the_hash_and_evidence_not_held_by_an_open_control_case(self):
        info = self.open_case("kontanthjaelp-jobparat")
        held = self.open_case("kontanthjaelp-jobparat")
        r = self.upload(feed(header(campaign_id="INFO", kind="information"), [record("I1", info["cpr"])]))
        self.assertEqual(r.json["counts"]["matched"], 1)
        r = self.upload(feed(header(campaign_id="CTRL"), [record("C1", held["cpr"])]))
        self.assertEqual(r.json["control_cases_opened"], 1)
        for case in (info, held):
            self.close_case(case)
            self.erase(case)
        rows = dict((u, (h, e)) for u, h, e in self.sql(
            "SELECT udk_ref, cpr_hmac IS NOT NULL, evidence IS NOT NULL FROM control.campaign_record"))
        self.assertEqual(rows, {"I1": (False, False), "C1": (True, True)})
        # An erased citizen no longer matches.
        r = self.upload(feed(header(campaign_id="INFO", kind="information", feed_id="F2"), [record("I2", info["cpr"])]))
        self.assertEqual((r.json["counts"]["matched"], r.json["counts"]["unmatched"]), (0, 1))


if __name__ == "__main__":
    jctest.main()
