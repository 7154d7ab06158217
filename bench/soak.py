"""Soak: every service under a steady load for a configurable time, sampled
as it runs. Load: a-kasse handovers at JC_SOAK_RATE per second (default 10),
and for each new case its next meeting booked through scheduling, plus the
case read back. Every JC_SOAK_SAMPLE_S (10) it records per service the RSS,
the open sockets, the outbox rows not yet published (and the oldest one's
age) and the consumer group's lag on every topic it reads. At the end it
prints start, end and the trend (least-squares slope over the second half)
and writes bench/out/soak.json: memory should be flat and lags should not
grow.

  JC_SOAK_SECONDS=1800 python3 bench/soak.py      # 30 minutes by hand
  JC_SOAK_SECONDS=20 JC_SOAK_RATE=5 ...           # the short run of the test suite
  JC_SOAK_SERVICES=intake,scheduling              # a subset (default: every built service)
"""
import concurrent.futures
import datetime
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "lib"))
import jctest  # noqa: E402

SECONDS = float(os.environ.get("JC_SOAK_SECONDS", "60"))
RATE = float(os.environ.get("JC_SOAK_RATE", "10"))
SAMPLE_S = float(os.environ.get("JC_SOAK_SAMPLE_S", "10"))
OUT = os.path.join(jctest.ROOT, "bench", "out")
# what each service consumes (its consumer group is its name)
CONSUMES = {"scheduling": ["jobcenter.case.v1", "jobcenter.offer.v1"],
            "offers": ["jobcenter.case.v1", "jobcenter.meeting.v1"],
            "control": ["jobcenter.case.v1", "jobcenter.citizen.v1", "jobcenter.meeting.v1", "jobcenter.offer.v1"],
            "notifications": ["jobcenter.case.v1", "jobcenter.citizen.v1", "jobcenter.meeting.v1",
                              "jobcenter.offer.v1", "jobcenter.control.v1"]}


def proc_stat(pid):
    rss, sockets = 0, 0
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) // 1024
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                    sockets += 1
            except OSError:
                pass
    except OSError:
        return None
    return rss, sockets


def slope(points):
    """Least-squares slope of (t, v) points, per minute."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mt = sum(t for t, _ in points) / n
    mv = sum(v for _, v in points) / n
    den = sum((t - mt) ** 2 for t, _ in points)
    return 60 * sum((t - mt) * (v - mv) for t, v in points) / den if den else 0.0


class Soak:
    def __init__(self, p, services):
        self.p, self.svcs = p, services
        self.stop = threading.Event()
        self.samples = []
        self.sent = self.errors = self.booked = self.no_slot = self.behind = 0
        self.lock = threading.Lock()
        self.latencies = []

    def one(self, i):
        intake, sched = self.svcs["intake"], self.svcs.get("scheduling")
        t0 = time.monotonic()
        r = intake.call("POST", "/v1/handovers", scope="akasse:3F", body=self.p.handover(contacts=3))
        with self.lock:
            self.latencies.append(time.monotonic() - t0)
            self.sent += 1
            if r.status != 201:
                self.errors += 1
                return
        case = r.json["case_id"]
        intake.call("GET", f"/v1/cases/{case}", scope="caseworker")
        if not sched:
            return
        for _ in range(50):     # scheduling learns the case from the topic (404 until then)
            s = sched.call("GET", f"/v1/cases/{case}/slots", scope="caseworker")
            if s.status == 200 and not s.json["slots"]:
                with self.lock:  # the caseworkers' calendars are full: nothing to book
                    self.no_slot += 1
                return
            if s.status == 200:
                b = sched.call("POST", f"/v1/cases/{case}/meetings", scope="caseworker",
                               body={"starts_at": s.json["slots"][i % len(s.json["slots"])], "channel": "phone"})
                with self.lock:
                    if b.status == 201:
                        self.booked += 1
                    elif b.status != 409:
                        self.errors += 1
                return
            time.sleep(0.2)

    def load(self):
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            i, start = 0, time.monotonic()
            inflight = threading.BoundedSemaphore(64)
            while not self.stop.is_set():
                due = start + i / RATE
                delay = due - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                i += 1
                # The offered load is fixed; when 64 are already in flight the
                # platform is behind: count it rather than queue without end.
                if not inflight.acquire(blocking=False):
                    with self.lock:
                        self.behind += 1
                    continue
                pool.submit(self.one_released, i - 1, inflight)

    def one_released(self, i, inflight):
        try:
            self.one(i)
        finally:
            inflight.release()

    def sample(self, t):
        st = self.p.stack
        row = {"t": round(t, 1), "services": {}}
        for name, svc in self.svcs.items():
            stat = proc_stat(svc.proc.pid)
            pending, oldest = st.sql(f"SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)"
                                     f" FROM {name}.outbox WHERE published_at IS NULL")[0]
            lag = sum(st.group_lag(name, topic) or 0 for topic in CONSUMES.get(name, []))
            row["services"][name] = {"alive": svc.proc.poll() is None, "rss_mib": stat and stat[0],
                                     "sockets": stat and stat[1], "outbox_pending": pending,
                                     "outbox_oldest_s": round(float(oldest), 1), "consumer_lag": lag}
        self.samples.append(row)

    def run(self):
        loader = threading.Thread(target=self.load)
        t0 = time.monotonic()
        self.sample(0)
        loader.start()
        while time.monotonic() - t0 < SECONDS:
            time.sleep(min(SAMPLE_S, max(0.1, SECONDS - (time.monotonic() - t0))))
            self.sample(time.monotonic() - t0)
        self.stop.set()
        loader.join()
        # drained: everything published and consumed shortly after the load stops
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self.sample(time.monotonic() - t0)
            last = self.samples[-1]["services"]
            if all(s["outbox_pending"] == 0 and s["consumer_lag"] == 0 for s in last.values()):
                break
            time.sleep(1)


def main(checks=False):
    """checks: the harness's end-of-test checks (schemas, personal data, clean
    exits); the test suite's short run turns them on, the benchmark does not."""
    os.makedirs(OUT, exist_ok=True)
    wanted = os.environ.get("JC_SOAK_SERVICES", "intake,scheduling,offers,control,notifications").split(",")
    names = [n for n in wanted if os.path.exists(os.path.join(jctest.BUILD, "services", n, f"jc-{n}"))]
    with jctest.Platform("bench.soak") as p:
        p.checks = checks
        env = {"JC_LOG_LEVEL": "warn"}
        svcs = {n: p.service(n, env=env) for n in names}
        svcs["intake"].call("PUT", "/v1/teams/job", body={"name": "Job"}, scope="admin")
        for i in range(8):
            svcs["intake"].call("PUT", f"/v1/caseworkers/cw-{i}", scope="admin",
                                body={"name": f"cw {i}", "team_id": "job", "target_groups": ["a-dagpenge"]})
        soak = Soak(p, svcs)
        soak.run()
        first, last = soak.samples[0]["services"], soak.samples[-1]["services"]
        half = [s for s in soak.samples if s["t"] >= SECONDS / 2 and s["t"] <= SECONDS]
        lat = sorted(soak.latencies)
        report = {"when": datetime.datetime.now().isoformat(timespec="seconds"), "seconds": SECONDS, "rate": RATE,
                  "handovers": soak.sent, "errors": soak.errors, "booked": soak.booked,
                  "no_free_slot": soak.no_slot, "not_offered_behind": soak.behind,
                  "handover_p50_ms": round(1000 * lat[len(lat) // 2], 1) if lat else None,
                  "handover_p99_ms": round(1000 * lat[int(len(lat) * 0.99)], 1) if lat else None,
                  "services": {}, "samples": soak.samples}
        print(f"soak: {SECONDS:.0f} s at {RATE:g} handovers/s (+ a booking each): {soak.sent} sent, "
              f"{soak.errors} errors, {soak.booked} meetings booked ({soak.no_slot} found the calendars full), "
              f"{soak.behind} not sent because 64 were in flight; "
              f"handover p50 {report['handover_p50_ms']} ms p99 {report['handover_p99_ms']} ms")
        print(f"{'service':14} {'RSS start':>10} {'RSS end':>8} {'RSS/min':>8} {'sockets':>8} "
              f"{'max outbox':>10} {'max lag':>8} {'lag/min':>8} {'end lag':>8} alive")
        for n in names:
            rss = [(s["t"], s["services"][n]["rss_mib"] or 0) for s in half]
            lag = [(s["t"], s["services"][n]["consumer_lag"] + s["services"][n]["outbox_pending"]) for s in half]
            r = {"rss_start_mib": first[n]["rss_mib"], "rss_end_mib": last[n]["rss_mib"],
                 "rss_slope_mib_per_min": round(slope(rss), 2),
                 "sockets_end": last[n]["sockets"],
                 "max_outbox_pending": max(s["services"][n]["outbox_pending"] for s in soak.samples),
                 "max_consumer_lag": max(s["services"][n]["consumer_lag"] for s in soak.samples),
                 "lag_slope_per_min": round(slope(lag), 1),
                 "end_outbox_pending": last[n]["outbox_pending"], "end_consumer_lag": last[n]["consumer_lag"],
                 "alive": last[n]["alive"]}
            report["services"][n] = r
            print(f"{n:14} {r['rss_start_mib']:>8} M {r['rss_end_mib']:>6} M {r['rss_slope_mib_per_min']:>8} "
                  f"{r['sockets_end']:>8} {r['max_outbox_pending']:>10} {r['max_consumer_lag']:>8} "
                  f"{r['lag_slope_per_min']:>8} {r['end_outbox_pending'] + r['end_consumer_lag']:>8} "
                  f"{'yes' if r['alive'] else 'NO'}")
        with open(os.path.join(OUT, "soak.json"), "w") as f:
            json.dump(report, f, indent=1)
    return report


if __name__ == "__main__":
    main()
