"""offers: the offer deadlines from the rule data, on dates around weekends,
public holidays, closing days and month ends; the obligations API; the rule
set chosen by the case's start date; a rulebook overridden by file; and
offer.due_soon / offer.missed sent exactly once each (sweep on request,
concurrent sweeps, the periodic sweep)."""
import concurrent.futures
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import offerstest  # noqa: E402
from offerstest import jctest  # noqa: E402

RULES = os.path.join(jctest.ROOT, "services", "offers", "rules", "offer_rules.json")


class DeadlineTest(offerstest.OffersTest):

    def obligation(self, case, kind=None):
        items = self.obligations(case["case_id"])
        if kind:
            items = [o for o in items if o["kind"] == kind]
        self.assertEqual(len(items), 1, items)
        return items[0]

    def test_six_month_rule_around_weekends_holidays_and_month_ends(self):
        # start date -> (due date, warn date, rule set): start + 6 months (month end
        # clamped), pulled back to the last working day; warned a month before.
        cases = {
            "2026-01-05": ("2026-07-03", "2026-06-03", "lab-2025-arbejdspligt"),  # 5 Jul is a Sunday
            "2026-06-24": ("2026-12-23", "2026-11-23", "lab-2025-arbejdspligt"),  # 24 Dec: closed day
            "2026-06-25": ("2026-12-23", "2026-11-23", "lab-2025-arbejdspligt"),  # Christmas Day
            "2026-06-26": ("2026-12-23", "2026-11-23", "lab-2025-arbejdspligt"),  # Boxing Day, Saturday
            "2026-08-31": ("2027-02-26", "2027-01-26", "lab-2025-arbejdspligt"),  # 28 Feb 2027, Sunday
            "2026-09-29": ("2027-03-24", "2027-02-24", "lab-2025-arbejdspligt"),  # Easter Monday 2027
            "2027-08-31": ("2028-02-29", "2028-01-28", "lab-2025-arbejdspligt"),  # leap day
            "2022-11-05": ("2023-05-04", "2023-04-04", "lab-2020"),               # Store Bededag 2023
            "2023-11-03": ("2024-05-03", "2024-04-03", "lab-2020"),               # abolished in 2024
            "2024-12-15": ("2025-06-13", "2025-05-13", "lab-2020"),               # set by start date
            "2025-01-01": ("2025-07-01", "2025-05-30", "lab-2025-arbejdspligt"),
        }
        opened = {s: self.feed.open("a-dagpenge", s, flush=False) for s in cases}
        self.feed.flush()
        self.wait_cases()
        for start, (due, warn, rule_set) in cases.items():
            o = self.obligation(opened[start])
            self.assertEqual((o["kind"], o["base_date"], o["due_date"], o["warn_on"], o["rule_set"]),
                             ("active_offer", start, due, warn, rule_set), start)
            self.assertEqual(o["rule"], "R18-R19-active-offer-by-6-months")
            self.assertIn("R19", o["rule_source"])
            self.assertEqual(o["min_duration_days"], 14)
        # Before the first rule set: no obligation (and a log line saying so).
        old = self.feed.open("a-dagpenge", "2019-06-03")
        self.wait_cases()
        self.assertEqual(self.obligations(old["case_id"]), [])

    def test_youth_and_immediate_activation_count_working_days(self):
        youth = self.feed.open("ung-under-18", "2026-12-11", flush=False)   # across Christmas
        youth2 = self.feed.open("ung-under-18", "2026-10-01", flush=False)
        kh = self.feed.open("kontanthjaelp-jobparat", "2026-12-18", flush=False)
        other = self.feed.open("sygedagpenge-ledig", "2026-10-01", flush=False)
        self.feed.flush()
        self.wait_cases()
        o = self.obligation(youth)
        self.assertEqual((o["kind"], o["due_date"], o["warn_on"], o["rule"]),
                         ("youth_offer", "2027-01-28", "2027-01-21", "R46-youth-offer-30-working-days"))
        self.assertEqual(self.obligation(youth2)["due_date"], "2026-11-12")
        o = self.obligation(kh)
        self.assertEqual((o["kind"], o["due_date"], o["warn_on"]), ("immediate_activation", "2027-01-07", "2027-01-04"))
        self.assertIn("straksaktivering", o["satisfied_by"])
        self.assertEqual(self.obligations(other["case_id"]), [])
        # Immediate activation is for new applicants only: a case that becomes
        # kontanthjaelp-jobparat later gets no such obligation.
        moved = self.feed.open("kontanthjaelp-aktivitetsparat", "2026-10-01")
        self.feed.change_group(moved, "kontanthjaelp-jobparat", "2026-11-02")
        self.wait_events_applied()
        self.assertEqual(self.obligations(moved["case_id"]), [])

    def test_target_group_change_restarts_the_clock(self):
        case = self.feed.open("kontanthjaelp-jobparat", "2026-03-02")
        self.wait_cases()
        first = self.obligation(case)
        # A running offer at the change fulfils the new group's obligation at once.
        running = self.feed.open("sygedagpenge-ledig", "2026-01-05")
        self.wait_cases()
        offer = self.offer("amu", capacity=3, hours=20)
        en = self.enrol(running["case_id"], offer, "2026-04-06", "2026-06-26").json
        self.start(en["enrolment_id"], "2026-04-06")
        self.feed.change_group(case, "a-dagpenge", "2026-05-04")
        self.feed.change_group(running, "a-dagpenge", "2026-05-04")
        self.wait_events_applied()
        items = self.obligations(case["case_id"])
        self.assertEqual([(o["kind"], o["status"]) for o in items],
                         [("immediate_activation", "cancelled"), ("active_offer", "open")])
        self.assertEqual(items[0]["obligation_id"], first["obligation_id"])
        self.assertEqual(items[0]["cancelled_reason"], "target_group_changed")
        self.assertEqual((items[1]["base_date"], items[1]["due_date"]), ("2026-05-04", "2026-11-04"))
        o = self.obligation(running)
        self.assertEqual((o["status"], o["fulfilled_by"], o["fulfilled_on"], o["late"]),
                         ("fulfilled", en["enrolment_id"], "2026-05-04", False))
        case_view = self.ok("GET", f"/v1/cases/{case['case_id']}")
        self.assertEqual((case_view["target_group"], case_view["group_since"]), ("a-dagpenge", "2026-05-04"))

    def test_obligations_api_statuses_and_fulfilment(self):
        case = self.feed.open("a-dagpenge", "2026-01-05")       # due 2026-07-03, warn 06-03
        short = self.feed.open("a-dagpenge", "2026-01-05")
        self.wait_cases()
        o = self.obligation(case)
        self.assertEqual((o["status"], o["days_left"]), ("open", -143))  # as of TODAY 2026-11-23
        self.assertNotIn("fulfilled_by", o)
        # A planned offer shows as planned; it does not fulfil until it starts.
        praktik = self.offer("virksomhedspraktik", capacity=5)
        mentor = self.offer("mentor", capacity=5, hours=2)
        en = self.enrol(case["case_id"], praktik, "2026-06-15", "2026-07-31").json
        self.assertEqual(self.obligation(case)["planned_enrolment_id"], en["enrolment_id"])
        self.sweep("2026-06-03")  # warning day: the planned offer starts in time, so no warning
        self.assertEqual(self.obligation(case)["status"], "open")
        self.assertEqual(self.obligation(short)["status"], "due_soon")
        # A mentor does not fulfil it, nor an internship shorter than two weeks (R19).
        m = self.enrol(short["case_id"], mentor, "2026-06-08", "2026-12-31").json
        self.start(m["enrolment_id"], "2026-06-08")
        brief = self.enrol(short["case_id"], praktik, "2026-06-22", "2026-07-03").json
        started = self.start(brief["enrolment_id"], "2026-06-22")
        self.assertEqual(self.obligation(short)["status"], "due_soon")
        self.sweep("2026-07-06")
        self.assertEqual(self.obligation(short)["status"], "missed")
        self.assertEqual(self.obligation(case)["status"], "missed")  # planned, but not started by the due date
        self.start(en["enrolment_id"], "2026-07-06")
        o = self.obligation(case)
        self.assertEqual((o["status"], o["fulfilled_by"], o["fulfilled_on"], o["late"]),
                         ("fulfilled", en["enrolment_id"], "2026-07-06", True))
        self.assertNotIn("days_left", o)
        evs = self.offer_events({"offer.started.v1"})
        by_enrolment = {e["data"]["enrolment_id"]: e["data"] for e in evs}
        self.assertEqual(by_enrolment[en["enrolment_id"]]["fulfilled_obligation_ids"], [o["obligation_id"]])
        self.assertEqual(by_enrolment[brief["enrolment_id"]]["fulfilled_obligation_ids"], [])
        self.assertEqual(started["status"], "started")
        # Unknown and malformed case ids.
        self.assertEqual(self.call("GET", "/v1/cases/00000000-0000-4000-8000-000000000000/obligations").status, 404)
        r = self.call("GET", "/v1/cases/nope/obligations")
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "case_id"))

class SweepExactlyOnceTest(offerstest.OffersTest):
    """Alone on its stack: it counts every obligation each sweep moves."""

    def test_due_soon_and_missed_exactly_once(self):
        plain = self.feed.open("a-dagpenge", "2026-01-05", flush=False)      # warn 06-03, due 07-03
        planned = self.feed.open("a-dagpenge", "2026-01-05", flush=False)    # planned in time, never started
        closed = self.feed.open("a-dagpenge", "2026-01-05", flush=False)     # closed before the warning
        done = self.feed.open("a-dagpenge", "2026-01-05", flush=False)       # started before the warning
        youth = self.feed.open("ung-under-18", "2026-10-01", flush=False)    # warn 11-05, due 11-12
        self.feed.flush()
        self.wait_cases()
        praktik = self.offer("virksomhedspraktik", capacity=10)
        self.enrol(planned["case_id"], praktik, "2026-06-29", "2026-08-28")
        d = self.enrol(done["case_id"], praktik, "2026-05-04", "2026-06-26").json
        self.start(d["enrolment_id"], "2026-05-04")
        self.feed.close(closed, "job", "2026-05-29")
        self.wait_events_applied()
        steps = ["2026-05-01", "2026-06-02", "2026-06-03", "2026-06-03", "2026-07-03", "2026-07-04",
                 "2026-07-04", "2026-11-05", "2026-11-13", "2026-11-20"]
        results = [self.sweep(day) for day in steps]
        self.assertEqual([(r["due_soon"], r["missed"]) for r in results],
                         [(0, 0), (0, 0), (1, 0), (0, 0), (0, 0), (0, 2), (0, 0), (1, 0), (0, 1), (0, 0)])
        # Sweeps at the same moment send nothing twice.
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            again = list(pool.map(lambda _: self.sweep("2026-11-23"), range(6)))
        self.assertEqual(sum(r["due_soon"] + r["missed"] for r in again), 0)
        evs = self.offer_events({"offer.due_soon.v1", "offer.missed.v1"})
        got = sorted((e["type"].split(".")[3], e["data"]["case_id"]) for e in evs)
        self.assertEqual(got, sorted([("due_soon", plain["case_id"]), ("missed", plain["case_id"]),
                                      ("missed", planned["case_id"]), ("due_soon", youth["case_id"]),
                                      ("missed", youth["case_id"])]))
        first = [e for e in evs if e["data"]["case_id"] == plain["case_id"]][0]["data"]
        self.assertEqual(first, {"obligation_id": first["obligation_id"], "case_id": plain["case_id"],
                                 "citizen_ref": plain["citizen_ref"], "kind": "active_offer",
                                 "due_date": "2026-07-03", "days_left": 30, "caseworker_id": "cw-anna",
                                 "rule_set": "lab-2025-arbejdspligt", "rule": "R18-R19-active-offer-by-6-months"})
        # The sweep route is the common library's: admin scope, a valid date.
        r = self.call("POST", "/v1/admin/sweep?today=2026-02-30", scope="admin")
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "today"))
        self.assertEqual(self.call("POST", "/v1/admin/sweep?today=2026-11-23", scope="caseworker").status, 403)
        self.assertEqual(self.call("POST", "/v1/admin/sweep?today=2026-11-23", scope=None).status, 401)


class PeriodicSweepTest(offerstest.OffersTest):
    TODAY = "2026-07-06"
    ENV = {"JC_SWEEP_INTERVAL_S": "1", "JC_LOG_LEVEL": "debug"}
    ROLES = "http,relay,consumer,sweep"

    def test_periodic_sweep_sends_each_event_once(self):
        a = self.feed.open("a-dagpenge", "2026-01-05", flush=False)   # due 07-03: missed on 07-06
        b = self.feed.open("a-dagpenge", "2026-02-09", flush=False)   # due 08-07, warn 07-07: not yet
        c = self.feed.open("ung-under-18", "2026-06-15", flush=False)  # due 07-27, warn 07-20: not yet
        self.feed.flush()
        self.wait_cases()
        jctest.wait_until(lambda: len(self.offer_events({"offer.missed.v1"})) == 1, 30, "the periodic sweep")
        # Three more rounds pass: nothing is sent again.
        n = self.p.stack.scalar("SELECT count(*) FROM offers.outbox")
        rounds = self.offers.log_text().count("offer deadline sweep:")
        jctest.wait_until(lambda: self.offers.log_text().count("offer deadline sweep:") >= rounds + 3, 30,
                          "three more sweep rounds")
        self.assertEqual(self.p.stack.scalar("SELECT count(*) FROM offers.outbox"), n)
        missed = self.offer_events({"offer.missed.v1"})
        self.assertEqual([e["data"]["case_id"] for e in missed], [a["case_id"]])
        self.assertEqual(self.offer_events({"offer.due_soon.v1"}), [])
        self.assertEqual({o["status"] for o in self.obligations(b["case_id"]) + self.obligations(c["case_id"])},
                         {"open"})


class RulebookFileTest(offerstest.OffersTest):
    """JC_OFFERS_RULES_FILE replaces the compiled-in rulebook: here R46b's
    calendar-day reading of the youth deadline, as a new rule set from 2026-07-01."""

    @classmethod
    def setUpClass(cls):
        with open(RULES) as f:
            book = json.load(f)
        new = json.loads(json.dumps(book["rule_sets"][-1]))
        new["id"] = "youth-calendar-days-2026"
        new["valid_from"] = "2026-07-01"
        for rule in new["rules"]:
            if rule["id"].startswith("R46"):
                rule["id"] = "R46b-youth-offer-30-calendar-days"
                rule["due"] = {"days": 30, "if_not_working_day": "previous"}
        book["rule_sets"].append(new)
        os.makedirs(jctest.OUT, exist_ok=True)
        cls.rules_path = os.path.join(jctest.OUT, f"offer_rules-{os.getpid()}.json")
        with open(cls.rules_path, "w") as f:
            json.dump(book, f)
        cls.ENV = {"JC_OFFERS_RULES_FILE": cls.rules_path}
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        os.unlink(cls.rules_path)

    def test_rule_set_added_by_file_applies_from_its_date(self):
        before = self.feed.open("ung-under-18", "2026-06-30", flush=False)
        after = self.feed.open("ung-under-18", "2026-11-24", flush=False)   # +30 days = 24 Dec (closed)
        self.feed.flush()
        self.wait_cases()
        o = self.obligations(before["case_id"])[0]
        self.assertEqual((o["rule_set"], o["due_date"]), ("lab-2025-arbejdspligt", "2026-08-11"))
        o = self.obligations(after["case_id"])[0]
        self.assertEqual((o["rule_set"], o["rule"], o["due_date"]),
                         ("youth-calendar-days-2026", "R46b-youth-offer-30-calendar-days", "2026-12-23"))

    def test_a_broken_rulebook_is_refused_at_start(self):
        with open(self.rules_path) as f:
            book = json.load(f)
        book["rule_sets"][0]["rules"][0]["satisfied_by"].append("skydiving")
        bad = self.rules_path + ".bad"
        with open(bad, "w") as f:
            json.dump(book, f)
        env = dict(self.offers.env(), JC_OFFERS_RULES_FILE=bad, JC_ROLES="relay")
        out = subprocess.run([os.path.join(jctest.BUILD, "services", "offers", "jc-offers")], env=env,
                             capture_output=True, text=True, timeout=60 * jctest.SLOW)
        os.unlink(bad)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("satisfied_by[10] is not an offer type of the catalogue", out.stderr)


if __name__ == "__main__":
    jctest.main()
