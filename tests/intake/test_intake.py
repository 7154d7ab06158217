"""intake: cases for every target group, the a-kasse handover (HTTP and
Kafka), authorisation, concurrency, lifecycle, distribution, audit, erasure."""
import concurrent.futures
import copy
import datetime
import json
import os
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import jctest  # noqa: E402

GROUPS = ["a-dagpenge", "kontanthjaelp-jobparat", "kontanthjaelp-aktivitetsparat",
          "uddannelseshjaelp-uddannelsesparat", "uddannelseshjaelp-aktivitetsparat",
          "sygedagpenge-beskaeftiget", "sygedagpenge-ledig", "jobafklaring", "ressourceforloeb",
          "ledighedsydelse", "revalidering", "selvforsoergelse-hjemrejse", "ung-under-18"]


class IntakeTest(jctest.PlatformTest):

    def setUp(self):
        super().setUp()
        self.intake = self.p.service("intake")

    def count(self, table):
        return self.p.stack.scalar(f"SELECT count(*) FROM intake.{table}")

    def case_events(self, case_id=None):
        evs = [json.loads(m["value"]) for m in self.p.stack.read_topic("jobcenter.case.v1")]
        return [e for e in evs if case_id is None or e["subject"] == case_id]

    def wait_published(self):
        jctest.wait_until(lambda: self.p.stack.scalar(
            "SELECT count(*) FROM intake.outbox WHERE published_at IS NULL") == 0, 30, "outbox published")

    def post_case(self, group="a-dagpenge", **extra):
        body = {"cpr": self.p.cpr(), "name": self.p.name(), "target_group": group,
                "start_date": "2026-03-02", **extra}
        r = self.intake.call("POST", "/v1/cases", scope="caseworker", body=body)
        self.assertEqual(r.status, 201, r)
        return r.json

    # ------------------------------------------------------------ cases

    def test_every_target_group_opens_a_case_with_its_events(self):
        ids = {}
        for g in GROUPS:
            ids[g] = self.post_case(g)["case_id"]
        self.wait_published()
        opened = {e["data"]["target_group"]: e for e in self.case_events()
                  if e["type"] == "dk.jobcenter.case.opened.v1"}
        self.assertEqual(sorted(opened), sorted(GROUPS))
        for g, case_id in ids.items():
            self.assertEqual(opened[g]["data"]["case_id"], case_id)
            self.assertEqual(opened[g]["data"]["origin"], "caseworker")
        # Reading a case shows the citizen's data and is audited, with purpose.
        r = self.intake.call("GET", f"/v1/cases/{ids['ung-under-18']}", scope="caseworker",
                             headers={"X-Purpose": "frafald-opfoelgning"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["target_group"], "ung-under-18")
        self.assertEqual(len(r.json["citizen"]["cpr"]), 10)
        rows = self.p.stack.sql("SELECT principal, citizen_ref::text, case_id::text, purpose FROM intake.audit_read")
        self.assertEqual(rows, [("test-caseworker", r.json["citizen_ref"], ids["ung-under-18"],
                                 "frafald-opfoelgning")])

    def test_case_list_filters_and_cursor_pagination(self):
        made = [self.post_case("kontanthjaelp-jobparat")["case_id"] for _ in range(7)]
        self.post_case("ledighedsydelse")
        seen, cursor = [], None
        while True:
            q = "/v1/cases?target_group=kontanthjaelp-jobparat&limit=3" + (f"&cursor={cursor}" if cursor else "")
            r = self.intake.call("GET", q, scope="caseworker")
            self.assertEqual(r.status, 200, r)
            seen += [c["case_id"] for c in r.json["items"]]
            self.assertNotIn("cpr", json.dumps(r.json))
            cursor = r.json["next_cursor"]
            if not cursor:
                break
        self.assertEqual(seen, made)
        r = self.intake.call("GET", "/v1/cases?limit=0", scope="caseworker")
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "limit"))
        r = self.intake.call("GET", "/v1/cases?cursor=garbage&status=maybe", scope="caseworker")
        self.assertEqual(sorted(e["field"] for e in r.json["errors"]), ["cursor", "status"])

    def test_lifecycle_target_group_visitation_assignment_close(self):
        p = self.p
        admin = {"scope": "admin"}
        self.assertEqual(self.intake.call("PUT", "/v1/teams/syg", body={"name": "Sygedagpenge"}, **admin).status, 200)
        for cw, groups in (("cw-syg", ["sygedagpenge-beskaeftiget"]), ("cw-jaf", ["jobafklaring"]),
                           ("cw-jaf2", ["jobafklaring"])):
            r = self.intake.call("PUT", f"/v1/caseworkers/{cw}", body={"name": cw, "team_id": "syg",
                                 "target_groups": groups}, **admin)
            self.assertEqual(r.status, 200, r)
        case = self.post_case("sygedagpenge-beskaeftiget", visitation="sygedagpenge-kategori-2")
        cid = case["case_id"]
        self.assertEqual(case["caseworker_id"], "cw-syg")

        # Week 22: sygedagpenge cannot be extended -> jobafklaring; cw-syg does
        # not take jobafklaring, so the case is redistributed.
        r = self.intake.call("POST", f"/v1/cases/{cid}/target-group", scope="caseworker",
                             body={"target_group": "jobafklaring", "effective_date": "2026-08-03"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["target_group"], "jobafklaring")
        self.assertIn(r.json["caseworker_id"], ("cw-jaf", "cw-jaf2"))
        r = self.intake.call("POST", f"/v1/cases/{cid}/visitation", scope="caseworker",
                             body={"visitation": "sygedagpenge-kategori-3", "effective_date": "2026-08-03"})
        self.assertEqual((r.status, r.json["visitation"]), (200, "sygedagpenge-kategori-3"))
        other = "cw-jaf2" if r.json["caseworker_id"] == "cw-jaf" else "cw-jaf"
        r = self.intake.call("POST", f"/v1/cases/{cid}/assignment", scope="caseworker",
                             body={"caseworker_id": other})
        self.assertEqual((r.status, r.json["caseworker_id"]), (200, other))
        r = self.intake.call("POST", f"/v1/cases/{cid}/assignment", scope="caseworker",
                             body={"caseworker_id": "cw-syg"})
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "caseworker_id"))
        r = self.intake.call("POST", f"/v1/cases/{cid}/close", scope="caseworker",
                             body={"reason": "holiday", "closed_on": "2026-09-01"})
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "reason"))
        r = self.intake.call("POST", f"/v1/cases/{cid}/close", scope="caseworker",
                             body={"reason": "job", "closed_on": "2026-09-01"})
        self.assertEqual((r.status, r.json["status"], r.json["close_reason"]), (200, "closed", "job"))
        r = self.intake.call("POST", f"/v1/cases/{cid}/close", scope="caseworker",
                             body={"reason": "job", "closed_on": "2026-09-01"})
        self.assertEqual((r.status, r.json["type"]), (409, "urn:jobcenter:problem:case-closed"))
        self.assertEqual(self.intake.call("POST", f"/v1/cases/{uuid.uuid4()}/close", scope="caseworker",
                                          body={"reason": "job", "closed_on": "2026-09-01"}).status, 404)

        self.wait_published()
        types = [e["type"].split(".", 2)[2] for e in self.case_events(cid)]
        self.assertEqual(types, ["case.opened.v1", "case.target_group_changed.v1",
                                 "case.caseworker_assigned.v1", "case.visitation_changed.v1",
                                 "case.caseworker_assigned.v1", "case.closed.v1"])
        changed = [e for e in self.case_events(cid) if e["type"].endswith("target_group_changed.v1")][0]
        self.assertEqual((changed["data"]["previous_target_group"], changed["data"]["target_group"],
                          changed["data"]["effective_date"]),
                         ("sygedagpenge-beskaeftiget", "jobafklaring", "2026-08-03"))
        history = p.stack.sql("SELECT change, principal FROM intake.case_change WHERE case_id = %s ORDER BY id",
                              (cid,))
        self.assertEqual([h[0] for h in history], types)
        self.assertTrue(all(h[1] == "test-caseworker" for h in history))
        # A citizen can open a new case of the same group once the old one is closed.
        cpr = p.stack.scalar("SELECT cpr FROM intake.citizen c JOIN intake.case_file f USING (citizen_ref) "
                             "WHERE f.case_id = %s", (cid,))
        r = self.intake.call("POST", "/v1/cases", scope="caseworker", body={
            "cpr": cpr, "name": "x", "target_group": "jobafklaring", "start_date": "2026-10-01"})
        self.assertEqual(r.status, 201, r)

    def test_distribution_balances_caseloads_against_norms(self):
        admin = {"scope": "admin"}
        self.intake.call("PUT", "/v1/teams/job", body={"name": "Job"}, **admin)
        # No caseworker takes revalidering yet: the case waits unassigned.
        waiting = self.post_case("revalidering")
        self.assertNotIn("caseworker_id", waiting)
        r = self.intake.call("GET", "/v1/cases?unassigned=true", scope="caseworker")
        self.assertEqual([c["case_id"] for c in r.json["items"]], [waiting["case_id"]])
        for cw in ("cw-a", "cw-b", "cw-c"):
            self.intake.call("PUT", f"/v1/caseworkers/{cw}", body={
                "name": cw, "team_id": "job", "target_groups": ["a-dagpenge"]}, **admin)
        for _ in range(30):
            self.post_case("a-dagpenge")
        r = self.intake.call("GET", "/v1/caseworkers?team_id=job", scope="caseworker")
        loads = {c["caseworker_id"]: c for c in r.json["items"]}
        self.assertEqual([loads[c]["open_cases"] for c in ("cw-a", "cw-b", "cw-c")], [10, 10, 10])
        self.assertAlmostEqual(loads["cw-a"]["load"], 10 / 55, places=6)
        self.assertEqual(loads["cw-a"]["caseload"], [{"target_group": "a-dagpenge", "open_cases": 10, "norm": 55}])
        # A caseworker for revalidering picks up the waiting case at once.
        r = self.intake.call("PUT", "/v1/caseworkers/cw-rev", body={
            "name": "cw-rev", "team_id": "job", "target_groups": ["revalidering"]}, **admin)
        self.assertEqual((r.status, r.json["assigned_waiting_cases"]), (200, 1))
        # Norms are configurable; the load follows them.
        self.assertEqual(self.intake.call("PUT", "/v1/caseload-norms/a-dagpenge", body={"norm": 20}, **admin).status, 200)
        r = self.intake.call("GET", "/v1/caseworkers", scope="caseworker")
        self.assertAlmostEqual({c["caseworker_id"]: c for c in r.json["items"]}["cw-a"]["load"], 0.5)
        self.assertEqual(self.intake.call("GET", "/v1/caseload-norms", scope="caseworker").json["norms"]["a-dagpenge"], 20)
        r = self.intake.call("PUT", "/v1/caseload-norms/a-dagpenge", body={"norm": 0}, **admin)
        self.assertEqual(r.status, 422)
        self.assertEqual(self.intake.call("PUT", "/v1/caseload-norms/a-dagpenge", body={"norm": 9},
                                          scope="caseworker").status, 403)
        self.wait_published()
        assigned = [e for e in self.case_events(waiting["case_id"]) if e["type"].endswith("caseworker_assigned.v1")]
        self.assertEqual([(a["data"]["caseworker_id"], a["data"]["reason"]) for a in assigned],
                         [("cw-rev", "distribution")])

    def test_citizen_read_is_audited_and_erasure_tombstones(self):
        cpr = self.p.cpr()
        address = {"street": "Vejlebrovej 1, 2. tv", "postcode": "2635", "city": "Ishøj"}
        case = self.post_case("kontanthjaelp-jobparat", cpr=cpr, digital_post=False,
                              phone="+45 12345678", address=address)
        ref = case["citizen_ref"]
        # A later registration without phone or address keeps what is known.
        self.intake.call("POST", f"/v1/cases/{case['case_id']}/close", scope="caseworker",
                         body={"reason": "job", "closed_on": "2026-04-01"})
        case = self.post_case("kontanthjaelp-jobparat", cpr=cpr, digital_post=False)
        self.assertEqual(case["citizen_ref"], ref)
        r = self.intake.call("GET", f"/v1/citizens/{ref}", scope="caseworker")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["contact"], {"digital_post": False, "phone": "+45 12345678",
                                             "address": address})
        self.assertEqual(len(r.json["cases"]), 2)
        self.assertEqual(self.count("audit_read"), 1)
        self.wait_published()
        upserts = [json.loads(m["value"]) for m in self.p.stack.read_topic("jobcenter.citizen.v1")
                   if m["key"].decode() == ref]
        self.assertEqual([u["data"]["contact"].get("address") for u in upserts], [address, address])
        self.assertEqual(self.intake.call("POST", f"/v1/citizens/{ref}/erasure", scope="caseworker").status, 403)
        r = self.intake.call("POST", f"/v1/citizens/{ref}/erasure", scope="admin")
        self.assertEqual((r.status, r.json["type"]), (409, "urn:jobcenter:problem:open-cases"))
        self.intake.call("POST", f"/v1/cases/{case['case_id']}/close", scope="caseworker",
                         body={"reason": "moved", "closed_on": "2026-05-01"})
        r = self.intake.call("POST", f"/v1/citizens/{ref}/erasure", scope="admin")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.intake.call("POST", f"/v1/citizens/{ref}/erasure", scope="admin").status, 404)
        row = self.p.stack.sql("SELECT cpr, name, email, phone, street, postcode, city,"
                               " erased_at IS NOT NULL FROM intake.citizen")[0]
        self.assertEqual(row, (None, None, None, None, None, None, None, True))
        self.wait_published()
        msgs = [m for m in self.p.stack.read_topic("jobcenter.citizen.v1") if m["key"].decode() == ref]
        self.assertEqual(msgs[-1]["value"], None, "the last record for the citizen is a tombstone")
        self.assertEqual(self.intake.call("GET", f"/v1/citizens/{ref}", scope="caseworker").json["cpr"], None)

    # ------------------------------------------------------------ handovers

    def test_handover_created_replayed_conflicting_and_status(self):
        p = self.p
        body = p.handover(contacts=3)
        r = self.intake.call("POST", "/v1/handovers", scope="akasse:3F", body=body)
        self.assertEqual(r.status, 201, r)
        first = r.json
        self.assertEqual((first["status"], first["handover_id"], first["akasse"]),
                         ("accepted", body["handover_id"], "3F"))
        # Replay with keys in another order: the first answer.
        again = dict(reversed(list(body.items())))
        r = self.intake.call("POST", "/v1/handovers", scope="akasse:3F", body=again)
        self.assertEqual((r.status, r.json), (201, first))
        # The same id with another body.
        r = self.intake.call("POST", "/v1/handovers", scope="akasse:3F", body=dict(body, cv_on_jobnet=False))
        self.assertEqual((r.status, r.json["type"]), (409, "urn:jobcenter:problem:idempotency-conflict"))
        self.assertEqual(r.json["errors"][0]["field"], "handover_id")
        # Another handover of the same citizen while the a-dagpenge case is open.
        r = self.intake.call("POST", "/v1/handovers", scope="akasse:3F",
                             body=dict(body, handover_id="3F-other"))
        self.assertEqual((r.status, r.json["type"]), (409, "urn:jobcenter:problem:open-case-exists"))
        self.assertEqual(r.json["errors"][0]["case_id"], first["case_id"])
        self.assertIn(first["case_id"], r.json["detail"])
        self.assertEqual((self.count("case_file"), self.count("handover"), self.count("handover_contact")), (1, 1, 3))

        # Status: own a-kasse only.
        r = self.intake.call("GET", f"/v1/handovers/{body['handover_id']}", scope="akasse:3F")
        self.assertEqual((r.status, r.json["status"], r.json["case_id"], r.json["received_via"],
                          r.json["contacts_recorded"]), (200, "accepted", first["case_id"], "http", 3))
        self.assertEqual(self.intake.call("GET", f"/v1/handovers/{body['handover_id']}", scope="akasse:FOA").status, 404)
        self.assertEqual(self.intake.call("GET", f"/v1/handovers/{body['handover_id']}", scope="caseworker").status, 403)
        self.assertEqual(self.intake.call("GET", "/v1/handovers/nope", scope="akasse:3F").status, 404)

        # The case event carries what the a-kasse did, and no CPR or name.
        self.wait_published()
        ev = [e for e in self.case_events(first["case_id"]) if e["type"].endswith("case.opened.v1")][0]
        d = ev["data"]
        self.assertEqual((d["origin"], d["target_group"], d["start_date"]),
                         ("akasse-handover", "a-dagpenge", body["unemployed_since"]))
        self.assertEqual(d["handover"]["contact_history"], body["contact_history"])
        self.assertEqual(d["handover"]["handover_date"], body["handover_date"])
        self.assertNotIn(body["cpr"], json.dumps(ev))
        self.assertNotIn(body["name"], json.dumps(ev))

    def test_handover_authorisation(self):
        body = self.p.handover(akasse="3F")
        for scope in ("caseworker", "portal", "udk:feed", "admin"):
            r = self.intake.call("POST", "/v1/handovers", scope=scope, body=body)
            self.assertEqual(r.status, 403, scope)
        r = self.intake.call("POST", "/v1/handovers", scope="akasse:FOA", body=body)
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (403, "akasse"))
        self.assertEqual(self.intake.call("POST", "/v1/handovers", body=body).status, 401)
        r = self.intake.call("POST", "/v1/cases", scope="akasse:3F", body={})
        self.assertEqual(r.status, 403)
        self.assertEqual(self.intake.call("GET", "/v1/cases", scope="akasse:3F").status, 403)
        # A token for an a-kasse the register does not know.
        r = self.intake.call("POST", "/v1/handovers", scope="akasse:ZZZ", body=self.p.handover(akasse="ZZZ"))
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "akasse"))
        self.assertEqual(self.count("case_file"), 0)
        self.assertEqual(self.count("idempotency"), 0)
        codes = [a["code"] for a in self.intake.call("GET", "/v1/akasser", scope="akasse:3F").json["items"]]
        self.assertIn("3F", codes)
        self.assertNotIn("ZZZ", codes)

    def test_three_month_rule_with_tolerance(self):
        base = self.p.handover()
        since = datetime.date.fromisoformat(base["unemployed_since"])
        due = jctest.add_months(since, 3)

        def with_date(days):
            d = due + datetime.timedelta(days=days)
            return self.p.handover(unemployed_since=since.isoformat(), handover_date=d.isoformat(),
                                   contact_history=[])
        for days, ok in ((0, True), (-14, True), (-15, False), (-60, False)):
            r = self.intake.call("POST", "/v1/handovers", scope="akasse:3F", body=with_date(days))
            self.assertEqual(r.status, 201 if ok else 422, (days, r))
            if not ok:
                self.assertEqual([e["field"] for e in r.json["errors"]], ["handover_date"])
                self.assertIn("about three months", r.json["errors"][0]["message"])
        # Late by more than the tolerance: unemployed a month longer, handed over yesterday.
        old_since = jctest.add_months(since, -1)
        r = self.intake.call("POST", "/v1/handovers", scope="akasse:3F", body=self.p.handover(
            unemployed_since=old_since.isoformat(), handover_date=base["handover_date"], contact_history=[]))
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "handover_date"))
        self.assertIn("late", r.json["errors"][0]["message"])

    def test_concurrent_identical_handovers_make_one_case(self):
        body = self.p.handover()

        def post(b):
            return self.intake.call("POST", "/v1/handovers", scope="akasse:3F", body=b)
        with concurrent.futures.ThreadPoolExecutor(12) as pool:
            results = list(pool.map(post, [copy.deepcopy(body) for _ in range(12)]))
        self.assertEqual({r.status for r in results}, {201})
        self.assertEqual(len({r.json["case_id"] for r in results}), 1)
        # Different handover ids for one citizen at once: one case, the rest 409.
        other = self.p.handover()
        bodies = [dict(other, handover_id=f"3F-race-{i}") for i in range(8)]
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            results = list(pool.map(post, bodies))
        self.assertEqual(sorted(r.status for r in results), [201] + [409] * 7)
        self.assertEqual(self.count("case_file"), 2)
        self.assertEqual(self.count("handover"), 2)
        self.wait_published()
        self.assertEqual(len([e for e in self.case_events() if e["type"].endswith("opened.v1")]), 2)

    def test_kafka_handover_signed_validated_idempotent(self):
        p = self.p
        good = p.handover(akasse="FOA")
        value = json.dumps(good).encode()
        p.stack.produce("akasse.handover.v1", value, key=good["handover_id"].encode(),
                        headers=p.sign("FOA", value))
        jctest.wait_until(lambda: self.intake.call("GET", f"/v1/handovers/{good['handover_id']}",
                                                   scope="akasse:FOA").status == 200, 30, "the Kafka handover")
        r = self.intake.call("GET", f"/v1/handovers/{good['handover_id']}", scope="akasse:FOA")
        self.assertEqual((r.json["status"], r.json["received_via"]), ("accepted", "kafka"))
        # Sent again (a new offset): nothing new. The same handover over HTTP: the same answer.
        p.stack.produce("akasse.handover.v1", value, key=good["handover_id"].encode(),
                        headers=p.sign("FOA", value))
        http = self.intake.call("POST", "/v1/handovers", scope="akasse:FOA", body=good)
        self.assertEqual((http.status, http.json["case_id"]), (201, r.json["case_id"]))

        bad_cpr = p.handover(akasse="FOA", cpr="3213991234")
        v2 = json.dumps(bad_cpr).encode()
        p.stack.produce("akasse.handover.v1", v2, headers=p.sign("FOA", v2))
        unsigned = p.handover(akasse="FOA")
        v3 = json.dumps(unsigned).encode()
        p.stack.produce("akasse.handover.v1", v3, headers=[("jc-akasse", b"FOA"), ("jc-signature", b"sha256=" + b"0" * 64)])
        forged = p.handover(akasse="3F")  # signed by FOA, claims to be 3F
        v4 = json.dumps(forged).encode()
        p.stack.produce("akasse.handover.v1", v4, headers=p.sign("FOA", v4))
        p.stack.produce("akasse.handover.v1", b"{not json", headers=p.sign("FOA", b"{not json"))

        jctest.wait_until(lambda: len(p.stack.read_topic("jobcenter.dlq.v1")) == 4, 30, "4 dead letters")
        reasons = sorted(m["headers"]["jc_dlq_error"] for m in p.stack.read_topic("jobcenter.dlq.v1"))
        self.assertTrue(any(x.startswith("invalid handover: cpr:") for x in reasons), reasons)
        self.assertIn("signature does not match the message and a-kasse key", reasons)
        self.assertIn("akasse: must equal the jc-akasse header of the signed message", reasons)
        self.assertTrue(any(x.startswith("not a JSON object") for x in reasons), reasons)
        for m in p.stack.read_topic("jobcenter.dlq.v1"):
            ev = json.loads(m["value"])
            self.assertFalse(ev["data"]["payload_included"], "personal data must not reach the DLQ topic")
        # The authenticated a-kasse sees why; an unauthenticated message leaves no status.
        r = self.intake.call("GET", f"/v1/handovers/{bad_cpr['handover_id']}", scope="akasse:FOA")
        self.assertEqual((r.status, r.json["status"]), (200, "rejected"))
        self.assertIn("cpr", r.json["reason"])
        self.assertEqual(self.intake.call("GET", f"/v1/handovers/{unsigned['handover_id']}",
                                          scope="akasse:FOA").status, 404)
        self.assertEqual(self.count("case_file"), 1)
        self.assertEqual(p.stack.scalar("SELECT count(*) FROM intake.dead_letter"), 4)


if __name__ == "__main__":
    jctest.main()
