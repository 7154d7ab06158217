"""Integration-test harness for jobcenter.

Every test gets its own throw-away stack (PostgreSQL cluster + devbroker, via
scripts/stack.sh) and runs the real service binaries against it: HTTP over
loopback, the Kafka protocol over TCP (confluent-kafka), PostgreSQL (psycopg2).
Nothing is mocked.

When a Platform closes it also checks, for everything the test produced:
  * every message on every topic is a valid event (envelope + data schema from
    schemas/events/, with no undeclared fields);
  * no CPR number (any CPR-shaped string, and every synthetic CPR the test
    used) and no citizen name appears in a log line, on a topic that the
    catalogue does not mark as personal data, or in a dead letter;
  * every service exits cleanly on SIGTERM (and, in the sanitizer build, with
    no AddressSanitizer/UBSan/LeakSanitizer report).
"""

import ctypes
import datetime
import hashlib
import http.client as httplib
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import unittest
import uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("JC_BUILD_DIR", os.path.join(ROOT, "build"))
SANITIZED = os.environ.get("JC_SANITIZE", "OFF").upper() in ("ON", "1", "TRUE")
OUT = os.path.join(ROOT, "tests", "out")
SCHEMAS = os.path.join(ROOT, "schemas", "events")
SERVICES = ("intake", "scheduling", "offers", "control", "notifications")
# Deadlines are longer under the sanitizers (everything runs 2-5x slower).
SLOW = 3.0 if SANITIZED else 1.0

with open(os.path.join(SCHEMAS, "topics.json")) as f:
    CATALOGUE = {t["name"]: t for t in json.load(f)["topics"]}


def add_months(d, n):
    """d + n months, clamped to the month's end (the platform's rule)."""
    import calendar
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    return datetime.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_until(cond, timeout, what, interval=0.1):
    """Polls cond() until it returns a truthy value or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout * SLOW
    last = None
    while time.monotonic() < deadline:
        last = cond()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout * SLOW:.0f} s waiting for {what} (last: {last!r})")


def _set_pdeathsig():
    # If the test process dies, the kernel kills the service too.
    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)
    except OSError:
        pass


# ---------------------------------------------------------------- synthetic data

def synthetic_cpr(rng=random):
    """A CPR number valid in form (real date of birth, century digit), never
    checked against modulus 11. Born 1940-1999 (7th digit 0-3)."""
    while True:
        d = datetime.date(rng.randint(1940, 1999), rng.randint(1, 12), rng.randint(1, 28))
        serial = f"{rng.randint(0, 3)}{rng.randint(0, 999):03d}"
        return d.strftime("%d%m%y") + serial


FIRST = ["Anna", "Mads", "Fatima", "Jonas", "Sofie", "Ali", "Ida", "Lars", "Mette", "Omar"]
LAST = ["Testesen", "Prøvesen", "Eksempelsen", "Fiktivsen", "Demosen"]


def synthetic_name(rng=random):
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}{rng.randint(100, 999)}"


CPR_RE = re.compile(r"(?<![0-9A-Za-z])(\d{2})(\d{2})(\d{2})-?(\d{4})(?![0-9A-Za-z])")


def cpr_shaped(text):
    """CPR-shaped substrings: 10 digits (optional hyphen after 6) whose first
    six are a real date, not part of a longer alphanumeric token."""
    found = []
    for m in CPR_RE.finditer(text):
        dd, mm = int(m.group(1)), int(m.group(2))
        if 1 <= dd <= 31 and 1 <= mm <= 12:
            found.append(m.group(0))
    return found


# ---------------------------------------------------------------- HTTP

class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def __repr__(self):
        return f"<Response {self.status} {self.body[:300]!r}>"


def http(method, port, path, body=None, token=None, headers=None, raw=None, timeout=30):
    """One HTTP request on loopback. `body` is JSON-encoded; `raw` is sent as is."""
    conn = httplib.HTTPConnection("127.0.0.1", port, timeout=timeout * SLOW)
    hdrs = dict(headers or {})
    data = raw
    if body is not None:
        data = json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    if token:
        hdrs["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=data, headers=hdrs)
        r = conn.getresponse()
        return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode("utf-8", "replace"))
    finally:
        conn.close()


# ---------------------------------------------------------------- the stack

class Stack:
    """A throw-away PostgreSQL cluster + devbroker in tests/out/stacks/<name>."""

    def __init__(self, name):
        self.dir = os.path.join(OUT, "stacks", f"{name}-{os.getpid()}-{secrets.token_hex(3)}")
        self.env = {}
        # (topic, value) of what the test itself produced (possibly malformed on
        # purpose): exempt from schema validation, not from the personal-data scan.
        self.injected = set()

    def start(self):
        os.makedirs(os.path.dirname(self.dir), exist_ok=True)
        env = dict(os.environ, JC_BUILD_DIR=BUILD)
        subprocess.run([os.path.join(ROOT, "scripts", "stack.sh"), "start", self.dir],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(self.dir, "env")) as f:
            for line in f:
                k, _, v = line.strip().partition("=")
                self.env[k] = v
        return self

    def stop(self):
        subprocess.run([os.path.join(ROOT, "scripts", "stack.sh"), "stop", self.dir],
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def _stack(self, cmd):
        subprocess.run([os.path.join(ROOT, "scripts", "stack.sh"), cmd, self.dir], check=True,
                       stdout=subprocess.DEVNULL)

    def pg_restart(self):
        self._stack("pg-restart")

    def pg_stop(self):
        self._stack("pg-stop")

    def pg_start(self):
        self._stack("pg-start")

    @property
    def bootstrap(self):
        return self.env["JC_KAFKA_BOOTSTRAP"]

    def db_url(self, service):
        return self.env[f"JC_DB_URL_{service.upper()}"]

    # -- SQL as the superuser (tests inspect every schema)
    def sql(self, query, params=(), role_url=None):
        import psycopg2
        conn = psycopg2.connect(role_url or self.env["JC_PG_SUPERUSER_URL"], connect_timeout=10)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(query, params)
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()

    def scalar(self, query, params=()):
        rows = self.sql(query, params)
        return rows[0][0] if rows else None

    # -- devbroker fault injection
    def broker(self, command):
        host, port = self.env["JC_DEVBROKER_CONTROL"].rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=10) as s:
            s.sendall((command + "\n").encode())
            reply = b""
            while not reply.endswith(b"\n"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
        line = reply.decode().strip()
        if not line.startswith("OK"):
            raise AssertionError(f"devbroker refused {command!r}: {line}")
        return line

    # -- Kafka
    def read_topic(self, topic, timeout=20):
        """Every message now on `topic`, in partition/offset order, as dicts."""
        from confluent_kafka import Consumer, TopicPartition
        c = Consumer({"bootstrap.servers": self.bootstrap, "group.id": "jctest-" + uuid.uuid4().hex,
                      "enable.auto.commit": False, "auto.offset.reset": "earliest",
                      "enable.partition.eof": False})
        try:
            md = c.list_topics(topic, timeout=10)
            ends, assign = {}, []
            for p in md.topics[topic].partitions:
                lo, hi = c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
                if hi > lo:
                    ends[p] = hi
                    assign.append(TopicPartition(topic, p, lo))
            out = []
            if not assign:
                return out
            c.assign(assign)
            deadline = time.monotonic() + timeout * SLOW
            while ends and time.monotonic() < deadline:
                m = c.poll(0.5)
                if m is None or m.error():
                    continue
                out.append({"topic": topic, "partition": m.partition(), "offset": m.offset(),
                            "key": m.key(), "value": m.value(),
                            "headers": {k: (v.decode() if v is not None else None) for k, v in (m.headers() or [])}})
                if m.offset() + 1 >= ends.get(m.partition(), 0):
                    ends.pop(m.partition(), None)
            if ends:
                raise AssertionError(f"could not read all of {topic} within {timeout} s: {ends}")
            out.sort(key=lambda x: (x["partition"], x["offset"]))
            return out
        finally:
            c.close()

    def group_lag(self, group, topic):
        """Messages on `topic` not yet committed by consumer group `group`."""
        from confluent_kafka import Consumer, TopicPartition
        c = Consumer({"bootstrap.servers": self.bootstrap, "group.id": group,
                      "enable.auto.commit": False})
        try:
            parts = c.list_topics(topic, timeout=10).topics[topic].partitions
            tps = [TopicPartition(topic, p) for p in parts]
            committed = {tp.partition: tp.offset for tp in c.committed(tps, timeout=10)}
            lag = 0
            for tp in tps:
                lo, hi = c.get_watermark_offsets(tp, timeout=10)
                done = committed.get(tp.partition, -1)
                lag += hi - (done if done >= 0 else lo)
            return lag
        finally:
            c.close()

    # -- postreceiver: notifications' Digital Post / e-mail / SMS / a-kasse webhooks
    def _postreceiver(self, method, path, raw=None):
        port = int(self.env["JC_POSTRECEIVER_CONTROL"].rsplit(":", 1)[1])
        r = http(method, port, path, raw=raw)
        if r.status != 200:
            raise AssertionError(f"postreceiver {method} {path}: {r}")
        return r.json

    def post_received(self, channel=None, key=None):
        """What postreceiver accepted (deduplicated on Idempotency-Key): records with
        seq, channel, path, key, akasse, at_ms, duplicates and body."""
        q = "&".join(f"{k}={v}" for k, v in (("channel", channel), ("key", key)) if v)
        return self._postreceiver("GET", "/received" + ("?" + q if q else ""))["records"]

    def post_requests(self, channel=None, key=None):
        """Every request postreceiver saw: seq, channel, key, status answered, at_ms."""
        q = "&".join(f"{k}={v}" for k, v in (("channel", channel), ("key", key)) if v)
        return self._postreceiver("GET", "/requests" + ("?" + q if q else ""))["requests"]

    def post_fault(self, command):
        """A postreceiver command: 'fail 503 3 [channel]', 'reject 400 [channel]',
        'slow <ms> [channel]', 'down', 'up', 'clear', 'reset', 'bodies on|off'."""
        return self._postreceiver("POST", "/command", raw=command.encode())

    def produce(self, topic, value, key=None, headers=None):
        from confluent_kafka import Producer
        self.injected.add((topic, value))
        p = Producer({"bootstrap.servers": self.bootstrap, "enable.idempotence": True})
        errors = []
        p.produce(topic, value=value, key=key, headers=headers,
                  on_delivery=lambda err, msg: errors.append(err) if err else None)
        if p.flush(30) != 0 or errors:
            raise AssertionError(f"could not produce to {topic}: {errors}")


    def produce_event(self, topic, short_type, data, source="/jobcenter/test", key=None):
        """Publishes a CloudEvent as jc_emit does (structured JSON, ce_* headers,
        keyed by case_id or citizen_ref) after validating it against its schema,
        so a test can stand in for an upstream service without drifting from
        the contract. Returns the event (dict)."""
        subject = data.get("case_id") or data.get("citizen_ref")
        ev = {"specversion": "1.0", "id": str(uuid.uuid4()), "source": source,
              "type": "dk.jobcenter." + short_type,
              "time": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
              "subject": subject, "partitionkey": subject, "datacontenttype": "application/json",
              "dataschema": "urn:jobcenter:schema:" + short_type, "data": data}
        value = json.dumps(ev).encode()
        validate_event(value)
        headers = [("content-type", b"application/cloudevents+json; charset=UTF-8"),
                   ("ce_specversion", b"1.0"), ("ce_id", ev["id"].encode()),
                   ("ce_type", ev["type"].encode()), ("ce_source", source.encode())]
        self.produce(topic, value, key=(key or subject).encode(), headers=headers)
        self.injected.discard((topic, value))  # valid: checked like any other event
        return ev


# ---------------------------------------------------------------- services

class Service:
    """One service process (or one role of it) against a Stack."""

    def __init__(self, platform, name, roles="http,relay,consumer", env=None, instance=0):
        self.platform = platform
        self.name = name
        self.roles = roles
        self.instance = instance
        self.port = free_port() if "http" in roles else None
        self.extra_env = env or {}
        self.proc = None
        self.starts = 0
        self.log_path = None
        self.log_paths = []  # one per start: the end-of-test scan reads them all

    def env(self):
        st = self.platform.stack
        e = dict(os.environ)
        e.update({
            "JC_DB_URL": st.db_url(self.name),
            "JC_KAFKA_BOOTSTRAP": st.bootstrap,
            "JC_TOKENS_FILE": self.platform.tokens_file,
            "JC_ROLES": self.roles,
            "JC_KAFKA_SESSION_TIMEOUT_MS": "6000",
            "JC_RELAY_POLL_MS": "200",
            "JC_LOG_LEVEL": "info",
            "JC_DB_STARTUP_WAIT_S": "30",
            "JC_AKASSE_KEYS_FILE": self.platform.akasse_keys_file,
        })
        if self.port:
            e["JC_HTTP_PORT"] = str(self.port)
        if self.name == "notifications" and st.env.get("JC_POSTRECEIVER_URL"):
            u = st.env["JC_POSTRECEIVER_URL"]
            e.update({"JC_NOTIFY_DIGITAL_POST_URL": u + "/digital-post/messages",
                      "JC_NOTIFY_EMAIL_URL": u + "/email/messages",
                      "JC_NOTIFY_SMS_URL": u + "/sms/messages",
                      "JC_NOTIFY_AKASSE_WEBHOOKS_FILE": st.env["JC_NOTIFY_AKASSE_WEBHOOKS_FILE"],
                      "JC_NOTIFY_SPOOL_DIR": os.path.join(st.dir, "letters")})
        e.update(self.extra_env)
        # control keeps only a keyed hash of CPR numbers: one key per platform
        if self.name == "control" and not e.get("JC_CPR_HMAC_KEY") and not e.get("JC_CPR_HMAC_KEY_FILE"):
            e["JC_CPR_HMAC_KEY"] = self.platform.cpr_hmac_key
        return e

    def start(self, wait=True):
        self.starts += 1
        self.log_path = os.path.join(self.platform.log_dir,
                                     f"{self.name}-{self.roles.replace(',', '+')}-{self.instance}-{self.starts}.log")
        self.log_paths.append(self.log_path)
        binary = os.path.join(BUILD, "services", self.name, f"jc-{self.name}")
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen([binary], env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, preexec_fn=_set_pdeathsig)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=60):
        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.proc.returncode}; log:\n{self.log_tail()}")
            if self.port:
                try:
                    return http("GET", self.port, "/readyz", timeout=5).status == 200
                except OSError:
                    return False
            return "service started" in self.log_text()
        wait_until(ready, timeout, f"{self.name} ({self.roles}) to be ready")

    def log_text(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def log_tail(self, n=40):
        return "\n".join(self.log_text().splitlines()[-n:])

    def kill(self):
        """kill -9: no chance to flush, commit or clean up."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)

    def stop(self, timeout=60):
        """SIGTERM and wait; returns the problems found (exit code, sanitizer report)."""
        problems = []
        if not self.proc:
            return problems
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout * SLOW)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)
                problems.append(f"{self.name} did not stop within {timeout * SLOW:.0f} s of SIGTERM")
                return problems
            if self.proc.returncode != 0:
                problems.append(f"{self.name} exited with {self.proc.returncode} after SIGTERM:\n{self.log_tail()}")
        text = self.log_text()
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            if marker in text:
                problems.append(f"{self.name}: sanitizer report in {self.log_path}")
        return problems

    def call(self, method, path, body=None, scope=None, token=None, **kw):
        if scope and not token:
            token = self.platform.token(scope)
        return http(method, self.port, path, body=body, token=token, **kw)


# ---------------------------------------------------------------- schemas

_validators = {}


def _validator(name):
    if name not in _validators:
        import jsonschema
        path = os.path.join(SCHEMAS, f"{name}.json")
        if not os.path.exists(path):
            return None
        with open(path) as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        _validators[name] = (jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.FormatChecker()), schema)
    return _validators[name]


def undeclared_fields(instance, schema, path="data"):
    """Properties present in `instance` that `schema` does not declare
    (schemas stay open for consumers; producers must not drift from them)."""
    found = []
    if isinstance(instance, dict) and schema.get("type") == "object" and "properties" in schema:
        for k, v in instance.items():
            if k not in schema["properties"]:
                found.append(f"{path}.{k}")
            else:
                found += undeclared_fields(v, schema["properties"][k], f"{path}.{k}")
    elif isinstance(instance, list) and isinstance(schema.get("items"), dict):
        for i, v in enumerate(instance):
            found += undeclared_fields(v, schema["items"], f"{path}[{i}]")
    return found


def validate_event(value):
    """Raises AssertionError unless `value` (bytes) is a valid jobcenter event."""
    ev = json.loads(value)
    env_validator, _ = _validator("envelope.v1")
    errors = [e.message for e in env_validator.iter_errors(ev)]
    if errors:
        raise AssertionError(f"envelope invalid: {errors}")
    short = ev["type"][len("dk.jobcenter."):]
    v = _validator(short)
    if v is None:
        raise AssertionError(f"no schema schemas/events/{short}.json for event type {ev['type']}")
    validator, schema = v
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(ev["data"])]
    errors += [f"{p} is not declared in the schema" for p in undeclared_fields(ev["data"], schema)]
    if errors:
        raise AssertionError(f"{ev['type']} data invalid: {errors}")
    return ev


# ---------------------------------------------------------------- the platform

class Platform:
    """A stack, tokens and services for one test; checks everything at the end."""

    SCOPES = ["caseworker", "admin", "portal", "udk:feed", "akasse:3F", "akasse:FOA", "akasse:DANA",
              "akasse:ZZZ"]  # ZZZ: a token for an a-kasse the register does not know
    AKASSE_KEYS = ("3F", "FOA", "DANA", "ZZZ")

    def __init__(self, test_id):
        self.test_id = re.sub(r"[^A-Za-z0-9_.-]", "_", test_id)
        self.stack = Stack(self.test_id.split(".")[-1])
        self.services = []
        self.tokens = {}
        self.cprs = set()
        self.names = set()
        self.log_dir = os.path.join(OUT, "logs", self.test_id)
        self.tokens_file = None
        self.checks = True
        # What the end-of-test personal-data scan looked at (the suite-wide
        # scan, tests/security/test_personal_data_suite.py, adds these up).
        self.scanned = {"messages": 0, "log_lines": 0, "dead_letters": 0, "logs": []}
        self.personal_findings = []

    def __enter__(self):
        shutil.rmtree(self.log_dir, ignore_errors=True)
        os.makedirs(self.log_dir, exist_ok=True)
        self.stack.start()
        entries = []
        for scope in self.SCOPES:
            tok = "jctest-" + secrets.token_urlsafe(24)
            self.tokens[scope] = tok
            entries.append({"principal": "test-" + scope.replace(":", "-").lower(),
                            "sha256": hashlib.sha256(tok.encode()).hexdigest(), "scopes": [scope]})
        self.tokens_file = os.path.join(self.stack.dir, "tokens.json")
        with open(self.tokens_file, "w") as f:
            json.dump({"tokens": entries}, f)
        # Signing keys of the a-kasser that hand over by Kafka.
        self.akasse_keys = {code: secrets.token_hex(16) for code in self.AKASSE_KEYS}
        self.cpr_hmac_key = secrets.token_hex(32)
        self.akasse_keys_file = os.path.join(self.stack.dir, "akasse-keys.json")
        with open(self.akasse_keys_file, "w") as f:
            json.dump({"keys": self.akasse_keys}, f)
        return self

    def sign(self, code, value):
        """Kafka headers a-kasse `code` sends with a handover message."""
        import hmac
        mac = hmac.new(self.akasse_keys[code].encode(), value, hashlib.sha256).hexdigest()
        return [("jc-akasse", code.encode()), ("jc-signature", f"sha256={mac}".encode())]

    def handover(self, akasse="3F", handover_id=None, contacts=2, rng=random, **overrides):
        """A valid handover body: unemployed three months ago, handed over yesterday."""
        today = datetime.date.today()
        handover_date = today - datetime.timedelta(days=1)
        since = add_months(handover_date, -3)
        body = {
            "handover_id": handover_id or f"{akasse}-{uuid.uuid4().hex[:12]}",
            "akasse": akasse, "cpr": self.cpr(rng), "name": self.name(rng),
            "unemployed_since": since.isoformat(), "handover_date": handover_date.isoformat(),
            "contact_history": [{"date": (since + datetime.timedelta(days=7 + 25 * i)).isoformat(),
                                 "kind": "individual", "channel": "in_person"} for i in range(contacts)],
            "cv_on_jobnet": True, "availability_concerns": False,
            "digital_post": True, "email": "borger@example.org",
        }
        body.update(overrides)
        return body

    def token(self, scope):
        return self.tokens[scope]

    def service(self, name, roles="http,relay,consumer", env=None, wait=True, instance=0):
        s = Service(self, name, roles, env, instance)
        self.services.append(s)
        s.start(wait=wait)
        return s

    def cpr(self, rng=random):
        c = synthetic_cpr(rng)
        self.cprs.add(c)
        return c

    def name(self, rng=random):
        n = synthetic_name(rng)
        self.names.add(n)
        return n

    # -- end-of-test checks
    def check_topics(self):
        """Validates every message on every topic; returns problems."""
        problems = []
        for topic, meta in CATALOGUE.items():
            try:
                msgs = self.stack.read_topic(topic)
            except Exception as e:  # noqa: BLE001 - report, do not mask the test's own failure
                problems.append(f"could not read {topic}: {e}")
                continue
            for m in msgs:
                where = f"{topic}[{m['partition']}@{m['offset']}]"
                if m["value"] is None:
                    if meta["cleanup_policy"] != "compact":
                        problems.append(f"{where}: tombstone on a non-compacted topic")
                    continue
                if topic.startswith("jobcenter.") and (topic, m["value"]) not in self.stack.injected:
                    try:
                        validate_event(m["value"])
                    except (AssertionError, ValueError) as e:
                        problems.append(f"{where}: {e}")
                if not meta["personal_data"]:
                    self.scanned["messages"] += 1
                    text = m["value"].decode("utf-8", "replace") + json.dumps(m["headers"]) + \
                        (m["key"] or b"").decode("utf-8", "replace")
                    found = [f"{where}: {p}" for p in self.personal_data_in(text)]
                    self.personal_findings += found
                    problems += found
        return problems

    def personal_data_in(self, text):
        found = [f"CPR-shaped string {c[:2]}**********" for c in cpr_shaped(text)]
        found += ["a synthetic CPR used by this test" for c in self.cprs if c in text]
        found += ["a citizen name used by this test" for n in self.names if n in text]
        return found

    def check_dead_letters(self):
        """Every dead letter any service kept: the reason never carries personal
        data, nor does the payload of a message from a topic without personal
        data (a citizen record's bytes stay in the owning service's restricted
        schema, which erasure clears). Delivery failures of notifications (its
        dead letters of the outside world) likewise."""
        problems = []
        personal = [t for t, meta in CATALOGUE.items() if meta["personal_data"]]
        try:
            schemas = [r[0] for r in self.stack.sql(
                "SELECT table_schema FROM information_schema.tables WHERE table_name = 'dead_letter'"
                " AND table_schema = ANY(%s)", (list(SERVICES),))]
            rows = []
            for schema in schemas:
                rows += [(f"{schema}.dead_letter[{i}]", topic, reason, payload) for i, topic, reason, payload in
                         self.stack.sql(f"SELECT id, topic, reason, payload FROM {schema}.dead_letter")]
            if "notifications" in schemas:
                rows += [(f"notifications.message[{i}]", None, err, None) for i, err in self.stack.sql(
                    "SELECT message_id, last_error FROM notifications.message WHERE last_error IS NOT NULL")]
                rows += [(f"notifications.delivery_attempt[{i}]", None, err, None) for i, err in self.stack.sql(
                    "SELECT message_id || '/' || round || '/' || attempt, error"
                    " FROM notifications.delivery_attempt WHERE error IS NOT NULL")]
        except Exception as e:  # noqa: BLE001 - a scan that could not run is a finding
            return [f"could not scan the dead letters: {e}"]
        for where, topic, reason, payload in rows:
            self.scanned["dead_letters"] += 1
            text = reason or ""
            if payload is not None and topic not in personal:
                text += bytes(payload).decode("utf-8", "replace")
            problems += [f"{where}: {p}" for p in self.personal_data_in(text)]
        self.personal_findings += problems
        return problems

    def write_scan_record(self, problems, test_failed):
        """tests/out/personal-data/<build>/<test>.json: what was scanned and found."""
        d = os.path.join(OUT, "personal-data", os.path.basename(os.path.normpath(BUILD)))
        os.makedirs(d, exist_ok=True)
        rec = dict(self.scanned, test=self.test_id, checks=self.checks, test_failed=test_failed,
                   problems=problems)
        with open(os.path.join(d, self.test_id + ".json"), "w") as f:
            json.dump(rec, f, indent=1)

    def check_logs(self):
        problems = []
        for s in self.services:
            for path in s.log_paths:
                if path in self.scanned["logs"]:
                    continue
                self.scanned["logs"].append(path)
                with open(path, encoding="utf-8", errors="replace") as f:
                    for i, line in enumerate(f):
                        self.scanned["log_lines"] += 1
                        for p in self.personal_data_in(line):
                            problems.append(f"{os.path.basename(path)} line {i + 1}: {p}")
                        if "jctest-" in line:
                            problems.append(f"{os.path.basename(path)} line {i + 1}: a bearer token")
        self.personal_findings += problems
        return problems

    def __exit__(self, exc_type, exc, tb):
        problems = []
        try:
            if self.checks and exc_type is None:
                problems += self.check_topics()
            for s in self.services:
                problems += s.stop()
            if self.checks:
                problems += self.check_dead_letters()
                problems += self.check_logs()
            self.write_scan_record(self.personal_findings, exc_type is not None)
        finally:
            self.stack.stop()
        if problems and exc_type is None:
            raise AssertionError("end-of-test checks failed:\n  " + "\n  ".join(problems[:40]))
        return False


class PlatformTest(unittest.TestCase):
    """Base class: self.p is a fresh Platform for each test method."""

    def setUp(self):
        self.p = Platform(self.id())
        self.p.__enter__()

    def tearDown(self):
        # unittest runs tearDown even when the test failed; only raise the
        # end-of-test checks when the test itself passed.
        outcome = getattr(self, "_outcome", None)
        failed = False
        if outcome is not None and hasattr(outcome, "result"):
            failed = any(t is self for t, _ in outcome.result.failures + outcome.result.errors)
        self.p.__exit__(AssertionError if failed else None, None, None)


def wait_drained(platform, producer_schema, group, topic, timeout=120):
    """Waits until every outbox row of `producer_schema` is published and
    consumer group `group` has committed everything on `topic`."""
    st = platform.stack

    def drained():
        pending = st.scalar(f"SELECT count(*) FROM {producer_schema}.outbox WHERE published_at IS NULL")
        if pending:
            return False
        try:
            return st.group_lag(group, topic) == 0
        except Exception:  # noqa: BLE001 - the broker may still be recovering
            return False
    wait_until(drained, timeout, f"{producer_schema} outbox and group {group} on {topic} to drain",
               interval=0.5)


def create_cases(svc, count, threads=8, group="a-dagpenge", deadline_s=300, rng=None, rate=None):
    """Registers `count` cases through POST /v1/cases from `threads` workers.
    Each request carries an Idempotency-Key and is retried (same key) on 503 or
    a dropped connection until it succeeds, as a real client would; so a
    database restart or a service kill must cost time, never a duplicate.
    Returns the case_ids in creation order per worker."""
    import concurrent.futures
    rng = rng or random.Random(count)
    bodies = []
    for _ in range(count):
        bodies.append({"cpr": svc.platform.cpr(rng), "name": svc.platform.name(rng),
                       "target_group": group, "start_date": "2026-03-02"})
    token = svc.platform.token("caseworker")
    start = time.monotonic()
    deadline = start + deadline_s * SLOW

    def one(item):
        i, body = item
        if rate:  # request i is due at start + i/rate: a steady offered load
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        key = str(uuid.uuid4())
        while time.monotonic() < deadline:
            try:
                r = http("POST", svc.port, "/v1/cases", body=body, token=token,
                         headers={"Idempotency-Key": key}, timeout=30)
            except OSError:
                time.sleep(0.2)
                continue
            if r.status == 201:
                return r.json["case_id"]
            if r.status in (502, 503):
                time.sleep(0.2)
                continue
            raise AssertionError(f"POST /v1/cases answered {r}")
        raise AssertionError("POST /v1/cases kept failing until the deadline")

    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, enumerate(bodies)))


def main():
    unittest.main(verbosity=2)
