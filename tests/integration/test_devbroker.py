"""devbroker: the catalogue's topics over the Kafka protocol, fault injection,
and detection of auto-created (misspelt) topics; jc-topics against it."""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import jctest  # noqa: E402


class DevbrokerTest(unittest.TestCase):

    def setUp(self):
        self.stack = jctest.Stack("devbroker").start()

    def tearDown(self):
        self.stack.stop()

    def topics(self):
        line = self.stack.broker("topics")
        parts = line.split()[1:]
        unexpected = [p for p in parts if p.startswith("unexpected=")][0].split("=", 1)[1]
        found = dict(p.rsplit(":", 1) for p in parts if not p.startswith("unexpected="))
        return {k: int(v) for k, v in found.items()}, [u for u in unexpected.split(",") if u]

    def jc_topics(self, *args):
        return subprocess.run([os.path.join(jctest.BUILD, "tools", "topics", "jc-topics"), *args],
                              capture_output=True, text=True,
                              env=dict(os.environ, JC_KAFKA_BOOTSTRAP=self.stack.bootstrap))

    def test_catalogue_topics_and_typo_detection(self):
        found, unexpected = self.topics()
        self.assertEqual(unexpected, [])
        for name, meta in jctest.CATALOGUE.items():
            self.assertEqual(found.get(name), meta["partitions"], name)
        ok = self.jc_topics("check")
        self.assertEqual(ok.returncode, 0, ok.stderr)
        self.assertEqual(ok.stdout.count("ok "), len(jctest.CATALOGUE))

        # A misspelt topic is silently auto-created by the mock: both tools say so.
        self.stack.produce("jobcenter.cases.v1", b"typo")
        found, unexpected = self.topics()
        self.assertEqual(unexpected, ["jobcenter.cases.v1"])
        self.assertIn("unexpected jobcenter.cases.v1", self.jc_topics("check").stdout)

    def test_fault_injection_commands(self):
        self.assertEqual(self.stack.broker("ping"), "OK pong")
        self.assertEqual(self.stack.broker("bootstrap"), "OK " + self.stack.bootstrap)
        self.stack.broker("error Produce NOT_LEADER_FOR_PARTITION 3")
        self.stack.produce("jobcenter.case.v1", b"after errors", key=b"k")  # retried, delivered
        self.assertEqual(len(self.stack.read_topic("jobcenter.case.v1")), 1)
        self.stack.broker("down 2")
        self.stack.broker("up 2")
        self.stack.broker("rtt all 0")
        with self.assertRaises(AssertionError) as cm:
            self.stack.broker("reboot now")
        self.assertIn("ERR unrecognized command: reboot", str(cm.exception))
        with self.assertRaises(AssertionError):
            self.stack.broker("error NoSuchApi NOT_LEADER_FOR_PARTITION")
        self.assertEqual(self.jc_topics("list").returncode, 0)
        self.assertEqual(self.jc_topics("frobnicate").returncode, 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
