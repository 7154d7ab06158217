"""Erasure of a citizen across every service's schema (issue 9, part 4).

All five services run. Two citizens reach every service through the public
APIs: an a-kasse handover (intake), a booked meeting (scheduling), an
assigned offer (offers), a matched UDK campaign record (control) and the
letters they caused (notifications). Citizen A's campaign is an information
campaign; citizen B's a control campaign, which opens a control case. Both
cases are closed and both citizens erased (POST /v1/citizens/{ref}/erasure).

Then every row of every table of every service schema is read and searched
for each citizen's CPR number (with and without the hyphen), name, e-mail,
phone, street and the keyed hash of the CPR that control keeps:
  * citizen A: nothing, anywhere;
  * citizen B: only the legal retention documented in services/control/README.md
    (the evidence of a control case: control.campaign_record's hash and
    evidence of the record that opened it); nothing in any other table.
The search is shown to be able to find things: before the erasure it finds
each citizen in intake, notifications and control."""
import datetime
import hashlib
import hmac
import json
import os
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import jctest  # noqa: E402

NDJSON = {"Content-Type": "application/x-ndjson"}


def next_weekday(d, weekday):
    return d + datetime.timedelta(days=(weekday - d.weekday()) % 7 or 7)


class ErasureAcrossSchemas(jctest.PlatformTest):

    def setUp(self):
        super().setUp()
        p = self.p
        self.intake = p.service("intake")
        self.sched = p.service("scheduling")
        self.offers = p.service("offers")
        self.control = p.service("control")
        self.notif = p.service("notifications")
        admin = {"scope": "admin"}
        self.intake.call("PUT", "/v1/teams/job", body={"name": "Job"}, **admin)
        self.intake.call("PUT", "/v1/caseworkers/cw-1", body={
            "name": "cw 1", "team_id": "job", "target_groups": ["a-dagpenge"]}, **admin)

    # ------------------------------------------------------------ what a citizen leaves behind
    def citizen(self, tag):
        p = self.p
        u = uuid.uuid4().hex[:10]
        body = p.handover(email=f"borger-{u}@example.org", phone=f"+45 {int(u, 16) % 10**8:08d}",
                          address={"street": f"Vejnavn-{u} 1", "postcode": "2635", "city": "Ishøj"})
        r = self.intake.call("POST", "/v1/handovers", scope="akasse:3F", body=body)
        self.assertEqual(r.status, 201, r)
        cpr = body["cpr"]
        who = {"tag": tag, "case_id": r.json["case_id"], "citizen_ref": r.json["citizen_ref"], "cpr": cpr,
               "name": body["name"], "email": body["email"], "phone": body["phone"],
               "street": body["address"]["street"],
               "hash": hmac.new(p.cpr_hmac_key.encode(), cpr.encode(), hashlib.sha256).hexdigest()}
        return who

    def needles(self, who):
        return {"CPR": who["cpr"], "CPR with hyphen": who["cpr"][:6] + "-" + who["cpr"][6:],
                "name": who["name"], "e-mail": who["email"], "phone": who["phone"], "street": who["street"],
                "keyed CPR hash": who["hash"]}

    def everything(self):
        """{schema.table: [row text, ...]} of every table of every service schema."""
        st = self.p.stack
        out = {}
        for schema, table in st.sql(
                "SELECT table_schema, table_name FROM information_schema.tables"
                " WHERE table_type = 'BASE TABLE' AND table_schema = ANY(%s) ORDER BY 1, 2",
                (list(jctest.SERVICES),)):
            rows = st.sql(f'SELECT * FROM "{schema}"."{table}"')
            texts = []
            for row in rows:
                parts = []
                for v in row:
                    if isinstance(v, (bytes, memoryview)):
                        b = bytes(v)
                        parts.append(b.decode("utf-8", "replace"))
                        parts.append(b.hex())  # a bytea hash is found by its hex form
                    elif isinstance(v, (dict, list)):
                        parts.append(json.dumps(v, ensure_ascii=False))
                    else:
                        parts.append(str(v))
                texts.append("\x1f".join(parts))
            out[f"{schema}.{table}"] = texts
        return out

    def found(self, who, tables):
        """{(table, what): rows} where any of who's data is."""
        hits = {}
        for table, texts in tables.items():
            for what, needle in self.needles(who).items():
                n = sum(1 for t in texts if needle in t)
                if n:
                    hits[(table, what)] = n
        return hits

    # ------------------------------------------------------------ the test
    def test_erasure_removes_personal_data_from_every_schema(self):
        p, st = self.p, self.p.stack
        a, b = self.citizen("A"), self.citizen("B")
        for who in (a, b):
            jctest.wait_until(lambda: st.scalar(
                "SELECT count(*) FROM control.citizen_key WHERE citizen_ref = %s", (who["citizen_ref"],)) == 1,
                30, "control to learn the citizen")
            jctest.wait_until(lambda: st.scalar(
                "SELECT count(*) FROM notifications.message WHERE case_id = %s AND template = 'rights_and_duties'"
                " AND status = 'sent'", (who["case_id"],)) == 1, 60, "the rights-and-duties letter")
            jctest.wait_until(lambda: self.sched.call("GET", f"/v1/cases/{who['case_id']}/obligations",
                                                      scope="caseworker").status == 200, 30, "scheduling")

        # A meeting (scheduling) and an offer (offers) for A.
        day = next_weekday(datetime.date.today() + datetime.timedelta(days=7), 1)  # a Tuesday
        for _ in range(6):
            r = self.sched.call("POST", f"/v1/cases/{a['case_id']}/meetings", scope="caseworker",
                                body={"starts_at": f"{day.isoformat()}T10:00:00+01:00", "channel": "phone"})
            if r.status != 422:
                break
            day += datetime.timedelta(days=7)  # a holiday: a week later
        self.assertEqual(r.status, 201, r)
        prov = self.offers.call("POST", "/v1/providers", scope="admin",
                                body={"kind": "municipal", "name": "Værkstedet"}).json["provider_id"]
        offer = self.offers.call("POST", "/v1/offers", scope="admin", body={
            "offer_type": "nytteindsats", "provider_id": prov, "title": "Nytteindsats",
            "capacity": 5, "hours_per_week": 25, "available_from": "2026-01-01"})
        self.assertEqual(offer.status, 201, offer)
        jctest.wait_until(lambda: self.offers.call("GET", f"/v1/cases/{a['case_id']}/enrolments",
                                                   scope="caseworker").status == 200, 30, "offers")
        start = day + datetime.timedelta(days=7)
        en = self.offers.call("POST", f"/v1/cases/{a['case_id']}/enrolments", scope="caseworker", body={
            "offer_id": offer.json["offer_id"], "planned_start": start.isoformat(),
            "planned_end": (start + datetime.timedelta(days=28)).isoformat()})
        self.assertEqual(en.status, 201, en)

        # UDK: an information campaign matches A, a control campaign B.
        def upload(campaign, kind, who, ref):
            hdr = {"format": "udk-campaign.v1", "campaign_id": campaign, "feed_id": "F1", "theme": "udlandsophold",
                   "kind": kind, "period": {"from": "2026-01-01", "to": "2026-06-30"}, "record_count": 1}
            rec = {"udk_ref": ref, "cpr": who["cpr"],
                   "evidence": {"country": "ES", "from": "2026-02-01", "to": "2026-03-15",
                                "source": "passenger_data"}}
            r = self.control.call("POST", "/v1/campaign-feeds", scope="udk:feed", headers=NDJSON,
                                  raw=(json.dumps(hdr) + "\n" + json.dumps(rec) + "\n").encode())
            self.assertEqual((r.status, r.json["counts"]["matched"]), (201, 1), r)
            return r.json
        upload("INFO-1", "information", a, "I1")
        self.assertEqual(upload("CTRL-1", "control", b, "C1")["control_cases_opened"], 1)
        jctest.wait_until(lambda: st.scalar(
            "SELECT count(*) FROM notifications.message WHERE case_id = %s AND template = 'information_letter'"
            " AND status = 'sent'", (a["case_id"],)) == 1, 60, "the information letter")

        # The search finds each citizen before the erasure (it can fail).
        before = self.everything()
        for who in (a, b):
            tables = {t for t, _ in self.found(who, before)}
            for must in ("intake.citizen", "notifications.citizen", "control.citizen_key"):
                self.assertIn(must, tables, f"citizen {who['tag']} not found in {must} before the erasure")
        self.assertIn(("notifications.message", "name"), self.found(a, before))
        self.assertIn(("control.campaign_record", "keyed CPR hash"), self.found(a, before))

        # Erasure refused while a case is open; then close and erase.
        r = self.intake.call("POST", f"/v1/citizens/{a['citizen_ref']}/erasure", scope="admin")
        self.assertEqual(r.status, 409, r)
        for who in (a, b):
            r = self.intake.call("POST", f"/v1/cases/{who['case_id']}/close", scope="caseworker",
                                 body={"reason": "job", "closed_on": datetime.date.today().isoformat()})
            self.assertEqual(r.status, 200, r)
        for who in (a, b):
            r = self.intake.call("POST", f"/v1/citizens/{who['citizen_ref']}/erasure", scope="admin")
            self.assertEqual(r.status, 200, r)
        for who in (a, b):
            jctest.wait_until(lambda: st.scalar(
                "SELECT count(*) FROM control.citizen_key WHERE citizen_ref = %s", (who["citizen_ref"],)) == 0,
                30, "control to drop the keyed hash")
            jctest.wait_until(lambda: st.scalar(
                "SELECT count(*) FROM notifications.citizen_erasure WHERE citizen_ref = %s",
                (who["citizen_ref"],)) == 1, 30, "notifications to erase")
        for svc in ("control", "notifications"):  # the services with access to jobcenter.citizen.v1
            jctest.wait_drained(p, "intake", svc, "jobcenter.citizen.v1", timeout=60)

        after = self.everything()
        self.assertEqual(self.found(a, after), {}, "citizen A's personal data is still stored")
        # B: only the documented retention of an open control case's evidence.
        self.assertEqual(st.scalar("SELECT count(*) FROM control.control_case WHERE status <> 'closed'"), 1)
        self.assertEqual(self.found(b, after), {("control.campaign_record", "keyed CPR hash"): 1},
                         "citizen B's data beyond the control case's evidence is still stored")
        # intake keeps the pseudonymous citizen_ref (the closed case stays countable).
        r = self.intake.call("GET", f"/v1/citizens/{a['citizen_ref']}", scope="caseworker")
        self.assertEqual((r.status, r.json["cpr"], r.json["name"]), (200, None, None), r)
        self.assertIsNotNone(r.json["erased_at"])


if __name__ == "__main__":
    jctest.main()
