"""What the platform's own sources say, for generators and contract tests.

The topic catalogue and event schemas (schemas/events/), each service's
consumed topics and port (services/<svc>/src/main.c and its headers), its
configuration and routes (`jc-<svc> --print-config` / `--print-routes` of a
build), and the Kafka headers the common library writes (libs/common/src).
Generators (tools/asyncapi, tools/deploy) and tests read these instead of
copying them, so a change in a service shows up as a diff, never as drift.
Runs with Debian's /usr/bin/python3 (PyYAML for the generators' output)."""
import glob
import json
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EVENTS = os.path.join(ROOT, "schemas", "events")

# Where the platform's Kafka lives in Kubernetes (deploy/k8s): the Strimzi
# cluster "jobcenter" in namespace "kafka", its TLS listener (mutual TLS).
K8S_KAFKA_BOOTSTRAP = "jobcenter-kafka-bootstrap.kafka.svc:9093"
# ... and where make run / the tests find their devbroker.
DEV_KAFKA_BOOTSTRAP = "127.0.0.1:{port}"


class SourceError(Exception):
    """A source the caller needs is missing or cannot be understood."""


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def catalogue():
    """The topics of schemas/events/topics.json, in file order."""
    return json.loads(read("schemas/events/topics.json"))["topics"]


def event_schema(short_type):
    """The JSON Schema of an event type (schemas/events/<type>.json)."""
    path = os.path.join(EVENTS, f"{short_type}.json")
    if not os.path.exists(path):
        raise SourceError(f"no schema schemas/events/{short_type}.json for {short_type}")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def project_version():
    m = re.search(r"project\(\s*jobcenter\b[^)]*\bVERSION\s+([0-9.]+)", read("CMakeLists.txt"))
    if not m:
        raise SourceError("CMakeLists.txt: no `project(jobcenter ... VERSION x.y.z)`")
    return m.group(1)


# ---------------------------------------------------------------- services

def services():
    """Service names (directories under services/ with sources), ordered by
    HTTP port (intake 8081, scheduling 8082, ...) when main.c says it."""
    names = sorted(os.path.basename(os.path.dirname(p))
                   for p in glob.glob(os.path.join(ROOT, "services", "*", "src")))

    def order(name):
        try:
            return (service_port(name), name)
        except SourceError:
            return (99999, name)
    return sorted(names, key=order)


def _main_c(svc):
    path = os.path.join(ROOT, "services", svc, "src", "main.c")
    if not os.path.exists(path):
        raise SourceError(f"services/{svc}/src/main.c does not exist yet: cannot tell which topics "
                          f"{svc} consumes or its port (its jc_service_def lives there)")
    with open(path, encoding="utf-8") as f:
        return f.read()


def _string_macros(svc):
    """#define NAME "value" in the service's sources (headers first)."""
    macros = {}
    files = sorted(glob.glob(os.path.join(ROOT, "services", svc, "src", "*.h"))) + \
        sorted(glob.glob(os.path.join(ROOT, "services", svc, "src", "*.c")))
    for path in files:
        with open(path, encoding="utf-8") as f:
            for m in re.finditer(r'^\s*#\s*define\s+([A-Z0-9_]+)\s+"([^"]*)"', f.read(), re.M):
                macros.setdefault(m.group(1), m.group(2))
    return macros


def _def_field(src, field):
    """The value of `.field = value` in the service's jc_service_def."""
    m = re.search(r"\.%s\s*=\s*([^,\n}]+)" % re.escape(field), src)
    return m.group(1).strip() if m else None


def _string_array(svc, src, name):
    m = re.search(r"\b%s\s*\[\s*\]\s*=\s*\{([^}]*)\}" % re.escape(name), src)
    if not m:
        raise SourceError(f"services/{svc}/src/main.c: cannot find the array {name}[]")
    macros = _string_macros(svc)
    out = []
    for item in (x.strip() for x in m.group(1).split(",")):
        if not item or item == "NULL":
            continue
        if item.startswith('"') and item.endswith('"'):
            out.append(item[1:-1])
        elif item in macros:
            out.append(macros[item])
        else:
            raise SourceError(f"services/{svc}/src/main.c: {name}[] entry {item} is neither a "
                              f"string nor a #define of one in services/{svc}/src/")
    return out


def consumed_topics(svc):
    """(topics, raw_topics) the service subscribes to, from its
    jc_service_def (.consume_topics / .raw_topics: raw = not CloudEvents)."""
    src = _main_c(svc)
    topics = raw = []
    name = _def_field(src, "consume_topics")
    if name and name != "NULL":
        topics = _string_array(svc, src, name)
    name = _def_field(src, "raw_topics")
    if name and name != "NULL":
        raw = _string_array(svc, src, name)
    return topics, raw


def service_port(svc):
    value = _def_field(_main_c(svc), "default_port")
    if not value or not value.isdigit():
        raise SourceError(f"services/{svc}/src/main.c: no `.default_port = <number>`")
    return int(value)


def produced_topics(svc):
    """Topics the service writes: those whose catalogue `producers` name it,
    plus the dead-letter topic when it consumes anything (every consumer
    dead-letters through its outbox)."""
    out = [t["name"] for t in catalogue() if svc in t["producers"]]
    topics, raw = consumed_topics(svc)
    dlq = [t["name"] for t in catalogue() if "every consumer" in t["producers"]]
    if topics or raw:
        out += [d for d in dlq if d not in out]
    return out


def raw_topic_source(topic):
    """(path, leading comment) of the C file that documents an inbound raw
    topic: the service source whose first comment starts with `<topic>:`."""
    for path in sorted(glob.glob(os.path.join(ROOT, "services", "*", "src", "*.c"))):
        with open(path, encoding="utf-8") as f:
            src = f.read()
        m = re.match(r"\s*/\*(.*?)\*/", src, re.S)
        if not m:
            continue
        text = "\n".join(re.sub(r"^\s*\* ?", "", line) for line in m.group(1).splitlines()).strip()
        if text.startswith(topic + ":"):
            headers = sorted(set(re.findall(r'jc_consume_header\(\s*ctx\s*,\s*"([^"]+)"', src)))
            return os.path.relpath(path, ROOT), text, headers
    return None, None, []


# ---------------------------------------------------------------- Kafka headers

def event_headers():
    """Names of the Kafka headers the outbox relay writes on every event."""
    src = read("libs/common/src/outbox.c")
    m = re.search(r'json_pack\("[^"]*",\s*"content-type"(.*?)\);', src, re.S)
    if not m:
        raise SourceError("libs/common/src/outbox.c: cannot find the header list of jc_emit")
    names = ["content-type"] + re.findall(r'"(ce_[a-z]+)"', m.group(1))
    return names


def event_content_type():
    m = re.search(r'#define\s+JC_CE_CONTENT_TYPE\s+"([^"]+)"', read("include/jc/ce.h"))
    if not m:
        raise SourceError("include/jc/ce.h: no JC_CE_CONTENT_TYPE")
    return m.group(1)


def dead_letter_headers():
    """Names of the headers a consumer adds to a dead letter, in order."""
    return list(dict.fromkeys(re.findall(r'"(jc_dlq_[a-z]+)"', read("libs/common/src/consumer.c"))))


# ---------------------------------------------------------------- binaries

def binary(build_dir, svc):
    return os.path.join(build_dir, "services", svc, f"jc-{svc}")


def _run(build_dir, svc, flag):
    path = binary(build_dir, svc)
    if not os.access(path, os.X_OK):
        raise SourceError(f"{path} is not built: build it first "
                          f"(cmake --build {build_dir} --target jc-{svc})")
    r = subprocess.run([path, flag], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise SourceError(f"{path} {flag} exited with {r.returncode}: {r.stderr.strip()[:300]}")
    return r.stdout


def print_config(build_dir, svc):
    """[(var, default or None, meaning)] from `jc-<svc> --print-config`."""
    out = []
    for line in _run(build_dir, svc, "--print-config").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`JC_"):
            continue
        var = cells[0].strip("`")
        default = cells[1]
        default = None if default == "(unset)" else default.strip("`")
        out.append((var, default, " | ".join(cells[2:])))
    if not out:
        raise SourceError(f"jc-{svc} --print-config printed no variables")
    return out


def print_routes(build_dir, svc):
    """[(method, pattern, scope or None, operation)] from `--print-routes`."""
    out = []
    for line in _run(build_dir, svc, "--print-routes").splitlines():
        parts = line.split()
        if len(parts) == 4:
            out.append((parts[0], parts[1], None if parts[2] == "-" else parts[2], parts[3]))
    return out


# ---------------------------------------------------------------- generators

def yaml_dump(data, width=100):
    """Plain YAML for generated files: keys in insertion order, lists indented,
    multi-line strings as literal blocks, no &anchors."""
    import yaml

    class Dumper(yaml.SafeDumper):
        def increase_indent(self, flow=False, indentless=False):
            return super().increase_indent(flow, False)

        def ignore_aliases(self, data):
            return True

    def text(dumper, value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value,
                                       style="|" if "\n" in value else None)

    Dumper.add_representer(str, text)
    return yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=width,
                     default_flow_style=False)


def run_generator(main, name):
    """Runs a generator's main(): exit 1 with the message on a SourceError."""
    try:
        sys.exit(main())
    except SourceError as e:
        print(f"{name}: {e}", file=sys.stderr)
        sys.exit(1)
