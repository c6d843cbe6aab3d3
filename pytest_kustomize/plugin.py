"""pytest entry point (``pytest11``): options, fixtures, markers and hooks. Thin: every
piece of work is delegated to a plain module of the package."""
from __future__ import annotations

import glob
import os

import pytest

from .engine.loader import KUSTOMIZATION_FILE_NAMES

# Hook modules of the features, registered with this entry point (see hooks/__init__.py).
pytest_plugins: list[str] = ["pytest_kustomize.hooks.flux"]


def pytest_addoption(parser):
    group = parser.getgroup("kustomize", "pytest-kustomize")
    group.addoption("--kustomize-root", default=None,
                    help="directory overlay paths are relative to (default: the rootdir)")
    group.addoption("--kustomize-load-restrictor", default=None, choices=["rootOnly", "none"],
                    help="may kustomizations read files outside their directory")
    group.addoption("--kustomize-enable-helm", action="store_true", default=None,
                    help="allow helmCharts (runs the helm binary)")
    try:
        group.addoption("--snapshot-update", action="store_true", default=False,
                        help="rewrite kustomize render snapshots instead of comparing")
    except ValueError:   # another snapshot plugin (syrupy) already defines it
        pass
    cgroup = parser.getgroup("kustomize-cluster", "pytest-kustomize clusters (kube_cluster)")
    cgroup.addoption("--kube-cluster", default=None,
                     choices=["auto", "kubeconfig", "kind", "local"],
                     help="where kube_cluster comes from: auto (default: --kube-config if "
                     "given, else kind if Docker works, else a local kube-apiserver + etcd)")
    cgroup.addoption("--kube-config", default=None,
                     help="kubeconfig of an existing cluster for kube_cluster (never taken "
                     "from $KUBECONFIG: tests change the cluster)")
    cgroup.addoption("--kube-context", default=None, help="context in --kube-config")
    cgroup.addoption("--kind-cluster-name", default=None,
                     help="name of the kind cluster to create or reuse")
    vgroup = parser.getgroup("kustomize-validate", "pytest-kustomize schema validation")
    vgroup.addoption("--kustomize-validate", action="store_true", default=None,
                     help="add a schema-validation test for every kustomization directory "
                     "collected (Components excepted)")
    vgroup.addoption("--kustomize-kubernetes-version", default=None,
                     help="Kubernetes version of the schemas (default 1.33)")
    vgroup.addoption("--kustomize-validate-strict", action="store_true", default=None,
                     help="unknown fields are invalid")
    parser.addini("kustomize_validate", "add a validation test per kustomization", type="bool",
                  default=False)
    parser.addini("kustomize_kubernetes_version", "Kubernetes version of the schemas",
                  default="")
    parser.addini("kustomize_validate_strict", "unknown fields are invalid", type="bool",
                  default=False)
    parser.addini("kustomize_validate_skip_kinds", "kinds not to validate", type="args",
                  default=[])
    parser.addini("kustomize_validate_crds", "CRD files/directories (relative to the rootdir)",
                  type="paths", default=[])
    parser.addini("kube_cluster", "auto, kubeconfig, kind or local", default="auto")
    parser.addini("kind_cluster_name", "kind cluster name", default="pytest-kustomize")
    parser.addini("kustomize_root", "directory overlay paths are relative to", default="")
    parser.addini("kustomize_load_restrictor", "rootOnly (default) or none", default="rootOnly")
    parser.addini("kustomize_enable_helm", "allow helmCharts", type="bool", default=False)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "kustomize_overlays(*globs): run the test once per kustomization directory "
        "matching the globs (relative to the kustomize root); the test takes an 'overlay' "
        "argument")


class Renderer:
    """Renders overlays relative to a root directory. A render is cached for the session and
    rebuilt when any file or directory it read has changed."""

    def __init__(self, root: str, load_restrictor: str = "rootOnly", enable_helm: bool = False):
        self.root = root
        self.load_restrictor = load_restrictor
        self.enable_helm = enable_helm
        self._cache: dict = {}

    def path(self, overlay) -> str:
        p = os.fspath(overlay)
        return p if os.path.isabs(p) else os.path.join(self.root, p)

    def build(self, overlay, **options):
        """``kustomize build`` of ``overlay`` as :class:`~pytest_kustomize.Resources`."""
        from . import build
        full = self.path(overlay)
        options.setdefault("load_restrictor", self.load_restrictor)
        options.setdefault("enable_helm", self.enable_helm)
        key = (os.path.realpath(full), tuple(sorted(options.items())))
        hit = self._cache.get(key)
        if hit is not None and hit[1] == _stamp(hit[0].inputs):
            return hit[0]
        res = build(full, **options)
        self._cache[key] = (res, _stamp(res.inputs))
        return res


def _stamp(paths) -> tuple:
    out = []
    for p in paths:
        try:
            st = os.stat(p)
            out.append((p, st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((p, None, None))
    return tuple(out)


def renderer_for(config) -> Renderer:
    r = getattr(config, "_kustomize_renderer", None)
    if r is None:
        root = config.getoption("kustomize_root") or config.getini("kustomize_root") \
            or str(config.rootpath)
        if not os.path.isabs(root):
            root = os.path.join(str(config.rootpath), root)
        lr = config.getoption("kustomize_load_restrictor") or \
            config.getini("kustomize_load_restrictor") or "rootOnly"
        helm = config.getoption("kustomize_enable_helm") or \
            config.getini("kustomize_enable_helm")
        r = Renderer(root, lr, bool(helm))
        config._kustomize_renderer = r
    return r


@pytest.fixture(scope="session")
def kustomize(pytestconfig) -> Renderer:
    """``kustomize.build("overlays/production")`` renders an overlay (cached per session)."""
    return renderer_for(pytestconfig)


@pytest.fixture(scope="session")
def kube_cluster(pytestconfig):
    """A real API server for the session (see docs/cluster.md): a
    :class:`pytest_kustomize.cluster.Cluster` with ``kubeconfig``, ``apply``, ``get`` and
    ``kubectl``. Skips (fails in CI) when no provider can run here."""
    from . import tools
    from .cluster import ClusterUnavailable, choose_provider
    opt = pytestconfig.getoption
    try:
        provider = choose_provider(
            opt("kube_cluster") or pytestconfig.getini("kube_cluster"),
            kubeconfig=opt("kube_config"), context=opt("kube_context"),
            kind_name=opt("kind_cluster_name") or pytestconfig.getini("kind_cluster_name"))
    except ClusterUnavailable as e:
        tools.missing(str(e), ["etcd", "kube-apiserver"])
    with provider as cluster:
        yield cluster


@pytest.fixture
def kustomize_snapshot(request):
    """``kustomize_snapshot.assert_match(resources)`` compares with a golden YAML file."""
    from .snapshot import Snapshot
    update = bool(request.config.getoption("snapshot_update", default=False))
    return Snapshot(str(request.path), request.node.name, update)


def overlay_dirs(root: str, patterns) -> list:
    """Kustomization directories matching the glob patterns, sorted."""
    found = set()
    for pat in patterns:
        for p in glob.glob(os.path.join(root, pat)):
            if os.path.isdir(p) and any(os.path.isfile(os.path.join(p, n))
                                        for n in KUSTOMIZATION_FILE_NAMES):
                found.add(os.path.normpath(p))
    return sorted(found)


def pytest_generate_tests(metafunc):
    marker = metafunc.definition.get_closest_marker("kustomize_overlays")
    if marker is None:
        return
    if "overlay" not in metafunc.fixturenames:
        raise pytest.UsageError("%s: @pytest.mark.kustomize_overlays needs an 'overlay' "
                                "argument" % metafunc.definition.nodeid)
    root = renderer_for(metafunc.config).root
    base = os.path.dirname(str(metafunc.definition.path))
    roots = [root] if marker.kwargs.get("relative_to") != "test" else [base]
    dirs = overlay_dirs(roots[0], marker.args)
    if not dirs:
        raise pytest.UsageError("%s: no kustomization directory matches %s under %s"
                                % (metafunc.definition.nodeid, list(marker.args), roots[0]))
    metafunc.parametrize("overlay", dirs, ids=[os.path.relpath(d, roots[0]) for d in dirs])


def pytest_assertrepr_compare(config, op, left, right):
    from .engine.resource import Resource
    from .resources import Resources
    if op != "==":
        return None
    kinds = (Resource, Resources)
    if isinstance(left, kinds) and isinstance(right, kinds) and type(left) is type(right):
        from .diff import explain
        return explain(left, right)
    return None


def pytest_collect_file(file_path, parent):
    name = file_path.name
    if name.startswith("test_") and name.endswith((".kustomize.yaml", ".kustomize.yml")):
        from .yamltests import YamlTestFile
        return YamlTestFile.from_parent(parent, path=file_path)
    if name in KUSTOMIZATION_FILE_NAMES and _opt(parent.config, "kustomize_validate"):
        from .validation.pytest_items import KustomizationValidation
        return KustomizationValidation.from_parent(parent, path=file_path)
    return None


def _opt(config, name):
    """A command-line option, falling back to the ini value of the same name."""
    v = config.getoption(name)
    return config.getini(name) if v is None else v
