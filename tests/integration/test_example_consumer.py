"""The example consumer for internal teams (examples/case_report) against the
dev stack: intake opens cases of several target groups, changes one case's
group and closes some; the example joins its own consumer group, replays
jobcenter.case.v1 from the beginning and prints a report whose numbers must
be exactly what the test did. It must tolerate an event type it does not know,
an event with a field it does not know, and a redelivered event; and it
replays everything again on a second run in the same group (it keeps its state
in memory and never commits offsets)."""
import json
import os
import re
import subprocess
import sys
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import jctest  # noqa: E402

EXAMPLE = os.path.join(jctest.BUILD, "examples", "case_report", "case-report")
GROUP = "analytics.case-report"

# (target group, start_date, closed as (reason, closed_on) or None, changed to (group, date) or None)
CASES = [
    ("a-dagpenge", "2025-01-06", None, None),
    ("a-dagpenge", "2025-01-20", ("job", "2025-03-03"), None),
    ("a-dagpenge", "2025-02-03", None, None),
    ("sygedagpenge-beskaeftiget", "2025-02-10", None, ("jobafklaring", "2025-04-01")),
    ("sygedagpenge-beskaeftiget", "2025-02-17", ("job", "2025-04-07"), None),
    ("kontanthjaelp-jobparat", "2025-03-03", None, None),
    ("kontanthjaelp-jobparat", "2025-03-10", ("moved", "2025-03-31"), None),
    ("ung-under-18", "2025-03-17", ("education", "2025-04-14"), None),
    ("uddannelseshjaelp-uddannelsesparat", "2025-01-13", None, None),
]


def expected_report():
    """The figures the test's own actions imply."""
    open_groups, months, reasons = {}, {}, {}
    for group, start, closed, changed in CASES:
        m = months.setdefault(start[:7], {"opened": 0, "closed": 0})
        m["opened"] += 1
        if closed:
            reason, on = closed
            months.setdefault(on[:7], {"opened": 0, "closed": 0})["closed"] += 1
            reasons[reason] = reasons.get(reason, 0) + 1
        else:
            g = changed[0] if changed else group
            open_groups[g] = open_groups.get(g, 0) + 1
    return open_groups, months, reasons


def parse_text(out):
    """The text report as {section title: {row name: [numbers]}} plus the header line."""
    sections, current = {}, None
    lines = out.splitlines()
    for line in lines[1:]:
        if not line.strip():
            current = None
        elif not line.startswith("  "):
            current = sections.setdefault(line.strip(), {})
        elif current is not None and line.strip() != "(none)":
            parts = line.split()
            if parts[0] != "month":
                current[parts[0]] = [int(x) for x in parts[1:]]
    return lines[0], sections


def run_example(*args, timeout=90):
    if not os.access(EXAMPLE, os.X_OK):
        raise AssertionError(f"{EXAMPLE} is not built (examples/ is part of the top-level build)")
    env = dict(os.environ)
    env.pop("KAFKA_BOOTSTRAP", None)
    r = subprocess.run([EXAMPLE, *args], capture_output=True, text=True, env=env,
                       timeout=timeout * jctest.SLOW)
    for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
        if marker in r.stderr:
            raise AssertionError(f"the example tripped a sanitizer:\n{r.stderr[-3000:]}")
    return r


class ExampleConsumerTest(jctest.PlatformTest):

    def test_report_from_a_replay_of_the_case_topic(self):
        p = self.p
        intake = p.service("intake")
        ids = []
        for group, start, closed, changed in CASES:
            r = intake.call("POST", "/v1/cases", scope="caseworker", body={
                "cpr": p.cpr(), "name": p.name(), "target_group": group, "start_date": start})
            self.assertEqual(r.status, 201, r)
            ids.append(r.json["case_id"])
        for case_id, (group, start, closed, changed) in zip(ids, CASES):
            if changed:
                r = intake.call("POST", f"/v1/cases/{case_id}/target-group", scope="caseworker",
                                body={"target_group": changed[0], "effective_date": changed[1]})
                self.assertEqual(r.status, 200, r)
            if closed:
                r = intake.call("POST", f"/v1/cases/{case_id}/close", scope="caseworker",
                                body={"reason": closed[0], "closed_on": closed[1]})
                self.assertEqual(r.status, 200, r)
        jctest.wait_until(lambda: p.stack.scalar(
            "SELECT count(*) FROM intake.outbox WHERE published_at IS NULL") == 0,
            30, "intake to publish every event")

        # What a team's consumer meets in real life: a type it does not know
        # yet, a known type with a new optional field, and a redelivery.
        msgs = p.stack.read_topic("jobcenter.case.v1")
        opened = [m for m in msgs if m["headers"]["ce_type"] == "dk.jobcenter.case.opened.v1"]
        closed = [m for m in msgs if m["headers"]["ce_type"] == "dk.jobcenter.case.closed.v1"]
        self.assertEqual(len(opened), len(CASES))
        p.stack.produce("jobcenter.case.v1", opened[0]["value"], key=opened[0]["key"],
                        headers=list(opened[0]["headers"].items()))
        newer = json.loads(closed[0]["value"])
        newer["id"] = str(uuid.uuid4())
        newer["data"]["closed_by_team"] = "team-nord"  # a field added in a later minor release
        p.stack.produce("jobcenter.case.v1", json.dumps(newer).encode(), key=closed[0]["key"])
        unknown = dict(newer, id=str(uuid.uuid4()), type="dk.jobcenter.case.reopened.v2",
                       data={"case_id": newer["data"]["case_id"], "reopened_on": "2025-05-01"})
        p.stack.produce("jobcenter.case.v1", json.dumps(unknown).encode(), key=closed[0]["key"])
        total = len(msgs) + 3

        r = run_example("-b", p.stack.bootstrap, "-g", GROUP,
                             "-X", "session.timeout.ms=6000", "--timeout", "60")
        self.assertEqual(r.returncode, 0, r.stderr)
        header, sections = parse_text(r.stdout)
        open_groups, months, reasons = expected_report()
        self.assertIn(f"jobcenter.case.v1 (group {GROUP}, 12 partitions)", header)
        self.assertIn(f"{total} messages, {len(CASES)} cases", header)
        used = {f"dk.jobcenter.case.{t}.v1" for t in ("opened", "closed", "target_group_changed")}
        ignored = sum(1 for m in msgs if m["headers"]["ce_type"] not in used) + 1  # + case.reopened.v2
        self.assertIn(f"({ignored} ignored: types this report does not use; 0 unreadable)", header)
        open_rows = sections["Open cases per target group"]
        self.assertEqual(open_rows.pop("total"), [sum(open_groups.values())])
        self.assertEqual({k: v[0] for k, v in open_rows.items()}, open_groups)
        self.assertEqual(
            {k: {"opened": v[0], "closed": v[1]} for k, v in
             sections["Opened and closed per month (the case's start_date and closed_on)"].items()},
            months)
        self.assertEqual({k: v[0] for k, v in sections["Close reasons"].items()}, reasons)
        types = {k: v[0] for k, v in sections["Messages per event type"].items()}
        self.assertEqual(types["dk.jobcenter.case.opened.v1"], len(CASES) + 1)  # + the redelivery
        self.assertEqual(types["dk.jobcenter.case.reopened.v2"], 1)
        self.assertEqual(sum(types.values()), total)

        # Again in the same group: everything is replayed (nothing committed).
        r = run_example("-b", p.stack.bootstrap, "-g", GROUP, "-X", "session.timeout.ms=6000",
                             "--json", "--timeout", "60")
        self.assertEqual(r.returncode, 0, r.stderr)
        rep = json.loads(r.stdout)
        self.assertEqual(rep["messages"], total)
        self.assertEqual(rep["open_by_target_group"], open_groups)
        self.assertEqual(rep["months"], months)
        self.assertEqual(rep["close_reasons"], reasons)
        self.assertEqual((rep["group"], rep["partitions"], rep["ignored"], rep["unreadable"]),
                         (GROUP, 12, ignored, 0))



class ExampleCliTest(unittest.TestCase):
    """Unhappy paths, without a stack."""

    def test_unreachable_broker_and_bad_usage_fail_clearly(self):
        port = jctest.free_port()
        r = run_example("-b", f"127.0.0.1:{port}", "--timeout", "3", timeout=30)
        self.assertEqual(r.returncode, 1, r)
        self.assertRegex(r.stderr, r"no partition of jobcenter.case.v1 was assigned within 3 s: "
                                   r"is a broker reachable at 127.0.0.1:\d+\?")
        self.assertEqual(r.stdout, "")
        r = run_example("-X", "no-equals-sign", "--timeout", "3", timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertIn("-X no-equals-sign: expected key=value", r.stderr)
        r = run_example("--timeout", "soon")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--timeout must be", r.stderr)
        self.assertTrue(re.search(r"usage: case-report", run_example("--help").stdout))


if __name__ == "__main__":
    jctest.main()
