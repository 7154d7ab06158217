"""Hostile HTTP against every service: oversized bodies, a slowloris sender,
deeply nested JSON, invalid UTF-8, SQL-looking strings, path tricks, huge
headers and query strings. Each gets a clear 4xx (never a 5xx, never a
hang), nothing is stored (every table of every service schema counted
before and after), and while a slow client holds every connection it may,
the service goes on serving others. Every POST/PUT route of every service is fed each
body (route tables from the binaries, so new routes are covered)."""
import glob
import http.client
import os
import socket
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import jctest  # noqa: E402

TOKENS = ["admin", "caseworker", "udk:feed", "akasse:3F", "portal"]
TIMEOUT_S = 3      # JC_HTTP_TIMEOUT_S for the services under test
PER_IP = 6         # JC_HTTP_MAX_CONNECTIONS_PER_IP


def services():
    return sorted(os.path.basename(os.path.dirname(p))
                  for p in glob.glob(os.path.join(jctest.ROOT, "services", "*", "CMakeLists.txt")))


def routes(name):
    out = subprocess.run([os.path.join(jctest.BUILD, "services", name, f"jc-{name}"), "--print-routes"],
                         capture_output=True, text=True, check=True).stdout
    return [tuple(line.split()) for line in out.splitlines() if line.strip()]


def body_types(name):
    """(method, path) -> the request content types the service's OpenAPI
    document gives the operation (empty: it takes no body and ignores one,
    so the answer must still be no 5xx and nothing stored)."""
    import yaml
    with open(os.path.join(jctest.ROOT, "schemas", "api", f"{name}.openapi.yaml")) as f:
        doc = yaml.safe_load(f)
    return {(m.upper(), p): set(op.get("requestBody", {}).get("content", {}))
            for p, ops in doc["paths"].items() for m, op in ops.items() if isinstance(op, dict)}


def fill(path):
    return "/".join(str(uuid.uuid4()) if p.startswith("{") else p for p in path.split("/"))


def scope_for(expr):
    for alt in expr.split("|"):
        if alt == "akasse:*":
            return "akasse:3F"
        if alt in TOKENS:
            return alt
    return None


def raw(port, data, read_timeout=10):
    """Sends raw bytes; returns the status code (0 when the server closed without one)."""
    with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as s:
        s.sendall(data)
        try:
            head = s.recv(64)
        except (ConnectionResetError, socket.timeout):
            return 0
    parts = head.split(b" ")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def alive(s):
    """1 when the server has not closed or reset the connection."""
    import select
    readable, _, _ = select.select([s], [], [], 0)
    if not readable:
        return True
    try:
        return s.recv(1, socket.MSG_PEEK) != b""
    except OSError:
        return False


BODIES = [
    # (what, bytes, content type, acceptable statuses)
    ("oversized", b'{"x":"' + b"a" * 200_000 + b'"}', "application/json", {413}),
    ("deep nesting", b"[" * 100_000 + b"]" * 100_000, "application/json", {400, 413}),
    ("deep object nesting", b'{"a":' * 5000 + b"1" + b"}" * 5000, "application/json", {400, 413}),
    ("invalid UTF-8", b'{"name":"\xff\xfe\xfd"}', "application/json", {400}),
    ("NUL in a string", b'{"name":"a\\u0000b"}', "application/json", {400, 404, 409, 415, 422}),
    ("SQL-looking strings", b'{"cpr":"0101901234\'; DROP TABLE citizen;--","name":"x\' OR 1=1 --",'
                            b'"target_group":"a-dagpenge\' --","reason":"1; DELETE FROM outbox"}',
     "application/json", {400, 404, 409, 415, 422}),
    ("not JSON", b"<xml/>", "application/json", {400}),
    ("wrong type", b"{}", "text/plain", {400, 404, 415, 422}),
]


class HostileHttpTest(jctest.PlatformTest):

    def slow_senders(self, name, svc):
        """Slowloris: a client stalls half-way through its headers on as many
        connections as it may hold. Each is cut off after JC_HTTP_TIMEOUT_S of
        silence; one more connection from it is refused (per-IP limit); another
        client is served all along. (A sender trickling a byte at a time is not
        idle: cutting it off by a total header deadline is the ingress's job,
        see deploy/.)"""
        problems = []
        held = []
        # Connections of the earlier requests may still count for a moment: keep opening
        # until PER_IP are held open by the server.
        deadline = time.time() + 15 * jctest.SLOW
        while len(held) < PER_IP and time.time() < deadline:
            s = socket.create_connection(("127.0.0.1", svc.port), timeout=20)
            s.sendall(b"POST /v1/x HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            time.sleep(0.1)
            if alive(s):
                held.append(s)
            else:
                s.close()
                time.sleep(0.3)
        if len(held) < PER_IP:
            return [f"{name}: could not hold {PER_IP} connections (got {len(held)})"]
        # the server registers the held connections as it accepts them (under load, a moment
        # later); a byte on each keeps them from the idle timeout meanwhile
        refused = False
        for _ in range(10):
            time.sleep(0.3)
            for s in held:
                if alive(s):
                    s.sendall(b"x")
            if raw(svc.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", read_timeout=5) != 200:
                refused = True
                break
        if not refused:
            problems.append(f"{name}: a {PER_IP + 1}th connection from one client was served")
        other = http.client.HTTPConnection("127.0.0.1", svc.port, timeout=10, source_address=("127.0.0.2", 0))
        other.request("GET", "/healthz")
        if other.getresponse().status != 200:
            problems.append(f"{name}: another client was not served while one held {PER_IP} connections")
        other.close()
        t0 = time.time()
        for s in held:
            try:
                s.settimeout(max(0.1, TIMEOUT_S * 3 * jctest.SLOW - (time.time() - t0)))
                cut = s.recv(1) == b""
            except ConnectionResetError:
                cut = True
            except socket.timeout:
                cut = False
            s.close()
            if not cut:
                problems.append(f"{name}: a stalled sender was not cut off after {TIMEOUT_S} s")
                break
        return problems

    def counts(self, names):
        out = {}
        for n in names:
            for (t,) in self.p.stack.sql("SELECT table_name FROM information_schema.tables"
                                         " WHERE table_schema = %s AND table_type = 'BASE TABLE'", (n,)):
                out[f"{n}.{t}"] = self.p.stack.scalar(f'SELECT count(*) FROM {n}."{t}"')
        return out

    def test_every_service_refuses_hostile_requests_and_keeps_serving(self):
        names = services()
        env = {"JC_HTTP_TIMEOUT_S": str(TIMEOUT_S), "JC_HTTP_MAX_CONNECTIONS_PER_IP": str(PER_IP),
               "JC_SWEEP_INTERVAL_S": "0"}
        running = {n: self.p.service(n, env=env) for n in names}
        time.sleep(1)
        before = self.counts(names)
        failures = []
        for name, svc in running.items():
            types = body_types(name)
            for method, path, expr, op in routes(name):
                if method not in ("POST", "PUT"):
                    continue
                token = self.p.token(scope_for(expr)) if scope_for(expr) else None
                for what, body, ctype, ok in BODIES:
                    accepted = types.get((method, path), set())
                    if not accepted and what != "oversized":
                        ok = set(range(200, 500))    # the body is ignored
                    elif accepted and "application/json" not in accepted:
                        ok = {415}                   # e.g. an NDJSON upload: JSON is the wrong type
                    hdr = (f"{method} {fill(path)} HTTP/1.1\r\nHost: x\r\nContent-Type: {ctype}\r\n"
                           f"Content-Length: {len(body)}\r\nX-Citizen-Ref: {uuid.uuid4()}\r\n"
                           + (f"Authorization: Bearer {token}\r\n" if token else "") + "Connection: close\r\n\r\n")
                    status = raw(svc.port, hdr.encode() + body)
                    if status not in ok:
                        failures.append(f"{name} {method} {path} ({op}) {what}: {status}, want one of {sorted(ok)}")
            # path and query tricks on a protected route, and on the public ones
            tricks = ["/v1/../v1/healthz", "//v1//", "/v1/%2e%2e/%2e%2e/etc/passwd", "/v1/cases/%00",
                      "/healthz/../metrics", "/" + "a" * 8000, "/v1/cases?" + "&".join(f"p{i}=1" for i in range(2000)),
                      "/v1/obligations?list=%27%3BDROP%20TABLE%20obligation%3B--"]
            for t in tricks:
                status = raw(svc.port, f"GET {t} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                # 0: libmicrohttpd answered 431 for a request bigger than the connection's
                # memory and closed at once, so the client may see only the close
                if not 400 <= status < 500 and not (status == 0 and len(t) > 4000):
                    failures.append(f"{name} GET {t[:60]}: {status}, want a 4xx")
            status = raw(svc.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n")
            if status not in (0, 400, 413, 431):
                failures.append(f"{name}: a 200 kB header answered {status}")
            status = raw(svc.port, b"BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            if not 400 <= status < 500:
                failures.append(f"{name}: an unknown method answered {status}")
            failures += self.slow_senders(name, svc)
        after = self.counts(names)
        changed = {k: (before[k], after.get(k)) for k in before if before[k] != after.get(k)}
        self.assertEqual(failures, [], f"{len(failures)} hostile requests handled wrongly:\n" + "\n".join(failures))
        self.assertEqual(changed, {}, "hostile requests stored something")
        for name, svc in running.items():
            self.assertEqual(jctest.http("GET", svc.port, "/healthz").status, 200, name)


if __name__ == "__main__":
    jctest.main()
