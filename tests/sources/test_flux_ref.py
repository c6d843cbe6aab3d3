"""Flux Kustomizations and Flux trees at a ref (``flux build … --ref``, ``gitflux``): what a
checkout of the ref gives — checked against the Go oracle ``flux-build`` (fluxcd/pkg, as
kustomize-controller) run on a checkout — and the work tree left byte for byte untouched."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pytest_kustomize.flux import Values
from pytest_kustomize.flux.tree import build_tree
from pytest_kustomize.gitflux import at_ref, build_flux_at, build_tree_at
from pytest_kustomize.tools import require_tool
from pytest_kustomize.errors import KustomizeError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

KS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 10m
  path: ./apps/web
  prune: true
  targetNamespace: web
  sourceRef: {kind: GitRepository, name: flux-system}
  postBuild:
    substitute: {replicas: "%s"}
    substituteFrom:
    - {kind: ConfigMap, name: vars}
"""
VARS = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: vars, namespace: flux-system}
data: {tier: %s}
"""
DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {tier: "${tier}"}
spec:
  replicas: ${replicas}
  template:
    spec:
      containers:
      - name: web
        image: nginx:%s
"""


@pytest.fixture
def history(repo):
    """Three commits: a Flux Kustomization over a directory without kustomization.yaml;
    then new values, an image and a symlinked file; then a kustomization.yaml with a patch."""
    repo.commit({"clusters/prod/apps.yaml": KS % "2", "clusters/prod/vars.yaml": VARS % "a",
                 "apps/web/deploy.yaml": DEPLOY % "1.25"}, "first")
    repo.write({"clusters/prod/apps.yaml": KS % "3", "clusters/prod/vars.yaml": VARS % "b",
                "apps/web/deploy.yaml": DEPLOY % "1.27",
                "shared/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"})
    repo.link("apps/web/svc.yaml", "../../shared/svc.yaml")
    repo.commit(message="second")
    repo.commit({"apps/web/kustomization.yaml": "resources: [deploy.yaml, svc.yaml]\n"
                 "patches:\n- patch: |\n    - {op: add, path: /metadata/annotations, "
                 "value: {x: y}}\n  target: {kind: Service}\n"}, "third")
    # the work tree holds an uncommitted change a --ref build must not see
    repo.write({"apps/web/deploy.yaml": DEPLOY % "9.99"})
    return repo


def _oracle(checkout: str, artifact: bool = False) -> str:
    """flux-build on a checkout; ``artifact``: the source read as source-controller archives
    a GitRepository (no symlinks), as the tree reads it."""
    exe = require_tool("flux-build")
    vals = os.path.join(checkout, "clusters/prod/vars.yaml")
    r = subprocess.run([exe, "build", "apps", "--path", os.path.join(checkout, "apps/web"),
                        "--root", checkout, "--kustomization-file",
                        os.path.join(checkout, "clusters/prod/apps.yaml"),
                        "--namespace", "flux-system", "--sources", vals]
                       + (["--artifact"] if artifact else []),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


def _cli(*args) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "pytest_kustomize", "flux", "build", *args],
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize("ref", ["HEAD~2", "HEAD~1", "HEAD", "main"])
def test_flux_build_at_ref_equals_the_oracle_on_a_checkout(history, tmp_path, untouched, ref):
    checkout = history.checkout_copy(ref, str(tmp_path / "co"))
    want = _oracle(checkout)
    untouched.start()
    got = build_flux_at(ref, os.path.join(history.path, "clusters/prod/apps.yaml"), "apps",
                        values=_values(history.path, ref)).to_yaml()
    assert got == want
    cli = _cli("apps", "--path", os.path.join(history.path, "apps/web"),
               "--kustomization-file", os.path.join(history.path, "clusters/prod/apps.yaml"),
               "--values", os.path.join(history.path, "clusters/prod/vars.yaml"),
               "--root", history.path, "--ref", ref)
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout == want
    assert "9.99" not in got


def _values(path, ref):
    return Values.from_file(at_ref(os.path.join(path, "clusters/prod/vars.yaml"), ref))


@pytest.mark.parametrize("ref", ["HEAD~2", "HEAD~1"])
def test_flux_tree_at_ref_equals_the_oracle_on_a_checkout(history, tmp_path, untouched, ref):
    """The tree reads the ConfigMap of the ref's cluster directory for substituteFrom, and the
    source as an artifact (HEAD~1's symlinked svc.yaml is not in it)."""
    checkout = history.checkout_copy(ref, str(tmp_path / "co"))
    want = _oracle(checkout, artifact=True)
    untouched.start()
    tree = build_tree_at(ref, os.path.join(history.path, "clusters/prod"), history.path)
    assert tree.errors == {}
    assert tree.get("apps").to_yaml() == want
    cli = _cli("apps", "--tree", os.path.join(history.path, "clusters/prod"),
               "--root", history.path, "--ref", ref)
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout == want


def test_flux_errors_at_a_ref_name_the_work_tree(history, untouched):
    untouched.start()
    with pytest.raises(KustomizeError) as e:
        build_flux_at("HEAD", os.path.join(history.path, "clusters/prod/nope.yaml"), "apps")
    assert history.path in str(e.value) and "pytest-kustomize-ref-" not in str(e.value)
    cli = _cli("apps", "--tree", os.path.join(history.path, "clusters/prod"),
               "--root", history.path, "--ref=-x")
    assert cli.returncode == 1 and "Traceback" not in cli.stderr
    cli = _cli("apps", "--tree", os.path.join(history.path, "clusters/prod"),
               "--root", history.path, "--ref", "no-such-ref")
    assert cli.returncode == 1 and "no-such-ref" in cli.stderr, cli.stderr


def test_shop_clusters_at_head_equal_the_disk():
    """Every Flux Kustomization of the committed shop trees at HEAD equals the build from the
    disk (the example is committed as is)."""
    r = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "examples/shop"],
                       capture_output=True, text=True)
    if r.returncode != 0 or r.stdout.strip():
        pytest.fail("examples/shop must be committed for this test: %s" % r.stdout)
    for env in ("staging", "production"):
        cluster = os.path.join(ROOT, "examples/shop/clusters", env)
        disk = build_tree(cluster, os.path.join(ROOT, "examples/shop"))
        ref = build_tree_at("HEAD", cluster, os.path.join(ROOT, "examples/shop"))
        assert list(ref.builds) == list(disk.builds)
        for key in disk.builds:
            assert ref.builds[key].to_yaml() == disk.builds[key].to_yaml(), key
