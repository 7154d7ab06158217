"""The Kubernetes manifests (deploy/k8s) against the Kubernetes and Strimzi
schemas and against the code they deploy:

  * every document validates (tools/checkers/check-k8s.mjs: kubernetes-models
    and the Strimzi models, unknown fields refused), and the checker does fail
    on a broken manifest;
  * they are what tools/deploy/gen_k8s.py generates from the binaries now;
  * every catalogue topic has a KafkaTopic with the catalogue's partitions,
    cleanup policy and retention (the citizen topic compacted);
  * each service's KafkaUser may write exactly the topics it produces and read
    exactly the topics its code subscribes to, under its own consumer group,
    and only the services meant to (control, notifications) can read
    jobcenter.citizen.v1;
  * every environment variable a Deployment sets is declared by its binary
    (--print-config), every secret is a reference (secretKeyRef or a mounted
    Secret), and the probes are /healthz and /readyz on the HTTP port;
  * network policies: default deny, HTTP only from the ingress controller,
    egress only to DNS, PostgreSQL and Kafka (and HTTPS where a service
    delivers outside)."""
import difflib
import glob
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools", "lib"))
import checkers  # noqa: E402
import jctest  # noqa: E402
import jcsources  # noqa: E402
import yaml  # noqa: E402

ROOT = jcsources.ROOT
K8S = os.path.join(ROOT, "deploy", "k8s")
GEN = os.path.join(ROOT, "tools", "deploy", "gen_k8s.py")
CITIZEN = "jobcenter.citizen.v1"
# Who may read personal data: the services that send letters (notifications)
# and match campaign records to citizens (control). Nobody else.
CITIZEN_READERS = {"control", "notifications"}
SECRET_VAR = re.compile(r"^JC_DB_URL$|_(KEY|SECRET|PASSWORD|TOKEN)$|"
                        r"_(KEY|KEYS|SECRET|SECRETS|PASSWORD|TOKENS|WEBHOOKS)_FILE$")
SECRET_VALUE = re.compile(r"password\s*=|passwd|secret\s*=|-----BEGIN|sasl\.password", re.I)


def documents():
    """[(relative path, document)] of every manifest under deploy/k8s."""
    out = []
    for path in sorted(glob.glob(os.path.join(K8S, "**", "*.yaml"), recursive=True)):
        with open(path, encoding="utf-8") as f:
            for doc in yaml.safe_load_all(f):
                if doc:
                    out.append((os.path.relpath(path, ROOT), doc))
    return out


def by_kind(kind):
    return {d["metadata"]["name"]: d for _, d in documents() if d["kind"] == kind}


def user_acls(user):
    """{(resource type, name, pattern): set(operations)} of a KafkaUser."""
    out = {}
    for a in user["spec"]["authorization"]["acls"]:
        r = a["resource"]
        ops = set(a.get("operations") or [a.get("operation")])
        key = (r["type"], r.get("name"), r.get("patternType", "literal"))
        out.setdefault(key, set()).update(ops)
    return out


def readers(users, topic):
    """KafkaUsers allowed to read `topic`, whatever the pattern."""
    found = set()
    for name, u in users.items():
        for (rtype, rname, pattern), ops in user_acls(u).items():
            if rtype != "topic" or not ops & {"Read", "All"}:
                continue
            if rname == "*" or (pattern == "literal" and rname == topic) or \
                    (pattern == "prefix" and topic.startswith(rname)):
                found.add(name)
    return found


class DeployTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.services = jcsources.services()
        cls.config = {s: {v for v, _, _ in jcsources.print_config(jctest.BUILD, s)}
                      for s in cls.services}

    def test_manifests_validate_against_kubernetes_and_strimzi_schemas(self):
        code, out = checkers.run("check-k8s.mjs", K8S)
        self.assertEqual(code, 0, out)
        self.assertRegex(out, r"^ok: \d+ documents valid against kubernetes-models")

    def test_checker_rejects_broken_manifests(self):
        """A typo'd field, a wrong type and an unknown kind are each refused."""
        dep = by_kind("Deployment")["intake"]
        c = dep["spec"]["template"]["spec"]["containers"][0]
        c["readinesProbe"] = c.pop("readinessProbe")
        c["ports"][0]["containerPort"] = "eighty"
        topic = by_kind("KafkaTopic")[CITIZEN]
        topic["spec"]["partitions"] = "6"
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "broken.yaml"), "w") as f:
                yaml.safe_dump_all([dep, topic, {"apiVersion": "example.com/v1", "kind": "Widget",
                                                 "metadata": {"name": "w"}}], f)
            code, out = checkers.run("check-k8s.mjs", d)
        self.assertEqual(code, 1, out)
        self.assertIn("containers/0/readinesProbe: unknown field", out)
        self.assertIn("containerPort must be integer", out)
        self.assertIn("spec/partitions must be integer", out)
        self.assertIn("no schema for apiVersion example.com/v1 kind Widget", out)

    def test_committed_manifests_are_what_the_generator_produces(self):
        with tempfile.TemporaryDirectory() as d:
            r = subprocess.run(["/usr/bin/python3", GEN, "--build-dir", jctest.BUILD, "--out", d],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 0, f"the generator failed: {r.stderr}")
            want = {os.path.relpath(p, d) for p in glob.glob(os.path.join(d, "**", "*.yaml"),
                                                             recursive=True)}
            have = {os.path.relpath(p, K8S) for p in glob.glob(os.path.join(K8S, "**", "*.yaml"),
                                                               recursive=True)}
            hint = ("deploy/k8s is stale: run /usr/bin/python3 tools/deploy/gen_k8s.py "
                    "--build-dir <build> and commit it")
            self.assertEqual(have, want, hint)
            for rel in sorted(want):
                with open(os.path.join(d, rel), encoding="utf-8") as f:
                    generated = f.read()
                with open(os.path.join(K8S, rel), encoding="utf-8") as f:
                    committed = f.read()
                if generated != committed:
                    diff = difflib.unified_diff(committed.splitlines(), generated.splitlines(),
                                                f"deploy/k8s/{rel}", "generated now", lineterm="",
                                                n=1)
                    self.fail(f"{hint}. Diff:\n" + "\n".join(list(diff)[:60]))

    def test_every_catalogue_topic_has_a_kafka_topic(self):
        topics = {d["spec"]["topicName"]: d for d in by_kind("KafkaTopic").values()}
        catalogue = {t["name"]: t for t in jcsources.catalogue()}
        self.assertEqual(set(topics), set(catalogue), "KafkaTopics and the catalogue differ")
        for name, t in catalogue.items():
            with self.subTest(topic=name):
                spec = topics[name]["spec"]
                self.assertEqual(spec["partitions"], t["partitions"])
                self.assertGreaterEqual(spec["replicas"], 3)
                self.assertEqual(spec["config"]["cleanup.policy"], t["cleanup_policy"])
                self.assertEqual(spec["config"]["retention.ms"], t["retention_ms"])
                self.assertEqual(spec["config"]["min.insync.replicas"], 2)
                self.assertEqual(topics[name]["metadata"]["labels"]["strimzi.io/cluster"],
                                 "jobcenter")
        citizen = topics[CITIZEN]["spec"]["config"]
        self.assertEqual(citizen["cleanup.policy"], "compact")
        # An erased citizen's old record is compacted away within a week.
        self.assertLessEqual(citizen["max.compaction.lag.ms"], 7 * 24 * 3600 * 1000)

    def test_acls_are_what_each_service_produces_and_consumes(self):
        users = by_kind("KafkaUser")
        catalogue = {t["name"] for t in jcsources.catalogue()}
        configmaps = by_kind("ConfigMap")
        for svc in self.services:
            with self.subTest(service=svc):
                acls = user_acls(users[f"jc-{svc}"])
                topics, raw = jcsources.consumed_topics(svc)
                consumed = set(topics) | set(raw)
                produced = set(jcsources.produced_topics(svc))
                # The catalogue's producers field agrees with the code: a
                # service names every topic it produces in its own sources.
                code = "".join(jcsources.read(os.path.relpath(p, ROOT)) for p in
                               glob.glob(os.path.join(ROOT, "services", svc, "src", "*.[ch]")))
                for t in produced - {"jobcenter.dlq.v1"}:
                    self.assertIn(f'"{t}"', code, f"{svc} produces {t} per the catalogue")
                writes = {n for (rt, n, _), ops in acls.items() if rt == "topic" and "Write" in ops}
                reads = {n for (rt, n, _), ops in acls.items() if rt == "topic" and "Read" in ops}
                self.assertEqual(writes, produced)
                self.assertEqual(reads, consumed)
                self.assertLessEqual(writes | reads, catalogue)
                group = configmaps[f"{svc}-config"]["data"]["JC_CONSUMER_GROUP"]
                groups = {(n, p): ops for (rt, n, p), ops in acls.items() if rt == "group"}
                self.assertEqual(groups, {(group, "literal"): {"Read"}} if consumed else {})
                for (rt, n, p), ops in acls.items():
                    self.assertEqual(p, "literal", f"{svc}: {rt} {n} must be a literal name")
                    self.assertNotIn("All", ops)
                    self.assertNotEqual(n, "*")
        # Outside producers write their inbound topic and nothing else.
        for name, u in users.items():
            if name.startswith("ext-"):
                acls = user_acls(u)
                self.assertEqual(len(acls), 1, name)
                (rt, topic, p), ops = next(iter(acls.items()))
                self.assertEqual((rt, p, ops), ("topic", "literal", {"Write", "Describe"}), name)
                self.assertFalse(topic.startswith("jobcenter."), name)

    def test_only_the_intended_services_read_personal_data(self):
        users = by_kind("KafkaUser")
        from_code = {s for s in self.services if CITIZEN in jcsources.consumed_topics(s)[0]}
        self.assertEqual(from_code, CITIZEN_READERS,
                         "the services whose code subscribes to jobcenter.citizen.v1 changed: "
                         "personal data must stay with control and notifications")
        self.assertEqual(readers(users, CITIZEN), {f"jc-{s}" for s in CITIZEN_READERS})
        writers = {n for n, u in users.items()
                   if any(rt == "topic" and rn == CITIZEN and "Write" in ops
                          for (rt, rn, _), ops in user_acls(u).items())}
        self.assertEqual(writers, {"jc-intake"})
        for t in jcsources.catalogue():
            if t["personal_data"] and t["name"] != CITIZEN:
                consumers = {f"jc-{s}" for s in self.services
                             if t["name"] in sum(jcsources.consumed_topics(s), [])}
                self.assertEqual(readers(users, t["name"]), consumers, t["name"])
        # The example team reads only topics without personal data.
        team = readers(users, "jobcenter.case.v1") - {f"jc-{s}" for s in self.services}
        self.assertIn("team-analytics", team)

    def test_deployments_set_only_declared_settings_and_secrets_by_reference(self):
        deployments, configmaps = by_kind("Deployment"), by_kind("ConfigMap")
        self.assertEqual(set(deployments), set(self.services))
        for _, doc in documents():
            self.assertNotEqual(doc["kind"], "Secret", "secret values do not belong in the repo")
        for svc in self.services:
            with self.subTest(service=svc):
                declared = self.config[svc]
                pod = deployments[svc]["spec"]["template"]["spec"]
                (c,) = pod["containers"]
                self.assertEqual(c["image"], f"jobcenter/{svc}:{jcsources.project_version()}")
                cms = [e["configMapRef"]["name"] for e in c.get("envFrom", [])]
                data = {}
                for name in cms:
                    data.update(configmaps[name]["data"])
                env = {e["name"]: e for e in c.get("env", [])}
                undeclared = (set(data) | set(env)) - declared
                self.assertEqual(undeclared, set(), f"jc-{svc} --print-config does not declare these")
                self.assertNotIn("JC_TODAY", set(data) | set(env))
                volumes = {v["name"]: v for v in pod["volumes"]}
                mounts = {m["mountPath"]: volumes[m["name"]] for m in c["volumeMounts"]}
                for var, value in data.items():
                    self.assertIsNone(SECRET_VALUE.search(value), f"{var} looks like a secret value")
                for var in sorted(v for v in declared if SECRET_VAR.search(v)):
                    if var.endswith("_FILE"):
                        self.assertIn(var, data, f"{svc} needs {var}")
                        vol = mounts.get(os.path.dirname(data[var]))
                        self.assertTrue(vol and "secret" in vol,
                                        f"{var} must point into a mounted Secret")
                    elif f"{var}_FILE" not in declared:
                        self.assertIn(var, env, f"{svc} needs {var}")
                        self.assertIn("secretKeyRef", env[var].get("valueFrom", {}), var)
                        self.assertNotIn("value", env[var])
                        self.assertNotIn(var, data)
                for e in env.values():
                    self.assertIn("valueFrom", e, f"{e['name']}: literal values go in the ConfigMap")
                port = jcsources.service_port(svc)
                self.assertEqual(data["JC_HTTP_PORT"], str(port))
                self.assertEqual(data["JC_HTTP_ADDR"], "0.0.0.0")
                self.assertEqual(c["ports"], [{"name": "http", "containerPort": port,
                                               "protocol": "TCP"}])

    def test_probes_resources_and_security_context(self):
        deployments, pdbs, services = by_kind("Deployment"), by_kind("PodDisruptionBudget"), \
            by_kind("Service")
        for svc in self.services:
            with self.subTest(service=svc):
                pod = deployments[svc]["spec"]["template"]["spec"]
                (c,) = pod["containers"]
                self.assertEqual(c["readinessProbe"]["httpGet"], {"path": "/readyz", "port": "http"})
                self.assertEqual(c["livenessProbe"]["httpGet"], {"path": "/healthz", "port": "http"})
                self.assertEqual(c["startupProbe"]["httpGet"]["path"], "/healthz")
                for k in ("cpu", "memory"):
                    self.assertIn(k, c["resources"]["requests"])
                    self.assertIn(k, c["resources"]["limits"])
                sc = c["securityContext"]
                self.assertTrue(pod["securityContext"]["runAsNonRoot"] and sc["runAsNonRoot"])
                self.assertGreater(pod["securityContext"]["runAsUser"], 0)
                self.assertTrue(sc["readOnlyRootFilesystem"])
                self.assertFalse(sc["allowPrivilegeEscalation"])
                self.assertEqual(sc["capabilities"]["drop"], ["ALL"])
                self.assertFalse(pod["automountServiceAccountToken"])
                labels = deployments[svc]["spec"]["template"]["metadata"]["labels"]
                if jcsources.print_routes(jctest.BUILD, svc):  # an HTTP service
                    sel = pdbs[svc]["spec"]["selector"]["matchLabels"]
                    self.assertTrue(sel.items() <= labels.items(), "the PDB selects the pods")
                    self.assertGreaterEqual(deployments[svc]["spec"]["replicas"],
                                            pdbs[svc]["spec"]["minAvailable"] + 1)
                    self.assertEqual(services[svc]["spec"]["ports"][0]["targetPort"], "http")

    def test_network_policies(self):
        policies = by_kind("NetworkPolicy")
        deny = policies["default-deny-all"]["spec"]
        self.assertEqual(deny["podSelector"], {})
        self.assertEqual(sorted(deny["policyTypes"]), ["Egress", "Ingress"])
        self.assertNotIn("ingress", deny)
        self.assertNotIn("egress", deny)
        for svc in self.services:
            with self.subTest(service=svc):
                spec = policies[svc]["spec"]
                self.assertEqual(spec["podSelector"]["matchLabels"], {"app.kubernetes.io/name": svc})
                (rule,) = spec["ingress"]
                (peer,) = rule["from"]
                self.assertEqual(peer["namespaceSelector"]["matchLabels"],
                                 {"kubernetes.io/metadata.name": "ingress-nginx"})
                self.assertIn("podSelector", peer)
                self.assertEqual(rule["ports"], [{"protocol": "TCP",
                                                  "port": jcsources.service_port(svc)}])
                ports = sorted(p["port"] for e in spec["egress"] for p in e["ports"])
                outbound = any(re.search(r"_URL$|WEBHOOKS_FILE$", v) for v in self.config[svc])
                self.assertEqual(ports, sorted([53, 53, 5432, 9093] + ([443] if outbound else [])))
                for e in spec["egress"]:
                    for peer in e["to"]:
                        if "ipBlock" in peer:  # the outside world, never the cluster's ranges
                            self.assertEqual(e["ports"], [{"protocol": "TCP", "port": 443}])
                            self.assertIn("10.0.0.0/8", peer["ipBlock"]["except"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
