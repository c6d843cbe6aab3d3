"""Remote bases in ``flux build`` (the flux CLI fetches them through kustomize, as the
controller does unless ``--no-remote-bases``): a Git base over ``file://`` with a ``?ref=``
tag and a sub-directory, compared with the flux CLI v2.9.4 (``--dry-run``)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pytest_kustomize.tools import require_tool

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
       "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
       "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
KS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: app, namespace: apps}
spec:
  interval: 1m
  path: ./app
  prune: true
  targetNamespace: web
  sourceRef: {kind: GitRepository, name: flux-system}
"""


def _git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env=dict(os.environ, **ENV), timeout=60)


@pytest.fixture
def remote_repo(tmp_path):
    src = tmp_path / "upstream"
    (src / "deploy" / "base").mkdir(parents=True)
    (src / "deploy" / "base" / "kustomization.yaml").write_text(
        "resources: [cm.yaml]\ncommonLabels: {from: upstream}\n")
    (src / "deploy" / "base" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: upstream}\ndata: {v: one}\n")
    _git(src, "init", "-q", "-b", "main")
    _git(src, "add", "-A")
    _git(src, "commit", "-q", "-m", "v1")
    _git(src, "tag", "v1")
    (src / "deploy" / "base" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: upstream}\ndata: {v: two}\n")
    _git(src, "commit", "-q", "-am", "v2")
    bare = tmp_path / "upstream.git"
    _git(tmp_path, "clone", "-q", "--bare", str(src), str(bare))
    return bare


@pytest.mark.parametrize("ref", ["v1", "main"])
def test_remote_base_as_the_flux_cli(tmp_path, remote_repo, ref):
    exe = require_tool("flux")
    work = tmp_path / "work"
    (work / "app").mkdir(parents=True)
    (work / "app" / "kustomization.yaml").write_text(
        "resources:\n- file://%s//deploy/base?ref=%s\n- local.yaml\n" % (remote_repo, ref))
    (work / "app" / "local.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: local}\n")
    (work / "ks.yaml").write_text(KS)
    argv = ["app", "--path", str(work / "app"), "--kustomization-file", str(work / "ks.yaml"),
            "--namespace", "apps", "--dry-run"]
    want = subprocess.run([exe, "build", "kustomization", *argv], capture_output=True,
                          text=True, timeout=120,
                          env=dict(os.environ, KUBECONFIG=os.devnull, HOME=str(tmp_path)))
    assert want.returncode == 0, want.stderr
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
               PYTEST_KUSTOMIZE_REMOTE_CACHE=str(tmp_path / "cache"))
    got = subprocess.run([sys.executable, "-m", "pytest_kustomize", "flux", "build", *argv,
                          "--root", str(work)], capture_output=True, text=True, env=env,
                         timeout=120)
    assert got.returncode == 0, got.stderr
    assert got.stdout == want.stdout
    assert ("v: one" if ref == "v1" else "v: two") in got.stdout
