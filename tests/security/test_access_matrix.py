"""Every endpoint of every service × every kind of token: no token → 401,
a token without the route's scope → 403, a token with it → neither (the
request reaches the handler, which may still answer 404 or 422 for the
made-up ids and empty bodies used here). The route tables come from the
binaries themselves (`--print-routes`), so a new route is covered the day it
is added. Also: the health endpoints are public, and no token appears in any
log (the end-of-test checks scan every log line for the test tokens)."""
import glob
import os
import subprocess
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import jctest  # noqa: E402

# One token per kind the platform hands out; akasse:FOA stands for "another a-kasse".
KINDS = [None, "caseworker", "admin", "portal", "udk:feed", "akasse:3F", "akasse:FOA"]
PUBLIC = ["/healthz", "/readyz", "/metrics"]


def services():
    return sorted(os.path.basename(os.path.dirname(p))
                  for p in glob.glob(os.path.join(jctest.ROOT, "services", "*", "CMakeLists.txt")))


def routes(name):
    out = subprocess.run([os.path.join(jctest.BUILD, "services", name, f"jc-{name}"), "--print-routes"],
                         capture_output=True, text=True, check=True).stdout
    return [tuple(line.split()) for line in out.splitlines() if line.strip()]


def allows(expr, kind):
    """The framework's rule: alternatives separated by |; akasse:* is any a-kasse."""
    if kind is None:
        return False
    for alt in expr.split("|"):
        if alt == kind or (alt == "akasse:*" and kind.startswith("akasse:")):
            return True
    return False


def concrete(path):
    """Fills {params}: ids the services have never seen (UUIDs or plain ids)."""
    out = []
    for part in path.split("/"):
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1]
            out.append(str(uuid.uuid4()) if name.endswith(("_id", "_ref")) and name not in (
                "caseworker_id", "team_id", "handover_id", "campaign_id") else "x-unknown-1")
        else:
            out.append(part)
    return "/".join(out)


class AccessMatrixTest(jctest.PlatformTest):

    def test_every_route_with_every_kind_of_token(self):
        names = services()
        self.assertGreaterEqual(len(names), 2)
        running = {n: self.p.service(n, env={"JC_SWEEP_INTERVAL_S": "0"}) for n in names}
        failures, checked = [], 0
        citizen = str(uuid.uuid4())
        for name, svc in running.items():
            table = routes(name)
            self.assertTrue(table, f"{name} printed no routes")
            for path in PUBLIC:
                r = svc.call("GET", path)
                if r.status not in (200, 503):
                    failures.append(f"{name} GET {path} without a token: {r.status}")
            for method, path, expr, op in table:
                url = concrete(path)
                body = {} if method in ("POST", "PUT", "PATCH") else None
                for kind in KINDS:
                    headers = {"X-Citizen-Ref": citizen}
                    r = svc.call(method, url, body=body, scope=kind, headers=headers)
                    checked += 1
                    if kind is None:
                        ok = r.status == 401
                        want = "401"
                    elif allows(expr, kind):
                        ok = r.status not in (401, 403)
                        want = "neither 401 nor 403"
                    else:
                        ok = r.status == 403
                        want = "403"
                    if not ok:
                        failures.append(f"{name} {method} {path} ({op}, scope {expr}) as {kind}: "
                                        f"{r.status}, want {want}")
                    elif r.status in (401, 403) and "application/problem+json" not in r.headers.get(
                            "content-type", ""):
                        failures.append(f"{name} {method} {path} as {kind}: {r.status} is not problem+json")
        self.assertEqual(failures, [], f"{len(failures)} of {checked} checks failed")
        self.assertGreater(checked, 100)


if __name__ == "__main__":
    jctest.main()
