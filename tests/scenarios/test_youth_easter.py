"""Scenario across services, through public APIs and topics only: a young
person under 18 drops out of education. Scheduling gives the case its contact
duty (5 working days, R46) and offers its offer duty (30 working days, R46/R47,
warned 5 working days before). The caseworker meets the citizen on the first
working day after Easter; the offer deadline is warned about once, then met
by an internship that starts in time, and the sweep after the deadline finds
nothing missed. Letters: rights and duties, the meeting invitation and the
offer letter, each once.
Dates: the drop-out is registered Monday 30 March 2026, so both deadlines
cross Easter 2026 (Maundy Thursday 2 April, Good Friday 3 April, Easter
Monday 6 April) and the offer deadline also Ascension Day (14 May). The test
computes the expected deadlines from its own holiday list (scenario.py):
contact by Thursday 9 April, offer by Friday 15 May, warned from Thursday
7 May. The meeting is on Tuesday 7 April (Good Friday is refused); the
internship starts Monday 11 May."""
import datetime
import os
import random
import sys

sys.path.insert(0, os.path.dirname(__file__))
from scenario import D, Scenario, add_working_days, closed_days, jctest, working_day  # noqa: E402

DROPOUT = "2026-03-30"


def working_days_before(d, n):
    while n > 0:
        d -= datetime.timedelta(days=1)
        if working_day(d):
            n -= 1
    return d


class YouthAcrossEaster(Scenario):

    def offers_obligation(self, cid):
        [ob] = self.call("offers", "GET", f"/v1/cases/{cid}/obligations", expect=200).json["items"]
        return ob

    def test_contact_and_offer_deadlines_across_easter(self):
        holidays = closed_days(2026)
        for d in ("2026-04-02", "2026-04-03", "2026-04-06", "2026-05-14"):
            self.assertIn(D(d), holidays)
        contact_due = add_working_days(D(DROPOUT), 5)
        offer_due = add_working_days(D(DROPOUT), 30)
        offer_warn = working_days_before(offer_due, 5)
        # by hand: 31 Mar, 1 Apr, (Easter), 7, 8, 9 Apr; the 30th working day skips Ascension Day
        self.assertEqual((contact_due, offer_due, offer_warn), (D("2026-04-09"), D("2026-05-15"), D("2026-05-07")))

        self.start(DROPOUT, "intake", "scheduling", "offers", "notifications")
        self.staff("unge", "cw-ung", ["ung-under-18"])
        cpr = "1503104%03d" % random.randint(0, 999)   # born 15 March 2010 (7th digit 4): 16 years old
        self.p.cprs.add(cpr)
        r = self.call("intake", "POST", "/v1/cases", {
            "cpr": cpr, "name": self.p.name(), "target_group": "ung-under-18", "start_date": DROPOUT,
            "digital_post": True}, expect=201)
        cid, ref = r.json["case_id"], r.json["citizen_ref"]
        self.assertEqual(r.json["caseworker_id"], "cw-ung")
        self.wait_known(cid, "scheduling", "offers")

        [contact] = self.call("scheduling", "GET", f"/v1/cases/{cid}/obligations", expect=200).json["obligations"]
        self.assertEqual((contact["kind"], contact["ordinal"], contact["due_date"], contact["status"]),
                         ("youth_contact", 1, contact_due.isoformat(), "open"))
        ob = self.offers_obligation(cid)
        self.assertEqual((ob["kind"], ob["status"], ob["base_date"], ob["due_date"], ob["warn_on"]),
                         ("youth_offer", "open", DROPOUT, offer_due.isoformat(), offer_warn.isoformat()))

        # The contact meeting: not on Good Friday; on the first working day after Easter.
        r = self.call("scheduling", "POST", f"/v1/cases/{cid}/meetings",
                      {"starts_at": "2026-04-03T10:00:00+02:00", "channel": "in_person"}, expect=422)
        self.assertEqual(r.json["errors"][0]["field"], "starts_at")
        m = self.call("scheduling", "POST", f"/v1/cases/{cid}/meetings", {
            "starts_at": "2026-04-07T10:00:00+02:00", "channel": "in_person",
            "location": "Ungdommens Uddannelsesvejledning"},
            expect=201).json
        self.assertEqual(m["obligation_id"], contact["obligation_id"])
        self.start("2026-04-07", "scheduling")
        self.call("scheduling", "POST", f"/v1/meetings/{m['meeting_id']}/outcome", {"outcome": "held"}, expect=200)
        [contact] = self.call("scheduling", "GET", f"/v1/cases/{cid}/obligations", expect=200).json["obligations"]
        self.assertEqual((contact["status"], contact["fulfilled_on"]), ("fulfilled", "2026-04-07"), contact)

        # The offer deadline: no warning the working day before the warning day, one on it, none again.
        sweep = lambda day: self.call("offers", "POST", f"/v1/admin/sweep?today={day}", scope="admin",  # noqa: E731
                                      expect=200).json
        self.assertEqual(sweep(working_days_before(offer_warn, 1).isoformat())["due_soon"], 0)
        self.assertEqual(sweep(offer_warn.isoformat())["due_soon"], 1)
        self.assertEqual(sweep(offer_warn.isoformat())["due_soon"], 0)
        self.assertEqual(self.offers_obligation(cid)["status"], "due_soon")

        # An internship from Monday 11 May, before the deadline; it starts that day.
        en = self.enrol(cid, "virksomhedspraktik", {"kind": "employer", "name": "Ishøj Cykler ApS", "cvr": "31415926",
                                                    "sector": "private"},
                        "Praktik, værksted", 20, "2026-05-11", "2026-06-19")
        self.start("2026-05-11", "offers")
        self.call("offers", "POST", f"/v1/enrolments/{en['enrolment_id']}/start", {"started_on": "2026-05-11"},
                  expect=200)
        ob = self.offers_obligation(cid)
        self.assertEqual((ob["status"], ob["fulfilled_by"], ob["fulfilled_on"]),
                         ("fulfilled", en["enrolment_id"], "2026-05-11"), ob)
        self.assertEqual(sweep((offer_due + datetime.timedelta(days=1)).isoformat())["missed"], 0)

        letters = self.wait_letters(cid, ["meeting_invitation", "offer_letter", "rights_and_duties"])
        for t, msg in letters.items():
            self.assertEqual((msg["recipient"], msg["channel"]), ({"kind": "citizen", "id": ref}, "digital_post"), t)
            self.assertEqual(self.delivered_once(msg, "digital_post")["body"]["recipient"], {"cpr": cpr}, t)
        self.assertIn("tirsdag den 7. april 2026", letters["meeting_invitation"]["text"])

        self.quiet()
        self.assertEqual(self.types("jobcenter.meeting.v1", cid), ["meeting.booked.v1", "meeting.held.v1"])
        offer_events = self.events("jobcenter.offer.v1", cid)
        self.assertEqual([t for t, _ in offer_events], ["offer.due_soon.v1", "offer.assigned.v1", "offer.started.v1"])
        self.assertEqual((offer_events[0][1]["kind"], offer_events[0][1]["due_date"]),
                         ("youth_offer", offer_due.isoformat()))
        self.assertEqual(offer_events[2][1]["fulfilled_obligation_ids"], [ob["obligation_id"]])
        # scheduling's contact duty stayed fulfilled by the meeting
        [contact] = self.call("scheduling", "GET", f"/v1/cases/{cid}/obligations", expect=200).json["obligations"]
        self.assertEqual((contact["status"], contact["fulfilled_on"]), ("fulfilled", "2026-04-07"))
        self.assertEqual(len(self.messages(cid)), 3)


if __name__ == "__main__":
    jctest.main()
