"""Gate checks as YAML tests (``diff:`` + ``gates:`` in test_*.kustomize.yaml) on
purpose-made pull-request branches of a repository made here: each gate fails on the branch
made to break it and passes on the safe one; waivers, Flux owners and shape errors."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: %(replicas)s
  selector: {matchLabels: {app: %(app)s}}
  template:
    metadata: {labels: {app: %(app)s}}
    spec:
      containers:
      - {name: web, image: "nginx:%(tag)s"}
"""
JOB = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: cleanup}\n"
FLUX = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: app, namespace: flux-system}
spec:
  interval: 1m
  path: ./app
  prune: %s
  sourceRef: {kind: GitRepository, name: flux-system}
"""


def _web(replicas=2, app="web", tag="1.27"):
    return WEB % {"replicas": replicas, "app": app, "tag": tag}


@pytest.fixture
def branches(repo):
    """main; pr-safe (replicas 2 -> 3); pr-bad (drops the CronJob, changes the selector
    and the image); pr-orphan (drops the CronJob under prune: false)."""
    repo.commit({"app/kustomization.yaml": "resources: [web.yaml, job.yaml]\n",
                 "app/web.yaml": _web(), "app/job.yaml": JOB,
                 "clusters/prod/app.yaml": FLUX % "true"}, "main")
    repo.git("checkout", "-q", "-b", "pr-safe")
    repo.commit({"app/web.yaml": _web(replicas=3)}, "scale out")
    repo.git("checkout", "-q", "main")
    repo.git("checkout", "-q", "-b", "pr-bad")
    repo.commit({"app/kustomization.yaml": "resources: [web.yaml]\n", "app/job.yaml": None,
                 "app/web.yaml": _web(app="web2", tag="1.28")}, "bad")
    repo.git("checkout", "-q", "main")
    repo.git("checkout", "-q", "-b", "pr-orphan")
    repo.commit({"app/kustomization.yaml": "resources: [web.yaml]\n", "app/job.yaml": None,
                 "clusters/prod/app.yaml": FLUX % "false"}, "orphan")
    repo.git("checkout", "-q", "main")
    return repo


def _run(tmp_path, text: str) -> subprocess.CompletedProcess:
    f = tmp_path / "tests" / "test_gates.kustomize.yaml"
    f.parent.mkdir(exist_ok=True)
    f.write_text(textwrap.dedent(text))
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-rA", str(f)], capture_output=True, text=True, env=env,
                          cwd=str(tmp_path), timeout=300)


GATES = """\
overlay: ../repo/app
diff: {base: main, head: %s, flux: true}
tests:
- name: prunes nothing
  gates: [prunesNothing: {}]
- name: no immutable changes
  gates: [noImmutableChanges: {}]
- name: only replicas change
  gates: [onlyChanged: {kinds: [Deployment], fields: [spec.replicas]}]
- name: orphans nothing
  gates: [orphansNothing: {}]
- name: images
  gates: [imageChanges: {equal: %s}]
- name: builds
  gates: [builds: {}]
"""


def _outcomes(out: str) -> dict:
    res = {}
    for line in out.splitlines():
        for word in ("PASSED", "FAILED"):
            if line.startswith(word + " "):
                res[line.split("::", 1)[1].split(" - ")[0].strip()] = word
    return res


def test_gates_pass_on_the_safe_branch(branches, tmp_path, untouched):
    untouched.start()
    r = _run(tmp_path, GATES % ("pr-safe", "[]"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert set(_outcomes(r.stdout).values()) == {"PASSED"} and len(_outcomes(r.stdout)) == 6


def test_gates_fail_on_the_bad_branch(branches, tmp_path, untouched):
    untouched.start()
    r = _run(tmp_path, GATES % ("pr-bad", '["nginx:1.27 -> nginx:1.28"]'))
    got = _outcomes(r.stdout)
    assert got == {"prunes nothing": "FAILED", "no immutable changes": "FAILED",
                   "only replicas change": "FAILED", "orphans nothing": "PASSED",
                   "images": "PASSED", "builds": "PASSED"}, r.stdout
    assert "CronJob" in r.stdout and "deleted" in r.stdout            # prune: true deletes
    assert "spec.selector" in r.stdout
    assert "test_gates.kustomize.yaml:5: gates[0] prunesNothing" in r.stdout


def test_orphans_under_prune_false(branches, tmp_path):
    r = _run(tmp_path, GATES % ("pr-orphan", "[]"))
    got = _outcomes(r.stdout)
    assert got["orphans nothing"] == "FAILED" and got["prunes nothing"] == "PASSED", r.stdout


def test_waivers_and_unused_waivers(branches, tmp_path):
    r = _run(tmp_path, """\
        overlay: ../repo/app
        diff: {base: main, head: pr-bad}
        tests:
        - name: waived
          gates:
          - prunesNothing: {waivers: [{resource: CronJob/cleanup, reason: replaced by a Job}]}
        - name: stale waiver
          gates:
          - noImmutableChanges:
              waivers:
              - {resource: Deployment/web, reason: recreated on purpose}
              - {resource: Service/none, reason: stale}
        """)
    got = _outcomes(r.stdout)
    assert got == {"waived": "PASSED", "stale waiver": "FAILED"}, r.stdout
    assert "unused waivers" in r.stdout and "Service/none" in r.stdout


def test_head_defaults_to_the_work_tree(branches, tmp_path):
    branches.write({"app/web.yaml": _web(tag="1.29")})          # uncommitted
    r = _run(tmp_path, """\
        overlay: ../repo/app
        diff: {base: main}
        tests:
        - name: images
          gates: [imageChanges: {equal: ["nginx:1.27 -> nginx:1.29"]}]
        """)
    assert r.returncode == 0, r.stdout


@pytest.mark.parametrize("text,message", [
    ("overlay: a\ndiff: {head: x}\ntests:\n- gates: [builds: {}]\n", "'diff' must be a mapping"),
    ("overlay: a\ndiff: {base: main}\ntests:\n- gates: [prunesNone: {}]\n", "unknown gate"),
    ("overlay: a\ndiff: {base: main}\ntests:\n- gates: [prunesNothing: {waiver: []}]\n",
     "prunesNothing takes waivers"),
    ("overlay: a\ndiff: {base: main}\ntests:\n- gates: [orphansNothing: {}]\n",
     "needs 'flux: true'"),
    ("overlay: a\ntests:\n- gates: [builds: {}]\n", "needs a 'diff: {base: REF}'"),
    ("overlay: a\ndiff: {base: main}\ntests:\n- gates:\n  - prunesNothing:\n"
     "      waivers: [{resource: X/y}]\n", "a waiver is {resource"),
    ("flux: {tree: c}\ntests:\n- asserts: [exists: {path: a}]\n", "'flux' needs"),
])
def test_bad_gate_files_fail_collection(tmp_path, text, message):
    r = _run(tmp_path, text)
    assert r.returncode != 0 and message in r.stdout, r.stdout
    assert "Traceback" not in r.stdout
