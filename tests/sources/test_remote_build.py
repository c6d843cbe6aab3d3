"""Remote bases and components over file://, compared with `kubectl kustomize` on the same
URLs (kubectl clones file:// remotes too)."""
from __future__ import annotations

import os
import subprocess

import pytest

import pytest_kustomize
from _gitrepo import Repo
from pytest_kustomize.errors import KustomizeError

DEPLOY = """\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      replicas: %d
      template:
        spec:
          containers:
          - name: api
            image: api:%s
    """


@pytest.fixture
def remote(tmp_path, monkeypatch):
    """A bare repository: tag v1 (replicas 1, api:1), then main (replicas 2, api:2); bases in
    deploy/base, a component in deploy/components/monitoring."""
    monkeypatch.setenv("PYTEST_KUSTOMIZE_REMOTE_CACHE", str(tmp_path / "cache"))
    src = Repo(str(tmp_path / "upstream"))
    files = {"deploy/base/kustomization.yaml": "resources:\n- deployment.yaml\n"
             "configMapGenerator:\n- name: api-config\n  literals:\n  - MODE=prod\n",
             "deploy/base/deployment.yaml": DEPLOY % (1, "1"),
             "deploy/components/monitoring/kustomization.yaml":
                 "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
                 "commonAnnotations:\n  prometheus.io/scrape: 'true'\n",
             "deploy/escape/kustomization.yaml": "resources:\n- ../../../outside\n"}
    src.commit(files, "v1")
    src.git("tag", "v1")
    src.commit({"deploy/base/deployment.yaml": DEPLOY % (2, "2")}, "v2")
    bare = str(tmp_path / "remote.git")
    subprocess.run(["git", "clone", "-q", "--bare", src.path, bare], check=True, timeout=60)
    return bare


def _both(tmp_path, kustomization: str):
    app = tmp_path / "app"
    app.mkdir(exist_ok=True)
    (app / "kustomization.yaml").write_text(kustomization)
    want = subprocess.run(["kubectl", "kustomize", str(app)], capture_output=True, text=True,
                          timeout=120)
    try:
        got = pytest_kustomize.build(str(app)).to_yaml()
    except KustomizeError as e:
        got = e
    return want, got


@pytest.mark.parametrize("query", ["?ref=v1", "?ref=main", "", "?ref=v1&timeout=30s",
                                   "?ref=v1&submodules=false"])
def test_remote_base_matches_kubectl(remote, tmp_path, query):
    want, got = _both(tmp_path, "namePrefix: x-\nresources:\n- file://%s//deploy/base%s\n"
                      % (remote, query))
    assert want.returncode == 0, want.stderr
    assert got == want.stdout
    assert ("image: api:1" in got) == ("v1" in query)


def test_remote_component_and_git_prefix(remote, tmp_path):
    want, got = _both(tmp_path, "resources:\n- git::file://%s//deploy/base?ref=v1\n"
                      "components:\n- file://%s//deploy/components/monitoring?ref=v1\n"
                      % (remote, remote))
    assert want.returncode == 0, want.stderr
    assert got == want.stdout
    assert "prometheus.io/scrape" in got


def test_cache_is_reused(remote, tmp_path):
    k = "resources:\n- file://%s//deploy/base?ref=v1\n" % remote
    app = tmp_path / "app"
    app.mkdir()
    (app / "kustomization.yaml").write_text(k)
    first = pytest_kustomize.build(str(app)).to_yaml()
    # the upstream disappears: the cached clone still serves the same ref
    os.rename(remote, remote + ".gone")
    assert pytest_kustomize.build(str(app)).to_yaml() == first
    (app / "kustomization.yaml").write_text(k.replace("v1", "main"))
    with pytest.raises(KustomizeError, match="remote.git.gone|remote.git"):
        pytest_kustomize.build(str(app))


@pytest.mark.parametrize("target,message", [
    ("//deploy/missing?ref=v1", "no directory 'deploy/missing'"),
    ("//deploy/base?ref=no-such-tag", "no-such-tag"),
    ("//deploy/escape?ref=v1", "must be within the repo"),
])
def test_remote_errors_name_the_url(remote, tmp_path, target, message):
    outside = tmp_path / "cache" / "outside"       # where deploy/escape's ../../../ leads
    outside.mkdir(parents=True)
    (outside / "kustomization.yaml").write_text("resources: []\n")
    want, got = _both(tmp_path, "resources:\n- file://%s%s\n" % (remote, target))
    assert want.returncode != 0
    assert isinstance(got, KustomizeError)
    assert message in str(got) and "file://%s" % remote in str(got)


def test_ref_that_is_an_option_is_refused(remote, tmp_path):
    """(kubectl is not asked: its kustomize passes such a ref to git fetch, which runs it.)"""
    marker = tmp_path / "pwned"
    app = tmp_path / "app"
    app.mkdir()
    (app / "kustomization.yaml").write_text(
        "resources:\n- file://%s//deploy/base?ref=--upload-pack=touch%%20%s\n" % (remote, marker))
    with pytest.raises(KustomizeError, match="may not start with '-'"):
        pytest_kustomize.build(str(app))
    assert not marker.exists()
