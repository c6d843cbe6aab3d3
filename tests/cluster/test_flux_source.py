"""A Flux Kustomization as a reconcile source, without a cluster: which object a file gives,
the options its spec sets, Go durations, and clear errors for bad input."""
from __future__ import annotations

import pytest

from pytest_kustomize.cluster.flux_source import flux_source, go_duration
from pytest_kustomize.cluster.reconcile import resolve
from pytest_kustomize.errors import ClusterError

KS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: %s
  namespace: flux-system
spec:
  interval: 10m
  path: ./app
  prune: %s
  sourceRef: {kind: GitRepository, name: repo}
  targetNamespace: team
  postBuild:
    substitute: {who: world}
"""


@pytest.fixture
def repo(tmp_path):
    (tmp_path / ".git").mkdir()
    app = tmp_path / "app"
    app.mkdir()
    (app / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hi\n"
                                 "data:\n  who: ${who}\n")
    (app / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    clusters = tmp_path / "clusters"
    clusters.mkdir()
    (clusters / "one.yaml").write_text(KS % ("app", "true"))
    (clusters / "two.yaml").write_text(KS % ("a", "true") + "---\n" + KS % ("b", "false"))
    return tmp_path


def test_a_file_with_one_kustomization_names_the_reconcile_and_builds_as_flux(repo):
    objs, name, namespace, fs = resolve(None, str(repo / "clusters" / "one.yaml"), None,
                                        None)
    assert (name, namespace, fs.root) == ("app", "flux-system", str(repo))
    assert objs == [{"apiVersion": "v1", "kind": "ConfigMap",
                     "metadata": {"name": "hi", "namespace": "team", "labels": {
                         "kustomize.toolkit.fluxcd.io/name": "app",
                         "kustomize.toolkit.fluxcd.io/namespace": "flux-system"}},
                     "data": {"who": "world"}}]
    assert fs.option("prune", None) is True
    assert fs.option("prune", False) is False                # the caller's value wins
    assert fs.option("wait", None) is False                  # absent: Go's false
    assert fs.option("timeout", None) == 600                 # no timeout: the interval


def test_name_picks_one_of_several(repo):
    f = str(repo / "clusters" / "two.yaml")
    with pytest.raises(ClusterError, match=r"more than one Flux Kustomization .*"
                       r"have: flux-system/a, flux-system/b.*pass name=") as e:
        flux_source(f)
    assert e.value.file == f
    fs = flux_source(f, name="b")
    assert fs.name == "b" and fs.option("prune", None) is False
    with pytest.raises(ClusterError, match="no Flux Kustomization c"):
        flux_source(f, name="c")


def test_other_sources_are_not_flux_and_plain_sources_need_a_name(repo):
    assert flux_source(str(repo / "app")) is None                 # an overlay directory
    assert flux_source([{"apiVersion": "v1", "kind": "ConfigMap"}]) is None
    with pytest.raises(ClusterError, match="reconcile needs name="):
        resolve(None, str(repo / "app"), None, None)
    with pytest.raises(ClusterError, match="no Flux Kustomization"):
        flux_source(str(repo / "app" / "cm.yaml"))


def test_a_name_that_contradicts_the_object(repo):
    obj = {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
           "metadata": {"name": "app", "namespace": "flux-system"},
           "spec": {"path": "./app", "prune": True}}
    with pytest.raises(ClusterError, match="name='other' differs from the Flux "
                                           "Kustomization's name 'app'"):
        resolve(None, obj, "other", None, root=str(repo))
    objs, name, _ns, _fs = resolve(None, obj, "app", "flux-system", root=str(repo))
    assert name == "app" and objs[0]["data"] == {"who": "${who}"}   # no postBuild


def test_build_errors_name_the_kustomization(repo):
    obj = {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
           "metadata": {"name": "app", "namespace": "flux-system"},
           "spec": {"path": "./missing", "prune": True, "timeout": "soon"}}
    with pytest.raises(ClusterError, match="Kustomization flux-system/app: kustomization "
                                           "path not found"):
        resolve(None, obj, None, None, root=str(repo))
    fs = flux_source(obj, root=str(repo))
    with pytest.raises(ClusterError, match=r"spec.timeout: 'soon' is not a Go duration"):
        fs.option("timeout", None)


@pytest.mark.parametrize("text,seconds", [("2m", 120), ("1h30m", 5400), ("90s", 90),
                                          ("1.5s", 1.5), ("500ms", 0.5), ("0s", 0)])
def test_go_durations(text, seconds):
    assert go_duration(text, "spec.timeout") == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "2", "m", "2 m", "2d", "-1s"])
def test_bad_go_durations(text):
    with pytest.raises(ClusterError, match="is not a Go duration"):
        go_duration(text, "spec.timeout")
