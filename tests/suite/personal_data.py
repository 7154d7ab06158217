"""The whole test suite's personal-data scan (issue 9, part 4).

Every Platform scans, when it closes, every message on every topic that the
catalogue does not mark as personal data, every log line of every service it
started (every start, also the ones killed with -9) and every dead letter any
service kept, for CPR-shaped strings, the synthetic CPR numbers and names the
test used and bearer tokens; it writes what it scanned and found to
tests/out/personal-data/<build>/<test>.json (jctest.Platform.write_scan_record).

CTest runs this script twice around the suite (a fixture):
  begin  before any test: forgets the records of an earlier run of this build;
  scan   after every test: adds the records up, fails on any finding, fails if
         a test that ran left no record, and scans every service log written
         since `begin` once more on its own: CPR-shaped strings and full names
         made of the harness's synthetic first and last names.
Prints one table."""
import glob
import json
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import jctest  # noqa: E402

RECORDS = os.path.join(jctest.OUT, "personal-data", os.path.basename(os.path.normpath(jctest.BUILD)))
BEGUN = os.path.join(RECORDS, ".begun")
NAMES = [f"{a} {b}" for a in jctest.FIRST for b in jctest.LAST]


def begin():
    shutil.rmtree(RECORDS, ignore_errors=True)
    os.makedirs(RECORDS)
    with open(BEGUN, "w") as f:
        f.write(str(time.time()))
    print(f"personal-data scan: records of this run go to {RECORDS}")
    return 0


def scan_log(path):
    """(lines, findings) of one log file."""
    lines, found = 0, []
    with open(path, encoding="utf-8", errors="replace") as f:
        for i, line in enumerate(f):
            lines += 1
            for c in jctest.cpr_shaped(line):
                found.append(f"{path} line {i + 1}: CPR-shaped string {c[:2]}**********")
            for n in NAMES:
                if n in line:
                    found.append(f"{path} line {i + 1}: a synthetic citizen name")
    return lines, found


def scan():
    if not os.path.exists(BEGUN):
        print(f"personal-data scan: no run began in {RECORDS} (run the suite: make test)", file=sys.stderr)
        return 1
    with open(BEGUN) as f:
        since = float(f.read())
    records = []
    for path in sorted(glob.glob(os.path.join(RECORDS, "*.json"))):
        with open(path) as f:
            records.append(json.load(f))
    problems = []
    if not records:
        problems.append("no test left a scan record: the suite ran no platform test")
    totals = {"messages": 0, "log_lines": 0, "dead_letters": 0}
    listed = set()
    for r in records:
        for k in totals:
            totals[k] += r[k]
        listed.update(r["logs"])
        if not r["checks"]:
            problems.append(f"{r['test']}: ran with the end-of-test checks off")
        problems += [f"{r['test']}: {p}" for p in r["problems"]]
    # Once more, on its own: every service log this run wrote, listed or not.
    logs = [p for p in glob.glob(os.path.join(jctest.OUT, "logs", "**", "*.log"), recursive=True)
            if os.path.getmtime(p) >= since]
    unlisted = [p for p in logs if p not in listed]
    rescanned = 0
    for path in logs:
        n, found = scan_log(path)
        rescanned += n
        problems += found
    print("personal-data scan of the whole suite "
          f"({os.path.basename(os.path.normpath(jctest.BUILD))})")
    print(f"  {'platform tests':<44}{len(records):>10}")
    print(f"  {'topic messages scanned (non-personal topics)':<44}{totals['messages']:>10}")
    print(f"  {'log lines scanned by the tests':<44}{totals['log_lines']:>10}")
    print(f"  {'dead letters and delivery errors scanned':<44}{totals['dead_letters']:>10}")
    print(f"  {'log files rescanned here':<44}{len(logs):>10}  ({len(unlisted)} not listed by a test)")
    print(f"  {'log lines rescanned here':<44}{rescanned:>10}")
    print(f"  {'findings':<44}{len(problems):>10}")
    for p in problems[:60]:
        print("  " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ("begin", "scan"):
        print("usage: personal_data.py begin|scan", file=sys.stderr)
        sys.exit(2)
    sys.exit(begin() if sys.argv[1] == "begin" else scan())
