#!/usr/bin/env python3
"""Loads a synthetic, Ishøj-sized municipality into a running platform through
its public APIs only (the same calls a caseworker, an a-kasse and a manager
make), so `make run` starts with something to look at.

  seed_municipality.py --stack .stack [--scale 1.0] [--seed 2021]

What it creates (../../../shared/domain.md §5): the January 2021 benefit
counts as open cases (fleksjob in work is not a jobcentre contact case and is
left out), start dates spread over the past year, a-dagpenge cases handed over
by a-kasser after three months with the a-kasse's meetings; teams and
caseworkers sized by the caseload norms (§5.4); the meetings held so far
(registered as held, about one case in six falling short of the cadence) and
the next meeting booked for most open cases. CPR numbers are synthetic: a real
date of birth and 4 random digits, never checked against anything. Names come
from short lists of common Danish names.

Reads the service URLs and tokens from the stack folder (tokens.txt written by
scripts/run.sh). Prints one progress line while loading. Standard library
only."""
import argparse
import concurrent.futures
import datetime
import http.client
import json
import os
import random
import sys
import threading
import time

SERVICES = ["intake", "scheduling", "offers", "control", "notifications"]   # ports base + index

# January 2021 (domain.md §5.1), split where the seeds give the split.
COUNTS = [
    ("a-dagpenge", None, 806),
    ("kontanthjaelp-jobparat", "jobparat", 160),            # S004: 160 jobparate
    ("kontanthjaelp-aktivitetsparat", "aktivitetsparat", 188),
    ("uddannelseshjaelp-uddannelsesparat", "uddannelsesparat", 48),   # 30 %
    ("uddannelseshjaelp-aktivitetsparat", "aktivitetsparat", 111),    # 70 %
    ("sygedagpenge-beskaeftiget", "sygedagpenge-kategori-2", 747),    # 79 % from employment
    ("sygedagpenge-ledig", "sygedagpenge-kategori-2", 199),
    ("jobafklaring", None, 62),
    ("ressourceforloeb", None, 69),
    ("selvforsoergelse-hjemrejse", None, 15),
    ("ledighedsydelse", None, 75),
    ("revalidering", None, 9),
    ("ung-under-18", None, 12),
]

TEAMS = {
    "team-job": ("Jobteam (dagpenge og jobparate)",
                 ["a-dagpenge", "kontanthjaelp-jobparat", "uddannelseshjaelp-uddannelsesparat"]),
    "team-aktiv": ("Aktivitetsteam", ["kontanthjaelp-aktivitetsparat", "uddannelseshjaelp-aktivitetsparat",
                                      "selvforsoergelse-hjemrejse"]),
    "team-syg": ("Sygedagpengeteam", ["sygedagpenge-beskaeftiget", "sygedagpenge-ledig", "jobafklaring"]),
    "team-rehab": ("Rehabilitering og fleksjob", ["ressourceforloeb", "ledighedsydelse", "revalidering"]),
    "team-unge": ("Unge (IUJ)", ["ung-under-18", "uddannelseshjaelp-uddannelsesparat",
                                 "uddannelseshjaelp-aktivitetsparat"]),
}
# Caseload norms (§5.4, mid-range of the unions' guideline caseloads).
NORMS = {"a-dagpenge": 45, "kontanthjaelp-jobparat": 45, "kontanthjaelp-aktivitetsparat": 40,
         "uddannelseshjaelp-uddannelsesparat": 40, "uddannelseshjaelp-aktivitetsparat": 35,
         "sygedagpenge-beskaeftiget": 42, "sygedagpenge-ledig": 42, "jobafklaring": 37,
         "ressourceforloeb": 37, "ledighedsydelse": 37, "revalidering": 37,
         "selvforsoergelse-hjemrejse": 42, "ung-under-18": 35}

FIRST = ["Anne", "Mette", "Kirsten", "Hanne", "Helle", "Susanne", "Lene", "Maria", "Marianne", "Louise",
         "Peter", "Michael", "Lars", "Jens", "Thomas", "Henrik", "Søren", "Christian", "Martin", "Jan",
         "Mohammed", "Ali", "Fatima", "Aisha", "Emil", "Freja", "Noah", "Ida", "William", "Clara"]
LAST = ["Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
        "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Poulsen",
        "Johansen", "Møller", "Mortensen", "Yilmaz", "Hussein", "Ahmed"]
STREETS = ["Vejlebrovej", "Ishøj Strandvej", "Gildbrovej", "Ishøj Stationsvej", "Ishøj Store Torv",
           "Vildtbanevej", "Tranegilde Strandvej", "Baldersbækvej"]
AKASSER = ["3F", "FOA"]


class Api:
    """Minimal JSON-over-HTTP client for one service on loopback."""

    def __init__(self, port, tokens):
        self.port, self.tokens = port, tokens
        self.local = threading.local()

    def call(self, method, path, body=None, scope="caseworker", headers=None, ok=(200, 201)):
        h = {"Authorization": f"Bearer {self.tokens[scope]}"}
        h.update(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        for attempt in range(5):
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                conn.request(method, path, body=data, headers=h)
                r = conn.getresponse()
                text = r.read().decode()
                status = r.status
            except (ConnectionError, OSError):
                time.sleep(0.5 * (attempt + 1))
                continue
            finally:
                conn.close()
            if status == 503:
                time.sleep(0.5 * (attempt + 1))
                continue
            out = json.loads(text) if text else None
            if ok and status not in ok:
                raise RuntimeError(f"{method} {path}: {status} {text[:300]}")
            return status, out
        raise RuntimeError(f"{method} {path}: service unavailable")


def cpr(rng, age_min=18, age_max=66, today=None):
    today = today or datetime.date.today()
    born = today - datetime.timedelta(days=rng.randint(age_min * 365, age_max * 365))
    # the 7th digit with the century of the birth year (as intake reads it)
    if born.year < 2000:
        seventh = rng.choice([0, 1, 2, 3])
    else:
        seventh = rng.choice([4, 9]) if born.year < 2037 else 5
    return born.strftime("%d%m%y") + f"{seventh}{rng.randint(0, 999):03d}"


def working_days(start, end, holidays):
    d = start
    while d <= end:
        if d.weekday() < 4 and d not in holidays:   # Mon–Thu: every one open long enough
            yield d
        d += datetime.timedelta(days=1)


def danish_holidays(years):
    out = set()
    for y in years:
        # Easter (anonymous Gregorian algorithm)
        a, b, c = y % 19, y // 100, y % 100
        d, e = b // 4, b % 4
        f = (b + 8) // 25
        g = (b - f + 1) // 3
        h = (19 * a + b - d - g + 15) % 30
        i, k = c // 4, c % 4
        l = (32 + 2 * e + 2 * i - h - k) % 7
        m = (a + 11 * h + 22 * l) // 451
        month, day = divmod(h + l - 7 * m + 114, 31)
        easter = datetime.date(y, month, day + 1)
        for off in (-3, -2, 0, 1, 39, 49, 50):
            out.add(easter + datetime.timedelta(days=off))
        if y <= 2023:
            out.add(easter + datetime.timedelta(days=26))
        for md in ((1, 1), (6, 5), (12, 24), (12, 25), (12, 26), (12, 31)):
            out.add(datetime.date(y, *md))
    return out


class Loader:
    def __init__(self, args):
        self.rng = random.Random(args.seed)
        self.scale = args.scale
        self.today = datetime.date.fromisoformat(args.today) if args.today else datetime.date.today()
        self.tokens = {}
        with open(os.path.join(args.stack, "tokens.txt")) as f:
            for line in f:
                scope, tok = line.split()
                self.tokens[scope] = tok
        port = {s: args.port_base + i for i, s in enumerate(SERVICES)}
        self.intake = Api(port["intake"], self.tokens)
        self.sched = Api(port["scheduling"], self.tokens)
        self.holidays = danish_holidays(range(self.today.year - 2, self.today.year + 2))
        self.done = {"cases": 0, "meetings": 0, "bookings": 0}
        self.total = {"cases": 0, "meetings": 0, "bookings": 0}
        self.lock = threading.Lock()
        self.calendar = {}   # caseworker -> set of (date, minute) taken
        self.started = time.time()

    def progress(self, final=False):
        with self.lock:
            line = (f"\rseed: cases {self.done['cases']}/{self.total['cases']}  "
                    f"meetings held {self.done['meetings']}  booked {self.done['bookings']}  "
                    f"({time.time() - self.started:.0f} s)")
        sys.stderr.write(line + ("\n" if final else ""))
        sys.stderr.flush()

    def tick(self, what):
        with self.lock:
            self.done[what] += 1
            n = self.done[what]
        if n % 50 == 0:
            self.progress()

    # -- staff

    def staff(self):
        admin = {"scope": "admin"}
        for team, (name, _) in TEAMS.items():
            self.intake.call("PUT", f"/v1/teams/{team}", {"name": name}, **admin)
        for group, norm in NORMS.items():
            self.intake.call("PUT", f"/v1/caseload-norms/{group}", {"norm": norm}, **admin)
        n = 0
        for team, (_, groups) in TEAMS.items():
            load = sum(c for g, _, c in COUNTS if g in groups) * self.scale
            need = max(1, round(load / sum(NORMS[g] for g in groups) * len(groups)))
            for i in range(need):
                n += 1
                cw = f"cw-{team[5:]}-{i + 1:02d}"
                self.intake.call("PUT", f"/v1/caseworkers/{cw}", {
                    "name": f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}", "team_id": team,
                    "target_groups": groups, "active": True}, **admin)
        return n

    # -- cases

    def person(self, age_min=18, age_max=66):
        p = {"cpr": cpr(self.rng, age_min, age_max, self.today),
             "name": f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"}
        if self.rng.random() < 0.1:   # no Digital Post: physical letters need the address
            p["digital_post"] = False
            p["address"] = {"street": f"{self.rng.choice(STREETS)} {self.rng.randint(1, 120)}",
                            "postcode": "2635", "city": "Ishøj"}
        return p

    def open_case(self, group, visitation):
        if group == "a-dagpenge":
            # handed over by the a-kasse three months after the first day of unemployment
            since = self.today - datetime.timedelta(days=self.rng.randint(95, 365))
            handed = since + datetime.timedelta(days=91)
            akasse = self.rng.choice(AKASSER)
            contacts = [{"date": (since + datetime.timedelta(days=10 + 27 * i)).isoformat(),
                         "kind": "individual", "channel": self.rng.choice(["in_person", "phone", "video"])}
                        for i in range(3 if self.rng.random() < 0.9 else 2)]
            body = dict(self.person(), handover_id=f"{akasse}-seed-{self.rng.getrandbits(48):012x}",
                        akasse=akasse, unemployed_since=since.isoformat(), handover_date=handed.isoformat(),
                        contact_history=contacts, cv_on_jobnet=self.rng.random() < 0.8,
                        availability_concerns=self.rng.random() < 0.05)
            _, out = self.intake.call("POST", "/v1/handovers", body, scope=f"akasse:{akasse}")
            return out["case_id"], since, handed
        age = (15, 17) if group == "ung-under-18" else (18, 66)
        start = self.today - datetime.timedelta(days=self.rng.randint(0, 365))
        body = dict(self.person(*age), target_group=group, start_date=start.isoformat())
        if visitation:
            body["visitation"] = visitation
        _, out = self.intake.call("POST", "/v1/cases", body)
        return out["case_id"], start, start

    # -- meetings

    def wait_known(self, case_id):
        for _ in range(600):
            status, out = self.sched.call("GET", f"/v1/cases/{case_id}/obligations", ok=None)
            if status == 200:
                return out
            time.sleep(0.1)
        raise RuntimeError(f"scheduling did not learn case {case_id}")

    def free_slot(self, cw, day_from, day_to):
        """A (date, minute) in the caseworker's calendar, Mon–Thu 09:00–14:30."""
        days = list(working_days(day_from, day_to, self.holidays))
        if not days:
            return None
        with self.lock:
            taken = self.calendar.setdefault(cw, set())
            for _ in range(40):
                d = self.rng.choice(days)
                minute = 9 * 60 + 30 * self.rng.randint(0, 11)
                if (d, minute) not in taken:
                    taken.add((d, minute))
                    return d, minute
        return None

    @staticmethod
    def rfc3339(d, minute):
        # Copenhagen offset: summer time from the last Sunday of March to the last Sunday of October
        def last_sunday(y, m):
            d0 = datetime.date(y, m, 31)
            return d0 - datetime.timedelta(days=(d0.weekday() + 1) % 7)
        summer = last_sunday(d.year, 3) <= d < last_sunday(d.year, 10)
        return f"{d.isoformat()}T{minute // 60:02d}:{minute % 60:02d}:00+0{2 if summer else 1}:00"

    def meetings(self, case_id):
        ob = self.wait_known(case_id)
        cw = None
        obligations = [o for o in ob["obligations"] if o["status"] == "open" and o["responsible"] == "jobcenter"
                       and o["kind"] in ("meeting", "youth_contact")]
        short = self.rng.random() < 0.16    # about one case in six falls behind
        for i, o in enumerate(obligations):
            due = datetime.date.fromisoformat(o["due_date"])
            lo = max(datetime.date.fromisoformat(ob["start_date"]), due - datetime.timedelta(days=25))
            if due < self.today:
                if short and i >= len(obligations) // 2:
                    continue
                hi = min(due, self.today - datetime.timedelta(days=1))
                kind = "held"
            else:
                lo, hi = max(lo, self.today + datetime.timedelta(days=2)), due
                kind = "book"
            for _ in range(6):
                cw = cw or self.caseworker_of(case_id)
                if cw is None:
                    return
                slot = self.free_slot(cw, lo, hi)
                if slot is None:
                    break
                body = {"starts_at": self.rfc3339(*slot), "channel": self.rng.choice(["in_person", "phone", "video"]),
                        "obligation_id": o["obligation_id"]}
                if kind == "held":
                    body["outcome"] = "held"
                status, _ = self.sched.call("POST", f"/v1/cases/{case_id}/meetings", body, ok=None)
                if status == 201:
                    self.tick("meetings" if kind == "held" else "bookings")
                    break
                if status not in (409, 422):
                    raise RuntimeError(f"booking for {case_id}: {status}")
            if kind == "book":
                break   # only the next meeting is booked ahead

    def caseworker_of(self, case_id):
        _, out = self.intake.call("GET", f"/v1/cases/{case_id}", headers={"X-Purpose": "seed"})
        return out.get("caseworker_id")

    def run(self):
        n_staff = self.staff()
        plan = []
        for group, visitation, count in COUNTS:
            plan += [(group, visitation)] * max(1, round(count * self.scale))
        self.rng.shuffle(plan)
        self.total["cases"] = len(plan)
        sys.stderr.write(f"seed: {n_staff} caseworkers in {len(TEAMS)} teams; {len(plan)} cases\n")
        cases = []
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            for fut in concurrent.futures.as_completed([pool.submit(self.open_case, g, v) for g, v in plan]):
                cases.append(fut.result()[0])
                self.tick("cases")
            self.progress()
            for fut in concurrent.futures.as_completed([pool.submit(self.meetings, c) for c in cases]):
                fut.result()
        self.progress(final=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stack", required=True, help="the stack folder with tokens.txt (.stack)")
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of Ishøj's case counts (default 1)")
    ap.add_argument("--seed", type=int, default=2021, help="random seed (same seed, same municipality)")
    ap.add_argument("--today", help="the day to load as of (default today)")
    ap.add_argument("--port-base", type=int, default=8081, help="intake's port; the others follow (8081)")
    Loader(ap.parse_args()).run()


if __name__ == "__main__":
    main()
