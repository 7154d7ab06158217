"""`make run` as a person uses it: scripts/run.sh starts the stack and every
built service, loads the synthetic municipality through the public APIs with a
progress line, prints where to look, and Ctrl-C (SIGINT) stops every process
it started. Run beside anything else on its own folder and ports
(JC_RUN_DIR, JC_RUN_PORT_BASE) with a small share of the municipality."""
import os
import random
import signal
import socket
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import jctest  # noqa: E402


def free_block(n=5):
    """n consecutive free loopback ports below the ephemeral range."""
    for _ in range(200):
        base = random.randrange(20000, 30000)
        socks = []
        try:
            for p in range(base, base + n):
                s = socket.socket()
                s.bind(("127.0.0.1", p))
                socks.append(s)
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no block of free ports")


def our_processes(marker):
    out = subprocess.run(["pgrep", "-af", marker], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if "pgrep" not in line]


class MakeRunTest(jctest.unittest.TestCase):

    def test_run_loads_the_municipality_and_ctrl_c_stops_everything(self):
        run_dir = os.path.join(jctest.OUT, f"run-{os.getpid()}")
        base = free_block(6) + 1        # the management page takes base - 1
        env = dict(os.environ, JC_RUN_DIR=run_dir, JC_RUN_PORT_BASE=str(base), JC_SEED_SCALE="0.03")
        log_path = os.path.join(jctest.OUT, f"run-{os.getpid()}.log")
        os.makedirs(jctest.OUT, exist_ok=True)
        with open(log_path, "w") as log:
            proc = subprocess.Popen([os.path.join(jctest.ROOT, "scripts", "run.sh"), jctest.BUILD], env=env,
                                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            jctest.wait_until(lambda: "jobcenter is running" in open(log_path).read() or proc.poll() is not None,
                              240 * jctest.SLOW, "make run to finish starting and loading")
            text = open(log_path).read()
            self.assertIsNone(proc.poll(), text[-3000:])
            self.assertRegex(text, r"seed: cases (\d+)/\1")            # the progress line, finished
            tokens = dict(line.split() for line in open(os.path.join(run_dir, "tokens.txt")))
            r = jctest.http("GET", base, "/v1/cases?limit=200", token=tokens["caseworker"])
            self.assertEqual(r.status, 200, r)
            self.assertGreaterEqual(len(r.json["items"]), 60)
            groups = {c["target_group"] for c in r.json["items"]}
            self.assertIn("a-dagpenge", groups)
            self.assertIn("sygedagpenge-beskaeftiget", groups)
            r = jctest.http("GET", base, "/v1/caseworkers", token=tokens["caseworker"])
            self.assertGreaterEqual(len(r.json["items"]), 5)
            self.assertTrue(all(c["open_cases"] > 0 for c in r.json["items"] if c["active"]))
            m = jctest.http("GET", base + 1, "/v1/measures/timeliness?target_group=sygedagpenge-beskaeftiget"
                                             "&window=all", token=tokens["caseworker"]).json
            self.assertGreater(m["population"], 0, m)
            self.assertLess(m["short_of_required"], m["population"])   # meetings were held
            self.assertIn(f"management: http://127.0.0.1:{base - 1}/", text)
            page = jctest.http("GET", base - 1, "/")
            self.assertEqual(page.status, 200)
            self.assertIn("ledelsesoverblik", page.body)
            via = jctest.http("GET", base - 1, "/api/caseworkers")
            self.assertEqual((via.status, len(via.json["items"])), (200, len(r.json["items"])))
            # no CPR number in any service log line (the banner's example is not a log line)
            leaks = [m for line in text.splitlines() if line.startswith("{") for m in jctest.cpr_shaped(line)]
            self.assertEqual(leaks, [])
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)      # Ctrl-C
            try:
                rc = proc.wait(90 * jctest.SLOW)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                rc = None
            left = our_processes(run_dir) + our_processes(f"JC_HTTP_PORT={base}")
            ports_open = []
            for p in range(base - 1, base + 5):
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", p)) == 0:
                        ports_open.append(p)
        self.assertEqual(rc, 130, open(log_path).read()[-2000:])
        self.assertIn("run: stopped", open(log_path).read())
        self.assertEqual(left, [], "processes left running after Ctrl-C")
        self.assertEqual(ports_open, [], "service ports still answering after Ctrl-C")
        self.assertFalse(os.path.exists(os.path.join(run_dir, "pg")), "the throw-away stack was not deleted")


if __name__ == "__main__":
    jctest.main()
