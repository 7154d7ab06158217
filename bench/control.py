"""Benchmark: Udbetaling Danmark control campaigns of 1,000,000 records each,
streamed to POST /v1/campaign-feeds and matched against 100,000 citizens with
open cases: one where every tenth record matches (100,000 control cases with
their evidence and events: the worst case) and one where one record in 1,000
does; next to raw COPY of the same rows (the staged form: feed, line,
udk_ref, CPR hash, evidence) into a bare table and into one shaped like
campaign_record, in the same run; and the control process's peak memory.
Prints a table and writes bench/out/control.json.

The 100,000 citizens are loaded straight into control's projection with COPY
(their keyed hashes computed here with the same key): the citizen consumer is
not what is measured. control runs with only its HTTP role, so the relay does
not publish the events meanwhile (they are in the outbox, written inside the
measured transaction)."""
import hashlib
import hmac
import http.client
import json
import os
import secrets
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "lib"))
import jctest  # noqa: E402

N = int(os.environ.get("JC_BENCH_FEED_RECORDS", "1000000"))
CITIZENS = int(os.environ.get("JC_BENCH_CITIZENS", "100000"))
OUT = os.path.join(jctest.ROOT, "bench", "out")
EVIDENCE = {"country": "ES", "from": "2026-02-01", "source": "passenger_data"}


def cpr_of(i):
    """A distinct CPR valid in form for every i (7th digit 5-8)."""
    day, month, year = 1 + i % 28, 1 + (i // 28) % 12, 40 + (i // 336) % 60
    return f"{day:02d}{month:02d}{year:02d}{5000 + (i // 20160) % 4000:04d}"


def vm_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def psql(st, sql, stdin_path=None):
    cmd = [os.path.join(st.env["JC_PG_BINDIR"], "psql"), "-v", "ON_ERROR_STOP=1", "-q", "-X",
           st.env["JC_PG_SUPERUSER_URL"], "-c", sql]
    start = time.monotonic()
    with open(stdin_path, "rb") if stdin_path else open(os.devnull, "rb") as f:
        out = subprocess.run(cmd, stdin=f, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"psql failed: {out.stderr}")
    return time.monotonic() - start


def main():
    os.makedirs(OUT, exist_ok=True)
    key = secrets.token_hex(32)
    results = {"records": N, "citizens": CITIZENS}
    with jctest.Platform("bench.control") as p:
        p.checks = False
        st = p.stack
        ctl = p.service("control", roles="http", env={"JC_CPR_HMAC_KEY": key, "JC_LOG_LEVEL": "warn",
                                                      "JC_FEED_MAX_BYTES": str(1 << 31)})
        mac = lambda cpr: hmac.new(key.encode(), cpr.encode(), hashlib.sha256).hexdigest()  # noqa: E731

        print(f"bench: {CITIZENS:,} citizens with open cases into control's projection ...", file=sys.stderr)
        keys_path = os.path.join(st.dir, "citizens.tsv")
        cases_path = os.path.join(st.dir, "cases.tsv")
        with open(keys_path, "w") as k, open(cases_path, "w") as c:
            for i in range(CITIZENS):
                ref = str(uuid.UUID(int=i + 1))
                k.write(f"{ref}\t\\\\x{mac(cpr_of(i))}\n")
                c.write(f"{uuid.uuid4()}\t{ref}\tkontanthjaelp-jobparat\t2026-02-02\t2026-02-02T08:00:00Z\n")
        psql(st, "\\copy control.citizen_key (citizen_ref, cpr_hmac) FROM STDIN", keys_path)
        psql(st, "\\copy control.case_projection (case_id, citizen_ref, target_group, start_date, opened_at)"
                 " FROM STDIN", cases_path)
        psql(st, "ANALYZE control.citizen_key; ANALYZE control.case_projection")

        # Two feeds of N records: in the first every tenth record belongs to a
        # citizen (100,000 control cases and events: the worst case), in the
        # second one in 1,000 (a campaign's usual share).
        ev = json.dumps(EVIDENCE, separators=(",", ":"), sort_keys=True)
        pid = ctl.proc.pid
        idle = vm_kib(pid, "VmRSS")
        results["idle_rss_mib"] = idle / 1024
        results["feeds"] = []
        rows_path = os.path.join(st.dir, "rows.tsv")
        for n_feed, every in ((1, max(1, N // CITIZENS)), (2, 1000)):
            feed_path = os.path.join(st.dir, f"feed{n_feed}.ndjson")
            feed_uuid = str(uuid.uuid4())
            print(f"bench: writing feed {n_feed} ({N:,} records, 1 in {every} matching) ...", file=sys.stderr)
            with open(feed_path, "w") as f, open(rows_path if n_feed == 1 else os.devnull, "w") as r:
                f.write(json.dumps({"format": "udk-campaign.v1", "campaign_id": f"UDK-BENCH-{n_feed}",
                                    "feed_id": "BENCH-1", "theme": "udlandsophold", "kind": "control",
                                    "period": {"from": "2026-01-01", "to": "2026-06-30"}, "record_count": N}) + "\n")
                for i in range(N):
                    k = i // every
                    cpr = cpr_of(k) if i % every == 0 and k < CITIZENS else cpr_of(CITIZENS + i)
                    f.write(f'{{"udk_ref":"R{i:07d}","cpr":"{cpr}","evidence":{ev}}}\n')
                    if n_feed == 1:
                        r.write(f"{feed_uuid}\t1\t{i + 2}\tR{i:07d}\t\\\\x{mac(cpr)}\t{ev}\n")
            size = os.path.getsize(feed_path)
            print(f"bench: uploading feed {n_feed}, {size / 1e6:.0f} MB ...", file=sys.stderr)
            conn = http.client.HTTPConnection("127.0.0.1", ctl.port, timeout=3600)
            start = time.monotonic()
            with open(feed_path, "rb") as f:
                conn.request("POST", "/v1/campaign-feeds", body=f,
                             headers={"Content-Type": "application/x-ndjson", "Content-Length": str(size),
                                      "Authorization": "Bearer " + p.token("udk:feed")})
                resp = conn.getresponse()
                answer = json.loads(resp.read())
            upload_s = time.monotonic() - start
            conn.close()
            if resp.status != 201:
                raise SystemExit(f"upload failed: {resp.status} {answer}")
            os.unlink(feed_path)
            results["feeds"].append({"match_one_in": every, "upload_s": upload_s, "records_per_s": N / upload_s,
                                     "counts": answer["counts"], "bytes": size,
                                     "control_cases_opened": answer["control_cases_opened"]})
        results["rss_peak_mib"] = vm_kib(pid, "VmHWM") / 1024

        # Raw COPY of the same rows, into a bare table and into one shaped like campaign_record.
        print("bench: raw COPY of the same rows ...", file=sys.stderr)
        psql(st, "CREATE TABLE public.bench_bare (feed_uuid uuid, part int, line_no int, udk_ref text,"
                 " cpr_hmac bytea, evidence jsonb)")
        psql(st, "CREATE TABLE public.bench_indexed (LIKE control.campaign_record INCLUDING ALL)")
        bare_s = psql(st, "\\copy public.bench_bare FROM STDIN", rows_path)
        # campaign_record's shape needs the campaign_id: the same rows with it.
        rows2 = rows_path + ".2"
        with open(rows_path) as src, open(rows2, "w") as dst:
            for line in src:
                dst.write("UDK-BENCH\t" + line)
        indexed_s = psql(st, "\\copy public.bench_indexed (campaign_id, feed_uuid, part, line_no, udk_ref,"
                             " cpr_hmac, evidence) FROM STDIN", rows2)
        results.update(copy_bare_s=bare_s, copy_bare_per_s=N / bare_s, copy_indexed_s=indexed_s,
                       copy_indexed_per_s=N / indexed_s)

    with open(os.path.join(OUT, "control.json"), "w") as f:
        json.dump(results, f, indent=2)
    r = results
    print(f"\nUDK campaign feeds, {N:,} records each, against {CITIZENS:,} citizens with open cases "
          f"({os.cpu_count()} CPUs, {r['feeds'][0]['bytes'] / 1e6:.0f} MB NDJSON streamed over HTTP)")
    for fd in r["feeds"]:
        print(f"  POST /v1/campaign-feeds, 1 in {fd['match_one_in']:>4} matching  {fd['upload_s']:6.1f} s"
              f"  {fd['records_per_s']:>9,.0f} records/s  ({fd['counts']['matched']:,} matched:"
              f" {fd['control_cases_opened']:,} control cases, evidence and events)")
    print(f"  raw COPY of the same rows, bare table         {r['copy_bare_s']:6.1f} s  {r['copy_bare_per_s']:>9,.0f} rows/s")
    print(f"  raw COPY of the same rows, campaign_record    {r['copy_indexed_s']:6.1f} s  "
          f"{r['copy_indexed_per_s']:>9,.0f} rows/s  (its primary key and indexes)")
    for fd in r["feeds"]:
        print(f"  ratio upload (1 in {fd['match_one_in']}) / raw COPY into campaign_record: "
              f"{fd['records_per_s'] / r['copy_indexed_per_s']:.2f}")
    print(f"  control peak RSS {r['rss_peak_mib']:.1f} MiB (idle {r['idle_rss_mib']:.1f} MiB)")


if __name__ == "__main__":
    main()
