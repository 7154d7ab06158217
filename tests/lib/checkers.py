"""Runs the schema-aware checkers of tools/checkers (node scripts on a pinned
npm toolset: @asyncapi/specs, kubernetes-models, Strimzi models) for the
contract tests. When they cannot run, the test FAILS with what to do: a
checker that silently skips would let an invalid document through."""
import os
import shutil
import subprocess

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CHECKERS = os.path.join(ROOT, "tools", "checkers")


class CheckerUnavailable(AssertionError):
    pass


def node():
    path = shutil.which("node") or shutil.which("nodejs")
    if not path:
        raise CheckerUnavailable(
            "node is not installed: run scripts/bootstrap.sh (it installs nodejs and npm with "
            "apt-get and runs `npm ci --prefix tools/checkers`)")
    modules = os.path.join(CHECKERS, "node_modules")
    lock = os.path.join(CHECKERS, "package-lock.json")
    if not os.path.isdir(modules):
        raise CheckerUnavailable(
            "tools/checkers/node_modules is missing: run scripts/bootstrap.sh "
            "(or `npm ci --prefix tools/checkers`)")
    # npm writes node_modules/.package-lock.json last on every install.
    stamp = os.path.join(modules, ".package-lock.json")
    if not os.path.exists(stamp) or os.path.getmtime(stamp) < os.path.getmtime(lock):
        raise CheckerUnavailable(
            "tools/checkers/node_modules is older than package-lock.json: run scripts/bootstrap.sh "
            "(or `npm ci --prefix tools/checkers`)")
    return path


def run(script, *args, timeout=60):
    """Runs tools/checkers/<script> with args; returns (exit code, output).
    Exit 2 or a crash means the checker itself could not run: raised."""
    r = subprocess.run([node(), os.path.join(CHECKERS, script), *args], capture_output=True,
                       text=True, timeout=timeout, cwd=ROOT)
    out = (r.stdout + r.stderr).strip()
    if r.returncode not in (0, 1):
        raise CheckerUnavailable(f"{script} could not run (exit {r.returncode}):\n{out[-3000:]}")
    return r.returncode, out
