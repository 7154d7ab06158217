"""Benchmark: events/s through outbox -> relay -> Kafka -> consumer -> inbox,
next to the raw limits it is bounded by, all measured in the same run on the
same machine and the same local stack:

  * raw librdkafka produce and consume (bench-kafka-raw, C, the platform's
    producer and consumer settings, same message size);
  * pgbench running the consumer's SQL (one set-based inbox insert per 200
    events, then the handler's projection upsert and event row per event, one
    transaction per batch; 1 client, like the one consumer thread) and the
    relay's SQL (fetch 500 rows with their payloads, mark them published);

then the pipeline itself (1 relay process, 1 consumer process, N events
preloaded into the outbox) and its latency under a steady offered load.
Prints a table and writes bench/out/pipeline.json. Numbers, not pass/fail.
"""
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "lib"))
import jctest  # noqa: E402

N = int(os.environ.get("JC_BENCH_EVENTS", "50000"))
RATE = int(os.environ.get("JC_BENCH_RATE", "1000"))
STEADY_S = int(os.environ.get("JC_BENCH_STEADY_S", "10"))
OUT = os.path.join(jctest.ROOT, "bench", "out")

PRELOAD_SQL = """
INSERT INTO intake.outbox (event_id, event_type, topic, msg_key, payload, headers)
SELECT id::text, 'case.opened.v1', 'jobcenter.case.v1', convert_to(cid::text, 'UTF8'),
       convert_to(json_build_object(
         'specversion', '1.0', 'id', id, 'source', '/jobcenter/intake',
         'type', 'dk.jobcenter.case.opened.v1',
         'time', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
         'subject', cid, 'partitionkey', cid, 'datacontenttype', 'application/json',
         'dataschema', 'urn:jobcenter:schema:case.opened.v1',
         'traceparent', '00-' || md5(id::text) || '-' || left(md5(cid::text), 16) || '-01',
         'data', json_build_object('case_id', cid, 'citizen_ref', gen_random_uuid(),
                                   'target_group', 'a-dagpenge', 'start_date', '2026-03-02',
                                   'opened_at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                                   'origin', 'caseworker'))::text, 'UTF8'),
       jsonb_build_array(jsonb_build_array('content-type', 'application/cloudevents+json; charset=UTF-8'),
                         jsonb_build_array('ce_specversion', '1.0'),
                         jsonb_build_array('ce_id', id::text),
                         jsonb_build_array('ce_type', 'dk.jobcenter.case.opened.v1'),
                         jsonb_build_array('ce_source', '/jobcenter/intake'))
FROM (SELECT gen_random_uuid() AS id, gen_random_uuid() AS cid FROM generate_series(1, %s)) s
"""

# The consumer's SQL for one batch of 200 events: one set-based inbox insert
# (jc_inbox_insert_batch), then scheduling's handler statements per event.
CONSUMER_BATCH_SQL = """\
INSERT INTO scheduling.inbox (consumer, source, event_id, event_type, topic, kafka_partition, kafka_offset, outcome) SELECT 'pgbench', '/jobcenter/intake', gen_random_uuid()::text, 'case.opened.v1', 'jobcenter.case.v1', 0, g, 'applied' FROM generate_series(1, 200) g ON CONFLICT DO NOTHING RETURNING source, event_id;
"""
CONSUMER_EVENT_SQL = """\
INSERT INTO scheduling.case_projection (case_id, citizen_ref, target_group, start_date, opened_at) VALUES (gen_random_uuid(), gen_random_uuid(), 'a-dagpenge', '2026-03-02', now()) ON CONFLICT (case_id) DO UPDATE SET citizen_ref = EXCLUDED.citizen_ref, target_group = EXCLUDED.target_group, start_date = EXCLUDED.start_date, opened_at = EXCLUDED.opened_at, updated_at = now();
INSERT INTO scheduling.case_event (case_id, event_id, event_type) VALUES (gen_random_uuid(), gen_random_uuid()::text, 'case.opened.v1');
"""

RELAY_SQL = """\
SELECT array_agg(id) AS ids, sum(length(payload) + length(msg_key) + length(headers::text)) AS bytes FROM (SELECT id, topic, msg_key, payload, headers FROM intake.outbox WHERE published_at IS NULL AND failed_at IS NULL ORDER BY id LIMIT 500) s \\gset
UPDATE intake.outbox SET published_at = now() WHERE id = ANY(:ids::bigint[]);
"""


def pgbench(stack, script, transactions):
    path = os.path.join(stack.dir, "pgbench.sql")
    with open(path, "w") as f:
        f.write(script)
    out = subprocess.run([os.path.join(stack.env["JC_PG_BINDIR"], "pgbench"), "-n", "-M", "prepared",
                          "-c", "1", "-t", str(transactions), "-f", path, stack.env["JC_PG_SUPERUSER_URL"]],
                         capture_output=True, text=True, check=True)
    m = re.search(r"tps = ([0-9.]+)", out.stdout)
    return float(m.group(1))


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def wait_for(cond, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.1)
    raise SystemExit(f"bench: timed out waiting for {what}")


def main():
    os.makedirs(OUT, exist_ok=True)
    results = {"events": N}
    with jctest.Platform("bench.pipeline") as p:
        p.checks = False
        st = p.stack
        # The services create their schemas (migrations) when they start:
        # the consumer stays up, the relay starts again for the pipeline run.
        consumer = p.service("scheduling", roles="consumer", env={"JC_CONSUMER_BATCH": "200"})
        relay = p.service("intake", roles="relay", env={"JC_RELAY_BATCH": "500"})
        relay.stop()
        # Message size of a real case.opened event from the preload SQL.
        st.sql(PRELOAD_SQL % 1)
        size = st.scalar("SELECT length(payload) FROM intake.outbox")
        st.sql("DELETE FROM intake.outbox")

        print(f"bench: raw librdkafka produce/consume of {N} x {size} B ...", file=sys.stderr)
        raw = json.loads(subprocess.run(
            [os.path.join(jctest.BUILD, "bench", "bench-kafka-raw"), st.bootstrap, "jobcenter.offer.v1",
             str(N), str(size)], capture_output=True, text=True, check=True).stdout)
        results["raw_kafka"] = raw


        print("bench: pgbench on the consumer's SQL ...", file=sys.stderr)
        tps = pgbench(st, "BEGIN;\n" + CONSUMER_BATCH_SQL + CONSUMER_EVENT_SQL * 200 + "COMMIT;\n", 100)
        results["pgbench_consumer_events_per_s"] = tps * 200
        st.sql("TRUNCATE scheduling.inbox, scheduling.case_projection, scheduling.case_event")

        print("bench: pgbench on the relay's SQL ...", file=sys.stderr)
        st.sql(PRELOAD_SQL % 50000)
        tps = pgbench(st, RELAY_SQL, 100)
        results["pgbench_relay_events_per_s"] = tps * 500
        st.sql("TRUNCATE intake.outbox")

        print(f"bench: pipeline, {N} events preloaded ...", file=sys.stderr)
        st.sql(PRELOAD_SQL % N)
        wall0 = time.monotonic()
        relay = p.service("intake", roles="relay", env={"JC_RELAY_BATCH": "500"}, instance=1)
        wait_for(lambda: st.scalar("SELECT count(*) FROM scheduling.case_event") >= N, 600, "the pipeline")
        wall = time.monotonic() - wall0
        span = st.scalar("SELECT EXTRACT(EPOCH FROM (SELECT max(applied_at) FROM scheduling.case_event)"
                         " - (SELECT min(published_at) FROM intake.outbox))")
        results["pipeline_events_per_s"] = N / float(span)
        results["message_bytes"] = int(size)
        results["pipeline_wall_s_incl_start"] = wall
        assert st.scalar("SELECT count(DISTINCT event_id) FROM scheduling.case_event") == N

        print(f"bench: steady load {RATE}/s for {STEADY_S} s ...", file=sys.stderr)
        import psycopg2
        conn = psycopg2.connect(st.env["JC_PG_SUPERUSER_URL"])
        conn.autocommit = True
        cur = conn.cursor()
        t0 = time.monotonic()
        sent = 0
        per_tick = max(1, RATE // 100)
        while time.monotonic() - t0 < STEADY_S:
            due = int((time.monotonic() - t0) * RATE)
            while sent < due:
                cur.execute(PRELOAD_SQL % per_tick)
                sent += per_tick
            time.sleep(0.005)
        total = N + sent
        wait_for(lambda: st.scalar("SELECT count(*) FROM scheduling.case_event") >= total, 120,
                 "the steady load")
        lat = st.sql("""
            SELECT percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY ms), max(ms), count(*)
            FROM (SELECT EXTRACT(EPOCH FROM e.applied_at - o.created_at) * 1000 AS ms
                  FROM scheduling.case_event e JOIN intake.outbox o ON o.event_id = e.event_id
                  WHERE o.id > (SELECT max(id) - %s FROM intake.outbox)) x""", (sent,))[0]
        conn.close()
        results["steady"] = {"offered_per_s": RATE, "seconds": STEADY_S, "events": int(lat[2]),
                             "p50_ms": float(lat[0][0]), "p95_ms": float(lat[0][1]),
                             "p99_ms": float(lat[0][2]), "max_ms": float(lat[1])}
        results["rss_kb"] = {"relay (intake)": rss_kb(relay.proc.pid),
                             "consumer (scheduling)": rss_kb(consumer.proc.pid)}

    limits = {"librdkafka produce": raw["produce_per_s"], "librdkafka consume": raw["consume_per_s"],
              "pgbench consumer SQL": results["pgbench_consumer_events_per_s"],
              "pgbench relay SQL": results["pgbench_relay_events_per_s"]}
    bound = min(limits, key=limits.get)
    results["bound_by"] = bound
    results["ratio_to_bound"] = results["pipeline_events_per_s"] / limits[bound]
    with open(os.path.join(OUT, "pipeline.json"), "w") as f:
        json.dump(results, f, indent=2)

    s = results["steady"]
    print(f"""
outbox -> relay -> Kafka (devbroker) -> consumer -> inbox   ({os.cpu_count()} CPUs)
  pipeline throughput        {results['pipeline_events_per_s']:>10,.0f} events/s   ({N} case.opened events of {size} B, 1 relay, 1 consumer)
  latency at {s['offered_per_s']}/s offered    p50 {s['p50_ms']:.1f} ms   p95 {s['p95_ms']:.1f} ms   p99 {s['p99_ms']:.1f} ms   max {s['max_ms']:.1f} ms  ({s['events']} events, outbox insert -> consumer commit)
raw limits, same run                                          ratio pipeline/limit
  librdkafka produce         {raw['produce_per_s']:>10,.0f} msgs/s    {results['pipeline_events_per_s'] / raw['produce_per_s']:.2f}
  librdkafka consume         {raw['consume_per_s']:>10,.0f} msgs/s    {results['pipeline_events_per_s'] / raw['consume_per_s']:.2f}
  pgbench consumer SQL       {limits['pgbench consumer SQL']:>10,.0f} events/s  {results['pipeline_events_per_s'] / limits['pgbench consumer SQL']:.2f}
  pgbench relay SQL          {limits['pgbench relay SQL']:>10,.0f} events/s  {results['pipeline_events_per_s'] / limits['pgbench relay SQL']:.2f}
  bound by: {bound} -> the pipeline runs at {results['ratio_to_bound']:.0%} of it
memory (peak RSS)            relay {results['rss_kb']['relay (intake)'] / 1024:.1f} MiB, consumer {results['rss_kb']['consumer (scheduling)'] / 1024:.1f} MiB
""")


if __name__ == "__main__":
    main()
