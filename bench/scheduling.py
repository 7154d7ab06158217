"""Benchmark: 100,000 open cases through scheduling.

  * derive: case.opened.v1 events for 100,000 cases (start dates spread over
    the past year, every target group) produced to jobcenter.case.v1 in
    chunks while scheduling consumes them; events/s from the first event
    applied to the last (database timestamps), next to raw librdkafka consume
    of the same number of messages of the same size in the same run;
  * query: the overdue list, the due-soon list for one caseworker, and the
    timeliness measure, p50/p99 ms over repeated requests.
Prints a table and writes bench/out/scheduling.json."""
import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "lib"))
import jctest  # noqa: E402

N = int(os.environ.get("JC_BENCH_CASES", "100000"))
CHUNK = 20000
OUT = os.path.join(jctest.ROOT, "bench", "out")
GROUPS = ["a-dagpenge", "kontanthjaelp-jobparat", "kontanthjaelp-aktivitetsparat",
          "uddannelseshjaelp-uddannelsesparat", "uddannelseshjaelp-aktivitetsparat",
          "sygedagpenge-beskaeftiget", "sygedagpenge-ledig", "ung-under-18", "ledighedsydelse"]


def event(rng, today):
    case_id, ref = str(uuid.uuid4()), str(uuid.uuid4())
    start = today - datetime.timedelta(days=rng.randint(0, 365))
    data = {"case_id": case_id, "citizen_ref": ref, "target_group": rng.choice(GROUPS),
            "start_date": start.isoformat(), "opened_at": "2026-01-01T08:00:00.000Z", "origin": "caseworker",
            "caseworker_id": f"cw-{rng.randint(1, 80)}", "team_id": "team-a"}
    if data["target_group"].startswith("sygedagpenge"):
        data["visitation"] = "sygedagpenge-kategori-2"
    ev = {"specversion": "1.0", "id": str(uuid.uuid4()), "source": "/jobcenter/intake",
          "type": "dk.jobcenter.case.opened.v1", "time": "2026-01-01T08:00:00.000Z", "subject": case_id,
          "partitionkey": case_id, "datacontenttype": "application/json",
          "dataschema": "urn:jobcenter:schema:case.opened.v1", "data": data}
    return case_id, json.dumps(ev, separators=(",", ":")).encode()


def timed(call, n):
    ms = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = call()
        ms.append((time.perf_counter() - t0) * 1000)
        assert r.status == 200, r
    ms.sort()
    return {"p50_ms": statistics.median(ms), "p99_ms": ms[int(len(ms) * 0.99) - 1], "n": n}


def main():
    from confluent_kafka import Producer
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(7)
    today = datetime.date.today()
    res = {"cases": N}
    with jctest.Platform("bench.scheduling") as p:
        p.checks = False
        st = p.stack
        sched = p.service("scheduling", env={"JC_LOG_LEVEL": "warn", "JC_SWEEP_INTERVAL_S": "0",
                                             "JC_CONSUMER_BATCH": "500"})
        prod = Producer({"bootstrap.servers": st.bootstrap, "linger.ms": 20, "enable.idempotence": True})
        size = 0
        print(f"bench: producing {N} case.opened events in chunks of {CHUNK} ...", file=sys.stderr)
        for start in range(0, N, CHUNK):
            for _ in range(min(CHUNK, N - start)):
                key, value = event(rng, today)
                size = len(value)
                while True:
                    try:
                        prod.produce("jobcenter.case.v1", value, key=key.encode())
                        break
                    except BufferError:
                        prod.poll(0.1)
            prod.flush(120)
            # keep well under devbroker's ~5 MiB per partition: let the consumer catch up
            jctest.wait_until(lambda: st.group_lag("scheduling", "jobcenter.case.v1") < CHUNK // 2,
                              600, "the consumer to catch up", interval=0.5)
        del prod   # before the broker goes away
        jctest.wait_until(lambda: st.scalar("SELECT count(*) FROM scheduling.case_event") >= N, 900,
                          "every case derived", interval=1)
        span = float(st.scalar("SELECT EXTRACT(EPOCH FROM max(applied_at) - min(applied_at))"
                               " FROM scheduling.case_event"))
        res["derive_events_per_s"] = N / span
        res["obligations"] = st.scalar("SELECT count(*) FROM scheduling.obligation")
        res["event_bytes"] = size
        raw = json.loads(subprocess.run(
            [os.path.join(jctest.BUILD, "bench", "bench-kafka-raw"), st.bootstrap, "jobcenter.offer.v1",
             str(min(N, 60000)), str(size)], capture_output=True, text=True, check=True).stdout)
        res["raw_consume_per_s"] = raw["consume_per_s"]
        res["ratio"] = res["derive_events_per_s"] / raw["consume_per_s"]
        st.sql("ANALYZE")
        print("bench: queries ...", file=sys.stderr)
        res["overdue_list"] = timed(lambda: sched.call("GET", "/v1/obligations?list=overdue&limit=50",
                                                       scope="caseworker"), 200)
        res["due_soon_caseworker"] = timed(lambda: sched.call(
            "GET", f"/v1/obligations?list=due_soon&within_days=14&caseworker_id=cw-{rng.randint(1, 80)}",
            scope="caseworker"), 200)
        res["measure"] = timed(lambda: sched.call(
            "GET", f"/v1/measures/timeliness?target_group=sygedagpenge-beskaeftiget&as_of={today}",
            scope="caseworker"), 50)
        m = sched.call("GET", f"/v1/measures/timeliness?target_group=sygedagpenge-beskaeftiget&as_of={today}"
                              "&window=all", scope="caseworker").json
        res["measure_population_all"] = m["population"]
        res["measure_all"] = timed(lambda: sched.call(
            "GET", f"/v1/measures/timeliness?target_group=sygedagpenge-beskaeftiget&as_of={today}&window=all",
            scope="caseworker"), 20)
        res["rss_kb"] = int(open(f"/proc/{sched.proc.pid}/status").read().split("VmHWM:")[1].split()[0])
    with open(os.path.join(OUT, "scheduling.json"), "w") as f:
        json.dump(res, f, indent=2)
    print(f"""
scheduling, {N} open cases ({res['obligations']} obligations), {os.cpu_count()} CPUs
  derive obligations from the case topic   {res['derive_events_per_s']:>9,.0f} events/s   (events of {res['event_bytes']} B)
  raw librdkafka consume, same run         {res['raw_consume_per_s']:>9,.0f} msgs/s     ratio {res['ratio']:.3f}
  overdue list (50)                        p50 {res['overdue_list']['p50_ms']:.1f} ms   p99 {res['overdue_list']['p99_ms']:.1f} ms
  due soon, one caseworker                 p50 {res['due_soon_caseworker']['p50_ms']:.1f} ms   p99 {res['due_soon_caseworker']['p99_ms']:.1f} ms
  timeliness measure (month cohort)        p50 {res['measure']['p50_ms']:.1f} ms   p99 {res['measure']['p99_ms']:.1f} ms
  timeliness measure (all, {res['measure_population_all']} cases)     p50 {res['measure_all']['p50_ms']:.1f} ms   p99 {res['measure_all']['p99_ms']:.1f} ms
  scheduling peak RSS                      {res['rss_kb'] / 1024:.1f} MiB
""")


if __name__ == "__main__":
    main()
