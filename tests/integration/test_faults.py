"""The platform-wide fault suite (issue 9, part 1).

One stack, all five services, the Digital Post stand-in (postreceiver), and a
steady background load: a-kasse handovers (POST /v1/handovers, retried with the
same body until accepted, as an a-kasse would: the handover_id makes the retry
idempotent), meetings booked in scheduling and offers assigned in offers for
some of the new cases. While the load runs, one fault after another:

  * kill -9 of each service in turn, in the middle of a burst of handovers
    (so the victim has work in hand), then a restart with the same env;
  * every devbroker broker down for 30 s;
  * a PostgreSQL restart;
  * broker request errors (Produce, Fetch, OffsetCommit);
  * the Digital Post receiver answering 503 for a while.

After each fault the load pauses and the suite measures how long the platform
takes to recover without help (every service ready, every outbox published,
every consumer group caught up, every letter delivered), and then checks the
end state across all services: every accepted handover has exactly one case,
every service projected it with the same obligations as every other case,
exactly one rights-and-duties letter per case reached the receiver (and one
letter per meeting and per offer), and every event in an outbox reached every
consumer of its topic once ('applied' or 'ignored' in its inbox), with no dead
letters. Duplicates on a topic (a relay killed between the broker's ack and
marking the row) and duplicate deliveries to the receiver (same
Idempotency-Key) are allowed and counted: they must be absorbed.

The table (fault | events in flight | lost | duplicated | redelivered |
recovery time) goes to stderr and to tests/out/faults.json.
"""
import collections
import concurrent.futures
import datetime
import http.client
import json
import os
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import jctest  # noqa: E402

RATE = 6              # background handovers per second
BURST = 100           # handovers fired at once before a kill -9
OUTAGE_S = 30         # all brokers down (required by the issue)
SHORT_FAULT_S = 4     # broker request errors, receiver errors
TOPICS = ["jobcenter.case.v1", "jobcenter.citizen.v1", "jobcenter.meeting.v1", "jobcenter.offer.v1",
          "jobcenter.control.v1", "jobcenter.notification.v1", "jobcenter.dlq.v1"]
# What each service consumes (its consumer group and inbox consumer are its name).
CONSUMES = {"scheduling": ["jobcenter.case.v1", "jobcenter.offer.v1"],
            "offers": ["jobcenter.case.v1", "jobcenter.meeting.v1"],
            "control": ["jobcenter.case.v1", "jobcenter.citizen.v1", "jobcenter.meeting.v1", "jobcenter.offer.v1"],
            "notifications": ["jobcenter.case.v1", "jobcenter.citizen.v1", "jobcenter.meeting.v1",
                              "jobcenter.offer.v1", "jobcenter.control.v1"]}
# Channels that reach postreceiver (internal notes and printed letters do not).
RECEIVER_CHANNELS = ("digital_post", "email", "sms", "akasse_webhook")


class Load:
    """The background load. One thread sends RATE handovers a second and works
    off the bookings and offer assignments queued for the cases they created;
    bursts run on a pool. Every handover is retried (same body) on a dropped
    connection or a 5xx until intake accepts it, and recorded once accepted."""

    def __init__(self, p, svcs, offer_id):
        self.p, self.svcs, self.offer_id = p, svcs, offer_id
        self.lock = threading.Lock()
        self.accepted = {}                 # handover_id -> case_id
        self.retries = 0
        self.tasks = collections.deque()   # (due, kind, case_id, attempt)
        self.booked = self.enrolled = 0
        self.n = 0
        self.running = threading.Event()
        self.idle = threading.Event()
        self.stopping = False
        self.error = None
        self.pool = concurrent.futures.ThreadPoolExecutor(8)
        self.burst_futures = []
        self.today = datetime.date.today()
        self.thread = threading.Thread(target=self._run, daemon=True)

    # -- control from the test
    def start(self):
        self.running.set()
        self.thread.start()

    def resume(self):
        self.idle.clear()
        self.running.set()

    def pause(self, timeout=120):
        """Stops sending after the request in hand (bursts finish first)."""
        for f in self.burst_futures:
            f.result(timeout * jctest.SLOW)
        self.burst_futures = []
        self.running.clear()
        jctest.wait_until(lambda: self.idle.is_set() or self.error, timeout, "the load to pause")
        self.raise_error()

    def stop(self):
        self.stopping = True
        self.running.set()
        self.thread.join(60)
        self.pool.shutdown(wait=True, cancel_futures=True)

    def burst(self, n):
        self.burst_futures += [self.pool.submit(self.handover) for _ in range(n)]

    def count(self):
        with self.lock:
            return len(self.accepted)

    def raise_error(self):
        if self.error:
            raise self.error

    # -- the requests
    def handover(self):
        intake = self.svcs["intake"]
        body = self.p.handover(contacts=2)
        deadline = time.monotonic() + 180 * jctest.SLOW
        while time.monotonic() < deadline and not self.stopping:
            try:
                r = jctest.http("POST", intake.port, "/v1/handovers", body=body,
                                token=self.p.token("akasse:3F"), timeout=10)
            except (OSError, http.client.HTTPException):   # refused, reset, or cut off mid-answer
                r = None
            if r is not None and r.status in (200, 201):
                with self.lock:
                    self.accepted[body["handover_id"]] = r.json["case_id"]
                    self.n += 1
                    kind = ("book", "offer", None)[self.n % 3]
                    if kind:
                        self.tasks.append((time.monotonic() + 0.5, kind, r.json["case_id"], 0))
                return r.json["case_id"]
            if r is not None and r.status < 500:
                raise AssertionError(f"POST /v1/handovers answered {r}")
            with self.lock:
                self.retries += 1
            time.sleep(0.1)  # a client's retry backoff, not a wait for state
        raise AssertionError(f"handover {body['handover_id']} never accepted")

    def book(self, case_id, attempt):
        sched = self.svcs["scheduling"]
        s = sched.call("GET", f"/v1/cases/{case_id}/slots", scope="caseworker", timeout=10)
        if s.status == 404 or s.status >= 500:
            return True        # scheduling has not seen the case yet, or is recovering
        if s.status != 200:
            raise AssertionError(f"slots for {case_id} answered {s}")
        if not s.json["slots"]:
            return False
        slot = s.json["slots"][(self.n + attempt) % len(s.json["slots"])]
        b = sched.call("POST", f"/v1/cases/{case_id}/meetings", scope="caseworker", timeout=10,
                       body={"starts_at": slot, "channel": "phone"})
        if b.status == 201:
            self.booked += 1
            return False
        if b.status == 409 and "already-booked" in b.body:
            return False       # an earlier attempt got through before the answer was lost
        if b.status == 409 or b.status >= 500:
            return True        # slot taken meanwhile, or the service is recovering: again
        raise AssertionError(f"booking for {case_id} answered {b}")

    def enrol(self, case_id, attempt):
        start = self.today + datetime.timedelta(days=14)
        r = self.svcs["offers"].call(
            "POST", f"/v1/cases/{case_id}/enrolments", scope="caseworker", timeout=10,
            headers={"Idempotency-Key": f"faults-{case_id}"},
            body={"offer_id": self.offer_id, "planned_start": start.isoformat(),
                  "planned_end": (start + datetime.timedelta(days=27)).isoformat(), "hours_per_week": 20})
        if r.status in (200, 201):
            self.enrolled += 1
            return False
        if r.status == 404 or r.status >= 500:
            return True        # offers has not seen the case yet, or is recovering
        raise AssertionError(f"enrolment for {case_id} answered {r}")

    def work_off_tasks(self):
        now = time.monotonic()
        for _ in range(len(self.tasks)):
            with self.lock:
                if not self.tasks or self.tasks[0][0] > now:
                    return
                due, kind, case_id, attempt = self.tasks.popleft()
            try:
                again = (self.book if kind == "book" else self.enrol)(case_id, attempt)
            except (OSError, http.client.HTTPException):
                again = True
            if again:
                if attempt > 2000:
                    raise AssertionError(f"{kind} for {case_id} never succeeded")
                with self.lock:
                    self.tasks.append((now + 0.5, kind, case_id, attempt + 1))

    def _run(self):
        try:
            start, i = time.monotonic(), 0
            while not self.stopping:
                if not self.running.is_set():
                    self.idle.set()
                    self.running.wait()
                    start, i = time.monotonic(), 0
                    continue
                delay = start + i / RATE - time.monotonic()
                if delay > 0:
                    time.sleep(delay)   # pacing of the offered load
                i += 1
                self.handover()
                self.work_off_tasks()
        except BaseException as e:  # noqa: BLE001 - raised in the test thread
            self.error = e
            self.idle.set()


class Kafka:
    """Consumer-group lag and an incremental reader of every topic, with
    long-lived clients (a client per check would cost seconds)."""

    def __init__(self, stack):
        from confluent_kafka import Consumer
        self.stack = stack
        self.clients = {}
        md = self.client("jctest-faults-meta").list_topics(timeout=10)
        self.parts = {t: sorted(md.topics[t].partitions) for t in TOPICS}
        self.tail = Consumer({"bootstrap.servers": stack.bootstrap, "group.id": "jctest-tail-" + uuid.uuid4().hex,
                              "enable.auto.commit": False, "auto.offset.reset": "earliest", "log_level": 0})
        from confluent_kafka import TopicPartition, OFFSET_BEGINNING
        self.tail.assign([TopicPartition(t, p, OFFSET_BEGINNING) for t in TOPICS for p in self.parts[t]])
        self.pos = {}                                   # (topic, partition) -> next offset read
        self.ids = {t: collections.Counter() for t in TOPICS}

    def client(self, group):
        from confluent_kafka import Consumer
        if group not in self.clients:
            self.clients[group] = Consumer({"bootstrap.servers": self.stack.bootstrap, "group.id": group,
                                            "enable.auto.commit": False, "log_level": 0})
        return self.clients[group]

    def highs(self):
        from confluent_kafka import TopicPartition
        c = self.client("jctest-faults-meta")
        return {(t, p): c.get_watermark_offsets(TopicPartition(t, p), timeout=5, cached=False)[1]
                for t in TOPICS for p in self.parts[t]}

    def lag(self, group, highs):
        from confluent_kafka import TopicPartition
        tps = [TopicPartition(t, p) for t in CONSUMES[group] for p in self.parts[t]]
        done = {(tp.topic, tp.partition): tp.offset for tp in self.client(group).committed(tps, timeout=5)}
        return sum(max(0, highs[k] - max(done.get(k, 0), 0)) for k in done)

    def lags(self):
        highs = self.highs()
        return {g: self.lag(g, highs) for g in CONSUMES}

    def read_new(self, timeout=60):
        """Reads every message up to the current end of every topic."""
        highs = self.highs()
        deadline = time.monotonic() + timeout * jctest.SLOW
        while any(self.pos.get(k, 0) < h for k, h in highs.items()):
            if time.monotonic() > deadline:
                raise AssertionError("could not read the topics to their end")
            for m in self.tail.consume(500, 0.5):
                if m.error():
                    continue
                self.pos[(m.topic(), m.partition())] = m.offset() + 1
                ce_id = dict(m.headers() or []).get("ce_id")
                self.ids[m.topic()][ce_id.decode() if ce_id else f"@{m.partition()}:{m.offset()}"] += 1

    def duplicates(self):
        return sum(n - 1 for c in self.ids.values() for n in c.values())

    def close(self):
        for c in list(self.clients.values()) + [self.tail]:
            c.close()


class FaultSuite(jctest.PlatformTest):

    def setUp(self):
        super().setUp()
        self.rows = []

    # ------------------------------------------------------------ observation
    def q(self, query, params=()):
        return self.p.stack.sql(query, params)

    def outbox_pending(self):
        return sum(self.p.stack.scalar(f"SELECT count(*) FROM {s}.outbox WHERE published_at IS NULL")
                   for s in jctest.SERVICES)

    def undelivered(self):
        return self.p.stack.scalar("SELECT count(*) FROM notifications.message"
                                   " WHERE status IN ('pending', 'awaiting_contact')")

    def in_flight(self):
        """Unpublished outbox rows + consumer lag, over every service."""
        return self.outbox_pending() + sum(self.kafka.lags().values())

    def settled(self):
        """Every service ready, outboxes published, groups caught up, letters out."""
        for s in self.svcs.values():
            try:
                if s.proc.poll() is not None or s.call("GET", "/readyz", timeout=5).status != 200:
                    return False
            except OSError:
                return False
        try:
            if self.outbox_pending() or self.undelivered():
                return False
            return not any(self.kafka.lags().values())
        except Exception:  # noqa: BLE001 - the database or broker may still be coming back
            return False

    def receiver_state(self):
        recs = self.p.stack.post_received()
        return recs, sum(r["duplicates"] for r in recs)

    # ------------------------------------------------------------ invariants
    def invariants(self):
        """(lost, duplicated, problems) over the whole platform, once settled."""
        lost, dup, problems = 0, 0, []

        def note(kind, n, what):
            nonlocal lost, dup
            if n:
                problems.append(f"{what}: {n}")
                if kind == "lost":
                    lost += n
                elif kind == "dup":
                    dup += n
                else:
                    lost += n   # anything else wrong counts against the platform

        with self.load.lock:
            accepted = dict(self.load.accepted)
        cases = set(accepted.values())
        note("other", len(accepted) - len(cases), "handovers answered with a case of another handover")

        # intake: one handover row and one case per accepted handover
        rows = dict(self.q("SELECT handover_id, case_id::text FROM intake.handover WHERE akasse = '3F'"))
        note("lost", len(set(accepted) - set(rows)), "accepted handovers intake does not have")
        note("other", sum(1 for h, c in accepted.items() if h in rows and rows[h] != c),
             "handovers whose case differs from the answer")
        note("dup", len(set(rows) - set(accepted)), "handovers stored that were never accepted")
        n_cases = self.p.stack.scalar("SELECT count(*) FROM intake.case_file")
        note("dup", max(0, n_cases - len(cases)), "cases in intake beyond one per handover")

        # every consumer projected every case, with the same obligations as every other case
        for svc in ("scheduling", "offers", "control", "notifications"):
            got = set(r[0] for r in self.q(f"SELECT case_id::text FROM {svc}.case_projection"))
            note("lost", len(cases - got), f"cases {svc} does not know")
            note("dup", len(got - cases), f"cases {svc} knows that intake does not")
        for svc in ("scheduling", "offers"):
            per_case = dict(self.q(f"SELECT c.case_id::text, count(o.case_id) FROM {svc}.case_projection c"
                                   f" LEFT JOIN {svc}.obligation o USING (case_id) GROUP BY 1"))
            if per_case:
                usual = collections.Counter(per_case.values()).most_common(1)[0][0]
                note("lost", sum(1 for n in per_case.values() if n == 0) if usual else len(per_case),
                     f"cases without {svc} obligations")
                note("dup", sum(n - usual for n in per_case.values() if n > usual),
                     f"{svc} obligations beyond the {usual} every other case has")
                note("lost", sum(usual - n for n in per_case.values() if 0 < n < usual),
                     f"{svc} obligations missing against the {usual} every other case has")

        # letters: exactly one rights-and-duties letter per case, one per meeting and offer
        letters = dict(((r[0], r[1]), r[2]) for r in self.q(
            "SELECT template, case_id::text, count(*) FROM notifications.message"
            " WHERE template IN ('rights_and_duties', 'meeting_invitation', 'offer_letter') GROUP BY 1, 2"))
        rd = {c: n for (t, c), n in letters.items() if t == "rights_and_duties"}
        note("lost", len(cases - set(rd)), "cases without a rights-and-duties letter")
        note("dup", sum(n - 1 for n in rd.values()), "rights-and-duties letters beyond one per case")
        meetings = dict(self.q("SELECT case_id::text, count(*) FROM scheduling.meeting GROUP BY 1"))
        enrolments = dict(self.q("SELECT case_id::text, count(*) FROM offers.enrolment GROUP BY 1"))
        for template, per_case in (("meeting_invitation", meetings), ("offer_letter", enrolments)):
            sent = {c: n for (t, c), n in letters.items() if t == template}
            note("lost", sum(max(0, n - sent.get(c, 0)) for c, n in per_case.items()), f"missing {template}s")
            note("dup", sum(max(0, n - per_case.get(c, 0)) for c, n in sent.items()), f"extra {template}s")
        bad = self.q("SELECT status, count(*) FROM notifications.message WHERE status NOT IN ('sent', 'cancelled')"
                     " GROUP BY 1")
        note("lost", sum(n for _, n in bad), f"messages not sent ({bad})")
        msgs = dict(self.q("SELECT message_id::text, template || ' ' || case_id FROM notifications.message"
                           " WHERE status = 'sent' AND channel = ANY (%s)", (list(RECEIVER_CHANNELS),)))
        recs, _ = self.receiver_state()
        keys = collections.Counter(r["key"] for r in recs)
        note("lost", len(set(msgs) - set(keys)), "sent messages the receiver never got")
        note("dup", len(set(keys) - set(msgs)), "receiver records for no sent message")
        note("dup", sum(n - 1 for n in keys.values()), "receiver records with the same key")
        at_receiver = collections.Counter(msgs[k] for k in keys if k in msgs)
        note("dup", sum(n - 1 for what, n in at_receiver.items() if what.startswith("rights_and_duties")),
             "rights-and-duties letters delivered twice for one case")

        # events: every outbox row published, on its topic, and in every consumer's inbox once
        outbox = collections.defaultdict(set)
        for s in jctest.SERVICES:
            for topic, eid, published, failed in self.q(
                    f"SELECT topic, event_id, published_at IS NOT NULL, failed_at IS NOT NULL FROM {s}.outbox"):
                outbox[topic].add(eid)
                if failed or not published:
                    note("lost", 1, f"{s} outbox row {eid} {'refused' if failed else 'unpublished'}")
        self.kafka.read_new()
        for topic, ids in outbox.items():
            if topic in self.kafka.ids:
                note("lost", len(ids - set(self.kafka.ids[topic])), f"{topic} events not on the topic")
        for consumer, topics in CONSUMES.items():
            for topic in topics:
                inbox = collections.Counter(r[0] for r in self.q(
                    f"SELECT event_id FROM {consumer}.inbox WHERE consumer = %s AND topic = %s"
                    " AND outcome IN ('applied', 'ignored')", (consumer, topic)))
                note("lost", len(outbox[topic] - set(inbox)), f"{topic} events {consumer} never applied")
                note("dup", sum(n - 1 for n in inbox.values()), f"{topic} events {consumer} applied twice")
                note("other", len(set(inbox) - outbox[topic]), f"{topic} events in {consumer}'s inbox from no outbox")
        for s in jctest.SERVICES:
            note("other", self.p.stack.scalar(f"SELECT count(*) FROM {s}.dead_letter"), f"{s} dead letters")
            note("other", self.p.stack.scalar(f"SELECT count(*) FROM {s}.inbox WHERE outcome = 'dead_lettered'"),
                 f"{s} dead-lettered inbox rows")
        return lost, dup, problems

    # ------------------------------------------------------------ one fault
    def fault(self, name, inject, victim=None):
        """Runs one fault under load; `inject` does the fault and returns when
        it has ended. Then pauses the load, waits for recovery and checks."""
        before = self.load.count()
        self.load.resume()
        jctest.wait_until(lambda: self.load.count() >= before + 6 or self.load.error, 30,
                          f"the load to run before {name}")
        self.load.raise_error()
        dup_topic0, dup_recv0 = self.kafka.duplicates(), self.receiver_state()[1]
        if victim:
            # kill -9 in the middle of a burst, while the victim has work in hand
            self.load.burst(BURST)

            def busy():
                if all(f.done() for f in self.load.burst_futures):
                    return True     # too late to catch it busy: kill it anyway, the row says so
                if victim == "intake":  # mid-burst, with events not yet published
                    return self.load.count() >= before + 30 and self.p.stack.scalar(
                        "SELECT count(*) FROM intake.outbox WHERE published_at IS NULL") > 0
                return self.work_in_hand(victim) > 0
            jctest.wait_until(busy, 60, f"{victim} to have work in hand")
            t0 = time.monotonic()
            self.svcs[victim].kill()
            # what it dropped: the platform's events in flight and the victim's own
            in_flight, in_hand = self.in_flight(), self.work_in_hand(victim)
            detail = f"{victim} had {in_hand} events/messages in hand when killed"
            inject()
        else:
            in_flight = self.in_flight()
            t0 = time.monotonic()
            detail = inject() or ""
        fault_end = time.monotonic()
        self.load.pause()
        handovers = self.load.count() - before
        jctest.wait_until(self.settled, 180, f"the platform to recover from {name}", interval=0.25)
        recovery = time.monotonic() - fault_end
        lost, dup, problems = self.invariants()
        _, dup_recv = self.receiver_state()
        row = {"fault": name, "events_in_flight": in_flight, "lost": lost, "duplicated": dup,
               "redelivered": (self.kafka.duplicates() - dup_topic0) + (dup_recv - dup_recv0),
               "recovery_s": round(recovery, 1), "fault_s": round(fault_end - t0, 1),
               "handovers_during": handovers, "detail": detail, "problems": problems}
        self.rows.append(row)
        print(f"  {name}: in flight {in_flight}, recovered in {recovery:.1f} s, lost {lost}, dup {dup}"
              + (f" -- {problems}" if problems else ""), file=sys.stderr)

    def work_in_hand(self, name):
        """The victim's unpublished outbox rows, its consumer lag, (notifications) its undelivered
        messages, (intake) the handovers of the burst still unanswered."""
        n = self.p.stack.scalar(f"SELECT count(*) FROM {name}.outbox WHERE published_at IS NULL")
        if name == "intake":
            n += min(8, sum(1 for f in self.load.burst_futures if not f.done()))   # 8 senders
        if name in CONSUMES:
            n += self.kafka.lag(name, self.kafka.highs())
        if name == "notifications":
            n += self.undelivered()
        return n

    def restart(self, name):
        svc = self.svcs[name]
        return lambda: svc.start(wait=False)   # same env, same port; recovery is measured from here

    def brokers_down(self):
        self.p.stack.broker("down all")
        time.sleep(OUTAGE_S)   # the fault itself lasts this long
        self.p.stack.broker("up all")

    def broker_errors(self):
        """Every Produce, Fetch and OffsetCommit fails (more errors queued than
        the clients can use up in the time) until the errors are cleared."""
        st = self.p.stack
        for api, err in (("Produce", "NOT_LEADER_FOR_PARTITION"), ("Fetch", "NOT_LEADER_FOR_PARTITION"),
                         ("OffsetCommit", "NOT_COORDINATOR")):
            for _ in range(2):      # 1000 is the most one command queues
                st.broker(f"error {api} {err} 1000")
        time.sleep(SHORT_FAULT_S)   # the fault itself lasts this long
        held = self.outbox_pending()
        for api in ("Produce", "Fetch", "OffsetCommit"):
            st.broker(f"clear-errors {api}")
        # The errors bit: nothing could be published while they were queued.
        self.assertGreater(held, 0, "the injected Produce errors did not hold up any outbox")
        return f"{held} outbox rows held up at the end"

    def receiver_errors(self):
        st = self.p.stack
        st.post_fault("reject 503 digital_post")
        time.sleep(SHORT_FAULT_S)   # the fault itself lasts this long
        refused = sum(1 for r in st.post_requests(channel="digital_post") if r["status"] == 503)
        st.post_fault("clear")
        self.assertGreater(refused, 0, "no delivery met the receiver's errors")
        return f"{refused} deliveries refused with 503"

    # ------------------------------------------------------------ the suite
    def test_platform_survives_every_fault_under_load(self):
        p = self.p
        started = time.monotonic()
        p.stack.post_fault("bodies off")
        notif_env = {"JC_NOTIFY_RETRY_BASE_MS": "200", "JC_NOTIFY_RETRY_CAP_MS": "1000",
                     "JC_NOTIFY_MAX_ATTEMPTS": "1000"}
        self.svcs = {n: p.service(n, env=notif_env if n == "notifications" else None) for n in jctest.SERVICES}
        intake, offers = self.svcs["intake"], self.svcs["offers"]
        r = intake.call("PUT", "/v1/teams/job", body={"name": "Job"}, scope="admin")
        self.assertIn(r.status, (200, 201), r)
        for i in range(8):
            r = intake.call("PUT", f"/v1/caseworkers/cw-{i}", scope="admin",
                            body={"name": f"cw {i}", "team_id": "job", "target_groups": ["a-dagpenge"]})
            self.assertIn(r.status, (200, 201), r)
        r = offers.call("POST", "/v1/providers", scope="caseworker",
                        body={"kind": "employer", "name": "Fejltest ApS", "sector": "private"})
        self.assertEqual(r.status, 201, r)
        r = offers.call("POST", "/v1/offers", scope="caseworker", body={
            "offer_type": "virksomhedspraktik", "provider_id": r.json["provider_id"], "title": "Praktik",
            "capacity": 10000, "hours_per_week": 20, "available_from": "2020-01-01"})
        self.assertEqual(r.status, 201, r)
        self.kafka = Kafka(p.stack)
        self.load = Load(p, self.svcs, r.json["offer_id"])
        try:
            self.load.start()
            for name in jctest.SERVICES:
                self.fault(f"kill -9 {name}", self.restart(name), victim=name)
            self.fault(f"all brokers down {OUTAGE_S} s", self.brokers_down)
            self.fault("postgres restart", p.stack.pg_restart)
            self.fault("broker request errors", self.broker_errors)
            self.fault("Digital Post answering 503", self.receiver_errors)
        finally:
            self.load.stop()
            self.kafka.close()
            self.report(time.monotonic() - started)

        for row in self.rows:
            self.assertEqual((row["lost"], row["duplicated"]), (0, 0), f"{row['fault']}: {row['problems']}")
        self.assertEqual(len(self.rows), 5 + 4)
        self.assertGreater(self.load.booked, 0, "no meeting was booked")
        self.assertGreater(self.load.enrolled, 0, "no offer was assigned")
        self.assertGreater(sum(r["events_in_flight"] for r in self.rows), 0, "no fault found events in flight")

    def report(self, seconds):
        head = f"{'fault':32} {'in flight':>9} {'lost':>5} {'duplicated':>10} {'redelivered':>11} {'recovery s':>10}"
        lines = [head, "-" * len(head)]
        for r in self.rows:
            lines.append(f"{r['fault']:32} {r['events_in_flight']:>9} {r['lost']:>5} {r['duplicated']:>10} "
                         f"{r['redelivered']:>11} {r['recovery_s']:>10}")
        load = getattr(self, "load", None)
        summary = (f"{load.count() if load else 0} handovers accepted ({load.retries if load else 0} retries), "
                   f"{load.booked if load else 0} meetings booked, {load.enrolled if load else 0} offers assigned, "
                   f"{seconds:.0f} s")
        print("\n" + "\n".join(lines) + "\n" + summary, file=sys.stderr)
        os.makedirs(jctest.OUT, exist_ok=True)
        with open(os.path.join(jctest.OUT, "faults.json"), "w") as f:
            json.dump({"when": datetime.datetime.now().isoformat(timespec="seconds"),
                       "sanitized": jctest.SANITIZED, "seconds": round(seconds, 1), "summary": summary,
                       "faults": self.rows}, f, indent=1)


if __name__ == "__main__":
    jctest.main()
