"""control: a 1,000,000-record campaign feed streamed over HTTP in bounded
memory (the control process's peak RSS, VmHWM, stays within 64 MiB of its
idle RSS), with invalid and duplicate records reported by line and 500
citizens matched. In the ASan+UBSan build the same test runs with 100,000
records (the sanitizers make it 3-5 times slower and shadow every
allocation; the bound there is 96 MiB with a 16 MiB allocator quarantine)."""
import datetime
import http.client
import json
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import controltest  # noqa: E402
from controltest import jctest  # noqa: E402

N = 100_000 if jctest.SANITIZED else 1_000_000
CITIZENS = 500
BOUND_MIB = 96 if jctest.SANITIZED else 64
EVIDENCE = '"evidence":{"country":"ES","from":"2026-02-01","source":"passenger_data"}'


def generated_cpr(i):
    """A CPR valid in form, unique per i; 7th digit 5-8, so never one of the
    test's synthetic citizens (7th digit 0-3)."""
    day, month = 1 + i % 28, 1 + (i // 28) % 12
    year = 40 + (i // 336) % 60
    serial = 5000 + (i // 20160) % 4000
    return f"{day:02d}{month:02d}{year:02d}{serial:04d}"


def body_chunks(matched_cprs, chunk=256 * 1024):
    """The feed, generated as it is sent: one record in 1000 invalid (a bad
    CPR), one in 1000 a duplicate (the udk_ref of a valid record two lines
    before), `matched_cprs` spread over the feed."""
    header = {"format": "udk-campaign.v1", "campaign_id": "UDK-BIG", "feed_id": "BIG-1", "theme": "udlandsophold",
              "kind": "control", "period": {"from": "2026-01-01", "to": "2026-06-30"}, "record_count": N}
    buf = [json.dumps(header) + "\n"]
    size = len(buf[0])
    stride = N // len(matched_cprs)
    for i in range(N):
        ref = i
        if i % 1000 == 500:
            cpr = "9999999999"
        elif i % 1000 == 501:
            ref = i - 2  # the udk_ref of the valid record two lines before
            cpr = generated_cpr(i)
        elif i % stride == 2 and i // stride < len(matched_cprs):
            cpr = matched_cprs[i // stride]
        else:
            cpr = generated_cpr(i)
        line = f'{{"udk_ref":"R{ref:07d}","cpr":"{cpr}",{EVIDENCE}}}\n'
        buf.append(line)
        size += len(line)
        if size >= chunk:
            yield "".join(buf).encode()
            buf, size = [], 0
    if buf:
        yield "".join(buf).encode()


class LargeFeedTest(controltest.ControlTest):
    CONTROL_ENV = {"ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=16"} \
        if jctest.SANITIZED else {}

    def seed_citizens(self, n):
        """n citizens with an open kontanthjælp case, as intake publishes them."""
        cprs = []
        for _ in range(n):
            ref, case_id, cpr = str(uuid.uuid4()), str(uuid.uuid4()), self.p.cpr()
            cprs.append(cpr)
            self.produce_event("jobcenter.citizen.v1", "citizen.upserted.v1",
                               {"citizen_ref": ref, "cpr": cpr, "name": self.p.name(),
                                "contact": {"digital_post": True}}, "/jobcenter/intake", ref)
            self.produce_event("jobcenter.case.v1", "case.opened.v1",
                               {"case_id": case_id, "citizen_ref": ref, "target_group": "kontanthjaelp-jobparat",
                                "start_date": "2026-02-02", "opened_at": controltest.now_rfc3339(),
                                "origin": "caseworker"}, "/jobcenter/intake", case_id)
        jctest.wait_until(lambda: self.scalar("SELECT count(*) FROM control.case_projection p"
                                              " JOIN control.citizen_key USING (citizen_ref)") == n, 120,
                          f"control to learn {n} citizens")
        return cprs

    def test_a_million_records_in_bounded_memory(self):
        matched = self.seed_citizens(CITIZENS)
        pid = self.control.proc.pid
        idle_rss = controltest.vm_kib(pid, "VmRSS")
        idle_hwm = controltest.vm_kib(pid, "VmHWM")
        conn = http.client.HTTPConnection("127.0.0.1", self.control.port, timeout=900)
        start = time.monotonic()
        conn.request("POST", "/v1/campaign-feeds", body=body_chunks(matched), encode_chunked=True,
                     headers={"Content-Type": "application/x-ndjson", "Transfer-Encoding": "chunked",
                              "Authorization": "Bearer " + self.p.token("udk:feed")})
        resp = conn.getresponse()
        answer = json.loads(resp.read())
        elapsed = time.monotonic() - start
        conn.close()
        peak = controltest.vm_kib(pid, "VmHWM")
        self.assertEqual(resp.status, 201, answer)
        invalid = N // 1000
        duplicate = N // 1000
        self.assertEqual(answer["counts"], {"received": N, "valid": N - invalid - duplicate, "invalid": invalid,
                                            "duplicate": duplicate, "matched": CITIZENS,
                                            "unmatched": N - invalid - duplicate - CITIZENS})
        self.assertEqual((answer["control_cases_opened"], answer["errors_total"]), (CITIZENS, invalid + duplicate))
        self.assertEqual([(e["line"], e["errors"][0]["field"]) for e in answer["errors"][:2]],
                         [(502, "cpr"), (503, "udk_ref")])
        self.assertEqual(self.scalar("SELECT count(*) FROM control.campaign_record"), N - invalid - duplicate)
        self.assertEqual(self.scalar("SELECT count(*) FROM control.record_stage"), 0)
        self.assertEqual(self.scalar("SELECT count(*) FROM control.control_case"), CITIZENS)
        grown = (peak - idle_rss) / 1024
        print(f"\n  {N:,} records in {elapsed:.1f} s ({N / elapsed:,.0f} records/s); control RSS idle "
              f"{idle_rss / 1024:.1f} MiB (peak before {idle_hwm / 1024:.1f} MiB), peak during the upload "
              f"{peak / 1024:.1f} MiB: +{grown:.1f} MiB (bound {BOUND_MIB} MiB)", file=sys.stderr)
        self.assertLess(grown, BOUND_MIB, "the upload did not stay in bounded memory")
        self.assertEqual(len(self.events("control.case_opened.v1")), CITIZENS)
        today = datetime.date.today().isoformat()
        self.assertTrue(answer["received_at"].startswith(today[:4]))


if __name__ == "__main__":
    jctest.main()
