"""pytest entry point (``pytest11``): options and fixtures. Thin: everything delegates to
plain modules of the package."""
from __future__ import annotations

import os

import pytest


def pytest_addoption(parser):
    group = parser.getgroup("kustomize", "pytest-kustomize")
    group.addoption("--kustomize-root", default=None,
                    help="directory that overlay paths in tests are relative to "
                         "(default: the rootdir)")
    group.addoption("--kustomize-load-restrictor", default=None,
                    choices=["rootOnly", "none"], help="file access outside a kustomization")
    parser.addini("kustomize_root", "directory overlay paths are relative to", default="")
    parser.addini("kustomize_load_restrictor", "rootOnly or none", default="rootOnly")


class Renderer:
    """Renders overlays relative to a root directory, once per session per path+options."""

    def __init__(self, root: str, load_restrictor: str = "rootOnly"):
        self.root = root
        self.load_restrictor = load_restrictor
        self._cache: dict = {}

    def build(self, path, **options):
        from . import build
        full = path if os.path.isabs(os.fspath(path)) else os.path.join(self.root, path)
        options.setdefault("load_restrictor", self.load_restrictor)
        key = (os.path.realpath(full), tuple(sorted(options.items())))
        if key not in self._cache:
            self._cache[key] = build(full, **options)
        return self._cache[key]


@pytest.fixture(scope="session")
def kustomize(pytestconfig) -> Renderer:
    """``kustomize.build("overlays/production")`` renders an overlay (cached per session)."""
    root = pytestconfig.getoption("kustomize_root") or pytestconfig.getini("kustomize_root") \
        or str(pytestconfig.rootpath)
    if not os.path.isabs(root):
        root = os.path.join(str(pytestconfig.rootpath), root)
    lr = pytestconfig.getoption("kustomize_load_restrictor") or \
        pytestconfig.getini("kustomize_load_restrictor") or "rootOnly"
    return Renderer(root, lr)
