"""The soak benchmark's short run in the test suite (bench/soak.py, 20 s at
5 handovers/s with a booking each): every service stays up, nothing fails,
and when the load stops every outbox drains and every consumer catches up;
the harness's end-of-test checks (schemas, personal data, clean exits) on.
Memory and lag trends are the benchmark's numbers (30 minutes by hand), not
asserted here."""
import importlib.util
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import jctest  # noqa: E402


class SoakShortTest(jctest.unittest.TestCase):

    def test_short_soak_runs_clean_and_drains(self):
        os.environ.setdefault("JC_SOAK_SECONDS", "20")
        os.environ.setdefault("JC_SOAK_RATE", "5")
        os.environ.setdefault("JC_SOAK_SAMPLE_S", "5")
        spec = importlib.util.spec_from_file_location("soak", os.path.join(jctest.ROOT, "bench", "soak.py"))
        soak = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(soak)
        report = soak.main(checks=True)
        self.assertEqual(report["errors"], 0)
        self.assertEqual(report["not_offered_behind"], 0)   # the platform kept up with the offered load
        self.assertGreaterEqual(report["handovers"], 0.8 * soak.SECONDS * soak.RATE)
        self.assertIn("intake", report["services"])
        for name, r in report["services"].items():
            self.assertTrue(r["alive"], name)
            self.assertEqual((r["end_outbox_pending"], r["end_consumer_lag"]), (0, 0), name)


if __name__ == "__main__":
    jctest.main()
