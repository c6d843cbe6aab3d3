"""pytest wiring of the Flux layer (docs/flux.md).

* ``flux`` fixture (session): ``flux.tree(cluster_dir, root)`` builds a Flux tree (cached),
  ``flux.build(name, file, path=…, root=…)`` one Flux Kustomization from a file.
* ``@pytest.mark.flux_tree(cluster_dir, root=".")`` with the ``flux_tree`` fixture.
* ini ``kustomize_flux_trees``: lines ``CLUSTER_DIR [ROOT]`` (relative to the rootdir); each
  Flux Kustomization of each tree becomes a test item that fails when it does not build (or,
  with ``kustomize_flux_strict``, when a variable is unset), plus one item per tree for the
  ``dependsOn`` check (and, with ``kustomize_flux_validate``, a ``flux-validate`` item:
  every object of the tree against the schemas). ``kustomize_flux_values``: YAML files of ConfigMaps/Secrets served to
  ``substituteFrom`` on top of those the tree holds.
"""
from __future__ import annotations

import os

import pytest

from ..errors import KustomizeError
from ..flux import Values, build_kustomization, read_kustomization
from ..flux.tree import build_tree
from .validation import FluxTreeValidation

_TREES = pytest.StashKey[dict]()     # the trees one session built (cached), by their key


def trees(config) -> dict:
    """{(cluster, root, strict, values, local_sources): FluxTree} built in this session."""
    return config.stash.setdefault(_TREES, {})


def pytest_addoption(parser):
    parser.addini("kustomize_flux_trees", "Flux cluster directories (CLUSTER_DIR [ROOT]) whose "
                  "Kustomizations each become a test item", type="linelist", default=[])
    parser.addini("kustomize_flux_values", "YAML files of ConfigMaps/Secrets for "
                  "substituteFrom", type="linelist", default=[])
    parser.addini("kustomize_flux_validate", "a flux-validate item per tree: every object its "
                  "builds produce against the schemas (the kustomize_validate_* settings)",
                  type="bool", default=False)
    parser.addini("kustomize_flux_strict", "strict postBuild substitution (the controller's "
                  "default since v1.9)", type="bool", default=False)


def pytest_configure(config):
    config.addinivalue_line("markers", "flux_tree(cluster_dir, root='.'): the Flux tree the "
                                       "flux_tree fixture builds")


class FluxHelper:
    """The ``flux`` fixture: builds relative to the rootdir, trees cached per session."""

    def __init__(self, config):
        self.config = config
        self.rootdir = str(config.rootpath)

    def _abs(self, p: str) -> str:
        return p if os.path.isabs(p) else os.path.join(self.rootdir, p)

    def values(self, extra=(), cluster=None) -> Values:
        """The ini's and ``extra`` value files; with ``cluster`` (the ``kube_cluster``
        fixture, or a KubeClient) what they do not hold is read from the live cluster."""
        v = Values()
        if cluster is not None:
            v = Values.from_cluster(getattr(cluster, "client", cluster))
        for f in [*self.config.getini("kustomize_flux_values"), *extra]:
            v.objects.update(Values.from_file(self._abs(f)).objects)
        return v

    def tree(self, cluster_dir: str, root: str = ".", *, strict: bool | None = None,
             values=(), local_sources: dict | None = None, cluster=None):
        if strict is None:
            strict = self.config.getini("kustomize_flux_strict")
        key = (self._abs(cluster_dir), self._abs(root), strict, tuple(values),
               tuple(sorted((local_sources or {}).items())))
        if cluster is not None:     # live values: built each time, never cached
            return build_tree(key[0], key[1], values=self.values(values, cluster),
                              strict=strict, local_sources=local_sources)
        cache = trees(self.config)
        if key not in cache:
            cache[key] = build_tree(key[0], key[1], values=self.values(values),
                                    strict=strict, local_sources=local_sources)
        return cache[key]

    def build(self, name: str, kustomization_file: str, *, path: str | None = None,
              root: str = ".", namespace: str = "flux-system", strict: bool | None = None,
              values=(), cluster=None):
        """One Flux Kustomization from its file; ``cluster`` serves substituteFrom live."""
        if strict is None:
            strict = self.config.getini("kustomize_flux_strict")
        ks = read_kustomization(self._abs(kustomization_file), name, namespace)
        root = self._abs(root)
        where = path if path is not None else os.path.join(root, ks.spec.get("path", "."))
        return build_kustomization(ks, self._abs(where), root,
                                   values=self.values(values, cluster), strict=strict)


@pytest.fixture(scope="session")
def flux(pytestconfig) -> FluxHelper:
    return FluxHelper(pytestconfig)


@pytest.fixture
def flux_tree(request, flux):
    """The tree named by ``@pytest.mark.flux_tree(cluster_dir, root=".")``."""
    marker = request.node.get_closest_marker("flux_tree")
    if marker is None:
        raise pytest.UsageError("the flux_tree fixture needs @pytest.mark.flux_tree(DIR)")
    return flux.tree(*marker.args, **marker.kwargs)


def pytest_collect_file(file_path, parent):
    config = parent.config
    for line in config.getini("kustomize_flux_trees"):
        parts = line.split()
        if not parts:
            continue
        cluster = os.path.realpath(os.path.join(str(config.rootpath), parts[0]))
        if str(file_path) == _first_yaml(cluster):
            return FluxTreeFile.from_parent(parent, path=file_path, cluster=parts[0],
                                            root=parts[1] if len(parts) > 1 else ".")
    return None


def _first_yaml(cluster: str) -> str | None:
    for dirpath, dirnames, filenames in os.walk(cluster):
        dirnames.sort()
        for n in sorted(filenames):
            if n.endswith((".yaml", ".yml")):
                return os.path.realpath(os.path.join(dirpath, n))
    return None


class FluxTreeFile(pytest.File):
    """One item per Flux Kustomization of a cluster tree, plus the dependsOn check."""

    def __init__(self, *, cluster: str, root: str, **kw):
        super().__init__(**kw)
        self.cluster, self.root = cluster, root

    def collect(self):
        try:
            tree = FluxHelper(self.config).tree(self.cluster, self.root)
        except KustomizeError as e:
            yield FluxItem.from_parent(self, name="flux-tree", error=str(e))
            return
        for key in tree.kustomizations:
            yield FluxItem.from_parent(self, name="flux[%s]" % key,
                                       error=tree.errors.get(key))
        for key, msg in tree.errors.items():
            if key not in tree.kustomizations:
                yield FluxItem.from_parent(self, name="flux[%s]" % key, error=msg)
        yield FluxItem.from_parent(self, name="flux-dependsOn",
                                   error="; ".join(tree.problems) or None)
        if self.config.getini("kustomize_flux_validate"):
            yield FluxTreeValidation.from_parent(self, name="flux-validate", tree=tree)


class FluxItem(pytest.Item):
    def __init__(self, *, error: str | None, **kw):
        super().__init__(**kw)
        self.error = error

    def runtest(self):
        if self.error:
            raise FluxFailure(self.error)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, FluxFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, self.name


class FluxFailure(Exception):
    pass
