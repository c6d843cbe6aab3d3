"""One local cluster (etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok)
for every cluster test of the session."""
from __future__ import annotations

import pytest

from pytest_kustomize import tools
from pytest_kustomize.cluster import LocalApiServer
from pytest_kustomize.tools import require_tool

CONTROL_PLANE = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok")


def require_control_plane() -> None:
    for name in CONTROL_PLANE:
        require_tool(name)
    if tools.tool_data("kwok-stages.yaml") is None:
        tools.missing("kwok's Stages (share/kwok-stages.yaml) are missing; install with: %s"
                      % tools.install_command("kwok"), ["kwok"])


@pytest.fixture
def control_plane_tools():
    """Skip (fail under CI=true) unless every control-plane tool is installed."""
    require_control_plane()


@pytest.fixture(scope="session")
def local_server():
    """The :class:`LocalApiServer` itself (its logs, its work directory)."""
    require_control_plane()
    server = LocalApiServer(controllers=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def local_cluster(local_server):
    return local_server.cluster


# --- the shop example as a Git repository's revisions (v1 → v2) -------------------------
import os  # noqa: E402
import shutil  # noqa: E402

SHOP = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "examples", "shop")

EXTRA = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: extra-settings
data:
  FEATURE_X: "on"
"""
KEEP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: legacy-flags
  annotations:
    kustomize.toolkit.fluxcd.io/prune: disabled
data:
  OLD_CHECKOUT: "true"
"""
NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop-prod\n"


def write_shop_revision(root: str, version: str) -> str:
    """The shop repository at ``version`` (``v1``: production overlay with its Namespace,
    the ServiceMonitor CRD, 3 replicas, ConfigMaps extra-settings and legacy-flags (prune:
    disabled); ``v2``: 4 replicas, both ConfigMaps dropped) under ``root``; returns the
    overlay directory (``root/overlays/production``)."""
    if os.path.exists(root):
        shutil.rmtree(root)
    for d in ("base", "components"):
        shutil.copytree(os.path.join(SHOP, d), os.path.join(root, d))
    overlay = os.path.join(root, "overlays", "production")
    shutil.copytree(os.path.join(SHOP, "overlays", "production"), overlay)
    shutil.copy(os.path.join(SHOP, "crds", "servicemonitors.yaml"),
                os.path.join(overlay, "crd.yaml"))
    with open(os.path.join(overlay, "namespace.yaml"), "w") as f:
        f.write(NAMESPACE)
    resources = ["namespace.yaml", "crd.yaml", "../../base"]
    if version == "v1":
        for name, text in (("extra.yaml", EXTRA), ("keep.yaml", KEEP)):
            with open(os.path.join(overlay, name), "w") as f:
                f.write(text)
            resources.append(name)
    else:
        with open(os.path.join(overlay, "scale.yaml"), "w") as f:
            f.write("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
                    "spec:\n  replicas: 4\n")
    kfile = os.path.join(overlay, "kustomization.yaml")
    with open(kfile) as f:
        text = f.read()
    assert "resources:\n- ../../base\n" in text
    with open(kfile, "w") as f:
        f.write(text.replace("resources:\n- ../../base\n", "resources:\n" + "".join(
            "- %s\n" % r for r in resources)))
    return overlay


@pytest.fixture
def shop_repo(tmp_path):
    """``shop_repo("v1")`` writes the shop at that revision and returns its overlay dir."""
    return lambda version: write_shop_revision(str(tmp_path / "repo"), version)


@pytest.fixture(scope="module")
def control_plane_tools_module():
    """:func:`control_plane_tools` for module-scoped fixtures."""
    require_control_plane()
