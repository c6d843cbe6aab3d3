"""removals() against Flux's kustomize-controller v1.9.6 (scripts/install-tools builds it):
two Kustomizations, prune: true and prune: false, reconcile main and then a pull request
that drops a CronJob; the controller deletes exactly what removals() calls "deleted" and
leaves what it calls "orphaned"."""
from __future__ import annotations

import hashlib
import io
import os
import subprocess
import tarfile
from textwrap import dedent

import pytest

import _scenario as scenario
from pytest_kustomize import tools
from pytest_kustomize.cluster import LocalApiServer
from pytest_kustomize.cluster.kustomize_controller import KustomizeController
from pytest_kustomize.gates import flux_kustomizations, flux_owners, removals
from pytest_kustomize.gitdiff import diff_refs
from pytest_kustomize.tools import require_tool

KS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps-{env}
  namespace: flux-system
spec:
  interval: 10m
  path: ./overlays/{env}
  prune: {prune}
  sourceRef:
    kind: GitRepository
    name: apps-{env}
"""


@pytest.fixture(scope="module")
def controller(tmp_path_factory):
    require_tool("etcd")
    require_tool("kube-apiserver")
    require_tool("kustomize-controller")
    if tools.tool_data("flux-crds") is None:
        tools.missing("Flux CRDs (share/flux-crds) missing; install with: %s"
                      % tools.install_command("kustomize-controller"), ["kustomize-controller"])
    server = LocalApiServer()
    server.start()
    try:
        kc = KustomizeController(server.cluster,
                                 str(tmp_path_factory.mktemp("kc"))).start()
        yield server.cluster, kc
        kc.stop()
    finally:
        server.stop()


def _export(repo, ref, dest):
    """The tree of ``ref`` in ``dest`` (git archive: no .git directory)."""
    data = subprocess.run(["git", "-C", repo.path, "archive", ref], capture_output=True,
                          check=True, timeout=60).stdout
    os.makedirs(dest)
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        t.extractall(dest, filter="data")
    return dest


def test_controller_deletes_what_removals_calls_deleted(controller, repo, tmp_path):
    cluster, kc = controller
    scenario.make(repo)
    repo.commit({"clusters/prod.yaml": KS.format(env="prod", prune="true"),
                 "clusters/dev.yaml": KS.format(env="dev", prune="false")}, "flux")
    repo.git("checkout", "-q", "-b", "pr", "main")
    repo.commit({"base/kustomization.yaml": dedent(scenario.BASE["base/kustomization.yaml"])
                 .replace("- cronjob.yaml\n", "")}, "drop the cronjob")
    dirs = [os.path.join(repo.path, "overlays/prod"), os.path.join(repo.path, "overlays/dev")]
    d = diff_refs(dirs, "main", "pr")
    owners = flux_owners(dirs, flux_kustomizations(repo.path, "pr"), repo.path)
    fates = {(r.resource.namespace, r.resource.name): r.fate for r in removals(d, owners)}
    assert sorted(fates.values()) == ["deleted", "orphaned"]

    for ns in ("prod", "dev"):
        cluster.kubectl("create", "namespace", ns)
    for step, ref in enumerate(("main", "pr")):
        tree = _export(repo, ref, str(tmp_path / ("tree%d" % step)))
        rev = "main@sha1:" + hashlib.sha1(repo.git("rev-parse", ref).encode()).hexdigest()
        for env, prune in (("prod", True), ("dev", False)):
            kc.publish(tree, rev, name="apps-" + env)
            if step == 0:
                kc.kustomization(name="apps-" + env, path="./overlays/" + env, prune=prune,
                                 wait=False)
        for env in ("prod", "dev"):
            kc.reconciled(rev, name="apps-" + env)
        if step == 0:
            for ns, name in fates:
                assert cluster.get("cronjob", name, ns) is not None
    for (ns, name), fate in fates.items():
        exists = cluster.get("cronjob", name, ns) is not None
        assert exists == (fate == "orphaned"), (ns, name, fate)
