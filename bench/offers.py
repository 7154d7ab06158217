"""Benchmark: 100,000 open cases through offers.

  * consume: case.opened.v1 events for 100,000 cases (start dates spread over
    the past year, the target groups with offer deadlines weighted up, 80
    caseworkers) produced to jobcenter.case.v1 in chunks while offers
    consumes them (projection + offer obligations from the rulebook);
    events/s from the first event applied to the last (database timestamps),
    next to raw librdkafka consume of the same number of messages of the same
    size in the same run;
  * population: three in four cases get a started active offer and one in
    ten a planned one (bench fixture rows written with SQL: this benchmark
    measures the reads, not assignment), then one deadline sweep on request
    (POST /v1/admin/sweep) marks what is due soon or missed;
  * query: the weekly review list of one caseworker (first page of 100, and a
    page of 1,000) and the active-offer measure for a-dagpenge with its
    projection and first page of cases, p50/p99 ms over repeated requests;
  * memory: offers' peak RSS.
Prints a table and writes bench/out/offers.json."""
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
CASEWORKERS = 80
OUT = os.path.join(jctest.ROOT, "bench", "out")
# Weighted towards the groups with offer deadlines (a-dagpenge: six-month rule;
# ung-under-18: 30 working days; kontanthjaelp-jobparat: immediate activation).
GROUPS = [("a-dagpenge", 45), ("kontanthjaelp-jobparat", 15), ("kontanthjaelp-aktivitetsparat", 10),
          ("ung-under-18", 5), ("uddannelseshjaelp-uddannelsesparat", 5), ("sygedagpenge-ledig", 10),
          ("sygedagpenge-beskaeftiget", 5), ("ledighedsydelse", 5)]

# Bench fixture: started active offers for ~75% of the cases (within their
# first six months) and planned ones starting in the next 8 weeks for ~10%,
# written to offers' own tables as POST /v1/cases/{id}/enrolments and
# /v1/enrolments/{id}/start would leave them: the enrolments, the obligations
# they fulfil, the case's first active offer started / planned.
POPULATE = """
INSERT INTO offers.enrolment (enrolment_id, offer_id, case_id, citizen_ref, offer_type, counts_active,
    work_duty_hours, status, planned_start, planned_end, hours_per_week, started_on, period, assigned_by)
SELECT gen_random_uuid(), %(offer)s::uuid, c.case_id, c.citizen_ref, 'virksomhedspraktik', true, true,
       s.status, s.ps, s.ps + 55, 30, CASE WHEN s.status = 'started' THEN s.ps END,
       daterange(s.ps, s.ps + 55, '[]'), 'bench'
FROM offers.case_projection c
CROSS JOIN LATERAL (SELECT abs(hashtext(c.case_id::text)) %% 100 AS h) x
CROSS JOIN LATERAL (SELECT CASE WHEN x.h < 75 THEN 'started' ELSE 'assigned' END AS status,
       CASE WHEN x.h < 75 THEN LEAST(c.start_date + 30 + x.h * 2, %(today)s::date)
            ELSE %(today)s::date + (x.h - 75) * 6 END AS ps) s
WHERE x.h < 85;
UPDATE offers.obligation o SET status = 'fulfilled', fulfilled_by = e.enrolment_id, fulfilled_on = e.started_on
FROM offers.enrolment e
WHERE e.case_id = o.case_id AND e.status = 'started' AND o.status = 'open' AND e.offer_type = ANY (o.satisfied_by);
UPDATE offers.case_projection c
   SET first_active_started = x.s, first_active_planned = x.p, open_enrolments = x.n
  FROM (SELECT case_id, min(started_on) FILTER (WHERE counts_active) AS s,
               min(planned_start) FILTER (WHERE counts_active AND status = 'assigned') AS p,
               count(*) FILTER (WHERE status IN ('assigned', 'started')) AS n
          FROM offers.enrolment GROUP BY case_id) x
 WHERE x.case_id = c.case_id;
"""


def event(rng, today, names, weights):
    case_id, ref = str(uuid.uuid4()), str(uuid.uuid4())
    start = today - datetime.timedelta(days=rng.randint(0, 365))
    data = {"case_id": case_id, "citizen_ref": ref, "target_group": rng.choices(names, weights)[0],
            "start_date": start.isoformat(), "opened_at": "2026-01-01T08:00:00.000Z", "origin": "caseworker",
            "caseworker_id": f"cw-{rng.randint(1, CASEWORKERS)}", "team_id": "team-a"}
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
    return {"p50_ms": statistics.median(ms), "p99_ms": ms[max(0, int(len(ms) * 0.99) - 1)], "n": n}


def produce_cases(st, rng, today):
    from confluent_kafka import Producer
    names, weights = [g for g, _ in GROUPS], [w for _, w in GROUPS]
    prod = Producer({"bootstrap.servers": st.bootstrap, "linger.ms": 20, "enable.idempotence": True})
    size = 0
    print(f"bench: producing {N} case.opened events in chunks of {CHUNK} ...", file=sys.stderr)
    for start in range(0, N, CHUNK):
        for _ in range(min(CHUNK, N - start)):
            key, value = event(rng, today, names, weights)
            size = len(value)
            while True:
                try:
                    prod.produce("jobcenter.case.v1", value, key=key.encode())
                    break
                except BufferError:
                    prod.poll(0.1)
        prod.flush(120)
        # keep well under devbroker's ~5 MiB per partition: let the consumer catch up
        jctest.wait_until(lambda: st.group_lag("offers", "jobcenter.case.v1") < CHUNK // 2,
                          600, "the consumer to catch up", interval=0.5)
    del prod  # before the broker goes away
    return size


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(11)
    today = datetime.date.today()
    res = {"cases": N, "today": today.isoformat()}
    with jctest.Platform("bench.offers") as p:
        p.checks = False
        st = p.stack
        offers = p.service("offers", env={"JC_LOG_LEVEL": "warn", "JC_SWEEP_INTERVAL_S": "0",
                                          "JC_CONSUMER_BATCH": "500", "JC_TODAY": today.isoformat()})
        size = produce_cases(st, rng, today)
        jctest.wait_until(lambda: st.scalar("SELECT count(*) FROM offers.case_event") >= N, 900,
                          "every case consumed", interval=1)
        span = float(st.scalar("SELECT EXTRACT(EPOCH FROM max(applied_at) - min(applied_at))"
                               " FROM offers.case_event"))
        res["consume_events_per_s"] = N / span
        res["obligations"] = st.scalar("SELECT count(*) FROM offers.obligation")
        res["event_bytes"] = size
        raw = json.loads(subprocess.run(
            [os.path.join(jctest.BUILD, "bench", "bench-kafka-raw"), st.bootstrap, "jobcenter.offer.v1",
             str(min(N, 60000)), str(size)], capture_output=True, text=True, check=True).stdout)
        res["raw_consume_per_s"] = raw["consume_per_s"]
        res["ratio"] = res["consume_events_per_s"] / raw["consume_per_s"]

        print("bench: population and sweep ...", file=sys.stderr)
        r = offers.call("POST", "/v1/providers", scope="admin",
                        body={"kind": "employer", "name": "Bench ApS", "sector": "private"})
        r = offers.call("POST", "/v1/offers", scope="admin", body={
            "offer_type": "virksomhedspraktik", "provider_id": r.json["provider_id"], "title": "bench",
            "capacity": 10000, "hours_per_week": 30, "available_from": "2020-01-01"})
        st.sql(POPULATE, {"offer": r.json["offer_id"], "today": today.isoformat()})
        st.sql("ANALYZE")
        res["enrolments"] = st.scalar("SELECT count(*) FROM offers.enrolment")
        t0 = time.perf_counter()
        r = offers.call("POST", f"/v1/admin/sweep?today={today}", scope="admin", timeout=600)
        res["sweep_s"] = time.perf_counter() - t0
        assert r.status == 200, r
        res["sweep"] = {"due_soon": r.json["due_soon"], "missed": r.json["missed"]}
        st.sql("ANALYZE")

        print("bench: queries ...", file=sys.stderr)
        page = offers.call("GET", "/v1/caseworkers/cw-1/review-list?limit=1000", scope="caseworker").json
        res["review_remaining_cw1"] = page["remaining"]
        res["review_list"] = timed(lambda: offers.call(
            "GET", f"/v1/caseworkers/cw-{rng.randint(1, CASEWORKERS)}/review-list", scope="caseworker"), 200)
        res["review_list_1000"] = timed(lambda: offers.call(
            "GET", f"/v1/caseworkers/cw-{rng.randint(1, CASEWORKERS)}/review-list?limit=1000",
            scope="caseworker"), 50)
        m = offers.call("GET", f"/v1/measures/active-offer?target_group=a-dagpenge&as_of={today}",
                        scope="caseworker").json
        res["measure_figure"] = {k: m[k] for k in ("cohort", "without_active_offer", "share", "breach")}
        res["measure"] = timed(lambda: offers.call(
            "GET", f"/v1/measures/active-offer?target_group=a-dagpenge&as_of={today}", scope="caseworker"), 100)
        res["rss_kb"] = int(open(f"/proc/{offers.proc.pid}/status").read().split("VmHWM:")[1].split()[0])
    with open(os.path.join(OUT, "offers.json"), "w") as f:
        json.dump(res, f, indent=2)
    mf = res["measure_figure"]
    print(f"""
offers, {N} open cases ({res['obligations']} obligations, {res['enrolments']} enrolments), {os.cpu_count()} CPUs
  consume the case topic (projection + obligations)  {res['consume_events_per_s']:>9,.0f} events/s   (events of {res['event_bytes']} B)
  raw librdkafka consume, same run                   {res['raw_consume_per_s']:>9,.0f} msgs/s     ratio {res['ratio']:.3f}
  deadline sweep on request                          {res['sweep_s']:.1f} s   ({res['sweep']['due_soon']} due soon, {res['sweep']['missed']} missed)
  weekly review list, one caseworker (100)           p50 {res['review_list']['p50_ms']:.1f} ms   p99 {res['review_list']['p99_ms']:.1f} ms   (cw-1 has {res['review_remaining_cw1']})
  weekly review list, one caseworker (1000)          p50 {res['review_list_1000']['p50_ms']:.1f} ms   p99 {res['review_list_1000']['p99_ms']:.1f} ms
  active-offer measure, a-dagpenge, + projection     p50 {res['measure']['p50_ms']:.1f} ms   p99 {res['measure']['p99_ms']:.1f} ms   (cohort {mf['cohort']}, without {mf['without_active_offer']}, share {mf['share']:.3f}, breach {mf['breach']})
  offers peak RSS                                    {res['rss_kb'] / 1024:.1f} MiB
""")


if __name__ == "__main__":
    main()
