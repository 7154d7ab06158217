"""notifications: every trigger makes the right message with the right text.

Valid CloudEvents (each checked against its schema) go onto the topics the
upstream services own; the service renders the letters and delivers them to
postreceiver (Digital Post, e-mail, SMS, a-kasse webhook), the print spool or
the caseworkers' queue. The tests read what the receiver got and assert on the
rendered text: time, place, channel, offer, sanction amounts, the a-kasse
report's fields. Then: channel choice (physical letter with and without an
address, e-mail/SMS reminders, waiting for contact data), the meeting reminder
exactly once, a closed case gets nothing more, erasure removes the citizen's
personal data, and replaying every consumed topic sends nothing new."""
import concurrent.futures
import json
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import notiftest as nt  # noqa: E402
from notiftest import jctest  # noqa: E402

TODAY = "2026-03-02"
ADDRESS = {"street": "Ishøj Strandvej 18, 2. th.", "postcode": "2635", "city": "Ishøj"}
G_ADDRESS = {"street": "Gersagervej 3", "postcode": "2635", "city": "Ishøj"}


class TriggersTest(nt.SharedPlatformTest):

    @classmethod
    def start_services(cls):
        cls.svc = cls.p.service("notifications", env={
            "JC_TODAY": TODAY, "JC_SWEEP_INTERVAL_S": "0", "JC_NOTIFY_DELIVERY_WORKERS": "2",
            "JC_NOTIFY_POLL_MS": "100"})
        # citizen A: Digital Post, phone and e-mail; a name that needs HTML escaping
        cls.a = cls.ev.citizen(digital_post=True, email="a@example.org", phone="+4520304050",
                               name=cls.p.name() + " <i>&</i>")
        cls.case_a = cls.ev.case_opened(cls.a["citizen_ref"], caseworker="cw-1")["data"]["case_id"]

    # -- helpers
    def sent(self, case_id, template, n=1):
        def ok():
            ms = [m for m in nt.messages(self.p, case_id) if m["template"] == template]
            return ms if len(ms) == n and all(m["status"] == "sent" for m in ms) else None
        return jctest.wait_until(ok, 30, f"{n} x {template} sent for {case_id}")

    def record(self, msg):
        return nt.wait_received(self.p, msg["message_id"])

    def assert_no_cpr(self, rec, cpr):
        body = dict(rec["body"])
        body.pop("recipient", None)
        member = body.pop("member", None)
        self.assertNotIn(cpr, json.dumps(body, ensure_ascii=False))
        if member:
            self.assertNotIn(cpr, json.dumps({k: v for k, v in member.items() if k != "cpr"}))

    def letter(self, case_id, template, *phrases, who=None):
        """The one sent letter of `template`: delivered by Digital Post with
        every phrase in its text, CPR only in the recipient field."""
        who = who or self.a
        msg = self.sent(case_id, template)[0]
        rec = self.record(msg)
        self.assertEqual((msg["channel"], rec["channel"]), ("digital_post", "digital_post"))
        self.assertEqual(rec["body"]["recipient"], {"cpr": who["cpr"]})
        self.assertEqual(rec["body"]["text"], msg["text"])
        self.assertEqual(rec["body"]["subject"], msg["subject"])
        self.assertIn(f"Kære {who['name']}", msg["text"])
        for ph in phrases:
            self.assertIn(ph, msg["subject"] + "\n" + msg["text"], template)
        self.assert_no_cpr(rec, who["cpr"])
        return msg, rec

    # -- the triggers
    def test_10_rights_and_duties_at_once(self):
        msg, rec = self.letter(self.case_a, "rights_and_duties", "Dine rettigheder og pligter",
                               "om kontanthjælp (jobparat) fra 2. marts 2026",
                               f"Sagsnummer: {self.case_a}", "Brevet er dateret 2. marts 2026",
                               "Ishøj Jobcenter")
        # the HTML part is escaped, the text part is not
        self.assertIn("&lt;i&gt;&amp;&lt;/i&gt;", rec["body"]["html"])
        self.assertNotIn("<i>&</i>", rec["body"]["html"])
        self.assertIn("<i>&</i>", msg["text"])
        self.assertEqual(rec["body"]["template"], "rights_and_duties.v1")

    def test_11_meeting_invitation_change_and_cancellation(self):
        ref = self.a["citizen_ref"]
        m1 = self.ev.meeting_booked(self.case_a, ref, "2026-03-10T10:00:00+01:00", "2026-03-10T10:30:00+01:00",
                                    "in_person", location="Vejlebrovej 59a, lokale 2 & 3")["data"]["meeting_id"]
        msg, rec = self.letter(self.case_a, "meeting_invitation",
                               "Indkaldelse til samtale tirsdag den 10. marts 2026 kl. 10:00",
                               "Tidspunkt: tirsdag den 10. marts 2026 kl. 10:00-10:30",
                               "Form: personligt fremmøde", "Sted: Vejlebrovej 59a, lokale 2 & 3")
        self.assertIn("Sted: Vejlebrovej 59a, lokale 2 &amp; 3", rec["body"]["html"])
        type(self).m1 = m1
        self.ev.meeting_rescheduled(self.case_a, ref, m1, "2026-03-10T10:00:00+01:00",
                                    "2026-03-11T13:00:00+01:00", "2026-03-11T13:30:00+01:00", "video")
        self.letter(self.case_a, "meeting_changed", "Din samtale er flyttet til onsdag den 11. marts 2026 kl. 13:00",
                    "Din samtale tirsdag den 10. marts 2026 kl. 10:00 er flyttet.",
                    "Nyt tidspunkt: onsdag den 11. marts 2026 kl. 13:00-13:30", "Form: videosamtale",
                    "Sted: Du får et link til videomødet i en separat besked")
        m2 = self.ev.meeting_booked(self.case_a, ref, "2026-03-12T09:00:00+01:00", "2026-03-12T09:30:00+01:00",
                                    "phone")["data"]["meeting_id"]
        self.sent(self.case_a, "meeting_invitation", n=2)
        self.ev.meeting_cancelled(self.case_a, ref, m2, "2026-03-12T09:00:00+01:00", "caseworker_unavailable",
                                  "phone")
        self.letter(self.case_a, "meeting_cancelled", "Din samtale torsdag den 12. marts 2026 kl. 09:00 er aflyst",
                    "Samtalen er aflyst, fordi din sagsbehandler er forhindret.",
                    "Aflyst samtale: torsdag den 12. marts 2026 kl. 09:00", "Form: telefonsamtale")

    def test_12_hearing_letter_on_a_no_show_without_lawful_reason(self):
        ref = self.a["citizen_ref"]
        self.ev.no_show(self.case_a, ref, "0d6c2b1a-0000-4000-8000-000000000001", "2026-03-09T09:00:00+01:00",
                        lawful=True)
        self.ev.no_show(self.case_a, ref, "0d6c2b1a-0000-4000-8000-000000000002", "2026-03-09T09:00:00+01:00",
                        lawful=False, channel="phone")
        self.letter(self.case_a, "no_show_hearing", "Du udeblev fra din samtale mandag den 9. marts 2026",
                    "Du var indkaldt til samtale mandag den 9. marts 2026 kl. 09:00 (telefonsamtale)",
                    "Du kan svare os senest 23. marts 2026")
        # the lawful one made no letter (sent() above insisted on exactly one)

    def test_12b_hearing_letter_follows_the_target_group_after_a_change(self):
        # an a-dagpenge no-show is heard by the a-kasse (control reports it): no letter of ours
        ref = self.a["citizen_ref"]
        to_akasse = self.ev.case_opened(ref)["data"]["case_id"]
        to_kontant = self.ev.case_opened(ref, group="a-dagpenge")["data"]["case_id"]
        changes = ((to_akasse, "kontanthjaelp-jobparat", "a-dagpenge"),
                   (to_kontant, "a-dagpenge", "kontanthjaelp-jobparat"))
        for case, before, after in changes:
            self.sent(case, "rights_and_duties")
            self.ev.send("case.target_group_changed.v1", {
                "case_id": case, "citizen_ref": ref, "previous_target_group": before, "target_group": after,
                "effective_date": "2026-03-05"}, case)
        nt.wait_consumed(self.p)  # the change days before the no-show (another topic: no order between them)
        for case, _, _ in changes:
            self.ev.no_show(case, ref, str(uuid.uuid4()), "2026-03-09T09:00:00+01:00", lawful=False)
        self.sent(to_kontant, "no_show_hearing")
        nt.wait_consumed(self.p)
        self.assertEqual([m["template"] for m in nt.messages(self.p, to_akasse)], ["rights_and_duties"])

    def test_13_offer_letter(self):
        self.ev.offer_assigned(self.case_a, self.a["citizen_ref"], "virksomhedspraktik", "2026-04-06", "2026-05-01", 25)
        self.letter(self.case_a, "offer_letter", "Dit tilbud: Virksomhedspraktik", "Tilbud: Virksomhedspraktik",
                    "Periode: 6. april 2026 til 1. maj 2026", "Timer om ugen: 25")

    def test_14_sanction_hearing_and_decisions(self):
        ref = self.a["citizen_ref"]
        prop = self.ev.sanction_proposed(self.case_a, ref, rate=400)["data"]["proposal_id"]
        self.letter(self.case_a, "sanction_hearing", "Partshøring",
                    "Du udeblev fra en samtale uden lovlig grund den 10. marts 2026",
                    "nedsætte din ydelse med 400 kr. (sanktionssats 2)", "Du kan svare os senest 24. marts 2026",
                    f"Forslag: {prop}")
        self.ev.sanction_decided(self.case_a, ref, prop, "approved")
        self.letter(self.case_a, "sanction_decision_approved", "Afgørelse: din ydelse bliver nedsat",
                    "Vi har besluttet at nedsætte din ydelse med 400 kr. (sanktionssats 2).",
                    "Du kan klage over afgørelsen inden fire uger")
        prop2 = self.ev.sanction_proposed(self.case_a, ref, rate=None)["data"]["proposal_id"]
        self.sent(self.case_a, "sanction_hearing", n=2)
        self.ev.sanction_decided(self.case_a, ref, prop2, "rejected", reason="Du var indlagt på hospitalet.")
        self.letter(self.case_a, "sanction_decision_rejected", "Afgørelse: din ydelse bliver ikke nedsat",
                    "Vi har besluttet ikke at nedsætte din ydelse.", "Begrundelse: Du var indlagt på hospitalet.")
        hearing2 = [m for m in nt.messages(self.p, self.case_a) if m["template"] == "sanction_hearing"][1]
        self.assertIn("nedsætte din ydelse med beløbet for sanktionssats 2", hearing2["text"])

    def test_15_information_letter(self):
        self.ev.information_requested(self.case_a, self.a["citizen_ref"], "udlandsophold", "UDK-2026-07")
        self.letter(self.case_a, "information_letter", "Information fra Ishøj Jobcenter om ophold i udlandet",
                    "en kontrol af ophold i udlandet", "Kontrolkampagne: UDK-2026-07")

    def test_16_report_to_the_akasse_over_its_webhook(self):
        rep = self.ev.akasse_report(self.case_a, self.a["citizen_ref"], "3F")["data"]
        msg = self.sent(self.case_a, "akasse_report")[0]
        rec = self.record(msg)
        self.assertEqual((msg["channel"], msg["recipient_kind"], msg["recipient_id"]),
                         ("akasse_webhook", "akasse", "3F"))
        self.assertEqual((rec["channel"], rec["akasse"], rec["path"]), ("akasse", "3F", "/akasse/3F/reports"))
        b = rec["body"]
        self.assertEqual((b["report_id"], b["akasse"], b["case_id"], b["reason"], b["basis"], b["occurred_on"]),
                         (rep["report_id"], "3F", self.case_a, "no_show_without_lawful_reason", "meeting_no_show",
                          "2026-03-10"))
        self.assertEqual(b["member"], {"cpr": self.a["cpr"], "name": self.a["name"]})
        self.assertEqual(b["citizen_ref"], self.a["citizen_ref"])
        for ph in ("Hændelse: Udeblivelse fra samtale uden lovlig grund",
                   "Grundlag: Du udeblev fra en samtale uden lovlig grund", "Dato: 10. marts 2026",
                   f"Indberetning: {rep['report_id']}", f"Sag: {self.case_a}", self.a["name"]):
            self.assertIn(ph, b["text"])
        self.assert_no_cpr(rec, self.a["cpr"])

    def test_20_internal_reminders_for_caseworkers(self):
        ref = self.a["citizen_ref"]
        self.ev.due_soon(self.case_a, ref, caseworker="cw-7", ordinal=2, due="2026-03-16", days_left=14)
        self.ev.due_soon(self.case_a, ref, caseworker=None, ordinal=3, due="2026-05-04", days_left=9)
        ms = self.sent(self.case_a, "caseworker_reminder", n=2)
        self.assertEqual({(m["channel"], m["recipient_id"]) for m in ms}, {("internal", "cw-7"), ("internal", "cw-1")})
        for m in ms:  # the queue is internal: nothing went to a gateway
            self.assertEqual(self.p.stack.post_received(key=m["message_id"]), [])
        r = self.svc.call("GET", "/v1/caseworkers/cw-7/reminders", scope="caseworker")
        self.assertEqual(r.status, 200, r)
        [item] = r.json["reminders"]
        self.assertEqual(item["subject"], "Frist nærmer sig: 2. samtale senest 16. marts 2026")
        self.assertIn(f"Sag {self.case_a} har en 2. samtale, der skal være afholdt senest 16. marts 2026 "
                      "(14 dage tilbage)", item["body"])
        self.assertIn("Regel: R1-four-meetings", item["body"])
        r = self.svc.call("GET", "/v1/caseworkers/cw-1/reminders", scope="admin")
        self.assertEqual([i["subject"] for i in r.json["reminders"]],
                         ["Frist nærmer sig: 3. samtale senest 4. maj 2026"])

    def test_30_meeting_reminder_exactly_once(self):
        def sweep(day):
            r = self.svc.call("POST", f"/v1/admin/sweep?today={day}", scope="admin")
            self.assertEqual(r.status, 200, r)
            return r.json
        # M1 starts 11 March 13:00: at noon on the 10th it is 25 h away (lead 24 h)
        sweep("2026-03-10")
        self.assertEqual([m for m in nt.messages(self.p, self.case_a) if m["template"] == "meeting_reminder"], [])
        # two sweeps at once on the 11th, then a third: one reminder
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            list(pool.map(sweep, ["2026-03-11", "2026-03-11"]))
        self.assertEqual(sweep("2026-03-11")["reminders_sent"], 0)
        [msg] = self.sent(self.case_a, "meeting_reminder")
        rec = self.record(msg)
        # A has a phone: the reminder is an SMS, with time, channel and place
        self.assertEqual((msg["channel"], rec["channel"], rec["body"]["to"]), ("sms", "sms", self.a["contact"]["phone"]))
        self.assertIn("Husk din samtale onsdag den 11. marts 2026 kl. 13:00 (videosamtale). "
                      "Sted: Du får et link til videomødet i en separat besked.", rec["body"]["text"])
        self.assert_no_cpr(rec, self.a["cpr"])
        # the cancelled meeting (12 March) got none, and none later
        sweep("2026-03-12")
        self.assertEqual(len([m for m in nt.messages(self.p, self.case_a) if m["template"] == "meeting_reminder"]), 1)

    def test_40_physical_letter_and_email_reminder_without_digital_post(self):
        b = self.ev.citizen(digital_post=False, email="b@example.org", address=ADDRESS)
        case_b = self.ev.case_opened(b["citizen_ref"])["data"]["case_id"]
        [msg] = self.sent(case_b, "rights_and_duties")
        self.assertEqual(msg["channel"], "physical_letter")
        path = os.path.join(self.p.stack.dir, "letters", f"{msg['message_id']}.txt")
        with open(path, encoding="utf-8") as f:
            letter = f.read()
        self.assertTrue(letter.startswith(f"{b['name']}\nIshøj Strandvej 18, 2. th.\n2635 Ishøj\n"), letter[:200])
        self.assertIn("Emne: Dine rettigheder og pligter", letter)
        self.assertIn(msg["text"], letter)
        self.assertNotIn(b["cpr"], letter)
        self.assertEqual(self.p.stack.post_received(key=msg["message_id"]), [])
        self.ev.meeting_booked(case_b, b["citizen_ref"], "2026-03-20T09:30:00+01:00", "2026-03-20T10:00:00+01:00",
                               "in_person")
        [inv] = self.sent(case_b, "meeting_invitation")
        self.assertEqual(inv["channel"], "physical_letter")
        self.assertIn("Sted: Jobcentret", inv["text"])
        self.svc.call("POST", "/v1/admin/sweep?today=2026-03-19", scope="admin")
        [rem] = self.sent(case_b, "meeting_reminder")
        rec = self.record(rem)
        self.assertEqual((rem["channel"], rec["channel"], rec["body"]["to"]), ("email", "email", "b@example.org"))
        self.assertIn("Husk din samtale fredag den 20. marts 2026 kl. 09:30", rec["body"]["text"])
        self.assertIn("Påmindelse: samtale fredag den 20. marts 2026 kl. 09:30", rec["body"]["subject"])

    def test_41_no_digital_post_and_no_address_fails_with_the_reason(self):
        c = self.ev.citizen(digital_post=False)
        case_c = self.ev.case_opened(c["citizen_ref"])["data"]["case_id"]
        msg = nt.wait_status(self.p, case_c, "rights_and_duties", "failed")
        self.assertEqual(msg["failure_reason"],
                         "the citizen has no Digital Post and no postal address: a physical letter cannot be addressed")
        self.assertIsNone(msg["channel"])

        def dead_letter():
            for m in self.p.stack.read_topic("jobcenter.dlq.v1"):
                d = json.loads(m["value"])["data"]
                if d["consumer"] == f"notifications-delivery:{msg['message_id']}":
                    return m, d
        m, d = jctest.wait_until(dead_letter, 30, "the dead letter")
        self.assertEqual((d["topic"], d["reason"], d["payload_included"]),
                         ("jobcenter.case.v1", msg["failure_reason"], False))
        self.assertEqual(m["headers"]["jc_dlq_error"], msg["failure_reason"])
        fails = [json.loads(x["value"])["data"] for x in self.p.stack.read_topic("jobcenter.notification.v1")]
        [f] = [x for x in fails if x["message_id"] == msg["message_id"]]
        self.assertEqual((f["reason"], f["template"], f["recipient_kind"]),
                         (msg["failure_reason"], "rights_and_duties", "citizen"))

    def test_42_letters_wait_for_the_citizens_contact_data(self):
        ref = "5f0e2c1d-1111-4222-8333-444455556666"
        case_e = self.ev.case_opened(ref)["data"]["case_id"]
        nt.wait_status(self.p, case_e, "rights_and_duties", "awaiting_contact")
        e = self.ev.citizen(ref=ref, digital_post=True)
        msg, _ = self.letter(case_e, "rights_and_duties", "Dine rettigheder og pligter", who=e)

    def test_50_a_closed_case_gets_no_further_letters(self):
        f = self.ev.citizen(digital_post=True, phone="+4530405060")
        ref = f["citizen_ref"]
        case_f = self.ev.case_opened(ref)["data"]["case_id"]
        mid = self.ev.meeting_booked(case_f, ref, "2026-03-25T10:00:00+01:00", "2026-03-25T10:30:00+01:00")[
            "data"]["meeting_id"]
        self.sent(case_f, "meeting_invitation")
        self.ev.case_closed(case_f, ref, "2026-03-20")
        jctest.wait_until(lambda: self.p.stack.scalar(
            "SELECT status FROM notifications.meeting_reminder WHERE meeting_id = %s", (mid,)) == "cancelled",
            30, "the reminder to be cancelled")
        # scheduling cancels the meeting with reason case_closed: no letter about it
        self.ev.meeting_cancelled(case_f, ref, mid, "2026-03-25T10:00:00+01:00", reason="case_closed")
        self.ev.offer_assigned(case_f, ref)
        msg = nt.wait_status(self.p, case_f, "offer_letter", "cancelled")
        self.assertEqual(msg["cancelled_reason"], "case closed")
        self.svc.call("POST", "/v1/admin/sweep?today=2026-03-24", scope="admin")
        nt.wait_consumed(self.p)
        nt.settle(0.5)
        self.assertEqual(sorted(m["template"] for m in nt.messages(self.p, case_f)),
                         ["meeting_invitation", "offer_letter", "rights_and_duties"])
        self.assertEqual(self.p.stack.post_received(key=msg["message_id"]), [])

    def test_60_erasure_deletes_the_citizens_personal_data(self):
        g = self.ev.citizen(digital_post=True, email="g@example.org", address=G_ADDRESS)
        ref = g["citizen_ref"]
        case_g = self.ev.case_opened(ref)["data"]["case_id"]
        self.sent(case_g, "rights_and_duties")
        # a malformed record of the same citizen: dead-lettered with its bytes
        bad = json.dumps({"specversion": "1.0", "id": "bad-" + ref, "source": "/jobcenter/intake",
                          "type": "dk.jobcenter.citizen.upserted.v1",
                          "data": dict(g, contact={"digital_post": "yes"})}).encode()
        self.p.stack.produce("jobcenter.citizen.v1", bad, key=ref.encode())
        jctest.wait_until(lambda: self.p.stack.scalar(
            "SELECT count(*) FROM notifications.dead_letter WHERE topic = 'jobcenter.citizen.v1'"
            " AND payload IS NOT NULL AND msg_key = convert_to(%s, 'UTF8')", (ref,)) == 1, 30, "the dead letter")
        # a second citizen whose letter still waits for contact data
        ref2 = "6a1b2c3d-4e5f-4061-8272-839495a6b7c8"
        case_g2 = self.ev.case_opened(ref2)["data"]["case_id"]
        nt.wait_status(self.p, case_g2, "rights_and_duties", "awaiting_contact")

        self.ev.tombstone(ref)
        self.ev.tombstone(ref2)
        jctest.wait_until(lambda: self.p.stack.scalar(
            "SELECT count(*) FROM notifications.citizen_erasure WHERE citizen_ref IN (%s, %s)", (ref, ref2)) == 2,
            30, "the erasures")
        self.assert_erased(g)
        msg = nt.wait_status(self.p, case_g2, "rights_and_duties", "cancelled")
        self.assertEqual(msg["cancelled_reason"], "citizen erased")
        # the API shows that letters went out, not what they said
        r = self.svc.call("GET", f"/v1/cases/{case_g}/messages", scope="caseworker")
        [m] = r.json["messages"]
        self.assertEqual((m["status"], m["subject"], m["text"]), ("sent", None, None))
        # a later trigger for the erased citizen writes nothing
        self.ev.offer_assigned(case_g, ref)
        msg = nt.wait_status(self.p, case_g, "offer_letter", "cancelled")
        self.assertEqual(msg["cancelled_reason"], "citizen erased")
        type(self).erased = g

    def assert_erased(self, who):
        self.assertIsNone(self.p.stack.scalar("SELECT name FROM notifications.citizen WHERE citizen_ref = %s",
                                              (who["citizen_ref"],)))
        tables = [r[0] for r in self.p.stack.sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'notifications'")]
        for t in tables:
            rows = self.p.stack.sql(f"SELECT t::text FROM notifications.{t} t")
            dump = "\n".join(r[0] for r in rows)
            for secret in (who["cpr"], who["name"], G_ADDRESS["street"], who["contact"]["email"]):
                self.assertNotIn(secret, dump, f"personal data left in notifications.{t}")

    def test_90_replaying_every_topic_sends_nothing_new(self):
        nt.wait_consumed(self.p)
        jctest.wait_until(lambda: not [m for m in nt.messages(self.p) if m["status"] == "pending"], 30,
                          "deliveries to finish")

        def state():
            return (sorted((m["message_id"], m["status"]) for m in nt.messages(self.p)),
                    len(self.p.stack.post_requests()), sorted(os.listdir(os.path.join(self.p.stack.dir, "letters"))))
        before = state()
        self.assertGreater(len(before[0]), 25)
        # 1. a redelivery: the inbox knows every event
        n = self.ev.replay()
        nt.wait_consumed(self.p)
        nt.settle(1)
        self.assertEqual(state(), before)
        # 2. the inbox forgotten (pruned, or restored from an old backup): the
        # (event, recipient, template) key still refuses every duplicate
        self.p.stack.sql("DELETE FROM notifications.inbox")
        self.ev.replay()
        nt.wait_consumed(self.p)
        for day in ("2026-03-11", "2026-03-19", "2026-03-24"):
            r = self.svc.call("POST", f"/v1/admin/sweep?today={day}", scope="admin")
            self.assertEqual(r.json["reminders_sent"], 0, r)
        nt.settle(1)
        self.assertEqual(state(), before)
        self.assertGreater(n, 30)
        # the erased citizen stays erased after the replay
        self.assert_erased(self.erased)


if __name__ == "__main__":
    jctest.main()
