"""Scenario across services, through public APIs and topics only: Udbetaling
Danmark's control unit sends the jobcentre two campaign feeds. An information
campaign on addresses arrives over HTTP: the one record that matches a citizen
with an open case gets the campaign's information letter (notifications), the
record of a citizen without a case gets nothing. A control campaign on stays
abroad, limited to the cash-benefit groups, arrives on Kafka in two signed
parts: the matching record opens a control case with UDK's evidence; records
of a citizen whose only case is of another group, of a citizen whose case is
closed, and of a citizen unknown to the jobcentre create nothing. Re-sending
the HTTP feed changes nothing. Letters: rights and duties for each case, and
one information letter.
Dates: the cases were registered from 2 February 2026; the feeds arrive on
Wednesday 1 July 2026 (period 1 January - 30 June)."""
import hashlib
import hmac
import json
import os
import secrets
import sys

sys.path.insert(0, os.path.dirname(__file__))
from scenario import Scenario, jctest  # noqa: E402

TODAY = "2026-07-01"
NDJSON = {"Content-Type": "application/x-ndjson"}
PERIOD = {"from": "2026-01-01", "to": "2026-06-30"}
KEY_ID = "udk-2026"
CASH = ["kontanthjaelp-jobparat", "kontanthjaelp-aktivitetsparat"]


def ndjson(lines):
    return ("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n").encode()


class UdkCampaign(Scenario):

    def open_case(self, group, start="2026-02-02", **extra):
        cpr = self.p.cpr()
        r = self.call("intake", "POST", "/v1/cases", {"cpr": cpr, "name": self.p.name(), "target_group": group,
                                                      "start_date": start, "digital_post": True, **extra},
                      expect=201)
        return dict(r.json, cpr=cpr)

    def feed_report(self, campaign, feed):
        return self.call("control", "GET", f"/v1/campaigns/{campaign}/feeds/{feed}", scope="udk:feed")

    def test_information_and_control_campaigns_match_open_cases_only(self):
        udk_key = secrets.token_hex(16)
        keys_file = os.path.join(self.p.stack.dir, "udk-keys.json")
        with open(keys_file, "w") as f:
            json.dump({"keys": {KEY_ID: udk_key}}, f)
        self.start(TODAY, "intake", "control", "notifications", env={"JC_UDK_KEYS_FILE": keys_file})
        self.staff("ydelse", "cw-y", CASH + ["sygedagpenge-beskaeftiget"])
        info = self.open_case("kontanthjaelp-jobparat")                     # matched by the information campaign
        abroad = self.open_case("kontanthjaelp-aktivitetsparat")            # matched by the control campaign
        sick = self.open_case("sygedagpenge-beskaeftiget", visitation="sygedagpenge-kategori-2")  # other group
        closed = self.open_case("kontanthjaelp-jobparat")                   # closed before the feed
        self.call("intake", "POST", f"/v1/cases/{closed['case_id']}/close",
                  {"reason": "job", "closed_on": "2026-06-15"}, expect=200)
        stranger = self.p.cpr()                                              # no case in the jobcentre
        cases = [info, abroad, sick, closed]
        for c in cases:
            self.wait_known(c["case_id"], "control")
        jctest.wait_until(lambda: self.p.stack.scalar("SELECT status FROM control.case_projection WHERE case_id = %s",
                                                      (closed["case_id"],)) == "closed", 30, "control to see the close")

        # The information campaign, over HTTP.
        info_hdr = {"format": "udk-campaign.v1", "campaign_id": "UDK-2026-INFO-ADR", "feed_id": "ADR-001",
                    "theme": "adresse", "kind": "information", "period": PERIOD, "record_count": 2,
                    "produced_at": "2026-07-01T06:00:00Z"}
        info_feed = ndjson([info_hdr,
                            {"udk_ref": "ADR-1", "cpr": info["cpr"],
                             "evidence": {"status": "no_fixed_address", "since": "2026-03-01",
                                          "source": "cpr_register"}},
                            {"udk_ref": "ADR-2", "cpr": stranger,
                             "evidence": {"status": "address_mismatch", "since": "2026-04-15", "source": "bbr"}}])
        r = self.call("control", "POST", "/v1/campaign-feeds", scope="udk:feed", raw=info_feed, headers=NDJSON,
                      expect=201)
        self.assertEqual((r.json["status"], r.json["received_via"], r.json["kind"], r.json["letters_requested"],
                          r.json["control_cases_opened"]), ("accepted", "http", "information", 1, 0), r)
        self.assertEqual(r.json["counts"], {"received": 2, "valid": 2, "invalid": 0, "duplicate": 0,
                                            "matched": 1, "unmatched": 1})
        first = r.json
        again = self.call("control", "POST", "/v1/campaign-feeds", scope="udk:feed", raw=info_feed, headers=NDJSON)
        self.assertIn(again.status, (200, 201), again)
        self.assertEqual((again.json["feed_uuid"], again.json["counts"]), (first["feed_uuid"], first["counts"]))

        # The control campaign, on Kafka in two signed parts (the second first).
        ctl_hdr = {"format": "udk-campaign.v1", "campaign_id": "UDK-2026-KONTROL-UDL", "feed_id": "UDL-001",
                   "theme": "udlandsophold", "kind": "control", "period": PERIOD, "record_count": 4,
                   "target_groups": CASH, "parts": 2}
        ev = {"country": "ES", "from": "2026-02-01", "to": "2026-03-15", "source": "passenger_data"}
        recs = [{"udk_ref": "UDL-1", "cpr": abroad["cpr"], "evidence": ev},
                {"udk_ref": "UDL-2", "cpr": sick["cpr"], "evidence": dict(ev, country="TR")},
                {"udk_ref": "UDL-3", "cpr": closed["cpr"], "evidence": dict(ev, country="PL")},
                {"udk_ref": "UDL-4", "cpr": stranger, "evidence": dict(ev, country="DE")}]
        for n, part in ((2, recs[2:]), (1, recs[:2])):
            value = ndjson([dict(ctl_hdr, part=n)] + part)
            mac = hmac.new(udk_key.encode(), value, hashlib.sha256).hexdigest()
            self.p.stack.produce("udk.campaign.v1", value, key=b"UDK-2026-KONTROL-UDL",
                                 headers=[("jc-udk-key", KEY_ID.encode()), ("jc-signature", f"sha256={mac}".encode())])
        rep = jctest.wait_until(lambda: (lambda r: r.json if r.status == 200 and r.json["status"] == "accepted"
                                         else None)(self.feed_report("UDK-2026-KONTROL-UDL", "UDL-001")),
                                30, "the Kafka feed to be accepted")
        self.assertEqual((rep["received_via"], rep["parts"], rep["parts_received"], rep["control_cases_opened"]),
                         ("kafka", 2, 2, 1), rep)
        self.assertEqual(rep["counts"], {"received": 4, "valid": 4, "invalid": 0, "duplicate": 0,
                                         "matched": 1, "unmatched": 3})

        # control: one control case, on the matched citizen's case, with UDK's evidence
        ccs = self.call("control", "GET", "/v1/control-cases?campaign_id=UDK-2026-KONTROL-UDL",
                        expect=200).json["items"]
        self.assertEqual([(c["case_id"], c["status"], c["theme"]) for c in ccs],
                         [(abroad["case_id"], "open", "udlandsophold")])
        cc = self.call("control", "GET", f"/v1/control-cases/{ccs[0]['control_case_id']}",
                       headers={"X-Purpose": "kontrol"}, expect=200).json
        udk = [e for e in cc["evidence"] if e.get("udk_ref") == "UDL-1"]
        self.assertEqual(len(udk), 1, cc["evidence"])
        self.assertEqual((udk[0]["campaign_id"], udk[0]["udk_evidence"]["country"]), ("UDK-2026-KONTROL-UDL", "ES"))
        self.assertNotIn(abroad["cpr"], json.dumps(cc))
        for c in (info, sick, closed):
            self.assertEqual(self.call("control", "GET", f"/v1/control-cases?case_id={c['case_id']}",
                                       expect=200).json["items"], [])
        camp = self.call("control", "GET", "/v1/campaigns/UDK-2026-INFO-ADR", expect=200).json
        self.assertEqual((camp["funnel"]["records_matched"], camp["funnel"]["letters_requested"]), (1, 1))

        # notifications: the information letter to the matched citizen only, once
        letters = self.wait_letters(info["case_id"], ["information_letter", "rights_and_duties"])
        letter = letters["information_letter"]
        self.assertEqual((letter["recipient"], letter["channel"]),
                         ({"kind": "citizen", "id": info["citizen_ref"]}, "digital_post"))
        self.assertEqual(self.delivered_once(letter, "digital_post")["body"]["recipient"], {"cpr": info["cpr"]})
        for c in (abroad, sick, closed):
            self.wait_letters(c["case_id"], ["rights_and_duties"])

        # the topics: two feeds announced, one letter requested, one control case opened
        self.quiet()
        evs = [jctest.validate_event(m["value"]) for m in self.p.stack.read_topic("jobcenter.control.v1")]
        self.assertEqual(sorted((e["type"][len("dk.jobcenter."):], e["subject"]) for e in evs),
                         sorted([("control.campaign_received.v1", "UDK-2026-INFO-ADR"),
                                 ("control.campaign_received.v1", "UDK-2026-KONTROL-UDL"),
                                 ("control.information_requested.v1", info["case_id"]),
                                 ("control.case_opened.v1", abroad["case_id"])]))
        # every letter the receiver got is one of these cases' (the stranger got nothing)
        keys = {m["message_id"] for c in cases for m in self.messages(c["case_id"])}
        self.assertEqual(len(keys), 5)
        self.assertEqual(sorted(r["key"] for r in self.p.stack.post_received()), sorted(keys))


if __name__ == "__main__":
    jctest.main()
