"""Benchmark: a-kasse handovers per second through POST /v1/handovers, with
p50/p99 latency, at several concurrencies, next to pgbench running the same
transaction's SQL (the statements intake runs for one handover, one round
trip each) at the same concurrency in the same run. Distribution is on
(five caseworkers take a-dagpenge), and the relay publishes alongside.
Prints a table and writes bench/out/intake.json."""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "lib"))
import jctest  # noqa: E402

N = int(os.environ.get("JC_BENCH_HANDOVERS", "4000"))
LEVELS = [int(x) for x in os.environ.get("JC_BENCH_CONCURRENCY", "4,16,64").split(",")]
OUT = os.path.join(jctest.ROOT, "bench", "out")

# One handover, as intake does it (handover.c, case_store.c, distribution.c):
HANDOVER_TXN = """\
SELECT nextval('intake.bench_seq') AS n \\gset
BEGIN;
SELECT name FROM intake.akasse WHERE code = '3F' AND active;
INSERT INTO intake.idempotency (scope, idem_key, request_hash) VALUES ('handover:3F', 'pg-' || :n, md5(:n::text)) ON CONFLICT DO NOTHING;
INSERT INTO intake.citizen (citizen_ref, cpr, name, digital_post, email, phone) VALUES (gen_random_uuid(), lpad(:n::text, 10, '0'), 'Bench Person', true, 'x@example.org', NULL) ON CONFLICT (cpr) DO UPDATE SET name = EXCLUDED.name, digital_post = EXCLUDED.digital_post, email = EXCLUDED.email, phone = EXCLUDED.phone, updated_at = now() RETURNING citizen_ref \\gset
INSERT INTO intake.outbox (event_id, event_type, topic, msg_key, payload, headers) VALUES (gen_random_uuid()::text, 'citizen.upserted.v1', 'jobcenter.citizen.v1', convert_to(:citizen_ref::text, 'UTF8'), convert_to(repeat('x', 450), 'UTF8'), '[["ce_type","x"],["ce_id","y"],["ce_source","z"],["content-type","a"],["ce_specversion","1.0"]]');
INSERT INTO intake.case_file (case_id, citizen_ref, target_group, start_date, visitation, origin) VALUES (gen_random_uuid(), :citizen_ref::uuid, 'a-dagpenge', '2026-01-05', 'jobparat', 'akasse-handover') ON CONFLICT DO NOTHING RETURNING case_id \\gset
SELECT c.caseworker_id, c.team_id FROM intake.caseworker c WHERE c.active AND 'a-dagpenge' = ANY (c.target_groups) ORDER BY (SELECT COALESCE(sum(l.open_cases::numeric / n.norm), 0) FROM intake.caseworker_load l JOIN intake.caseload_norm n USING (target_group) WHERE l.caseworker_id = c.caseworker_id), random() LIMIT 1 FOR UPDATE OF c SKIP LOCKED \\gset
UPDATE intake.case_file SET caseworker_id = :caseworker_id, assigned_at = now() WHERE case_id = :case_id::uuid;
INSERT INTO intake.case_change (case_id, change, detail, principal) VALUES (:case_id::uuid, 'case.opened.v1', '{"case_id":"x","origin":"akasse-handover","handover":{"contact_history":[1,2,3]}}', 'bench');
INSERT INTO intake.outbox (event_id, event_type, topic, msg_key, payload, headers) VALUES (gen_random_uuid()::text, 'case.opened.v1', 'jobcenter.case.v1', convert_to(:case_id::text, 'UTF8'), convert_to(repeat('x', 1100), 'UTF8'), '[["ce_type","x"],["ce_id","y"],["ce_source","z"],["content-type","a"],["ce_specversion","1.0"]]');
INSERT INTO intake.handover (akasse, handover_id, request_hash, case_id, citizen_ref, unemployed_since, handover_date, cv_on_jobnet, availability_concerns, received_via, response) VALUES ('3F', 'pg-' || :n, md5(:n::text), :case_id::uuid, :citizen_ref::uuid, '2026-01-05', '2026-04-06', true, false, 'http', '{"handover_id":"x","status":"accepted"}');
INSERT INTO intake.handover_contact (akasse, handover_id, ordinal, held_on, kind, channel) SELECT '3F', 'pg-' || :n, o, d, k, c FROM unnest('{1,2,3}'::int[], '{2026-01-12,2026-02-16,2026-03-30}'::date[], '{individual,individual,individual}'::text[], '{in_person,NULL,NULL}'::text[]) AS t(o, d, k, c);
UPDATE intake.idempotency SET status = 201, response = '{"handover_id":"x","status":"accepted"}' WHERE scope = 'handover:3F' AND idem_key = 'pg-' || :n;
COMMIT;
"""


def main():
    os.makedirs(OUT, exist_ok=True)
    results = {"handovers_per_level": N, "levels": []}
    with jctest.Platform("bench.intake") as p:
        p.checks = False
        st = p.stack
        intake = p.service("intake", env={"JC_LOG_LEVEL": "warn", "JC_DB_POOL_SIZE": "32",
                                          "JC_HTTP_MAX_CONNECTIONS_PER_IP": "256"})
        intake.call("PUT", "/v1/teams/job", body={"name": "Job"}, scope="admin")
        for i in range(5):
            intake.call("PUT", f"/v1/caseworkers/cw-{i}", scope="admin",
                        body={"name": f"cw {i}", "team_id": "job", "target_groups": ["a-dagpenge"]})
        sample = p.handover(contacts=3)
        tmpl = dict(sample, handover_id="bench-{{uuid}}", cpr="{{cpr}}", name="{{name}}")
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(tmpl, f)
            tmpl_path = f.name
        load = os.path.join(jctest.BUILD, "bench", "bench-http-load")
        token = p.token("akasse:3F")

        def run(conc, n):
            out = subprocess.run([load, str(intake.port), "POST", "/v1/handovers", token, str(conc), str(n),
                                  tmpl_path], capture_output=True, text=True, check=True)
            return json.loads(out.stdout)

        run(4, 300)  # warm up connections, caches, the pool
        for conc in LEVELS:
            print(f"bench: {N} handovers at concurrency {conc} ...", file=sys.stderr)
            r = run(conc, N)
            results["levels"].append(r)
        os.unlink(tmpl_path)
        cases = st.scalar("SELECT count(*) FROM intake.case_file")

        st.sql("CREATE SEQUENCE intake.bench_seq")
        script = os.path.join(st.dir, "handover.sql")
        with open(script, "w") as f:
            f.write(HANDOVER_TXN)
        best = max(results["levels"], key=lambda r: r["per_s"])
        conc = best["concurrency"]
        print(f"bench: pgbench, the handover transaction, {conc} clients ...", file=sys.stderr)
        out = subprocess.run([os.path.join(st.env["JC_PG_BINDIR"], "pgbench"), "-n", "-M", "prepared",
                              "-c", str(conc), "-j", "2", "-T", "15", "-f", script,
                              st.env["JC_PG_SUPERUSER_URL"]], capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(f"pgbench failed:\n{out.stdout}\n{out.stderr}")
        tps = float(re.search(r"tps = ([0-9.]+)", out.stdout).group(1))
        lat = re.search(r"latency average = ([0-9.]+) ms", out.stdout)
        results["pgbench_tps"] = tps
        results["pgbench_latency_avg_ms"] = float(lat.group(1)) if lat else None
        results["cases_created"] = cases
        results["ratio"] = best["per_s"] / tps

    with open(os.path.join(OUT, "intake.json"), "w") as f:
        json.dump(results, f, indent=2)
    print(f"\nPOST /v1/handovers ({os.cpu_count()} CPUs; {cases} cases created; distribution and relay on)")
    print("  concurrency   handovers/s   p50 ms   p90 ms   p99 ms   max ms   non-2xx")
    for r in results["levels"]:
        print(f"  {r['concurrency']:>11}   {r['per_s']:>11,.0f}   {r['p50_ms']:>6.1f}   {r['p90_ms']:>6.1f}"
              f"   {r['p99_ms']:>6.1f}   {r['max_ms']:>6.1f}   {r['status_4xx'] + r['status_5xx'] + r['failed']:>7}")
    print(f"  pgbench, same transaction's SQL, {best['concurrency']} clients: {results['pgbench_tps']:,.0f} tps"
          f" (avg {results['pgbench_latency_avg_ms']} ms)")
    print(f"  ratio HTTP / pgbench: {results['ratio']:.2f}")


if __name__ == "__main__":
    main()
