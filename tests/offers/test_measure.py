"""offers: STAR's active-offer measure on a generated population whose answer
the test computes independently: the cohort with six months' seniority,
those who never had an active offer, share, breach, the cases behind it
(paginated) and the projection 4 and 8 weeks ahead from planned offers."""
import datetime
import os
import random
import sys

sys.path.insert(0, os.path.dirname(__file__))
import offerstest  # noqa: E402
from offerstest import jctest  # noqa: E402

D = datetime.date
AS_OF = D(2026, 11, 30)
TODAY = D(2026, 12, 31)


def rand_day(rng, a, b):
    return a + datetime.timedelta(days=rng.randint(0, (b - a).days))


class MeasureTest(offerstest.OffersTest):
    TODAY = TODAY.isoformat()

    def generate(self, n=70, seed=20261130):
        """Cases with a plan: what offer they get, when, and whether they close."""
        rng = random.Random(seed)
        plans = []
        for _ in range(n):
            start = rand_day(rng, D(2025, 11, 1), D(2026, 10, 31))
            kind = rng.choices(["none", "before", "after", "planned", "mentor"], [30, 40, 10, 10, 10])[0]
            plan = {"start": start, "kind": kind, "closed": None, "first_started": None, "first_planned": None}
            if kind == "before":
                if start + datetime.timedelta(days=20) > AS_OF:
                    plan["kind"] = kind = "none"
                else:
                    plan["first_started"] = rand_day(rng, start, min(AS_OF, start + datetime.timedelta(days=200)))
            elif kind == "after":
                plan["first_started"] = rand_day(rng, max(start, AS_OF + datetime.timedelta(days=1)), TODAY)
            elif kind == "planned":
                plan["first_planned"] = rand_day(rng, max(start, AS_OF + datetime.timedelta(days=1)),
                                                 AS_OF + datetime.timedelta(days=70))
            if kind in ("none", "before") and rng.random() < 0.2:
                lo = (plan["first_started"] or start) + datetime.timedelta(days=40)
                if lo < D(2026, 12, 20):
                    plan["closed"] = rand_day(rng, lo, D(2026, 12, 20))
            plans.append(plan)
        return plans

    def expected(self, plans, on, ahead=False):
        cohort, without = [], []
        for p in plans:
            senior = jctest.add_months(p["start"], 6)
            if senior > on or (p["closed"] and p["closed"] <= on):
                continue
            cohort.append(p)
            had = p["first_started"] and p["first_started"] <= on
            if ahead:
                had = had or (p["first_planned"] and p["first_planned"] <= on)
            if not had:
                without.append(p)
        return cohort, without

    def test_measure_on_a_generated_population(self):
        plans = self.generate()
        for p in plans:
            p["case"] = self.feed.open("a-dagpenge", p["start"].isoformat(), flush=False)
        others = [self.feed.open("kontanthjaelp-jobparat", "2025-12-01", flush=False) for _ in range(5)]
        self.feed.flush()
        self.wait_cases()
        praktik = self.offer("virksomhedspraktik", capacity=1000)
        amu = self.offer("amu", capacity=1000, hours=20)
        mentor = self.offer("mentor", capacity=1000, hours=2)
        for i, p in enumerate(plans):
            cid = p["case"]["case_id"]
            if p["kind"] in ("before", "after"):
                s = p["first_started"]
                en = self.enrol(cid, praktik if i % 2 else amu, s, s + datetime.timedelta(days=30)).json
                self.start(en["enrolment_id"], s)
            elif p["kind"] == "planned":
                s = p["first_planned"]
                self.enrol(cid, praktik, s, s + datetime.timedelta(days=30))
            elif p["kind"] == "mentor":
                s = p["start"] + datetime.timedelta(days=5)
                en = self.enrol(cid, mentor, s, s + datetime.timedelta(days=90)).json
                self.start(en["enrolment_id"], s)
        for o in others:  # other target groups never count, whatever they get
            en = self.enrol(o["case_id"], praktik, "2026-01-05", "2026-02-27").json
            self.start(en["enrolment_id"], "2026-01-05")
        for p in plans:
            if p["closed"]:
                self.feed.close(p["case"], "job", p["closed"].isoformat())
        self.wait_events_applied()

        m = self.ok("GET", f"/v1/measures/active-offer?target_group=a-dagpenge&as_of={AS_OF}&limit=7")
        cohort, without = self.expected(plans, AS_OF)
        self.assertGreaterEqual(len(cohort), 10)
        print(f"\n  generated {len(plans)} cases: cohort {len(cohort)}, without an active offer {len(without)}",
              file=sys.stderr)
        share = len(without) / len(cohort)
        self.assertEqual((m["as_of"], m["cohort"], m["without_active_offer"]), (AS_OF.isoformat(), len(cohort), len(without)))
        self.assertAlmostEqual(m["share"], share, places=6)
        self.assertEqual((m["breach"], m["population_sufficient"], m["threshold"], m["seniority_months"]),
                         (share > 0.2, True, 0.2, 6))
        self.assertEqual((m["rule_set"], m["rule"]), ("lab-2025-arbejdspligt", "R77-R78-active-offer-measure"))
        for weeks, fig in zip((4, 8), m["projection"]):
            on = AS_OF + datetime.timedelta(weeks=weeks)
            c, w = self.expected(plans, on, ahead=True)
            self.assertEqual((fig["weeks_ahead"], fig["figure"]["as_of"], fig["figure"]["cohort"],
                              fig["figure"]["without_active_offer"]), (weeks, on.isoformat(), len(c), len(w)))
        # The cases behind it, oldest seniority first, in pages of 7.
        want = [p["case"]["case_id"] for p in sorted(
            without, key=lambda p: (jctest.add_months(p["start"], 6), p["case"]["case_id"]))]
        got, page = [], m
        while True:
            got += [c["case_id"] for c in page["cases"]]
            if not page["next_cursor"]:
                break
            page = self.ok("GET", f"/v1/measures/active-offer?as_of={AS_OF}&limit=7&cursor={page['next_cursor']}")
        self.assertEqual(got, want)
        first, plan = m["cases"][0], [p for p in plans if p["case"]["case_id"] == want[0]][0]
        senior = jctest.add_months(plan["start"], 6)
        self.assertEqual((first["senior_on"], first["days_since_senior"], first["citizen_ref"], first["caseworker_id"]),
                         (senior.isoformat(), (AS_OF - senior).days, plan["case"]["citizen_ref"], "cw-anna"))

        # Early on the population is below 10: no breach flagged, the data still shown.
        early = D(2026, 5, 15)
        c, w = self.expected(plans, early)
        m = self.ok("GET", f"/v1/measures/active-offer?as_of={early}")
        self.assertEqual((m["cohort"], m["without_active_offer"]), (len(c), len(w)))
        self.assertEqual((m["population_sufficient"], m["breach"]), (len(c) >= 10, len(c) >= 10 and len(w) / len(c) > 0.2))
        # Another target group has its own population; bad parameters are named.
        m = self.ok("GET", f"/v1/measures/active-offer?target_group=kontanthjaelp-jobparat&as_of={AS_OF}")
        self.assertEqual((m["cohort"], m["without_active_offer"]), (5, 0))
        r = self.call("GET", "/v1/measures/active-offer?target_group=dagpenge&as_of=2026-13-01&limit=5000")
        self.assertEqual(sorted(e["field"] for e in r.json["errors"]), ["as_of", "limit", "target_group"])
        r = self.call("GET", "/v1/measures/active-offer?as_of=2019-06-30")
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (422, "as_of"))


if __name__ == "__main__":
    jctest.main()
