"""Benchmark: letters rendered and delivered by notifications to the loopback
receiver (postreceiver), next to the raw Kafka consume rate in the same run.

  * throughput: JC_BENCH_LETTERS (default 5000) case.opened.v1 events for
    citizens already known (Digital Post) produced at once; messages/s from
    the first message created to the last delivered (database timestamps),
    and how fast the consumer turned events into messages;
  * latency under a steady offered load (JC_BENCH_RATE letters/s, default
    half the measured throughput, for JC_BENCH_STEADY_S seconds): per
    message, the receiver's arrival time minus the event's time, p50/p95/p99;
  * raw librdkafka consume of as many messages of the same size
    (bench-kafka-raw) on an idle topic.
Prints a table and writes bench/out/notifications.json."""
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "notifications"))
import jctest  # noqa: E402
import notiftest  # noqa: E402

N = int(os.environ.get("JC_BENCH_LETTERS", "5000"))
STEADY_S = float(os.environ.get("JC_BENCH_STEADY_S", "10"))
CITIZENS = 500
WORKERS = os.environ.get("JC_NOTIFY_DELIVERY_WORKERS", "4")
OUT = os.path.join(jctest.ROOT, "bench", "out")


def case_opened(ref):
    case_id = str(uuid.uuid4())
    data = {"case_id": case_id, "citizen_ref": ref, "target_group": "kontanthjaelp-jobparat",
            "start_date": "2026-03-02", "opened_at": "2026-03-02T09:15:00.000Z", "origin": "caseworker",
            "caseworker_id": "cw-1", "team_id": "team-a"}
    return case_id, notiftest.event("case.opened.v1", data, subject=case_id)


def produce(prod, items):
    for topic, key, value in items:
        while True:
            try:
                prod.produce(topic, value, key=key.encode())
                break
            except BufferError:
                prod.poll(0.1)
        prod.poll(0)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def main():
    from confluent_kafka import Producer
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(11)
    res = {"letters": N, "delivery_workers": int(WORKERS)}
    with jctest.Platform("bench.notifications") as p:
        p.checks = False
        st = p.stack
        st.post_fault("bodies off")  # keep the receiver's memory flat; it still deduplicates
        svc = p.service("notifications", env={"JC_LOG_LEVEL": "warn", "JC_SWEEP_INTERVAL_S": "0",
                                              "JC_NOTIFY_DELIVERY_WORKERS": WORKERS, "JC_CONSUMER_BATCH": "500"})
        prod = Producer({"bootstrap.servers": st.bootstrap, "linger.ms": 5, "enable.idempotence": True})
        refs = [str(uuid.uuid4()) for _ in range(CITIZENS)]
        for ref in refs:
            data = {"citizen_ref": ref, "cpr": jctest.synthetic_cpr(rng), "name": jctest.synthetic_name(rng),
                    "contact": {"digital_post": True}}
            produce(prod, [("jobcenter.citizen.v1", ref, notiftest.event("citizen.upserted.v1", data))])
        prod.flush(60)
        jctest.wait_until(lambda: st.scalar("SELECT count(*) FROM notifications.citizen") == CITIZENS, 120,
                          "the citizens")

        # 1. throughput: everything at once
        print(f"bench: {N} letters at once ...", file=sys.stderr)
        items, size = [], 0
        for _ in range(N):
            case_id, value = case_opened(rng.choice(refs))
            size = len(value)
            items.append(("jobcenter.case.v1", case_id, value))
        produce(prod, items)
        prod.flush(120)
        jctest.wait_until(lambda: st.scalar("SELECT count(*) FROM notifications.message WHERE status = 'sent'") >= N,
                          900, "every letter delivered", interval=0.5)
        row = st.sql("SELECT EXTRACT(EPOCH FROM max(sent_at) - min(created_at)),"
                     " EXTRACT(EPOCH FROM max(created_at) - min(created_at)), count(*),"
                     " count(*) FILTER (WHERE attempts > 1) FROM notifications.message")[0]
        res["throughput_delivered_per_s"] = N / float(row[0])
        res["consumed_to_messages_per_s"] = N / max(float(row[1]), 1e-3)
        res["messages"] = row[2]
        res["retried"] = row[3]
        recs = st.post_requests(channel="digital_post")
        res["receiver_requests"] = len(recs)
        res["receiver_distinct"] = len({r["key"] for r in recs})
        res["event_bytes"] = size

        # 2. latency at a steady offered load
        rate = float(os.environ.get("JC_BENCH_RATE", "0")) or max(50.0, res["throughput_delivered_per_s"] / 2)
        count = int(rate * STEADY_S)
        print(f"bench: {count} letters at {rate:.0f}/s ...", file=sys.stderr)
        st.post_fault("reset")
        start = time.monotonic()
        sent_ids = []
        for i in range(count):
            due = start + i / rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            case_id, value = case_opened(rng.choice(refs))
            sent_ids.append(case_id)
            produce(prod, [("jobcenter.case.v1", case_id, value)])
        prod.flush(60)
        jctest.wait_until(lambda: st.scalar("SELECT count(*) FROM notifications.message WHERE status = 'sent'")
                          >= N + count, 300, "the steady letters", interval=0.5)
        # event time (producer) -> arrival at the receiver, one wall clock
        lat = st.sql("SELECT message_id::text, EXTRACT(EPOCH FROM event_time) * 1000,"
                     " EXTRACT(EPOCH FROM sent_at - event_time) * 1000"
                     " FROM notifications.message WHERE case_id = ANY(%s::uuid[])", (sent_ids,))
        arrived = {r["key"]: r["at_ms"] for r in st.post_received(channel="digital_post")}
        to_receiver = [arrived[m] - float(t0) for m, t0, _ in lat if m in arrived]
        to_marked = [float(x) for _, _, x in lat]
        res["steady_rate_per_s"] = rate
        res["steady_letters"] = count
        res["latency_event_to_receiver_ms"] = {"p50": statistics.median(to_receiver), "p95": pct(to_receiver, 0.95),
                                               "p99": pct(to_receiver, 0.99), "max": max(to_receiver)}
        res["latency_event_to_marked_sent_ms"] = {"p50": statistics.median(to_marked), "p99": pct(to_marked, 0.99)}
        del prod
        raw = json.loads(subprocess.run(
            [os.path.join(jctest.BUILD, "bench", "bench-kafka-raw"), st.bootstrap, "udk.campaign.v1",
             str(min(N, 60000)), str(size)], capture_output=True, text=True, check=True).stdout)
        res["raw_consume_per_s"] = raw["consume_per_s"]
        res["ratio_to_raw_consume"] = res["throughput_delivered_per_s"] / raw["consume_per_s"]
        res["rss_kb"] = int(open(f"/proc/{svc.proc.pid}/status").read().split("VmHWM:")[1].split()[0])
    with open(os.path.join(OUT, "notifications.json"), "w") as f:
        json.dump(res, f, indent=2)
    lt = res["latency_event_to_receiver_ms"]
    print(f"""
notifications, {N} letters (Digital Post to the loopback receiver), {res['delivery_workers']} delivery workers, {os.cpu_count()} CPUs
  rendered + delivered                      {res['throughput_delivered_per_s']:>9,.0f} messages/s   (first created -> last delivered)
  events -> messages (consumer)             {res['consumed_to_messages_per_s']:>9,.0f} events/s     (events of {res['event_bytes']} B)
  raw librdkafka consume, same run          {res['raw_consume_per_s']:>9,.0f} msgs/s       ratio {res['ratio_to_raw_consume']:.4f}
  receiver: {res['receiver_requests']} requests, {res['receiver_distinct']} distinct messages, {res['retried']} retried
  event -> receiver at {res['steady_rate_per_s']:.0f}/s ({res['steady_letters']} letters)   p50 {lt['p50']:.0f} ms   p95 {lt['p95']:.0f} ms   p99 {lt['p99']:.0f} ms   max {lt['max']:.0f} ms
  notifications peak RSS                    {res['rss_kb'] / 1024:.1f} MiB
""")


if __name__ == "__main__":
    main()
