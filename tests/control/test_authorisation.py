"""control: who may do what. Every route of control's table against every
kind of token: the allowed scopes get past authorisation (their answer may
be 404 or 422 on these empty requests, never 401/403), every other token gets
403 and no token 401, with problem+json. Only udk:feed uploads feeds; only
caseworkers decide sanctions and read personal data."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import controltest  # noqa: E402
from controltest import jctest  # noqa: E402

TOKENS = [None, "caseworker", "admin", "portal", "udk:feed", "akasse:3F"]
IDS = {"{campaign_id}": "UDK-X", "{feed_id}": "F-X", "{control_case_id}": "00000000-0000-4000-8000-000000000001",
       "{proposal_id}": "00000000-0000-4000-8000-000000000002", "{case_id}": "00000000-0000-4000-8000-000000000003",
       "{report_id}": "00000000-0000-4000-8000-000000000004", "{course_id}": "00000000-0000-4000-8000-000000000005"}


class AuthorisationTest(controltest.ControlTest):

    def test_every_route_against_every_token(self):
        out = subprocess.run([os.path.join(jctest.BUILD, "services", "control", "jc-control"), "--print-routes"],
                             capture_output=True, text=True, check=True).stdout
        routes = [line.split() for line in out.splitlines()]
        self.assertGreaterEqual(len(routes), 25)
        before = self.counts()
        checked = 0
        for method, pattern, scope, name in routes:
            allowed = scope.split("|")
            path = pattern
            for k, v in IDS.items():
                path = path.replace(k, v)
            for tok in TOKENS:
                kw = {}
                if method in ("POST", "PUT"):
                    kw = {"raw": b"", "headers": dict(controltest.NDJSON) if name == "feed_upload"
                          else {"Content-Type": "application/json"}}
                    if name != "feed_upload":
                        kw["raw"] = b"{}"
                r = self.control.call(method, path, scope=tok, **kw)
                what = f"{method} {path} with {tok}: {r}"
                if tok is None:
                    self.assertEqual(r.status, 401, what)
                    self.assertIn("Bearer", r.headers.get("www-authenticate", ""), what)
                elif tok in allowed:
                    self.assertNotIn(r.status, (401, 403), what)
                else:
                    self.assertEqual(r.status, 403, what)
                if r.status >= 400:
                    self.assertEqual(r.headers.get("content-type"), "application/problem+json", what)
                checked += 1
        # Nothing was stored by any of them (the sweep may run; it changes nothing here).
        self.assertEqual(self.counts(), before)
        print(f"\n  {checked} route/token pairs", file=sys.stderr)


if __name__ == "__main__":
    jctest.main()
