"""End to end, with the whole platform running: a-kasse handovers per second
accepted by intake, and the time from the HTTP 201 to the citizen's
rights-and-duties letter arriving at Digital Post (the loopback postreceiver),
through intake's outbox, Kafka, scheduling/offers/control/notifications'
consumers, notifications' rendering and delivery.

  * throughput: JC_BENCH_HANDOVERS (2000) handovers at concurrency 8, as
    fast as they go; handovers/s accepted, and letters/s from the first 201
    to the last letter delivered;
  * latency at a steady offered load: JC_BENCH_RATE handovers/s (default 20)
    for JC_BENCH_STEADY_S (30) seconds; per handover, the letter's arrival at
    the receiver minus the 201, p50/p95/p99/max;
  * raw limits in the same run: librdkafka produce and consume of as many
    messages of the same size (bench-kafka-raw); intake's own limit against
    pgbench is bench/intake.py, notifications' delivery limit
    bench/notifications.py.
Prints a table and writes bench/out/e2e.json."""
import concurrent.futures
import json
import os
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "lib"))
import jctest  # noqa: E402

N = int(os.environ.get("JC_BENCH_HANDOVERS", "2000"))
RATE = float(os.environ.get("JC_BENCH_RATE", "20"))
STEADY_S = float(os.environ.get("JC_BENCH_STEADY_S", "30"))
OUT = os.path.join(jctest.ROOT, "bench", "out")


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else None


class E2E:
    def __init__(self, p, intake):
        self.p, self.intake = p, intake
        self.lock = threading.Lock()
        self.accepted = {}   # case_id -> wall ms of the 201

    def handover(self):
        r = self.intake.call("POST", "/v1/handovers", scope="akasse:3F", body=self.p.handover(contacts=3))
        if r.status != 201:
            raise AssertionError(r)
        with self.lock:
            self.accepted[r.json["case_id"]] = time.time() * 1000
        return r.json["case_id"]

    def letters(self):
        """case_id -> arrival ms of its rights-and-duties letter at Digital Post."""
        out = {}
        for rec in self.p.stack.post_received():
            body = rec.get("body")
            if isinstance(body, str):
                try:
                    body = json.loads(body)
                except ValueError:
                    continue
            if isinstance(body, dict) and str(body.get("template", "")).startswith("rights_and_duties"):
                out[body["case_id"]] = rec["at_ms"]
        return out

    def wait_letters(self, cases, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.letters()
            if all(c in got for c in cases):
                return got
            time.sleep(1)
        return self.letters()


def main():
    os.makedirs(OUT, exist_ok=True)
    res = {"handovers": N, "rate": RATE, "steady_s": STEADY_S}
    with jctest.Platform("bench.e2e") as p:
        p.checks = False
        env = {"JC_LOG_LEVEL": "warn", "JC_DB_POOL_SIZE": "16"}
        intake = p.service("intake", env=dict(env, JC_HTTP_MAX_CONNECTIONS_PER_IP="256"))
        for n in ("scheduling", "offers", "control", "notifications"):
            p.service(n, env=env)
        p.stack.post_fault("bodies on")
        intake.call("PUT", "/v1/teams/job", body={"name": "Job"}, scope="admin")
        for i in range(10):
            intake.call("PUT", f"/v1/caseworkers/cw-{i}", scope="admin",
                        body={"name": f"cw {i}", "team_id": "job", "target_groups": ["a-dagpenge"]})
        e = E2E(p, intake)

        # 1. throughput
        t0 = time.time()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            cases = list(pool.map(lambda _: e.handover(), range(N)))
        t1 = time.time()
        letters = e.wait_letters(cases, 600)
        last = max(letters[c] for c in cases if c in letters) if letters else None
        res["accepted_per_s"] = round(N / (t1 - t0), 1)
        res["letters_delivered"] = sum(1 for c in cases if c in letters)
        res["letters_per_s"] = round(res["letters_delivered"] / ((last - t0 * 1000) / 1000), 1) if last else None

        # 2. latency at a steady offered load
        e.accepted.clear()
        steady = []
        t0 = time.time()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            futs, i = [], 0
            while time.time() - t0 < STEADY_S:
                due = t0 + i / RATE
                if due > time.time():
                    time.sleep(due - time.time())
                futs.append(pool.submit(e.handover))
                i += 1
            steady = [f.result() for f in futs]
        letters = e.wait_letters(steady, 300)
        lat = [letters[c] - e.accepted[c] for c in steady if c in letters]
        res.update({"steady_handovers": len(steady), "steady_letters": len(lat),
                    "latency_ms": {"p50": round(pct(lat, 0.5), 1), "p95": round(pct(lat, 0.95), 1),
                                   "p99": round(pct(lat, 0.99), 1), "max": round(max(lat), 1),
                                   "mean": round(statistics.mean(lat), 1)} if lat else None})

        # 3. raw limits, same run
        raw = json.loads(subprocess.run(
            [os.path.join(jctest.BUILD, "bench", "bench-kafka-raw"), p.stack.bootstrap, "udk.campaign.v1",
             str(min(4 * N, 60000)), "1100"], capture_output=True, text=True, check=True).stdout)
        res["raw_kafka_consume_per_s"] = raw["consume_per_s"]
        res["raw_kafka_produce_per_s"] = raw.get("produce_per_s")
    print(f"e2e, whole platform (5 services), 2 CPUs")
    print(f"  handovers accepted (HTTP 201)      {res['accepted_per_s']:>10,.1f} /s   at concurrency 8")
    print(f"  rights-and-duties letters          {res['letters_per_s'] or 0:>10,.1f} /s   "
          f"({res['letters_delivered']} of {N} delivered)")
    if res["latency_ms"]:
        lm = res["latency_ms"]
        print(f"  201 -> letter at Digital Post      p50 {lm['p50']} ms  p95 {lm['p95']} ms  p99 {lm['p99']} ms"
              f"  max {lm['max']} ms   at {RATE:g}/s for {STEADY_S:g} s")
    print(f"  raw librdkafka consume, same run   {res['raw_kafka_consume_per_s']:>10,.0f} msgs/s")
    print(f"  raw librdkafka produce, same run   {res['raw_kafka_produce_per_s'] or 0:>10,.0f} msgs/s")
    with open(os.path.join(OUT, "e2e.json"), "w") as f:
        json.dump(res, f, indent=2)
    return res


if __name__ == "__main__":
    main()
